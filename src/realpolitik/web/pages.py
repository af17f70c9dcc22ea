"""The workbench's pages: library, scenario and what-if editor, run, compare, history."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from realpolitik.errors import InputError
from realpolitik.web.service import NotFound, TooLarge, library, scenario_ref, upload

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
WAIT_FOR_QUICK_RUN = 2.0  # seconds a run's POST waits, so a quick run shows its results at once
# A form sent back with its located error is a page like any other (the JSON API answers 422):
# a browser logs every 4xx page load as a console error.
FORM_ERROR = 200


def _bench(request: Request) -> Any:
    return request.app.state.bench


def _page(request: Request, name: str, status: int = 200, **ctx: Any) -> Any:
    return _bench(request).templates.TemplateResponse(request, name, ctx, status_code=status)


def _when(ts: float | None) -> str:
    return "" if ts is None else time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def _run_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "status": row["effective"],
        "model_names": ", ".join(m["name"] for m in row["models"]),
        "started": _when(row["started_at"]),
        "ended": _when(row["ended_at"]),
    }


@router.get("/", response_class=HTMLResponse)
def library_route(request: Request) -> Any:
    return library_page(request)


def library_page(request: Request, error: str | None = None, status: int = 200) -> Any:
    bench = _bench(request)
    return _page(
        request,
        "library.html",
        status=status,
        scenarios=library(bench.store),
        runs=[_run_view(r) for r in bench.store.runs(limit=10)],
        error=error,
        max_upload=bench.limits.max_upload,
    )


@router.post("/upload")
async def upload_page(request: Request) -> Any:
    bench = _bench(request)
    form = await request.form(max_files=1, max_fields=10)
    item = form.get("file")
    if item is None or isinstance(item, str):
        return library_page(request, error="choose a scenario file to upload", status=FORM_ERROR)
    data = await item.read(bench.limits.max_upload + 1)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_finish_upload, request, item.filename, data)


def _finish_upload(request: Request, filename: str | None, data: bytes) -> Any:
    bench = _bench(request)
    try:
        ref = upload(bench.store, filename, data, bench.limits.max_upload)
    except (InputError, TooLarge) as exc:
        return library_page(request, error=str(exc), status=FORM_ERROR)
    return RedirectResponse(f"/scenarios/{ref.id}", status_code=303)


def _models_form(scenario: Any, chosen: dict[str, str] | None = None) -> list[dict[str, Any]]:
    from realpolitik.models import specs
    from realpolitik.store.execute import default_models

    if chosen is None:
        chosen = {name: "" for name in default_models(scenario)}
    out = []
    for spec in specs():
        applies = spec.kind == "issue" or (spec.applies is not None and spec.applies(scenario))
        out.append(
            {
                "name": spec.name,
                "kind": spec.kind,
                "summary": spec.summary,
                "options": ", ".join(spec.options.model_fields),
                "checked": spec.name in chosen,
                "value": chosen.get(spec.name, ""),
                "applies": applies,
            }
        )
    return out


def _scenario_page(
    request: Request,
    sid: str,
    *,
    error: str | None = None,
    status: int = 200,
    values: dict[str, str] | None = None,
    chosen: dict[str, str] | None = None,
    runs: str | None = None,
    seed: str | None = None,
) -> Any:
    from realpolitik.scenario._yaml import parse_yaml
    from realpolitik.store.execute import load_text
    from realpolitik.web.whatif import fields

    bench = _bench(request)
    ref = scenario_ref(bench.store, sid)
    sc = load_text(ref.text, ref.name)
    data, _ = parse_yaml(ref.text, file=ref.name)
    return _page(
        request,
        "scenario.html",
        status=status,
        ref=ref,
        sc=sc,
        data=data,
        fields=fields(data),
        values=values or {},
        models=_models_form(sc, chosen),
        runs=runs if runs is not None else str(sc.runs),
        seed=seed or "",
        error=error,
        max_runs=bench.limits.max_runs,
    )


@router.get("/scenarios/{sid}", response_class=HTMLResponse)
def scenario_page(sid: str, request: Request) -> Any:
    return _scenario_page(request, sid)


@router.post("/scenarios/{sid}/run")
async def run_page(sid: str, request: Request) -> Any:
    """Apply the editor's changes (a new scenario text when anything changed) and start."""
    from realpolitik.web.whatif import parse_field_name

    bench = _bench(request)
    ref = scenario_ref(bench.store, sid)
    form = await request.form(max_files=0, max_fields=5000)
    edits: dict[tuple[Any, ...], str] = {}
    values: dict[str, str] = {}
    for key, value in form.multi_items():
        path = parse_field_name(key)
        if path is not None and isinstance(value, str):
            edits[path] = value
            values[key] = value
    chosen = {
        str(name): str(form.get(f"opt:{name}") or "").strip() for name in form.getlist("model")
    }
    runs_text, seed_text = str(form.get("runs") or "").strip(), str(form.get("seed") or "").strip()
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(
        _start_run, request, sid, ref, edits, values, chosen, runs_text, seed_text
    )


def _start_run(
    request: Request,
    sid: str,
    ref: Any,
    edits: dict[tuple[Any, ...], str],
    values: dict[str, str],
    chosen: dict[str, str],
    runs_text: str,
    seed_text: str,
) -> Any:
    from realpolitik.store.execute import model_options, prepare
    from realpolitik.web.whatif import apply_edits

    bench = _bench(request)
    try:
        text = apply_edits(ref.text, edits, file=ref.name)
        if not chosen:
            raise InputError(field="models", problem="no model chosen", expected="one or more")
        models = {}
        for name, opts in chosen.items():
            models[name] = model_options(name, opts)
        runs = _int(runs_text, "runs", 1) if runs_text else None
        seed = _int(seed_text, "seed", 0) if seed_text else None
        if text != ref.text:
            name = ref.name if ref.origin == "edit" else f"{ref.name} (what-if)"
            prep = prepare(text, name, models=models, runs=runs, seed=seed, executor=bench.executor)
            origin = "edit"
        else:
            prep = prepare(
                ref.text, ref.name, models=models, runs=runs, seed=seed, executor=bench.executor
            )
            origin = ref.origin
        run_id = bench.jobs.submit(prep, origin=origin)
    except InputError as exc:
        return _scenario_page(
            request,
            sid,
            error=str(exc),
            status=FORM_ERROR,
            values=values,
            chosen=chosen,
            runs=runs_text,
            seed=seed_text,
        )
    bench.jobs.wait(run_id, timeout=WAIT_FOR_QUICK_RUN)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


def _int(text: str, field: str, low: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InputError(field=field, value=text, expected=f"a whole number ≥ {low}") from None
    if value < low:
        raise InputError(field=field, value=value, expected=f"a whole number ≥ {low}")
    return value


def _row(request: Request, rid: int, *, full: bool = False) -> dict[str, Any]:
    row = _bench(request).store.run(rid, full=full)
    if row is None:
        raise NotFound(f"no run {rid}")
    return row


@router.get("/runs", response_class=HTMLResponse)
def history_page(request: Request) -> Any:
    runs = [_run_view(r) for r in _bench(request).store.runs()]
    return _page(request, "history.html", runs=runs)


@router.get("/runs/{rid}", response_class=HTMLResponse)
def result_page(rid: int, request: Request) -> Any:
    bench = _bench(request)
    row = _row(request, rid, full=True)
    others = [r for r in bench.store.runs(limit=50) if r["id"] != rid]
    return _page(
        request,
        "run.html",
        run=_run_view(row),
        forecast=row.get("forecast"),
        others=[_run_view(r) for r in others],
    )


@router.post("/runs/{rid}/cancel")
def cancel_page(rid: int, request: Request) -> Any:
    _row(request, rid)
    _bench(request).jobs.cancel(rid)
    return RedirectResponse(f"/runs/{rid}", status_code=303)


@router.post("/runs/{rid}/resume")
def resume_page(rid: int, request: Request) -> Any:
    _row(request, rid)
    _bench(request).jobs.resume(rid)
    return RedirectResponse(f"/runs/{rid}", status_code=303)


@router.post("/runs/{rid}/delete")
def delete_page(rid: int, request: Request) -> Any:
    bench = _bench(request)
    row = _row(request, rid)
    if row["effective"] == "running":
        raise InputError(
            field="run", value=rid, problem="the run is running", expected="cancel it first"
        )
    bench.store.delete_run(rid)
    bench.reports.pop(rid, None)
    return RedirectResponse("/runs", status_code=303)


@router.get("/runs/{rid}/report.html", response_class=HTMLResponse)
def report_file(rid: int, request: Request, download: int = 0) -> Any:
    from realpolitik.store.reports import report_html

    bench = _bench(request)
    _row(request, rid)
    html = bench.reports.get(rid)
    if html is None:
        with bench.report_lock:  # matplotlib draws one figure at a time
            html = bench.reports.get(rid) or report_html(bench.store, rid)
            bench.reports[rid] = html
    headers = (
        {"Content-Disposition": f'attachment; filename="run-{rid}-report.html"'} if download else {}
    )
    return HTMLResponse(html, headers=headers)


@router.get("/runs/{rid}/forecast.json")
def forecast_file(rid: int, request: Request) -> Any:
    row = _row(request, rid, full=True)
    if row.get("forecast") is None:
        raise NotFound(f"run {rid} has no forecast yet ({row['effective']})")
    body = json.dumps(row["forecast"], ensure_ascii=False, indent=1)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="run-{rid}-forecast.json"'},
    )


@router.get("/runs/{rid}/results.parquet")
def parquet_file(rid: int, request: Request) -> Any:
    _row(request, rid)
    blob = _bench(request).store.parquet(rid)
    if blob is None:
        raise NotFound(f"run {rid} has no results yet")
    return Response(
        blob,
        media_type="application/vnd.apache.parquet",
        headers={"Content-Disposition": f'attachment; filename="run-{rid}-results.parquet"'},
    )


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: int | None = None, b: int | None = None) -> Any:
    from realpolitik.store.diff import compare

    bench = _bench(request)
    runs = [_run_view(r) for r in bench.store.runs(limit=200)]
    result = None
    if a is not None and b is not None:
        _row(request, a)
        _row(request, b)
        result = compare(bench.store, a, b)
    return _page(request, "compare.html", runs=runs, a=a, b=b, result=result)
