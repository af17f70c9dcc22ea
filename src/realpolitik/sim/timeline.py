"""The timeline: one SimPy clock, scheduled events, and the dates of rounds.

A scenario with ``time: {start, end, unit: day}`` and ``events`` has a :class:`Timeline`.

1. Each event is resolved to a day (``date - time.start``, or its ``day`` offset) and its
   ``set``/``add``/``scale`` changes to :class:`~realpolitik.sim.events.Target` s. Events
   are ordered by day, then by their place in the file.
2. :meth:`Timeline.events_json` applies them in that order to the scenario's own numbers and
   reports each change as ``{"path", "from", "to"}`` (the ``events`` list of the JSON).
3. :meth:`Timeline.round_driver` gives a dynamic issue model its ``before_round`` hook. The
   hook runs a SimPy environment in which every event is a process that waits until its day;
   round ``t`` happens on day ``t · round_length``, and the events of every day up to and
   including it apply to the round's positions, saliences and capabilities before it.
4. :meth:`Timeline.attrition_beliefs` builds the cost and discount paths of the attrition
   model: foreseen events are part of the path known from day 0; a surprise starts a new
   stage whose paths include it (docs/specs/attrition.md, "Inputs").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import simpy

from realpolitik.models._attrition_core import Beliefs, Steps
from realpolitik.models._registry import IssueResult, RoundParams, RunContext
from realpolitik.sim.events import Change, apply_op, apply_to_steps, parse_path
from realpolitik.sim.schema import OPS

__all__ = [
    "ScheduledEvent",
    "Timeline",
    "RoundDriver",
    "cost_steps",
    "party_cost",
    "run_issue_model",
]


@dataclass(frozen=True)
class ScheduledEvent:
    """An event on the clock: ``index`` its place in the scenario's ``events`` list."""

    index: int
    day: float
    date: dt.date | None
    description: str
    surprise: bool
    changes: tuple[Change, ...]

    def touches(self, kinds: tuple[str, ...]) -> bool:
        return any(c.target.kind in kinds for c in self.changes)


@dataclass(frozen=True)
class Timeline:
    """The scenario's clock and its events, in the order they apply."""

    scenario: Any
    start: dt.date | None
    events: tuple[ScheduledEvent, ...]

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def of(cls, scenario: Any) -> Timeline | None:
        """The timeline of ``scenario``, or None if it has neither ``time`` nor ``events``.

        Paths are assumed checked (:mod:`realpolitik.sim.checks` does it at load time).
        """
        time = getattr(scenario, "time", None)
        raw = getattr(scenario, "events", None) or []
        if time is None and not raw:
            return None
        start = time.start if time is not None else None
        events = []
        for k, ev in enumerate(raw):
            day = float(ev.day) if ev.day is not None else float((ev.date - start).days)
            date = start + dt.timedelta(days=day) if start is not None else None
            changes = tuple(
                Change(op, path, float(value), parse_path(path, scenario))
                for op in OPS
                for path, value in getattr(ev, op).items()
            )
            events.append(ScheduledEvent(k, day, date, ev.description, ev.surprise, changes))
        events.sort(key=lambda e: (e.day, e.index))
        return cls(scenario=scenario, start=start, events=tuple(events))

    def date_of(self, day: float) -> str | None:
        """The ISO date of ``day`` (days are counted from ``time.start``), or None."""
        if self.start is None:
            return None
        return (self.start + dt.timedelta(days=float(np.floor(day)))).isoformat()

    # -- the scenario's numbers, changed event by event -----------------------------------
    def _scalar(self, target: Any) -> float:
        sc = self.scenario
        if target.kind == "saliences":
            return float(sc.issue(target.issue).saliences[target.who])
        if target.kind == "positions":
            return float(sc.issue(target.issue).positions[target.who])
        if target.kind == "capability":
            return float(next(a.capability for a in sc.actors if a.id == target.who))
        if target.kind == "learning_cost":  # docs/specs/learning.md §7: a number, else NaN
            cost = sc.learning.cost.get(target.who, 0.0)
            return float(cost) if isinstance(cost, int | float) else float("nan")
        if target.kind == "airlift":
            from realpolitik.sim._airlift_events import current_value

            return current_value(sc, target.who, target.issue)
        return float("nan")

    def events_json(self) -> list[dict[str, Any]]:
        """The ``events`` list: each event and its changes to the scenario's numbers."""
        state: dict[str, float] = {}
        paths = self._base_paths() if getattr(self.scenario, "attrition", None) else {}
        out = []
        for ev in self.events:
            changes = []
            for ch in ev.changes:
                key = _key(ch.target)
                if ch.target.kind in ("cost", "discount"):
                    steps = paths[key]
                    before = float(steps.at(ev.day))
                    paths[key] = apply_to_steps(steps, ev.day, ch.op, ch.value)
                    after = float(paths[key].at(ev.day))
                else:
                    before = state.get(key, self._scalar(ch.target))
                    after = state[key] = apply_op(ch.op, before, ch.value)
                changes.append({"path": ch.path, "op": ch.op, "from": before, "to": after})
            out.append(
                {
                    "day": ev.day,
                    "date": self.date_of(ev.day),
                    "description": ev.description,
                    "surprise": ev.surprise,
                    "changes": changes,
                }
            )
        return out

    # -- dynamic issue models --------------------------------------------------------------
    def round_driver(self, round_length: float = 1.0) -> RoundDriver:
        """A fresh ``before_round`` hook (one SimPy clock per model run)."""
        return RoundDriver(self, round_length)

    def round_dates(self, n_rounds: int, round_length: float) -> list[str | None]:
        """The date of each round 0..n-1: round t on day t · round_length."""
        return [self.date_of(t * round_length) for t in range(n_rounds)]

    # -- the attrition model's paths -------------------------------------------------------
    def _base_paths(self, series: dict[str, Any] | None = None) -> dict[str, Steps]:
        block = self.scenario.attrition
        out: dict[str, Steps] = {}
        for party in block.parties:
            out[f"discount.{party}"] = Steps.const(block.discount[party])
            out[f"cost.{party}"] = party_cost(block, party, series)
        return out

    def _paths_with(self, events: list[ScheduledEvent], series: Any) -> dict[str, Steps]:
        paths = self._base_paths(series)
        for ev in events:
            for ch in ev.changes:
                if ch.target.kind in ("cost", "discount"):
                    key = _key(ch.target)
                    paths[key] = apply_to_steps(paths[key], ev.day, ch.op, ch.value)
        return paths

    def attrition_beliefs(
        self, series: dict[str, Any] | None = None
    ) -> tuple[Beliefs, list[Beliefs]]:
        """The foreseen paths from day 0, and one :class:`Beliefs` per surprise day.

        ``series`` optionally replaces a party's cost by a daily series from another model
        (e.g. the airlift's; day 0 = ``time.start``) or by :class:`Steps` (e.g.
        ``Steps.daily(values, start=2)`` for a series that begins on day 2); it is foreseen. A surprise on day 0 is the same as a foreseen
        event (nothing has happened before it), so it joins the paths known from day 0.
        """
        block = self.scenario.attrition
        kinds = ("cost", "discount")
        relevant = [e for e in self.events if e.touches(kinds)]
        shocks = sorted({e.day for e in relevant if e.surprise and e.day > 0})

        def known(upto: float) -> Beliefs:
            seen = [e for e in relevant if not e.surprise or e.day <= upto]
            paths = self._paths_with(seen, series)
            pair = tuple(block.parties)
            return Beliefs(
                upto if upto > 0 else 0.0,
                tuple(paths[f"discount.{p}"] for p in pair),  # type: ignore[arg-type]
                tuple(paths[f"cost.{p}"] for p in pair),  # type: ignore[arg-type]
            )

        return known(0.0), [known(d) for d in shocks]


def cost_steps(cost: Any) -> Steps:
    """The scenario's ``cost`` of one party (a number, steps, or nothing) as :class:`Steps`."""
    if cost is None:
        return Steps.const(0.0)
    if isinstance(cost, int | float):
        return Steps.const(float(cost))
    return Steps.from_pairs([(s.day, s.value) for s in cost])


def party_cost(block: Any, party: str, series: dict[str, Any] | None = None) -> Steps:
    """The cost path of ``party``: ``series[party]`` when given (a daily series from another
    model, or :class:`Steps`), else the ``attrition`` block's ``cost`` (:func:`cost_steps`)."""
    if series and party in series:
        given = series[party]
        return given if isinstance(given, Steps) else Steps.daily(given)
    return cost_steps(block.cost.get(party))


def _key(target: Any) -> str:
    if target.kind in ("cost", "discount"):
        return f"{target.kind}.{target.who}"
    return f"{target.kind}.{target.issue}.{target.who}"


@dataclass
class RoundDriver:
    """A dynamic model's ``before_round`` hook, driven by a SimPy clock.

    Every event is a SimPy process that waits until its day and then queues itself. Before
    round ``t`` the clock runs to day ``t · round_length`` (events on that day included) and
    the queued events change the round's parameters. ``applied`` records what changed, in
    the issue's units, for the trace.
    """

    timeline: Timeline
    round_length: float
    env: simpy.Environment = field(default_factory=simpy.Environment)
    queued: list[ScheduledEvent] = field(default_factory=list)
    applied: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for ev in self.timeline.events:
            if ev.touches(("saliences", "positions", "capability")):
                self.env.process(self._wait(ev))

    def _wait(self, ev: ScheduledEvent):
        yield self.env.timeout(ev.day)
        self.queued.append(ev)

    def advance(self, day: float) -> list[ScheduledEvent]:
        """Run the clock to ``day`` inclusive; the events that came due, in order."""
        if day > self.env.now:
            self.env.run(until=day)
        while self.env.peek() <= day:
            self.env.step()
        due = sorted(self.queued, key=lambda e: (e.day, e.index))
        self.queued.clear()
        return due

    def __call__(self, t: int, params: RoundParams) -> RoundParams:
        day = t * self.round_length
        due = self.advance(day)
        if not due:
            return params
        sc = self.timeline.scenario
        actors = {a: k for k, a in enumerate(sc.actor_ids)}
        issues = {i: j for j, i in enumerate(sc.issue_ids)}
        x, s, c = params.x.copy(), params.s.copy(), params.c.copy()
        for ev in due:
            changes = []
            for ch in ev.changes:
                tg = ch.target
                if tg.kind == "capability":
                    k = actors[tg.who]
                    before = float(c[k])
                    c[k] = after = max(apply_op(ch.op, before, ch.value), 1e-12)
                elif tg.kind == "saliences":
                    k, j = actors[tg.who], issues[tg.issue]
                    before = float(s[k, j])
                    s[k, j] = after = min(max(apply_op(ch.op, before, ch.value), 0.0), 1.0)
                elif tg.kind == "positions":
                    k, j = actors[tg.who], issues[tg.issue]
                    scale = sc.issue(tg.issue).scale
                    before = float(scale.from_100(x[k, j]))
                    moved = apply_op(ch.op, before, ch.value)
                    moved = min(max(moved, scale.min), scale.max)
                    x[k, j] = float(scale.to_100(moved))
                    after = moved
                else:
                    continue
                changes.append({"path": ch.path, "op": ch.op, "from": before, "to": after})
            self.applied.append(
                {
                    "round": t,
                    "day": ev.day,
                    "date": self.timeline.date_of(ev.day),
                    "description": ev.description,
                    "changes": changes,
                }
            )
        return RoundParams(x=x, s=s, c=c)


def run_issue_model(
    timeline: Timeline | None, spec: Any, inputs: Any, options: Any, ctx: RunContext
) -> IssueResult:
    """Run an issue model on the timeline: a dynamic one gets the clock's ``before_round``.

    Its rounds fall on days ``t · round_length`` (the model's ``round_length`` option, else
    1 day); its trace gains ``dates`` (one per round) and ``events`` (what each event changed
    in this run, in the issue's units). Static models see the scenario's numbers as given.
    """
    if timeline is None or not spec.dynamic:
        return spec.run(inputs, options, ctx)
    length = float(getattr(options, "round_length", 1.0) or 1.0)
    driver = timeline.round_driver(length)
    outer = ctx.before_round

    def hook(t: int, params: RoundParams) -> RoundParams:
        params = driver(t, params)
        return outer(t, params) if outer is not None else params

    result = spec.run(inputs, options, replace(ctx, before_round=hook))
    if result.trace is None:
        return result
    tr = result.trace
    extra_json = dict(tr.extra.get("json", {}))
    extra_json["dates"] = timeline.round_dates(int(tr.positions.shape[0]), length)
    extra_json["round_length"] = length
    extra_json["events"] = driver.applied
    trace = replace(tr, extra={**tr.extra, "json": extra_json})
    return replace(result, trace=trace)
