"""The Python API beside the forecast: loading with every layer's checks, the model registry
as records, and the sensitivity, backtest and airlift entry points.

``realpolitik/__init__.py`` exports these lazily (docs/api.md). Importing this module
registers :data:`CHECKS` with the scenario loader (:func:`realpolitik.scenario.load.
register_check`): the checks of the layers that know the models, the timeline, the airlift
and the ensemble's uncertainty. :func:`load`, :func:`loads` and ``Scenario.from_yaml``,
``replace`` and ``what_if`` then check a scenario fully. The command line calls these
functions: one code path for each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
from realpolitik.scenario.load import register_check
from realpolitik.sim.airlift import check as check_airlift
from realpolitik.sim.checks import check as check_time

__all__ = [
    "CHECKS",
    "Scenario",
    "load",
    "loads",
    "load_document",
    "load_any",
    "models",
    "sensitivity",
    "sensitivity_requests",
    "backtest_deu",
    "deu_data",
    "airlift",
]

CHECKS = (check_models, check_time, check_airlift, check_uncertainty, check_attrition_draws)
"""The loader's checks across layers, in the order they run: the ``models`` list against the
registry; the ``time``, ``events``, ``rubinstein`` and ``attrition`` blocks (and what the
attrition spec rules out); the ``airlift`` block; the ``uncertainty`` block; the attrition
block's distributions."""

for _check in CHECKS:
    register_check(_check)

BUNDLED_DATA = "bundled deu_dev.tsv (DEU III development split)"
BUNDLED_CAPABILITIES = "bundled capabilities.csv"


def load(source: str | Path | Scenario) -> Scenario:
    """A frozen :class:`~realpolitik.scenario.Scenario` from a path or a bundled scenario's id
    (``"moscow-1949"``), fully checked; a scenario is returned as it is."""
    if isinstance(source, Scenario):
        return source
    return _load(source)


def loads(text: str, *, file: str = "<string>") -> Scenario:
    """A scenario from YAML text, fully checked."""
    return _loads(text, file=file)


def load_document(source: str | Path) -> Document:
    """A scenario file (or bundled id) as a :class:`~realpolitik.scenario.Document`."""
    return _load_document(source)


def load_any(source: str | Path, format: str = "auto", **kw: Any) -> Scenario:
    """A scenario from a scenario file, a bundled id or an imported format, fully checked."""
    return _load_any(source, format, **kw)


def models(kind: str | None = None) -> list[dict[str, Any]]:
    """The registry as records: name, kind, summary, citation, default, options (with their
    defaults), issue models first (``realpolitik models --json``)."""
    from realpolitik.models import records

    return records(kind)  # type: ignore[arg-type]


def sensitivity(
    scenario: Scenario | str | Path,
    models: Mapping[str, Mapping[str, Any]] | Sequence[Any] | None = None,
    *,
    method: str = "sobol",
    samples: int | None = None,
    seed: int | None = None,
    executor: str = "local",
    progress: Callable[[int], None] | None = None,
    notices: list[str] | None = None,
) -> dict[str, Any]:
    """Rank the uncertain inputs that drive each issue's forecast, per issue model (SALib):
    ``method`` ``sobol`` (first-order and total indices) or ``morris``; ``samples`` the base
    sample N (default 512 for Sobol, 50 for Morris). Without ``models``, the scenario's
    default models that run batched (the static ones); the others are named in ``notices``.
    Returns the JSON of ``realpolitik sensitivity --json``."""
    from realpolitik.analysis.sensitivity import METHODS, scenario_sensitivity
    from realpolitik.ensemble.seeds import fresh_seed
    from realpolitik.errors import InputError

    if method not in METHODS:
        raise InputError(field="--method", value=method, expected="sobol or morris")
    sc = load(scenario)
    requests = sensitivity_requests(sc, models, notices)
    return scenario_sensitivity(
        sc,
        requests,
        method=method,
        samples=samples,  # type: ignore[arg-type]
        seed=fresh_seed() if seed is None else int(seed),
        executor=executor,
        progress=progress,
    )


def sensitivity_requests(
    scenario: Scenario, models: Any = None, notices: list[str] | None = None
) -> list[Any]:
    """The issue models a sensitivity analysis runs: ``models`` (as :func:`realpolitik.
    forecast`), else the scenario's default ones that run batched (the others are named in
    ``notices``)."""
    from realpolitik.errors import InputError
    from realpolitik.forecast import resolve_models

    requests = [r for r in resolve_models(scenario, models) if r.spec.kind == "issue"]
    if not models:
        left = [r.name for r in requests if not r.spec.batched]
        requests = [r for r in requests if r.spec.batched]
        if left and notices is not None:
            notices.append(f"left out {', '.join(left)} (one run per row; ask with --model)")
    if not requests:
        raise InputError(
            field="--model",
            problem="no issue model to analyse",
            expected="an issue model, e.g. --model compromise",
        )
    return requests


def deu_data(
    data: str | Path | None = None,
    capabilities: str | Path | None = None,
    capability_column: str | None = None,
    missing_salience: str = "zero",
) -> tuple[Any, Any]:
    """A DEU-format file and its capability table (the bundled DEU III development split and
    capabilities by default), read with located errors: what ``backtest deu``,
    ``calibrate`` and ``fit choice`` score or fit on."""
    from realpolitik.errors import InputError
    from realpolitik.scenario.importers import deu

    if missing_salience not in ("zero", "drop"):
        raise InputError(
            field="--missing-salience", value=missing_salience, expected="zero or drop"
        )
    column = capability_column or deu.DEFAULT_CAPABILITY_COLUMN
    table = (
        deu.read_deu(data, display=str(data))
        if data
        else deu.read_deu(deu.bundled_data_path(), display=BUNDLED_DATA)
    )
    if capabilities:
        caps = deu.read_capabilities(capabilities, column, display=str(capabilities))
    else:
        caps = deu.read_capabilities(
            deu.bundled_capabilities_path(), column, display=BUNDLED_CAPABILITIES
        )
    return table, caps


def backtest_deu(
    data: str | Path | None = None,
    capabilities: str | Path | None = None,
    *,
    models: Sequence[Any] | None = None,
    capability_column: str | None = None,
    seed: int = 0,
    resamples: int | None = None,
    missing_salience: str = "zero",
    progress: Any = None,
    calibration: Any = None,
) -> Any:
    """Score issue models on EU legislative negotiations (DEU; the bundled DEU III
    development split and capability table by default): MAE with a bootstrap interval,
    median error, share within 10 points, the difference from the compromise model, and the
    coverage, interval score and CRPS of the calibrated intervals (``calibration``: a table
    or its file; default the bundled one), fitted models and calibration scored out of
    sample by grouped cross-validation on the file they were fitted on. Returns
    a :class:`~realpolitik.analysis.backtest.DeuBacktest` (``to_json()`` is the CLI's JSON)."""
    from realpolitik.analysis import backtest as bt

    table, caps = deu_data(data, capabilities, capability_column, missing_salience)
    kw: dict[str, Any] = {} if resamples is None else {"resamples": resamples}
    if isinstance(calibration, (str, Path)):
        from realpolitik.analysis.calibration import read_calibration

        calibration = read_calibration(Path(calibration))
    return bt.backtest_deu(
        table,
        caps,
        list(models) if models else None,
        seed=seed,
        missing_salience=missing_salience,  # type: ignore[arg-type]
        progress=progress,
        calibration=calibration,
        **kw,
    )


def airlift(scenario: Scenario | str | Path, *, seed: int | None = None) -> Any:
    """Run the scenario's airlift alone (with its scheduled events): an
    :class:`~realpolitik.sim.airlift.AirliftResult` (``daily`` arrays, ``monthly()``,
    ``total()``, ``to_arrow()``); :func:`realpolitik.models.airlift.summary` gives the JSON
    of ``realpolitik airlift --json``."""
    from realpolitik.errors import InputError
    from realpolitik.sim.airlift import airlift_changes, run_airlift

    sc = load(scenario)
    if sc.airlift is None:
        raise InputError(
            file=sc.source.file if sc.source is not None else None,
            field="airlift",
            problem="the scenario has no airlift block",
            expected="a scenario with an `airlift` block (e.g. berlin-1948)",
        )
    return run_airlift(sc.airlift, 0 if seed is None else seed, airlift_changes(sc))
