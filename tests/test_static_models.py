"""mean, compromise, median and nbs against hand-worked values and their invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.models.nbs import nbs
from realpolitik.models.static import compromise, mean, weighted_median, weights

# Bueno de Mesquita (1994) car-emission case, tests/data/bdm/emission_1994.csv.
EMISSION_X = np.array([4, 7, 4, 4, 10, 10, 10, 7, 4, 7], dtype=float)
EMISSION_C = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
EMISSION_S = np.array([80, 40, 20, 80, 60, 60, 90, 10, 100, 70]) / 100


def _col(a):
    return np.asarray(a, dtype=float)[:, None]


def test_mean_emission_by_hand():
    # (4+7+4+4+10+10+10+7+4+7) / 10 = 67 / 10
    mask = np.ones((10, 1), bool)
    assert mean(_col(EMISSION_X), mask)[0] == pytest.approx(6.7, abs=1e-12)


def test_compromise_emission_by_hand():
    # Achen (2006) compromise: sum(c*s*x) / sum(c*s) = 5.003 / 0.677, worked by hand from the
    # file's columns: c*s = .064 .032 .006 .128 .096 .096 .144 .005 .05 .056.
    mask = np.ones((10, 1), bool)
    got = compromise(_col(EMISSION_X), _col(EMISSION_S), EMISSION_C, mask)[0]
    assert got == pytest.approx(5.003 / 0.677, abs=1e-12)


def test_median_emission_by_hand():
    # Weights at 4 years: .064+.006+.128+.05 = .248 < half of .677 = .3385; adding the
    # weights at 7 years (.032+.005+.056) gives .341 >= .3385, so the weighted median is 7.
    mask = np.ones((10, 1), bool)
    w = weights(_col(EMISSION_S), EMISSION_C, mask)
    assert weighted_median(_col(EMISSION_X), w, mask)[0] == 7.0


def test_median_tie_rules():
    # Two actors of equal weight at 20 and 60: each holds exactly half the weight, so both
    # are middles; the lower is 20, the upper 60, their midpoint 40.
    x, w, m = _col([20, 60]), _col([1, 1]), np.ones((2, 1), bool)
    assert weighted_median(x, w, m, "lower")[0] == 20
    assert weighted_median(x, w, m, "upper")[0] == 60
    assert weighted_median(x, w, m, "midpoint")[0] == 40


def test_zero_weights_fall_back_to_unweighted():
    # The DEU convention: all weights 0 -> the unweighted mean / median.
    x, s, c, m = _col([0, 30, 90]), _col([0, 0, 0]), np.ones(3), np.ones((3, 1), bool)
    assert compromise(x, s, c, m)[0] == pytest.approx(40.0)
    assert weighted_median(x, weights(s, c, m), m)[0] == 30.0


def test_mask_excludes_actors():
    x = _col([10, 50, 99])
    m = np.array([[True], [True], [False]])
    assert mean(x, m)[0] == 30.0
    assert compromise(x, np.ones((3, 1)), np.ones(3), m)[0] == 30.0


def test_nbs_symmetric_by_hand():
    # Two equal actors at 20 and 80, worst ends 100 and 0: by symmetry the solution is 50.
    assert nbs(_col([20, 80]), np.ones((2, 1)), np.ones(2), np.ones((2, 1), bool))[0] == (
        pytest.approx(50.0, abs=1e-9)
    )


def test_nbs_worst_point_closed_form():
    # Actors at 0 (weight 1) and 100 (weight 3); d = 100 and 0. With u = y/100 the first-order
    # condition u/(1-u^2) = 3(1-u)/(u(2-u)) reduces to the cubic 4u^3 - 5u^2 - 3u + 3 = 0.
    roots = np.roots([4, -5, -3, 3])
    u = [r.real for r in roots if abs(r.imag) < 1e-12 and 0 < r.real < 1][0]
    got = nbs(_col([0, 100]), _col([1, 1]), np.array([1.0, 3.0]), np.ones((2, 1), bool))[0]
    assert got == pytest.approx(100 * u, abs=1e-9)


def test_nbs_reference_point_closed_form():
    # Actors at 20 and 40, equal weights, status quo 0: maximise log(y(40-y)) + log(y(80-y)),
    # whose first-order condition is y^2 - 90y + 1600 = 0, so y = 45 - sqrt(425).
    got = nbs(
        _col([20, 40]),
        np.ones((2, 1)),
        np.ones(2),
        np.ones((2, 1), bool),
        reference=np.array([0.0]),
    )[0]
    assert got == pytest.approx(45 - np.sqrt(425), abs=1e-9)


def test_nbs_reference_between_actors_is_the_forecast():
    # A status quo of 50 between actors at 20 and 80: no point beats it for both.
    got = nbs(
        _col([20, 80]),
        np.ones((2, 1)),
        np.ones(2),
        np.ones((2, 1), bool),
        reference=np.array([50.0]),
    )[0]
    assert got == 50.0


def test_nbs_zero_weight_actors_drop_out():
    # Actors with c_i·s_i = 0 carry no weight and drop out. A third actor at the status quo 0 would,
    # with any weight, leave no point that everyone prefers to 0 (the forecast would be 0);
    # with salience 0 it drops out, leaving the closed form above: y = 45 - sqrt(425).
    x, m = _col([20, 40, 0]), np.ones((3, 1), bool)
    got = nbs(x, _col([1, 1, 0]), np.ones(3), m, reference=np.array([0.0]))[0]
    assert got == pytest.approx(45 - np.sqrt(425), abs=1e-9)
    assert nbs(x, _col([1, 1, 0.5]), np.ones(3), m, reference=np.array([0.0]))[0] == 0.0
    # If every actor drops out, each positioned actor gets weight 1 (module docstring): two
    # actors at 0 and 100 with worst ends 100 and 0 then meet at 50 by symmetry.
    assert nbs(_col([0, 100]), _col([0, 0]), np.ones(2), np.ones((2, 1), bool))[0] == (
        pytest.approx(50.0, abs=1e-9)
    )


def test_batch_equals_one_by_one():
    # Batched runs give the same bits as single runs (ensembles rely on it).
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, (7, 12, 3))
    s = rng.uniform(0, 1, (7, 12, 3))
    c = rng.uniform(0.1, 5, (7, 12))
    m = rng.uniform(size=(12, 3)) < 0.8
    m[:2] = True
    for f in (lambda *a: compromise(*a), lambda x, s, c, m: nbs(x, s, c, m)):
        whole = f(x, s, c, m)
        for r in range(7):
            assert np.array_equal(whole[r], f(x[r], s[r], c[r], m))


# -- properties ----------------------------------------------------------------------------

actors = st.integers(min_value=2, max_value=9)


@st.composite
def issue(draw):
    n = draw(actors)
    x = np.array(draw(st.lists(st.floats(0, 100), min_size=n, max_size=n)))
    s = np.array(draw(st.lists(st.floats(0.01, 1), min_size=n, max_size=n)))
    c = np.array(draw(st.lists(st.floats(0.1, 100), min_size=n, max_size=n)))
    return x[:, None], s[:, None], c


def _all(x, s, c):
    m = np.ones_like(x, dtype=bool)
    return {
        "mean": mean(x, m)[0],
        "compromise": compromise(x, s, c, m)[0],
        "median": weighted_median(x, weights(s, c, m), m)[0],
        "nbs": nbs(x, s, c, m)[0],
    }


@settings(max_examples=60, deadline=None)
@given(issue())
def test_within_range_of_positions(case):
    x, s, c = case
    for name, v in _all(x, s, c).items():
        assert x.min() - 1e-9 <= v <= x.max() + 1e-9, name


@settings(max_examples=60, deadline=None)
@given(issue(), st.randoms())
def test_permutation_invariant(case, rnd):
    x, s, c = case
    perm = list(range(len(c)))
    rnd.shuffle(perm)
    a, b = _all(x, s, c), _all(x[perm], s[perm], c[perm])
    for name in a:
        assert b[name] == pytest.approx(a[name], abs=1e-7), name


@settings(max_examples=60, deadline=None)
@given(issue(), st.floats(0.01, 100))
def test_capability_scale_invariant(case, k):
    x, s, c = case
    a, b = _all(x, s, c), _all(x, s, k * c)
    for name in a:
        assert b[name] == pytest.approx(a[name], abs=1e-7), name
