"""A challenger that learns whether the defender will break (docs/specs/learning.md).

C holds a belief over K types of defender, updates it by Bayes' rule from D's survival and,
optionally, from window means of D's performance, and gives way by optimal stopping:
exactly on the deterministic belief path with survival only (§5.1), on a belief grid with a
signal (§5.2), or by a one-step look-ahead (``policy: myopic``, §5.3). Ideas: Powell 2004,
AJPS 48(2); Filson & Werner 2002, AJPS 46(4); Slantchev 2003, APSR 97(4); Chow, Robbins &
Siegmund 1971; Lovejoy 1991, Operations Research 39(1).

The pure functions are :mod:`realpolitik.models._learning_core` (hazards, Bayes, §5.1 and
§5.2, cached per distinct challenger) and :mod:`realpolitik.models._learning_paths` (paths,
ends, sampler); :mod:`realpolitik.sim._learning_inputs` reads the scenario into arrays (the
glue, including the coupled airlift series). This module writes the ``crises`` entry (§6)::

    {"model": "learning", "issue": "...", "parties": [C, D], "mode": "coupled", ...,
     "p_first": {C: p, D: p}, "p_no_end_by_horizon": p, "end_day": {...}, "recorded": ...}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from realpolitik.models._learning_paths import Outcome, outcome, sample
from realpolitik.models._registry import ModelSpec, Options, RunContext

__all__ = ["LearningOptions", "solve_scenario", "entry", "sample_scenario", "run", "SPEC"]


class LearningOptions(Options):
    """The ``learning`` model has no options: every input is in the scenario's block."""


def _problem(scenario: Any, seed: int | None):
    from realpolitik.sim._learning_inputs import problem

    return problem(scenario, seed)


def solve_scenario(scenario: Any, seed: int | None = 0) -> tuple[Any, Outcome]:
    """The scenario's problem (:class:`~realpolitik.sim._learning_inputs.Problem`) and its
    forecast; the airlift (coupled mode) runs with ``seed``, generated paths are drawn from
    ``Generator(PCG64(seed))`` (§6 "Ensembles")."""
    pb = _problem(scenario, seed)
    rng = np.random.Generator(np.random.PCG64(0 if seed is None else seed))
    out = outcome(
        pb.stages, pb.prior, pb.truth, pb.horizon, mode=pb.mode, policy=pb.policy,
        paths=pb.paths, rng=rng, ybar=pb.ybar, hstar=pb.hstar, quit_day=pb.quit_day,
    )  # fmt: skip
    return pb, out


def sample_scenario(scenario: Any, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """``n`` ends for an ensemble (§6 "Ensembles"): ``conceded`` (an id, "" for no end by
    H) and ``day`` (inf). In the coupled mode the airlift's seed is the first draw,
    ``int(rng.integers(2**31))``, as in attrition, so both models see the same airlift."""
    seed = int(rng.integers(2**31)) if _coupled(scenario) else None
    pb = _problem(scenario, seed)
    who, day = sample(
        pb.stages, pb.prior, pb.truth, pb.horizon, rng, n, mode=pb.mode, policy=pb.policy,
        ybar=pb.ybar, hstar=pb.hstar, quit_day=pb.quit_day,
    )  # fmt: skip
    names = np.array([pb.challenger, pb.defender, ""], dtype=object)
    return {"conceded": names[who], "day": day}


def _coupled(scenario: Any) -> bool:
    sig = scenario.learning.signal
    return sig is not None and not isinstance(sig.source, str)


def _date(scenario: Any, day: float | None) -> str | None:
    time = getattr(scenario, "time", None)
    if time is None or day is None:
        return None
    return (time.start + dt.timedelta(days=int(day))).isoformat()


def _conditional(pb: Any) -> str | None:
    if pb.mode != "coupled":
        return None
    return (
        f"the {pb.series} series of one airlift run as scheduled (its fleet, airfields and "
        "weather): a forecast conditional on the airlift as it happened"
    )


def entry(scenario: Any, pb: Any, out: Outcome) -> dict[str, Any]:
    """The ``crises`` entry (§6 "The crises entry"), with ``end_date``, ``conditional_on``
    (coupled mode) and ``trace`` (shown with ``--trace``)."""
    c, d = pb.challenger, pb.defender
    h = pb.horizon
    ends = out.ends
    p_c, p_d = ends.p_first
    qs = (("median", 0.5), ("p10", 0.1), ("p90", 0.9))
    end_day = {k: ends.quantile(q) for k, q in qs}
    rec = getattr(scenario.outcome, "learning", None) if scenario.outcome is not None else None
    recorded = p_recorded = None
    if rec is not None:
        recorded = {"conceded": rec.conceded, "day": rec.day}
        pmf = ends.pmf_c if rec.conceded == c else ends.pmf_d
        p_recorded = float(pmf[: int(min(rec.day, h)) + 1].sum())
    labels = pb.labels
    warnings = [
        f"day {t}" + (f" ({_date(scenario, t)})" if _date(scenario, t) else "")
        + ": no type in the challenger's model could have survived it; belief kept"
        for t in out.dead
    ]  # fmt: skip
    days = np.arange(h + 1)
    trace = {
        "days": days.tolist(),
        "dates": [_date(scenario, int(t)) for t in days],
        "end_cdf": ends.cdf.tolist(),
        "conceded_by": {c: np.cumsum(ends.pmf_c).tolist(), d: np.cumsum(ends.pmf_d).tolist()},
        "belief": {
            lab: {
                "mean": out.belief[:, j].tolist(),
                "p10": out.belief_p10[:, j].tolist(),
                "p90": out.belief_p90[:, j].tolist(),
            }
            for j, lab in enumerate(labels)
        },
    }
    return {
        "model": "learning",
        "issue": scenario.learning.issue,
        "parties": [c, d],
        "mode": out.mode,
        "policy": pb.policy,
        "types": list(labels),
        "horizon": h,
        "conditional_on": _conditional(pb),
        "p_first": {c: p_c, d: p_d},
        "p_quit": ends.quit,
        "p_no_end_by_horizon": ends.none,
        "end_day": end_day,
        "end_date": {k: _date(scenario, v) for k, v in end_day.items()},
        "concession_day": {k: out.concession_quantile(q, h) for k, q in qs},
        "value": out.value,
        "belief": {lab: out.belief[:, j].tolist() for j, lab in enumerate(labels)},
        "by_type": {
            labels[t]: {"p_first": {c: v[0], d: v[1]}, "p_no_end_by_horizon": v[2]}
            for t, v in out.by_type.items()
        },
        "recorded": recorded,
        "p_recorded": p_recorded,
        "paths": pb.paths if out.mode == "generated" else None,
        "mc_se": out.mc_se,
        "warnings": warnings,
        "trace": trace,
    }


def run(scenario: Any, options: LearningOptions, ctx: RunContext) -> dict[str, Any]:
    """Registry entry point: the ``crises`` entry of the scenario's ``learning`` block."""
    from realpolitik.errors import InputError

    if getattr(scenario, "learning", None) is None:
        raise InputError(
            field="--model learning",
            problem="the scenario has no `learning` block",
            expected="a scenario with a `learning` block (see docs/scenario-format.md)",
        )
    pb, out = solve_scenario(scenario, ctx.seed)
    return entry(scenario, pb, out)


def _applies(scenario: Any) -> bool:
    return getattr(scenario, "learning", None) is not None


SPEC = ModelSpec(
    name="learning",
    kind="crisis",
    summary="a challenger that learns whether the defender will break: Bayesian optimal stopping",
    citation="Powell 2004, AJPS 48(2); Filson & Werner 2002, AJPS 46(4); Lovejoy 1991, OR 39(1)",
    run=run,
    options=LearningOptions,
    applies=_applies,
)
