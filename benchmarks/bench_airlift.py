"""Benchmark: one run of the whole Berlin airlift (26 Jun 1948 - 30 Sep 1949) on SimPy.

Target (docs/specs/airlift.md, Performance): about 280,000 flights in at most 10 s on one core. Prints the wall and CPU time
of each run, the SimPy events and sorties per second, and the totals.

    .venv/bin/python benchmarks/bench_airlift.py [RUNS]
"""

from __future__ import annotations

import sys
import time

from realpolitik.api import load
from realpolitik.models.airlift import config_of
from realpolitik.sim.airlift import airlift_changes, run_airlift


def main(runs: int = 3) -> None:
    scenario = load("berlin-1948")
    cfg = config_of(scenario)
    changes = airlift_changes(scenario)  # the scheduled events: Tegel opens, the November fog
    print(f"berlin-1948 airlift: {cfg.start} to {cfg.end}, {len(cfg.fleet)} fleet groups")
    best = float("inf")
    for seed in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_airlift(cfg, seed=seed, changes=changes)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best = min(best, wall)
        total = result.total()
        sorties = total["flights"] + total["missed"] + total["cancelled"]
        print(
            f"seed {seed}: {wall:5.2f} s wall, {cpu:5.2f} s CPU | {result.events:,} SimPy events "
            f"({result.events / cpu:,.0f} per CPU s) | {total['flights']:,} flights landed, "
            f"{sorties:,} sorties tried ({sorties / cpu:,.0f} per CPU s) | {total['tons']:,.0f} t"
        )
    print(f"best of {runs}: {best:.2f} s (limit 10 s on one core)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
