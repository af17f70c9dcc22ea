"""``realpolitik runs list | show | diff | report | rm | resume | check``: the run store.

Runs get into the store with ``realpolitik forecast ... --save`` or from the web workbench
(``realpolitik serve``). The store is SQLite in the user's data folder unless ``--store URL``
or ``REALPOLITIK_STORE`` names another (see :mod:`realpolitik.store`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from realpolitik.cli._app import MAX_SEED, app, console, print_json, whole
from realpolitik.errors import InputError

__all__ = ["runs_app", "open_store", "StoreOpt"]

runs_app = typer.Typer(
    help="The run store: list, show, compare, report, remove and resume stored runs.",
    no_args_is_help=True,
)
app.add_typer(runs_app, name="runs")

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="The run store: a SQLAlchemy URL (sqlite:///FILE, postgresql+psycopg://...) or a "
        "SQLite file. Default: $REALPOLITIK_STORE, else runs.sqlite in the user's data folder.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
_ID = whole("RUN", 1, MAX_SEED)
IdArg = Annotated[
    int, typer.Argument(help="A run's id (see `realpolitik runs list`).", callback=_ID)
]


def open_store(url: str | None) -> Any:
    """The store at ``url`` (or the default), with a clear error if the extra is missing."""
    try:
        from realpolitik.store import Store
    except ImportError as exc:
        raise InputError(
            field="--store",
            problem=f"the run store needs the 'store' extra ({exc.name} is not installed)",
            expected="pip install 'realpolitik[store]'",
        ) from None
    return Store(url)


def _when(ts: float | None) -> str:
    return "" if ts is None else time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def _models(entries: list[dict[str, Any]]) -> str:
    return ", ".join(e["name"] for e in entries)


def _listing(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "scenario": row["scenario_name"],
        "scenario_sha256": row["scenario_sha"],
        "models": [e["name"] for e in row["models"]],
        "runs": row["runs"],
        "seed": row["seed"],
        "status": row["effective"],
        "progress": row["progress"],
        "started": _when(row["started_at"]),
        "ended": _when(row["ended_at"]),
        "requested_by": row["requested_by"],
    }


@runs_app.command("list")
def list_command(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """One row per stored run: id, scenario, models, runs, seed, status and start time."""
    rows = [_listing(r) for r in open_store(store).runs()]
    if as_json:
        print_json({"runs": rows})
        return
    table = Table(title="Stored runs", title_justify="left")
    for col in ("id", "scenario", "models", "runs", "seed", "status", "started (UTC)"):
        table.add_column(col, justify="right" if col in ("id", "runs") else "left")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["scenario"],
            ", ".join(r["models"]),
            f"{r['runs']:,}",
            str(r["seed"]),
            r["status"],
            r["started"],
        )
    console.print(table)


@runs_app.command("show")
def show_command(run_id: IdArg, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """A run's settings, status and forecasts (the JSON of `forecast --json` with --json)."""
    st = open_store(store)
    row = st.require(run_id, full=True)
    if as_json:
        print_json({**_listing(row), "error": row["error"], "forecast": row.get("forecast")})
        return
    info = _listing(row)
    console.print(
        f"[bold]run {row['id']}[/bold]: {info['scenario']} · {_models(row['models'])} · "
        f"{row['runs']:,} runs · seed {row['seed']} · {info['status']} · started "
        f"{info['started']} UTC by {row['requested_by']}"
    )
    if row["error"]:
        console.print(f"[red]{row['error']}[/red]", markup=False)
    summaries = st.summaries(run_id)["issues"]
    if summaries:
        from realpolitik.cli._ensemble import fmt_value

        table = Table(title_justify="left")
        for col in ("issue", "unit", "model", "forecast", "p10–p90", "recorded"):
            table.add_column(col, justify="right" if col in ("forecast", "recorded") else "left")
        for s in sorted(summaries, key=lambda s: (s["issue_index"], s["model"])):
            interval = (
                f"{fmt_value(s['p10'])} – {fmt_value(s['p90'])}" if s["p10"] is not None else ""
            )
            outcome = "" if s["outcome"] is None else fmt_value(s["outcome"])
            table.add_row(
                s["issue"], s["unit"] or "", s["model"], fmt_value(s["value"]), interval, outcome
            )
        console.print(table)


@runs_app.command("diff")
def diff_command(
    run_a: Annotated[int, typer.Argument(help="The first run's id.", callback=_ID)],
    run_b: Annotated[int, typer.Argument(help="The second run's id.", callback=_ID)],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The changed inputs (paths and values in the scenario's keys) beside the changed
    forecasts of two runs."""
    from realpolitik.store.diff import compare

    result = compare(open_store(store), run_a, run_b)
    if as_json:
        print_json(result)
        return
    from realpolitik.cli._ensemble import fmt_value

    changes = result["inputs"] + result["settings"]
    table = Table(title=f"Inputs: run {run_a} → run {run_b}", title_justify="left")
    for col in ("input", f"run {run_a}", f"run {run_b}"):
        table.add_column(col)
    for c in changes:
        table.add_row(c["path"], c["a"], c["b"])
    console.print(table if changes else "[dim]The inputs are the same.[/dim]")
    table = Table(title="Forecasts that changed", title_justify="left")
    for col in ("issue", "model", f"run {run_a}", f"run {run_b}", "change"):
        table.add_column(col, justify="left" if col in ("issue", "model") else "right")
    changed = [f for f in result["forecasts"] if f["changed"]]
    for f in changed:
        delta = "" if f["delta"] is None else f"{f['delta']:+,.2f}"
        table.add_row(f["issue"], f["model"], fmt_value(f["a"]), fmt_value(f["b"]), delta)
    console.print(table if changed else "[dim]No forecast changed.[/dim]")


@runs_app.command("report")
def report_command(
    run_id: IdArg,
    report: Annotated[
        Path, typer.Option("--report", help="The directory to write report.html and report.md to.")
    ] = Path("report"),
    store: StoreOpt = None,
) -> None:
    """Write the report of a finished run from its stored results (nothing runs again)."""
    from realpolitik.cli.report import announce, check_report_dir
    from realpolitik.store.reports import write_run_report

    check_report_dir(report)
    announce(write_run_report(open_store(store), run_id, report))


@runs_app.command("rm")
def rm_command(run_id: IdArg, store: StoreOpt = None) -> None:
    """Remove a run, its checkpoints and its summaries (the scenario text stays)."""
    st = open_store(store)
    row = st.require(run_id)
    if row["effective"] == "running":
        raise InputError(
            field="ID",
            value=run_id,
            problem=f"run {run_id} is still running (pid {row['pid']} on {row['host']})",
            expected="a run that is not running",
        )
    st.delete_run(run_id)
    print(f"removed run {run_id}", file=sys.stderr)


@runs_app.command("resume")
def resume_command(run_id: IdArg, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Complete an interrupted run: checkpointed chunks are kept, the rest run, and the
    results equal an uninterrupted run's with the same seed."""
    from realpolitik.cli._ensemble import progress_bar
    from realpolitik.store.execute import resume

    st = open_store(store)
    row = st.require(run_id)
    with progress_bar(row["runs"]) as progress:
        result = resume(st, run_id, progress=progress)
    if as_json:
        print_json(result.to_json())
    else:
        from realpolitik.cli.forecast import render_table

        render_table(result)
    print(f"run {run_id} resumed and done", file=sys.stderr)


@runs_app.command("check")
def check_command(store: StoreOpt = None) -> None:
    """Check the store's integrity: the database's own check and the store's invariants
    (no summaries of unfinished runs, no checkpoints left by finished ones)."""
    problems = open_store(store).integrity()
    for p in problems:
        print(p)
    if problems:
        raise typer.Exit(1)
    print("ok")
