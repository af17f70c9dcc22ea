"""The scenario schema: actors, issues with positions and saliences, models, outcome.

Pydantic models with unknown keys forbidden. Structural checks (types, ranges that do not
depend on other fields) live here; checks across fields (a position within its issue's scale,
an actor id that no actor declares) live in :mod:`realpolitik.scenario.load` and the checks of
each block it calls, so that each can name the exact path of the offending value. The blocks of
the timeline, the crises, the airlift and the uncertainty are declared in the contracts
(``contracts/blocks.py``, ``contracts/airlift.py``, ``contracts/uncertainty.py``), which every
layer may read, and composed here. docs/scenario-format.md documents the format.

Every number the file writes as a distribution (``{dist: normal, ...}``) holds its median, and
the distribution itself is kept in ``Scenario.distributions`` (:class:`Uncertain`), so a
scenario dumped and validated again (``Scenario.model_validate(sc.model_dump())``) keeps every
uncertain input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from realpolitik.contracts.airlift import AirliftConfig
from realpolitik.contracts.arrays import IssueInputs
from realpolitik.contracts.blocks import Attrition, AttritionRecord, Event, Rubinstein, Time
from realpolitik.contracts.learning import Learning, LearningRecord
from realpolitik.contracts.uncertainty import Uncertainty
from realpolitik.scenario.distributions import Distribution, parse

__all__ = ["Actor", "Scale", "Issue", "Outcome", "Scenario", "ModelEntry", "Uncertain", "Source"]

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
    learning: LearningRecord | None = None  # the same, for the learning block


def _data_path_of(data: Any, dotted: str) -> tuple[Any, ...]:
    """The keys and list indices of ``dotted`` (list items by their id, or an index), which
    must name a number; an :class:`~realpolitik.errors.InputError` otherwise."""
    from realpolitik.errors import InputError

    path: list[Any] = []
    node = data
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
            continue
        if isinstance(node, list):
            ids = [item.get("id") if isinstance(item, dict) else None for item in node]
            if part in ids:
                k = ids.index(part)
            elif part.isdecimal() and int(part) < len(node):
                k = int(part)
            else:
                known = ", ".join(str(i) for i in ids if i is not None) or f"0 to {len(node) - 1}"
                raise InputError(
                    field=dotted, problem=f"no item {part!r}", expected=f"one of: {known}"
                )
            path.append(k)
            node = node[k]
            continue
        keys = ", ".join(map(str, node)) if isinstance(node, dict) else "none"
        raise InputError(field=dotted, problem=f"no key {part!r}", expected=f"one of: {keys}")
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise InputError(field=dotted, value=node, expected="a path to a number")
    return tuple(path)


def _as_distribution(value: Any) -> Any:
    if isinstance(value, Distribution):
        return value
    if isinstance(value, dict):
        return parse(value)
    raise ValueError("a distribution, e.g. {dist: normal, mean: 0, sd: 1}")


DistributionField = Annotated[
    Any,
    BeforeValidator(_as_distribution),
    PlainSerializer(lambda d: d.describe(), return_type=dict),
]


class Uncertain(_Strict):
    """A number the file writes as a distribution: where it is, and how it varies.

    ``path`` is the keys and list indices of the number in the scenario's data (the same in
    the file and in ``Scenario.model_dump()``), ``name`` its dotted path in the scenario's own
    keys (``issues.railway.positions.stalin``, list items by their id), ``dist`` the
    :class:`~realpolitik.scenario.distributions.Distribution` (dumped as its ``{dist: ...}``
    mapping) and ``file``/``line``/``column`` where the file wrote it (for located errors).
    """

    path: tuple[str | int, ...]
    name: str
    dist: DistributionField
    file: str | None = None
    line: int | None = None
    column: int | None = None


class Source(_Strict):
    """The file a scenario was loaded from and its text (kept for reproduction metadata)."""

    file: str
    text: str


class Scenario(_Strict):
    """A negotiation or crisis, as a scenario file describes it."""

    name: str = Field(min_length=1)
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    actors: list[Actor] = Field(min_length=1, max_length=MAX_ACTORS)
    issues: list[Issue] = Field(default_factory=list, max_length=MAX_ISSUES)
    models: list[str | ModelEntry] = Field(default_factory=list)
    outcome: Outcome | None = None
    # The timeline and the two-party crisis blocks (realpolitik.contracts.blocks).
    time: Time | None = None
    events: list[Event] = Field(default_factory=list, max_length=MAX_EVENTS)
    rubinstein: Rubinstein | None = None
    attrition: Attrition | None = None
    # A challenger that learns the defender's type (docs/specs/learning.md).
    learning: Learning | None = None
    # The airlift logistics block (realpolitik.contracts.airlift; run by realpolitik.sim).
    airlift: AirliftConfig | None = None
    # Ensembles (realpolitik.ensemble): spreads on every estimate, default run count.
    uncertainty: Uncertainty | None = None
    runs: int = Field(default=1, ge=1, le=MAX_RUNS, strict=True)
    # Set by the loader: the file's {dist: ...} distributions, in the order they appear, and
    # the file itself (not dumped: provenance, not data).
    distributions: tuple[Uncertain, ...] = ()
    source: Source | None = Field(default=None, exclude=True, repr=False)

    # -- building and changing -------------------------------------------------------------
    @classmethod
    def from_yaml(cls, text: str, *, file: str = "<string>") -> Scenario:
        """A scenario from YAML text, validated and checked as a loaded file is."""
        from realpolitik.scenario.load import loads

        return loads(text, file=file)

    def replace(self, **changes: Any) -> Scenario:
        """A changed copy: top-level fields replaced (``sc.replace(runs=500)``), validated and
        checked again. The distributions under a replaced field are dropped."""
        from realpolitik.scenario.load import revalidate

        data = self.model_dump()
        unknown = [k for k in changes if k not in type(self).model_fields or k == "source"]
        if unknown:
            from realpolitik.errors import InputError

            raise InputError(
                field=unknown[0], problem=f"unknown field {unknown[0]!r}",
                expected="one of: " + ", ".join(f for f in type(self).model_fields if f != "source"),
            )  # fmt: skip
        data.update(changes)
        kept = tuple(u for u in self.distributions if u.path[0] not in changes)
        if "distributions" in changes:
            kept = tuple(Uncertain.model_validate(u) for u in changes["distributions"])
        return revalidate(data, distributions=kept)

    def what_if(self, changes: Mapping[str, float] | None = None, /, **more: float) -> Scenario:
        """A copy with numbers set, each addressed by the dotted path events use:
        ``sc.what_if({"issues.dalian.saliences.stalin": 0.9})`` (list items by their id:
        ``issues.<issue>.positions.<actor>``, ``actors.<actor>.capability``,
        ``attrition.cost.<party>``, ...). A number set this way is no longer uncertain: its
        distribution, if the file gave one, is dropped."""
        from realpolitik.scenario.load import revalidate

        data = self.model_dump()
        set_paths = []
        for dotted, value in {**(changes or {}), **more}.items():
            path = _data_path_of(data, dotted)
            node = data
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
            set_paths.append(path)
        kept = tuple(u for u in self.distributions if tuple(u.path) not in set_paths)
        return revalidate(data, distributions=kept)

    def __repr__(self) -> str:
        n_unc = len(self.distributions)
        return (
            f"Scenario({self.name!r}, actors={len(self.actors)}, issues={len(self.issues)}, "
            f"distributions={n_unc}, runs={self.runs})"
        )

    __str__ = __repr__

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
