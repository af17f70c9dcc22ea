"""The multi-actor, salience-weighted Nash bargaining solution.

Nash (1950), "The bargaining problem", Econometrica 18(2); the asymmetric, many-player form
with capability × salience as bargaining power follows Achen (2006), *The European Union
Decides*, ch. 10. With quadratic loss u_i(y) = −(y − x_i)², the solution maximises

    N(y) = Σ_i w_i · log( (d_i − x_i)² − (y − x_i)² ),   w_i = c_i · s_i,

over the points y that every weighted actor strictly prefers to its disagreement point d_i.
Actors with w_i = 0 drop out (if all do, every positioned actor gets weight 1).

Disagreement points (option ``disagreement``):

* ``worst`` (default): d_i is each actor's worst point on the scale, the end farther from x_i,
  so every interior y gains for everyone and the feasible set covers the actors' range.
* ``reference_point``: d_i is the issue's reference point (the status quo). y is then
  restricted to the points that every weighted actor prefers to it. Where there are none,
  because the reference point lies between the actors' positions (or an actor's ideal point
  is the reference point itself), the forecast is the reference point: no agreement beats the
  status quo for everyone. An issue without a reference point is skipped.

N is strictly concave on the feasible interval, so its maximiser is the unique root of
N'(y) = Σ_i −2 w_i (y − x_i) / (r_i² − (y − x_i)²), r_i = |d_i − x_i|. N' decreases from
+∞ to −∞ across the feasible interval (or is positive below and negative above the actors'
range), and the root is found by bisection to machine precision, vectorised over issues.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from realpolitik.models._registry import IssueInputs, IssueResult, ModelSpec, Options, RunContext
from realpolitik.models.static import weights

__all__ = ["nbs", "NbsOptions", "SPEC"]

_ITERATIONS = 200


def nbs(
    x: np.ndarray,
    s: np.ndarray,
    c: np.ndarray,
    mask: np.ndarray,
    *,
    reference: np.ndarray | None = None,
) -> np.ndarray:
    """The Nash bargaining solution per issue on 0-100 (see the module docstring).

    ``reference=None`` uses each actor's worst end of the scale as its disagreement point;
    otherwise ``reference[..., n_issues]`` on 0-100 is everyone's disagreement point.
    """
    w = weights(s, c, mask)
    active = w > 0.0
    if reference is None:
        r = np.maximum(x, 100.0 - x)
        d = None
    else:
        d = np.broadcast_to(np.asarray(reference, dtype=float)[..., None, :], x.shape)
        r = np.abs(d - x)
    big = np.inf
    # Feasible open interval: the intersection of (x_i - r_i, x_i + r_i) over weighted actors.
    lo_f = np.max(np.where(active, x - r, -big), axis=-2)
    hi_f = np.min(np.where(active, x + r, big), axis=-2)
    # The maximiser lies within the weighted actors' range as well.
    lo = np.maximum(lo_f, np.min(np.where(active, x, big), axis=-2))
    hi = np.minimum(hi_f, np.max(np.where(active, x, -big), axis=-2))
    empty = ~(lo_f < hi_f)
    lo = np.where(empty, 0.0, lo)
    hi = np.where(empty, 0.0, hi)
    for _ in range(_ITERATIONS):
        mid = 0.5 * (lo + hi)
        if np.all((mid == lo) | (mid == hi)):
            break
        g = _slope(mid, x, r, w, active)
        lo = np.where(g > 0.0, mid, lo)
        hi = np.where(g > 0.0, hi, mid)
    y = 0.5 * (lo + hi)
    if d is not None:
        y = np.where(empty, np.asarray(reference, dtype=float), y)
    return y


def _slope(y: np.ndarray, x: np.ndarray, r: np.ndarray, w: np.ndarray, active: np.ndarray):
    """N'(y) per issue; terms of inactive actors are 0. Summed in actor order."""
    dy = y[..., None, :] - x
    gap = r * r - dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(active, -2.0 * w * dy / np.where(gap > 0, gap, np.nan), 0.0)
    # An actor at the boundary of its feasible interval pushes with infinite force inward.
    push = np.where(dy > 0, -np.inf, np.where(dy < 0, np.inf, 0.0))
    term = np.where(active & ~(gap > 0), push, term)
    out = term[..., 0, :].copy()
    for k in range(1, term.shape[-2]):
        out = out + term[..., k, :]
    return np.nan_to_num(out, nan=0.0)


class NbsOptions(Options):
    """``disagreement``: each actor's ``worst`` end of the scale, or the ``reference_point``."""

    disagreement: Literal["worst", "reference_point"] = "worst"


def _run(inputs: IssueInputs, options: NbsOptions, ctx: RunContext) -> IssueResult:
    if options.disagreement == "worst":
        return IssueResult(values=nbs(inputs.x, inputs.s, inputs.c, inputs.mask))
    ref = inputs.reference
    missing = np.isnan(ref)
    values = nbs(inputs.x, inputs.s, inputs.c, inputs.mask, reference=np.where(missing, 0, ref))
    values = np.where(missing, np.nan, values)
    skipped = {int(j): "no reference point" for j in np.flatnonzero(missing)}
    return IssueResult(values=values, skipped=skipped)


SPEC = ModelSpec(
    name="nbs",
    kind="issue",
    summary="Salience-weighted multi-actor Nash bargaining solution (quadratic loss).",
    citation="Nash 1950; Achen 2006, The European Union Decides, ch. 10",
    run=_run,
    options=NbsOptions,
    batched=True,
)
