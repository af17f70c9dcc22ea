"""Forecast accuracy: absolute errors, their summaries and cluster bootstrap intervals.

Pure functions over numpy arrays. Errors are absolute differences between a forecast and the
recorded outcome on the common 0–100 scale; NaN marks an issue a model did not forecast.

The bootstrap resamples *clusters* (DEU proposals), not issues, because the issues of one
proposal are decided together and their errors are correlated (the cluster, or block,
bootstrap: Davison & Hinkley 1997, *Bootstrap Methods and their Application*, §3.8; Cameron,
Gelbach & Miller 2008, *Rev. Econ. Stat.* 90(3)). Each resample draws as many clusters as
there are, with replacement; the statistic of a resample is the mean error over all the
issues of the drawn clusters (a ratio estimator, since clusters differ in size). The interval
is the percentile interval of the resampled statistics (Efron & Tibshirani 1993, §13.3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "ErrorSummary",
    "absolute_errors",
    "summarize",
    "cluster_index",
    "cluster_draws",
    "bootstrap_mean",
    "paired_difference",
]


@dataclass(frozen=True)
class ErrorSummary:
    """n, mean, median and share within ``within`` points of the finite errors."""

    n: int
    mae: float
    median_ae: float
    within10: float


def absolute_errors(forecast: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """|forecast − outcome|, NaN where the forecast is NaN."""
    return np.abs(np.asarray(forecast, dtype=float) - np.asarray(outcome, dtype=float))


def summarize(errors: np.ndarray, within: float = 10.0) -> ErrorSummary:
    """Summaries of the finite entries of ``errors``; NaN figures when there are none.

    ``within10`` is the share of errors ≤ ``within`` (10 points on the 0–100 scale).
    """
    e = np.asarray(errors, dtype=float)
    e = e[np.isfinite(e)]
    if e.size == 0:
        return ErrorSummary(n=0, mae=np.nan, median_ae=np.nan, within10=np.nan)
    return ErrorSummary(
        n=int(e.size),
        mae=float(e.mean()),
        median_ae=float(np.median(e)),
        within10=float(np.mean(e <= within)),
    )


def cluster_index(labels: list[str] | tuple[str, ...] | np.ndarray) -> np.ndarray:
    """Integer cluster codes 0..K-1 for ``labels``, in order of first appearance."""
    codes: dict[str, int] = {}
    return np.array([codes.setdefault(str(v), len(codes)) for v in labels], dtype=np.intp)


def cluster_draws(n_clusters: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """How often each cluster is drawn in each resample: ``counts[resamples, n_clusters]``.

    Each resample draws ``n_clusters`` clusters uniformly with replacement. One matrix serves
    every model, so the models' intervals (and their paired differences) share the draws.
    """
    draws = rng.integers(0, n_clusters, size=(resamples, n_clusters))
    counts = np.zeros((resamples, n_clusters), dtype=np.int64)
    np.add.at(counts, (np.arange(resamples)[:, None], draws), 1)
    return counts


def _resampled_means(values: np.ndarray, cluster: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The mean of the finite ``values`` over each resample's issues (NaN if none)."""
    ok = np.isfinite(values)
    k = counts.shape[1]
    sums = np.bincount(cluster[ok], weights=values[ok], minlength=k)
    sizes = np.bincount(cluster[ok], minlength=k).astype(float)
    num = counts @ sums
    den = counts @ sizes
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _percentile_interval(stats: np.ndarray, level: float) -> tuple[float, float]:
    stats = stats[np.isfinite(stats)]
    if stats.size == 0:
        return (np.nan, np.nan)
    tail = 50.0 * (1.0 - level)
    lo, hi = np.percentile(stats, [tail, 100.0 - tail])
    return (float(lo), float(hi))


def bootstrap_mean(
    values: np.ndarray, cluster: np.ndarray, counts: np.ndarray, level: float = 0.95
) -> tuple[float, float]:
    """The percentile interval of the mean of ``values`` under the cluster bootstrap.

    ``values[n_issues]`` (NaN entries are left out), ``cluster[n_issues]`` codes from
    :func:`cluster_index`, ``counts`` from :func:`cluster_draws`.
    """
    values = np.asarray(values, dtype=float)
    return _percentile_interval(_resampled_means(values, cluster, counts), level)


def paired_difference(
    errors_a: np.ndarray,
    errors_b: np.ndarray,
    cluster: np.ndarray,
    counts: np.ndarray,
    level: float = 0.95,
) -> tuple[int, float, tuple[float, float]]:
    """MAE(a) − MAE(b) on the issues both forecast, with its paired bootstrap interval.

    Pairing: each resample uses the same issues for both models, so the interval reflects
    the spread of the per-issue differences, not of each model's errors. Returns
    ``(n, difference, (lo, hi))``; n = 0 gives NaN.
    """
    d = np.asarray(errors_a, dtype=float) - np.asarray(errors_b, dtype=float)
    ok = np.isfinite(d)
    if not ok.any():
        return 0, np.nan, (np.nan, np.nan)
    return (
        int(ok.sum()),
        float(d[ok].mean()),
        _percentile_interval(_resampled_means(d, cluster, counts), level),
    )
