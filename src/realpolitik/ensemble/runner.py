"""Run a scenario's models many times under its uncertainty: the ensemble.

:func:`run_ensemble` is the whole pipeline (docs/architecture.md):

1. list the scenario's uncertain inputs (:func:`~realpolitik.ensemble.uncertain_inputs`);
2. split runs 0..N-1 into chunks; each chunk draws its runs' uniforms from their own streams
   (:mod:`realpolitik.ensemble.seeds`) and turns them into input values (inverse CDFs);
3. runs every model on the chunk: models whose ``run`` takes leading batch dimensions
   (``ModelSpec.batched``: the static models) once on the whole chunk, the others (eum, smp)
   run by run, on the scenario's timeline when it has one;
4. an executor (:mod:`realpolitik.ensemble.executors`) runs the chunks, in-process, in a
   process pool or on Dask, and the results are put back in run order.

Nothing in a run depends on the chunk it is in: the draws come from the run's own stream, and
the batched models reduce over actors in actor order (``models/static.py``), so the same seed
gives the same bits with any executor and any chunking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
from pydantic import ValidationError

from realpolitik.ensemble.crises import run_crises, sampler_of
from realpolitik.ensemble.seeds import draw_uniforms, fresh_seed
from realpolitik.ensemble.uncertain import UncertainInput, uncertain_inputs
from realpolitik.errors import InputError, show_value
from realpolitik.models import IssueInputs, RunContext
from realpolitik.sim.timeline import Timeline, run_issue_model

__all__ = [
    "Plan",
    "Chunk",
    "Ensemble",
    "run_ensemble",
    "run_chunk",
    "run_draws",
    "chunks",
    "evaluate_draws",
    "single_run",
]


@dataclass(frozen=True)
class Plan:
    """Everything a worker needs to run any chunk: picklable, sent once per worker."""

    scenario: Any
    requests: tuple[Any, ...]  # ModelRequest of the issue models
    inputs: tuple[UncertainInput, ...]
    seed: int
    crises: tuple[Any, ...] = ()  # crisis ModelRequests whose module can sample (crises.py)
    airlift_draws: int = 0  # K: crisis runs share K airlift draws (ensemble/coupling.py)
    airlift: tuple[Any, ...] = ()  # the K shared draws, when every run has the same inputs

    @cached_property
    def base(self) -> IssueInputs:
        return self.scenario.inputs()

    @cached_property
    def needs_scenario(self) -> bool:
        """Whether some input lies outside the issue arrays (an event's size, a crisis block's
        number): then timelines and crisis samplers see each run's own rebuilt scenario."""
        return any(u.target == "other" for u in self.inputs)

    @cached_property
    def data(self) -> dict[str, Any]:
        """The scenario's data (every uncertain number at its median), to change run by run."""
        return self.scenario.model_dump(exclude={"distributions"})

    @cached_property
    def timeline(self) -> Timeline | None:
        return Timeline.of(self.scenario)


@dataclass
class Chunk:
    """The results of runs ``start..stop-1``: draws[run, input] and values[model][run, issue]."""

    start: int
    stop: int
    draws: np.ndarray
    values: dict[str, np.ndarray]
    crises: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


def chunks(runs: int, size: int) -> list[tuple[int, int]]:
    """``[(0, size), (size, 2 size), ...]`` covering 0..runs-1."""
    size = max(1, int(size))
    return [(a, min(a + size, runs)) for a in range(0, runs, size)]


def run_chunk(plan: Plan, start: int, stop: int) -> Chunk:
    """Draw runs ``start..stop-1`` from their own streams and run every model on them."""
    u, seeds = draw_uniforms(plan.seed, start, stop, len(plan.inputs))
    draws = values_of(plan.inputs, u)
    scenarios = None
    unbatched = not all(r.spec.batched for r in plan.requests)
    if plan.needs_scenario and (plan.crises or (unbatched and plan.timeline is not None)):
        scenarios = [scenario_for(plan, row) for row in draws]  # one per run, shared
    values = run_draws(plan, draws, seeds, scenarios)
    crises = run_crises(plan, draws, seeds, scenarios, start) if plan.crises else {}
    return Chunk(start=start, stop=stop, draws=draws, values=values, crises=crises)


def values_of(inputs: tuple[UncertainInput, ...], u: np.ndarray) -> np.ndarray:
    """Input values ``[runs, k]`` in each field's unit from uniforms ``u[runs, k]``."""
    out = np.empty_like(u)
    for col, inp in enumerate(inputs):
        out[:, col] = inp.values(u[:, col])
    return out


def batch_inputs(plan: Plan, draws: np.ndarray) -> IssueInputs:
    """The issue arrays of each run, with leading batch dimension ``runs``."""
    base = plan.base
    b = draws.shape[0]
    x = np.repeat(base.x[None], b, axis=0)
    s = np.repeat(base.s[None], b, axis=0)
    c = np.repeat(base.c[None], b, axis=0)
    ref = np.repeat(base.reference[None], b, axis=0)
    issues = plan.scenario.issues
    for col, inp in enumerate(plan.inputs):
        v = draws[:, col]
        if inp.target == "x":
            x[:, inp.index[0], inp.index[1]] = issues[inp.index[1]].scale.to_100(v)
        elif inp.target == "s":
            s[:, inp.index[0], inp.index[1]] = v
        elif inp.target == "c":
            c[:, inp.index[0]] = v
        elif inp.target == "reference":
            ref[:, inp.index[0]] = issues[inp.index[0]].scale.to_100(v)
    return IssueInputs(
        x=x, s=s, c=c, mask=base.mask, reference=ref, actors=base.actors, issues=base.issues
    )


def run_draws(
    plan: Plan, draws: np.ndarray, seeds: np.ndarray, scenarios: list[Any] | None = None
) -> dict[str, np.ndarray]:
    """Every issue model's forecast ``[runs, issues]`` (0-100) for given input values.

    ``seeds[run]`` seeds each run's stochastic models. Batched models run once on the whole
    array; the others run by run (with the scenario rebuilt when an input lies outside the
    issue arrays, e.g. an event's size).
    """
    batch = batch_inputs(plan, draws)
    out: dict[str, np.ndarray] = {}
    for req in plan.requests:
        if req.spec.batched:
            res = req.spec.run(batch, req.options, RunContext(seed=None))
            out[req.name] = np.asarray(res.values, dtype=float)
            continue
        vals = np.empty((draws.shape[0], plan.base.n_issues))
        for b in range(draws.shape[0]):
            ctx = RunContext(seed=int(seeds[b]))
            # The run's arrays are those its own scenario would give (the same draws through
            # the same to_100); the scenario itself is rebuilt only for its timeline, whose
            # events may carry uncertain numbers.
            inputs = IssueInputs(
                x=batch.x[b],
                s=batch.s[b],
                c=batch.c[b],
                mask=batch.mask,
                reference=batch.reference[b],
                actors=batch.actors,
                issues=batch.issues,
            )
            timeline = plan.timeline
            if plan.needs_scenario and plan.timeline is not None:
                sc = scenarios[b] if scenarios is not None else scenario_for(plan, draws[b])
                timeline = Timeline.of(sc)
            vals[b] = run_issue_model(timeline, req.spec, inputs, req.options, ctx).values
        out[req.name] = vals
    return out


def scenario_for(plan: Plan, row: np.ndarray) -> Any:
    """The scenario of one run: the scenario's data with this run's values, validated again.

    Only the mappings and lists on the way to a changed value are copied.
    """
    data = _shallow(plan.data)
    copied: set[tuple[Any, ...]] = set()
    for inp, value in zip(plan.inputs, row, strict=True):
        node = data
        for depth, key in enumerate(inp.path[:-1], start=1):
            if inp.path[:depth] not in copied:
                node[key] = _shallow(node[key])
                copied.add(inp.path[:depth])
            node = node[key]
        node[inp.path[-1]] = float(value)
    try:
        return type(plan.scenario).model_validate(data)
    except ValidationError as exc:  # a draw the schema rules out, e.g. an event's day < 0
        raise _bad_scenario(plan.scenario, exc) from None


def _bad_scenario(scenario: Any, exc: ValidationError) -> InputError:
    """A located input error (exit 2, no traceback) for a run whose drawn scenario fails the
    schema, worded like a crisis model's refused draw (:mod:`realpolitik.ensemble.crises`):
    located at the distribution that drew the value (``Scenario.distributions``)."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    hit = next((u for u in scenario.distributions if loc[: len(u.path)] == u.path), None)
    msg = err["msg"]
    for prefix in ("Input should be ", "Value error, "):
        msg = msg.removeprefix(prefix)
    src = scenario.source
    return InputError(
        file=hit.file if hit is not None else (src.file if src is not None else None),
        line=hit.line if hit is not None else None,
        column=hit.column if hit is not None else None,
        field=hit.name if hit is not None else ".".join(str(k) for k in loc),
        problem=f"a run drew {show_value(err.get('input'))}",
        expected=f"{msg} in every run (bounds on the uncertain inputs that keep each draw valid)",
    )


def _shallow(node: Any) -> Any:
    return dict(node) if isinstance(node, dict) else list(node)


@dataclass
class Ensemble:
    """The runs of an ensemble: input draws, every issue model's forecasts, and provenance.

    ``draws[run, input]`` in each field's unit; ``values[model][run, issue]`` on 0-100.
    """

    scenario: Any
    requests: list[Any]
    inputs: tuple[UncertainInput, ...]
    seed: int
    runs: int
    draws: np.ndarray
    values: dict[str, np.ndarray]
    executor: str = "local"
    crises: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def in_units(self, model: str) -> np.ndarray:
        """``values[model]`` in each issue's own unit, ``[run, issue]``."""
        return self.scenario.from_100(self.values[model])

    def point(self, model: str) -> np.ndarray:
        """The median forecast of each issue on 0-100 (NaN where every run skipped it)."""
        v = self.values[model]
        out = np.full(v.shape[1], np.nan)
        for j in range(v.shape[1]):
            col = v[:, j][np.isfinite(v[:, j])]
            if col.size:
                out[j] = np.median(col)
        return out

    def table(self) -> Any:
        """One Arrow table, one row per run × model × issue (see ensemble.table)."""
        from realpolitik.ensemble.table import to_table

        return to_table(self)

    def write_parquet(self, path: Any) -> None:
        from realpolitik.ensemble.table import write_parquet

        write_parquet(self, path)


def default_chunk(requests: list[Any], runs: int, workers: int) -> int:
    """Chunks small enough to share out (4 per worker) and big enough to batch well."""
    batched = all(r.spec.batched for r in requests)
    cap = 4096 if batched else 64
    return max(1, min(cap, -(-runs // (4 * max(1, workers)))))


def run_ensemble(
    scenario: Any,
    requests: list[Any],
    runs: int,
    *,
    seed: int | None = None,
    executor: str = "local",
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_chunk: Callable[[int, Chunk], None] | None = None,
    skip_chunks: dict[int, Chunk] | None = None,
    airlift_draws: int | None = None,
) -> Ensemble:
    """Run ``runs`` draws of the scenario through every issue model in ``requests``.

    ``executor``: ``local``, ``processes[:N]``, ``dask[:N]`` or ``dask://HOST:PORT``.
    ``progress(n)`` is called with the number of runs each finished chunk holds.

    Checkpoints (the run store): ``on_chunk(index, chunk)`` is called as each chunk finishes,
    and ``skip_chunks`` maps indexes to chunks already computed (with the same seed and
    ``chunk_size``), which are used as they are and not run again. A run's draws come from its
    own stream, so the result is the same bits as an uninterrupted run.

    ``airlift_draws``: K, the airlift draws the crisis runs share (run ``i`` uses draw
    ``i mod K``; default :data:`~realpolitik.ensemble.coupling.DEFAULT_DRAWS`, at most
    ``runs``); see :mod:`realpolitik.ensemble.coupling`.
    """
    from realpolitik.ensemble.coupling import DEFAULT_DRAWS, draw_chunk, shared_inputs
    from realpolitik.ensemble.executors import make_executor

    seed = fresh_seed() if seed is None else int(seed)
    issue_reqs = tuple(r for r in requests if r.spec.kind == "issue")
    crisis_reqs = tuple(r for r in requests if sampler_of(r.spec) is not None)
    inputs = uncertain_inputs(scenario)
    k = 0
    if crisis_reqs and getattr(scenario, "airlift", None) is not None:
        k = max(1, min(int(airlift_draws or DEFAULT_DRAWS), runs))
    plan = Plan(
        scenario=scenario,
        requests=issue_reqs,
        inputs=inputs,
        seed=seed,
        crises=crisis_reqs,
        airlift_draws=k,
    )
    with make_executor(executor) as ex:
        if k and shared_inputs(inputs, scenario):
            jobs = chunks(k, -(-k // max(1, ex.workers)))
            shared: dict[int, list[Any]] = dict(ex.map(draw_chunk, plan, jobs))
            plan = replace(plan, airlift=tuple(d for i in range(len(jobs)) for d in shared[i]))
        size = chunk_size or default_chunk([*issue_reqs, *crisis_reqs], runs, ex.workers)
        parts = chunks(runs, size)
        done: dict[int, Chunk] = {}
        for idx, chunk in (skip_chunks or {}).items():
            if not 0 <= idx < len(parts) or (chunk.start, chunk.stop) != parts[idx]:
                raise ValueError(f"checkpointed chunk {idx} does not match the chunking")
            done[idx] = chunk
        if progress is not None and done:
            progress(sum(c.stop - c.start for c in done.values()))
        pending = [i for i in range(len(parts)) if i not in done]
        for n, chunk in ex.map(run_chunk, plan, [parts[i] for i in pending]):
            done[pending[n]] = chunk
            if on_chunk is not None:
                on_chunk(pending[n], chunk)
            if progress is not None:
                progress(chunk.stop - chunk.start)
    ordered = [done[i] for i in range(len(parts))]
    draws = np.concatenate([c.draws for c in ordered]) if ordered else np.empty((0, len(inputs)))
    values = {r.name: np.concatenate([c.values[r.name] for c in ordered]) for r in issue_reqs}
    crises = {
        r.name: {
            key: np.concatenate([c.crises[r.name][key] for c in ordered])
            for key in (ordered[0].crises[r.name] if ordered else {})
        }
        for r in crisis_reqs
    }
    return Ensemble(
        scenario=scenario,
        requests=list(requests),
        inputs=inputs,
        seed=seed,
        runs=runs,
        draws=draws,
        values=values,
        executor=executor,
        crises=crises,
        meta={"airlift_draws": k} if k else {},
    )


def evaluate_draws(
    scenario: Any,
    requests: list[Any],
    draws: np.ndarray,
    *,
    seed: int,
    executor: str = "local",
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Every issue model's forecasts (0-100) at given input values ``draws[row, input]``.

    Used by the sensitivity analysis: every row's stochastic models get the same seed
    (common random numbers), so the variance comes from the inputs alone.
    """
    from realpolitik.ensemble.executors import make_executor

    issue_reqs = tuple(r for r in requests if r.spec.kind == "issue")
    plan = Plan(
        scenario=scenario, requests=issue_reqs, inputs=uncertain_inputs(scenario), seed=int(seed)
    )
    model_seed = int(np.random.SeedSequence(int(seed)).generate_state(1, np.uint64)[0] >> 1)
    n = draws.shape[0]
    with make_executor(executor) as ex:
        size = chunk_size or default_chunk(list(issue_reqs), n, ex.workers)
        parts = chunks(n, size)
        jobs = [(draws[a:b], np.full(b - a, model_seed, dtype=np.int64)) for a, b in parts]
        done: dict[int, dict[str, np.ndarray]] = {}
        for idx, vals in ex.map(run_draws, plan, jobs):
            done[idx] = vals
            if progress is not None:
                progress(parts[idx][1] - parts[idx][0])
    return {
        r.name: np.concatenate([done[i][r.name] for i in range(len(parts))])
        if parts
        else np.empty((0, plan.base.n_issues))
        for r in issue_reqs
    }


def single_run(result: Any, seed: int | None = None) -> Ensemble:
    """A one-run :class:`Ensemble` of a plain forecast: every input at its median."""
    sc = result.scenario
    inputs = uncertain_inputs(sc)
    draws = np.array([[u.median for u in inputs]]).reshape(1, len(inputs))
    values = {
        name: np.asarray(res.values, dtype=float)[None]
        for name, res in result.issue_results.items()
    }
    return Ensemble(
        scenario=sc,
        requests=list(result.models),
        inputs=inputs,
        seed=0 if seed is None else int(seed),
        runs=1,
        draws=draws,
        values=values,
    )
