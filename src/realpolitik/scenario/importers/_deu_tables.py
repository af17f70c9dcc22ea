"""Cells of DEU-style tables and capability tables (helpers of :mod:`.deu`).

Tab- or comma-separated text split into cells with each cell's 1-based character column, so
that a malformed cell raises an :class:`~realpolitik.errors.InputError` at ``FILE:LINE:COLUMN``;
and the actors' capability tables, one column at a time or by era of the final act
(docs/specs/eum.md §9). An empty capability cell gets the column's largest value for the
Commission (``com``) and the Parliament (``ep``), and its smallest otherwise (a state not yet a
member in that table; src/realpolitik/data/deu/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.errors import InputError
from realpolitik.scenario._yaml import read_text

if TYPE_CHECKING:
    from realpolitik.scenario.importers.deu import DeuIssue

__all__ = [
    "DEFAULT_CAPABILITY_COLUMN",
    "ERA",
    "ERAS",
    "Capabilities",
    "EraCapabilities",
    "bundled_capabilities_path",
    "final_act_year",
    "read_capabilities",
    "reads_capabilities",
]

DEFAULT_CAPABILITY_COLUMN = "nice_votes"
#: The actors that get a column's largest value where their cell is empty.
_INSTITUTIONS = ("com", "ep")


# -- cells and rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    cells: list[str]
    columns: list[int]  # 1-based character column where each cell starts
    end: int  # the column just after the row's last character


def _split(text: str, delimiter: str) -> list[_Row]:
    """Non-blank lines as cells (quotes removed) with each cell's character column."""
    rows = []
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.rstrip("\r")
        if not raw.strip():
            continue
        cells, columns, col = [], [], 1
        for cell in raw.split(delimiter):
            columns.append(col)
            col += len(cell) + 1
            cell = cell.strip()
            if len(cell) >= 2 and cell[0] == cell[-1] == '"':
                cell = cell[1:-1].replace('""', '"')
            cells.append(cell.strip())
        rows.append(_Row(number, cells, columns, len(raw) + 1))
    return rows


def _check_width(row: _Row, header: list[str], file: str, what: str) -> None:
    n, k = len(header), len(row.cells)
    if k < n:
        raise InputError(
            file=file,
            line=row.line,
            column=row.end,
            field=what,
            problem=f"the row ends after {k} of {n} columns (truncated before {header[k]!r})",
            expected=f"{n} cells separated by tabs, one per header column",
        )
    if k > n:
        raise InputError(
            file=file,
            line=row.line,
            column=row.columns[n],
            field=what,
            problem=f"the row has {k} cells but the header {n}",
            expected=f"{n} cells separated by tabs, one per header column",
        )


def _number(
    row: _Row,
    j: int,
    file: str,
    field: str,
    *,
    lo: float | None,
    hi: float | None,
    expected: str,
) -> float | None:
    """The cell as a finite float in [lo, hi], None if empty; a located error otherwise."""
    text = row.cells[j]
    if text == "":  # no value ("nan" and "NA" are refused: the DEU files leave cells empty)
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    bad = (
        not np.isfinite(value)
        or abs(value) > 2.0**64  # as scenario numbers (scenario._yaml.MAX_MAGNITUDE)
        or (lo is not None and value < lo)
        or (hi is not None and value > hi)
    )
    if bad:
        raise InputError(
            file=file,
            line=row.line,
            column=row.columns[j],
            field=field,
            value=text,
            expected=expected,
        )
    return value


# -- capabilities -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Capabilities:
    """One column of a capability table: a weight per actor code, with empty cells filled.

    ``filled`` maps each actor whose cell was empty to the value it was given (the column's
    largest for ``com``/``ep``, its smallest otherwise); ``names`` the actors' full names
    where the table has a ``name`` column.
    """

    file: str
    column: str
    values: dict[str, float]
    names: dict[str, str] = field(default_factory=dict)
    filled: dict[str, float] = field(default_factory=dict)

    def for_issue(self, issue: DeuIssue) -> Capabilities:
        """The table that applies to ``issue``: this one, for every issue."""
        return self

    def tables(self) -> tuple[Capabilities, ...]:
        return (self,)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "column": self.column, "filled": dict(self.filled)}

    def note(self) -> str:
        """A sentence saying where the weights come from and which cells were filled."""
        text = f"Capabilities: column {self.column!r} of {self.file}"
        if not self.filled:
            return text + " (no empty cells)."
        high = [a for a in self.filled if a in _INSTITUTIONS]
        low = [a for a in self.filled if a not in _INSTITUTIONS]
        parts = []
        if high:
            v = self.filled[high[0]]
            parts.append(f"{', '.join(high)} given the column's largest value ({v:g})")
        if low:
            v = self.filled[low[0]]
            parts.append(f"{', '.join(low)} given its smallest ({v:g})")
        return text + "; empty cells: " + "; ".join(parts) + "."


def bundled_capabilities_path() -> Path:
    """The bundled capability table (``realpolitik/data/deu/capabilities.csv``)."""
    return Path(str(resources.files("realpolitik") / "data" / "deu" / "capabilities.csv"))


def read_capabilities(
    path: str | Path, column: str = DEFAULT_CAPABILITY_COLUMN, *, display: str | None = None
) -> Capabilities | EraCapabilities:
    """Read one column of a capability CSV (columns ``actor``, optional ``name``, weights)."""
    name = display or str(path)
    return reads_capabilities(read_text(path, display=name), column, file=name)


def reads_capabilities(
    text: str, column: str = DEFAULT_CAPABILITY_COLUMN, *, file: str = "<string>"
) -> Capabilities | EraCapabilities:
    """Parse capability CSV text; see :func:`read_capabilities`. ``column="era"`` gives an
    :class:`EraCapabilities` of the columns named in :data:`ERAS`."""
    if column == ERA:
        return EraCapabilities(
            file=file,
            eras=tuple((lo, hi, _reads_column(text, col, file=file)) for lo, hi, col in ERAS),
        )
    return _reads_column(text, column, file=file)


def _reads_column(text: str, column: str, *, file: str) -> Capabilities:
    rows = _split(text, ",")
    if not rows:
        raise InputError(
            file=file,
            problem="the file is empty",
            expected="a header row `actor,name,COLUMN,...` and one row per actor",
        )
    head = rows[0]
    header = head.cells
    if "actor" not in header:
        raise InputError(
            file=file,
            line=head.line,
            column=1,
            field="actor",
            problem="no column 'actor'",
            expected="a header row naming an 'actor' column (the DEU actor codes)",
        )
    if column not in header:
        numeric = [h for h in header if h not in ("actor", "name")]
        raise InputError(
            field="--capability-column",
            value=column,
            expected=f"a column of {file}: " + ", ".join(numeric) + f", or {ERA!r}",
        )
    a_col, v_col = header.index("actor"), header.index(column)
    n_col = header.index("name") if "name" in header else None
    values: dict[str, float | None] = {}
    names: dict[str, str] = {}
    where: dict[str, tuple[int, int]] = {}
    for row in rows[1:]:
        _check_width(row, header, file, "row")
        actor = row.cells[a_col].lower()
        if not actor:
            raise InputError(
                file=file,
                line=row.line,
                column=row.columns[a_col],
                field="actor",
                problem="an empty actor code",
                expected="an actor code such as de",
            )
        if actor in values:
            raise InputError(
                file=file,
                line=row.line,
                column=row.columns[a_col],
                field="actor",
                value=actor,
                expected="each actor once; it is listed earlier",
            )
        values[actor] = _number(
            row,
            v_col,
            file,
            f"{actor}.{column}",
            lo=None,
            hi=None,
            expected="a number > 0, or an empty cell",
        )
        if values[actor] is not None and values[actor] <= 0:
            raise InputError(
                file=file,
                line=row.line,
                column=row.columns[v_col],
                field=f"{actor}.{column}",
                value=values[actor],
                expected="a number > 0, or an empty cell",
            )
        where[actor] = (row.line, row.columns[v_col])
        if n_col is not None and row.cells[n_col]:
            names[actor] = row.cells[n_col]
    given = [v for v in values.values() if v is not None]
    if not given:
        raise InputError(
            file=file,
            line=head.line,
            column=head.columns[v_col],
            field=column,
            problem=f"column {column!r} has no values",
            expected="a number > 0 for at least one actor",
        )
    hi, lo = max(given), min(given)
    filled = {a: (hi if a in _INSTITUTIONS else lo) for a, v in values.items() if v is None}
    full = {a: (v if v is not None else filled[a]) for a, v in values.items()}
    return Capabilities(file=file, column=column, values=full, names=names, filled=filled)


ERA = "era"
#: docs/specs/eum.md §9's sensitivity variant: (first year, last year, column) by final-act year.
ERAS: tuple[tuple[int | None, int | None, str], ...] = (
    (None, 2004, "pre_nice_votes"),
    (2005, 2014, "nice_votes"),
    (2015, None, "population_2017_millions"),
)


def final_act_year(issue: DeuIssue) -> int | None:
    """The year of the final act: the last two digits of ``finact``, read as 19yy (yy ≥ 50)
    or 20yy (docs/specs/eum.md §9: the copy's dates are mangled, and only those digits are reliable)."""
    digits = "".join(ch for ch in issue.meta.get("finact", "") if ch.isdigit())
    if len(digits) < 2:
        return None
    yy = int(digits[-2:])
    return 1900 + yy if yy >= 50 else 2000 + yy


@dataclass(frozen=True)
class EraCapabilities:
    """Capabilities by the era of each issue's final act (docs/specs/eum.md §9, a sensitivity variant):
    pre-Nice votes up to 2004, Nice votes 2005–2014, populations from 2015. An issue whose
    final-act year cannot be read gets the Nice votes."""

    file: str
    eras: tuple[tuple[int | None, int | None, Capabilities], ...]
    column: str = ERA

    def for_issue(self, issue: DeuIssue) -> Capabilities:
        year = final_act_year(issue)
        for lo, hi, caps in self.eras:
            if year is not None and (lo is None or year >= lo) and (hi is None or year <= hi):
                return caps
        return next(c for _, _, c in self.eras if c.column == DEFAULT_CAPABILITY_COLUMN)

    def tables(self) -> tuple[Capabilities, ...]:
        return tuple(c for _, _, c in self.eras)

    @property
    def names(self) -> dict[str, str]:
        return {k: v for c in self.tables() for k, v in c.names.items()}

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "column": self.column,
            "filled": {c.column: dict(c.filled) for c in self.tables()},
        }

    def note(self) -> str:
        spans = "; ".join(
            f"{c.column} for final acts "
            + (f"up to {hi}" if lo is None else f"from {lo}" if hi is None else f"{lo}–{hi}")
            for lo, hi, c in self.eras
        )
        fills = " ".join(
            f"{c.column}: {c.note().split('; empty cells: ', 1)[1]}"
            for c in self.tables()
            if c.filled
        )
        return (
            f"Capabilities by era of the final act (last two digits of finact), from {self.file}: "
            f"{spans}." + (f" Empty cells: {fills}" if fills else "")
        )
