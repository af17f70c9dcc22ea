"""Benchmark of ``eum``: canonical options, one issue, 10 rounds.

Targets: 100 actors <= 0.05 s (the pure-Python peers take 8-14 s), 1,000 actors <= 2 s.
Also times the plain scalar-loop transcription of the spec (tests/eum_reference_loop.py) on
a small case, so the speed-up of the vectorised code is visible. Prints its figures.

Run: ``.venv/bin/python benchmarks/bench_eum.py``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from realpolitik.models._eum_core import eum_round
from realpolitik.models.eum import CANONICAL, SCHOLZ_CODE, eum_issue

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from eum_reference_loop import reference_run  # noqa: E402


def _case(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 100, n), rng.uniform(0, 1, n), rng.uniform(0.1, 1, n)


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _moved_rounds(x, s, c, opts, rounds: int) -> int:
    """How many of the rounds moved somebody (so that no round was skipped as a fixed point)."""
    moved = 0
    for _ in range(rounds):
        res = eum_round(x, s, c, float(np.ptp(x)), opts)
        moved += res.moved
        x = res.x
    return moved


def main() -> None:
    print("eum benchmark: one issue, 10 rounds, random positions/saliences/capabilities")
    print(f"{'case':44s} {'seconds':>9s} {'target':>8s}  rounds that moved")
    for n, target, repeat in ((100, 0.05, 5), (1000, 2.0, 2)):
        x, s, c = _case(n, n)
        sec = _best(lambda x=x, s=s, c=c: eum_issue(x, s, c, CANONICAL, rounds=10), repeat)
        moved = _moved_rounds(x, s, c, CANONICAL, 10)
        ok = "ok" if sec <= target else "SLOW"
        print(f"{'canonical, ' + str(n) + ' actors':44s} {sec:9.4f} {target:8.2f}  {moved}/10 {ok}")
    x, s, c = _case(100, 7)
    sec = _best(lambda: eum_issue(x, s, c, SCHOLZ_CODE, rounds=10), 2)
    print(f"{'scholz_code (O(n^3) probability), 100 actors':44s} {sec:9.4f} {'-':>8s}")

    n_small = 50
    x, s, c = _case(n_small, 3)
    opts = CANONICAL.model_copy(update={"rounds": 10})
    loop = _best(lambda: reference_run(x, s, c, opts, 10), 1)
    vec = _best(lambda: eum_issue(x, s, c, opts), 5)
    print(f"{'plain loop transcription, ' + str(n_small) + ' actors':44s} {loop:9.4f}")
    print(f"{'vectorised, same case':44s} {vec:9.4f}   speed-up {loop / vec:,.0f}x")


if __name__ == "__main__":
    main()
