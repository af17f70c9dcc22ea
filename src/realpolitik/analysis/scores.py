"""Probabilistic scores of forecasts: coverage, interval score, CRPS, log score and PIT.

Pure functions over numpy arrays, one forecast per row. A predictive distribution is given
as a weighted set of atoms (``atoms[..., m]``, ``weights[..., m]`` summing to 1 along the
last axis); a sample of size m is the same with equal weights, and a distribution known by
its quantile function is approximated by its quantiles at the m mid-points
``(i + 1/2)/m`` (:func:`quantile_grid`).

* Coverage: the outcome lies in the closed interval [lo, hi].
* Interval score of a central (1 − α) interval (Gneiting & Raftery 2007, *JASA* 102(477),
  §6.2, eq. 43): ``(hi − lo) + (2/α)(lo − y)·1{y < lo} + (2/α)(y − hi)·1{y > hi}``; lower is
  better, and it is proper for the α/2 and 1 − α/2 quantiles.
* CRPS (Gneiting & Raftery 2007, §4.2, eq. 21): ``E|X − y| − ½ E|X − X'|`` with X, X'
  independent draws of the predictive distribution; for a point mass it is |x − y|. For
  atoms sorted ascending with cumulative weights W_i, ``E|X − X'| = 2 Σ w_i x_i (2W_i − w_i
  − 1)`` (the weighted form of the Gini mean difference), so the score costs a sort.
* Log score: −log p of the outcome's label (Good 1952; Gneiting & Raftery 2007, §4.1);
  lower is better.
* PIT (Dawid 1984): F(y), randomised on atoms (Czado, Gneiting & Held 2009, *Biometrics*
  65(4), eq. 1): ``F(y−) + V·(F(y) − F(y−))`` with V uniform; a calibrated forecaster's PIT
  values are uniform on [0, 1].
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "quantile_grid",
    "covered",
    "interval_score",
    "crps_atoms",
    "crps_samples",
    "log_score",
    "pit_atoms",
    "pit_histogram",
]


def quantile_grid(m: int) -> np.ndarray:
    """The m mid-point probability levels ``(i + 1/2)/m``, i = 0..m-1."""
    return (np.arange(m) + 0.5) / m


def covered(lo: np.ndarray, hi: np.ndarray, y: np.ndarray) -> np.ndarray:
    """1.0 where lo ≤ y ≤ hi, 0.0 where not, NaN where any of the three is NaN."""
    lo, hi, y = (np.asarray(a, dtype=float) for a in (lo, hi, y))
    out = ((lo <= y) & (y <= hi)).astype(float)
    return np.where(np.isfinite(lo) & np.isfinite(hi) & np.isfinite(y), out, np.nan)


def interval_score(lo: np.ndarray, hi: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """The interval score of central (1 − alpha) intervals [lo, hi] (Gneiting & Raftery 2007,
    eq. 43); NaN propagates."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    lo, hi, y = (np.asarray(a, dtype=float) for a in (lo, hi, y))
    below = np.maximum(lo - y, 0.0)
    above = np.maximum(y - hi, 0.0)
    return (hi - lo) + (2.0 / alpha) * (below + above)


def crps_atoms(atoms: np.ndarray, weights: np.ndarray, y: np.ndarray) -> np.ndarray:
    """CRPS of discrete distributions ``atoms[..., m]`` with ``weights[..., m]`` at ``y[...]``.

    Zero-weight atoms do not count; a row with a NaN atom of positive weight or a NaN outcome
    scores NaN.
    """
    x = np.asarray(atoms, dtype=float)
    w = np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    y = np.asarray(y, dtype=float)
    w = np.where(w > 0, w, 0.0)
    bad = np.any(np.isnan(x) & (w > 0), axis=-1) | np.isnan(y)
    x = np.where(w > 0, x, 0.0)
    w = w / np.sum(w, axis=-1, keepdims=True)
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    ws = np.take_along_axis(w, order, axis=-1)
    cum = np.cumsum(ws, axis=-1)
    spread = 2.0 * np.sum(ws * xs * (2.0 * cum - ws - 1.0), axis=-1)
    err = np.sum(w * np.abs(x - y[..., None]), axis=-1)
    return np.where(bad, np.nan, err - 0.5 * spread)


def crps_samples(samples: np.ndarray, y: np.ndarray) -> np.ndarray:
    """CRPS of the empirical distribution of ``samples[..., m]`` at ``y[...]``."""
    s = np.asarray(samples, dtype=float)
    return crps_atoms(s, np.full(s.shape, 1.0 / s.shape[-1]), y)


def log_score(p_observed: np.ndarray, floor: float = 1e-12) -> np.ndarray:
    """−log p of the observed label; p below ``floor`` counts as ``floor`` (a finite penalty)."""
    p = np.asarray(p_observed, dtype=float)
    return -np.log(np.where(np.isnan(p), np.nan, np.maximum(p, floor)))


def pit_atoms(
    atoms: np.ndarray, weights: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Randomised PIT values F(y−) + V·(F(y) − F(y−)) of discrete distributions (one V per
    row, drawn from ``rng``)."""
    x = np.asarray(atoms, dtype=float)
    w = np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    y = np.asarray(y, dtype=float)
    w = w / np.sum(w, axis=-1, keepdims=True)
    below = np.sum(np.where(x < y[..., None], w, 0.0), axis=-1)
    at = np.sum(np.where(x == y[..., None], w, 0.0), axis=-1)
    v = rng.random(y.shape)
    return np.where(np.isnan(y), np.nan, below + v * at)


def pit_histogram(pit: np.ndarray, bins: int = 10) -> list[float]:
    """The share of finite PIT values in each of ``bins`` equal bins of [0, 1]."""
    p = np.asarray(pit, dtype=float)
    p = p[np.isfinite(p)]
    if p.size == 0:
        return [0.0] * bins
    counts, _ = np.histogram(np.clip(p, 0.0, 1.0), bins=bins, range=(0.0, 1.0))
    return [float(c) / p.size for c in counts]
