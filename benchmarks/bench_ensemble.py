"""Benchmark of ensembles. Prints its figures.

1. 10,000 runs of ``compromise`` on moscow-1949 with its uncertainty (135 uncertain inputs),
   end to end (sampling, the batched model, summaries): target ≤ 2 s.
2. 10,000 runs of ``eum`` (canonical options) on a random 30-actor, 3-issue case with spreads
   on every position, salience and capability, on the process pool with 2 workers: target
   ≤ 60 s on 2 cores.
3. Scaling: the same eum job of about 20 s on 1 worker and on 2 (process pool), throughput
   ratio: target ≥ 1.6×.

Run: ``.venv/bin/python benchmarks/bench_ensemble.py [--eum-runs N] [--scaling-runs N]``
(the defaults are the issue's sizes; the machine's other load shows in the figures).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from realpolitik.api import load, loads
from realpolitik.forecast import forecast


def random_case(n_actors: int = 30, n_issues: int = 3, seed: int = 0) -> str:
    """A scenario with random positions, saliences and capabilities, and spreads on all."""
    rng = np.random.default_rng(seed)
    lines = ["name: random-30x3", "actors:"]
    for k in range(n_actors):
        lines.append(f"  - {{id: a{k}, name: A{k}, capability: {rng.uniform(1, 100):.3f}}}")
    lines.append("issues:")
    for j in range(n_issues):
        pos = ", ".join(f"a{k}: {rng.uniform(0, 100):.3f}" for k in range(n_actors))
        sal = ", ".join(f"a{k}: {rng.uniform(0.05, 1):.3f}" for k in range(n_actors))
        lines += [
            f"  - id: i{j}",
            f"    name: I{j}",
            "    unit: points",
            "    scale: {min: 0, max: 100}",
            f"    positions: {{{pos}}}",
            f"    saliences: {{{sal}}}",
        ]
    lines += [
        "uncertainty:",
        "  positions: {sd: 5}",
        "  saliences: {sd: 0.1}",
        "  capabilities: {cv: 0.2}",
    ]
    return "\n".join(lines) + "\n"


def _timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--eum-runs", type=int, default=10_000)
    ap.add_argument("--scaling-runs", type=int, default=0, help="default: about 20 s on 1 worker")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")

    sc = load("moscow-1949")
    forecast(sc, ["compromise"], runs=100, seed=0)  # warm-up (imports)
    dt, _ = _timed(lambda: forecast(sc, ["compromise"], runs=10_000, seed=1))
    print(f"1. compromise, moscow-1949, 10,000 runs, local: {dt:.2f} s (target <= 2 s)")

    case = loads(random_case())
    forecast(case, ["eum"], runs=4, seed=0)
    t1, _ = _timed(lambda: forecast(case, ["eum"], runs=50, seed=2))
    per_run = t1 / 50
    print(f"   eum, 30 actors x 3 issues: {1e3 * per_run:.1f} ms per run in one process")

    n = args.eum_runs
    dt, _ = _timed(lambda: forecast(case, ["eum"], runs=n, seed=3, executor="processes:2"))
    print(
        f"2. eum, 30x3 random case, {n:,} runs, processes:2: {dt:.1f} s "
        f"({n / dt:.0f} runs/s; target <= 60 s for 10,000)"
    )

    m = args.scaling_runs or max(100, int(20.0 / per_run))
    d1, a = _timed(lambda: forecast(case, ["eum"], runs=m, seed=4, executor="processes:1"))
    d2, b = _timed(lambda: forecast(case, ["eum"], runs=m, seed=4, executor="processes:2"))
    same = np.array_equal(a.ensemble.values["eum"], b.ensemble.values["eum"])
    print(
        f"3. scaling, eum {m:,} runs: 1 worker {d1:.1f} s, 2 workers {d2:.1f} s, "
        f"speed-up {d1 / d2:.2f}x (target >= 1.6x); identical results: {same}"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f} (other work on the cores lowers 2 and 3)")


if __name__ == "__main__":
    main()
