"""The analyst's report: a self-contained HTML file with a Markdown twin.

``write_report(from_forecast(result, seed=...), "out/")`` writes ``out/report.html`` (inline
CSS, charts as inline SVG, nothing loaded from outside) and ``out/report.md`` with the charts
as PNG files beside it. The sections (Situation, Forecast, Path, Who gives way, Logistics,
Drivers, Track record, Method) are drawn only where their data exists; new sections and
views of new crisis or logistics models plug in through :mod:`realpolitik.report.sections`.

Needs the ``report`` extra (jinja2, matplotlib).
"""

from __future__ import annotations

from realpolitik.report.data import Distribution, ModelInfo, ReportData, from_forecast
from realpolitik.report.render import Rendered, render, write_report

__all__ = [
    "Distribution",
    "ModelInfo",
    "ReportData",
    "Rendered",
    "from_forecast",
    "render",
    "write_report",
]
