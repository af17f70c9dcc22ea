"""Read a YAML file into plain Python data, remembering where every value stood.

ruamel.yaml's round-trip loader keeps line and column numbers on every mapping and sequence;
this module turns its tree into plain dicts, lists, str, int, float, bool and dates, and a
:class:`Locations` map from each value's path (keys and list indices) to its place in the file.

The parser's events are checked as they are made (:class:`_EventCheck`), so that what a scenario
never needs is refused with a located error before anything is built: tags (``!foo``,
``!!python/...``, ``!!binary``, ``!!set``), anchors and aliases (an alias bomb expands
exponentially), merge keys (``<<``), a mapping or list used as a key, nesting deeper than
:data:`MAX_DEPTH`, and characters YAML does not allow (a NUL byte). Every number must be
finite: ``.inf``, ``.nan`` and ``1e400`` are refused where they stand.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from realpolitik.errors import InputError

__all__ = [
    "Locations",
    "read_text",
    "parse_yaml",
    "bool_as_number",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_MAGNITUDE",
]

MAX_BYTES = 10 * 1024 * 1024
#: Nesting of mappings and lists, in levels: a scenario needs about 8 (an event's
#: distribution inside a model's options inside a list inside the document).
MAX_DEPTH = 64
#: The largest magnitude of a number in a scenario, 2**64 (about 1.8e19): room for any seed
#: and any real quantity, and far enough from the float limit (1.8e308) that sums and
#: products of a scenario's numbers in the models cannot overflow.
MAX_MAGNITUDE = float(2**64)

Path_ = tuple[Any, ...]


@dataclass
class Locations:
    """1-based (line, column) of each value, by its path of keys and list indices."""

    places: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def find(self, path: Path_) -> tuple[int | None, int | None]:
        """The place of ``path``, or of its nearest ancestor that the file has."""
        path = tuple(path)
        while path:
            if path in self.places:
                return self.places[path]
            path = path[:-1]
        return self.places.get((), (None, None))


def read_text(path: str | Path, *, display: str | None = None) -> str:
    """The file's text, or a located :class:`InputError` for the file itself.

    Checks, in order: it can be opened, it is a regular file, it is at most 10 MB (bytes
    actually read, see :func:`realpolitik.scenario._read.read_bytes`), and it is UTF-8.
    """
    from realpolitik.scenario._read import read_bytes

    name = display or str(path)
    data = read_bytes(path, display=name, limit=MAX_BYTES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            file=name,
            line=line,
            column=col,
            problem=f"byte 0x{data[exc.start]:02x} is not UTF-8",
            expected="a text file encoded in UTF-8",
        ) from None


def parse_yaml(text: str, *, file: str) -> tuple[Any, Locations]:
    """Parse YAML ``text`` into plain data and its :class:`Locations`."""
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise InputError(file=file, problem="the file is empty", expected="a YAML mapping")
    _check_characters(text, file)
    _check_brackets(text, file)
    yaml = YAML(typ="rt", pure=True)
    yaml.Parser = _checked_parser(file)
    try:
        tree = yaml.load(text)
    except RecursionError:  # pragma: no cover - _check_events bounds the depth first
        raise InputError(
            file=file, problem="the nesting is too deep", expected=f"at most {MAX_DEPTH} levels"
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise InputError(
            file=file,
            line=line,
            column=col,
            problem=f"YAML syntax error: {problem}",
            expected="valid YAML",
        ) from None
    except ValueError:  # a date such as 1950-13-12: ruamel raises it with no place in the file
        line, col, bad = _bad_date(text)
        raise InputError(
            file=file,
            line=line,
            column=col,
            problem=f"{bad!r} is not a date" if bad else "a value that YAML cannot read",
            expected="a real date, YYYY-MM-DD" if bad else "valid YAML",
        ) from None
    except YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise InputError(file=file, problem=f"YAML error: {first}", expected="valid YAML") from None
    locs = Locations()
    locs.places[()] = (1, 1)
    bad: list[tuple[Path_, Any]] = []
    data = _plain(tree, (), locs, bad)
    if bad:
        path, value = bad[0]
        line, col = locs.find(path)
        what = {"problem": f"got {value}"} if isinstance(value, str) else {"value": value}
        raise InputError(
            file=file,
            line=line,
            column=col,
            field=_display(data, path) or None,
            expected="a finite number, at most 2^64 (about 1.8e19) in magnitude",
            **what,
        )
    return data, locs


def _display(data: Any, path: Path_) -> str:
    """The dotted path, list items named by their ``id`` (as the loader's messages do)."""
    parts: list[str] = []
    node = data
    for key in path:
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            parts.append(ident if isinstance(ident, str) and ident else str(key))
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


# C0 controls but tab, LF and CR; DEL; C1 controls but NEL; surrogates; U+FFFE and U+FFFF:
# the characters that YAML 1.2 does not allow in a stream (§5.1).
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _check_characters(text: str, file: str) -> None:
    m = _BAD_CHAR.search(text)
    if m is None:
        return
    line = text.count("\n", 0, m.start()) + 1
    col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    raise InputError(
        file=file,
        line=line,
        column=col,
        problem=f"the control character U+{ord(m.group()):04X}",
        expected="printable text (YAML allows no control characters but tab and newline)",
    )


_BRACKETS = re.compile(r"""[\[\]{}]|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|(?<!\S)#[^\n]*""")


def _check_brackets(text: str, file: str) -> None:
    """A fast first look at flow nesting (``[[[[...``), which the parser's scanner handles in
    quadratic time: far past :data:`MAX_DEPTH`, refuse before parsing. Quoted text and
    comments are skipped; the exact check is the parser's (:class:`_EventCheck`)."""
    if text.count("[") + text.count("{") <= 4 * MAX_DEPTH:
        return
    depth = first = 0  # first: where the nesting last went past MAX_DEPTH
    for m in _BRACKETS.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            first = m.start() if depth == MAX_DEPTH + 1 else first
            if depth > 4 * MAX_DEPTH:
                line = text.count("\n", 0, first) + 1
                col = first - (text.rfind("\n", 0, first) + 1) + 1
                raise InputError(
                    file=file,
                    line=line,
                    column=col,
                    problem=f"nesting deeper than {MAX_DEPTH} levels",
                    expected=f"mappings and lists nested at most {MAX_DEPTH} deep",
                )
        elif c in "]}":
            depth = max(0, depth - 1)


def _event_error(event: Any, file: str, **kw: Any) -> InputError:
    mark = event.start_mark
    return InputError(file=file, line=mark.line + 1, column=mark.column + 1, **kw)


class _EventCheck:
    """Refuse tags, anchors, aliases, merge keys, collection keys and deep nesting, event by
    event as the parser makes them: a nesting or alias bomb stops at its first bad event."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.stack: list[list[Any]] = []  # [is_mapping, number of nodes seen in it]

    def check(self, event: Any) -> None:
        from ruamel.yaml.events import (
            AliasEvent,
            CollectionEndEvent,
            CollectionStartEvent,
            MappingStartEvent,
            NodeEvent,
            ScalarEvent,
        )

        stack, file = self.stack, self.file
        if isinstance(event, CollectionEndEvent):
            if stack:
                stack.pop()
            return
        if not isinstance(event, NodeEvent):
            return
        is_key = bool(stack) and stack[-1][0] and stack[-1][1] % 2 == 0
        if stack:
            stack[-1][1] += 1
        if isinstance(event, AliasEvent):
            raise _event_error(
                event,
                file,
                problem=f"the alias *{event.anchor}",
                expected="each value written out (anchors and aliases are not supported)",
            )
        if event.anchor is not None:
            raise _event_error(
                event,
                file,
                problem=f"the anchor &{event.anchor}",
                expected="each value written out (anchors and aliases are not supported)",
            )
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", True)
        explicit = implicit is False or (isinstance(implicit, tuple) and not any(implicit))
        if tag is not None and (explicit or isinstance(event, CollectionStartEvent)):
            raise _event_error(
                event,
                file,
                problem=f"the tag {_short_tag(tag)}",
                expected="a plain value (YAML tags are not supported)",
            )
        if is_key and not isinstance(event, ScalarEvent):
            kind = "mapping" if isinstance(event, MappingStartEvent) else "list"
            raise _event_error(
                event,
                file,
                problem=f"a {kind} used as a key",
                expected="a plain key (a name or a number)",
            )
        if isinstance(event, ScalarEvent) and is_key and event.value == "<<" and not event.style:
            raise _event_error(
                event,
                file,
                problem="the merge key <<",
                expected="each key written out (merge keys are not supported)",
            )
        if isinstance(event, CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _event_error(
                    event,
                    file,
                    problem=f"nesting deeper than {MAX_DEPTH} levels",
                    expected=f"mappings and lists nested at most {MAX_DEPTH} deep",
                )
            stack.append([isinstance(event, MappingStartEvent), 0])


def _checked_parser(file: str) -> type:
    """ruamel's round-trip parser, with every event it hands on checked first."""
    from ruamel.yaml.parser import RoundTripParser

    checker = _EventCheck(file)

    class _CheckedParser(RoundTripParser):
        def get_event(self) -> Any:
            event = super().get_event()
            checker.check(event)
            return event

    return _CheckedParser


def _short_tag(tag: Any) -> str:
    text = str(getattr(tag, "value", tag) or "!")
    if text.startswith("tag:yaml.org,2002:"):
        text = "!!" + text[len("tag:yaml.org,2002:") :]
    return text if len(text) <= 40 else text[:39] + "…"


_DATE = re.compile(r"(?<![\w.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w.:-])")


def _bad_date(text: str) -> tuple[int | None, int | None, str | None]:
    """The line, column and text of the first date-like value that is no date."""
    for n, ln in enumerate(text.splitlines(), 1):
        code = ln.split("#", 1)[0]
        for m in _DATE.finditer(code):
            try:
                _dt.date(*(int(g) for g in m.groups()))
            except ValueError:
                return n, m.start() + 1, m.group(0)
    return None, None, None


def _plain(node: Any, path: Path_, locs: Locations, bad: list[tuple[Path_, Any]]) -> Any:
    if isinstance(node, CommentedMap):
        out = {}
        for key in node:
            try:
                line, col = node.lc.value(key)
            except (KeyError, TypeError, IndexError):  # pragma: no cover
                line, col = node.lc.key(key)
            pkey = _scalar(key)
            locs.places[(*path, pkey)] = (line + 1, col + 1)
            _finite(pkey, (*path, pkey), bad)
            out[pkey] = _plain(node[key], (*path, pkey), locs, bad)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            locs.places[(*path, i)] = (line + 1, col + 1)
            out_list.append(_plain(item, (*path, i), locs, bad))
        return out_list
    value = _scalar(node)
    _finite(value, path, bad)
    return value


def _finite(value: Any, path: Path_, bad: list[tuple[Path_, Any]]) -> None:
    """Note ``.inf``, ``.nan``, ``1e400`` and numbers past :data:`MAX_MAGNITUDE`."""
    if bad or isinstance(value, bool):
        return
    if isinstance(value, float) and not math.isfinite(value):
        bad.append((path, value))
    elif isinstance(value, (int, float)) and abs(value) > MAX_MAGNITUDE:
        digits = len(str(abs(value))) if isinstance(value, int) else 0
        bad.append((path, f"a whole number of {digits} digits" if digits > 20 else value))


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, _dt.date):
        return _dt.date(value.year, value.month, value.day)
    return value


def bool_as_number(raw: Any, validated: Any, path: Path_ = ()) -> Path_ | None:
    """The first path where ``raw`` holds ``true``/``false`` and the validated data (a
    pydantic ``model_dump()``) a number: pydantic's lax mode reads ``true`` as 1, but a
    boolean is never a scenario's number."""
    if isinstance(raw, bool):
        is_number = isinstance(validated, (int, float)) and not isinstance(validated, bool)
        return path if is_number else None
    if isinstance(raw, dict) and isinstance(validated, dict):
        for key, value in raw.items():
            if key in validated:
                found = bool_as_number(value, validated[key], (*path, key))
                if found is not None:
                    return found
    elif isinstance(raw, list) and isinstance(validated, list) and len(raw) == len(validated):
        for i, (a, b) in enumerate(zip(raw, validated, strict=True)):
            found = bool_as_number(a, b, (*path, i))
            if found is not None:
                return found
    return None
