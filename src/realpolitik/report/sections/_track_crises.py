"""The crisis part of the track record: who gave way first, and when, on the case library.

Reads ``backtest["crises"]``, the JSON of ``realpolitik backtest crises`` (its shape is in
:mod:`realpolitik.analysis.crises_backtest`): per case the recorded party and day and each
crisis model's log score, Brier score, CRPS of the end day on log(1 + day) and whether the
recorded day fell in the 80% interval; per model the means over the test cases with their
bootstrap intervals. In a forecast report only the crisis models that ran are shown.
"""

from __future__ import annotations

from typing import Any

from realpolitik.report import _format as f
from realpolitik.report._blocks import Bullets, Heading, Table, Text
from realpolitik.report.data import ReportData

__all__ = ["crises_blocks"]


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _ran(data: ReportData, models: dict[str, Any]) -> list[str]:
    used = [c.get("model") for c in data.crises] if data.kind != "backtest" else []
    names = [m for m in models if not used or m in used]
    return [m for m in names if models[m].get("n")]


def _cell(s: dict[str, Any] | None) -> str:
    if not s or "skipped" in s:
        return "—"
    log = "—" if s.get("log_score") is None else f.num(s["log_score"], 2)
    brier = "—" if s.get("brier") is None else f.num(s["brier"], 2)
    return f"{log} / {brier} / {f.num(s['crps'], 2)} / {'yes' if s['in80'] else 'no'}"


def _ci(pair: list[float | None], pct: bool = False) -> str:
    lo, hi = pair
    if lo is None or hi is None:
        return "—"
    if pct:
        return f"{f.pct(lo)} to {f.pct(hi)}"
    return f"{f.num(lo, 2)} to {f.num(hi, 2)}"


def crises_blocks(data: ReportData, crises: dict[str, Any]) -> list:
    """Heading, summary text, the means table, the per-case table and the skip reasons."""
    models = crises.get("models", {})
    names = _ran(data, models)
    cases = crises.get("cases", [])
    if not names or not cases:
        return []
    test = [c for c in cases if not c.get("development")]
    best = max(names, key=lambda m: _or(models[m]["log_score"], -1e9))
    b = models[best]
    blocks: list = [Heading("Who gave way, and when (crisis models)", anchor="track-crises")]
    blocks.append(
        Text(
            f"On {f.plural(len(test), 'historical stand-off')} with a recorded end and a "
            f"recorded party that gave way, **{best}** gave the recorded party the highest "
            f"probability on average: mean log score {f.num(b['log_score'], 2)} (95% interval "
            f"{_ci(b['ci']['log_score'])}); the recorded day fell in its 80% "
            f"interval in {f.pct(b['coverage80'])} of the cases. The development cases "
            "(Berlin 1948, Moscow 1949), on which the models were built, are shown apart and "
            "left out of the means."
        )
    )
    rows = []
    for m in names:
        s = models[m]
        ci = s["ci"]
        rows.append(
            (
                m,
                str(s["n"]),
                f"{f.num(s['log_score'], 2)} ({_ci(ci['log_score'])})",
                f"{f.num(s['brier'], 2)} ({_ci(ci['brier'])})",
                f"{f.num(s['crps'], 2)} ({_ci(ci['crps'])})",
                f"{f.pct(s['coverage80'])} ({_ci(ci['coverage80'], pct=True)})",
            )
        )
    blocks.append(
        Table(
            header=("Model", "Cases", "Log score", "Brier", "CRPS", "In 80% interval"),
            rows=tuple(rows),
            caption="Means over the test cases with 95% case-bootstrap intervals. Log score: "
            "ln P(the recorded party gave way first by the horizon), higher is better. Brier: "
            "over {first party, second party, no end by the horizon}, lower is better. CRPS: "
            "of the end day on ln(1 + day), no end placed at the horizon + 1, lower is better.",
            align=("l", "r", "r", "r", "r", "r"),
        )
    )
    per_case = []
    for c in sorted(cases, key=lambda c: bool(c.get("development"))):
        rec = c["recorded"]
        label = c["id"] + (" (development)" if c.get("development") else "")
        per_case.append(
            (
                label,
                f"{rec['conceded']}, day {rec['day']}",
                *(_cell(c["scores"].get(m)) for m in names),
            )
        )
    blocks.append(
        Table(
            header=("Case", "Gave way", *names),
            rows=tuple(per_case),
            caption="Each cell: log score / Brier / CRPS / recorded day in the 80% interval.",
            align=("l", "l") + ("r",) * len(names),
        )
    )
    skipped = sorted(
        {
            f"{m} skipped {c['id']}: {s['skipped']}"
            for c in cases
            for m, s in c["scores"].items()
            if "skipped" in s
        }
    )
    if skipped:
        blocks.append(Bullets(tuple(skipped)))
    return blocks
