"""Scenario blocks of time: ``time``, ``events``, ``rubinstein``, ``attrition``.

Pydantic models with unknown keys forbidden; :mod:`realpolitik.scenario.schema` adds them to
``Scenario`` (and :class:`AttritionRecord` to ``Outcome``). Checks across fields (a party
that no actor declares, an event's path, a date outside the timeline, inputs the attrition
spec rules out) live in :mod:`realpolitik.sim.checks`, which names the exact path.

    time: {start: 1949-12-16, end: 1950-02-17, unit: day}
    events:
      - date: 1950-01-12          # or day: 27 (days from time.start)
        description: Acheson's speech on the US defence perimeter
        surprise: true
        add: {attrition.cost.stalin: 0.004}
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Time",
    "Event",
    "Rubinstein",
    "CostStep",
    "Attrition",
    "AttritionRecord",
    "OPS",
]

OPS = ("set", "add", "scale")

#: The longest timeline and attrition horizon, in days (100 years): the attrition model
#: traces the contest day by day.
MAX_DAYS = 36_500


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Time(_Strict):
    """The scenario's clock: day 0 is ``start``; ``end`` bounds events and reports."""

    start: dt.date
    end: dt.date | None = None
    unit: Literal["day"] = "day"


class Event(_Strict):
    """A scheduled shock: at a date (or a day offset) it changes parameters.

    Exactly one of ``date`` and ``day`` (checked in :mod:`realpolitik.sim.checks`).
    ``set``/``add``/``scale`` map paths in the scenario's own keys
    (``issues.<issue>.saliences.<actor>``, ``issues.<issue>.positions.<actor>``,
    ``actors.<actor>.capability``, ``attrition.cost.<party>``,
    ``attrition.discount.<party>``) to numbers. ``surprise: true`` means the parties did
    not foresee it (docs/specs/attrition.md, "Inputs").
    """

    date: dt.date | None = None
    day: float | None = Field(default=None, ge=0)
    description: str = Field(min_length=1)
    surprise: bool = False
    set: dict[str, float] = Field(default_factory=dict)
    add: dict[str, float] = Field(default_factory=dict)
    scale: dict[str, float] = Field(default_factory=dict)


class Rubinstein(_Strict):
    """Two-party alternating offers over an issue's stake.

    Exactly one of ``discount`` (per period) and ``rate`` (per day, with ``period_days``).
    """

    issue: str
    parties: list[str] = Field(min_length=2, max_length=2)
    first: str | None = None
    discount: dict[str, float] | None = None
    rate: dict[str, float] | None = None
    period_days: float | None = Field(default=None, gt=0)
    outside: dict[str, float] = Field(default_factory=dict)
    stake: float = Field(default=1.0, gt=0)


class CostStep(_Strict):
    """From ``day`` on, the cost per day is ``value`` (until the next step)."""

    day: float = Field(ge=0)
    value: float = Field(ge=0)


class Attrition(_Strict):
    """Reputational bargaining / war of attrition between two parties (spec, "Inputs")."""

    issue: str
    parties: list[str] = Field(min_length=2, max_length=2)
    demand: dict[str, float]
    obstinacy: dict[str, float]
    discount: dict[str, float]
    cost: dict[str, float | list[CostStep]] = Field(default_factory=dict)
    horizon: float | None = Field(default=None, gt=0, le=MAX_DAYS)


class AttritionRecord(_Strict):
    """The recorded end of the contest: who conceded, on which day from ``time.start``."""

    conceded: str
    day: float = Field(ge=0)
