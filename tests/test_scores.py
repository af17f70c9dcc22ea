"""Probabilistic scores and conformal calibration against closed forms and known truths."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from realpolitik.analysis.calibration import (
    LEVELS,
    Centre,
    calibrate_scores,
    centre_quantile,
    conformal_quantile,
    conformity_scores,
    grouped_folds,
    interval,
    point_centre,
    predictive_quantiles,
)
from realpolitik.analysis.scores import (
    covered,
    crps_atoms,
    crps_samples,
    interval_score,
    log_score,
    pit_atoms,
    pit_histogram,
    quantile_grid,
)

# -- interval score, CRPS, log score, PIT ----------------------------------------------------


def test_interval_score_is_gneiting_raftery_eq_43():
    """(u − l) + (2/α)(l − y)1{y < l} + (2/α)(y − u)1{y > u} (Gneiting & Raftery 2007, §6.2)."""
    lo, hi, a = np.array([10.0, 10.0, 10.0]), np.array([20.0, 20.0, 20.0]), 0.2
    y = np.array([15.0, 25.0, 4.0])
    # inside: the width; above by 5: 10 + 10·5; below by 6: 10 + 10·6
    assert interval_score(lo, hi, y, a) == pytest.approx([10.0, 60.0, 70.0])
    with pytest.raises(ValueError):
        interval_score(lo, hi, y, 1.0)


def test_covered_is_closed_and_nan_aware():
    out = covered(np.array([1.0, 1.0, np.nan]), np.array([2.0, 2.0, 2.0]), np.array([2.0, 3, 1]))
    assert out[:2].tolist() == [1.0, 0.0] and np.isnan(out[2])


def test_crps_of_a_point_mass_is_the_absolute_error():
    """CRPS(δ_x, y) = |x − y| (Gneiting & Raftery 2007, §4.2)."""
    y = np.array([0.0, 3.5, -2.0])
    assert crps_atoms(np.array([[1.0], [3.5], [4.0]]), np.ones((3, 1)), y) == pytest.approx(
        [1.0, 0.0, 6.0]
    )


@pytest.mark.parametrize("mu,sigma,y", [(0.0, 1.0, 0.3), (50.0, 12.0, 20.0), (5.0, 2.0, 5.0)])
def test_crps_of_a_normal_matches_the_closed_form(mu, sigma, y):
    """CRPS(N(μ, σ²), y) = σ[z(2Φ(z) − 1) + 2φ(z) − 1/√π], z = (y − μ)/σ (Gneiting, Raftery,
    Westveld & Goldman 2005, *Mon. Weather Rev.* 133, eq. 5), from 20,000 of its quantiles."""
    z = (y - mu) / sigma
    closed = sigma * (
        z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
    )
    q = stats.norm.ppf(quantile_grid(20000), mu, sigma)
    assert crps_samples(q, np.array(y)) == pytest.approx(closed, rel=2e-3)


def test_crps_of_weighted_atoms_matches_the_integral_definition():
    """CRPS = ∫ (F(x) − 1{x ≥ y})² dx, integrated numerically on a fine grid."""
    atoms, w, y = np.array([10.0, 30.0, 31.0]), np.array([0.2, 0.5, 0.3]), 25.0
    x = np.linspace(-10.0, 60.0, 700001)
    cdf = (w[None, :] * (x[:, None] >= atoms[None, :])).sum(axis=1)
    integral = np.trapezoid((cdf - (x >= y)) ** 2, x)
    assert crps_atoms(atoms, w, np.array(y)) == pytest.approx(integral, abs=1e-3)


def test_log_score_and_pit():
    assert log_score(np.array([0.5, 1.0])) == pytest.approx([math.log(2), 0.0])
    assert np.isfinite(log_score(np.array([0.0])))  # a finite penalty, not inf
    rng = np.random.default_rng(1)
    # a calibrated forecaster: y ~ N(0, 1), forecast N(0, 1) by its quantiles
    ys = rng.standard_normal(3000)
    q = stats.norm.ppf(quantile_grid(400))
    pit = pit_atoms(np.broadcast_to(q, (ys.size, q.size)), np.full(q.size, 1 / q.size), ys, rng)
    assert stats.kstest(pit, "uniform").pvalue > 0.01
    assert sum(pit_histogram(pit)) == pytest.approx(1.0)
    # a point mass at the outcome: PIT uniform on (0, 1) by randomisation
    p = pit_atoms(np.zeros((2000, 1)), np.ones(1), np.zeros(2000), rng)
    assert 0.45 < p.mean() < 0.55


# -- conformal calibration -------------------------------------------------------------------


def test_conformal_quantile_is_the_ceil_level_n_plus_1_order_statistic():
    """Lei et al. (2018), §2.2: the ⌈(1 − α)(n + 1)⌉-th smallest of n scores."""
    s = np.arange(1.0, 10.0)  # n = 9
    assert conformal_quantile(s, 0.8) == 8.0  # ⌈0.8 · 10⌉ = 8
    assert conformal_quantile(s, 0.9) == 9.0
    assert conformal_quantile(s, 0.95) == math.inf  # ⌈9.5⌉ = 10 > n
    assert conformal_quantile(np.r_[s, np.nan], 0.8) == 8.0  # NaN scores are left out


def test_split_conformal_80_coverage_within_binomial_tolerance_over_many_seeds():
    """Marginal coverage of split-conformal intervals lies in [c, c + 1/(n+1)] (Lei et al.
    2018, Thm 2.2); over 4,000 seeds (one calibration set and one new point each) the share
    covered is binomial, and must lie within 3 standard errors of that band."""
    n, seeds, level = 40, 4000, 0.8
    hits = 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        f = rng.uniform(20, 80, n + 1)  # any forecasts
        y = f + rng.standard_t(3, n + 1) * 10  # heavy-tailed errors the method does not know
        q = conformal_quantile(np.abs(y[:n] - f[:n]), level)
        hits += abs(y[n] - f[n]) <= q
    se = math.sqrt(level * (1 - level) / seeds)
    assert level - 3 * se <= hits / seeds <= level + 1 / (n + 1) + 3 * se


def test_calibrated_point_interval_is_the_symmetric_conformal_one():
    rng = np.random.default_rng(5)
    f, y = rng.uniform(30, 70, 60), rng.uniform(0, 100, 60)
    cal = calibrate_scores("m", conformity_scores([point_centre(v) for v in f], y))
    q = conformal_quantile(np.abs(y - f), 0.8)
    assert interval(point_centre(50.0), cal, 0.8) == pytest.approx((50 - q, min(100, 50 + q)))


def test_cqr_scores_of_a_mixture_and_its_interval():
    """Romano et al. (2019): s = max(Q(α/2) − y, y − Q(1 − α/2)); interval widened by q."""
    c = Centre(atoms=np.array([10.0, 50.0, 90.0]), weights=np.array([0.15, 0.6, 0.25]))
    assert centre_quantile(c, np.array([0.1, 0.5, 0.9])).tolist() == [10.0, 50.0, 90.0]
    k80 = int(np.flatnonzero(np.isclose(LEVELS, 0.8))[0])
    s = conformity_scores([c, c], np.array([0.0, 95.0]))
    assert s[:, k80].tolist() == [10.0, 5.0]  # 10 − 0; 95 − 90
    cal = calibrate_scores("m", np.tile(np.linspace(-5, 5, 99)[:, None], (1, LEVELS.size)))
    lo, hi = interval(c, cal, 0.8)
    q = cal.at(0.8)
    assert (lo, hi) == pytest.approx((10.0 - q, 90.0 + q))


def test_predictive_quantiles_give_the_calibrated_intervals():
    cal = calibrate_scores(
        "m", np.abs(np.random.default_rng(3).normal(0, 20, (200, 1))) + 0 * LEVELS
    )
    c = point_centre(40.0)
    for level in (0.5, 0.8, 0.9):
        qs = predictive_quantiles(c, cal, np.array([(1 - level) / 2 + 1e-12, (1 + level) / 2]))
        assert tuple(qs) == pytest.approx(interval(c, cal, level))


# -- grouped folds ---------------------------------------------------------------------------


@given(
    st.lists(st.integers(0, 30), min_size=10, max_size=200),
    st.integers(2, 10),
    st.integers(0, 2**32 - 1),
)
def test_grouped_folds_never_split_a_group(groups, k, seed):
    labels = [f"p{g}" for g in groups]
    if len(set(labels)) < k:
        with pytest.raises(ValueError):
            grouped_folds(labels, k, np.random.default_rng(seed))
        return
    folds = grouped_folds(labels, k, np.random.default_rng(seed))
    for g in set(labels):
        assert len({int(folds[i]) for i, x in enumerate(labels) if x == g}) == 1
    assert set(folds.tolist()) == set(range(k))  # every fold used


def test_grouped_folds_depend_on_the_seed_only():
    labels = [f"p{i // 3}" for i in range(90)]
    a = grouped_folds(labels, 10, np.random.default_rng(11))
    assert (a == grouped_folds(labels, 10, np.random.default_rng(11))).all()
    assert (a != grouped_folds(labels, 10, np.random.default_rng(22))).any()
