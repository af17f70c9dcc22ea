"""The learning model: every check of docs/specs/learning.md §8, with its number.

Expected values come from the spec's §8 (numbers verified independently of this code), from
closed forms (the threshold belief q̄ and the ceiling formula for τ*, Bayes' rule for two
types), or from independent computations written here: F(τ) summed directly and maximised by
brute force, payoffs of sampled paths, and exact binomial and Kolmogorov-Smirnov tests.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import assert_located, line_of
from scipy import stats

from realpolitik.models._learning_core import (
    Challenger,
    SignalModel,
    derived_hazard,
    survival_plan,
    true_hazard,
    update,
)
from realpolitik.models._learning_grid import solve_grid
from realpolitik.models._learning_paths import (
    concession_days,
    end_distribution,
    outcome,
    sample,
)

R = 0.0003
DELTA = math.exp(-R)


def _ab(q: float) -> Challenger:
    """Check B of spec §8: a winter hazard on days 120-239."""
    hw = np.full(241, 0.005)
    hw[120:240] = 0.04
    return Challenger(win=0.7, concede=0.2, rate=R, cost=[0.0005], hazard=[hw, [0.0]])


def _a() -> Challenger:
    """Check A of spec §8: constant hazards 0.02 and 0."""
    return Challenger(win=1.0, concede=0.0, rate=R, cost=[0.001], hazard=[[0.02], [0.0]])


def _F_all(ch: Challenger, prior, n: int) -> np.ndarray:
    """F(τ) for τ = 0..n−1: Σ_θ π_0(θ)[Σ_{u<τ} δ^u S_θ(u)(h_θ(u)W − c(u)) + δ^τ S_θ(τ)L],
    summed directly (spec §5.1), independent of the backward induction."""
    prior = np.asarray(prior, float) / np.sum(prior)
    idx = np.minimum(np.arange(n + 1), ch.hazard.shape[1] - 1)
    c = ch.cost[np.minimum(np.arange(n + 1), ch.cost.size - 1)]
    disc = math.exp(-ch.rate) ** np.arange(n + 1)
    total = np.zeros(n)
    for k, p in enumerate(prior):
        h = ch.hazard[k, idx]
        s = np.concatenate([[1.0], np.cumprod(1 - h)])
        run = np.concatenate([[0.0], np.cumsum(disc * s[:-1] * (h * ch.win - c))])
        total += p * (run[:n] + disc[:n] * s[:n] * ch.concede)
    return total


# -- §8.1 A: survival only, two types, constant inputs --------------------------------------------


def test_8_1_a_threshold_and_closed_form_tau():
    # spec §8.1: q̄ = (c + (1 − δ)L)/(h_w(W − δL)) = 0.05; τ* = ⌈145.745⌉ = 146 (closed form)
    qbar = 0.001 / 0.02
    closed = math.ceil(math.log(qbar * 0.5 / (0.5 * (1 - qbar))) / math.log(0.98))
    assert closed == 146
    plan = survival_plan(_a(), np.array([0.5, 0.5]), t_end=366)
    assert plan.tau[0] == closed
    # V_0 = max F = Σ π_0(θ)(h_θW − c)(1 − a_θ^τ*)/(1 − a_θ) (spec §8.1), to 1e-9
    a = DELTA * np.array([0.98, 1.0])
    v0 = 0.5 * np.sum((np.array([0.02, 0.0]) - 0.001) * (1 - a**146) / (1 - a))
    assert v0 == pytest.approx(0.3732238, abs=5e-8)
    assert plan.value[0] == pytest.approx(v0, abs=1e-9)


def test_8_1_a_end_distribution_matches_spec():
    # spec §8.1: with ρ = π_0, P(D first) = 0.4738196, P(C first) = 0.5261804, ends 11/146/146;
    # with ρ(w) = 0.9: P(D first) = 0.8528752 and 5/40/146
    for rho, pd, q in (
        ([0.5, 0.5], 0.4738196, (11, 146, 146)),
        ([0.9, 0.1], 0.8528752, (5, 40, 146)),
    ):
        out = outcome([(0, _a())], np.array([0.5, 0.5]), np.array(rho), 365, mode="survival")
        pc_, pd_ = out.ends.p_first
        assert pd_ == pytest.approx(pd, abs=5e-8)
        assert pc_ == pytest.approx(1 - pd, abs=5e-8)
        assert (out.ends.quantile(0.1), out.ends.quantile(0.5), out.ends.quantile(0.9)) == q
        assert out.concession_quantile(0.5, 365) == 146  # τ* unchanged by a mistaken ρ


# -- §8.2 B: a winter hazard, where myopic fails -------------------------------------------------


@pytest.mark.parametrize(
    ("q", "tau", "myopic", "value"),
    [
        (0.1, 0, 0, 0.2),
        (0.2, 159, 0, 0.2057136),
        (0.3, 172, 79, 0.2535754),
        (0.5, 193, 193, 0.3550115),
    ],
)
def test_8_2_b_winter_hazard(q, tau, myopic, value):
    # spec §8.2: τ* = 0/159/172/193, myopic 0/0/79/193, V_0 = 0.2/0.2057136/0.2535754/0.3550115
    ch = _ab(q)
    plan = survival_plan(ch, np.array([q, 1 - q]), t_end=366)
    assert plan.tau[0] == tau
    assert plan.value[0] == pytest.approx(value, abs=5e-8)
    assert survival_plan(ch, np.array([q, 1 - q]), t_end=366, myopic=True).tau[0] == myopic
    # the same through the path function, with value reported, and null under myopic
    cp = concession_days([(0, ch)], np.array([q, 1 - q]), 365)
    assert cp.tau[0] == tau and cp.value == pytest.approx(value, abs=5e-8)
    assert concession_days([(0, ch)], np.array([q, 1 - q]), 365, policy="myopic").value is None


# -- §8.3 limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("hw", [0.001, 0.002, 0.01, 0.05])
def test_8_3_certain_of_weak(hw):
    # spec §8.3: τ* = ∞ if h_w(W − δL) > c + (1 − δ)L, else 0
    W, L, c = 1.0, 0.1, 0.002
    ch = Challenger(win=W, concede=L, rate=R, cost=[c], hazard=[[hw], [0.0]])
    tau = survival_plan(ch, np.array([1.0, 0.0]), t_end=100).tau[0]
    assert tau == (math.inf if hw * (W - DELTA * L) > c + (1 - DELTA) * L else 0)


def test_8_3_certain_of_strong_concedes_at_once_even_without_costs():
    # spec §8.3: certain of strong (h_s = 0): τ* = 0, even when c = L = 0 (D6: ties concede)
    for c, L in ((0.0, 0.0), (0.001, 0.2)):
        ch = Challenger(win=1.0, concede=L, rate=R, cost=[c], hazard=[[0.02], [0.0]])
        assert survival_plan(ch, np.array([0.0, 1.0]), t_end=50).tau[0] == 0


def test_8_3_no_learning():
    # spec §8.3: h_w = h_s and no signal (or μ_w = μ_s): π_t = π_0 and τ* ∈ {0, ∞}
    for c in (0.001, 0.05):
        ch = Challenger(win=1.0, concede=0.1, rate=R, cost=[c], hazard=[[0.01], [0.01]])
        cp = concession_days([(0, ch)], np.array([0.3, 0.7]), 200)
        np.testing.assert_allclose(cp.belief[0], np.tile([0.3, 0.7], (201, 1)), atol=1e-15)
        assert cp.tau[0] in (0, math.inf)
        sig = SignalModel(every=7, start=0, end=140, sigma=0.3)
        mu = np.full((2, sig.days.size), 0.5)
        chs = Challenger(
            win=1.0, concede=0.1, rate=R, cost=[c], hazard=[[0.01], [0.01]], signal=sig, mu=mu
        )
        ybar = np.random.default_rng(1).normal(0.5, 0.3, (5, sig.days.size))
        cps = concession_days([(0, chs)], np.array([0.3, 0.7]), 200, ybar)
        np.testing.assert_allclose(cps.belief[:, :, 0], 0.3, atol=1e-12)
        assert np.all(cps.tau == cp.tau[0])


def test_8_3_vanishing_hazard_concedes_at_once():
    # spec §8.3: as h_w → 0 with c + (1 − δ)L > 0, q̄ → ∞ and τ* = 0
    for hw in (1e-4, 1e-6, 0.0):
        ch = Challenger(win=1.0, concede=0.1, rate=R, cost=[0.001], hazard=[[hw], [0.0]])
        assert survival_plan(ch, np.array([0.9, 0.1]), t_end=50).tau[0] == 0


# -- §8.4 Bayes ------------------------------------------------------------------------------------


def test_8_4_bayes_closed_forms():
    # spec §4: with survival only π_t(θ) ∝ π_0(θ)S_θ(t); for two types with a normal signal
    # ln(π_t(w)/π_t(s)) = ln(π_0 ratio) + t ln((1−h_w)/(1−h_s)) + Σ (μ_w−μ_s)(2ȳ−μ_w−μ_s)/(2σ²)
    sig = SignalModel(every=7, start=0, end=20, sigma=0.3)
    mu = np.array([[0.3] * 3, [0.9] * 3])
    ch = Challenger(win=1, concede=0, rate=R, cost=[1.0], hazard=[[0.01], [0.0]], signal=sig, mu=mu)
    ybar = np.array([[0.8, 0.7, 0.85]])
    cp = concession_days([(0, ch)], np.array([0.5, 0.5]), 21, ybar, policy="myopic")
    pi = cp.belief[0, 21]
    closed = 21 * math.log(0.99) + sum((0.3 - 0.9) * (2 * y - 1.2) / (2 * 0.09) for y in ybar[0])
    assert math.log(pi[0] / pi[1]) == pytest.approx(closed, abs=1e-12)
    # spec §8.4: ln(π_21(w)/π_21(s)) = −3.8777237 and π_21(w) = 0.0202782
    assert closed == pytest.approx(-3.8777237, abs=5e-8)
    assert pi[0] == pytest.approx(0.0202782, abs=5e-8)
    # survival only: π_t(w) = π_0 S_w(t) / Σ π_0 S(t)
    cp = concession_days([(0, _a())], np.array([0.5, 0.5]), 50, policy="myopic")
    t = np.arange(51)
    np.testing.assert_allclose(cp.belief[0, :, 0], 0.98**t / (0.98**t + 1), rtol=0, atol=1e-12)


def test_8_4_long_survival_gives_zero_not_nan():
    # spec §8.4: 10^5 days of survival at h_w = 0.5 give π(w) = 0, never NaN
    logb = np.log(np.array([[0.5, 0.5]]))
    add = np.log1p(-np.array([0.5, 0.0]))[None, :]
    for _ in range(100_000):
        logb, _dead = update(logb, add)
    pi = np.exp(logb) / np.exp(logb).sum()
    assert pi[0, 0] == 0.0 and pi[0, 1] == 1.0 and not np.isnan(pi).any()
    ch = Challenger(win=1, concede=0, rate=R, cost=[0.0], hazard=[[0.5], [0.0]])
    plan_path = concession_days([(0, ch)], np.array([0.5, 0.5]), 100_000, policy="myopic")
    assert plan_path.belief[0, -1, 0] == 0.0 and not np.isnan(plan_path.belief).any()


def test_4_all_types_ruled_out_keeps_the_belief():
    # spec §4: if every ℓ'(θ) is −∞ the belief is kept and the day is reported
    logb = np.log(np.array([[0.5, 0.5]]))
    new, dead = update(logb, np.array([[-np.inf, -np.inf]]))
    assert dead[0] and np.array_equal(new, logb)


# -- §8.5 structure, survival only --------------------------------------------------------------------


def test_8_5_monotone_in_prior_win_cost_and_concede():
    # spec §8.5: τ* never decreases in π_0(w) (h_w ≥ h_s) or W, never increases in c_C or L
    def tau(q=0.5, W=0.7, c=0.0005, L=0.2):
        hw = np.full(241, 0.005)
        hw[120:240] = 0.04
        ch = Challenger(win=W, concede=L, rate=R, cost=[c], hazard=[hw, [0.0]])
        return survival_plan(ch, np.array([q, 1 - q]), t_end=366).tau[0]

    grid = np.linspace(0.05, 0.95, 19)
    assert np.all(np.diff([tau(q=q) for q in grid]) >= 0)
    assert np.all(np.diff([tau(W=w) for w in np.linspace(0.3, 1.0, 15)]) >= 0)
    assert np.all(np.diff([tau(c=c) for c in np.linspace(0.0, 0.003, 16)]) <= 0)
    assert np.all(np.diff([tau(L=x) for x in np.linspace(0.0, 0.5, 11)]) <= 0)


def test_8_5_tau_is_the_smallest_brute_force_maximiser():
    # spec §8.5: on 200 random problems (K = 2, 3, 4) τ* is the smallest maximiser of F
    rng = np.random.default_rng(85)
    for i in range(200):
        k = 2 + i % 3
        t_change = int(rng.integers(1, 60))
        hz = [np.concatenate([np.full(t_change, rng.uniform(0, 0.05)), [rng.uniform(0, 0.05)]])
              for _ in range(k)]  # fmt: skip
        cost = np.concatenate(
            [np.full(int(rng.integers(1, 60)), rng.uniform(0, 0.002)), [rng.uniform(0, 0.002)]]
        )
        W = rng.uniform(0.3, 1.0)
        ch = Challenger(
            win=W,
            concede=rng.uniform(0, W * 0.6),
            rate=rng.uniform(0.001, 0.01),
            cost=cost,
            hazard=hz,
        )
        prior = rng.dirichlet(np.ones(k))
        tau = survival_plan(ch, prior, t_end=61).tau[0]
        horizon = 1500
        values = _F_all(ch, prior, horizon)
        best = values.max()
        if math.isinf(tau):
            assert values[-1] >= best - 1e-9, i  # F still rising at the end of the search
        else:
            assert values[int(tau)] >= best - 1e-12, i
            assert np.all(values[: int(tau)] < values[int(tau)] + 1e-12), i


def test_8_5_myopic_equals_optimal_with_constant_inputs_and_is_never_later():
    # spec §8.5: myopic = optimal when inputs are constant from day 0; never later otherwise
    rng = np.random.default_rng(7)
    for _ in range(60):
        ch = Challenger(
            win=1.0, concede=rng.uniform(0, 0.3), rate=0.001, cost=[rng.uniform(0, 0.002)],
            hazard=[[rng.uniform(0, 0.05)], [rng.uniform(0, 0.01)], [0.0]],
        )  # fmt: skip
        prior = rng.dirichlet(np.ones(3))
        assert (
            survival_plan(ch, prior, t_end=10).tau[0]
            == survival_plan(ch, prior, t_end=10, myopic=True).tau[0]
        )
    for q in np.linspace(0.05, 0.95, 10):
        ch = _ab(q)
        opt = survival_plan(ch, np.array([q, 1 - q]), t_end=366).tau[0]
        assert survival_plan(ch, np.array([q, 1 - q]), t_end=366, myopic=True).tau[0] <= opt


# -- §8.6 the grid -----------------------------------------------------------------------------------


def _with_signal(ch: Challenger, mu, sig: SignalModel, **kw) -> Challenger:
    return Challenger(
        win=ch.win, concede=ch.concede, rate=ch.rate, cost=ch.cost, hazard=ch.hazard,
        signal=sig, mu=np.asarray(mu, float), **kw,
    )  # fmt: skip


def test_8_6_equal_means_reproduce_the_exact_solution():
    # spec §8.6: equal means reproduce §5.1's τ* in A and B, with V̂_0 within 1e-3
    sig = SignalModel(every=7, start=0, end=300, sigma=0.3)
    mu = np.full((2, sig.days.size), 0.5)
    ybar = np.full((1, sig.days.size), 0.5)
    cases = [(_a(), 0.5)] + [(_ab(q), q) for q in (0.1, 0.2, 0.3, 0.5)]
    for ch, q in cases:
        exact = survival_plan(ch, np.array([q, 1 - q]), t_end=366)
        cp = concession_days([(0, _with_signal(ch, mu, sig))], np.array([q, 1 - q]), 365, ybar)
        assert cp.tau[0] == exact.tau[0]
        assert abs(cp.value - exact.value[0]) < 1e-3
        assert cp.value >= exact.value[0] - 1e-4  # spec §8.6: V̂_0 ≥ V_0(survival only) − 1e-4


def _learning_problem(k: int, **kw) -> tuple[Challenger, np.ndarray]:
    sig = SignalModel(every=7, start=0, end=139, sigma=0.4)
    hz = [[0.03], [0.0], [0.01], [0.02]][:k]
    mu = np.array([[0.3], [0.9], [0.6], [0.45]][:k]) * np.ones((k, sig.days.size))
    ch = Challenger(
        win=1.0, concede=0.2, rate=0.001, cost=[0.0015], hazard=hz, signal=sig, mu=mu, **kw
    )
    return ch, np.full(k, 1.0 / k)


@pytest.mark.parametrize("k", [2, 3])
def test_8_6_doubling_grid_and_quadrature(k):
    # spec §8.6: doubling N and J moves V̂_0 by < 1e-3 and τ on reference paths by ≤ 2 days
    ch, prior = _learning_problem(k)
    n = 400 if k == 2 else 61
    fine, _ = _learning_problem(k, grid=2 * n, quadrature=40)
    # the reference paths: each type's mean path, and the midpoint of each pair of types
    mu = ch.mu
    ref = np.array(
        [mu[i] for i in range(k)] + [(mu[i] + mu[j]) / 2 for i in range(k) for j in range(i + 1, k)]
    )
    a = concession_days([(0, ch)], prior, 200, ref)
    b = concession_days([(0, fine)], prior, 200, ref)
    assert abs(a.value - b.value) < 1e-3
    assert np.array_equal(np.isfinite(a.tau), np.isfinite(b.tau))
    both = np.isfinite(a.tau)
    assert np.max(np.abs(a.tau[both] - b.tau[both]), initial=0) <= 2
    # On random paths a larger move happens only on a knife edge: where the coarse policy's
    # margin Ĥ − L at the earlier of the two days is below 1e-3 (the grid's error bound here).
    ybar = np.random.default_rng(6).uniform(0.2, 1.0, (40, ch.signal.days.size))
    a = concession_days([(0, ch)], prior, 200, ybar)
    b = concession_days([(0, fine)], prior, 200, ybar)
    grid = solve_grid(ch, 201)
    for i in np.nonzero(np.abs(np.nan_to_num(a.tau - b.tau, posinf=999, neginf=999)) > 2)[0]:
        t = int(min(a.tau[i], b.tau[i]))
        margin = float(grid.holding(t, a.belief[i, t : t + 1])[0]) - ch.concede
        assert abs(margin) < 1e-3, (i, t, margin)


def _payoff(ch: Challenger, theta: int, tau: float) -> float:
    """C's expected payoff given its day τ and the true type (collapse integrated): a sum to
    τ and, for τ = ∞, the constant tail in closed form (independent of the solver)."""
    n = int(min(tau, 400))
    h = np.array([ch.hazard[theta, min(u, ch.hazard.shape[1] - 1)] for u in range(n + 1)])
    c = float(ch.cost[-1])
    s = np.concatenate([[1.0], np.cumprod(1 - h)])
    disc = ch.delta ** np.arange(n + 1)
    run = float(np.sum((disc * s[:-1] * (h * ch.win - c))[:n]))
    if math.isinf(tau):
        hh = h[-1]
        return run + disc[n] * s[n] * (hh * ch.win - c) / (1 - ch.delta * (1 - hh))
    return run + disc[n] * s[n] * ch.concede


def test_8_6_value_equals_monte_carlo_payoff():
    # spec §8.6: with ρ = π_0 and generated signals, V̂_0 = the policy's Monte Carlo mean
    # payoff over 10^4 paths within 3 s.e. + 1e-3
    ch, prior = _learning_problem(2)
    rng = np.random.default_rng(66)
    n = 10_000
    theta = (rng.random(n) >= prior[0]).astype(int)
    z = rng.standard_normal((n, ch.signal.days.size))
    ybar = ch.mu[theta] + ch.signal.sigma * z
    cp = concession_days([(0, ch)], prior, 200, ybar, beliefs=False)
    pay = np.array([_payoff(ch, int(t), float(tau)) for t, tau in zip(theta, cp.tau, strict=True)])
    se = pay.std(ddof=1) / math.sqrt(n)
    assert abs(cp.value - pay.mean()) < 3 * se + 1e-3
    exact = survival_plan(
        Challenger(win=1.0, concede=0.2, rate=0.001, cost=[0.0015], hazard=ch.hazard), prior
    )
    assert cp.value >= exact.value[0] - 1e-4  # spec §8.6: a signal is worth ≥ 0


# -- §8.7 direction ----------------------------------------------------------------------------------


def test_8_7_a_better_signal_never_delays_concession():
    # spec §8.7: with h_w ≥ h_s and μ_w ≤ μ_s, raising an observed ȳ_k never delays C (grid:
    # at most 1 day)
    ch, prior = _learning_problem(2)
    rng = np.random.default_rng(77)
    base = rng.uniform(0.2, 1.0, (30, ch.signal.days.size))
    tau0 = concession_days([(0, ch)], prior, 200, base, beliefs=False).tau
    for k in range(ch.signal.days.size):
        up = base.copy()
        up[:, k] += 0.2
        tau1 = concession_days([(0, ch)], prior, 200, up, beliefs=False).tau
        assert np.all(tau1 <= tau0 + 1), k


# -- §8.8 the sampler --------------------------------------------------------------------------------


def test_8_8_sampler_survival_mode_agrees_with_the_entry():
    # spec §8.8: 10^5 seeded draws; KS at 1% on ends before τ*, binomial on the atom at τ*
    # and on no end (here with H below τ* as well)
    for horizon in (365, 120):
        stages = [(0, _a())]
        prior = truth = np.array([0.5, 0.5])
        out = outcome(stages, prior, truth, horizon, mode="survival")
        who, day = sample(
            stages, prior, truth, horizon, np.random.default_rng(8), 100_000, mode="survival"
        )
        n = who.size
        tau = int(out.tau[0])
        early = day[(who == 1) & (day < tau)]
        pmf = out.ends.pmf_d[: min(tau, horizon + 1)]
        pmf = pmf / pmf.sum()
        cdf = np.concatenate([[0.0], np.cumsum(pmf)])
        # a discrete law made continuous: day + U(0, 1) against the linearly joined CDF
        jitter = early + np.random.default_rng(9).random(early.size)

        def joined(x, cdf=cdf, pmf=pmf):
            d = np.clip(np.floor(x).astype(int), 0, pmf.size - 1)
            return cdf[d] + pmf[d] * np.clip(x - d, 0.0, 1.0)

        ks = stats.kstest(jitter, joined)
        assert ks.pvalue > 0.01
        atom = out.ends.pmf_c[tau] if tau <= horizon else 0.0
        k_atom = int(np.count_nonzero((who == 0) & (day == tau)))
        if atom > 0:
            assert stats.binomtest(k_atom, n, atom).pvalue > 0.01
        else:
            assert k_atom == 0
        k_none = int(np.count_nonzero(who == -1))
        if out.ends.none > 0:
            assert stats.binomtest(k_none, n, out.ends.none).pvalue > 0.01
        else:
            assert k_none == 0


def test_8_8_sampler_generated_mode_agrees_with_the_entry():
    # spec §8.8: generated mode (paths = 10^4), a binomial test on p_first
    ch, prior = _learning_problem(2)
    stages = [(0, ch)]
    out = outcome(
        stages, prior, prior, 200, mode="generated", paths=10_000, rng=np.random.default_rng(1)
    )
    who, _ = sample(stages, prior, prior, 200, np.random.default_rng(2), 100_000, mode="generated")
    p_c = out.ends.p_first[0]
    # the entry is itself a Monte Carlo estimate (s.e. mc_se): test against its interval
    k = int(np.count_nonzero(who == 0))
    z = (k / who.size - p_c) / math.sqrt(p_c * (1 - p_c) / who.size + out.mc_se**2)
    assert abs(z) < stats.norm.ppf(0.995)


def test_sampler_is_seeded():
    stages = [(0, _learning_problem(2)[0])]
    prior = np.array([0.5, 0.5])
    a = sample(stages, prior, prior, 200, np.random.default_rng(3), 500, mode="generated")
    b = sample(stages, prior, prior, 200, np.random.default_rng(3), 500, mode="generated")
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


# -- §8.9 coupled -------------------------------------------------------------------------------------


def test_8_9_coupled_full_supply_never_collapses():
    # spec §8.9: y ≡ 1, b0 = 0 and y_min ≤ 1 give h* = 0, so C is first w.p. 1 if τ ≤ H
    hstar = true_hazard(np.ones(300), threshold=1.0, rate=0.5, stocks_days=0.0)
    assert np.all(hstar == 0)
    ch, prior = _learning_problem(2)
    ybar = ch.signal.window_means(np.ones(300))[None, :]
    out = outcome([(0, ch)], prior, prior, 200, mode="coupled", ybar=ybar, hstar=hstar[None, :])
    assert out.tau[0] <= 200
    assert out.ends.p_first == (1.0, 0.0)


def test_8_9_probabilities_sum_to_one_in_every_mode():
    # spec §8.9: p_first + p_no_end_by_horizon = 1 within 1e-12, in every mode
    ch, prior = _learning_problem(3)
    y = np.linspace(0.2, 1.2, 300)
    hstar = true_hazard(y, threshold=0.5, rate=0.1, stocks_days=5.0)[None, :]
    ybar = ch.signal.window_means(y)[None, :]
    runs = [
        outcome([(0, _a())], np.array([0.5, 0.5]), np.array([0.7, 0.3]), 100, mode="survival"),
        outcome([(0, ch)], prior, prior, 150, mode="generated", paths=200, rng=np.random.default_rng(0)),
        outcome([(0, ch)], prior, prior, 150, mode="coupled", ybar=ybar, hstar=hstar),
        outcome([(0, ch)], prior, prior, 150, mode="generated", paths=200, rng=np.random.default_rng(0), quit_day=40),
    ]  # fmt: skip
    for out in runs:
        assert sum(out.ends.p_first) + out.ends.none == pytest.approx(1.0, abs=1e-12)


def test_end_distribution_by_hand():
    # §6: D on t < min(τ, H + 1) with S*(t)h*(t); C on τ with S*(τ): h* = 0.1, τ = 3
    e = end_distribution(np.array([3.0]), np.array([[0.1]]), np.ones(1), 10)
    np.testing.assert_allclose(e.pmf_d[:4], [0.1, 0.09, 0.081, 0.0], atol=1e-15)
    assert e.pmf_c[3] == pytest.approx(0.729, abs=1e-15) and e.none == 0.0


def test_derived_hazard_stocks_then_shortfall():
    # §2: B(0) = 2, m = 0.5: B = 2, 1.5, 1, 0.5, 0, ...; h = η Φ((y_min − m)/s) once B = 0
    h = derived_hazard(np.array([0.5]), threshold=0.5, rate=0.2, stocks_days=2.0, sd=0.1)
    assert np.all(h[:4] == 0) and h[4] == pytest.approx(0.2 * 0.5, abs=1e-15)


# -- §7 the scenario block: located errors ------------------------------------------------------------

BASE = """\
name: siege
actors:
  - {id: c, name: Challenger, capability: 2}
  - {id: d, name: Defender, capability: 1}
  - {id: x, name: Bystander, capability: 1}
issues:
  - id: city
    name: The city
    unit: points
    scale: {min: 0, max: 100}
    positions: {c: 0, d: 100}
    saliences: {c: 0.9, d: 1.0}
time: {start: 1950-01-01, end: 1950-07-01}
learning:
  issue: city
  challenger: c
  defender: d
  win: 0.8
  concede: 0.2
  discount: 0.001
  cost: {c: 0.0015}
  types:
    - {label: weak, prior: 0.5, hazard: derived, mean: [{day: 0, value: 0.3}]}
    - {label: strong, prior: 0.5, hazard: derived,
       mean: {interpolate: linear, points: [{date: 1950-01-01, value: 0.3}, {day: 60, value: 1.2}]}}
  signal:
    sigma: 0.3
    every: 7
  collapse: {threshold: 0.5, rate: 0.05, stocks_days: 10}
  paths: 200
events:
  - date: 1950-03-01
    description: the challenger's costs rise
    add: {learning.cost.c: 0.001}
outcome:
  source: an example
  learning: {conceded: c, day: 100}
"""


def _solve(sc, seed=0):
    """The scenario's prepared problem (sim.coupling's glue) and the model's forecast."""
    from realpolitik.models.learning import forecast_problem
    from realpolitik.sim._learning_inputs import problem

    pb = problem(sc, seed)
    return pb, forecast_problem(pb, seed)


def _write(tmp_path, text: str):
    path = tmp_path / "siege.yaml"
    path.write_text(text)
    return path


ERRORS = [
    ("unknown key", BASE.replace("  paths: 200", "  paths: 200\n  bogus: 1"), "bogus: 1",
     ["learning.bogus", "unknown key 'bogus'", "one of: issue"]),
    ("unknown issue", BASE.replace("  issue: city", "  issue: town"), "issue: town",
     ["learning.issue", "one of the scenario's issues: city"]),
    ("unknown challenger", BASE.replace("challenger: c", "challenger: z"), "challenger: z",
     ["learning.challenger", "an actor id: c, d, x"]),
    ("same parties", BASE.replace("defender: d", "defender: c"), "defender: c",
     ["learning.defender", "an actor other than the challenger"]),
    ("horizon", BASE.replace("  paths: 200", "  paths: 200\n  horizon: 0.5"), "horizon: 0.5",
     ["learning.horizon", "a number of days from 1 to 36,500"]),
    ("win", BASE.replace("win: 0.8", "win: 1.2"), "win: 1.2", ["learning.win", "a share in (0, 1]"]),
    ("concede above win", BASE.replace("concede: 0.2", "concede: 0.9"), "concede: 0.9",
     ["learning.concede", "below win (0.8)"]),
    ("discount", BASE.replace("discount: 0.001", "discount: 0"), "discount: 0",
     ["learning.discount", "a rate per day > 0"]),
    ("negative cost", BASE.replace("cost: {c: 0.0015}", "cost: {c: -1}"), "cost: {c: -1}",
     ["learning.cost.c", "a cost per day ≥ 0"]),
    ("cost of a stranger", BASE.replace("cost: {c: 0.0015}", "cost: {x: 1}"), "cost: {x: 1}",
     ["learning.cost.x", "one of the parties: c, d"]),
    ("cost series without an airlift", BASE.replace("cost: {c: 0.0015}", "cost: {d: {series: airlift.hardship}}"),
     "cost: {d:", ["learning.cost.d.series", "a scenario with an airlift block"]),
    ("one type", BASE.replace("    - {label: weak, prior: 0.5, hazard: derived, mean: [{day: 0, value: 0.3}]}\n", ""),
     "    - {label: strong", ["learning.types", "a list of at least 2 types"]),
    ("bad label", BASE.replace("label: weak", "label: Weak"), "label: Weak",
     ["learning.types.0.label", "a unique label (a-z, 0-9, _)"]),
    ("duplicate label", BASE.replace("label: strong", "label: weak"), "label: weak, prior: 0.5, hazard: derived,\n",
     ["learning.types.1.label", "a unique label"]),
    ("negative prior", BASE.replace("prior: 0.5, hazard: derived, mean: [", "prior: -1, hazard: derived, mean: ["),
     "prior: -1", ["learning.types.0.prior", "a weight ≥ 0"]),
    ("no positive prior", BASE.replace("prior: 0.5", "prior: 0"), "label: weak",
     ["learning.types.0.prior", "at least one type > 0"]),
    ("hazard above 1", BASE.replace("prior: 0.5, hazard: derived, mean: [{day: 0, value: 0.3}]", "prior: 0.5, hazard: 1.5, mean: [{day: 0, value: 0.3}]"),
     "hazard: 1.5", ["learning.types.0.hazard", "a probability per day in [0, 1]"]),
    ("hazard word", BASE.replace("hazard: derived, mean: [", "hazard: guess, mean: ["), "hazard: guess",
     ["learning.types.0.hazard", "got 'guess'", "or derived"]),
    ("mean missing", BASE.replace(", mean: [{day: 0, value: 0.3}]", ""), "label: weak",
     ["learning.types.0.mean", "a mean performance ≥ 0 (needed by the signal)"]),
    ("points out of order", BASE.replace("{day: 60, value: 1.2}", "{day: -3, value: 1.2}"), "{day: -3",
     ["learning.types.1.mean.points.1.day", "a whole day ≥ 0"]),
    ("points not increasing", BASE.replace("{day: 60, value: 1.2}", "{day: 0, value: 1.2}"), "{day: 0, value: 1.2}",
     ["learning.types.1.mean.points.1.day", "a whole day after the previous point's (0)"]),
    ("date before start", BASE.replace("{date: 1950-01-01, value: 0.3}", "{date: 1949-12-01, value: 0.3}"),
     "{date: 1949", ["learning.types.1.mean.points.0.date", "a date on or after time.start"]),
    ("no points", BASE.replace("mean: [{day: 0, value: 0.3}]", "mean: []"), "mean: []",
     ["learning.types.0.mean", "at least one point"]),
    ("sigma", BASE.replace("sigma: 0.3", "sigma: 0"), "sigma: 0", ["learning.signal.sigma", "an sd > 0"]),
    ("every", BASE.replace("every: 7", "every: 2.5"), "every: 2.5",
     ["learning.signal.every", "a whole number of days ≥ 1"]),
    ("signal end", BASE.replace("every: 7", "every: 7\n    end: 3"), "end: 3",
     ["learning.signal.end", "a day from start + every − 1 to the horizon"]),
    ("series name", BASE.replace("every: 7", "every: 7\n    source: {series: airlift.tonnage}"), "source:",
     ["learning.signal.source.series", "airlift"]),
    ("source word", BASE.replace("every: 7", "every: 7\n    source: measured"), "source: measured",
     ["learning.signal.source", "generated, or {series: NAME}"]),
    ("collapse missing", BASE.replace("  collapse: {threshold: 0.5, rate: 0.05, stocks_days: 10}\n", ""),
     "  issue: city", ["learning.collapse", "{threshold, rate} (needed by hazard: derived of weak, strong)"]),
    ("collapse rate", BASE.replace("rate: 0.05", "rate: 0"), "collapse:",
     ["learning.collapse.rate", "a probability per day in (0, 1]"]),
    ("a mean nothing uses",
     BASE.replace("  signal:\n    sigma: 0.3\n    every: 7\n", "")
     .replace("hazard: derived, mean: [", "hazard: 0.02, mean: [")
     .replace("hazard: derived,\n", "hazard: 0.0,\n")
     .replace("  collapse: {threshold: 0.5, rate: 0.05, stocks_days: 10}\n", ""),
     "label: weak", ["learning.types.0.mean", "a mean only with a signal or hazard: derived"]),
    ("a collapse rule nothing uses",
     BASE.replace("  signal:\n    sigma: 0.3\n    every: 7\n", "")
     .replace("hazard: derived, mean: [{day: 0, value: 0.3}]", "hazard: 0.02")
     .replace("hazard: derived,\n       mean: {interpolate: linear, points: [{date: 1950-01-01, "
              "value: 0.3}, {day: 60, value: 1.2}]}", "hazard: 0.0"),
     "collapse:", ["learning.collapse", "used only with hazard: derived or a coupled signal"]),
    ("grid under myopic", BASE.replace("  paths: 200", "  paths: 200\n  policy: myopic\n  grid: 40"), "grid: 40",
     ["learning.grid", "(or policy: myopic)"]),
    ("too many nodes", BASE.replace("  paths: 200", "  paths: 200\n  grid: 300000"), "grid: 300000",
     ["learning.grid", "≤ 200,000 nodes"]),
    ("quadrature", BASE.replace("  paths: 200", "  paths: 200\n  quadrature: 1"), "quadrature: 1",
     ["learning.quadrature", "a whole number from 2 to 100"]),
    ("paths", BASE.replace("paths: 200", "paths: 50"), "paths: 50",
     ["learning.paths", "a whole number from 100 to 100,000"]),
    ("policy", BASE.replace("  paths: 200", "  paths: 200\n  policy: clever"), "policy: clever",
     ["learning.policy"]),
    ("prior drawn below 0", BASE.replace("prior: 0.5, hazard: derived, mean: [", "prior: {dist: normal, mean: 0.5, sd: 0.3}, hazard: derived, mean: ["),
     "prior: {dist", ["learning.types.0.prior", "draws reach", "a weight ≥ 0 (at least one type > 0) in every draw"]),
    ("a distribution where none is allowed", BASE.replace("every: 7", "every: {dist: uniform, low: 5, high: 9}"),
     "every: {dist", ["learning.signal.every", "takes no distribution"]),
    ("event on a stranger's cost", BASE.replace("learning.cost.c: 0.001", "learning.cost.x: 0.001"),
     "learning.cost.x", ["events.0.add.learning.cost.x", "not a party to the learning block"]),
    ("event setting a negative cost", BASE.replace("add: {learning.cost.c: 0.001}", "set: {learning.cost.c: -0.001}"),
     "learning.cost.c: -0.001", ["events.0.set.learning.cost.c", "a cost per day >= 0"]),
    ("record by a stranger", BASE.replace("learning: {conceded: c, day: 100}", "learning: {conceded: x, day: 100}"),
     "learning: {conceded: x", ["outcome.learning.conceded", "the challenger or the defender: c, d"]),
    # the size limits (docs/scenario-format.md, "Limits"): hostile sizes are refused at load
    ("more types than the limit", BASE.replace("  types:\n", "  types:\n" + "".join(
        f"    - {{label: t{i}, prior: 0.01, hazard: [{{day: 0, value: 0.01}}], mean: [{{day: 0, value: 0.5}}]}}\n"
        for i in range(100))), "- {label: t0", ["learning.types", "102 types", "at most 100 types"]),
    ("generated paths past the beliefs limit", BASE.replace("  paths: 200", "  paths: 100000").replace(
        "end: 1950-07-01", "end: 2049-01-01"), "paths: 100000", ["learning.paths", "at most 30,000,000"]),
    ("a belief grid past the work limit", BASE.replace("  paths: 200", "  paths: 200\n  grid: 600\n  quadrature: 100")
     .replace("end: 1950-07-01", "end: 2049-01-01").replace("every: 7", "every: 1")
     .replace("{day: 60, value: 1.2}", "{day: 36000, value: 1.2}"),
     "grid: 600", ["learning.grid", "2,000,000,000 successor beliefs"]),
]  # fmt: skip


def test_a_large_grid_whose_days_repeat_is_within_the_limits(cli, tmp_path):
    """The work is counted over distinct days: a century of daily windows whose means stop
    changing on day 60 costs little more than its first weeks, and is accepted."""
    text = (
        BASE.replace("  paths: 200", "  paths: 200\n  grid: 600\n  quadrature: 100")
        .replace("end: 1950-07-01", "end: 2049-01-01")
        .replace("every: 7", "every: 1")
    )
    res = cli("validate", _write(tmp_path, text))
    assert res.code == 0, res.err


@pytest.mark.parametrize(("desc", "text", "marker", "parts"), ERRORS, ids=[e[0] for e in ERRORS])
def test_located_error(cli, tmp_path, desc, text, marker, parts):
    """Every malformed block gets one located line (FILE:LINE:COL), exit status 2 (spec §7)."""
    path = _write(tmp_path, text)
    assert_located(cli("validate", path), path, line_of(text, marker), parts)


def test_base_scenario_forecasts_with_the_record(cli, tmp_path):
    res = cli("forecast", _write(tmp_path, BASE), "--json", "-m", "learning", "--seed", "3")
    assert res.code == 0, res.err
    (entry,) = res.json()["crises"]
    assert entry["model"] == "learning" and entry["mode"] == "generated" and entry["paths"] == 200
    assert entry["parties"] == ["c", "d"] and entry["types"] == ["weak", "strong"]
    assert entry["recorded"] == {"conceded": "c", "day": 100}
    total = entry["p_first"]["c"] + entry["p_first"]["d"] + entry["p_no_end_by_horizon"]
    assert total == pytest.approx(1.0, abs=1e-12)
    assert entry["conditional_on"] is None and entry["mc_se"] > 0
    assert "trace" not in entry
    again = cli("forecast", _write(tmp_path, BASE), "--json", "-m", "learning", "--seed", "3")
    assert again.out == res.out  # the same seed, the same forecast


def test_foreseen_and_surprise_events_change_the_cost_path():
    # §7: an event adds to learning.cost from its day on; foreseen, it is in C's plan from day
    # 0; a surprise re-solves C's policy from its day (a stage), the belief carried over
    from realpolitik.scenario import loads
    from realpolitik.sim._learning_inputs import problem

    pb = problem(loads(BASE))
    assert len(pb.stages) == 1
    cost = pb.stages[0][1].cost
    assert cost[58] == pytest.approx(0.0015) and cost[59] == pytest.approx(0.0025)  # 1 Mar = day 59
    pb = problem(
        loads(BASE.replace("    add: {learning", "    surprise: true\n    add: {learning"))
    )
    assert [d for d, _ in pb.stages] == [0, 59]
    assert pb.stages[0][1].cost[-1] == pytest.approx(0.0015)
    assert pb.stages[1][1].cost[-1] == pytest.approx(0.0025)


def test_ensemble_runs_are_seeded_and_chunk_invariant():
    from realpolitik.ensemble import run_ensemble
    from realpolitik.forecast import resolve_models
    from realpolitik.scenario import loads

    sc = loads(
        BASE.replace(
            "prior: 0.5, hazard: derived, mean: [",
            "prior: {dist: uniform, low: 0.3, high: 0.7}, hazard: derived, mean: [",
        )
    )
    reqs = resolve_models(sc, ["learning"])
    a = run_ensemble(sc, reqs, 12, seed=4, chunk_size=12)
    b = run_ensemble(sc, reqs, 12, seed=4, chunk_size=5)
    np.testing.assert_array_equal(a.crises["learning"]["day"], b.crises["learning"]["day"])
    assert list(a.crises["learning"]["conceded"]) == list(b.crises["learning"]["conceded"])
    assert set(a.crises["learning"]["conceded"]) <= {"c", "d", ""}


def test_berlin_has_both_crisis_models_with_the_record(cli):
    # the bundled Berlin scenario: attrition and learning side by side, each with the record;
    # both forecasts say they are conditional on the airlift as it happened (attrition reads
    # the West's cost from the airlift run, learning the USSR's signal)
    res = cli(
        "forecast", "berlin-1948", "--json", "--runs", "1", "-m", "attrition", "-m", "learning"
    )
    assert res.code == 0, res.err
    crises = {c["model"]: c for c in res.json()["crises"]}
    assert set(crises) == {"attrition", "learning"}
    for entry in crises.values():
        assert entry["recorded"] == {"conceded": "ussr", "day": 322}
    learn = crises["learning"]
    assert learn["mode"] == "coupled" and "airlift as it happened" in learn["conditional_on"]
    assert learn["types"] == ["weak", "fair_weather", "strong"] and learn["horizon"] == 463
    assert "the daily cost of ussr and west" in crises["attrition"]["conditional_on"]
    table = cli("forecast", "berlin-1948", "--runs", "1", "-m", "attrition", "-m", "learning")
    assert " ".join(table.out.split()).count("Conditional on the airlift as it happened") == 2
    moscow = cli("forecast", "moscow-1949", "--json", "-m", "attrition").json()["crises"][0]
    assert moscow["conditional_on"] is None  # no airlift: nothing taken as given


# -- properties (hypothesis) ---------------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(
    k=st.integers(2, 4),
    seed=st.integers(0, 2**31 - 1),
    policy=st.sampled_from(["optimal", "myopic"]),
)
def test_property_survival_mode_is_a_distribution(k, seed, policy):
    """Any survival-only problem: shares in [0, 1] summing to 1 (spec §8.9), beliefs on the
    simplex, C's day a whole day or never."""
    rng = np.random.default_rng(seed)
    hz = [
        np.concatenate([rng.uniform(0, 0.1, int(rng.integers(1, 40))), [rng.uniform(0, 0.1)]])
        for _ in range(k)
    ]
    W = rng.uniform(0.2, 1.0)
    ch = Challenger(win=W, concede=rng.uniform(0, W * 0.9), rate=rng.uniform(1e-4, 0.01),
                    cost=[rng.uniform(0, 0.003)], hazard=hz)  # fmt: skip
    prior, truth = rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k))
    out = outcome([(0, ch)], prior, truth, 120, mode="survival", policy=policy)
    pc, pd = out.ends.p_first
    assert 0 <= pc <= 1 and 0 <= pd <= 1 and 0 <= out.ends.none <= 1
    assert pc + pd + out.ends.none == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(out.belief.sum(axis=1), 1.0, atol=1e-12)
    assert np.all((out.belief >= 0) & (out.belief <= 1))
    tau = out.tau[0]
    assert math.isinf(tau) or float(tau).is_integer()


def test_same_json_local_and_process_pool(cli, tmp_path):
    """The same seed gives the same ensemble in-process and in a process pool."""
    text = BASE.replace(
        "prior: 0.5, hazard: derived, mean: [",
        "prior: {dist: uniform, low: 0.3, high: 0.7}, hazard: derived, mean: [",
    )
    path = _write(tmp_path, text)
    args = ["forecast", path, "-m", "learning", "--runs", "8", "--seed", "5", "--json"]
    local = cli(*args, "--executor", "local")
    pool = cli(*args, "--executor", "processes:2")
    assert local.code == pool.code == 0, pool.err
    assert local.out == pool.out
    assert local.json()["crises"][0]["ensemble"]["runs"] == 8


def test_quit_rule_ends_the_contest_on_the_first_day_the_cost_reaches_it():
    # §6: h*(q) = 1 on the first day q with c_D(q) ≥ κ; p_quit is that part of D's share:
    # with survival only it is Σ_θ ρ(θ) S_θ(q) (C holds past q here), checked against S_θ
    # computed directly from the types' hazards
    from realpolitik.scenario import loads

    text = (
        BASE.replace("  signal:\n    sigma: 0.3\n    every: 7\n", "")
        .replace("cost: {c: 0.0015}", "cost: {c: 0.0001, d: [{day: 0, value: 0}, {day: 30, value: 0.02}]}")
        .replace("  paths: 200", "  paths: 200\n  quit_cost: 0.01")
        .replace("rate: 0.05, stocks_days: 10}", "rate: 0.05, stocks_days: 10, sd: 0.3}")
    )  # fmt: skip
    sc = loads(text)
    pb, out = _solve(sc, 0)
    assert pb.quit_day == 30 and pb.mode == "survival"
    assert out.tau[0] > 30
    hz = pb.stages[0][1].hazard[:, :30]
    surv = np.prod(1 - hz, axis=1)
    assert out.ends.quit == pytest.approx(float(pb.truth @ surv / pb.truth.sum()), abs=1e-12)
    assert out.ends.quantile(1.0) == 30  # nothing is left after the quit
