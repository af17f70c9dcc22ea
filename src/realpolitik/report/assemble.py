"""Assemble :class:`ReportData` from an ensemble, a results table, or a backtest run.

* :func:`from_ensemble` — a :class:`realpolitik.ensemble.Ensemble`, with the single
  forecast of the same scenario for traces, crises and logistics;
* :func:`from_table` — a results table read back from Parquet, with its metadata (the
  scenario's text, seed, runs and models);
* :func:`rank_drivers` — where an ensemble drew uncertain inputs but no sensitivity analysis
  ran, the Spearman rank correlation of each input with each forecast over the runs;
* :func:`track_record` — the DEU and historical-case backtests of the issue models that ran,
  and the crisis-case backtest of the crisis models that ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from realpolitik.report.data import Distribution, ModelInfo, ReportData, from_forecast, model_info

__all__ = ["forecast_report", "from_ensemble", "from_table", "rank_drivers", "track_record"]

_BASE = ("run", "model", "issue", "value", "label", "conceded", "day")


def from_ensemble(ens: Any, base: Any = None, **kw: Any) -> ReportData:
    """Report data of an ensemble: each issue model's distribution over the runs.

    ``base`` is the single forecast of the same scenario (its traces, crises, events and
    logistics are shown as they are); without it only the ensemble's issue forecasts are.
    """
    sc = ens.scenario
    samples = {
        (issue.id, m): ens.in_units(m)[:, j]
        for m in ens.values
        for j, issue in enumerate(sc.issues)
    }
    if base is not None:
        data = from_forecast(base, seed=ens.seed, runs=ens.runs, samples=samples, **kw)
    else:
        data = ReportData(scenario=sc, title=sc.name, seed=ens.seed, **_only(kw))
        data.models = [model_info(r) for r in ens.requests]
        for (iid, m), v in samples.items():
            data.forecasts.setdefault(iid, {})[m] = Distribution.from_samples(
                v, sc.issue(iid).scale
            )
        data.runs = ens.runs
    for model, runs_of in (getattr(ens, "crises", None) or {}).items():
        data.crisis_samples[model] = {
            "who": np.asarray(runs_of.get("conceded", runs_of.get("who")), dtype=object),
            "day": np.asarray(runs_of["day"], dtype=float),
        }
    inputs = [u.name for u in ens.inputs]
    data.extra["uncertain_inputs"] = len(inputs)
    data.extra["executor"] = getattr(ens, "executor", None)
    if inputs and data.sensitivity is None:
        draws = {name: ens.draws[:, k] for k, name in enumerate(inputs)}
        data.sensitivity = rank_drivers(draws, samples, ens.runs)
    return data


def _only(kw: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("command", "scenario_text", "source_file")
    return {k: v for k, v in kw.items() if k in keys}


def from_table(table: Any, meta: Mapping[str, Any], **kw: Any) -> ReportData:
    """Report data of a results table (one row per run × model × issue) and its metadata."""
    from realpolitik.api import loads
    from realpolitik.errors import InputError
    from realpolitik.models import get

    text = meta.get("scenario_text")
    if not text:
        raise InputError(
            field="RESULTS",
            problem="the file's metadata has no scenario text",
            expected="a Parquet file written by `realpolitik forecast --runs N --out FILE`",
        )
    sc = loads(text, file=meta.get("scenario_file") or "<results>")
    cols = {name: table.column(name) for name in table.column_names}
    for need in ("run", "model", "issue", "value"):
        if need not in cols:
            raise InputError(
                field="RESULTS",
                problem=f"no column {need!r}",
                expected="the columns run, model, issue, value (ensemble table)",
            )
    run = cols["run"].to_numpy()
    model = np.asarray(cols["model"].to_pylist(), dtype=object)
    issue = np.asarray(cols["issue"].to_pylist(), dtype=object)
    value = cols["value"].to_numpy(zero_copy_only=False).astype(float)
    runs = int(meta.get("runs") or (run.max() + 1 if run.size else 0))
    data = ReportData(
        scenario=sc,
        title=sc.name,
        kind="results",
        seed=meta.get("seed"),
        scenario_text=text,
        runs=runs,
        **_only(kw),
    )
    data.source_file = kw.get("source_file")
    for entry in meta.get("models", []):
        try:
            spec = get(entry["name"])
        except Exception:  # a model this version does not know: shown by name only
            data.models.append(
                ModelInfo(
                    name=entry["name"],
                    kind=entry.get("kind", "?"),
                    summary="",
                    citation="",
                    options=entry.get("options", {}),
                    changed={},
                )
            )
            continue
        from realpolitik.forecast import ModelRequest

        opts = spec.parse_options(entry.get("options") or {})
        data.models.append(model_info(ModelRequest(spec=spec, options=opts)))
    crisis_models = {e["name"] for e in meta.get("models", []) if e.get("kind") == "crisis"}
    order = np.argsort(run, kind="stable")
    run, model, issue, value = run[order], model[order], issue[order], value[order]
    samples: dict[tuple[str, str], np.ndarray] = {}
    issue_models = [m for m in dict.fromkeys(model.tolist()) if m not in crisis_models]
    for m in issue_models:
        for iss in sc.issues:
            sel = (model == m) & (issue == iss.id)
            if sel.any():
                samples[(iss.id, m)] = value[sel]
    for (iid, m), v in samples.items():
        data.forecasts.setdefault(iid, {})[m] = Distribution.from_samples(v, sc.issue(iid).scale)
    if crisis_models and "conceded" in cols and "day" in cols:
        who = np.asarray(cols["conceded"].to_pylist(), dtype=object)[order]
        day = cols["day"].to_numpy(zero_copy_only=False).astype(float)[order]
        for m in sorted(crisis_models & set(model.tolist())):
            sel = model == m
            ends = {
                "who": np.array(["" if w is None else w for w in who[sel]], dtype=object),
                "day": np.where(np.isfinite(day[sel]), day[sel], np.inf),
            }
            data.crisis_samples[m] = ends
            data.crises.append(_crisis_entry(sc, m, ends, str(issue[sel][0])))
    inputs = [c for c in table.column_names if c not in _BASE]
    if inputs and issue_models and sc.issues:
        sel = (model == issue_models[0]) & (issue == sc.issues[0].id)
        draws = {
            c: cols[c].to_numpy(zero_copy_only=False).astype(float)[order][sel] for c in inputs
        }
        data.sensitivity = rank_drivers(draws, samples, runs)
    return data


def _crisis_entry(sc: Any, model: str, ends: dict[str, np.ndarray], issue: str) -> dict:
    """A ``crises`` entry rebuilt from a results file's sampled ends (who, day per run)."""
    from realpolitik.analysis.summary import crisis_summary

    block = getattr(sc, model, None)
    who, day = ends["who"], ends["day"]
    parties = list(getattr(block, "parties", None) or sorted({w for w in who if w}))
    runs = crisis_summary({"conceded": who, "day": day}, parties)
    rec = getattr(getattr(sc, "outcome", None), model, None)
    return {
        "model": model,
        "issue": getattr(block, "issue", issue),
        "parties": parties,
        "p_first": runs["p_first"],
        "p_impasse": runs["p_impasse"],
        "end_day": runs["end_day"],
        "horizon": _horizon(sc, block, day[np.isfinite(day)]),
        "recorded": None if rec is None else {"conceded": rec.conceded, "day": rec.day},
        "from_runs": True,
    }


def _horizon(sc: Any, block: Any, finite: np.ndarray) -> float | None:
    """The days the chart covers: the block's horizon, the timeline's end, or the last end."""
    if getattr(block, "horizon", None) is not None:
        return float(block.horizon)
    time = getattr(sc, "time", None)
    if time is not None and getattr(time, "end", None) is not None:
        return float((time.end - time.start).days)
    return float(finite.max()) if finite.size else None


def _ranks(a: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(a, method="average")


def rank_drivers(
    draws: Mapping[str, np.ndarray],
    samples: Mapping[tuple[str, str], np.ndarray],
    runs: int,
    *,
    top: int = 10,
) -> dict[str, Any] | None:
    """Spearman's rank correlation of each uncertain input with each forecast over the runs.

    A screening measure (Saltelli et al. 2008, *Global Sensitivity Analysis: The Primer*,
    §1.2.4), not a variance decomposition: |ρ| near 1 means the forecast moves monotonically
    with the input. Returns the sensitivity JSON shape with ``method: "rank correlation"``
    and drivers ``{"input", "rho", "abs_rho"}`` sorted by |ρ|; None with fewer than 10 runs.
    """
    if runs < 10 or not draws:
        return None
    names = list(draws)
    x = np.column_stack([_ranks(np.asarray(draws[n], dtype=float)) for n in names])
    x = x - x.mean(axis=0)
    xs = np.sqrt((x**2).sum(axis=0))
    issues = []
    for (iid, model), v in samples.items():
        v = np.asarray(v, dtype=float)
        if v.shape[0] != x.shape[0] or not np.all(np.isfinite(v)):
            continue
        y = _ranks(v)
        y = y - y.mean()
        ys = np.sqrt((y**2).sum())
        if ys == 0:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = (x * y[:, None]).sum(axis=0) / (xs * ys)
        rho = np.where(np.isfinite(rho), rho, 0.0)
        order = np.argsort(-np.abs(rho), kind="stable")[:top]
        issues.append(
            {
                "id": iid,
                "model": model,
                "drivers": [
                    {"input": names[k], "rho": float(rho[k]), "abs_rho": float(abs(rho[k]))}
                    for k in order
                    if rho[k] != 0
                ],
            }
        )
    return {"method": "rank correlation", "samples": runs, "issues": issues}


def track_record(
    requests: Sequence[Any],
    *,
    seed: int | None = 0,
    resamples: int | None = None,
    notices: list[str] | None = None,
) -> dict[str, Any] | None:
    """Backtest the issue models of ``requests`` on DEU and the bundled cases, and its
    crisis models on the crisis cases (docs/history/cases.md).

    A backtest that cannot run (e.g. a bundled file missing) is left out with a notice,
    never an error: the report is still written.
    """
    out: dict[str, Any] = {}
    crisis_reqs = [r for r in requests if r.spec.kind == "crisis"]
    if crisis_reqs:
        try:
            from realpolitik.analysis.crises_backtest import backtest_crises

            out["crises"] = backtest_crises(models=crisis_reqs, seed=seed or 0).to_json()
        except Exception as exc:  # noqa: BLE001 - the report goes on without this part
            if notices is not None:
                notices.append(f"track record: the crisis cases did not run ({exc})")
    issue_reqs = [r for r in requests if r.spec.kind == "issue"]
    if not issue_reqs:
        return out or None
    try:
        from realpolitik.analysis import backtest as bt
        from realpolitik.scenario.importers.deu import (
            DEFAULT_CAPABILITY_COLUMN,
            bundled_capabilities_path,
            bundled_data_path,
            read_capabilities,
            read_deu,
        )

        deu = read_deu(bundled_data_path(), display="the bundled DEU III development split")
        caps = read_capabilities(
            bundled_capabilities_path(),
            DEFAULT_CAPABILITY_COLUMN,
            display="bundled capabilities.csv",
        )
        kw = {"resamples": resamples} if resamples else {}
        out["deu"] = bt.backtest_deu(deu, caps, issue_reqs, seed=seed or 0, **kw).to_json()
    except Exception as exc:  # noqa: BLE001 - the report goes on without this part
        if notices is not None:
            notices.append(f"track record: the DEU backtest did not run ({exc})")
    try:
        from realpolitik.analysis import backtest as bt

        out["cases"] = bt.backtest_cases(models=issue_reqs, seed=seed or 0).to_json()
    except Exception as exc:  # noqa: BLE001
        if notices is not None:
            notices.append(f"track record: the historical cases did not run ({exc})")
    return out or None


def forecast_report(
    result: Any,
    directory: Any,
    *,
    seed: int | None = None,
    command: str | None = None,
    scenario_text: str | None = None,
    source_file: str | None = None,
    track: bool = True,
    notices: list[str] | None = None,
) -> Any:
    """Write the report of a forecast (and of its ensemble, if one ran) into ``directory``,
    with the models' record on the backtests when ``track``; the path of report.html.

    ``Forecast.report(dir)`` and ``realpolitik forecast --report DIR`` both call it. The
    scenario's text and file default to those it was loaded from; notices of the backtests
    are appended to ``notices``.
    """
    from pathlib import Path

    from realpolitik.report.render import write_report

    src = result.scenario.source
    if scenario_text is None and src is not None:
        scenario_text = src.text
    if source_file is None and src is not None:
        source_file = src.file
    kw = {"command": command or "realpolitik (Python API)", "scenario_text": scenario_text}
    if result.ensemble is not None:
        data = from_ensemble(result.ensemble, result, **kw)
    else:
        data = from_forecast(result, seed=seed, **kw)
    data.source_file = source_file
    if track:
        data.backtest = track_record(result.models, seed=seed or 0, notices=notices)
    return write_report(data, Path(directory))
