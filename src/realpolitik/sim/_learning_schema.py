"""The scenario's ``learning:`` block (docs/specs/learning.md §7), as pydantic models.

Unknown keys are rejected everywhere. The structure is checked here; ranges and checks
across fields (an actor id, a date before ``time.start``, ``collapse`` needed by a derived
hazard, the horizon) are in :mod:`realpolitik.sim._learning_checks`, which names the exact
path of the offending value. A number may be written as a ``{dist: ...}`` distribution where
the spec's table allows it (the loader puts its median here; ensembles draw it).

    learning:
      issue: blockade
      challenger: ussr
      defender: west
      discount: 0.0003
      cost: {ussr: 0.0005}
      types:
        - {label: weak, prior: 0.5, hazard: 0.02}
        - {label: strong, prior: 0.5, hazard: 0}

A *path* (a cost, a hazard, a mean) is a number, a list of ``{day: d | date: D, value: v}``
points, or ``{points: [...], interpolate: step | linear}``; a cost may also be a coupled
series ``{series: NAME, scale: a, offset: b}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

__all__ = [
    "PathPoint",
    "PathSpec",
    "SeriesRef",
    "PathValue",
    "CostValue",
    "HazardValue",
    "LearningType",
    "Signal",
    "Collapse",
    "Learning",
    "LearningRecord",
    "SERIES",
]

# The coupled series (spec §7, "Coupled series"): the airlift's ratio and hardship (÷ need),
# and columns of its daily table.
SERIES = (
    "airlift.ratio",
    "airlift.hardship",
    "airlift.tons",
    "airlift.flights",
    "airlift.flying_hours",
    "airlift.shortfall",
    "airlift.stocks_days",
    "airlift.capacity",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathPoint(_Strict):
    """From ``day`` (or ``date``, counted from ``time.start``) the path takes ``value``."""

    day: float | None = None
    date: dt.date | None = None
    value: float


class PathSpec(_Strict):
    """Points with their interpolation: ``step`` (the default) or ``linear`` by day."""

    points: list[PathPoint]
    interpolate: Literal["step", "linear"] = "step"


class SeriesRef(_Strict):
    """A coupled series: ``scale · x(t) + offset``, x the airlift run's series ``series``."""

    series: str
    scale: float = 1.0
    offset: float = 0.0


def _kind(value: Any) -> str | None:
    """The tag of a path's form; capitalised so that error locations skip it (load.py)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, list):
        return "Points"
    if isinstance(value, dict):
        return "Series" if "series" in value else "Path"
    if isinstance(value, BaseModel):
        return type(value).__name__.replace("PathSpec", "Path").replace("SeriesRef", "Series")
    if value == "derived":
        return "Derived"
    return None


_PATH_FORMS = "a number, a list of {day | date, value} points, or {points, interpolate}"

PathValue = Annotated[
    Annotated[float, Tag("Number")]
    | Annotated[list[PathPoint], Tag("Points")]
    | Annotated[PathSpec, Tag("Path")],
    Discriminator(_kind, custom_error_type="learning_path", custom_error_message=_PATH_FORMS),
]
CostValue = Annotated[
    Annotated[float, Tag("Number")]
    | Annotated[list[PathPoint], Tag("Points")]
    | Annotated[PathSpec, Tag("Path")]
    | Annotated[SeriesRef, Tag("Series")],
    Discriminator(
        _kind,
        custom_error_type="learning_path",
        custom_error_message=_PATH_FORMS + ", or {series: NAME, scale, offset}",
    ),
]
HazardValue = Annotated[
    Annotated[Literal["derived"], Tag("Derived")]
    | Annotated[float, Tag("Number")]
    | Annotated[list[PathPoint], Tag("Points")]
    | Annotated[PathSpec, Tag("Path")],
    Discriminator(
        _kind,
        custom_error_type="learning_path",
        custom_error_message="a probability per day in [0, 1], a path of them, or derived",
    ),
]


def _day_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return "Day"
    if isinstance(value, dt.date | str):
        return "Date"
    return None


DayOrDate = Annotated[
    Annotated[float, Tag("Day")] | Annotated[dt.date, Tag("Date")],
    Discriminator(
        _day_kind,
        custom_error_type="learning_day",
        custom_error_message="a day (from time.start) or a date as YYYY-MM-DD",
    ),
]


def _source_kind(value: Any) -> str | None:
    if value == "generated":
        return "Generated"
    if isinstance(value, dict | SeriesRef):
        return "Series"
    return None


SourceValue = Annotated[
    Annotated[Literal["generated"], Tag("Generated")] | Annotated[SeriesRef, Tag("Series")],
    Discriminator(
        _source_kind,
        custom_error_type="learning_source",
        custom_error_message="generated, or {series: NAME}",
    ),
]


class LearningType(_Strict):
    """One hypothesis about the defender (spec §2): C's ``prior`` weight, the ``truth``
    weight (default: the prior), its collapse ``hazard`` and its mean performance ``mean``."""

    label: str
    prior: float
    truth: float | None = None
    hazard: HazardValue
    mean: PathValue | None = None


class Signal(_Strict):
    """What C observes besides survival (spec §3): window means of D's performance."""

    source: SourceValue = "generated"
    family: Literal["normal", "lognormal"] = "normal"
    sigma: float
    every: float = 1
    start: DayOrDate | None = None
    end: DayOrDate | None = None
    floor: float = 0.001


class Collapse(_Strict):
    """The stocks-then-shortfall rule of a derived hazard and of the coupled truth (§2, §6)."""

    threshold: float
    rate: float
    stocks_days: float = 0.0
    sd: float | None = None


class Learning(_Strict):
    """A challenger that learns whether the defender will break (docs/specs/learning.md)."""

    issue: str
    challenger: str
    defender: str
    horizon: float | None = None
    win: float = 1.0
    concede: float = 0.0
    discount: float
    cost: dict[str, CostValue] = Field(default_factory=dict)
    quit_cost: float | None = None
    types: list[LearningType]
    signal: Signal | None = None
    collapse: Collapse | None = None
    policy: Literal["optimal", "myopic"] = "optimal"
    grid: float | None = None
    quadrature: float = 20
    paths: float = 2000

    @property
    def parties(self) -> tuple[str, str]:
        return (self.challenger, self.defender)


class LearningRecord(_Strict):
    """The recorded end: the party that gave way (challenger or defender) and the day."""

    conceded: str
    day: float = Field(ge=0)
