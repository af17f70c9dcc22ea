"""Models of bargaining, crisis and logistics, each a module found by the registry."""

from realpolitik.models._registry import (
    IssueInputs,
    IssueResult,
    ModelSpec,
    Options,
    RoundParams,
    RunContext,
    Trace,
    UnknownModelError,
    get,
    names,
    register,
    specs,
)

__all__ = [
    "IssueInputs",
    "IssueResult",
    "ModelSpec",
    "Options",
    "RoundParams",
    "RunContext",
    "Trace",
    "UnknownModelError",
    "get",
    "names",
    "register",
    "specs",
]
