"""The first schema: scenarios, runs, checkpointed chunks and the summaries.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_sha", sa.String(64), sa.ForeignKey("scenarios.sha256"), nullable=False),
        sa.Column("scenario_name", sa.String(200), nullable=False),
        sa.Column("models", sa.JSON, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("runs", sa.Integer, nullable=False),
        sa.Column("executor", sa.String(200), nullable=False),
        sa.Column("chunk_size", sa.Integer, nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("pid", sa.Integer),
        sa.Column("host", sa.String(200)),
        sa.Column("heartbeat", sa.Float),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("ended_at", sa.Float),
        sa.Column("requested_by", sa.String(20), nullable=False),
        sa.Column("progress", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text),
        sa.Column("forecast", sa.JSON),
        sa.Column("parquet", sa.LargeBinary),
        sa.Column("parquet_path", sa.String(500)),
    )
    op.create_index("ix_runs_status", "runs", ["status"])
    fk = {"ondelete": "CASCADE"}
    op.create_table(
        "chunks",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", **fk), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("stop", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "issue_summaries",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", **fk), primary_key=True),
        sa.Column("model", sa.String(100), primary_key=True),
        sa.Column("issue", sa.String(200), primary_key=True),
        sa.Column("issue_index", sa.Integer, nullable=False),
        sa.Column("unit", sa.String(200)),
        sa.Column("value", sa.Float),
        sa.Column("p10", sa.Float),
        sa.Column("p90", sa.Float),
        sa.Column("outcome", sa.Float),
    )
    op.create_table(
        "model_summaries",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", **fk), primary_key=True),
        sa.Column("model", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("n_issues", sa.Integer, nullable=False),
        sa.Column("mae", sa.Float),
    )
    op.create_table(
        "crisis_summaries",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", **fk), primary_key=True),
        sa.Column("model", sa.String(100), primary_key=True),
        sa.Column("conceded", sa.String(100)),
        sa.Column("day", sa.Float),
        sa.Column("p_impasse", sa.Float),
        sa.Column("entry", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for name in ("crisis_summaries", "model_summaries", "issue_summaries", "chunks", "runs"):
        op.drop_table(name)
    op.drop_table("scenarios")
