"""Terminal tables for the forecast's ``crises`` (rubinstein, attrition, learning) and
``events``."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from realpolitik.cli._app import console

__all__ = ["render_crises", "render_events"]


def _p(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _day(value: float | None, date: str | None = None) -> str:
    if value is None:
        return "never (impasse)"
    return f"day {value:.0f}" + (f" ({date})" if date else "")


def _two_party(title: str, a: str, b: str) -> Table:
    """A table with a row label column and one column per party."""
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column(a, justify="right")
    table.add_column(b, justify="right")
    return table


def _attrition(entry: dict[str, Any]) -> Table:
    a, b = entry["parties"]
    table = _two_party(f"Who gives way: {a} against {b} over {entry['issue']} (attrition)", a, b)
    table.add_row("concedes first", _p(entry["p_first"][a]), _p(entry["p_first"][b]))
    table.add_row(
        "expected share of the stake",
        f"{entry['expected_share'][a]:.2f}",
        f"{entry['expected_share'][b]:.2f}",
    )
    weaker = entry["weaker"]
    table.add_row(
        "concedes at once",
        _p(entry["p_immediate"]) if weaker == a else "0%",
        _p(entry["p_immediate"]) if weaker == b else "0%",
    )
    end, dates = entry["end_day"], entry.get("end_date", {})
    table.add_row("end: median", _day(end["median"], dates.get("median")), "")
    table.add_row("end: 80% interval", _day(end["p10"]), _day(end["p90"]))
    table.add_row("no agreement ever", _p(entry["p_impasse"]), "")
    table.add_row(
        f"no agreement by day {entry['horizon']:.0f}", _p(entry["p_no_agreement_by_horizon"]), ""
    )
    return _with_record(table, entry, "conceded")


def _learning(entry: dict[str, Any]) -> Table:
    """The learning model's entry (docs/specs/learning.md §6), with the record beside it."""
    c, d = entry["parties"]
    title = f"Who gives way: {c} learning whether {d} will break, over {entry['issue']} (learning)"
    table = _two_party(title, c, d)
    table.add_row(
        "gives way first, by the horizon", _p(entry["p_first"][c]), _p(entry["p_first"][d])
    )
    end, dates = entry["end_day"], entry.get("end_date", {})
    table.add_row("end: median", _day_or(end["median"], dates.get("median")), "")
    table.add_row("end: 80% interval", _day_or(end["p10"]), _day_or(end["p90"]))
    cd = entry["concession_day"]
    table.add_row(f"{c} gives way if {d} holds: median", _day_or(cd["median"]), "")
    table.add_row(f"no end by day {entry['horizon']:.0f}", _p(entry["p_no_end_by_horizon"]), "")
    table.add_row("mode, policy", f"{entry['mode']}, {entry['policy']}", "")
    return _with_record(table, entry, "gave way")


def _with_record(table: Table, entry: dict[str, Any], verb: str) -> Table:
    """The recorded end as the table's last row, and what the forecast takes as given."""
    rec = entry.get("recorded")
    if rec is not None:
        table.add_row(
            "[italic]recorded[/italic]",
            f"{rec['conceded']} {verb} on day {rec['day']:.0f}",
            f"P = {_p(entry.get('p_recorded'))} by then",
            style="green",
        )
    if entry.get("conditional_on"):
        table.caption = "Conditional on " + entry["conditional_on"]
    return table


def _day_or(value: float | None, date: str | None = None) -> str:
    return "beyond the horizon" if value is None else _day(value, date)


def _rubinstein(entry: dict[str, Any]) -> Table:
    a, b = entry["parties"]
    table = _two_party(f"Alternating offers: {a} and {b} over {entry['issue']} (rubinstein)", a, b)
    table.add_row("split (agreed on day 0)", f"{entry['split'][a]:.3f}", f"{entry['split'][b]:.3f}")
    table.add_row("proposes first", *("yes" if entry["first_mover"] == p else "" for p in (a, b)))
    binding = entry["binding_outside_option"]
    table.add_row("outside option binds", *("yes" if binding == p else "" for p in (a, b)))
    return table


def render_crises(crises: list[dict[str, Any]]) -> None:
    """One table per crisis model's entry."""
    for entry in crises:
        if entry.get("model") == "attrition":
            console.print(_attrition(entry))
        elif entry.get("model") == "learning":
            console.print(_learning(entry))
        elif entry.get("model") == "rubinstein":
            console.print(_rubinstein(entry))


def render_events(events: list[dict[str, Any]]) -> None:
    """The scheduled events and what each changes."""
    if not events:
        return
    table = Table(title="Events", title_justify="left")
    table.add_column("day", justify="right")
    table.add_column("date")
    table.add_column("event")
    table.add_column("changes")
    for ev in events:
        changes = "; ".join(f"{c['path']}: {c['from']:g} → {c['to']:g}" for c in ev["changes"])
        what = ev["description"] + (" [surprise]" if ev["surprise"] else "")
        table.add_row(f"{ev['day']:g}", ev["date"] or "", what, changes)
    console.print(table)
