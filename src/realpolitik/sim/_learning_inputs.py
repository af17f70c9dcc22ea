"""From a scenario's ``learning`` block to the arrays of the learning model (the glue).

docs/specs/learning.md §7. :func:`problem` reads the block, the timeline's events on
``learning.cost.<party>`` and, in the coupled mode, the airlift run's daily series, and
returns a :class:`Problem` of plain arrays for the pure functions of
:mod:`realpolitik.models._learning_core` and :mod:`realpolitik.models._learning_paths`.
Day 0 is ``time.start``; every daily array holds its last value afterwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.models._learning_core import Challenger, SignalModel, derived_hazard, true_hazard

__all__ = [
    "DEFAULT_HORIZON",
    "Problem",
    "horizon",
    "day_of",
    "path_days",
    "path_array",
    "series_array",
    "problem",
]

DEFAULT_HORIZON = 365


def horizon(scenario: Any) -> int:
    """H: ``learning.horizon`` floored, else time.end − time.start in days, else 365."""
    block = scenario.learning
    if block.horizon is not None:
        return int(math.floor(block.horizon))
    time = getattr(scenario, "time", None)
    if time is not None and time.end is not None:
        return int((time.end - time.start).days)
    return DEFAULT_HORIZON


def day_of(value: Any, scenario: Any) -> float:
    """A day or a date (counted from ``time.start``) as a day number."""
    if isinstance(value, int | float):
        return float(value)
    return float((value - scenario.time.start).days)


def _points(path: Any) -> tuple[list[Any], str]:
    if isinstance(path, list):
        return path, "step"
    return list(path.points), path.interpolate


def path_days(path: Any, scenario: Any) -> list[float]:
    """The days of a path's points (a number has none)."""
    if isinstance(path, int | float):
        return []
    pts, _ = _points(path)
    return [day_of(p.day if p.day is not None else p.date, scenario) for p in pts]


def path_array(path: Any, scenario: Any) -> np.ndarray:
    """A path over days 0..(its last point): ``step`` holds the last point on or before t,
    ``linear`` joins the points by day; the nearest value holds outside them (§7)."""
    if isinstance(path, int | float):
        return np.array([float(path)])
    pts, how = _points(path)
    days = np.array(path_days(path, scenario))
    vals = np.array([float(p.value) for p in pts])
    t = np.arange(int(max(days[-1], 0.0)) + 1, dtype=float)
    if how == "linear":
        return np.interp(t, days, vals)
    idx = np.searchsorted(days, t, side="right") - 1
    return vals[np.clip(idx, 0, None)]


def series_array(scenario: Any, name: str, seed: int | None) -> tuple[np.ndarray, int, int]:
    """A coupled series over scenario days 0..(the airlift's last day), with its first and
    last day; outside the airlift's dates it holds its first or last value (§7)."""
    from realpolitik.sim.airlift import run_scenario

    result = run_scenario(scenario, 0 if seed is None else seed)
    need = result.need
    col = name.split(".", 1)[1]
    d = result.daily
    if col == "ratio":
        x = d["tons"] / need
    elif col == "hardship":
        x = d["shortfall"] / need
    else:
        x = np.asarray(d[col], dtype=float)
    time = getattr(scenario, "time", None)
    start = time.start if time is not None else scenario.airlift.start
    first = (scenario.airlift.start - start).days
    last = first + result.n_days - 1
    lead = np.full(max(first, 0), float(x[0]))
    full = np.concatenate([lead, x[max(-first, 0) :]])
    return full, max(first, 0), last


def _coupled(scenario: Any, ref: Any, seed: int | None, field: str) -> tuple[np.ndarray, int, int]:
    from realpolitik.errors import InputError

    x, first, last = series_array(scenario, ref.series, seed)
    y = ref.scale * x + ref.offset
    if field.startswith("learning.cost") and np.any(y < 0):
        bad = int(np.argmax(y < 0))
        raise InputError(
            field=field, value={"series": ref.series, "scale": ref.scale, "offset": ref.offset},
            expected=f"scale and offset that keep the cost ≥ 0 (day {bad} gave {y[bad]:g})",
        )  # fmt: skip
    return y, first, last


def _cost(scenario: Any, party: str, seed: int | None) -> np.ndarray:
    value = scenario.learning.cost.get(party)
    if value is None:
        return np.zeros(1)
    if hasattr(value, "series"):
        return _coupled(scenario, value, seed, f"learning.cost.{party}")[0]
    return path_array(value, scenario)


def _apply(arr: np.ndarray, day: int, op: str, value: float) -> np.ndarray:
    from realpolitik.sim.events import apply_op

    out = np.concatenate([arr, np.repeat(arr[-1:], max(day + 1 - arr.size, 0))])
    out[day:] = [apply_op(op, v, value) for v in out[day:]]
    return out


def _cost_stages(scenario: Any, party: str, base: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """The cost of ``party`` as foreseen from day 0, and from each surprise day on (§7)."""
    from realpolitik.sim.timeline import Timeline

    timeline = Timeline.of(scenario)
    changes = []
    for ev in timeline.events if timeline is not None else ():
        for ch in ev.changes:
            if ch.target.kind == "learning_cost" and ch.target.who == party:
                changes.append((int(math.ceil(ev.day)), ev.surprise, ch.op, ch.value))
    shocks = sorted({d for d, s, _, _ in changes if s and d > 0})

    def known(upto: int) -> np.ndarray:
        arr = base
        for d, surprise, op, value in changes:
            if not surprise or d <= upto:
                arr = _apply(arr, d, op, value)
        return arr

    return [(0, known(0))] + [(d, known(d)) for d in shocks]


@dataclass(frozen=True)
class Problem:
    """The learning model's inputs as arrays (§7 read): see :func:`problem`. ``scenario``
    is kept for the entry's dates and record, as attrition's prepared input keeps it."""

    scenario: Any
    challenger: str
    defender: str
    labels: tuple[str, ...]
    horizon: int
    stages: list[tuple[int, Challenger]]
    prior: np.ndarray
    truth: np.ndarray
    mode: str
    policy: str
    paths: int
    ybar: np.ndarray | None = None
    hstar: np.ndarray | None = None
    quit_day: int | None = None
    series: str | None = None


def _signal(scenario: Any, h: int, first: int | None, last: int | None) -> SignalModel | None:
    sig = scenario.learning.signal
    if sig is None:
        return None
    start = day_of(sig.start, scenario) if sig.start is not None else (first or 0)
    end = day_of(sig.end, scenario) if sig.end is not None else h
    if sig.end is None and last is not None:
        end = min(h, last)
    return SignalModel(
        every=int(sig.every), start=int(start), end=int(end), sigma=float(sig.sigma),
        family=sig.family, floor=float(sig.floor),
    )  # fmt: skip


def type_arrays(scenario: Any, signal: SignalModel | None) -> tuple[list[np.ndarray], Any]:
    """Each type's hazard per day (§2: given, or derived from its mean performance) and, with
    a signal, the types' window means μ[K, n_obs]."""
    block = scenario.learning
    sig = block.signal
    col = block.collapse
    family = sig.family if sig is not None else "normal"
    hazards, means = [], []
    for typ in block.types:
        mean = path_array(typ.mean, scenario) if typ.mean is not None else None
        means.append(mean)
        if typ.hazard == "derived":
            sd = col.sd if col.sd is not None else sig.sigma
            hazards.append(
                derived_hazard(
                    mean,
                    threshold=col.threshold,
                    rate=col.rate,
                    stocks_days=col.stocks_days,
                    sd=sd,
                    family=family,
                )  # fmt: skip
            )
        else:
            hazards.append(path_array(typ.hazard, scenario))
    mu = None
    if signal is not None:
        mu = np.stack([signal.window_means(m) for m in means])
    return hazards, mu


def problem(scenario: Any, seed: int | None = 0) -> Problem:
    """Read the scenario's ``learning`` block into a :class:`Problem` (checked inputs)."""
    block = scenario.learning
    h = horizon(scenario)
    sig = block.signal
    coupled = sig is not None and not isinstance(sig.source, str)
    y = first = last = None
    if coupled:
        y, first, last = _coupled(scenario, sig.source, seed, "learning.signal.source")
    signal = _signal(scenario, h, first, last)
    hazards, mu = type_arrays(scenario, signal)
    col = block.collapse
    c_side, d_side = block.challenger, block.defender
    stages = [
        (day, Challenger(
            win=block.win, concede=block.concede, rate=block.discount, cost=cost,
            hazard=hazards, signal=signal, mu=mu, grid=None if block.grid is None
            else int(block.grid), quadrature=int(block.quadrature),
        ))
        for day, cost in _cost_stages(scenario, c_side, _cost(scenario, c_side, seed))
    ]  # fmt: skip
    prior = np.array([t.prior for t in block.types], dtype=float)
    truth = np.array([t.truth if t.truth is not None else t.prior for t in block.types])
    quit_day = None
    if block.quit_cost is not None:
        stages_d = _cost_stages(scenario, d_side, _cost(scenario, d_side, seed))
        c_d = stages_d[-1][1]
        c_d = np.concatenate([c_d, np.repeat(c_d[-1:], max(h + 1 - c_d.size, 0))])[: h + 1]
        hit = np.nonzero(c_d >= block.quit_cost)[0]
        quit_day = int(hit[0]) if hit.size else None
    ybar = hstar = None
    mode = "survival" if sig is None else ("coupled" if coupled else "generated")
    if coupled:
        end = signal.end
        n = max(h + 1, end + 1)
        yy = np.concatenate([y, np.repeat(y[-1:], max(n - y.size, 0))])[:n].copy()
        yy[end + 1 :] = yy[end]
        ybar = signal.window_means(yy)[None, :]
        # the airlift reports stocks at the end of each day: B*(t) is day t − 1's, B*(0) = b0
        stocks, _, _ = series_array(scenario, "airlift.stocks_days", seed)
        stocks = np.concatenate([[col.stocks_days], stocks])
        stocks = np.concatenate([stocks, np.repeat(stocks[-1:], max(n - stocks.size, 0))])[:n]
        stocks[end + 1 :] = stocks[end]
        hstar = true_hazard(
            yy, threshold=col.threshold, rate=col.rate, stocks_days=col.stocks_days,
            stocks=stocks,
        )[None, :]  # fmt: skip
    return Problem(
        scenario=scenario,
        challenger=c_side, defender=d_side, labels=tuple(t.label for t in block.types),
        horizon=h, stages=stages, prior=prior, truth=truth, mode=mode, policy=block.policy,
        paths=int(block.paths), ybar=ybar, hstar=hstar, quit_day=quit_day,
        series=sig.source.series if coupled else None,
    )  # fmt: skip
