"""``airlift``: the logistics of supplying a blockaded city by air, on SimPy.

Spec: ../shared/specs/airlift.md (issue 7). Given a fleet schedule, aircraft types, bases,
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

import datetime as dt
from typing import Any

import numpy as np

from realpolitik.sim._airlift_config import (
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
from realpolitik.sim._airlift_plan import Plan, fleet_counts, plan
from realpolitik.sim._airlift_result import AirliftResult, DailyCost, build_result, capacity

__all__ = [
    "CARGOES",
    "AircraftType",
    "Airfield",
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
    "capacity_on",
    "fleet_counts",
    "plan",
    "run_airlift",
    "summary",
]


def _generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def run_airlift(
    config: AirliftConfig | dict[str, Any], seed: int | np.random.Generator | None = 0
) -> AirliftResult:
    """Simulate the airlift described by ``config`` (a model or its raw mapping).

    ``seed`` (an int or a ``numpy.random.Generator``) drives the weather and the
    cancellations and missed approaches; the same seed gives the same result.
    """
    cfg = config if isinstance(config, AirliftConfig) else AirliftConfig.model_validate(config)
    rng = _generator(seed)
    p = plan(cfg, rng)
    counts = simulate(p, rng)
    return build_result(p, counts, cfg.city)


def capacity_on(
    config: AirliftConfig,
    date: dt.date | str,
    operators: tuple[str, ...] | None = None,
) -> float:
    """Good-weather lift capacity (t/day) on ``date`` of the fleet entries of ``operators``
    (all if None). Spec: the ~1,500 t/day of 20 July 1948 is a capacity, not deliveries."""
    p = plan(config, np.random.default_rng(0))
    day = (np.datetime64(date) - p.dates[0]).astype(int)
    if not 0 <= day < p.n_days:
        raise ValueError(f"{date} is outside the airlift's dates {p.dates[0]}..{p.dates[-1]}")
    groups = None
    if operators is not None:
        groups = np.array([o in operators for o in p.group_operator])
    return float(capacity(p, groups)[day])


def summary(result: AirliftResult, scenario: str = "") -> dict[str, Any]:
    """The JSON shape of ``realpolitik airlift --json`` (issue 7)."""
    d = result.daily
    daily = [
        {
            "date": str(date),
            "tons": float(t),
            "flights": int(f),
            "stocks_days": float(s),
            "shortfall": float(x),
        }
        for date, t, f, s, x in zip(
            result.dates,
            d["tons"].tolist(),
            d["flights"].tolist(),
            d["stocks_days"].tolist(),
            d["shortfall"].tolist(),
            strict=True,
        )
    ]
    monthly = [
        {"month": m["month"], "tons": m["tons"], "flights": m["flights"]} for m in result.monthly()
    ]
    total = result.total()
    return {
        "scenario": scenario,
        "daily": daily,
        "monthly": monthly,
        "total": {"tons": total["tons"], "flights": total["flights"]},
    }
