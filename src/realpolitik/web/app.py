"""The FastAPI application: state, security rules, error pages, and the two routers."""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from realpolitik.errors import InputError
from realpolitik.web.jobs import Jobs, Limits, TooBusy
from realpolitik.web.service import NotFound, TooLarge

__all__ = ["create_app", "Workbench", "UNSAFE_METHODS"]

HERE = Path(__file__).parent
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# An upload's multipart framing adds a few hundred bytes; bodies far past the cap are refused
# from their Content-Length before they are read.
_FRAMING = 64 * 1024


@dataclass
class Workbench:
    """What every request handler reaches through ``request.app.state.bench``."""

    store: Any
    jobs: Jobs
    executor: str
    limits: Limits
    templates: Jinja2Templates
    reports: dict[int, str] = field(default_factory=dict)  # rendered report HTML by run id
    report_lock: threading.Lock = field(default_factory=threading.Lock)  # matplotlib


def create_app(
    store: str | Any | None = None, *, executor: str = "local", limits: Limits | None = None
) -> FastAPI:
    """The workbench over the store at ``store`` (a URL, a :class:`Store`, or the default)."""
    from realpolitik import __version__
    from realpolitik.ensemble.executors import parse_spec
    from realpolitik.store import Store

    parse_spec(executor)
    st = store if isinstance(store, Store) else Store(store)
    limits = limits or Limits()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    bench = Workbench(
        store=st,
        jobs=Jobs(st, limits),
        executor=executor,
        limits=limits,
        templates=templates,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        yield
        bench.jobs.shutdown()

    app = FastAPI(
        title="realpolitik",
        version=__version__,
        summary="What-if forecasts of negotiations and crises, kept in a run store.",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN: off; /openapi.json stays
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.bench = bench
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def same_origin_only(request: Request, call_next: Any) -> Any:
        if request.method in UNSAFE_METHODS:
            refusal = _cross_origin(request)
            if refusal:
                return JSONResponse({"error": refusal}, status_code=403)
            size = request.headers.get("content-length")
            if size and size.isdecimal() and int(size) > limits.max_upload + _FRAMING:
                return JSONResponse(
                    {
                        "error": f"the request body is {int(size):,} bytes; expected at most "
                        f"{limits.max_upload:,} bytes (`realpolitik serve --max-upload`)"
                    },
                    status_code=413,
                )
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> Any:
        return _error(request, 422, str(exc))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Any:
        return _error(request, 404, str(exc))

    @app.exception_handler(TooBusy)
    async def _busy(request: Request, exc: TooBusy) -> Any:
        return _error(request, 429, str(exc))

    @app.exception_handler(TooLarge)
    async def _large(request: Request, exc: TooLarge) -> Any:
        return _error(request, 413, str(exc))

    from realpolitik.web import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    return app


def _cross_origin(request: Request) -> str | None:
    """Why an unsafe request is refused: an ``Origin`` other than this server's own."""
    origin = request.headers.get("origin")
    if origin is None:
        if request.headers.get("sec-fetch-site") == "cross-site":
            return "cross-site request refused"
        return None
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin.rstrip("/") != own:
        return f"cross-origin request refused: Origin {origin} is not this server ({own})"
    return None


def _error(request: Request, status: int, message: str) -> Any:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    bench: Workbench = request.app.state.bench
    return bench.templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )
