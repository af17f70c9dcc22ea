"""The timeline's scheduled events that change the airlift (DESIGN "The timeline").

A scenario's ``events`` (:mod:`realpolitik.contracts.blocks`) may name these paths, next to the
bargaining parameters; their day counts from ``time.start`` and may be fractional (hours):

``airlift.airfields.<field>.open``
    ``set`` 1: the receiving airfield is open from that day on (e.g. Tegel, 5 Nov 1948);
    ``set`` 0: closed from that day on.
``airlift.airfields.<field>.landing_interval``
    the field's landing interval in minutes from that day on (``set``, ``add``, ``scale``).
``airlift.weather.closed``
    ``set`` 1: every receiving airfield is closed (fog) from that moment, until an event
    sets it back to 0; aircraft then wait on the ground, and those arriving fly back loaded.
``airlift.weather.ifr``
    ``set`` 1: every day from that moment is a day of instrument conditions, until an event
    sets it back to 0 (then the monthly draw applies again).

The airlift reads them as :class:`AirliftChange` s (hours from the airlift's start) through
:func:`airlift_changes`; :mod:`._airlift_plan` applies them to its daily arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AirliftChange",
    "FORMS",
    "airlift_changes",
    "check_change",
    "current_value",
    "parse_airlift_path",
]

FORMS = (
    "airlift.airfields.<field>.open, airlift.airfields.<field>.landing_interval, "
    "airlift.weather.closed or airlift.weather.ifr"
)
_SWITCHES = ("open", "closed", "ifr")


@dataclass(frozen=True)
class AirliftChange:
    """One change: at ``hour`` (from the airlift's start), ``what`` (open, landing_interval,
    closed, ifr) of ``field`` (None for the weather) by ``op`` with ``value``."""

    hour: float
    what: str
    field: str | None
    op: str
    value: float


def _split(path: str) -> tuple[str, str | None]:
    parts = path.split(".")
    if len(parts) == 4 and parts[1] == "airfields" and parts[3] in ("open", "landing_interval"):
        return parts[3], parts[2]
    if len(parts) == 3 and parts[1] == "weather" and parts[2] in ("closed", "ifr"):
        return parts[2], None
    return "", None


def parse_airlift_path(path: str, scenario: Any) -> tuple[str, str | None]:
    """``(what, field)`` of an ``airlift.`` path; ValueError(problem, expected) if invalid."""
    cfg = getattr(scenario, "airlift", None)
    if cfg is None:
        raise ValueError("the scenario has no `airlift` block", "a path into a block it has")
    what, field = _split(path)
    if not what:
        raise ValueError(f"unknown field {path!r}", f"a path of the form {FORMS}")
    if field is not None and field not in cfg.airfields:
        raise ValueError(f"unknown airfield {field!r}", "one of: " + ", ".join(cfg.airfields))
    return what, field


def check_change(what: str, op: str, value: float) -> str | None:
    """What would be valid instead, or None if ``op value`` is a valid change of ``what``."""
    if what in _SWITCHES and (op != "set" or value not in (0.0, 1.0)):
        return f"`set` 1 or 0 (airlift {what}: on or off)"
    if what == "landing_interval":
        if op == "set" and not value > 0:
            return "an interval > 0 minutes"
        if op == "scale" and not value > 0:
            return "a factor > 0"
    return None


def current_value(scenario: Any, what: str, field: str | None) -> float:
    """The value at the airlift's start (the ``from`` of the first change in a report)."""
    cfg = scenario.airlift
    if what == "open":
        return 1.0 if cfg.airfields[field].open else 0.0
    if what == "landing_interval":
        return float(cfg.airfields[field].landing_interval[0].minutes)
    return 0.0  # closed, ifr: off unless an event turns them on


def airlift_changes(scenario: Any) -> tuple[AirliftChange, ...]:
    """The scenario's events that change its airlift, in the timeline's order."""
    cfg = getattr(scenario, "airlift", None)
    if cfg is None:
        return ()
    time = getattr(scenario, "time", None)
    origin = time.start if time is not None else cfg.start
    offset = (cfg.start - origin).days  # scenario day of the airlift's day 0
    out = []
    for k, ev in enumerate(getattr(scenario, "events", None) or []):
        day = float(ev.day) if ev.day is not None else float((ev.date - origin).days)
        for op in ("set", "add", "scale"):
            for path, value in getattr(ev, op).items():
                if not path.startswith("airlift."):
                    continue
                what, field = _split(path)
                out.append((day, k, AirliftChange((day - offset) * 24.0, what, field, op, value)))
    out.sort(key=lambda t: (t[0], t[1]))
    return tuple(c for _, _, c in out)
