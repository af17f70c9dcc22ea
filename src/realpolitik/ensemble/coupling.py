"""Common random numbers for crisis models coupled to the airlift (docs/specs/coupling.md).

A crisis model coupled to the airlift (``attrition`` reads the West's daily cost from it)
used to run the whole discrete-event airlift once per ensemble run. The airlift's inputs do
not depend on anything the crisis draws, and nothing a crisis does changes the airlift, so an
ensemble draws K airlift runs and pairs them with its N crisis draws:

* airlift draw ``k`` (``0 <= k < K``) is simulated with the generator of
  ``numpy.random.SeedSequence(S, spawn_key=(AIRLIFT_KEY, k))``, ``S`` the ensemble's seed --
  a branch of the ensemble's SeedSequence apart from the runs' own streams (``spawn_key=(i,)``,
  :mod:`realpolitik.ensemble.seeds`);
* run ``i`` uses airlift draw ``i mod K``, whatever chunk or executor it runs in.

If a run's airlift inputs are themselves uncertain (a drawn number inside ``airlift`` other
than its ``costs``, or an event on ``airlift.`` with a drawn size), the runs do not share
inputs: each run then simulates its own airlift, with the seed of draw ``i mod K``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "AIRLIFT_KEY",
    "DEFAULT_DRAWS",
    "airlift_rng",
    "draw_chunk",
    "shared_inputs",
    "simulate_draw",
]

AIRLIFT_KEY = 2**32  # a spawn-key branch no run index reaches
DEFAULT_DRAWS = 50


def airlift_rng(seed: int, k: int) -> np.random.Generator:
    """The generator of airlift draw ``k`` of the ensemble with seed ``seed``."""
    ss = np.random.SeedSequence(int(seed), spawn_key=(AIRLIFT_KEY, int(k)))
    return np.random.Generator(np.random.PCG64(ss))


def shared_inputs(inputs: tuple[Any, ...], scenario: Any) -> bool:
    """Whether every run's airlift has the same inputs (no drawn number reaches them)."""
    for inp in inputs:
        path = inp.path
        if path[0] == "airlift" and (len(path) < 2 or path[1] != "costs"):
            return False
        if path[0] == "events" and len(path) >= 4 and str(path[3]).startswith("airlift."):
            return False
    return True


def simulate_draw(scenario: Any, seed: int, k: int) -> Any:
    """Airlift draw ``k`` of ``scenario`` (slim: the columns coupled models read)."""
    from realpolitik.sim.airlift import airlift_changes, run_airlift, slim

    result = run_airlift(
        scenario.airlift, seed=airlift_rng(seed, k), changes=airlift_changes(scenario)
    )
    return slim(result)


def draw_chunk(plan: Any, start: int, stop: int) -> list[Any]:
    """Airlift draws ``start..stop-1`` of ``plan`` (an executor job)."""
    return [simulate_draw(plan.scenario, plan.seed, k) for k in range(start, stop)]
