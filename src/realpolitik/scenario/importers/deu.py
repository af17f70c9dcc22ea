"""Read DEU-format files (Decision-making in the European Union) and capability tables.

The DEU III data set (Arregui & Perarnaud 2021, doi:10.34810/data53, CC BY 4.0) places, on a
0–100 scale, the position and the salience (0–100) of the Commission, the Parliament and each
member state on each controversial issue of an EU legislative proposal, with the reference
point ``rp`` and the recorded outcome ``out``. The format (src/realpolitik/data/deu/README.md): tab
separated, one header row; ``prnr`` the proposal, ``isnr`` the issue, ``p`` + actor code the
positions, ``s`` + actor code the saliences, then ``rp`` and ``out``; an empty cell is no
position. A second row without an issue id (the copy's GDP-like figures) is skipped.

Conventions (docs/specs/eum.md §9): saliences are divided by 100; a position without a
salience counts as salience 0 (the actor stays, with no weight); an issue is scored when it has
an outcome in [0, 100] and at least 3 actors with a position. In a capability table an empty
cell gets the column's largest value for the Commission (``com``) and the Parliament (``ep``),
and its smallest otherwise (a state not yet a member in that table).

Every malformed cell raises :class:`~realpolitik.errors.InputError` located at
``FILE:LINE:COLUMN`` (the column counts characters, 1-based) with the field, the value and
what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.contracts.arrays import IssueInputs
from realpolitik.errors import InputError
from realpolitik.scenario._yaml import read_text
from realpolitik.scenario.importers._common import Imported
from realpolitik.scenario.importers._deu_tables import (
    DEFAULT_CAPABILITY_COLUMN,
    ERA,
    ERAS,
    Capabilities,
    EraCapabilities,
    _check_width,
    _number,
    _Row,
    _split,
    bundled_capabilities_path,
    final_act_year,
    read_capabilities,
    reads_capabilities,
)

__all__ = [
    "CITATION",
    "DEFAULT_CAPABILITY_COLUMN",
    "MIN_ACTORS",
    "Capabilities",
    "EraCapabilities",
    "ERA",
    "ERAS",
    "final_act_year",
    "DeuIssue",
    "DeuData",
    "bundled_data_path",
    "bundled_capabilities_path",
    "read_capabilities",
    "reads_capabilities",
    "read_deu",
    "reads_deu",
    "check_actors",
    "issue_inputs",
    "to_scenario",
    "to_imported",
]

CITATION = (
    "Arregui, J. and Perarnaud, C. (2021), The Decision-Making in the European Union (DEU III) "
    "dataset, doi:10.34810/data53, CC BY 4.0"
)
MIN_ACTORS = 3
#: DEU's metadata columns (1-13); any other column starting with p or s is an actor's.
_METADATA = frozenset(
    "prnrnmc isnrnmc prnr prname isnr type council proc counvte proccde issues intro finact".split()
)
_REQUIRED = ("prnr", "isnr", "rp", "out")


def bundled_data_path() -> Path:
    """The bundled DEU III development split (``realpolitik/data/deu/deu_dev.tsv``)."""
    return Path(str(resources.files("realpolitik") / "data" / "deu" / "deu_dev.tsv"))


# -- DEU files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeuIssue:
    """One DEU issue: the positioned actors, their positions (0–100) and saliences (0–1).

    ``missing_salience`` names the actors with a position and no salience (counted as 0).
    ``outcome`` is None where the file records none, or one outside [0, 100].
    """

    id: str
    proposal: str
    proposal_name: str
    line: int
    actors: tuple[str, ...]
    positions: np.ndarray
    saliences: np.ndarray
    missing_salience: tuple[str, ...]
    reference_point: float | None
    outcome: float | None
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def scored(self) -> bool:
        """Has an outcome and at least 3 positioned actors (docs/specs/eum.md §9)."""
        return self.outcome is not None and len(self.actors) >= MIN_ACTORS

    @property
    def unscored_reason(self) -> str | None:
        if self.outcome is None:
            return "no outcome in [0, 100]"
        if len(self.actors) < MIN_ACTORS:
            return f"fewer than {MIN_ACTORS} positioned actors"
        return None


@dataclass(frozen=True)
class DeuData:
    """A DEU-format file: its actor codes (column order) and issues (file order)."""

    file: str
    actors: tuple[str, ...]
    issues: tuple[DeuIssue, ...]
    actor_columns: dict[str, tuple[int, int]] = field(default_factory=dict)

    def scored(self) -> list[DeuIssue]:
        return [i for i in self.issues if i.scored]

    def issue(self, issue_id: str) -> DeuIssue:
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        raise KeyError(issue_id)

    def unscored(self) -> dict[str, int]:
        """The number of issues not scored, by reason."""
        out: dict[str, int] = {}
        for issue in self.issues:
            if (reason := issue.unscored_reason) is not None:
                out[reason] = out.get(reason, 0) + 1
        return out

    def missing_saliences(self) -> int:
        """The number of positions without a salience (each counted as salience 0)."""
        return sum(len(i.missing_salience) for i in self.issues)

    def without_missing_saliences(self) -> DeuData:
        """The same data with every actor that has a position but no salience left out.

        The alternative to salience 0 that eum.md §9 names as a flag; an issue may then fall
        below 3 positioned actors and so not be scored.
        """
        issues = []
        for i in self.issues:
            keep = np.array([a not in i.missing_salience for a in i.actors], dtype=bool)
            issues.append(
                replace(
                    i,
                    actors=tuple(a for a, k in zip(i.actors, keep, strict=True) if k),
                    positions=i.positions[keep],
                    saliences=i.saliences[keep],
                    missing_salience=(),
                )
            )
        return replace(self, issues=tuple(issues))


def read_deu(path: str | Path, *, display: str | None = None) -> DeuData:
    """Read a DEU-format file; see the module docstring for the format and conventions."""
    name = display or str(path)
    return reads_deu(read_text(path, display=name), file=name)


def _actor_columns(header: list[str], head: _Row, file: str) -> list[tuple[str, int, int]]:
    """(code, position column index, salience column index) for each actor, in header order."""
    for req in _REQUIRED:
        if req not in header:
            raise InputError(
                file=file,
                line=head.line,
                column=1,
                field=req,
                problem=f"no column {req!r}",
                expected="the DEU header: prnr, isnr, the p<actor> and s<actor> columns, rp, out",
            )
    pos = {h[1:]: j for j, h in enumerate(header) if h.startswith("p") and h not in _METADATA}
    sal = {h[1:]: j for j, h in enumerate(header) if h.startswith("s") and h not in _METADATA}
    for code, j in pos.items():
        if code not in sal:
            raise InputError(
                file=file,
                line=head.line,
                column=head.columns[j],
                field=f"s{code}",
                problem=f"no salience column 's{code}' for position column 'p{code}'",
                expected="an s<actor> column for every p<actor> column",
            )
    for code, j in sal.items():
        if code not in pos:
            raise InputError(
                file=file,
                line=head.line,
                column=head.columns[j],
                field=f"p{code}",
                problem=f"no position column 'p{code}' for salience column 's{code}'",
                expected="a p<actor> column for every s<actor> column",
            )
    if not pos:
        raise InputError(
            file=file,
            line=head.line,
            column=1,
            field="header",
            problem="no actor columns",
            expected="position columns p<actor> and salience columns s<actor>",
        )
    return [(code, j, sal[code]) for code, j in pos.items()]


def reads_deu(text: str, *, file: str = "<string>") -> DeuData:
    """Parse DEU-format text; see :func:`read_deu`."""
    rows = _split(text, "\t")
    if not rows:
        raise InputError(
            file=file,
            problem="the file is empty",
            expected="a tab-separated DEU file with a header row",
        )
    head, header = rows[0], rows[0].cells
    actors = _actor_columns(header, head, file)
    col = {h: j for j, h in enumerate(header)}
    issues: list[DeuIssue] = []
    seen: dict[str, int] = {}
    for k, row in enumerate(rows[1:]):
        issue_id = row.cells[col["isnr"]] if len(row.cells) > col["isnr"] else ""
        _check_width(row, header, file, issue_id or "row")
        if not issue_id and not row.cells[col["prnr"]] and k == 0:
            continue  # the copy's second row: GDP-like figures, not an issue
        if not issue_id:
            raise InputError(
                file=file,
                line=row.line,
                column=row.columns[col["isnr"]],
                field="isnr",
                problem="an empty issue id",
                expected="an issue id in column isnr",
            )
        if issue_id in seen:
            raise InputError(
                file=file,
                line=row.line,
                column=row.columns[col["isnr"]],
                field="isnr",
                value=issue_id,
                expected=f"a unique issue id (line {seen[issue_id]} has it)",
            )
        seen[issue_id] = row.line
        issues.append(_issue(row, header, col, actors, file, issue_id))
    if not issues:  # a header alone would backtest nothing and report success
        last = rows[-1]
        raise InputError(
            file=file,
            line=last.line + 1,
            column=1,
            problem="no issue rows after the header",
            expected="at least one issue row (columns prnr, isnr, positions, saliences, out)",
        )
    return DeuData(
        file=file,
        actors=tuple(a for a, _, _ in actors),
        issues=tuple(issues),
        actor_columns={a: (head.line, head.columns[j]) for a, j, _ in actors},
    )


def _issue(
    row: _Row,
    header: list[str],
    col: dict[str, int],
    actors: list[tuple[str, int, int]],
    file: str,
    issue_id: str,
) -> DeuIssue:
    codes, xs, ss, missing = [], [], [], []
    for code, jp, js in actors:
        x = _number(
            row,
            jp,
            file,
            f"{issue_id}.p{code}",
            lo=0,
            hi=100,
            expected="a position from 0 to 100, or an empty cell",
        )
        s = _number(
            row,
            js,
            file,
            f"{issue_id}.s{code}",
            lo=0,
            hi=100,
            expected="a salience from 0 to 100, or an empty cell",
        )
        if x is None:
            continue
        codes.append(code)
        xs.append(x)
        ss.append(0.0 if s is None else s / 100.0)
        if s is None:
            missing.append(code)
    rp = _number(
        row,
        col["rp"],
        file,
        f"{issue_id}.rp",
        lo=None,
        hi=None,
        expected="a reference point from 0 to 100, or an empty cell",
    )
    out = _number(
        row,
        col["out"],
        file,
        f"{issue_id}.out",
        lo=None,
        hi=None,
        expected="an outcome from 0 to 100, or an empty cell",
    )
    meta = {h: row.cells[j] for h, j in col.items() if h in _METADATA}
    return DeuIssue(
        id=issue_id,
        proposal=row.cells[col["prnr"]],
        proposal_name=meta.get("prname", ""),
        line=row.line,
        actors=tuple(codes),
        positions=np.array(xs, dtype=float),
        saliences=np.array(ss, dtype=float),
        missing_salience=tuple(missing),
        reference_point=rp if rp is not None and 0 <= rp <= 100 else None,
        outcome=out if out is not None and 0 <= out <= 100 else None,
        meta=meta,
    )


def check_actors(data: DeuData, caps: Capabilities | EraCapabilities) -> None:
    """Every actor of the DEU file needs a capability; raise at its header column if not."""
    for actor, table in ((a, t) for t in caps.tables() for a in data.actors):
        if actor not in table.values:
            line, column = data.actor_columns.get(actor, (None, None))
            raise InputError(
                file=data.file,
                line=line,
                column=column,
                field=f"p{actor}",
                problem=f"actor {actor!r} has no row in {table.file}",
                expected="actor codes listed in the capability table: " + ", ".join(table.values),
            )


# -- to the models and to scenarios -----------------------------------------------------------


def issue_inputs(issue: DeuIssue, caps: Capabilities | EraCapabilities) -> IssueInputs:
    """One DEU issue as a one-issue :class:`IssueInputs` of its positioned actors only.

    Each DEU issue is its own negotiation (docs/specs/eum.md §9: every actor with a position takes
    part), so a model sees neither the actors without a position nor the other issues.
    """
    n = len(issue.actors)
    caps = caps.for_issue(issue)
    return IssueInputs(
        x=issue.positions.reshape(n, 1).copy(),
        s=issue.saliences.reshape(n, 1).copy(),
        c=np.array([caps.values[a] for a in issue.actors], dtype=float),
        mask=np.ones((n, 1), dtype=bool),
        reference=np.array([np.nan if issue.reference_point is None else issue.reference_point]),
        actors=issue.actors,
        issues=(issue.id,),
    )


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def to_scenario(
    data: DeuData, issue_id: str, caps: Capabilities | EraCapabilities
) -> dict[str, Any]:
    """One DEU issue as scenario data (the keys of docs/scenario-format.md).

    Positioned actors only, with their capability from ``caps``; saliences divided by 100 (a
    missing one becomes 0, noted on the actor); the reference point; the recorded outcome.
    """
    issue = data.issue(issue_id)
    check_actors(data, caps)
    names = caps.names
    caps = caps.for_issue(issue)
    meta = issue.meta
    about = ", ".join(
        f"{label} {meta[key]}"
        for key, label in (
            ("proc", "procedure"),
            ("counvte", "Council vote"),
            ("intro", "introduced"),
            ("finact", "final act"),
        )
        if meta.get(key) and meta[key] != "999"
    )
    actors = []
    for a in issue.actors:
        entry: dict[str, Any] = {
            "id": a,
            "name": names.get(a, a.upper()),
            "capability": _plain(caps.values[a]),
        }
        if a in issue.missing_salience:
            entry["notes"] = "DEU records no salience: counted as 0"
        actors.append(entry)
    scenario_issue: dict[str, Any] = {
        "id": issue.id,
        "name": f"{issue.proposal_name or issue.proposal}: issue {issue.id}",
        "unit": "DEU points",
        "scale": {"min": 0, "max": 100},
    }
    if issue.reference_point is not None:
        scenario_issue["reference_point"] = _plain(issue.reference_point)
    scenario_issue["positions"] = {
        a: _plain(x) for a, x in zip(issue.actors, issue.positions, strict=True)
    }
    scenario_issue["saliences"] = {
        a: _plain(s) for a, s in zip(issue.actors, issue.saliences, strict=True)
    }
    out: dict[str, Any] = {
        "name": f"deu-{issue.id}",
        "description": (
            f"DEU issue {issue.id} of proposal {issue.proposal}"
            + (f" ({issue.proposal_name})" if issue.proposal_name else "")
            + (f"; {about}" if about else "")
            + f". Imported from {data.file} (line {issue.line}); capabilities: column "
            f"{caps.column!r} of {caps.file}."
        ),
        "sources": [CITATION],
        "actors": actors,
        "issues": [scenario_issue],
    }
    if issue.outcome is not None:
        out["outcome"] = {"source": CITATION, "issues": {issue.id: _plain(issue.outcome)}}
    return out


def to_imported(data: DeuData, issue_id: str, caps: Capabilities | EraCapabilities) -> Imported:
    """:func:`to_scenario` with notices, for ``realpolitik import deu`` (see importers)."""
    issue = data.issue(issue_id)
    notices = [caps.note()]
    if issue.missing_salience:
        notices.append(
            "no salience recorded for " + ", ".join(issue.missing_salience) + ": counted as 0"
        )
    if (why := issue.unscored_reason) is not None:
        notices.append(f"the DEU backtest does not score this issue: {why}")
    return Imported(data=to_scenario(data, issue_id, caps), format="deu", notices=notices)
