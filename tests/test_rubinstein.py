"""Rubinstein alternating offers with outside options, against the closed forms.

Sources: Rubinstein (1982), "Perfect equilibrium in a bargaining model", Econometrica 50(1),
Theorem (the first mover's share (1-δ2)/(1-δ1δ2)); Binmore, Rubinstein & Wolinsky (1986),
RAND J. Econ. 17(2), §3 (the limit r2/(r1+r2) as the period length goes to 0); Binmore,
Shaked & Sutton (1989), QJE 104(4), and Osborne & Rubinstein (1990), *Bargaining and
Markets*, §3.12 (the outside option principle: the responder gets max(w2, its share without
the option)); Muthoo (1999), *Bargaining Theory with Applications*, §5.4 (both parties with
options).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realpolitik.models import get
from realpolitik.models.rubinstein import (
    discount_factor,
    limit_share,
    solve,
)

delta = st.floats(min_value=0.01, max_value=0.99)


@given(delta, delta)
def test_first_mover_share_closed_form(d1: float, d2: float) -> None:
    """Rubinstein 1982, Theorem: the first mover gets (1-δ2)/(1-δ1δ2), agreed at once."""
    eq = solve((d1, d2))
    assert eq.share[0] == pytest.approx((1 - d2) / (1 - d1 * d2), abs=1e-9)
    assert eq.share[1] == pytest.approx(d2 * (1 - d1) / (1 - d1 * d2), abs=1e-9)
    assert eq.binding is None


def test_worked_example() -> None:
    """Osborne & Rubinstein 1990, §3.10.3: δ1 = δ2 = δ gives 1/(1+δ); δ = 0.9 → 10/19."""
    eq = solve((0.9, 0.9))
    assert eq.share[0] == pytest.approx(10 / 19, abs=1e-12)
    # First-mover advantage 1/(1+δ) - δ/(1+δ) = (1-δ)/(1+δ) = 1/19.
    assert eq.first_mover_advantage == pytest.approx(1 / 19, abs=1e-12)


@given(delta, delta)
def test_first_mover_advantage_is_positive(d1: float, d2: float) -> None:
    """Rubinstein 1982: a's share proposing first, (1-δ2)/(1-δ1δ2), exceeds its share
    proposing second, δ1(1-δ2)/(1-δ1δ2), by (1-δ1)(1-δ2)/(1-δ1δ2) > 0."""
    eq = solve((d1, d2))
    expected = (1 - d1) * (1 - d2) / (1 - d1 * d2)
    assert eq.first_mover_advantage == pytest.approx(expected, abs=1e-9)
    assert eq.first_mover_advantage > 0


@pytest.mark.parametrize("r1, r2", [(0.01, 0.02), (0.05, 0.01), (0.3, 0.3)])
def test_limit_as_period_shrinks(r1: float, r2: float) -> None:
    """Binmore, Rubinstein & Wolinsky 1986: as Δ → 0 the split tends to r2/(r1+r2)."""
    target = r2 / (r1 + r2)
    gaps = []
    for period in (1.0, 0.1, 0.01, 0.001):
        eq = solve((discount_factor(r1, period), discount_factor(r2, period)))
        gaps.append(abs(eq.share[0] - target))
    assert gaps[-1] < 1e-4
    assert all(b < a for a, b in zip(gaps, gaps[1:], strict=False)) or gaps[0] < 1e-12
    assert limit_share(r1, r2) == pytest.approx(target)


def test_discount_factor_from_rate() -> None:
    """δ = exp(-rΔ) (Binmore, Rubinstein & Wolinsky 1986, §3)."""
    assert discount_factor(0.1, 2.0) == pytest.approx(math.exp(-0.2), abs=1e-15)


def test_responder_option_binds_only_above_its_share() -> None:
    """Outside option principle (BSS 1989; Osborne & Rubinstein 1990, Prop. 3.5): with
    δ = 0.9 b's share without an option is 9/19 ≈ 0.4737; an option below it changes
    nothing, one above it gives b exactly its option and a the rest."""
    base = 9 / 19
    below = solve((0.9, 0.9), (0.0, base - 0.01))
    assert below.share[1] == pytest.approx(base, abs=1e-12)
    assert below.binding is None
    above = solve((0.9, 0.9), (0.0, base + 0.01))
    assert above.share[1] == pytest.approx(base + 0.01, abs=1e-12)
    assert above.share[0] == pytest.approx(1 - base - 0.01, abs=1e-12)
    assert above.binding == 1


def test_first_movers_option_binds_only_above_its_responder_share() -> None:
    """Muthoo 1999, §5.4: a may opt out only as a responder, when b proposes; there its
    share without the option is δ1·V1 = 0.9·10/19 = 9/19. Below it nothing changes; above
    it b must offer w1, so V2 = 1 - w1 and a gets V1 = 1 - δ2(1 - w1) when proposing."""
    base = 0.9 * 10 / 19
    below = solve((0.9, 0.9), (base - 0.01, 0.0))
    assert below.share[0] == pytest.approx(10 / 19, abs=1e-12)
    assert below.binding is None
    w1 = base + 0.02
    above = solve((0.9, 0.9), (w1, 0.0))
    assert above.share[0] == pytest.approx(1 - 0.9 * (1 - w1), abs=1e-12)
    assert above.binding == 0


def test_both_options_bind() -> None:
    """Muthoo 1999, §5.4, case (iv): both options bind, V1 = 1 - w2 and V2 = 1 - w1."""
    eq = solve((0.5, 0.5), (0.45, 0.5))
    assert eq.share == pytest.approx((0.5, 0.5), abs=1e-12)
    assert eq.v == pytest.approx((0.5, 0.55), abs=1e-12)


@given(delta, delta, st.floats(0, 0.49), st.floats(0, 0.49))
def test_values_solve_the_indifference_equations(d1, d2, w1, w2) -> None:
    """The stationary SPE conditions (Muthoo 1999, eq. 5.1): V1 = 1 - max(w2, δ2 V2) and
    V2 = 1 - max(w1, δ1 V1); shares are in [0, 1] and sum to 1."""
    eq = solve((d1, d2), (w1, w2))
    v1, v2 = eq.v
    assert v1 == pytest.approx(1 - max(w2, d2 * v2), abs=1e-9)
    assert v2 == pytest.approx(1 - max(w1, d1 * v1), abs=1e-9)
    assert 0 <= eq.share[0] <= 1 and sum(eq.share) == pytest.approx(1)
    assert eq.share[0] >= w1 - 1e-12 and eq.share[1] >= w2 - 1e-12


@pytest.mark.parametrize(
    "d, w", [((1.0, 0.5), (0, 0)), ((0.0, 0.5), (0, 0)), ((0.9, 0.9), (0.6, 0.5))]
)
def test_inputs_ruled_out(d, w) -> None:
    """δ must lie in (0, 1); outside options summing to >= 1 leave nothing to bargain."""
    with pytest.raises(ValueError):
        solve(d, w)


def test_registered_as_crisis_model() -> None:
    spec = get("rubinstein")
    assert spec.kind == "crisis"
    assert spec.options().period_days == 1.0


_SCENARIO = """\
name: r
actors:
  - {id: a, name: A, capability: 1}
  - {id: b, name: B, capability: 1}
issues:
  - {id: i, name: I, unit: u, scale: {min: 0, max: 100},
     positions: {a: 0, b: 100}, saliences: {a: 1, b: 1}}
rubinstein:
  issue: i
  parties: [a, b]
  first: b
  rate: {a: 0.01, b: 0.03}
  period_days: 0.001
  stake: 300
"""


def test_scenario_block_with_rates_and_a_stake() -> None:
    """Rates per day with a short period: b proposes first and gets close to the limit
    r_a/(r_a+r_b) = 0.25 of the stake of 300 (Binmore, Rubinstein & Wolinsky 1986); the
    exact share is (1-δ_a)/(1-δ_a δ_b) with δ = exp(-r·Δ) (Rubinstein 1982)."""
    from realpolitik.api import loads
    from realpolitik.models._registry import RunContext
    from realpolitik.models.rubinstein import RubinsteinOptions, run

    out = run(loads(_SCENARIO), RubinsteinOptions(), RunContext())
    da, db = math.exp(-0.01 * 0.001), math.exp(-0.03 * 0.001)
    assert out["first_mover"] == "b"
    assert out["split"]["b"] == pytest.approx(300 * (1 - da) / (1 - da * db), abs=1e-9)
    assert out["split"]["b"] == pytest.approx(75, abs=0.01)
    assert out["split"]["a"] + out["split"]["b"] == pytest.approx(300)
    assert out["agreement_day"] == 0
