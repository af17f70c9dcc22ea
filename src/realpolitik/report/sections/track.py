"""Section 7, Track record: how well each model did on recorded outcomes.

Reads the backtest JSON: ``backtest["deu"]`` (EU legislative negotiations: MAE on 0-100 with
a 95% bootstrap interval, median error, share within 10 points, and the paired difference from
the ``compromise`` baseline; the calibrated intervals' coverage, interval score, CRPS and PIT
histogram, by ``_calibration``), ``backtest["cases"]`` (the bundled historical cases, error per
issue) and ``backtest["crises"]`` (the crisis models on who gave way and when, drawn by
:mod:`realpolitik.report.sections._track_crises`). In a forecast report only the models that
ran are shown.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from realpolitik.report import _format as f
from realpolitik.report._blocks import Bullets, Heading, Section, Table, Text
from realpolitik.report._charts import chart, colours
from realpolitik.report.data import ReportData
from realpolitik.report.sections import section
from realpolitik.report.sections._calibration import calibration_blocks
from realpolitik.report.sections._track_crises import crises_blocks

__all__ = ["track_section", "verdict"]


def verdict(model: str, vs: dict[str, Any] | None, baseline: str) -> str:
    """Plain words for a paired difference in MAE against the baseline (lower is better)."""
    if model == baseline:
        return "the baseline"
    if not vs or vs.get("diff") is None:
        return "not compared"
    lo, hi = vs.get("ci95") or (None, None)
    d = vs["diff"]
    if lo is not None and lo > 0:
        return f"worse than {baseline} by {f.num(d)} points"
    if hi is not None and hi < 0:
        return f"better than {baseline} by {f.num(-d)} points"
    return f"no clear difference from {baseline} ({f.signed(d)} points)"


def _shown(data: ReportData, models: dict[str, Any]) -> list[str]:
    used = data.issue_models() if data.kind != "backtest" else []
    names = [m for m in models if not used or m in used]
    return names or list(models)


@section("track", "Track record", order=70)
def track_section(data: ReportData) -> Section | None:
    bt = data.backtest or {}
    if not bt.get("deu") and not bt.get("cases") and not bt.get("crises"):
        return None
    sec = Section(id="track", title="Track record")
    if data.kind != "backtest":
        sec.blocks.append(
            Text(
                "How far each model's forecasts have been from what actually happened, so the "
                "reader knows how much to trust each. Errors are on each issue's 0–100 scale "
                "(points); lower is better."
            )
        )
    if bt.get("deu"):
        sec.blocks += _deu(data, bt["deu"], sec)
    if bt.get("cases"):
        sec.blocks += _cases(data, bt["cases"])
    if bt.get("crises"):
        sec.blocks += crises_blocks(data, bt["crises"])
    return sec if sec.blocks else None


def _deu(data: ReportData, deu: dict[str, Any], sec: Section) -> list:
    models = deu.get("models", {})
    names = [m for m in _shown(data, models) if models[m].get("n")]
    if not names:
        return []
    baseline = deu.get("baseline", "compromise")
    best = min(names, key=lambda m: models[m]["mae"])
    blocks: list = [Heading("EU legislative negotiations (DEU)", anchor="track-deu")]
    b = models[best]
    text = (
        f"On {f.plural(int(deu.get('n_issues', b['n'])), 'issue')} of {deu.get('dataset', 'DEU')}, "
        f"the most accurate of these models is **{best}**: mean absolute error "
        f"{f.num(b['mae'])} points (95% interval {f.span(*b['mae_ci95'])}), within 10 points "
        f"of the outcome on {f.pct(b['within10'])} of issues."
    )
    blocks.append(Text(text))
    lines = []
    for m in names:
        s = models[m]
        line = f"{m}: MAE {f.num(s['mae'])} points — {verdict(m, s.get('vs_compromise'), baseline)}"
        if s.get("skipped"):
            line += (
                " (could not forecast "
                + ", ".join(f"{n} issues: {why}" for why, n in s["skipped"].items())
                + ")"
            )
        lines.append(line + ".")
    blocks.append(Bullets(tuple(lines)))
    sec.headlines.append(
        f"**Track record**: on {f.plural(int(deu.get('n_issues', b['n'])), 'EU negotiation')}, "
        f"{best} erred least (MAE {f.num(b['mae'])} points on 0–100)"
        + (f"; {_worst(names, models)}" if len(names) > 1 else "")
        + "."
    )
    rows = []
    for m in names:
        s = models[m]
        vs = s.get("vs_compromise")
        rows.append(
            (
                m,
                f"{s['n']:,}",
                f"{f.num(s['mae'])} ({f.span(*s['mae_ci95'])})",
                f.num(s.get("median_ae")),
                f.pct(s.get("within10")),
                "—" if not vs else f"{f.signed(vs['diff'])} ({f.span(*vs['ci95'])})",
            )
        )
    blocks.append(
        Table(
            header=(
                "Model",
                "Issues",
                "MAE (95% CI)",
                "Median error",
                "Within 10",
                f"Δ MAE vs {baseline} (95% CI)",
            ),
            rows=tuple(rows),
            caption=f"Errors in points on each issue's 0–100 scale. Intervals: "
            f"{deu.get('resamples', 2000):,} bootstrap resamples of proposals, seed "
            f"{deu.get('seed', '—')}. Δ < 0: more accurate than {baseline}.",
            align=("l", "r", "r", "r", "r", "r"),
        )
    )
    mcol = colours(names)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        order = sorted(names, key=lambda m: models[m]["mae"], reverse=True)
        for y, m in enumerate(order):
            s = models[m]
            lo, hi = s["mae_ci95"]
            ax.hlines(y, lo, hi, color=mcol[m], lw=2)
            ax.scatter([s["mae"]], [y], color=mcol[m], s=40, zorder=3)
            ax.annotate(
                f.num(s["mae"]),
                (s["mae"], y),
                xytext=(0, 5),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color=mcol[m],
            )
        ax.set_yticks(range(len(order)), order)
        ax.axvline(
            models[baseline]["mae"] if baseline in models else np.nan, color="#999999", ls=":", lw=1
        )
        ax.set_xlabel("mean absolute error (points on 0–100; lower is better)")
        ax.set_xlim(left=0)
        ax.grid(axis="x")

    blocks.append(
        chart(
            "track-deu",
            f"Mean absolute error of each model on {deu.get('dataset', 'DEU')} with its 95% "
            f"bootstrap interval; dotted: the {baseline} baseline. Source: realpolitik "
            f"backtest deu, seed {deu.get('seed', '—')}.",
            "Mean absolute error per model with intervals",
            draw,
            (6.8, 0.8 + 0.3 * len(names)),
        )
    )
    blocks += calibration_blocks("DEU", models, names, _basis(deu))
    if deu.get("notes"):
        blocks.append(Text("How the backtest read the data:"))
        blocks.append(Bullets(tuple(deu["notes"])))
    return blocks


def _worst(names: list[str], models: dict[str, Any]) -> str:
    worst = max(names, key=lambda m: models[m]["mae"])
    return f"{worst} most (MAE {f.num(models[worst]['mae'])})"


def _cases(data: ReportData, cases: dict[str, Any]) -> list:
    models = cases.get("models", {})
    names = [m for m in _shown(data, models) if models[m].get("n")]
    rows_in = cases.get("cases", [])
    if not names or not rows_in:
        return []
    blocks: list = [Heading("Historical cases", anchor="track-cases")]
    best = min(names, key=lambda m: models[m]["mae_0_100"])
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows_in))
    blocks.append(
        Text(
            f"On {f.plural(len(rows_in), 'issue')} of {f.plural(len(scenarios), 'bundled case')} "
            f"with a recorded outcome ({f.listing(scenarios)}), {best} erred least: "
            f"{f.num(models[best]['mae_0_100'])} points on average on the 0–100 scale."
        )
    )
    rows = []
    for r in rows_in:
        cells = [r["scenario"], r["issue"], f"{f.exact(r['outcome'])} {r.get('unit', '')}".strip()]
        for m in names:
            e = (r.get("errors") or {}).get(m) or {}
            cells.append(
                "—"
                if e.get("error") is None
                else f"{f.signed(e['error'])} ({f.signed(e['error_0_100'])})"
            )
        rows.append(tuple(cells))
    rows.append(("All cases", "MAE on 0–100", "", *(f.num(models[m]["mae_0_100"]) for m in names)))
    blocks.append(
        Table(
            header=("Case", "Issue", "Recorded", *names),
            rows=tuple(rows),
            caption="Error = forecast − recorded outcome, in the issue's unit and (in brackets) "
            "in points on its 0–100 scale.",
            align=("l", "l", "r") + ("r",) * len(names),
        )
    )
    blocks += calibration_blocks("Historical cases", models, names, _basis(cases))
    return blocks


def _basis(bt: dict[str, Any]) -> str | None:
    """What the calibration rests on ("TABLE: calibrated on ..." in the backtest JSON)."""
    text = bt.get("calibration") or ""
    return text.split(": ", 1)[-1] or None
