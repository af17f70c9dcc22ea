"""Models of bargaining, crisis and logistics, each a module found by the registry.

The package is also a function: ``realpolitik.models()`` (or ``realpolitik.models("issue")``)
is :func:`records`, the registry as plain records.
"""

from realpolitik.contracts._module import make_callable
from realpolitik.models._registry import (
    IssueInputs,
    IssueResult,
    ModelSpec,
    Options,
    RoundParams,
    RunContext,
    Trace,
    UnknownModelError,
    check_scenario,
    describe,
    get,
    names,
    records,
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
    "check_scenario",
    "describe",
    "records",
]

make_callable(__name__, records)
