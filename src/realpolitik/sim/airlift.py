"""``airlift``: the logistics of supplying a blockaded city by air, on SimPy.

Spec: docs/specs/airlift.md. Given a fleet schedule, aircraft types, bases,
corridors, receiving airfields, the weather and the city, :func:`run_airlift` answers how
many tons reach the city each day and how its stocks move against its need. The case is the
Berlin airlift, 26 June 1948 to 30 September 1949 (``scenarios/berlin-1948.yaml``); any
blockade, evacuation or relief airlift is described with the same inputs
(:class:`AirliftConfig`).

The steps of one run:

1. :func:`._airlift_plan.plan` turns the configuration into daily arrays: the aircraft flying
   per group and day (fleet snapshots interpolated, less maintenance), the airfields open and
   their landing intervals, and the days of instrument conditions (drawn from the run's
   generator with each month's share).
2. :func:`._airlift_engine.simulate` runs one SimPy process per aircraft; each receiving
   airfield is a capacity-limited FIFO resource with its landing interval.
3. :func:`._airlift_result.build_result` assembles the daily table (tons by airfield, type,
   operator and cargo; flights, missed approaches, cancellations, queueing; the city's stocks
   and shortfall; the good-weather capacity), monthly and whole-period totals, and the
   daily cost series that ``attrition`` reads.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np

from realpolitik.contracts.airlift import (
    CARGOES,
    AircraftType,
    Airfield,
    AirliftConfig,
    Base,
    City,
    Corridor,
    FleetEntry,
    FleetPoint,
    IntervalPoint,
    Weather,
    WeatherEpisode,
)
from realpolitik.sim._airlift_engine import simulate
from realpolitik.sim._airlift_events import AirliftChange, airlift_changes
from realpolitik.sim._airlift_plan import Plan, fleet_counts, plan
from realpolitik.sim._airlift_result import AirliftResult, DailyCost, build_result, capacity

__all__ = [
    "CARGOES",
    "AircraftType",
    "Airfield",
    "AirliftChange",
    "AirliftConfig",
    "AirliftResult",
    "Base",
    "City",
    "Corridor",
    "DailyCost",
    "FleetEntry",
    "FleetPoint",
    "IntervalPoint",
    "Plan",
    "Weather",
    "WeatherEpisode",
    "airlift_changes",
    "attrition_costs",
    "capacity_on",
    "check",
    "fleet_counts",
    "plan",
    "run_airlift",
    "run_cached",
    "run_scenario",
    "slim",
    "use_draw",
]


def _generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def run_airlift(
    config: AirliftConfig | dict[str, Any],
    seed: int | np.random.Generator | None = 0,
    changes: tuple[AirliftChange, ...] = (),
) -> AirliftResult:
    """Simulate the airlift described by ``config`` (a model or its raw mapping).

    ``seed`` (an int or a ``numpy.random.Generator``) drives the weather and the
    cancellations and missed approaches; the same seed gives the same result. ``changes``
    are the scenario's scheduled events on the airlift (:func:`airlift_changes`).
    """
    cfg = config if isinstance(config, AirliftConfig) else AirliftConfig.model_validate(config)
    rng = _generator(seed)
    p = plan(cfg, rng, changes)
    counts = simulate(p, rng)
    return build_result(p, counts, cfg.city)


def capacity_on(
    config: AirliftConfig,
    date: dt.date | str,
    operators: tuple[str, ...] | None = None,
    changes: tuple[AirliftChange, ...] = (),
    surge: bool = False,
) -> float:
    """Good-weather lift capacity (t/day) on ``date`` of the fleet entries of ``operators``
    (all if None). Spec: the ~1,500 t/day of 20 July 1948 is a capacity, not deliveries.
    ``surge``: on a day of maximum effort (:func:`._airlift_result.capacity`)."""
    p = plan(config, np.random.default_rng(0), changes)
    day = (np.datetime64(date) - p.dates[0]).astype(int)
    if not 0 <= day < p.n_days:
        raise ValueError(f"{date} is outside the airlift's dates {p.dates[0]}..{p.dates[-1]}")
    groups = None
    if operators is not None:
        groups = np.array([o in operators for o in p.group_operator])
    return float(capacity(p, groups, surge=surge)[day])


_LAST: list[Any] = [None, None, None]  # (config, (seed, changes), result) of the last run
_DRAW: contextvars.ContextVar[AirliftResult | None] = contextvars.ContextVar(
    "airlift_draw", default=None
)


@contextlib.contextmanager
def use_draw(result: AirliftResult | None) -> Iterator[None]:
    """Within the block, :func:`run_scenario` returns ``result`` (whatever the seed).

    An ensemble's crisis runs share K airlift draws (docs/specs/coupling.md): run ``i`` runs
    with draw ``i mod K`` in force, so every coupled crisis model that reads the airlift
    through :func:`run_scenario` (``attrition`` through :func:`attrition_costs`) reads that
    draw. This is valid only because no crisis model changes the airlift.
    """
    token = _DRAW.set(result)
    try:
        yield
    finally:
        _DRAW.reset(token)


_BREAKDOWNS = ("tons_type_", "tons_op_", "flights_op_", "tons_field_", "landings_", "queue_")


def slim(result: AirliftResult) -> AirliftResult:
    """``result`` without its breakdowns by aircraft type, operator and airfield: the
    whole-airlift columns that coupled models read, shipped cheaply to an ensemble's workers."""
    daily = {k: v for k, v in result.daily.items() if not k.startswith(_BREAKDOWNS)}
    return AirliftResult(dates=result.dates, daily=daily, need=result.need, events=result.events)


def run_cached(
    config: AirliftConfig, seed: int | None = 0, changes: tuple[AirliftChange, ...] = ()
) -> AirliftResult:
    """:func:`run_airlift`, reusing the last result for the same config object, seed and
    changes (a forecast runs the airlift for its own entry and for ``attrition``'s costs)."""
    if _LAST[0] is config and _LAST[1] == (seed, changes):
        return _LAST[2]
    result = run_airlift(config, seed=seed, changes=changes)
    _LAST[:] = [config, (seed, changes), result]
    return result


def run_scenario(scenario: Any, seed: int | None = 0) -> AirliftResult:
    """The airlift of ``scenario`` with its scheduled events (cached as :func:`run_cached`);
    inside :func:`use_draw`, the draw in force."""
    drawn = _DRAW.get()
    if drawn is not None:
        return drawn
    return run_cached(scenario.airlift, seed, airlift_changes(scenario))


def attrition_costs(scenario: Any, seed: int | None = 0) -> dict[str, list[float]] | None:
    """The daily cost of each party named in ``airlift.costs``, for ``attrition`` to read.

    Day 0 is ``time.start`` (else the airlift's start). For each party (docs/specs/
    attrition.md, "In the bundled scenarios"; :class:`realpolitik.contracts.airlift.PartyCost`):

        k(d) = cost(d) + hardship * shortfall(d) / need + effort * flying_hours(d) / 1000
               + reputation * sum_{s < d} min(1, tons(s) / need) / 30

    where ``cost(d)`` is the party's own ``attrition.cost`` and days before the airlift
    starts have no deliveries. The series run to ``costs.hold_from`` (else the airlift's
    end); the attrition model holds the last value after it. None if nothing is coupled.
    """
    cfg = getattr(scenario, "airlift", None)
    block = getattr(scenario, "attrition", None)
    if cfg is None or block is None or cfg.costs is None or not cfg.costs.parties:
        return None
    from realpolitik.sim.timeline import cost_steps

    time = getattr(scenario, "time", None)
    start = time.start if time is not None else cfg.start
    last = cfg.end if cfg.costs.hold_from is None else cfg.costs.hold_from - dt.timedelta(1)
    n = max((last - start).days + 1, 1)
    result = run_scenario(scenario, seed)
    need = result.need
    tons = np.zeros(n)
    hours = np.zeros(n)
    offset = (cfg.start - start).days  # airlift day 0 on scenario day `offset`
    lo, hi = max(offset, 0), min(offset + result.n_days, n)
    if hi > lo:
        tons[lo:hi] = result.daily["tons"][lo - offset : hi - offset]
        hours[lo:hi] = result.daily["flying_hours"][lo - offset : hi - offset]
    shortfall = np.maximum(need - tons, 0.0) / need if need > 0 else np.zeros(n)
    success = np.minimum(tons / need, 1.0) if need > 0 else np.zeros(n)
    months = np.concatenate([[0.0], np.cumsum(success)[:-1]]) / 30.0
    days = np.arange(n, dtype=float)
    out = {}
    for party, pc in cfg.costs.parties.items():
        own = np.asarray(cost_steps(block.cost.get(party)).at(days), dtype=float)
        k = own + pc.hardship * shortfall + pc.effort * hours / 1000.0
        out[party] = (k + pc.reputation * months).tolist()
    return out


def check(doc: Any) -> None:
    """Checks of the ``airlift`` block across the scenario (called by the loader): each
    party in ``airlift.costs.parties`` is a party of the ``attrition`` block."""
    sc = doc.scenario
    cfg = getattr(sc, "airlift", None)
    if cfg is None or cfg.costs is None:
        return
    block = getattr(sc, "attrition", None)
    parties = tuple(block.parties) if block is not None else ()
    for party in cfg.costs.parties:
        if party not in parties:
            raise doc.error(
                ("airlift", "costs", "parties", party),
                problem=f"{party!r} is not a party of the attrition block",
                expected="one of the attrition parties: " + (", ".join(parties) or "(none)"),
            )
