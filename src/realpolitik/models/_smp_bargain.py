"""SMP's per-state setup, challenge estimates and bargains (docs/specs/smp.md §4, §5.1–5.3).

All positions are on KTAB's internal [0, 1] scale. ``d[i, j]`` is actor i's weighted distance
from its ideal to j's position; ``R[h, i]`` is h's perception of i's risk attitude; the risk-
aware utility h estimates for i at j's position is ``U^h[i, j] = u(d[i, j], R[h, i])``. That
N×N×N table is never stored whole: the challenge estimates build it in blocks of initiators.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from realpolitik.models._smp_elect import scalar_pce, utility, vote

__all__ = [
    "Settings",
    "State",
    "setup_state",
    "distances",
    "risk_attitudes",
    "perceived_risk",
    "challenges",
    "challenge_one",
    "best_targets",
    "interpolate_bargains",
    "round4",
]

_SIDE_FLOOR = 1e-10  # floor of each side's strength in a challenge (spec §1)
_MIN_GAIN = 1e-5  # minimum significant challenge gain
# Initiators per block of the challenge estimates: 16 keeps the N×16×N tensors near the
# cache (fastest from 26 to 160 actors on the benchmark machine); at most 2^20 cells (8 MB).
_BLOCK_INITIATORS = 16
_BLOCK_CELLS = 1 << 20


@dataclass(frozen=True)
class Settings:
    """The nine KTAB settings, by their code spellings (spec §1)."""

    victory_prob_model: str = "Linear"
    voting_rule: str = "Prop"
    pce_model: str = "Conditional"
    state_transitions: str = "Deterministic"
    big_r_range: str = "Mid"
    big_r_adjust: str = "OneThird"
    third_party_commit: str = "SemiCommit"
    inter_vec_brgn: str = "S2P2"
    bargn_model: str = "InitOnlyInterp"

    def elect(self, U: np.ndarray, w: np.ndarray) -> np.ndarray:
        """scalarPCE with the model's vr, vpm and PCE model (spec §3)."""
        return scalar_pce(U, w, self.voting_rule, self.victory_prob_model, self.pce_model)


@dataclass(frozen=True)
class State:
    """One state of the model with its §4 setup done."""

    x: np.ndarray  # positions [N, D]
    y: np.ndarray  # ideals [N, D]
    d: np.ndarray  # d[i, j] = δ_i(x_j)
    r: np.ndarray  # inferred risk attitudes [N]
    R: np.ndarray  # R[h, i] perceived risk attitudes
    u_true: np.ndarray  # u_true[i, j] = U^i[i, j] = u(d[i, j], r_i)


def distances(y: np.ndarray, s: np.ndarray, points: np.ndarray) -> np.ndarray:
    """δ_i(z) = sqrt(Σ_d s_id² (y_id − z_d)² / Σ_d s_id²) for every actor i and point z (§3)."""
    s2 = s * s
    num = np.zeros((y.shape[0], points.shape[0]))
    for dim in range(y.shape[1]):
        diff = y[:, dim, None] - points[None, :, dim]
        num += s2[:, dim, None] * (diff * diff)
    return np.sqrt(num / s2.sum(axis=1)[:, None])


def risk_attitudes(p: np.ndarray, big_r_range: str) -> np.ndarray:
    """Risk attitudes inferred from the risk-neutral election's p (spec §4 step 4).

    Where every actor is equally likely to win (KTAB divides by zero there) all are neutral.
    """
    lo, hi = float(p.min()), float(p.max())
    span = hi - lo
    if not span > 0.0:
        return np.zeros_like(p)
    if big_r_range == "Mid":
        return (3.0 * p - (hi + 2.0 * lo)) / (2.0 * span)
    if big_r_range == "Min":
        return (p - lo) / span
    if big_r_range == "Max":
        return (2.0 * p - hi - lo) / span
    raise ValueError(f"unknown BigRRange {big_r_range!r}")


def perceived_risk(r: np.ndarray, big_r_adjust: str) -> np.ndarray:
    """R[h, i], how h perceives i's risk attitude (spec §4 step 5)."""
    rh, ri = r[:, None], r[None, :]
    if big_r_adjust == "Full":
        return np.broadcast_to(ri, (r.size, r.size)).copy()
    if big_r_adjust == "TwoThirds":
        return (rh + 2.0 * ri) / 3.0
    if big_r_adjust == "Half":
        return (rh + ri) / 2.0
    if big_r_adjust == "OneThird":
        return (2.0 * rh + ri) / 3.0
    if big_r_adjust == "None":
        return np.broadcast_to(rh, (r.size, r.size)).copy()
    raise ValueError(f"unknown BigRAdjust {big_r_adjust!r}")


def setup_state(x: np.ndarray, y: np.ndarray, s: np.ndarray, c: np.ndarray, st: Settings) -> State:
    """Spec §4: distances, the risk-neutral election over all N positions (weights c, no
    merging of duplicates), inferred and perceived risk attitudes, true utilities."""
    d = distances(y, s, x)
    p = st.elect(1.0 - d, c)
    r = risk_attitudes(p, st.big_r_range)
    R = perceived_risk(r, st.big_r_adjust)
    return State(x=x, y=y, d=d, r=r, R=R, u_true=utility(d, r[:, None]))


def _third_party_expectations(
    Uni: np.ndarray, Unj: np.ndarray, Unn: np.ndarray, pi: np.ndarray, commit: str
) -> tuple[np.ndarray, np.ndarray]:
    """E_i, E_j of spec §5.1 step 3.2 (joining i's side, joining j's side)."""
    if commit == "SemiCommit":
        e_i = pi * (2.0 * Uni + Unn) + (1.0 - pi) * (3.0 * Unj)
        e_j = pi * (3.0 * Uni) + (1.0 - pi) * (2.0 * Unj + Unn)
    elif commit == "FullCommit":
        e_i = e_j = pi * (3.0 * Uni) + (1.0 - pi) * (3.0 * Unj)
    elif commit == "NoCommit":
        e_i = e_j = pi * (2.0 * Uni + Unn) + (1.0 - pi) * (2.0 * Unj + Unn)
    else:
        raise ValueError(f"unknown ThirdPartyCommit {commit!r}")
    return e_i, e_j


def _gain(Uki: np.ndarray, Ukj: np.ndarray, P: np.ndarray, Sj: np.ndarray) -> np.ndarray:
    """ΔEU to k of i challenging j (spec §5.1 step 5); the target yields with odds 1 − S_j."""
    return (1.0 - Sj) * 2.0 * Uki + Sj * (P * 2.0 * Uki + (1.0 - P) * 2.0 * Ukj) - (Uki + Ukj)


def _semi_commit_votes(
    Uni: np.ndarray,
    Unj: np.ndarray,
    Unn: np.ndarray,
    bi0: np.ndarray,
    bj0: np.ndarray,
    w: np.ndarray,
    vr: str,
) -> np.ndarray:
    """Third parties' votes v[n, b, j] under SemiCommit (spec §5.1 step 3), computed in place.

    The same operations as :func:`_third_party_expectations` in the same order (products and
    sums commute exactly in IEEE arithmetic), on preallocated [n, b, j] buffers.
    """
    wn = w[:, None, None]
    ui, un = Uni[:, :, None], Unn[:, :, None]
    o = vote(wn, ui - Unj, vr)  # the "little contest": o = vote(w_n, U[n,i] − U[n,j])
    op = np.maximum(o, 0.0)
    om = np.negative(o, out=o)
    np.maximum(om, 0.0, out=om)
    pi = np.add(bi0, op, out=op)  # π = (B_i⁰ + o⁺) / (B_i⁰ + o⁺ + B_j⁰ + o⁻), always linear
    den = pi + bj0
    den += om
    pi /= den
    q = np.subtract(1.0, pi, out=den)  # 1 − π
    e_i = np.multiply(Unj, 3.0, out=om)  # E_i = π(2U_ni + U_nn) + (1 − π)·3U_nj
    e_i *= q
    e_i += pi * (2.0 * ui + un)
    e_j = np.multiply(Unj, 2.0)  # E_j = π·3U_ni + (1 − π)(2U_nj + U_nn)
    e_j += un
    e_j *= q
    e_j += np.multiply(pi, 3.0 * ui, out=q)
    e_i -= e_j
    return vote(wn, e_i, vr)


def challenges(
    state: State, S: np.ndarray, c: np.ndarray, st: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """(P[i, j], G[i, j]) = E(i, i, i, j) for all initiators i and targets j (spec §5.1).

    h = k = i: the initiator's own estimate of its odds and gain. The N×N×N utility table is
    built for blocks of initiators at a time, laid out [n, i, j] so that third parties'
    contributions are summed over n in order, as KTAB's loop does. Diagonal entries are
    meaningless (G[i, i] is set to −inf).
    """
    N = state.x.shape[0]
    d, R, vr = state.d, state.R, st.voting_rule
    w = S * c
    d_diag = np.diag(d)
    ar = np.arange(N)
    P = np.empty((N, N))
    G = np.empty((N, N))
    block = max(1, min(_BLOCK_INITIATORS, _BLOCK_CELLS // (N * N)))
    for start in range(0, N, block):
        blk = ar[start : start + block]
        nb = blk.size
        Rt = R[blk, :].T  # Rt[n, b] = R[I_b, n]
        Unj = utility(d[:, None, :], Rt[:, :, None])  # [n, b, j] = U^{I_b}[n, j]
        Uni = utility(d[:, blk], Rt)  # [n, b] = U^{I_b}[n, I_b]
        Unn = utility(d_diag[:, None], Rt)  # [n, b] = U^{I_b}[n, n]
        Uii = Uni[blk, np.arange(nb)][:, None]  # [b, 1]
        Uij = Unj[blk, np.arange(nb), :]  # [b, j]
        a = vote(w[blk][:, None], Uii - Uij, vr)
        b = vote(w[None, :], Uni.T - Unn.T, vr)  # target's own vote: U[j, i] − U[j, j]
        bi0 = _SIDE_FLOOR + np.maximum(a, 0.0) + np.maximum(b, 0.0)
        bj0 = _SIDE_FLOOR + np.maximum(-a, 0.0) + np.maximum(-b, 0.0)
        Bi, Bj = bi0, bj0
        if st.third_party_commit == "SemiCommit":  # under Full/NoCommit E_i = E_j: no votes
            v = _semi_commit_votes(Uni, Unj, Unn, bi0, bj0, w, vr)
            v[blk, np.arange(nb), :] = 0.0  # n = i is no third party
            v[ar, :, ar] = 0.0  # nor is n = j
            Bi, Bj = bi0.copy(), bj0.copy()
            pos = np.maximum(v, 0.0)
            neg = np.minimum(v, 0.0, out=v)  # −[−v]⁺
            for n in range(N):  # B += [v_n]⁺ in n order, as KTAB's loop
                Bi += pos[n]
                Bj -= neg[n]
        pij = Bi / (Bi + Bj)
        P[blk] = pij
        G[blk] = _gain(Uii, Uij, pij, S[None, :])
    G[ar, ar] = -np.inf
    return P, G


def challenge_one(
    state: State, S: np.ndarray, c: np.ndarray, st: Settings, h: int, k: int, i: int, j: int
) -> tuple[float, float]:
    """(P, ΔEU) = E(h, k, i, j): h's estimate of i challenging j, and its value to k (§5.1)."""
    N = state.x.shape[0]
    vr = st.voting_rule
    w = S * c
    U = utility(state.d, state.R[h][:, None])  # U^h[n, q]
    a = vote(w[i], U[i, i] - U[i, j], vr)
    b = vote(w[j], U[j, i] - U[j, j], vr)
    bi0 = _SIDE_FLOOR + max(a, 0.0) + max(b, 0.0)
    bj0 = _SIDE_FLOOR + max(-a, 0.0) + max(-b, 0.0)
    Bi, Bj = bi0, bj0
    if st.third_party_commit == "SemiCommit":
        n = np.array([q for q in range(N) if q not in (i, j)], dtype=int)
        o = vote(w[n], U[n, i] - U[n, j], vr)
        op, om = np.maximum(o, 0.0), np.maximum(-o, 0.0)
        pi = (bi0 + op) / (bi0 + op + bj0 + om)
        e_i, e_j = _third_party_expectations(U[n, i], U[n, j], U[n, n], pi, st.third_party_commit)
        v = vote(w[n], e_i - e_j, vr)
        for val in v:
            Bi += max(val, 0.0)
            Bj += max(-val, 0.0)
    P = Bi / (Bi + Bj)
    return float(P), float(_gain(U[k, i], U[k, j], P, S[j]))


def best_targets(G: np.ndarray) -> np.ndarray:
    """j* for each initiator: the largest gain above 1e-5, ties to the smallest j; −1 if none
    (spec §5.2)."""
    masked = np.where(G > _MIN_GAIN, G, -np.inf)
    best = np.argmax(masked, axis=1)
    return np.where(np.isfinite(masked[np.arange(G.shape[0]), best]), best, -1)


def round4(z: np.ndarray) -> np.ndarray:
    """⌊z·10⁴ + 0.5⌋ / 10⁴, KTAB's rounding of bargain coordinates (spec §3)."""
    return np.floor(z * 1e4 + 0.5) / 1e4


def interpolate_bargains(
    xi: np.ndarray, xj: np.ndarray, si: np.ndarray, sj: np.ndarray, pi_i: np.ndarray, rule: str
) -> tuple[np.ndarray, np.ndarray]:
    """The bargain points (b_I for the initiator, b_J for the receiver) of spec §5.3.

    Arrays are [bargain, dimension]; ``pi_i`` is [bargain] and π_J = 1 − π_I.
    """
    pI = np.asarray(pi_i, dtype=float)[:, None]
    pJ = 1.0 - pI
    if rule in ("S2P2", "S1P1"):
        if rule == "S2P2":
            wI, wJ = si * si * (pI * pI), sj * sj * (pJ * pJ)
        else:
            wI, wJ = si * pI, sj * pJ
        den = wI + wJ + 1e-6
        bI = round4(((wI + 1e-6) * xi + wJ * xj) / den)
        bJ = round4((wI * xi + (wJ + 1e-6) * xj) / den)
        return bI, bJ
    if rule == "S2PMax":
        eI, eJ = np.maximum(pJ - pI, 0.0), np.maximum(pI - pJ, 0.0)
        fI = eI * sj * sj / (eI * sj * sj + 1e-6 + (1.0 - eI) * si * si)
        fJ = eJ * si * si / (eJ * si * si + 1e-6 + (1.0 - eJ) * sj * sj)
        return xi + fI * (xj - xi), xj + fJ * (xi - xj)
    raise ValueError(f"unknown InterVecBrgn {rule!r}")
