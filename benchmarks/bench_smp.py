"""Speed of ``smp`` (KTAB's Spatial Model of Politics) on random one-dimensional cases.

Target: KTAB's own C++ ``smpc`` (-O2, minimal logging) takes 3.0 s on a 26-actor case
(20 states), 12.8 s on 40 actors (21 states), 92 s on 80 actors (18 states) and 1,283 s on 160
actors (14 states). The targets are ≥ 50× faster: 40 actors × 20 turns ≤ 0.25 s, 80 × 17
≤ 2 s (the whole ``forecast`` command ≤ 2.5 s), 160 × 13 ≤ 8 s in under 2 GB.

Cases: positions uniform on 0-100, saliences uniform on 10-100 (one dimension, so each actor's
salience is its total), capabilities uniform on 10-200, all to one decimal, from
``numpy.random.default_rng([n_actors, seed])``. A run is timed over exactly the target number
of turns (``max_turns``; the 40-actor case stops there by itself), best of a few runs. The plain-loop
transcription of spec §5.1 (the O(N³) challenge table) is timed against the vectorised one on
the 26-actor case.

Run: ``.venv/bin/python benchmarks/bench_smp.py``
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from realpolitik.models._smp_bargain import Settings, challenges, setup_state
from realpolitik.models._smp_dynamics import simulate
from realpolitik.models._smp_elect import utility, vote

#: (actors, seed, turns, limit in s, KTAB smpc's seconds for about as many states)
CASES = [(40, 28, 20, 0.25, 12.8), (80, 1, 17, 2.0, 92.0), (160, 0, 13, 8.0, 1283.0)]
REPEATS = {40: 5, 80: 3, 160: 2}


def case(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random one-dimensional case on KTAB's [0, 1] scale (see the module docstring)."""
    rng = np.random.default_rng([n, seed])
    x = rng.uniform(0, 100, (n, 1)).round(1)
    s = rng.uniform(10, 100, (n, 1)).round(1)
    c = rng.uniform(10, 200, n).round(1)
    return x / 100.0, s / 100.0, c


def plain_challenges(state, S, c, st: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Spec §5.1 with h = k = i, transcribed as plain loops (SemiCommit, any vote rule)."""
    N = len(c)
    d, R = state.d.tolist(), state.R.tolist()
    w = (S * c).tolist()
    vr = st.voting_rule
    P = np.zeros((N, N))
    G = np.full((N, N), -np.inf)

    def U(h: int, a: int, b: int) -> float:
        return float(utility(d[a][b], R[h][a]))

    def v(weight: float, delta: float) -> float:
        return float(vote(weight, delta, vr))

    for i in range(N):
        for j in range(N):
            if i == j:
                continue
            a = v(w[i], U(i, i, i) - U(i, i, j))
            b = v(w[j], U(i, j, i) - U(i, j, j))
            bi0 = 1e-10 + max(a, 0.0) + max(b, 0.0)
            bj0 = 1e-10 + max(-a, 0.0) + max(-b, 0.0)
            Bi, Bj = bi0, bj0
            for n in range(N):
                if n in (i, j):
                    continue
                uni, unj, unn = U(i, n, i), U(i, n, j), U(i, n, n)
                o = v(w[n], uni - unj)
                pi = (bi0 + max(o, 0.0)) / (bi0 + max(o, 0.0) + bj0 + max(-o, 0.0))
                e_i = pi * (2 * uni + unn) + (1 - pi) * 3 * unj
                e_j = pi * 3 * uni + (1 - pi) * (2 * unj + unn)
                vn = v(w[n], e_i - e_j)
                Bi += max(vn, 0.0)
                Bj += max(-vn, 0.0)
            p = Bi / (Bi + Bj)
            uii, uij = U(i, i, i), U(i, i, j)
            P[i, j] = p
            G[i, j] = (1 - S[j]) * 2 * uii + S[j] * (p * 2 * uii + (1 - p) * 2 * uij) - (uii + uij)
    return P, G


def bench_plain() -> None:
    x, s, c = case(26, 0)
    st = Settings()
    state = setup_state(x, x.copy(), s, c, st)
    S = s.sum(axis=1)
    t0 = time.perf_counter()
    P1, G1 = challenges(state, S, c, st)
    vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    P2, G2 = plain_challenges(state, S, c, st)
    plain = time.perf_counter() - t0
    off = ~np.eye(26, dtype=bool)
    gap = max(np.abs(P1[off] - P2[off]).max(), np.abs(G1[off] - G2[off]).max())
    print(
        f"challenge table, 26 actors: vectorised {vec * 1e3:.2f} ms, plain loops {plain * 1e3:.0f} ms "
        f"({plain / vec:.0f}x); largest difference {gap:.1e}"
    )


def bench_cli() -> None:
    """The whole ``realpolitik forecast FILE.csv --model smp --json`` on the 80-actor case."""
    n, seed = 80, 1
    x, s, c = case(n, seed)
    rows = [
        f"bench80,random one-dimensional case,{n},1,",
        "Actor,Description,Power,Position,Salience,",
    ]
    rows += [
        f"A{k:03d},random,{c[k]:.1f},{100 * x[k, 0]:.1f},{100 * s[k, 0]:.1f}" for k in range(n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench80.csv"
        path.write_text("\n".join(rows) + "\n")
        exe = Path(sys.executable).with_name("realpolitik")
        t0 = time.perf_counter()
        out = subprocess.run(
            [str(exe), "forecast", str(path), "--model", "smp", "--json", "--trace"],
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - t0
    import json

    states = json.loads(out.stdout)["traces"]["smp"]["states"][0]
    print(
        f"`realpolitik forecast` of an {n}-actor KTAB CSV ({states - 1} turns), whole command: {wall:.2f} s (target ≤ 2.5 s)"
    )


def main() -> None:
    print(f"smp benchmark: numpy {np.__version__}, {os.cpu_count()} cores (shared)")
    for n, seed, turns, limit, ktab in CASES:
        x, s, c = case(n, seed)
        simulate(x[:5], s[:5], c[:5])  # warm up
        times = []
        for _ in range(REPEATS[n]):  # best of a few: the machine is shared
            t0 = time.perf_counter()
            hist = simulate(x, s, c, max_turns=turns)
            times.append(time.perf_counter() - t0)
        secs = min(times)
        done = hist.n_states - 1
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{n:4d} actors, {done:2d} turns: {secs:6.3f} s (best of {len(times)}, worst "
            f"{max(times):.3f} s), {secs / done:.4f} s/turn "
            f"(limit {limit:g} s: {'ok' if secs <= limit else 'OVER'}; KTAB smpc {ktab:g} s, "
            f"{ktab / secs:.0f}x faster); peak RSS so far {rss:.0f} MB"
        )
    bench_plain()
    bench_cli()


if __name__ == "__main__":
    main()
