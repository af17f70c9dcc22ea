"""``realpolitik serve``: the what-if workbench in the browser, and its JSON API.

:func:`create_app` builds the FastAPI application over a run store (:mod:`realpolitik.store`):
server-rendered Jinja2 pages (the scenario library, a scenario with its what-if editor, runs
with progress and results, compare, history) and a JSON API under ``/api`` with its OpenAPI
description at ``/openapi.json``. Pages and API call the same functions
(:mod:`realpolitik.web.service`), which call the store and the same forecast adapter as the
command line. Nothing is loaded from outside the server: no CDN, no web fonts; FastAPI's
interactive docs (which load from a CDN) are turned off.

Needs the ``web`` extra (FastAPI, uvicorn, jinja2, python-multipart).
"""

from __future__ import annotations

from realpolitik.web.app import create_app
from realpolitik.web.jobs import Limits

__all__ = ["create_app", "Limits"]
