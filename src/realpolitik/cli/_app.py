"""The typer application that every command module registers on, and shared console helpers."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

__all__ = ["app", "console", "print_json", "whole", "MAX_SEED", "MAX_SAMPLES", "MAX_RESAMPLES"]

#: Bounds of the numeric options (docs/scenario-format.md, Limits): a seed fits 63 bits (it is written into
#: Parquet and JSON metadata); Sobol needs N·(k+2) model runs and Saltelli's design holds
#: N·(2k+2)·k numbers, so 65,536 base samples is about 60 MB for ten inputs; the cluster
#: bootstrap draws one resample of the proposals at a time.
MAX_SEED = 2**63 - 1
MAX_SAMPLES = 65_536
MAX_RESAMPLES = 100_000

app = typer.Typer(
    name="realpolitik",
    help=(
        "Simulate and forecast negotiations and crises between political actors.\n\n"
        "Describe a situation in a scenario file, run established models of bargaining, "
        "crisis and logistics on it, and read the forecast: a table, JSON, or an HTML report "
        "with charts."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

console = Console(highlight=False)


def print_json(obj: Any) -> None:
    """Print exactly one JSON object (NaN is not JSON: callers pass None instead)."""
    sys.stdout.write(json.dumps(obj, allow_nan=False, ensure_ascii=False) + "\n")


def whole(flag: str, lo: int, hi: int) -> Any:
    """A typer callback: ``flag``'s value must be a whole number in [lo, hi], else the one-line
    ``FLAG: got VALUE; expected ...`` error (exit status 2) instead of typer's usage panel."""
    from realpolitik.errors import InputError

    def check(value: int | None) -> int | None:
        if value is not None and not lo <= value <= hi:
            raise InputError(
                field=flag, value=value, expected=f"a whole number from {lo:,} to {hi:,}"
            )
        return value

    return check


def _version(value: bool) -> None:
    if value:
        from realpolitik import __version__

        print(f"realpolitik {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """realpolitik's global options (the help text is the app's)."""
