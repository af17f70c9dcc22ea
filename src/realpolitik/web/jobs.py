"""The workbench's jobs: stored runs executed in background threads, capped and cancellable.

Each job is :func:`realpolitik.store.execute.execute` on a run already written to the store
(status ``running``), so progress, checkpoints, results and errors are in the store, where the
pages and the API read them; this module only holds the threads and their cancel events.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from realpolitik.errors import InputError
from realpolitik.store.execute import Prepared, create, execute

__all__ = ["Limits", "Jobs", "TooBusy"]


@dataclass(frozen=True)
class Limits:
    """The caps of a shared server (``serve --max-runs/--max-jobs/--max-upload``)."""

    max_runs: int = 100_000  # runs in one request
    max_jobs: int = 8  # jobs running at once
    max_upload: int = 1024 * 1024  # bytes of an uploaded scenario


class TooBusy(Exception):
    """Every job slot is taken (HTTP 429)."""


@dataclass
class Jobs:
    store: Any
    limits: Limits
    _pool: ThreadPoolExecutor = field(init=False)
    _cancel: dict[int, threading.Event] = field(default_factory=dict)
    _futures: dict[int, Future] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _slots: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        self._pool = ThreadPoolExecutor(self.limits.max_jobs, thread_name_prefix="realpolitik-job")
        self._slots = threading.BoundedSemaphore(self.limits.max_jobs)

    def check_runs(self, runs: int) -> None:
        if runs > self.limits.max_runs:
            raise InputError(
                field="runs",
                value=runs,
                expected=f"at most {self.limits.max_runs:,} runs per request on this server "
                "(`realpolitik serve --max-runs`)",
            )

    def _reserve(self) -> None:
        if not self._slots.acquire(blocking=False):
            raise TooBusy(
                f"{self.limits.max_jobs} jobs are running, the most this server runs at once "
                "(`realpolitik serve --max-jobs`); try again when one has finished"
            )

    def submit(self, prep: Prepared, *, origin: str) -> int:
        """Store a new run and start it in the background; its id."""
        self.check_runs(prep.runs)
        return self._start(lambda: create(self.store, prep, origin=origin, requested_by="web"))

    def resume(self, run_id: int) -> None:
        """Finish an interrupted run in the background from its checkpoints."""
        row = self.store.require(run_id)
        if row["effective"] != "interrupted":
            raise InputError(
                field="run",
                value=run_id,
                problem=f"run {run_id} is {row['effective']}",
                expected="an interrupted run",
            )

        def claim() -> int:
            self.store.claim(run_id)
            return run_id

        self._start(claim)

    def _start(self, begin: Callable[[], int]) -> int:
        """Take a slot, ``begin()`` the run (its id; the slot is given back if it fails), and
        run it in the background with its cancel event."""
        self._reserve()
        try:
            run_id = begin()
        except BaseException:
            self._slots.release()
            raise
        event = threading.Event()
        with self._lock:
            self._cancel[run_id] = event
            self._futures[run_id] = self._pool.submit(self._run, run_id, event)
        return run_id

    def run_now(self, prep: Prepared, *, origin: str) -> tuple[int, Any]:
        """Store a new run and execute it in this thread (``POST /api/forecast``)."""
        self.check_runs(prep.runs)
        self._reserve()
        try:
            run_id = create(self.store, prep, origin=origin, requested_by="web")
            return run_id, execute(self.store, run_id)
        finally:
            self._slots.release()

    def _run(self, run_id: int, event: threading.Event) -> None:
        try:
            execute(self.store, run_id, cancel=event)
        except Exception:  # noqa: BLE001 - the store has the run's error; the thread ends
            pass
        finally:
            with self._lock:
                self._cancel.pop(run_id, None)
            self._slots.release()

    def cancel(self, run_id: int) -> bool:
        """Ask a running job to stop after its current chunk; whether it was running here."""
        with self._lock:
            event = self._cancel.get(run_id)
        if event is None:
            return False
        event.set()
        return True

    def wait(self, run_id: int, timeout: float | None = None) -> None:
        with self._lock:
            fut = self._futures.get(run_id)
        if fut is not None:
            from concurrent.futures import TimeoutError as Timeout

            try:
                fut.exception(timeout)
            except Timeout:
                pass

    def shutdown(self) -> None:
        for event in list(self._cancel.values()):
            event.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
