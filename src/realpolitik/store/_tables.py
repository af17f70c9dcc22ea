"""The run store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Alembic's migrations (``store/migrations/versions``) create them; this module is what the code
reads and writes through. Times are seconds since the epoch (UTC) as floats, comparable on
every backend; JSON columns hold the forecast JSON and each model's options.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "metadata",
    "scenarios",
    "runs",
    "chunks",
    "issue_summaries",
    "model_summaries",
    "crisis_summaries",
]

metadata = MetaData()

# Each scenario text once, by its SHA-256 (a what-if edit is a new text, so a new row).
scenarios = Table(
    "scenarios",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("origin", String(20), nullable=False),  # bundled, upload, edit, file
    Column("text", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scenario_sha", String(64), ForeignKey("scenarios.sha256"), nullable=False),
    Column("scenario_name", String(200), nullable=False),
    Column("models", JSON, nullable=False),  # [{"name": ..., "options": {...}}, ...]
    Column("seed", BigInteger, nullable=False),
    Column("runs", Integer, nullable=False),
    Column("executor", String(200), nullable=False),
    Column("chunk_size", Integer, nullable=False),
    Column("version", String(40), nullable=False),
    Column("status", String(20), nullable=False),  # running, done, failed, cancelled
    Column("pid", Integer),
    Column("host", String(200)),
    Column("heartbeat", Float),
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float),
    Column("requested_by", String(20), nullable=False),  # cli, web
    Column("progress", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("forecast", JSON),  # the JSON of `forecast --json`, when done
    Column("parquet", LargeBinary),  # every run's results (ensemble.table), when done
    Column("parquet_path", String(500)),  # SQLite only, optionally: a file beside the store
)

# Each finished chunk of an ensemble, checkpointed in its own transaction.
chunks = Table(
    "chunks",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("stop", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

issue_summaries = Table(
    "issue_summaries",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(100), primary_key=True),
    Column("issue", String(200), primary_key=True),
    Column("issue_index", Integer, nullable=False),
    Column("unit", String(200)),
    Column("value", Float),  # the forecast (the median over the runs of an ensemble)
    Column("p10", Float),
    Column("p90", Float),
    Column("outcome", Float),  # the recorded outcome, where the scenario has one
)

model_summaries = Table(
    "model_summaries",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(100), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("options", JSON, nullable=False),
    Column("n_issues", Integer, nullable=False),
    Column("mae", Float),  # mean absolute error against the recorded outcomes, if any
)

crisis_summaries = Table(
    "crisis_summaries",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(100), primary_key=True),
    Column("conceded", String(100)),  # who gives way in the single run ("" for an impasse)
    Column("day", Float),
    Column("p_impasse", Float),  # over the runs of an ensemble
    Column("entry", JSON, nullable=False),  # the crisis entry of the forecast JSON
)
