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
        "crisis and logistics on it, and read the forecast."
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
