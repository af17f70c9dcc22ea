"""Out-of-sample probabilistic scores and calibration tables on DEU-format data.

A fitted model (``choice``) scored on the data it was fitted on, or a calibration applied to
the data it was calibrated on, would report in-sample figures. :func:`evaluate` therefore
decides per model:

* **Cross-validated** when the model's coefficients or the calibration table were fitted on
  this data (same :func:`fingerprint`): 10-fold cross-validation grouped by proposal (every
  issue of a proposal in one fold; scikit-learn's ``GroupKFold`` with the group order
  shuffled by the seed, :func:`realpolitik.analysis.calibration.grouped_folds`). Per fold,
  the coefficients are refit on the training folds, and the conformal quantiles come from
  the training folds: directly for a model that is not fitted (its forecasts are out of
  sample already), and for a fitted one from a grouped 5-fold cross-fit inside the training
  folds (CV+, Barber et al. 2021).
* **Out of sample directly** otherwise: the given coefficients and calibration table, once.

Per model and issue it returns the out-of-sample forecast, the calibrated 50/80/90% intervals,
the CRPS and the randomised PIT of the calibrated predictive distribution (its quantiles at
200 mid-points), and for models with label probabilities the log score of the outcome's
label. :func:`fit_table` builds a calibration table from the same out-of-sample scores.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.analysis.calibration import (
    LEVELS,
    SCORED_LEVELS,
    CalibrationTable,
    Centre,
    ModelCalibration,
    calibrate_scores,
    conformity_scores,
    grouped_folds,
    interval,
    point_centre,
    predictive_quantiles,
)
from realpolitik.analysis.metrics import bootstrap_mean
from realpolitik.analysis.scores import (
    covered,
    crps_samples,
    interval_score,
    log_score,
    pit_atoms,
    pit_histogram,
    quantile_grid,
)
from realpolitik.models import IssueInputs
from realpolitik.models import choice as _choice

__all__ = [
    "FOLDS",
    "INNER_FOLDS",
    "OutOfSample",
    "fingerprint",
    "centres_of",
    "coefficient_source",
    "evaluate",
    "fit_table",
    "summarise_scores",
    "score_fixed",
]

FOLDS = 10
INNER_FOLDS = 5
_TAU = quantile_grid(200)


def fingerprint(
    inputs: Sequence[IssueInputs], outcomes: np.ndarray, proposals: Sequence[str]
) -> str:
    """A SHA-256 of the scored issues (ids, proposals, actors, positions, saliences,
    capabilities, reference points, outcomes): the same data gives the same fingerprint."""
    h = hashlib.sha256()
    for inp, y, p in zip(inputs, outcomes, proposals, strict=True):
        h.update(f"{p}|{','.join(inp.issues)}|{','.join(inp.actors)}|{float(y)!r}|".encode())
        for a in (inp.x, inp.s, inp.c, inp.reference):
            h.update(np.ascontiguousarray(a, dtype=float).tobytes())
    return h.hexdigest()


def coefficient_source(options: Any) -> dict[str, Any]:
    """The ``source`` block of a choice coefficients file (the bundled one by default)."""
    path = options.coefficients or _choice.bundled_coefficients_path()
    _choice.load_coefficients(path)  # a located error if it is not a coefficients file
    return dict(json.loads(Path(path).read_text(encoding="utf-8")).get("source") or {})


def centres_of(name: str, options: Any, inputs: IssueInputs, values: np.ndarray) -> list[Centre]:
    """Each issue's centre: ``choice``'s mixture, else a point mass at the forecast (0–100)."""
    if name == "choice":
        return [Centre(atoms=v, weights=p) for v, p in _choice.predictive(inputs, options)]
    return [point_centre(v) for v in np.asarray(values, dtype=float)]


@dataclass(frozen=True)
class OutOfSample:
    """One model's out-of-sample record per issue (NaN where it has no forecast).

    ``lo[n, 3]``, ``hi[n, 3]`` at :data:`SCORED_LEVELS`; ``log_score`` None for a model
    without label probabilities; ``how`` says how the figures were obtained.
    """

    model: str
    points: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    crps: np.ndarray
    pit: np.ndarray
    log_score: np.ndarray | None
    how: str


# -- the fitted model's hooks ----------------------------------------------------------------


class _ChoiceFit:
    """``choice`` refit on a subset of issues; centres and label log scores of others."""

    def __init__(self, inputs: Sequence[IssueInputs], options: Any, outcomes: np.ndarray):
        self.alts = [
            _choice.alternatives(i, options.commission, options.parliament)[0] for i in inputs
        ]
        self.y = outcomes

    def fit(self, idx: np.ndarray) -> np.ndarray:
        return _choice.fit([self.alts[i] for i in idx], self.y[idx]).values

    def centres(self, idx: np.ndarray, coef: np.ndarray) -> list[Centre]:
        out = []
        for i in idx:
            a = self.alts[i]
            out.append(Centre(atoms=a.values, weights=_choice.probabilities(a, coef)))
        return out

    def log_scores(self, idx: np.ndarray, coef: np.ndarray) -> np.ndarray:
        p = [
            _choice.probabilities(self.alts[i], coef)[
                _choice.observed_label(self.alts[i], float(self.y[i]))
            ]
            for i in idx
        ]
        return log_score(np.array(p))


def _cv_centres(
    fitter: _ChoiceFit, idx: np.ndarray, groups: np.ndarray, k: int, rng: np.random.Generator
) -> list[Centre]:
    """Out-of-fold centres of the issues ``idx``: refit on the other folds of a grouped k-fold
    (fewer folds if there are fewer proposals; none, and no centres, below two)."""
    k = min(k, np.unique(groups[idx]).size)
    out: list[Centre | None] = [None] * idx.size
    if k < 2:
        return out
    folds = grouped_folds(groups[idx], k, rng)
    for f in range(k):
        test = np.flatnonzero(folds == f)
        coef = fitter.fit(idx[folds != f])
        for t, c in zip(test, fitter.centres(idx[test], coef), strict=True):
            out[t] = c
    return out


# -- scoring -----------------------------------------------------------------------------------


def _score_issue(
    centre: Centre, cal: ModelCalibration, y: float, rng: np.random.Generator
) -> tuple[list[float], list[float], float, float]:
    lo, hi = zip(*(interval(centre, cal, c) for c in SCORED_LEVELS), strict=True)
    samples = predictive_quantiles(centre, cal, _TAU)
    crps = float(crps_samples(samples, np.array(y)))
    pit = float(pit_atoms(samples, np.full(_TAU.size, 1.0 / _TAU.size), np.array(y), rng))
    return list(lo), list(hi), crps, pit


def _median(centre: Centre) -> float:
    return _choice.mixture_median(centre.atoms, centre.weights)


def evaluate(
    name: str,
    options: Any,
    inputs: Sequence[IssueInputs],
    outcomes: np.ndarray,
    proposals: Sequence[str],
    forecasts: np.ndarray,
    *,
    table: CalibrationTable | None,
    data_id: str,
    seed: int | None = 0,
) -> OutOfSample:
    """One model's out-of-sample record on DEU issues (see the module docstring).

    ``forecasts[n]``: the model's forecasts with its given options (NaN where skipped);
    ``table``: the calibration to use (None: calibrate by cross-validation); ``data_id``:
    :func:`fingerprint` of these issues.
    """
    y = np.asarray(outcomes, dtype=float)
    groups = np.asarray([str(p) for p in proposals])
    n = y.size
    rng = np.random.default_rng(np.random.SeedSequence([0 if seed is None else seed, n]))
    fitted = name == "choice"
    refit = fitted and coefficient_source(options).get("data_id") == data_id
    recal = table is None or name not in table.models or table.fitted_on(data_id)
    ok = np.isfinite(forecasts)
    fixed = (
        None
        if refit
        else [
            _centre_one(name, options, inputs[i], forecasts[i]) if ok[i] else None for i in range(n)
        ]
    )
    fitter = _ChoiceFit(inputs, options, y) if fitted else None
    centres: list[Centre | None] = [None] * n
    cals: list[ModelCalibration | None] = [None] * n
    logs = np.full(n, np.nan) if fitted else None
    if not refit and not recal:
        cal = table.models[name]  # type: ignore[union-attr]
        for i in np.flatnonzero(ok):
            centres[i], cals[i] = fixed[i], cal  # type: ignore[index]
        if fitter is not None:
            coef = _choice.load_coefficients(options.coefficients)
            logs[ok] = fitter.log_scores(np.flatnonzero(ok), coef)  # type: ignore[index]
        how = f"scored directly (out of sample): calibration of {table.file}"  # type: ignore[union-attr]
        if fitter is not None:
            how += f", coefficients of {options.coefficients or 'the bundled fit'}"
    elif (k := min(FOLDS, np.unique(groups[ok]).size)) < 2:
        how = "not scored: cross-validation needs issues of at least 2 proposals"
    else:
        folds = grouped_folds(groups, k, rng)
        for f in range(k):
            train = np.flatnonzero((folds != f) & ok)
            test = np.flatnonzero((folds == f) & ok)
            if refit:
                coef = fitter.fit(train)  # type: ignore[union-attr]
                test_centres = fitter.centres(test, coef)  # type: ignore[union-attr]
                logs[test] = fitter.log_scores(test, coef)  # type: ignore[index,union-attr]
            else:
                test_centres = [fixed[i] for i in test]  # type: ignore[index]
                if fitter is not None:
                    coef = _choice.load_coefficients(options.coefficients)
                    logs[test] = fitter.log_scores(test, coef)  # type: ignore[index]
            if recal:
                if refit:
                    inner = _cv_centres(fitter, train, groups, INNER_FOLDS, rng)  # type: ignore[arg-type]
                else:
                    inner = [fixed[i] for i in train]  # type: ignore[index]
                cal = calibrate_scores(name, conformity_scores(inner, y[train]))
            else:
                cal = table.models[name]  # type: ignore[union-attr]
            for i, c in zip(test, test_centres, strict=True):
                centres[i], cals[i] = c, cal
        parts = (["coefficients"] if refit else []) + (["calibration"] if recal else [])
        how = (
            f"grouped {k}-fold CV by proposal (seed {seed}): "
            + " and ".join(parts)
            + " refit on the training folds of each fold"
        )
    return _record(name, centres, cals, y, logs, how, rng)


def _record(
    name: str,
    centres: list[Centre | None],
    cals: list[ModelCalibration | None],
    y: np.ndarray,
    logs: np.ndarray | None,
    how: str,
    rng: np.random.Generator,
) -> OutOfSample:
    n = y.size
    k = len(SCORED_LEVELS)
    points, crps, pit = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    lo, hi = np.full((n, k), np.nan), np.full((n, k), np.nan)
    for i, (c, cal) in enumerate(zip(centres, cals, strict=True)):
        if c is None or cal is None or c.atoms.size == 0:
            continue
        points[i] = _median(c)
        lo[i], hi[i], crps[i], pit[i] = _score_issue(c, cal, float(y[i]), rng)
    return OutOfSample(
        model=name, points=points, lo=lo, hi=hi, crps=crps, pit=pit, log_score=logs, how=how
    )


def fit_table(
    requests: Sequence[tuple[str, Any]],
    inputs: Sequence[IssueInputs],
    outcomes: np.ndarray,
    proposals: Sequence[str],
    forecasts: dict[str, np.ndarray],
    *,
    seed: int | None = 0,
    source: dict[str, Any] | None = None,
) -> CalibrationTable:
    """A calibration table from these issues' out-of-sample conformity scores.

    A model that is not fitted is scored on every issue it forecasts (its forecasts are
    out of sample already). ``choice`` with coefficients fitted on these issues is scored
    out of fold under grouped 10-fold CV, refit per fold (CV+); with coefficients from
    elsewhere, directly.
    """
    y = np.asarray(outcomes, dtype=float)
    groups = np.asarray([str(p) for p in proposals])
    data_id = fingerprint(inputs, y, proposals)
    rng = np.random.default_rng(np.random.SeedSequence([0 if seed is None else seed, y.size]))
    models: dict[str, ModelCalibration] = {}
    for name, options in requests:
        f = forecasts[name]
        ok = np.flatnonzero(np.isfinite(f))
        if name == "choice" and coefficient_source(options).get("data_id") == data_id:
            fitter = _ChoiceFit(inputs, options, y)
            cs = _cv_centres(fitter, ok, groups, FOLDS, rng)
        else:
            cs = [_centre_one(name, options, inputs[i], f[i]) for i in ok]
        models[name] = calibrate_scores(name, conformity_scores(cs, y[ok]))
    src = dict(source or {})
    src.update(
        data_id=data_id,
        proposals=sorted(set(groups.tolist())),
        n_issues=int(y.size),
        n_proposals=int(np.unique(groups).size),
        seed=seed,
        levels=f"{len(LEVELS)} central levels",
        method="split-conformal on each model's out-of-sample errors, grouped by proposal; "
        "choice: conformalized quantiles of its mixture, out of fold under grouped "
        f"{FOLDS}-fold CV (CV+)",
    )
    return CalibrationTable(models=models, source=src)


def _centre_one(name: str, options: Any, inp: IssueInputs, value: float) -> Centre:
    return centres_of(name, options, inp, np.array([value]))[0]


def summarise_scores(
    oos: OutOfSample,
    outcomes: np.ndarray,
    cluster: np.ndarray,
    counts: np.ndarray,
) -> dict[str, Any]:
    """Means of the probabilistic scores, each with its 95% cluster-bootstrap interval.

    ``coverage50/80/90``, ``interval_score80`` (Gneiting & Raftery 2007, eq. 43), ``crps``,
    ``width80``, ``log_score`` (None without label probabilities), each with ``*_ci95``;
    ``pit_histogram`` (10 bins), ``n_scored`` and ``scored_by``. ``cluster`` and ``counts``
    as for :func:`realpolitik.analysis.metrics.bootstrap_mean`.
    """
    y = np.asarray(outcomes, dtype=float)
    per_issue: dict[str, np.ndarray | None] = {}
    for k, level in enumerate(SCORED_LEVELS):
        per_issue[f"coverage{round(level * 100)}"] = covered(oos.lo[:, k], oos.hi[:, k], y)
    k80 = SCORED_LEVELS.index(0.8)
    per_issue["interval_score80"] = interval_score(oos.lo[:, k80], oos.hi[:, k80], y, 0.2)
    per_issue["crps"] = oos.crps
    per_issue["width80"] = oos.hi[:, k80] - oos.lo[:, k80]
    per_issue["log_score"] = oos.log_score
    out: dict[str, Any] = {}
    for key, v in per_issue.items():
        if v is None or not np.isfinite(v).any():
            out[key], out[f"{key}_ci95"] = None, None
            continue
        ci = bootstrap_mean(v, cluster, counts) if counts.size else (np.nan, np.nan)
        out[key] = float(np.nanmean(v))
        out[f"{key}_ci95"] = [_num(ci[0]), _num(ci[1])]
    out["pit_histogram"] = pit_histogram(oos.pit)
    out["n_scored"] = int(np.isfinite(oos.crps).sum())
    out["scored_by"] = oos.how
    return out


def _num(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def score_fixed(
    name: str,
    centres: Sequence[Centre | None],
    outcomes: np.ndarray,
    cal: ModelCalibration | None,
    how: str,
    *,
    seed: int | None = 0,
) -> OutOfSample:
    """Score given centres (0–100) with one calibration, out of sample: the cases' record.

    ``choice``'s centres are its mixtures, and it also gets the log score of the label.
    """
    y = np.asarray(outcomes, dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence([0 if seed is None else seed, y.size]))
    logs = None
    if name == "choice":
        logs = np.full(y.size, np.nan)
        for i, c in enumerate(centres):
            if c is not None and c.atoms.size:
                alt = _choice.Alternatives(values=c.atoms, features=np.empty((c.atoms.size, 0)))
                logs[i] = log_score(c.weights[_choice.observed_label(alt, float(y[i]))])
    return _record(name, list(centres), [cal] * y.size, y, logs, how, rng)
