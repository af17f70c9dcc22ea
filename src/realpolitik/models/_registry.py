"""The one registry of models, and the contract every model keeps.

A model family lives in one module of :mod:`realpolitik.models`. The module defines a
module-level ``SPEC`` (a :class:`ModelSpec`) or ``SPECS`` (a tuple of them), and is found
automatically: no list elsewhere has to be edited (the SALib pattern).

Three kinds of model, each with its own calling contract:

``issue``
    ``run(inputs: IssueInputs, options, ctx: RunContext) -> IssueResult``. Forecasts a point
    on each issue's 0-100 scale (mean, compromise, median, nbs, eum, smp).
``crisis``
    ``run(scenario, options, ctx) -> dict``. A two-party contest (rubinstein, attrition).
``logistics``
    ``run(scenario, options, ctx) -> object``. Flows of goods over time (airlift).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

__all__ = [
    "Kind",
    "Options",
    "IssueInputs",
    "RoundParams",
    "RunContext",
    "Trace",
    "IssueResult",
    "ModelSpec",
    "UnknownModelError",
    "register",
    "get",
    "names",
    "specs",
]

Kind = Literal["issue", "crisis", "logistics"]


class Options(BaseModel):
    """Base class of every model's options: immutable, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, kw_only=True)
class IssueInputs:
    """What an issue model sees: arrays on the common 0-100 scale.

    ``x[n_actors, n_issues]`` positions, ``s[n_actors, n_issues]`` saliences in [0, 1],
    ``c[n_actors]`` capabilities > 0, ``mask[n_actors, n_issues]`` True where the actor takes
    a position (entries of x and s outside the mask are meaningless), and
    ``reference[n_issues]`` the status quo on 0-100 (NaN where the issue has none).
    """

    x: np.ndarray
    s: np.ndarray
    c: np.ndarray
    mask: np.ndarray
    reference: np.ndarray
    actors: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()

    @property
    def n_actors(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_issues(self) -> int:
        return int(self.x.shape[1])


@dataclass(frozen=True, kw_only=True)
class RoundParams:
    """The parameters a dynamic model uses in one round; the timeline may change them."""

    x: np.ndarray
    s: np.ndarray
    c: np.ndarray


@dataclass(frozen=True, kw_only=True)
class RunContext:
    """Everything about a run that is not the scenario's numbers.

    ``seed`` feeds every stochastic path. ``before_round(t, params) -> params`` is called by
    dynamic models before round ``t`` (t = 1, 2, ...) with the current positions, saliences
    and capabilities; the timeline uses it to apply scheduled events between rounds.
    """

    seed: int | None = None
    before_round: Callable[[int, RoundParams], RoundParams] | None = None


@dataclass(frozen=True, kw_only=True)
class Trace:
    """A dynamic model's path: round 0 is the input.

    ``positions[round, actor, issue]`` and ``forecast_path[round, issue]`` on 0-100.
    """

    positions: np.ndarray
    forecast_path: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class IssueResult:
    """An issue model's forecast: ``values[n_issues]`` on 0-100, NaN where skipped."""

    values: np.ndarray
    trace: Trace | None = None
    skipped: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """A self-describing model: its name, kind, one-line summary, citation and options."""

    name: str
    kind: Kind
    summary: str
    citation: str
    run: Callable[..., Any]
    options: type[Options] = Options
    dynamic: bool = False
    # run() also takes IssueInputs with leading batch dims (x[..., n, m], c[..., n]) and
    # returns values[..., m], with results independent of the batch (so an ensemble may batch runs).
    batched: bool = False
    default: bool = True  # runs when neither --model nor the scenario names models
    # Crisis and logistics models: whether a scenario has what the model needs (its block).
    applies: Callable[[Any], bool] | None = None

    def parse_options(self, raw: dict[str, Any]) -> Options:
        """Validate raw ``key=value`` options; a bad one raises a located-ready InputError.

        The error's ``field`` is ``MODEL.OPTION``; callers add the file or flag it came from.
        """
        from pydantic import ValidationError

        from realpolitik.errors import InputError

        try:
            return self.options.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(k) for k in err["loc"])
            if err["type"] == "extra_forbidden":
                known = ", ".join(self.options.model_fields) or "none"
                raise InputError(
                    field=f"{self.name}.{key}",
                    problem=f"unknown option {key!r}",
                    expected=f"one of the options of {self.name}: {known}",
                ) from None
            msg = err["msg"]  # pydantic's wording, e.g. "Input should be 'lower' or 'upper'"
            for prefix in ("Input should be ", "Value error, "):
                msg = msg.removeprefix(prefix)
            raise InputError(
                field=f"{self.name}.{key}", value=err.get("input"), expected=msg
            ) from None


class UnknownModelError(KeyError):
    """A model name that no module registers."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown model {self.name!r}; expected one of: {', '.join(names())}"


_REGISTRY: dict[str, ModelSpec] = {}
_DISCOVERED = False


def register(spec: ModelSpec) -> ModelSpec:
    """Add ``spec`` to the registry; a second model of the same name is an error."""
    if spec.name in _REGISTRY and _REGISTRY[spec.name] is not spec:
        raise ValueError(f"model {spec.name!r} is registered twice")
    _REGISTRY[spec.name] = spec
    return spec


def _discover() -> None:
    """Import every module of :mod:`realpolitik.models` and register its SPEC(S)."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    _DISCOVERED = True
    import realpolitik.models as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        found = getattr(module, "SPECS", None) or (
            (module.SPEC,) if hasattr(module, "SPEC") else ()
        )
        for spec in found:
            register(spec)


_ORDER = {"issue": 0, "crisis": 1, "logistics": 2}


def specs(kind: Kind | None = None) -> list[ModelSpec]:
    """All registered models (of one kind), issue models first, in a stable order."""
    _discover()
    out = [s for s in _REGISTRY.values() if kind is None or s.kind == kind]
    return sorted(out, key=lambda s: (_ORDER[s.kind], _PREFERRED.get(s.name, 99), s.name))


# Simple to elaborate: the order users read tables in.
_PREFERRED = {"mean": 0, "compromise": 1, "median": 2, "nbs": 3, "eum": 4, "smp": 5}


def names(kind: Kind | None = None) -> list[str]:
    return [s.name for s in specs(kind)]


def get(name: str) -> ModelSpec:
    """The model registered as ``name``; :class:`UnknownModelError` if there is none."""
    _discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownModelError(name) from None
