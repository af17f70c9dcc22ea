"""Read KTAB's SMP input files (CSV and XML) into scenario data.

The formats are those of KTAB's ``smpc`` (docs/specs/smp.md §2; KTAB
``examples/smp/libsrc/smpread.cpp`` and ``smpSchema.xsd``):

CSV
    Line 1 ``scenario name, description, N, D``; line 2 a header (``Actor, Description,
    <capability>`` then a position and a salience column per dimension, whose position
    headers name the dimensions); then N actor rows ``name, description, capability, pos_1,
    sal_1, ..., pos_D, sal_D``. Quotes are stripped, extra trailing fields ignored.
XML
    ``<Scenario>`` with ``name``, ``desc``, ``prngSeed``, optional ``ModelParameters`` (the
    nine settings), optional ``Dimensions/dName*``, ``Actors/Actor{3,}`` (``name``,
    ``description``, ``capability``, ``Position/dCoord*``, ``Salience/dSal*``) and optional
    ``IdealAdjustment/iaPair*``. The file is checked against smpSchema.xsd's structure (see
    :mod:`._ktab_xml`); the schema's "Proportional"/"No" and the reader's "Prop"/"None" are
    both accepted.

KTAB's own rules apply: 3 ≤ N ≤ 250 actors, capabilities > 0, positions and saliences on
0–100, an actor's saliences summing to at most 100 and not all 0. Positions stay on 0–100
(issue scales 0–100), saliences are divided by 100 and capabilities kept raw. An XML file's
settings, seed and accommodation pairs become the ``smp`` model's options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realpolitik.errors import InputError
from realpolitik.scenario._yaml import read_text
from realpolitik.scenario.importers._common import (
    Cell,
    Imported,
    cell_error,
    csv_rows,
    number,
    slug,
    unique_ids,
)
from realpolitik.scenario.importers._ktab_xml import XmlScenario, parse_ktab_xml

__all__ = [
    "MIN_ACTORS",
    "MAX_ACTORS",
    "read_ktab",
    "reads_ktab",
    "reads_ktab_csv",
    "reads_ktab_xml",
    "looks_like_ktab_csv",
]

MIN_ACTORS = 3  # KTAB's minimum (smpread.cpp)
MAX_ACTORS = 250
_MAX_CAPABILITY = 1e8


def read_ktab(path: str | Path, *, display: str | None = None) -> Imported:
    """Read a KTAB CSV or XML file (told apart by content)."""
    name = display or str(path)
    return reads_ktab(read_text(path, display=name), file=name)


def reads_ktab(text: str, *, file: str = "<string>") -> Imported:
    """KTAB XML when the text starts with ``<``, else KTAB CSV."""
    if text.lstrip().startswith("<"):
        return reads_ktab_xml(text, file=file)
    return reads_ktab_csv(text, file=file)


def looks_like_ktab_csv(text: str) -> bool:
    """Line 1 ``name, description, N, D`` with integers N and D."""
    rows = csv_rows(text[:4096])
    if not rows or len(rows[0]) < 4:
        return False
    return all(c.text.isdecimal() for c in rows[0][2:4])


def _count(cell: Cell, file: str, fieldname: str, lo: int, hi: int | None, expected: str) -> int:
    text = cell.text
    if not text.isdecimal() or int(text) < lo or (hi is not None and int(text) > hi):
        raise cell_error(cell, file, fieldname, expected)
    return int(text)


def reads_ktab_csv(text: str, *, file: str = "<string>") -> Imported:
    """Scenario data from the text of a KTAB CSV file (spec §2.1)."""
    rows = csv_rows(text)
    if not rows:
        raise InputError(file=file, problem="the file is empty", expected="a KTAB CSV file")
    first = rows[0]
    if len(first) < 4:
        raise InputError(
            file=file,
            line=first[0].line,
            column=first[-1].column,
            problem=f"line 1 has {len(first)} field(s)",
            expected="scenario name, description, number of actors, number of dimensions",
        )
    n = _count(
        first[2],
        file,
        "number of actors",
        MIN_ACTORS,
        MAX_ACTORS,
        f"a whole number of actors from {MIN_ACTORS} (KTAB's minimum) to {MAX_ACTORS}",
    )
    d = _count(first[3], file, "number of dimensions", 1, None, "a whole number of dimensions ≥ 1")
    width = 3 + 2 * d
    if len(rows) < 2:
        raise InputError(file=file, problem="no header line", expected="a header line after line 1")
    header = rows[1]
    if len(header) < width:
        raise _too_few(header, width, file, "header")
    dims = [header[3 + 2 * k].text or f"dimension {k + 1}" for k in range(d)]
    body = rows[2:]
    if len(body) < n:
        last = (body or [header])[-1][0].line
        raise InputError(
            file=file,
            line=last,
            field="actors",
            problem=f"{len(body)} actor row(s)",
            expected=f"{n} actor rows, as line 1 says",
        )
    names, notes, caps, pos, sal = [], [], [], [], []
    for row in body[:n]:
        if len(row) < width:
            raise _too_few(row, width, file, "actor row")
        name = row[0].text
        if not name:
            raise InputError(
                file=file,
                line=row[0].line,
                column=row[0].column,
                field="actor name",
                value="",
                expected="a name of 1 to 25 characters",
            )
        names.append(name)
        notes.append(row[1].text)
        caps.append(_capability(row[2], file, header[2].text or "capability", name))
        p, s = [], []
        for k in range(d):
            p.append(
                _percent(
                    row[3 + 2 * k],
                    file,
                    f"{name}: {header[3 + 2 * k].text or dims[k]}",
                    "a position from 0 to 100",
                )
            )
            s.append(
                _percent(
                    row[4 + 2 * k],
                    file,
                    f"{name}: {header[4 + 2 * k].text or 'salience'}",
                    "a salience from 0 to 100",
                )
            )
        _check_saliences(s, row, file, name)
        pos.append(p)
        sal.append(s)
    notices = []
    if len(body) > n:
        notices.append(
            f"{file}: line 1 says {n} actors; the {len(body) - n} row(s) after them are ignored"
        )
    data, more = _scenario(first[0].text, first[1].text, names, notes, caps, dims, pos, sal, file)
    return Imported(data=data, format="ktab", notices=notices + more)


def _too_few(row: list[Cell], width: int, file: str, what: str) -> InputError:
    return InputError(
        file=file,
        line=row[0].line,
        column=row[-1].column,
        field=what,
        problem=f"{len(row)} field(s)",
        expected=f"at least {width} fields (name, description, capability, and a position and a salience per dimension)",
    )


def _capability(cell: Cell, file: str, fieldname: str, actor: str) -> float:
    expected = "a capability > 0 (at most 1e8)"
    return number(cell, file, f"{actor}: {fieldname}", expected, above=0.0, high=_MAX_CAPABILITY)


def _percent(cell: Cell, file: str, fieldname: str, expected: str) -> float:
    return number(cell, file, fieldname, expected, low=0.0, high=100.0)


def _check_saliences(
    s: list[float], row: list[Cell], file: str, actor: str, line: int | None = None
) -> None:
    """KTAB's rules: an actor's saliences sum to at most 100, and not all are 0."""
    total = sum(s)
    where = {"line": row[0].line, "column": row[0].column} if row else {"line": line}
    if total > 100.0 + 1e-9:
        raise InputError(
            file=file,
            **where,
            field=f"{actor}: saliences",
            value=round(total, 6),
            expected="saliences summing to at most 100 (KTAB's rule)",
        )
    if total <= 0.0:
        raise InputError(
            file=file,
            **where,
            field=f"{actor}: saliences",
            value=0,
            expected="at least one positive salience (KTAB divides by their squares' sum)",
        )


def _scenario(
    name: str,
    description: str,
    names: list[str],
    notes: list[str],
    caps: list[float],
    dims: list[str],
    pos: list[list[float]],
    sal: list[list[float]],
    file: str,
    options: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Scenario data: issues 0–100, saliences / 100, the ``smp`` model listed."""
    ids, notices = unique_ids(names)
    issue_ids, more = unique_ids([slug(dn) for dn in dims], what="dimension")
    actors = []
    for ident, actor, note, c in zip(ids, names, notes, caps, strict=True):
        entry: dict[str, Any] = {"id": ident, "name": actor, "capability": c}
        if note:
            entry["notes"] = note
        actors.append(entry)
    issues = [
        {
            "id": issue_ids[k],
            "name": dims[k],
            "unit": "KTAB position",
            "scale": {"min": 0, "max": 100},
            "positions": {a: p[k] for a, p in zip(ids, pos, strict=True)},
            "saliences": {a: round(s[k] / 100.0, 12) for a, s in zip(ids, sal, strict=True)},
        }
        for k in range(len(dims))
    ]
    smp: Any = {"name": "smp", "options": options} if options else "smp"
    data = {
        "name": name or Path(file).stem,
        "description": description,
        "sources": [f"KTAB SMP input file {Path(file).name}"],
        "actors": actors,
        "issues": issues,
        "models": [smp],
    }
    return data, notices + more


def reads_ktab_xml(text: str, *, file: str = "<string>") -> Imported:
    """Scenario data from the text of a KTAB XML file (spec §2.2)."""
    sc: XmlScenario = parse_ktab_xml(text, file)
    for actor in sc.actors:
        _check_saliences(actor.saliences, [], file, actor.name, line=actor.line)
    names = [a.name for a in sc.actors]
    ids, _ = unique_ids(names)
    first_id = {}
    for name, ident in zip(names, ids, strict=True):
        first_id.setdefault(name, ident)
    options: dict[str, Any] = dict(sc.settings)
    options["seed"] = sc.seed
    accommodation: dict[str, dict[str, float]] = {}
    for pair in sc.pairs:
        accommodation.setdefault(first_id[pair.adjusting], {})[first_id[pair.reference]] = (
            pair.weight
        )
    for adjusting, row in accommodation.items():
        if sum(row.values()) > 1.0 + 1e-12:
            line = next(p.line for p in sc.pairs if first_id[p.adjusting] == adjusting)
            raise InputError(
                file=file,
                line=line,
                field=f"IdealAdjustment: {adjusting}",
                value=round(sum(row.values()), 6),
                expected="adjust weights of one actor summing to at most 1",
            )
    if accommodation:
        options["accommodation"] = accommodation
    data, notices = _scenario(
        sc.name,
        sc.description,
        names,
        [a.description for a in sc.actors],
        [a.capability for a in sc.actors],
        sc.dimensions,
        [a.positions for a in sc.actors],
        [a.saliences for a in sc.actors],
        file,
        options,
    )
    return Imported(data=data, format="ktab", notices=notices)
