"""Render the report's sections to ``report.html`` (self-contained) and ``report.md`` (+ PNGs).

1. :func:`realpolitik.report.sections.build_sections` draws every section its data calls for.
2. The headlines of the sections form "In brief" at the top.
3. Both templates render the same blocks; charts are inline ``<svg>`` in the HTML and PNG
   files beside the Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from realpolitik import __version__
from realpolitik.errors import InputError
from realpolitik.report._blocks import Chart, Section
from realpolitik.report.data import ReportData
from realpolitik.report.sections import build_sections

__all__ = ["Rendered", "render", "write_report"]

_KIND = {
    "forecast": "forecast report",
    "backtest": "backtest report",
    "sensitivity": "sensitivity report",
    "results": "ensemble results report",
}


@dataclass
class Rendered:
    html: str
    markdown: str
    charts: list[Chart]
    sections: list[Section]


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_URL = re.compile(r"https?://[^\s<>\"')]+")


def _rich(text: str, links: bool = False) -> Markup:
    """Escape, then ``**bold**`` → <strong>, and URLs in source lists → links."""
    out = str(escape(text))
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    if links:
        out = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', out)
    return Markup(out)


def _md(text: str) -> str:
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return _md(text).replace("|", "\\|").replace("\n", " ")


def _slug(text: str) -> str:
    """The anchor a Markdown renderer (GitHub's) gives a heading."""
    return re.sub(r"[^\w\- ]", "", text.lower()).strip().replace(" ", "-")


def _md_block(block: Any, numbers: dict[str, int]) -> str:
    """One block as Markdown: paragraphs, lists, pipe tables, images with their caption."""
    if block.kind == "text":
        return _md(block.text)
    if block.kind == "heading":
        return f"### {block.text}"
    if block.kind == "bullets":
        return "\n".join(f"- {_md(item)}" for item in block.items)
    if block.kind == "table":
        lines = [
            "| " + " | ".join(_cell(h) for h in block.header) + " |",
            "|" + "|".join("---:" if a == "r" else ":---" for a in block.aligns()) + "|",
        ]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
        if block.caption:
            lines += ["", f"*{_md(block.caption)}*"]
        return "\n".join(lines)
    if block.kind == "chart":
        return (
            f"![{_cell(block.alt)}]({block.png_name})\n\n"
            f"*Figure {numbers[block.name]}. {_md(block.caption)}*"
        )
    raise ValueError(f"unknown block kind {block.kind!r}")


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("realpolitik.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(rich=_rich, md=_md, cell=_cell, slug=_slug, md_block=_md_block)
    return env


def _meta(data: ReportData) -> str:
    parts = [f"Scenario {data.scenario.name}"] if data.scenario is not None else []
    if data.runs > 1:
        parts.append(f"{data.runs:,} runs")
    if data.seed is not None:
        parts.append(f"seed {data.seed}")
    parts.append(f"written {data.created:%d %b %Y, %H:%M} UTC")
    return " · ".join(parts)


def render(data: ReportData) -> Rendered:
    """Build the sections and render both files in memory."""
    sections = build_sections(data)
    charts = [c for s in sections for c in s.charts()]
    names = [c.name for c in charts]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"two charts share a name: {dup}")
    ctx = {
        "title": _title(data),
        "kind_label": _KIND.get(data.kind, "report"),
        "meta": _meta(data),
        "headlines": [h for s in sections for h in s.headlines],
        "sections": sections,
        "figure_numbers": {c.name: i + 1 for i, c in enumerate(charts)},
        "version": __version__,
        "created": f"{data.created:%Y-%m-%d %H:%M} UTC",
        "css": (resources.files("realpolitik.report") / "templates" / "report.css").read_text(
            encoding="utf-8"
        ),
    }
    env = _env()
    html = env.get_template("report.html.j2").render(ctx)
    markdown = env.get_template("report.md.j2").render(ctx)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown)
    return Rendered(html=html, markdown=markdown, charts=charts, sections=sections)


def _title(data: ReportData) -> str:
    if data.scenario is None or (data.title and data.title != data.scenario.name):
        return data.title or "realpolitik report"
    first = data.scenario.description.split(". ")[0].strip() if data.scenario.description else ""
    return (
        f"{data.scenario.name}: {first.rstrip('.')}"
        if 0 < len(first) <= 90
        else (data.scenario.name)
    )


def write_report(data: ReportData, directory: str | Path) -> Path:
    """Write ``report.html``, ``report.md`` and the charts' PNGs into ``directory``.

    The directory is created if missing; existing report files in it are replaced. Returns
    the path of ``report.html``. A path that exists and is not a directory is an InputError.
    """
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise InputError(
            field="--report",
            value=str(directory),
            expected="a directory (it is created if missing), not a file",
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            field="--report",
            value=str(directory),
            expected=f"a directory that can be created ({exc.strerror})",
        ) from None
    rendered = render(data)
    for c in rendered.charts:
        (out / c.png_name).write_bytes(c.png)
    (out / "report.md").write_text(rendered.markdown, encoding="utf-8")
    html = out / "report.html"
    html.write_text(rendered.html, encoding="utf-8")
    return html
