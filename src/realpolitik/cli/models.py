"""``realpolitik models``: the registered models, with a citation and their options."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from realpolitik.cli._app import app, console, print_json
from realpolitik.models import ModelSpec, specs

__all__ = ["models_command", "describe"]


def _default(field: Any) -> Any:
    value = field.get_default(call_default_factory=True)
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)


def describe(spec: ModelSpec) -> dict[str, Any]:
    """A model as plain data: name, kind, summary, citation, options and defaults."""
    return {
        "name": spec.name,
        "kind": spec.kind,
        "summary": spec.summary,
        "citation": spec.citation,
        "default": spec.default,
        "options": {k: _default(f) for k, f in spec.options.model_fields.items()},
    }


@app.command("models")
def models_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List the registered models, one line and a citation each, with their options."""
    rows = [describe(s) for s in specs()]
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
