"""Read a YAML file into plain Python data, remembering where every value stood.

ruamel.yaml's round-trip loader keeps line and column numbers on every mapping and sequence;
this module turns its tree into plain dicts, lists, str, int, float, bool and dates, and a
:class:`Locations` map from each value's path (keys and list indices) to its place in the file.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from realpolitik.errors import InputError

__all__ = ["Locations", "read_text", "parse_yaml", "MAX_BYTES"]

MAX_BYTES = 10 * 1024 * 1024

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

    Checks, in order: it exists, it is a regular file, it is at most 10 MB, and it is UTF-8.
    """
    name = display or str(path)
    p = Path(path)
    if not p.exists():
        raise InputError(file=name, problem="no such file", expected="a path to a readable file")
    if p.is_dir():
        raise InputError(
            file=name, problem="this is a directory", expected="a path to a file, not a folder"
        )
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            file=name,
            problem=f"the file is {size / 1e6:.1f} MB",
            expected="a file of at most 10 MB",
        )
    data = p.read_bytes()
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
    yaml = YAML(typ="rt", pure=True)
    try:
        tree = yaml.load(text)
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
        raise InputError(file=file, problem=f"YAML error: {exc}", expected="valid YAML") from None
    locs = Locations()
    locs.places[()] = (1, 1)
    return _plain(tree, (), locs), locs


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


def _plain(node: Any, path: Path_, locs: Locations) -> Any:
    if isinstance(node, CommentedMap):
        out = {}
        for key in node:
            try:
                line, col = node.lc.value(key)
            except (KeyError, TypeError, IndexError):  # pragma: no cover
                line, col = node.lc.key(key)
            pkey = _scalar(key)
            locs.places[(*path, pkey)] = (line + 1, col + 1)
            out[pkey] = _plain(node[key], (*path, pkey), locs)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            locs.places[(*path, i)] = (line + 1, col + 1)
            out_list.append(_plain(item, (*path, i), locs))
        return out_list
    return _scalar(node)


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
