"""Outputs of an airlift run: the daily table, monthly and whole-period totals, the city's
stocks against its need, the good-weather capacity, and the daily cost series.

Spec: docs/specs/airlift.md, "Outputs": ``shortfall`` is the minimum daily need
(for Berlin 1,534 t of food plus 3,475 t of coal and fuel, 5,009 t) less the tons delivered,
where positive; ``stocks_days`` is the city's stocks divided by that need. Beside them:
``allotment`` (what the city was rationed to consume), ``consumption`` (what it did, never
more than it held) and ``ration_shortfall`` (:mod:`._airlift_city`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.contracts.airlift import CARGOES, City
from realpolitik.sim._airlift_city import allotments, city_stocks, load_cargo
from realpolitik.sim._airlift_engine import Counts
from realpolitik.sim._airlift_plan import Plan

__all__ = ["AirliftResult", "DailyCost", "build_result", "capacity", "city_stocks"]


@dataclass(frozen=True, kw_only=True)
class DailyCost:
    """What other models read (``attrition``: the West's cost of holding out).

    ``shortfall`` t/day below need, ``hardship`` = shortfall / need in [0, 1], ``effort``
    flying hours per day and ``flights`` sorties landed per day; index 0 is the start date.
    """

    dates: np.ndarray
    shortfall: np.ndarray
    hardship: np.ndarray
    effort: np.ndarray
    flights: np.ndarray


@dataclass(frozen=True, kw_only=True)
class AirliftResult:
    """One run. ``daily`` maps column name -> array over days (``dates``)."""

    dates: np.ndarray
    daily: dict[str, np.ndarray]
    need: float
    events: int

    @property
    def n_days(self) -> int:
        return int(self.dates.shape[0])

    def window(self, first: str, last: str) -> dict[str, float]:
        """Tons and flights delivered from ``first`` to ``last`` (ISO dates, inclusive)."""
        lo, hi = np.datetime64(first), np.datetime64(last)
        sel = (self.dates >= lo) & (self.dates <= hi)
        return {
            "tons": float(self.daily["tons"][sel].sum()),
            "flights": int(self.daily["flights"][sel].sum()),
        }

    def monthly(self) -> list[dict[str, Any]]:
        """Tons and flights (plus missed approaches and cancellations) per calendar month."""
        months = self.dates.astype("datetime64[M]")
        out = []
        for m in np.unique(months):
            sel = months == m
            out.append(
                {
                    "month": str(m),
                    "tons": float(self.daily["tons"][sel].sum()),
                    "flights": int(self.daily["flights"][sel].sum()),
                    "missed": int(self.daily["missed"][sel].sum()),
                    "cancelled": int(self.daily["cancelled"][sel].sum()),
                }
            )
        return out

    def total(self) -> dict[str, Any]:
        return {
            "tons": float(self.daily["tons"].sum()),
            "flights": int(self.daily["flights"].sum()),
            "missed": int(self.daily["missed"].sum()),
            "cancelled": int(self.daily["cancelled"].sum()),
            "flying_hours": float(self.daily["flying_hours"].sum()),
        }

    def records(self, columns: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        """The daily table as a list of rows (``date`` first, ISO strings)."""
        names = columns or tuple(self.daily)
        dates = [str(d) for d in self.dates]
        cols = [self.daily[c].tolist() for c in names]
        return [
            {"date": dates[i], **{c: col[i] for c, col in zip(names, cols, strict=True)}}
            for i in range(self.n_days)
        ]

    def to_arrow(self, metadata: dict[str, str] | None = None) -> Any:
        """The daily table as a ``pyarrow.Table`` (``date`` first); needs pyarrow."""
        import pyarrow as pa

        cols = {"date": pa.array(self.dates.astype("datetime64[D]").astype(object), pa.date32())}
        cols.update({k: pa.array(v) for k, v in self.daily.items()})
        table = pa.table(cols)
        if metadata:
            table = table.replace_schema_metadata({k: str(v) for k, v in metadata.items()})
        return table

    def cost(self) -> DailyCost:
        d = self.daily
        return DailyCost(
            dates=self.dates,
            shortfall=d["shortfall"],
            hardship=d["shortfall"] / self.need if self.need > 0 else np.zeros(self.n_days),
            effort=d["flying_hours"],
            flights=d["flights"],
        )


def capacity(p: Plan, groups: np.ndarray | None = None, surge: bool = False) -> np.ndarray:
    """Good-weather lift capacity, t/day, of the selected groups (default: all).

    Each flying aircraft makes ``24 / max(cycle, pace)`` sorties a day, the cycle being its
    flying, ground and landing times and the pace its flying-hour limit. ``surge``: a day of
    maximum effort, on which every serviceable aircraft flies its cycle round the clock
    (``24 / cycle``): the flying-hour limit is an average over the inspection cycle, not a
    cap on one day (the Easter Parade of 16 Apr 1949 was such a day). A group's sorties
    go to its open airfields in proportion to their landing capacity (runways x 24 h /
    good-weather interval); a field that receives more sorties than it can land scales
    them down. This is what the 20 July 1948 record (~1,500 t/day) measures.
    """
    n_groups, n = p.flying.shape
    sel = np.ones(n_groups, dtype=bool) if groups is None else np.asarray(groups, dtype=bool)
    slots = p.field_runways[:, None] * 24.0 / p.field_base_interval_h * p.field_open
    sorties = np.zeros_like(slots)
    tons = np.zeros_like(slots)
    for g in np.flatnonzero(sel):
        fl = list(p.group_fields[g])
        cycle = (
            p.group_out_h[g]
            + p.group_back_h[g]
            + p.group_city_ground_h[g]
            + p.group_base_ground_h[g]
            + p.field_base_interval_h[fl].mean(axis=0)
        )
        pace = 0.0 if surge else p.group_pace_h[g]
        per_day = p.flying[g] * 24.0 / np.maximum(cycle, pace)
        share = slots[fl] / np.maximum(slots[fl].sum(axis=0), 1e-12)
        sorties[fl] += share * per_day
        tons[fl] += share * per_day * p.group_payload[g]
    scale = np.minimum(1.0, slots / np.maximum(sorties, 1e-12))
    return (tons * scale).sum(axis=0)


def build_result(p: Plan, c: Counts, city: City) -> AirliftResult:
    """Assemble the daily table from the raw counters of :func:`simulate`."""
    daily: dict[str, np.ndarray] = {
        "tons": c.tons.sum(axis=0),
        "flights": c.flights.sum(axis=0),
        "missed": c.missed.sum(axis=0),
        "cancelled": c.cancelled.sum(axis=0),
        "flying_hours": c.flying_hours.sum(axis=0),
    }
    for name, i in _named(p.types):
        daily[f"tons_type_{name}"] = c.tons[p.group_type == i].sum(axis=0)
    ops = tuple(dict.fromkeys(o for o in p.group_operator if o))
    for name, op in zip(_slug(ops), ops, strict=True):
        mask = np.array([o == op for o in p.group_operator])
        daily[f"tons_op_{name}"] = c.tons[mask].sum(axis=0)
        daily[f"flights_op_{name}"] = c.flights[mask].sum(axis=0)
    allot = allotments(city, p.dates)
    by_cargo = load_cargo(city, daily["tons"], p.group_cargo.T @ c.tons, allot)
    for k, cargo in enumerate(CARGOES):
        daily[f"tons_cargo_{cargo}"] = by_cargo[k]
    for name, f in _named(p.airfields):
        land = c.field_landings[f]
        daily[f"tons_field_{name}"] = c.field_tons[f]
        daily[f"landings_field_{name}"] = land
        daily[f"landings_per_hour_field_{name}"] = land / 24.0
        daily[f"queue_mean_min_field_{name}"] = 60.0 * c.field_wait_h[f] / np.maximum(land, 1)
        daily[f"queue_max_min_field_{name}"] = 60.0 * c.field_wait_max_h[f]
    need = city.need_total
    stocks, used = city_stocks(city, {k: by_cargo[i] for i, k in enumerate(CARGOES)}, allot)
    total_stock = sum(stocks.values()) if stocks else np.zeros(p.n_days)
    for cargo, path in stocks.items():
        daily[f"stocks_{cargo}"] = path
        daily[f"consumption_{cargo}"] = used[cargo]
        daily[f"allotment_{cargo}"] = allot[cargo]
    daily["stocks"] = total_stock
    daily["stocks_days"] = total_stock / need if need > 0 else np.zeros(p.n_days)
    zero = np.zeros(p.n_days)
    daily["need"] = np.full(p.n_days, need)
    daily["allotment"] = sum(allot.values()) if allot else zero
    daily["consumption"] = sum(used.values()) if used else zero
    daily["ration_shortfall"] = daily["allotment"] - daily["consumption"]
    daily["shortfall"] = np.maximum(need - daily["tons"], 0.0)
    if city.target:
        days = np.array([(np.datetime64(t.date) - p.dates[0]).astype(int) for t in city.target])
        idx = np.searchsorted(days, np.arange(p.n_days), side="right") - 1
        tons = np.array([t.tons for t in city.target])
        daily["target"] = np.where(idx >= 0, tons[np.clip(idx, 0, None)], np.nan)
    daily["capacity"] = capacity(p)
    daily["ifr"] = p.ifr.copy()
    return AirliftResult(dates=p.dates, daily=daily, need=need, events=c.events)


def _slug(names) -> list[str]:
    return [
        "".join(ch if ch.isalnum() else "_" for ch in n.lower()).strip("_") or "x" for n in names
    ]


def _named(names) -> list[tuple[str, int]]:
    return list(zip(_slug(names), range(len(names)), strict=True))
