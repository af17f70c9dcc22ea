"""Run a forecast into the store, and resume one that was interrupted.

This is the one adapter between the store (and so the CLI's ``--save``, ``runs resume`` and
the web workbench) and the forecast API: :func:`realpolitik.api.loads` and
:func:`realpolitik.forecast.forecast`. Everything else in the store reads what it wrote.

An ensemble is run with a chunk size fixed when the run is created and kept in its row; each
finished chunk is checkpointed (:meth:`Store.save_chunk`), and :func:`resume` hands the
checkpoints back to the runner (``skip_chunks``), which runs only the missing chunks. A run's
draws come from its own seeded stream, so the resumed results are the same bits as an
uninterrupted run's.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.errors import InputError
from realpolitik.store.store import Store

__all__ = [
    "Cancelled",
    "Prepared",
    "prepare",
    "create",
    "execute",
    "resume",
    "scenario_source",
    "load_text",
    "model_entries",
    "default_models",
    "model_options",
]

HEARTBEAT_EVERY = 10.0  # seconds between heartbeats of a long chunk


class Cancelled(Exception):
    """Raised inside a run when its ``cancel`` event is set (the web's Cancel button)."""


@dataclass(frozen=True)
class Prepared:
    """A validated request: the scenario's text and name, the models, runs and seed."""

    text: str
    name: str
    scenario: Any
    models: list[dict[str, Any]]  # [{"name": ..., "options": {...}}] as resolved
    runs: int
    seed: int
    executor: str
    chunk_size: int


def scenario_source(source: str) -> tuple[str, str, str]:
    """``(text, display name, origin)`` of a bundled id or a file path."""
    from realpolitik.scenario import bundled_path
    from realpolitik.scenario._yaml import read_text

    path = Path(source)
    if not path.exists() and (found := bundled_path(source)) is not None:
        return found.read_text(encoding="utf-8"), source, "bundled"
    if not path.exists():
        from realpolitik.api import load

        load(source)  # raises the loader's own located error
    return read_text(path, display=source), source, "file"


def load_text(text: str, name: str) -> Any:
    """The scenario of a text, with located errors naming ``name`` as the file.

    Loaded scenarios are kept (the last 32 texts): a run's request and its execution, and the
    workbench's repeated runs of one scenario, parse the YAML once. A scenario is not changed
    by running it.
    """
    return _load_cached(text, name)


@functools.lru_cache(maxsize=32)
def _load_cached(text: str, name: str) -> Any:
    from realpolitik.api import loads

    return loads(text, file=name)


def default_models(scenario: Any) -> list[str]:
    """The names of the models a scenario runs when none are named."""
    from realpolitik.forecast import resolve_models

    return [r.name for r in resolve_models(scenario)]


def model_options(name: str, text: str) -> dict[str, str]:
    """``key=value,key=value`` (a form's options field) as raw options of model ``name``."""
    from realpolitik.forecast import parse_model_arg

    return parse_model_arg(f"{name}:{text}" if text else name, flag=f"{name} options")[1]


def model_entries(requests: list[Any]) -> list[dict[str, Any]]:
    """Resolved model requests as JSON: their names and every option's value."""
    return [{"name": r.name, "options": r.options.model_dump(mode="json")} for r in requests]


def _requests(entries: list[dict[str, Any]]) -> list[Any]:
    from realpolitik.forecast import request, unique_requests

    return unique_requests(
        [request(e["name"], dict(e.get("options") or {}), flag="models") for e in entries],
        flag="models",
    )


def _chunk_size(requests: list[Any], runs: int, executor: str) -> int:
    """The runner's default chunking, but at least 16 chunks: checkpoints and progress."""
    import os

    from realpolitik.ensemble.executors import parse_spec
    from realpolitik.ensemble.runner import default_chunk

    name, workers, _ = parse_spec(executor)
    n = 1 if name == "local" else (workers or os.cpu_count() or 1)
    return max(1, min(default_chunk(requests, runs, n), -(-runs // 16)))


def prepare(
    text: str,
    name: str,
    *,
    models: list[str] | dict[str, dict[str, Any]] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    executor: str = "local",
) -> Prepared:
    """Validate a request: the scenario (located errors), the models (``--model`` strings or
    ``{"name": {options}}``), the executor; a fresh seed is drawn (and kept) when none is given."""
    from realpolitik.ensemble.executors import parse_spec
    from realpolitik.ensemble.seeds import fresh_seed
    from realpolitik.forecast import request, resolve_models, unique_requests

    parse_spec(executor)
    sc = load_text(text, name)
    if isinstance(models, dict) and models:
        reqs = unique_requests(
            [request(k, dict(v or {}), flag="models") for k, v in models.items()], flag="models"
        )
    else:
        reqs = resolve_models(sc, list(models) if models else None)
    n = sc.runs if runs is None else int(runs)
    if n < 1:
        raise InputError(field="runs", value=n, expected="a number of runs ≥ 1")
    seed = fresh_seed() if seed is None else int(seed)
    if not 0 <= seed < 2**63:
        raise InputError(field="seed", value=seed, expected="a seed from 0 to 2**63 - 1")
    return Prepared(
        text=text,
        name=name,
        scenario=sc,
        models=model_entries(reqs),
        runs=n,
        seed=seed,
        executor=executor,
        chunk_size=_chunk_size(reqs, n, executor),
    )


def create(store: Store, prep: Prepared, *, origin: str, requested_by: str) -> int:
    """Keep the scenario text and write the run's row (status ``running``); its id."""
    from realpolitik import __version__

    sha = store.put_scenario(prep.text, prep.name, origin)
    return store.create_run(
        scenario_sha=sha,
        scenario_name=prep.scenario.name,
        models=prep.models,
        seed=prep.seed,
        runs=prep.runs,
        executor=prep.executor,
        chunk_size=prep.chunk_size,
        version=__version__,
        requested_by=requested_by,
    )


def execute(
    store: Store,
    run_id: int,
    *,
    progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
    parquet_dir: Path | None = None,
) -> Any:
    """Run (or finish) stored run ``run_id``; the :class:`~realpolitik.forecast.Forecast`.

    Checkpointed chunks are used as they are. On an error the run is marked ``failed`` (or
    ``cancelled``) with the message, and the error is raised again. ``parquet_dir`` (SQLite
    only; default: the store's ``?results=files`` folder) keeps the results table in a file
    there instead of in the database.
    """
    from realpolitik.forecast import forecast

    row = store.require(run_id)
    text = store.scenario(row["scenario_sha"])["text"]
    done = store.load_chunks(run_id)
    state = {"runs": sum(c.stop - c.start for c in done.values())}
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_EVERY):
            store.heartbeat(run_id)

    def on_chunk(idx: int, chunk: Any) -> None:
        state["runs"] += chunk.stop - chunk.start
        store.save_chunk(run_id, idx, chunk, state["runs"])
        if cancel is not None and cancel.is_set():
            raise Cancelled()

    beater = threading.Thread(target=beat, name=f"heartbeat-{run_id}", daemon=True)
    beater.start()
    try:
        sc = load_text(text, row["scenario_name"])
        result = forecast(
            sc,
            _requests(row["models"]),
            seed=row["seed"],
            runs=row["runs"],
            executor=row["executor"],
            progress=progress,
            ensemble_options={
                "chunk_size": row["chunk_size"],
                "on_chunk": on_chunk,
                "skip_chunks": done,
            },
        )
        _finish(store, run_id, result, row["seed"], parquet_dir or store.files_dir)
        return result
    except Cancelled:
        store.fail(run_id, "cancelled", status="cancelled")
        raise
    except InputError as exc:
        store.fail(run_id, str(exc))
        raise
    except Exception as exc:
        store.fail(run_id, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        stop.set()


def resume(store: Store, run_id: int, **kw: Any) -> Any:
    """Complete an interrupted run from its checkpoints (see :func:`execute`)."""
    row = store.require(run_id)
    if row["effective"] != "interrupted":
        raise InputError(
            field="ID",
            value=run_id,
            problem=f"run {run_id} is {row['effective']}",
            expected="an interrupted run (a killed process, or a stale heartbeat)",
        )
    store.claim(run_id)
    return execute(store, run_id, **kw)


def _finish(store: Store, run_id: int, result: Any, seed: int, parquet_dir: Path | None) -> None:
    from realpolitik.ensemble.runner import single_run
    from realpolitik.store._codec import parquet_bytes

    data = result.to_json()
    ens = result.ensemble if result.ensemble is not None else single_run(result, seed)
    blob, path = parquet_bytes(ens), None
    if parquet_dir is not None and store.is_sqlite:
        parquet_dir.mkdir(parents=True, exist_ok=True)
        path = str(Path(parquet_dir).resolve() / f"run-{run_id}.parquet")
        Path(path).write_bytes(blob)
        blob = None
    store.finish(
        run_id,
        forecast=data,
        issues=_issue_rows(data),
        models=_model_rows(result, data),
        crises=_crisis_rows(data),
        parquet=blob,
        parquet_path=path,
    )


def _issue_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for j, issue in enumerate(data["issues"]):
        for model, f in issue["forecasts"].items():
            rows.append(
                {
                    "model": model,
                    "issue": issue["id"],
                    "issue_index": j,
                    "unit": issue.get("unit"),
                    "value": f.get("value"),
                    "p10": f.get("p10"),
                    "p90": f.get("p90"),
                    "outcome": issue.get("outcome"),
                }
            )
    return rows


def _model_rows(result: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for req in result.models:
        errors = [
            abs(i["forecasts"][req.name]["value"] - i["outcome"])
            for i in data["issues"]
            if req.name in i["forecasts"]
            and i["outcome"] is not None
            and i["forecasts"][req.name].get("value") is not None
        ]
        n = sum(req.name in i["forecasts"] for i in data["issues"])
        rows.append(
            {
                "model": req.name,
                "kind": req.spec.kind,
                "options": req.options.model_dump(mode="json"),
                "n_issues": n,
                "mae": float(np.mean(errors)) if errors else None,
            }
        )
    return rows


def _crisis_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for entry in data.get("crises", []):
        ens = entry.get("ensemble") or {}
        day = entry.get("day")
        rows.append(
            {
                "model": entry["model"],
                "conceded": entry.get("conceded"),
                "day": float(day) if isinstance(day, int | float) else None,
                "p_impasse": ens.get("p_impasse"),
                "entry": entry,
            }
        )
    return rows
