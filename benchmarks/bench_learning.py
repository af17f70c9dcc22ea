"""Benchmark of the learning model (docs/specs/learning.md §5). Prints its figures.

- a survival-only solve (§5.1, check A of §8: K = 2, H = 365), cold and cached; the target is
  a few milliseconds;
- a signal solve on the belief grid (§5.2): K = 2 at N = 400 and K = 3 at N = 61 (the
  defaults) over a 463-day horizon with weekly windows, as Berlin's block has; cold, then
  cached (the policy is solved once per distinct set of the challenger's inputs), then with
  a new cost (as an ensemble draws it), when only the beliefs' motion is cached;
- the whole Berlin forecast of the learning model (the airlift run excluded: it is cached
  by the first call) and one ensemble draw.

Run: ``.venv/bin/python benchmarks/bench_learning.py``
"""

from __future__ import annotations

import time

import numpy as np

from realpolitik.models._learning_core import (
    Challenger,
    SignalModel,
    derived_hazard,
    survival_plan,
    survival_plan_cached,
)
from realpolitik.models._learning_grid import solve_grid
from realpolitik.models._learning_paths import concession_days
from realpolitik.models.learning import forecast_problem, sample_problem
from realpolitik.scenario import load
from realpolitik.sim._learning_inputs import problem


def solve_scenario(sc, seed):
    pb = problem(sc, seed)
    return pb, forecast_problem(pb, seed)


def sample_scenario(sc, rng, n):
    return sample_problem(problem(sc, int(rng.integers(2**31))), rng, n)


def _best(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _once(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _grid_problem(k: int, cost: float) -> Challenger:
    """Berlin-like: K derived types over 463 days, weekly windows from day 2 to day 402."""
    sig = SignalModel(every=7, start=2, end=402, sigma=0.15)
    rows = [np.full(403, 0.22), np.linspace(0, 0.9, 403), np.full(403, 0.9)][:k]
    means = np.stack(rows)
    hz = [derived_hazard(m, threshold=0.5, rate=0.033, stocks_days=36, sd=0.15) for m in means]
    return Challenger(
        win=0.7, concede=0.2, rate=0.0003, cost=[cost], hazard=hz, signal=sig,
        mu=sig.window_means(means),
    )  # fmt: skip


def main() -> None:
    print("learning: survival only (§5.1, spec §8 check A, K = 2, H = 365)")
    hw = np.full(1, 0.02)
    prior = np.array([0.5, 0.5])
    costs = iter(np.linspace(0.0009, 0.0011, 10_000))
    t = _best(
        lambda: survival_plan(
            Challenger(win=1, concede=0, rate=3e-4, cost=[next(costs)], hazard=[hw, [0.0]]),
            prior,
            t_end=366,
        ),
        repeat=20,
    )
    print(f"  one solve (plan + value + τ*), distinct inputs:     {t * 1e3:8.3f} ms")
    ch = Challenger(win=1, concede=0, rate=3e-4, cost=[0.001], hazard=[hw, [0.0]])
    t = _once(lambda: survival_plan_cached(ch, prior, t_end=366))
    c = _best(lambda: survival_plan_cached(ch, prior, t_end=366), repeat=20)
    print(f"  the same inputs, cached: cold {t * 1e3:.3f} ms, then {c * 1e6:.1f} µs")
    t = _best(lambda: concession_days([(0, ch)], prior, 365), repeat=20)
    print(f"  C's day and beliefs to the horizon (cached plan):   {t * 1e3:8.3f} ms")
    winter = np.full(241, 0.005)
    winter[120:240] = 0.04
    chb = Challenger(win=0.7, concede=0.2, rate=3e-4, cost=[0.0005], hazard=[winter, [0.0]])
    t = _best(lambda: survival_plan(chb, np.array([0.3, 0.7]), t_end=366), repeat=20)
    print(f"  check B (a winter hazard), one solve:               {t * 1e3:8.3f} ms")

    print("learning: a signal on the belief grid (§5.2, 463 days, weekly windows, J = 20)")
    for k, label in ((2, "K = 2, N = 400, linear ramps"), (3, "K = 3, N = 61, linear ramps ")):
        base = 0.0005 + 1e-7 * k
        cold = _once(lambda k=k, base=base: solve_grid(_grid_problem(k, base), 464))
        cached = _best(lambda k=k, base=base: solve_grid(_grid_problem(k, base), 464), repeat=5)
        costs = iter(base + 1e-6 * np.arange(1, 100))
        fresh = _best(lambda k=k, c=costs: solve_grid(_grid_problem(k, next(c)), 464), repeat=5)
        print(f"  {label}: cold {cold * 1e3:8.1f} ms; cached {cached * 1e6:6.1f} µs")
        print(f"    a new cost, the beliefs' motion cached:    {fresh * 1e3:8.1f} ms")
    sc = load("berlin-1948")
    berlin = problem(sc, 0).stages[0][1]
    cold = _once(lambda: solve_grid(berlin, 464))
    cached = _best(lambda: solve_grid(berlin, 464), repeat=5)
    print(
        f"  Berlin's block (K = 3, N = 61):        cold {cold * 1e3:8.1f} ms; cached {cached * 1e6:6.1f} µs"
    )

    print("learning: Berlin 1948 (coupled to the airlift run, K = 3, N = 61)")
    sc = load("berlin-1948")
    first = _once(lambda: solve_scenario(sc, 0))
    print(f"  first forecast (airlift run + policy + paths):      {first:8.2f} s")
    again = _best(lambda: solve_scenario(sc, 0), repeat=3)
    print(f"  again (airlift and policy cached):                  {again * 1e3:8.1f} ms")
    rng = np.random.default_rng(1)
    t = _once(lambda: sample_scenario(sc, rng, 1))
    print(f"  one ensemble draw (a new airlift seed and run):     {t:8.2f} s")


if __name__ == "__main__":
    main()
