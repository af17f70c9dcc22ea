"""Crisis models in an ensemble: each run samples who concedes and when.

A crisis model joins the ensemble when its module defines
``sample_problem(input, rng, n) -> {"conceded": party ids ("" for an impasse),
"day": days (inf for an impasse)}`` (the attrition model's exact sampler,
:func:`realpolitik.models.attrition.sample_problem`), where ``input`` is what
:func:`realpolitik.sim.coupling.sample_input` prepares from the run's own scenario (its draws
of the block's uncertain numbers, when there are any). Run ``i`` calls it with ``n = 1`` and
a generator seeded by its model seed, so the crisis draws, too, are the same for any
chunking.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from realpolitik.sim.coupling import sample_input

__all__ = ["sampler_of", "run_crises"]


def sampler_of(spec: Any) -> Callable[..., dict[str, np.ndarray]] | None:
    """The ``sample_problem`` function of a crisis model's module, or None."""
    if spec.kind != "crisis":
        return None
    module = importlib.import_module(spec.run.__module__)
    return getattr(module, "sample_problem", None)


def run_crises(
    plan: Any,
    draws: np.ndarray,
    seeds: np.ndarray,
    scenarios: list[Any] | None = None,
    start: int = 0,
) -> dict[str, dict[str, np.ndarray]]:
    """Each crisis model's sampled end per run: ``{model: {"conceded": [...], "day": [...]}}``.

    ``start`` is the index of the first run. With airlift draws on the plan
    (:mod:`realpolitik.ensemble.coupling`), run ``i`` samples with draw ``i mod K`` in force.
    """
    from realpolitik.sim.airlift import use_draw

    out: dict[str, dict[str, np.ndarray]] = {}
    shared = getattr(plan, "airlift", ())
    k_draws = getattr(plan, "airlift_draws", 0)
    for req in plan.crises:
        sampler = sampler_of(req.spec)
        cols: dict[str, list[Any]] = {}
        for b in range(draws.shape[0]):
            sc = scenarios[b] if scenarios is not None else plan.scenario
            rng = np.random.Generator(np.random.PCG64(int(seeds[b])))
            airlift = _draw_for(plan, sc, start + b, shared, k_draws)
            try:
                with use_draw(airlift):
                    drawn = sampler(sample_input(req.spec, sc, rng), rng, 1)
            except ValueError as exc:  # a draw its spec rules out, e.g. AttritionInputError
                raise _bad_draw(req.name, plan.scenario, exc) from None
            for key, value in drawn.items():
                cols.setdefault(key, []).append(value[0])
        out[req.name] = {
            k: np.array(v, dtype=object if k == "conceded" else float) for k, v in cols.items()
        }
    return out


def _draw_for(plan: Any, scenario: Any, run: int, shared: tuple, k_draws: int) -> Any:
    """The airlift run ``run`` reads: shared draw ``run mod K``, or its own (same seed)."""
    if shared:
        return shared[run % len(shared)]
    if k_draws and getattr(scenario, "airlift", None) is not None:
        from realpolitik.ensemble.coupling import simulate_draw

        return simulate_draw(scenario, plan.seed, run % k_draws)
    return None


def _bad_draw(model: str, scenario: Any, exc: ValueError) -> Exception:
    """An input error (exit 2, no traceback) for a run whose draws the model rules out."""
    from realpolitik.errors import InputError

    key, party = getattr(exc, "key", None), getattr(exc, "party", None)
    field = model if key is None else f"{model}.{key}"
    block = getattr(scenario, model, None)
    if party is not None and block is not None:
        field += f".{block.parties[party]}"
    src = scenario.source
    return InputError(
        file=src.file if src is not None else None,
        field=field,
        problem=f"a run drew {getattr(exc, 'value', exc)}",
        expected=f"{getattr(exc, 'expected', 'inputs the model accepts')} in every run "
        "(bounds on the uncertain inputs that keep each draw valid)",
    )
