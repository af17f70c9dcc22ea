"""``realpolitik models``: the registered models, with a citation and their options."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

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
    table = Table(title="realpolitik models")
    for col in ("model", "kind", "what it computes", "source", "options (default)"):
        table.add_column(col)
    for r in rows:
        opts = ", ".join(f"{k}={v}" for k, v in r["options"].items()) or "—"
        name = r["name"] + ("" if r["default"] else " [dim](on request)[/dim]")
        table.add_row(name, r["kind"], r["summary"], r["citation"], opts)
    console.print(table)
