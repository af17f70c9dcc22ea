"""Checks of the ``learning`` block across fields, each naming its exact path (§7).

:func:`check` is called by :func:`realpolitik.sim.checks.check` after the schema has parsed
the file; :func:`check_draws` by the loader for the block's ``{dist: ...}`` distributions.
Every message reads ``FILE:LINE:COL: learning.FIELD: got VALUE; expected WHAT`` with the
WHAT of docs/specs/learning.md §7.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from realpolitik.contracts.learning import SERIES

__all__ = ["check", "check_draws", "RANGES"]

_LABEL = re.compile(r"[a-z][a-z0-9_]*\Z")
_B = ("learning",)

# Field ranges for numbers and distributions: (low, high, open below, open above, expected).
RANGES = {
    "win": (0.0, 1.0, True, False, "a share in (0, 1]"),
    "discount": (0.0, math.inf, True, False, "a rate per day > 0"),
    "cost": (0.0, math.inf, False, False, "a cost per day ≥ 0"),
    "quit_cost": (0.0, math.inf, True, False, "a cost per day > 0, or null"),
    "prior": (0.0, math.inf, False, False, "a weight ≥ 0 (at least one type > 0)"),
    "truth": (0.0, math.inf, False, False, "a weight ≥ 0 (at least one type > 0)"),
    "hazard": (0.0, 1.0, False, False, "a probability per day in [0, 1], a path of them, or derived"),
    "mean": (0.0, math.inf, False, False, "a mean performance ≥ 0"),
    "sigma": (0.0, math.inf, True, False, "an sd > 0"),
    "threshold": (0.0, math.inf, True, False, "a performance > 0"),
    "rate": (0.0, 1.0, True, False, "a probability per day in (0, 1]"),
    "stocks_days": (0.0, math.inf, False, False, "days ≥ 0"),
    "sd": (0.0, math.inf, True, False, "an sd > 0"),
}  # fmt: skip


def _outside(value: float, key: str) -> bool:
    lo, hi, open_lo, open_hi, _ = RANGES[key]
    return (value <= lo if open_lo else value < lo) or (value >= hi if open_hi else value > hi)


def _number(doc: Any, path: tuple, value: float, key: str) -> None:
    if not math.isfinite(value) or _outside(value, key):
        raise doc.error(path, value=value, expected=RANGES[key][4])


def _whole(doc: Any, path: tuple, value: float, lo: float, hi: float, what: str) -> None:
    if not (float(value).is_integer() and lo <= value <= hi):
        raise doc.error(path, value=value, expected=what)


def _path(doc: Any, where: tuple, path: Any, key: str) -> None:
    """A path's form (§7 "Paths") and its values' range."""
    sc = doc.scenario
    if isinstance(path, int | float):
        _number(doc, where, float(path), key)
        return
    points = path if isinstance(path, list) else path.points
    sub = where if isinstance(path, list) else (*where, "points")
    if not points:
        raise doc.error(sub, value=[], expected="at least one point")
    prev = None
    for i, pt in enumerate(points):
        at = (*sub, i)
        if (pt.day is None) == (pt.date is None):
            raise doc.error(
                at, problem="both `day` and `date`" if pt.day is not None else "no `day` or `date`",
                expected="exactly one of `day` (from time.start) or `date`",
            )  # fmt: skip
        if pt.date is not None:
            time = getattr(sc, "time", None)
            if time is None or pt.date < time.start:
                raise doc.error(
                    (*at, "date"), value=pt.date.isoformat(),
                    expected="a date on or after time.start"
                    + (f" ({time.start.isoformat()})" if time is not None else " (no time block)"),
                )  # fmt: skip
            day = float((pt.date - time.start).days)
        else:
            day = float(pt.day)
            if not day.is_integer() or day < 0:
                raise doc.error((*at, "day"), value=pt.day, expected="a whole day ≥ 0")
        if prev is not None and day <= prev:
            raise doc.error(
                (*at, "date" if pt.date is not None else "day"), value=day,
                expected=f"a whole day after the previous point's ({prev:g})",
            )  # fmt: skip
        prev = day
        _number(doc, (*at, "value"), float(pt.value), key)


def _series(doc: Any, where: tuple, ref: Any) -> None:
    if getattr(doc.scenario, "airlift", None) is None:
        raise doc.error(
            (*where, "series"), value=ref.series, expected="a scenario with an airlift block"
        )
    if ref.series not in SERIES:
        raise doc.error(
            (*where, "series"), value=ref.series, expected="one of: " + ", ".join(SERIES)
        )


def check(doc: Any) -> None:
    """Raise the first problem of the ``learning`` block (and ``outcome.learning``)."""
    sc = doc.scenario
    block = sc.learning
    from realpolitik.sim._learning_inputs import day_of, horizon

    actors = sorted(sc.actor_ids)
    if block.issue not in sc.issue_ids:
        raise doc.error(
            (*_B, "issue"), value=block.issue,
            expected="one of the scenario's issues: " + ", ".join(sc.issue_ids),
        )  # fmt: skip
    if block.challenger not in actors:
        raise doc.error(
            (*_B, "challenger"),
            value=block.challenger,
            expected="an actor id: " + ", ".join(actors),
        )
    if block.defender not in actors:
        raise doc.error(
            (*_B, "defender"), value=block.defender, expected="an actor id: " + ", ".join(actors)
        )
    if block.defender == block.challenger:
        raise doc.error(
            (*_B, "defender"), value=block.defender, expected="an actor other than the challenger"
        )
    if block.horizon is not None and not 1 <= math.floor(block.horizon) <= 36_500:
        raise doc.error(
            (*_B, "horizon"), value=block.horizon, expected="a number of days from 1 to 36,500"
        )
    h = horizon(sc)
    _number(doc, (*_B, "win"), block.win, "win")
    if not (0.0 <= block.concede < block.win):
        raise doc.error(
            (*_B, "concede"), value=block.concede,
            expected=f"a value ≥ 0 and below win ({block.win:g})",
        )  # fmt: skip
    _number(doc, (*_B, "discount"), block.discount, "discount")
    for party, cost in block.cost.items():
        where = (*_B, "cost", party)
        if party not in block.parties:
            raise doc.error(
                where, problem=f"{party!r} is not a party",
                expected="one of the parties: " + ", ".join(block.parties),
            )  # fmt: skip
        if hasattr(cost, "series"):
            _series(doc, where, cost)
        else:
            _path(doc, where, cost, "cost")
    if block.quit_cost is not None:
        _number(doc, (*_B, "quit_cost"), block.quit_cost, "quit_cost")
    _check_types(doc, block)
    _check_signal(doc, block, h, day_of)
    _check_collapse(doc, block)
    _check_solver(doc, block)
    _check_size(doc, block, h, day_of)
    _check_record(doc)


def _check_types(doc: Any, block: Any) -> None:
    types = block.types
    if len(types) < 2:
        raise doc.error((*_B, "types"), value=len(types), expected="a list of at least 2 types")
    seen: set[str] = set()
    derived = any(t.hazard == "derived" for t in types)
    for i, typ in enumerate(types):
        base = (*_B, "types", i)
        if not _LABEL.match(typ.label) or typ.label in seen:
            raise doc.error(
                (*base, "label"), value=typ.label, expected="a unique label (a-z, 0-9, _)"
            )
        seen.add(typ.label)
        _number(doc, (*base, "prior"), typ.prior, "prior")
        if typ.truth is not None:
            _number(doc, (*base, "truth"), typ.truth, "truth")
        if typ.hazard != "derived":
            _path(doc, (*base, "hazard"), typ.hazard, "hazard")
        needed = block.signal is not None or typ.hazard == "derived"
        if typ.mean is None and needed:
            by = "the signal" if block.signal is not None else "hazard: derived"
            raise doc.error(
                (*base, "mean"), problem="missing",
                expected=f"a mean performance ≥ 0 (needed by {by})",
            )  # fmt: skip
        if typ.mean is not None and not (block.signal is not None or derived):
            raise doc.error(
                (*base, "mean"), problem="a mean with neither a signal nor a derived hazard",
                expected="a mean only with a signal or hazard: derived",
            )  # fmt: skip
        if typ.mean is not None:
            _path(doc, (*base, "mean"), typ.mean, "mean")
    for key in ("prior", "truth"):
        weights = [getattr(t, key) if getattr(t, key) is not None else t.prior for t in types]
        if not any(w > 0 for w in weights):
            raise doc.error(
                (*_B, "types", 0, key if types[0].truth is not None or key == "prior" else "prior"),
                value=weights[0], expected="a weight ≥ 0 (at least one type > 0)",
            )  # fmt: skip


def _check_signal(doc: Any, block: Any, h: int, day_of: Any) -> None:
    sig = block.signal
    if sig is None:
        return
    base = (*_B, "signal")
    coupled = not isinstance(sig.source, str)
    if coupled:
        _series(doc, (*base, "source"), sig.source)
    _number(doc, (*base, "sigma"), sig.sigma, "sigma")
    _whole(doc, (*base, "every"), sig.every, 1, math.inf, "a whole number of days ≥ 1")
    if not sig.floor > 0:
        raise doc.error((*base, "floor"), value=sig.floor, expected="a value > 0")
    for key in ("start", "end"):
        value = getattr(sig, key)
        if value is not None and not isinstance(value, int | float):
            time = getattr(doc.scenario, "time", None)
            if time is None or value < time.start:
                raise doc.error(
                    (*base, key), value=value.isoformat(), expected="a date on or after time.start"
                )
    start = day_of(sig.start, doc.scenario) if sig.start is not None else 0.0
    if not (float(start).is_integer() and 0 <= start <= h):
        raise doc.error((*base, "start"), value=start, expected="a day in 0…horizon")
    if sig.end is not None:
        end = day_of(sig.end, doc.scenario)
        if not (float(end).is_integer() and start + sig.every - 1 <= end <= h):
            raise doc.error(
                (*base, "end"), value=end,
                expected="a day from start + every − 1 to the horizon "
                f"({start + sig.every - 1:g} to {h})",
            )  # fmt: skip
    elif start + sig.every - 1 > h:
        raise doc.error(
            (*base, "every"), value=sig.every,
            expected=f"windows that end by the horizon (start + every − 1 ≤ {h})",
        )  # fmt: skip
    if sig.family == "lognormal":
        _check_lognormal_means(doc, block, h, day_of)


def _check_lognormal_means(doc: Any, block: Any, h: int, day_of: Any) -> None:
    """Under lognormal, no type's mean may be 0 on an observed day (§7)."""
    from realpolitik.models._learning_core import SignalModel
    from realpolitik.sim._learning_inputs import path_array

    sig = block.signal
    start = int(day_of(sig.start, doc.scenario)) if sig.start is not None else 0
    end = int(day_of(sig.end, doc.scenario)) if sig.end is not None else h
    model = SignalModel(every=int(sig.every), start=start, end=end, sigma=sig.sigma)
    if model.days.size == 0:
        return
    last = int(model.days[-1])
    for i, typ in enumerate(block.types):
        m = path_array(typ.mean, doc.scenario)
        m = np.concatenate([m, np.repeat(m[-1:], max(last + 1 - m.size, 0))])
        zero = np.nonzero(m[start : last + 1] <= 0.0)[0]
        if zero.size:
            raise doc.error(
                (*_B, "types", i, "mean"), value=0,
                expected=f"a mean > 0 on every observed day under lognormal (day {start + zero[0]})",
            )  # fmt: skip


def _check_collapse(doc: Any, block: Any) -> None:
    derived = [t.label for t in block.types if t.hazard == "derived"]
    coupled = block.signal is not None and not isinstance(block.signal.source, str)
    needed = bool(derived) or coupled
    col = block.collapse
    if col is None and needed:
        by = f"hazard: derived of {', '.join(derived)}" if derived else "the coupled signal"
        raise doc.error(
            (*_B, "collapse"), problem="missing", expected=f"{{threshold, rate}} (needed by {by})"
        )
    if col is None:
        return
    if not needed:
        raise doc.error(
            (*_B, "collapse"), problem="a collapse rule that nothing uses",
            expected="collapse used only with hazard: derived or a coupled signal",
        )  # fmt: skip
    base = (*_B, "collapse")
    _number(doc, (*base, "threshold"), col.threshold, "threshold")
    _number(doc, (*base, "rate"), col.rate, "rate")
    _number(doc, (*base, "stocks_days"), col.stocks_days, "stocks_days")
    if col.sd is not None:
        _number(doc, (*base, "sd"), col.sd, "sd")
    elif block.signal is None:
        raise doc.error(
            (*base, "sd"), problem="missing", expected="an sd > 0 (no signal to take it from)"
        )


def _check_solver(doc: Any, block: Any) -> None:
    k = len(block.types)
    if block.grid is not None:
        ok = float(block.grid).is_integer() and block.grid >= 2 and block.policy == "optimal"
        if ok:
            ok = math.comb(int(block.grid) + k - 1, k - 1) <= 200_000
        if not ok:
            raise doc.error(
                (*_B, "grid"), value=block.grid,
                expected="a whole number ≥ 2 giving ≤ 200,000 nodes (or policy: myopic)",
            )  # fmt: skip
    _whole(doc, (*_B, "quadrature"), block.quadrature, 2, 100, "a whole number from 2 to 100")
    _whole(doc, (*_B, "paths"), block.paths, 100, 100_000, "a whole number from 100 to 100,000")


#: The most types C weighs (each a hypothesis; with a signal the belief grid grows as
#: C(N + K − 1, K − 1)).
MAX_TYPES = 100
#: Generated mode: the beliefs held, paths × K × (horizon + 1) × K (240 MB).
MAX_BELIEFS = 30_000_000


def _check_size(doc: Any, block: Any, h: int, day_of: Any) -> None:
    """The limits that keep a solve within reasonable time and memory (docs/scenario-format.md,
    "Limits"): the number of types, the belief grid's work and the generated paths."""
    from realpolitik.models._learning_core import SignalModel
    from realpolitik.models._learning_grid import (
        MAX_NODES,
        MAX_POLICY,
        MAX_SUCCESSORS,
        grid_work,
    )

    k = len(block.types)
    if k > MAX_TYPES:
        raise doc.error(
            (*_B, "types"), problem=f"{k:,} types", expected=f"at most {MAX_TYPES} types"
        )
    sig = block.signal
    if sig is None:
        return
    if isinstance(sig.source, str) and sig.source == "generated":
        held = int(block.paths) * k * (h + 1) * k
        if held > MAX_BELIEFS:
            raise doc.error(
                (*_B, "paths"), value=block.paths,
                expected=f"paths × types² × (horizon + 1) at most {MAX_BELIEFS:,} (here "
                f"{held:,}): fewer paths or a shorter horizon",
            )  # fmt: skip
    if block.policy != "optimal":
        return
    from realpolitik.models._learning_core import Challenger
    from realpolitik.sim._learning_inputs import type_arrays

    start = int(day_of(sig.start, doc.scenario)) if sig.start is not None else 0
    end = int(day_of(sig.end, doc.scenario)) if sig.end is not None else h
    signal = SignalModel(every=int(sig.every), start=start, end=end, sigma=sig.sigma)
    if signal.days.size == 0:
        return
    hazards, mu = type_arrays(doc.scenario, signal)
    grid = int(block.grid) if block.grid is not None else None
    ch = Challenger(
        win=1.0,
        concede=0.0,
        rate=0.0,
        cost=[0.0],
        hazard=hazards,
        signal=signal,
        mu=mu,
        grid=grid,
        quadrature=int(block.quadrature),
    )  # fmt: skip  (the payoffs do not change the work)
    nodes, policy, successors = grid_work(ch)
    if nodes > MAX_NODES or policy > MAX_POLICY or successors > MAX_SUCCESSORS:
        where = (*_B, "grid") if block.grid is not None else (*_B, "signal", "every")
        value = block.grid if block.grid is not None else sig.every
        raise doc.error(
            where, value=value,
            expected=f"a belief grid within {MAX_NODES:,} nodes, {MAX_POLICY:,} nodes × days "
            f"and {MAX_SUCCESSORS:,} successor beliefs (here {nodes:,}, {policy:,} and "
            f"{successors:,}): a coarser grid, fewer types, fewer quadrature points or longer "
            "signal windows",
        )  # fmt: skip


def _check_record(doc: Any) -> None:
    sc = doc.scenario
    rec = getattr(sc.outcome, "learning", None) if sc.outcome is not None else None
    if rec is None:
        return
    block = getattr(sc, "learning", None)
    if block is None:
        raise doc.error(
            ("outcome", "learning"), problem="the scenario has no `learning` block",
            expected="a `learning` block to record the outcome of",
        )  # fmt: skip
    if rec.conceded not in block.parties:
        raise doc.error(
            ("outcome", "learning", "conceded"), value=rec.conceded,
            expected="the challenger or the defender: " + ", ".join(block.parties),
        )  # fmt: skip


def check_draws(doc: Any, found: list[Any]) -> None:
    """A distribution in the block whose draws (ppf(0), ppf(1) after bounds) leave its
    field's range: attrition's error (§7 "Distributions and events")."""
    for f in found:
        path = f.path
        if not path or path[0] != "learning":
            continue
        last = next((p for p in reversed(path) if isinstance(p, str)), "")
        if last not in RANGES and last not in ("concede", "value") and path[1] != "cost":
            raise doc.error(
                path, problem="a distribution",
                expected="a plain number: this field takes no distribution (spec §7, dist)",
            )  # fmt: skip
        key = next((p for p in reversed(path) if isinstance(p, str) and p in RANGES), None)
        if len(path) >= 2 and path[1] == "cost":
            key = "cost"
        if "mean" in path:
            key = "mean"
        if "hazard" in path:
            key = "hazard"
        if key is None and path[1:2] == ("concede",):
            first, last = (float(v) for v in f.dist.ppf(np.array([0.0, 1.0])))
            win = doc.scenario.learning.win
            if first < 0 or last >= win:
                raise doc.error(
                    path, problem=f"a distribution whose draws reach {first:g} to {last:g}",
                    expected=f"a value ≥ 0 and below win ({win:g}) in every draw: give it bounds "
                    "within that range",
                )  # fmt: skip
            continue
        if key is None:
            continue
        first, last = (float(v) for v in f.dist.ppf(np.array([0.0, 1.0])))
        if _outside(first, key) or _outside(last, key):
            raise doc.error(
                path, problem=f"a distribution whose draws reach {first:g} to {last:g}",
                expected=f"{RANGES[key][4]} in every draw: give it bounds within that range",
            )  # fmt: skip
