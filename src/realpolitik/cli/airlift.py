"""``realpolitik airlift SCENARIO``: run a scenario's airlift alone.

Prints the monthly tonnage and the whole-period totals; ``--json`` prints::

    {"scenario": "...", "daily": [{"date", "tons", "flights", "stocks_days", "consumption",
                                   "allotment", "need", "shortfall"}],
     "monthly": [{"month", "tons", "flights"}], "total": {"tons", "flights"}}

``--out DAILY.parquet`` writes the whole daily table (tons by airfield, type, operator and
cargo; flights, missed approaches, cancellations, queueing; stocks, the rationed allotment
and consumption beside the minimum need, shortfall, capacity).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from realpolitik.cli._app import MAX_SEED, app, console, print_json, whole
from realpolitik.cli._ensemble import check_out
from realpolitik.errors import InputError

__all__ = ["airlift_command", "write_daily"]


@app.command("airlift")
def airlift_command(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or a bundled scenario's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    out: Annotated[
        str | None,
        typer.Option("--out", help="Write the daily table to this Parquet file (needs pyarrow)."),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            callback=whole("--seed", 0, MAX_SEED),
            help="Seed of the weather, cancellations, misses.",
        ),
    ] = None,
) -> None:
    """Run the scenario's airlift alone: tons a day, monthly and in all."""
    from realpolitik.api import airlift, load
    from realpolitik.models.airlift import summary

    sc = load(scenario)
    if sc.airlift is None:
        raise InputError(
            file=scenario,
            field="airlift",
            problem="the scenario has no airlift block",
            expected="a scenario with an `airlift` block (e.g. berlin-1948)",
        )
    if out is not None:  # a bad --out fails before the run, and before anything is written
        check_out(out)
    result = airlift(sc, seed=seed)
    if out is not None:
        write_daily(result, out, {"scenario": sc.name, "seed": str(0 if seed is None else seed)})
    if as_json:
        print_json(summary(result, sc.name))
    else:
        _render(sc.name, result)


def write_daily(result: Any, path: str, metadata: dict[str, str]) -> None:
    """Write the daily table to ``path`` as Parquet (checked first by ``check_out``)."""
    from realpolitik.ensemble.table import require_pyarrow

    require_pyarrow()
    import pyarrow.parquet as pq

    try:
        pq.write_table(result.to_arrow(metadata), path)
    except OSError as exc:
        raise InputError(
            file=path, problem=f"cannot write: {exc.strerror or exc}", expected="a writable file"
        ) from None


def _render(name: str, result: Any) -> None:
    table = Table(title=f"{name}: airlift by month (short tons)", title_justify="left")
    for col in ("month", "tons", "t/day", "flights", "missed", "cancelled"):
        table.add_column(col, justify="left" if col == "month" else "right")
    months = result.dates.astype("datetime64[M]")
    for m in result.monthly():
        days = int((months == np.datetime64(m["month"])).sum())
        table.add_row(
            m["month"], f"{m['tons']:,.0f}", f"{m['tons'] / max(days, 1):,.0f}",
            f"{m['flights']:,}", f"{m['missed']:,}", f"{m['cancelled']:,}",
        )  # fmt: skip
    total = result.total()
    table.add_row(
        "[bold]total[/bold]", f"{total['tons']:,.0f}", "", f"{total['flights']:,}",
        f"{total['missed']:,}", f"{total['cancelled']:,}", style="bold",
    )  # fmt: skip
    console.print(table)
    d = result.daily
    low = int(d["stocks_days"].argmin())
    console.print(
        f"Need {result.need:,.0f} t/day; short on {int((d['shortfall'] > 0).sum())} of "
        f"{result.n_days} days; lowest stocks {d['stocks_days'][low]:.1f} days on "
        f"{result.dates[low]}; {total['flying_hours']:,.0f} flying hours."
    )
