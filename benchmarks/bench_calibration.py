"""Benchmark: calibrated intervals of ``compromise`` and ``choice`` on the DEU dev split.

The protocol of docs/specs/calibration.md §3: 10-fold cross-validation grouped by proposal
(``prnr``, group order shuffled), repeated with seeds 11, 22, 33, 44 and 55; everything is
fitted on the training folds only: ``choice``'s coefficients, and the conformal quantiles
(for ``choice`` from a grouped 5-fold cross-fit inside the training folds; ``compromise`` is
not fitted, so its training-fold errors are out of sample already). ``compromise`` gets the
symmetric conformal interval, ``choice`` conformalized quantiles of its mixture. Prints MAE,
the coverage of the 80% interval and its mean width (mean ± spread over the repeats, the
spread being the standard deviation), beside the prototype's figures; then the scores that
weigh misses (the interval score of the 80% interval and the CRPS) and the share of issues
on which choice's absolute error exceeds the compromise's; and the time taken.

    .venv/bin/python benchmarks/bench_calibration.py
"""

from __future__ import annotations

import time

import numpy as np

from realpolitik.analysis.backtest import run_issue_models
from realpolitik.analysis.crossval import evaluate
from realpolitik.analysis.fitting import deu_issues
from realpolitik.analysis.scores import interval_score
from realpolitik.forecast import request
from realpolitik.scenario.importers.deu import (
    bundled_capabilities_path,
    bundled_data_path,
    read_capabilities,
    read_deu,
)

SEEDS = (11, 22, 33, 44, 55)
#: The prototype's figures (MAE, 80% coverage, mean width), docs/specs/calibration.md §3.
PROTOTYPE = {"compromise": (22.35, 0.80, 66.9), "choice": (20.64, 0.81, 50.3)}


def main() -> None:
    t0 = time.perf_counter()
    data = read_deu(bundled_data_path())
    issues = deu_issues(data, read_capabilities(bundled_capabilities_path()))
    print(f"DEU dev split: {issues.outcomes.size} issues, {len(set(issues.proposals))} proposals")
    extra: dict[str, tuple] = {}
    print(f"{'model':<11} {'MAE':>13} {'80% cov':>15} {'width80':>13}   prototype")
    for name in PROTOTYPE:
        req = request(name, {})
        f = run_issue_models(issues.inputs, [req], seed=0)[0][name]
        mae, cov, width, score, crps, err = [], [], [], [], [], []
        for seed in SEEDS:
            # no table: every model is calibrated under the grouped CV
            r = evaluate(
                name,
                req.options,
                issues.inputs,
                issues.outcomes,
                issues.proposals,
                f,
                table=None,
                data_id=issues.data_id,
                seed=seed,
            )
            y = issues.outcomes
            mae.append(np.nanmean(np.abs(r.points - y)))
            lo, hi = r.lo[:, 1], r.hi[:, 1]
            cov.append(np.nanmean((lo <= y) & (y <= hi)))
            width.append(np.nanmean(hi - lo))
            score.append(np.nanmean(interval_score(lo, hi, y, 0.2)))
            crps.append(np.nanmean(r.crps))
            err.append(np.abs(r.points - y))
        p = PROTOTYPE[name]
        print(
            f"{name:<11} {np.mean(mae):6.2f} ±{np.std(mae):4.2f} "
            f"{np.mean(cov):7.3f} ±{np.std(cov):5.3f} {np.mean(width):6.1f} ±{np.std(width):4.1f}"
            f"   {p[0]:.2f} / {p[1]:.2f} / {p[2]:.1f}"
        )
        extra[name] = (np.mean(score), np.mean(crps), np.mean(err, axis=0))
    print("\nscores that weigh misses (lower is better), same protocol:")
    for name, (s80, c, _) in extra.items():
        print(f"{name:<11} interval score 80%: {s80:6.1f}   CRPS: {c:5.2f}")
    worse = np.mean(extra["choice"][2] > extra["compromise"][2] + 1e-9)
    better = np.mean(extra["choice"][2] < extra["compromise"][2] - 1e-9)
    print(
        f"choice errs more than compromise on {worse:.0%} of issues, less on {better:.0%} "
        "(mean absolute error over the repeats)"
    )
    print(f"time: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
