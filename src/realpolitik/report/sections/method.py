"""Section 8, Method: enough to reproduce the report (models, options, seed, runs, versions)."""

from __future__ import annotations

import json

from realpolitik.report import _format as f
from realpolitik.report._blocks import Bullets, Section, Table, Text
from realpolitik.report.data import ReportData
from realpolitik.report.sections import section

__all__ = ["method"]


@section("method", "Method", order=80)
def method(data: ReportData) -> Section:
    sec = Section(id="method", title="Method")
    if data.models:
        sec.blocks.append(
            Text(
                f"{f.plural(len(data.models), 'model')} ran. Each is the published model named "
                "in its source, with the options listed (defaults unless marked *)."
            )
        )
        rows = []
        for m in data.models:
            opts = ", ".join(
                f"{k}={_show(v)}" + ("*" if k in m.changed else "") for k, v in m.options.items()
            )
            rows.append(
                (
                    m.name,
                    m.kind + (", dynamic" if m.dynamic else ""),
                    m.summary,
                    opts or "—",
                    m.citation,
                )
            )
        sec.blocks.append(
            Table(
                header=("Model", "Kind", "What it does", "Options", "Source"),
                rows=tuple(rows),
                caption="The models as they ran; * marks an option changed from its default.",
            )
        )
    facts = []
    if data.scenario is not None:
        facts += [
            f"Scenario: {data.scenario.name}"
            + (f" ({data.source_file})" if data.source_file else ""),
            f"Scenario SHA-256 ("
            f"{'file text' if data.scenario_text is not None else 'canonical JSON'}): {data.hash}",
        ]
    elif data.source_file:
        facts.append(f"Data: {data.source_file}")
    if data.kind != "backtest":
        facts.append(
            f"Runs: {data.runs:,}"
            + (" (a single run: no uncertainty drawn)" if data.runs <= 1 else "")
        )
    facts.append(f"Seed: {data.seed}" if data.seed is not None else "Seed: none given")
    if data.extra.get("uncertain_inputs"):
        facts.append(
            f"Uncertain inputs drawn in each run: {data.extra['uncertain_inputs']:,}"
            + (f" (executor: {data.extra['executor']})" if data.extra.get("executor") else "")
        )
    if data.extra.get("airlift_draws"):
        k = data.extra["airlift_draws"]
        facts.append(
            f"Airlift draws: {k:,}, reused by the crisis runs (run i uses draw i mod {k}); "
            "valid only because the crisis cannot change the airlift (docs/specs/coupling.md)"
        )
    if data.command:
        facts.append(f"Command: {data.command}")
    facts.append("Software: " + ", ".join(f"{k} {v}" for k, v in data.software().items()))
    facts.append(f"Written: {data.created:%Y-%m-%d %H:%M} UTC")
    sec.blocks.append(Bullets(tuple(facts)))
    return sec


def _show(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
