"""The track record's probabilistic part: calibrated intervals, their scores and PIT charts.

Reads the backtest JSON's per-model ``coverage50/80/90``, ``width80``, ``interval_score80``,
``crps``, ``log_score`` (each with ``*_ci95``), ``pit_histogram`` and ``scored_by``
(realpolitik.analysis.crossval). A PIT histogram (Dawid 1984; Czado, Gneiting & Held 2009)
is flat for a calibrated forecaster; a U shape means intervals too narrow, a hump too wide.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from realpolitik.report import _format as f
from realpolitik.report._blocks import Bullets, Table, Text
from realpolitik.report._charts import chart, colours

__all__ = ["calibration_blocks"]


def _ci(s: dict[str, Any], key: str, fmt: Any) -> str:
    v = s.get(key)
    if v is None:
        return "—"
    ci = s.get(f"{key}_ci95") or [None, None]
    return f"{fmt(v)} ({f.span(*ci)})" if None not in ci else fmt(v)


def calibration_blocks(
    where: str, models: dict[str, Any], names: list[str], basis: str | None
) -> list:
    """A table of each model's calibrated-interval scores and a PIT histogram per model."""
    names = [m for m in names if models[m].get("coverage80") is not None]
    if not names:
        return []
    blocks: list = [
        Text(
            "Calibrated intervals: each model's forecast widened by its own out-of-sample "
            "error on history. An 80% interval should hold the outcome about 80% of the time; "
            "the interval score (Gneiting & Raftery 2007) and the CRPS reward narrow "
            "intervals and punish misses (lower is better)."
            + (f" Calibration: {basis}." if basis else "")
        )
    ]
    rows = []
    for m in names:
        s = models[m]
        rows.append(
            (
                m,
                f.pct(s["coverage50"]),
                _ci(s, "coverage80", f.pct),
                f.pct(s["coverage90"]),
                f.num(s.get("width80")),
                _ci(s, "interval_score80", f.num),
                _ci(s, "crps", f.num),
                "—" if s.get("log_score") is None else f"{s['log_score']:.2f}",
            )
        )
    blocks.append(
        Table(
            header=(
                "Model",
                "50% cov.",
                "80% cov. (95% CI)",
                "90% cov.",
                "80% width",
                "Interval score 80% (95% CI)",
                "CRPS (95% CI)",
                "Log score",
            ),
            rows=tuple(rows),
            caption=f"{where}: calibrated intervals out of sample, points on 0–100. "
            "Log score: −log of the probability given to the outcome's label (models with "
            "label probabilities).",
            align=("l",) + ("r",) * 7,
        )
    )
    how = {}
    for m in names:
        how.setdefault(models[m].get("scored_by") or "", []).append(m)
    blocks.append(Bullets(tuple(f"{', '.join(ms)}: {text}." for text, ms in how.items() if text)))
    mcol = colours(names)
    cols = min(4, len(names))
    rows_n = -(-len(names) // cols)

    def draw(fig: Figure) -> None:
        axes = fig.subplots(rows_n, cols, squeeze=False, sharey=True)
        for k, ax in enumerate(axes.ravel()):
            if k >= len(names):
                ax.set_axis_off()
                continue
            m = names[k]
            h = models[m].get("pit_histogram") or []
            if h:
                width = 1.0 / len(h)
                ax.bar(
                    [width * (i + 0.5) for i in range(len(h))],
                    h,
                    width=width * 0.9,
                    color=mcol[m],
                )
                ax.axhline(width, color="#999999", ls=":", lw=1)
            ax.set_title(m)
            ax.set_xlim(0, 1)
            ax.set_xlabel("PIT")
        axes[0][0].set_ylabel("share of issues")

    blocks.append(
        chart(
            f"track-pit-{where.split()[0].lower()}",
            f"{where}: histogram of the probability integral transform F(outcome) of each "
            "model's calibrated predictive distribution; dotted: the flat histogram of a "
            "calibrated forecaster. A U shape means too narrow, a hump too wide.",
            "PIT histogram per model",
            draw,
            (6.8, 1.7 * rows_n + 0.4),
        )
    )
    return blocks
