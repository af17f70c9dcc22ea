"""Global sensitivity of the forecasts to a scenario's uncertain inputs, with SALib.

Sobol indices (Sobol' 2001; the Saltelli 2002 / Saltelli et al. 2010 estimators as SALib
implements them) or Morris elementary effects (Morris 1991; μ* of Campolongo, Cariboni &
Saltelli 2007), for every issue and model, with the drivers ranked.

The pipeline, one code path for every use (:func:`analyse`):

1. SALib samples the unit cube [0, 1]^k of the k uncertain inputs: a scrambled Sobol'
   sequence in Saltelli's scheme (N·(k + 2) rows, first and total order) or N Morris
   trajectories (N·(k + 1) rows, 4 levels);
2. each column goes through its input's inverse CDF (``values(u)``), the same transform the
   seeded ensemble uses, so an input's marginal is its distribution. Morris levels are the
   quantiles 2.5 % ... 97.5 % (u' = 0.025 + 0.95·u), so that the cube's faces do not map to
   the far tails of unbounded distributions;
3. the model runs on every row (for a scenario: through an ensemble executor, with one seed
   for every row's stochastic models, so that only the inputs vary);
4. SALib's analyser runs on each output: S1, S1_conf, ST, ST_conf (95 % bootstrap intervals,
   100 resamples), or μ*, its interval, and σ; drivers sorted by ST (or μ*), largest first.

The reference check runs the Ishigami function through :func:`analyse`, which must give its
published first-order indices S1 = 0.314, 0.442, 0.000 (Ishigami & Homma 1990; Saltelli
et al. 2008, *Global Sensitivity Analysis: The Primer*, §4.6).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from realpolitik.errors import InputError

__all__ = ["Factor", "METHODS", "DEFAULT_SAMPLES", "analyse", "scenario_sensitivity"]

Method = Literal["sobol", "morris"]
METHODS = ("sobol", "morris")
DEFAULT_SAMPLES = {"sobol": 512, "morris": 50}
_LEVELS = 4
_RESAMPLES = 100


@dataclass(frozen=True)
class Factor:
    """An input for :func:`analyse`: a name and its distribution (anything with ``ppf``)."""

    name: str
    dist: Any

    def values(self, u: np.ndarray) -> np.ndarray:
        return self.dist.ppf(u)


def _salib() -> Any:
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise InputError(
            field="sensitivity",
            problem="SALib is not installed",
            expected="pip install 'realpolitik[ensemble]'",
        ) from None


def design(factors: Sequence[Any], method: Method, samples: int, seed: int) -> tuple[Any, ...]:
    """SALib's problem, the unit-cube sample X and the input values at its rows."""
    _salib()
    problem = {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[0.0, 1.0]] * len(factors),
    }
    if method == "sobol":
        from SALib.sample import sobol as sampler

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # N not a power of 2 only thins the balance
            X = sampler.sample(problem, samples, calc_second_order=False, seed=seed)
        u = X
    else:
        from SALib.sample import morris as sampler

        X = sampler.sample(problem, samples, num_levels=_LEVELS, seed=seed)
        u = 0.025 + 0.95 * X
    values = np.empty_like(u)
    for col, f in enumerate(factors):
        values[:, col] = f.values(u[:, col])
    return problem, X, values


def indices(problem: dict, X: np.ndarray, y: np.ndarray, method: Method, seed: int) -> list:
    """The drivers of one output, ranked (see the module docstring for the keys)."""
    names = problem["names"]
    if not np.all(np.isfinite(y)) or float(np.var(y)) == 0.0:
        keys = (
            ("S1", "S1_conf", "ST", "ST_conf")
            if method == "sobol"
            else ("mu_star", "mu_star_conf", "sigma")
        )
        return [{"input": n, **{k: None for k in keys}} for n in names]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            si = sobol.analyze(
                problem,
                y,
                calc_second_order=False,
                num_resamples=_RESAMPLES,
                conf_level=0.95,
                seed=seed,
            )
            rows = [
                {
                    "input": n,
                    "S1": _f(si["S1"][k]),
                    "S1_conf": _f(si["S1_conf"][k]),
                    "ST": _f(si["ST"][k]),
                    "ST_conf": _f(si["ST_conf"][k]),
                }
                for k, n in enumerate(names)
            ]
            key = "ST"
        else:
            from SALib.analyze import morris

            si = morris.analyze(
                problem,
                X,
                y,
                num_resamples=_RESAMPLES,
                conf_level=0.95,
                num_levels=_LEVELS,
                seed=seed,
            )
            rows = [
                {
                    "input": n,
                    "mu_star": _f(si["mu_star"][k]),
                    "mu_star_conf": _f(si["mu_star_conf"][k]),
                    "sigma": _f(si["sigma"][k]),
                }
                for k, n in enumerate(names)
            ]
            key = "mu_star"
    return sorted(rows, key=lambda r: -np.inf if r[key] is None else -r[key])


def _f(v: Any) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def analyse(
    factors: Sequence[Any],
    evaluate: Callable[[np.ndarray], np.ndarray],
    *,
    method: Method = "sobol",
    samples: int | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Sensitivity of each output of ``evaluate`` to ``factors`` (steps 1-4 above).

    ``evaluate(values[rows, k]) -> outputs[rows]`` or ``[rows, n_outputs]``. Returns
    ``{"samples", "evaluations", "outputs": [drivers of output 0, ...]}``.
    """
    if method not in METHODS:
        raise InputError(field="--method", value=method, expected="sobol or morris")
    n = int(samples or DEFAULT_SAMPLES[method])
    problem, X, values = design(factors, method, n, seed)
    y = np.asarray(evaluate(values), dtype=float)
    y = y[:, None] if y.ndim == 1 else y
    outputs = [indices(problem, X, y[:, o], method, seed) for o in range(y.shape[1])]
    return {"samples": n, "evaluations": int(values.shape[0]), "outputs": outputs}


def scenario_sensitivity(
    scenario: Any,
    requests: list[Any],
    *,
    method: Method = "sobol",
    samples: int | None = None,
    seed: int = 0,
    executor: str = "local",
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """The issue's JSON: drivers of every issue model's forecast on every issue, ranked.

    ``{"scenario", "method", "samples", "evaluations", "seed", "inputs": k,
    "issues": [{"id", "model", "drivers": [...]}, ...]}`` in issue order, then model order.
    """
    from realpolitik.ensemble import uncertain_inputs
    from realpolitik.ensemble.runner import evaluate_draws

    inputs = uncertain_inputs(scenario)
    if not inputs:
        raise InputError(
            field="scenario",
            problem=f"{scenario.name!r} has no uncertain inputs",
            expected="distributions ({dist: ...}) or an `uncertainty` block",
        )
    reqs = [r for r in requests if r.spec.kind == "issue"]
    names = [r.name for r in reqs]
    m = len(scenario.issues)

    def evaluate(values: np.ndarray) -> np.ndarray:
        out = evaluate_draws(
            scenario, reqs, values, seed=seed, executor=executor, progress=progress
        )
        # Outputs ordered issue-major: every model of the first issue, then of the second, ...
        return np.stack([out[name][:, j] for j in range(m) for name in names], axis=1)

    res = analyse(inputs, evaluate, method=method, samples=samples, seed=seed)
    issues = []
    for o, drivers in enumerate(res["outputs"]):
        j, k = divmod(o, len(names))
        issues.append({"id": scenario.issues[j].id, "model": names[k], "drivers": drivers})
    return {
        "scenario": scenario.name,
        "method": method,
        "samples": res["samples"],
        "evaluations": res["evaluations"],
        "seed": seed,
        "inputs": len(inputs),
        "issues": issues,
    }


def evaluations(method: Method, samples: int | None, k: int) -> int:
    """How many model runs a design needs: N·(k + 2) for Sobol, N·(k + 1) for Morris."""
    n = int(samples or DEFAULT_SAMPLES[method])
    return n * (k + 2) if method == "sobol" else n * (k + 1)
