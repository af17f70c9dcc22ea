"""Checks across fields of the blocks of time: each error names its exact path.

:func:`check` is called by :func:`realpolitik.scenario.load.check` after the schema has
parsed the file. It checks, in order: the ``time`` block; each event's day and paths and the
values its changes lead to; the ``rubinstein`` and ``attrition`` blocks against the actors and
issues and against what their specs rule out (docs/specs/attrition.md, "Inputs"); the
recorded ``outcome.attrition``.
"""

from __future__ import annotations

import math
from typing import Any

from realpolitik.contracts.blocks import MAX_DAYS, OPS
from realpolitik.models._attrition_core import AttritionInputError
from realpolitik.sim.events import PathProblem, apply_op, parse_path

__all__ = ["check"]


def check(doc: Any) -> None:
    """Raise the first problem of the time-related blocks of ``doc`` as a located error."""
    sc = doc.scenario
    time = getattr(sc, "time", None)
    if time is not None and time.end is not None and time.end <= time.start:
        raise doc.error(
            ("time", "end"), value=time.end.isoformat(),
            expected=f"a date after time.start ({time.start.isoformat()})",
        )  # fmt: skip
    if time is not None and time.end is not None and (time.end - time.start).days > MAX_DAYS:
        raise doc.error(
            ("time", "end"), value=time.end.isoformat(),
            expected=f"a timeline of at most {MAX_DAYS:,} days (100 years) from time.start",
        )  # fmt: skip
    if getattr(sc, "rubinstein", None) is not None:
        _check_rubinstein(doc)
    if getattr(sc, "attrition", None) is not None:
        _check_attrition(doc)
    if getattr(sc, "learning", None) is not None:  # docs/specs/learning.md §7
        from realpolitik.sim._learning_checks import check as check_learning

        check_learning(doc)
    _check_events(doc)
    if getattr(sc, "attrition", None) is not None:
        _check_attrition_solvable(doc)
    _check_record(doc)

    if getattr(sc, "learning", None) is None and sc.outcome is not None:
        if getattr(sc.outcome, "learning", None) is not None:
            from realpolitik.sim._learning_checks import _check_record as check_learning_record

            check_learning_record(doc)


def _span(time: Any) -> str:
    end = time.end.isoformat() if time.end else "the end of the scenario"
    return f"{time.start.isoformat()} to {end}"


def _check_events(doc: Any) -> None:
    sc = doc.scenario
    time = getattr(sc, "time", None)
    state: dict[str, float] = {}
    for k, ev in enumerate(getattr(sc, "events", None) or []):
        base = ("events", k)
        if (ev.date is None) == (ev.day is None):
            both = ev.date is not None
            raise doc.error(
                (*base, "date") if both else base,
                problem="both `date` and `day`" if both else "neither `date` nor `day`",
                expected="exactly one of `date` or `day` (days from time.start)",
            )
        if ev.date is not None:
            if time is None:
                raise doc.error(
                    (*base, "date"), value=ev.date.isoformat(),
                    expected="a `time: {start: DATE}` block to count dates from, or a `day`",
                )  # fmt: skip
            if ev.date < time.start or (time.end is not None and ev.date > time.end):
                raise doc.error(
                    (*base, "date"), value=ev.date.isoformat(),
                    expected=f"a date within the timeline, {_span(time)}",
                )  # fmt: skip
        elif time is not None and time.end is not None:
            last = (time.end - time.start).days
            if ev.day > last:
                raise doc.error(
                    (*base, "day"), value=ev.day,
                    expected=f"a day from 0 to {last} (the timeline runs {_span(time)})",
                )  # fmt: skip
        if not any(getattr(ev, op) for op in OPS):
            raise doc.error(
                base, problem="the event changes nothing",
                expected="at least one change under `set`, `add` or `scale`",
            )  # fmt: skip
        for op in OPS:
            for path, value in getattr(ev, op).items():
                where = (*base, op, path)
                try:
                    target = parse_path(path, sc)
                except PathProblem as exc:
                    raise doc.error(where, problem=exc.problem, expected=exc.expected) from None
                _check_value(doc, where, target, op, value, state)


def _check_value(doc: Any, where: tuple, target: Any, op: str, value: float, state: dict) -> None:
    """The value a change leads to must stay valid (the schedule applied to the inputs)."""
    sc = doc.scenario
    if not math.isfinite(value):
        raise doc.error(where, value=value, expected="a finite number")
    if target.kind == "airlift":  # checked in sim/_airlift_events.py
        from realpolitik.sim._airlift_events import check_change

        expected = check_change(target.who, op, value)
        if expected is not None:
            raise doc.error(where, value=value, expected=expected)
        return
    if target.kind in ("cost", "discount", "learning_cost"):
        if op == "scale" and (value < 0 or (target.kind == "discount" and value <= 0)):
            discount = target.kind == "discount"
            what = "a factor > 0 (a rate per day stays > 0)" if discount else "a factor >= 0"
            raise doc.error(where, value=value, expected=what)
        if op == "set" and (value < 0 or (target.kind == "discount" and value <= 0)):
            what = "a rate per day > 0" if target.kind == "discount" else "a cost per day >= 0"
            raise doc.error(where, value=value, expected=what)
        return
    key = f"{target.kind}.{target.issue}.{target.who}"
    if key not in state:
        if target.kind == "capability":
            state[key] = next(a.capability for a in sc.actors if a.id == target.who)
        else:
            state[key] = getattr(sc.issue(target.issue), target.kind)[target.who]
    new = apply_op(op, state[key], value)
    if target.kind == "saliences" and not 0.0 <= new <= 1.0:
        raise doc.error(
            where,
            value=value,
            expected=f"a change that keeps the salience within 0-1 (it makes {new:g})",
        )
    if target.kind == "capability" and not new > 0:
        raise doc.error(
            where,
            value=value,
            expected=f"a change that keeps the capability > 0 (it makes {new:g})",
        )
    if target.kind == "positions":
        scale = sc.issue(target.issue).scale
        if not scale.min <= new <= scale.max:
            raise doc.error(
                where, value=value,
                expected=f"a change that keeps the position within {scale.min:g}-{scale.max:g} "
                f"(it makes {new:g})",
            )  # fmt: skip
    state[key] = new


def _check_parties(doc: Any, block: str, parties: list[str], issue: str) -> None:
    sc = doc.scenario
    actors = set(sc.actor_ids)
    for k, party in enumerate(parties):
        if party not in actors:
            raise doc.error(
                (block, "parties", k), problem=f"actor {party!r} is not declared",
                expected="an id from `actors`: " + ", ".join(sorted(actors)),
            )  # fmt: skip
    if parties[0] == parties[1]:
        raise doc.error((block, "parties"), value=parties, expected="two different actors")
    if issue not in sc.issue_ids:
        raise doc.error(
            (block, "issue"), problem=f"unknown issue {issue!r}",
            expected="one of the issue ids: " + ", ".join(sc.issue_ids),
        )  # fmt: skip


def _per_party(doc: Any, block: str, key: str, values: dict, parties: list[str]) -> None:
    for name in values:
        if name not in parties:
            raise doc.error(
                (block, key, name), problem=f"{name!r} is not a party",
                expected="one of the parties: " + ", ".join(parties),
            )  # fmt: skip
    for party in parties:
        if party not in values:
            raise doc.error(
                (block, key), problem=f"no value for party {party!r}",
                expected="a value for each of the parties: " + ", ".join(parties),
            )  # fmt: skip


def _check_rubinstein(doc: Any) -> None:
    rb = doc.scenario.rubinstein
    _check_parties(doc, "rubinstein", rb.parties, rb.issue)
    if rb.first is not None and rb.first not in rb.parties:
        raise doc.error(
            ("rubinstein", "first"), value=rb.first,
            expected="one of the parties: " + ", ".join(rb.parties),
        )  # fmt: skip
    if (rb.discount is None) == (rb.rate is None):
        both = rb.discount is not None
        raise doc.error(
            ("rubinstein", "rate") if both else ("rubinstein",),
            problem="both `discount` and `rate`" if both else "neither `discount` nor `rate`",
            expected="exactly one of `discount` (per period) or `rate` (per day)",
        )
    if rb.discount is not None and rb.period_days is not None:  # it would be ignored
        raise doc.error(
            ("rubinstein", "period_days"), problem="`period_days` with `discount`",
            expected="`period_days` only with `rate` (a discount is already per period)",
        )  # fmt: skip
    if rb.discount is not None:
        _per_party(doc, "rubinstein", "discount", rb.discount, rb.parties)
        for p, d in rb.discount.items():
            if not 0.0 < d < 1.0:
                raise doc.error(
                    ("rubinstein", "discount", p),
                    value=d,
                    expected="a discount factor per period in (0, 1)",
                )
    else:
        _per_party(doc, "rubinstein", "rate", rb.rate, rb.parties)
        for p, r in rb.rate.items():
            if not r > 0:
                raise doc.error(("rubinstein", "rate", p), value=r, expected="a rate per day > 0")
    for p, w in rb.outside.items():
        if p not in rb.parties:
            raise doc.error(
                ("rubinstein", "outside", p),
                problem=f"{p!r} is not a party",
                expected="one of the parties: " + ", ".join(rb.parties),
            )
        if not 0.0 <= w < 1.0:
            raise doc.error(
                ("rubinstein", "outside", p),
                value=w,
                expected="an outside option as a share of the stake, 0 <= w < 1",
            )
    if sum(rb.outside.values()) >= 1.0:
        raise doc.error(
            ("rubinstein", "outside"),
            value=dict(rb.outside),
            expected="outside options that sum to less than 1 (else there is "
            "nothing to bargain over)",
        )


def _check_attrition(doc: Any) -> None:
    at = doc.scenario.attrition
    _check_parties(doc, "attrition", at.parties, at.issue)
    for key in ("demand", "obstinacy", "discount"):
        _per_party(doc, "attrition", key, getattr(at, key), at.parties)
    for name, cost in at.cost.items():
        if name not in at.parties:
            raise doc.error(
                ("attrition", "cost", name),
                problem=f"{name!r} is not a party",
                expected="one of the parties: " + ", ".join(at.parties),
            )
        if isinstance(cost, list):
            days = [s.day for s in cost]
            for k in range(1, len(days)):
                if days[k] <= days[k - 1]:
                    raise doc.error(
                        ("attrition", "cost", name, k, "day"),
                        value=days[k],
                        expected=f"a day after the previous step's ({days[k - 1]:g})",
                    )
            if not cost:
                raise doc.error(
                    ("attrition", "cost", name),
                    value=[],
                    expected="a cost per day, or a list of {day, value} steps",
                )
        elif cost < 0:
            raise doc.error(("attrition", "cost", name), value=cost, expected="a cost per day >= 0")


def _check_attrition_solvable(doc: Any) -> None:
    """What the spec rules out, with the whole schedule of events (foreseen and surprises)."""
    at = doc.scenario.attrition
    from realpolitik.sim.coupling import attrition_solution

    try:
        attrition_solution(doc.scenario)
    except AttritionInputError as exc:
        party = at.parties[exc.party] if exc.party is not None else None
        path = ("attrition", exc.key) + ((party,) if party is not None else ())
        culprit = _lowering_event(doc, f"attrition.{exc.key}.{party}")
        if exc.key in ("cost", "discount") and culprit is not None:  # an event made it so
            where, value = culprit
            raise doc.error(
                where, value=value,
                expected=f"a change that keeps {exc.expected} (it makes {exc.value:g})",
            ) from None  # fmt: skip
        raise doc.error(path, value=exc.value, expected=exc.expected) from None


def _lowering_event(doc: Any, path: str) -> tuple[tuple, float] | None:
    """The first event (in the file) that adds a negative amount to ``path``, and its value."""
    for k, ev in enumerate(getattr(doc.scenario, "events", None) or []):
        value = ev.add.get(path)
        if value is not None and value < 0:
            return ("events", k, "add", path), value
    return None


def _check_record(doc: Any) -> None:
    sc = doc.scenario
    rec = getattr(sc.outcome, "attrition", None) if sc.outcome is not None else None
    if rec is None:
        return
    at = getattr(sc, "attrition", None)
    if at is None:
        raise doc.error(
            ("outcome", "attrition"),
            problem="the scenario has no `attrition` block",
            expected="an `attrition` block to record the outcome of",
        )
    if rec.conceded not in at.parties:
        raise doc.error(
            ("outcome", "attrition", "conceded"),
            value=rec.conceded,
            expected="one of the attrition's parties: " + ", ".join(at.parties),
        )
