"""Reputational bargaining with time-varying costs: every check of specs/attrition.md.

Expected values come from the closed forms of Abreu & Gul (2000), *Bargaining and
Reputation*, Econometrica 68(1), §3 (hazards λ_i = r_j(1-α_i)/(α_i+α_j-1), T_i = -ln z_i/λ_i,
the weaker party's atom 1 - z_i exp(λ_i T), F_i(t) = 1 - z_i exp(λ_i(T - t))), as extended
with flow costs k_j by docs/specs/attrition.md ("Equilibrium"), re-derived in this file
independently of the code under test (by hand, or by scipy quadrature and root finding).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from realpolitik.models._attrition_core import (
    AttritionInputError,
    Beliefs,
    Steps,
    sample,
    sample_times,
    solve,
)

N_DRAWS = 100_000  # spec, "Checks": a fixed seed and 10^5 draws


# -- closed forms with constant costs (to 1e-9) ---------------------------------------------


def _closed_form(alpha, z, r, k=(0.0, 0.0)):
    """Abreu & Gul 2000, §3, with constant flow costs k (spec, "Equilibrium")."""
    gap = alpha[0] + alpha[1] - 1
    lam = [(r[1] * (1 - alpha[0]) + k[1]) / gap, (r[0] * (1 - alpha[1]) + k[0]) / gap]
    t_i = [-math.log(z[0]) / lam[0], -math.log(z[1]) / lam[1]]
    t_end = min(t_i)
    weaker = 0 if t_i[0] > t_i[1] else 1
    atom = 1 - z[weaker] * math.exp(lam[weaker] * t_end)

    def cdf(i, t):
        return 1 - z[i] * math.exp(lam[i] * (t_end - min(t, t_end)))

    return lam, t_i, t_end, weaker, atom, cdf


CASES = [
    # demands, obstinacy, discount per day, cost per day
    ((0.7, 0.6), (0.1, 0.2), (0.01, 0.02), (0.0, 0.0)),
    ((0.9, 0.8), (0.05, 0.3), (0.002, 0.004), (0.001, 0.0)),
    ((1.0, 0.5), (0.2, 0.2), (0.01, 0.01), (0.0, 0.003)),
]


@pytest.mark.parametrize("alpha, z, r, k", CASES)
def test_constant_costs_match_closed_forms(alpha, z, r, k) -> None:
    """Spec, "Checks": F_i, T and the immediate-concession mass to 1e-9."""
    lam, t_i, t_end, weaker, atom, cdf = _closed_form(alpha, z, r, k)
    sol = solve(alpha, z, r, k)
    stage = sol.stages[0]
    assert stage.lam[:, 0] == pytest.approx(lam, abs=1e-12)
    assert stage.t_i == pytest.approx(t_i, abs=1e-9)
    assert stage.t_end == pytest.approx(t_end, abs=1e-9)
    assert sol.weaker == weaker
    assert sol.p_immediate == pytest.approx(atom, abs=1e-9)
    for i in (0, 1):
        for t in (0.0, 0.3 * t_end, 0.9 * t_end, t_end, 2 * t_end):
            assert sol.cdf_party(i, t) == pytest.approx(cdf(i, t), abs=1e-9)
    # F_i(T) = 1 - z_i: every rational type has conceded by T (spec).
    assert sol.cdf_party(0, t_end) == pytest.approx(1 - z[0], abs=1e-12)
    assert sol.p_impasse() == pytest.approx(z[0] * z[1], abs=1e-12)


def test_hand_worked_example() -> None:
    """α = (0.7, 0.6), r = (0.01, 0.02), z = (0.1, 0.2), k = 0, by hand from Abreu & Gul:
    λ_1 = 0.02·0.3/0.3 = 0.02, λ_2 = 0.01·0.4/0.3 = 1/75; T_1 = 50 ln 10 ≈ 115.13,
    T_2 = 75 ln 5 ≈ 120.71, so party 2 is weaker and concedes at once with probability
    1 - 0.2·exp(T_1/75) = 1 - 0.2·10^(2/3) ≈ 0.071682."""
    sol = solve((0.7, 0.6), (0.1, 0.2), (0.01, 0.02))
    assert sol.stages[0].t_end == pytest.approx(50 * math.log(10), abs=1e-9)
    assert sol.weaker == 1
    assert sol.p_immediate == pytest.approx(1 - 0.2 * 10 ** (2 / 3), abs=1e-12)


@pytest.mark.parametrize("alpha, z, r, k", CASES)
def test_first_concession_and_shares_closed_form(alpha, z, r, k) -> None:
    """With constant hazards the end date has survival (1-c)e^{-(λ1+λ2)t} on (0, T], so
    P(i first) = [i weaker]·c + λ_i/(λ1+λ2)·((1-c) - z1z2); the median is 0 when c >= 1/2,
    else ln(2(1-c))/(λ1+λ2), null beyond 1 - z1z2 (spec, "Outputs")."""
    lam, _, t_end, weaker, atom, _ = _closed_form(alpha, z, r, k)
    sol = solve(alpha, z, r, k)
    cont = (1 - atom) - z[0] * z[1]
    expected = [lam[i] / (lam[0] + lam[1]) * cont for i in (0, 1)]
    expected[weaker] += atom
    assert sol.p_first() == pytest.approx(expected, abs=1e-12)
    assert sol.p_first().sum() + sol.p_impasse() == pytest.approx(1.0, abs=1e-12)
    share0 = expected[1] * alpha[0] + expected[0] * (1 - alpha[1])
    assert sol.expected_share()[0] == pytest.approx(share0, abs=1e-12)
    for q in (0.1, 0.5, 0.9):
        got = sol.end_quantile(q)
        if q > 1 - z[0] * z[1]:
            assert got is None
        elif atom >= q:
            assert got == 0.0
        else:
            assert got == pytest.approx(math.log((1 - atom) / (1 - q)) / sum(lam), abs=1e-9)
            assert got <= t_end
    h = 0.5 * t_end
    assert sol.end_survival(h) == pytest.approx((1 - atom) * math.exp(-sum(lam) * h), abs=1e-12)


def test_quantile_in_impasse_mass_is_null() -> None:
    """Spec, "Outputs": a quantile in the impasse mass (z1z2 = 0.36 > 0.1) is null."""
    sol = solve((0.7, 0.6), (0.6, 0.6), (0.01, 0.01))
    assert sol.p_impasse() == pytest.approx(0.36)
    assert sol.end_quantile(0.9) is None
    assert sol.end_quantile(0.5) is not None


# -- time-varying costs, against quadrature --------------------------------------------------


def _numeric(alpha, z, r, cost_steps):
    """Λ_i by scipy quadrature of the spec's hazard, T_i by root finding (independent)."""
    gap = alpha[0] + alpha[1] - 1

    def k(j, t):
        days, vals = cost_steps[j]
        return vals[np.searchsorted(days, t, side="right") - 1]

    def lam(i, t):
        j = 1 - i
        return (r[j] * (1 - alpha[i]) + k(j, t)) / gap

    breaks = sorted({d for days, _ in cost_steps for d in days})

    def big(i, t):
        pts = [b for b in breaks if 0 < b < t]
        return integrate.quad(lambda s: lam(i, s), 0, t, points=pts or None, limit=200)[0]

    t_i = [optimize.brentq(lambda t, i=i: big(i, t) + math.log(z[i]), 0, 1e5, xtol=1e-13)
           for i in (0, 1)]  # fmt: skip
    t_end = min(t_i)

    def cdf(i, t):
        return 1 - z[i] * math.exp(big(i, t_end) - big(i, min(t, t_end)))

    return t_i, t_end, cdf


def test_time_varying_costs_match_quadrature() -> None:
    """Spec, "Equilibrium": Λ_i = ∫λ_i with piecewise-constant k; F_i against quadrature."""
    alpha, z, r = (0.8, 0.7), (0.2, 0.1), (0.005, 0.01)
    cost = [([0.0, 10.0, 30.0], [0.0, 0.004, 0.001]), ([0.0, 20.0], [0.002, 0.0])]
    t_i, t_end, cdf = _numeric(alpha, z, r, cost)
    sol = solve(alpha, z, r, [Steps(np.array(d), np.array(v)) for d, v in cost])
    assert sol.stages[0].t_i == pytest.approx(t_i, abs=1e-7)
    for i in (0, 1):
        for t in (0.0, 5.0, 15.0, 25.0, 40.0, t_end):
            assert sol.cdf_party(i, t) == pytest.approx(cdf(i, t), abs=1e-9)


# -- the sampler ------------------------------------------------------------------------------


def _check_sampler(sol, cdf_i, t_end, seed):
    times = sample_times(sol, np.random.default_rng(seed), N_DRAWS)
    for i in (0, 1):
        x = times[i]
        f0, f_t = cdf_i(i, 0.0), cdf_i(i, t_end)
        # Binomial tests for the two atoms: the mass at 0 and the committed mass.
        at0 = int(np.sum(x == 0.0))
        never = int(np.sum(np.isinf(x)))
        if f0 > 0:
            assert stats.binomtest(at0, N_DRAWS, f0).pvalue > 0.01
        else:
            assert at0 == 0
        assert stats.binomtest(never, N_DRAWS, 1 - f_t).pvalue > 0.01
        # KS at 1% on the continuous part in (0, T), against F_i conditioned on it.
        cont = x[(x > 0) & np.isfinite(x)]
        assert np.all(cont <= t_end + 1e-9)

        def cond(t, i=i, f0=f0, f_t=f_t):
            return (np.array([cdf_i(i, float(s)) for s in np.atleast_1d(t)]) - f0) / (f_t - f0)

        assert stats.kstest(cont, cond).pvalue > 0.01


def test_sampler_constant_costs() -> None:
    """Spec, "Checks": KS at 1% on (0, T) and binomial tests for the atoms, 10^5 draws."""
    alpha, z, r, k = CASES[0]
    _, _, t_end, _, _, cdf = _closed_form(alpha, z, r, k)
    _check_sampler(solve(alpha, z, r, k), cdf, t_end, seed=20000)


def test_sampler_time_varying_costs() -> None:
    """The same checks with stepped costs, against the quadrature F_i."""
    alpha, z, r = (0.8, 0.7), (0.2, 0.1), (0.005, 0.01)
    cost = [([0.0, 10.0, 30.0], [0.0, 0.004, 0.001]), ([0.0, 20.0], [0.002, 0.0])]
    _, t_end, cdf = _numeric(alpha, z, r, cost)
    # A tabulated F_i keeps the KS test fast; quadrature is exact on this piecewise hazard.
    grid = np.linspace(0, t_end, 2001)
    table = {i: np.array([cdf(i, t) for t in grid]) for i in (0, 1)}

    def fast(i, t):
        return float(np.interp(t, grid, table[i])) if t < t_end else cdf(i, t_end)

    sol = solve(alpha, z, r, [Steps(np.array(d), np.array(v)) for d, v in cost])
    for i in (0, 1):  # the interpolation is fine enough for a KS test at n = 10^5
        mid = 0.37 * t_end
        assert abs(fast(i, mid) - cdf(i, mid)) < 1e-5
    _check_sampler(sol, fast, t_end, seed=20001)


def test_sampled_end_and_winner() -> None:
    """The end is the first concession: who and when agree with P(first) and the end CDF."""
    alpha, z, r, k = CASES[1]
    sol = solve(alpha, z, r, k)
    lam, _, t_end, weaker, atom, _ = _closed_form(alpha, z, r, k)
    s = sample(sol, np.random.default_rng(7), N_DRAWS)
    p = sol.p_first()
    for i in (0, 1):
        assert stats.binomtest(int(np.sum(s.who == i)), N_DRAWS, p[i]).pvalue > 0.01
    assert np.all(np.isinf(s.day) == (s.who == -1))
    cont = s.day[(s.day > 0) & np.isfinite(s.day)]
    # Survival (1-c)e^{-(λ1+λ2)t} on (0, T]: conditional CDF of the continuous part.
    tail = z[0] * z[1] / (1 - atom)
    cond = lambda t: (1 - np.exp(-sum(lam) * np.minimum(t, t_end))) / (1 - tail)  # noqa: E731
    assert stats.kstest(cont, cond).pvalue > 0.01


def test_sampler_is_reproducible() -> None:
    sol = solve(*CASES[0])
    a = sample(sol, np.random.default_rng(3), 1000)
    b = sample(sol, np.random.default_rng(3), 1000)
    assert np.array_equal(a.day, b.day) and np.array_equal(a.who, b.who)


# -- monotone in the right directions (spec, "Checks") ---------------------------------------

demand = st.floats(0.55, 0.95)
prob = st.floats(0.02, 0.9)
rate = st.floats(0.001, 0.05)


@settings(max_examples=150, deadline=None)
@given(demand, demand, prob, prob, rate, rate, st.floats(0.1, 0.9))
def test_more_patient_concedes_first_less_often(a1, a2, z1, z2, r1, r2, f) -> None:
    """A more patient party (lower r_i) concedes first less often."""
    base = solve((a1, a2), (z1, z2), (r1, r2)).p_first()[0]
    patient = solve((a1, a2), (z1, z2), (r1 * f, r2)).p_first()[0]
    assert patient <= base + 1e-12


@settings(max_examples=150, deadline=None)
@given(demand, demand, prob, prob, rate, rate, st.floats(1.05, 3.0))
def test_more_obstinate_concedes_first_less_often(a1, a2, z1, z2, r1, r2, f) -> None:
    """A party with a higher z_i concedes first less often."""
    assume(z1 * f < 0.99)
    base = solve((a1, a2), (z1, z2), (r1, r2)).p_first()[0]
    firmer = solve((a1, a2), (z1 * f, z2), (r1, r2)).p_first()[0]
    assert firmer <= base + 1e-12


@settings(max_examples=150, deadline=None)
@given(demand, demand, prob, prob, rate, rate, st.floats(0.0, 0.05), st.floats(0.001, 0.05))
def test_rising_costs_concede_first_more_often(a1, a2, z1, z2, r1, r2, k1, dk) -> None:
    """A party whose costs rise (k_i up) concedes first more often."""
    base = solve((a1, a2), (z1, z2), (r1, r2), (k1, 0.0)).p_first()[0]
    costly = solve((a1, a2), (z1, z2), (r1, r2), (k1 + dk, 0.0)).p_first()[0]
    assert costly >= base - 1e-12


def test_monotone_strictly_on_an_example() -> None:
    """The property tests allow ties; on an interior example each change is strict."""
    args = ((0.7, 0.6), (0.1, 0.2), (0.01, 0.02))
    p = solve(*args).p_first()[0]
    assert solve((0.7, 0.6), (0.1, 0.2), (0.005, 0.02)).p_first()[0] < p
    assert solve((0.7, 0.6), (0.15, 0.2), (0.01, 0.02)).p_first()[0] < p
    assert solve(*args, (0.01, 0.0)).p_first()[0] > p


@settings(max_examples=100, deadline=None)
@given(demand, demand, prob, prob, rate, rate)
def test_probabilities_are_a_distribution(a1, a2, z1, z2, r1, r2) -> None:
    """p_first and p_impasse sum to 1 (issue §4); shares lie in [0, 1]."""
    sol = solve((a1, a2), (z1, z2), (r1, r2))
    p = sol.p_first()
    assert np.all(p >= -1e-15) and p.sum() + sol.p_impasse() == pytest.approx(1, abs=1e-12)
    assert np.all((sol.expected_share() >= 0) & (sol.expected_share() <= 1))


# -- foreseen steps and surprises (spec, "Checks") -------------------------------------------

ALPHA, Z, R = (0.8, 0.7), (0.2, 0.3), (0.01, 0.01)
D = 20.0  # the day of the change: before T (≈ 53.6 without it)


def _step(before: float, after: float) -> Steps:
    return Steps(np.array([0.0, D]), np.array([before, after]))


def test_foreseen_step_changes_hazards_only_after_it() -> None:
    """A foreseen step in k_1 at d changes λ only after d, yet can change T, the mass at 0
    and F_i before d, because the whole path is foreseen."""
    plain = solve(ALPHA, Z, R)
    step = solve(ALPHA, Z, R, (_step(0.0, 0.01), 0.0))
    s0, s1 = plain.stages[0], step.stages[0]
    for t in (0.0, 10.0, D - 1e-9):
        assert s1.lam[:, np.searchsorted(s1.knots, t, "right") - 1] == pytest.approx(
            s0.lam[:, 0], abs=1e-15
        )
    # After d, party 1's cost k_1 enters party 2's hazard λ_2 = (r_1(1-α_2) + k_1)/(α1+α2-1).
    after = s1.lam[:, -1]
    assert after[1] == pytest.approx(s0.lam[1, 0] + 0.01 / (ALPHA[0] + ALPHA[1] - 1))
    assert after[0] == pytest.approx(s0.lam[0, 0])
    assert s1.t_end != pytest.approx(s0.t_end)
    assert step.p_immediate != pytest.approx(plain.p_immediate)
    assert step.cdf_party(0, 10.0) != pytest.approx(plain.cdf_party(0, 10.0))


def test_surprise_leaves_the_past_unchanged() -> None:
    """A surprise at d leaves everything before d unchanged; from d the game is solved
    again with z_i' = z_i / (1 - F_i(d)) (spec, "Inputs")."""
    plain = solve(ALPHA, Z, R)
    news = Beliefs(D, (Steps.const(R[0]), Steps.const(R[1])), (Steps.const(0.01), Steps.const(0)))
    surprise = solve(ALPHA, Z, R, surprises=[news])
    assert surprise.p_immediate == plain.p_immediate
    for i in (0, 1):
        for t in (0.0, 5.0, D - 1e-6):
            assert surprise.cdf_party(i, t) == plain.cdf_party(i, t)
    s0, s1 = surprise.stages
    assert s0.lam[:, 0] == pytest.approx(plain.stages[0].lam[:, 0])
    for i in (0, 1):
        z_post = Z[i] / (1 - plain.cdf_party(i, D))
        assert s1.z[i] == pytest.approx(z_post, abs=1e-12)
    # After d party 1 (index 0) bears a cost: party 2's hazard λ_2 rises by k/(α1+α2-1).
    assert s1.lam[1, 0] == pytest.approx(R[0] * (1 - ALPHA[1]) / 0.5 + 0.01 / 0.5)
    # The new stage's closed form: a fresh Abreu-Gul game from d with z'.
    lam, _, t_end, weaker, atom, _ = _closed_form(ALPHA, tuple(s1.z), R, (0.01, 0.0))
    assert s1.t_end == pytest.approx(D + t_end, abs=1e-9)
    assert s1.atom == pytest.approx(atom, abs=1e-9)
    assert surprise.p_first().sum() + surprise.p_impasse() == pytest.approx(1, abs=1e-12)


def test_sampler_with_a_surprise() -> None:
    """Sampled ends with a surprise agree with the staged survival: binomial at d and at
    2d (counts of ends by then), and the impasse mass."""
    news = Beliefs(D, (Steps.const(R[0]), Steps.const(R[1])), (Steps.const(0.01), Steps.const(0)))
    sol = solve(ALPHA, Z, R, surprises=[news])
    plain = solve(ALPHA, Z, R)
    s = sample(sol, np.random.default_rng(11), N_DRAWS)
    # Before d: the plain game's end CDF (closed form from Abreu & Gul, no change).
    lam, _, _, _, atom, _ = _closed_form(ALPHA, Z, R)
    by_d = 1 - (1 - atom) * math.exp(-sum(lam) * (D - 1e-9))
    assert plain.end_cdf(D - 1e-9) == pytest.approx(by_d, abs=1e-12)
    assert stats.binomtest(int(np.sum(s.day < D)), N_DRAWS, by_d).pvalue > 0.01
    # From d: reach(d) times the fresh game's survival from d.
    s1 = sol.stages[1]
    lam1, _, _, _, atom1, _ = _closed_form(ALPHA, tuple(s1.z), R, (0.01, 0.0))
    surv_2d = (1 - by_d) * (1 - atom1) * math.exp(-sum(lam1) * D)
    assert stats.binomtest(int(np.sum(s.day <= 2 * D)), N_DRAWS, 1 - surv_2d).pvalue > 0.01
    assert stats.binomtest(int(np.sum(s.who == -1)), N_DRAWS, Z[0] * Z[1]).pvalue > 0.01


# -- inputs the spec rules out ---------------------------------------------------------------


def test_hazard_not_positive_after_last_change_is_an_error() -> None:
    """Spec, "Inputs": a demand of 1 with no cost to the other side is an error."""
    with pytest.raises(AttritionInputError) as exc:
        solve((1.0, 0.5), (0.1, 0.1), (0.01, 0.01))
    assert exc.value.key == "demand" and exc.value.party == 0
    # A cost to the other side after the last change makes it positive: fine.
    solve((1.0, 0.5), (0.1, 0.1), (0.01, 0.01), (0.0, _step(0.0, 0.002)))
    # A cost that stops at the last change does not.
    with pytest.raises(AttritionInputError):
        solve((1.0, 0.5), (0.1, 0.1), (0.01, 0.01), (0.0, _step(0.002, 0.0)))


@pytest.mark.parametrize(
    "alpha, z, r, k, key",
    [
        ((0.5, 0.5), (0.1, 0.1), (0.01, 0.01), (0, 0), "demand"),
        ((1.2, 0.5), (0.1, 0.1), (0.01, 0.01), (0, 0), "demand"),
        ((0.7, 0.6), (0.0, 0.1), (0.01, 0.01), (0, 0), "obstinacy"),
        ((0.7, 0.6), (0.1, 1.0), (0.01, 0.01), (0, 0), "obstinacy"),
        ((0.7, 0.6), (0.1, 0.1), (0.0, 0.01), (0, 0), "discount"),
        ((0.7, 0.6), (0.1, 0.1), (0.01, 0.01), (-0.1, 0), "cost"),
    ],
)
def test_inputs_ruled_out(alpha, z, r, k, key) -> None:
    """Spec, "Inputs": α in (0, 1] with α1+α2 > 1, z in (0, 1), r > 0, k >= 0."""
    with pytest.raises(AttritionInputError) as exc:
        solve(alpha, z, r, k)
    assert exc.value.key == key


def test_daily_series_from_another_model() -> None:
    """A daily cost series (e.g. the airlift's shortfall) is a step path, one step a day."""
    series = [0.0, 0.001, 0.002, 0.002]
    path = Steps.daily(series)
    assert path.at([0.5, 1.0, 2.9, 100.0]) == pytest.approx([0.0, 0.001, 0.002, 0.002])
    sol = solve((0.8, 0.7), (0.2, 0.1), (0.005, 0.01), (path, 0.0))
    assert sol.stages[0].lam[1, 2] == pytest.approx((0.005 * 0.3 + 0.002) / 0.5)


@pytest.mark.parametrize("alpha, z, r, k", CASES)
def test_first_concession_by_a_day_closed_form(alpha, z, r, k) -> None:
    """P(i first, by day d) = [i weaker]·c + λ_i/(λ1+λ2)·(1-c)(1 - e^{-(λ1+λ2)d}) for d <= T
    (constant hazards; survival (1-c)e^{-(λ1+λ2)t}); it reaches P(i first) at T."""
    lam, _, t_end, weaker, atom, _ = _closed_form(alpha, z, r, k)
    sol = solve(alpha, z, r, k)
    for d in (0.0, 0.25 * t_end, 0.8 * t_end):
        expected = [lam[i] / sum(lam) * (1 - atom) * (1 - math.exp(-sum(lam) * d)) for i in (0, 1)]
        expected[weaker] += atom
        assert sol.p_first_by(d) == pytest.approx(expected, abs=1e-12)
    assert sol.p_first_by(2 * t_end) == pytest.approx(sol.p_first(), abs=1e-15)


def test_surprise_after_the_game_is_settled_changes_nothing() -> None:
    """After T every rational type has conceded: Bayes' rule gives z' = 1 for both, and a
    later surprise leaves the impasse z1·z2 and every probability as they were."""
    plain = solve(ALPHA, Z, R)
    late = plain.stages[0].t_end + 5.0
    news = Beliefs(late, (Steps.const(R[0]), Steps.const(R[1])), (Steps.const(1.0), Steps.const(0)))
    sol = solve(ALPHA, Z, R, surprises=[news])
    assert sol.stages[1].z == pytest.approx([1.0, 1.0])
    assert sol.p_first() == pytest.approx(plain.p_first(), abs=1e-15)
    assert sol.p_impasse() == pytest.approx(Z[0] * Z[1], abs=1e-15)
    assert sol.end_quantile(0.99) is None
    assert sol.hazard_path() == plain.hazard_path()
