"""Alembic's environment: migrate the connection that :func:`realpolitik.store.engine.migrate`
hands over (``config.attributes["connection"]``); no ``alembic.ini`` is needed."""

from __future__ import annotations

from alembic import context

from realpolitik.store._tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
