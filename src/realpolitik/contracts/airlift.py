"""The inputs of an airlift: a pydantic model of the ``airlift`` block of a scenario.

Spec: docs/specs/airlift.md, "Inputs". Every relief airlift is described with the same
fields: aircraft types, departure bases, receiving airfields, corridors, a fleet schedule of
snapshots per (type, base), the weather by month, and the city's stocks against its need.

Units: tons are short tons, distances statute miles, speeds miles per hour, ground times
hours, landing intervals minutes. Cross-references (a fleet entry's type, base or airfield, a
base's airfields and corridors) are checked here, and a bad one raises a pydantic
``ValidationError`` whose ``loc`` is the exact field path (e.g. ``fleet.3.type``), so the
scenario loader can point at the file, line and column.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

__all__ = [
    "CARGOES",
    "AircraftType",
    "Airfield",
    "AirliftConfig",
    "Base",
    "City",
    "Corridor",
    "Costs",
    "FleetEntry",
    "FleetPoint",
    "IntervalPoint",
    "PartyCost",
    "RationPoint",
    "TargetPoint",
    "Weather",
    "WeatherEpisode",
    "MAX_FLEET",
    "MAX_AIRLIFT_DAYS",
]

#: The most aircraft in one fleet snapshot (each is a process of the simulation; the Berlin
#: airlift peaked near 700) and the longest airlift, in days (ten years, about 25 s to run).
MAX_FLEET = 10_000
MAX_AIRLIFT_DAYS = 3_660

#: Cargo classes. ``fuel`` is coal plus liquid fuel (the 3,475 t/day need of Berlin).
CARGOES: tuple[str, ...] = ("food", "fuel", "other")
Cargo = Literal["food", "fuel", "other"]

_Share = Annotated[float, Field(ge=0.0, le=1.0)]
_Pos = Annotated[float, Field(gt=0.0)]
_NonNeg = Annotated[float, Field(ge=0.0)]
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _located(title: str, problems: list[tuple[tuple, object, str, str]]) -> ValidationError:
    """A ValidationError with one entry per (loc, value, kind, message) problem."""
    details = [
        InitErrorDetails(
            type=PydanticCustomError(kind, message),
            loc=loc,
            input=value,
        )
        for loc, value, kind, message in problems
    ]
    return ValidationError.from_exception_data(title, details)


def _dates_in_order(name: str, points: list[Any]) -> list[Any]:
    """``points`` (each with a ``date``), or a located error at each date not after the last."""
    problems = [
        ((i, "date"), p.date.isoformat(), "date_order", f"a date after {points[i - 1].date}")
        for i, p in enumerate(points)
        if i and p.date <= points[i - 1].date
    ]
    if problems:
        raise _located(name, problems)
    return points


class AircraftType(_Frozen):
    """One aircraft type: payload, block speed, ground times, maintenance and utilisation.

    ``maintenance_share`` of the assigned aircraft are out of service on any day;
    ``max_hours_per_day`` is the flying-hour limit of each serviceable one (crews,
    maintenance). ``cargo`` is the mix the type carries (shares of food, fuel, other; they sum to 1).
    """

    payload_t: _Pos
    speed_mph: _Pos
    base_ground_h: _NonNeg = 1.0
    city_ground_h: _NonNeg = 0.5
    maintenance_share: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    max_hours_per_day: Annotated[float, Field(gt=0.0, le=24.0)] = 24.0
    cargo: dict[Cargo, _Share] = Field(default_factory=lambda: {"other": 1.0})

    @field_validator("cargo")
    @classmethod
    def _shares_sum_to_one(cls, v: dict[str, float]) -> dict[str, float]:
        if abs(sum(v.values()) - 1.0) > 1e-6:
            raise PydanticCustomError("cargo", "cargo shares that sum to 1")
        return v


class IntervalPoint(_Frozen):
    """A landing interval (minutes between landings on one runway) from a date on."""

    date: dt.date
    minutes: _Pos


class Airfield(_Frozen):
    """A receiving airfield: a capacity-limited resource, ``runways`` parallel landing streams,
    each taking one landing per ``landing_interval`` (interpolated linearly between points,
    held after the last). ``max_hold_min``: an aircraft that would wait longer for its slot
    returns to base loaded (``None``: it waits, i.e. is held on the ground at its base)."""

    open: bool = True  # open at the start (events may open or close it later)
    opens: dt.date | None = None
    closes: dt.date | None = None
    runways: Annotated[int, Field(ge=1)] = 1
    landing_interval: list[IntervalPoint] = Field(min_length=1)
    max_hold_min: _NonNeg | None = None

    @field_validator("closes")
    @classmethod
    def _closes_after_opens(cls, v: dt.date | None, info: ValidationInfo) -> dt.date | None:
        opens = info.data.get("opens")
        if v is not None and opens is not None and v < opens:
            raise PydanticCustomError("closes", f"a date on or after opens ({opens.isoformat()})")
        return v

    @field_validator("landing_interval")
    @classmethod
    def _in_order(cls, v: list[IntervalPoint]) -> list[IntervalPoint]:
        return _dates_in_order("landing_interval", v)


class Corridor(_Frozen):
    """An air corridor. ``entry_interval_min`` spaces aircraft entering it (0: no limit)."""

    direction: Literal["inbound", "outbound", "both"] = "both"
    entry_interval_min: _NonNeg = 0.0


class Base(_Frozen):
    """A departure base: its distance to the city along the inbound corridor, the return
    distance along the outbound one (default: the same), and the receiving airfields its
    aircraft fly to (the open one with the earliest free landing slot is taken)."""

    distance_mi: _Pos
    return_distance_mi: _Pos | None = None
    airfields: list[str] = Field(min_length=1)
    types: list[str] | None = None  # the aircraft types that fly from it (None: any)
    inbound: str | None = None
    outbound: str | None = None
    opens: dt.date | None = None
    closes: dt.date | None = None
    ground_h: _NonNeg | None = None  # loading time here (h); None: the type's base_ground_h


class FleetPoint(_Frozen):
    """A snapshot: ``count`` aircraft assigned from ``date`` on."""

    date: dt.date
    count: float

    @field_validator("count")
    @classmethod
    def _non_negative(cls, v: float) -> float:
        if not v >= 0.0:
            raise PydanticCustomError("count", "a count ≥ 0 (aircraft)")
        if v > MAX_FLEET:  # each aircraft is a process of the simulation
            raise PydanticCustomError("count", f"a count of at most {MAX_FLEET:,} aircraft")
        return v


class FleetEntry(_Frozen):
    """Aircraft of one type at one base over time.

    The daily count is interpolated between the snapshots: ``linear`` (straight line from one
    snapshot's count to the next, by day) or ``step`` (each count holds until the next
    snapshot). Before the first snapshot the count is 0; after the last it holds. The
    number of aircraft flying on a day is the count rounded to the nearest integer, times
    (1 - maintenance share), rounded again.
    """

    type: str
    base: str
    operator: str = ""
    airfields: list[str] | None = None
    interpolation: Literal["linear", "step"] = "linear"
    cargo: dict[Cargo, _Share] | None = None
    schedule: list[FleetPoint] = Field(min_length=1)

    @field_validator("schedule")
    @classmethod
    def _in_order(cls, v: list[FleetPoint]) -> list[FleetPoint]:
        return _dates_in_order("schedule", v)

    @field_validator("cargo")
    @classmethod
    def _shares_sum_to_one(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None and abs(sum(v.values()) - 1.0) > 1e-6:
            raise PydanticCustomError("cargo", "cargo shares that sum to 1")
        return v


class WeatherEpisode(_Frozen):
    """A spell of weather from ``start`` to ``end``, at all receiving airfields or those named.

    ``closed``: no departures towards them, and aircraft arriving then fly back loaded.
    ``ifr``: every day it touches is a day of instrument conditions (whatever the draw).
    """

    start: dt.datetime
    end: dt.datetime
    kind: Literal["closed", "ifr"] = "closed"
    airfields: list[str] | None = None
    note: str = ""

    @field_validator("end")
    @classmethod
    def _after_start(cls, v: dt.datetime, info: ValidationInfo) -> dt.datetime:
        start = info.data.get("start")
        if start is not None and v <= start:
            raise PydanticCustomError("end", f"an end after the start {start.isoformat()}")
        return v


class Weather(_Frozen):
    """Weather by month and what instrument conditions do.

    ``ifr_share[YYYY-MM]`` is the share of days in instrument conditions that month
    (``default_ifr_share`` elsewhere). On such a day the landing interval is multiplied by
    ``ifr_interval_factor``, a sortie is cancelled with probability ``ifr_cancel_rate`` and an
    approach is missed (the aircraft flies back loaded) with probability ``ifr_missed_rate``.
    """

    ifr_share: dict[str, _Share] = Field(default_factory=dict)
    default_ifr_share: _Share = 0.0
    ifr_interval_factor: Annotated[float, Field(ge=1.0)] = 1.0
    ifr_cancel_rate: _Share = 0.0
    ifr_missed_rate: _Share = 0.0
    episodes: list[WeatherEpisode] = Field(default_factory=list)

    @field_validator("ifr_share")
    @classmethod
    def _months(cls, v: dict[str, float]) -> dict[str, float]:
        problems = [((k,), k, "month", "a month written YYYY-MM") for k in v if not _MONTH.match(k)]
        if problems:
            raise _located("ifr_share", problems)
        return v


class RationPoint(_Frozen):
    """The city's allotment (t/day by cargo) from ``date`` on: what it is rationed to consume
    (ration scales, coal allocations), held until the next point. A cargo not named keeps
    its allotment from the point before (at the first point: its ``need``)."""

    date: dt.date
    food: _NonNeg | None = None
    fuel: _NonNeg | None = None
    other: _NonNeg | None = None


class TargetPoint(_Frozen):
    """A planning target (t/day) from ``date`` on: reported beside deliveries, not a need."""

    date: dt.date
    tons: _NonNeg


class City(_Frozen):
    """The supplied city: minimum daily need (t/day by cargo), opening stocks in days of
    that need, and what it consumes.

    Without ``ration`` it consumes its need: while its stocks are above ``reserve_days`` its
    full need, below ``short_consumption_share`` of it (never more than it has). With
    ``ration`` (the allotments by period) it consumes its allotment, never more than it holds.
    ``loading``: ``mix`` -- each aircraft carries its type's cargo mix; ``priority`` -- the
    day's lift covers the food allotment first, then the fuel allotment, and the rest is
    split by the mix of the aircraft that flew (the planners' order of loading).
    The shortfall against the minimum ``need`` is reported either way.
    """

    need: dict[Cargo, _NonNeg]
    stocks_days: dict[Cargo, _NonNeg] = Field(default_factory=dict)
    target: list[TargetPoint] = Field(default_factory=list)  # planners' t/day, from each date
    reserve_days: _NonNeg = 0.0
    short_consumption_share: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    ration: list[RationPoint] = Field(default_factory=list)
    loading: Literal["mix", "priority"] = "mix"

    @field_validator("ration")
    @classmethod
    def _ration_in_order(cls, v: list[RationPoint]) -> list[RationPoint]:
        return _dates_in_order("ration", v)

    @property
    def need_total(self) -> float:
        return float(sum(self.need.values()))


class PartyCost(_Frozen):
    """How the airlift's days enter one party's flow cost in ``attrition`` (stake per day).

    ``k(t) = hardship * shortfall(t) / need + effort * flying_hours(t) / 1000
    + reputation * months_of_success(t)``, where ``months_of_success(t)`` is the sum over the
    days before t of ``min(1, tons / need)``, divided by 30: a term that grows while the
    airlift succeeds (spec attrition.md, "In the bundled scenarios"). The party's own
    ``attrition.cost`` is added to it.
    """

    hardship: _NonNeg = 0.0
    effort: _NonNeg = 0.0
    reputation: _NonNeg = 0.0


class Costs(_Frozen):
    """The daily cost series that ``attrition`` reads, per party of its block.

    ``hold_from``: from this date on the series keep their last value (for Berlin: the
    run-down after the lifting of the blockade is outcome, not input).
    """

    hold_from: dt.date | None = None
    parties: dict[str, PartyCost] = Field(default_factory=dict)


class AirliftConfig(_Frozen):
    """The whole ``airlift`` block. Field order matters: references are checked against the
    fields declared before them."""

    start: dt.date
    end: dt.date
    aircraft: dict[str, AircraftType] = Field(min_length=1)
    airfields: dict[str, Airfield] = Field(min_length=1)
    corridors: dict[str, Corridor] = Field(default_factory=dict)
    bases: dict[str, Base] = Field(min_length=1)
    fleet: list[FleetEntry] = Field(min_length=1)
    weather: Weather = Field(default_factory=Weather)
    city: City
    costs: Costs | None = None

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, v: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and v < start:
            raise PydanticCustomError("end", f"an end on or after the start {start.isoformat()}")
        if start is not None and (v - start).days >= MAX_AIRLIFT_DAYS:
            raise PydanticCustomError("end", f"an airlift of at most {MAX_AIRLIFT_DAYS:,} days")
        return v

    @field_validator("bases")
    @classmethod
    def _base_refs(cls, v: dict[str, Base], info: ValidationInfo) -> dict[str, Base]:
        fields, corridors = info.data.get("airfields"), info.data.get("corridors")
        types = info.data.get("aircraft")
        problems = []
        for name, base in v.items():
            if fields is not None:
                problems += _unknown(base.airfields, fields, (name, "airfields"), "airfield")
            if types is not None and base.types is not None:
                problems += _unknown(base.types, types, (name, "types"), "aircraft type")
            if corridors is not None:
                for key in ("inbound", "outbound"):
                    ref = getattr(base, key)
                    if ref is not None and ref not in corridors:
                        problems.append(_unknown_one(ref, corridors, (name, key), "corridor"))
        if problems:
            raise _located("bases", problems)
        return v

    @field_validator("fleet")
    @classmethod
    def _fleet_refs(cls, v: list[FleetEntry], info: ValidationInfo) -> list[FleetEntry]:
        types, bases = info.data.get("aircraft"), info.data.get("bases")
        fields = info.data.get("airfields")
        problems = []
        for i, entry in enumerate(v):
            if types is not None and entry.type not in types:
                problems.append(_unknown_one(entry.type, types, (i, "type"), "aircraft type"))
            if bases is not None and entry.base not in bases:
                problems.append(_unknown_one(entry.base, bases, (i, "base"), "base"))
            elif bases is not None and bases[entry.base].types is not None:
                allowed = bases[entry.base].types
                if entry.type not in allowed and (types is None or entry.type in types):
                    problems.append(
                        _unknown_one(
                            entry.type, allowed, (i, "type"), f"type flying from {entry.base}"
                        )
                    )
            if fields is not None and entry.airfields is not None:
                problems += _unknown(entry.airfields, fields, (i, "airfields"), "airfield")
        if problems:
            raise _located("fleet", problems)
        return v

    @field_validator("weather")
    @classmethod
    def _weather_refs(cls, v: Weather, info: ValidationInfo) -> Weather:
        fields = info.data.get("airfields")
        problems = []
        for i, ep in enumerate(v.episodes):
            if fields is not None and ep.airfields is not None:
                problems += _unknown(ep.airfields, fields, ("episodes", i, "airfields"), "airfield")
        if problems:
            raise _located("weather", problems)
        return v

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1


def _unknown_one(ref: str, known, loc: tuple, what: str) -> tuple[tuple, object, str, str]:
    names = ", ".join(sorted(known)) or "(none defined)"
    return loc, ref, f"unknown_{what.replace(' ', '_')}", f"a known {what}: {names}"


def _unknown(refs: list[str], known, loc: tuple, what: str) -> list:
    return [_unknown_one(r, known, (*loc, j), what) for j, r in enumerate(refs) if r not in known]
