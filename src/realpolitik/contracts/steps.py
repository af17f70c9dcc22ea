"""Piecewise-constant paths of the day, and what the parties of a contest believe about them.

:class:`Steps` is the cost or discount path of one party (docs/specs/attrition.md, "Inputs");
:class:`Beliefs` the pair of paths known from a day on. The timeline builds them
(:mod:`realpolitik.sim.timeline`), the attrition model solves on them
(:mod:`realpolitik.models._attrition_core`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Steps", "Beliefs", "AttritionProblem"]


@dataclass(frozen=True)
class Steps:
    """A piecewise-constant function of the day: ``values[k]`` on ``[days[k], days[k+1])``.

    ``days[0]`` is 0 and ``days`` increase strictly; the last value holds for ever. A daily
    series from another model (e.g. the airlift's shortfall) is ``Steps.daily(series)``.
    """

    days: np.ndarray
    values: np.ndarray

    @classmethod
    def const(cls, value: float) -> Steps:
        return cls(np.array([0.0]), np.array([float(value)]))

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[float, float]], before: float = 0.0) -> Steps:
        """Steps from ``[(day, value), ...]`` in increasing days; ``before`` until the first."""
        days = [float(d) for d, _ in pairs]
        values = [float(v) for _, v in pairs]
        if any(b <= a for a, b in zip(days, days[1:], strict=False)):
            raise ValueError(f"step days must increase strictly: {days}")
        if not days or days[0] > 0.0:
            days, values = [0.0, *days], [float(before), *values]
        elif days[0] < 0.0:
            raise ValueError(f"step day {days[0]} before day 0")
        return cls(np.array(days), np.array(values))

    @classmethod
    def daily(cls, series: Sequence[float], start: float = 0.0) -> Steps:
        """One value per day from ``start``; the last value holds afterwards."""
        vals = np.asarray(series, dtype=float)
        return cls.from_pairs([(start + k, v) for k, v in enumerate(vals)])

    def at(self, t: float | np.ndarray) -> np.ndarray:
        idx = np.searchsorted(self.days, np.asarray(t, dtype=float), side="right") - 1
        return self.values[np.clip(idx, 0, None)]


@dataclass(frozen=True)
class Beliefs:
    """The discount and cost paths the parties expect from ``start`` on (absolute days)."""

    start: float
    discount: tuple[Steps, Steps]
    cost: tuple[Steps, Steps]


@dataclass(frozen=True)
class AttritionProblem:
    """Everything the attrition model solves, as the timeline couples it (spec, "Inputs").

    ``demand`` and ``obstinacy`` per party (in the block's party order); ``discount`` and
    ``cost`` the paths known from day 0 (:class:`Steps` or numbers); ``surprises`` one
    :class:`Beliefs` per surprise day. ``scenario`` is read for dates, the horizon and the
    recorded outcome only. Built by :func:`realpolitik.sim.coupling.attrition_problem`.
    """

    scenario: Any
    demand: tuple[float, float]
    obstinacy: tuple[float, float]
    discount: tuple[Any, Any]
    cost: tuple[Any, Any]
    surprises: tuple[Beliefs, ...] = ()
