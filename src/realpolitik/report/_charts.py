"""Charts: matplotlib figures rendered once to inline SVG (for HTML) and to PNG (for Markdown).

No pyplot and no global state: each chart is a :class:`matplotlib.figure.Figure` drawn under
the report's style (:data:`STYLE`, applied with ``rc_context``). Text in the SVG is drawn as
paths (``svg.fonttype = "path"``), so the page needs no font of any kind. The SVG is cleaned
for inlining: no XML declaration, no DOCTYPE (it names an outside DTD), no RDF metadata, and
every ``id`` prefixed with the chart's name, so several charts can share one HTML document.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence

import matplotlib
from matplotlib.figure import Figure

from realpolitik.report._blocks import Chart

__all__ = ["STYLE", "PALETTE", "chart", "colours", "clean_svg", "RECORDED", "MUTED"]

#: The report's chart style: quiet axes, one sans font drawn as paths, deterministic ids.
STYLE = {
    "svg.fonttype": "path",
    "svg.hashsalt": "realpolitik-report",
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.labelcolor": "#222222",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "axes.grid": False,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "figure.dpi": 100,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.08,
}

#: Colour-blind-safe categorical colours (Okabe & Ito 2008), then tab10's extras.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#8c564b",
    "#7f7f7f",
    "#bcbd22",
)
RECORDED = "#1a7f37"  # the recorded outcome: green, dashed, everywhere
MUTED = "#8a8a8a"

_PNG_DPI = 120


def colours(keys: Sequence[str]) -> dict[str, str]:
    """A stable colour per key, in the order given."""
    return {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}


def chart(
    name: str,
    caption: str,
    alt: str,
    draw: Callable[[Figure], None],
    size: tuple[float, float],
) -> Chart:
    """Draw a figure of ``size`` inches with ``draw(fig)`` and render it to SVG and PNG.

    The layout is solved once (constrained layout, on an Agg renderer), then frozen, and the
    tight bounding box is computed once for both files: each file costs one draw.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=size, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        draw(fig)
        renderer = canvas.get_renderer()
        fig.draw(renderer)  # solves the constrained layout
        fig.set_layout_engine(None)  # frozen: savefig then draws once per file
        bbox = fig.get_tightbbox(renderer).padded(STYLE["savefig.pad_inches"])
        svg_buf = io.StringIO()
        fig.savefig(svg_buf, format="svg", bbox_inches=bbox, metadata={"Date": None})
        png_buf = io.BytesIO()
        fig.savefig(
            png_buf, format="png", dpi=_PNG_DPI, bbox_inches=bbox, metadata={"Software": None}
        )
    return Chart(
        name=name,
        caption=caption,
        alt=alt,
        svg=clean_svg(svg_buf.getvalue(), name, alt),
        png=png_buf.getvalue(),
    )


_DROP = (
    re.compile(r"<\?xml[^>]*\?>\s*"),
    re.compile(r"<!DOCTYPE[^>]*>\s*", re.S),
    re.compile(r"<metadata>.*?</metadata>\s*", re.S),
)
_ID = re.compile(r'\bid="([^"]+)"')
_SIZE = re.compile(r'<svg([^>]*?)\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')


def clean_svg(svg: str, prefix: str, title: str) -> str:
    """Make matplotlib's SVG fit to inline in HTML (see the module docstring)."""
    for pattern in _DROP:
        svg = pattern.sub("", svg)
    ids = set(_ID.findall(svg))
    if ids:

        def _ref(m: re.Match[str]) -> str:
            key = m.group(2)
            return f"{m.group(1)}{prefix}-{key}" if key in ids else m.group(0)

        svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
        svg = re.sub(r'(href="#)([^"]+)', _ref, svg)
        svg = re.sub(r"(url\(#)([^)]+)", _ref, svg)
    svg = _SIZE.sub(
        lambda m: (
            f'<svg{m.group(1)} width="{m.group(2)}pt" height="{m.group(3)}pt" '
            f'role="img" aria-label="{_attr(title)}" class="chart"'
        ),
        svg,
        count=1,
    )
    return svg.strip()


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )
