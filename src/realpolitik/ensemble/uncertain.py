"""A scenario's uncertain inputs: where each one goes, and its valid range.

The loader (:mod:`realpolitik.scenario.load`) replaces every ``{dist: ...}`` mapping by its
median before validation (:func:`realpolitik.scenario.distributions.extract`) and keeps what
it found in the scenario's public ``distributions`` field. :func:`uncertain_inputs` lists the
scenario's uncertain inputs in a fixed order: the file's own distributions in the order they
appear, then the ``uncertainty`` block's spreads (per issue: positions, then saliences, in
the file's actor order; then capabilities).

Each input knows its *target*: ``x`` (a position), ``s`` (a salience), ``c`` (a capability),
``reference`` (an issue's reference point) or ``other`` (any other number, e.g. an event's
size or a crisis block's parameter, which only models reading the scenario itself see).
Draws are clipped to the field's valid range: a position or reference point to its issue's
scale, a salience to [0, 1], a capability to at least 10⁻⁶ of its median (kept > 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from realpolitik.scenario.distributions import Distribution, Normal

__all__ = ["UncertainInput", "uncertain_inputs", "check", "check_attrition_draws"]

Target = Literal["x", "s", "c", "reference", "other"]


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain number: its path, distribution, valid range and target in the arrays."""

    name: str  # the dotted path in the scenario's keys, e.g. issues.railway.positions.stalin
    path: tuple[Any, ...]  # keys and list indices in the raw data
    dist: Distribution
    low: float
    high: float
    target: Target
    index: tuple[int, ...] = ()
    origin: str = "file"  # "file" (a distribution in the file) or "uncertainty" (the block)

    def values(self, u: np.ndarray) -> np.ndarray:
        """Draws in the field's unit from uniforms ``u``: ``ppf`` then the valid range."""
        return np.minimum(np.maximum(self.dist.ppf(u), self.low), self.high)

    @property
    def median(self) -> float:
        return float(min(max(self.dist.median, self.low), self.high))

    def describe(self) -> dict[str, Any]:
        return {"input": self.name, **self.dist.describe(), "origin": self.origin}


# What docs/specs/attrition.md ("Inputs") allows: (low, high, open below, open above).
_ATTRITION_RANGE = {
    "demand": (0.0, 1.0, True, False, "a share in (0, 1]"),
    "obstinacy": (0.0, 1.0, True, True, "a probability in (0, 1)"),
    "discount": (0.0, np.inf, True, False, "a rate per day > 0"),
    "cost": (0.0, np.inf, False, False, "a cost per day >= 0"),
}


def check_attrition_draws(doc: Any) -> None:
    """A located error for a distribution in the attrition block whose draws (the extreme
    quantiles its runs can reach, after its bounds) leave the field's valid range; the same
    for the learning block (docs/specs/learning.md §7)."""
    if getattr(doc.scenario, "learning", None) is not None:
        from realpolitik.sim._learning_checks import check_draws

        check_draws(doc, list(doc.scenario.distributions))
    for f in doc.scenario.distributions:
        if len(f.path) < 3 or f.path[0] != "attrition" or f.path[1] not in _ATTRITION_RANGE:
            continue
        lo, hi, open_lo, open_hi, what = _ATTRITION_RANGE[f.path[1]]
        first, last = (float(v) for v in f.dist.ppf(np.array([0.0, 1.0])))
        if (first <= lo if open_lo else first < lo) or (last >= hi if open_hi else last > hi):
            raise doc.error(
                f.path, problem=f"a distribution whose draws reach {first:g} to {last:g}",
                expected=f"{what} in every draw: give it bounds within that range",
            )  # fmt: skip


def uncertain_inputs(scenario: Any) -> tuple[UncertainInput, ...]:
    """The scenario's uncertain inputs, in the fixed order of the module docstring."""
    out: list[UncertainInput] = []
    taken: set[tuple[Any, ...]] = set()
    for f in scenario.distributions:
        out.append(_make(scenario, f.path, f.dist, f.name, "file"))
        taken.add(f.path)
    block = getattr(scenario, "uncertainty", None)
    if block is None:
        return tuple(out)
    for j, issue in enumerate(scenario.issues):
        for key, spread in (("positions", block.positions), ("saliences", block.saliences)):
            sd = spread.for_issue(issue.id) if spread is not None else 0.0
            if sd <= 0.0:
                continue
            for actor, value in getattr(issue, key).items():
                path = ("issues", j, key, actor)
                if path not in taken:
                    name = f"issues.{issue.id}.{key}.{actor}"
                    out.append(
                        _make(scenario, path, Normal(mean=value, sd=sd), name, "uncertainty")
                    )
    if block.capabilities is not None:
        for k, actor in enumerate(scenario.actors):
            path = ("actors", k, "capability")
            sd = block.capabilities.for_value(actor.capability)
            if path not in taken and sd > 0.0:
                name = f"actors.{actor.id}.capability"
                dist = Normal(mean=actor.capability, sd=sd)
                out.append(_make(scenario, path, dist, name, "uncertainty"))
    return tuple(out)


def _make(scenario: Any, path: tuple[Any, ...], dist: Distribution, name: str, origin: str):
    kw: dict[str, Any] = {"name": name, "path": path, "dist": dist, "origin": origin}
    if len(path) == 3 and path[0] == "actors" and path[2] == "capability":
        return UncertainInput(
            low=1e-6 * abs(dist.median), high=np.inf, target="c", index=(path[1],), **kw
        )
    if path[:1] == ("issues",) and len(path) >= 3 and isinstance(path[1], int):
        j = path[1]
        issue = scenario.issues[j]
        scale = (issue.scale.min, issue.scale.max)
        if len(path) == 4 and path[2] in ("positions", "saliences"):
            k = scenario.actor_ids.index(path[3])
            if path[2] == "positions":
                return UncertainInput(low=scale[0], high=scale[1], target="x", index=(k, j), **kw)
            return UncertainInput(low=0.0, high=1.0, target="s", index=(k, j), **kw)
        if len(path) == 3 and path[2] == "reference_point":
            return UncertainInput(low=scale[0], high=scale[1], target="reference", index=(j,), **kw)
    return UncertainInput(low=-np.inf, high=np.inf, target="other", **kw)


def check(doc: Any) -> None:
    """Located checks of the ``uncertainty`` block: per-issue sds name existing issues."""
    block = getattr(doc.scenario, "uncertainty", None)
    if block is None:
        return
    ids = doc.scenario.issue_ids
    for key in ("positions", "saliences"):
        spread = getattr(block, key)
        if spread is not None and isinstance(spread.sd, dict):
            for issue_id in spread.sd:
                if issue_id not in ids:
                    raise doc.error(
                        ("uncertainty", key, "sd", issue_id),
                        problem=f"unknown issue {issue_id!r}",
                        expected="one of the issue ids: " + ", ".join(ids),
                    )
