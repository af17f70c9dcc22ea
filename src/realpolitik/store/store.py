"""The run store: scenarios by hash, runs with their status, checkpoints and summaries.

Every write is its own short transaction (retried when SQLite is busy):

- :meth:`Store.create_run` writes the run's row with status ``running``, the pid, host and a
  heartbeat, before any work is done;
- :meth:`Store.save_chunk` checkpoints one finished chunk of an ensemble;
- :meth:`Store.finish` writes every summary, the forecast JSON and the results table and sets
  the status to ``done``, all in one transaction, so a process killed before it leaves no
  partial summaries.

A ``running`` row whose heartbeat is older than :data:`STALE` seconds, or whose pid is gone on
this host, reads as ``interrupted`` (:func:`effective_status`).
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from realpolitik.errors import InputError
from realpolitik.store import _tables as t
from realpolitik.store._codec import chunk_bytes, chunk_of
from realpolitik.store.engine import make_engine, migrate, resolve_url, retrying

__all__ = ["Store", "STALE", "effective_status", "scenario_sha", "RUN_FIELDS"]

STALE = 60.0  # seconds without a heartbeat after which a running run reads as interrupted

# The columns of a run's listing (the forecast JSON and the Parquet bytes are read on demand).
RUN_FIELDS = (
    "id scenario_sha scenario_name models seed runs executor chunk_size version status pid host "
    "heartbeat started_at ended_at requested_by progress error parquet_path"
).split()


def scenario_sha(text: str) -> str:
    """The SHA-256 of a scenario's text (UTF-8), its id in the store."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def effective_status(row: dict[str, Any], now: float | None = None) -> str:
    """The stored status, except that a dead ``running`` run reads as ``interrupted``."""
    if row["status"] != "running":
        return row["status"]
    now = time.time() if now is None else now
    if row.get("heartbeat") is None or now - row["heartbeat"] > STALE:
        return "interrupted"
    if row.get("host") == socket.gethostname() and not _pid_alive(row.get("pid")):
        return "interrupted"
    return "running"


class Store:
    """A run store at a SQLAlchemy URL (see :mod:`realpolitik.store.engine`)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)
        self.url, self.files_dir = _results_files(self.url)
        self.engine = make_engine(self.url)
        try:
            retrying(lambda: migrate(self.engine))
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - unreachable server, bad credentials, ...
            raise InputError(
                field="--store",
                value=self.engine.url.render_as_string(hide_password=True),
                problem=f"cannot open the store ({type(exc).__name__}: {_first_line(exc)})",
                expected="a reachable database (or a SQLite file) the user may write to",
            ) from None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        self.engine.dispose()

    def _write(self, fn: Any) -> Any:
        def attempt() -> Any:
            with self.engine.begin() as conn:
                return fn(conn)

        return retrying(attempt)

    def _read(self, stmt: Any) -> list[dict[str, Any]]:
        def attempt() -> list[dict[str, Any]]:
            with self.engine.connect() as conn:
                return [dict(r._mapping) for r in conn.execute(stmt)]

        return retrying(attempt)

    # -- scenarios --------------------------------------------------------------------------

    def put_scenario(self, text: str, name: str, origin: str) -> str:
        """Keep a scenario text (once per hash); its SHA-256."""
        sha = scenario_sha(text)

        def write(conn: Any) -> None:
            if conn.execute(
                select(t.scenarios.c.sha256).where(t.scenarios.c.sha256 == sha)
            ).first():
                return
            conn.execute(
                insert(t.scenarios).values(
                    sha256=sha, name=name, origin=origin, text=text, created_at=time.time()
                )
            )

        self._write(write)
        return sha

    def scenario(self, sha: str) -> dict[str, Any] | None:
        rows = self._read(select(t.scenarios).where(t.scenarios.c.sha256 == sha))
        return rows[0] if rows else None

    def scenarios(self, origin: str | None = None) -> list[dict[str, Any]]:
        """Stored scenarios, newest first, without their text."""
        c = t.scenarios.c
        stmt = select(c.sha256, c.name, c.origin, c.created_at).order_by(c.created_at.desc())
        if origin is not None:
            stmt = stmt.where(c.origin == origin)
        return self._read(stmt)

    # -- runs -------------------------------------------------------------------------------

    def create_run(self, **fields: Any) -> int:
        """Write a new run's row (status ``running``, this pid and host, a heartbeat)."""
        now = time.time()
        row = {
            "status": "running",
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "heartbeat": now,
            "started_at": now,
            "progress": 0,
            **fields,
        }
        return self._write(
            lambda conn: conn.execute(insert(t.runs).values(**row)).inserted_primary_key[0]
        )

    def claim(self, run_id: int) -> None:
        """Take an interrupted run over (resume): running again, in this process."""
        self._update(
            run_id,
            status="running",
            pid=os.getpid(),
            host=socket.gethostname(),
            heartbeat=time.time(),
            error=None,
            ended_at=None,
        )

    def heartbeat(self, run_id: int, progress: int | None = None) -> None:
        values: dict[str, Any] = {"heartbeat": time.time()}
        if progress is not None:
            values["progress"] = progress
        self._update(run_id, **values)

    def _update(self, run_id: int, **values: Any) -> None:
        self._write(
            lambda conn: conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(**values))
        )

    def save_chunk(self, run_id: int, idx: int, chunk: Any, progress: int) -> None:
        """Checkpoint one finished chunk, with the heartbeat and progress, in one transaction."""
        data = chunk_bytes(chunk)

        def write(conn: Any) -> None:
            conn.execute(
                delete(t.chunks).where((t.chunks.c.run_id == run_id) & (t.chunks.c.idx == idx))
            )
            conn.execute(
                insert(t.chunks).values(
                    run_id=run_id, idx=idx, start=chunk.start, stop=chunk.stop, data=data
                )
            )
            conn.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id)
                .values(heartbeat=time.time(), progress=progress)
            )

        self._write(write)

    def load_chunks(self, run_id: int) -> dict[int, Any]:
        """The checkpointed chunks of a run, by index."""
        rows = self._read(select(t.chunks).where(t.chunks.c.run_id == run_id))
        return {r["idx"]: chunk_of(r["data"], r["start"], r["stop"]) for r in rows}

    def finish(
        self,
        run_id: int,
        *,
        forecast: dict[str, Any],
        issues: Iterable[dict[str, Any]],
        models: Iterable[dict[str, Any]],
        crises: Iterable[dict[str, Any]],
        parquet: bytes | None,
        parquet_path: str | None = None,
    ) -> None:
        """Every summary, the forecast JSON and the results, and status ``done``: one
        transaction. The checkpoints go in the same transaction (the table holds every run)."""
        issues, models, crises = list(issues), list(models), list(crises)

        def write(conn: Any) -> None:
            for table in (t.issue_summaries, t.model_summaries, t.crisis_summaries, t.chunks):
                conn.execute(delete(table).where(table.c.run_id == run_id))
            for table, rows in (
                (t.issue_summaries, issues),
                (t.model_summaries, models),
                (t.crisis_summaries, crises),
            ):
                if rows:
                    conn.execute(insert(table), [{"run_id": run_id, **r} for r in rows])
            conn.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id)
                .values(
                    status="done",
                    progress=t.runs.c.runs,  # every run accounted for (a single run too)
                    forecast=forecast,
                    parquet=parquet,
                    parquet_path=parquet_path,
                    ended_at=time.time(),
                    heartbeat=time.time(),
                    error=None,
                )
            )

        self._write(write)

    def fail(self, run_id: int, error: str, status: str = "failed") -> None:
        self._update(run_id, status=status, error=error, ended_at=time.time())

    def run(self, run_id: int, *, full: bool = False) -> dict[str, Any] | None:
        """A run's row with its ``effective`` status; with ``full``, the forecast JSON too."""
        cols = [getattr(t.runs.c, f) for f in RUN_FIELDS]
        if full:
            cols.append(t.runs.c.forecast)
        rows = self._read(select(*cols).where(t.runs.c.id == run_id))
        if not rows:
            return None
        row = rows[0]
        row["effective"] = effective_status(row)
        return row

    def require(self, run_id: int, *, full: bool = False) -> dict[str, Any]:
        """:meth:`run`, or an :class:`InputError` naming the missing id."""
        row = self.run(run_id, full=full)
        if row is None:
            raise InputError(
                field="ID",
                value=run_id,
                expected="the id of a stored run (see `realpolitik runs list`)",
            )
        return row

    def runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Every run, newest first, with its ``effective`` status."""
        cols = [getattr(t.runs.c, f) for f in RUN_FIELDS]
        stmt = select(*cols).order_by(t.runs.c.id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = self._read(stmt)
        now = time.time()
        for row in rows:
            row["effective"] = effective_status(row, now)
        return rows

    def count_running(self) -> int:
        rows = self._read(select(t.runs).where(t.runs.c.status == "running"))
        return sum(effective_status(r) == "running" for r in rows)

    def parquet(self, run_id: int) -> bytes | None:
        """The results table of a finished run as Parquet bytes."""
        rows = self._read(
            select(t.runs.c.parquet, t.runs.c.parquet_path).where(t.runs.c.id == run_id)
        )
        if not rows:
            return None
        if rows[0]["parquet"] is not None:
            return rows[0]["parquet"]
        path = rows[0]["parquet_path"]
        if path:
            from pathlib import Path

            try:
                return Path(path).read_bytes()
            except OSError:
                return None
        return None

    def summaries(self, run_id: int) -> dict[str, list[dict[str, Any]]]:
        """The queryable summaries of a run: per issue and model, per model, per crisis."""
        out = {}
        for key, table in (
            ("issues", t.issue_summaries),
            ("models", t.model_summaries),
            ("crises", t.crisis_summaries),
        ):
            rows = self._read(select(table).where(table.c.run_id == run_id))
            for r in rows:
                r.pop("run_id", None)
            out[key] = rows
        return out

    def delete_run(self, run_id: int) -> bool:
        """Remove a run with its checkpoints and summaries; whether it existed."""
        row = self.run(run_id)
        if row is None:
            return False

        def write(conn: Any) -> None:
            for table in (t.issue_summaries, t.model_summaries, t.crisis_summaries, t.chunks):
                conn.execute(delete(table).where(table.c.run_id == run_id))
            conn.execute(delete(t.runs).where(t.runs.c.id == run_id))

        self._write(write)
        if row.get("parquet_path"):
            from pathlib import Path

            Path(row["parquet_path"]).unlink(missing_ok=True)
        return True

    def integrity(self) -> list[str]:
        """Problems found: the database's own check (SQLite), and the store's invariants
        (summaries only for finished runs, a forecast for each, no checkpoints left over)."""
        problems: list[str] = []
        if self.is_sqlite:
            with self.engine.connect() as conn:
                result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems += [f"sqlite: {r}" for r in result]
        done = {r["id"] for r in self._read(select(t.runs.c.id).where(t.runs.c.status == "done"))}
        for table in (t.issue_summaries, t.model_summaries, t.crisis_summaries):
            ids = {r["run_id"] for r in self._read(select(table.c.run_id).distinct())}
            problems += [f"{table.name}: rows of run {i}, which is not done" for i in ids - done]
        missing = self._read(
            select(t.runs.c.id).where((t.runs.c.status == "done") & t.runs.c.forecast.is_(None))
        )
        problems += [f"runs: run {r['id']} is done without a forecast" for r in missing]
        left = self._read(
            select(t.chunks.c.run_id, func.count())
            .where(t.chunks.c.run_id.in_(done or {-1}))
            .group_by(t.chunks.c.run_id)
        )
        problems += [f"chunks: run {r['run_id']} is done but keeps checkpoints" for r in left]
        orphans = self._read(
            select(t.chunks.c.run_id).distinct().where(~t.chunks.c.run_id.in_(select(t.runs.c.id)))
        )
        problems += [f"chunks: checkpoints of a missing run {r['run_id']}" for r in orphans]
        return problems


def _results_files(url: str) -> tuple[str, Any]:
    """``sqlite:///FILE?results=files`` keeps each run's Parquet file in ``FILE.results/``
    beside the database instead of in it (SQLite only: a remote database holds everything)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - make_engine reports a bad URL
        return url, None
    mode = parsed.query.get("results")
    if mode is None:
        return url, None
    if mode != "files" or parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise InputError(
            field="--store",
            value=url,
            expected="?results=files only on a SQLite file (results beside it)",
        )
    plain = parsed.difference_update_query(["results"]).render_as_string(hide_password=False)
    return plain, Path(parsed.database + ".results")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]
