"""``realpolitik report RESULTS.parquet --report DIR``, and the ``--report`` of other commands.

Writes ``DIR/report.html`` (self-contained) and ``DIR/report.md`` with its PNG charts (issue
8). :func:`write_forecast_report` is what ``forecast --report`` calls; :func:`announce` prints
where the report went (to standard error when standard output carries JSON).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from realpolitik.cli._app import app, console
from realpolitik.errors import InputError

__all__ = [
    "check_report_dir",
    "report_command",
    "write_forecast_report",
    "write_sensitivity_report",
    "write_backtest_report",
    "write_report_data",
    "announce",
]

ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="Write an HTML report (self-contained) and its Markdown twin with PNG charts "
        "into this directory.",
    ),
]


def _report_module():
    try:
        import realpolitik.report as report
    except ImportError as exc:  # jinja2 or matplotlib missing
        raise InputError(
            field="--report",
            problem=f"the report needs the 'report' extra ({exc.name} is not installed)",
            expected="pip install 'realpolitik[report]'",
        ) from None
    return report


def check_report_dir(directory: Path) -> None:
    """Refuse a bad ``--report`` before any work is done, so that a long run is not wasted
    and nothing already written (e.g. an ``--out`` file) is replaced before the error
    (docs/architecture.md): the extra must be installed, and the path must be a
    directory or one that can be created."""
    _report_module()
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise InputError(
            field="--report",
            value=str(directory),
            expected="a directory (it is created if missing), not a file",
        )
    ancestor = path
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError(
            field="--report",
            value=str(directory),
            expected=f"a directory that can be created ({ancestor} is not a directory)",
        )


def announce(path: Path, *, json_out: bool = False) -> None:
    """Say where the report is: one line, on stderr when stdout is JSON."""
    line = f"Report: {path.resolve()}"
    if json_out:
        print(line, file=sys.stderr)
    else:
        console.print(line, soft_wrap=True, markup=False)


def _scenario_text(source: str) -> tuple[str | None, str | None]:
    """The scenario file's text and display name, for the report's hash."""
    from realpolitik.scenario import bundled_path
    from realpolitik.scenario._read import is_file

    path = Path(source)
    if not is_file(path):
        path = bundled_path(source) or path
    try:
        return path.read_text(encoding="utf-8"), str(source)
    except OSError:
        return None, str(source)


def write_report_data(data: Any, directory: Path) -> Path:
    """Write the report of ``data`` into ``directory``; the path of report.html."""
    return _report_module().write_report(data, directory)


def write_forecast_report(
    result: Any,
    directory: Path,
    *,
    source: str,
    seed: int | None,
    command: str | None = None,
    track: bool = True,
    json_out: bool = False,
) -> Path:
    """The report of a forecast (and its ensemble, if one ran), with the models' record:
    :func:`realpolitik.report.assemble.forecast_report`, as ``Forecast.report`` writes it."""
    _report_module()
    from realpolitik.report.assemble import forecast_report

    text, display = _scenario_text(source)
    notices: list[str] = []
    path = forecast_report(
        result,
        directory,
        seed=seed,
        command=command or _command(),
        scenario_text=text,
        source_file=display,
        track=track,
        notices=notices,
    )
    for n in notices:
        print(f"notice: {n}", file=sys.stderr)
    announce(path, json_out=json_out)
    return path


def _command() -> str:
    args = sys.argv[1:]
    return "realpolitik " + shlex.join(args) if args else "realpolitik"


@app.command("report")
def report_command(
    results: Annotated[
        Path, typer.Argument(help="A results file: `forecast --runs N --out RESULTS.parquet`.")
    ],
    report: Annotated[
        Path, typer.Option("--report", help="The directory to write report.html and report.md to.")
    ] = Path("report"),
) -> None:
    """Write the report of an ensemble's results file (HTML and Markdown with charts)."""
    module = _report_module()
    from realpolitik.report.assemble import from_table
    from realpolitik.scenario._read import is_file

    if not is_file(results):
        raise InputError(
            file=str(results),
            problem="no such file",
            expected="a Parquet file written by `forecast --runs N --out FILE`",
        )
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            field="RESULTS",
            problem="pyarrow is not installed",
            expected="pip install 'realpolitik[ensemble]'",
        ) from None
    import json

    try:
        table = pq.read_table(str(results))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input
        why = " ".join(str(exc).split())  # pyarrow's message runs over several lines
        raise InputError(
            file=str(results),
            problem=f"not a readable Parquet file ({why[:200]})",
            expected="a Parquet file written by `forecast --runs N --out FILE`",
        ) from None
    raw = (table.schema.metadata or {}).get(b"realpolitik")
    if raw is None:
        raise InputError(
            file=str(results),
            problem="no realpolitik metadata in the file",
            expected="a Parquet file written by `forecast --runs N --out FILE`",
        )
    meta = json.loads(raw)
    data = from_table(table, meta, command=_command(), source_file=str(results))
    path = module.write_report(data, report)
    announce(path)


def write_sensitivity_report(
    scenario: Any,
    requests: list[Any],
    analysis: dict[str, Any],
    directory: Path,
    *,
    source: str,
    json_out: bool = False,
) -> Path:
    """The report of a sensitivity analysis: the drivers, with the single forecast beside."""
    report = _report_module()
    from realpolitik.forecast import forecast

    seed = analysis.get("seed")
    result = forecast(scenario, requests, seed=seed, runs=1)
    text, display = _scenario_text(source)
    data = report.from_forecast(result, seed=seed, command=_command(), scenario_text=text)
    data.kind, data.source_file, data.sensitivity = "sensitivity", display, analysis
    path = report.write_report(data, directory)
    announce(path, json_out=json_out)
    return path


def write_backtest_report(
    which: str,
    result: dict[str, Any],
    directory: Path,
    *,
    models: list[str] | None,
    seed: int | None,
    json_out: bool = False,
) -> Path:
    """The report of ``realpolitik backtest deu|cases|crises``: the track record and the
    method."""
    report = _report_module()
    from realpolitik.analysis.backtest import issue_requests
    from realpolitik.analysis.crises_backtest import crisis_requests
    from realpolitik.report.data import model_info

    title = {
        "deu": "Backtest: EU legislative negotiations (DEU)",
        "cases": "Backtest: the bundled historical cases",
        "crises": "Backtest: who gave way, and when (the crisis cases)",
    }[which]
    data = report.ReportData(scenario=None, title=title, kind="backtest", seed=seed)
    data.command = _command()
    requests = crisis_requests(models) if which == "crises" else issue_requests(models)
    data.models = [model_info(r) for r in requests]
    data.backtest = {which: result}
    if which == "deu":
        data.source_file = result.get("dataset")
    path = report.write_report(data, directory)
    announce(path, json_out=json_out)
    return path
