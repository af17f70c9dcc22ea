"""The static issue models: the mean, the compromise (weighted mean) and the weighted median.

Each is a pure function over arrays with any leading batch dimensions:
``x[..., n_actors, n_issues]`` on 0-100, ``s[..., n_actors, n_issues]`` in [0, 1],
``c[..., n_actors]`` > 0 and ``mask[n_actors, n_issues]`` (True where the actor takes a
position), returning ``[..., n_issues]``. Reductions run over the actor axis in actor order
whatever the batch shape, so a batch of runs gives the same bits as the runs one by one.

Where every weight c_i·s_i of an issue is 0, the weighted models fall back to the unweighted
mean or median (the convention of the DEU benchmark, src/realpolitik/data/deu/README.md).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from realpolitik.models._registry import IssueInputs, IssueResult, ModelSpec, Options, RunContext

__all__ = ["weights", "mean", "compromise", "weighted_median", "MedianOptions", "SPECS"]


def _sum_actors(a: np.ndarray) -> np.ndarray:
    """Sum over the actor axis (-2) strictly in actor order (no pairwise reordering)."""
    out = a[..., 0, :].copy()
    for k in range(1, a.shape[-2]):
        out += a[..., k, :]
    return out


def weights(s: np.ndarray, c: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Vote weights w = c·s, zero outside the mask, with the all-zero fallback to 1.

    An issue on which every positioned actor has weight 0 gets weight 1 for each of them.
    """
    w = np.where(mask, c[..., :, None] * s, 0.0)
    dead = _sum_actors(w) <= 0.0
    return np.where(dead[..., None, :] & mask, 1.0, w)


def mean(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The unweighted mean of the positions of the actors who take one."""
    m = np.broadcast_to(mask, x.shape)
    return _sum_actors(np.where(m, x, 0.0)) / _sum_actors(m.astype(float))


def compromise(x: np.ndarray, s: np.ndarray, c: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The capability × salience weighted mean, Σ c_i s_i x_i / Σ c_i s_i.

    Achen (2006), "Institutional realism and bargaining models", in Thomson et al. (eds),
    *The European Union Decides*, ch. 10: the "compromise model".
    """
    w = weights(s, c, mask)
    return _sum_actors(w * np.where(mask, x, 0.0)) / _sum_actors(w)


Tie = Literal["lower", "upper", "midpoint"]


def weighted_median(
    x: np.ndarray, w: np.ndarray, mask: np.ndarray, tie: Tie = "lower"
) -> np.ndarray:
    """The w-weighted median of the positions, per issue.

    Sort the positions; with cumulative weight W_k and total W, the lower median is the first
    position with W_k ≥ W/2 and the upper median the first with W_k > W/2. They differ only
    when some W_k equals W/2 exactly (to 1e-12·W): the two tied middles. ``tie`` picks the
    lower, the upper, or their midpoint. Black (1948); Bueno de Mesquita (1994).
    """
    m = np.broadcast_to(mask, x.shape)
    xs = np.where(m, x, np.inf)
    order = np.argsort(xs, axis=-2, kind="stable")
    xs = np.take_along_axis(xs, order, axis=-2)
    ws = np.take_along_axis(np.where(m, w, 0.0), order, axis=-2)
    cum = np.cumsum(ws, axis=-2)
    total = cum[..., -1:, :]
    half, eps = total / 2.0, 1e-12 * total
    lo_idx = np.argmax(cum >= half - eps, axis=-2)
    hi_idx = np.argmax(cum > half + eps, axis=-2)
    lower = np.take_along_axis(xs, lo_idx[..., None, :], axis=-2)[..., 0, :]
    upper = np.take_along_axis(xs, hi_idx[..., None, :], axis=-2)[..., 0, :]
    if tie == "lower":
        return lower
    if tie == "upper":
        return upper
    return (lower + upper) / 2.0


# -- registry entries ----------------------------------------------------------------------


def _run_mean(inputs: IssueInputs, options: Options, ctx: RunContext) -> IssueResult:
    return IssueResult(values=mean(inputs.x, inputs.mask))


def _run_compromise(inputs: IssueInputs, options: Options, ctx: RunContext) -> IssueResult:
    return IssueResult(values=compromise(inputs.x, inputs.s, inputs.c, inputs.mask))


class MedianOptions(Options):
    """``tie``: which of two tied middles is the median (default the lower one)."""

    tie: Tie = "lower"


def _run_median(inputs: IssueInputs, options: MedianOptions, ctx: RunContext) -> IssueResult:
    w = weights(inputs.s, inputs.c, inputs.mask)
    return IssueResult(values=weighted_median(inputs.x, w, inputs.mask, options.tie))


SPECS = (
    ModelSpec(
        name="mean",
        kind="issue",
        summary="Unweighted mean of the actors' positions (the naive baseline).",
        citation="Achen 2006, The European Union Decides, ch. 10",
        run=_run_mean,
        batched=True,
    ),
    ModelSpec(
        name="compromise",
        kind="issue",
        summary="Capability × salience weighted mean of positions.",
        citation="Achen 2006, The European Union Decides, ch. 10",
        run=_run_compromise,
        batched=True,
    ),
    ModelSpec(
        name="median",
        kind="issue",
        summary="Capability × salience weighted median (tie rule: option tie).",
        citation="Black 1948; Bueno de Mesquita 1994",
        run=_run_median,
        batched=True,
        options=MedianOptions,
    ),
)
