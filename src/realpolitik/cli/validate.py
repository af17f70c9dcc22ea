"""``realpolitik validate``: check a scenario file and say what it holds."""

from __future__ import annotations

from typing import Annotated

import typer

from realpolitik.api import load_document
from realpolitik.cli._app import app, console

__all__ = ["validate_command"]


@app.command("validate")
def validate_command(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or a bundled scenario's id.")],
) -> None:
    """Check a scenario file; print what it found, or a located error (exit status 2)."""
    doc = load_document(scenario)
    sc = doc.scenario
    n_pos = sum(len(i.positions) for i in sc.issues)
    console.print(f"[green]OK[/green] {doc.file}: scenario {sc.name!r}")
    console.print(f"  {len(sc.actors)} actors: {', '.join(sc.actor_ids)}")
    console.print(f"  {len(sc.issues)} issues ({n_pos} positions): {', '.join(sc.issue_ids)}")
    models = [e.name for e in sc.model_entries()]
    console.print(f"  models: {', '.join(models) if models else '(every default model)'}")
    if sc.outcome is not None:
        console.print(
            f"  recorded outcome on {len(sc.outcome.issues)} issue(s): {sc.outcome.source}"
        )
