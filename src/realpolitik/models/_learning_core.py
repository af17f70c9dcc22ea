"""A challenger that learns whether the defender will break: pure functions over arrays.

docs/specs/learning.md. The challenger C holds a belief over K types of defender D, updates
it by Bayes' rule in log space from D's survival and, optionally, from window means of D's
performance (§3-4), and gives way by optimal stopping (§5). Ideas: Powell 2004 (AJPS 48(2)),
Filson & Werner 2002 (AJPS 46(4)), Slantchev 2003 (APSR 97(4)); monotone stopping, Chow,
Robbins & Siegmund 1971; belief grids, Lovejoy 1991 (Operations Research 39(1)).

1. :func:`derived_hazard` and :func:`true_hazard`: the stocks-then-shortfall rule (§2, §6).
2. :func:`survival_plan`: §5.1, exact backward induction on the deterministic belief path
   with the tail solved in closed form (single-peaked f(n), doubling then bisection).
3. :func:`solve_grid`: §5.2, backward induction on the Freudenthal grid G_N with
   Gauss-Hermite quadrature over the signal; cached per distinct :class:`Challenger`.

C's day along paths of observations, the end distribution and the sampler are in
:mod:`realpolitik.models._learning_paths`.

Days are whole; every array over days holds its last value for ever after.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from scipy.special import ndtr

__all__ = [
    "EPS",
    "SignalModel",
    "Challenger",
    "SurvivalPlan",
    "GridPolicy",
    "default_grid",
    "grid_nodes",
    "derived_hazard",
    "true_hazard",
    "update",
    "survival_plan",
    "solve_grid",
    "interpolate",
]

EPS = 1e-12  # §5: C concedes when holding is worth at most L + ε (D6: ties go to conceding)
MAX_NODES = 200_000


def _at(arr: np.ndarray, t: int) -> np.ndarray:
    """``arr[..., t]``, the last value holding after the end."""
    return arr[..., min(t, arr.shape[-1] - 1)]


def _extend(arr: np.ndarray, n: int) -> np.ndarray:
    """``arr`` over days 0..n-1 (the last value held); never shorter than given."""
    arr = np.asarray(arr, dtype=float)
    if arr.shape[-1] >= n:
        return arr
    pad = np.repeat(arr[..., -1:], n - arr.shape[-1], axis=-1)
    return np.concatenate([arr, pad], axis=-1)


def _constant_from(arr: np.ndarray) -> int:
    """The first day from which every row of ``arr`` keeps its last value."""
    arr = np.atleast_2d(arr)
    diff = np.any(arr != arr[:, -1:], axis=0)
    idx = np.nonzero(diff)[0]
    return int(idx[-1] + 1) if idx.size else 0


# -- §3 the signal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalModel:
    """Window means every ``every`` days from ``start``, observed on o_k ≤ ``end`` (§3)."""

    every: int
    start: int
    end: int
    sigma: float
    family: str = "normal"
    floor: float = 1e-3

    @property
    def days(self) -> np.ndarray:
        """The observation days O = {o_k = start + (k+1)·every − 1 ≤ end}."""
        n = max((self.end - self.start + 1) // self.every, 0)
        return self.start + (np.arange(n) + 1) * self.every - 1

    def window_means(self, series: np.ndarray) -> np.ndarray:
        """Means over each window D_k of a daily series (``[..., day]``): ``[..., k]``."""
        o = self.days
        if o.size == 0:
            return np.zeros((*np.shape(series)[:-1], 0))
        full = _extend(np.asarray(series, dtype=float), int(o[-1]) + 1)
        idx = self.start + np.arange(o.size)[:, None] * self.every + np.arange(self.every)
        return full[..., idx].mean(axis=-1)

    def loglik(self, ybar: np.ndarray, mu: np.ndarray) -> np.ndarray:
        """λ_θ(ȳ) up to common terms (§3): broadcast ``ybar[...]`` against ``mu[..., K]``."""
        if self.family == "lognormal":
            y = np.log(np.maximum(ybar, self.floor))
            with np.errstate(divide="ignore"):
                m = np.log(mu)
        else:
            y, m = ybar, mu
        return -((y - m) ** 2) / (2.0 * self.sigma**2)


# -- the challenger's model --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Challenger:
    """What C's policy depends on (§5.2 "Cache"); hashable by value for the cache.

    ``cost[T]`` c_C per day, ``hazard[K, T]`` h_θ per day (both hold their last value),
    ``mu[K, n_obs]`` the types' window means μ_{θ,k} (with a signal), ``grid`` N (None: the
    §5.2 default), ``quadrature`` J.
    """

    win: float
    concede: float
    rate: float
    cost: np.ndarray
    hazard: np.ndarray
    signal: SignalModel | None = None
    mu: np.ndarray | None = None
    grid: int | None = None
    quadrature: int = 20
    _key: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows = [np.atleast_1d(np.asarray(r, dtype=float)) for r in self.hazard]
        cost = np.atleast_1d(np.asarray(self.cost, dtype=float))
        n = max(cost.shape[0], *(r.shape[0] for r in rows))
        hz, cost = np.stack([_extend(r, n) for r in rows]), _extend(cost, n)
        object.__setattr__(self, "hazard", hz)
        object.__setattr__(self, "cost", cost)
        mu = None if self.mu is None else np.atleast_2d(np.asarray(self.mu, dtype=float))
        object.__setattr__(self, "mu", mu)
        key = (
            float(self.win), float(self.concede), float(self.rate), hz.shape, hz.tobytes(),
            cost.tobytes(), self.signal, None if mu is None else (mu.shape, mu.tobytes()),
            self.grid, int(self.quadrature),
        )  # fmt: skip
        object.__setattr__(self, "_key", key)

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Challenger) and self._key == other._key

    @property
    def k(self) -> int:
        return int(self.hazard.shape[0])

    @property
    def delta(self) -> float:
        return math.exp(-self.rate)

    @property
    def constant_from(self) -> int:
        """T_c: the first day from which c_C and every h_θ are constant (§5.1)."""
        return max(_constant_from(self.hazard), _constant_from(self.cost))

    @property
    def observed(self) -> bool:
        return self.signal is not None and self.signal.days.size > 0


# -- §2 and §6: hazards from performance -------------------------------------------------------


def derived_hazard(
    mean: np.ndarray, *, threshold: float, rate: float, stocks_days: float, sd: float,
    family: str = "normal",
) -> np.ndarray:  # fmt: skip
    """h_θ(t) = η·1[B(t) = 0]·P(t) (§2), over days until it is constant (then held).

    B(0) = b0, B(t+1) = max(0, B(t) + m(t) − 1); P(t) = Φ((y_min − m)/s) (normal) or
    Φ((ln y_min − ln m)/s) and 1 where m = 0 (lognormal).
    """
    m = np.atleast_1d(np.asarray(mean, dtype=float))
    last = float(m[-1])
    stocks = np.empty(m.size + 1)
    stocks[0] = stocks_days
    for t in range(m.size):
        stocks[t + 1] = max(0.0, stocks[t] + m[t] - 1.0)
    b = float(stocks[-1])
    if last < 1.0 and b > 0.0:  # the stocks still run down after the last change of m
        extra = int(math.ceil(b / (1.0 - last))) + 1
        m = _extend(m, m.size + extra)
        stocks = np.concatenate(
            [stocks, np.maximum(0.0, b - (1.0 - last) * np.arange(1, extra + 1))]
        )
    elif last > 1.0 and b == 0.0:  # stocks grow again from the next day on
        m = _extend(m, m.size + 1)
        stocks = np.append(stocks, last - 1.0)
    if family == "lognormal":
        with np.errstate(divide="ignore"):
            p = np.where(
                m > 0.0, ndtr((math.log(threshold) - np.log(np.where(m > 0, m, 1.0))) / sd), 1.0
            )
    else:
        p = ndtr((threshold - m) / sd)
    return rate * (stocks[: m.size] <= 0.0) * p


def true_hazard(
    y: np.ndarray, *, threshold: float, rate: float, stocks_days: float,
    stocks: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """h*(t) = η·1[B*(t) = 0]·1[y(t) < y_min] (§6, coupled); B* is ``stocks`` if given."""
    y = np.asarray(y, dtype=float)
    if stocks is None:
        b = np.empty(y.size)
        cur = stocks_days
        for t in range(y.size):
            b[t] = cur
            cur = max(0.0, cur + y[t] - 1.0)
    else:
        b = _extend(np.asarray(stocks, dtype=float), y.size)[: y.size]
    return rate * ((b <= 0.0) & (y < threshold))


# -- §4 Bayes' rule ------------------------------------------------------------------------------


def update(logb: np.ndarray, add: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ℓ' = ℓ + add, renormalised so max ℓ = 0 (§4). Rows where every ℓ' is −∞ keep ℓ.

    Returns (the new ℓ, a mask of the rows kept unchanged)."""
    with np.errstate(invalid="ignore"):
        new = logb + add
    top = new.max(axis=-1, keepdims=True)
    dead = ~np.isfinite(top[..., 0])
    with np.errstate(invalid="ignore"):
        new = new - np.where(np.isfinite(top), top, 0.0)
    if np.any(dead):
        new[dead] = logb[dead]
    return new, dead


def _probs(logb: np.ndarray) -> np.ndarray:
    w = np.exp(logb - logb.max(axis=-1, keepdims=True))
    return w / w.sum(axis=-1, keepdims=True)


def _log(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(np.asarray(p, dtype=float))


def _log1m(h: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log1p(-np.asarray(h, dtype=float))


# -- §5.1 survival only: exact ---------------------------------------------------------------------


@dataclass(frozen=True)
class SurvivalPlan:
    """§5.1 from day ``t0`` for a batch of beliefs ``[B, K]``.

    ``h[B, T_e − t0]`` H_t for t = t0..T_e−1; ``value[B]`` V_{t0}; ``tail[B]`` n* (inf for
    never); ``tau[B]`` C's concession day (inf for never); ``t_end`` T_e.
    """

    t0: int
    t_end: int
    h: np.ndarray
    value: np.ndarray
    tail: np.ndarray
    tau: np.ndarray


def _tail(ch: Challenger, logb: np.ndarray, *, tol: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """n* and f(n*) at T_e from beliefs ``logb[B, K]`` with constant inputs (§5.1).

    d(n) = p̄_n(W − δL) − c̄ − (1 − δ)L, p̄_n in log space; n* = min{n : d(n) ≤ tol}.
    """
    W, L, delta = ch.win, ch.concede, ch.delta
    hbar = ch.hazard[:, -1]
    cbar = float(ch.cost[-1])
    lh = _log1m(hbar)
    bar = cbar + (1.0 - delta) * L

    def d(n: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            w = logb + np.where(n[:, None] == 0, 0.0, n[:, None] * lh[None, :])
        p = np.exp(w - w.max(axis=1, keepdims=True))
        pbar = (p * hbar).sum(axis=1) / p.sum(axis=1)
        return pbar * (W - delta * L) - bar

    b = logb.shape[0]
    n = np.zeros(b)
    d0 = d(n)
    going = d0 > tol
    support = np.isfinite(logb)
    pinf = np.where(support, hbar[None, :], np.inf).min(axis=1)
    never = going & (pinf * (W - delta * L) - bar > tol)
    search = going & ~never
    n[never] = np.inf
    if np.any(search):
        hi = np.where(search, 1.0, 0.0)
        todo = search & (d(hi) > tol)
        while np.any(todo):
            hi = np.where(todo, hi * 2.0, hi)
            todo = todo & (d(hi) > tol) & (hi < 2.0**62)
        lo = np.where(hi > 1.0, hi / 2.0, 0.0)
        while np.any(search & (hi - lo > 1.0)):
            mid = np.floor((lo + hi) / 2.0)
            ok = d(mid) <= tol
            active = search & (hi - lo > 1.0)
            hi = np.where(active & ok, mid, hi)
            lo = np.where(active & ~ok, mid, lo)
        n[search] = hi[search]
    a = delta * (1.0 - hbar)
    pi = _probs(logb)
    with np.errstate(invalid="ignore", over="ignore"):
        an = np.where(
            np.isinf(n)[:, None], 0.0, a[None, :] ** np.where(np.isinf(n), 0.0, n)[:, None]
        )
    f = (pi * ((hbar * W - cbar) * (1.0 - an) / (1.0 - a) + an * L)).sum(axis=1)
    stop = f <= L + EPS  # D6: a tail worth at most L + ε is not held
    n = np.where(stop, 0.0, n)
    f = np.where(stop, L, f)
    return n, f


def _belief_path(ch: Challenger, logb: np.ndarray, t0: int, t1: int) -> np.ndarray:
    """ℓ_t for t = t0..t1 from ``logb`` at t0 by survival only: ``[B, t1 − t0 + 1, K]``."""
    hz = _extend(ch.hazard, t1)[:, t0:t1]
    cum = np.concatenate([np.zeros((1, logb.shape[1])), np.cumsum(_log1m(hz).T, axis=0)])
    path = logb[:, None, :] + cum[None]
    top = path.max(axis=-1, keepdims=True)
    if np.all(np.isfinite(top)):
        return path - top
    return _belief_path_slow(ch, logb, t0, t1)


def _belief_path_slow(ch: Challenger, logb: np.ndarray, t0: int, t1: int) -> np.ndarray:
    out = np.empty((logb.shape[0], t1 - t0 + 1, logb.shape[1]))
    cur = logb
    out[:, 0] = cur
    hz = _extend(ch.hazard, t1)
    for i, t in enumerate(range(t0, t1)):
        cur, _ = update(cur, _log1m(hz[:, t])[None, :])
        out[:, i + 1] = cur
    return out


def survival_plan(ch: Challenger, belief: np.ndarray, *, t0: int = 0, t_end: int = 0,
                  myopic: bool = False) -> SurvivalPlan:  # fmt: skip
    """§5.1 (or §5.3 if ``myopic``) from (t0, π) for beliefs ``belief[B, K]`` (or ``[K]``).

    T_e = max(t_end, T_c, t0). H_t = −c(t) + p_t W + (1 − p_t)δV_{t+1}; V_t = H_t if
    H_t > L + ε else L; τ = min{t < T_e: H_t ≤ L + ε}, else T_e + n*. Under ``myopic`` the
    test is p_t(W − δL) ≤ c(t) + (1 − δ)L + ε and ``h`` holds that margin plus L.
    """
    logb = _log(np.atleast_2d(belief))
    logb, _ = update(np.zeros_like(logb), logb)
    te = max(int(t_end), ch.constant_from, int(t0))
    path = _belief_path(ch, logb, t0, te)
    W, L, delta = ch.win, ch.concede, ch.delta
    n, v = _tail(ch, path[:, -1], tol=EPS if myopic else 0.0)
    hz = _extend(ch.hazard, te)
    cost = _extend(ch.cost, te)
    b = logb.shape[0]
    h = np.empty((b, te - t0))
    value = v
    for t in range(te - 1, t0 - 1, -1):
        pi = _probs(path[:, t - t0])
        p = pi @ hz[:, t]
        if myopic:
            h[:, t - t0] = L + p * (W - delta * L) - cost[t] - (1.0 - delta) * L
        else:
            h[:, t - t0] = -cost[t] + p * W + (1.0 - p) * delta * value
            value = np.where(h[:, t - t0] > L + EPS, h[:, t - t0], L)
    stop = h <= L + EPS
    first = np.where(stop.any(axis=1), stop.argmax(axis=1) + t0, np.inf)
    tau = np.where(np.isfinite(first), first, te + n)
    return SurvivalPlan(t0=int(t0), t_end=te, h=h, value=value, tail=n, tau=tau)


# -- §5.2 the belief grid ------------------------------------------------------------------------


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


def interpolate(values: np.ndarray, points: np.ndarray, n: int) -> np.ndarray:
    """V̂ at beliefs ``points[P, K]`` from ``values`` at the nodes of G_N (§5.2)."""
    k = points.shape[-1]
    _, binom = grid_nodes(n, k)
    idx, w = _vertices(points, n, binom)
    return (values[..., idx] * w).sum(axis=-1)


@dataclass(frozen=True)
class GridPolicy:
    """§5.2: Ĥ_t at the nodes for t < t_s (``h[t_s, M]``), N and the day t_s."""

    n: int
    t_s: int
    h: np.ndarray

    def holding(self, t: int, belief: np.ndarray) -> np.ndarray:
        """Ĥ_t at beliefs ``[P, K]`` (t < t_s)."""
        return interpolate(self.h[t], belief, self.n)


@functools.lru_cache(maxsize=64)
def solve_grid(ch: Challenger, t_end: int = 0) -> GridPolicy:
    """Backward induction on G_N from t_s = max O + 1 down to day 0 (§5.2), cached."""
    if not ch.observed:
        raise ValueError("a grid policy needs a signal with at least one observation day")
    k = ch.k
    n = ch.grid if ch.grid is not None else default_grid(k)
    if math.comb(n + k - 1, k - 1) > MAX_NODES:
        raise ValueError(f"grid {n} gives more than {MAX_NODES} nodes")
    nodes, _ = grid_nodes(n, k)
    sig = ch.signal
    obs = sig.days
    t_s = int(obs[-1]) + 1
    W, L, delta = ch.win, ch.concede, ch.delta
    value = survival_plan(ch, nodes, t0=t_s, t_end=max(t_end, t_s)).value
    x, w = np.polynomial.hermite.hermgauss(int(ch.quadrature))
    omega = w / math.sqrt(math.pi)
    obs_index = {int(o): i for i, o in enumerate(obs)}
    hz = _extend(ch.hazard, t_s)
    h = np.empty((t_s, nodes.shape[0]))
    lognormal = sig.family == "lognormal"
    for t in range(t_s - 1, -1, -1):
        ht = hz[:, t]
        p = nodes @ ht
        s = nodes * (1.0 - ht)
        tot = s.sum(axis=1)
        if t in obs_index:
            mu = ch.mu[:, obs_index[t]]
            m = np.log(mu) if lognormal else mu
            z = m[:, None] + math.sqrt(2.0) * sig.sigma * x[None, :]  # [K', J]
            if lognormal:
                z = np.maximum(z, math.log(sig.floor))
            lam = -((z[None, :, :] - m[:, None, None]) ** 2) / (2.0 * sig.sigma**2)  # [K, K', J]
            logs = _log(s)  # [M, K]
            post = logs[:, None, None, :] + np.moveaxis(lam, 0, -1)[None]  # [M, K', J, K]
            top = post.max(axis=-1, keepdims=True)
            post = np.exp(post - np.where(np.isfinite(top), top, 0.0))
            tot_post = post.sum(axis=-1, keepdims=True)
            post = np.where(tot_post > 0.0, post / np.where(tot_post > 0, tot_post, 1.0), 1.0 / k)
            vhat = interpolate(value, post.reshape(-1, k), n).reshape(post.shape[:3])
            e = (s * (vhat @ omega)).sum(axis=1)
        else:
            safe = np.where(tot[:, None] > 0.0, s / np.where(tot > 0.0, tot, 1.0)[:, None], nodes)
            e = np.where(tot > 0.0, tot * interpolate(value, safe, n), 0.0)
        ht_val = -ch.cost[min(t, ch.cost.size - 1)] + p * W + delta * e
        h[t] = ht_val
        value = np.where(ht_val > L + EPS, ht_val, L)
    return GridPolicy(n=n, t_s=t_s, h=h)
