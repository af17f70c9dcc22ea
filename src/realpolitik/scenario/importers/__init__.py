"""Importers: turn other programs' and data sets' files into realpolitik scenarios.

Each format has a reader ``text, file -> Imported`` (scenario data and notices) and a test of
its content. :func:`load_any` is what ``realpolitik forecast`` reads: a scenario YAML file or a
bundled id by default, another format when the content shows it (or ``format`` forces it).
A new format joins :data:`FORMATS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realpolitik.errors import InputError
from realpolitik.scenario._read import is_file
from realpolitik.scenario._yaml import read_text
from realpolitik.scenario.importers._common import Imported, csv_rows, dump_yaml
from realpolitik.scenario.importers.bdm import header_columns, reads_bdm
from realpolitik.scenario.importers.ktab import looks_like_ktab_csv, reads_ktab

__all__ = ["Imported", "Format", "FORMATS", "detect_format", "read_any", "load_any", "to_yaml"]


@dataclass(frozen=True)
class Format:
    """A file format: its reader, a test of a file's text, and a looser test that recognises a
    damaged file of the format (a bad count, another separator), so that the format's own
    located error is reported rather than the scenario loader's."""

    name: str
    read: Callable[..., Imported]
    detect: Callable[[str], bool]
    summary: str
    resembles: Callable[[str], bool] | None = None


def _is_ktab(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    return (head.startswith("<") and "<Scenario" in head) or looks_like_ktab_csv(text)


def _is_bdm(text: str) -> bool:
    rows = csv_rows(text[:4096])
    return bool(rows) and header_columns([c.text for c in rows[0]]) is not None


def _words(line: str) -> list[str]:
    return [w for w in re.split(r"[\s,;\t|\"']+", line.lower()) if w]


def _first_lines(text: str, n: int) -> list[str]:
    return text.lstrip("\ufeff \t\r\n")[:4096].splitlines()[:n]


def _resembles_ktab(text: str) -> bool:
    """XML (KTAB's is the only XML format read), or a KTAB CSV header on line 2
    (``Actor, Description, Power, ...``) whatever the separator or line 1."""
    if text.lstrip("\ufeff \t\r\n").startswith("<"):
        return True
    lines = _first_lines(text, 2)
    return len(lines) == 2 and _words(lines[1])[:3] == ["actor", "description", "power"]


def _resembles_bdm(text: str) -> bool:
    """A first line naming the actor, position and salience columns, whatever the separator."""
    lines = _first_lines(text, 1)
    words = set(_words(lines[0])) if lines else set()
    return {"actor", "position", "salience"} <= words


FORMATS: dict[str, Format] = {
    "ktab": Format("ktab", reads_ktab, _is_ktab, "KTAB SMP input (CSV or XML)", _resembles_ktab),
    "bdm": Format(
        "bdm", reads_bdm, _is_bdm, "BdM CSV: Actor,Capability,Position,Salience", _resembles_bdm
    ),
}


def detect_format(text: str) -> str:
    """``ktab``, ``bdm`` (or another registered format) from the content, else ``scenario``.

    A file that passes no format's test but resembles one (KTAB's header with semicolons, a
    bad actor count) is read as that format, whose reader then names the bad line and cell.
    """
    for fmt in FORMATS.values():
        if fmt.detect(text):
            return fmt.name
    for fmt in FORMATS.values():
        if fmt.resembles is not None and fmt.resembles(text):
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


def load_any(  # noqa: ANN201
    source: str | Path,
    format: str = "auto",
    *,
    notices: list[str] | None = None,
    checks: Sequence[Any] = (),
):
    """A :class:`~realpolitik.scenario.Scenario` from a scenario file, a bundled id, or a file of
    an imported format (``format``: ``auto``, ``scenario`` or a name in :data:`FORMATS`).

    Notices of the import (e.g. renamed repeated actors) are appended to ``notices``;
    ``checks`` are the loader's (:mod:`realpolitik.scenario.load`).
    """
    from realpolitik.scenario.load import load, loads

    if format == "scenario":
        return load(source, checks=checks)
    path = Path(source)
    if format == "auto":
        if not is_file(path):
            return load(source, checks=checks)  # a bundled id, or the loader's "no such file" error
        text = read_text(path, display=str(source))
        fmt = detect_format(text)
        if fmt == "scenario":
            return load(source, checks=checks)
    elif format not in FORMATS:
        raise InputError(
            field="--format",
            value=format,
            expected="auto, scenario or one of: " + ", ".join(FORMATS),
        )
    imported = read_any(path, format, display=str(source))
    if notices is not None:
        notices.extend(imported.notices)
    return _validated(imported, str(source), checks) or loads(
        to_yaml(imported, str(source)), file=f"{source} (as imported)", checks=checks
    )


def _validated(imported: Imported, source: str, checks: Sequence[Any] = ()):  # noqa: ANN202
    """The scenario of imported data, validated as a loaded file would be, or None on any
    problem (the caller then loads the YAML text, whose errors are located in it)."""
    from pydantic import ValidationError

    from realpolitik.scenario._yaml import Locations
    from realpolitik.scenario.load import Document, run_checks
    from realpolitik.scenario.schema import Scenario

    try:
        scenario = Scenario.model_validate(imported.data)
        doc = Document(
            scenario=scenario, text="", file=source, data=imported.data, locations=Locations()
        )
        run_checks(doc, checks)
    except (ValidationError, InputError):
        return None
    return scenario
