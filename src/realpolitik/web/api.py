"""The JSON API (``/api``); its OpenAPI description is at ``/openapi.json``.

Errors answer ``{"error": "<one line>"}``: 422 for bad input (the CLI's located message),
404 for an unknown id, 403 for a cross-origin request, 413 for an oversize upload, 429 when
every job slot is taken, 409 for removing a run that is still running.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from realpolitik.errors import InputError
from realpolitik.web.service import NotFound, library, prepare_request, scenario_ref, upload

__all__ = ["router", "RunRequest"]

router = APIRouter(prefix="/api", tags=["api"])


class RunRequest(BaseModel):
    """A forecast to run: a scenario (an id from ``GET /api/scenarios``, or YAML text), the
    models with their options (default: the scenario's), the number of runs and the seed."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(min_length=1, examples=["moscow-1949"])
    models: dict[str, dict[str, Any]] | None = Field(
        default=None, examples=[{"compromise": {}, "eum": {"rounds": 8}}]
    )
    runs: int | None = Field(default=None, ge=1, examples=[1000])
    seed: int | None = Field(default=None, ge=0, lt=2**63, examples=[1949])


def _bench(request: Request) -> Any:
    return request.app.state.bench


def run_json(row: dict[str, Any]) -> dict[str, Any]:
    """A run as the API shows it; ``forecast`` (the JSON of ``forecast --json``) when done."""
    out = {
        "id": row["id"],
        "status": row["effective"],
        "scenario": row["scenario_name"],
        "scenario_id": row["scenario_sha"],
        "models": row["models"],
        "runs": row["runs"],
        "seed": row["seed"],
        "progress": {"done": row["progress"], "total": row["runs"]},
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "requested_by": row["requested_by"],
        "error": row["error"],
    }
    if "forecast" in row:
        out["forecast"] = row["forecast"]
    return out


@router.get("/scenarios")
def list_scenarios(request: Request) -> dict[str, Any]:
    """Bundled scenarios, uploads and the scenarios of stored runs (edits included)."""
    return {"scenarios": library(_bench(request).store)}


@router.get("/scenarios/{sid}")
def get_scenario(sid: str, request: Request) -> dict[str, Any]:
    """One scenario's text."""
    ref = scenario_ref(_bench(request).store, sid)
    return {"id": ref.id, "name": ref.name, "origin": ref.origin, "text": ref.text}


@router.post(
    "/scenarios",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            }
        }
    },
)
async def post_scenario(request: Request) -> dict[str, Any]:
    """Upload a scenario: YAML as the body, or a multipart form with a ``file`` field. It is
    parsed with the CLI's loader; a malformed file answers 422 with its located error."""
    bench = _bench(request)
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        item = form.get("file")
        if item is None or isinstance(item, str):
            raise InputError(field="file", problem="no file in the form", expected="a scenario")
        data = await item.read(bench.limits.max_upload + 1)
        name = item.filename
    else:
        data = bytearray()
        async for part in request.stream():
            data += part
            if len(data) > bench.limits.max_upload:
                break
        data, name = bytes(data), request.headers.get("x-filename", "upload.yaml")
    from starlette.concurrency import run_in_threadpool

    ref = await run_in_threadpool(upload, bench.store, name, data, bench.limits.max_upload)
    return {"id": ref.id, "name": ref.name, "origin": ref.origin}


def _prepare(bench: Any, body: RunRequest) -> tuple[Any, Any]:
    """The request's scenario and settings, checked, with the scenario's origin."""
    return prepare_request(
        bench.store,
        body.scenario,
        models=body.models,
        runs=body.runs,
        seed=body.seed,
        executor=bench.executor,
        limit=bench.limits.max_upload,
    )


@router.post("/runs", status_code=202)
def post_run(body: RunRequest, request: Request) -> dict[str, Any]:
    """Start a run in the background; poll ``GET /api/runs/{id}`` for progress and results."""
    bench = _bench(request)
    prep, origin = _prepare(bench, body)
    run_id = bench.jobs.submit(prep, origin=origin)
    return {"id": run_id, "status": bench.store.run(run_id)["effective"]}


@router.post("/forecast")
def post_forecast(body: RunRequest, request: Request) -> dict[str, Any]:
    """Run a forecast now and answer with its JSON (the run is stored as well)."""
    bench = _bench(request)
    prep, origin = _prepare(bench, body)
    run_id, result = bench.jobs.run_now(prep, origin=origin)
    return {"id": run_id, "status": "done", "forecast": result.to_json()}


@router.get("/runs")
def list_runs(request: Request, limit: int = Query(200, ge=1, le=10_000)) -> dict[str, Any]:
    """Stored runs, newest first."""
    return {"runs": [run_json(r) for r in _bench(request).store.runs(limit=limit)]}


@router.get("/runs/{rid}")
def get_run(rid: int, request: Request) -> dict[str, Any]:
    """A run's status and progress and, when done, its forecast JSON."""
    row = _bench(request).store.run(rid, full=True)
    if row is None:
        raise NotFound(f"no run {rid}")
    return run_json(row)


@router.post("/runs/{rid}/cancel", status_code=202)
def cancel_run(rid: int, request: Request) -> dict[str, Any]:
    """Ask a running run to stop after its current chunk."""
    bench = _bench(request)
    if bench.store.run(rid) is None:
        raise NotFound(f"no run {rid}")
    return {"id": rid, "cancelling": bench.jobs.cancel(rid)}


@router.post("/runs/{rid}/resume", status_code=202)
def resume_run(rid: int, request: Request) -> dict[str, Any]:
    """Finish an interrupted run (its process died) from its checkpoints, in the background."""
    bench = _bench(request)
    if bench.store.run(rid) is None:
        raise NotFound(f"no run {rid}")
    bench.jobs.resume(rid)
    return {"id": rid, "status": bench.store.run(rid)["effective"]}


@router.delete("/runs/{rid}")
def delete_run(rid: int, request: Request) -> Any:
    """Remove a run that is not running (cancel it first)."""
    bench = _bench(request)
    row = bench.store.run(rid)
    if row is None:
        raise NotFound(f"no run {rid}")
    if row["effective"] == "running":
        return JSONResponse(
            {"error": f"run {rid} is running; cancel it first (POST /api/runs/{rid}/cancel)"},
            status_code=409,
        )
    bench.store.delete_run(rid)
    bench.reports.pop(rid, None)
    return {"id": rid, "deleted": True}


@router.get("/compare")
def compare_runs(request: Request, a: int = Query(ge=1), b: int = Query(ge=1)) -> dict[str, Any]:
    """Two runs side by side: changed inputs (paths and values) and forecasts."""
    from realpolitik.store.diff import compare

    store = _bench(request).store
    for rid in (a, b):
        if store.run(rid) is None:
            raise NotFound(f"no run {rid}")
    return compare(store, a, b)
