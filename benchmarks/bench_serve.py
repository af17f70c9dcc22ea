"""Benchmark: the workbench (`realpolitik serve`) on moscow-1949, over HTTP on 127.0.0.1.

Targets (the workbench's acceptance): from "run" to the results page, at most 1 s for a single
run and at most 20 s for a 1,000-run ensemble on 2 cores; and the throughput of
``POST /api/forecast`` (single runs) under 8 concurrent clients, with no errors.

The server is a real ``realpolitik serve`` process on a free port of 127.0.0.1 with a store in
a temporary folder. "Run to results page" is what a browser does: the editor's form is posted,
the redirect followed, and (for an ensemble) the run's status polled every 250 ms, as the
page's script does, until the results page is served. All traffic stays on 127.0.0.1; every
loop is bounded in count and time.

    .venv/bin/python benchmarks/bench_serve.py [--executor processes:2] [--requests 160]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _start(store: Path, executor: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from realpolitik.cli import main; sys.exit(main())",
         "serve", "--port", str(port),
         "--store", f"sqlite:///{store}", "--executor", executor],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://{HOST}:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(base + "/api/runs", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start: " + proc.stderr.read().decode()[-500:])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its finished children, from /proc (Linux).

    On a shared machine the wall times depend on the load; the server's CPU time does not,
    and on 2 idle cores a run's wall time is at most its CPU time (local executor)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_to_results(client: httpx.Client, runs: int, seed: int) -> tuple[float, int]:
    """Seconds from posting the editor's form to the results page; the run's id."""
    t0 = time.perf_counter()
    r = client.post(
        "/scenarios/moscow-1949/run",
        data={"runs": str(runs), "seed": str(seed), "model": _DEFAULT_MODELS},
        follow_redirects=True,
    )
    r.raise_for_status()
    run_id = int(str(r.url).rsplit("/", 1)[1])
    deadline = time.time() + 300
    while 'id="results"' not in r.text and time.time() < deadline:
        time.sleep(0.25)
        if client.get(f"/api/runs/{run_id}").json()["status"] != "running":
            r = client.get(f"/runs/{run_id}")
    if 'id="results"' not in r.text:
        raise SystemExit(f"run {run_id} gave no results page")
    return time.perf_counter() - t0, run_id


# The scenario's default models (every default issue model and its crisis model).
_DEFAULT_MODELS = ["mean", "compromise", "median", "nbs", "eum", "attrition"]


def throughput(base: str, clients: int, total: int) -> None:
    done, errors, lat = [0], [], []
    lock = threading.Lock()
    per = total // clients

    def client_loop(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            for i in range(per):
                t = time.perf_counter()
                r = c.post(
                    "/api/forecast",
                    json={"scenario": "moscow-1949", "runs": 1, "seed": k * 1000 + i},
                )
                with lock:
                    lat.append(time.perf_counter() - t)
                    if r.status_code == 200 and r.json()["status"] == "done":
                        done[0] += 1
                    else:
                        errors.append(f"{r.status_code} {r.text[:120]}")

    threads = [threading.Thread(target=client_loop, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - t0
    lat.sort()
    print(
        f"/api/forecast, single runs, {clients} concurrent clients: {done[0]} requests in "
        f"{wall:.2f} s = {done[0] / wall:.1f} requests/s; latency median "
        f"{statistics.median(lat) * 1000:.0f} ms, p95 {lat[int(0.95 * (len(lat) - 1))] * 1000:.0f} ms; "
        f"errors: {len(errors)}"
    )
    for e in errors[:5]:
        print("  error:", e)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--executor", default="local")
    ap.add_argument("--singles", type=int, default=5)
    ap.add_argument("--ensembles", type=int, default=2)
    ap.add_argument("--requests", type=int, default=160)
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print(
        f"moscow-1949 on realpolitik serve ({args.executor}), {os.cpu_count()} cores, "
        f"load average {load:.1f} at the start"
    )
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        proc, base = _start(Path(tmp) / "runs.sqlite", args.executor)
        try:
            with httpx.Client(base_url=base, timeout=300) as c:
                run_to_results(c, 1, 0)  # warm-up: imports, the first store writes
                cpu = cpu_seconds(proc.pid)
                singles = [run_to_results(c, 1, s)[0] for s in range(1, args.singles + 1)]
                cpu_single = (cpu_seconds(proc.pid) - cpu) / len(singles)
                print(
                    f"single run, run -> results page: median {statistics.median(singles):.3f} s, "
                    f"max {max(singles):.3f} s over {len(singles)}; server CPU "
                    f"{cpu_single:.3f} s per run (target <= 1 s)"
                )
                cpu = cpu_seconds(proc.pid)
                ens = [run_to_results(c, 1000, 1949 + s)[0] for s in range(args.ensembles)]
                cpu_ens = (cpu_seconds(proc.pid) - cpu) / len(ens)
                print(
                    f"1,000-run ensemble, run -> results page: median {statistics.median(ens):.2f} s, "
                    f"max {max(ens):.2f} s over {len(ens)}; server CPU {cpu_ens:.2f} s per "
                    "ensemble (CPU of pool workers shows only with the local executor) "
                    "(target <= 20 s on 2 cores)"
                )
            throughput(base, 8, args.requests)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
