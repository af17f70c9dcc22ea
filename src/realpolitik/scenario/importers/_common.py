"""What the importers share: CSV cells with their columns, numbers with located errors,
unique actor ids, and writing scenario data as YAML."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from realpolitik.errors import InputError
from realpolitik.scenario._yaml import MAX_MAGNITUDE

__all__ = [
    "Imported",
    "Cell",
    "split_csv_line",
    "csv_rows",
    "number",
    "cell_error",
    "unique_ids",
    "slug",
    "dump_yaml",
]


@dataclass(frozen=True)
class Imported:
    """An imported file: scenario data (the keys of docs/scenario-format.md) and notices."""

    data: dict[str, Any]
    format: str
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Cell:
    """One CSV field: its text (quotes stripped, blanks trimmed) and 1-based line and column."""

    text: str
    line: int
    column: int


def split_csv_line(line: str, lineno: int) -> list[Cell]:
    """Split one line on commas outside double quotes ("" inside quotes is a quote)."""
    cells: list[Cell] = []
    buf: list[str] = []
    start, quoted, k = 0, False, 0
    while k < len(line):
        ch = line[k]
        if quoted:
            if ch == '"' and k + 1 < len(line) and line[k + 1] == '"':
                buf.append('"')
                k += 1
            elif ch == '"':
                quoted = False
            else:
                buf.append(ch)
        elif ch == '"':
            quoted = True
        elif ch == ",":
            cells.append(_cell(buf, line, start, lineno))
            buf, start = [], k + 1
        else:
            buf.append(ch)
        k += 1
    cells.append(_cell(buf, line, start, lineno))
    return cells


def _cell(buf: list[str], line: str, start: int, lineno: int) -> Cell:
    lead = len(line[start:]) - len(line[start:].lstrip())
    return Cell(text="".join(buf).strip(), line=lineno, column=start + lead + 1)


def csv_rows(text: str) -> list[list[Cell]]:
    """The non-blank lines of a CSV text as cells, trailing empty cells dropped."""
    rows = []
    for k, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = split_csv_line(line, k)
        while len(cells) > 1 and not cells[-1].text:
            cells.pop()
        rows.append(cells)
    return rows


def cell_error(cell: Cell, file: str, fieldname: str, expected: str) -> InputError:
    """An :class:`InputError` for ``cell`` at its line and column."""
    return InputError(
        file=file,
        line=cell.line,
        column=cell.column,
        field=fieldname,
        value=cell.text,
        expected=expected,
    )


def number(
    cell: Cell,
    file: str,
    fieldname: str,
    expected: str = "a number",
    *,
    low: float = -MAX_MAGNITUDE,
    high: float = MAX_MAGNITUDE,
    above: float | None = None,
) -> float:
    """The cell as a finite float in [low, high] (and > ``above``, if given), or an
    :class:`InputError` at its line and column saying ``expected``."""
    try:
        value = float(cell.text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high) or (
        above is not None and not value > above
    ):
        raise cell_error(cell, file, fieldname, expected)
    return value


def unique_ids(names: list[str], what: str = "actor") -> tuple[list[str], list[str]]:
    """Ids for names: a name that repeats gets ``name-2``, ``name-3`` (with a notice)."""
    ids: list[str] = []
    notices: list[str] = []
    seen: dict[str, int] = {}
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        ident = name if count == 1 else f"{name}-{count}"
        while ident in ids:  # "a-2" may itself be a name in the file
            count += 1
            ident = f"{name}-{count}"
        if ident != name:
            notices.append(f"{what} name {name!r} repeats: this one gets the id {ident!r}")
        ids.append(ident)
    return ids, notices


def slug(name: str) -> str:
    """A readable id from a name: lower case, runs of other characters as one hyphen."""
    text = re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")
    return text or "issue"


def _plain(value: Any, flow: bool = False) -> Any:
    """Plain YAML nodes: whole floats as integers (``100``, not ``100.0``); each actor entry
    and each scale inline (``{id: a, name: A, capability: 1}``), the rest in block style."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dict):
        node = CommentedMap((k, _plain(v, k in ("actors", "scale"))) for k, v in value.items())
        if flow:
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        return [_plain(v, flow) for v in value]
    return value


def dump_yaml(data: dict[str, Any], header: str = "") -> str:
    """Scenario data as YAML text, after an optional ``# comment`` header."""
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(_plain(data), out)
    lines = "".join(f"# {ln}\n" if ln else "#\n" for ln in header.splitlines())
    return lines + out.getvalue()
