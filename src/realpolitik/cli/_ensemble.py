"""Shared by ``forecast`` and ``sensitivity``: the progress bar and the ``--out`` table."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console

__all__ = [
    "progress_bar",
    "check_out",
    "write_out",
    "fmt_value",
    "ensemble_cells",
    "summary_cells",
    "crisis_line",
]


@contextlib.contextmanager
def progress_bar(total: int, what: str = "runs") -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on standard error when it is a terminal; None when piped."""
    err = Console(stderr=True)
    if total <= 1 or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)


def check_out(path: str) -> None:
    """Refuse a bad ``--out`` before the runs (a long ensemble is not wasted on it)."""
    from pathlib import Path

    from realpolitik.errors import InputError

    target = Path(path)
    if target.is_dir() or not target.parent.is_dir():
        raise InputError(
            field="--out",
            value=path,
            problem="a directory" if target.is_dir() else "its folder does not exist",
            expected="a path to a new or existing file in an existing folder",
        )


def write_out(result: Any, path: str, seed: int | None) -> None:
    """Write a forecast's runs (or its single run) to ``path`` as Parquet."""
    from realpolitik.ensemble.runner import single_run

    ens = result.ensemble if result.ensemble is not None else single_run(result, seed)
    ens.write_parquet(path)


def fmt_value(value: float | None) -> str:
    """A forecast in a table cell: one decimal below 10⁵, none above; None as a dash."""
    if value is None:
        return "—"
    return f"{value:,.1f}" if abs(value) < 1e5 else f"{value:,.0f}"


def ensemble_cells(ens: Any, model: str, j: int, label: str) -> tuple[str, str]:
    """The label cell (the likeliest label and its probability) and the p10–p90 cell."""
    from realpolitik.analysis.summary import summarise

    return summary_cells(summarise(ens.in_units(model)[:, j], ens.scenario.issues[j].scale), label)


def summary_cells(s: dict[str, Any] | None, label: str) -> tuple[str, str]:
    """The label and p10–p90 cells of a summary entry (an ensemble's or a calibrated one)."""
    if not s or s.get("value") is None:
        return label, "—"
    labels = s.get("labels") or {}
    if labels:
        best = max(labels, key=lambda k: labels[k])
        label = f"{best} ({labels[best]:.0%})"
    return label, f"{fmt_value(s['p10'])} – {fmt_value(s['p90'])}"


def crisis_line(entry: dict[str, Any]) -> str:
    """One line on a crisis model's runs: who gave way first, how often, and when."""
    ens = entry["ensemble"]
    first = ", ".join(f"{p} first {v:.0%}" for p, v in ens["p_first"].items())
    day = ens["end_day"]

    def d(v: float | None) -> str:
        return "never" if v is None else f"{v:,.0f}"

    return (
        f"{entry['model']} over {ens['runs']:,} runs: {first}, no agreement {ens['p_impasse']:.0%};"
        f" end on day {d(day['median'])} (80%: day {d(day['p10'])} to {d(day['p90'])})"
    )
