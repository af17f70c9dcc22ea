"""Bueno de Mesquita's expected utility model (EUM), as formalised by Scholz, Calbert & Smith.

Source: Scholz, J.B., Calbert, G.J. & Smith, G.A. (2011), *Unravelling Bueno de Mesquita's
group decision model*, ICAART 2011, pp. 18-30; specified in docs/specs/eum.md, whose
section numbers the docstrings cite. Every point where the paper or its reimplementations can
be read more than one way is a named option (spec §5). Three presets bundle the readings of
the literature (spec §6): ``canonical`` (the paper's equations), ``scholz_code`` (the
jmckib/dmasad code "faithful to Scholz' original code", which reproduces Table 2) and
``hamzagul_like``. None of them is "the" BdM model.

Each issue is run on its own, as the literature does; actors without a position on an issue
take no part in it. :func:`eum_issue` is the pure single-issue function; :func:`run` is the
registry entry point (``models/_registry.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field, PositiveFloat, model_validator

from realpolitik.errors import InputError
from realpolitik.models._eum_core import eum_round, weighted_mean, weighted_median
from realpolitik.models._registry import (
    IssueInputs,
    IssueResult,
    ModelSpec,
    Options,
    RoundParams,
    RunContext,
    Trace,
)

__all__ = [
    "CANONICAL",
    "EumOptions",
    "EumTrajectory",
    "HAMZAGUL_LIKE",
    "PRESETS",
    "SCHOLZ_CODE",
    "SPEC",
    "eum_issue",
    "run",
]

PresetName = Literal["canonical", "scholz_code", "hamzagul_like"]

#: Option values of each preset (spec §6); explicit options override them.
PRESET_VALUES: dict[str, dict[str, Any]] = {
    "canonical": {},
    "scholz_code": {
        "range_mode": "initial",
        "prob": "global_denominator",
        "perspective": "receiver",
        "capitulation": "none",
        "selection": "jmckib",
        "tiebreak": "index",
        "median_tie": "lower",
        "prob_undefined": 0.0,
        "same_tol": 0.0,
    },
    "hamzagul_like": {
        "conflict": "none",
        "selection": "max_eu",
        "median_tie": "lower",
        "stop": "stable",
        "stable_eps": 0.5,
        "stable_k": 2,
        "max_rounds": 20,
    },
}

#: The most rounds (``rounds``, ``max_rounds``): BdM ran 10 and positions settle within
#: 20; a thousand rounds of a 20-actor issue take about a second.
MAX_ROUNDS = 1_000


class EumOptions(Options):
    """Options of ``eum`` (spec §5); canonical values are the defaults.

    ``preset`` first fills in the values of spec §6; options given explicitly override it.
    """

    preset: PresetName = Field("canonical", description="bundle of options (spec §6)")
    salience_scale: Literal["auto"] | PositiveFloat = Field(
        "auto",
        description="eum_issue only: 'auto' divides saliences by 100 if any exceeds 1, "
        "or a fixed divisor (§1)",
    )
    range_mode: Literal["current", "initial", "fixed"] = Field(
        "current", description="R: range of current positions, of round 0, or range_value"
    )
    range_value: float = Field(100.0, gt=0, description="R when range_mode=fixed")
    median_tie: Literal["mid", "lower", "upper", "first"] = Field(
        "mid", description="which tied Condorcet winner is the median (§3.2)"
    )
    prob: Literal["scholz", "net_clipped", "exclude_pair", "global_denominator"] = Field(
        "scholz", description="probability of prevailing (§3.3; eq. 31 is 'scholz')"
    )
    prob_undefined: float = Field(0.5, ge=0, le=1, description="P when no voter takes a side")
    q: float = Field(1.0, ge=0, le=1, description="Q, probability the status quo persists")
    q_mode: Literal["constant", "product"] = Field(
        "constant", description="Q constant, or prod_k (P_ik + 1 - s_k) (minimalgeek)"
    )
    t_rule: Literal["median_closer", "one"] = Field(
        "median_closer", description="T_ij (§3.5; irrelevant at Q = 1)"
    )
    risk: Literal["scholz", "off"] = Field("scholz", description="risk exponents (§3.7)")
    security: Literal["column", "row"] = Field(
        "column", description="Sec_i = sum_j E_ji (column) or E_ij (row, BDM 1997)"
    )
    perspective: Literal["own", "receiver"] = Field(
        "own", description="exponents: each side its own, or the mover's for both (jmckib)"
    )
    conflict: Literal["full", "none"] = Field("full", description="conflict lost: move or not")
    capitulation: Literal["full", "none"] = Field(
        "full", description="capitulation: move or not (jmckib never capitulates)"
    )
    selection: Literal["type_priority", "least_move", "max_eu", "jmckib"] = Field(
        "type_priority", description="which offer a mover accepts (§3.9)"
    )
    tiebreak: Literal["eu_index", "index"] = Field(
        "eu_index", description="last keys: highest proposer EU then lowest index, or index"
    )
    eps: float = Field(1e-12, ge=0, description="tolerance of EU comparisons (§3.11)")
    same_tol: float = Field(1e-9, ge=0, description="pairs within same_tol*R not contested")
    rounds: int = Field(10, ge=0, le=MAX_ROUNDS, description="rounds when stop=fixed (§4)")
    stop: Literal["fixed", "stable"] = Field("fixed", description="stopping rule (§4)")
    stable_eps: float = Field(0.5, gt=0, description="stop=stable: |mu_t - mu_t-1| below this")
    stable_k: int = Field(2, ge=1, description="stop=stable: for this many rounds in a row")
    max_rounds: int = Field(
        20, ge=1, le=MAX_ROUNDS, description="stop=stable: at most this many rounds"
    )
    forecast: Literal["median", "mean"] = Field(
        "median", description="forecast: median of final positions, or c*s-weighted mean"
    )
    round_length: float = Field(1.0, gt=0, description="days per round on a timeline")

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: Any) -> Any:
        if isinstance(data, dict):
            preset = data.get("preset", "canonical")
            if isinstance(preset, str) and preset in PRESET_VALUES:
                return {**PRESET_VALUES[preset], **data}
        return data


CANONICAL = EumOptions()
SCHOLZ_CODE = EumOptions(preset="scholz_code")
HAMZAGUL_LIKE = EumOptions(preset="hamzagul_like")
#: The presets of spec §6 as full option sets.
PRESETS: dict[str, EumOptions] = {
    "canonical": CANONICAL,
    "scholz_code": SCHOLZ_CODE,
    "hamzagul_like": HAMZAGUL_LIKE,
}


@dataclass(frozen=True)
class EumTrajectory:
    """One issue's path: round 0 is the input (spec §4 "reported trajectory").

    ``positions[round, actor]``, ``median[round]`` (mu_t), ``mean[round]`` (m_t, c*s weights),
    ``rounds`` the rounds run before the stopping rule held, ``forecast`` the final forecast.
    """

    positions: np.ndarray
    median: np.ndarray
    mean: np.ndarray
    rounds: int
    forecast: float


BeforeRound = Callable[[int, RoundParams], RoundParams]


def _simulate(
    x: np.ndarray,
    s: np.ndarray,
    c: np.ndarray,
    mask: np.ndarray,
    opts: EumOptions,
    before_round: BeforeRound | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run every issue of x[actor, issue] in lock-step (one before_round call per round).

    Returns positions[round, actor, issue] (NaN outside the mask), median[round, issue],
    mean[round, issue] and rounds[issue]. Issues that stop early repeat their last state.
    """
    n, k = x.shape
    cur = np.array(x, dtype=float)
    s = np.array(s, dtype=float)
    c = np.array(c, dtype=float)
    act = [np.flatnonzero(mask[:, j]) for j in range(k)]
    r0 = np.array([np.ptp(cur[a, j]) if a.size else 0.0 for j, a in enumerate(act)])

    def stats(j: int) -> tuple[float, float]:
        a = act[j]
        if a.size == 0:
            return np.nan, np.nan
        w = c[a] * s[a, j]
        return (
            weighted_median(cur[a, j], w, opts.median_tie, opts.eps),
            weighted_mean(cur[a, j], w),
        )

    def snapshot() -> np.ndarray:
        return np.where(mask, cur, np.nan)

    first = [stats(j) for j in range(k)]
    pos = [snapshot()]
    med = [np.array([f[0] for f in first])]
    mean = [np.array([f[1] for f in first])]
    limit = opts.rounds if opts.stop == "fixed" else opts.max_rounds
    done = np.zeros(k, dtype=bool) if limit > 0 else np.ones(k, dtype=bool)
    frozen = np.zeros(k, dtype=bool)  # last round moved nobody and nothing changed since
    calm = np.zeros(k, dtype=int)
    rounds = np.zeros(k, dtype=int)
    t = 0
    while not done.all():
        t += 1
        if before_round is not None:
            p = before_round(t, RoundParams(x=cur.copy(), s=s.copy(), c=c.copy()))
            nx, ns, nc = (np.array(v, dtype=float) for v in (p.x, p.s, p.c))
            changed = np.any((nx != cur) | (ns != s), axis=0) | bool(np.any(nc != c))
            frozen &= ~changed
            cur, s, c = nx, ns, nc
        m_t, mean_t = med[-1].copy(), mean[-1].copy()
        for j in np.flatnonzero(~done):
            a = act[j]
            if not frozen[j]:
                res = eum_round(cur[a, j], s[a, j], c[a], float(r0[j]), opts)
                cur[a, j] = res.x
                frozen[j] = not res.moved
                m_t[j], mean_t[j] = stats(j)
            rounds[j] = t
            if opts.stop == "fixed":
                done[j] = t >= opts.rounds
            else:
                calm[j] = calm[j] + 1 if abs(m_t[j] - med[-1][j]) < opts.stable_eps else 0
                done[j] = calm[j] >= opts.stable_k or t >= opts.max_rounds
        pos.append(snapshot())
        med.append(m_t)
        mean.append(mean_t)
    return np.array(pos), np.array(med), np.array(mean), rounds


def _check_issue(x: Any, s: Any, c: Any, opts: EumOptions) -> tuple[np.ndarray, ...]:
    """Validate one issue's inputs and normalise saliences (spec §1)."""
    arrs = []
    for name, v in (("x", x), ("s", s), ("c", c)):
        try:
            a = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise InputError(field=f"eum.{name}", value=v, expected="numbers") from None
        if a.ndim != 1 or a.size == 0:
            raise InputError(
                field=f"eum.{name}", value=v, expected="a non-empty one-dimensional array"
            )
        bad = np.flatnonzero(~np.isfinite(a))
        if bad.size:
            raise InputError(
                field=f"eum.{name}[{bad[0]}]", value=a[bad[0]], expected="a finite number"
            )
        arrs.append(a)
    x, s, c = arrs
    if not (x.size == s.size == c.size):
        raise InputError(
            field="eum.s, eum.c",
            problem=f"lengths {s.size} and {c.size}",
            expected=f"one salience and one capability per position ({x.size})",
        )
    if opts.salience_scale == "auto":
        if np.any(s > 1.0):
            s = s / 100.0
    else:
        s = s / float(opts.salience_scale)
    bad = np.flatnonzero((s < 0.0) | (s > 1.0))
    if bad.size:
        raise InputError(
            field=f"eum.s[{bad[0]}]",
            value=float(s[bad[0]]),
            expected="saliences in [0, 1] after scaling (or on 0-100, divided by 100)",
        )
    bad = np.flatnonzero(c < 0.0)
    if bad.size:
        raise InputError(
            field=f"eum.c[{bad[0]}]", value=float(c[bad[0]]), expected="capability >= 0"
        )
    return x, s, c


def eum_issue(
    x: Any, s: Any, c: Any, options: EumOptions | None = None, **overrides: Any
) -> EumTrajectory:
    """Run the expected utility model on one issue (spec §3-4).

    ``x`` positions on any scale (results are equivariant under x -> alpha x + beta),
    ``s`` saliences (in [0, 1], or on 0-100 per ``salience_scale``), ``c`` capabilities >= 0.
    ``options`` defaults to the canonical set; keyword ``overrides`` replace single options,
    e.g. ``eum_issue(x, s, c, preset="scholz_code", rounds=8)``.
    """
    opts = options or CANONICAL
    if overrides:
        opts = EumOptions(**{**opts.model_dump(exclude_unset=True), **overrides})
    x, s, c = _check_issue(x, s, c, opts)
    pos, med, mean, rounds = _simulate(
        x[:, None], s[:, None], c, np.ones((x.size, 1), dtype=bool), opts
    )
    path = med if opts.forecast == "median" else mean
    return EumTrajectory(
        positions=pos[:, :, 0],
        median=med[:, 0],
        mean=mean[:, 0],
        rounds=int(rounds[0]),
        forecast=float(path[-1, 0]),
    )


def run(inputs: IssueInputs, options: EumOptions | None, ctx: RunContext) -> IssueResult:
    """Registry entry point: every issue on its own, actors outside the mask left out.

    Positions arrive on 0-100 and saliences in [0, 1] (``salience_scale`` is not applied
    here). ``ctx.before_round(t, params)`` is called before each round t >= 1 with the
    positions of all issues. The trace holds positions[round, actor, issue] (NaN where an
    actor has no position), forecast_path[round, issue], and in ``extra`` the median and mean
    paths and the rounds each issue ran.
    """
    if options is None:
        opts = CANONICAL
    elif isinstance(options, EumOptions):
        opts = options
    else:
        opts = EumOptions.model_validate(dict(options))
    mask = np.asarray(inputs.mask, dtype=bool)
    pos, med, mean, rounds = _simulate(
        np.where(mask, inputs.x, 0.0),
        np.where(mask, inputs.s, 0.0),
        np.asarray(inputs.c, dtype=float),
        mask,
        opts,
        ctx.before_round,
    )
    path = med if opts.forecast == "median" else mean
    skipped = {
        int(j): "no actor takes a position on this issue" for j in np.flatnonzero(~mask.any(axis=0))
    }
    trace = Trace(
        positions=pos,
        forecast_path=path,
        extra={"median": med, "mean": mean, "rounds": rounds, "round_length": opts.round_length},
    )
    return IssueResult(values=path[-1].copy(), trace=trace, skipped=skipped)


SPEC = ModelSpec(
    name="eum",
    kind="issue",
    summary="Bueno de Mesquita's expected utility model (Scholz et al. 2011), options as named",
    citation=(
        "Scholz, Calbert & Smith (2011), Unravelling Bueno de Mesquita's group decision model, "
        "ICAART 2011, 18-30; Bueno de Mesquita (1994); docs/specs/eum.md"
    ),
    run=run,
    options=EumOptions,
    dynamic=True,
    default=True,
)
