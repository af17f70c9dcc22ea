"""The learning model along paths: C's concession days and who gives way when (pure).

docs/specs/learning.md §5-6. :func:`concession_days` walks beliefs forward by Bayes' rule
(§4) along paths of observed window means and applies C's policy (§5.2 grid or §5.3 myopic
before t_s, §5.1 from t_s); :func:`end_distribution` mixes who gives way on which day over
weighted paths (§6 "End distribution"); :func:`outcome` runs one of the three modes
(survival, generated, coupled) and :func:`sample` draws ends for an ensemble (§6
"Ensembles").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from realpolitik.models._learning_core import (
    EPS,
    Challenger,
    _at,
    _belief_path,
    _extend,
    _log,
    _log1m,
    _probs,
    survival_plan,
    survival_plan_cached,
    update,
)
from realpolitik.models._learning_grid import GridPolicy, solve_grid, weights

__all__ = ["Paths", "Ends", "Outcome", "concession_days", "end_distribution", "outcome", "sample"]


@dataclass(frozen=True)
class Paths:
    """C's concession day ``tau[P]`` (inf: never) and beliefs ``belief[P, H + 1, K]`` along
    paths on which D stands; ``value`` C's day-0 value (None if myopic); ``dead`` the days on
    which no type of C's model could have survived (the belief is kept, §4)."""

    tau: np.ndarray
    belief: np.ndarray
    value: float | None
    dead: tuple[int, ...] = ()


def _holding(grid: GridPolicy, belief: np.ndarray, start: int, block: int = 1 << 18) -> np.ndarray:
    """Ĥ_t at ``belief[P, T, K]`` for days start..start+T−1, in blocks of paths of at most
    ``block`` beliefs (the same numbers as one belief at a time, without the loop)."""
    p, n, k = belief.shape
    out = np.empty((p, n))
    rows = max(1, block // max(n, 1))
    days = np.arange(start, start + n)
    for r in range(0, p, rows):
        part = belief[r : r + rows]
        idx, w = weights(part.reshape(-1, k), grid.n)
        t = np.broadcast_to(days, part.shape[:2]).reshape(-1, 1)
        out[r : r + rows] = (grid.h[t, idx] * w).sum(axis=-1).reshape(part.shape[:2])
    return out


def concession_days(
    stages: list[tuple[int, Challenger]], prior: np.ndarray, horizon: int,
    ybar: np.ndarray | None = None, *, policy: str = "optimal", paths: int = 1,
    beliefs: bool = True,
) -> Paths:  # fmt: skip
    """C's day along ``paths`` paths: ``ybar[P, n_obs]`` the observed window means.

    ``stages`` [(day, model)], the first on day 0: a surprise re-solves C's policy from its
    day with the belief carried over (§7, "Distributions and events"). Before t_s C uses the
    grid (optimal) or the one-step test (myopic) at its exact belief; from t_s (day 0 with
    survival only) the §5.1 plan from (t_s, π_{t_s}) fixes the rest.
    """
    first = stages[0][1]
    myopic = policy == "myopic"
    k = first.k
    obs = first.signal.days if first.observed else np.zeros(0, dtype=int)
    t_s = int(obs[-1]) + 1 if obs.size else 0
    p = ybar.shape[0] if ybar is not None else paths
    logb0 = _log(np.broadcast_to(np.asarray(prior, dtype=float), (p, k)))
    logb, _ = update(np.zeros_like(logb0), logb0)
    days = max(horizon + 1, t_s + 1)
    belief = np.empty((p, days if beliefs else t_s + 1, k))
    tau = np.full(p, np.inf)
    dead: list[int] = []
    starts = [d for d, _ in stages]
    obs_index = {int(o): i for i, o in enumerate(obs)}

    def model(t: int) -> Challenger:
        return stages[int(np.searchsorted(starts, t, side="right")) - 1][1]

    grids = {} if myopic or t_s == 0 else {id(m): solve_grid(m, horizon + 1) for _, m in stages}
    value = None
    for t in range(t_s):
        pi = _probs(logb)
        belief[:, t] = pi
        ch = model(t)
        if myopic:
            pt = pi @ _at(ch.hazard, t)
            margin = pt * (ch.win - ch.delta * ch.concede) - _at(ch.cost, t)
            stop = margin <= (1.0 - ch.delta) * ch.concede + EPS
            tau = np.where(np.isinf(tau) & stop, float(t), tau)
        add = np.broadcast_to(_log1m(_at(ch.hazard, t)), (p, k))
        if t in obs_index:
            add = add + ch.signal.loglik(ybar[:, obs_index[t]][:, None], ch.mu[:, obs_index[t]])
        logb, gone = update(logb, add)
        if np.any(gone):
            dead.append(t)
    if grids:  # Ĥ_t at each day's belief, all days of a stage at once (the beliefs do not
        # depend on C's decision, so the first day on which holding does not pay is τ)
        bounds = [*starts[1:], t_s]
        for (d, ch), end in zip(stages, bounds, strict=True):
            lo, hi = min(d, t_s), min(end, t_s)
            if hi <= lo:
                continue
            hold = _holding(grids[id(ch)], belief[:, lo:hi], lo)
            if lo == 0:
                value = float(max(ch.concede, hold[0, 0]))
            stop = hold <= ch.concede + EPS
            day = np.where(stop.any(axis=1), stop.argmax(axis=1) + lo, np.inf)
            tau = np.minimum(tau, day)
    # From t_s: survival only, exactly (§5.1), the policy switching at later surprises.
    pi_s = _probs(logb)
    later = [(d, m) for d, m in stages if d > t_s]
    in_force = model(t_s)
    te = max(horizon + 1, t_s, *(m.constant_from for _, m in stages), *starts)
    solve = survival_plan_cached if p == 1 else survival_plan  # one path: cache its plan
    plans = [(t_s, solve(in_force, pi_s, t0=t_s, t_end=te, myopic=myopic))]
    plans += [(d, solve(m, pi_s, t0=t_s, t_end=te, myopic=myopic)) for d, m in later]
    if t_s == 0 and not myopic:
        value = float(plans[0][1].value[0])
    te = plans[0][1].t_end
    bounds = [d for d, _ in plans[1:]] + [te]
    for (d, plan), stop_day in zip(plans, bounds, strict=True):
        hit = plan.h[:, d - t_s : stop_day - t_s] <= first.concede + EPS
        if hit.shape[1] == 0:
            continue
        day = np.where(hit.any(axis=1), hit.argmax(axis=1) + d, np.inf)
        tau = np.where(np.isinf(tau), day, tau)
    last = plans[-1][1]
    tau = np.where(np.isinf(tau), last.t_end + last.tail, tau)
    if not beliefs:
        return Paths(tau=tau, belief=belief[:, :0], value=value, dead=tuple(dead))
    path = _belief_path(in_force, _log(pi_s), t_s, days - 1) if days - 1 > t_s else None
    if path is not None:
        belief[:, t_s:] = _probs(path)
    else:
        belief[:, t_s] = pi_s
    return Paths(tau=tau, belief=belief[:, : horizon + 1], value=value, dead=tuple(dead))


@dataclass(frozen=True)
class Ends:
    """Who gives way on which day, mixed over weighted paths (§6 "End distribution").

    ``pmf_c[H + 1]`` and ``pmf_d[H + 1]`` P(C / D gives way on day t); ``quit`` the part of
    D's that is quitting; ``none`` P(no end by H); ``by_path`` each path's (C, D, none).
    """

    pmf_c: np.ndarray
    pmf_d: np.ndarray
    quit: float
    none: float
    by_path: np.ndarray

    @property
    def p_first(self) -> tuple[float, float]:
        """(P(C first by H), P(D first by H)), rounding kept within [0, 1]."""
        return tuple(min(1.0, max(0.0, float(x.sum()))) for x in (self.pmf_c, self.pmf_d))

    @property
    def cdf(self) -> np.ndarray:
        return np.cumsum(self.pmf_c + self.pmf_d)

    def quantile(self, q: float) -> int | None:
        """The smallest t ≤ H with F(t) ≥ q, else None."""
        hit = np.nonzero(self.cdf >= q - 1e-15)[0]
        return int(hit[0]) if hit.size else None


def end_distribution(
    tau: np.ndarray, hstar: np.ndarray, weights: np.ndarray, horizon: int,
    quit_day: int | None = None,
) -> Ends:  # fmt: skip
    """§6: D gives way on t < min(τ, H + 1) with S*(t)h*(t); C on τ ≤ H with S*(τ); no end
    by H with S*(H + 1) if τ > H. ``hstar[P, ≥ H + 1]`` each path's true hazard; a quit on
    ``quit_day`` makes h* 1 that day."""
    hs = _extend(np.atleast_2d(np.asarray(hstar, dtype=float)), horizon + 1)[
        :, : horizon + 1
    ].copy()
    if quit_day is not None and quit_day <= horizon:
        hs[:, quit_day] = 1.0
    surv = np.concatenate([np.ones((hs.shape[0], 1)), np.cumprod(1.0 - hs, axis=1)], axis=1)
    days = np.arange(horizon + 1)
    before = days[None, :] < tau[:, None]
    d_mass = surv[:, :-1] * hs * before
    c_mass = np.zeros_like(d_mass)
    yes = tau <= horizon
    ti = np.where(yes, tau, 0).astype(int)
    c_mass[np.nonzero(yes)[0], ti[yes]] = surv[np.nonzero(yes)[0], ti[yes]]
    none = np.where(yes, 0.0, surv[:, -1])
    w = np.asarray(weights, dtype=float)
    quit = 0.0
    if quit_day is not None and quit_day <= horizon:
        quit = float((w * d_mass[:, quit_day]).sum())
    by_path = np.stack([c_mass.sum(axis=1), d_mass.sum(axis=1), none], axis=1)
    return Ends(
        pmf_c=w @ c_mass, pmf_d=w @ d_mass, quit=quit, none=float(w @ none), by_path=by_path
    )


_CHUNK = 2000  # paths evaluated at once; the belief's p10/p90 use the first chunk per type


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative weight reaches q (§6, ``trace``)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(np.asarray(weights, dtype=float)[order])
    cum = cum / cum[-1]
    return float(np.asarray(values)[order][int(np.searchsorted(cum, q - 1e-12))])


@dataclass(frozen=True)
class Outcome:
    """One forecast (§6): the ends, C's days ``tau`` per path with ``weights`` and true
    ``types`` (−1: the coupled series), the belief along D-stands paths (``belief`` mean,
    ``belief_p10``, ``belief_p90``, each ``[H + 1, K]``), C's ``value``, ``by_type``
    {type index: (p_first C, p_first D, no end)}, ``mc_se`` and the ``dead`` days."""

    mode: str
    ends: Ends
    tau: np.ndarray
    weights: np.ndarray
    types: np.ndarray
    belief: np.ndarray
    belief_p10: np.ndarray
    belief_p90: np.ndarray
    value: float | None
    by_type: dict[int, tuple[float, float, float]]
    mc_se: float | None
    dead: tuple[int, ...]

    def concession_quantile(self, q: float, horizon: int) -> int | None:
        """The weighted q-quantile of C's day τ, None beyond the horizon."""
        t = weighted_quantile(self.tau, self.weights, q)
        return int(t) if t <= horizon else None


def _signal_draws(ch: Challenger, theta: int | np.ndarray, z: np.ndarray) -> np.ndarray:
    """Window means of a generated path (§3): μ_{θ*,k} + σZ_k, lognormal μ·exp(σZ_k)."""
    mu = ch.mu[theta]
    if ch.signal.family == "lognormal":
        return mu * np.exp(ch.signal.sigma * z)
    return mu + ch.signal.sigma * z


def _true_hazards(ch: Challenger, horizon: int) -> np.ndarray:
    return _extend(ch.hazard, horizon + 1)[:, : horizon + 1]


def outcome(
    stages: list[tuple[int, Challenger]], prior: np.ndarray, truth: np.ndarray, horizon: int,
    *, mode: str, policy: str = "optimal", paths: int = 2000,
    rng: np.random.Generator | None = None, ybar: np.ndarray | None = None,
    hstar: np.ndarray | None = None, quit_day: int | None = None,
) -> Outcome:  # fmt: skip
    """The forecast of one mode (§6): ``survival`` (no signal; every type, the common τ*),
    ``generated`` (``paths`` signal paths per type with ρ > 0, drawn from ``rng`` type by
    type, each ``[paths, n_obs]`` standard normals) or ``coupled`` (``ybar[1, n_obs]`` the
    observed window means and ``hstar`` the series' true hazard)."""
    ch = stages[0][1]
    k = ch.k
    rho = np.asarray(truth, dtype=float)
    rho = rho / rho.sum()
    hz = _true_hazards(ch, horizon)
    dead: tuple[int, ...] = ()
    if mode == "generated":
        live = [int(t) for t in np.nonzero(rho > 0)[0]]
        taus, types, beliefs, weights = [], [], [], []
        mean = np.zeros((horizon + 1, k))
        norm = np.zeros(horizon + 1)
        surv = np.concatenate([np.ones((k, 1)), np.cumprod(1.0 - hz, axis=1)[:, :-1]], axis=1)
        value = None
        for theta in live:
            z = rng.standard_normal((paths, ch.signal.days.size))
            w = rho[theta] / paths
            wt = w * surv[theta]  # [H + 1]
            for lo in range(0, paths, _CHUNK):
                ybar_c = _signal_draws(ch, theta, z[lo : lo + _CHUNK])
                cp = concession_days(stages, prior, horizon, ybar_c, policy=policy)
                value = cp.value
                mean += wt[:, None] * cp.belief.sum(axis=0)
                norm += wt * ybar_c.shape[0]
                taus.append(cp.tau)
                if lo == 0:
                    beliefs.append((cp.belief, wt))
                dead += cp.dead
            types.append(np.full(paths, theta))
            weights.append(np.full(paths, w))
        tau, typ, wts = np.concatenate(taus), np.concatenate(types), np.concatenate(weights)
        ends = end_distribution(tau, hz[typ], wts, horizon, quit_day)
        belief = mean / np.where(norm > 0, norm, 1.0)[:, None]
        p10, p90 = _belief_quantiles(beliefs, horizon, k)
        by_type = {}
        var = 0.0
        for theta in live:
            sel = typ == theta
            part = ends.by_path[sel]
            by_type[theta] = tuple(float(v) for v in part.mean(axis=0))
            var += rho[theta] ** 2 * part[:, 0].var(ddof=1) / sel.sum()
        return Outcome(
            mode, ends, tau, wts, typ, belief, p10, p90, value, by_type, float(np.sqrt(var)),
            tuple(sorted(set(dead))),
        )  # fmt: skip
    if mode == "coupled":
        cp = concession_days(stages, prior, horizon, ybar, policy=policy)
        ends = end_distribution(cp.tau, hstar, np.ones(1), horizon, quit_day)
        b = cp.belief[0]
        return Outcome(
            mode, ends, cp.tau, np.ones(1), np.array([-1]), b, b, b, cp.value, {}, None, cp.dead
        )  # fmt: skip
    cp = concession_days(stages, prior, horizon, policy=policy)
    tau = np.repeat(cp.tau, k)
    ends = end_distribution(tau, hz, rho, horizon, quit_day)
    by_type = {t: tuple(float(v) for v in ends.by_path[t]) for t in range(k)}
    b = cp.belief[0]
    return Outcome(mode, ends, tau, rho, np.arange(k), b, b, b, cp.value, by_type, None, cp.dead)


def _belief_quantiles(parts: list, horizon: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted p10 and p90 of the belief per day over (at most 2,000 per type) paths."""
    vals = np.concatenate([b for b, _ in parts])  # [P, H + 1, K]
    wts = np.concatenate([np.broadcast_to(w, (b.shape[0], w.size)) for b, w in parts])
    p10 = np.empty((horizon + 1, k))
    p90 = np.empty((horizon + 1, k))
    for t in range(horizon + 1):
        w = wts[:, t]
        if w.sum() <= 0:
            w = np.ones_like(w)
        for j in range(k):
            p10[t, j] = weighted_quantile(vals[:, t, j], w, 0.1)
            p90[t, j] = weighted_quantile(vals[:, t, j], w, 0.9)
    return p10, p90


def sample(
    stages: list[tuple[int, Challenger]], prior: np.ndarray, truth: np.ndarray, horizon: int,
    rng: np.random.Generator, n: int, *, mode: str, policy: str = "optimal",
    ybar: np.ndarray | None = None, hstar: np.ndarray | None = None,
    quit_day: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """``n`` ends drawn as §6 "Ensembles" says: per sample (2) θ* from ``rng.random()``
    (not coupled), (3) Z (generated), (4) τ along the path, (5) u and e_D = min{t :
    1 − S*(t+1) > u}. Returns ``who`` (0 C, 1 D, −1 no end by H) and ``day`` (inf)."""
    ch = stages[0][1]
    rho = np.asarray(truth, dtype=float)
    cum = np.cumsum(rho / rho.sum())
    n_obs = ch.signal.days.size if ch.observed else 0
    theta = np.full(n, -1)
    zs = np.zeros((n, n_obs))
    u = np.empty(n)
    for i in range(n):
        if mode != "coupled":
            theta[i] = min(int(np.searchsorted(cum, rng.random(), side="right")), rho.size - 1)
        if mode == "generated":
            zs[i] = rng.standard_normal(n_obs)
        u[i] = rng.random()
    if mode == "generated":
        ybars = _signal_draws(ch, theta, zs)
        tau = concession_days(stages, prior, horizon, ybars, policy=policy, beliefs=False).tau
    else:
        tau = np.repeat(concession_days(stages, prior, horizon, ybar, policy=policy).tau, n)
    if mode == "coupled":
        hs = _extend(np.atleast_2d(hstar), horizon + 1)[:, : horizon + 1].copy()
        row = np.zeros(n, dtype=int)
    else:
        hs, row = _true_hazards(ch, horizon).copy(), theta
    if quit_day is not None and quit_day <= horizon:
        hs[:, quit_day] = 1.0
    fell = 1.0 - np.cumprod(1.0 - hs, axis=1)  # 1 − S*(t + 1), t = 0..H, per true hazard
    e_d = np.full(n, np.inf)
    for r in np.unique(row):  # e_D = min{t : 1 − S*(t + 1) > u}; fell is non-decreasing
        sel = row == r
        first = np.searchsorted(fell[r], u[sel], side="right").astype(float)
        e_d[sel] = np.where(first <= horizon, first, np.inf)
    end = np.minimum(e_d, tau)
    who = np.where(end > horizon, -1, np.where(e_d < tau, 1, 0))
    day = np.where(who < 0, np.inf, end)
    return who.astype(np.int64), day.astype(float)
