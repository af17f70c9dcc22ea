"""The coupling of models: what a crisis or logistics model reads, built from the scenario,
its timeline and the other models that feed it.

The models are pure functions (:mod:`realpolitik.models`); this module prepares their inputs:

- ``attrition``: the cost and discount paths of the timeline, foreseen and surprise events
  (docs/specs/attrition.md, "Inputs"), with a party's cost replaced by the airlift's daily
  series where ``airlift.costs`` names it (spec, "In the bundled scenarios") — an
  :class:`~realpolitik.contracts.steps.AttritionProblem`;
- ``airlift``: one run of the discrete-event airlift with the scenario's events — an
  :class:`~realpolitik.sim.airlift.AirliftResult`;
- ``learning``: the block read into arrays, the challenger's cost stages from the timeline's
  events and, in the coupled mode, the airlift run's series (docs/specs/learning.md §7) — a
  :class:`~realpolitik.sim._learning_inputs.Problem`.

A model with no entry here (``rubinstein``) reads the scenario itself. :func:`run_model` is
the one way the forecast and the ensemble run a crisis or logistics model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from realpolitik.contracts.arrays import RunContext
from realpolitik.contracts.steps import AttritionProblem
from realpolitik.models._attrition_core import Solution, solve
from realpolitik.sim.airlift import attrition_costs, run_cached, run_scenario
from realpolitik.sim.timeline import Timeline, party_cost

__all__ = [
    "attrition_problem",
    "attrition_solution",
    "coupled_costs",
    "airlift_result",
    "prepare",
    "run_model",
    "sample_input",
]


def attrition_problem(scenario: Any, cost_series: dict[str, Any] | None = None) -> AttritionProblem:
    """The scenario's ``attrition`` block on its timeline, as the model's arrays.

    ``cost_series`` optionally gives a party's cost per day from another model (e.g. the
    airlift's): ``{party: [k_day0, k_day1, ...]}`` or ``{party: Steps}``
    (``Steps.daily(values, start=d)`` for a series that begins on day d); the last value
    holds afterwards. It replaces the block's ``cost`` for that party; events still change it.
    """
    block = scenario.attrition
    parties = tuple(block.parties)
    demand = tuple(float(block.demand[p]) for p in parties)
    obstinacy = tuple(float(block.obstinacy[p]) for p in parties)
    timeline = Timeline.of(scenario)
    if timeline is None:
        cost = tuple(party_cost(block, p, cost_series) for p in parties)
        discount = tuple(block.discount[p] for p in parties)
        return AttritionProblem(scenario, demand, obstinacy, discount, cost)  # type: ignore[arg-type]
    known, surprises = timeline.attrition_beliefs(cost_series)
    return AttritionProblem(
        scenario, demand, obstinacy, known.discount, known.cost, tuple(surprises)
    )


def attrition_solution(scenario: Any, cost_series: dict[str, Any] | None = None) -> Solution:
    """The equilibrium of the scenario's ``attrition`` block on its timeline (spec,
    "Equilibrium"); raises ``AttritionInputError`` for inputs the spec rules out."""
    p = attrition_problem(scenario, cost_series)
    return solve(p.demand, p.obstinacy, p.discount, p.cost, surprises=list(p.surprises))


def coupled_costs(scenario: Any, seed: int | None) -> dict[str, Any] | None:
    """Cost series fed by another model: the airlift's (``airlift.costs``), or None."""
    if getattr(scenario, "airlift", None) is None:
        return None
    return attrition_costs(scenario, seed if seed is not None else 0)


def airlift_result(scenario: Any, seed: int | None) -> Any:
    """One airlift run with the scenario's events (a bare config runs as it is)."""
    seed = seed if seed is not None else 0
    if hasattr(scenario, "actors"):
        return run_scenario(scenario, seed)
    from realpolitik.models.airlift import config_of

    return run_cached(config_of(scenario), seed)


def _attrition_input(scenario: Any, seed: int | None) -> AttritionProblem:
    return attrition_problem(scenario, coupled_costs(scenario, seed))


def _learning_input(scenario: Any, seed: int | None) -> Any:
    from realpolitik.sim._learning_inputs import problem

    return problem(scenario, seed)


def _learning_coupled(scenario: Any) -> bool:
    sig = scenario.learning.signal
    return sig is not None and not isinstance(sig.source, str)


_PREPARE: dict[str, Callable[[Any, int | None], Any]] = {
    "attrition": _attrition_input,
    "airlift": airlift_result,
    "learning": _learning_input,
}


def prepare(spec: Any, scenario: Any, seed: int | None) -> Any:
    """What the crisis or logistics model ``spec`` runs on: its coupled input, or the scenario
    when it has no entry here. Inputs the scenario lacks are left to the model to report."""
    build = _PREPARE.get(spec.name)
    if build is None or (spec.applies is not None and not spec.applies(scenario)):
        return scenario
    return build(scenario, seed)


def run_model(spec: Any, scenario: Any, options: Any, ctx: RunContext) -> Any:
    """Run a crisis or logistics model on its prepared input (:func:`prepare`)."""
    return spec.run(prepare(spec, scenario, ctx.seed), options, ctx)


def sample_input(spec: Any, scenario: Any, rng: np.random.Generator) -> Any:
    """A crisis model's input for one ensemble draw: a coupled model (the airlift) runs with
    a seed drawn from ``rng``; without one, ``rng`` is left untouched."""
    if spec.name == "attrition" and getattr(scenario, "airlift", None) is not None:
        return attrition_problem(scenario, coupled_costs(scenario, int(rng.integers(2**31))))
    if spec.name == "learning" and getattr(scenario, "learning", None) is not None:
        # docs/specs/learning.md §6: in the coupled mode the airlift's seed is the first draw
        seed = int(rng.integers(2**31)) if _learning_coupled(scenario) else None
        return _learning_input(scenario, seed)
    return prepare(spec, scenario, None)
