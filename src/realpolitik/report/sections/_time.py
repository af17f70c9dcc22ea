"""Days, dates and events shared by the sections that draw time (Path, Who gives way)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from realpolitik.report import _format as f

__all__ = ["parse_date", "short_date", "day_label", "event_lines", "event_text"]


def parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def short_date(d: dt.date | None) -> str:
    """``12 Jan 1950``."""
    return "" if d is None else f"{d.day} {d:%b %Y}"


def day_label(day: float | None, start: dt.date | None) -> str:
    """``day 27 (12 Jan 1950)``, or ``day 27`` without a calendar."""
    if day is None:
        return "—"
    if start is None:
        return f.day(day)
    whole = round(day)  # the day and its date agree: both rounded to the nearest day
    return f"{f.day(whole)} ({short_date(start + dt.timedelta(days=whole))})"


def start_of(data: Any) -> dt.date | None:
    """The scenario's day 0, where it has a timeline."""
    time = getattr(data.scenario, "time", None)
    start = getattr(time, "start", None)
    if isinstance(start, dt.date):
        return start
    return parse_date(start) if isinstance(start, str) else None


def event_text(ev: dict[str, Any]) -> str:
    """One event as a sentence: when, what, and what it changed."""
    when = f"Day {f.num(ev.get('day'), 0)}"
    d = parse_date(ev.get("date"))
    if d is not None:
        when += f" ({short_date(d)})"
    text = f"{when}: {ev.get('description', '').strip().rstrip('.')}"
    if ev.get("surprise"):
        text += " — a surprise (not foreseen by the parties)"
    changes = ev.get("changes") or []
    if changes:
        text += "; changes " + ", ".join(
            f"{c.get('path')} {f.exact(c.get('from'))} → {f.exact(c.get('to'))}" for c in changes
        )
    return text + "."


def event_lines(
    ax: Any, events: list[dict[str, Any]], lo: float, hi: float, *, dates: bool = False
) -> list[int]:
    """Mark events whose day lies in [lo, hi] as numbered vertical lines; their indices.

    With ``dates`` the axis is in calendar dates and each event is placed at its ``date``.
    Labels of events close together are staggered downwards so that they stay legible.
    """
    import numpy as np

    shown = []
    last_x, level = None, 0
    gap = 0.035 * (hi - lo) if hi > lo else 0.0
    for k, ev in sorted(enumerate(events), key=lambda kv: kv[1].get("day") or 0.0):
        day = ev.get("day")
        if day is None or not lo <= day <= hi:
            continue
        x: Any = day
        if dates:
            if not ev.get("date"):
                continue
            x = np.datetime64(str(ev["date"])[:10])
        level = level + 1 if last_x is not None and day - last_x < gap else 0
        last_x = day
        colour = "#b8321a" if ev.get("surprise") else "#6b6b6b"
        ax.axvline(x, color=colour, ls=(0, (4, 2)), lw=1.0, zorder=1)
        ax.annotate(
            f"E{k + 1}",
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, -2 - 9 * (level % 6)),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=7,
            color=colour,
        )
        shown.append(k)
    return shown
