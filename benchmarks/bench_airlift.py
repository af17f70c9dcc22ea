"""Benchmark: the Berlin airlift alone, the 1,000-run Berlin forecast, and the stability of
the shared airlift draws (docs/specs/coupling.md).

Prints:

1. one run of the whole airlift (26 Jun 1948 - 30 Sep 1949; docs/specs/airlift.md,
   "Performance": at most 10 s on one core), on the default event heap and on SimPy;
2. the wall time of ``realpolitik forecast berlin-1948 --executor processes:2`` at the
   scenario's default 1,000 runs and K = 50 airlift draws (target: at most 60 s on 2 cores),
   with the machine's load average, since other work on the machine slows it;
3. K = 50 against K = 200 airlift draws, both 1,000 runs with the same ensemble seed (only K
   differs): P(each side concedes first), P(impasse) and the end-day quartiles of each
   crisis model the scenario has (``attrition``, ``learning``), each with its Monte Carlo standard error (bootstrap over the runs, 500
   resamples). They agree when each difference is below two standard errors of the
   difference, sqrt(se_50^2 + se_200^2).

    .venv/bin/python benchmarks/bench_airlift.py [--quick]

``--quick`` skips part 3 (which runs 250 airlift simulations, several minutes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import numpy as np

from realpolitik.models.airlift import config_of
from realpolitik.scenario import load
from realpolitik.sim._airlift_engine import simulate
from realpolitik.sim.airlift import airlift_changes, plan

SEED = 1948


def one_run(scenario) -> None:
    cfg = config_of(scenario)
    changes = airlift_changes(scenario)
    print(f"1. one airlift run: {cfg.start} to {cfg.end}, {len(cfg.fleet)} fleet groups")
    for engine in ("heap", "simpy"):
        rng = np.random.default_rng(0)
        p = plan(cfg, rng, changes)
        wall, cpu = time.perf_counter(), time.process_time()
        c = simulate(p, rng, engine=engine)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"   {engine:5s}: {wall:5.2f} s wall, {cpu:5.2f} s CPU | {c.events:,} events | "
            f"{int(c.flights.sum()):,} flights, {c.tons.sum():,.0f} t (limit 10 s on one core)"
        )


def forecast_cli() -> None:
    exe = shutil.which("realpolitik") or os.path.join(
        os.path.dirname(sys.executable), "realpolitik"
    )
    cmd = [
        exe,
        "forecast",
        "berlin-1948",
        "--json",
        "--seed",
        str(SEED),
        "--executor",
        "processes:2",
    ]
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    print(
        "2. `realpolitik forecast berlin-1948 --executor processes:2` (1,000 runs, K = 50): "
        f"{wall:.1f} s wall (target <= 60 s on 2 cores; load average before {load_before:.1f}, "
        f"after {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


def forecast_cpu(scenario) -> None:
    """The same forecast in this process on one core: its CPU time is what the work costs
    whatever else the machine runs (the wall time of part 2 also depends on the load)."""
    from realpolitik.forecast import forecast

    wall, cpu = time.perf_counter(), time.process_time()
    forecast(scenario, seed=SEED)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"   the same forecast in-process on one core: {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"(about {cpu / 2:.0f} s of work per core on 2 cores)"
    )


def _stats(conceded: np.ndarray, day: np.ndarray) -> dict[str, float]:
    finite = np.where(np.isfinite(day), day, np.inf)
    return {
        "P(ussr first)": float(np.mean(conceded == "ussr")),
        "P(west first)": float(np.mean(conceded == "west")),
        "P(impasse)": float(np.mean(conceded == "")),
        "end day q25": float(np.quantile(finite, 0.25)),
        "end day median": float(np.quantile(finite, 0.5)),
        "end day q75": float(np.quantile(finite, 0.75)),
    }


def _bootstrap_se(conceded: np.ndarray, day: np.ndarray, reps: int = 500) -> dict[str, float]:
    rng = np.random.default_rng(7)
    n = conceded.shape[0]
    draws = [_stats(conceded[i], day[i]) for i in (rng.integers(0, n, n) for _ in range(reps))]
    return {k: float(np.std([d[k] for d in draws], ddof=1)) for k in draws[0]}


def compare_k(scenario) -> None:
    from realpolitik.ensemble import run_ensemble
    from realpolitik.forecast import resolve_models

    reqs = [r for r in resolve_models(scenario) if r.spec.kind == "crisis"]
    out: dict[str, dict[int, tuple]] = {r.name: {} for r in reqs}
    for k in (50, 200):
        t0 = time.perf_counter()
        ens = run_ensemble(scenario, reqs, 1000, seed=SEED, executor="processes:2", airlift_draws=k)
        for name in out:
            crisis = ens.crises[name]
            conceded, day = crisis["conceded"].astype(str), crisis["day"].astype(float)
            out[name][k] = (_stats(conceded, day), _bootstrap_se(conceded, day))
        print(f"   K = {k:3d}: 1,000 runs of {', '.join(out)} in {time.perf_counter() - t0:.1f} s")
    ok = True
    for name, res in out.items():
        print(f"3. {name}, K = 50 vs K = 200 (same seed; SE: bootstrap over runs)")
        print(f"   {'statistic':16s} {'K=50':>9s} {'se':>7s} {'K=200':>9s} {'se':>7s} {'|diff|':>8s}"
              f" {'2 se(diff)':>10s}  agree")  # fmt: skip
        for key in res[50][0]:
            a, sa = res[50][0][key], res[50][1][key]
            b, sb = res[200][0][key], res[200][1][key]
            bound = 2.0 * float(np.hypot(sa, sb))
            agree = abs(a - b) <= bound or (sa == sb == 0.0 and a == b)
            ok &= agree
            print(
                f"   {key:16s} {a:9.3f} {sa:7.3f} {b:9.3f} {sb:7.3f} {abs(a - b):8.3f} "
                f"{bound:10.3f}  {'yes' if agree else 'NO'}"
            )
    print(f"   all agree within two Monte Carlo standard errors: {'yes' if ok else 'NO'}")


def main() -> None:
    scenario = load("berlin-1948")
    one_run(scenario)
    forecast_cli()
    forecast_cpu(scenario)
    if "--quick" not in sys.argv:
        compare_k(scenario)


if __name__ == "__main__":
    main()
