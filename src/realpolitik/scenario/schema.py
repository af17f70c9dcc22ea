"""The scenario schema: actors, issues with positions and saliences, models, outcome.

Pydantic models with unknown keys forbidden. Structural checks (types, ranges that do not
depend on other fields) live here; checks across fields (a position within its issue's scale,
an actor id that no actor declares) live in :mod:`realpolitik.scenario.load` and the checks of
each block it calls, so that each can name the exact path of the offending value. The blocks of
the timeline, the crises, the airlift and the uncertainty are declared beside the code that
reads them (``sim/schema.py``, ``sim/_airlift_config.py``, ``ensemble/schema.py``) and composed
here. docs/scenario-format.md documents the format.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from realpolitik.ensemble.schema import Uncertainty
from realpolitik.models import IssueInputs
from realpolitik.sim.airlift import AirliftConfig
from realpolitik.sim.schema import Attrition, AttritionRecord, Event, Rubinstein, Time

__all__ = ["Actor", "Scale", "Issue", "Outcome", "Scenario", "ModelEntry"]

#: The most actors, issues and events: KTAB's own limit of 250 actors (EUM and SMP compare
#: every pair of actors against every third one), and far more issues and events than any
#: negotiation has.
MAX_ACTORS = 250
MAX_ISSUES = 1_000
MAX_EVENTS = 10_000
#: The most runs of an ensemble (``runs``, ``--runs``): a million draws of every input.
MAX_RUNS = 1_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Id = str


class Actor(_Strict):
    """A party to the negotiation: a state, leader, faction, firm or group."""

    id: Id = Field(min_length=1)
    name: str
    capability: float = Field(gt=0)
    group: str | None = None
    notes: str | None = None


class Scale(_Strict):
    """An issue's scale in its own unit, with labelled anchor points."""

    min: float
    max: float
    anchors: dict[float, str] = Field(default_factory=dict)

    def to_100(self, value: Any) -> Any:
        """Map a value (or array) in the issue's unit to the common 0-100 scale."""
        return (np.asarray(value, dtype=float) - self.min) * (100.0 / (self.max - self.min))

    def from_100(self, value: Any) -> Any:
        """Map a value (or array) on 0-100 back to the issue's unit."""
        return self.min + np.asarray(value, dtype=float) * ((self.max - self.min) / 100.0)

    def nearest_label(self, value: float) -> str | None:
        """The label of the anchor point nearest to ``value`` (the lower one on a tie)."""
        if not self.anchors:
            return None
        point = min(sorted(self.anchors), key=lambda a: abs(a - value))
        return self.anchors[point]


class Issue(_Strict):
    """One issue under negotiation: what each actor wants (position) and how much it cares."""

    id: Id = Field(min_length=1)
    name: str
    unit: str
    scale: Scale
    positions: dict[Id, float]
    saliences: dict[Id, float]
    reference_point: float | None = None
    description: str | None = None


class ModelEntry(_Strict):
    """A model named in a scenario, with its options."""

    name: str
    options: dict[str, Any] = Field(default_factory=dict)


class Outcome(_Strict):
    """The recorded result, per issue in the issue's unit, with its source."""

    source: str
    issues: dict[Id, float] = Field(default_factory=dict)
    notes: str | None = None
    attrition: AttritionRecord | None = None  # who conceded, and on which day


class Scenario(_Strict):
    """A negotiation or crisis, as a scenario file describes it."""

    name: str = Field(min_length=1)
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    actors: list[Actor] = Field(min_length=1, max_length=MAX_ACTORS)
    issues: list[Issue] = Field(default_factory=list, max_length=MAX_ISSUES)
    models: list[str | ModelEntry] = Field(default_factory=list)
    outcome: Outcome | None = None
    # The timeline and the two-party crisis blocks (realpolitik.sim.schema).
    time: Time | None = None
    events: list[Event] = Field(default_factory=list, max_length=MAX_EVENTS)
    rubinstein: Rubinstein | None = None
    attrition: Attrition | None = None
    # The airlift logistics block (realpolitik.sim.airlift).
    airlift: AirliftConfig | None = None
    # Ensembles (realpolitik.ensemble): spreads on every estimate, default run count.
    uncertainty: Uncertainty | None = None
    runs: int = Field(default=1, ge=1, le=MAX_RUNS, strict=True)
    # Set by the loader: the text, data and {dist: ...} distributions (ensemble.uncertain).
    _source: Any = PrivateAttr(default=None)

    # -- derived views ---------------------------------------------------------------------
    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    @property
    def issue_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.issues)

    def issue(self, issue_id: str) -> Issue:
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        raise KeyError(issue_id)

    def model_entries(self) -> list[ModelEntry]:
        """The scenario's ``models`` list, each as a :class:`ModelEntry`."""
        return [ModelEntry(name=m) if isinstance(m, str) else m for m in self.models]

    def recorded(self, issue_id: str) -> float | None:
        """The recorded outcome of an issue in its unit, or None."""
        if self.outcome is None:
            return None
        return self.outcome.issues.get(issue_id)

    def from_100(self, values: Any) -> np.ndarray:
        """Values ``[..., issue]`` on 0-100 in each issue's own unit (:meth:`Scale.from_100`)."""
        lo = np.array([i.scale.min for i in self.issues])
        span = np.array([i.scale.max - i.scale.min for i in self.issues])
        return lo + np.asarray(values, dtype=float) * (span / 100.0)

    def inputs(self) -> IssueInputs:
        """The issue models' arrays: positions on 0-100, saliences, capabilities, mask."""
        actors = self.actor_ids
        index = {a: k for k, a in enumerate(actors)}
        n, m = len(actors), len(self.issues)
        x = np.zeros((n, m))
        s = np.zeros((n, m))
        mask = np.zeros((n, m), dtype=bool)
        ref = np.full(m, np.nan)
        for j, issue in enumerate(self.issues):
            for actor, pos in issue.positions.items():
                k = index[actor]
                x[k, j] = issue.scale.to_100(pos)
                s[k, j] = issue.saliences.get(actor, 0.0)
                mask[k, j] = True
            if issue.reference_point is not None:
                ref[j] = issue.scale.to_100(issue.reference_point)
        c = np.array([a.capability for a in self.actors], dtype=float)
        return IssueInputs(
            x=x, s=s, c=c, mask=mask, reference=ref, actors=actors, issues=self.issue_ids
        )
