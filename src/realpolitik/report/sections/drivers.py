"""Section 6, Drivers: which uncertain inputs move each forecast.

Reads the sensitivity JSON: per issue and model, drivers ranked by total Sobol index ``ST``
(with ``S1`` and confidence half-widths), or by Morris ``mu_star`` (with ``sigma``). Draws a
tornado chart per issue: the ten largest drivers, largest on top.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from realpolitik.report import _format as f
from realpolitik.report._blocks import Bullets, Heading, Section, Table, Text
from realpolitik.report._charts import chart
from realpolitik.report.data import ReportData
from realpolitik.report.sections import section

__all__ = ["drivers_section", "input_label"]

_TOP = 10


def input_label(path: str, data: ReportData, issue: str | None = None) -> str:
    """``issues.alliance.positions.stalin`` → ``Joseph Stalin's position on Form of the
    alliance``; any other path is shown as it is."""
    parts = path.split(".")
    sc = data.scenario
    if sc is None:
        return path
    names = {a.id: a.name for a in sc.actors}
    issues = {i.id: i.name for i in sc.issues}
    if len(parts) == 4 and parts[0] == "issues" and parts[2] in ("positions", "saliences"):
        what = "position" if parts[2] == "positions" else "salience"
        where = "" if parts[1] == issue else f" on {issues.get(parts[1], parts[1])}"
        return f"{names.get(parts[3], parts[3])}'s {what}{where}"
    if len(parts) == 3 and parts[0] == "actors" and parts[2] == "capability":
        return f"{names.get(parts[1], parts[1])}'s capability"
    return path


def _metric(drivers: list[dict[str, Any]]) -> tuple[str, str | None, str | None]:
    """(main index, its confidence key, the secondary index): Sobol, Morris or rank ρ."""
    if drivers and "mu_star" in drivers[0]:
        return "mu_star", "mu_star_conf", "sigma"
    if drivers and "rho" in drivers[0]:
        return "rho", None, None
    return "ST", "ST_conf", "S1"


_EXPLAIN = {
    "sobol": "Total-order Sobol index ST: the share of the forecast's variance that involves "
    "the input, alone or with others; S1: the share due to the input alone.",
    "morris": "Morris μ*: the mean absolute change of the forecast per step of the input "
    "(in the issue's unit); σ: how much that effect varies (interactions, non-linearity).",
    "rank correlation": "No variance-based analysis ran, so the drivers are screened from the "
    "ensemble's own runs: ρ is Spearman's rank correlation between an input's draws and the "
    "forecast (+1: the forecast rises with the input; −1: it falls). For Sobol indices run "
    "`realpolitik sensitivity`.",
}


@section("drivers", "Drivers", order=60)
def drivers_section(data: ReportData) -> Section | None:
    sens = data.sensitivity
    if not sens or not sens.get("issues"):
        return None
    method = sens.get("method", "sobol")
    sec = Section(id="drivers", title="Drivers")
    explain = _EXPLAIN.get(method, "")
    size = (
        f.plural(int(sens.get("samples", 0)), "run")
        if method == "rank correlation"
        else f.plural(int(sens.get("samples", 0)), "base sample")
    )
    sec.blocks.append(
        Text(f"Which uncertain inputs move each forecast ({method} analysis, {size}). {explain}")
    )
    top_lines = []
    by_issue: dict[str, list[dict[str, Any]]] = {}
    for entry in sens["issues"]:
        if any(entry.get("drivers") or []):
            by_issue.setdefault(entry.get("id", ""), []).append(entry)
    for k, (iid, entries) in enumerate(by_issue.items()):
        issue_name, unit = iid, ""
        if data.scenario is not None:
            try:
                issue = data.scenario.issue(iid)
                issue_name, unit = issue.name, issue.unit
            except KeyError:
                pass
        sec.blocks.append(Heading(f"{issue_name}", anchor=f"drivers-{iid}"))
        leads: dict[str, list[str]] = {}
        lines = []
        ranked = []
        for entry in entries:
            drivers = [d for d in entry["drivers"] if d]
            key, conf, second = _metric(drivers)
            drivers = sorted(drivers, key=lambda d: -abs(d.get(key) or 0.0))
            ranked.append((entry, drivers, key, conf, second))
            model = entry.get("model", "")
            lead = drivers[0]
            leads.setdefault(lead["input"], []).append(model)
            sym = "ρ" if key == "rho" else key.replace("_", " ")
            text = (
                f"{model}: **{input_label(lead['input'], data, iid)}** ({sym} "
                f"{_val(lead.get(key), key)})"
            )
            if len(drivers) > 1:
                text += ", then " + f.listing(
                    f"{input_label(d['input'], data, iid)} ({_val(d.get(key), key)})"
                    for d in drivers[1:3]
                )
            total = sum(abs(d.get(key) or 0.0) for d in drivers)
            top3 = sum(abs(d.get(key) or 0.0) for d in drivers[:3])
            if total > 0 and len(drivers) > 3 and key != "rho":
                text += f"; the top three carry {f.pct(top3 / total)} of the sum of the indices"
            lines.append(text + ".")
        main, who = max(leads.items(), key=lambda kv: len(kv[1]))
        share = f" ({len(who)} of {len(entries)} models)" if len(entries) > 1 else ""
        top_lines.append(f"{issue_name}: {input_label(main, data, iid)}{share}")
        sec.blocks.append(Text(f"What moves the forecast of {issue_name} most, model by model:"))
        sec.blocks.append(Bullets(tuple(lines)))
        if len(ranked) == 1:
            entry, drivers, key, conf, second = ranked[0]
            sec.blocks.append(_tornado(data, entry, drivers, key, conf, second, k, unit))
            if key != "rho":
                sec.blocks.append(_table(data, entry, drivers, key, conf, second, issue_name))
        else:
            sec.blocks.append(_heatmap(data, iid, issue_name, ranked))
    if top_lines:
        sec.headlines.append("**Main drivers**: " + "; ".join(top_lines) + ".")
    return sec


def _val(value: float | None, key: str) -> str:
    return f.signed(value, 2) if key == "rho" else f.num(value)


def _table(data, entry, drivers, key, conf, second, issue_name: str) -> Table:
    iid = entry.get("id")
    rows = tuple(
        (
            input_label(d["input"], data, iid),
            d["input"],
            f"{f.num(d.get(key))} ± {f.num(d.get(conf))}" if conf else f.num(d.get(key)),
            *((f.num(d.get(second)),) if second else ()),
        )
        for d in drivers[:_TOP]
    )
    return Table(
        header=("Input", "Path", f"{key} ± conf." if conf else key) + ((second,) if second else ()),
        rows=rows,
        caption=f"The {min(_TOP, len(drivers))} largest drivers of {issue_name} "
        f"({entry.get('model', '')})" + ("; conf.: 95% confidence half-width." if conf else "."),
        align=("l", "l", "r", "r")[: 3 + bool(second)],
    )


def _heatmap(data: ReportData, iid: str, issue_name: str, ranked: list) -> Any:
    """Several models on one issue: the union of their top drivers × models, one cell each."""
    key = ranked[0][2]
    models = [entry.get("model", "") for entry, *_ in ranked]
    inputs: list[str] = []
    for _, drivers, *_ in ranked:
        for d in drivers[:6]:
            if d["input"] not in inputs:
                inputs.append(d["input"])
    inputs = inputs[:12]
    grid = np.full((len(inputs), len(models)), np.nan)
    for c, (_, drivers, *_) in enumerate(ranked):
        vals = {d["input"]: d.get(key) for d in drivers}
        for r, name in enumerate(inputs):
            v = vals.get(name)
            grid[r, c] = np.nan if v is None else v
    signed = key == "rho"
    vmax = 1.0 if signed or key in ("ST", "S1") else float(np.nanmax(np.abs(grid)) or 1.0)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        cmap = "RdBu_r" if signed else "Blues"
        shown = np.where(np.isfinite(grid), grid, 0.0)
        ax.imshow(shown, cmap=cmap, vmin=-vmax if signed else 0.0, vmax=vmax, aspect="auto")
        for r in range(len(inputs)):
            for c in range(len(models)):
                v = grid[r, c]
                text = "—" if not np.isfinite(v) else _val(v, key)
                dark = np.isfinite(v) and abs(v) > 0.55 * vmax
                ax.text(
                    c,
                    r,
                    text,
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if dark else "#222222",
                )
        ax.set_xticks(range(len(models)), models)
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(inputs)), [input_label(n, data, iid) for n in inputs])
        ax.tick_params(length=0)
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)

    sens = data.sensitivity or {}
    what = {
        "rho": "Spearman's ρ between the input's draws and the forecast",
        "ST": "total-order Sobol index ST",
        "mu_star": "Morris μ*",
    }.get(key, key)
    return chart(
        f"drivers-{iid}",
        f"Drivers of {issue_name}: {what}, for each model (columns) and the inputs that rank "
        f"among the largest for any model (rows)"
        + ("; red: the forecast rises with the input, blue: it falls" if signed else "")
        + "; —: not among that model's largest drivers"
        + f". Source: {data.provenance(models)}, {sens.get('method', '')} over "
        f"{f.plural(int(sens.get('samples', 0)), 'sample')}.",
        f"Heat map of the drivers of {issue_name} by model",
        draw,
        (6.8, 0.9 + 0.27 * len(inputs)),
    )


def _tornado(data, entry, drivers, key, conf, second, k: int, unit: str):
    top = drivers[:_TOP][::-1]
    labels = [input_label(d["input"], data, entry.get("id")) for d in top]
    main = np.array([d.get(key) or 0.0 for d in top])
    err = np.array([d.get(conf) or 0.0 for d in top]) if conf else None
    sec = np.array([d.get(second) or 0.0 for d in top]) if second else None

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        ys = np.arange(len(top))
        signed = key == "rho"
        colour = [("#0072B2" if v >= 0 else "#D55E00") for v in main] if signed else "#0072B2"
        ax.barh(
            ys,
            main,
            xerr=err,
            color=colour,
            alpha=0.85,
            height=0.6,
            error_kw={"elinewidth": 0.8, "ecolor": "#333333", "capsize": 2},
            label=key.replace("_", " "),
        )
        if sec is not None and key == "ST":
            ax.barh(ys, sec, color="#D55E00", height=0.3, label="S1")
        elif sec is not None:
            ax.scatter(sec, ys, color="#D55E00", marker="|", s=80, label=second, zorder=3)
        ax.set_yticks(ys, labels)
        ax.axvline(0, color="#555555", lw=0.8)
        xlabel = {
            "ST": "Sobol index (share of variance)",
            "rho": "Spearman rank correlation ρ with the forecast",
        }.get(key, f"elementary effect μ* ({unit or 'issue unit'})")
        ax.set_xlabel(xlabel)
        if signed:
            ax.set_xlim(-1, 1)
        ax.grid(axis="x")
        if not signed:
            ax.legend(loc="lower right")

    name = entry.get("id", str(k))
    return chart(
        f"drivers-{name}",
        f"Drivers of {name} ({entry.get('model', '')}): the {len(top)} inputs with the largest "
        f"{'|ρ| (blue: rises with the input; orange: falls)' if key == 'rho' else key.replace('_', ' ')}"
        f"{', with 95% confidence half-widths' if conf else ''}. Source: "
        f"{data.provenance([entry.get('model', '')] if entry.get('model') else [])}, "
        f"{data.sensitivity.get('method', 'sobol')} over "
        f"{f.plural(int(data.sensitivity.get('samples', 0)), 'sample')}.",
        f"Tornado chart of the drivers of {name}",
        draw,
        (6.8, 0.9 + 0.26 * len(top)),
    )
