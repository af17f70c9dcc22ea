"""``smp``: KTAB's Spatial Model of Politics, as docs/specs/smp.md specifies it.

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
from realpolitik.models._smp_dynamics import History, Run, simulate, win_probabilities
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
    options: SmpOptions, ids: tuple[str, ...], part: np.ndarray
) -> np.ndarray | None:
    """KTAB's matrix A over one group's actors (identity rows where unset, spec §2.2).

    Every id must be a scenario actor; pairs naming an actor outside the group are left out.
    """
    if not options.accommodation:
        return None
    index = {ids[k]: row for row, k in enumerate(part)}
    A = np.eye(part.size)
    for adjusting, weights in options.accommodation.items():
        for reference, weight in weights.items():
            for name in (adjusting, reference):
                if name not in ids:
                    raise InputError(
                        field=f"models.smp.accommodation.{adjusting}",
                        value=name,
                        expected=f"the id of an actor of the scenario: {', '.join(ids)}",
                    )
            if adjusting in index and reference in index:
                A[index[adjusting], index[reference]] = weight
    return A


def _rescale(s: np.ndarray) -> np.ndarray:
    """Divide an actor's saliences by their sum where it exceeds 1 (KTAB: Σ_d sal ≤ 100)."""
    total = s.sum(axis=1, keepdims=True)
    s = np.where(total > 1.0, s / np.where(total > 0, total, 1.0), s)
    return np.where(s.sum(axis=1, keepdims=True) > 0, s, 1e-9)  # an event may zero them all


def _groups(
    inputs: IssueInputs, names: tuple[str, ...]
) -> tuple[list[tuple[np.ndarray, np.ndarray]], dict[int, str]]:
    """The issues smp can run, grouped by the actors who take a position on them, and the
    reasons for the others.

    An issue runs when each of its actors has a finite position and a positive salience,
    it has at least 3 actors (KTAB's minimum) and each has a positive capability. Issues with
    the same actors are dimensions of one run; a scenario whose actors all take a position on
    every issue is one run.
    """
    skipped: dict[int, str] = {}
    by_actors: dict[tuple[int, ...], list[int]] = {}
    for j in range(inputs.n_issues):
        part = np.flatnonzero(inputs.mask[:, j])
        lost = [k for k in part if not np.isfinite(inputs.x[k, j])]
        flat = [k for k in part if not inputs.s[k, j] > 0]
        if lost:
            skipped[j] = f"actor {names[lost[0]]!r} has no finite position"
        elif flat:
            skipped[j] = f"actor {names[flat[0]]!r} has no positive salience (smp needs one)"
        elif part.size < 3:
            skipped[j] = f"{part.size} actor(s) take a position: fewer than KTAB's minimum of 3"
        elif np.any(~(inputs.c[part] > 0)):
            skipped[j] = "an actor without positive capability"
        else:
            by_actors.setdefault(tuple(int(k) for k in part), []).append(j)
    groups = [(np.array(p), np.array(js)) for p, js in by_actors.items()]
    return groups, skipped


def _run(inputs: IssueInputs, options: SmpOptions, ctx: RunContext) -> IssueResult:
    """Run SMP on a scenario's issues; positions in and out on 0-100.

    Groups of issues (see :func:`_groups`) run in lockstep, sharing the timeline's hook (one
    call per turn, while any group runs) and, in Stochastic mode, one KTAB PRNG (seeded by
    the run's seed, else the ``seed`` option, else KTAB's default), drawn group by group.
    A group that has stopped keeps its final state (its path repeats it), events included.
    """
    names = inputs.actors or tuple(str(k) for k in range(inputs.n_actors))
    groups, skipped = _groups(inputs, names)
    m = inputs.n_issues
    if not groups:
        return IssueResult(values=np.full(m, np.nan), skipped=skipped)
    st = options.settings()
    seed = ctx.seed if ctx.seed is not None else options.seed
    rng = None
    if st.state_transitions == "Stochastic":
        rng = KtabPRNG(KTAB_DEFAULT_SEED if seed is None else int(seed) % 2**64)
    runs = []
    for part, issues in groups:
        sub = np.ix_(part, issues)
        runs.append(
            Run(
                inputs.x[sub] / 100.0,
                _rescale(inputs.s[sub]),
                np.asarray(inputs.c, dtype=float)[part],
                settings=st,
                accommodation=_accommodation(options, names, part),
                rng=rng,
            )
        )
    full = RoundParams(
        x=np.array(inputs.x, dtype=float),
        s=np.array(inputs.s, dtype=float),
        c=np.array(inputs.c, dtype=float),
    )
    t = 0
    while any(not r.done for r in runs):
        t += 1
        if ctx.before_round is not None:
            for run, (part, issues) in zip(runs, groups, strict=True):
                full.x[np.ix_(part, issues)] = 100.0 * run.x
            full = ctx.before_round(
                t, RoundParams(x=full.x.copy(), s=full.s.copy(), c=full.c.copy())
            )
            full = RoundParams(
                x=np.array(full.x, dtype=float),
                s=np.array(full.s, dtype=float),
                c=np.array(full.c, dtype=float),
            )
            for run, (part, issues) in zip(runs, groups, strict=True):
                if not run.done:
                    sub = np.ix_(part, issues)
                    run.change(full.x[sub] / 100.0, _rescale(full.s[sub]), full.c[part])
        for run in runs:
            if not run.done:
                run.step(t)
    return _result(inputs, options, groups, [r.history() for r in runs], skipped)


def _result(
    inputs: IssueInputs,
    options: SmpOptions,
    groups: list[tuple[np.ndarray, np.ndarray]],
    histories: list[History],
    skipped: dict[int, str],
) -> IssueResult:
    """The forecast and trace: shorter runs repeat their last state to the longest's end."""
    n, m = inputs.n_actors, inputs.n_issues
    T = max(h.n_states for h in histories)
    positions = np.where(inputs.mask, inputs.x, np.nan)[None].repeat(T, axis=0)
    path = np.full((T, m), np.nan)
    win = np.full((T, n, m), np.nan)
    risk = np.full((T, n, m), np.nan)
    frac = np.full((T - 1, m), np.nan)
    states = np.zeros(m, dtype=int)
    for (part, issues), h in zip(groups, histories, strict=True):
        pad = np.minimum(np.arange(T), h.n_states - 1)  # repeat the last state
        s0 = _rescale(inputs.s[np.ix_(part, issues)])
        c0 = np.asarray(inputs.c, dtype=float)[part]
        points = 100.0 * forecast_points(h.positions, h.win_prob, s0, c0, options.forecast)
        rows, cols = part[:, None], issues[None, :]
        positions[:, rows, cols] = 100.0 * h.positions[pad]
        path[:, issues] = points[pad]
        win[:, rows, cols] = h.win_prob[pad][:, :, None]
        risk[:, rows, cols] = h.risk[pad][:, :, None]
        frac[: h.n_states - 1, issues] = h.fractional_change[:, None]
        states[issues] = h.n_states
    values = path[-1].copy()
    trace = Trace(
        positions=positions,
        forecast_path=path,
        extra={
            "win_probability": win,
            "risk_attitude": risk,
            "fractional_change": frac,
            "states": states,
            "round_length": options.round_length,
            "json": {  # added to the --trace JSON (realpolitik.forecast)
                "win_probability": _nested(win),
                "fractional_change": _nested(frac),
                "states": states.tolist(),
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
        "github.com/lsyaseen/KTAB; docs/specs/smp.md"
    ),
    run=_run,
    options=SmpOptions,
    dynamic=True,
    default=False,
)
