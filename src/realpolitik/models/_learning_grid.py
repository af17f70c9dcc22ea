"""§5.2 of docs/specs/learning.md: backward induction on a belief grid (pure functions).

The grid G_N = {v/N : v ∈ ℕ^K, Σ v_i = N} (Lovejoy 1991, Operations Research 39(1)); values
between nodes by Freudenthal interpolation; the expectation over a window's mean by
Gauss-Hermite quadrature. :func:`solve_grid` is cached per distinct
:class:`~realpolitik.models._learning_core.Challenger` (its inputs by value), so an ensemble
that draws only priors and true types solves it once; the beliefs' motion, which does not
depend on the payoffs, is cached apart, so draws of the costs re-solve in milliseconds.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import sparse

from realpolitik.models._learning_core import EPS, Challenger, _extend, _log, survival_plan

__all__ = [
    "MAX_NODES",
    "MAX_POLICY",
    "MAX_SUCCESSORS",
    "grid_work",
    "GridPolicy",
    "default_grid",
    "grid_nodes",
    "weights",
    "interpolate",
    "solve_grid",
]

MAX_NODES = 200_000
#: The policy's size, nodes × days before the last observation (200 MB of H_t).
MAX_POLICY = 25_000_000
#: The successor beliefs of one solve, about half a minute on one core.
MAX_SUCCESSORS = 2_000_000_000
#: Below this many successor beliefs the beliefs' motion is cached (a few hundred MB at most).
_CACHE_SUCCESSORS = 50_000_000


def grid_work(ch: Challenger) -> tuple[int, int, int]:
    """(nodes, nodes × t_s, successor beliefs) of the §5.2 solve of ``ch``: each distinct
    observation day (its hazards and window means) moves every node to K × J beliefs, each
    other distinct day to one; days that repeat one already seen cost nothing more."""
    k = ch.k
    n = ch.grid if ch.grid is not None else default_grid(k)
    nodes = math.comb(n + k - 1, k - 1)
    t_s = int(ch.signal.days[-1]) + 1
    obs_index = {int(o): i for i, o in enumerate(ch.signal.days)}
    hz = _extend(ch.hazard, t_s)
    seen_obs, seen_other = set(), set()
    for t in range(t_s):
        if t in obs_index:
            seen_obs.add(hz[:, t].tobytes() + ch.mu[:, obs_index[t]].tobytes())
        else:
            seen_other.add(hz[:, t].tobytes())
    successors = nodes * k * (len(seen_obs) * int(ch.quadrature) * k + len(seen_other))
    return nodes, nodes * t_s, successors


def default_grid(k: int) -> int:
    """The largest N ≤ 400 with C(N + K − 1, K − 1) ≤ 2,000 nodes (§5.2 "Defaults")."""
    n = 400
    while n > 2 and math.comb(n + k - 1, k - 1) > 2000:
        n -= 1
    return n


@functools.lru_cache(maxsize=16)
def grid_nodes(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The nodes of G_N as beliefs ``[M, K]`` in colex rank order, and the table C(i, j).

    A node's cumulative counts u_1 ≤ … ≤ u_{K−1} map to c_i = u_i + i, a (K−1)-subset of
    {0, …, N + K − 2}, whose colex rank Σ C(c_i, i + 1) is the node's index.
    """
    binom = np.array([[math.comb(i, j) for j in range(k)] for i in range(n + k)], dtype=np.int64)
    m = math.comb(n + k - 1, k - 1)
    nodes = np.empty((m, k))
    for combo in combinations(range(n + k - 1), k - 1):
        c = np.array(combo, dtype=np.int64)
        u = c - np.arange(k - 1)
        rank = int(binom[c, np.arange(1, k)].sum())
        v = np.diff(np.concatenate([[0], u, [n]]))
        nodes[rank] = v / n
    return nodes, binom


def _vertices(points: np.ndarray, n: int, binom: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Freudenthal vertices (node indices ``[P, K]``) and weights ``[P, K]`` (§5.2, 1-3).

    The rank of the next vertex follows from the last: raising u_i by one raises c_i by one
    and the colex rank by C(c_i + 1, i + 1) − C(c_i, i + 1) = C(c_i, i).
    """
    p, k = points.shape
    km = k - 1
    x = np.clip(n * np.cumsum(points[:, :km], axis=1), 0.0, float(n))
    base = np.floor(x)
    frac = x - base
    u = base.astype(np.int64)
    rows = np.arange(p)
    if km == 1:
        order = np.zeros((p, 1), dtype=np.int64)
        dsort = frac
    elif km == 2:  # the common case K = 3, without a sort
        second = frac[:, 1] >= frac[:, 0]
        order = np.stack([second, ~second], axis=1).astype(np.int64)
        dsort = np.stack(
            [np.maximum(frac[:, 0], frac[:, 1]), np.minimum(frac[:, 0], frac[:, 1])], 1
        )
    else:
        # pos_i: how many coordinates come before i (larger fraction, ties to the larger k)
        pos = np.zeros((p, km), dtype=np.int64)
        for i in range(km):
            for j in range(km):
                if j != i:
                    ahead = frac[:, j] > frac[:, i] if j < i else frac[:, j] >= frac[:, i]
                    pos[:, i] += ahead
        order = np.empty_like(pos)
        for i in range(km):
            order[rows, pos[:, i]] = i
        dsort = np.take_along_axis(frac, order, axis=1)
    weights = np.empty((p, k))
    weights[:, 0] = 1.0 - dsort[:, 0]
    if km > 1:
        weights[:, 1:km] = dsort[:, :-1] - dsort[:, 1:]
    weights[:, km] = dsort[:, -1]
    idx = np.empty((p, k), dtype=np.int64)
    rank = binom[u[:, 0], 1]
    for i in range(1, km):
        rank = rank + binom[u[:, i] + i, i + 1]
    idx[:, 0] = rank
    flat = binom.ravel()
    width = binom.shape[1]
    for j in range(km):
        i = order[:, j]
        ui = u[rows, i] if km > 1 else u[:, 0]
        step = np.where(ui < n, flat[(ui + i) * width + i], 0)
        idx[:, j + 1] = idx[:, j] + step
        if j + 1 < km:
            u[rows, i] = np.minimum(ui + 1, n)
    return idx, weights


def _weights_small(points: np.ndarray, n: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and weights for K = 2 and 3 in closed form: the colex rank of (u_1) is u_1,
    of (u_1, u_2) is u_1 + u_2(u_2 + 1)/2 (steps 1-3 of §5.2)."""
    if points.shape[-1] == 2:
        x = np.minimum(n * points[:, 0], float(n))
        b = x.astype(np.int64)
        d = x - b
        return np.stack([b, np.minimum(b + 1, last)], axis=1), np.stack([1.0 - d, d], axis=1)
    x0 = np.minimum(n * points[:, 0], float(n))
    x1 = np.minimum(n * (points[:, 0] + points[:, 1]), float(n))
    b0, b1 = x0.astype(np.int64), x1.astype(np.int64)
    d0, d1 = x0 - b0, x1 - b1
    r0 = b0 + b1 * (b1 + 1) // 2
    up = d1 >= d0  # raise u_2 first (ties to the larger k)
    step = b1 + 1  # the rank's rise when u_2 rises by one
    r1 = np.where(up, r0 + step, r0 + 1)
    r2 = np.minimum(r1 + np.where(up, 1, step), last)
    hi, lo = np.maximum(d0, d1), np.minimum(d0, d1)
    idx = np.stack([r0, np.minimum(r1, last), r2], axis=1)
    return idx, np.stack([1.0 - hi, hi - lo, lo], axis=1)


def weights(points: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The Freudenthal vertices (node indices) and weights of beliefs ``points[P, K]``."""
    k = points.shape[-1]
    if k <= 3:
        return _weights_small(points, n, math.comb(n + k - 1, k - 1) - 1)
    _, binom = grid_nodes(n, k)
    return _vertices(points, n, binom)


def interpolate(values: np.ndarray, points: np.ndarray, n: int) -> np.ndarray:
    """V̂ at beliefs ``points[P, K]`` from ``values`` at the nodes of G_N (§5.2)."""
    idx, w = weights(points, n)
    return (values[idx] * w).sum(axis=-1)


@dataclass(frozen=True)
class GridPolicy:
    """§5.2: Ĥ_t at the nodes for t < t_s (``h[t_s, M]``), N and the day t_s."""

    n: int
    t_s: int
    h: np.ndarray

    def holding(self, t: int, belief: np.ndarray) -> np.ndarray:
        """Ĥ_t at beliefs ``[P, K]`` (t < t_s)."""
        return interpolate(self.h[t], belief, self.n)


@dataclass(frozen=True)
class _Steps:
    """The payoff-free part of §5.2's induction, for days t < t_s: ``p[t]`` the chance at each
    node that D collapses on day t, and ``a[t]`` the sparse map from V_{t+1} at the nodes to
    the expectation of V̂_{t+1} over D's survival and, on an observation day, the window's
    mean. Days with the same hazards (and window means) share one map."""

    p: tuple[np.ndarray, ...]
    a: tuple[sparse.csr_matrix, ...]


def _step_map(ch: Challenger, nodes: np.ndarray, n: int, ht: np.ndarray, mu: np.ndarray | None):
    """One day's map (§5.2, steps 1-4): successor beliefs, their Freudenthal vertices and the
    weights, with the quadrature over the signal folded in."""
    m, k = nodes.shape
    s = nodes * (1.0 - ht)
    if mu is None:
        tot = s.sum(axis=1)
        safe = np.where(tot[:, None] > 0.0, s / np.where(tot > 0.0, tot, 1.0)[:, None], nodes)
        idx, w = weights(safe, n)
        data = (np.where(tot > 0.0, tot, 0.0)[:, None] * w).ravel()
        return sparse.csr_matrix((data, idx.ravel(), np.arange(0, m * k + 1, k)), shape=(m, m))
    else:
        sig = ch.signal
        x, wq = np.polynomial.hermite.hermgauss(int(ch.quadrature))
        omega = wq / math.sqrt(math.pi)
        lognormal = sig.family == "lognormal"
        mm = np.log(mu) if lognormal else mu
        z = mm[:, None] + math.sqrt(2.0) * sig.sigma * x[None, :]  # [K', J]
        if lognormal:
            z = np.maximum(z, math.log(sig.floor))
        lam = -((z[None, :, :] - mm[:, None, None]) ** 2) / (2.0 * sig.sigma**2)  # [K, K', J]
        post = _log(s)[:, None, None, :] + np.moveaxis(lam, 0, -1)[None]  # [M, K', J, K]
        top = post.max(axis=-1, keepdims=True)
        post = np.exp(post - np.where(np.isfinite(top), top, 0.0))
        tot_post = post.sum(axis=-1, keepdims=True)
        post = np.where(tot_post > 0.0, post / np.where(tot_post > 0, tot_post, 1.0), 1.0 / k)
        idx, w = weights(post.reshape(-1, k), n)
        data = ((s[:, :, None] * omega[None, None, :]).reshape(-1, 1) * w).ravel()
        width = k * x.size * k
        a = sparse.csr_matrix((data, idx.ravel(), np.arange(0, m * width + 1, width)), (m, m))
        a.sum_duplicates()  # about a fifth of the entries remain: less memory, faster products
        return a


_STEPS: dict[tuple, _Steps] = {}


def _steps(ch: Challenger, t_s: int) -> _Steps:
    """The maps of every day before t_s, kept for the last two ``ch.structure`` (an ensemble
    whose draws change only the payoffs or the costs reuses them; about 1 MB per observation
    day at the default grids)."""
    key = (ch.structure, t_s)
    if key not in _STEPS:
        if len(_STEPS) >= 2:
            _STEPS.pop(next(iter(_STEPS)))
        _STEPS[key] = _build_steps(ch, t_s)
    return _STEPS[key]


def _day_steps(ch: Challenger, t_s: int, order: range, keep: bool):
    """(t, p_t, A_t) for the days of ``order``; days with the same hazards (and window means)
    share one map, all kept if ``keep``, else only the last one (large grids: memory)."""
    k = ch.k
    n = ch.grid if ch.grid is not None else default_grid(k)
    nodes, _ = grid_nodes(n, k)
    obs_index = {int(o): i for i, o in enumerate(ch.signal.days)}
    hz = _extend(ch.hazard, t_s)
    seen: dict[bytes, tuple[np.ndarray, sparse.csr_matrix]] = {}
    for t in order:
        ht = hz[:, t]
        mu = ch.mu[:, obs_index[t]] if t in obs_index else None
        key = ht.tobytes() + (b"" if mu is None else mu.tobytes())
        if key not in seen:
            if not keep:
                seen.clear()
            seen[key] = (nodes @ ht, _step_map(ch, nodes, n, ht, mu))
        yield t, *seen[key]


def _build_steps(ch: Challenger, t_s: int) -> _Steps:
    days = list(_day_steps(ch, t_s, range(t_s), keep=True))
    return _Steps(p=tuple(d[1] for d in days), a=tuple(d[2] for d in days))


@functools.lru_cache(maxsize=64)
def solve_grid(ch: Challenger, t_end: int = 0) -> GridPolicy:
    """Backward induction on G_N from t_s = max O + 1 down to day 0 (§5.2), cached; the
    beliefs' motion (:func:`_steps`) is cached apart, per ``ch.structure``."""
    if not ch.observed:
        raise ValueError("a grid policy needs a signal with at least one observation day")
    k = ch.k
    n = ch.grid if ch.grid is not None else default_grid(k)
    t_s = int(ch.signal.days[-1]) + 1
    nodes_n, policy, successors = grid_work(ch)
    if nodes_n > MAX_NODES or policy > MAX_POLICY or successors > MAX_SUCCESSORS:
        raise ValueError(
            f"a belief grid of {nodes_n:,} nodes, {policy:,} policy values and {successors:,} "
            f"successor beliefs (at most {MAX_NODES:,}, {MAX_POLICY:,} and {MAX_SUCCESSORS:,})"
        )
    nodes, _ = grid_nodes(n, k)
    W, L, delta = ch.win, ch.concede, ch.delta
    value = survival_plan(ch, nodes, t0=t_s, t_end=max(t_end, t_s)).value
    back = range(t_s - 1, -1, -1)
    if successors <= _CACHE_SUCCESSORS:
        steps = _steps(ch, t_s)
        days = ((t, steps.p[t], steps.a[t]) for t in back)
    else:  # too large to keep: each day's map is built when it is needed
        days = _day_steps(ch, t_s, back, keep=False)
    h = np.empty((t_s, nodes.shape[0]))
    for t, p_t, a_t in days:
        ht_val = -ch.cost[min(t, ch.cost.size - 1)] + p_t * W + delta * (a_t @ value)
        h[t] = ht_val
        value = np.where(ht_val > L + EPS, ht_val, L)
    return GridPolicy(n=n, t_s=t_s, h=h)
