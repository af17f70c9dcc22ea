"""The one registry of models, and the contract every model keeps.

A model family lives in one module of :mod:`realpolitik.models`. The module defines a
module-level ``SPEC`` (a :class:`ModelSpec`) or ``SPECS`` (a tuple of them), and is found
automatically: no list elsewhere has to be edited (the SALib pattern).

Three kinds of model, each with its own calling contract:

``issue``
    ``run(inputs: IssueInputs, options, ctx: RunContext) -> IssueResult``. Forecasts a point
    on each issue's 0-100 scale (mean, compromise, median, nbs, eum, smp).
``crisis``
    ``run(input, options, ctx) -> dict``. A two-party contest (rubinstein, attrition).
``logistics``
    ``run(input, options, ctx) -> object``. Flows of goods over time (airlift).

A crisis or logistics model's ``input`` is what :mod:`realpolitik.sim.coupling` prepares for
it (the attrition problem on the timeline, an airlift run), or the scenario itself when
nothing is prepared (rubinstein): the models stay pure functions of their inputs.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from realpolitik.contracts.arrays import (  # noqa: F401  (the model contract)
    IssueInputs,
    IssueResult,
    RoundParams,
    RunContext,
    Trace,
)

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
    "check_scenario",
    "describe",
    "records",
]

Kind = Literal["issue", "crisis", "logistics"]


class Options(BaseModel):
    """Base class of every model's options: immutable, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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


def _default(field: Any) -> Any:
    value = field.get_default(call_default_factory=True)
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)


def describe(spec: ModelSpec) -> dict[str, Any]:
    """A model as plain data: name, kind, summary, citation, options and defaults."""
    return {
        "name": spec.name,
        "kind": spec.kind,
        "summary": spec.summary,
        "citation": spec.citation,
        "default": spec.default,
        "options": {k: _default(f) for k, f in spec.options.model_fields.items()},
    }


def records(kind: Kind | None = None) -> list[dict[str, Any]]:
    """The registry as records (:func:`describe` of each model, in :func:`specs` order);
    ``realpolitik.models()`` and ``realpolitik models --json``."""
    return [describe(s) for s in specs(kind)]


def check_scenario(doc: Any) -> None:
    """The scenario's ``models`` list against the registry: each name known, listed once,
    with valid options (a check the loader runs, :data:`realpolitik.api.CHECKS`)."""
    from realpolitik.errors import InputError
    from realpolitik.scenario._yaml import bool_as_number
    from realpolitik.scenario.load import value_at

    seen: set[str] = set()
    for k, entry in enumerate(doc.scenario.model_entries()):
        path = ("models", k) if isinstance(doc.scenario.models[k], str) else ("models", k, "name")
        if entry.name in seen:  # one forecast per model name: a second entry would replace it
            raise doc.error(
                path,
                problem=f"{entry.name!r} is listed twice",
                expected="each model once, with one set of options",
            )
        seen.add(entry.name)
        try:
            spec = get(entry.name)
        except UnknownModelError as exc:
            raise doc.error(
                path, value=entry.name, expected=str(exc).split("; expected ")[1]
            ) from None
        try:
            parsed = spec.parse_options(entry.options)
            if (where := bool_as_number(entry.options, parsed.model_dump())) is not None:
                raise InputError(
                    field=f"{entry.name}.{'.'.join(map(str, where))}",
                    value=value_at(entry.options, where),
                    expected="a number",
                )
        except InputError as exc:
            key = exc.field.split(".", 1)[1] if exc.field and "." in exc.field else ""
            line, col = doc.locations.find(("models", k, "options", key))
            raise exc.located(file=doc.file, line=line, column=col) from None
        if spec.kind != "issue" and spec.applies is not None and not spec.applies(doc.scenario):
            raise doc.error(  # a crisis or logistics model runs on its own block
                path,
                problem=f"{entry.name!r} needs a block that the scenario lacks",
                expected=f"the `{entry.name}` block (docs/scenario-format.md), or no {entry.name}",
            )
