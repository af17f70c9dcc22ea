"""Backtests: score every registered issue model against recorded outcomes.

Two record sets:

* **DEU** (:func:`backtest_deu`): the EU legislative issues of the DEU III data set (Arregui &
  Perarnaud 2021, doi:10.34810/data53), each its own negotiation among the actors with a
  position on it (conventions of docs/specs/eum.md §9). Per model: n, the mean absolute
  error on 0–100 with a 95% cluster-bootstrap interval (proposals resampled), the median
  absolute error, the share within 10 points, and the paired MAE difference against the
  capability × salience ``compromise`` (Achen 2006), the best simple baseline of the
  literature, with its paired bootstrap interval.
* **Historical cases** (:func:`backtest_cases`): every bundled scenario with a recorded
  outcome; each model's error per issue, in the issue's unit and on 0–100.

Models come from the registry (``realpolitik.models.specs("issue")``), so a model added later
joins without an edit here. A model that cannot run an issue (it lists the issue in
``IssueResult.skipped``, returns NaN, or raises :class:`~realpolitik.errors.InputError` for
it) is not scored on it: its n is smaller and the reasons are counted.

The results are plain frozen dataclasses with a ``to_json()`` that gives the documented JSON
shape, so the CLI, the report and other tools render the same numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from realpolitik.analysis.calibration import CalibrationTable, default_calibration
from realpolitik.analysis.crossval import (
    OutOfSample,
    centres_of,
    coefficient_source,
    evaluate,
    fingerprint,
    score_fixed,
    summarise_scores,
)
from realpolitik.analysis.metrics import (
    absolute_errors,
    bootstrap_mean,
    cluster_draws,
    cluster_index,
    paired_difference,
    summarize,
)
from realpolitik.errors import InputError
from realpolitik.forecast import ModelRequest, forecast, requests_of_kind
from realpolitik.models import IssueInputs, RunContext, get
from realpolitik.scenario import Scenario
from realpolitik.scenario.importers.deu import (
    Capabilities,
    DeuData,
    EraCapabilities,
    check_actors,
    issue_inputs,
)

__all__ = [
    "BASELINE",
    "RESAMPLES",
    "Progress",
    "PairedDiff",
    "ModelScore",
    "DeuBacktest",
    "CaseRow",
    "CasesBacktest",
    "issue_requests",
    "run_issue_models",
    "score_models",
    "backtest_deu",
    "backtest_cases",
]

BASELINE = "compromise"
RESAMPLES = 2000
#: ``progress(model, done, total)``: called as each model works through the issues.
Progress = Callable[[str, int, int], None]


def _num(value: float) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def _pair(ci: tuple[float, float]) -> list[float | None]:
    return [_num(ci[0]), _num(ci[1])]


@dataclass(frozen=True)
class PairedDiff:
    """MAE(model) − MAE(baseline) on the n issues both forecast, with its 95% interval."""

    n: int
    diff: float
    ci95: tuple[float, float]

    def to_json(self) -> dict[str, Any]:
        return {"diff": _num(self.diff), "ci95": _pair(self.ci95), "n": self.n}


@dataclass(frozen=True)
class ModelScore:
    """One model's record: n, MAE with its 95% interval, median AE, share within 10."""

    name: str
    n: int
    mae: float
    mae_ci95: tuple[float, float]
    median_ae: float
    within10: float
    vs_compromise: PairedDiff | None
    skipped: dict[str, int] = field(default_factory=dict)
    #: Probabilistic scores (:func:`realpolitik.analysis.crossval.summarise_scores`).
    probabilistic: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mae": _num(self.mae),
            "mae_ci95": _pair(self.mae_ci95),
            "median_ae": _num(self.median_ae),
            "within10": _num(self.within10),
            "vs_compromise": None if self.vs_compromise is None else self.vs_compromise.to_json(),
            "skipped": dict(self.skipped),
            **self.probabilistic,
        }


# -- running the models -----------------------------------------------------------------------


def issue_requests(models: Sequence[str | ModelRequest] | None = None) -> list[ModelRequest]:
    """The issue models to score: ``--model`` strings or requests, else every registered one."""
    return requests_of_kind("issue", models)


_ACTOR = re.compile(r"\bactor '[^']*'")


def _reason(text: str) -> str:
    """A skip reason without the actor's name, so that reasons can be counted."""
    return _ACTOR.sub("an actor", text)


def run_issue_models(
    inputs: Sequence[IssueInputs],
    requests: Sequence[ModelRequest],
    *,
    seed: int | None = 0,
    progress: Progress | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, dict[int, str]]]:
    """Run each model on each one-issue input; forecasts on 0–100 and skip reasons.

    Returns ``forecasts[model][k]`` (NaN where skipped) and ``reasons[model][k]``.
    """
    forecasts: dict[str, np.ndarray] = {}
    reasons: dict[str, dict[int, str]] = {}
    ctx = RunContext(seed=seed)
    for req in requests:
        values = np.full(len(inputs), np.nan)
        why: dict[int, str] = {}
        for k, inp in enumerate(inputs):
            try:
                result = req.spec.run(inp, req.options, ctx)
            except InputError as exc:
                why[k] = exc.problem or f"input the model cannot use (expected {exc.expected})"
            else:
                value = float(np.asarray(result.values, dtype=float)[0])
                if 0 in result.skipped:
                    why[k] = result.skipped[0]
                elif not np.isfinite(value):
                    why[k] = "no forecast (NaN)"
                else:
                    values[k] = value
            if progress is not None:
                progress(req.name, k + 1, len(inputs))
        forecasts[req.name] = values
        reasons[req.name] = why
    return forecasts, reasons


def score_models(
    outcomes: np.ndarray,
    clusters: Sequence[str],
    forecasts: dict[str, np.ndarray],
    reasons: dict[str, dict[int, str]] | None = None,
    *,
    baseline: str | None = BASELINE,
    seed: int | None = 0,
    resamples: int = RESAMPLES,
) -> dict[str, ModelScore]:
    """Score forecasts (0–100) against outcomes; bootstrap clusters with one seeded draw.

    ``forecasts[baseline]`` is the reference of the paired differences; it must be present
    when ``baseline`` is not None. Every model's intervals use the same resamples.
    """
    outcomes = np.asarray(outcomes, dtype=float)
    cluster = cluster_index(clusters)
    rng = np.random.default_rng(seed)
    counts = cluster_draws(int(cluster.max()) + 1 if cluster.size else 0, resamples, rng)
    errors = {m: absolute_errors(f, outcomes) for m, f in forecasts.items()}
    out: dict[str, ModelScore] = {}
    for name, err in errors.items():
        s = summarize(err)
        ci = bootstrap_mean(err, cluster, counts) if s.n else (np.nan, np.nan)
        vs = None
        if baseline is not None and name != baseline:
            n, diff, dci = paired_difference(err, errors[baseline], cluster, counts)
            vs = PairedDiff(n=n, diff=diff, ci95=dci)
        skipped: dict[str, int] = {}
        for why in (reasons or {}).get(name, {}).values():
            key = _reason(why)
            skipped[key] = skipped.get(key, 0) + 1
        out[name] = ModelScore(
            name=name,
            n=s.n,
            mae=s.mae,
            mae_ci95=ci,
            median_ae=s.median_ae,
            within10=s.within10,
            vs_compromise=vs,
            skipped=skipped,
        )
    return out


# -- DEU --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeuBacktest:
    """A DEU backtest: the scored issues, each model's forecasts and its record."""

    dataset: str
    issues: tuple[str, ...]
    proposals: tuple[str, ...]
    outcomes: np.ndarray
    reference_points: np.ndarray
    n_actors: np.ndarray
    forecasts: dict[str, np.ndarray]
    reasons: dict[str, dict[int, str]]
    scores: dict[str, ModelScore]
    capabilities: dict[str, Any]
    notes: tuple[str, ...]
    unscored: dict[str, int]
    seed: int | None
    resamples: int
    missing_salience: str = "zero"
    #: Each model's out-of-sample intervals and CRPS per issue (``analysis.crossval``).
    out_of_sample: dict[str, OutOfSample] = field(default_factory=dict)
    calibration: str = ""

    @property
    def n_issues(self) -> int:
        return len(self.issues)

    def to_json(self) -> dict[str, Any]:
        """``{"dataset", "n_issues", "models": {...}}`` and the conventions used."""
        return {
            "dataset": self.dataset,
            "n_issues": self.n_issues,
            "models": {m: s.to_json() for m, s in self.scores.items()},
            "baseline": BASELINE,
            "capabilities": self.capabilities,
            "missing_salience": self.missing_salience,
            "unscored": dict(self.unscored),
            "notes": list(self.notes),
            "seed": self.seed,
            "resamples": self.resamples,
            "calibration": self.calibration,
        }

    def prediction_rows(self) -> tuple[list[str], list[list[Any]]]:
        """A header and one row per scored issue: ids, outcome, each model's forecast, then
        per model its calibrated intervals and CRPS (``MODEL_lo50``, ..., ``MODEL_crps``)."""
        models = list(self.scores)
        prob = [m for m in models if m in self.out_of_sample]
        cols = ("lo50", "hi50", "lo80", "hi80", "lo90", "hi90", "crps")
        header = ["issue", "proposal", "n_actors", "reference_point", "outcome", *models]
        header += [f"{m}_{c}" for m in prob for c in cols]
        rows = []
        for k, issue in enumerate(self.issues):
            rows.append(
                [
                    issue,
                    self.proposals[k],
                    int(self.n_actors[k]),
                    _num(self.reference_points[k]),
                    float(self.outcomes[k]),
                ]
                + [_num(self.forecasts[m][k]) for m in models]
                + [v for m in prob for v in _interval_cells(self.out_of_sample[m], k)]
            )
        return header, rows


def _interval_cells(oos: OutOfSample, k: int) -> list[float | None]:
    cells: list[float | None] = []
    for j in range(oos.lo.shape[1]):
        cells += [_num(oos.lo[k, j]), _num(oos.hi[k, j])]
    return [*cells, _num(oos.crps[k])]


MissingSalience = Literal["zero", "drop"]


def _notes(
    data: DeuData,
    caps: Capabilities | EraCapabilities,
    n_scored: int,
    missing: MissingSalience,
    n_missing: int,
) -> tuple[str, ...]:
    unscored = data.unscored()
    left = "; ".join(f"{n} with {why}" for why, n in unscored.items())
    if missing == "zero":
        salience = (
            f"A position without a salience counts as salience 0 ({n_missing} such cells); "
            "the actor stays, with no weight."
        )
    else:
        salience = (
            f"An actor with a position but no salience is left out of that issue "
            f"({n_missing} such cells; --missing-salience drop)."
        )
    return (
        f"Scored {n_scored} of {len(data.issues)} issues: those with an outcome in [0, 100] "
        f"and at least 3 actors with a position" + (f" (not scored: {left})" if left else "") + ".",
        salience,
        caps.note(),
        "Each issue is its own negotiation among the actors with a position on it.",
        "Intervals: 95% percentile bootstrap, resampling proposals (clusters of issues).",
        "Probabilistic scores (coverage of the calibrated 50/80/90% intervals, interval "
        "score at 80%, CRPS, log score): out of sample, as each model's scored_by says.",
    )


def _overlap_notes(
    table: CalibrationTable,
    requests: Sequence[ModelRequest],
    proposals: Sequence[str],
    data_id: str,
) -> tuple[str, ...]:
    """Scored directly on a file that shares proposals with a fit: say so (not out of sample)."""
    fits: list[tuple[str, dict[str, Any]]] = []
    if not table.fitted_on(data_id):
        fits.append((f"the calibration ({table.file})", table.source))
    for req in requests:
        if req.name == "choice":
            src = coefficient_source(req.options)
            if src.get("data_id") != data_id:
                fits.append(("choice's coefficients", src))
    out = []
    for what, src in fits:
        shared = set(proposals) & set(src.get("proposals") or ())
        if shared:
            n = sum(p in shared for p in proposals)
            out.append(
                f"{n} of the {len(proposals)} issues belong to proposals that {what} was "
                "fitted on: their probabilistic scores are not out of sample."
            )
    return tuple(out)


def backtest_deu(
    data: DeuData,
    caps: Capabilities | EraCapabilities,
    models: Sequence[str | ModelRequest] | None = None,
    *,
    seed: int | None = 0,
    resamples: int = RESAMPLES,
    missing_salience: MissingSalience = "zero",
    progress: Progress | None = None,
    calibration: CalibrationTable | None = None,
) -> DeuBacktest:
    """Score issue models on the scored issues of a DEU file.

    1. Check that every actor of the file has a capability; with ``missing_salience="drop"``
       leave out the actors with a position and no salience (default: salience 0).
    2. Build one one-issue input per scored issue (its positioned actors only).
    3. Run each model (all registered issue models unless ``models`` names some) and the
       ``compromise`` baseline if it was not named.
    4. Out of sample (:func:`realpolitik.analysis.crossval.evaluate`): a fitted model's
       forecasts and every calibrated interval under grouped 10-fold CV when the
       coefficients or ``calibration`` (default: the bundled table) were fitted on these
       issues, directly otherwise.
    5. Score: MAE with a cluster bootstrap over proposals (``resamples`` draws, ``seed``),
       median AE, share within 10, paired difference against the baseline; coverage of the
       50/80/90% intervals, interval score, CRPS and log score with the same resamples.
    """
    check_actors(data, caps)
    n_missing = data.missing_saliences()
    if missing_salience == "drop":
        data = data.without_missing_saliences()
    scored = data.scored()
    inputs = [issue_inputs(i, caps) for i in scored]
    requests = issue_requests(models)
    names = [r.name for r in requests]
    base = get(BASELINE)
    extra = [] if BASELINE in names else [ModelRequest(base, base.parse_options({}))]
    forecasts, reasons = run_issue_models(inputs, requests + extra, seed=seed, progress=progress)
    outcomes = np.array([i.outcome for i in scored], dtype=float)
    proposals = tuple(i.proposal for i in scored)
    table = calibration if calibration is not None else default_calibration()
    data_id = fingerprint(inputs, outcomes, proposals)
    oos = {
        r.name: evaluate(
            r.name,
            r.options,
            inputs,
            outcomes,
            proposals,
            forecasts[r.name],
            table=table,
            data_id=data_id,
            seed=seed,
        )
        for r in requests + extra
    }
    for name, o in oos.items():  # a fitted model's forecasts are its out-of-fold ones
        forecasts[name] = o.points
    scores = score_models(outcomes, proposals, forecasts, reasons, seed=seed, resamples=resamples)
    cluster = cluster_index(proposals)
    counts = cluster_draws(int(cluster.max()) + 1, resamples, np.random.default_rng(seed))
    for name, o in oos.items():
        prob = summarise_scores(o, outcomes, cluster, counts)
        scores[name] = replace(scores[name], probabilistic=prob)
    for req in extra:
        forecasts.pop(req.name)
        scores.pop(req.name)
        oos.pop(req.name)
    notes = _notes(data, caps, len(scored), missing_salience, n_missing)
    notes += _overlap_notes(table, requests, proposals, data_id)
    return DeuBacktest(
        dataset=data.file,
        issues=tuple(i.id for i in scored),
        proposals=proposals,
        outcomes=outcomes,
        reference_points=np.array(
            [np.nan if i.reference_point is None else i.reference_point for i in scored]
        ),
        n_actors=np.array([len(i.actors) for i in scored], dtype=int),
        forecasts=forecasts,
        reasons={m: reasons[m] for m in forecasts},
        scores=scores,
        capabilities=caps.to_json(),
        notes=notes,
        missing_salience=missing_salience,
        unscored=data.unscored(),
        seed=seed,
        resamples=resamples,
        out_of_sample=oos,
        calibration=f"{table.file}: {table.basis}",
    )


# -- historical cases -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """One issue of a bundled case with its recorded outcome, and each model's error.

    ``errors[model]`` holds ``forecast`` (issue unit), ``error`` (forecast − outcome, issue
    unit) and ``error_0_100`` (the same on 0–100), all None with a ``skipped`` reason where
    the model did not forecast the issue.
    """

    scenario: str
    issue: str
    name: str
    unit: str
    outcome: float
    errors: dict[str, dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "issue": self.issue,
            "name": self.name,
            "unit": self.unit,
            "outcome": self.outcome,
            "errors": {m: dict(e) for m, e in self.errors.items()},
        }


@dataclass(frozen=True)
class CasesBacktest:
    """The bundled cases' issues with outcomes; per model n and MAE on 0–100, and the
    probabilistic scores of its calibrated intervals (on 0–100)."""

    rows: tuple[CaseRow, ...]
    models: dict[str, dict[str, Any]]
    calibration: str = ""

    def to_json(self) -> dict[str, Any]:
        """``{"cases": [...], "models": {"<model>": {"n", "mae_0_100", "coverage80", ...}},
        "calibration": "..."}``."""
        return {
            "cases": [r.to_json() for r in self.rows],
            "models": dict(self.models),
            "calibration": self.calibration,
        }


def backtest_cases(
    scenarios: Sequence[Scenario] | None = None,
    models: Sequence[str | ModelRequest] | None = None,
    *,
    seed: int | None = 0,
    calibration: CalibrationTable | None = None,
    resamples: int = RESAMPLES,
) -> CasesBacktest:
    """Score issue models on every scenario (default: the bundled ones) with an outcome.

    Each scenario is forecast as a whole (its issues jointly, as ``realpolitik forecast``
    does); every issue with a recorded outcome is a row. Signed errors are forecast minus
    outcome; ``mae_0_100`` averages their absolute values on 0–100. Each model's calibrated
    intervals (``calibration``, default the bundled table: the cases are out of its sample)
    are scored too: coverage, interval score, CRPS and, for ``choice``, the log score, with
    a bootstrap over the scenarios.
    """
    if scenarios is None:
        from realpolitik.api import load
        from realpolitik.scenario import bundled

        scenarios = [load(name) for name in bundled()]
    requests = issue_requests(models)
    rows: list[CaseRow] = []
    abs_err: dict[str, list[float]] = {r.name: [] for r in requests}
    table = calibration if calibration is not None else default_calibration()
    centres: dict[str, list[Any]] = {r.name: [] for r in requests}
    y100: list[float] = []
    where: list[str] = []
    for sc in scenarios:
        if sc.outcome is None or not sc.outcome.issues or not sc.issues:
            continue
        result = forecast(sc, requests, seed=seed)
        inputs = sc.inputs()
        per_model = {
            r.name: centres_of(r.name, r.options, inputs, result.issue_results[r.name].values)
            for r in requests
        }
        for j, issue in enumerate(sc.issues):
            outcome = sc.recorded(issue.id)
            if outcome is None:
                continue
            y100.append(float(issue.scale.to_100(outcome)))
            where.append(sc.name)
            span = issue.scale.max - issue.scale.min
            errors: dict[str, dict[str, Any]] = {}
            for req in requests:
                res = result.issue_results[req.name]
                value = result.value(req.name, j)
                ok = j not in res.skipped and np.isfinite(value)
                centres[req.name].append(per_model[req.name][j] if ok else None)
                if not ok:
                    errors[req.name] = {
                        "forecast": None,
                        "error": None,
                        "error_0_100": None,
                        "skipped": res.skipped.get(j, "no forecast (NaN)"),
                    }
                    continue
                err = value - outcome
                errors[req.name] = {
                    "forecast": value,
                    "error": err,
                    "error_0_100": err * 100.0 / span,
                }
                abs_err[req.name].append(abs(err * 100.0 / span))
            rows.append(
                CaseRow(
                    scenario=sc.name,
                    issue=issue.id,
                    name=issue.name,
                    unit=issue.unit,
                    outcome=float(outcome),
                    errors=errors,
                )
            )
    summary = {
        m: {"n": len(e), "mae_0_100": float(np.mean(e)) if e else None} for m, e in abs_err.items()
    }
    cluster = cluster_index(where)
    counts = (
        cluster_draws(len(set(where)), resamples, np.random.default_rng(seed))
        if where
        else np.empty((0, 0))
    )
    for m in summary:
        cal = table.get(m)
        if cal is None or not where:
            continue
        how = f"scored directly (out of sample): calibration of {table.file}"
        oos = score_fixed(m, centres[m], np.array(y100), cal, how, seed=seed)
        summary[m].update(summarise_scores(oos, np.array(y100), cluster, counts))
    return CasesBacktest(
        rows=tuple(rows), models=summary, calibration=f"{table.file}: {table.basis}"
    )
