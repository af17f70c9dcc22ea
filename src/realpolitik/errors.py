"""Errors that are part of the interface: located, one paragraph, exit status 2.

Every malformed input raises :class:`InputError`. The command line prints ``str(error)`` to
standard error and exits with status 2; no traceback is shown. The message reads::

    FILE:LINE:COLUMN: FIELD.PATH: got VALUE; expected WHAT

with ``FILE: `` alone where the file itself is at fault (missing, a directory, too large), and
no file at all for a command-line argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["InputError", "EXIT_INPUT", "show_value"]

EXIT_INPUT = 2
_MISSING = object()


def show_value(value: Any, limit: int = 60) -> str:
    """A short, unambiguous rendering of an offending value."""
    if isinstance(value, bool):  # as YAML and JSON spell it
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class InputError(Exception):
    """Bad input, located as precisely as the input allows.

    ``file`` the path as the user gave it; ``line``/``column`` 1-based, or None where the
    file as a whole is at fault; ``field`` the dotted path in the scenario's own keys (e.g.
    ``issues.railway.positions.stalin``); ``value`` the offending value; ``expected`` what
    would have been accepted. ``problem`` replaces the "got VALUE" part where no single value
    is at fault (e.g. "the file is empty").
    """

    expected: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    value: Any = _MISSING
    problem: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}:{self.column or 1}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        if self.problem is not None:
            what = self.problem
        elif self.value is not _MISSING:
            what = f"got {show_value(self.value)}"
        else:
            what = "missing"
        text = f"{where}{field}{what}; expected {self.expected}"
        # One line always: a key or value of the input may hold a line break.
        return text.replace("\r", "\\r").replace("\n", "\\n")

    def located(self, **where: Any) -> InputError:
        """A copy with location fields filled in where they were still unknown."""
        fields = dict(self.__dict__)
        for key, val in where.items():
            if fields.get(key) is None:
                fields[key] = val
        fields.pop("args", None)
        return InputError(**{k: fields[k] for k in _FIELDS})


_FIELDS = ("expected", "file", "line", "column", "field", "value", "problem")
