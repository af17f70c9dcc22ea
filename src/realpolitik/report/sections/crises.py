"""Section 4, Who gives way and when: the crisis models (attrition, rubinstein, ...).

Each ``crises`` entry of the forecast is shown by the view registered for its
model with :func:`~realpolitik.report.sections.crisis_view`; a model without one is shown by
:func:`generic_view` under its registry summary, so new crisis models appear unedited.

The attrition view draws, day by day, the probability that each side has conceded first
(its ``trace``: ``conceded_by``), from the equilibrium's exact distribution or, in an
ensemble, from the runs' sampled ends.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from realpolitik.models import get
from realpolitik.models._registry import UnknownModelError
from realpolitik.report import _format as f
from realpolitik.report._blocks import Block, Heading, Section, Table, Text
from realpolitik.report._charts import RECORDED, chart, colours
from realpolitik.report.data import ReportData
from realpolitik.report.sections import crisis_view, crisis_views, section
from realpolitik.report.sections._time import day_label, event_lines, start_of

__all__ = ["crises_section", "attrition_view", "rubinstein_view", "generic_view"]


def _name(data: ReportData, actor: str) -> str:
    for a in data.scenario.actors:
        if a.id == actor:
            return a.name.split(" (")[0]
    return actor


def _issue_name(data: ReportData, issue_id: str | None) -> str:
    try:
        return data.scenario.issue(issue_id).name if issue_id else ""
    except KeyError:
        return issue_id or ""


@section("crises", "Who gives way and when", order=40)
def crises_section(data: ReportData) -> Section | None:
    if data.scenario is None:
        return None
    if not data.crises:
        return None
    views = crisis_views()
    sec = Section(id="crises", title="Who gives way and when")
    for k, entry in enumerate(data.crises):
        view = views.get(entry.get("model", ""), generic_view)
        blocks, headlines = view(data, entry, k)
        sec.blocks += blocks
        sec.headlines += headlines
    return sec


def _trace(data: ReportData, entry: dict[str, Any]) -> dict[str, Any] | None:
    tr = entry.get("trace") or data.traces.get(entry.get("model", ""))
    return tr if isinstance(tr, dict) and "conceded_by" in tr else None


def _samples_curve(samples: dict[str, np.ndarray], parties: list[str], days: np.ndarray):
    """From per-run ends (``who``, ``day``): P(party conceded first by day t)."""
    who = np.asarray(samples["who"], dtype=object)
    end = np.asarray(samples["day"], dtype=float)
    n = max(len(end), 1)
    return {
        p: np.array([np.count_nonzero((who == p) & (end <= t)) / n for t in days]) for p in parties
    }


def _ensemble_sentence(data: ReportData, samples, parties, start) -> str:
    """The ensemble's own answer: who concedes first over the runs, and when."""
    who = np.asarray(samples["who"], dtype=object)
    day = np.asarray(samples["day"], dtype=float)
    n = day.size
    a, b = parties
    pa, pb = float(np.mean(who == a)), float(np.mean(who == b))
    first, p = (a, pa) if pa >= pb else (b, pb)
    text = (
        f"Over the ensemble's {f.plural(n, 'run')}, which also draw the uncertain inputs, "
        f"{_name(data, first)} concedes first in {f.pct(p)}"
    )
    with np.errstate(invalid="ignore"):
        q = np.percentile(day, [50, 10, 90])
    if np.isfinite(q[0]):
        text += f"; median end {day_label(q[0], start)}"
        if np.isfinite(q[2]):
            text += f" (80% interval {f.span(q[1], q[2], 'days', 0)})"
    return text + "."


@crisis_view("attrition")
def attrition_view(data: ReportData, entry: dict[str, Any], k: int):
    a, b = entry["parties"]
    na, nb = _name(data, a), _name(data, b)
    start = start_of(data)
    p_first = entry.get("p_first", {})
    end = entry.get("end_day") or {}
    rec = entry.get("recorded")
    samples = data.crisis_samples.get("attrition")
    issue = _issue_name(data, entry.get("issue"))
    blocks: list[Block] = [
        Heading(
            f"War of attrition: {na} against {nb}" + (f" ({issue})" if issue else ""),
            anchor=f"crisis-{k}-attrition",
        )
    ]
    first = max((a, b), key=lambda p: p_first.get(p, 0.0))
    other = b if first == a else a
    text = ""
    if entry.get("conditional_on"):
        text += f"**Conditional on {entry['conditional_on']}.** "
    text += (
        f"**{_name(data, first)} concedes first in {f.pct(p_first.get(first))}** of outcomes, "
        f"{_name(data, other)} in {f.pct(p_first.get(other))}"
    )
    if entry.get("p_impasse"):
        text += f"; neither ever concedes (both committed) in {f.pct(entry['p_impasse'])}"
    text += "."
    if end.get("median") is not None:
        text += (
            f" The contest ends by {day_label(end['median'], start)} in half of the outcomes"
            f" (80% interval {f.span(end.get('p10'), end.get('p90'), 'days', 0)})."
        )
    if entry.get("p_immediate") is not None:
        text += f" The weaker side concedes at once in {f.pct(entry['p_immediate'])}."
    horizon = entry.get("horizon")
    if entry.get("p_no_agreement_by_horizon") is not None and horizon is not None:
        text += (
            f" By {day_label(horizon, start)} there is still no agreement in "
            f"{f.pct(entry['p_no_agreement_by_horizon'])}."
        )
    if rec:
        text += (
            f" Recorded: **{_name(data, rec['conceded'])} conceded on "
            f"{day_label(rec['day'], start)}**"
        )
        if entry.get("p_recorded") is not None:
            text += (
                f"; the model gave {f.pct(entry['p_recorded'])} to "
                f"{_name(data, rec['conceded'])} conceding first by then"
            )
        text += "."
    if samples is not None and len(samples["day"]) and not entry.get("from_runs"):
        text += " " + _ensemble_sentence(data, samples, (a, b), start)
    blocks.append(Text(text))
    share = entry.get("expected_share")
    if share:
        blocks.append(
            Text(
                f"Expected shares of the stake: {na} {f.pct(share.get(a))}, {nb} "
                f"{f.pct(share.get(b))} (demands as in the scenario's attrition block)."
            )
        )
    if samples is not None and len(samples["day"]):  # an ensemble: its runs answer
        who, ends = np.asarray(samples["who"], dtype=object), np.asarray(samples["day"], float)
        lead = max((a, b), key=lambda p: float(np.mean(who == p)))
        headline = (
            f"**Who gives way**: {_name(data, lead)} concedes first in "
            f"{f.pct(float(np.mean(who == lead)))} of {f.plural(ends.size, 'run')}"
        )
        with np.errstate(invalid="ignore"):
            mid = float(np.percentile(ends, 50))
        if np.isfinite(mid):
            headline += f"; median end {day_label(mid, start)}"
    else:
        headline = (
            f"**Who gives way**: {_name(data, first)} concedes first in "
            f"{f.pct(p_first.get(first))} of outcomes"
        )
        if end.get("median") is not None:
            headline += f"; median end {day_label(end['median'], start)}"
    if rec:
        headline += f". Recorded: {_name(data, rec['conceded'])}, {f.day(rec['day'])}"
    headline += "."

    tr = _trace(data, entry)
    if tr is not None or samples is not None:
        if samples is not None:
            hi = float(
                horizon or np.nanmax(np.where(np.isfinite(samples["day"]), samples["day"], np.nan))
            )
            days = np.arange(0.0, np.floor(hi) + 1.0)
            curves = _samples_curve(samples, [a, b], days)
            basis = f"{f.plural(len(samples['day']), 'sampled run')} of the ensemble"
        elif tr is not None:
            days = np.asarray(tr["days"], dtype=float)
            curves = {p: np.asarray(tr["conceded_by"][p], dtype=float) for p in (a, b)}
            basis = "the equilibrium's exact distribution"
        pcol = colours([a, b])

        def draw(fig: Figure) -> None:
            ax = fig.add_subplot()
            ax.stackplot(
                days,
                curves[a],
                curves[b],
                colors=[pcol[a], pcol[b]],
                alpha=0.75,
                labels=[f"{na} conceded first", f"{nb} conceded first"],
                step="post",
            )
            ax.set_ylim(0, 1)
            ax.set_xlim(days[0], days[-1])
            ax.set_ylabel("probability")
            ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
            ax.grid(axis="y")
            if rec and days[0] <= rec["day"] <= days[-1]:
                ax.axvline(rec["day"], color=RECORDED, ls="--", lw=1.5)
                ax.annotate(
                    f"recorded: {_name(data, rec['conceded'])}, day {f.num(rec['day'], 0)}",
                    (rec["day"], 0.97),
                    xycoords=("data", "axes fraction"),
                    xytext=(3, 0),
                    textcoords="offset points",
                    fontsize=7.5,
                    color=RECORDED,
                    va="top",
                )
            event_lines(ax, data.events, days[0], days[-1])
            ax.set_xlabel("days from the start" + (f" ({start:%d %b %Y})" if start else ""))
            ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.18), ncol=2)

        blocks.append(
            chart(
                f"crisis-{k}-attrition",
                f"Who gives way, and when: the probability that each side has conceded first by "
                f"each day (stacked; the white space above is the chance the contest is still on), "
                f"from {basis}; green dashed: the recorded concession; dashed red: a surprise "
                f"event. Source: {data.provenance(['attrition'])}.",
                f"Stacked probability over time that {na} or {nb} has conceded",
                draw,
                (6.8, 3.0),
            )
        )
    return blocks, [headline]


@crisis_view("rubinstein")
def rubinstein_view(data: ReportData, entry: dict[str, Any], k: int):
    a, b = entry["parties"]
    split = entry.get("split", {})
    first = entry.get("first_mover", a)
    issue = _issue_name(data, entry.get("issue"))
    text = (
        (
            f"Alternating offers with {_name(data, first)} proposing first: agreement at once, "
            f"{_name(data, a)} {f.pct(split.get(a))} and {_name(data, b)} {f.pct(split.get(b))} "
            "of the stake."
        )
        if sum(split.values() or [0]) <= 1.0 + 1e-9
        else (
            f"Alternating offers with {_name(data, first)} proposing first: agreement at once, "
            f"{_name(data, a)} {f.num(split.get(a))} and {_name(data, b)} {f.num(split.get(b))}."
        )
    )
    if entry.get("first_mover_advantage") is not None:
        text += f" First-mover advantage: {f.num(entry['first_mover_advantage'])} of the stake."
    if entry.get("binding_outside_option"):
        text += f" {_name(data, entry['binding_outside_option'])}'s outside option binds."
    blocks: list[Block] = [
        Heading(
            "Rubinstein bargaining" + (f" ({issue})" if issue else ""),
            anchor=f"crisis-{k}-rubinstein",
        ),
        Text(text),
    ]
    return blocks, [
        f"**Rubinstein split**: {_name(data, a)} {f.num(split.get(a))}, "
        f"{_name(data, b)} {f.num(split.get(b))}."
    ]


def _flat(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        out = []
        for key, v in value.items():
            out += _flat(v, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, list):
        return (
            [(prefix, f"{len(value)} values")]
            if len(value) > 4
            else [(prefix, ", ".join(f.num(v) if isinstance(v, float) else str(v) for v in value))]
        )
    if isinstance(value, float):
        return [(prefix, f.num(value))]
    return [(prefix, "—" if value is None else str(value))]


def generic_view(data: ReportData, entry: dict[str, Any], k: int):
    """Any crisis model without a view of its own: its entry as a table of results."""
    model = entry.get("model", "crisis")
    try:
        title = get(model).summary
    except UnknownModelError:
        title = model
    rows = tuple(
        (key, v)
        for key, v in _flat({x: y for x, y in entry.items() if x not in ("model", "trace")})
    )
    return [
        Heading(f"{model}: {title}", anchor=f"crisis-{k}-{model}"),
        Table(
            header=("Result", "Value"),
            rows=rows,
            caption=f"The {model} model's results as it reports them. Source: "
            f"{data.provenance([model])}.",
            align=("l", "r"),
        ),
    ], []
