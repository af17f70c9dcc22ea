"""Numbers and words for the report's prose: every number with its unit, few digits.

The report states numbers the way an analyst writes them: ``49.0 points``, ``US$300 million``
as ``300 million US$`` (the issue's own unit follows the number), ``78%``, ``day 21``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["num", "exact", "with_unit", "pct", "span", "day", "listing", "plural", "signed"]


def num(value: float | None, digits: int | None = None) -> str:
    """A number with as few digits as its size needs; an em dash for a missing one.

    By default: whole numbers above 1,000, one decimal from 1 up, two significant digits
    below 1, and ``0`` for zero.
    """
    if value is None or not math.isfinite(value):
        return "—"
    if digits is None:
        size = abs(value)
        if size == 0:
            return "0"
        digits = 0 if size >= 1000 else 1 if size >= 1 else max(1, 1 - math.floor(math.log10(size)))
    text = f"{value:,.{digits}f}"
    if set(text) <= set("-0.,"):
        return "0"
    return text.replace("-", "−")


def exact(value: float | None) -> str:
    """An input as the scenario gives it: ``0``, ``2.5``, ``1,000`` (no padding zeros)."""
    if value is None or not math.isfinite(value):
        return "—"
    if float(value).is_integer():
        return f"{value:,.0f}".replace("-", "−")
    return f"{value:,.6g}".replace("-", "−")


def signed(value: float | None, digits: int | None = None) -> str:
    """``+2.0`` or ``−3.5``: a difference with its sign."""
    if value is None or not math.isfinite(value):
        return "—"
    text = num(abs(value), digits)
    return ("+" if value >= 0 else "−") + text


def with_unit(
    value: float | None, unit: str, digits: int | None = None, *, as_given: bool = False
) -> str:
    """``49.0 points``; a unit that starts with ``%`` follows without a space.

    ``as_given`` formats an input (a recorded outcome, a scale point) with :func:`exact`.
    """
    text = exact(value) if as_given else num(value, digits)
    if text == "—" or not unit:
        return text
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


def pct(p: float | None) -> str:
    """A probability as a percentage: ``78%``, ``<1%`` and ``>99%`` at the ends."""
    if p is None or not math.isfinite(p):
        return "—"
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 < p < 1:
        return ">99%"
    return f"{100 * p:.0f}%"


def span(lo: float | None, hi: float | None, unit: str = "", digits: int | None = None) -> str:
    """An interval ``9–44 days`` (the unit once, after the upper end)."""
    if lo is None or hi is None:
        return "—"
    if digits is None:
        size = max(abs(lo), abs(hi))
        digits = 0 if size >= 1000 else 1 if size >= 1 else 2
    return _pair(num(lo, digits), num(hi, digits), unit)


def _pair(lo: str, hi: str, unit: str) -> str:
    if not unit:
        return f"{lo}–{hi}"
    return f"{lo}–{hi}{unit}" if unit.startswith("%") else f"{lo}–{hi} {unit}"


def day(value: float | None) -> str:
    """``day 21`` (days rounded to whole days)."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"day {value:,.0f}"


def listing(items: Iterable[str], conj: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 run``, ``1,000 runs``."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"
