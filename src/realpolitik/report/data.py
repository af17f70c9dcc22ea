"""The report's data: one plain structure assembled from whatever a run produced.

A :class:`ReportData` holds the scenario and, each optional, the issue models' forecasts (a
point, or a distribution over an ensemble's runs), the dynamic models' traces, the timeline's
events, the crisis entries (with their per-run samples where an ensemble drew them), the
logistics results, a sensitivity analysis and a backtest. Sections of the report are drawn
only for the data that is there.

It is built from the documented JSON shapes (``Forecast.to_json``, the ensemble summary keys
``p05``...``p95`` and ``labels``, the sensitivity and backtest JSON) rather than from any
model's internals, so every model that keeps the registry contract reports without changes.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from realpolitik import __version__
from realpolitik.analysis.summary import QUANTILES, label_shares, summarise
from realpolitik.scenario import Scale, Scenario

__all__ = [
    "ModelInfo",
    "Distribution",
    "ReportData",
    "label_probabilities",
    "scenario_hash",
    "from_forecast",
]

_QUANTILES = QUANTILES  # the quantile keys of the forecast JSON (analysis.summary)


@dataclass(frozen=True)
class ModelInfo:
    """A model as it ran: its registry entry and the options it ran with."""

    name: str
    kind: str
    summary: str
    citation: str
    options: dict[str, Any]
    changed: dict[str, Any]  # the options that differ from the model's defaults
    dynamic: bool = False


@dataclass(frozen=True)
class Distribution:
    """One issue model's forecast of one issue, in the issue's unit.

    ``value`` is the point forecast (the median over runs in an ensemble). The quantiles,
    ``labels`` (probability of each anchor label) and ``samples`` exist only for ensembles.
    ``skipped`` gives the model's reason where it did not forecast the issue.
    """

    value: float | None
    runs: int = 1
    mean: float | None = None
    quantiles: dict[str, float] = field(default_factory=dict)
    labels: dict[str, float] = field(default_factory=dict)
    mc_se: float | None = None
    samples: np.ndarray | None = None
    skipped: str | None = None

    @property
    def is_ensemble(self) -> bool:
        return self.runs > 1 and bool(self.quantiles)

    def interval(self, level: int) -> tuple[float, float] | None:
        """The central ``level``% interval (80 or 90), where the runs give one."""
        lo, hi = {80: ("p10", "p90"), 90: ("p05", "p95"), 50: ("p25", "p75")}[level]
        if lo in self.quantiles and hi in self.quantiles:
            return self.quantiles[lo], self.quantiles[hi]
        return None

    @classmethod
    def from_samples(cls, values: np.ndarray, scale: Scale) -> Distribution:
        """Summarise an ensemble's runs (NaN runs, where a model skipped, are left out) with
        the one summary of the forecast JSON (:func:`realpolitik.analysis.summary.summarise`)."""
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        if v.size == 0:
            return cls(value=None, runs=0, skipped="no run gave a forecast")
        d = cls.from_json(summarise(v, scale))
        return replace(d, mc_se=d.mc_se if v.size > 1 else None, samples=v)

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> Distribution:
        """Read one ``issues[].forecasts[model]`` entry of the forecast JSON."""
        qs = {k: float(entry[k]) for k in _QUANTILES if entry.get(k) is not None}
        value = entry.get("value")
        return cls(
            value=None if value is None else float(value),
            runs=int(entry.get("runs", 1) or 1),
            mean=entry.get("mean"),
            quantiles=qs,
            labels={str(k): float(p) for k, p in (entry.get("labels") or {}).items()},
            mc_se=entry.get("mc_se"),
            skipped=entry.get("skipped"),
        )


def label_probabilities(values: np.ndarray, scale: Scale) -> dict[str, float]:
    """P(nearest anchor label) over runs, labels in the scale's order; a tie goes to the
    lower anchor, as in :meth:`Scale.nearest_label` (:func:`~realpolitik.analysis.summary.
    label_shares`, the forecast JSON's ``labels``)."""
    return label_shares(np.asarray(values, dtype=float), dict(scale.anchors))


def scenario_hash(scenario: Scenario, text: str | None = None) -> str:
    """SHA-256 of the scenario file's text, or of the validated scenario's canonical JSON."""
    data = text if text is not None else scenario.model_dump_json()
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass
class ReportData:
    """Everything a report may show; all optional. ``scenario`` is None only for a report
    without one (a DEU backtest)."""

    scenario: Scenario | None
    title: str = ""
    kind: str = "forecast"  # forecast, backtest, sensitivity or results (a Parquet file)
    scenario_text: str | None = None
    models: list[ModelInfo] = field(default_factory=list)
    seed: int | None = None
    runs: int = 1
    # issue id -> model -> Distribution (in the issue's unit)
    forecasts: dict[str, dict[str, Distribution]] = field(default_factory=dict)
    # model -> the JSON trace entry (actors, issues, positions, forecast_path, dates, ...)
    traces: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    crises: list[dict[str, Any]] = field(default_factory=list)
    # crisis model -> per-run samples: {"who": [party or None], "day": [float]}
    crisis_samples: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    # logistics model -> its JSON result (e.g. airlift: {"daily": [...], "monthly": [...]})
    logistics: dict[str, Any] = field(default_factory=dict)
    sensitivity: dict[str, Any] | None = None
    backtest: dict[str, Any] | None = None
    command: str | None = None
    source_file: str | None = None
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ensemble(self) -> bool:
        return self.runs > 1

    @property
    def hash(self) -> str | None:
        if self.scenario is None:
            return None
        return scenario_hash(self.scenario, self.scenario_text)

    def model(self, name: str) -> ModelInfo | None:
        return next((m for m in self.models if m.name == name), None)

    def issue_models(self) -> list[str]:
        """The issue models that gave forecasts, in the order they ran."""
        seen: list[str] = []
        for per_model in self.forecasts.values():
            for name in per_model:
                if name not in seen:
                    seen.append(name)
        return seen

    def options_text(self, name: str) -> str:
        """``eum (preset=scholz_code, rounds=8)``, or the bare name with default options."""
        info = self.model(name)
        if info is None or not info.changed:
            return name
        opts = ", ".join(f"{k}={v}" for k, v in info.changed.items())
        return f"{name} ({opts})"

    def provenance(self, models: Sequence[str] = ()) -> str:
        """What produced a chart: models with options, seed and runs (for captions)."""
        parts = [f"scenario {self.scenario.name}"] if self.scenario is not None else []
        if models:
            parts.append(
                "model"
                + ("s " if len(models) > 1 else " ")
                + ", ".join(self.options_text(m) for m in models)
            )
        if self.runs > 1:
            parts.append(f"{self.runs:,} runs")
        parts.append(f"seed {self.seed}" if self.seed is not None else "no seed")
        return "; ".join(parts)

    def software(self) -> dict[str, str]:
        import matplotlib
        import scipy

        return {
            "realpolitik": __version__,
            "Python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "matplotlib": matplotlib.__version__,
            "platform": f"{sys.platform} {platform.machine()}",
        }


def model_info(request: Any) -> ModelInfo:
    """A :class:`ModelInfo` from a :class:`realpolitik.forecast.ModelRequest`."""
    spec, options = request.spec, request.options
    values = options.model_dump(mode="json")
    try:
        defaults = spec.options().model_dump(mode="json")
    except Exception:  # an options class with required fields has no defaults to compare
        defaults = {}
    changed = {k: v for k, v in values.items() if k not in defaults or defaults[k] != v}
    return ModelInfo(
        name=spec.name,
        kind=spec.kind,
        summary=spec.summary,
        citation=spec.citation,
        options=values,
        changed=changed,
        dynamic=bool(spec.dynamic),
    )


def from_forecast(
    result: Any,
    *,
    seed: int | None = None,
    runs: int | None = None,
    command: str | None = None,
    scenario_text: str | None = None,
    samples: Mapping[tuple[str, str], np.ndarray] | None = None,
    crisis_samples: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    json_data: Mapping[str, Any] | None = None,
) -> ReportData:
    """Assemble the report's data from a :class:`realpolitik.forecast.Forecast`.

    ``json_data`` is the run's JSON if the caller already has it (an ensemble's summary, with
    quantiles); otherwise ``result.to_json(trace=True)`` is used. ``samples[(issue, model)]``
    are an ensemble's per-run forecasts in the issue's unit; when given, they replace the
    JSON's summary for that issue and model.
    """
    sc: Scenario = result.scenario
    data = dict(json_data) if json_data is not None else result.to_json(trace=True)
    if "traces" not in data and hasattr(result, "traces"):
        data["traces"] = result.traces()
    report = ReportData(
        scenario=sc,
        title=sc.name,
        scenario_text=scenario_text,
        models=[model_info(r) for r in getattr(result, "models", [])],
        seed=seed,
        command=command,
    )
    _fill_from_json(report, data)
    if samples:
        for (issue_id, model), values in samples.items():
            dist = Distribution.from_samples(values, sc.issue(issue_id).scale)
            report.forecasts.setdefault(issue_id, {})[model] = dist
    if crisis_samples:
        report.crisis_samples.update({k: dict(v) for k, v in crisis_samples.items()})
    report.runs = int(runs) if runs is not None else _runs(report)
    return report


def _runs(report: ReportData) -> int:
    counts = [d.runs for per in report.forecasts.values() for d in per.values()]
    return max(counts, default=1)


def _fill_from_json(report: ReportData, data: Mapping[str, Any]) -> None:
    """The forecast JSON's issues, traces, events, crises and logistics entries."""
    for issue in data.get("issues", []):
        per = report.forecasts.setdefault(issue["id"], {})
        for model, entry in issue.get("forecasts", {}).items():
            per[model] = Distribution.from_json(entry)
    report.traces.update(data.get("traces") or {})
    report.events = list(data.get("events") or [])
    report.crises = list(data.get("crises") or [])
    known = {"scenario", "models", "issues", "traces", "events", "crises", "runs", "seed"}
    for key, value in data.items():
        if key in known:
            continue
        if isinstance(value, Mapping) and ("daily" in value or "total" in value):
            report.logistics[key] = value
        else:
            report.extra[key] = value
