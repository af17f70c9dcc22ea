"""``realpolitik backtest deu|cases``: score every issue model against recorded outcomes."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from realpolitik.analysis.backtest import (
    BASELINE,
    RESAMPLES,
    CasesBacktest,
    DeuBacktest,
    Progress,
    backtest_cases,
    backtest_deu,
)
from realpolitik.cli._app import MAX_RESAMPLES, MAX_SEED, app, console, print_json, whole
from realpolitik.errors import InputError
from realpolitik.scenario.importers.deu import (
    DEFAULT_CAPABILITY_COLUMN,
    bundled_capabilities_path,
    bundled_data_path,
    read_capabilities,
    read_deu,
)

__all__ = [
    "backtest_app",
    "deu_command",
    "cases_command",
    "render_deu",
    "render_cases",
    "write_predictions",
]

backtest_app = typer.Typer(
    help="Score every issue model against recorded outcomes: EU legislation (DEU) and the "
    "bundled historical cases.",
    no_args_is_help=True,
)
app.add_typer(backtest_app, name="backtest")

BUNDLED_DATA = "bundled deu_dev.tsv (DEU III development split)"
BUNDLED_CAPABILITIES = "bundled capabilities.csv"

ModelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        "-m",
        help="Score only this model, with options: NAME or NAME:key=value,key=value. Repeat "
        "for several. Default: every registered issue model.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="Also write a report (report.html, report.md with PNG "
        "charts) of the track record into this directory.",
    ),
]
# The DEU capability table, shared with `realpolitik import deu`.
CapabilitiesOpt = Annotated[
    Path | None,
    typer.Option("--capabilities", help="Capability table, CSV with an 'actor' column."),
]
CapabilityColumnOpt = Annotated[
    str,
    typer.Option(
        "--capability-column",
        help="The capability table's column to use, or 'era' (by the year of the final "
        "act: pre-Nice votes to 2004, Nice votes 2005-2014, populations from 2015).",
    ),
]
SeedOpt = Annotated[
    int,
    typer.Option(
        "--seed",
        callback=whole("--seed", 0, MAX_SEED),
        help="Seed of the bootstrap and of every stochastic model.",
    ),
]


@backtest_app.command("deu")
def deu_command(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="A DEU-format file (default: the bundled DEU III dev split)."),
    ] = None,
    capabilities: CapabilitiesOpt = None,
    capability_column: CapabilityColumnOpt = DEFAULT_CAPABILITY_COLUMN,
    model: ModelOpt = None,
    as_json: JsonOpt = False,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Write each scored issue's forecasts to this CSV."),
    ] = None,
    seed: SeedOpt = 0,
    resamples: Annotated[
        int,
        typer.Option(
            "--resamples",
            callback=whole("--resamples", 1, MAX_RESAMPLES),
            help=f"Bootstrap resamples (of proposals), at most {MAX_RESAMPLES:,}.",
        ),
    ] = RESAMPLES,
    missing_salience: Annotated[
        str,
        typer.Option(
            "--missing-salience",
            help="A position without a salience: 'zero' (the actor stays with salience 0) or "
            "'drop' (the actor is left out of that issue).",
        ),
    ] = "zero",
    report: ReportOpt = None,
) -> None:
    """Score models on EU legislative negotiations (DEU): MAE with a bootstrap interval,
    median error, share within 10 points, and the difference from the compromise model."""
    if missing_salience not in ("zero", "drop"):
        raise InputError(
            field="--missing-salience", value=missing_salience, expected="zero or drop"
        )
    _check_report(report)
    deu = (
        read_deu(data, display=str(data))
        if data
        else read_deu(bundled_data_path(), display=BUNDLED_DATA)
    )
    if capabilities:
        caps = read_capabilities(capabilities, capability_column, display=str(capabilities))
    else:
        caps = read_capabilities(
            bundled_capabilities_path(), capability_column, display=BUNDLED_CAPABILITIES
        )
    with _progress(enabled=not as_json) as progress:
        result = backtest_deu(
            deu,
            caps,
            model,
            seed=seed,
            resamples=resamples,
            missing_salience=missing_salience,  # type: ignore[arg-type]
            progress=progress,
        )
    if predictions is not None:
        header, rows = result.prediction_rows()
        write_predictions(predictions, header, rows)
    if as_json:
        print_json(result.to_json())
    else:
        render_deu(result)
        if predictions is not None:
            console.print(f"[dim]Per-issue forecasts written to {predictions}[/dim]")
    if report is not None:
        from realpolitik.cli.report import write_backtest_report

        write_backtest_report(
            "deu", result.to_json(), report, models=model, seed=seed, json_out=as_json
        )


@backtest_app.command("cases")
def cases_command(
    model: ModelOpt = None,
    as_json: JsonOpt = False,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            callback=whole("--seed", 0, MAX_SEED),
            help="Seed of every stochastic model (no bootstrap here).",
        ),
    ] = 0,
    report: ReportOpt = None,
) -> None:
    """Score models on every bundled scenario with a recorded outcome, issue by issue."""
    _check_report(report)
    result = backtest_cases(models=model, seed=seed)
    if as_json:
        print_json(result.to_json())
    else:
        render_cases(result)
    if report is not None:
        from realpolitik.cli.report import write_backtest_report

        write_backtest_report(
            "cases", result.to_json(), report, models=model, seed=seed, json_out=as_json
        )


def _check_report(report: Path | None) -> None:
    """A bad ``--report`` folder is refused before the work, not after it."""
    if report is not None:
        from realpolitik.cli.report import check_report_dir

        check_report_dir(report)


# -- output -----------------------------------------------------------------------------------


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    """A progress bar on standard error when it is a terminal; otherwise nothing."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(model: str, done: int, total: int) -> None:
            if model not in tasks:
                tasks[model] = bar.add_task(model, total=total)
            bar.update(tasks[model], completed=done)

        yield update


def write_predictions(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """Write a CSV (empty cells for skipped forecasts); a located error if it cannot."""
    try:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow(["" if v is None else v for v in row])
    except OSError as exc:
        raise InputError(
            file=str(path),
            problem=f"cannot write it ({exc.strerror})",
            expected="a writable path for --predictions",
        ) from None


def _f(value: float | None, fmt: str = "{:.2f}") -> str:
    return "—" if value is None or value != value else fmt.format(value)


def render_deu(result: DeuBacktest) -> None:
    """The models' records as a rich table, with skip reasons and conventions below it."""
    table = Table(
        title=f"DEU backtest: {result.dataset}, {result.n_issues} issues",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("model", no_wrap=True)
    for col in ("n", "MAE [95% CI]", "med AE", "≤10", f"Δ vs {BASELINE}", "skip"):
        table.add_column(col, justify="right", no_wrap=True)
    reasons: list[str] = []
    for name, s in result.scores.items():
        vs = "—"
        if s.vs_compromise is not None:
            d = s.vs_compromise
            vs = f"{_f(d.diff, '{:+.2f}')} [{_f(d.ci95[0], '{:+.1f}')}, {_f(d.ci95[1], '{:+.1f}')}]"
        n_skipped = sum(s.skipped.values())
        reasons += [f"{name} skipped {n} issue(s): {why}" for why, n in s.skipped.items()]
        table.add_row(
            name,
            str(s.n),
            f"{_f(s.mae)} [{_f(s.mae_ci95[0], '{:.1f}')}, {_f(s.mae_ci95[1], '{:.1f}')}]",
            _f(s.median_ae, "{:.1f}"),
            _f(s.within10 * 100 if s.n else None, "{:.0f}%"),
            vs,
            str(n_skipped) if n_skipped else "",
        )
    console.print(table)
    console.print(
        "[dim]MAE: mean absolute error on the 0–100 scale (lower is better); ≤10: share of "
        f"issues within 10 points; Δ: MAE minus {BASELINE}'s on the same issues.[/dim]"
    )
    for line in reasons:
        console.print(f"[dim]{line}[/dim]")
    for note in result.notes:
        console.print(f"[dim]{note}[/dim]")


def render_cases(result: CasesBacktest) -> None:
    """Per case, one row per issue with an outcome: each model's error in the issue's unit
    and, below it, on 0–100; then every model's n and MAE on 0–100 over all cases."""
    models = list(result.models)
    console.print(
        "[bold]Historical cases[/bold]: error = forecast − recorded outcome, in the issue's "
        "unit and (below, in brackets) on its 0–100 scale"
    )
    scenarios = list(dict.fromkeys(r.scenario for r in result.rows))
    for name in scenarios:
        rows = [r for r in result.rows if r.scenario == name]
        table = Table(
            title=name,
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            collapse_padding=True,
        )
        table.add_column("issue", no_wrap=True)
        table.add_column("outcome", justify="right", no_wrap=True)
        for m in models:
            table.add_column(m, justify="right", no_wrap=True)
        for row in rows:
            cells = []
            for m in models:
                e = row.errors[m]
                if e["error"] is None:
                    cells.append("[dim]skip[/dim]")
                else:
                    cells.append(f"{e['error']:+,.3g}\n[dim]({e['error_0_100']:+.1f})[/dim]")
            table.add_row(row.issue, f"{row.outcome:,.4g}", *cells)
        console.print(table)
        units = "; ".join(f"{r.issue}: {r.unit}" for r in rows)
        console.print(f"[dim]Units — {units}[/dim]")
    table = Table(title="All cases", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("")
    for m in models:
        table.add_column(m, justify="right", no_wrap=True)
    table.add_row("n", *[str(result.models[m]["n"]) for m in models])
    table.add_row("MAE 0–100", *[_f(result.models[m]["mae_0_100"], "{:.1f}") for m in models])
    console.print(table)
    skipped = {
        f"{m}: {e['skipped']}"
        for row in result.rows
        for m, e in row.errors.items()
        if e.get("skipped")
    }
    for line in sorted(skipped):
        console.print(f"[dim]skipped — {line}[/dim]")
