"""One round of Bueno de Mesquita's expected utility model, vectorised over actor pairs.

Pure functions over numpy arrays for a single issue, following docs/specs/eum.md §3
(Scholz, Calbert & Smith 2011, ICAART version). Section numbers below are the spec's.
Every function takes plain arrays; :func:`eum_round` reads the option values it needs from any
object with the attributes of :class:`realpolitik.models.eum.EumOptions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "RoundResult",
    "contested_pairs",
    "eum_round",
    "expected_utility",
    "global_win_probability",
    "risk_exponents",
    "select_offers",
    "make_offers",
    "weighted_mean",
    "weighted_median",
    "win_probability",
]

_BLOCK = 4_000_000  # elements per block of the O(n^3) voter tensor (global_denominator)


def _effective_weights(w: np.ndarray) -> np.ndarray:
    """w, or equal weights when every w is 0 (§3.2)."""
    return w if float(w.sum()) > 0.0 else np.ones_like(w)


def weighted_median(x: np.ndarray, w: np.ndarray, tie: str = "mid", eps: float = 1e-12) -> float:
    """The w-weighted median: the actor position minimising D(y) = sum_k w_k |x_k - y| (§3.2).

    This is the Condorcet winner among actor positions under linear utilities (Scholz eqs.
    26-29). A position y minimises D exactly when the weight strictly below it and the weight
    strictly above it are each at most half the total; a relative tolerance ``eps`` makes
    exact half-weight ties robust to summation order. ``tie`` picks among the minimisers:
    ``mid`` (midpoint of the lowest and highest, canonical), ``lower``, ``upper`` or ``first``
    (that of the lowest actor index: the scan order of the jmckib code).
    """
    w = _effective_weights(np.asarray(w, dtype=float))
    u, inv = np.unique(x, return_inverse=True)
    wu = np.bincount(inv, weights=w, minlength=u.size)
    cum = np.cumsum(wu)
    total = cum[-1]
    half = 0.5 * total + eps * total
    ok = ((cum - wu) <= half) & ((total - cum) <= half)
    idx = np.flatnonzero(ok)
    lo, hi = u[idx[0]], u[idx[-1]]
    if tie == "mid":
        return float(0.5 * (lo + hi))
    if tie == "lower":
        return float(lo)
    if tie == "upper":
        return float(hi)
    if tie == "first":
        return float(x[np.flatnonzero(ok[inv])[0]])
    raise ValueError(f"median_tie: unknown value {tie!r}")


def weighted_mean(x: np.ndarray, w: np.ndarray) -> float:
    """m_t = sum_k w_k x_k / sum_k w_k with w = c*s (§4); equal weights if every w is 0."""
    w = _effective_weights(np.asarray(w, dtype=float))
    return float(np.dot(w, x) / w.sum())


def contested_pairs(x: np.ndarray, R: float, same_tol: float) -> np.ndarray:
    """Ordered pairs i != j with |x_i - x_j| > same_tol * R (§2, §3.11)."""
    return np.abs(x[:, None] - x[None, :]) > same_tol * R


def _pair_scores(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """S[i, j] = sum_k w_k [a_k]^+ over all voters k, for the ordered pair (i, j).

    a_k = |x_k - x_j| - |x_k - x_i| (eq. 31), so S.T holds j's side. Sorted-prefix form of
    §3.3: for the pair's lower position L, upper H, gap G and midpoint M, a voter at y gives
    the lower actor G (y <= L) or L + H - 2y (L < y < M), and the upper actor 2y - L - H
    (M < y < H) or G (y >= H). Prefix sums of w and w*y over the sorted positions give every
    pair in O(n^2 log n). The work runs in sorted order (monotone, cache-friendly searches)
    and is permuted back at the end.
    """
    order = np.argsort(x, kind="stable")
    xs = x[order] - x.mean()  # centring limits cancellation in the w*y prefix sums
    ws = w[order]
    Wc = np.concatenate(([0.0], np.cumsum(ws)))
    Sc = np.concatenate(([0.0], np.cumsum(ws * xs)))
    W = Wc[-1]
    le = np.searchsorted(xs, xs, "right")  # voters at or below each actor
    lt = np.searchsorted(xs, xs, "left")  # voters strictly below each actor
    w_le, s_le, w_lt, s_lt = Wc[le], Sc[le], Wc[lt], Sc[lt]

    # Row i the lower actor, column j the upper (valid where i <= j in sorted order).
    xi, xj = xs[:, None], xs[None, :]
    n = xs.size
    G = xj - xi
    LH = xi + xj
    cm = np.searchsorted(xs, 0.5 * LH, "right")  # voters at or below the midpoint
    w_m, s_m = Wc[cm], Sc[cm]
    del cm
    wa, sa = w_le[:, None], s_le[:, None]  # voters at or below L
    low = G * wa + LH * (w_m - wa) - 2.0 * (s_m - sa)
    wd, sd = w_lt[None, :], s_lt[None, :]  # voters strictly below H
    up = G * (W - wd) + 2.0 * (sd - s_m) - LH * (wd - w_m)
    del w_m, s_m
    i_low = np.arange(n)[:, None] <= np.arange(n)[None, :]
    score = np.where(i_low, low, up.T)
    np.maximum(score, 0.0, out=score)
    inv = np.empty_like(order)
    inv[order] = np.arange(n)
    return score[np.ix_(inv, inv)]


def win_probability(
    x: np.ndarray,
    w: np.ndarray,
    contested: np.ndarray,
    *,
    prob: str = "scholz",
    undefined: float = 0.5,
    eps: float = 1e-12,
) -> np.ndarray:
    """P[i, j], the probability that i prevails over j (§3.3, Scholz eqs. 30-31).

    ``prob``: ``scholz`` (eq. 31, all voters), ``net_clipped`` (max(0, 2P - 1)) or
    ``exclude_pair`` (voters k != i, j). Where the denominator is at most ``eps * G * sum(w)``
    (nobody with weight prefers a side) and on non-contested pairs, P = ``undefined``.
    """
    num_i = _pair_scores(x, w)
    num_j = num_i.T
    gap = np.abs(x[:, None] - x[None, :])
    if prob == "exclude_pair":
        num_i = np.maximum(num_i - gap * w[:, None], 0.0)
        num_j = np.maximum(num_j - gap * w[None, :], 0.0)
    elif prob not in ("scholz", "net_clipped"):
        raise ValueError(f"prob: unknown value {prob!r}")
    den = num_i + num_j
    top = np.maximum(num_i - num_j, 0.0) if prob == "net_clipped" else num_i
    with np.errstate(divide="ignore", invalid="ignore"):
        P = top / den
    gap *= eps * float(np.abs(w).sum())
    P[~contested | (den <= gap)] = undefined
    return P


def global_win_probability(
    x: np.ndarray,
    w: np.ndarray,
    r: np.ndarray,
    R: float,
    contested: np.ndarray,
    *,
    undefined: float = 0.0,
) -> np.ndarray:
    """P[i, j] of the jmckib/dmasad code, option ``prob = global_denominator`` (§5).

    Voter k compares positions a and b by w_k ((|x_k - x_b|/R)^r_k - (|x_k - x_a|/R)^r_k).
    The numerator sums the positive comparisons of x_i over x_j; the denominator sums the
    absolute comparisons over all voter x actor x actor triples, so P is small (about
    0.003-0.012 on the emission case). O(n^3) time, blocked to bound memory.
    """
    n = x.size
    u = (np.abs(x[None, :] - x[:, None]) / R) ** r[:, None]  # u[k, a]
    coef = 2.0 * np.arange(n) - n + 1.0  # sum_{a,b} |u_a - u_b| from the sorted row
    den = 2.0 * float(np.dot(w, np.sort(u, axis=1) @ coef))
    if not den > 0.0:
        return np.full((n, n), float(undefined))
    num = np.zeros((n, n))
    step = max(1, _BLOCK // max(1, n * n))
    for k0 in range(0, n, step):
        uk = u[k0 : k0 + step]
        diff = uk[:, None, :] - uk[:, :, None]  # [k, i, j] = u_kj - u_ki
        np.maximum(diff, 0.0, out=diff)
        num += np.tensordot(w[k0 : k0 + step], diff, axes=1)
    return np.where(contested, num / den, undefined)


def _product_q(P: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Q[i, j] = prod_{k != i, j} (P_ik + 1 - s_k), option ``q_mode = product`` (minimalgeek)."""
    n = s.size
    A = P + (1.0 - s)[None, :]
    np.fill_diagonal(A, 1.0)
    zero = A == 0.0
    logs = np.log(np.where(zero, 1.0, np.abs(A)))
    neg = A < 0.0
    total_log = logs.sum(axis=1, keepdims=True) - logs
    zeros_left = zero.sum(axis=1, keepdims=True) - zero
    sign = np.where((neg.sum(axis=1, keepdims=True) - neg) % 2 == 1, -1.0, 1.0)
    Q = np.where(zeros_left > 0, 0.0, sign * np.exp(total_log))
    Q[np.arange(n), np.arange(n)] = 0.0
    return Q


def expected_utility(
    d: np.ndarray,
    P: np.ndarray,
    s: np.ndarray,
    rho: np.ndarray | float,
    contested: np.ndarray,
    *,
    q: np.ndarray | float = 1.0,
    T: np.ndarray | None = None,
    m: np.ndarray | None = None,
) -> np.ndarray:
    """E[i, j], the expected utility of i challenging j (§3.4-3.6, Scholz eqs. 5-7, 15-25).

    E_ij = s_j [P_ij U^s + (1 - P_ij) U^f] + (1 - s_j) U^s - Q U^sq - (1 - Q)[T U^b + (1-T) U^w]
    with U = 2 - 4 base^rho: base (1/2 - d/2) for success, (1/2 + d/2) failure, 1/2 status quo,
    (1/2 - (m_i + d)/4) better and (1/2 + (m_i + d)/4) worse (bases clipped at 0).
    ``rho`` broadcasts against [i, j]: a column (n, 1) gives each challenger its own exponent.
    ``T`` and ``m`` (column of |x_i - mu| / R) are needed only when Q is not 1.
    """
    half_d = 0.5 * d
    base_s = np.maximum(0.5 - half_d, 0.0)
    base_f = 0.5 + half_d
    linear = np.isscalar(rho) and float(rho) == 1.0
    if linear:
        us, uf, usq = 2.0 - 4.0 * base_s, 2.0 - 4.0 * base_f, 0.0
    else:
        us = 2.0 - 4.0 * np.power(base_s, rho)
        uf = 2.0 - 4.0 * np.power(base_f, rho)
        usq = 2.0 - 4.0 * np.power(0.5, rho)
    sj = s[None, :]
    E = sj * (P * us + (1.0 - P) * uf) + (1.0 - sj) * us - q * usq
    if not (np.isscalar(q) and float(q) == 1.0):
        if T is None or m is None:
            raise ValueError("T and m are needed when Q != 1")
        half_md = 0.25 * (m + d)
        base_b = np.maximum(0.5 - half_md, 0.0)
        base_w = 0.5 + half_md
        if linear:
            ub, uw = 2.0 - 4.0 * base_b, 2.0 - 4.0 * base_w
        else:
            ub, uw = 2.0 - 4.0 * np.power(base_b, rho), 2.0 - 4.0 * np.power(base_w, rho)
        E = E - (1.0 - q) * (T * ub + (1.0 - T) * uw)
    return np.where(contested, E, 0.0)


def risk_exponents(E1: np.ndarray, security: str = "column", eps: float = 1e-12) -> np.ndarray:
    """Risk exponents r_i in [1/2, 2] from first-pass expected utilities (§3.7, eqs. 32-34).

    Sec_i = sum_j E_ji (``column``, canonical) or sum_j E_ij (``row``, BDM 1997);
    R_i = (2 Sec_i - max Sec - min Sec) / (max Sec - min Sec); r_i = (1 - R_i/3) / (1 + R_i/3).
    Where max and min agree to ``eps`` (relative), every r_i = 1.
    """
    sec = E1.sum(axis=0) if security == "column" else E1.sum(axis=1)
    hi, lo = float(sec.max()), float(sec.min())
    if hi - lo <= eps * max(1.0, abs(hi), abs(lo)):
        return np.ones_like(sec)
    big_r = (2.0 * sec - hi - lo) / (hi - lo)
    return (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)


def make_offers(
    x: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    contested: np.ndarray | None = None,
    *,
    conflict: str = "full",
    capitulation: str = "full",
    eps: float = 1e-12,
) -> tuple[np.ndarray, np.ndarray]:
    """Offers to each mover m from each proposer p (§3.8 "as an offer to the mover").

    ``a[m, p]`` is the mover's expected utility against the proposer, ``b[m, p]`` the
    proposer's against the mover. Returns (type[m, p], target[m, p]): type 1 conflict lost
    (a > 0, b > 0, b - a > 0: move to x_p), 2 compromise (a < 0 < b, |a| < b: move to
    x_m + |a|/b (x_p - x_m), eq. 36), 3 capitulation (a < 0 < b, |a| >= b: move to x_p), 0 none.
    Signs and differences use the absolute tolerance ``eps`` (§3.11). ``contested`` may be
    None when a and b are already 0 on non-contested pairs (as :func:`expected_utility` makes
    them), since no offer then passes the sign tests.
    """
    pos_b = b > eps
    neg_a = a < -eps
    t1 = (a > eps) & pos_b & (b - a > eps)
    under = neg_a & pos_b
    t2 = under & (-a < b - eps)
    t3 = under & ~t2
    if contested is not None:
        t1 &= contested
        t2 &= contested
        t3 &= contested
    kind = 2 * t2.view(np.int8)
    if conflict == "full":
        kind += t1.view(np.int8)
    if capitulation == "full":
        kind += 3 * t3.view(np.int8)
    xm, xp = x[:, None], x[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        target = np.where(t2, xm - (a / b) * (xp - xm), xp)
    return kind, target


def _keep_min(cand: np.ndarray, key: np.ndarray, eps: float) -> np.ndarray:
    """Keep, row by row, the candidates whose key is within eps*max(1,|min|) of the row min."""
    k = np.where(cand, key, np.inf)
    lo = k.min(axis=1, keepdims=True)
    lo_ok = np.isfinite(lo)
    tol = eps * np.maximum(1.0, np.abs(np.where(lo_ok, lo, 0.0)))
    return cand & (k <= lo + tol)


def select_offers(
    x: np.ndarray,
    kind: np.ndarray,
    target: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    selection: str = "type_priority",
    tiebreak: str = "eu_index",
    eps: float = 1e-12,
) -> np.ndarray:
    """Index of the offer each mover accepts, -1 where it has none (§3.9, Scholz §6.2).

    Keys are applied in turn, each keeping the candidates within a relative ``eps`` of the
    best: ``type_priority`` (type, then least move), ``least_move`` (least move),
    ``max_eu`` (highest proposer utility b, then least move) or ``jmckib`` (type, then least
    move for conflicts and capitulations and the smallest (|a| x_m + |b| x_p)/(|a| + |b|) for
    compromises). Then ``tiebreak``: ``eu_index`` (highest b, then lowest index) or ``index``.
    """
    cand = kind > 0
    move = np.abs(target - x[:, None])
    if selection in ("type_priority", "jmckib"):
        kmin = np.where(cand, kind, 99).min(axis=1, keepdims=True)
        cand &= kind == kmin
        if selection == "jmckib":
            aa, bb = np.abs(a), np.abs(b)
            wpos = (aa * x[:, None] + bb * x[None, :]) / np.where(cand, aa + bb, 1.0)
            cand = _keep_min(cand, np.where(kind == 2, wpos, move), eps)
        else:
            cand = _keep_min(cand, move, eps)
    elif selection == "least_move":
        cand = _keep_min(cand, move, eps)
    elif selection == "max_eu":
        cand = _keep_min(cand, -b, eps)
        cand = _keep_min(cand, move, eps)
    else:
        raise ValueError(f"selection: unknown value {selection!r}")
    if tiebreak == "eu_index":
        cand = _keep_min(cand, -b, eps)
    elif tiebreak != "index":
        raise ValueError(f"tiebreak: unknown value {tiebreak!r}")
    has = cand.any(axis=1)
    return np.where(has, np.argmax(cand, axis=1), -1)


@dataclass(frozen=True)
class RoundResult:
    """The outcome of one round: new positions, risk exponents, and who moved to whom."""

    x: np.ndarray
    r: np.ndarray
    chosen: np.ndarray  # proposer index accepted by each actor, -1 if it stayed

    @property
    def moved(self) -> bool:
        return bool((self.chosen >= 0).any())


def eum_round(x: np.ndarray, s: np.ndarray, c: np.ndarray, R0: float, opts: Any) -> RoundResult:
    """Map x^(t-1) to x^(t) (§3.1-3.10). ``R0`` is the range at round 0 (``range_mode``).

    1. R from ``range_mode``; nothing happens when all positions agree.
    2. mu (needed only when Q != 1), contested pairs, d_ij = |x_i - x_j| / R.
    3. First pass at rho = 1: P, E^(1); risk exponents r from security (§3.7).
    4. Second pass with r (``perspective``: own exponents, or the mover's for both sides);
       the global-denominator P is recomputed with the voters' r.
    5. Offers (§3.8), one accepted per mover (§3.9), simultaneous update (§3.10).
    """
    n = x.size
    none = np.full(n, -1)
    spread = float(x.max() - x.min()) if n else 0.0
    if n < 2 or spread <= 0.0:
        return RoundResult(x=x.copy(), r=np.ones(n), chosen=none)
    R = {"current": spread, "initial": R0, "fixed": opts.range_value}[opts.range_mode]
    if not R > 0.0:
        return RoundResult(x=x.copy(), r=np.ones(n), chosen=none)
    w = c * s
    eps = opts.eps
    contested = contested_pairs(x, R, opts.same_tol)
    d = np.abs(x[:, None] - x[None, :]) / R
    linear_q = opts.q_mode == "constant" and opts.q == 1.0
    T = m = None
    if not linear_q:
        mu = weighted_median(x, w, opts.median_tie, eps)
        dist_mu = np.abs(x - mu)
        m = (dist_mu / R)[:, None]
        if opts.t_rule == "median_closer":
            T = (dist_mu[:, None] < np.abs(x[:, None] - x[None, :])).astype(float)
        else:
            T = np.ones((n, n))
    ones = np.ones(n)

    def probability(r: np.ndarray) -> np.ndarray:
        if opts.prob == "global_denominator":
            return global_win_probability(x, w, r, R, contested, undefined=opts.prob_undefined)
        return win_probability(
            x, w, contested, prob=opts.prob, undefined=opts.prob_undefined, eps=eps
        )

    def q_of(P: np.ndarray) -> np.ndarray | float:
        return _product_q(P, s) if opts.q_mode == "product" else opts.q

    P = probability(ones)
    E1 = expected_utility(d, P, s, 1.0, contested, q=q_of(P), T=T, m=m)
    if opts.risk == "off":
        r = ones
    else:
        r = risk_exponents(E1, opts.security, eps)
    if np.all(r == 1.0):
        a = E1
        b = E1.T
    else:
        if opts.prob == "global_denominator":
            P = probability(r)
        q2 = q_of(P)
        a = expected_utility(d, P, s, r[:, None], contested, q=q2, T=T, m=m)
        if opts.perspective == "own":
            b = a.T
        else:  # receiver: the mover m judges E_pm with its own exponent r_m
            b = expected_utility(d, P, s, r[None, :], contested, q=q2, T=T, m=m).T
    kind, target = make_offers(
        x, a, b, None, conflict=opts.conflict, capitulation=opts.capitulation, eps=eps
    )
    chosen = select_offers(
        x, kind, target, a, b, selection=opts.selection, tiebreak=opts.tiebreak, eps=eps
    )
    movers = np.flatnonzero(chosen >= 0)
    x_new = x.copy()
    x_new[movers] = target[movers, chosen[movers]]
    return RoundResult(x=x_new, r=r, chosen=chosen)
