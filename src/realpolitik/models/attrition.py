"""Reputational bargaining / the war of attrition: who gives way, when, and how likely.

Abreu & Gul (2000, *Bargaining and Reputation*, Econometrica 68(1)) in continuous time,
with time-varying flow costs (Hendricks, Weiss & Wilson 1988; Kornhauser, Rubinstein &
Wilson 1989), foreseen and surprise events, exactly as docs/specs/attrition.md says.
The equilibrium is computed by :mod:`realpolitik.models._attrition_core`; this module solves
an :class:`~realpolitik.contracts.steps.AttritionProblem` (the block's numbers and the paths
of its timeline, which :mod:`realpolitik.sim.coupling` builds) and writes the entry of the
forecast's ``crises`` list::

    {"model": "attrition", "issue": "...", "parties": ["a", "b"],
     "end_day": {"median": d or null, "p10": d or null, "p90": d or null},
     "p_first": {"a": p, "b": p}, "p_impasse": p, "p_no_agreement_by_horizon": p,
     "weaker": "a", "p_immediate": p, "expected_share": {"a": x, "b": x},
     "recorded": {"conceded": "a", "day": d} or null, ...}

Days count from ``time.start`` (day 0). A quantile of the end date that falls in the impasse
mass (no agreement ever) is null.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik.contracts.steps import AttritionProblem
from realpolitik.models._attrition_core import (
    AttritionInputError,
    Samples,
    Solution,
    Steps,
    sample,
    sample_times,
    solve,
)
from realpolitik.models._registry import ModelSpec, Options, RunContext

__all__ = [
    "AttritionOptions",
    "Solution",
    "Steps",
    "Samples",
    "solve",
    "sample",
    "sample_times",
    "solve_problem",
    "sample_problem",
    "entry",
    "run",
    "SPEC",
    "DEFAULT_HORIZON",
]

DEFAULT_HORIZON = 365.0


class AttritionOptions(Options):
    """The ``attrition`` model has no options: every input is in the scenario's block."""


def solve_problem(problem: AttritionProblem) -> Solution:
    """The equilibrium of ``problem`` (spec, "Equilibrium"); raises
    :class:`AttritionInputError` for inputs the spec rules out."""
    p = problem
    return solve(p.demand, p.obstinacy, p.discount, p.cost, surprises=list(p.surprises))


def sample_problem(
    problem: AttritionProblem, rng: np.random.Generator, n: int
) -> dict[str, np.ndarray]:
    """Sample ``n`` ends for an ensemble: ``conceded`` (party id, or "" for an impasse)
    and ``day`` (inf for an impasse), exactly (:func:`sample`)."""
    s = sample(solve_problem(problem), rng, n)
    names = np.array([*problem.scenario.attrition.parties, ""], dtype=object)
    return {"conceded": names[s.who], "day": s.day}


def _horizon(scenario: Any) -> float:
    block = scenario.attrition
    if block.horizon is not None:
        return float(block.horizon)
    time = getattr(scenario, "time", None)
    if time is not None and time.end is not None:
        return float((time.end - time.start).days)
    return DEFAULT_HORIZON


def _date(scenario: Any, day: float | None) -> str | None:
    time = getattr(scenario, "time", None)
    if time is None or day is None:
        return None
    import datetime as dt

    return (time.start + dt.timedelta(days=int(np.floor(day)))).isoformat()


def entry(scenario: Any, solution: Solution) -> dict[str, Any]:
    """The ``crises`` entry of ``solution`` for ``scenario``, with extras:
    ``horizon``; ``p_first_by_horizon`` (who conceded first, on or before the horizon: with
    ``p_no_agreement_by_horizon`` these sum to 1); ``settle_by_day`` (T: every rational type has conceded by then);
    ``end_date`` (the quantiles as dates); ``p_recorded`` (the probability that the party
    recorded as conceding did so first, by the recorded day); ``hazards`` (λ paths); and
    ``trace`` (day by day to the horizon: the end date's cumulative and density, each
    party's F_i and hazard), which the JSON shows only with ``--trace``; ``conditional_on``
    (what the forecast takes as given: the airlift run a party's cost is read from, or
    None)."""
    block = scenario.attrition
    a, b = block.parties
    horizon = _horizon(scenario)
    p_first = solution.p_first()
    by_h = solution.p_first_by(horizon)
    share = solution.expected_share()
    quant = {k: solution.end_quantile(q) for k, q in (("median", 0.5), ("p10", 0.1), ("p90", 0.9))}
    rec = getattr(scenario.outcome, "attrition", None) if scenario.outcome is not None else None
    recorded = None
    p_recorded = None
    if rec is not None:
        recorded = {"conceded": rec.conceded, "day": rec.day}
        who = block.parties.index(rec.conceded)
        p_recorded = float(solution.p_first_by(rec.day)[who])
    weaker = solution.weaker
    days = np.arange(0.0, np.floor(horizon) + 1.0)
    lam = solution.hazards_at(days)
    trace = {
        "days": days.tolist(),
        "dates": [_date(scenario, float(t)) for t in days],
        "end_cdf": solution.end_cdf(days).tolist(),
        "end_density": solution.end_density(days).tolist(),
        "conceded_by": {p: solution.cdf_party(i, days).tolist() for i, p in enumerate((a, b))},
        "hazard": {a: lam[0].tolist(), b: lam[1].tolist()},
    }
    return {
        "model": "attrition",
        "issue": block.issue,
        "parties": [a, b],
        "end_day": quant,
        "end_date": {k: _date(scenario, v) for k, v in quant.items()},
        "p_first": {a: float(p_first[0]), b: float(p_first[1])},
        "p_first_by_horizon": {a: float(by_h[0]), b: float(by_h[1])},
        "p_impasse": solution.p_impasse(),
        "p_no_agreement_by_horizon": solution.end_survival(horizon),
        "horizon": horizon,
        "weaker": None if weaker is None else block.parties[weaker],
        "p_immediate": solution.p_immediate,
        "settle_by_day": solution.settle_by,
        "expected_share": {a: float(share[0]), b: float(share[1])},
        "hazards": [{"day": d, a: la, b: lb} for d, la, lb in solution.hazard_path()],
        "recorded": recorded,
        "p_recorded": p_recorded,
        "conditional_on": _conditional(scenario),
        "trace": trace,
    }


def _conditional(scenario: Any) -> str | None:
    """What the forecast takes as given: the airlift run whose series are a party's cost."""
    cfg = getattr(scenario, "airlift", None)
    if cfg is None or cfg.costs is None or not cfg.costs.parties:
        return None
    who = " and ".join(sorted(cfg.costs.parties))
    return (
        f"the airlift as it happened: the daily cost of {who} is read from the scenario's "
        "airlift run (its recorded fleet build-up, airfields and weather)"
    )


def run(problem: Any, options: AttritionOptions, ctx: RunContext) -> dict[str, Any]:
    """Registry entry point: the ``crises`` entry of an :class:`AttritionProblem` (a scenario
    without an ``attrition`` block is an input error)."""
    from realpolitik.errors import InputError

    if not isinstance(problem, AttritionProblem):
        raise InputError(
            field="--model attrition",
            problem="the scenario has no `attrition` block",
            expected="a scenario with an `attrition` block (see docs/scenario-format.md)",
        )
    try:
        solution = solve_problem(problem)
    except AttritionInputError as exc:
        parties = problem.scenario.attrition.parties
        party = parties[exc.party] if exc.party is not None else None
        field = f"attrition.{exc.key}" + (f".{party}" if party else "")
        raise InputError(field=field, value=exc.value, expected=exc.expected) from None
    return entry(problem.scenario, solution)


def _applies(scenario: Any) -> bool:
    return getattr(scenario, "attrition", None) is not None


SPEC = ModelSpec(
    name="attrition",
    kind="crisis",
    summary="reputational bargaining / war of attrition: who concedes, when, how likely",
    citation="Abreu & Gul 2000, Econometrica 68(1); Hendricks, Weiss & Wilson 1988, IER 29(4)",
    run=run,
    options=AttritionOptions,
    applies=_applies,
)
