"""Importers: turn other programs' and data sets' files into realpolitik scenarios.

Each format has a reader ``text, file -> Imported`` (scenario data and notices) and a test of
its content. :func:`load_any` is what ``realpolitik forecast`` reads: a scenario YAML file or a
bundled id by default, another format when the content shows it (or ``format`` forces it).
A new format joins :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from realpolitik.errors import InputError
from realpolitik.scenario._read import is_file
from realpolitik.scenario._yaml import read_text
from realpolitik.scenario.importers._common import Imported, csv_rows, dump_yaml
from realpolitik.scenario.importers.bdm import header_columns, reads_bdm
from realpolitik.scenario.importers.ktab import looks_like_ktab_csv, reads_ktab

__all__ = ["Imported", "Format", "FORMATS", "detect_format", "read_any", "load_any", "to_yaml"]


@dataclass(frozen=True)
class Format:
    """A file format: its reader and a test of a file's text."""

    name: str
    read: Callable[..., Imported]
    detect: Callable[[str], bool]
    summary: str


def _is_ktab(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    return (head.startswith("<") and "<Scenario" in head) or looks_like_ktab_csv(text)


def _is_bdm(text: str) -> bool:
    rows = csv_rows(text[:4096])
    return bool(rows) and header_columns([c.text for c in rows[0]]) is not None


FORMATS: dict[str, Format] = {
    "ktab": Format("ktab", reads_ktab, _is_ktab, "KTAB SMP input (CSV or XML)"),
    "bdm": Format("bdm", reads_bdm, _is_bdm, "BdM CSV: Actor,Capability,Position,Salience"),
}


def detect_format(text: str) -> str:
    """``ktab``, ``bdm`` (or another registered format) from the content, else ``scenario``."""
    for fmt in FORMATS.values():
        if fmt.detect(text):
            return fmt.name
    return "scenario"


def read_any(path: str | Path, format: str = "auto", *, display: str | None = None) -> Imported:
    """Read a file of a registered format (``auto``: detected from its content)."""
    name = display or str(path)
    text = read_text(path, display=name)
    fmt = detect_format(text) if format == "auto" else format
    if fmt not in FORMATS:
        raise InputError(
            file=name,
            problem="not a file of a format realpolitik imports",
            expected="one of: " + ", ".join(f"{f.name} ({f.summary})" for f in FORMATS.values()),
        )
    return FORMATS[fmt].read(text, file=name)


def to_yaml(imported: Imported, source: str) -> str:
    """The imported scenario as YAML text, with a header naming its source."""
    header = f"Imported by `realpolitik import {imported.format}` from {source}."
    return dump_yaml(imported.data, header)


def load_any(source: str | Path, format: str = "auto", *, notices: list[str] | None = None):  # noqa: ANN201
    """A :class:`~realpolitik.scenario.Scenario` from a scenario file, a bundled id, or a file of
    an imported format (``format``: ``auto``, ``scenario`` or a name in :data:`FORMATS`).

    Notices of the import (e.g. renamed repeated actors) are appended to ``notices``.
    """
    from realpolitik.scenario.load import load, loads

    if format == "scenario":
        return load(source)
    path = Path(source)
    if format == "auto":
        if not is_file(path):
            return load(source)  # a bundled id, or the loader's "no such file" error
        text = read_text(path, display=str(source))
        fmt = detect_format(text)
        if fmt == "scenario":
            return load(source)
    elif format not in FORMATS:
        raise InputError(
            field="--format",
            value=format,
            expected="auto, scenario or one of: " + ", ".join(FORMATS),
        )
    imported = read_any(path, format, display=str(source))
    if notices is not None:
        notices.extend(imported.notices)
    return _validated(imported, str(source)) or loads(
        to_yaml(imported, str(source)), file=f"{source} (as imported)"
    )


def _validated(imported: Imported, source: str):  # noqa: ANN202
    """The scenario of imported data, validated as a loaded file would be, or None on any
    problem (the caller then loads the YAML text, whose errors are located in it)."""
    from pydantic import ValidationError

    from realpolitik.scenario._yaml import Locations
    from realpolitik.scenario.load import Document, check
    from realpolitik.scenario.schema import Scenario

    try:
        scenario = Scenario.model_validate(imported.data)
        doc = Document(
            scenario=scenario, text="", file=source, data=imported.data, locations=Locations()
        )
        check(doc)
    except (ValidationError, InputError):
        return None
    return scenario
