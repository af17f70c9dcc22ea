"""Two-party alternating offers: Rubinstein (1982) with outside options (BSS 1989).

Two parties split a stake by alternating offers, one offer per period. Party ``a`` proposes
first; the responder accepts or rejects, and after a rejection the roles swap one period
later. Each discounts a period's delay by its factor δ_i (or, in continuous time, by
``exp(-r_i · period_days)`` with a rate ``r_i`` per day). With outside options, as in
Binmore, Shaked & Sutton (1989, "An outside option experiment", QJE 104(4)) and Osborne &
Rubinstein (1990, *Bargaining and Markets*, §3.12), a responder may leave the table for its
outside option ``w_i`` instead of making a counter-offer.

The subgame-perfect equilibrium is stationary and unique (Rubinstein 1982, Theorem; Muthoo
1999, *Bargaining Theory with Applications*, Prop. 3.1 and §5.4). Let ``V_i`` be i's share
when it proposes. The proposer offers the responder exactly what makes it indifferent:
its outside option or the discounted value of proposing next period, whichever is larger::

    V_1 = 1 - max(w_2, δ_2 · V_2),        V_2 = 1 - max(w_1, δ_1 · V_1)

Without binding options ``V_1 = (1 - δ_2) / (1 - δ_1 δ_2)`` (Rubinstein 1982). The outside
option principle: ``w_i`` changes the outcome only when it exceeds what i would get as a
responder without it. The first offer is accepted: agreement on day 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from realpolitik.errors import InputError
from realpolitik.models._registry import ModelSpec, Options, RunContext

__all__ = [
    "RubinsteinOptions",
    "Split",
    "discount_factor",
    "rubinstein_share",
    "solve",
    "limit_share",
    "run",
    "SPEC",
]


class RubinsteinOptions(Options):
    """Options of the ``rubinstein`` model.

    ``period_days`` is the length of one bargaining period in days, used when the scenario
    gives rates (``rate``) rather than per-period discount factors (``discount``); a value
    in the scenario block overrides it.
    """

    period_days: float = Field(default=1.0, gt=0)


@dataclass(frozen=True, kw_only=True)
class Split:
    """The equilibrium of one alternating-offers game (shares of the stake, a first).

    ``share[0]`` is the first mover's share, ``share[1]`` the responder's; ``binding`` is
    the index of the party whose outside option changes the split agreed at once (None if
    neither does); ``first_mover_advantage`` is a's share when it proposes first minus its
    share when b does; ``v`` is each party's value when it is the proposer.
    """

    share: tuple[float, float]
    v: tuple[float, float]
    binding: int | None
    first_mover_advantage: float
    delta: tuple[float, float]


def discount_factor(rate: float, period_days: float) -> float:
    """δ = exp(-r·Δ): the per-period factor of a rate ``r`` per day over ``Δ`` days."""
    return math.exp(-rate * period_days)


def rubinstein_share(delta1: float, delta2: float) -> float:
    """The first mover's share without outside options (Rubinstein 1982): (1-δ₂)/(1-δ₁δ₂)."""
    return (1.0 - delta2) / (1.0 - delta1 * delta2)


def limit_share(rate1: float, rate2: float) -> float:
    """The first mover's share as the period length tends to 0: r₂/(r₁+r₂) (Binmore 1987)."""
    return rate2 / (rate1 + rate2)


def _proposer_values(d1: float, d2: float, w1: float, w2: float) -> tuple[float, float]:
    """Solve V_1 = 1 - max(w_2, δ_2 V_2), V_2 = 1 - max(w_1, δ_1 V_1) exactly.

    The map is a contraction with factor δ₁δ₂ < 1, so exactly one of the four cases (which
    options bind) is self-consistent (Muthoo 1999, §5.4). Ties go to "not binding".
    """
    eps = 1e-15
    # 1. neither option binds: Rubinstein.
    v1 = rubinstein_share(d1, d2)
    v2 = rubinstein_share(d2, d1)
    if w2 <= d2 * v2 + eps and w1 <= d1 * v1 + eps:
        return v1, v2
    # 2. only b's option binds.
    v1, v2 = 1.0 - w2, 1.0 - d1 * (1.0 - w2)
    if w2 > d2 * v2 - eps and w1 <= d1 * v1 + eps:
        return v1, v2
    # 3. only a's option binds.
    v1, v2 = 1.0 - d2 * (1.0 - w1), 1.0 - w1
    if w1 > d1 * v1 - eps and w2 <= d2 * v2 + eps:
        return v1, v2
    # 4. both bind.
    return 1.0 - w2, 1.0 - w1


def solve(delta: tuple[float, float], outside: tuple[float, float] = (0.0, 0.0)) -> Split:
    """The subgame-perfect split when party 0 proposes first.

    ``delta`` per-period discount factors in (0, 1); ``outside`` outside options as shares
    of the stake, each >= 0 and summing to less than 1 (else there is nothing to bargain
    over). Raises :class:`ValueError` on inputs outside those ranges.
    """
    d1, d2 = (float(d) for d in delta)
    w1, w2 = (float(w) for w in outside)
    for d in (d1, d2):
        if not 0.0 < d < 1.0:
            raise ValueError(f"discount factor {d} outside (0, 1)")
    if w1 < 0 or w2 < 0 or w1 + w2 >= 1.0:
        raise ValueError(f"outside options {w1}, {w2}: expected >= 0 and summing to < 1")
    v1, v2 = _proposer_values(d1, d2, w1, w2)
    share = (v1, 1.0 - v1)
    # Whose option sets the split agreed on day 0: b's when the offer to b is its option;
    # otherwise a's when it raises b's value of proposing next period, hence a's share.
    binding: int | None = None
    if w2 > d2 * v2 + 1e-15:
        binding = 1
    elif w1 > d1 * v1 + 1e-15:
        binding = 0
    return Split(
        share=share,
        v=(v1, v2),
        binding=binding,
        # a's share when b proposes first is 1 - V_2 (the values are stationary).
        first_mover_advantage=v1 + v2 - 1.0,
        delta=(d1, d2),
    )


# -- the scenario block ------------------------------------------------------------------


def _block_value(block: Any, key: str) -> Any:
    return block.get(key) if isinstance(block, dict) else getattr(block, key, None)


def run(scenario: Any, options: RubinsteinOptions, ctx: RunContext) -> dict[str, Any]:
    """The ``rubinstein`` entry of the forecast's ``crises`` list, from the scenario block.

    The block (see :mod:`realpolitik.contracts.blocks`) names the issue, the parties, who proposes
    first, per-period ``discount`` factors or per-day ``rate`` with ``period_days``, the
    optional ``outside`` options and the ``stake`` (default 1). ``split`` is in units of the
    stake.
    """
    block = getattr(scenario, "rubinstein", None)
    if block is None:
        raise InputError(
            field="--model rubinstein",
            problem="the scenario has no `rubinstein` block",
            expected="a scenario with a `rubinstein` block (see docs/scenario-format.md)",
        )
    a, b = block.parties
    first = block.first or a
    order = (a, b) if first == a else (b, a)
    period = block.period_days if block.period_days is not None else options.period_days
    if block.discount is not None:
        delta = tuple(float(block.discount[p]) for p in order)
    else:
        delta = tuple(discount_factor(float(block.rate[p]), period) for p in order)
    outside = tuple(float((block.outside or {}).get(p, 0.0)) for p in order)
    try:
        eq = solve(delta, outside)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InputError(
            field="rubinstein.outside",
            value=dict(block.outside or {}),
            expected="outside options >= 0 that sum to less than 1 (else nothing to bargain over)",
        ) from exc
    stake = float(block.stake)
    split = {order[0]: eq.share[0] * stake, order[1]: eq.share[1] * stake}
    return {
        "model": "rubinstein",
        "issue": block.issue,
        "parties": [a, b],
        "first_mover": first,
        "split": {a: split[a], b: split[b]},
        "binding_outside_option": None if eq.binding is None else order[eq.binding],
        "agreement_day": 0,
        "first_mover_advantage": eq.first_mover_advantage * stake,
        "discount": {order[0]: eq.delta[0], order[1]: eq.delta[1]},
    }


SPEC = ModelSpec(
    name="rubinstein",
    kind="crisis",
    summary="two-party alternating offers: split and first-mover advantage from patience",
    citation="Rubinstein 1982, Econometrica 50(1); Binmore, Shaked & Sutton 1989, QJE 104(4)",
    run=run,
    options=RubinsteinOptions,
    applies=lambda scenario: getattr(scenario, "rubinstein", None) is not None,
)
