"""The report as a document: sections made of paragraphs, lists, tables and charts.

Section builders produce these plain blocks; the HTML and Markdown templates render the same
blocks, so the two files always say the same thing. Text may carry ``**bold**``, and nothing
else: every other character is text (the HTML template escapes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Text", "Bullets", "Heading", "Table", "Chart", "Section", "Block"]


@dataclass(frozen=True)
class Text:
    """A paragraph of generated prose."""

    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list; ``links`` marks items that are sources (URLs become links in HTML)."""

    items: tuple[str, ...]
    links: bool = False
    kind: str = "bullets"


@dataclass(frozen=True)
class Heading:
    """A sub-heading within a section (one per issue, model or crisis)."""

    text: str
    anchor: str = ""
    kind: str = "heading"


@dataclass(frozen=True)
class Table:
    """A table of text cells; ``align`` is ``l`` or ``r`` per column (numbers right)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    align: tuple[str, ...] = ()
    kind: str = "table"

    def aligns(self) -> tuple[str, ...]:
        return self.align or ("l",) * len(self.header)


@dataclass(frozen=True)
class Chart:
    """A rendered chart: inline SVG for the HTML, PNG bytes for the Markdown twin."""

    name: str  # file stem of the PNG: unique within the report
    caption: str
    alt: str
    svg: str
    png: bytes
    kind: str = "chart"

    @property
    def png_name(self) -> str:
        return f"{self.name}.png"


Block = Text | Bullets | Heading | Table | Chart


@dataclass
class Section:
    """One numbered section of the report, with the headline sentences it contributes."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)
    number: int = 0

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]
