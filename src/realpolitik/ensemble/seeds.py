"""One random stream per run, spawned from the ensemble's seed.

Run ``i`` of an ensemble with seed ``S`` draws from ``numpy.random.SeedSequence(S,
spawn_key=(i,))``, which is exactly the ``i``-th child of ``SeedSequence(S).spawn(n)``
(numpy's documented spawning scheme), through a PCG64 generator. From that generator it takes,
in this order:

1. ``k`` uniforms in [0, 1), one per uncertain input (``Generator.random(k)``);
2. one 63-bit integer, the seed of the run's stochastic models (``RunContext.seed``).

A run's stream depends on ``S`` and ``i`` alone, so any split of the runs into chunks, on any
executor, draws the same numbers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["run_stream", "draw_uniforms", "fresh_seed"]


def run_stream(seed: int, run: int) -> np.random.Generator:
    """The generator of run ``run``: the ``run``-th child of ``SeedSequence(seed)``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(run,))))


def draw_uniforms(seed: int, start: int, stop: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniforms ``u[stop - start, k]`` and model seeds ``[stop - start]`` of runs start..stop-1."""
    u = np.empty((stop - start, k))
    seeds = np.empty(stop - start, dtype=np.int64)
    for b, run in enumerate(range(start, stop)):
        g = run_stream(seed, run)
        u[b] = g.random(k)
        seeds[b] = g.integers(0, 2**63 - 1)
    return u, seeds


def fresh_seed() -> int:
    """A new seed from the operating system's entropy (recorded, so the run can be redone)."""
    return int(np.random.SeedSequence().entropy % 2**63)
