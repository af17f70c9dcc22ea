"""Scheduled events: their targets, and how ``set``/``add``/``scale`` change a value or a path.

An event's change names a parameter by a path in the scenario's own keys:

    issues.<issue>.saliences.<actor>     issues.<issue>.positions.<actor>
    actors.<actor>.capability            attrition.cost.<party>     attrition.discount.<party>
    learning.cost.<party>

Within one event the changes apply in the order ``set``, ``add``, ``scale`` (and in file order
within each). A change to a path of costs or discounts holds from the event's day on: ``set``
makes the rest of the path that value (later scheduled steps of that cost are replaced),
``add`` and ``scale`` shift or multiply it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.models._attrition_core import Steps

__all__ = ["Target", "Change", "PathProblem", "parse_path", "apply_op", "apply_to_steps"]

KINDS = ("saliences", "positions", "capability", "cost", "discount", "airlift", "learning_cost")


class PathProblem(ValueError):
    """A path that names no parameter: ``problem`` says why, ``expected`` what would do."""

    def __init__(self, problem: str, expected: str) -> None:
        super().__init__(f"{problem}; expected {expected}")
        self.problem, self.expected = problem, expected


@dataclass(frozen=True)
class Target:
    """What a path names: ``kind`` (one of KINDS), the issue (or None) and the actor/party."""

    kind: str
    issue: str | None
    who: str


@dataclass(frozen=True)
class Change:
    """One change of one event: ``op`` in set/add/scale, the ``path`` as written, a value."""

    op: str
    path: str
    value: float
    target: Target


_FORMS = (
    "issues.<issue>.saliences.<actor>, issues.<issue>.positions.<actor>, "
    "actors.<actor>.capability, attrition.cost.<party>, attrition.discount.<party>, "
    "learning.cost.<party> or "
    "airlift.airfields.<field>.open|landing_interval, airlift.weather.closed|ifr"
)


def _party(scenario: Any, block_name: str, party: str, what: str) -> str:
    """``party`` of the scenario's crisis block ``block_name``, or the path's problem."""
    block = getattr(scenario, block_name, None)
    if block is None:
        raise PathProblem(f"the scenario has no `{block_name}` block", "a path into a block it has")
    if party not in block.parties:
        raise PathProblem(
            f"{party!r} is not a party to {what}", "one of: " + ", ".join(block.parties)
        )
    return party


def parse_path(path: str, scenario: Any) -> Target:
    """The :class:`Target` of ``path`` in ``scenario``; :class:`PathProblem` if none."""
    parts = path.split(".")
    actors = set(scenario.actor_ids)
    head = parts[0]
    if head == "attrition" and len(parts) == 3 and parts[1] in ("demand", "obstinacy"):
        raise PathProblem(
            f"{path!r} cannot change over time",
            "attrition.cost.<party> or attrition.discount.<party> (a demand or an obstinacy "
            "is fixed for the whole contest; spec, Inputs)",
        )
    if head == "issues" and len(parts) == 4 and parts[2] in ("saliences", "positions"):
        issue_id, kind, actor = parts[1], parts[2], parts[3]
        if issue_id not in scenario.issue_ids:
            raise PathProblem(
                f"unknown issue {issue_id!r}", "one of: " + ", ".join(scenario.issue_ids)
            )
        issue = scenario.issue(issue_id)
        if actor not in actors:
            raise PathProblem(f"unknown actor {actor!r}", "one of: " + ", ".join(sorted(actors)))
        if actor not in issue.positions:
            raise PathProblem(
                f"actor {actor!r} takes no position on {issue_id!r}",
                "an actor with a position on it: " + ", ".join(issue.positions),
            )
        return Target(kind, issue_id, actor)
    if head == "actors" and len(parts) == 3 and parts[2] == "capability":
        if parts[1] not in actors:
            raise PathProblem(f"unknown actor {parts[1]!r}", "one of: " + ", ".join(sorted(actors)))
        return Target("capability", None, parts[1])
    if head == "attrition" and len(parts) == 3 and parts[1] in ("cost", "discount"):
        return Target(parts[1], None, _party(scenario, "attrition", parts[2], "the attrition"))
    if head == "learning" and len(parts) == 3 and parts[1] == "cost":
        party = _party(scenario, "learning", parts[2], "the learning block")
        return Target("learning_cost", None, party)
    if head == "airlift":  # the airlift's airfields and weather
        from realpolitik.sim._airlift_events import parse_airlift_path

        try:
            what, field = parse_airlift_path(path, scenario)
        except ValueError as exc:
            raise PathProblem(*exc.args) from None
        return Target("airlift", field, what)
    raise PathProblem(f"unknown field {path!r}", f"a path of the form {_FORMS}")


def apply_op(op: str, current: float, value: float) -> float:
    """``set`` → value, ``add`` → current + value, ``scale`` → current · value."""
    if op == "set":
        return float(value)
    if op == "add":
        return float(current + value)
    if op == "scale":
        return float(current * value)
    raise ValueError(f"unknown operation {op!r}")


def apply_to_steps(steps: Steps, day: float, op: str, value: float) -> Steps:
    """The path ``steps`` changed from ``day`` on by ``op`` (see the module's docstring)."""
    days = steps.days
    values = steps.values
    if day not in days:
        k = int(np.searchsorted(days, day, side="right"))
        days = np.insert(days, k, day)
        values = np.insert(values, k, values[k - 1])
    after = days >= day
    new = values.copy()
    new[after] = [apply_op(op, v, value) for v in values[after]]
    if op == "set":  # the rest of the path is one value: drop the now-redundant steps
        keep = ~after | (days == day)
        days, new = days[keep], new[keep]
    return Steps(days, new)
