"""The Python API beside the forecast: loading with every layer's checks, the model registry
as records, and the sensitivity, backtest and airlift entry points.

``realpolitik/__init__.py`` exports these lazily (docs/api.md). :func:`load` is the loader to
use above the scenario layer: :func:`realpolitik.scenario.load` checks the scenario's own
fields, and :data:`CHECKS` adds the checks of the layers that know the models, the timeline,
the airlift and the ensemble's uncertainty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realpolitik.ensemble.uncertain import check as check_uncertainty
from realpolitik.ensemble.uncertain import check_attrition_draws
from realpolitik.models import check_scenario as check_models
from realpolitik.scenario import Document, Scenario
from realpolitik.scenario import load as _load
from realpolitik.scenario import load_document as _load_document
from realpolitik.scenario import loads as _loads
from realpolitik.scenario.importers import load_any as _load_any
from realpolitik.sim.airlift import check as check_airlift
from realpolitik.sim.checks import check as check_time

__all__ = ["CHECKS", "load", "loads", "load_document", "load_any"]

CHECKS = (check_models, check_time, check_airlift, check_uncertainty, check_attrition_draws)
"""The loader's checks across layers, in the order they run: the ``models`` list against the
registry; the ``time``, ``events``, ``rubinstein`` and ``attrition`` blocks (and what the
attrition spec rules out); the ``airlift`` block; the ``uncertainty`` block; the attrition
block's distributions."""


def load(source: str | Path | Scenario) -> Scenario:
    """A frozen :class:`~realpolitik.scenario.Scenario` from a path or a bundled scenario's id
    (``"moscow-1949"``), fully checked; a scenario is returned as it is."""
    if isinstance(source, Scenario):
        return source
    return _load(source, checks=CHECKS)


def loads(text: str, *, file: str = "<string>") -> Scenario:
    """A scenario from YAML text, fully checked."""
    return _loads(text, file=file, checks=CHECKS)


def load_document(source: str | Path) -> Document:
    """A scenario file (or bundled id) as a :class:`~realpolitik.scenario.Document`."""
    return _load_document(source, checks=CHECKS)


def load_any(source: str | Path, format: str = "auto", **kw: Any) -> Scenario:
    """A scenario from a scenario file, a bundled id or an imported format, fully checked."""
    return _load_any(source, format, checks=CHECKS, **kw)
