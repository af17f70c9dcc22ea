"""Summaries of an ensemble's forecasts: the median, intervals, and the odds of each label.

:func:`summarise` turns one issue's forecasts over N runs (in the issue's unit) into the JSON
entry of an ensemble forecast::

    {"value": median, "mean": ..., "p05": ..., "p10": ..., "p25": ..., "p75": ..., "p90": ...,
     "p95": ..., "runs": N, "mc_se": ..., "labels": {"<anchor label>": p, ...}}

Percentiles are numpy's default (linear interpolation between order statistics, Hyndman &
Fan 1996 definition 7); ``value`` is the median, the point forecast. ``mc_se`` is the Monte
Carlo standard error of the mean, s / √n with s the sample standard deviation (ddof = 1).
Each run's forecast goes to its nearest anchor point (the lower one on a tie, as
:meth:`realpolitik.scenario.Scale.nearest_label`), and ``labels`` gives the share of runs for
each anchor label, in the scale's order. Runs in which the model skipped the issue (NaN) are
left out of every statistic; ``runs`` still counts all runs, and ``skipped_runs`` says how
many were skipped when any were.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["QUANTILES", "summarise", "label_shares", "nearest_anchor", "crisis_summary"]

QUANTILES = {"p05": 5, "p10": 10, "p25": 25, "p75": 75, "p90": 90, "p95": 95}


def nearest_anchor(values: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Index into the ascending ``points`` of the nearest to each value (lower on a tie)."""
    dist = np.abs(np.asarray(values, dtype=float)[:, None] - points[None, :])
    return np.argmin(dist, axis=1)  # first minimum: the lower point on a tie


def label_shares(values: np.ndarray, anchors: dict[float, str]) -> dict[str, float]:
    """The share of ``values`` whose nearest anchor carries each label (labels in scale order).

    Two anchor points with the same label pool their shares.
    """
    if not anchors:
        return {}
    items = sorted(anchors.items())
    points = np.array([p for p, _ in items], dtype=float)
    counts = np.bincount(nearest_anchor(values, points), minlength=points.size)
    n = max(1, int(np.asarray(values).size))
    out: dict[str, float] = {}
    for (_, label), count in zip(items, counts, strict=True):
        out[label] = out.get(label, 0.0) + int(count) / n
    return out


def summarise(values: Any, scale: Any) -> dict[str, Any]:
    """The JSON entry of one issue and model over an ensemble (see the module docstring)."""
    v = np.asarray(values, dtype=float)
    ok = v[np.isfinite(v)]
    n = int(v.size)
    if ok.size == 0:
        return {"value": None, "runs": n, "skipped_runs": n}
    pct = np.percentile(ok, list(QUANTILES.values()))
    out: dict[str, Any] = {"value": float(np.median(ok)), "mean": float(np.mean(ok))}
    out.update({k: float(p) for k, p in zip(QUANTILES, pct, strict=True)})
    out["runs"] = n
    out["mc_se"] = float(np.std(ok, ddof=1) / np.sqrt(ok.size)) if ok.size > 1 else 0.0
    out["labels"] = label_shares(ok, dict(getattr(scale, "anchors", {}) or {}))
    if ok.size < n:
        out["skipped_runs"] = n - int(ok.size)
    return out


def crisis_summary(
    samples: dict[str, np.ndarray], parties: list[str] | None = None
) -> dict[str, Any]:
    """A crisis model's sampled ends over the runs (one end per run).

    ``samples``: ``conceded`` (party id, "" for an impasse) and ``day`` (inf for an impasse).
    Returns ``{"runs", "p_first": {party: share}, "p_impasse", "end_day": {"median", "p10",
    "p90"}}``, parties in the given order. A quantile of the end day that falls in the
    impasse mass is null, as in the single-run entry.
    """
    who = np.asarray(samples["conceded"], dtype=object)
    day = np.asarray(samples["day"], dtype=float)
    n = int(day.size)
    names = list(parties) if parties else sorted({str(p) for p in who if p})
    out: dict[str, Any] = {
        "runs": n,
        "p_first": {p: float(np.mean(who == p)) if n else 0.0 for p in names},
        "p_impasse": float(np.mean(who == "")) if n else 0.0,
    }
    with np.errstate(invalid="ignore"):
        q = np.percentile(day, [50, 10, 90]) if n else np.full(3, np.nan)
    out["end_day"] = {
        k: (float(v) if np.isfinite(v) else None)
        for k, v in zip(("median", "p10", "p90"), q, strict=True)
    }
    return out
