"""The run store: every forecast kept, with its scenario text, summaries and results.

``Store(url)`` opens (and migrates) a store: SQLite in the user's data folder by default,
another SQLAlchemy URL with ``--store`` or ``REALPOLITIK_STORE`` (e.g. PostgreSQL for a team).
:mod:`realpolitik.store.execute` runs a forecast into it, with crash-safe checkpoints and
``resume``; :mod:`realpolitik.store.diff` compares two runs' inputs and forecasts.

Layering: the store sits above the forecast facade and the report, and below the command
line and the web workbench, which both use it (so neither computes anything twice).
Needs the ``store`` extra (SQLAlchemy, Alembic, platformdirs, psycopg).
"""

from __future__ import annotations

from realpolitik.store.engine import ENV, default_url, resolve_url
from realpolitik.store.store import STALE, Store, effective_status, scenario_sha

__all__ = [
    "ENV",
    "STALE",
    "Store",
    "default_url",
    "effective_status",
    "resolve_url",
    "scenario_sha",
]
