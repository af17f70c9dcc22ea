"""``airlift``: discrete-event logistics of supplying a blockaded city by air (SimPy).

The registry's view of the airlift (spec docs/specs/airlift.md): the engine is
:mod:`realpolitik.sim.airlift`, which :mod:`realpolitik.sim.coupling` runs with the
scenario's events and ``ctx.seed``; ``run(result, options, ctx)`` turns the run's daily arrays
into the forecast's ``airlift`` entry: the daily, monthly and whole-period figures of
``realpolitik airlift --json`` (:func:`summary`), the need, the days short of it and the
city's lowest stocks.
"""

from __future__ import annotations

from typing import Any

from realpolitik.contracts.airlift import AirliftConfig
from realpolitik.models._registry import ModelSpec, Options, RunContext

__all__ = ["AirliftOptions", "SPEC", "run", "config_of", "summary"]


class AirliftOptions(Options):
    """The ``airlift`` model has no options: every input is in the scenario's block."""


def config_of(scenario: Any) -> Any:
    """The scenario's airlift block (an :class:`~realpolitik.contracts.airlift.AirliftConfig`)."""
    block = scenario if isinstance(scenario, AirliftConfig) else scenario.airlift
    return block if isinstance(block, AirliftConfig) else AirliftConfig.model_validate(block)


def summary(result: Any, scenario: str = "") -> dict[str, Any]:
    """The JSON shape of ``realpolitik airlift --json`` from an airlift run's arrays."""
    d = result.daily
    # the rationed consumption and the allotment beside the minimum need (docs/history/berlin.md)
    cols = ("tons", "flights", "stocks_days", "consumption", "allotment", "need", "shortfall")
    values = [d[c].tolist() for c in cols]
    daily = [
        {"date": str(date), **{c: float(v[i]) for c, v in zip(cols, values, strict=True)}}
        for i, date in enumerate(result.dates)
    ]
    for row in daily:
        row["flights"] = int(row["flights"])
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


def run(result: Any, options: AirliftOptions, ctx: RunContext) -> dict[str, Any]:
    """The forecast's ``airlift`` entry of one airlift run (its daily arrays)."""
    if not hasattr(result, "daily"):
        from realpolitik.errors import InputError

        raise InputError(
            field="--model airlift",
            problem="the scenario has no `airlift` block",
            expected="a scenario with an `airlift` block (see docs/scenario-format.md)",
        )
    d = result.daily
    low = int(d["stocks_days"].argmin())
    shape = summary(result)  # daily, monthly and total as `realpolitik airlift --json`
    return {
        "need": result.need,
        "daily": shape["daily"],
        "monthly": shape["monthly"],
        "total": shape["total"],
        "shortfall_days": int((d["shortfall"] > 0).sum()),
        "lowest_stocks": {"date": str(result.dates[low]), "days": float(d["stocks_days"][low])},
    }


def _applies(scenario: Any) -> bool:
    return getattr(scenario, "airlift", None) is not None


SPEC = ModelSpec(
    name="airlift",
    kind="logistics",
    summary="discrete-event airlift (SimPy): tons a day from fleet, airfields, corridors, weather",
    citation="docs/specs/airlift.md; Berlin airlift records (docs/history/berlin.md)",
    run=run,
    options=AirliftOptions,
    applies=_applies,
)
