"""The equilibrium of reputational bargaining with time-varying costs (pure functions).

Abreu & Gul (2000, *Bargaining and Reputation*, Econometrica 68(1)), continuous time, with
the flow costs of the classic war of attrition (Hendricks, Weiss & Wilson 1988; Kornhauser,
Rubinstein & Wilson 1989) and surprise events, exactly as docs/specs/attrition.md says.
Parties are indexed 0 and 1; ``j = 1 - i`` is the other.

1. Hazards (spec, "Equilibrium"): ``λ_i(t) = (r_j(t)(1 - α_i) + k_j(t)) / (α_i + α_j - 1)``,
   piecewise constant because ``r`` and ``k`` are.
2. ``Λ_i(t) = ∫ λ_i`` from the stage's start is piecewise linear; ``T_i = Λ_i⁻¹(-ln z_i)``,
   ``T = min(T_0, T_1)``.
3. The weaker party (``T_i > T``) concedes at the start with probability
   ``1 - z_i exp(Λ_i(T))``; ``F_i(t) = 1 - z_i exp(Λ_i(T) - Λ_i(t))`` on ``[start, T]``.
4. A surprise at ``d`` starts a new stage: the game is solved again from ``d`` with the paths
   believed from then on and ``z_i' = z_i / (1 - F_i(d))`` (Bayes' rule), ``F_i`` taken
   just before ``d``.

Everything is exact: integrals of piecewise-constant hazards are sums, and their inverses are
found segment by segment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.contracts.steps import Beliefs, Steps

__all__ = [
    "Steps",
    "Beliefs",
    "Stage",
    "Solution",
    "Samples",
    "AttritionInputError",
    "check",
    "solve",
    "sample",
    "sample_times",
]


def _as_steps(value: Steps | float | None) -> Steps:
    if isinstance(value, Steps):
        return value
    return Steps.const(0.0 if value is None else float(value))


@dataclass(frozen=True)
class Stage:
    """One solved game, from ``start`` until the next surprise (``end``, inf for none).

    ``knots[k]`` absolute days (``knots[0] = start``); ``lam[i, k]`` i's hazard on
    ``[knots[k], knots[k+1])``; ``cum[i, k] = Λ_i(knots[k])`` measured from ``start``.
    """

    start: float
    end: float
    z: np.ndarray
    knots: np.ndarray
    lam: np.ndarray
    cum: np.ndarray
    t_i: np.ndarray
    t_end: float
    weaker: int | None
    atom: float

    def big_lambda(self, i: int, t: float | np.ndarray) -> np.ndarray:
        """Λ_i(t) from the stage's start (t >= start)."""
        t = np.asarray(t, dtype=float)
        k = np.clip(np.searchsorted(self.knots, t, side="right") - 1, 0, None)
        return self.cum[i, k] + self.lam[i, k] * (t - self.knots[k])

    def inverse(self, i: int, y: float | np.ndarray) -> np.ndarray:
        """inf{t >= start: Λ_i(t) >= y} for y >= 0 (exact, segment by segment)."""
        return _inverse(self.knots, self.cum[i], self.lam[i], y)

    def survival(self, i: int, t: float | np.ndarray) -> np.ndarray:
        """1 - F_i(t): i has not conceded by t (after the atom at start), for t >= start."""
        t = np.minimum(np.asarray(t, dtype=float), self.t_end)
        lam_t = self.big_lambda(i, self.t_end)
        return self.z[i] * np.exp(lam_t - self.big_lambda(i, t))


def _inverse(knots: np.ndarray, cum: np.ndarray, lam: np.ndarray, y: float | np.ndarray):
    y = np.asarray(y, dtype=float)
    idx = np.searchsorted(cum, y, side="left")
    exact = (idx < cum.size) & (cum[np.minimum(idx, cum.size - 1)] == y)
    k = np.clip(idx - 1, 0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = knots[k] + (y - cum[k]) / lam[k]
    return np.where(exact, knots[np.minimum(idx, cum.size - 1)], inside)


def _hazards(alpha: np.ndarray, beliefs: Beliefs) -> tuple[np.ndarray, np.ndarray]:
    """Knots from ``beliefs.start`` and hazards ``lam[2, K]`` (spec, "Equilibrium")."""
    start = beliefs.start
    cuts = {start}
    for path in (*beliefs.discount, *beliefs.cost):
        cuts.update(float(d) for d in path.days if d > start)
    knots = np.array(sorted(cuts))
    gap = alpha[0] + alpha[1] - 1.0
    lam = np.empty((2, knots.size))
    for i in (0, 1):
        j = 1 - i
        r_j = beliefs.discount[j].at(knots)
        k_j = beliefs.cost[j].at(knots)
        lam[i] = (r_j * (1.0 - alpha[i]) + k_j) / gap
    return knots, lam


def _solve_stage(alpha: np.ndarray, z: np.ndarray, beliefs: Beliefs, end: float) -> Stage:
    knots, lam = _hazards(alpha, beliefs)
    if np.any(lam[:, -1] <= 0.0):
        i = int(np.argmax(lam[:, -1] <= 0.0))
        raise AttritionInputError(
            "demand",
            i,
            float(alpha[i]),
            "a demand below 1, or a cost to the other side after the last change: the "
            "hazard r_j(1 - α_i) + k_j must stay positive (Abreu & Gul 2000; spec, Inputs)",
        )
    cum = np.zeros_like(lam)
    cum[:, 1:] = np.cumsum(lam[:, :-1] * np.diff(knots), axis=1)
    with np.errstate(divide="ignore"):
        target = -np.log(z)
    t_i = np.array([float(_inverse(knots, cum[i], lam[i], target[i])) for i in (0, 1)])
    t_end = float(t_i.min())
    stage = Stage(
        start=beliefs.start, end=end, z=z, knots=knots, lam=lam, cum=cum,
        t_i=t_i, t_end=t_end, weaker=None, atom=0.0,
    )  # fmt: skip
    if t_i[0] == t_i[1]:
        return stage
    weaker = int(np.argmax(t_i))
    atom = 1.0 - z[weaker] * math.exp(float(stage.big_lambda(weaker, t_end)))
    return Stage(**{**stage.__dict__, "weaker": weaker, "atom": max(atom, 0.0)})


@dataclass(frozen=True)
class Solution:
    """The equilibrium over the whole timeline: one :class:`Stage` per surprise (and one).

    ``alpha`` the demands. Every function of time below is exact.
    """

    alpha: np.ndarray
    stages: tuple[Stage, ...]

    # -- survival and the distribution of the end date -----------------------------------
    def reach(self) -> np.ndarray:
        """R_m: the probability that no one has conceded before stage m starts."""
        out = [1.0]
        for st in self.stages[:-1]:
            out.append(out[-1] * float(st.survival(0, st.end) * st.survival(1, st.end)))
        return np.array(out)

    def party_survival(self, i: int, t: float | np.ndarray) -> Any:
        """1 - F_i(t): the latent concession time of i exceeds t (``F_i(0)`` is the atom).

        Scalar in, float out; array in, array out (as do the functions below).
        """
        tt = np.asarray(t, dtype=float)
        out = np.ones_like(tt)
        for st in self.stages:
            at = np.clip(tt, st.start, st.end)  # past the stage's end: its left limit there
            out = np.where(tt >= st.start, out * st.survival(i, at), out)
        return float(out) if out.ndim == 0 else out

    def cdf_party(self, i: int, t: float | np.ndarray) -> Any:
        """F_i(t): the probability that i has conceded by day t (if the other has not)."""
        return 1.0 - self.party_survival(i, t)

    def end_survival(self, t: float | np.ndarray) -> Any:
        """P(no concession by day t): the game is still running (impasse included)."""
        return self.party_survival(0, t) * self.party_survival(1, t)

    def end_cdf(self, t: float | np.ndarray) -> Any:
        return 1.0 - self.end_survival(t)

    def hazards_at(self, t: float | np.ndarray) -> np.ndarray:
        """``λ[2, ...]``: each party's concession hazard in force at t (0 once play is over)."""
        tt = np.asarray(t, dtype=float)
        out = np.zeros((2, *tt.shape))
        for st in self.stages:
            live = (tt >= st.start) & (tt < min(st.end, st.t_end))
            k = np.clip(np.searchsorted(st.knots, tt, side="right") - 1, 0, None)
            out = np.where(live, st.lam[:, k], out)
        return out

    def end_density(self, t: float | np.ndarray) -> Any:
        """The density of the end date at t (atoms excluded): (λ_0 + λ_1) S_0 S_1."""
        dens = self.hazards_at(t).sum(axis=0) * self.end_survival(t)
        return float(dens) if np.ndim(dens) == 0 else dens

    def end_quantile(self, q: float) -> float | None:
        """inf{t: P(end <= t) >= q}; None where q falls in the impasse mass (end = ∞)."""
        target = 1.0 - q  # survival to reach
        reach = self.reach()
        for m, st in enumerate(self.stages):
            before = reach[m]
            after_atom = before * (1.0 - st.atom)
            if after_atom <= target + 1e-15:
                return st.start
            stop = min(st.end, st.t_end)
            at_stop = before * float(st.survival(0, stop) * st.survival(1, stop))
            if at_stop <= target + 1e-15:
                # Solve Λ_0 + Λ_1 (t) = y on the stage's knots.
                lam = st.lam.sum(axis=0)
                cum = st.cum.sum(axis=0)
                total = float(st.big_lambda(0, st.t_end) + st.big_lambda(1, st.t_end))
                y = total + math.log(st.z[0] * st.z[1] * before / target)
                return float(min(_inverse(st.knots, cum, lam, y), stop))
        return None

    # -- who concedes first, and what each gets -------------------------------------------
    def p_first(self) -> np.ndarray:
        """P(i concedes first) for i = 0, 1 (spec, "Outputs")."""
        return self.p_first_by(math.inf)

    def p_first_by(self, day: float) -> np.ndarray:
        """P(i concedes first, on or before ``day``), for i = 0, 1 (exact).

        Each stage adds the weaker party's atom at its start and, on every segment where the
        hazards are constant, ``∫ λ_i S_0 S_1 dt = λ_i/(λ_0+λ_1) [S(a) - S(b)]``.
        """
        out = np.zeros(2)
        reach = self.reach()
        for m, st in enumerate(self.stages):
            if st.start > day:
                break
            before = reach[m]
            if st.weaker is not None:
                out[st.weaker] += before * st.atom
            stop = min(st.end, st.t_end, day)
            total = float(st.big_lambda(0, st.t_end) + st.big_lambda(1, st.t_end))
            base = before * st.z[0] * st.z[1] * math.exp(total)
            for k in range(st.knots.size):
                a = min(st.knots[k], stop)
                b = min(st.knots[k + 1] if k + 1 < st.knots.size else math.inf, stop)
                lam = st.lam[:, k]
                tot = float(lam.sum())
                if b <= a or tot <= 0.0:
                    continue
                ea = math.exp(-float(st.big_lambda(0, a) + st.big_lambda(1, a)))
                eb = math.exp(-float(st.big_lambda(0, b) + st.big_lambda(1, b)))
                out += base * lam / tot * (ea - eb)
        return out

    def p_impasse(self) -> float:
        """P(both committed): no agreement ever."""
        last = self.stages[-1]
        return float(self.reach()[-1] * last.z[0] * last.z[1])

    def expected_share(self) -> np.ndarray:
        """Undiscounted expected shares: the winner gets its demand, the loser the rest."""
        p = self.p_first()
        a = self.alpha
        return np.array([p[1] * a[0] + p[0] * (1 - a[1]), p[0] * a[1] + p[1] * (1 - a[0])])

    def hazard_path(self) -> list[tuple[float, float, float]]:
        """``(day, λ_0, λ_1)`` at each change of the hazards actually played, until the end."""
        out: list[tuple[float, float, float]] = []
        for st in self.stages:
            if st.t_end <= st.start:  # play was over before this stage: nothing more happens
                break
            stop = min(st.end, st.t_end)
            for k, t in enumerate(st.knots):
                if k == 0 or t < stop:
                    out.append((float(t), float(st.lam[0, k]), float(st.lam[1, k])))
        return out

    @property
    def weaker(self) -> int | None:
        return self.stages[0].weaker

    @property
    def p_immediate(self) -> float:
        return self.stages[0].atom

    @property
    def settle_by(self) -> float:
        """The day by which every rational type has conceded (T of the last stage reached)."""
        return self.stages[-1].t_end


def solve(
    demand: Sequence[float],
    obstinacy: Sequence[float],
    discount: Sequence[Steps | float],
    cost: Sequence[Steps | float | None] = (None, None),
    *,
    surprises: Sequence[Beliefs] = (),
) -> Solution:
    """Solve the game on the whole timeline (spec, "Equilibrium").

    ``discount`` and ``cost`` are the foreseen paths (per party, per day); each surprise is
    a :class:`Beliefs` whose paths hold from its ``start`` on, in increasing days > 0.
    Raises :class:`ValueError` for inputs the spec rules out (see :func:`check`).
    """
    alpha = np.asarray(demand, dtype=float)
    z = np.asarray(obstinacy, dtype=float)
    check(alpha, z, discount, cost)
    beliefs = [Beliefs(0.0, tuple(map(_as_steps, discount)), tuple(map(_as_steps, cost)))]
    beliefs += list(surprises)
    for bel in surprises:  # what the parties learn at a surprise must be valid input too
        check(alpha, z, bel.discount, bel.cost)
    days = [b.start for b in beliefs]
    if any(b <= a for a, b in zip(days, days[1:], strict=False)):
        raise ValueError(f"surprises must come in increasing days > 0: {days[1:]}")
    stages: list[Stage] = []
    for m, bel in enumerate(beliefs):
        end = beliefs[m + 1].start if m + 1 < len(beliefs) else math.inf
        if stages:
            prev = stages[-1]
            # Bayes' rule just before the surprise: z' = z / (1 - F(d)).
            surv = np.array([float(prev.survival(i, bel.start)) for i in (0, 1)])
            z = np.minimum(prev.z / surv, 1.0)
        stages.append(_solve_stage(alpha, z, bel, end))
    return Solution(alpha=alpha, stages=tuple(stages))


class AttritionInputError(ValueError):
    """An input the spec rules out: ``key`` (demand, obstinacy, ...), ``party`` index."""

    def __init__(self, key: str, party: int | None, value: object, expected: str) -> None:
        super().__init__(f"{key} (party {party}): got {value}; expected {expected}")
        self.key, self.party, self.value, self.expected = key, party, value, expected


def check(alpha, z, discount, cost) -> None:
    """Raise :class:`AttritionInputError` for inputs the spec rules out (spec, "Inputs")."""
    for i in (0, 1):
        if not 0.0 < alpha[i] <= 1.0:
            raise AttritionInputError("demand", i, float(alpha[i]), "a share in (0, 1]")
        if not 0.0 < z[i] < 1.0:
            raise AttritionInputError("obstinacy", i, float(z[i]), "a probability in (0, 1)")
        if np.any(_as_steps(discount[i]).values <= 0.0):
            raise AttritionInputError(
                "discount", i, _as_steps(discount[i]).values.min(), "a rate per day > 0"
            )
        if np.any(_as_steps(cost[i]).values < 0.0):
            raise AttritionInputError(
                "cost", i, _as_steps(cost[i]).values.min(), "a cost per day >= 0"
            )
    if alpha.sum() <= 1.0:
        raise AttritionInputError(
            "demand",
            None,
            [float(a) for a in alpha],
            "incompatible demands summing to more than 1 (else agreement is immediate and "
            "there is nothing to model)",
        )


@dataclass(frozen=True)
class Samples:
    """Sampled ends: ``who[n]`` the party that concedes (-1 for an impasse) and ``day[n]``."""

    who: np.ndarray
    day: np.ndarray


def sample_times(solution: Solution, rng: np.random.Generator, n: int) -> np.ndarray:
    """Draw ``n`` pairs of concession times exactly: ``times[i, run]``, inf for never.

    Each party's time is drawn by inverting its F_i, stage by stage and independently of
    the other (the spec: "the two concession times are independent"): the atom at the
    stage's start with probability ``1 - z_i exp(Λ_i(T))`` (the weaker party only), never
    with probability ``z_i`` (committed), else ``Λ_i⁻¹(Λ_i(T) + ln z_i - ln(1 - U))``. A
    time that falls after the next surprise is drawn again in the next stage, whose
    obstinacy ``z_i'`` already conditions on not having conceded.
    """
    times = np.full((2, n), np.inf)
    for i in (0, 1):
        open_ = np.arange(n)
        for st in solution.stages:
            if open_.size == 0:
                break
            surv = 1.0 - rng.random(open_.size)  # in (0, 1]
            lam_t = float(st.big_lambda(i, st.t_end))
            f0 = st.atom if st.weaker == i else 0.0
            y = lam_t + math.log(st.z[i]) - np.log(surv)
            t = st.inverse(i, np.maximum(y, 0.0))
            t = np.where(surv > 1.0 - f0, st.start, t)
            t = np.where(surv <= st.z[i], np.inf, t)
            done = t < st.end
            times[i, open_[done]] = t[done]
            open_ = open_[~done]
    return times


def sample(solution: Solution, rng: np.random.Generator, n: int) -> Samples:
    """Draw ``n`` ends of the game exactly: who concedes first (-1: impasse) and when.

    The game ends at the first of the two concession times of :func:`sample_times`.
    """
    times = sample_times(solution, rng, n)
    day = times.min(axis=0)
    who = np.where(np.isinf(day), -1, np.argmin(times, axis=0))
    return Samples(who=who.astype(np.int64), day=day)
