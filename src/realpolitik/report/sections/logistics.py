"""Section 5, Logistics: tons a day against need, and the city's stocks (the airlift).

Each logistics model's result is shown by its registered view (:func:`logistics_view`); a
model without one gets its totals as a table. The airlift view draws the daily table where
the result has one (``daily``: date, tons, stocks_days, shortfall) and the monthly tonnage
otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from realpolitik.models import get
from realpolitik.models._registry import UnknownModelError
from realpolitik.report import _format as f
from realpolitik.report._blocks import Heading, Section, Table, Text
from realpolitik.report._charts import chart
from realpolitik.report.data import ReportData
from realpolitik.report.sections import logistics_view, logistics_views, section
from realpolitik.report.sections._time import event_lines, short_date

__all__ = ["logistics_section", "airlift_view", "NEED_TONS"]

#: The minimum daily need of West Berlin in short tons: 1,534 t of food and 3,475 t of coal
#: and fuel (docs/history/berlin.md). Used only when the result does not carry its need.
NEED_TONS = 5009.0


@section("logistics", "Logistics", order=50)
def logistics_section(data: ReportData) -> Section | None:
    if not data.logistics:
        return None
    views = logistics_views()
    sec = Section(id="logistics", title="Logistics")
    for name, result in data.logistics.items():
        blocks, headlines = views.get(name, _generic)(data, name, result)
        sec.blocks += blocks
        sec.headlines += headlines
    return sec


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(str(text)[:10])


@logistics_view("airlift")
def airlift_view(data: ReportData, name: str, result: dict[str, Any]):
    total = result.get("total") or {}
    need = float(result.get("need") or NEED_TONS)
    blocks: list = [Heading("Airlift: tons a day against the city's need", anchor="airlift")]
    text = (
        f"Over the whole period the airlift delivers **{f.num(total.get('tons'))} short tons** "
        f"in {f.exact(total.get('flights'))} flights."
    )
    trace = data.traces.get(name) if isinstance(data.traces.get(name), dict) else {}
    daily = result.get("daily") or trace.get("daily") or []
    low = result.get("lowest_stocks")
    if daily:
        dates = [_d(r["date"]) for r in daily]
        tons = np.array([r.get("tons", 0.0) for r in daily], dtype=float)
        stocks = np.array([r.get("stocks_days", np.nan) for r in daily], dtype=float)
        short = tons < need
        above = np.flatnonzero(~short)
        text += (
            f" Deliveries fall short of the minimum need of {f.num(need)} t a day on "
            f"{f.plural(int(short.sum()), 'day')} of {len(daily):,}"
        )
        if above.size:
            text += f"; they first meet it on {short_date(dates[int(above[0])])}"
        text += "."
        if np.isfinite(stocks).any():
            k = int(np.nanargmin(stocks))
            text += (
                f" The city's stocks are lowest on {short_date(dates[k])}: "
                f"{f.num(stocks[k])} days of need."
            )
    else:
        if result.get("shortfall_days") is not None:
            text += (
                f" Deliveries fall short of need on {f.plural(result['shortfall_days'], 'day')}."
            )
        if low:
            text += (
                f" The city's stocks are lowest on {short_date(_d(low['date']))}: "
                f"{f.num(low['days'])} days of need."
            )
    blocks.append(Text(text))
    headline = (
        f"**Airlift**: {f.num(total.get('tons'))} short tons in {f.exact(total.get('flights'))} "
        "flights"
    )
    if low or daily:
        headline += "; lowest stocks " + (
            f"{f.num(low['days'])} days of need" if low else "in the daily table"
        )
    if daily:
        blocks.append(_daily_chart(data, name, daily, need))
    elif result.get("monthly"):
        blocks.append(_monthly_chart(data, name, result["monthly"], need))
    if result.get("monthly"):
        blocks.append(
            Table(
                header=("Month", "Short tons", "Flights", "Tons a day"),
                rows=tuple(
                    (
                        m["month"],
                        f.num(m["tons"]),
                        f.exact(m["flights"]),
                        f.num(m["tons"] / _days_in(m["month"])),
                    )
                    for m in result["monthly"]
                ),
                caption="Tonnage and flights per calendar month (short tons, as in the "
                "sources); tons a day is the month's total over its days.",
                align=("l", "r", "r", "r"),
            )
        )
    return blocks, [headline + "."]


def _days_in(month: str) -> int:
    y, m = int(month[:4]), int(month[5:7])
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - dt.date(y, m, 1)).days


def _daily_chart(data: ReportData, name: str, daily, need: float):
    dates = np.array([np.datetime64(r["date"][:10]) for r in daily])
    tons = np.array([r.get("tons", 0.0) for r in daily], dtype=float)
    stocks = np.array([r.get("stocks_days", np.nan) for r in daily], dtype=float)

    def draw(fig: Figure) -> None:
        ax1, ax2 = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
        ax1.plot(dates, tons, color="#0072B2", lw=0.8, label="delivered")
        week = _rolling_mean(tons, 7)
        ax1.plot(dates, week, color="#003f6b", lw=1.8, label="7-day mean")
        ax1.axhline(need, color="#b8321a", ls="--", lw=1.2, label=f"need ({f.num(need)} t)")
        ax1.set_ylabel("short tons a day")
        ax1.grid(axis="y")
        fig.legend(*ax1.get_legend_handles_labels(), loc="outside lower center", ncol=3)
        ax2.fill_between(dates, stocks, color="#009E73", alpha=0.5, step="post")
        ax2.set_ylabel("stocks (days of need)")
        ax2.set_ylim(bottom=0)
        ax2.grid(axis="y")
        if data.events:
            span = float((dates[-1] - dates[0]).astype(int))
            event_lines(ax1, data.events, 0.0, span, dates=True)

    return chart(
        f"logistics-{name}",
        f"{name}: short tons delivered each day (thin) and their 7-day mean (thick) against "
        f"the city's minimum need (red dashed); below, the city's stocks in days of need"
        + ("; dashed grey: the timeline's events (E1, E2, …)" if data.events else "")
        + ". "
        f"Source: {data.provenance([name])}.",
        f"Daily tonnage of the {name} against need, and the city's stocks",
        draw,
        (6.8, 4.0),
    )


def _rolling_mean(values: np.ndarray, window: int) -> np.ndarray:
    """The centred mean over ``window`` days, over the days that exist at the ends."""
    v = np.asarray(values, dtype=float)
    half = window // 2
    cs = np.concatenate([[0.0], np.cumsum(v)])
    idx = np.arange(v.size)
    lo, hi = np.maximum(idx - half, 0), np.minimum(idx + half + 1, v.size)
    return (cs[hi] - cs[lo]) / (hi - lo)


def _monthly_chart(data: ReportData, name: str, monthly, need: float):
    months = [m["month"] for m in monthly]
    per_day = np.array([m["tons"] / _days_in(m["month"]) for m in monthly])

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        xs = np.arange(len(months))
        ax.bar(xs, per_day, color="#0072B2", width=0.7, label="delivered, tons a day")
        ax.axhline(need, color="#b8321a", ls="--", lw=1.2, label=f"need ({f.num(need)} t a day)")
        ax.set_xticks(xs, months, rotation=60, ha="right", fontsize=7)
        ax.set_ylabel("short tons a day (monthly mean)")
        ax.grid(axis="y")
        ax.legend(loc="upper left")

    return chart(
        f"logistics-{name}",
        f"{name}: mean short tons a day in each month against the city's minimum need "
        f"(red dashed). Source: {data.provenance([name])}.",
        f"Monthly tonnage of the {name} against need",
        draw,
        (6.8, 3.2),
    )


def _generic(data: ReportData, name: str, result: Any):
    try:
        title = get(name).summary
    except UnknownModelError:
        title = name
    rows = []
    if isinstance(result, dict):
        for key, value in result.items():
            if isinstance(value, (int, float)):
                rows.append((key, f.num(float(value))))
            elif isinstance(value, dict):
                rows += [
                    (f"{key}.{k}", f.num(float(v)) if isinstance(v, (int, float)) else str(v))
                    for k, v in value.items()
                ]
    blocks: list = [Heading(f"{name}: {title}", anchor=f"logistics-{name}")]
    if rows:
        blocks.append(Table(header=("Result", "Value"), rows=tuple(rows), align=("l", "r")))
    return blocks, []
