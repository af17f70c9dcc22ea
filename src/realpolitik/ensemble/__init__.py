"""Ensembles: distributions on scenario numbers, seeded runs, executors and result tables.

The light parts (distributions, the ``uncertainty`` block, uncertain inputs) load with the
scenario; the runner, executors and Arrow tables load on first use.
"""

from __future__ import annotations

from typing import Any

from realpolitik.ensemble.distributions import (
    Beta,
    Choice,
    Distribution,
    Normal,
    Triangular,
    Uniform,
    parse,
)
from realpolitik.ensemble.uncertain import UncertainInput, uncertain_inputs

__all__ = [
    "Beta",
    "Choice",
    "Distribution",
    "Normal",
    "Triangular",
    "Uniform",
    "parse",
    "UncertainInput",
    "uncertain_inputs",
    "Ensemble",
    "run_ensemble",
]

_LAZY = {"Ensemble": "realpolitik.ensemble.runner", "run_ensemble": "realpolitik.ensemble.runner"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
