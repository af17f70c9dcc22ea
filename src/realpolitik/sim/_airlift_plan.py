"""From an :class:`AirliftConfig` to the daily arrays the simulation reads.

Pure functions over numpy arrays (no SimPy here): the fleet flying each day, the landing
interval of each airfield each day, which days are in instrument conditions, and the
closures. Spec: docs/specs/airlift.md, "Inputs".

Interpolation of the fleet schedule (documented in :class:`FleetEntry`): before the first
snapshot a group has no aircraft; between two snapshots the count is a straight line by day
(``linear``) or holds (``step``); after the last it holds. Outside its base's open dates, or
on days when none of its receiving airfields is open, a group does not fly. The aircraft
flying on a day are ``round(count * (1 - maintenance_share))``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from realpolitik.contracts.airlift import CARGOES, AirliftConfig, FleetEntry
from realpolitik.sim._airlift_events import AirliftChange
from realpolitik.sim.events import apply_op

__all__ = ["Plan", "plan", "fleet_counts", "draw_ifr_days"]


@dataclass(frozen=True, kw_only=True)
class Plan:
    """Everything the event loop needs, as arrays indexed by day, group and airfield.

    ``group_*`` arrays have one entry per fleet entry (a group of identical aircraft at one
    base). Times are hours from the start date at 00:00.
    """

    dates: np.ndarray  # datetime64[D], n_days
    airfields: tuple[str, ...]
    types: tuple[str, ...]
    group_type: np.ndarray  # int, n_groups
    group_operator: tuple[str, ...]
    group_fields: tuple[tuple[int, ...], ...]
    group_payload: np.ndarray  # t per sortie
    group_out_h: np.ndarray  # flying hours base -> city
    group_back_h: np.ndarray  # flying hours city -> base
    group_city_ground_h: np.ndarray
    group_base_ground_h: np.ndarray
    group_pace_h: np.ndarray  # minimum time between departures (utilisation limit)
    group_cargo: np.ndarray  # n_groups x n_cargoes shares
    group_entry_interval_h: np.ndarray  # corridor spacing at entry (0: none)
    group_corridor: np.ndarray  # int index of the inbound corridor, -1 none
    n_corridors: int
    flying: np.ndarray  # int, n_groups x n_days: aircraft flying that day
    field_open: np.ndarray  # bool, n_fields x n_days
    field_interval_h: np.ndarray  # n_fields x n_days, with the weather applied
    field_base_interval_h: np.ndarray  # n_fields x n_days, in good weather
    field_runways: np.ndarray  # int, n_fields
    field_max_hold_h: np.ndarray  # n_fields, inf if none
    ifr: np.ndarray  # bool, n_days
    cancel_rate: float
    missed_rate: float
    closures: tuple[tuple[float, float, tuple[int, ...]], ...]  # (start_h, end_h, fields)

    @property
    def n_days(self) -> int:
        return int(self.dates.shape[0])


def _day_index(start: dt.date, d: dt.date) -> int:
    return (d - start).days


def fleet_counts(entry: FleetEntry, start: dt.date, n_days: int) -> np.ndarray:
    """Daily assigned count of one fleet entry, interpolated as documented above."""
    days = np.array([_day_index(start, p.date) for p in entry.schedule], dtype=float)
    counts = np.array([p.count for p in entry.schedule], dtype=float)
    t = np.arange(n_days, dtype=float)
    if entry.interpolation == "step":
        idx = np.searchsorted(days, t, side="right") - 1
        out = np.where(idx >= 0, counts[np.clip(idx, 0, None)], 0.0)
    else:
        out = np.interp(t, days, counts)
        out[t < days[0]] = 0.0
    return out


def _interval_minutes(points, start: dt.date, n_days: int) -> np.ndarray:
    days = np.array([_day_index(start, p.date) for p in points], dtype=float)
    mins = np.array([p.minutes for p in points], dtype=float)
    return np.interp(np.arange(n_days, dtype=float), days, mins)


def _window(opens: dt.date | None, closes: dt.date | None, start: dt.date, n: int) -> np.ndarray:
    t = np.arange(n)
    mask = np.ones(n, dtype=bool)
    if opens is not None:
        mask &= t >= _day_index(start, opens)
    if closes is not None:
        mask &= t < _day_index(start, closes)
    return mask


def draw_ifr_days(cfg: AirliftConfig, rng: np.random.Generator) -> np.ndarray:
    """The days of instrument conditions: in each month, ``round(share x days)`` of its days
    (the month's ``ifr_share``, else ``default_ifr_share``), placed at random.

    The share is read as what it is, the share of the month's days in instrument
    conditions; only which days they are is random.
    """
    n = cfg.n_days
    dates = np.datetime64(cfg.start) + np.arange(n)
    months = dates.astype("datetime64[M]")
    ifr = np.zeros(n, dtype=bool)
    for m in np.unique(months):
        days = np.flatnonzero(months == m)
        share = cfg.weather.ifr_share.get(str(m), cfg.weather.default_ifr_share)
        k = int(np.floor(share * days.size + 0.5))
        ifr[rng.permutation(days)[:k]] = True
    return ifr


def _switch_windows(changes, what: str) -> list[tuple[float, float]]:
    """The (start, end) hours during which a weather switch (closed, ifr) is on."""
    out, on = [], None
    for ch in changes:
        if ch.what != what:
            continue
        if ch.value and on is None:
            on = ch.hour
        elif not ch.value and on is not None:
            out.append((on, ch.hour))
            on = None
    if on is not None:
        out.append((on, math.inf))
    return out


def plan(
    cfg: AirliftConfig, rng: np.random.Generator, changes: tuple[AirliftChange, ...] = ()
) -> Plan:
    """Build the daily arrays of one run (the weather is drawn from ``rng``).

    ``changes`` are the scenario's scheduled events on the airlift (:mod:`._airlift_events`):
    an airfield opened or closed, or its landing interval changed, from the event's day on;
    every field closed (fog) or every day in instrument conditions between a switch on and
    the switch off.
    """
    n = cfg.n_days
    start = cfg.start
    fields = tuple(cfg.airfields)
    f_index = {name: i for i, name in enumerate(fields)}
    types = tuple(cfg.aircraft)
    corridors = tuple(cfg.corridors)
    c_index = {name: i for i, name in enumerate(corridors)}

    field_open = np.stack(
        [_window(a.opens, a.closes, start, n) & a.open for a in cfg.airfields.values()]
    )
    ifr = draw_ifr_days(cfg, rng)
    windows = [
        (
            (ep.start - dt.datetime.combine(start, dt.time())).total_seconds() / 3600.0,
            (ep.end - dt.datetime.combine(start, dt.time())).total_seconds() / 3600.0,
        )
        for ep in cfg.weather.episodes
        if ep.kind == "ifr"
    ]
    for s_h, e_h in windows + _switch_windows(changes, "ifr"):
        first = max(int(np.floor(s_h / 24.0)), 0)
        last = min(int(np.ceil(e_h / 24.0)), n) if np.isfinite(e_h) else n
        ifr[first:last] = True
    base_interval_h = np.stack(
        [_interval_minutes(a.landing_interval, start, n) / 60.0 for a in cfg.airfields.values()]
    )
    for ch in changes:
        day = max(int(np.floor(ch.hour / 24.0)), 0)
        if ch.field is None or day >= n:
            continue
        f = f_index[ch.field]
        if ch.what == "open":
            field_open[f, day:] = bool(ch.value)
        elif ch.what == "landing_interval":
            minutes = base_interval_h[f, day:] * 60.0
            base_interval_h[f, day:] = (
                np.array([apply_op(ch.op, m, ch.value) for m in minutes]) / 60.0
            )
    factor = np.where(ifr, cfg.weather.ifr_interval_factor, 1.0)

    g_type, g_op, g_fields, g_payload, g_out, g_back = [], [], [], [], [], []
    g_cg, g_bg, g_pace, g_cargo, g_entry, g_corr, flying = [], [], [], [], [], [], []
    for entry in cfg.fleet:
        ac = cfg.aircraft[entry.type]
        base = cfg.bases[entry.base]
        fl = tuple(f_index[f] for f in (entry.airfields or base.airfields))
        out_h = base.distance_mi / ac.speed_mph
        back_h = (base.return_distance_mi or base.distance_mi) / ac.speed_mph
        avail = 1.0 - ac.maintenance_share
        # A serviceable aircraft flies at most max_hours_per_day: it may depart once per
        # (out + back) * 24 / max_hours hours.
        g_pace.append((out_h + back_h) * 24.0 / ac.max_hours_per_day)
        count = fleet_counts(entry, start, n)
        ok = _window(base.opens, base.closes, start, n) & field_open[list(fl)].any(axis=0)
        flying.append(np.where(ok, np.rint(np.rint(count) * avail), 0).astype(np.int64))
        mix = entry.cargo or ac.cargo
        g_cargo.append([mix.get(c, 0.0) for c in CARGOES])
        g_type.append(types.index(entry.type))
        g_op.append(entry.operator)
        g_fields.append(fl)
        g_payload.append(ac.payload_t)
        g_out.append(out_h)
        g_back.append(back_h)
        g_cg.append(ac.city_ground_h)
        g_bg.append(ac.base_ground_h if base.ground_h is None else base.ground_h)
        corr = base.inbound
        g_corr.append(c_index[corr] if corr is not None else -1)
        g_entry.append(cfg.corridors[corr].entry_interval_min / 60.0 if corr else 0.0)

    t0 = dt.datetime.combine(start, dt.time())
    closures = []
    for ep in cfg.weather.episodes:
        s = (ep.start - t0).total_seconds() / 3600.0
        e = (ep.end - t0).total_seconds() / 3600.0
        if ep.kind == "ifr":
            continue
        which = ep.airfields if ep.airfields is not None else fields
        closures.append((s, e, tuple(f_index[f] for f in which)))
    for s, e in _switch_windows(changes, "closed"):
        closures.append((s, e, tuple(range(len(fields)))))

    return Plan(
        dates=np.datetime64(start) + np.arange(n),
        airfields=fields,
        types=types,
        group_type=np.array(g_type, dtype=np.int64),
        group_operator=tuple(g_op),
        group_fields=tuple(g_fields),
        group_payload=np.array(g_payload),
        group_out_h=np.array(g_out),
        group_back_h=np.array(g_back),
        group_city_ground_h=np.array(g_cg),
        group_base_ground_h=np.array(g_bg),
        group_pace_h=np.array(g_pace),
        group_cargo=np.array(g_cargo, dtype=float).reshape(len(cfg.fleet), len(CARGOES)),
        group_entry_interval_h=np.array(g_entry),
        group_corridor=np.array(g_corr, dtype=np.int64),
        n_corridors=len(corridors),
        flying=np.stack(flying),
        field_open=field_open,
        field_interval_h=base_interval_h * factor[None, :],
        field_base_interval_h=base_interval_h,
        field_runways=np.array([a.runways for a in cfg.airfields.values()], dtype=np.int64),
        field_max_hold_h=np.array(
            [
                np.inf if a.max_hold_min is None else a.max_hold_min / 60.0
                for a in cfg.airfields.values()
            ]
        ),
        ifr=ifr,
        cancel_rate=cfg.weather.ifr_cancel_rate,
        missed_rate=cfg.weather.ifr_missed_rate,
        closures=tuple(closures),
    )
