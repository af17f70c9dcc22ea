"""Alembic migrations of the run store (run by :func:`realpolitik.store.engine.migrate`)."""
