"""A forecast's calibrated predictive distribution: input uncertainty and the model's own error.

:func:`calibrate_forecast` gives every issue model of a :class:`~realpolitik.forecast.Forecast`
that has a calibration (:mod:`realpolitik.analysis.calibration`) a predictive distribution
per issue that combines both sources of error:

1. **Centre per run.** The model's forecast of each run is a centre C_r: a point mass at the
   run's forecast, or ``choice``'s mixture for the run's own inputs. A single run has one.
2. **The model's error.** Each run draws ``k`` levels τ uniform on (0, 1) from a generator
   seeded by the forecast's seed (one SeedSequence child per model), and its predictive
   draws are Q_r(τ) = C_r(τ) + sign(τ − ½)·q(|2τ − 1|), clipped to the scale; k is chosen so
   that there are at least 1,000 draws. A single run takes the quantiles at 1,000
   mid-points instead (no randomness): the intervals of the error distribution alone.
3. **Summary.** The draws' percentiles and label shares (:func:`realpolitik.analysis.summary
   .summarise`) are the calibrated intervals and label probabilities; the entry keeps the
   model's point forecast as ``value`` and says ``"intervals": "calibrated"``.

Crisis and logistics models have no DEU record and get no calibrated intervals: the
forecast's ``calibration`` block says so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from realpolitik.analysis.calibration import (
    CalibrationTable,
    Centre,
    centre_quantile,
    default_calibration,
    error_offsets,
    point_centre,
    predictive_quantiles,
)
from realpolitik.analysis.crossval import centres_of
from realpolitik.analysis.scores import quantile_grid
from realpolitik.analysis.summary import summarise

__all__ = ["DRAWS", "NO_RECORD", "INPUTS_ONLY", "predictive_draws", "calibrate_forecast"]

#: The least number of predictive draws per issue.
DRAWS = 1000
#: Why crisis and logistics models get no calibrated intervals.
NO_RECORD = (
    "no track record: this kind of model is not scored on DEU, so it gets no calibrated intervals"
)
#: The ``calibration`` block of a forecast asked for the runs' spread alone.
INPUTS_ONLY = {
    "intervals": "inputs",
    "note": "the spread of the runs alone; the models' own errors are not included",
}


def predictive_draws(
    centres: Centre | list[Centre],
    cal: Any,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Draws of the calibrated predictive distribution on 0–100 (steps 1–2).

    One centre: a single run, its quantiles at :data:`DRAWS` mid-points. A list: one centre
    per ensemble run, each with k random levels from ``rng``.
    """
    if isinstance(centres, Centre):
        return predictive_quantiles(centres, cal, quantile_grid(DRAWS))
    k = max(1, -(-DRAWS // max(1, len(centres))))
    tau = rng.random((len(centres), k))  # type: ignore[union-attr]
    if all(c.atoms.size == 1 for c in centres):  # point forecasts: C_r(τ) = f_r
        at = np.array([c.atoms[0] for c in centres])[:, None] + 0.0 * tau
    else:
        at = np.array([centre_quantile(c, t) for c, t in zip(centres, tau, strict=True)])
    return np.clip(at + error_offsets(cal, tau), 0.0, 100.0).ravel()


def _run_centres(name: str, options: Any, ens: Any) -> list[list[Centre]]:
    """``[run][issue]`` centres of an ensemble: each run's forecast, or for a model with a
    mixture the mixture of the run's own inputs."""
    values = ens.values[name]
    if name != "choice":
        return [[point_centre(v) for v in row] for row in values]
    from realpolitik.ensemble.runner import Plan, batch_inputs

    plan = Plan(scenario=ens.scenario, requests=(), inputs=ens.inputs, seed=ens.seed)
    batch = batch_inputs(plan, ens.draws)
    out = []
    for r in range(values.shape[0]):
        run = replace(batch, x=batch.x[r], s=batch.s[r], c=batch.c[r], reference=batch.reference[r])
        out.append(centres_of(name, options, run, values[r]))
    return out


def calibrate_forecast(
    result: Any, table: CalibrationTable | None = None, *, seed: int | None = None
) -> tuple[dict[str, tuple[dict[str, Any] | None, ...]], dict[str, Any]]:
    """``(calibrated, block)`` of a forecast: ``calibrated[model][issue]``, the calibrated JSON
    entries, and the forecast's ``calibration`` block (see the module docstring)."""
    table = table if table is not None else default_calibration()
    sc = result.scenario
    inputs = sc.inputs()
    ens = result.ensemble
    root = np.random.SeedSequence(
        [0 if seed is None else int(seed)] if ens is None else [int(ens.seed)]
    )
    calibrated: dict[str, tuple[dict[str, Any] | None, ...]] = {}
    missing: dict[str, str] = {}
    requests = {r.name: r for r in result.models}
    for idx, (name, res) in enumerate(result.issue_results.items()):
        cal = table.get(name)
        if cal is None:
            missing[name] = f"not in the calibration table ({table.file})"
            continue
        rng = np.random.default_rng(root.spawn(idx + 1)[-1])
        options = requests[name].options
        if ens is not None and name in ens.values:
            per_run = _run_centres(name, options, ens)
            centres = None
        else:
            per_run, centres = None, centres_of(name, options, inputs, res.values)
        entries: list[dict[str, Any] | None] = []
        for j, issue in enumerate(sc.issues):
            if j in res.skipped or not np.isfinite(res.values[j]):
                entries.append(None)
                continue
            if per_run is not None:
                col = [
                    row[j]
                    for row in per_run
                    if row[j].atoms.size and np.isfinite(row[j].atoms).all()
                ]
                draws = predictive_draws(col, cal, rng)
            else:
                draws = predictive_draws(centres[j], cal)  # type: ignore[index]
            entry = summarise(issue.scale.from_100(draws), issue.scale)
            entry.pop("skipped_runs", None)
            if per_run is None:  # a single run's draws are fixed quantiles, not Monte Carlo
                entry.pop("mc_se", None)
            if per_run is not None:  # the point forecast: the median of the runs, as uncalibrated
                col = ens.in_units(name)[:, j]
                entry["value"] = float(np.median(col[np.isfinite(col)]))
            else:
                entry["value"] = float(issue.scale.from_100(res.values[j]))
            entry["runs"] = ens.runs if per_run is not None else 1
            entry["draws"] = int(draws.size)
            entry["intervals"] = "calibrated"
            entries.append(entry)
        calibrated[name] = tuple(entries)
    for r in result.models:
        if r.spec.kind != "issue":
            missing[r.name] = NO_RECORD
    return calibrated, {
        "intervals": "calibrated",
        "basis": table.basis,
        "table": table.file,
        "models": list(calibrated),
        "not_calibrated": missing,
        "intervals80": _intervals80(sc, calibrated),
    }


def _intervals80(
    sc: Any, calibrated: dict[str, tuple[dict[str, Any] | None, ...]]
) -> dict[str, Any]:
    """``{issue: {model: [p10, p90, likeliest label or None, its probability]}}``: the
    calibrated 80% intervals in brief, for the report (whatever the ensemble's own runs)."""
    out: dict[str, Any] = {}
    for j, issue in enumerate(sc.issues):
        per: dict[str, Any] = {}
        for name, entries in calibrated.items():
            e = entries[j]
            if e is None:
                continue
            labels = e.get("labels") or {}
            best = max(labels, key=lambda k: labels[k]) if labels else None
            per[name] = [e["p10"], e["p90"], best, labels.get(best) if best else None]
        out[issue.id] = per
    return out
