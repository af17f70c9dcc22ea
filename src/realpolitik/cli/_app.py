"""The typer application that every command module registers on, and shared console helpers."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

__all__ = ["app", "console", "print_json"]

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
