"""A plain scalar-loop transcription of docs/specs/eum.md, kept to check the vectorised code.

Written from the spec alone, sharing no code with ``realpolitik.models._eum_core``: every
sum is an explicit loop over voters, the probability is eq. 31 voter by voter (O(n^3)), the
median is found by brute-force pairwise votes (eq. 28), and offers are compared one at a time.
It reads option values from an ``EumOptions``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["reference_run", "reference_median", "reference_probability"]


def _weights(c: list[float], s: list[float]) -> list[float]:
    return [ci * si for ci, si in zip(c, s, strict=True)]


def reference_median(x: list[float], w: list[float], tie: str) -> float:
    """§3.2 by brute force: the actor positions that beat or tie every other under eq. 28."""
    n = len(x)
    if sum(w) <= 0:
        w = [1.0] * n
    total = sum(w)

    def votes(j: int, k: int) -> float:  # sum of votes for x_j against x_k
        return sum(w[v] * (abs(x[v] - x[k]) - abs(x[v] - x[j])) for v in range(n))

    tol = 1e-9 * total * (max(x) - min(x) if n > 1 else 1.0)
    winners = [j for j in range(n) if all(votes(j, k) >= -tol for k in range(n))]
    ys = [x[j] for j in winners]
    if tie == "mid":
        return (min(ys) + max(ys)) / 2
    if tie == "lower":
        return min(ys)
    if tie == "upper":
        return max(ys)
    return x[winners[0]]  # "first": lowest actor index


def reference_probability(
    x: list[float], w: list[float], i: int, j: int, opts: Any, R: float, r: list[float]
) -> float:
    """P_ij (§3.3, eq. 31 and the variants of §5), one voter at a time."""
    n = len(x)
    if opts.prob == "global_denominator":

        def cmp(k: int, a: float, b: float) -> float:
            return w[k] * ((abs(x[k] - b) / R) ** r[k] - (abs(x[k] - a) / R) ** r[k])

        den = sum(abs(cmp(k, x[a], x[b])) for k in range(n) for a in range(n) for b in range(n))
        if den <= 0:
            return opts.prob_undefined
        return sum(max(0.0, cmp(k, x[i], x[j])) for k in range(n)) / den
    num = net = den = 0.0
    for k in range(n):
        if opts.prob == "exclude_pair" and k in (i, j):
            continue
        a = abs(x[k] - x[j]) - abs(x[k] - x[i])
        num += w[k] * max(a, 0.0)
        net += w[k] * a
        den += w[k] * abs(a)
    gap = abs(x[i] - x[j])
    if den <= opts.eps * gap * sum(abs(v) for v in w):
        return opts.prob_undefined
    if opts.prob == "net_clipped":
        return max(0.0, net) / den
    return num / den


def _eu(
    i: int,
    j: int,
    rho: float,
    x: list[float],
    s: list[float],
    P: list[list[float]],
    Q: list[list[float]],
    R: float,
    mu: float,
    opts: Any,
) -> float:
    """E_ij(rho), §3.4-3.6 (Scholz eqs. 5-7, 15-16, 22-25)."""
    d = abs(x[i] - x[j]) / R
    mi = abs(x[i] - mu) / R

    def u(base: float) -> float:
        return 2 - 4 * max(base, 0.0) ** rho

    us, uf, usq = u(0.5 - 0.5 * d), u(0.5 + 0.5 * d), u(0.5)
    ub, uw = u(0.5 - 0.25 * (mi + d)), u(0.5 + 0.25 * (mi + d))
    if opts.t_rule == "median_closer":
        t = 1.0 if abs(x[i] - mu) < abs(x[i] - x[j]) else 0.0
    else:
        t = 1.0
    q = Q[i][j]
    p = P[i][j]
    e = s[j] * (p * us + (1 - p) * uf) + (1 - s[j]) * us - q * usq
    if q != 1.0:
        e -= (1 - q) * (t * ub + (1 - t) * uw)
    return e


def _round(x: list[float], s: list[float], c: list[float], R0: float, opts: Any) -> list[float]:
    n = len(x)
    spread = max(x) - min(x)
    if spread <= 0:
        return list(x)
    R = {"current": spread, "initial": R0, "fixed": opts.range_value}[opts.range_mode]
    w = _weights(c, s)
    eps = opts.eps
    mu = reference_median(x, w, opts.median_tie)

    def contested(i: int, j: int) -> bool:
        return i != j and abs(x[i] - x[j]) > opts.same_tol * R

    def tables(r: list[float]) -> tuple[list[list[float]], list[list[float]]]:
        P = [
            [
                reference_probability(x, w, i, j, opts, R, r)
                if contested(i, j)
                else opts.prob_undefined
                for j in range(n)
            ]
            for i in range(n)
        ]
        Q = [[opts.q] * n for _ in range(n)]
        if opts.q_mode == "product":
            for i in range(n):
                for j in range(n):
                    prod = 1.0
                    for k in range(n):
                        if k not in (i, j):
                            prod *= P[i][k] + 1 - s[k]
                    Q[i][j] = prod
        return P, Q

    def eu(i: int, j: int, rho: float, P: Any, Q: Any) -> float:
        return _eu(i, j, rho, x, s, P, Q, R, mu, opts) if contested(i, j) else 0.0

    # §3.7: first pass at rho = 1, security, risk exponents
    ones = [1.0] * n
    P, Q = tables(ones)
    E1 = [[eu(i, j, 1.0, P, Q) for j in range(n)] for i in range(n)]
    r = ones
    if opts.risk == "scholz":
        if opts.security == "column":
            sec = [sum(E1[j][i] for j in range(n)) for i in range(n)]
        else:
            sec = [sum(E1[i][j] for j in range(n)) for i in range(n)]
        hi, lo = max(sec), min(sec)
        if hi - lo > eps * max(1.0, abs(hi), abs(lo)):
            big = [(2 * v - hi - lo) / (hi - lo) for v in sec]
            r = [(1 - b / 3) / (1 + b / 3) for b in big]
    if opts.prob == "global_denominator" and r != ones:
        P, Q = tables(r)
    elif opts.q_mode == "product":
        P, Q = tables(ones)

    # §3.8-3.9: offers to each mover, one accepted
    new = list(x)
    for m in range(n):
        offers = []  # (type, target, a, b, proposer)
        for p in range(n):
            if not contested(m, p):
                continue
            a = eu(m, p, r[m], P, Q)
            rho_b = r[m] if opts.perspective == "receiver" else r[p]
            b = eu(p, m, rho_b, P, Q)
            if a > eps and b > eps and b - a > eps:
                if opts.conflict == "full":
                    offers.append((1, x[p], a, b, p))
            elif a < -eps and b > eps:
                if -a < b - eps:
                    offers.append((2, x[m] + (-a / b) * (x[p] - x[m]), a, b, p))
                elif opts.capitulation == "full":
                    offers.append((3, x[p], a, b, p))
        if not offers:
            continue

        def keep(cands: list, key: Any) -> list:
            best = min(key(o) for o in cands)
            return [o for o in cands if key(o) <= best + eps * max(1.0, abs(best))]

        def move(o: tuple, m: int = m) -> float:
            return abs(o[1] - x[m])

        def jm(o: tuple, m: int = m) -> float:
            if o[0] != 2:
                return move(o)
            return (abs(o[2]) * x[m] + abs(o[3]) * x[o[4]]) / (abs(o[2]) + abs(o[3]))

        if opts.selection in ("type_priority", "jmckib"):
            lowest = min(o[0] for o in offers)
            offers = [o for o in offers if o[0] == lowest]
            offers = keep(offers, jm if opts.selection == "jmckib" else move)
        elif opts.selection == "least_move":
            offers = keep(offers, move)
        else:  # max_eu
            offers = keep(offers, lambda o: -o[3])
            offers = keep(offers, move)
        if opts.tiebreak == "eu_index":
            offers = keep(offers, lambda o: -o[3])
        best = min(offers, key=lambda o: o[4])
        new[m] = best[1]
    return new


def reference_run(x: Any, s: Any, c: Any, opts: Any, rounds: int) -> dict[str, list]:
    """``rounds`` rounds of the fixed-round model; positions, medians and means by round."""
    x, s, c = [float(v) for v in x], [float(v) for v in s], [float(v) for v in c]
    R0 = max(x) - min(x)
    w = _weights(c, s)
    ww = w if sum(w) > 0 else [1.0] * len(w)

    def mean(y: list[float]) -> float:
        return sum(a * b for a, b in zip(ww, y, strict=True)) / sum(ww)

    out = {"positions": [x], "median": [reference_median(x, w, opts.median_tie)], "mean": [mean(x)]}
    for _ in range(rounds):
        x = _round(x, s, c, R0, opts)
        out["positions"].append(x)
        out["median"].append(reference_median(x, w, opts.median_tie))
        out["mean"].append(mean(x))
    return out
