"""``smp``: KTAB's Spatial Model of Politics, as ../shared/specs/smp.md specifies it.

Wise, Lester & Efird, KAPSARC Toolkit for Behavioral Analysis (KTAB), ``smpc``: actors bargain
over a multi-dimensional position space, each turn challenging the actor whose concession it
values most, forming compromises interpolated by the challenge's odds and adopting the
bargain a probabilistic Condorcet election of all actors favours, until the positions move
less than 2% of the first turn's movement (at least 2 and at most 100 turns).

The pure core is :func:`simulate` (positions on KTAB's internal [0, 1] scale); this module is
its facade for the registry: a scenario's issues are SMP's dimensions and run jointly, each
actor's saliences are rescaled where they sum to more than 1 across issues (KTAB's rule that
they sum to at most 100), and issues on which some actor has no position or no salience are
returned as skipped. Actors with no position on any issue take no part.

Where KTAB throws (spec §11.5) this implementation goes on, as documented here: when every
actor is equally likely to win the risk-neutral election (KTAB divides by p_max − p_min = 0)
all actors are risk neutral; a Markov PCE not converged after 1,000 steps keeps its last
iterate; a Conditional PCE whose products underflow (large N; KTAB gets 0/0) is computed from
sums of logarithms; and KTAB's check that risk-aware and risk-neutral utilities differ is not
made (it fails when all actors agree, a run that here simply stops after 2 turns). Ties
between bargains with bit-identical probabilities go to the first in the canonical list
order [status quo, own proposal, proposals received by initiator index] (KTAB: thread order).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from realpolitik.errors import InputError
from realpolitik.models._registry import (
    IssueInputs,
    IssueResult,
    ModelSpec,
    Options,
    RoundParams,
    RunContext,
    Trace,
)
from realpolitik.models._smp_bargain import Settings
from realpolitik.models._smp_dynamics import History, simulate, win_probabilities
from realpolitik.models._smp_prng import KTAB_DEFAULT_SEED, KtabPRNG

__all__ = [
    "SmpOptions",
    "Settings",
    "History",
    "simulate",
    "win_probabilities",
    "forecast_points",
    "KtabPRNG",
    "KTAB_DEFAULT_SEED",
    "SPEC",
]

_SETTING_VALUES: dict[str, tuple[str, ...]] = {
    "victory_prob_model": ("Linear", "Square", "Quartic", "Octic", "Binary"),
    "voting_rule": ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"),
    "pce_model": ("Conditional", "MarkovIncentive", "MarkovUniform"),
    "state_transitions": ("Deterministic", "Stochastic"),
    "big_r_range": ("Min", "Mid", "Max"),
    "big_r_adjust": ("None", "OneThird", "Half", "TwoThirds", "Full"),
    "third_party_commit": ("NoCommit", "SemiCommit", "FullCommit"),
    "inter_vec_brgn": ("S1P1", "S2P2", "S2PMax"),
    "bargn_model": ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"),
}
#: smpSchema.xsd's spellings, which KTAB's own reader rejects (spec §1, "Schema mismatch").
_SCHEMA_SPELLINGS = {"proportional": "Prop", "no": "None"}


class SmpOptions(Options):
    """The nine KTAB settings with KTAB's defaults (spec §1), and the forecast rule.

    Values are KTAB's code spellings, matched without regard to case; smpSchema.xsd's
    "Proportional" and "No" are accepted for "Prop" and "None". ``forecast``: ``probable``
    (the final state's most probable position: the actor, or actors sharing a position, with
    the highest win probability, ties to the lowest index) or ``mean`` (the capability ×
    salience weighted mean of the final positions). ``seed``: KTAB's 64-bit PRNG seed for
    Stochastic transitions (a run's seed overrides it, as ``smpc --seed`` overrides the XML
    file's). ``accommodation``: KTAB's ideal-accommodation pairs, ``{adjusting actor:
    {reference actor: weight}}`` (identity otherwise). ``round_length``: days per turn, for
    the timeline.
    """

    victory_prob_model: Literal["Linear", "Square", "Quartic", "Octic", "Binary"] = "Linear"
    voting_rule: Literal["Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"] = "Prop"
    pce_model: Literal["Conditional", "MarkovIncentive", "MarkovUniform"] = "Conditional"
    state_transitions: Literal["Deterministic", "Stochastic"] = "Deterministic"
    big_r_range: Literal["Min", "Mid", "Max"] = "Mid"
    big_r_adjust: Literal["None", "OneThird", "Half", "TwoThirds", "Full"] = "OneThird"
    third_party_commit: Literal["NoCommit", "SemiCommit", "FullCommit"] = "SemiCommit"
    inter_vec_brgn: Literal["S1P1", "S2P2", "S2PMax"] = "S2P2"
    bargn_model: Literal["InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"] = "InitOnlyInterp"
    forecast: Literal["probable", "mean"] = "probable"
    seed: int | None = Field(default=None, ge=0, lt=2**64)
    accommodation: dict[str, dict[str, float]] = Field(default_factory=dict)
    round_length: float = Field(default=1.0, gt=0)

    @field_validator(*_SETTING_VALUES, mode="before")
    @classmethod
    def _spelling(cls, value: Any, info: Any) -> Any:
        if not isinstance(value, str):
            return value
        key = value.strip().lower()
        if key in _SCHEMA_SPELLINGS:
            return _SCHEMA_SPELLINGS[key]
        for canonical in _SETTING_VALUES[info.field_name]:
            if canonical.lower() == key:
                return canonical
        return value

    @field_validator("accommodation")
    @classmethod
    def _rows(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for actor, row in value.items():
            if any(w < 0 for w in row.values()) or sum(row.values()) > 1.0 + 1e-12:
                raise ValueError(f"weights of {actor!r} must be ≥ 0 and sum to at most 1")
        return value

    def settings(self) -> Settings:
        return Settings(**{name: getattr(self, name) for name in _SETTING_VALUES})


def forecast_points(
    positions: np.ndarray, win_prob: np.ndarray, s: np.ndarray, c: np.ndarray, rule: str
) -> np.ndarray:
    """The forecast point of each state, ``[state, dim]`` (see :class:`SmpOptions`)."""
    if rule == "mean":
        w = c[:, None] * s
        return (w[None] * positions).sum(axis=1) / w.sum(axis=0)
    best = np.argmax(win_prob, axis=1)  # first maximum: ties to the lowest actor index
    return positions[np.arange(positions.shape[0]), best]


def _accommodation(
    options: SmpOptions, actors: tuple[str, ...], part: np.ndarray
) -> np.ndarray | None:
    """KTAB's matrix A over the participating actors (identity rows where unset, §2.2)."""
    if not options.accommodation:
        return None
    ids = [actors[k] for k in part] if actors else [str(k) for k in part]
    index = {a: k for k, a in enumerate(ids)}
    A = np.eye(len(ids))
    for adjusting, row in options.accommodation.items():
        for reference, weight in row.items():
            for name in (adjusting, reference):
                if name not in index:
                    raise InputError(
                        field=f"models.smp.accommodation.{adjusting}",
                        value=name,
                        expected=f"the id of an actor taking part: {', '.join(ids)}",
                    )
            A[index[adjusting], index[reference]] = weight
    return A


def _rescale(s: np.ndarray) -> np.ndarray:
    """Divide an actor's saliences by their sum where it exceeds 1 (KTAB: Σ_d sal ≤ 100)."""
    total = s.sum(axis=1, keepdims=True)
    return np.where(total > 1.0, s / np.where(total > 0, total, 1.0), s)


def _runnable(inputs: IssueInputs) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Participants (actors with a position on some issue), runnable issues, skip reasons."""
    names = inputs.actors or tuple(str(k) for k in range(inputs.n_actors))
    part = np.flatnonzero(inputs.mask.any(axis=1))
    skipped: dict[int, str] = {}
    for j in range(inputs.n_issues):
        for k in part:
            if not inputs.mask[k, j]:
                skipped[j] = f"actor {names[k]!r} takes no position (smp needs every actor)"
            elif not (np.isfinite(inputs.x[k, j]) and inputs.s[k, j] > 0):
                skipped[j] = f"actor {names[k]!r} has no positive salience"
            else:
                continue
            break
    runnable = np.array([j for j in range(inputs.n_issues) if j not in skipped], dtype=int)
    general = None
    if part.size < 3:
        general = "fewer than 3 actors (KTAB's minimum)"
    elif np.any(~(inputs.c[part] > 0)):
        general = "an actor without positive capability"
    if general is not None:
        skipped.update({int(j): general for j in runnable})
        runnable = runnable[:0]
    return part, runnable, skipped


def _run(inputs: IssueInputs, options: SmpOptions, ctx: RunContext) -> IssueResult:
    """Run SMP on a scenario's issues jointly; positions in and out on 0-100."""
    part, run_issues, skipped = _runnable(inputs)
    n, m = inputs.n_actors, inputs.n_issues
    if run_issues.size == 0:
        return IssueResult(values=np.full(m, np.nan), skipped=skipped)
    sub = np.ix_(part, run_issues)
    x0 = inputs.x[sub] / 100.0
    s0 = _rescale(inputs.s[sub])
    c0 = np.asarray(inputs.c, dtype=float)[part]
    before_turn = None
    if ctx.before_round is not None:
        hook = ctx.before_round

        def before_turn(t: int, x: np.ndarray, s: np.ndarray, c: np.ndarray):  # noqa: ANN202
            full_x = np.array(inputs.x, dtype=float)
            full_x[sub] = 100.0 * x
            full_s = np.array(inputs.s, dtype=float)
            full_s[sub] = s
            full_c = np.array(inputs.c, dtype=float)
            full_c[part] = c
            out = hook(t, RoundParams(x=full_x, s=full_s, c=full_c))
            s2 = _rescale(np.asarray(out.s, dtype=float)[sub])
            s2 = np.where(s2.sum(axis=1, keepdims=True) > 0, s2, 1e-9)  # keep δ defined
            return (
                np.asarray(out.x, dtype=float)[sub] / 100.0,
                s2,
                np.asarray(out.c, dtype=float)[part],
            )

    seed = ctx.seed if ctx.seed is not None else options.seed
    history = simulate(
        x0,
        s0,
        c0,
        settings=options.settings(),
        accommodation=_accommodation(options, inputs.actors, part),
        seed=None if seed is None else int(seed) % 2**64,
        before_turn=before_turn,
    )
    T = history.n_states
    points = 100.0 * forecast_points(history.positions, history.win_prob, s0, c0, options.forecast)
    positions = np.where(inputs.mask, inputs.x, np.nan)[None].repeat(T, axis=0)
    positions[:, part[:, None], run_issues[None, :]] = 100.0 * history.positions
    path = np.full((T, m), np.nan)
    path[:, run_issues] = points
    win = np.full((T, n), np.nan)
    win[:, part] = history.win_prob
    risk = np.full((T, n), np.nan)
    risk[:, part] = history.risk
    values = np.full(m, np.nan)
    values[run_issues] = points[-1]
    trace = Trace(
        positions=positions,
        forecast_path=path,
        extra={
            "win_probability": win,
            "risk_attitude": risk,
            "fractional_change": history.fractional_change,
            "states": T,
            "dimensions": run_issues,
            "round_length": options.round_length,
            "json": {  # added to the --trace JSON (realpolitik.forecast)
                "win_probability": _nested(win),
                "fractional_change": _nested(history.fractional_change),
                "states": T,
            },
        },
    )
    return IssueResult(values=values, trace=trace, skipped=skipped)


def _nested(a: np.ndarray) -> list:
    """Nested lists for JSON, NaN as None."""
    a = np.asarray(a, dtype=float)
    return np.where(np.isfinite(a), a, None).tolist()


SPEC = ModelSpec(
    name="smp",
    kind="issue",
    summary=(
        "KTAB Spatial Model of Politics: challenges, interpolated bargains and probabilistic "
        "Condorcet elections over all issues jointly, until positions settle (2% rule)."
    ),
    citation=(
        "Wise, Lester & Efird, KAPSARC Toolkit for Behavioral Analysis (KTAB) smpc, "
        "github.com/lsyaseen/KTAB; ../shared/specs/smp.md"
    ),
    run=_run,
    options=SmpOptions,
    dynamic=True,
    default=False,
)
