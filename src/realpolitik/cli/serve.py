"""``realpolitik serve``: the what-if workbench in the browser (FastAPI and uvicorn).

Binds to 127.0.0.1 unless ``--host`` says otherwise, and then prints a warning: the
workbench has no accounts, so anyone who can reach the port can run forecasts and read the
store.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from realpolitik.cli._app import app, whole
from realpolitik.cli.runs import StoreOpt, open_store
from realpolitik.ensemble.executors import MAX_WORKERS
from realpolitik.errors import InputError
from realpolitik.scenario._yaml import MAX_BYTES
from realpolitik.scenario.schema import MAX_RUNS

__all__ = ["serve_command", "LOOPBACK"]

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@app.command("serve")
def serve_command(
    host: Annotated[
        str, typer.Option("--host", help="The address to listen on (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", callback=whole("--port", 0, 65535), help="The port.")
    ] = 8000,
    store: StoreOpt = None,
    executor: Annotated[
        str,
        typer.Option(
            "--executor",
            help="Where ensemble runs go: local, processes[:N], dask[:N] or dask://HOST:PORT "
            "(an existing Dask cluster: same seeds, same results).",
        ),
    ] = "local",
    max_runs: Annotated[
        int,
        typer.Option(
            "--max-runs",
            callback=whole("--max-runs", 1, MAX_RUNS),
            help="The most runs one request may ask for.",
        ),
    ] = 100_000,
    max_jobs: Annotated[
        int,
        typer.Option(
            "--max-jobs",
            callback=whole("--max-jobs", 1, MAX_WORKERS),
            help="The most runs going on at once.",
        ),
    ] = 8,
    max_upload: Annotated[
        int,
        typer.Option(
            "--max-upload",
            callback=whole("--max-upload", 1024, MAX_BYTES),
            help="The largest scenario upload, in bytes.",
        ),
    ] = 1024 * 1024,
) -> None:
    """Serve the what-if workbench: edit a scenario, run it, compare runs, download reports."""
    try:
        import uvicorn

        from realpolitik.web import Limits, create_app
    except ImportError as exc:
        raise InputError(
            field="serve",
            problem=f"the workbench needs the 'web' extra ({exc.name} is not installed)",
            expected="pip install 'realpolitik[web]'",
        ) from None
    st = open_store(store)
    application = create_app(
        st,
        executor=executor,
        limits=Limits(max_runs=max_runs, max_jobs=max_jobs, max_upload=max_upload),
    )
    if host not in LOOPBACK:
        print(
            f"warning: listening on {host}, not only on this machine: anyone who can reach "
            f"port {port} can run forecasts and read the store (there are no accounts)",
            file=sys.stderr,
        )
    shown = f"[{host}]" if ":" in host else host
    print(f"realpolitik workbench on http://{shown}:{port}/ (store: {_safe(st)})", file=sys.stderr)
    uvicorn.run(application, host=host, port=port, log_level="warning")


def _safe(st: object) -> str:
    return st.engine.url.render_as_string(hide_password=True)  # type: ignore[attr-defined]
