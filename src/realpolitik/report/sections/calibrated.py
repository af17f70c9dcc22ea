"""Section 2b, Calibrated intervals: each issue model's 80% interval with its own error.

Reads the forecast JSON's ``calibration`` block (realpolitik.analysis.predictive): the basis
of the calibration, the calibrated 80% interval and likeliest label of each model on each
issue, and the models without calibrated intervals (crisis and logistics models: no track
record). Absent (``--intervals inputs``, or a report from a results file): no section.
"""

from __future__ import annotations

from typing import Any

from realpolitik.report import _format as f
from realpolitik.report._blocks import Bullets, Section, Table, Text
from realpolitik.report.data import ReportData
from realpolitik.report.sections import section

__all__ = ["calibrated_section"]


@section("calibrated", "Calibrated intervals", order=25)
def calibrated_section(data: ReportData) -> Section | None:
    info: dict[str, Any] = data.extra.get("calibration") or {}
    if info.get("intervals") != "calibrated" or not info.get("intervals80"):
        return None
    sec = Section(id="calibrated", title="Calibrated intervals")
    sec.blocks.append(
        Text(
            "Each model's 80% interval below adds the model's own error on recorded outcomes "
            "to the spread of its runs, so that about 80% of such intervals should hold the "
            f"outcome. Calibration: {info.get('basis', '')}; read these intervals with that "
            "in mind. (The forecast charts' intervals, where an ensemble ran, are the spread "
            "of the runs alone.)"
        )
    )
    for issue_id, per in info["intervals80"].items():
        if not per or data.scenario is None:
            continue
        issue = data.scenario.issue(issue_id)
        rows = []
        for model, (lo, hi, label, p) in per.items():
            rows.append(
                (
                    model,
                    f"{f.num(lo)} – {f.num(hi)}",
                    "—" if label is None else f"{label} ({f.pct(p)})",
                )
            )
        sec.blocks.append(
            Table(
                header=("Model", f"80% interval ({issue.unit})", "Likeliest label"),
                rows=tuple(rows),
                caption=f"{issue.name}: calibrated 80% intervals ({info.get('table', '')}).",
                align=("l", "r", "l"),
            )
        )
    missing = info.get("not_calibrated") or {}
    if missing:
        sec.blocks.append(Bullets(tuple(f"{m}: {why}." for m, why in missing.items())))
    sec.headlines.append(
        "**Calibrated intervals**: the 80% intervals include each model's own error; "
        f"{info.get('basis', '')}."
    )
    return sec
