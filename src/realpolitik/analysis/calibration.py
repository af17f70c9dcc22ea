"""Calibrated predictive distributions: each issue model's own error on history.

An ensemble's spread only says how a forecast moves when the inputs are redrawn; it ignores
how wrong the model itself is. Here each issue model gets a calibration from its
out-of-sample errors on recorded outcomes (the DEU III development split by default), by
split-conformal prediction grouped by proposal (Vovk, Gammerman & Shafer 2005; Lei et al.
2018, *JASA* 113(523)) and, for fitted models, its cross-fit form CV+ (Barber, Candès, Ramdas
& Tibshirani 2021, *Ann. Statist.* 49(1)).

1. **Centre.** A model's forecast of an issue is a distribution C with quantile function
   C(τ): a point mass at the forecast for point models, the mixture for ``choice``.
2. **Conformity score** at central level c (conformalized quantile regression, Romano,
   Patterson & Candès 2019, *NeurIPS*): s_c = max(C((1−c)/2) − y, y − C((1+c)/2)); for a
   point model this is |y − forecast| at every level (the symmetric interval).
3. **Conformal quantile** of n exchangeable scores at level c: the ⌈c(n+1)⌉-th smallest
   (Lei et al. 2018, §2.2); past n it is unbounded, and the interval is the whole scale.
4. **Interval** at level c: [C((1−c)/2) − q_c, C((1+c)/2) + q_c], clipped to [0, 100].
   Its marginal coverage is at least c when the new issue is exchangeable with the
   calibration issues, and at most c + 1/(n+1) for continuous scores.
5. **Predictive distribution**: the quantile function Q(τ) = C(τ) + sign(τ − ½)·q(|2τ − 1|),
   with q interpolated linearly over the levels of :data:`LEVELS` and clipped to [0, 100],
   so its central intervals at the grid's levels are those of step 4. A forecast adds one
   draw of it to every ensemble run; a single run uses its quantiles alone.

The calibration table keeps q at every level of :data:`LEVELS` per model, with the data it
was fitted on (a fingerprint of its issues, so that a backtest on the same file knows its figures would be
in-sample). The bundled table (``data/calibration/deu_dev.json``) was fitted on the bundled
dev split by ``realpolitik calibrate``. crepes (Boström 2022) implements step 3 too, but
imports scikit-learn and pandas; the step is one line here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.errors import InputError

__all__ = [
    "BASIS",
    "LEVELS",
    "SCORED_LEVELS",
    "Centre",
    "ModelCalibration",
    "CalibrationTable",
    "point_centre",
    "centre_quantile",
    "conformal_quantile",
    "conformity_scores",
    "calibrate_scores",
    "interval",
    "error_offsets",
    "predictive_quantiles",
    "grouped_folds",
    "bundled_calibration_path",
    "read_calibration",
    "default_calibration",
]

#: What the bundled calibration rests on, said wherever its intervals are shown.
BASIS = "calibrated on EU legislation (DEU); coverage on other kinds of negotiation unknown"
#: The central coverage levels at which a calibration keeps its conformal quantile.
LEVELS = np.round(np.r_[np.arange(0.0, 0.98 + 1e-9, 0.02), 0.99], 2)
#: The levels every backtest scores.
SCORED_LEVELS = (0.5, 0.8, 0.9)


@dataclass(frozen=True)
class Centre:
    """A forecast as a discrete distribution on 0–100: ``atoms`` and their ``weights``."""

    atoms: np.ndarray
    weights: np.ndarray


def point_centre(value: float) -> Centre:
    """A point forecast as a centre: one atom of weight 1."""
    return Centre(atoms=np.array([float(value)]), weights=np.array([1.0]))


def centre_quantile(centre: Centre, tau: np.ndarray | float) -> np.ndarray:
    """C(τ): the smallest atom whose cumulative weight reaches τ."""
    order = np.argsort(centre.atoms, kind="stable")
    atoms = centre.atoms[order]
    cum = np.cumsum(centre.weights[order]) / np.sum(centre.weights)
    k = np.searchsorted(cum, np.asarray(tau, dtype=float) - 1e-12)
    return atoms[np.minimum(k, atoms.size - 1)]


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ⌈level·(n+1)⌉-th smallest finite score (at least the first); +inf past n
    (Lei et al. 2018, §2.2)."""
    s = np.sort(np.asarray(scores, dtype=float)[np.isfinite(scores)])
    k = max(1, int(np.ceil(level * (s.size + 1) - 1e-9)))  # level 0: the smallest score
    return float(s[k - 1]) if k <= s.size else np.inf


def conformity_scores(
    centres: Sequence[Centre | None], outcomes: np.ndarray, levels: np.ndarray = LEVELS
) -> np.ndarray:
    """``scores[n, L]``: max(C((1−c)/2) − y, y − C((1+c)/2)) per issue and level c (NaN
    rows for missing centres, which :func:`conformal_quantile` leaves out)."""
    out = np.full((len(centres), len(levels)), np.nan)
    lo_tau, hi_tau = (1.0 - levels) / 2.0, (1.0 + levels) / 2.0
    for i, (c, y) in enumerate(zip(centres, outcomes, strict=True)):
        if c is None or c.atoms.size == 0:
            continue
        out[i] = np.maximum(centre_quantile(c, lo_tau) - y, y - centre_quantile(c, hi_tau))
    return out


@dataclass(frozen=True)
class ModelCalibration:
    """One model's conformal quantiles ``q[L]`` at :data:`LEVELS`, from ``n`` issues.

    A level beyond what n scores can certify has q = 100: the whole scale.
    """

    model: str
    n: int
    q: np.ndarray

    def at(self, level: float) -> float:
        """q at a central level (linear between the grid's levels, the last beyond it)."""
        return float(np.interp(level, LEVELS, self.q))

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "q": [round(float(v), 6) for v in self.q]}


def calibrate_scores(model: str, scores: np.ndarray) -> ModelCalibration:
    """Conformal quantiles of ``scores[n, L]`` at each level of :data:`LEVELS`."""
    q = np.array([conformal_quantile(scores[:, k], c) for k, c in enumerate(LEVELS)])
    n = int(np.isfinite(scores[:, 0]).sum()) if scores.size else 0
    return ModelCalibration(model=model, n=n, q=np.clip(q, -100.0, 100.0))


def interval(centre: Centre, cal: ModelCalibration, level: float) -> tuple[float, float]:
    """The calibrated central interval at ``level`` (step 4), clipped to [0, 100]."""
    q = cal.at(level)
    lo = float(centre_quantile(centre, (1.0 - level) / 2.0)) - q
    hi = float(centre_quantile(centre, (1.0 + level) / 2.0)) + q
    return max(0.0, min(lo, 100.0)), min(100.0, max(hi, 0.0))


def error_offsets(cal: ModelCalibration, tau: np.ndarray) -> np.ndarray:
    """sign(τ − ½)·q(|2τ − 1|): the model's error at level τ (step 5)."""
    tau = np.asarray(tau, dtype=float)
    return np.sign(tau - 0.5) * np.interp(np.abs(2.0 * tau - 1.0), LEVELS, cal.q)


def predictive_quantiles(centre: Centre, cal: ModelCalibration, tau: np.ndarray) -> np.ndarray:
    """Q(τ) = C(τ) + sign(τ − ½)·q(|2τ − 1|), clipped to [0, 100] (step 5)."""
    return np.clip(centre_quantile(centre, tau) + error_offsets(cal, tau), 0.0, 100.0)


def grouped_folds(groups: Sequence[str], k: int, rng: np.random.Generator) -> np.ndarray:
    """A fold 0..k-1 per item such that all items of a group share a fold.

    scikit-learn's ``GroupKFold`` with the group order shuffled: the groups, in an order
    drawn from ``rng``, are sorted by size (largest first, stable) and each goes to the
    fold with the fewest items so far (the first such fold on a tie).
    """
    labels = np.asarray([str(g) for g in groups])
    uniq, codes = np.unique(labels, return_inverse=True)
    if uniq.size < k:
        raise ValueError(f"{uniq.size} groups cannot make {k} folds")
    perm = rng.permutation(uniq.size)
    sizes = np.bincount(codes, minlength=uniq.size)
    order = perm[np.argsort(-sizes[perm], kind="stable")]
    load = np.zeros(k, dtype=int)
    fold_of = np.empty(uniq.size, dtype=int)
    for g in order:
        f = int(np.argmin(load))
        fold_of[g] = f
        load[f] += sizes[g]
    return fold_of[codes]


# -- the table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationTable:
    """Every calibrated model's quantiles, with the data they rest on.

    ``source``: ``data`` (display name), ``data_id`` (the fingerprint of its issues,
    :func:`realpolitik.analysis.crossval.fingerprint`), ``n_issues``, ``n_proposals``,
    ``capabilities``, ``folds``, ``seed`` and what was fitted how (``method``).
    """

    models: dict[str, ModelCalibration]
    source: dict[str, Any] = field(default_factory=dict)
    basis: str = BASIS
    file: str = "bundled calibration (DEU III development split)"

    def get(self, model: str) -> ModelCalibration | None:
        return self.models.get(model)

    def fitted_on(self, data_id: str) -> bool:
        """Whether this table was fitted on the data with this fingerprint."""
        return self.source.get("data_id") == data_id

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "realpolitik calibration",
            "basis": self.basis,
            "levels": [float(c) for c in LEVELS],
            "source": dict(self.source),
            "models": {m: c.to_json() for m, c in self.models.items()},
        }

    def write(self, path: str | Path) -> None:
        try:
            Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            raise InputError(
                file=str(path),
                problem=f"cannot write it ({exc.strerror})",
                expected="a writable path for --out",
            ) from None


def bundled_calibration_path() -> Path:
    return Path(str(resources.files("realpolitik") / "data" / "calibration" / "deu_dev.json"))


def read_calibration(path: str | Path, *, display: str | None = None) -> CalibrationTable:
    """A table written by ``realpolitik calibrate``; a located error if it is not one."""
    name = display or str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            file=name, problem=f"cannot read it ({exc.strerror})", expected="a calibration file"
        ) from None
    except ValueError as exc:
        raise InputError(
            file=name, problem=f"not JSON ({exc})", expected="a calibration file"
        ) from None
    if not isinstance(doc, dict) or doc.get("kind") != "realpolitik calibration":
        raise InputError(
            file=name,
            field="kind",
            value=doc.get("kind") if isinstance(doc, dict) else doc,
            expected="'realpolitik calibration' (a file written by `realpolitik calibrate`)",
        )
    if [round(float(c), 2) for c in doc.get("levels", [])] != [float(c) for c in LEVELS]:
        raise InputError(file=name, field="levels", expected="the levels 0, 0.02, ..., 0.98, 0.99")
    models = {}
    for m, entry in (doc.get("models") or {}).items():
        try:
            q = np.array([float(v) for v in entry["q"]])
            n = int(entry["n"])
        except (KeyError, TypeError, ValueError):
            raise InputError(
                file=name, field=f"models.{m}", expected='{"n": int, "q": [numbers]}'
            ) from None
        if q.size != LEVELS.size or not np.all(np.isfinite(q)):
            raise InputError(
                file=name,
                field=f"models.{m}.q",
                expected=f"{LEVELS.size} finite numbers, one per level",
            )
        models[m] = ModelCalibration(model=m, n=n, q=q)
    return CalibrationTable(
        models=models,
        source=dict(doc.get("source") or {}),
        basis=str(doc.get("basis") or BASIS),
        file=name,
    )


_DEFAULT: list[CalibrationTable] = []


def default_calibration() -> CalibrationTable:
    """The bundled table, fitted on the bundled DEU III development split."""
    if not _DEFAULT:
        _DEFAULT.append(
            read_calibration(
                bundled_calibration_path(),
                display="bundled calibration (DEU III development split)",
            )
        )
    return _DEFAULT[0]
