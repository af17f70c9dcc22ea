"""Section 3, Path: the dynamic issue models' rounds (eum, smp), with dates and events.

Reads the ``traces`` of the forecast JSON: ``positions[round][actor][issue]`` and
``forecast_path[round][issue]`` in issue units, and ``dates`` (one per round) where the scenario
has a timeline. Events of the timeline are marked where they fall within the rounds.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from realpolitik.report import _format as f
from realpolitik.report._blocks import Heading, Section, Table, Text
from realpolitik.report._charts import RECORDED, chart
from realpolitik.report.data import ReportData
from realpolitik.report.sections import section
from realpolitik.report.sections._time import event_lines, parse_date, short_date
from realpolitik.report.sections.situation import group_colours

__all__ = ["path_section"]


def _issue_traces(data: ReportData) -> dict[str, dict]:
    return {
        m: t
        for m, t in data.traces.items()
        if isinstance(t, dict) and "positions" in t and "forecast_path" in t
    }


@section("path", "Path", order=30)
def path_section(data: ReportData) -> Section | None:
    if data.scenario is None:
        return None
    traces = _issue_traces(data)
    if not traces:
        return None
    sec = Section(id="path", title="Path")
    sec.blocks.append(
        Text(
            "How the dynamic models get there: each actor's position round by round, and the "
            "model's forecast at each round (black)."
            + (
                " Dashed lines mark the timeline's events (E1, E2, …; see Situation)."
                if data.events
                else ""
            )
        )
    )
    for model, tr in traces.items():
        sec.blocks += _model_path(data, model, tr)
    return sec


def _arr(nested) -> np.ndarray:
    return (
        np.array(
            [[[np.nan if v is None else v for v in row] for row in rnd] for rnd in nested],
            dtype=float,
        )
        if nested and isinstance(nested[0][0], list)
        else np.array([[np.nan if v is None else v for v in rnd] for rnd in nested], dtype=float)
    )


def _model_path(data: ReportData, model: str, tr: dict) -> list:
    sc = data.scenario
    pos = _arr(tr["positions"])  # [round, actor, issue]
    path = _arr(tr["forecast_path"])  # [round, issue]
    actors = list(tr.get("actors") or sc.actor_ids)
    issue_ids = list(tr.get("issues") or sc.issue_ids)
    n_rounds = pos.shape[0] - 1
    dates = [parse_date(d) for d in (tr.get("dates") or [])]
    step = float(tr.get("round_length") or 1.0)
    days = np.arange(pos.shape[0]) * step
    names = {a.id: a.name for a in sc.actors}
    groups = {a.id: a.group or a.id for a in sc.actors}
    gcol = group_colours(data)
    blocks: list = [Heading(f"{model}: {f.plural(n_rounds, 'round')}", anchor=f"path-{model}")]
    when = ""
    if dates and dates[0] and dates[-1]:
        when = f", from {short_date(dates[0])} to {short_date(dates[-1])}"
    intro = (
        f"{data.options_text(model)} ran {f.plural(n_rounds, 'round')}"
        f" (one round = {f.num(step)} {'day' if step == 1 else 'days'}){when}."
    )
    inside = [ev for ev in data.events if ev.get("day") is not None and ev["day"] <= days[-1]]
    if data.events and not inside:
        first = min(data.events, key=lambda e: e.get("day", math.inf))
        intro += (
            f" No event of the timeline falls within its rounds: the first is on "
            f"{f.day(first.get('day'))}, after the model has stopped."
        )
    if data.ensemble:
        intro += (
            " The path is the single run on the scenario's own numbers; the ensemble's runs "
            "are summarised under Forecast."
        )
    blocks.append(Text(intro))
    rows = []
    for j, iid in enumerate(issue_ids):
        issue = sc.issue(iid)
        moved = pos[-1, :, j] - pos[0, :, j]
        k = int(np.nanargmax(np.abs(np.where(np.isfinite(moved), moved, 0.0))))
        mover = (
            f"{names.get(actors[k], actors[k])} ({f.num(pos[0, k, j])} → {f.num(pos[-1, k, j])})"
            if np.isfinite(moved[k]) and moved[k] != 0
            else "nobody moved"
        )
        rec = sc.recorded(iid)
        rows.append(
            (
                issue.name,
                issue.unit,
                f.num(path[0, j]),
                f.num(path[-1, j]),
                f.exact(rec) if rec is not None else "—",
                mover,
            )
        )
    blocks.append(
        Table(
            header=("Issue", "Unit", "Round 0", f"Round {n_rounds}", "Recorded", "Moved most"),
            rows=tuple(rows),
            caption=f"{model}: the forecast at the start and at the end of its rounds, and the "
            "actor whose position changed most.",
            align=("l", "l", "r", "r", "r", "l"),
        )
    )
    ncols = 2 if len(issue_ids) > 1 else 1
    nrows = math.ceil(len(issue_ids) / ncols)

    def draw(fig: Figure) -> None:
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
        for j, iid in enumerate(issue_ids):
            ax = axes[j // ncols][j % ncols]
            issue = sc.issue(iid)
            for k, a in enumerate(actors):
                ys = pos[:, k, j]
                if np.all(np.isnan(ys)):
                    continue
                ax.plot(
                    days,
                    ys,
                    color=gcol.get(groups.get(a, a), "#999999"),
                    lw=0.9,
                    alpha=0.55,
                    drawstyle="steps-post",
                )
            ax.plot(days, path[:, j], color="#111111", lw=2.2, drawstyle="steps-post")
            rec = sc.recorded(iid)
            if rec is not None:
                ax.axhline(rec, color=RECORDED, ls="--", lw=1.2)
            event_lines(ax, data.events, days[0], days[-1])
            ax.set_ylim(
                issue.scale.min - 0.04 * (issue.scale.max - issue.scale.min),
                issue.scale.max + 0.04 * (issue.scale.max - issue.scale.min),
            )
            ax.set_title(issue.name, loc="left", fontsize=8.5)
            ax.set_ylabel(issue.unit, fontsize=7.5)
            ax.grid(axis="y")
        for j in range(len(issue_ids), nrows * ncols):
            axes[j // ncols][j % ncols].set_visible(False)
        for col in range(ncols):
            ax = axes[-1][col] if axes[-1][col].get_visible() else axes[-2][col]
            ax.set_xlabel("day" if dates else "round × round length (days)")
            ax.xaxis.set_tick_params(labelbottom=True)
        from matplotlib.lines import Line2D

        if any(x.group for x in sc.actors):
            seen = list(dict.fromkeys(groups[a] for a in actors if a in groups))
            handles = [Line2D([], [], color=gcol[g], lw=1.2, label=g) for g in seen if g in gcol]
        else:
            handles = [Line2D([], [], color=next(iter(gcol.values())), lw=1.2, label="actors")]
        handles.append(Line2D([], [], color="#111111", lw=2.2, label=f"{model} forecast"))
        if sc.outcome is not None:
            handles.append(Line2D([], [], color=RECORDED, ls="--", lw=1.2, label="recorded"))
        fig.legend(handles=handles, loc="outside lower center", ncol=min(6, len(handles)))

    blocks.append(
        chart(
            f"path-{model}",
            f"{model}: each actor's position per round (thin lines"
            + (", colour = group" if any(a.group for a in sc.actors) else "")
            + ") and the "
            "model's forecast (black)"
            + ("; green dashed: the recorded outcome" if sc.outcome is not None else "")
            + f". Source: {data.provenance([model])}.",
            f"Round-by-round positions and forecast of {model} on {len(issue_ids)} issues",
            draw,
            (6.8, 0.5 + 1.9 * nrows),
        )
    )
    return blocks
