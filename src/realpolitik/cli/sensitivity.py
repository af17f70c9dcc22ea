"""``realpolitik sensitivity``: which uncertain inputs drive each forecast (Sobol or Morris)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from realpolitik.cli._app import MAX_SAMPLES, MAX_SEED, app, console, print_json, whole
from realpolitik.errors import InputError

__all__ = ["sensitivity_command"]

_TOP = 8  # drivers shown per issue and model in the terminal table


@app.command("sensitivity")
def sensitivity_command(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or a bundled scenario's id.")],
    method: Annotated[
        str, typer.Option("--method", help="sobol (first-order and total indices) or morris.")
    ] = "sobol",
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            callback=whole("--samples", 2, MAX_SAMPLES),
            help=f"Base samples N, 2 to {MAX_SAMPLES:,}: Sobol runs N·(k+2) rows, Morris "
            "N·(k+1), for k uncertain inputs. Default: 512 (Sobol), 50 (Morris).",
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help="An issue model, with options (repeatable). Default: "
            "the scenario's default models that run batched (the static ones).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    seed: Annotated[
        int | None,
        typer.Option("--seed", callback=whole("--seed", 0, MAX_SEED), help="Seed of the sample."),
    ] = None,
    executor: Annotated[
        str, typer.Option("--executor", help="local, processes[:N], dask[:N] or dask://HOST:PORT.")
    ] = "local",
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write a report (report.html, report.md with PNG "
            "charts) of the drivers into this directory.",
        ),
    ] = None,
) -> None:
    """Rank the uncertain inputs that drive each issue's forecast, per model (SALib)."""
    from realpolitik.analysis.sensitivity import METHODS, evaluations
    from realpolitik.api import load_any, sensitivity, sensitivity_requests
    from realpolitik.cli._ensemble import progress_bar
    from realpolitik.ensemble import uncertain_inputs
    from realpolitik.ensemble.seeds import fresh_seed

    if method not in METHODS:
        raise InputError(field="--method", value=method, expected="sobol or morris")
    sc = load_any(scenario)  # a scenario, or a KTAB or BdM file (their own errors)
    notices: list[str] = []
    requests = sensitivity_requests(sc, model, notices)
    for notice in notices:
        print(f"notice: {notice}", file=sys.stderr)
    if report is not None:  # a bad --report fails before the model runs
        from realpolitik.cli.report import check_report_dir

        check_report_dir(report)
    seed = fresh_seed() if seed is None else seed
    total = evaluations(method, samples, len(uncertain_inputs(sc)))  # type: ignore[arg-type]
    with progress_bar(total, "model runs") as progress:
        out = sensitivity(
            sc, requests, method=method, samples=samples, seed=seed, executor=executor,
            progress=progress,
        )  # fmt: skip
    if as_json:
        print_json(out)
    else:
        _render(out, sc)
    if report is not None:
        from realpolitik.cli.report import write_sensitivity_report

        write_sensitivity_report(sc, requests, out, report, source=scenario, json_out=as_json)


def _cell(v: float | None, conf: float | None = None) -> str:
    if v is None:
        return "—"
    return f"{v:.3f}" + (f" ± {conf:.3f}" if conf is not None else "")


def _render(out: dict, sc: object) -> None:
    sobol = out["method"] == "sobol"
    console.print(
        f"[bold]{out['scenario']}[/bold] — {out['method']} sensitivity, "
        f"N = {out['samples']}, {out['evaluations']:,} model runs, "
        f"{out['inputs']} uncertain inputs, seed {out['seed']}"
    )
    for entry in out["issues"]:
        table = Table(title=f"{entry['id']} — {entry['model']}", title_justify="left")
        table.add_column("input (top drivers)")
        cols = ("S1", "ST") if sobol else ("mu_star", "sigma")
        for c in cols:
            table.add_column(
                "μ*" if c == "mu_star" else "σ" if c == "sigma" else c, justify="right"
            )
        for d in entry["drivers"][:_TOP]:
            if sobol:
                table.add_row(
                    d["input"], _cell(d["S1"], d["S1_conf"]), _cell(d["ST"], d["ST_conf"])
                )
            else:
                table.add_row(d["input"], _cell(d["mu_star"], d["mu_star_conf"]), _cell(d["sigma"]))
        console.print(table)
