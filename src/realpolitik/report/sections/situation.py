"""Section 1, Situation: the scenario's description and sources, its actors and its issues."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from realpolitik.report import _format as f
from realpolitik.report._blocks import Bullets, Heading, Section, Table, Text
from realpolitik.report._charts import chart, colours
from realpolitik.report.data import ReportData
from realpolitik.report.sections import section
from realpolitik.report.sections._time import event_text, short_date, start_of

__all__ = ["situation", "group_colours"]


#: The actors' colour where the scenario declares no groups.
ACTOR = "#5b7896"


def group_colours(data: ReportData) -> dict[str, str]:
    """A colour per actor group (the actor's own id where it has no group); one neutral
    colour for every actor where the scenario declares no groups at all."""
    if not any(a.group for a in data.scenario.actors):
        return {a.id: ACTOR for a in data.scenario.actors}
    groups: list[str] = []
    for a in data.scenario.actors:
        g = a.group or a.id
        if g not in groups:
            groups.append(g)
    return colours(groups)


@section("situation", "Situation", order=10)
def situation(data: ReportData) -> Section | None:
    if data.scenario is None:
        return None
    sc = data.scenario
    sec = Section(id="situation", title="Situation")
    if sc.description:
        sec.blocks.append(Text(" ".join(sc.description.split())))
    if sc.sources:
        sec.blocks.append(Text("Sources:"))
        sec.blocks.append(Bullets(tuple(sc.sources), links=True))
    sec.blocks += _actors(data)
    if sc.issues:
        sec.blocks += _issues(data)
    if data.events:
        sec.blocks += _timeline(data)
    return sec


def _timeline(data: ReportData) -> list:
    start = start_of(data)
    text = "The timeline"
    if start is not None:
        text += f" starts on {short_date(start)} (day 0)"
    text += (
        f" and has {f.plural(len(data.events), 'scheduled event')}, exogenous shocks that "
        "change the scenario's numbers on their day (marked E1, E2, … in the charts):"
    )
    return [
        Heading("Timeline", anchor="timeline"),
        Text(text),
        Bullets(tuple(f"E{k + 1}. {event_text(ev)}" for k, ev in enumerate(data.events))),
    ]


def _actors(data: ReportData) -> list:
    sc = data.scenario
    caps = np.array([a.capability for a in sc.actors], dtype=float)
    order = np.argsort(-caps, kind="stable")
    share = caps / caps.sum()
    top = sc.actors[int(order[0])]
    groups = {a.group for a in sc.actors if a.group}
    text = (
        f"{f.plural(len(sc.actors), 'actor')}"
        + (f" in {f.plural(len(groups), 'group')}" if groups else "")
        + f". The most capable is **{top.name}** (capability {f.exact(top.capability)}, "
        f"{f.pct(share[order[0]])} of the total)."
    )
    if groups:
        per_group = {}
        for a, s in zip(sc.actors, share, strict=True):
            if a.group:
                per_group[a.group] = per_group.get(a.group, 0.0) + s
        text += (
            " Shares of capability by group: "
            + f.listing(
                f"{g} {f.pct(s)}" for g, s in sorted(per_group.items(), key=lambda kv: -kv[1])
            )
            + "."
        )
    blocks: list = [Text(text)]
    gcol = group_colours(data)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        n = len(sc.actors)
        ys = np.arange(n)
        names = [sc.actors[int(k)].name for k in order]
        cols = [gcol[sc.actors[int(k)].group or sc.actors[int(k)].id] for k in order]
        ax.barh(ys, caps[order], color=cols, height=0.7)
        ax.set_yticks(ys, names if n <= 40 else [""] * n)
        ax.invert_yaxis()
        ax.set_xlabel("capability (the scenario's own scale)")
        for y, v in zip(ys, caps[order], strict=True):
            ax.text(v, y, f" {f.exact(v)}", va="center", fontsize=7.5, color="#333333")
        ax.set_xlim(0, caps.max() * 1.12)
        if groups:
            from matplotlib.patches import Patch

            ax.legend(
                handles=[Patch(color=c, label=g) for g, c in gcol.items() if g in groups],
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                title="group",
            )

    height = min(9.0, 0.9 + 0.22 * len(sc.actors))
    blocks.append(
        chart(
            "situation-actors",
            f"Capability of each actor as the scenario gives it, largest first; colours mark "
            f"groups. Source: {data.provenance()}.",
            f"Bar chart of the capabilities of {len(sc.actors)} actors",
            draw,
            (6.8, height),
        )
    )
    return blocks


def _issues(data: ReportData) -> list:
    sc = data.scenario
    rows = []
    for issue in sc.issues:
        anchors = "; ".join(f"{f.exact(k)}: {v}" for k, v in sorted(issue.scale.anchors.items()))
        recorded = sc.recorded(issue.id)
        rows.append(
            (
                issue.name,
                issue.unit,
                f"{f.exact(issue.scale.min)} to {f.exact(issue.scale.max)}",
                anchors or "—",
                f.exact(issue.reference_point) if issue.reference_point is not None else "—",
                f.exact(recorded) if recorded is not None else "—",
            )
        )
    has_outcome = any(sc.recorded(i.id) is not None for i in sc.issues)
    header = ("Issue", "Unit", "Scale", "Labelled points", "Status quo", "Recorded")
    if not has_outcome:
        header, rows = header[:-1], [r[:-1] for r in rows]
    intro = f"{f.plural(len(sc.issues), 'issue')} under negotiation, each on its own scale."
    if has_outcome:
        intro += " The recorded outcome is given for scoring: " + (
            sc.outcome.source.strip() if sc.outcome else ""
        )
        intro = intro.rstrip(".") + "."
    return [
        Text(intro),
        Table(
            header=header,
            rows=tuple(rows),
            caption="The issues, in their own units. Status quo: the reference point "
            "(what holds without agreement).",
            align=("l", "l", "r", "l", "r", "r")[: len(header)],
        ),
    ]
