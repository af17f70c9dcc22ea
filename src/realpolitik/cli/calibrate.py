"""``realpolitik calibrate`` and ``realpolitik fit choice``: fit on a DEU-format file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from realpolitik.api import deu_data
from realpolitik.cli._app import MAX_SEED, app, console, print_json, whole
from realpolitik.cli.backtest import (
    CapabilitiesOpt,
    CapabilityColumnOpt,
    ModelOpt,
)
from realpolitik.errors import InputError
from realpolitik.scenario.importers.deu import (
    DEFAULT_CAPABILITY_COLUMN,
)

__all__ = ["calibrate_command", "fit_choice_command", "fit_app", "read_issues"]

fit_app = typer.Typer(
    help="Fit a model's coefficients on a DEU-format file and write them to a file.",
    no_args_is_help=True,
)
app.add_typer(fit_app, name="fit")

DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="A DEU-format file (default: the bundled DEU III dev split)."),
]
OutOpt = Annotated[Path, typer.Option("--out", help="The file to write (JSON).")]


def read_issues(
    data: Path | None, capabilities: Path | None, column: str, missing_salience: str = "zero"
):  # type: ignore[no-untyped-def]
    """The scored issues of a DEU file, read as ``backtest deu`` reads them."""
    from realpolitik.analysis.fitting import deu_issues

    deu, caps = deu_data(data, capabilities, column, missing_salience)
    return deu_issues(deu, caps, missing_salience)  # type: ignore[arg-type]


def _writable(out: Path) -> None:
    if out.is_dir() or not out.parent.is_dir():
        raise InputError(
            field="--out",
            value=str(out),
            problem="a directory" if out.is_dir() else "its folder does not exist",
            expected="a path to a new or existing file in an existing folder",
        )


@app.command("calibrate")
def calibrate_command(
    out: OutOpt,
    data: DataOpt = None,
    capabilities: CapabilitiesOpt = None,
    capability_column: CapabilityColumnOpt = DEFAULT_CAPABILITY_COLUMN,
    model: ModelOpt = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            callback=whole("--seed", 0, MAX_SEED),
            help="Seed of the folds and stochastic models.",
        ),
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Also print the table as JSON.")] = False,
) -> None:
    """Fit the calibration table (each model's out-of-sample error) on a DEU-format file.

    Split-conformal, grouped by proposal; `forecast --calibration FILE` and
    `backtest --calibration FILE` use the table.
    """
    from realpolitik.analysis.backtest import issue_requests
    from realpolitik.analysis.fitting import calibrate

    _writable(out)
    issues = read_issues(data, capabilities, capability_column)
    table = calibrate(issues, issue_requests(model), seed=seed)
    table.write(out)
    if as_json:
        print_json(table.to_json())
        return
    console.print(f"Calibration of {len(table.models)} models on {issues.source['data']}:")
    for name, cal in table.models.items():
        console.print(
            f"  {name:<11} n={cal.n:<4} ±q at 50/80/90%: "
            + " / ".join(f"{cal.at(c):.1f}" for c in (0.5, 0.8, 0.9))
        )
    console.print(f"[dim]Written to {out}. {table.basis}.[/dim]")


@fit_app.command("choice")
def fit_choice_command(
    out: Annotated[
        Path, typer.Option("--out", help="The coefficients file to write (JSON).")
    ] = Path("choice-coefficients.json"),
    data: DataOpt = None,
    capabilities: CapabilitiesOpt = None,
    capability_column: CapabilityColumnOpt = DEFAULT_CAPABILITY_COLUMN,
    commission: Annotated[
        list[str] | None,
        typer.Option("--commission", help="An actor id in the Commission's role (default com)."),
    ] = None,
    parliament: Annotated[
        list[str] | None,
        typer.Option("--parliament", help="An actor id in the Parliament's role (default ep)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the fit as JSON.")] = False,
) -> None:
    """Fit the `choice` model's coefficients by maximum likelihood on a DEU-format file.

    `--model choice:coefficients=FILE` uses them.
    """
    from realpolitik.analysis.fitting import fit_choice
    from realpolitik.models.choice import COEFFICIENTS

    _writable(out)
    issues = read_issues(data, capabilities, capability_column)
    fit = fit_choice(issues, tuple(commission or ("com",)), tuple(parliament or ("ep",)))
    try:
        out.write_text(json.dumps(fit.to_json(), indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(
            file=str(out), problem=f"cannot write it ({exc.strerror})", expected="a writable path"
        ) from None
    if as_json:
        print_json(fit.to_json())
        return
    console.print(
        f"choice fitted on {fit.n} issues of {issues.source['data']}: −log L = {fit.nll:.2f}"
        + ("" if fit.converged else " [red](did not converge)[/red]")
    )
    for name, b, se in zip(COEFFICIENTS, fit.values, fit.se, strict=True):
        console.print(f"  b_{name:<11} {b:+.3f}  (se {se:.3f})")
    console.print(f"[dim]Written to {out}; use it with --model choice:coefficients={out}[/dim]")
