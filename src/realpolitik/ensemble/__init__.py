"""Ensembles: distributions on scenario numbers, seeded runs, executors and result tables.

The distributions and the ``uncertainty`` block are the scenario's
(:mod:`realpolitik.scenario.distributions`, :mod:`realpolitik.contracts.uncertainty`); this
package lists the uncertain inputs and draws them. The runner, executors and Arrow tables load
on first use.
"""

from __future__ import annotations

from typing import Any

from realpolitik.ensemble.uncertain import UncertainInput, uncertain_inputs

__all__ = [
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
