"""Benchmark of the crisis models and the timeline. Prints its figures.

- ``attrition``: solving the equilibrium (constant costs; a daily cost series of 365 days as
  the airlift will feed; the Moscow scenario with its surprise), and the exact sampler of
  concession times for ensembles (10^6 draws).
- the whole ``crises`` entry of moscow-1949 (solve, quantiles, daily trace to the horizon).
- ``rubinstein``: one solve.
- the timeline: the SimPy ``before_round`` hook over 100 rounds with 50 events.

Run: ``.venv/bin/python benchmarks/bench_attrition.py``
"""

from __future__ import annotations

import time

import numpy as np

from realpolitik.api import load, loads
from realpolitik.models import RoundParams
from realpolitik.models._attrition_core import Steps, sample, solve
from realpolitik.models.attrition import entry
from realpolitik.models.rubinstein import solve as rubinstein
from realpolitik.sim.coupling import attrition_solution as solution_for
from realpolitik.sim.timeline import Timeline


def _best(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _events_scenario(n_events: int) -> str:
    lines = [
        "name: bench",
        "actors:",
        "  - {id: a, name: A, capability: 2}",
        "  - {id: b, name: B, capability: 1}",
        "issues:",
        "  - {id: i, name: I, unit: u, scale: {min: 0, max: 100},",
        "     positions: {a: 10, b: 90}, saliences: {a: 0.5, b: 0.5}}",
        "time: {start: 2000-01-01, end: 2001-01-01}",
        "events:",
    ]
    for k in range(n_events):
        lines.append(
            f"  - {{day: {2 * k + 1}, description: e{k}, add: {{issues.i.positions.a: 0.5}}}}"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    print("attrition (Abreu & Gul 2000 with time-varying costs)")
    args = ((0.7, 0.6), (0.1, 0.2), (0.01, 0.02))
    t = _best(lambda: solve(*args).p_first())
    print(f"  solve + P(first), constant costs:           {t * 1e3:8.3f} ms")
    series = Steps.daily(np.linspace(0.001, 0.02, 365))
    t = _best(lambda: solve(*args, (series, 0.0)).p_first())
    print(f"  solve + P(first), 365-day cost series:      {t * 1e3:8.3f} ms")
    moscow = load("moscow-1949")
    t = _best(lambda: solution_for(moscow))
    print(f"  moscow-1949 solve (one surprise):           {t * 1e3:8.3f} ms")
    sol = solution_for(moscow)
    t = _best(lambda: entry(moscow, sol), repeat=3)
    print(f"  moscow-1949 crises entry with daily trace:  {t * 1e3:8.3f} ms")
    rng = np.random.default_rng(0)
    t = _best(lambda: sample(sol, rng, 1_000_000), repeat=3)
    print(f"  sampler, 10^6 ends (moscow-1949):           {t * 1e3:8.1f} ms")
    long = solve(*args, (series, 0.0))
    t = _best(lambda: sample(long, rng, 1_000_000), repeat=3)
    print(f"  sampler, 10^6 ends (365-day cost series):   {t * 1e3:8.1f} ms")

    print("rubinstein (1982, outside options as BSS 1989)")
    t = _best(lambda: rubinstein((0.9, 0.8), (0.1, 0.3)), repeat=1000)
    print(f"  one solve:                                  {t * 1e6:8.1f} µs")

    print("timeline (SimPy clock, before_round hook)")
    sc = loads(_events_scenario(50))
    inputs = sc.inputs()

    def rounds() -> None:
        driver = Timeline.of(sc).round_driver(1.0)
        p = RoundParams(x=inputs.x, s=inputs.s, c=inputs.c)
        for r in range(1, 101):
            p = driver(r, p)

    t = _best(rounds)
    print(f"  100 rounds, 50 events:                      {t * 1e3:8.3f} ms")


if __name__ == "__main__":
    main()
