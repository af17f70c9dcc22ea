"""``realpolitik backtest deu|cases|crises``: score every model against recorded outcomes."""

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
)
from realpolitik.analysis.crises_backtest import RESAMPLES as CRISES_RESAMPLES
from realpolitik.analysis.crises_backtest import (
    CrisesBacktest,
    backtest_crises,
)
from realpolitik.cli._app import MAX_RESAMPLES, MAX_SEED, app, console, print_json, whole
from realpolitik.errors import InputError
from realpolitik.scenario.importers.deu import (
    DEFAULT_CAPABILITY_COLUMN,
)

__all__ = [
    "backtest_app",
    "deu_command",
    "cases_command",
    "crises_command",
    "render_deu",
    "render_cases",
    "render_crises",
    "write_predictions",
]

backtest_app = typer.Typer(
    help="Score every model against recorded outcomes: issue models on EU legislation (DEU) "
    "and the bundled historical cases; crisis models on who gave way first, and when.",
    no_args_is_help=True,
)
app.add_typer(backtest_app, name="backtest")


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
# A calibration table written by `realpolitik calibrate` (default: the bundled one).
CalibrationOpt = Annotated[
    Path | None,
    typer.Option(
        "--calibration",
        help="A calibration table from `realpolitik calibrate` (default: the bundled one, "
        "fitted on the DEU III dev split). On the data it was fitted on, intervals are "
        "scored by grouped cross-validation instead.",
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


def _resamples_option(of: str) -> Any:
    return typer.Option(
        "--resamples",
        callback=whole("--resamples", 1, MAX_RESAMPLES),
        help=f"Bootstrap resamples (of {of}), at most {MAX_RESAMPLES:,}.",
    )


def _emit(kind: str, result: Any, render: Any, report: Path | None, **kw: Any) -> None:
    """Print a backtest (JSON, or ``render``'s table) and write its report if asked."""
    if kw["json_out"]:
        print_json(result.to_json())
    else:
        render(result)
    if report is not None:
        from realpolitik.cli.report import write_backtest_report

        write_backtest_report(kind, result.to_json(), report, **kw)


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
        typer.Option(
            "--predictions",
            help="Write each scored issue's forecasts to this CSV, with each model's "
            "calibrated intervals and CRPS (MODEL_lo50, MODEL_hi50, ..., MODEL_hi90, "
            "MODEL_crps).",
        ),
    ] = None,
    seed: SeedOpt = 0,
    resamples: Annotated[int, _resamples_option("proposals")] = RESAMPLES,
    missing_salience: Annotated[
        str,
        typer.Option(
            "--missing-salience",
            help="A position without a salience: 'zero' (the actor stays with salience 0) or "
            "'drop' (the actor is left out of that issue).",
        ),
    ] = "zero",
    report: ReportOpt = None,
    calibration: CalibrationOpt = None,
) -> None:
    """Score models on EU legislative negotiations (DEU): MAE with a bootstrap interval,
    median error, share within 10 points, the difference from the compromise model, and the
    coverage, interval score and CRPS of the calibrated intervals. Fitted models and the
    calibration are scored out of sample: by grouped 10-fold cross-validation on the data
    they were fitted on."""
    from realpolitik.api import backtest_deu as run_deu

    _check_report(report)
    with _progress(enabled=not as_json) as progress:
        result = run_deu(
            data,
            capabilities,
            models=model,
            capability_column=capability_column,
            seed=seed,
            resamples=resamples,
            missing_salience=missing_salience,
            progress=progress,
            calibration=_calibration(calibration),
        )
    if predictions is not None:
        header, rows = result.prediction_rows()
        write_predictions(predictions, header, rows)

    def render(res: DeuBacktest) -> None:
        render_deu(res)
        if predictions is not None:
            console.print(f"[dim]Per-issue forecasts written to {predictions}[/dim]")

    _emit("deu", result, render, report, models=model, seed=seed, json_out=as_json)


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
    calibration: CalibrationOpt = None,
) -> None:
    """Score models on every bundled scenario with a recorded outcome, issue by issue, and
    the coverage, interval score and CRPS of their calibrated intervals."""
    _check_report(report)
    result = backtest_cases(models=model, seed=seed, calibration=_calibration(calibration))
    _emit("cases", result, render_cases, report, models=model, seed=seed, json_out=as_json)


def _calibration(path: Path | None) -> Any:
    from realpolitik.analysis.calibration import read_calibration

    return None if path is None else read_calibration(path)


@backtest_app.command("crises")
def crises_command(
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help="Score only this crisis model. Repeat for several. Default: every registered "
            "crisis model.",
        ),
    ] = None,
    case: Annotated[
        list[str] | None,
        typer.Option(
            "--case",
            help="Score only this bundled case (a scenario id with a recorded end). Repeat for "
            "several. Default: every one.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    seed: SeedOpt = 0,
    resamples: Annotated[int, _resamples_option("cases")] = CRISES_RESAMPLES,
    report: ReportOpt = None,
) -> None:
    """Score crisis models on who gave way first and when: log and Brier scores of who gave
    way, CRPS of the end day on log(1 + day), and whether the recorded day is in the 80%
    interval, per case and (test cases only) as means with bootstrap intervals."""
    _check_report(report)
    result = backtest_crises(case, model, seed=seed, resamples=resamples)
    _emit("crises", result, render_crises, report, models=model, seed=seed, json_out=as_json)


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
    how: dict[str, list[str]] = {}
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
        if s.probabilistic.get("scored_by"):
            how.setdefault(s.probabilistic["scored_by"], []).append(name)
    console.print(table)
    console.print(_prob_table(result.scores))
    console.print(
        "[dim]MAE: mean absolute error on the 0–100 scale (lower is better); ≤10: share of "
        f"issues within 10 points; Δ: MAE minus {BASELINE}'s on the same issues. Coverage: "
        "share of outcomes inside the calibrated 50/80/90% intervals; IS80: interval score "
        "of the 80% interval (Gneiting & Raftery 2007); CRPS of the calibrated predictive "
        "distribution; log: log score of the outcome's label (these three: lower is "
        "better).[/dim]"
    )
    for text, names in how.items():
        console.print(f"[dim]{', '.join(names)}: {text}.[/dim]")
    if result.calibration:
        console.print(f"[dim]Calibration: {result.calibration}.[/dim]")
    for line in reasons:
        console.print(f"[dim]{line}[/dim]")
    for note in result.notes:
        console.print(f"[dim]{note}[/dim]")


def _prob_table(scores: dict[str, Any]) -> Table:
    """Each model's calibrated intervals: coverage, width, interval score, CRPS, log score
    (their bootstrap intervals are in the JSON)."""
    table = Table(
        title="Calibrated intervals, out of sample",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("model", no_wrap=True)
    for col in ("cov50", "cov80", "cov90", "width80", "IS80", "CRPS", "log"):
        table.add_column(col, justify="right", no_wrap=True)
    for name, s in scores.items():
        p = s.probabilistic
        if not p or p.get("coverage80") is None:
            continue
        table.add_row(
            name,
            *(_f(p[f"coverage{k}"], "{:.0%}") for k in (50, 80, 90)),
            _f(p["width80"], "{:.1f}"),
            _f(p["interval_score80"], "{:.1f}"),
            _f(p["crps"], "{:.1f}"),
            _f(p.get("log_score"), "{:.2f}"),
        )
    return table


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
    for key, label, fmt in (
        ("coverage50", "cov50", "{:.0%}"),
        ("coverage80", "cov80", "{:.0%}"),
        ("coverage90", "cov90", "{:.0%}"),
        ("interval_score80", "IS80", "{:.1f}"),
        ("crps", "CRPS", "{:.1f}"),
        ("log_score", "log", "{:.2f}"),
    ):
        if any(result.models[m].get(key) is not None for m in models):
            table.add_row(label, *[_f(result.models[m].get(key), fmt) for m in models])
    console.print(table)
    if result.calibration:
        console.print(
            "[dim]cov: share of outcomes inside the calibrated 50/80/90% intervals; IS80, "
            "CRPS, log: interval score, CRPS and log score on 0–100 (lower is better). "
            f"Calibration: {result.calibration}.[/dim]"
        )
    skipped = {
        f"{m}: {e['skipped']}"
        for row in result.rows
        for m, e in row.errors.items()
        if e.get("skipped")
    }
    for line in sorted(skipped):
        console.print(f"[dim]skipped — {line}[/dim]")


def _score_cell(s: dict[str, Any]) -> str:
    if "skipped" in s:
        return "[dim]skip[/dim]"
    log = "—" if s["log_score"] is None else f"{s['log_score']:.2f}"
    brier = "—" if s["brier"] is None else f"{s['brier']:.2f}"
    return f"{log} / {brier}\n{s['crps']:.2f} / {'yes' if s['in80'] else 'no'}"


def render_crises(result: CrisesBacktest) -> None:
    """Per case, each model's four scores; then each model's means over the test cases. A
    model that scored no case is left out of both tables; the notes below say why."""
    models = [m for m in result.models if any("skipped" not in c.scores[m] for c in result.cases)]
    table = Table(
        title="Crisis cases: log score / Brier, CRPS / recorded day in the 80% interval",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("case", no_wrap=True)
    table.add_column("gave way, day", no_wrap=True)
    for m in models:
        table.add_column(m, justify="right", no_wrap=True)
    for dev in (False, True):
        for c in (c for c in result.cases if c.development == dev):
            rec = c.recorded.to_json()
            cells = []
            for m in models:
                cell = _score_cell(c.scores[m])
                if m in c.intervals:
                    lo, hi = c.intervals[m]
                    cell += f"\n[dim]80%: {lo}–{hi}[/dim]"
                cells.append(cell)
            label = c.id + (" [dim](development)[/dim]" if dev else "")
            table.add_row(label, f"{rec['conceded']}, {rec['day']}", *cells)
    console.print(table)
    summary = Table(
        title="Means over the test cases (development cases excluded), 95% bootstrap intervals",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    summary.add_column("model", no_wrap=True)
    for col in ("n", "log score", "Brier", "CRPS", "in 80%"):
        summary.add_column(col, justify="right", no_wrap=True)
    for m in models:
        s = result.models[m]
        cells = [str(s["n"])]
        for key, fmt in (
            ("log_score", "{:.2f}"),
            ("brier", "{:.2f}"),
            ("crps", "{:.2f}"),
            ("coverage80", "{:.0%}"),
        ):
            lo, hi = s["ci"][key]
            cells.append(f"{_f(s[key], fmt)}\n[dim][{_f(lo, fmt)}, {_f(hi, fmt)}][/dim]")
        summary.add_row(m, *cells)
    console.print(summary)
    console.print(
        "[dim]Log score: ln P(the recorded party gave way first by the horizon), higher is "
        "better. Brier: over {first party, second party, no end by the horizon}, lower is "
        "better. CRPS: of the end day on ln(1 + day), no end placed at horizon + 1, lower is "
        f"better. {result.resamples:,} case resamples, seed {result.seed}.[/dim]"
    )
    skipped = {
        f"{m}: {s['skipped']}" for c in result.cases for m, s in c.scores.items() if "skipped" in s
    }
    for line in sorted(skipped):
        console.print(f"[dim]skipped — {line}[/dim]")
