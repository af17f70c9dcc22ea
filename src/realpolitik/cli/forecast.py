"""``realpolitik forecast``: run models on a scenario and show where each issue lands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from realpolitik.api import load_any
from realpolitik.cli._app import MAX_SEED, app, console, print_json, whole
from realpolitik.cli._ensemble import (
    check_out,
    crisis_line,
    ensemble_cells,
    fmt_value,
    progress_bar,
    summary_cells,
    write_out,
)
from realpolitik.errors import InputError
from realpolitik.forecast import Forecast, forecast
from realpolitik.scenario.schema import MAX_RUNS

__all__ = ["forecast_command", "render_table"]

DEFAULT_SCENARIO = "moscow-1949"


@app.command("forecast")
def forecast_command(
    scenario: Annotated[
        str, typer.Argument(help="Scenario file, or a bundled scenario's id.")
    ] = DEFAULT_SCENARIO,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help="A model to run, with options: NAME or NAME:key=value,key=value. Repeat the "
            "flag for several. Default: the scenario's models, else every default model.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    trace: Annotated[
        bool, typer.Option("--trace", help="Add each dynamic model's round-by-round path.")
    ] = False,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", callback=whole("--seed", 0, MAX_SEED), help="Seed for every stochastic path."
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="The input's format: auto (from its content), scenario, or an importer's "
            "(ktab, bdm; see `realpolitik import`).",
        ),
    ] = "auto",
    runs: Annotated[
        int | None,
        typer.Option(
            "--runs",
            callback=whole("--runs", 1, MAX_RUNS),
            help=f"Runs under the scenario's uncertainty, at most {MAX_RUNS:,} (default: "
            "its `runs`, else 1); each issue then gets a median, intervals and the "
            "probability of each label.",
        ),
    ] = None,
    executor: Annotated[
        str,
        typer.Option(
            "--executor",
            help="Where runs go: local, processes[:N], dask[:N] (a local "
            "Dask cluster) or dask://HOST:PORT (a running scheduler).",
        ),
    ] = "local",
    airlift_draws: Annotated[
        int | None,
        typer.Option(
            "--airlift-draws",
            callback=whole("--airlift-draws", 1, MAX_RUNS),
            help="K: crisis models coupled to the airlift share K airlift runs, run i "
            "using draw i mod K (default 50; docs/specs/coupling.md).",
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="Write every run to this Parquet file (one row per run × "
            "issue × model, with each uncertain input's draw).",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write a report into this directory: report.html "
            "(self-contained, charts inline) and report.md with PNG charts.",
        ),
    ] = None,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Keep the run in the run store (see `realpolitik runs`): the scenario text, "
            "settings, summaries and every run's results; ensembles are checkpointed and can "
            "be resumed.",
        ),
    ] = False,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="The run store for --save: a SQLAlchemy URL or a SQLite file (default: "
            "$REALPOLITIK_STORE, else runs.sqlite in the user's data folder).",
        ),
    ] = None,
    intervals: Annotated[
        str,
        typer.Option(
            "--intervals",
            help="calibrated (default): each issue model's intervals and label "
            "probabilities include its own error on recorded outcomes (DEU) besides the "
            "runs; inputs: the spread of the runs alone.",
        ),
    ] = "calibrated",
    calibration: Annotated[
        Path | None,
        typer.Option(
            "--calibration",
            help="A calibration table from `realpolitik calibrate` (default: the bundled "
            "one, fitted on the DEU III dev split).",
        ),
    ] = None,
) -> None:
    """Forecast where each issue lands, by every model that runs."""
    notices: list[str] = []
    sc = load_any(scenario, fmt, notices=notices)
    for notice in notices:
        print(f"notice: {notice}", file=sys.stderr)
    from realpolitik.ensemble import uncertain_inputs
    from realpolitik.ensemble.executors import parse_spec

    parse_spec(executor)  # a bad --executor is an error even for one run
    if intervals not in ("calibrated", "inputs"):
        raise InputError(field="--intervals", value=intervals, expected="calibrated or inputs")
    table = None
    if calibration is not None and intervals == "calibrated":
        from realpolitik.analysis.calibration import read_calibration

        table = read_calibration(calibration)
    if out is not None:  # bad targets fail before the runs, and before anything is written
        check_out(out)
    if report is not None:
        from realpolitik.cli.report import check_report_dir

        check_report_dir(report)
    total = (runs or sc.runs) if uncertain_inputs(sc) else 1  # no bar for a single run
    with progress_bar(total) as progress:
        if save:
            result = _save_and_run(sc, scenario, store, model, seed, runs, executor, progress)
        else:
            result = forecast(
                sc,
                model,
                seed=seed,
                runs=runs,
                executor=executor,
                progress=progress,
                intervals=intervals,
                calibration=table,
                airlift_draws=airlift_draws,
            )
    if out is not None:
        write_out(result, out, seed)
    if as_json:
        print_json(result.to_json(trace=trace))
    else:
        render_table(result)
    if report is not None:
        from realpolitik.cli.report import write_forecast_report

        write_forecast_report(result, report, source=scenario, seed=seed, json_out=as_json)


def _save_and_run(sc, source, store, model, seed, runs, executor, progress) -> Forecast:  # noqa: ANN001
    """``--save``: write the run's row first, checkpoint its chunks, keep its results."""
    from realpolitik.cli.runs import open_store
    from realpolitik.store.execute import create, execute, prepare

    st = open_store(store)  # a bad --store fails before the runs
    src = sc.source
    if src is None:  # an imported file (ktab, bdm): keep the scenario it became
        from realpolitik.scenario.importers import read_any, to_yaml

        text, name, origin = to_yaml(read_any(source), source), source, "import"
    else:
        text, name, origin = src.text, source, "file"
    prep = prepare(text, name, models=model, runs=runs, seed=seed, executor=executor)
    run_id = create(st, prep, origin=origin, requested_by="cli")
    print(f"run {run_id} saved in the store (`realpolitik runs show {run_id}`)", file=sys.stderr)
    return execute(st, run_id, progress=progress)


def render_table(result: Forecast) -> None:
    """One rich table per issue: each model's forecast, nearest label, and error."""
    sc = result.scenario
    console.print(
        f"[bold]{sc.name}[/bold]"
        + (f" — {sc.description.splitlines()[0]}" if sc.description else "")
    )
    # Issue tables only when issue models ran (`--model attrition` alone shows the crisis).
    for j, issue in enumerate(sc.issues if result.issue_results else ()):
        outcome = sc.recorded(issue.id)
        table = Table(
            title=f"{issue.name} ({issue.unit}, {issue.scale.min:g}–{issue.scale.max:g})",
            title_justify="left",
        )
        table.add_column("model")
        table.add_column("forecast", justify="right")
        table.add_column("nearest label")
        if outcome is not None:
            table.add_column("error", justify="right")
        ens = result.ensemble  # runs > 1: the median, its 80% interval, the likeliest label
        cal = result.calibrated
        if cal:
            table.add_column("80% interval", justify="right")
        elif ens is not None:
            table.add_column("p10–p90", justify="right")
        for name, res in result.issue_results.items():
            value = result.value(name, j)
            finite = value == value
            row = [
                name,
                fmt_value(value if finite else None),
                (issue.scale.nearest_label(value) or "") if finite else res.skipped.get(j, ""),
            ]
            if outcome is not None:
                row.append(f"{value - outcome:+,.1f}" if finite else "—")
            if cal:
                entry = (cal.get(name) or [None] * (j + 1))[j]
                row[2], interval = summary_cells(entry, row[2])
                row.append(interval)
            elif ens is not None:
                row[2], interval = ensemble_cells(ens, name, j, row[2])
                row.append(interval)
            table.add_row(*row)
        if outcome is not None:
            table.add_row(
                "[italic]recorded[/italic]",
                fmt_value(outcome),
                issue.scale.nearest_label(outcome) or "",
                "",
                *([""] if ens is not None or cal else []),
                style="green",
            )
        console.print(table)
    from realpolitik.cli._crises import render_crises, render_events

    render_crises(result.crises)
    _calibration_note(result)
    render_events(result.extra.get("events", []))
    if result.ensemble is not None:
        e = result.ensemble
        console.print(
            f"[dim]{e.runs:,} runs (seed {e.seed}) over {len(e.inputs)} uncertain "
            "inputs: forecast = median of the runs.[/dim]"
        )
        for entry in result.crises:
            if "ensemble" in entry:
                console.print(crisis_line(entry))
    if sc.outcome is not None:
        console.print(f"[dim]Recorded outcome: {sc.outcome.source}[/dim]")


def _calibration_note(result: Forecast) -> None:
    """What the intervals rest on; the models without calibrated intervals and why."""
    info = result.extra.get("calibration")
    if not info:
        return
    if info["intervals"] == "inputs":
        console.print(f"[dim]Intervals: {info['note']}.[/dim]")
        return
    if info["models"]:
        console.print(
            "[dim]80% intervals and label probabilities are calibrated: each model's own "
            f"error on recorded outcomes is added to every run; {info['basis']}.[/dim]"
        )
    for name, why in info["not_calibrated"].items():
        console.print(f"[dim]{name}: {why}.[/dim]")
