"""SMP's building blocks: votes, coalitions, victory probabilities and the probabilistic
Condorcet election (PCE), after docs/specs/smp.md §3 (KTAB ``kmodel.cpp``, ``kutils``).

Every function works on a batch: leading axes are independent elections. Utilities come as
``U[..., voter, option]`` and weights as ``w[..., voter]``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "VOTING_RULES",
    "VICTORY_PROB_MODELS",
    "PCE_MODELS",
    "vote",
    "coalitions",
    "victory_probabilities",
    "pce",
    "scalar_pce",
    "utility",
]

VOTING_RULES = ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp")
VICTORY_PROB_MODELS = ("Linear", "Square", "Quartic", "Octic", "Binary")
PCE_MODELS = ("Conditional", "MarkovIncentive", "MarkovUniform")

_COALITION_FLOOR = 1e-8  # spec §1, "coalition floor in general election code"
_BINARY_STEP = 1e-8  # Binary and PropBin votes: clip(Δ / 1e-8, −1, 1)
_BINARY_VPM_T = 1.1
_MARKOV_INCENTIVE_TOL = 1e-8
_MARKOV_UNIFORM_TOL = 1e-6
_MARKOV_MAX_STEPS = 1000
_UNDERFLOW = 1e-280  # below this a product of victory probabilities goes to logs


def utility(delta: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """u(δ, R) = (1 − δ)(1 + δR) for δ ≤ 1, else (1 − δ)(1 + R) (spec §3)."""
    delta = np.asarray(delta, dtype=float)
    u = delta * risk
    u += 1.0
    u *= 1.0 - delta
    if np.any(delta > 1.0):  # never with positions and ideals on [0, 1]
        u = np.where(delta <= 1.0, u, (1.0 - delta) * (1.0 + risk))
    return u


def vote(w: np.ndarray, delta: np.ndarray, rule: str) -> np.ndarray:
    """The vote of a voter of weight ``w`` between two options whose utilities differ by Δ.

    Positive means support for the first option (spec §3, table "Vote").
    """
    if rule == "Prop":
        return w * delta
    if rule == "PropCbc":
        return w * (delta / 2.0 + delta * delta * delta / 2.0)
    if rule == "Cubic":
        return w * (delta * delta * delta)
    if rule == "Binary":
        return w * np.clip(delta / _BINARY_STEP, -1.0, 1.0)
    if rule == "PropBin":
        return w * (0.8 * delta + 0.2 * np.clip(delta / _BINARY_STEP, -1.0, 1.0))
    if rule == "ASymProsp":
        return np.where(delta < 0, w * delta, np.where(delta > 0, 2.0 * w * delta / 3.0, 0.0))
    raise ValueError(f"unknown voting rule {rule!r}; expected one of {VOTING_RULES}")


def coalitions(U: np.ndarray, w: np.ndarray, rule: str) -> np.ndarray:
    """C[..., a, b] = 1e-8 + Σ_k [vote(w_k, U[k, a] − U[k, b])]⁺, C[a, a] = 1e-8 (spec §3).

    The sum runs over voters in order (a reduction over a leading axis), as KTAB's loop does.
    """
    U = np.asarray(U, dtype=float)
    delta = U[..., :, :, None] - U[..., :, None, :]  # [..., k, a, b]
    votes = vote(np.asarray(w, dtype=float)[..., :, None, None], delta, rule)
    C = _COALITION_FLOOR + np.maximum(votes, 0.0).sum(axis=-3)
    m = U.shape[-1]
    C[..., np.arange(m), np.arange(m)] = _COALITION_FLOOR
    return C


def victory_probabilities(C: np.ndarray, model: str) -> np.ndarray:
    """V[a, b] = x_a / (x_a + x_b) with x = f(C[a, b]), f(C[b, a]); V[a, a] = 1/2 (spec §3)."""
    Ct = np.swapaxes(C, -1, -2)
    if model == "Binary":
        ratio = C / (C + Ct)
        t = _BINARY_VPM_T
        mid = (ratio * (t + 1.0) - 1.0) / (t - 1.0)
        xa = np.where(C >= t * Ct, 1.0, np.where(Ct >= t * C, 1e-6, mid))
        xb = np.where(C >= t * Ct, 1e-6, np.where(Ct >= t * C, 1.0, 1.0 - mid))
    else:
        power = {"Linear": 1, "Square": 2, "Quartic": 4, "Octic": 8}.get(model)
        if power is None:
            raise ValueError(
                f"unknown victory model {model!r}; expected one of {VICTORY_PROB_MODELS}"
            )
        xa, xb = C, Ct
        for _ in range(power.bit_length() - 1):  # c², c⁴, c⁸ by squaring
            xa, xb = xa * xa, xb * xb
    V = xa / (xa + xb)
    m = C.shape[-1]
    V[..., np.arange(m), np.arange(m)] = 0.5
    return V


def _conditional(V: np.ndarray) -> np.ndarray:
    """p_a ∝ Π_b V[a, b], the diagonal ½ included (spec §3, "Conditional").

    Where the products underflow (KTAB would divide 0 by 0; only at large N) the same
    distribution is computed from the sums of logarithms instead.
    """
    prod = np.prod(V, axis=-1)
    top = prod.max(axis=-1, keepdims=True)
    p = prod / prod.sum(axis=-1, keepdims=True)
    low = top[..., 0] < _UNDERFLOW
    if np.any(low):
        logs = np.log(V[low]).sum(axis=-1)
        q = np.exp(logs - logs.max(axis=-1, keepdims=True))
        p[low] = q / q.sum(axis=-1, keepdims=True)
    return p


def _markov(C: np.ndarray, V: np.ndarray, incentive: bool) -> np.ndarray:
    """The Markov PCEs of spec §3, iterated per election until its own tolerance is met."""
    m = V.shape[-1]
    batch = V.shape[:-2]
    Vf = V.reshape(-1, m, m)
    p = np.full((Vf.shape[0], m), 1.0 / m)
    if incentive:
        n = (C * V).reshape(-1, m, m)
        n[:, np.arange(m), np.arange(m)] += 1e-10
        Q = n / n.sum(axis=1, keepdims=True)  # column-normalised challenge probabilities
        tol = _MARKOV_INCENTIVE_TOL
    else:
        tol = _MARKOV_UNIFORM_TOL
    active = np.arange(Vf.shape[0])
    for _ in range(_MARKOV_MAX_STEPS):  # KTAB throws at 1000 steps; we keep the last iterate
        pa, Va = p[active], Vf[active]
        if incentive:
            T = pa[:, :, None] * np.swapaxes(Q[active], -1, -2)  # T[a, b] = p_a Q[b, a]
            q = np.einsum("kab,kab->ka", Va, T + np.swapaxes(T, -1, -2))
        else:
            q = np.einsum("kab,kab->ka", Va, pa[:, :, None] + pa[:, None, :]) / m
        change = np.abs(q - pa).max(axis=-1)
        p[active] = (pa + q) / 2.0
        active = active[change > tol]
        if active.size == 0:
            break
    return p.reshape(*batch, m)


def pce(C: np.ndarray, V: np.ndarray, model: str) -> np.ndarray:
    """The probabilistic Condorcet election: a distribution over the options (spec §3)."""
    if model == "Conditional":
        return _conditional(V)
    if model == "MarkovIncentive":
        return _markov(C, V, incentive=True)
    if model == "MarkovUniform":
        return _markov(C, V, incentive=False)
    raise ValueError(f"unknown PCE model {model!r}; expected one of {PCE_MODELS}")


def scalar_pce(U: np.ndarray, w: np.ndarray, rule: str, vpm: str, pce_model: str) -> np.ndarray:
    """KTAB's ``scalarPCE``: PCE(coalitions(U, w)) with the model's vr, vpm and PCE."""
    C = coalitions(U, w, rule)
    return pce(C, victory_probabilities(C, vpm), pce_model)
