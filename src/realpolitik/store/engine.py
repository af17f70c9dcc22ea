"""Open a run store by URL: the engine, SQLite's settings, Alembic's migrations, retries.

A store is a SQLAlchemy URL. The default is SQLite in the user's data folder
(``platformdirs.user_data_dir("realpolitik")/runs.sqlite``); ``--store URL`` or the
``REALPOLITIK_STORE`` environment variable selects another, e.g.
``postgresql+psycopg://user@host/db``. A plain path is read as a SQLite file.

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with
``BEGIN IMMEDIATE`` (SQLAlchemy's documented recipe for pysqlite), so that two processes
writing at once queue for the lock instead of failing on a read lock that cannot be upgraded;
:func:`retrying` retries a transaction that still meets a busy database.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from realpolitik.errors import InputError

__all__ = ["ENV", "default_url", "resolve_url", "make_engine", "migrate", "retrying"]

ENV = "REALPOLITIK_STORE"
T = TypeVar("T")


def default_url() -> str:
    """SQLite in the user's data folder (created when first used)."""
    from platformdirs import user_data_dir

    return "sqlite:///" + str(Path(user_data_dir("realpolitik", appauthor=False)) / "runs.sqlite")


def resolve_url(url: str | None = None) -> str:
    """``url``, else ``$REALPOLITIK_STORE``, else :func:`default_url`; a path means SQLite."""
    text = (url or os.environ.get(ENV) or "").strip() or default_url()
    if "://" not in text:
        text = "sqlite:///" + str(Path(text).expanduser().resolve())
    return text


def make_engine(url: str) -> Any:
    """A SQLAlchemy engine for ``url``; a bad URL or a missing driver is an :class:`InputError`."""
    try:
        from sqlalchemy import create_engine, event
        from sqlalchemy.engine import make_url
    except ImportError:
        raise InputError(
            field="--store", problem="SQLAlchemy is not installed", expected=_EXTRA
        ) from None
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy's ArgumentError and friends
        raise InputError(field="--store", value=_hide_password(url), expected=_URLS) from None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            folder = Path(db).expanduser().parent
            if not folder.is_dir():
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise InputError(
                        field="--store",
                        value=_hide_password(url),
                        problem=f"cannot create the folder {folder} ({exc.strerror})",
                        expected="a SQLite file in a folder that exists or can be created",
                    ) from None
        engine = create_engine(parsed, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable at each WAL checkpoint
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except ImportError as exc:
        raise InputError(
            field="--store",
            value=_hide_password(url),
            problem=f"the database driver is not installed ({exc.name})",
            expected=_EXTRA,
        ) from None
    except Exception:  # noqa: BLE001 - an unknown dialect, bad arguments
        raise InputError(field="--store", value=_hide_password(url), expected=_URLS) from None


def migrate(engine: Any) -> None:
    """Bring the store's schema to the newest Alembic revision (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def retrying(fn: Callable[[], T], *, attempts: int = 20, wait: float = 0.05) -> T:
    """``fn()``, again after a short wait when the database answers busy or locked."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            text = str(exc.orig if exc.orig is not None else exc).lower()
            if attempt == attempts - 1 or not ("locked" in text or "busy" in text):
                raise
            time.sleep(wait * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _hide_password(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return url


_EXTRA = "pip install 'realpolitik[store]'"
_URLS = "a SQLAlchemy URL, e.g. sqlite:///runs.sqlite or postgresql+psycopg://user@host/db"
