"""The report of a stored run, from its stored results table (nothing is run again).

The Parquet table carries the scenario text and the run's provenance in its metadata
(:mod:`realpolitik.ensemble.table`), which :func:`realpolitik.report.assemble.from_table`
turns into the report's data, as ``realpolitik report RESULTS.parquet`` does.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from realpolitik.errors import InputError

__all__ = ["report_data", "report_html", "write_run_report"]


def report_data(store: Any, run_id: int, *, command: str | None = None) -> Any:
    """The :class:`~realpolitik.report.ReportData` of finished run ``run_id``."""
    row = store.require(run_id)
    blob = store.parquet(run_id)
    if row["status"] != "done" or blob is None:
        raise InputError(
            field="ID",
            value=run_id,
            problem=f"run {run_id} is {row['effective']}: it has no results yet",
            expected="a finished run (resume an interrupted one with `realpolitik runs resume`)",
        )
    try:
        import pyarrow.parquet as pq

        from realpolitik.report.assemble import from_table
    except ImportError as exc:
        raise InputError(
            field="report",
            problem=f"the report needs the 'report' and 'ensemble' extras ({exc.name} is missing)",
            expected="pip install 'realpolitik[report,ensemble]'",
        ) from None
    import json

    from realpolitik.ensemble.table import METADATA_KEY

    table = pq.read_table(io.BytesIO(blob))
    meta = json.loads((table.schema.metadata or {}).get(METADATA_KEY, b"{}"))
    return from_table(
        table,
        meta,
        command=command or f"realpolitik runs report {run_id}",
        source_file=f"run {run_id} ({row['scenario_name']})",
    )


def report_html(store: Any, run_id: int) -> str:
    """The self-contained HTML report of a finished run."""
    from realpolitik.report import render

    return render(report_data(store, run_id)).html


def write_run_report(store: Any, run_id: int, directory: Path) -> Path:
    """Write report.html and report.md (with PNG charts) of a finished run; report.html."""
    from realpolitik.report import write_report

    return write_report(report_data(store, run_id), directory)
