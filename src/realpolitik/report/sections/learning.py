"""The learning model's view in "Who gives way and when" (docs/specs/learning.md §6).

What the entry says, in words, with the record beside it and, in the coupled mode, the
condition it rests on (the airlift as it happened); then two charts: the challenger's belief
in each type of defender day by day (``belief``, or the ``trace``'s p10-p90 band), and the
probability that each side has given way first by each day (the ``trace``'s ``conceded_by``,
or an ensemble's sampled ends).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from realpolitik.report import _format as f
from realpolitik.report._blocks import Block, Heading, Text
from realpolitik.report._charts import RECORDED, chart, colours
from realpolitik.report.data import ReportData
from realpolitik.report.sections import crisis_view
from realpolitik.report.sections._time import day_label, event_lines, start_of
from realpolitik.report.sections.crises import _ensemble_sentence, _issue_name, _name

__all__ = ["learning_view"]


def _words(data: ReportData, entry: dict[str, Any], start: Any) -> str:
    c, d = entry["parties"]
    p = entry.get("p_first", {})
    end = entry.get("end_day") or {}
    text = ""
    if entry.get("conditional_on"):
        text += f"**Conditional on {entry['conditional_on']}.** "
    text += (
        f"{_name(data, c)} gives way first in {f.pct(p.get(c))} of outcomes, "
        f"{_name(data, d)} in {f.pct(p.get(d))}; no end by "
        f"{day_label(entry['horizon'], start)} in "
        f"{f.pct(entry.get('p_no_end_by_horizon', entry.get('p_impasse')))}."
    )
    if end.get("median") is not None:
        text += (
            f" The contest ends by {day_label(end['median'], start)} in half of the outcomes"
            f" (80% interval {f.span(end.get('p10'), end.get('p90'), 'days', 0)})."
        )
    if "concession_day" in entry:  # not in an entry rebuilt from a results file
        cd = (entry.get("concession_day") or {}).get("median")
        text += f" If {_name(data, d)} holds on, {_name(data, c)} gives way " + (
            f"on {day_label(cd, start)} (median)." if cd is not None else "after the horizon."
        )
    rec = entry.get("recorded")
    if rec:
        text += (
            f" Recorded: **{_name(data, rec['conceded'])} gave way on "
            f"{day_label(rec['day'], start)}**; the model gave {f.pct(entry.get('p_recorded'))}"
            f" to {_name(data, rec['conceded'])} giving way first by then."
        )
    return text


@crisis_view("learning")
def learning_view(data: ReportData, entry: dict[str, Any], k: int):
    c, d = entry["parties"]
    start = start_of(data)
    issue = _issue_name(data, entry.get("issue"))
    samples = data.crisis_samples.get("learning")
    blocks: list[Block] = [
        Heading(
            f"A challenger that learns: {_name(data, c)} against {_name(data, d)}"
            + (f" ({issue})" if issue else ""),
            anchor=f"crisis-{k}-learning",
        )
    ]
    text = _words(data, entry, start)
    if samples is not None and len(samples["day"]):
        text += " " + _ensemble_sentence(data, samples, (c, d), start)
    blocks.append(Text(text))
    rec = entry.get("recorded")
    beliefs = entry.get("belief") or {}
    band = ((entry.get("trace") or data.traces.get("learning") or {}).get("belief")) or {}
    if beliefs:
        labels = list(beliefs)
        days = np.arange(len(next(iter(beliefs.values()))), dtype=float)
        col = colours(labels)

        def draw_belief(fig: Figure) -> None:
            ax = fig.add_subplot()
            for lab in labels:
                ax.plot(days, beliefs[lab], color=col[lab], lw=1.6, label=lab)
                if lab in band and band[lab]["p10"] != band[lab]["p90"]:
                    ax.fill_between(
                        days, band[lab]["p10"], band[lab]["p90"], color=col[lab], alpha=0.15
                    )
            _decorate(ax, data, rec, days, start)
            ax.set_ylabel(f"{_name(data, c)}'s belief")
            ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.18), ncol=len(labels))

        blocks.append(
            chart(
                f"crisis-{k}-learning-belief",
                f"{_name(data, c)}'s belief in each type of {_name(data, d)}, day by day, on the "
                f"path on which {_name(data, d)} stands (shaded: p10-p90 over paths, where they "
                f"differ); green dashed: the recorded end. Source: {data.provenance(['learning'])}.",
                f"Belief over time in each type of {_name(data, d)}",
                draw_belief,
                (6.8, 2.8),
            )
        )
    curves = _curves(entry, data.traces.get("learning"), samples, (c, d))
    if curves is not None:
        days, cur, basis = curves
        pcol = colours([c, d])

        def draw(fig: Figure) -> None:
            ax = fig.add_subplot()
            ax.stackplot(
                days, cur[c], cur[d], colors=[pcol[c], pcol[d]], alpha=0.75, step="post",
                labels=[f"{_name(data, c)} gave way first", f"{_name(data, d)} gave way first"],
            )  # fmt: skip
            _decorate(ax, data, rec, days, start)
            ax.set_ylabel("probability")
            ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.18), ncol=2)

        blocks.append(
            chart(
                f"crisis-{k}-learning",
                f"Who gives way, and when (learning): the probability that each side has given "
                f"way first by each day (stacked), from {basis}; green dashed: the recorded end."
                f" Source: {data.provenance(['learning'])}.",
                f"Stacked probability over time that {_name(data, c)} or {_name(data, d)} "
                "has given way",
                draw,
                (6.8, 3.0),
            )
        )
    lead = max((c, d), key=lambda p: entry.get("p_first", {}).get(p, 0.0))
    headline = (
        f"**Who gives way (learning)**: {_name(data, lead)} first in "
        f"{f.pct(entry['p_first'][lead])} of outcomes"
    )
    if (entry.get("end_day") or {}).get("median") is not None:
        headline += f"; median end {day_label(entry['end_day']['median'], start)}"
    if entry.get("conditional_on"):
        headline += " (conditional on the airlift as it happened)"
    if rec:
        headline += f". Recorded: {_name(data, rec['conceded'])}, {f.day(rec['day'])}"
    return blocks, [headline + "."]


def _curves(entry: dict[str, Any], trace: Any, samples: Any, parties: tuple[str, str]):
    c, d = parties
    if samples is not None and len(samples["day"]):
        days = np.arange(0.0, float(entry["horizon"]) + 1.0)
        who = np.asarray(samples["who"], dtype=object)
        end = np.asarray(samples["day"], dtype=float)
        n = max(end.size, 1)
        cur = {
            p: np.array([np.count_nonzero((who == p) & (end <= t)) / n for t in days])
            for p in parties
        }
        return days, cur, f"{f.plural(end.size, 'sampled run')} of the ensemble"
    tr = entry.get("trace") or trace
    if isinstance(tr, dict) and "conceded_by" in tr:
        days = np.asarray(tr["days"], dtype=float)
        cur = {p: np.asarray(tr["conceded_by"][p], dtype=float) for p in parties}
        return days, cur, "the model's distribution"
    return None


def _decorate(ax: Any, data: ReportData, rec: Any, days: np.ndarray, start: Any) -> None:
    ax.set_ylim(0, 1)
    ax.set_xlim(days[0], days[-1])
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
    ax.grid(axis="y")
    if rec and days[0] <= rec["day"] <= days[-1]:
        ax.axvline(rec["day"], color=RECORDED, ls="--", lw=1.5)
    event_lines(ax, data.events, days[0], days[-1])
    ax.set_xlabel("days from the start" + (f" ({start:%d %b %Y})" if start else ""))
