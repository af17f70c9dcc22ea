"""Fuzz the loaders and models: mutants of the bundled scenarios and the KTAB, BdM and DEU
samples, each loaded and forecast once, on every core.

    python benchmarks/fuzz.py --cases 100000            # or: make fuzz CASES=100000
    python benchmarks/fuzz.py --minutes 10 --workers 2 --seed 7

Prints the counts success / located error / traceback / hang and the wall time. Each case is
reproducible from (--seed, its index). A case that is not success or a located error is saved
to --failures (default fuzz-failures/) as the mutant file and a ``.txt`` with what went wrong;
copy the mutant into tests/data/fuzz/regressions/ and tests/test_fuzz.py runs it ever after.

Each worker process runs its cases with a per-case limit of CPU time (--limit, SIGPROF), so
that a busy machine does not turn slow cases into hangs; a worker stuck for --wall seconds
(blocked, or in code that a signal cannot interrupt) is killed, its case counted as a hang,
and a new worker takes over.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzzing import RandomChooser, mutate, run_case  # noqa: E402

STATUSES = ("ok", "error", "traceback", "hang")


def _worker(seed: int, start: int, step: int, stop: int, out: mp.Queue, limit: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(start, stop, step):
            out.put(("start", i, None, None))
            case = mutate(RandomChooser(seed * 1_000_003 + i))
            outcome = run_case(case, limit=limit, folder=folder)
            detail = case if outcome.status in ("traceback", "hang") else None
            out.put(("done", i, outcome.status, (detail, outcome.detail) if detail else None))


def _save(folder: Path, i: int, case, detail: str) -> None:  # noqa: ANN001
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "" if case.kind == "yaml" else f"-{case.kind}"
    (folder / f"case{i:07d}{suffix}{case.suffix}").write_bytes(
        case.text.encode("utf-8", "surrogatepass")
    )
    (folder / f"case{i:07d}.txt").write_text(f"seed file: {case.seed}\n{detail}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=None, help="number of cases (default 2000)")
    ap.add_argument("--minutes", type=float, default=None, help="stop after this many minutes")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=float, default=10.0, help="CPU seconds per case")
    ap.add_argument("--wall", type=float, default=120.0, help="wall seconds per case")
    ap.add_argument("--failures", type=Path, default=Path("fuzz-failures"))
    ap.add_argument("--replay", type=int, default=None, help="rerun case I alone and save it")
    args = ap.parse_args(argv)
    if args.replay is not None:
        case = mutate(RandomChooser(args.seed * 1_000_003 + args.replay))
        with tempfile.TemporaryDirectory() as tmp:
            outcome = run_case(case, limit=args.limit, folder=Path(tmp))
        _save(args.failures, args.replay, case, f"{outcome.status}: {outcome.detail}")
        print(f"case {args.replay}: {outcome.status} (saved in {args.failures}/)")
        return 0 if outcome.status in ("ok", "error") else 1
    cases = args.cases if args.cases is not None else (10**9 if args.minutes else 2000)
    deadline = time.monotonic() + 60 * args.minutes if args.minutes else None
    counts = dict.fromkeys(STATUSES, 0)
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    n = max(1, args.workers)
    # Worker w runs cases w, w+n, w+2n, ...: a replaced worker resumes after its stuck case.
    running: dict[int, tuple[mp.Process, int | None, float]] = {}

    def spawn(w: int, start: int) -> None:
        p = ctx.Process(
            target=_worker, args=(args.seed, start, n, cases, out, args.limit), daemon=True
        )
        p.start()
        running[w] = (p, None, time.monotonic())

    for w in range(min(n, cases)):
        spawn(w, w)
    t0 = time.monotonic()
    done = 0
    last = t0
    stopping = False
    while running:
        try:
            kind, i, status, extra = out.get(timeout=1.0)
        except queue.Empty:
            kind = None
        now = time.monotonic()
        if kind == "start":
            w = i % n
            running[w] = (running[w][0], i, now)
        elif kind == "done":
            counts[status] += 1
            done += 1
            if extra is not None:
                _save(args.failures, i, *extra)
            w = i % n
            if w in running:
                running[w] = (running[w][0], None, now)
            if stopping or i + n >= cases:
                pass
        for w, (p, current, since) in list(running.items()):
            if current is not None and now - since > args.wall:
                p.kill()
                p.join()
                counts["hang"] += 1
                done += 1
                (args.failures).mkdir(parents=True, exist_ok=True)
                (args.failures / f"case{current:07d}.txt").write_text(
                    f"killed after {now - since:.0f} s; rerun: benchmarks/fuzz.py --seed "
                    f"{args.seed} --replay {current}\n"
                )
                del running[w]
                if not stopping and current + n < cases:
                    spawn(w, current + n)
            elif not p.is_alive() and current is None and out.empty():
                p.join()
                del running[w]
        if deadline is not None and now > deadline and not stopping:
            stopping = True
            for p, _, _ in running.values():
                p.kill()
            running.clear()
        if now - last > 30:
            last = now
            rate = done / (now - t0)
            print(
                f"  {done:,} cases, {rate:.1f}/s: "
                + ", ".join(f"{k} {v:,}" for k, v in counts.items()),
                flush=True,
            )
    wall = time.monotonic() - t0
    print(
        f"fuzz: {done:,} cases in {wall:,.0f} s ({done / wall:.1f}/s, {n} workers, "
        f"seed {args.seed}): success {counts['ok']:,}, located error {counts['error']:,}, "
        f"traceback {counts['traceback']:,}, hang {counts['hang']:,}"
    )
    if counts["traceback"] or counts["hang"]:
        print(f"failing cases saved in {args.failures}/")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
