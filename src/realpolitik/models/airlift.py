"""``airlift``: discrete-event logistics of supplying a blockaded city by air (SimPy).

A thin registry facade over :mod:`realpolitik.sim.airlift` (spec docs/specs/airlift.md). ``run(scenario, options, ctx)`` simulates the scenario's ``airlift`` block with
``ctx.seed`` and returns the daily, monthly and whole-period figures of ``realpolitik airlift
--json``, the need, the days short of it and the city's lowest stocks; the full daily table is
:func:`realpolitik.sim.airlift.run_airlift` (``realpolitik airlift SCENARIO --out FILE``).
"""

from __future__ import annotations

from typing import Any

from realpolitik.models._registry import ModelSpec, Options, RunContext

__all__ = ["AirliftOptions", "SPEC", "run", "config_of"]


class AirliftOptions(Options):
    """The ``airlift`` model has no options: every input is in the scenario's block."""


def config_of(scenario: Any) -> Any:
    """The scenario's airlift block (an :class:`~realpolitik.sim.airlift.AirliftConfig`)."""
    from realpolitik.sim.airlift import AirliftConfig

    block = scenario if isinstance(scenario, AirliftConfig) else scenario.airlift
    return block if isinstance(block, AirliftConfig) else AirliftConfig.model_validate(block)


def run(scenario: Any, options: AirliftOptions, ctx: RunContext) -> dict[str, Any]:
    """Simulate the airlift once: the forecast's ``airlift`` entry."""
    from realpolitik.sim.airlift import AirliftConfig, run_cached, run_scenario, summary

    seed = ctx.seed if ctx.seed is not None else 0
    if getattr(scenario, "airlift", None) is not None:
        result = run_scenario(scenario, seed)  # with the scenario's events on the airlift
    elif not isinstance(scenario, AirliftConfig):
        from realpolitik.errors import InputError

        raise InputError(
            field="--model airlift",
            problem="the scenario has no `airlift` block",
            expected="a scenario with an `airlift` block (see docs/scenario-format.md)",
        )
    else:
        result = run_cached(config_of(scenario), seed)
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
    citation="specs/airlift.md; Berlin airlift records (berlin_airlift.csv, airlift/ tables)",
    run=run,
    options=AirliftOptions,
    applies=_applies,
)
