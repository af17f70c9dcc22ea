"""Scenario files: the schema, YAML loading with located errors, and bundled scenarios."""

from realpolitik.scenario.load import Document, bundled, bundled_path, load, load_document, loads
from realpolitik.scenario.schema import Actor, Issue, ModelEntry, Outcome, Scale, Scenario

__all__ = [
    "Actor",
    "Document",
    "Issue",
    "ModelEntry",
    "Outcome",
    "Scale",
    "Scenario",
    "bundled",
    "bundled_path",
    "load",
    "load_document",
    "loads",
]
