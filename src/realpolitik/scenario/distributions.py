"""Distributions on scenario numbers, and finding them in a scenario's raw data.

Any numeric field of a scenario may be written as a distribution instead of a value::

    capability: {dist: normal, mean: 20, sd: 5}
    mao: {dist: triangular, low: 80, mode: 100, high: 100, bounds: [0, 100]}

Five families (parameters in the field's own unit):

=============  ===================================  ==========================================
``dist``       parameters                            meaning
=============  ===================================  ==========================================
``normal``     ``mean``, ``sd`` (sd ≥ 0)            Gaussian
``uniform``    ``low``, ``high`` (low ≤ high)       flat on [low, high]
``triangular`` ``low``, ``mode``, ``high``          triangular, low ≤ mode ≤ high
``beta``       ``a``, ``b`` (> 0), ``low``, ``high``  Beta(a, b) stretched onto [low, high]
                 (default 0 and 1)
``choice``     ``values``, ``weights`` (optional)   one of the values, with probability
                                                     proportional to its weight (≥ 0, sum > 0)
=============  ===================================  ==========================================

An optional ``bounds: [low, high]`` (either may be null) clips every draw. Draws are also
always clipped to the field's valid range (a position to its issue's scale, a salience to
[0, 1], a capability kept > 0); see :mod:`realpolitik.ensemble.uncertain`. The loader keeps each one it finds on the
scenario's ``distributions`` field (:class:`realpolitik.scenario.schema.Uncertain`).

Every draw is an inverse-CDF transform ``ppf(u)`` of one uniform number ``u`` in [0, 1): the
seeded ensemble and the sensitivity analysis (which samples the unit cube with SALib) share
one code path, and a single run uses the median ``ppf(1/2)`` (for ``choice``, the lower
median of the values). Only correctly rounded arithmetic, ``sqrt`` and scipy's scalar special
functions (``ndtri``, ``betaincinv``) are used, so a draw has the same bits whatever the batch
it is computed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Distribution",
    "Normal",
    "Uniform",
    "Triangular",
    "Beta",
    "Choice",
    "Found",
    "FAMILIES",
    "parse",
    "extract",
    "is_distribution",
]

# u is kept inside the open interval so that ppf stays finite (normal tails, choice edges).
_U_MIN = 2.0**-53
_U_MAX = 1.0 - 2.0**-53


@dataclass(frozen=True)
class Distribution:
    """Base class: ``ppf(u)`` (vectorised), ``median``, optional clipping ``bounds``."""

    bounds: tuple[float | None, float | None] = (None, None)

    def _ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def ppf(self, u: Any) -> np.ndarray:
        """The quantile function at ``u`` (clipped into (0, 1)), then clipped to ``bounds``."""
        u = np.clip(np.asarray(u, dtype=float), _U_MIN, _U_MAX)
        return self.clip(self._ppf(u))

    def clip(self, v: np.ndarray) -> np.ndarray:
        lo, hi = self.bounds
        if lo is not None:
            v = np.maximum(v, lo)
        if hi is not None:
            v = np.minimum(v, hi)
        return v

    @property
    def median(self) -> float:
        """The single-run value: ``ppf(1/2)``, clipped to ``bounds``."""
        return float(self.clip(self._ppf(np.array([0.5])))[0])

    def describe(self) -> dict[str, Any]:
        """The distribution as plain data (for metadata and JSON)."""
        out: dict[str, Any] = {"dist": self.family}
        for key in self.__dataclass_fields__:
            if key == "bounds":
                continue
            value = getattr(self, key)
            out[key] = list(value) if isinstance(value, tuple) else value
        if self.bounds != (None, None):
            out["bounds"] = list(self.bounds)
        return out

    family = "?"


@dataclass(frozen=True)
class Normal(Distribution):
    mean: float = 0.0
    sd: float = 1.0
    family = "normal"

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import special  # loaded on the first draw, not with the scenario

        return self.mean + self.sd * special.ndtri(u)


@dataclass(frozen=True)
class Uniform(Distribution):
    low: float = 0.0
    high: float = 1.0
    family = "uniform"

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * u


@dataclass(frozen=True)
class Triangular(Distribution):
    low: float = 0.0
    mode: float = 0.5
    high: float = 1.0
    family = "triangular"

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        lo, md, hi = self.low, self.mode, self.high
        width = hi - lo
        if width <= 0.0:
            return np.full_like(u, lo)
        fc = (md - lo) / width
        left = lo + np.sqrt(u * width * (md - lo))
        right = hi - np.sqrt((1.0 - u) * width * (hi - md))
        return np.where(u < fc, left, right)


@dataclass(frozen=True)
class Beta(Distribution):
    a: float = 1.0
    b: float = 1.0
    low: float = 0.0
    high: float = 1.0
    family = "beta"

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import special

        return self.low + (self.high - self.low) * special.betaincinv(self.a, self.b, u)


@dataclass(frozen=True)
class Choice(Distribution):
    """Discrete: ``values`` (sorted ascending at parse time) with ``weights``."""

    values: tuple[float, ...] = (0.0,)
    weights: tuple[float, ...] = (1.0,)
    family = "choice"

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        vals = np.asarray(self.values, dtype=float)
        cum = np.cumsum(np.asarray(self.weights, dtype=float))
        cum = cum / cum[-1]
        idx = np.minimum(np.searchsorted(cum, u, side="right"), vals.size - 1)
        return vals[idx]

    @property
    def median(self) -> float:
        """The lower median: the first value whose cumulative probability reaches 1/2."""
        cum = np.cumsum(np.asarray(self.weights, dtype=float))
        k = int(np.searchsorted(cum / cum[-1], 0.5, side="left"))
        return float(self.clip(np.array([self.values[min(k, len(self.values) - 1)]]))[0])


FAMILIES: dict[str, tuple[type[Distribution], tuple[str, ...], tuple[str, ...]]] = {
    # family: (class, required keys, optional keys)
    "normal": (Normal, ("mean", "sd"), ()),
    "uniform": (Uniform, ("low", "high"), ()),
    "triangular": (Triangular, ("low", "mode", "high"), ()),
    "beta": (Beta, ("a", "b"), ("low", "high")),
    "choice": (Choice, ("values",), ("weights",)),
}

Path = tuple[Any, ...]
ErrorFactory = Callable[..., Exception]


def _default_error(path: Path, **kw: Any) -> Exception:
    from realpolitik.errors import InputError

    return InputError(field=".".join(str(p) for p in path) or None, **kw)


def is_distribution(node: Any) -> bool:
    """True for a mapping with a ``dist`` key."""
    return isinstance(node, dict) and "dist" in node


def _number(raw: dict, key: str, path: Path, error: ErrorFactory) -> float:
    value = raw[key]
    if not _finite_number(value):
        raise error((*path, key), value=value, expected="a finite number")
    return float(value)


def _finite_number(value: Any) -> bool:
    """A finite int or float (not a bool; an int too large for a float is not finite)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) <= 1.7976931348623157e308 and math.isfinite(float(value))


def parse(
    raw: dict[str, Any], path: Path = (), error: ErrorFactory = _default_error
) -> Distribution:
    """A :class:`Distribution` from its mapping; invalid ones raise ``error(path, ...)``.

    ``error(path, value=..., expected=...)`` builds the exception (the loader passes one that
    locates ``path`` in the file); ``path`` is the distribution's own path in the data.
    """
    family = raw.get("dist")
    if not isinstance(family, str) or family not in FAMILIES:  # a list or mapping: unhashable
        raise error(
            (*path, "dist"), value=family, expected="a distribution: " + ", ".join(FAMILIES)
        )
    cls, required, optional = FAMILIES[family]
    allowed = {"dist", "bounds", *required, *optional}
    for key in raw:
        if key not in allowed:
            raise error(
                (*path, key),
                problem=f"unknown key {key!r} for dist: {family}",
                expected="one of: " + ", ".join(sorted(allowed - {"dist"})),
            )
    for key in required:
        if key not in raw:
            raise error(
                path,
                problem=f"required key {key!r} is missing",
                expected=f"dist: {family} with " + ", ".join(required),
            )
    bounds = _bounds(raw, path, error)
    if family == "choice":
        return _choice(raw, path, error, bounds)
    p = {k: _number(raw, k, path, error) for k in (*required, *optional) if k in raw}
    if family == "normal" and p["sd"] < 0:
        raise error((*path, "sd"), value=p["sd"], expected="a standard deviation ≥ 0")
    if family == "beta":
        for k in ("a", "b"):
            if p[k] <= 0:
                raise error((*path, k), value=p[k], expected="a shape parameter > 0")
        p.setdefault("low", 0.0)
        p.setdefault("high", 1.0)
    if family == "triangular":
        if p["low"] > p["high"]:
            raise error((*path, "low"), value=p["low"], expected=f"low ≤ high ({p['high']:g})")
        if not p["low"] <= p["mode"] <= p["high"]:
            raise error(
                (*path, "mode"),
                value=p["mode"],
                expected=f"a mode between low ({p['low']:g}) and high ({p['high']:g})",
            )
    if "low" in p and p["low"] > p["high"]:
        raise error((*path, "low"), value=p["low"], expected=f"low ≤ high ({p['high']:g})")
    return cls(bounds=bounds, **p)


def _bounds(raw: dict, path: Path, error: ErrorFactory) -> tuple[float | None, float | None]:
    if "bounds" not in raw or raw["bounds"] is None:
        return (None, None)
    b = raw["bounds"]
    ok = isinstance(b, list) and len(b) == 2 and all(v is None or _finite_number(v) for v in b)
    if not ok:
        raise error((*path, "bounds"), value=b, expected="[low, high] (numbers, or null for open)")
    lo, hi = (None if v is None else float(v) for v in b)
    if lo is not None and hi is not None and lo > hi:
        raise error((*path, "bounds"), value=b, expected="bounds [low, high] with low ≤ high")
    return (lo, hi)


def _choice(raw: dict, path: Path, error: ErrorFactory, bounds: Any) -> Choice:
    values = raw["values"]
    if not isinstance(values, list) or not values:
        raise error((*path, "values"), value=values, expected="a non-empty list of numbers")
    vals = []
    for k, v in enumerate(values):
        if not _finite_number(v):
            raise error((*path, "values", k), value=v, expected="a finite number")
        vals.append(float(v))
    weights = raw.get("weights")
    if weights is None:
        w = [1.0] * len(vals)
    else:
        if not isinstance(weights, list) or len(weights) != len(vals):
            raise error(
                (*path, "weights"),
                value=weights,
                expected=f"a list of {len(vals)} weights, one per value",
            )
        w = []
        for k, v in enumerate(weights):
            if (
                isinstance(v, bool)
                or not isinstance(v, (int, float))
                or not v >= 0
                or (not math.isfinite(v))
            ):
                raise error((*path, "weights", k), value=v, expected="a weight ≥ 0")
            w.append(float(v))
        if not sum(w) > 0:
            raise error(
                (*path, "weights"), value=weights, expected="weights that sum to a positive number"
            )
    order = sorted(range(len(vals)), key=lambda k: vals[k])
    return Choice(
        bounds=bounds, values=tuple(vals[k] for k in order), weights=tuple(w[k] for k in order)
    )


@dataclass(frozen=True)
class Found:
    """A distribution found in the raw data at ``path`` (keys and list indices)."""

    path: Path
    dist: Distribution


# Where a distribution makes no sense: the definitions of units and the recorded facts.
_FIXED = {
    ("runs",): "the number of runs",
    ("uncertainty",): "the uncertainty block",
    ("models",): "model options",
    ("outcome",): "the recorded outcome",
    ("name",): "the name",
    ("distributions",): "the distributions the loader lists",
    ("source",): "the source the loader keeps",
}


def extract(data: Any, error: ErrorFactory = _default_error) -> tuple[Any, list[Found]]:
    """Replace every distribution in ``data`` by its median; return the copy and what was found.

    Walks mappings and lists in order. A distribution inside an issue's ``scale``, the
    ``outcome``, ``models``, ``runs`` or ``uncertainty`` is an error (these fix units and
    record facts). Invalid distributions raise ``error(path, ...)``.
    """
    found: list[Found] = []

    def walk(node: Any, path: Path) -> Any:
        if is_distribution(node):
            _check_place(path, error)
            dist = parse(node, path, error)
            found.append(Found(path=path, dist=dist))
            return dist.median
        if isinstance(node, dict):
            return {k: walk(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*path, i)) for i, v in enumerate(node)]
        return node

    return walk(data, ()), found


def _check_place(path: Path, error: ErrorFactory) -> None:
    what = _FIXED.get(path[:1])
    if what is None and "scale" in path[:3] and path[:1] == ("issues",):
        what = "an issue's scale"
    if what is not None:
        raise error(
            path,
            problem=f"a distribution in {what}",
            expected="a plain value: only estimates (positions, saliences, capabilities, "
            "event sizes, ...) can be uncertain",
        )
