"""Read a Bueno de Mesquita-style CSV (one issue, one actor per row) into scenario data.

The format (e.g. tests/data/bdm/emission_1994.csv): a header ``Actor,Capability,Position,
Salience`` (any case, any order; ``Stakeholder`` or ``Name`` for Actor, ``Resources`` or
``Power`` for Capability; other columns ignored), then one row per actor. Positions are in the
issue's own unit: the issue's scale runs from the lowest to the highest position. Saliences
are divided by 100 only when some value exceeds 1 (docs/specs/eum.md §1, ``salience_scale``). A name that
repeats gets the id ``name-2``, ``name-3`` with a notice. At least 3 actors (KTAB's minimum).
"""

from __future__ import annotations

from pathlib import Path

from realpolitik.errors import InputError
from realpolitik.scenario._yaml import read_text
from realpolitik.scenario.importers._common import Imported, csv_rows, number, slug, unique_ids

__all__ = ["COLUMNS", "MIN_ACTORS", "read_bdm", "reads_bdm", "header_columns"]

MIN_ACTORS = 3
#: Accepted header names (lower case) of each column.
COLUMNS = {
    "actor": ("actor", "stakeholder", "name"),
    "capability": ("capability", "resources", "power"),
    "position": ("position",),
    "salience": ("salience",),
}


def header_columns(names: list[str]) -> dict[str, int] | None:
    """The index of each column in a header row, or None if one is missing."""
    lower = [n.strip().lower() for n in names]
    found: dict[str, int] = {}
    for key, synonyms in COLUMNS.items():
        for k, name in enumerate(lower):
            if name in synonyms:
                found.setdefault(key, k)
    return found if len(found) == len(COLUMNS) else None


def read_bdm(path: str | Path, *, display: str | None = None) -> Imported:
    """Read a BdM CSV file into scenario data."""
    name = display or str(path)
    return reads_bdm(read_text(path, display=name), file=name)


def reads_bdm(text: str, *, file: str = "<string>") -> Imported:
    """Scenario data from the text of a BdM CSV file."""
    rows = csv_rows(text)
    if not rows:
        raise InputError(
            file=file,
            problem="the file is empty",
            expected="a header Actor,Capability,Position,Salience and one row per actor",
        )
    header = rows[0]
    cols = header_columns([c.text for c in header])
    if cols is None:
        raise InputError(
            file=file,
            line=header[0].line,
            column=1,
            field="header",
            value=",".join(c.text for c in header),
            expected="the columns Actor (or Stakeholder, Name), Capability (or Resources, Power), Position and Salience",
        )
    width = max(cols.values()) + 1
    names, caps, pos, sal, cells = [], [], [], [], []
    for row in rows[1:]:
        if len(row) < width:
            raise InputError(
                file=file,
                line=row[0].line,
                column=row[-1].column,
                field="row",
                problem=f"{len(row)} field(s)",
                expected=f"at least {width} fields, as the header has",
            )
        label = row[cols["actor"]]
        if not label.text:
            raise InputError(
                file=file,
                line=label.line,
                column=label.column,
                field=header[cols["actor"]].text,
                value="",
                expected="an actor name",
            )
        who = label.text
        cap = row[cols["capability"]]
        c = number(
            cap, file, f"{who}: {header[cols['capability']].text}", "a capability > 0", above=0.0
        )
        x = number(row[cols["position"]], file, f"{who}: {header[cols['position']].text}")
        sc = row[cols["salience"]]
        s = number(
            sc,
            file,
            f"{who}: {header[cols['salience']].text}",
            "a salience from 0 to 1, or from 0 to 100",
            low=0.0,
            high=100.0,
        )
        names.append(who)
        caps.append(c)
        pos.append(x)
        sal.append(s)
        cells.append(sc)
    if len(names) < MIN_ACTORS:
        raise InputError(
            file=file,
            line=(rows[-1][0].line),
            field="actors",
            problem=f"{len(names)} actor row(s)",
            expected=f"at least {MIN_ACTORS} actors (KTAB's minimum)",
        )
    notices: list[str] = []
    if max(sal) > 1.0:
        sal = [s / 100.0 for s in sal]
        notices.append(f"{file}: saliences exceed 1, so they are read on 0-100 and divided by 100")
    ids, more = unique_ids(names)
    lo, hi = min(pos), max(pos)
    if hi == lo:
        lo, hi = lo - 1.0, hi + 1.0
        notices.append(
            f"{file}: every actor takes the position {pos[0]:g}; the scale is set to {lo:g}-{hi:g}"
        )
    stem = Path(file).stem
    data = {
        "name": stem,
        "description": f"Imported from the BdM-format file {Path(file).name}",
        "sources": [f"BdM CSV file {Path(file).name}"],
        "actors": [
            {"id": i, "name": n, "capability": c} for i, n, c in zip(ids, names, caps, strict=True)
        ],
        "issues": [
            {
                "id": slug(stem),
                "name": stem,
                "unit": "position",
                "scale": {"min": lo, "max": hi},
                "positions": dict(zip(ids, pos, strict=True)),
                "saliences": {i: round(s, 12) for i, s in zip(ids, sal, strict=True)},
            }
        ],
    }
    return Imported(data=data, format="bdm", notices=notices + more)
