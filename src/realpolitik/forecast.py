"""Run a scenario's models and gather their forecasts into one result.

``forecast(scenario, models=...)`` is the facade: it resolves which models run (the ``--model``
requests, else the scenario's ``models``, else every default issue model plus each crisis or
logistics model whose block the scenario has), runs each through its registry contract and
returns a :class:`Forecast`, whose :meth:`Forecast.to_json` is the documented JSON shape::

    {"scenario": "<name>", "models": ["compromise", ...],
     "issues": [{"id": "...", "name": "...", "unit": "...", "outcome": <number or null>,
                 "forecasts": {"<model>": {"value": <number in the issue's unit>}}}]}
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from realpolitik.errors import InputError
from realpolitik.models import IssueResult, ModelSpec, Options, RunContext, get, names, specs
from realpolitik.models._registry import UnknownModelError
from realpolitik.scenario import Scenario

__all__ = [
    "ModelRequest",
    "Forecast",
    "parse_model_arg",
    "resolve_models",
    "unique_requests",
    "forecast",
]


@dataclass(frozen=True)
class ModelRequest:
    """A model to run, with its validated options."""

    spec: ModelSpec
    options: Options

    @property
    def name(self) -> str:
        return self.spec.name


def parse_model_arg(text: str, *, flag: str = "--model") -> tuple[str, dict[str, str]]:
    """Split ``NAME:key=value,key=value`` into the name and a dict of raw options."""
    name, _, rest = text.partition(":")
    name = name.strip()
    raw: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise InputError(
                field=f"{flag} {text}",
                value=part,
                expected="options as NAME:key=value,key=value",
            )
        raw[key.strip()] = value.strip()
    return name, raw


def request(name: str, raw: dict[str, Any], *, flag: str = "--model") -> ModelRequest:
    """Look ``name`` up in the registry and validate its options."""
    try:
        spec = get(name)
    except UnknownModelError:
        raise InputError(field=flag, value=name, expected="one of: " + ", ".join(names())) from None
    try:
        return ModelRequest(spec=spec, options=spec.parse_options(raw))
    except InputError as exc:
        raise (
            exc.located(field=flag)
            if exc.field is None
            else InputError(
                field=f"{flag} {exc.field}",
                value=exc.value,
                problem=exc.problem,
                expected=exc.expected,
            )
        ) from None


def unique_requests(requests: list[ModelRequest], *, flag: str = "--model") -> list[ModelRequest]:
    """The requests, refusing a model named twice: results are keyed by model name, so a
    second ``--model`` of the same name (e.g. with other options) would replace the first."""
    seen: set[str] = set()
    for req in requests:
        if req.name in seen:
            raise InputError(
                field=flag,
                problem=f"{req.name!r} is given twice",
                expected="each model once, with one set of options",
            )
        seen.add(req.name)
    return requests


def resolve_models(scenario: Scenario, requested: list[str] | None = None) -> list[ModelRequest]:
    """The models that run.

    ``--model`` flags are exclusive: only the named models run, of whatever kind. Otherwise the
    scenario's ``models`` (else every default issue model) run, plus each crisis or logistics
    model whose block the scenario has and that the list does not already name.
    """
    if requested:
        return unique_requests([request(*parse_model_arg(text)) for text in requested])
    if scenario.models:
        chosen = [request(e.name, e.options, flag="models") for e in scenario.model_entries()]
    else:
        chosen = [
            ModelRequest(spec=s, options=s.parse_options({})) for s in specs("issue") if s.default
        ]
    named = {r.name for r in chosen}
    chosen += [
        ModelRequest(spec=s, options=s.parse_options({}))
        for s in specs()
        if s.kind != "issue" and s.name not in named and s.applies and s.applies(scenario)
    ]
    return chosen


@dataclass
class Forecast:
    """The results of one forecast: issue models' values (0-100) and other kinds' entries."""

    scenario: Scenario
    models: list[ModelRequest]
    issue_results: dict[str, IssueResult] = field(default_factory=dict)
    crises: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    ensemble: Any = None  # realpolitik.ensemble.Ensemble when runs > 1

    def value(self, model: str, issue_index: int) -> float:
        """Model ``model``'s forecast on issue ``issue_index`` in the issue's own unit."""
        issue = self.scenario.issues[issue_index]
        return float(issue.scale.from_100(self.issue_results[model].values[issue_index]))

    def to_json(self, *, trace: bool = False) -> dict[str, Any]:
        """The documented JSON shape (numbers are unrounded floats, NaN becomes null)."""
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "models": [m.name for m in self.models],
            "issues": [],
        }
        for j, issue in enumerate(self.scenario.issues):
            forecasts: dict[str, Any] = {}
            for name, result in self.issue_results.items():
                entry: dict[str, Any] = {"value": _num(self.value(name, j))}
                if self.ensemble is not None and name in self.ensemble.values:
                    entry = self.ensemble.summary(name, j)  # median, intervals, labels
                if j in result.skipped:
                    entry["skipped"] = result.skipped[j]
                forecasts[name] = entry
            out["issues"].append(
                {
                    "id": issue.id,
                    "name": issue.name,
                    "unit": issue.unit,
                    "outcome": self.scenario.recorded(issue.id),
                    "forecasts": forecasts,
                }
            )
        if self.ensemble is not None:
            out["runs"], out["seed"] = self.ensemble.runs, self.ensemble.seed
            if self.ensemble.meta.get("airlift_draws"):  # docs/specs/coupling.md
                out["airlift_draws"] = self.ensemble.meta["airlift_draws"]
        if self.crises:  # a crisis entry's "trace" shows under "traces" with --trace only
            out["crises"] = [{k: v for k, v in c.items() if k != "trace"} for c in self.crises]
        out.update(self.extra)
        if trace:
            out["traces"] = self.traces()
            for c in self.crises:
                if "trace" in c:
                    out["traces"][c["model"]] = c["trace"]
        return out

    def traces(self) -> dict[str, Any]:
        """Each dynamic model's path, in issue units: ``positions[round][actor][issue]``."""
        sc = self.scenario
        out: dict[str, Any] = {}
        for name, result in self.issue_results.items():
            if result.trace is None:
                continue
            tr = result.trace
            entry = {
                "actors": list(sc.actor_ids),
                "issues": list(sc.issue_ids),
                "positions": _nested(sc.from_100(tr.positions)),
                "forecast_path": _nested(sc.from_100(tr.forecast_path)),
            }
            for key, val in tr.extra.items():
                # Per-round, per-issue paths on 0-100 (eum's median and mean) in issue units.
                if isinstance(val, np.ndarray) and val.shape == tr.forecast_path.shape:
                    entry[key] = _nested(sc.from_100(val))
            entry.update(tr.extra.get("json", {}))
            out[name] = entry
        return out


def _num(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _nested(a: np.ndarray) -> Any:
    """Nested lists with NaN/inf as None (null in JSON), e.g. actors without a position."""
    a = np.asarray(a, dtype=float)
    return np.where(np.isfinite(a), a, None).tolist()


def forecast(
    scenario: Scenario,
    models: list[str] | list[ModelRequest] | None = None,
    *,
    seed: int | None = None,
    ctx: RunContext | None = None,
    runs: int | None = None,
    executor: str = "local",
    progress: Any = None,
    airlift_draws: int | None = None,
) -> Forecast:
    """Run the scenario's models and return a :class:`Forecast`.

    ``models`` are ``--model`` strings (``"eum:rounds=8"``) or :class:`ModelRequest` objects;
    None means the scenario's defaults (see :func:`resolve_models`). With ``runs`` > 1
    (default: the scenario's ``runs``) and uncertain inputs, the issue models also run
    ``runs`` times on draws seeded by ``seed`` through ``executor`` (local, processes[:N],
    dask[:N], dask://HOST:PORT); each issue's value is then the median over the runs, and
    ``Forecast.ensemble`` holds every run (see :mod:`realpolitik.ensemble`).
    ``progress(n)`` is called as runs finish. ``airlift_draws``: K, the airlift draws that
    crisis models coupled to the airlift share across runs (docs/specs/coupling.md).
    """
    if models and isinstance(models[0], ModelRequest):
        requests = list(models)  # type: ignore[arg-type]
    else:
        requests = resolve_models(scenario, models)  # type: ignore[arg-type]
    ctx = ctx or RunContext(seed=seed)
    result = Forecast(scenario=scenario, models=requests)
    inputs = scenario.inputs()
    from realpolitik.sim.timeline import Timeline, run_issue_model

    timeline = Timeline.of(scenario)  # events between rounds of dynamic models
    if timeline is not None:
        result.extra["events"] = timeline.events_json()
    for req in requests:
        if req.spec.kind == "issue":
            result.issue_results[req.name] = run_issue_model(
                timeline, req.spec, inputs, req.options, ctx
            )
        elif req.spec.kind == "crisis":
            result.crises.append(req.spec.run(scenario, req.options, ctx))
        else:
            result.extra[req.name] = req.spec.run(scenario, req.options, ctx)
    n_runs = scenario.runs if runs is None else int(runs)
    if n_runs > 1:
        from realpolitik.ensemble import run_ensemble, uncertain_inputs
        from realpolitik.ensemble.crises import sampler_of

        # Runs serve the issue models and the crisis models that sample (not rubinstein's
        # closed form); without uncertainty, one run says it all.
        sampled = result.issue_results or any(sampler_of(r.spec) is not None for r in requests)
        if sampled and uncertain_inputs(scenario):
            ens = run_ensemble(
                scenario,
                requests,
                n_runs,
                seed=seed,
                executor=executor,
                progress=progress,
                airlift_draws=airlift_draws,
            )
            result.ensemble = ens
            for name, res in result.issue_results.items():
                result.issue_results[name] = replace(res, values=ens.point(name))
            for entry in result.crises:  # each run sampled who conceded and when
                if entry.get("model") in ens.crises:
                    entry["ensemble"] = ens.crisis_summary(entry["model"], entry.get("parties"))
    return result
