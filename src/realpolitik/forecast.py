"""Run a scenario's models and gather their forecasts into one frozen result.

``forecast(scenario, models=...)`` is the facade: it resolves which models run (``models`` as
``{"eum": {"rounds": 8}}``, as ``--model`` strings ``["eum:rounds=8"]`` or requests; else the
scenario's ``models``, else every default issue model plus each crisis or logistics model whose
block the scenario has), runs each through its registry contract (issue models on the
timeline, crisis and logistics models on what :mod:`realpolitik.sim.coupling` prepares) and
returns a :class:`Forecast`, whose :meth:`Forecast.to_json` is the documented JSON shape::

    {"scenario": "<name>", "models": ["compromise", ...],
     "issues": [{"id": "...", "name": "...", "unit": "...", "outcome": <number or null>,
                 "forecasts": {"<model>": {"value": <number in the issue's unit>}}}]}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.analysis.summary import QUANTILES, crisis_summary, summarise
from realpolitik.errors import InputError
from realpolitik.models import IssueResult, ModelSpec, Options, RunContext, get, names, specs
from realpolitik.models._registry import UnknownModelError
from realpolitik.scenario import Scenario

__all__ = [
    "ModelRequest",
    "Forecast",
    "CrisisResult",
    "CrisisRuns",
    "Quantiles",
    "Survival",
    "parse_model_arg",
    "resolve_models",
    "requests_of_kind",
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


def requests_of_kind(kind: str, models: Sequence[Any] | None = None) -> list[ModelRequest]:
    """The models of ``kind`` to score (the backtests): ``--model`` strings (``NAME`` or
    ``NAME:key=value``) or requests, else every registered model of that kind; a model of
    another kind is an error."""
    if not models:
        return [ModelRequest(spec=s, options=s.parse_options({})) for s in specs(kind)]
    out = []
    for m in models:
        req = m if isinstance(m, ModelRequest) else request(*parse_model_arg(m))
        if req.spec.kind != kind:
            raise InputError(
                field="--model",
                value=req.name,
                expected=f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} model: "
                + ", ".join(s.name for s in specs(kind)),
            )
        out.append(req)
    return unique_requests(out)


def resolve_models(scenario: Scenario, requested: Any = None) -> list[ModelRequest]:
    """The models that run.

    ``requested`` (``--model`` flags, or the API's ``models=``) is exclusive: only the named
    models run, of whatever kind. It is a mapping of names to options
    (``{"eum": {"rounds": 8}, "compromise": {}}``) or a list of ``NAME:key=value`` strings and
    :class:`ModelRequest` objects. Otherwise the scenario's ``models`` (else every default
    issue model) run, plus each crisis or logistics model whose block the scenario has and
    that the list does not already name.
    """
    if isinstance(requested, Mapping):
        chosen = []
        for name, opts in requested.items():
            if opts is not None and not isinstance(opts, Mapping):
                raise InputError(
                    field=f"models.{name}", value=opts, expected="a mapping of options, e.g. {}"
                )
            chosen.append(request(str(name), dict(opts or {}), flag="models"))
        return unique_requests(chosen, flag="models")
    if isinstance(requested, str):
        requested = [requested]
    if requested:
        return unique_requests(
            [r if isinstance(r, ModelRequest) else request(*parse_model_arg(r)) for r in requested]
        )
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


@dataclass(frozen=True)
class Quantiles:
    """The median and the 10th and 90th percentiles of a day (None in the impasse mass)."""

    median: float | None
    p10: float | None
    p90: float | None


@dataclass(frozen=True)
class Survival:
    """P(no agreement yet) on each day from 0 to the horizon (``1 -`` the end's CDF)."""

    days: tuple[float, ...]
    probability: tuple[float, ...]


@dataclass(frozen=True)
class CrisisRuns:
    """A crisis model over the ensemble's runs: who gave way first, when, and how often never."""

    runs: int
    who_first: dict[str, float]
    p_impasse: float
    end_day: Quantiles


@dataclass(frozen=True)
class CrisisResult:
    """A crisis model's result, typed: ``who_first`` (P(each party concedes first)),
    ``end_day`` quantiles, ``p_impasse``, the ``survival`` curve, the ensemble's ``runs`` when
    one ran, and ``entry``, the JSON entry it is read from (every other figure)."""

    model: str
    issue: str | None
    parties: tuple[str, ...]
    who_first: dict[str, float] | None
    end_day: Quantiles | None
    p_impasse: float | None
    survival: Survival | None
    runs: CrisisRuns | None
    entry: Mapping[str, Any]

    @classmethod
    def of(cls, entry: Mapping[str, Any]) -> CrisisResult:
        def q(d: Any) -> Quantiles | None:
            return None if not isinstance(d, Mapping) else Quantiles(
                d.get("median"), d.get("p10"), d.get("p90")
            )  # fmt: skip

        trace = entry.get("trace") or {}
        survival = None
        if "end_cdf" in trace:
            surv = tuple(1.0 - float(c) for c in trace["end_cdf"])
            survival = Survival(tuple(float(d) for d in trace["days"]), surv)
        ens = entry.get("ensemble")
        runs = None
        if isinstance(ens, Mapping):
            runs = CrisisRuns(
                runs=int(ens["runs"]),
                who_first=dict(ens["p_first"]),
                p_impasse=float(ens["p_impasse"]),
                end_day=q(ens["end_day"]),  # type: ignore[arg-type]
            )
        p_imp = entry.get("p_impasse")
        return cls(
            model=str(entry.get("model")),
            issue=entry.get("issue"),
            parties=tuple(entry.get("parties") or ()),
            who_first=dict(entry["p_first"]) if "p_first" in entry else None,
            end_day=q(entry.get("end_day")),
            p_impasse=None if p_imp is None else float(p_imp),
            survival=survival,
            runs=runs,
            entry=entry,
        )


@dataclass(frozen=True, repr=False)
class Forecast:
    """The results of one forecast, frozen.

    ``issue_results``: each issue model's single run (every uncertain input at its median), on
    0-100; ``ensemble``: every run when ``runs`` > 1 (a
    :class:`~realpolitik.ensemble.runner.Ensemble`), else None — the two are kept apart.
    ``crises``: the crisis models' JSON entries (typed by :meth:`crisis`); ``extra``: the
    logistics models' entries and the timeline's ``events``.
    """

    scenario: Scenario
    models: tuple[ModelRequest, ...]
    issue_results: Mapping[str, IssueResult] = field(default_factory=dict)
    crises: tuple[dict[str, Any], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    ensemble: Any = None
    seed: int | None = None
    # calibrated[model][issue]: the JSON entry with calibrated intervals
    # (realpolitik.analysis.predictive; None where the model has none)
    calibrated: Mapping[str, tuple[dict[str, Any] | None, ...]] = field(default_factory=dict)

    # -- values ----------------------------------------------------------------------------
    def _issue(self, issue: int | str) -> int:
        ids = self.scenario.issue_ids
        if isinstance(issue, str):
            if issue not in ids:
                raise InputError(field="issue", value=issue, expected="one of: " + ", ".join(ids))
            return ids.index(issue)
        j = int(issue)
        if not -len(ids) <= j < len(ids):
            raise InputError(
                field="issue", value=issue, expected=f"an index from 0 to {len(ids) - 1} or an id"
            )
        return j % len(ids)

    def _model(self, model: str) -> None:
        if model not in self.issue_results:
            raise InputError(
                field="model",
                value=model,
                expected="an issue model of this forecast: " + ", ".join(self.issue_results),
            )

    def run_value(self, model: str, issue: int | str) -> float:
        """The single run's forecast (every input at its median) in the issue's own unit."""
        self._model(model)
        j = self._issue(issue)
        res = self.issue_results[model]
        return float(self.scenario.issues[j].scale.from_100(res.values[j]))

    def value(self, model: str, issue: int | str) -> float:
        """Model ``model``'s forecast on ``issue`` (its id or index) in the issue's own unit:
        the JSON's ``value`` — the median over the runs of an ensemble, else the single run."""
        self._model(model)
        j = self._issue(issue)
        if self.ensemble is not None and model in self.ensemble.values:
            col = self.ensemble.in_units(model)[:, j]
            col = col[np.isfinite(col)]
            return float(np.median(col)) if col.size else float("nan")
        return self.run_value(model, j)

    def crisis(self, model: str) -> CrisisResult:
        """The typed result of crisis model ``model`` (:class:`CrisisResult`)."""
        for entry in self.crises:
            if entry.get("model") == model:
                return CrisisResult.of(entry)
        names = ", ".join(str(c.get("model")) for c in self.crises) or "none ran"
        raise InputError(field="model", value=model, expected="a crisis model of it: " + names)

    @property
    def crisis_results(self) -> tuple[CrisisResult, ...]:
        return tuple(CrisisResult.of(c) for c in self.crises)

    # -- shapes ----------------------------------------------------------------------------
    def to_json(self, *, trace: bool = False) -> dict[str, Any]:
        """The documented JSON shape (numbers are unrounded floats, NaN becomes null): exactly
        what ``realpolitik forecast --json`` prints for the same arguments."""
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "models": [m.name for m in self.models],
            "issues": [],
        }
        for j, issue in enumerate(self.scenario.issues):
            forecasts: dict[str, Any] = {}
            for name, result in self.issue_results.items():
                entry: dict[str, Any] = {"value": _num(self.run_value(name, j))}
                if self.ensemble is not None and name in self.ensemble.values:
                    entry = summarise(self.ensemble.in_units(name)[:, j], issue.scale)
                calibrated = self.calibrated.get(name)
                if calibrated is not None and calibrated[j] is not None:
                    entry = dict(calibrated[j])
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

    def rows(self) -> list[dict[str, Any]]:
        """The long format of :meth:`to_frame` as plain records: one row per issue, model and
        statistic (``value``; with an ensemble also ``mean``, ``p05`` ... ``p95``, ``mc_se``
        and ``run`` the single run), then each crisis model's figures (unit ``probability``
        or ``day``)."""
        js = self.to_json()
        out: list[dict[str, Any]] = []
        for issue in js["issues"]:
            for model, entry in issue["forecasts"].items():
                for stat in ("value", "mean", *QUANTILES, "mc_se"):
                    if entry.get(stat) is not None:
                        out.append(_row(issue["id"], model, stat, entry[stat], issue["unit"]))
                if self.ensemble is not None:
                    run = _num(self.run_value(model, issue["id"]))
                    out.append(_row(issue["id"], model, "run", run, issue["unit"]))
        for c in self.crisis_results:
            for party, p in (c.who_first or {}).items():
                out.append(_row(c.issue, c.model, f"p_first.{party}", p, "probability"))
            if c.p_impasse is not None:
                out.append(_row(c.issue, c.model, "p_impasse", c.p_impasse, "probability"))
            for k in ("median", "p10", "p90"):
                v = getattr(c.end_day, k) if c.end_day is not None else None
                if v is not None:
                    out.append(_row(c.issue, c.model, f"end_day.{k}", v, "day"))
        return out

    def to_frame(self) -> Any:
        """A long-format pandas DataFrame: columns issue, model, statistic, value, unit
        (:meth:`rows`). Needs pandas: ``pip install 'realpolitik[frame]'``."""
        try:
            import pandas as pd
        except ImportError:
            raise InputError(
                field="to_frame",
                problem="Forecast.to_frame() needs pandas, which is not installed",
                expected="pip install 'realpolitik[frame]'",
            ) from None
        return pd.DataFrame(self.rows(), columns=["issue", "model", "statistic", "value", "unit"])

    def report(self, directory: str | Path, *, track: bool = True) -> Path:
        """Write the analyst's report into ``directory`` (report.html and report.md, as
        ``realpolitik forecast --report DIR``); with ``track``, the models' record on the
        backtests. Needs the ``report`` extra. Returns the path of report.html."""
        from realpolitik.report.assemble import forecast_report  # the one upward call

        return forecast_report(self, Path(directory), seed=self.seed, track=track)

    # -- display ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        sc = self.scenario
        issue_models = list(self.issue_results)
        kinds = [m.name for m in self.models if m.name not in self.issue_results]
        parts = [f"Forecast({sc.name!r}", f"issues={len(sc.issues)}"]
        parts.append("models=[" + ", ".join(issue_models) + "]")
        if kinds:
            parts.append("crisis/logistics=[" + ", ".join(kinds) + "]")
        if self.ensemble is not None:
            parts.append(f"runs={self.ensemble.runs}, seed={self.ensemble.seed}")
        elif self.seed is not None:
            parts.append(f"seed={self.seed}")
        text = ", ".join(parts) + ")"
        return text if len(text) <= 600 else text[:596] + "...)"

    def _repr_html_(self) -> str:
        """A small table: one row per issue, one column per issue model (values in units)."""
        from html import escape

        models = list(self.issue_results)
        head = "".join(f"<th>{escape(m)}</th>" for m in models)
        rows = []
        for issue in self.scenario.issues if models else ():
            cells = "".join(f"<td>{_fmt(self.value(m, issue.id))}</td>" for m in models)
            rows.append(
                f"<tr><th>{escape(issue.name)}</th><td>{escape(issue.unit)}</td>{cells}</tr>"
            )
        for c in self.crisis_results:
            who = ", ".join(f"{p} {v:.0%}" for p, v in (c.who_first or {}).items())
            rows.append(
                f"<tr><th>{escape(c.model)}</th><td colspan='{len(models) + 1}'>"
                f"first to concede: {escape(who) or '—'}</td></tr>"
            )
        title = escape(self.scenario.name) + (
            f" ({self.ensemble.runs} runs)" if self.ensemble is not None else ""
        )
        return (
            f"<table><caption>{title}</caption><thead><tr><th>issue</th><th>unit</th>{head}"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )


def _row(issue: Any, model: str, stat: str, value: Any, unit: str | None) -> dict[str, Any]:
    return {"issue": issue, "model": model, "statistic": stat, "value": value, "unit": unit}


def _fmt(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{value:,.4g}"


def _num(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _nested(a: np.ndarray) -> Any:
    """Nested lists with NaN/inf as None (null in JSON), e.g. actors without a position."""
    a = np.asarray(a, dtype=float)
    return np.where(np.isfinite(a), a, None).tolist()


def forecast(
    scenario: Scenario | str | Path,
    models: Mapping[str, Mapping[str, Any]] | Sequence[str | ModelRequest] | None = None,
    *,
    runs: int | None = None,
    seed: int | None = None,
    executor: str = "local",
    progress: Callable[[int], None] | None = None,
    ctx: RunContext | None = None,
    intervals: str = "calibrated",
    calibration: Any = None,
    airlift_draws: int | None = None,
    ensemble_options: dict[str, Any] | None = None,
) -> Forecast:
    """Run the scenario's models and return a frozen :class:`Forecast`.

    ``scenario`` is a :class:`~realpolitik.scenario.Scenario`, a path or a bundled scenario's
    id (``"moscow-1949"``). ``models``: ``{"eum": {"rounds": 8}, "compromise": {}}``,
    ``--model`` strings (``"eum:rounds=8"``) or :class:`ModelRequest` objects; None means the
    scenario's defaults (see :func:`resolve_models`). With ``runs`` > 1 (default: the
    scenario's ``runs``) and uncertain inputs, the issue and crisis models also run ``runs``
    times on draws seeded by ``seed`` through ``executor`` (local, processes[:N], dask[:N],
    dask://HOST:PORT): ``Forecast.ensemble`` holds every run, ``Forecast.issue_results`` the
    single run. ``progress(n)`` is called as runs finish. ``ensemble_options`` go to
    :func:`~realpolitik.ensemble.run_ensemble` (``chunk_size``, and the run store's checkpoint
    hooks ``on_chunk`` and ``skip_chunks``). ``airlift_draws``: K, the airlift draws that
    crisis models coupled to the airlift share across runs (docs/specs/coupling.md).
    """
    if isinstance(scenario, (str, Path)):
        from realpolitik.api import load

        scenario = load(scenario)
    elif not isinstance(scenario, Scenario):
        raise InputError(
            field="scenario",
            value=type(scenario).__name__,
            expected="a Scenario (realpolitik.load), a path or a bundled scenario's id",
        )
    requests = resolve_models(scenario, models)
    ctx = ctx or RunContext(seed=seed)
    from realpolitik.sim.coupling import run_model
    from realpolitik.sim.timeline import Timeline, run_issue_model

    inputs = scenario.inputs()
    timeline = Timeline.of(scenario)  # events between rounds of dynamic models
    issue_results: dict[str, IssueResult] = {}
    crises: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}
    if timeline is not None:
        extra["events"] = timeline.events_json()
    for req in requests:
        if req.spec.kind == "issue":
            issue_results[req.name] = run_issue_model(timeline, req.spec, inputs, req.options, ctx)
        elif req.spec.kind == "crisis":
            crises.append(run_model(req.spec, scenario, req.options, ctx))
        else:
            extra[req.name] = run_model(req.spec, scenario, req.options, ctx)
    ens = None
    n_runs = scenario.runs if runs is None else int(runs)
    if n_runs > 1:
        from realpolitik.ensemble import run_ensemble, uncertain_inputs
        from realpolitik.ensemble.crises import sampler_of

        # Runs serve the issue models and the crisis models that sample (not rubinstein's
        # closed form); without uncertainty, one run says it all.
        sampled = issue_results or any(sampler_of(r.spec) is not None for r in requests)
        if sampled and uncertain_inputs(scenario):
            ens = run_ensemble(
                scenario,
                requests,
                n_runs,
                seed=seed,
                executor=executor,
                progress=progress,
                airlift_draws=airlift_draws,
                **(ensemble_options or {}),
            )
            for entry in crises:  # each run sampled who conceded and when
                if entry.get("model") in ens.crises:
                    entry["ensemble"] = crisis_summary(
                        ens.crises[entry["model"]], entry.get("parties")
                    )
    result = Forecast(
        scenario=scenario,
        models=tuple(requests),
        issue_results=issue_results,
        crises=tuple(crises),
        extra=extra,
        ensemble=ens,
        seed=seed,
    )
    return _with_intervals(result, intervals, calibration)


def _with_intervals(result: Forecast, intervals: str, calibration: Any) -> Forecast:
    """The forecast with its issue models' calibrated intervals (``intervals="calibrated"``)
    or a note that the intervals are the runs' spread alone (``"inputs"``)."""
    from realpolitik.analysis.calibration import read_calibration
    from realpolitik.analysis.predictive import INPUTS_ONLY, calibrate_forecast

    if intervals not in ("calibrated", "inputs"):
        raise InputError(field="intervals", value=intervals, expected="calibrated or inputs")
    if intervals == "inputs":
        return replace(result, extra={**result.extra, "calibration": INPUTS_ONLY})
    if isinstance(calibration, (str, Path)):
        calibration = read_calibration(Path(calibration))
    calibrated, block = calibrate_forecast(result, calibration, seed=result.seed)
    return replace(result, calibrated=calibrated, extra={**result.extra, "calibration": block})


from realpolitik.contracts._module import make_callable  # noqa: E402

make_callable(__name__, forecast)  # realpolitik.forecast(...) calls forecast()
