"""Benchmark: the DEU backtest.

Prints the time to read the bundled DEU III development split, the whole backtest of every
registered static issue model with the 2,000-resample bootstrap (target: under 10 s), and the
time each dynamic model (eum, smp, ...) adds on its own, with its MAE.

    .venv/bin/python benchmarks/bench_backtest.py
"""

from __future__ import annotations

import time

from realpolitik.analysis.backtest import RESAMPLES, backtest_cases, backtest_deu
from realpolitik.models import specs
from realpolitik.scenario.importers.deu import (
    bundled_capabilities_path,
    bundled_data_path,
    read_capabilities,
    read_deu,
)


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    t_read, (data, caps) = _best(
        lambda: (read_deu(bundled_data_path()), read_capabilities(bundled_capabilities_path()))
    )
    n = len(data.scored())
    print(f"read deu_dev.tsv + capabilities.csv: {t_read * 1e3:.1f} ms ({n} scored issues)")

    static = [s.name for s in specs("issue") if not s.dynamic]
    t_static, result = _best(lambda: backtest_deu(data, caps, static, seed=0))
    verdict = "OK" if t_static < 10.0 else "TOO SLOW"
    print(
        f"static models {', '.join(static)} with {RESAMPLES} bootstrap resamples: "
        f"{t_static:.3f} s (target < 10 s: {verdict})"
    )
    for name, score in result.scores.items():
        print(f"  {name:<11} n={score.n:<4} MAE={score.mae:.3f}")

    for spec in (s for s in specs("issue") if s.dynamic):
        t_dyn, res = _best(lambda spec=spec: backtest_deu(data, caps, [spec.name], seed=0), 1)
        score = res.scores[spec.name]
        skipped = sum(score.skipped.values())
        print(
            f"dynamic model {spec.name}: {t_dyn:.3f} s for {n} issues "
            f"(n={score.n}, skipped {skipped}, MAE={score.mae:.3f})"
        )

    t_cases, cases = _best(lambda: backtest_cases(seed=0), 1)
    print(f"backtest cases (every issue model, {len(cases.rows)} issues): {t_cases:.3f} s")


if __name__ == "__main__":
    main()
