"""The report's sections, found automatically: one place to plug a new one in.

Every module of this package whose name does not start with ``_`` is imported and registers
its builders with :func:`section`. A builder takes the :class:`~realpolitik.report.data.ReportData`
and returns a :class:`~realpolitik.report._blocks.Section`, or None when its data is absent
(so no section is drawn without data behind it). Sections appear in ``order``.

Crisis and logistics results are shown per model: :func:`crisis_view` and
:func:`logistics_view` register a view for a model name. A model with no view of its own
still appears, through the generic view, under its registry summary, so a model added to
the registry shows up in the report without editing the report.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from realpolitik.report._blocks import Block, Section
from realpolitik.report.data import ReportData

__all__ = [
    "SectionBuilder",
    "section",
    "builders",
    "crisis_view",
    "logistics_view",
    "crisis_views",
    "logistics_views",
    "build_sections",
]

Builder = Callable[[ReportData], Section | None]
#: A view of one crisis entry: (data, entry, index) -> (blocks, headline sentences).
View = Callable[[ReportData, dict[str, Any], int], tuple[list[Block], list[str]]]


@dataclass(frozen=True)
class SectionBuilder:
    id: str
    title: str
    order: int
    build: Builder


_BUILDERS: dict[str, SectionBuilder] = {}
_CRISIS_VIEWS: dict[str, View] = {}
_LOGISTICS_VIEWS: dict[str, Callable[..., tuple[list[Block], list[str]]]] = {}
_DISCOVERED = False


def section(id: str, title: str, order: int) -> Callable[[Builder], Builder]:
    """Register ``build(data) -> Section | None`` as the report's section ``id``."""

    def deco(fn: Builder) -> Builder:
        if id in _BUILDERS and _BUILDERS[id].build is not fn:
            raise ValueError(f"report section {id!r} is registered twice")
        _BUILDERS[id] = SectionBuilder(id=id, title=title, order=order, build=fn)
        return fn

    return deco


def crisis_view(model: str) -> Callable[[View], View]:
    """Register the view of a crisis model's entries (``crises[]`` with ``model`` = name)."""

    def deco(fn: View) -> View:
        _CRISIS_VIEWS[model] = fn
        return fn

    return deco


def logistics_view(model: str) -> Callable[[Callable], Callable]:
    """Register the view of a logistics model's result: (data, name, result) -> blocks."""

    def deco(fn: Callable) -> Callable:
        _LOGISTICS_VIEWS[model] = fn
        return fn

    return deco


def _discover() -> None:
    global _DISCOVERED
    if _DISCOVERED:
        return
    _DISCOVERED = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def builders() -> list[SectionBuilder]:
    """Every registered section, in report order."""
    _discover()
    return sorted(_BUILDERS.values(), key=lambda b: (b.order, b.id))


def crisis_views() -> dict[str, View]:
    _discover()
    return dict(_CRISIS_VIEWS)


def logistics_views() -> dict[str, Callable]:
    _discover()
    return dict(_LOGISTICS_VIEWS)


def build_sections(data: ReportData) -> list[Section]:
    """The sections that ``data`` calls for, numbered in order."""
    out: list[Section] = []
    for b in builders():
        sec = b.build(data)
        if sec is None or not sec.blocks:
            continue
        sec.id, sec.title = b.id, sec.title or b.title
        sec.number = len(out) + 1
        out.append(sec)
    return out
