"""Benchmark: the report of a 1,000-run ensemble (target: under 10 s, excluding the simulation).

Runs moscow-1949 with its uncertainty, every default model, 1,000 runs (the simulation, timed
but not counted), then times what the report adds: importing the report package (jinja2,
matplotlib), assembling its data from the ensemble (summaries, label probabilities, rank
drivers) and writing report.html and report.md with every chart as SVG and PNG. The track
record (a DEU and historical-case backtest of the same models) is timed separately: it is a
simulation of other cases, not part of writing the report.

    .venv/bin/python benchmarks/bench_report.py [RUNS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def main(runs: int = 1000) -> None:
    from realpolitik.api import load
    from realpolitik.forecast import forecast

    sc = load("moscow-1949")
    t0 = time.perf_counter()
    result = forecast(sc, seed=1949, runs=runs)
    t_sim = time.perf_counter() - t0
    ens = result.ensemble
    assert ens is not None and ens.runs == runs, "moscow-1949 should carry uncertainty"

    t0 = time.perf_counter()
    from realpolitik.report import write_report
    from realpolitik.report.assemble import from_ensemble, track_record

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    data = from_ensemble(ens, result, command="benchmarks/bench_report.py")
    t_data = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = write_report(data, tmp)
        t_write = time.perf_counter() - t0
        html_kb = path.stat().st_size / 1024
        pngs = sorted(Path(tmp).glob("*.png"))
        png_kb = sum(p.stat().st_size for p in pngs) / 1024
    t0 = time.perf_counter()
    data.backtest = track_record(result.models, seed=0)
    t_track = time.perf_counter() - t0

    report_s = t_import + t_data + t_write
    models = ", ".join(ens.values)
    print(
        f"scenario moscow-1949, {runs:,} runs, {len(ens.inputs)} uncertain inputs, models: {models}"
    )
    print(f"simulation (not counted):        {t_sim:7.2f} s")
    print(f"import report package:           {t_import:7.2f} s")
    print(f"assemble report data:            {t_data:7.2f} s")
    print(
        f"write report.html + report.md:   {t_write:7.2f} s  ({len(pngs)} charts; "
        f"HTML {html_kb:,.0f} KiB, PNGs {png_kb:,.0f} KiB)"
    )
    print(f"report total:                    {report_s:7.2f} s  (target < 10 s)")
    print(f"track record backtest (separate): {t_track:6.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
