"""``realpolitik models``: the registered models, with a citation and their options."""

from __future__ import annotations

from typing import Annotated

import typer

from realpolitik.cli._app import app, console, print_json
from realpolitik.models import records

__all__ = ["models_command"]


@app.command("models")
def models_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List the registered models, one line and a citation each, with their options."""
    rows = records()
    if as_json:
        print_json({"models": rows})
        return
    for r in rows:
        when = "" if r["default"] else "  [dim](runs when named)[/dim]"
        console.print(f"[bold]{r['name']}[/bold] [dim]{r['kind']} model[/dim]{when}")
        console.print(f"  {r['summary']}")
        console.print(f"  [dim]source:[/dim] {r['citation']}")
        if r["options"]:
            opts = ", ".join(f"{k}={v}" for k, v in r["options"].items())
            console.print(f"  [dim]options (defaults):[/dim] {opts}")
