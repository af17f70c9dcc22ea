"""The what-if editor: a scenario's inputs as form fields, and edits applied to its text.

Every number an analyst may change is a field: each actor's capability, each issue's
positions, saliences and reference point, and every number of the other input blocks (a
crisis block's parameters, events, the ``uncertainty`` spreads). A field's value is written
as in the scenario file: a number, or a distribution in YAML flow style
(``{dist: normal, mean: 0.7, sd: 0.1}``). Edits are applied to the file's own text with
ruamel.yaml's round trip, so comments and layout stay, and the result is loaded again with
the same loader (and located errors) as any file.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from realpolitik.errors import InputError
from realpolitik.store.diff import show

__all__ = ["Field", "fields", "apply_edits", "field_name", "parse_field_name"]

# Top-level blocks that are not inputs to edit here (text, the clock, the record).
_NOT_INPUTS = {"name", "description", "sources", "time", "actors", "issues", "outcome", "models"}
_PREFIX = "f:"


@dataclass(frozen=True)
class Field:
    path: tuple[Any, ...]  # keys and list indices in the file's data
    label: str  # the dotted path in the scenario's keys (issues.dalian.saliences.stalin)
    value: str  # as written in the file

    @property
    def name(self) -> str:
        return field_name(self.path)


def field_name(path: tuple[Any, ...]) -> str:
    return _PREFIX + json.dumps(list(path), ensure_ascii=False, separators=(",", ":"))


def parse_field_name(name: str) -> tuple[Any, ...] | None:
    if not name.startswith(_PREFIX):
        return None
    try:
        path = json.loads(name[len(_PREFIX) :])
    except ValueError:
        return None
    if not isinstance(path, list) or not all(
        isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool)) for p in path
    ):
        return None
    return tuple(path)


def _is_input(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, dict) and "dist" in value)


def fields(data: dict[str, Any]) -> dict[str, Any]:
    """The editable inputs of a scenario's data, grouped for the editor's tables."""
    from realpolitik.scenario.load import display_path

    def make(path: tuple[Any, ...], value: Any) -> Field:
        return Field(path=path, label=display_path(data, path), value=show(value))

    actors = data.get("actors") or []
    capabilities = [
        make(("actors", i, "capability"), a["capability"])
        for i, a in enumerate(actors)
        if isinstance(a, dict) and _is_input(a.get("capability"))
    ]
    actor_rows = [
        {
            "id": a.get("id"),
            "name": a.get("name", a.get("id")),
            "group": a.get("group", ""),
            "capability": make(("actors", i, "capability"), a["capability"])
            if _is_input(a.get("capability"))
            else None,
        }
        for i, a in enumerate(actors)
        if isinstance(a, dict)
    ]
    issues = []
    for j, issue in enumerate(data.get("issues") or []):
        if not isinstance(issue, dict):
            continue
        rows = []
        for a in actors:
            aid = a.get("id") if isinstance(a, dict) else None
            pos = (issue.get("positions") or {}).get(aid)
            sal = (issue.get("saliences") or {}).get(aid)
            rows.append(
                {
                    "actor": aid,
                    "position": make(("issues", j, "positions", aid), pos)
                    if _is_input(pos)
                    else None,
                    "salience": make(("issues", j, "saliences", aid), sal)
                    if _is_input(sal)
                    else None,
                }
            )
        ref = issue.get("reference_point")
        issues.append(
            {
                "id": issue.get("id"),
                "name": issue.get("name", issue.get("id")),
                "unit": issue.get("unit", ""),
                "scale": issue.get("scale") or {},
                "rows": rows,
                "reference": make(("issues", j, "reference_point"), ref)
                if _is_input(ref)
                else None,
            }
        )
    other: list[Field] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        if _is_input(node):
            other.append(make(path, node))
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))

    for key, block in data.items():
        if key not in _NOT_INPUTS:
            walk(block, (key,))
    return {"capabilities": capabilities, "actors": actor_rows, "issues": issues, "other": other}


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never fold a long line of the file
    y.indent(mapping=2, sequence=4, offset=2)  # the bundled files' layout
    return y


def _value(text: str, label: str) -> Any:
    """A field's text as YAML: a number or a ``{dist: ...}`` mapping."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    try:
        value = YAML(typ="safe", pure=True).load(text)
    except Exception:  # noqa: BLE001 - ruamel's many parser errors
        value = text
    if _is_input(value):
        if isinstance(value, dict):
            flow = CommentedMap(value)
            flow.fa.set_flow_style()
            return flow
        return value
    raise InputError(
        field=label,
        value=text,
        expected="a number, or a distribution such as {dist: normal, mean: 0.5, sd: 0.1}",
    )


def apply_edits(text: str, edits: dict[tuple[Any, ...], str], *, file: str) -> str:
    """The scenario text with each field at ``path`` set to the value written in ``edits``.

    Only existing inputs can be edited (:func:`fields`); an unknown path is an
    :class:`InputError`, as is a value that is neither a number nor a distribution.
    """
    from realpolitik.scenario._yaml import parse_yaml

    plain, _ = parse_yaml(text, file=file)
    allowed = fields(plain)
    known = {f.path: f for f in allowed["capabilities"] + allowed["other"]}
    for issue in allowed["issues"]:
        for row in issue["rows"]:
            for f in (row["position"], row["salience"]):
                if f is not None:
                    known[f.path] = f
        if issue["reference"] is not None:
            known[issue["reference"].path] = issue["reference"]
    changes = {}
    for path, value in edits.items():
        f = known.get(tuple(path))
        if f is None:
            raise InputError(
                file=file,
                field=".".join(str(p) for p in path),
                problem="not an input of this scenario",
                expected="a position, salience, capability or another number of the file",
            )
        if value.strip() != f.value:
            changes[f.path] = _value(value.strip(), f.label)
    if not changes:
        return text
    y = _yaml()
    doc = y.load(text)
    for path, value in changes.items():
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue()
