"""Where the chunks of an ensemble run: in-process, a local process pool, or Dask.

``make_executor(spec)`` reads the ``--executor`` value:

``local``
    every chunk in this process, one after another;
``processes`` or ``processes:N``
    a pool of N worker processes (default: one per core), started by a fork server so that
    no thread of this process (a progress bar's, say) is forked;
``dask`` or ``dask:N``
    a ``dask.distributed.LocalCluster`` of N single-threaded worker processes (default: one
    per core), started for this ensemble and closed after it;
``dask://HOST:PORT``
    a running Dask scheduler (``dask scheduler`` and ``dask worker tcp://HOST:PORT`` on the
    machines of a cluster; every worker needs realpolitik installed).

Each executor's ``map(fn, plan, argsets)`` sends the plan to every worker once, calls
``fn(plan, *args)`` for each argument tuple, and yields ``(index, result)`` as they finish;
the caller puts the results back in order, so the order of completion never matters.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from realpolitik.errors import InputError

__all__ = [
    "Executor",
    "LocalExecutor",
    "ProcessExecutor",
    "DaskExecutor",
    "make_executor",
    "parse_spec",
]

Fn = Callable[..., Any]

#: The most workers of ``processes:N`` and ``dask:N`` (each is a process of this machine).
MAX_WORKERS = 256


class Executor:
    """The contract: a context manager with ``workers`` and ``map``."""

    name = "?"
    workers = 1

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Release workers (nothing to do for the local executor)."""

    def map(self, fn: Fn, plan: Any, argsets: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        raise NotImplementedError  # pragma: no cover


class LocalExecutor(Executor):
    name = "local"

    def map(self, fn: Fn, plan: Any, argsets: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        for i, args in enumerate(argsets):
            yield i, fn(plan, *args)


# -- process pool ---------------------------------------------------------------------------

_WORKER_PLAN: Any = None


def _init_worker(plan: Any) -> None:
    global _WORKER_PLAN
    _WORKER_PLAN = plan


def _call_in_worker(fn: Fn, args: tuple) -> Any:
    return fn(_WORKER_PLAN, *args)


class ProcessExecutor(Executor):
    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def map(self, fn: Fn, plan: Any, argsets: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["realpolitik.ensemble.runner", "realpolitik.forecast"])
        with ProcessPoolExecutor(
            max_workers=self.workers, mp_context=ctx, initializer=_init_worker, initargs=(plan,)
        ) as pool:
            futures = {pool.submit(_call_in_worker, fn, args): i for i, args in enumerate(argsets)}
            try:
                for fut in as_completed(futures):
                    yield futures[fut], fut.result()
            except BrokenProcessPool as exc:
                raise RuntimeError(
                    "the worker processes stopped before finishing. A script that runs an "
                    "ensemble on the process pool must start it under "
                    '`if __name__ == "__main__":` (Python\'s multiprocessing re-imports the '
                    "script in each worker); otherwise a worker ran out of memory or was killed"
                ) from exc
            finally:  # on an error (or an early stop), queued chunks do not run before it shows
                for fut in futures:
                    fut.cancel()


# -- Dask -----------------------------------------------------------------------------------


class DaskExecutor(Executor):
    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise InputError(
                field="--executor",
                value="dask",
                expected="Dask installed: pip install 'realpolitik[dask]'",
            ) from None
        import logging

        self.cluster = None
        if address is None:
            n = workers or os.cpu_count() or 1
            self.cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address, timeout="5s")
            except OSError as exc:
                raise InputError(
                    field="--executor",
                    value=f"dask://{address[6:]}",
                    problem=f"cannot reach the Dask scheduler: {exc}",
                    expected="the address of a running `dask scheduler`",
                ) from None
        info = self.client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info["workers"].values()))

    def map(self, fn: Fn, plan: Any, argsets: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        from dask.distributed import as_completed

        remote = self.client.scatter(plan, broadcast=True)
        futures = [self.client.submit(fn, remote, *args, pure=False) for args in argsets]
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures):
            yield index[fut.key], fut.result()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def parse_spec(spec: str = "local") -> tuple[str, int | None, str | None]:
    """``(name, workers, address)`` of an ``--executor`` value, or an :class:`InputError`."""
    text = (spec or "local").strip()
    if text.startswith("dask://"):
        if len(text) == len("dask://"):
            raise InputError(field="--executor", value=text, expected="dask://HOST:PORT")
        return "dask", None, "tcp://" + text[len("dask://") :]
    name, _, count = text.partition(":")
    workers = None
    if count:
        if not count.isdecimal() or not 1 <= int(count) <= MAX_WORKERS:  # isdigit() admits "²"
            raise InputError(
                field="--executor",
                value=text,
                expected=f"a worker count from 1 to {MAX_WORKERS} after the colon, e.g. processes:4",
            )
        workers = int(count)
    if (name == "local" and not count) or name in ("processes", "dask"):
        return name, workers, None
    raise InputError(
        field="--executor",
        value=text,
        expected="local, processes[:N], dask[:N] or dask://HOST:PORT",
    )


def make_executor(spec: str = "local") -> Executor:
    """The executor an ``--executor`` value names (see the module docstring)."""
    name, workers, address = parse_spec(spec)
    if name == "local":
        return LocalExecutor()
    if name == "processes":
        return ProcessExecutor(workers)
    return DaskExecutor(address=address, workers=workers)
