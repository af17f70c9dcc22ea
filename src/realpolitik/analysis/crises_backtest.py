"""``backtest crises``: score every crisis model on who gave way first, and when.

The cases are the bundled scenarios whose ``outcome`` records who conceded and on which day
(``outcome.attrition`` or ``outcome.learning``: ``{conceded, day}``). The library of
docs/history/cases.md (``case-*``) is the test set; ``berlin-1948`` and ``moscow-1949``, on
which the models were developed, are scored and reported apart (``development: true``) and
left out of the means.

Every registered crisis model (``realpolitik.models.specs("crisis")``) runs on every case
through its registry entry point: one forecast per case with the stated values (a ``{dist:
...}`` input at its median, as ``realpolitik forecast`` without ``--runs``), seeded, so a
coupled airlift runs once. A model that cannot run a case (no block for it, an input it
rules out, an entry without the end-day distribution) skips it with the reason.

From a model's ``crises`` entry the backtest reads three outcomes at the horizon H, the
probabilities that each party gave way first by H and that there was no end by H (attrition:
``p_first_by_horizon``; learning: ``p_first``, which counts only days up to H), and the end
day's cumulative distribution F(d) = P(end ≤ d) on the days d = 0…H (``trace.end_cdf``). For a
model whose end time is continuous (attrition) this is the law of the first whole day by which
the contest has ended. The scores, for a case recorded as party X giving way on day d:

* **log score**: ln P(X gave way first by H), the probability floored at 1e-12 (so the score
  is at least ln 1e-12 ≈ −27.6); higher is better.
* **Brier score**: Σ_k (p_k − o_k)² over the three outcomes {first party, second party, no end
  by H}, o the indicator of what happened; 0 is perfect, 2 the worst.
* **CRPS** of the end day on the log scale x = ln(1 + day), with the mass of "no end by H"
  placed at day H + 1: ∫ (F(x) − 1{x ≥ ln(1 + d)})² dx, exact for the step function F;
  lower is better.
* **in80**: whether d lies in the central 80% interval [q10, q90] of the end day, where
  q = min{day ∈ 0…H+1 : F(day) ≥ q} and F(H + 1) = 1.

A recorded day after H counts as "no end by H" at day H + 1. A case coded
``conceded: mutual`` is scored on its end day only (log and Brier scores null). The means
over the test cases carry percentile intervals from a case bootstrap (``resamples`` draws of
the cases with replacement, seeded; the same draws for every model).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from realpolitik.analysis.metrics import bootstrap_mean, cluster_draws, cluster_index
from realpolitik.errors import InputError

__all__ = [
    "DEVELOPMENT",
    "MUTUAL",
    "RESAMPLES",
    "LOG_FLOOR",
    "SCORES",
    "Recorded",
    "EndForecast",
    "CaseResult",
    "CrisesBacktest",
    "log_score",
    "brier_score",
    "crps_log_day",
    "interval80",
    "end_forecast",
    "score_forecast",
    "recorded_of",
    "crisis_cases",
    "crisis_requests",
    "backtest_crises",
]

#: The cases the models were developed on: scored, reported apart, left out of the means.
DEVELOPMENT = ("berlin-1948", "moscow-1949")
#: ``outcome.<block>.conceded`` of a case where both sides gave way about equally.
MUTUAL = "mutual"
RESAMPLES = 2000
LOG_FLOOR = 1e-12
SCORES = ("log_score", "brier", "crps", "in80")
# A score and the name of its mean in ``models``.
_MEANS = {"log_score": "log_score", "brier": "brier", "crps": "crps", "in80": "coverage80"}


@dataclass(frozen=True)
class Recorded:
    """Who gave way (a party id, or ``mutual``) and on which day from ``time.start``."""

    conceded: str
    day: float

    def to_json(self) -> dict[str, Any]:
        day = self.day
        return {"conceded": self.conceded, "day": int(day) if float(day).is_integer() else day}


@dataclass(frozen=True)
class EndForecast:
    """What a crisis model says about the end: ``p_first[party]`` (gave way first by H),
    ``p_none`` (no end by H) and ``cdf[d] = P(end ≤ d)`` for d = 0…H."""

    parties: tuple[str, str]
    p_first: dict[str, float]
    p_none: float
    cdf: np.ndarray

    @property
    def horizon(self) -> int:
        return int(self.cdf.size - 1)


def log_score(p_first: dict[str, float], conceded: str) -> float:
    """ln P(``conceded`` gave way first), the probability floored at :data:`LOG_FLOOR`."""
    return math.log(max(float(p_first.get(conceded, 0.0)), LOG_FLOOR))


def brier_score(probs: dict[str, float], happened: str) -> float:
    """Σ_k (p_k − 1{k = happened})² over the outcomes in ``probs``."""
    return float(sum((p - (1.0 if k == happened else 0.0)) ** 2 for k, p in probs.items()))


def _grid(cdf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days 0…H+1 and F on them, with F(H + 1) = 1 (the no-end mass placed at H + 1)."""
    f = np.minimum(np.maximum.accumulate(np.clip(np.asarray(cdf, dtype=float), 0.0, 1.0)), 1.0)
    days = np.arange(f.size + 1, dtype=float)
    return days, np.append(f, 1.0)


def crps_log_day(cdf: np.ndarray, day: float) -> float:
    """The CRPS of the end day on x = ln(1 + day), F a step function on days 0…H with the
    rest of the mass at H + 1; a ``day`` after H counts as H + 1. Exact: the integral of
    (F(x) − 1{x ≥ y})² is summed over the pieces between the grid points and y."""
    days, f = _grid(cdf)
    h1 = days[-1]
    y = math.log1p(min(float(day), h1))
    x = np.log1p(days)
    cuts = np.unique(np.append(x, y))
    left, right = cuts[:-1], cuts[1:]
    k = np.searchsorted(x, left, side="right") - 1  # F is f[k] on [x_k, x_{k+1})
    step = (left >= y).astype(float)
    return float(np.sum((f[k] - step) ** 2 * (right - left)))


def interval80(cdf: np.ndarray) -> tuple[int, int]:
    """(q10, q90) of the end day, q = min{d ∈ 0…H+1 : F(d) ≥ q} (H + 1: no end by H)."""
    days, f = _grid(cdf)
    lo = int(days[np.argmax(f >= 0.1 - 1e-12)])
    hi = int(days[np.argmax(f >= 0.9 - 1e-12)])
    return lo, hi


def end_forecast(entry: dict[str, Any]) -> EndForecast:
    """The end as a crisis entry states it; ValueError (with the reason) if it cannot.

    Party probabilities by the horizon are ``p_first_by_horizon`` where the entry has it
    (attrition, whose ``p_first`` counts concessions after H too), else ``p_first``; they
    and the no-end mass must sum to 1, and ``trace.end_cdf`` must reach 1 − P(no end by H).
    """
    parties = tuple(entry.get("parties") or ())
    trace = entry.get("trace") or {}
    cdf = trace.get("end_cdf")
    if len(parties) != 2 or cdf is None:
        raise ValueError("its entry has no end-day distribution (parties and trace.end_cdf)")
    first = entry.get("p_first_by_horizon") or entry.get("p_first") or {}
    p_first = {p: float(first.get(p, 0.0)) for p in parties}
    cdf = np.asarray(cdf, dtype=float)
    p_none = 1.0 - float(cdf[-1])
    if abs(sum(p_first.values()) + p_none - 1.0) > 1e-6:
        raise ValueError(
            "its probabilities of who gave way first by the horizon and of no end by the "
            "horizon do not sum to 1"
        )
    return EndForecast(parties=parties, p_first=p_first, p_none=p_none, cdf=cdf)  # type: ignore[arg-type]


def score_forecast(fc: EndForecast, rec: Recorded) -> dict[str, Any]:
    """``{"log_score", "brier", "crps", "in80"}`` of one forecast against the record."""
    late = rec.day > fc.horizon
    lo, hi = interval80(fc.cdf)
    day = fc.horizon + 1 if late else rec.day
    out: dict[str, Any] = {
        "log_score": None,
        "brier": None,
        "crps": crps_log_day(fc.cdf, rec.day),
        "in80": bool(lo <= day <= hi),
    }
    if rec.conceded != MUTUAL:
        happened = "" if late else rec.conceded
        probs = {**fc.p_first, "": fc.p_none}
        out["log_score"] = log_score(probs, happened)
        out["brier"] = brier_score(probs, happened)
    return out


def recorded_of(scenario: Any) -> Recorded | None:
    """The case's record: ``outcome.attrition``, else ``outcome.learning``; None if neither."""
    outcome = getattr(scenario, "outcome", None)
    for block in ("attrition", "learning"):
        rec = getattr(outcome, block, None) if outcome is not None else None
        if rec is not None:
            return Recorded(conceded=str(rec.conceded), day=float(rec.day))
    return None


def crisis_cases(names: Sequence[Any] | None = None) -> list[tuple[str, Any]]:
    """``(id, scenario)`` of every bundled scenario with a recorded end, or of ``names``
    (bundled ids, or ``(id, scenario)`` pairs already loaded), each of which must have one."""
    from realpolitik.api import load
    from realpolitik.scenario import bundled

    if not names:
        return [(n, sc) for n in bundled() if recorded_of(sc := load(n)) is not None]
    out = []
    for item in names:
        name, sc = item if isinstance(item, tuple) else (item, load(item))
        if recorded_of(sc) is None:
            raise InputError(
                field="--case",
                value=name,
                expected="a scenario whose outcome records who conceded and on which day",
            )
        out.append((name, sc))
    return out


@dataclass(frozen=True)
class CaseResult:
    """One case: its record and each model's scores, or ``{"skipped": reason}``."""

    id: str
    development: bool
    recorded: Recorded
    scores: dict[str, dict[str, Any]]
    intervals: dict[str, tuple[int, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "development": self.development,
            "recorded": self.recorded.to_json(),
            "scores": self.scores,
        }


@dataclass(frozen=True)
class CrisesBacktest:
    """Per-case scores and, per model, the means over the test cases with intervals."""

    cases: list[CaseResult]
    models: dict[str, dict[str, Any]]
    seed: int
    resamples: int

    def to_json(self) -> dict[str, Any]:
        return {"cases": [c.to_json() for c in self.cases], "models": self.models}


def crisis_requests(models: Sequence[Any] | None = None) -> list[Any]:
    """The crisis models to score: ``--model`` strings (``NAME`` or ``NAME:key=value``) or
    requests, else every registered crisis model; a model of another kind is an error."""
    from realpolitik.forecast import requests_of_kind

    return requests_of_kind("crisis", models)


def _score_case(req: Any, scenario: Any, rec: Recorded, seed: int) -> tuple[dict, Any]:
    """One model on one case: its scores and 80% interval, or a skip reason and None."""
    from realpolitik.models import RunContext
    from realpolitik.sim.coupling import run_model

    spec = req.spec
    if spec.applies is not None and not spec.applies(scenario):
        return {"skipped": f"the scenario has no `{spec.name}` block"}, None
    try:
        fc = end_forecast(run_model(spec, scenario, req.options, RunContext(seed=seed)))
    except InputError as exc:
        return {"skipped": f"the model rejects an input: {exc}"}, None
    except ValueError as exc:
        return {"skipped": str(exc)}, None
    if rec.conceded not in (*fc.parties, MUTUAL):
        return {"skipped": f"the recorded party {rec.conceded!r} is not one of its parties"}, None
    return score_forecast(fc, rec), interval80(fc.cdf)


def _summary(
    name: str, cases: list[CaseResult], counts: np.ndarray, cluster: np.ndarray
) -> dict[str, Any]:
    """Means of the four scores over the test cases a model scored, with their intervals."""
    rows = [c.scores[name] for c in cases]
    n = sum(1 for r in rows if "skipped" not in r)
    out: dict[str, Any] = {"n": n}
    ci: dict[str, list[float | None]] = {}
    for key, label in _MEANS.items():
        vals = np.array(
            [np.nan if "skipped" in r or r[key] is None else float(r[key]) for r in rows],
            dtype=float,
        )
        ok = np.isfinite(vals)
        out[label] = float(vals[ok].mean()) if ok.any() else None
        lo, hi = bootstrap_mean(vals, cluster, counts) if ok.any() else (np.nan, np.nan)
        ci[label] = [_num(lo), _num(hi)]
    out["ci"] = ci
    return out


def _num(x: float) -> float | None:
    return float(x) if x is not None and np.isfinite(x) else None


def backtest_crises(
    cases: Sequence[Any] | None = None,
    models: Sequence[str] | None = None,
    *,
    seed: int = 0,
    resamples: int = RESAMPLES,
) -> CrisesBacktest:
    """Score every crisis model (or ``models``: names or requests) on every case with a
    recorded end.

    ``cases`` are bundled scenario ids or ``(id, scenario)`` pairs (default: every bundled
    scenario with a record). The means cover the
    cases not in :data:`DEVELOPMENT`; their 95% intervals come from ``resamples`` case
    bootstrap draws seeded by ``seed``, which also seeds every model run.
    """
    chosen = crisis_requests(models)
    results: list[CaseResult] = []
    for cid, sc in crisis_cases(cases):
        rec = recorded_of(sc)
        scores: dict[str, dict[str, Any]] = {}
        intervals: dict[str, tuple[int, int]] = {}
        for req in chosen:
            scores[req.name], iv = _score_case(req, sc, rec, seed)
            if iv is not None:
                intervals[req.name] = iv
        results.append(CaseResult(cid, cid in DEVELOPMENT, rec, scores, intervals))
    test = [c for c in results if not c.development]
    cluster = cluster_index([c.id for c in test])
    rng = np.random.default_rng(seed)
    counts = cluster_draws(len(test), resamples, rng) if test else np.zeros((resamples, 0), int)
    summary = {r.name: _summary(r.name, test, counts, cluster) for r in chosen}
    return CrisesBacktest(cases=results, models=summary, seed=seed, resamples=resamples)
