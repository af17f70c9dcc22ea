"""realpolitik: simulate and forecast negotiations and crises between political actors.

The Python API (docs/api.md)::

    import realpolitik
    sc = realpolitik.load("moscow-1949")                  # a path or a bundled scenario's id
    f = realpolitik.forecast(sc, models={"compromise": {}}, runs=2000, seed=7)
    f.to_json()                                           # the CLI's JSON; f.ensemble: every run

Every name is exported lazily (a module ``__getattr__``), so importing a low layer such as
``realpolitik.scenario`` loads none of the layers above it (docs/architecture.md).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load": "realpolitik.api",
    "loads": "realpolitik.api",
    "sensitivity": "realpolitik.api",
    "backtest_deu": "realpolitik.api",
    "airlift": "realpolitik.api",
    "Forecast": "realpolitik.forecast",
    "Scenario": "realpolitik.api",
    "InputError": "realpolitik.errors",
}
# Modules that are also functions (contracts/_module.py): realpolitik.forecast(...) runs a
# forecast, realpolitik.models() lists the registry, and both stay importable packages.
_CALLABLE = {"forecast": "realpolitik.forecast", "models": "realpolitik.models"}

__all__ = ["__version__", *_LAZY, *_CALLABLE]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _CALLABLE:
        return importlib.import_module(_CALLABLE[name])
    raise AttributeError(f"module 'realpolitik' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
