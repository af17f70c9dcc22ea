"""``realpolitik import FORMAT FILE [-o OUT.yaml]``: write another program's file as a scenario.

One subcommand per format of :data:`realpolitik.scenario.importers.FORMATS` (``ktab``,
``bdm``); a new format adds a subcommand on :data:`import_app` with :func:`write_imported`.
Notices (e.g. a repeated actor name given the id ``name-2``) go to standard error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from realpolitik.cli._app import app
from realpolitik.cli.backtest import CapabilitiesOpt, CapabilityColumnOpt
from realpolitik.errors import InputError
from realpolitik.scenario.importers import Imported, read_any, to_yaml
from realpolitik.scenario.importers.deu import DEFAULT_CAPABILITY_COLUMN

__all__ = ["import_app", "write_imported", "import_ktab", "import_bdm"]

import_app = typer.Typer(
    name="import",
    help="Turn other programs' files into scenario files (YAML).",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="The scenario file to write (default: standard output)."),
]


def write_imported(imported: Imported, source: str, output: Path | None) -> None:
    """Print notices to stderr, then the scenario YAML to ``output`` or standard output."""
    for notice in imported.notices:
        print(f"notice: {notice}", file=sys.stderr)
    text = to_yaml(imported, source)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            file=str(output),
            problem=f"cannot write ({exc.strerror})",
            expected="a writable path for the scenario file",
        ) from None
    print(f"wrote {output}", file=sys.stderr)


@import_app.command("ktab")
def import_ktab(
    file: Annotated[str, typer.Argument(help="A KTAB SMP input file: CSV or XML (smpSchema.xsd).")],
    output: Output = None,
) -> None:
    """A KTAB SMP scenario (CSV or XML); an XML file's model settings become smp's options."""
    write_imported(read_any(file, "ktab"), file, output)


@import_app.command("bdm")
def import_bdm(
    file: Annotated[
        str, typer.Argument(help="A CSV file with the columns Actor,Capability,Position,Salience.")
    ],
    output: Output = None,
) -> None:
    """A Bueno de Mesquita-style CSV: one issue, one actor per row."""
    write_imported(read_any(file, "bdm"), file, output)


@import_app.command("deu")
def import_deu(
    file: Annotated[
        Path | None,
        typer.Argument(help="A DEU-format file (default: the bundled DEU III dev split)."),
    ] = None,
    issue: Annotated[str, typer.Option("--issue", help="The issue id (column isnr).")] = ...,
    capabilities: CapabilitiesOpt = None,
    capability_column: CapabilityColumnOpt = DEFAULT_CAPABILITY_COLUMN,
    output: Output = None,
) -> None:
    """One issue of a DEU file (EU legislation), with its recorded outcome."""
    from realpolitik.scenario.importers import deu

    data = (
        deu.read_deu(file) if file else deu.read_deu(deu.bundled_data_path(), display="deu_dev.tsv")
    )
    caps_path = capabilities or deu.bundled_capabilities_path()
    caps = deu.read_capabilities(
        caps_path, capability_column, display=str(capabilities or "capabilities.csv")
    )
    try:
        data.issue(issue)
    except KeyError:
        ids = [i.id for i in data.issues]
        raise InputError(
            field="--issue",
            value=issue,
            expected=f"an issue id of {data.file} ({len(ids)} issues: {', '.join(ids[:4])}, ...)",
        ) from None
    write_imported(deu.to_imported(data, issue, caps), data.file, output)
