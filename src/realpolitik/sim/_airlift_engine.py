"""The event loop of the airlift: one SimPy process per aircraft, airfields as resources.

Spec: docs/specs/airlift.md. Each aircraft repeats a sortie:

1. At its departure time it checks that it is flying today (fleet schedule and maintenance,
   :mod:`._airlift_plan`), picks the open receiving airfield with the earliest free landing
   slot among its base's, and, on a day of instrument conditions, is cancelled with the
   weather's cancellation rate (the sortie is lost; it tries again one pace later). While
   every airfield it serves is closed (a fog episode) it waits on the ground.
2. It waits for a slot in its inbound corridor (if the corridor spaces its entries), and
   flies to the city (one SimPy timeout).
3. On arrival it takes the first free landing slot of that airfield: each of the field's
   ``runways`` is a server that is held for one landing interval per landing, in order of
   arrival. This is a capacity-limited FIFO resource with a fixed holding time; because the
   holding time is known when the request is made, the slot is computed directly
   (``slot = max(arrival, runway free)``) instead of with request/release events, which
   gives exactly the queue of ``simpy.Resource(capacity=runways)`` (:func:`landing_slot`;
   tests check it against SimPy) at a third of the events. The wait is a ground hold under the block system; an aircraft that
   would wait more than the field's ``max_hold`` returns to base loaded.
4. On a day of instrument conditions the approach is missed with the missed-approach rate,
   and an aircraft arriving while the field is closed misses too: either way it flies back
   to base still loaded (the rule after "Black Friday", 13 Aug 1948) and delivers nothing.
5. Otherwise it lands, is unloaded (city ground time), flies back and is loaded again (base
   ground time). Its next departure is no earlier than its last one plus its pace, the
   minimum interval that keeps the group within its flying-hour limit.

So a sortie costs two events (departure, arrival). The hot path allocates nothing beyond
the event itself: counts go into preallocated numpy arrays indexed by day, random numbers
come from a pre-drawn buffer, and nothing is logged.

The processes run on one of two event loops, with the same result to the bit: ``simpy``
(``simpy.Environment``: each wait a ``Timeout`` event) or ``heap`` (the default, about twice
as fast), a plain binary heap of ``(time, priority, sequence, process)`` that orders the
events exactly as SimPy does -- by time, then process starts before timeouts, then the order
in which they were scheduled -- so each process sees the same clock and draws the same random
numbers in the same order. A test runs both on the Berlin scenario and compares every counter.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import simpy

from realpolitik.sim._airlift_plan import Plan

__all__ = ["Counts", "landing_slot", "simulate"]

_BUFFER = 1 << 15


@dataclass(frozen=True, kw_only=True)
class Counts:
    """Raw daily counters of one run. ``[group, day]`` or ``[field, day]`` arrays."""

    tons: np.ndarray
    flights: np.ndarray
    missed: np.ndarray
    cancelled: np.ndarray
    flying_hours: np.ndarray
    field_tons: np.ndarray
    field_landings: np.ndarray
    field_wait_h: np.ndarray
    field_wait_max_h: np.ndarray
    events: int


class _Uniform:
    """Uniform draws from a pre-drawn buffer, refilled from the run's Generator."""

    __slots__ = ("_rng", "_buf", "_i")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buf = rng.random(_BUFFER).tolist()
        self._i = 0

    def __call__(self) -> float:
        i = self._i
        if i == _BUFFER:
            self._buf = self._rng.random(_BUFFER).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]


def landing_slot(free: list[float], arrive: float) -> tuple[int, float]:
    """The runway and time at which an aircraft arriving at ``arrive`` lands.

    ``free[r]`` is when runway ``r`` comes free. Taking the runway that frees first, at
    ``max(arrive, free[r])``, and then setting ``free[r] = slot + interval`` is the FIFO
    multi-server queue (the Kiefer-Wolfowitz workload recursion) that ``simpy.Resource(
    capacity=len(free))`` serves when each landing holds it for ``interval``, provided the
    arrivals are processed in time order, as the SimPy clock does.
    """
    if len(free) == 1:
        return 0, arrive if arrive > free[0] else free[0]
    r = free.index(min(free))
    return r, arrive if arrive > free[r] else free[r]


class _HeapEnv:
    """The part of ``simpy.Environment`` the aircraft use (``now``, ``timeout``, ``process``),
    on a plain heap: a timeout is its delay, and :meth:`run` orders the resumptions as SimPy
    orders its events (time; process starts before timeouts; scheduling order)."""

    __slots__ = ("now", "_queue", "_seq", "_ended")

    def __init__(self) -> None:
        self.now = 0.0
        self._queue: list = []
        self._seq = 0
        self._ended = 0

    @staticmethod
    def timeout(delay: float) -> float:
        return delay

    def process(self, gen) -> None:
        heapq.heappush(self._queue, (self.now, 0, self._seq, gen))
        self._seq += 1

    def run(self, until: float) -> None:
        queue, pop, push = self._queue, heapq.heappop, heapq.heappush
        seq = self._seq
        while queue:
            t, _, _, gen = pop(queue)
            if t >= until:
                break
            self.now = t
            try:
                delay = gen.send(None)
            except StopIteration:
                self._ended += 1
                continue
            push(queue, (t + delay, 1, seq, gen))
            seq += 1
        self._seq = seq

    @property
    def events(self) -> int:
        """Events as SimPy counts them: starts, timeouts, process ends, and the stop."""
        return self._seq + self._ended + 1


def simulate(p: Plan, rng: np.random.Generator, engine: str = "heap") -> Counts:
    """Run the airlift of plan ``p`` to its last day; return the daily counters.

    ``engine``: ``heap`` (default) or ``simpy``, the same result (module docstring)."""
    n, n_groups, n_fields = p.n_days, len(p.group_fields), len(p.airfields)
    env = simpy.Environment() if engine == "simpy" else _HeapEnv()
    uniform = _Uniform(rng)

    # Counters are Python lists in the hot path (an item update on a list is several times
    # cheaper than on a numpy array); they become arrays at the end.
    tons = [[0.0] * n for _ in range(n_groups)]
    flights = [[0] * n for _ in range(n_groups)]
    missed = [[0] * n for _ in range(n_groups)]
    cancelled = [[0] * n for _ in range(n_groups)]
    hours = [[0.0] * n for _ in range(n_groups)]
    f_tons = [[0.0] * n for _ in range(n_fields)]
    f_land = [[0] * n for _ in range(n_fields)]
    f_wait = [[0.0] * n for _ in range(n_fields)]
    f_wait_max = [[0.0] * n for _ in range(n_fields)]

    runway_free = [[0.0] * int(r) for r in p.field_runways]
    corridor_free = [0.0] * max(p.n_corridors, 1)
    interval = p.field_interval_h.tolist()
    is_open = p.field_open.tolist()
    max_hold = p.field_max_hold_h.tolist()
    ifr = p.ifr.tolist()
    cancel_rate, missed_rate = p.cancel_rate, p.missed_rate
    closures = [[] for _ in range(n_fields)]
    for s, e, which in p.closures:
        for f in which:
            closures[f].append((s, e))

    closure_span = [
        (min(s for s, _ in c), max(e for _, e in c)) if c else (math.inf, -math.inf)
        for c in closures
    ]

    def closed_until(f: int, t: float) -> float:
        lo, hi = closure_span[f]
        if t < lo or t >= hi:  # outside every closure of the field: the usual case
            return 0.0
        for s, e in closures[f]:
            if s <= t < e:
                return e
        return 0.0

    def aircraft(g: int, idx: int, t_next: float, stagger: float):
        flying_g = p.flying[g]
        flying_list = flying_g.tolist()
        fields = p.group_fields[g]
        payload = float(p.group_payload[g])
        out_h, back_h = float(p.group_out_h[g]), float(p.group_back_h[g])
        city_h, base_h = float(p.group_city_ground_h[g]), float(p.group_base_ground_h[g])
        pace = float(p.group_pace_h[g])
        entry_h, corridor = float(p.group_entry_interval_h[g]), int(p.group_corridor[g])
        sortie_hours = out_h + back_h
        tons_g, flights_g, missed_g = tons[g], flights[g], missed[g]
        cancelled_g, hours_g = cancelled[g], hours[g]
        timeout = env.timeout
        inf = math.inf
        while True:
            now = env.now
            if t_next > now:
                yield timeout(t_next - now)
                now = t_next
            d = int(now / 24.0)
            if d >= n:
                return
            if flying_list[d] <= idx:  # not flying today: sleep until the next day it is
                later = np.flatnonzero(flying_g[d + 1 :] > idx)
                if later.size == 0:
                    return
                t_next = (d + 1 + int(later[0])) * 24.0 + stagger
                continue
            best, best_slot, reopen = -1, inf, inf
            for f in fields:
                if not is_open[f][d]:
                    continue
                if closures[f]:
                    until = closed_until(f, now)
                    if until:
                        reopen = min(reopen, until)
                        continue
                rf = runway_free[f]
                first = rf[0] if len(rf) == 1 else min(rf)
                slot = now + out_h
                if first > slot:
                    slot = first
                if slot < best_slot:
                    best, best_slot = f, slot
            if best < 0:  # every field it serves is closed now: wait on the ground
                t_next = reopen if reopen < inf else (d + 1) * 24.0 + stagger
                continue
            if ifr[d] and cancel_rate and uniform() < cancel_rate:
                cancelled_g[d] += 1
                t_next = now + pace
                continue
            if entry_h:
                dep = max(now, corridor_free[corridor])
                corridor_free[corridor] = dep + entry_h
                if dep > now:
                    yield timeout(dep - now)
                    now = dep
            yield timeout(out_h)
            arrive = now + out_h
            da = int(arrive / 24.0)
            if da >= n:
                return
            hours_g[da] += sortie_hours
            f = best
            free = runway_free[f]
            if len(free) == 1:
                r, slot = 0, (arrive if arrive > free[0] else free[0])
            else:
                r, slot = landing_slot(free, arrive)
            wait = slot - arrive
            if (
                not is_open[f][da]
                or (closures[f] and closed_until(f, arrive))
                or wait > max_hold[f]
            ):
                missed_g[da] += 1  # cannot land: back to base loaded, no slot used
                back = arrive + back_h + base_h
            elif closures[f] and closed_until(f, slot):
                missed_g[da] += 1  # the field closes before its turn comes: back loaded
                back = arrive + back_h + base_h
            else:
                ds = int(slot / 24.0)
                if ds >= n:
                    return
                free[r] = slot + interval[f][ds]
                if ifr[ds] and missed_rate and uniform() < missed_rate:
                    missed_g[ds] += 1  # missed approach: the slot is spent, load flown back
                    back = slot + back_h + base_h
                else:
                    tons_g[ds] += payload
                    flights_g[ds] += 1
                    f_tons[f][ds] += payload
                    f_land[f][ds] += 1
                    f_wait[f][ds] += wait
                    if wait > f_wait_max[f][ds]:
                        f_wait_max[f][ds] = wait
                    back = slot + city_h + back_h + base_h
            t_next = now + pace  # now: this sortie's departure
            if back > t_next:
                t_next = back

    for g in range(n_groups):
        top = int(p.flying[g].max(initial=0))
        span = min(float(p.group_pace_h[g]), 24.0)
        for idx in range(top):
            first = np.flatnonzero(p.flying[g] > idx)
            stagger = uniform() * span
            env.process(aircraft(g, idx, int(first[0]) * 24.0 + stagger, stagger))
    env.run(until=n * 24.0)
    return Counts(
        tons=np.array(tons, dtype=float).reshape(n_groups, n),
        flights=np.array(flights, dtype=np.int64).reshape(n_groups, n),
        missed=np.array(missed, dtype=np.int64).reshape(n_groups, n),
        cancelled=np.array(cancelled, dtype=np.int64).reshape(n_groups, n),
        flying_hours=np.array(hours, dtype=float).reshape(n_groups, n),
        field_tons=np.array(f_tons, dtype=float).reshape(n_fields, n),
        field_landings=np.array(f_land, dtype=np.int64).reshape(n_fields, n),
        field_wait_h=np.array(f_wait, dtype=float).reshape(n_fields, n),
        field_wait_max_h=np.array(f_wait_max, dtype=float).reshape(n_fields, n),
        events=next(env._eid) if engine == "simpy" else env.events,  # events scheduled
    )
