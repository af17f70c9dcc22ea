"""Section 2, Forecast: per issue, each model's forecast against the actors and the record.

With an ensemble, each model's forecast is its median over the runs, with the 80% and 90%
intervals and the probability of each labelled point of the scale (nearest label, the lower
one on a tie, as :meth:`realpolitik.scenario.Scale.nearest_label`).
"""

from __future__ import annotations

import string
import textwrap

import numpy as np
from matplotlib.figure import Figure

from realpolitik.report import _format as f
from realpolitik.report._blocks import Bullets, Heading, Section, Table, Text
from realpolitik.report._charts import MUTED, RECORDED, chart, colours
from realpolitik.report.data import Distribution, ReportData
from realpolitik.report.sections import section
from realpolitik.report.sections.situation import group_colours

__all__ = ["forecast_section", "issue_prose"]

_MAX_ACTOR_ROWS = 24  # more actors than this share one row of dots


@section("forecast", "Forecast", order=20)
def forecast_section(data: ReportData) -> Section | None:
    if data.scenario is None:
        return None
    sc = data.scenario
    issues = [i for i in sc.issues if data.forecasts.get(i.id)]
    if not issues:
        return None
    models = data.issue_models()
    sec = Section(id="forecast", title="Forecast")
    runs = (
        f" Each model ran {f.plural(data.runs, 'time')} on inputs drawn from the scenario's "
        "uncertainty; a forecast is the median over runs, with its 80% and 90% intervals."
        if data.ensemble
        else ""
    )
    sec.blocks.append(
        Text(
            f"Where each issue lands, by {f.plural(len(models), 'model')} "
            f"({f.listing(models)}).{runs}"
        )
    )
    sec.blocks.append(_overview(data, issues, models))
    mcol = colours(models)
    for issue in issues:
        per = data.forecasts[issue.id]
        sec.blocks.append(Heading(f"{issue.name} ({issue.unit})", anchor=f"issue-{issue.id}"))
        prose, headline = issue_prose(data, issue, per)
        sec.blocks.append(Text(prose))
        sec.headlines.append(headline)
        if data.ensemble:
            items = [_ensemble_line(issue, m, d) for m, d in per.items() if d.value is not None]
            if items:
                sec.blocks.append(Bullets(tuple(items)))
        sec.blocks.append(_chart(data, issue, per, mcol))
        if data.ensemble and issue.scale.anchors:
            sec.blocks.append(_label_table(data, issue, per))
    return sec


def _overview(data: ReportData, issues, models) -> Table:
    recorded = any(data.scenario.recorded(i.id) is not None for i in issues)
    rows = []
    for issue in issues:
        per = data.forecasts[issue.id]
        cells = [issue.name, issue.unit]
        for m in models:
            d = per.get(m)
            if d is None or d.value is None:
                cells.append("—")
                continue
            cell = f.num(d.value)
            iv = d.interval(80)
            if data.ensemble and iv is not None:
                cell += f" ({f.num(iv[0])}–{f.num(iv[1])})"
            cells.append(cell)
        if recorded:
            cells.append(f.exact(data.scenario.recorded(issue.id)))
        rows.append(tuple(cells))
    header = ("Issue", "Unit", *models) + (("Recorded",) if recorded else ())
    caption = "Each model's forecast in the issue's own unit"
    caption += ", median over runs with the 80% interval in brackets" if data.ensemble else ""
    caption += "; recorded: the actual outcome." if recorded else "."
    return Table(
        header=header,
        rows=tuple(rows),
        caption=caption,
        align=("l", "l") + ("r",) * (len(header) - 2),
    )


def _label(issue, value: float) -> str | None:
    return issue.scale.nearest_label(value)


def issue_prose(data: ReportData, issue, per: dict[str, Distribution]) -> tuple[str, str]:
    """The paragraph under an issue's heading and its one-line headline for the summary."""
    vals = {m: d.value for m, d in per.items() if d.value is not None}
    skipped = {m: d.skipped for m, d in per.items() if d.value is None}
    unit = issue.unit
    parts: list[str] = []
    headline = f"**{issue.name}**: "
    if not vals:
        return "No model forecast this issue.", headline + "no forecast."
    if issue.scale.anchors:
        groups: dict[str, list[str]] = {}
        for m, v in vals.items():
            groups.setdefault(_label(issue, v) or "", []).append(m)
        ranked = sorted(groups.items(), key=lambda kv: -len(kv[1]))
        n = len(vals)
        if len(ranked) == 1:
            parts.append(f"All {n} models point to “{ranked[0][0]}”.")
            headline += f"all {n} models{_medians(data)} point to “{ranked[0][0]}”"
        else:
            lead_label, lead_models = ranked[0]
            if len(lead_models) > 1 and len(lead_models) > len(ranked[1][1]):
                parts.append(
                    f"{len(lead_models)} of {n} models ({f.listing(lead_models)}) point to "
                    f"“{lead_label}”; "
                    + "; ".join(f"{f.listing(ms)} to “{lab}”" for lab, ms in ranked[1:])
                    + "."
                )
                headline += (
                    f"{len(lead_models)} of {n} models{_medians(data)} point to “{lead_label}”"
                )
            else:
                parts.append(
                    "The models disagree: "
                    + "; ".join(
                        f"{f.listing(ms)} point{'s' if len(ms) == 1 else ''} to “{lab}”"
                        for lab, ms in ranked
                    )
                    + "."
                )
                headline += (
                    "the models disagree ("
                    + "; ".join(f"{f.listing(ms)}: “{lab}”" for lab, ms in ranked)
                    + ")"
                )
    lo_m = min(vals, key=vals.get)
    hi_m = max(vals, key=vals.get)
    if len(vals) > 1 and vals[lo_m] != vals[hi_m]:
        parts.append(
            f"Forecasts run from {f.num(vals[lo_m])} ({lo_m}) to "
            f"{f.with_unit(vals[hi_m], unit)} ({hi_m})."
        )
    elif len(vals) == 1:
        ((m, v),) = vals.items()
        parts.append(f"{m} forecasts {f.with_unit(v, unit)}.")
    else:
        parts.append(f"Every model forecasts {f.with_unit(vals[lo_m], unit)}.")
    if not issue.scale.anchors:
        headline += f"forecasts {f.span(vals[lo_m], vals[hi_m], unit)}"
    recorded = data.scenario.recorded(issue.id)
    if recorded is not None:
        errs = {m: v - recorded for m, v in vals.items()}
        best = min(errs, key=lambda m: abs(errs[m]))
        worst = max(errs, key=lambda m: abs(errs[m]))
        lab = _label(issue, recorded)
        text = f"Recorded: **{f.with_unit(recorded, unit, as_given=True)}**" + (
            f" (“{lab}”)" if lab else ""
        )
        text += f". Closest: {best}, off by {f.with_unit(abs(errs[best]), unit)}"
        if worst != best:
            text += f"; furthest: {worst} ({f.signed(errs[worst])})"
        parts.append(text + ".")
        headline += (
            f". Recorded: “{lab}”."
            if lab
            else f". Recorded: {f.with_unit(recorded, unit, as_given=True)}."
        )
    else:
        headline += "."
    for m, why in skipped.items():
        parts.append(f"{m} gave no forecast here ({why or 'skipped'}).")
    return " ".join(parts), headline


def _medians(data: ReportData) -> str:
    return " (medians over the runs)" if data.ensemble else ""


def _ensemble_line(issue, model: str, d: Distribution) -> str:
    text = f"{model}: median **{f.with_unit(d.value, issue.unit)}**"
    for level in (80, 90):
        iv = d.interval(level)
        if iv is not None:
            text += f", {level}% interval {f.span(iv[0], iv[1])}"
    if d.labels:
        lab, p = max(d.labels.items(), key=lambda kv: kv[1])
        text += f"; most likely “{lab}” ({f.pct(p)})"
    return text + "."


def _label_table(data: ReportData, issue, per: dict[str, Distribution]) -> Table:
    models = [m for m, d in per.items() if d.labels]
    labels = [issue.scale.anchors[k] for k in sorted(issue.scale.anchors)]
    points = sorted(issue.scale.anchors)
    rows = tuple(
        (f"{lab} ({f.exact(pt)})", *(f.pct(per[m].labels.get(lab, 0.0)) for m in models))
        for pt, lab in zip(points, labels, strict=True)
    )
    return Table(
        header=("Labelled point", *models),
        rows=rows,
        caption=f"{issue.name}: probability that the forecast lands nearest each labelled "
        f"point, over {f.plural(data.runs, 'run')} ({data.provenance()}).",
        align=("l",) + ("r",) * len(models),
    )


def _chart(data: ReportData, issue, per: dict[str, Distribution], mcol: dict[str, str]):
    sc = data.scenario
    gcol = group_colours(data)
    actors = [a for a in sc.actors if a.id in issue.positions]
    collapsed = len(actors) > _MAX_ACTOR_ROWS
    models = [m for m, d in per.items() if d.value is not None]
    n_actor_rows = 1 if collapsed else len(actors)
    recorded = sc.recorded(issue.id)
    anchors = sorted(issue.scale.anchors.items())
    letters = string.ascii_uppercase

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        lo, hi = issue.scale.min, issue.scale.max
        pad = 0.03 * (hi - lo)
        ax.set_xlim(lo - pad, hi + pad)
        ylabels: list[str] = []
        y = 0
        if collapsed:
            xs = np.array([issue.positions[a.id] for a in actors])
            ss = np.array([issue.saliences.get(a.id, 0.0) for a in actors])
            ax.scatter(
                xs,
                np.zeros_like(xs),
                s=10 + 60 * ss,
                alpha=0.5,
                c=[gcol[a.group or a.id] for a in actors],
                linewidths=0,
            )
            ylabels.append(f"{len(actors)} actors")
            y = 1
        else:
            for a in actors:
                ax.axhline(y, color="#eeeeee", lw=0.6, zorder=0)
                ax.scatter(
                    [issue.positions[a.id]],
                    [y],
                    s=14 + 80 * issue.saliences.get(a.id, 0),
                    color=gcol[a.group or a.id],
                    zorder=3,
                    linewidths=0,
                )
                ylabels.append(a.name)
                y += 1
        if models:
            ax.axhline(y - 0.5 + 0.25, color="#bbbbbb", lw=0.8)
            y += 0.5
        model_rows = []
        for m in models:
            d = per[m]
            c = mcol.get(m, "#333333")
            iv90, iv80 = d.interval(90), d.interval(80)
            if iv90:
                ax.hlines(y, *iv90, color=c, lw=1.2, alpha=0.9, zorder=2)
            if iv80:
                ax.hlines(y, *iv80, color=c, lw=5, alpha=0.35, zorder=2)
            ax.scatter([d.value], [y], marker="D", s=34, color=c, zorder=4, linewidths=0)
            ax.annotate(
                f.num(d.value),
                (d.value, y),
                xytext=(0, 5.5),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                color=c,
            )
            ylabels.append(m)
            model_rows.append(y)
            y += 1
        ticks = list(range(n_actor_rows)) + model_rows
        ax.set_yticks(ticks, ylabels)
        for lab in ax.get_yticklabels()[n_actor_rows:]:
            lab.set_fontweight("bold")
            lab.set_color(mcol.get(lab.get_text(), "#222222"))
        ax.set_ylim(y - 0.4, -0.8)
        if issue.reference_point is not None:
            ax.axvline(issue.reference_point, color=MUTED, ls=":", lw=1.1, zorder=1)
        if recorded is not None:
            ax.axvline(recorded, color=RECORDED, ls="--", lw=1.4, zorder=1)
        ax.set_xlabel(f"{issue.name} ({issue.unit})")
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        if anchors:
            top = ax.secondary_xaxis("top")
            top.set_xticks([k for k, _ in anchors], [letters[i] for i in range(len(anchors))])
            top.tick_params(length=3, labelsize=8, labelcolor="#555555")
            for k, _ in anchors:
                ax.axvline(k, color="#f0f0f0", lw=3, zorder=0)
        key = []
        if anchors:
            key.append(
                "   ".join(
                    f"{letters[i]} = {textwrap.shorten(lab, 64)} ({f.exact(k)})"
                    for i, (k, lab) in enumerate(anchors)
                )
            )
        legend = []
        if recorded is not None:
            legend.append("green dashed = recorded outcome")
        if issue.reference_point is not None:
            legend.append("grey dotted = status quo")
        legend.append("dot area ∝ salience")
        if data.ensemble:
            legend.append("bars: 80% (thick) and 90% (thin) intervals")
        key.append("; ".join(legend))
        fig.text(
            0.0,
            0.0,
            "\n".join(textwrap.fill(k, 140) for k in key),
            fontsize=7,
            color="#444444",
            ha="left",
            va="top",
            transform=fig.transFigure,
        )

    rows = n_actor_rows + len(models)
    what = (
        "each model's median and intervals over the runs"
        if data.ensemble
        else "each model's forecast"
    )
    caption = (
        f"{issue.name}: the actors' positions (dots, area ∝ salience"
        + (", colour = group" if any(a.group for a in sc.actors) else "")
        + f") and "
        f"{what} (diamonds) on the issue's scale in {issue.unit}"
        + ("; the green dashed line is the recorded outcome" if recorded is not None else "")
        + f". Source: {data.provenance(models)}."
    )
    return chart(
        f"forecast-{issue.id}",
        caption,
        f"Forecasts of {issue.name} by {', '.join(models)} against the actors' positions",
        draw,
        (6.8, 1.15 + 0.2 * rows),
    )
