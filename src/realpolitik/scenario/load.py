"""Load a scenario from a file, a bundled id or a string, with located errors.

``load(source)`` accepts a path or the id of a bundled scenario (``moscow-1949``). Every
problem is raised as an :class:`~realpolitik.errors.InputError` whose message begins
``FILE:LINE:COLUMN:`` and names the field path in the scenario's own keys, with list items
named by their ``id`` (``issues.railway.positions.stalin``).

The loader checks the scenario's own fields (ids, scales, positions, saliences, the outcome).
The checks that need a higher layer (the model names against the registry, the timeline's
events and crisis blocks, the airlift, the ensemble's uncertainty) are registered by that
layer (:func:`register_check`; :mod:`realpolitik.api` registers every one, and the public
API imports it) or passed in as ``checks``: callables ``check(doc)`` that raise located
errors through :meth:`Document.error`. This package imports none of them
(docs/architecture.md, "Layers").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from realpolitik.errors import InputError, show_value
from realpolitik.scenario._read import missing
from realpolitik.scenario._yaml import Locations, bool_as_number, parse_yaml, read_text
from realpolitik.scenario.distributions import extract
from realpolitik.scenario.schema import Scenario, Source, Uncertain

__all__ = [
    "Check",
    "Document",
    "load",
    "loads",
    "load_document",
    "loads_document",
    "bundled",
    "bundled_path",
    "check",
    "register_check",
    "run_checks",
    "revalidate",
    "display_path",
    "locate",
    "schema_error",
    "value_at",
]


@dataclass(frozen=True)
class Document:
    """A loaded scenario with what is needed to locate later errors in its file."""

    scenario: Scenario
    text: str
    file: str
    data: Any
    locations: Locations

    def error(self, path: tuple[Any, ...], **kw: Any) -> InputError:
        """An :class:`InputError` located at ``path`` (keys and list indices) in this file."""
        return locate(self.data, self.locations, self.file, path, **kw)


Check = Callable[[Document], None]
"""A check across fields that a layer above the scenario supplies (see the module docstring)."""

_REGISTERED: list[Check] = []


def register_check(check: Check) -> Check:
    """Run ``check(doc)`` on every scenario loaded or changed from now on (once each)."""
    if check not in _REGISTERED:
        _REGISTERED.append(check)
    return check


def run_checks(doc: Document, checks: Sequence[Check] = ()) -> None:
    """The scenario's own checks, then the registered ones, then ``checks``."""
    check(doc)
    for more in dict.fromkeys((*_REGISTERED, *checks)):
        more(doc)


def revalidate(
    data: dict[str, Any], *, distributions: tuple[Any, ...] = (), source: Any = None
) -> Scenario:
    """A scenario from changed data (``Scenario.replace`` and ``what_if``), validated and
    checked as a loaded file is; errors name the field path (there is no file to locate)."""
    data = {k: v for k, v in data.items() if k != "distributions"}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise schema_error(exc, data, Locations(), None) from None  # type: ignore[arg-type]
    scenario = scenario.model_copy(update={"distributions": tuple(distributions), "source": source})
    doc = Document(scenario=scenario, text="", file=None, data=data, locations=Locations())  # type: ignore[arg-type]
    run_checks(doc, ())
    return scenario


def bundled() -> list[str]:
    """The ids of the bundled scenarios."""
    root = resources.files("realpolitik") / "scenarios"
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def bundled_path(name: str) -> Path | None:
    """The file of bundled scenario ``name``, or None."""
    if name not in bundled():  # also keeps odd names (too long, NUL) away from the file system
        return None
    path = resources.files("realpolitik") / "scenarios" / f"{name}.yaml"
    return Path(str(path))


def load(source: str | Path, *, checks: Sequence[Check] = ()) -> Scenario:
    """Load a scenario from a path or a bundled scenario's id."""
    return load_document(source, checks=checks).scenario


def load_document(source: str | Path, *, checks: Sequence[Check] = ()) -> Document:
    """Load a scenario file (or bundled id) into a :class:`Document`."""
    name = str(source)
    if not name.strip():  # Path("") is the current folder
        raise InputError(
            file=repr(name), problem="an empty path", expected="a scenario file or a bundled id"
        )
    path = Path(source)
    if missing(path) and (found := bundled_path(name)) is not None:
        path = found
    elif missing(path):
        known = ", ".join(bundled())
        raise InputError(
            file=name,
            problem="no such file or bundled scenario",
            expected=f"a path to a scenario file, or one of the bundled scenarios: {known}",
        )
    text = read_text(path, display=name)
    return loads_document(text, file=name, checks=checks)


def loads(text: str, *, file: str = "<string>", checks: Sequence[Check] = ()) -> Scenario:
    """Load a scenario from YAML text."""
    return loads_document(text, file=file, checks=checks).scenario


# Keys the loader sets: a file that writes them is refused.
_DERIVED = {"distributions": "the loader lists the file's distributions itself",
            "source": "the loader keeps the file's name and text itself"}  # fmt: skip


def loads_document(text: str, *, file: str = "<string>", checks: Sequence[Check] = ()) -> Document:
    """Parse, validate and check YAML text (``checks``: see the module docstring)."""
    data, locs = parse_yaml(text, file=file)
    if not isinstance(data, dict):
        from realpolitik.scenario.importers import detect_format

        fmt = detect_format(text)  # e.g. `validate` on a KTAB file
        hint = f" (this is a {fmt} file: `realpolitik import {fmt}` converts it)"
        expected = "a YAML mapping of scenario keys" + ("" if fmt == "scenario" else hint)
        raise locate(data, locs, file, (), value=data, expected=expected)
    for key, why in _DERIVED.items():
        if key in data:
            raise locate(data, locs, file, (key,), problem=f"the key {key!r} in a file",
                         expected=f"no {key!r} key ({why})")  # fmt: skip
    raw = data  # each {dist: ...} becomes its median; the distributions are kept
    data, found = extract(raw, error=lambda path, **kw: locate(raw, locs, file, path, **kw))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise schema_error(exc, data, locs, file) from None
    if (where := bool_as_number(data, scenario.model_dump())) is not None:
        raise locate(data, locs, file, where, value=value_at(data, where), expected="a number")
    kept = []
    for f in found:
        line, col = locs.find(f.path)
        name = display_path(data, f.path)
        kept.append(
            Uncertain(path=f.path, name=name, dist=f.dist, file=file, line=line, column=col)
        )
    scenario = scenario.model_copy(
        update={"distributions": tuple(kept), "source": Source(file=file, text=text)}
    )
    doc = Document(scenario=scenario, text=text, file=file, data=data, locations=locs)
    run_checks(doc, checks)
    return doc


# -- paths and locations -------------------------------------------------------------------


def display_path(data: Any, path: tuple[Any, ...]) -> str:
    """``('issues', 1, 'positions', 'stalin')`` as ``issues.railway.positions.stalin``."""
    parts: list[str] = []
    node = data
    for key in path:
        if isinstance(node, list) and isinstance(key, int):
            item = node[key] if 0 <= key < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            parts.append(str(ident) if isinstance(ident, str) and ident else str(key))
            node = item
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def locate(data: Any, locs: Locations, file: str, path: tuple[Any, ...], **kw: Any) -> InputError:
    line, col = locs.find(path)
    return InputError(
        file=file, line=line, column=col, field=display_path(data, path) or None, **kw
    )


def value_at(data: Any, path: tuple[Any, ...]) -> Any:
    """The item of ``data`` at ``path`` (keys and list indices)."""
    for key in path:
        data = data[key]
    return data


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Keep the parts of a pydantic ``loc`` that are keys or indices of the data."""
    out: list[Any] = []
    node = data
    for key in loc:
        if isinstance(node, dict) and key in node:
            out.append(key)
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            out.append(key)
            node = node[key]
        elif (
            isinstance(node, dict)
            and isinstance(key, str)
            and not key[:1].isupper()
            and ("[" not in key)
        ):
            out.append(key)  # a missing field: name it, located at its parent
            node = None
    return tuple(out)


_EXPECTED = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "too_short": "at least one entry",
    "date_type": "a date as YYYY-MM-DD",
    "date_parsing": "a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "a date as YYYY-MM-DD",
}


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The keys allowed in the mapping at ``loc`` (the parent of an unknown key)."""
    import typing

    current: Any = model
    for key in loc:
        if isinstance(key, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(key)
        if field is None:
            return None
        current = _model_in(field.annotation, typing)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return None


def _model_in(annotation: Any, typing: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg, typing)
        if found is not None:
            return found
    return None


def schema_error(exc: ValidationError, data: Any, locs: Locations, file: str) -> InputError:
    """The first error pydantic found in ``data``, located in the file."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    path = _data_path(data, loc)
    kind = err["type"]
    if kind == "missing":
        return locate(
            data,
            locs,
            file,
            path[:-1] if path else path,
            problem=f"required field {loc[-1]!r} is missing",
            expected=f"a {loc[-1]!r} field here",
        ).located(field=display_path(data, path))
    if kind == "extra_forbidden":
        allowed = _allowed_keys(Scenario, loc[:-1])
        return locate(
            data,
            locs,
            file,
            path,
            problem=f"unknown key {loc[-1]!r}",
            expected="one of: " + ", ".join(allowed) if allowed else "a known key",
        )
    ctx = err.get("ctx") or {}
    if kind == "too_long":  # e.g. more actors than MAX_ACTORS
        return locate(
            data,
            locs,
            file,
            path,
            problem=f"{ctx.get('actual_length')} entries",
            expected=f"at most {ctx.get('max_length'):,} entries",
        )
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {
            "greater_than": ">",
            "greater_than_equal": "≥",
            "less_than": "<",
            "less_than_equal": "≤",
        }[kind]
        bound = next(iter(ctx.values()), "")
        expected = f"a number {sign} {show_value(bound)}"  # 36500, not 36500.0
    elif kind in _EXPECTED:
        expected = _EXPECTED[kind]
    else:
        expected = err["msg"][0].lower() + err["msg"][1:]
    return locate(data, locs, file, path, value=err.get("input"), expected=expected)


# -- checks across fields ------------------------------------------------------------------


def check(doc: Document) -> None:
    """Checks that need more than one field; raise the first problem found.

    Duplicate ids; positions, saliences and reference points against their issue's scale and
    actors; at least 2 positioned actors per issue; the recorded outcome.
    """
    sc = doc.scenario
    _unique(doc, "actors", [a.id for a in sc.actors])
    _unique(doc, "issues", [i.id for i in sc.issues])
    declared = set(sc.actor_ids)
    for j, issue in enumerate(sc.issues):
        _check_issue(doc, j, issue, declared)
    if sc.outcome is not None:
        for issue_id, value in sc.outcome.issues.items():
            path = ("outcome", "issues", issue_id)
            if issue_id not in sc.issue_ids:
                raise doc.error(
                    path,
                    problem=f"unknown issue {issue_id!r}",
                    expected="one of the issue ids: " + ", ".join(sc.issue_ids),
                )
            _within(doc, path, value, sc.issue(issue_id))


def _unique(doc: Document, key: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for k, ident in enumerate(ids):
        if ident in seen:
            raise doc.error(
                (key, k, "id"),
                value=ident,
                expected=f"a unique id: {ident!r} is used by an earlier entry",
            )
        seen.add(ident)


def _within(doc: Document, path: tuple[Any, ...], value: float, issue: Any) -> None:
    lo, hi = issue.scale.min, issue.scale.max
    if not lo <= value <= hi:
        raise doc.error(
            path,
            value=value,
            expected=f"a value within the scale of {issue.id!r}, {lo:g} to {hi:g} ({issue.unit})",
        )


def _check_issue(doc: Document, j: int, issue: Any, declared: set[str]) -> None:
    base = ("issues", j)
    scale = issue.scale
    if not scale.max > scale.min:
        raise doc.error(
            (*base, "scale", "max"),
            value=scale.max,
            expected=f"a maximum greater than the minimum {scale.min:g}",
        )
    for point in scale.anchors:
        _within(doc, (*base, "scale", "anchors", point), point, issue)
    for actor, pos in issue.positions.items():
        path = (*base, "positions", actor)
        if actor not in declared:
            raise doc.error(
                path,
                problem=f"actor {actor!r} is not declared",
                expected="an id from `actors`: " + ", ".join(sorted(declared)),
            )
        _within(doc, path, pos, issue)
        if actor not in issue.saliences:
            raise doc.error(
                (*base, "saliences"),
                problem=f"no salience for actor {actor!r}",
                expected="a salience (0-1) for every actor with a position",
            )
    for actor, sal in issue.saliences.items():
        path = (*base, "saliences", actor)
        if actor not in issue.positions:
            what = "is not declared" if actor not in declared else "has no position"
            raise doc.error(
                path,
                problem=f"actor {actor!r} {what}",
                expected="saliences only for actors with a position on this issue",
            )
        if not 0.0 <= sal <= 1.0:
            raise doc.error(path, value=sal, expected="a salience between 0 and 1")
    if len(issue.positions) < 2:
        raise doc.error(
            (*base, "positions"),
            problem=f"{len(issue.positions)} positioned actor(s)",
            expected="at least 2 actors with a position on each issue",
        )
    if issue.reference_point is not None:
        _within(doc, (*base, "reference_point"), issue.reference_point, issue)
