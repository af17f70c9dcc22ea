"""Distributions on scenario numbers: closed-form quantiles, medians, bounds, located errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from realpolitik.api import loads
from realpolitik.ensemble import uncertain_inputs
from realpolitik.errors import InputError
from realpolitik.scenario.distributions import Beta, Choice, Normal, Triangular, Uniform, parse

U = np.array([0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])


def test_normal_quantiles_match_scipy():
    # Quantiles of N(10, 2) as scipy.stats.norm.ppf gives them (Φ⁻¹ closed form).
    d = Normal(mean=10, sd=2)
    np.testing.assert_allclose(d.ppf(U), stats.norm.ppf(U, 10, 2), rtol=1e-14)
    assert d.median == 10.0


def test_uniform_and_triangular_closed_forms():
    # Uniform: low + (high - low) u. Triangular(0, 2, 8): F(x) = x²/16 on [0, 2], so the
    # quantile below F(2) = 1/4 is sqrt(16 u); above, 8 - sqrt((1 - u)·8·6).
    np.testing.assert_allclose(Uniform(low=2, high=6).ppf(U), 2 + 4 * U)
    tri = Triangular(low=0, mode=2, high=8)
    expected = np.where(U < 0.25, np.sqrt(16 * U), 8 - np.sqrt((1 - U) * 48))
    np.testing.assert_allclose(tri.ppf(U), expected, rtol=1e-14)
    np.testing.assert_allclose(tri.ppf(U), stats.triang.ppf(U, 0.25, 0, 8), rtol=1e-12)
    assert Triangular(low=0, mode=10, high=20).median == 10.0  # symmetric: the mode


def test_beta_matches_scipy():
    d = Beta(a=2, b=5, low=10, high=20)
    np.testing.assert_allclose(d.ppf(U), stats.beta.ppf(U, 2, 5, loc=10, scale=10), rtol=1e-12)


def test_choice_probabilities_and_lower_median():
    d = Choice(values=(1.0, 2.0, 3.0), weights=(1.0, 1.0, 2.0))
    u = (np.arange(100_000) + 0.5) / 100_000
    v = d.ppf(u)
    assert [np.mean(v == k) for k in (1, 2, 3)] == pytest.approx([0.25, 0.25, 0.5], abs=1e-4)
    assert d.median == 2.0  # cumulative 0.25, 0.5: 2 is the first to reach 1/2
    assert Choice(values=(1.0, 2.0), weights=(1.0, 1.0)).median == 1.0


def test_parse_sorts_choice_and_clips_to_bounds():
    d = parse({"dist": "choice", "values": [3, 1, 2], "weights": [2, 1, 1]})
    assert d.values == (1.0, 2.0, 3.0) and d.weights == (1.0, 1.0, 2.0)
    n = parse({"dist": "normal", "mean": 0, "sd": 1, "bounds": [-1, None]})
    assert n.ppf(np.array([1e-6, 0.5]))[0] == -1.0
    assert np.all(np.isfinite(Normal(mean=0, sd=1).ppf(np.array([0.0, 1.0]))))


@pytest.mark.parametrize(
    "raw, field, expected",
    [
        ({"dist": "normal", "mean": 0, "sd": -1}, "sd", "standard deviation ≥ 0"),
        ({"dist": "uniform", "low": 5, "high": 1}, "low", "low ≤ high"),
        ({"dist": "triangular", "low": 0, "mode": 9, "high": 5}, "mode", "a mode between"),
        ({"dist": "beta", "a": 0, "b": 1}, "a", "shape parameter > 0"),
        ({"dist": "choice", "values": [1, 2], "weights": [0, 0]}, "weights", "sum to a positive"),
        ({"dist": "choice", "values": [1, 2], "weights": [1]}, "weights", "2 weights"),
        ({"dist": "normal", "mean": 0}, None, "required key 'sd'"),
        ({"dist": "gamma"}, "dist", "normal, uniform"),
        ({"dist": "normal", "mean": 0, "sd": 1, "bounds": [2, 1]}, "bounds", "low ≤ high"),
        ({"dist": "normal", "mean": 0, "sd": 1, "scale": 2}, "scale", "one of"),
    ],
)
def test_invalid_distributions(raw, field, expected):
    with pytest.raises(InputError) as info:
        parse(raw, ("x",))
    assert expected in str(info.value)
    if field is not None:
        assert info.value.field == f"x.{field}"


SCENARIO = """\
name: t
actors:
  - {id: a, name: A, capability: 10}
  - {id: b, name: B, capability: 5}
issues:
  - id: i
    name: I
    unit: u
    scale: {min: 0, max: 10}
    positions: {a: POS, b: 9}
    saliences: {a: 0.5, b: 0.5}
"""


@pytest.mark.parametrize(
    "pos, at, text",
    [
        ("{dist: normal, mean: 3, sd: -1}", "-1}", "issues.i.positions.a.sd: got -1"),
        ("{dist: uniform, low: 5, high: 1}", "5, high", "issues.i.positions.a.low: got 5"),
        ("{dist: choice, values: [1, 2], weights: [0, 0]}", "[0, 0]", "weights that sum"),
        ("{dist: normal, mean: 30, sd: 1}", "{dist", "within the scale of 'i'"),
    ],
)
def test_located_errors_in_a_scenario(pos, at, text):
    source = SCENARIO.replace("POS", pos)
    line = source.splitlines()[9]  # the positions line (line 10)
    col = line.index(at) + 1  # the offending value's own column
    with pytest.raises(InputError) as info:
        loads(source, file="s.yaml")
    msg = str(info.value)
    assert msg.startswith(f"s.yaml:10:{col}: "), msg
    assert text in msg


def test_distribution_in_a_scale_is_refused():
    text = SCENARIO.replace("POS", "2").replace(
        "max: 10}", "max: {dist: uniform, low: 9, high: 11}}"
    )
    with pytest.raises(InputError, match="a distribution in an issue's scale"):
        loads(text, file="s.yaml")


def test_single_run_value_is_the_median_and_inputs_are_listed():
    sc = loads(SCENARIO.replace("POS", "{dist: triangular, low: 0, mode: 2, high: 8}"))
    # Median of Triangular(0, 2, 8): 8 - sqrt(0.5 · 48) (the right branch, F(2) = 1/4 < 1/2).
    assert sc.issues[0].positions["a"] == pytest.approx(8 - math.sqrt(24), abs=1e-14)
    (inp,) = uncertain_inputs(sc)
    assert (inp.name, inp.target, inp.index, inp.low, inp.high) == (
        "issues.i.positions.a",
        "x",
        (0, 0),
        0.0,
        10.0,
    )


def test_uncertainty_block_adds_every_position_and_capability():
    text = SCENARIO.replace("POS", "{dist: uniform, low: 1, high: 3}") + (
        "uncertainty:\n  positions: {sd: 1.5}\n  capabilities: {cv: 0.1}\n"
    )
    names = [(u.name, u.origin) for u in uncertain_inputs(loads(text))]
    assert names == [
        ("issues.i.positions.a", "file"),  # its own distribution wins over the block
        ("issues.i.positions.b", "uncertainty"),
        ("actors.a.capability", "uncertainty"),
        ("actors.b.capability", "uncertainty"),
    ]
    caps = [u for u in uncertain_inputs(loads(text)) if u.target == "c"]
    assert [c.dist.sd for c in caps] == pytest.approx([1.0, 0.5])


def test_uncertainty_block_errors_are_located():
    bad = SCENARIO.replace("POS", "2") + "uncertainty:\n  positions: {sd: {nope: 2}}\n"
    with pytest.raises(InputError, match="unknown issue 'nope'") as info:
        loads(bad, file="s.yaml")
    assert str(info.value).startswith("s.yaml:13:")
    neg = SCENARIO.replace("POS", "2") + "uncertainty:\n  saliences: {sd: -0.1}\n"
    with pytest.raises(InputError, match="≥ 0"):
        loads(neg, file="s.yaml")


@settings(max_examples=60, deadline=None)
@given(
    mean=st.floats(-50, 150),
    sd=st.floats(0, 80),
    u=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=20),
)
def test_position_draws_stay_on_the_scale_and_are_monotone(mean, sd, u):
    text = SCENARIO.replace("POS", "5") + "uncertainty:\n  positions: {sd: 1}\n"
    sc = loads(text)
    inp = uncertain_inputs(sc)[0]
    from dataclasses import replace

    inp = replace(inp, dist=Normal(mean=mean, sd=sd))
    u = np.sort(np.array(u))
    v = inp.values(u)
    assert np.all((v >= 0) & (v <= 10))
    assert np.all(np.diff(v) >= 0)  # an inverse CDF is non-decreasing
