"""SMP's turns, run loop and printed win probabilities (docs/specs/smp.md §5.4–§9).

:func:`simulate` is the pure core of the ``smp`` model: arrays on KTAB's internal [0, 1]
scale in, the history of states out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from realpolitik.models._smp_bargain import (
    Settings,
    State,
    best_targets,
    challenge_one,
    challenges,
    distances,
    interpolate_bargains,
    setup_state,
)
from realpolitik.models._smp_elect import utility
from realpolitik.models._smp_prng import KTAB_DEFAULT_SEED, KtabPRNG

__all__ = [
    "MIN_TURNS",
    "MAX_TURNS",
    "TARGET_CHANGE",
    "History",
    "Run",
    "Turn",
    "receiver_bargains",
    "compromise_bargains",
    "simulate",
    "win_probabilities",
]

MIN_TURNS = 2
MAX_TURNS = 100
TARGET_CHANGE = 0.02  # the 2% rule (spec §6)
_POS_TOL = 1e-3  # position equivalence for the printed probabilities (spec §8)

#: ``order(turn, keys) -> (permutations, draw_order)``: a replay of KTAB's thread-dependent
#: bargain-list and draw orders (spec §7). ``keys[k]`` lists actor k's options as
#: (initiator, receiver) pairs, its status quo as (k, k), in the canonical order.
OrderHook = Callable[[int, list[list[tuple[int, int]]]], tuple[list[list[int]], list[int]]]
#: ``before_turn(t, x, s, c) -> (x, s, c)`` on the [0, 1] scale, before turn t ≥ 1.
TurnHook = Callable[
    [int, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]
]


@dataclass(frozen=True)
class Turn:
    """What happened in one turn (state t → t+1), for inspection and tests."""

    targets: np.ndarray  # j* per initiator, −1 for none
    target_prob: np.ndarray  # P_{i j*} (NaN for none)
    target_gain: np.ndarray  # G_{i j*} (NaN for none)
    initiators: np.ndarray  # per bargain
    receivers: np.ndarray
    point_i: np.ndarray  # [bargain, D] the initiator's point
    point_j: np.ndarray  # [bargain, D] the receiver's point
    options: list[list[int]]  # per actor: −1 its status quo, else a bargain index
    option_values: list[np.ndarray]  # per actor: W[voter, option] (spec §5.5)
    option_probs: list[np.ndarray]  # per actor: PCE over its options
    choices: np.ndarray  # per actor: the chosen option (−1 status quo)


@dataclass(frozen=True)
class History:
    """A run: positions[state, actor, dim] on [0, 1] and what was computed along the way."""

    positions: np.ndarray
    win_prob: np.ndarray  # [state, actor], as KTAB prints them (spec §8)
    risk: np.ndarray  # [state, actor] inferred risk attitudes
    fractional_change: np.ndarray  # [turn] (spec §6)
    turns: list[Turn] = field(default_factory=list)  # with keep_turns
    states: list[State] = field(default_factory=list)  # with keep_turns

    @property
    def n_states(self) -> int:
        return int(self.positions.shape[0])


def win_probabilities(state: State, c: np.ndarray, st: Settings) -> np.ndarray:
    """The win probability KTAB prints for each actor in a state (spec §8).

    An election over the unique positions (actors scanned in order, a position kept when it
    is not within 1e-3 of a kept one), each actor voting with its own risk-aware utility and
    weight c; an actor's value is that of the last kept position equivalent to its own.
    """
    x = state.x
    diff = x[:, None, :] - x[None, :, :]
    close = np.sqrt((diff * diff).sum(axis=-1)) < _POS_TOL
    kept: list[int] = []
    for i in range(x.shape[0]):
        if not kept or not close[i, kept].any():
            kept.append(i)
    p = st.elect(state.u_true[:, kept], c)
    match = close[:, kept]
    last = len(kept) - 1 - np.argmax(match[:, ::-1], axis=1)
    return p[last]


def receiver_bargains(
    state: State,
    s: np.ndarray,
    S: np.ndarray,
    c: np.ndarray,
    st: Settings,
    inits: np.ndarray,
    recvs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The bargains "from the receiver's perspective" (InitRcvrInterp, PWCompInterp).

    KTAB interpolates them with π_I = E(j, i, i, j)[1], j's estimate of i's *gain*, not a
    probability (spec §11.1, confirmed by the reference logs).
    """
    g = np.array(
        [challenge_one(state, S, c, st, j, i, i, j)[1] for i, j in zip(inits, recvs, strict=True)]
    )
    x = state.x
    return interpolate_bargains(x[inits], x[recvs], s[inits], s[recvs], g, st.inter_vec_brgn)


def compromise_bargains(
    S: np.ndarray,
    c: np.ndarray,
    inits: np.ndarray,
    recvs: np.ndarray,
    own: tuple[np.ndarray, np.ndarray],
    theirs: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """PWCompInterp: the initiator's and receiver's bargains averaged with weights c_i·S_i and
    c_i·S_j, the receiver's weight with the *initiator's* capability (spec §11.1)."""
    wI = (c[inits] * S[inits])[:, None]
    wJ = (c[inits] * S[recvs])[:, None]
    return (wI * own[0] + wJ * theirs[0]) / (wI + wJ), (wI * own[1] + wJ * theirs[1]) / (wI + wJ)


def _make_bargains(
    state: State, s: np.ndarray, S: np.ndarray, c: np.ndarray, st: Settings
) -> tuple[Turn, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Targets (§5.2) and bargains (§5.3) under the model's BargnModel."""
    P, G = challenges(state, S, c, st)
    targets = best_targets(G)
    inits = np.flatnonzero(targets >= 0)
    recvs = targets[inits]
    p_ij = P[inits, recvs]
    x = state.x
    bI, bJ = interpolate_bargains(x[inits], x[recvs], s[inits], s[recvs], p_ij, st.inter_vec_brgn)
    if st.bargn_model != "InitOnlyInterp" and inits.size:
        rI, rJ = receiver_bargains(state, s, S, c, st, inits, recvs)
        if st.bargn_model == "InitRcvrInterp":
            inits, recvs = np.repeat(inits, 2), np.repeat(recvs, 2)
            bI = np.stack([bI, rI], axis=1).reshape(-1, x.shape[1])
            bJ = np.stack([bJ, rJ], axis=1).reshape(-1, x.shape[1])
        elif st.bargn_model == "PWCompInterp":
            bI, bJ = compromise_bargains(S, c, inits, recvs, (bI, bJ), (rI, rJ))
        else:
            raise ValueError(f"unknown BargnModel {st.bargn_model!r}")
    N = x.shape[0]
    has = targets >= 0
    tp = np.full(N, np.nan)
    tg = np.full(N, np.nan)
    tp[has] = P[has, targets[has]]
    tg[has] = G[has, targets[has]]
    partial = Turn(
        targets=targets,
        target_prob=tp,
        target_gain=tg,
        initiators=inits,
        receivers=recvs,
        point_i=bI,
        point_j=bJ,
        options=[],
        option_values=[],
        option_probs=[],
        choices=np.full(N, -1),
    )
    return partial, inits, recvs, bI, bJ


def _turn(
    state: State,
    s: np.ndarray,
    S: np.ndarray,
    c: np.ndarray,
    st: Settings,
    rng: KtabPRNG | None,
    order: OrderHook | None,
    t: int,
) -> tuple[np.ndarray, Turn]:
    """One turn, state t → t+1 (spec §9). Returns the new positions and the turn record."""
    rec, inits, recvs, bI, bJ = _make_bargains(state, s, S, c, st)
    N = state.x.shape[0]
    # §5.4: L_k = [SQ_k, own proposal(s), proposals received, by initiator index].
    lists = [
        [-1]
        + [int(b) for b in np.flatnonzero(inits == k)]
        + [int(b) for b in np.flatnonzero(recvs == k)]
        for k in range(N)
    ]
    draw_order = list(range(N))
    if order is not None:
        keys = [
            [(k, k) if b < 0 else (int(inits[b]), int(recvs[b])) for b in opts]
            for k, opts in enumerate(lists)
        ]
        perms, draw_order = order(t, keys)
        lists = [[opts[m] for m in perm] for opts, perm in zip(lists, perms, strict=True)]
    # §5.5: the value to every actor n of the state after each option, 1/N kept.
    r = state.r[:, None]
    rows = state.u_true.sum(axis=1)
    W_sq = rows / N
    W_b = (
        rows[:, None]
        - state.u_true[:, inits]
        - state.u_true[:, recvs]
        + utility(distances(state.y, s, bI), r)
        + utility(distances(state.y, s, bJ), r)
    ) / N
    W = np.concatenate([W_b, W_sq[:, None]], axis=1)  # column −1 is the status quo
    probs: list[np.ndarray] = [np.empty(0)] * N
    values: list[np.ndarray] = [np.empty(0)] * N
    sizes = np.array([len(opts) for opts in lists])
    for m in np.unique(sizes):
        group = np.flatnonzero(sizes == m)
        cols = np.array([lists[k] for k in group])  # −1 picks the status-quo column
        Wg = np.moveaxis(W[:, cols], 1, 0)
        p = st.elect(Wg, c[None, :])
        for g, k in enumerate(group):
            probs[k], values[k] = p[g], Wg[g]
    choice_idx = np.zeros(N, dtype=int)
    if st.state_transitions == "Deterministic":
        for k in range(N):
            choice_idx[k] = int(np.argmax(probs[k]))
    else:
        assert rng is not None
        for k in draw_order:  # one draw per actor, even with a single option (§7)
            u = rng.uniform()
            hit = np.flatnonzero(u <= np.cumsum(probs[k]))
            choice_idx[k] = int(hit[0]) if hit.size else len(probs[k]) - 1
    x_new = state.x.copy()
    choices = np.array([lists[k][choice_idx[k]] for k in range(N)])
    for k in range(N):  # §5.6, simultaneous
        b = choices[k]
        if b >= 0:
            x_new[k] = bI[b] if inits[b] == k else bJ[b]
    record = Turn(
        **{
            **rec.__dict__,
            "options": lists,
            "option_values": values,
            "option_probs": probs,
            "choices": choices,
        }
    )
    return x_new, record


class Run:
    """A run of SMP advanced turn by turn, so that several runs can share a clock (the
    ``smp`` facade runs groups of issues in lockstep) and one PRNG.

    ``step(t)`` computes state t from state t−1 (spec §9) and applies the stopping rule (§6);
    ``done`` is then True once the run has stopped. :meth:`history` gives the states so far.
    """

    def __init__(
        self,
        x: np.ndarray,
        s: np.ndarray,
        c: np.ndarray,
        *,
        settings: Settings | None = None,
        accommodation: np.ndarray | None = None,
        rng: KtabPRNG | None = None,
        order: OrderHook | None = None,
        keep_turns: bool = False,
        max_turns: int = MAX_TURNS,
    ) -> None:
        self.st = settings or Settings()
        x = np.array(x, dtype=float)
        self.s = np.array(s, dtype=float)
        self.c = np.array(c, dtype=float)
        A = None if accommodation is None else np.asarray(accommodation, dtype=float)
        if A is not None and np.array_equal(A, np.eye(A.shape[0])):
            A = None
        self.A = A
        self.alpha = None if A is None else np.minimum(1.0, A.sum(axis=1))[:, None]
        if self.st.state_transitions == "Stochastic" and rng is None:
            rng = KtabPRNG(KTAB_DEFAULT_SEED)
        self.rng, self.order = rng, order
        self.keep_turns, self.max_turns = keep_turns, max_turns
        self.state = setup_state(x, x.copy(), self.s, self.c, self.st)
        self.states = [self.state]
        self.positions = [x]
        self.probs = [win_probabilities(self.state, self.c, self.st)]
        self.risks = [self.state.r]
        self.fracs: list[float] = []
        self.turns: list[Turn] = []
        self.d01 = 1.0
        self.done = max_turns < 1

    @property
    def x(self) -> np.ndarray:
        """The current positions."""
        return self.state.x

    def change(self, x: np.ndarray, s: np.ndarray, c: np.ndarray) -> None:
        """Replace the current positions, saliences and capabilities (the timeline's events);
        an actor that is moved has its ideal moved with it. Redoes the §4 setup if anything
        changed."""
        state = self.state
        if np.array_equal(x, state.x) and np.array_equal(s, self.s) and np.array_equal(c, self.c):
            return
        moved = np.any(x != state.x, axis=1)
        y = state.y.copy()
        y[moved] = x[moved]
        self.s, self.c = np.array(s, dtype=float), np.array(c, dtype=float)
        self.state = setup_state(np.array(x, dtype=float), y, self.s, self.c, self.st)

    def step(self, t: int) -> None:
        """Turn t: state t−1 → state t, then the 2% stopping rule (min 2, max turns)."""
        st, s, c, state = self.st, self.s, self.c, self.state
        x_new, record = _turn(state, s, s.sum(axis=1), c, st, self.rng, self.order, t)
        if self.A is None:
            y_new = x_new.copy()
        else:
            y_new = self.A @ x_new + (1.0 - self.alpha) * state.y
        dxy = float(np.sqrt(((x_new - state.x) ** 2).sum(axis=1)).sum())
        if t == 1:
            self.d01 = dxy + 1e-4
        self.state = setup_state(x_new, y_new, s, c, st)
        self.positions.append(x_new)
        self.probs.append(win_probabilities(self.state, c, st))
        self.risks.append(self.state.r)
        self.fracs.append(dxy / self.d01)
        if self.keep_turns:
            self.turns.append(record)
            self.states.append(self.state)
        stop = t >= MIN_TURNS and self.fracs[-1] < TARGET_CHANGE
        self.done = stop or t >= self.max_turns

    def history(self) -> History:
        return History(
            positions=np.array(self.positions),
            win_prob=np.array(self.probs),
            risk=np.array(self.risks),
            fractional_change=np.array(self.fracs),
            turns=self.turns,
            states=self.states if self.keep_turns else [],
        )


def simulate(
    x: np.ndarray,
    s: np.ndarray,
    c: np.ndarray,
    *,
    settings: Settings | None = None,
    accommodation: np.ndarray | None = None,
    seed: int | None = None,
    before_turn: TurnHook | None = None,
    order: OrderHook | None = None,
    keep_turns: bool = False,
    max_turns: int = MAX_TURNS,
) -> History:
    """Run KTAB's SMP from positions ``x[N, D]`` and saliences ``s[N, D]`` on [0, 1] and
    capabilities ``c[N]`` (spec §9): turns until the 2% rule (§6) or 100 turns.

    ``accommodation`` is KTAB's ideal-accommodation matrix A (identity when None, §5.7).
    ``seed`` feeds KTAB's PRNG in Stochastic mode (KTAB's default seed when None).
    ``max_turns`` (KTAB: 100) may cap the run earlier, e.g. to time a fixed number of turns.
    ``order`` replays KTAB's thread-dependent orders (tests only); ``before_turn`` lets the
    timeline change x, s, c before each turn t ≥ 1 (a moved actor's ideal moves with it).
    """
    st = settings or Settings()
    rng = None
    if st.state_transitions == "Stochastic":
        rng = KtabPRNG(KTAB_DEFAULT_SEED if seed is None else seed)
    run = Run(
        x, s, c, settings=st, accommodation=accommodation, rng=rng, order=order,
        keep_turns=keep_turns, max_turns=max_turns,
    )  # fmt: skip
    t = 0
    while not run.done:
        t += 1
        if before_turn is not None:
            run.change(*before_turn(t, run.x, run.s, run.c))
        run.step(t)
    return run.history()
