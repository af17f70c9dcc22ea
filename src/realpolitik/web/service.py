"""What the pages and the JSON API share: scenario look-up, uploads, starting runs.

Both call these functions, which call the store and the same forecast adapter as the command
line (:mod:`realpolitik.store.execute`), so nothing is computed twice. A scenario id is either
a bundled scenario's name or the SHA-256 of a stored text; neither is ever used as a path, so
no id can reach a file outside the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from realpolitik.errors import InputError
from realpolitik.store.execute import Prepared, prepare

__all__ = [
    "NotFound",
    "TooLarge",
    "ScenarioRef",
    "scenario_ref",
    "library",
    "upload",
    "prepare_request",
    "SHA_RE",
]

SHA_RE = re.compile(r"[0-9a-f]{64}")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ ()-]+")


class NotFound(Exception):
    """No such scenario or run (HTTP 404)."""


class TooLarge(Exception):
    """An upload over the size limit (HTTP 413)."""


@dataclass(frozen=True)
class ScenarioRef:
    id: str  # bundled name, or the SHA-256 of a stored text
    name: str  # the file name shown in located errors
    origin: str  # bundled, upload, edit, file, import
    text: str


def scenario_ref(store: Any, sid: str) -> ScenarioRef:
    """The scenario with id ``sid``: a bundled name, or a stored text's SHA-256."""
    from realpolitik.scenario import bundled, bundled_path

    if SHA_RE.fullmatch(sid or ""):
        row = store.scenario(sid)
        if row is None:
            raise NotFound(f"no stored scenario {sid}")
        return ScenarioRef(id=sid, name=row["name"], origin=row["origin"], text=row["text"])
    if sid in bundled():  # the names come from the package's own folder, never from the id
        path = bundled_path(sid)
        return ScenarioRef(
            id=sid, name=sid, origin="bundled", text=path.read_text(encoding="utf-8")
        )
    raise NotFound(f"no scenario {sid!r}: a bundled scenario's name or a stored text's SHA-256")


def library(store: Any) -> list[dict[str, Any]]:
    """Bundled scenarios, then uploaded and edited ones (newest first)."""
    from realpolitik.scenario import bundled

    out = [{"id": name, "name": name, "origin": "bundled"} for name in bundled()]
    for row in store.scenarios():
        out.append(
            {
                "id": row["sha256"],
                "name": row["name"],
                "origin": row["origin"],
                "created_at": row["created_at"],
            }
        )
    return out


def safe_name(filename: str | None) -> str:
    """An uploaded file's name for display and located errors only (never a path)."""
    base = (filename or "upload.yaml").replace("\\", "/").rsplit("/", 1)[-1]
    return (_SAFE_NAME.sub("_", base).strip(" .") or "upload.yaml")[:100]


def upload(store: Any, filename: str | None, data: bytes, limit: int) -> ScenarioRef:
    """Validate an uploaded scenario with the CLI's loader and keep it; located errors."""
    name = safe_name(filename)
    if len(data) > limit:
        raise TooLarge(
            f"{name}: the upload is {len(data):,} bytes; expected at most {limit:,} bytes "
            "(`realpolitik serve --max-upload`)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            file=name,
            problem=f"not UTF-8 text (byte {exc.start})",
            expected="a scenario file in UTF-8",
        ) from None
    from realpolitik.scenario import loads

    sc = loads(text, file=name)  # the same safe loader and located errors as the CLI
    sha = store.put_scenario(text, name, "upload")
    del sc
    return ScenarioRef(id=sha, name=name, origin="upload", text=text)


def prepare_request(
    store: Any,
    scenario: str,
    *,
    models: dict[str, dict[str, Any]] | None,
    runs: int | None,
    seed: int | None,
    executor: str,
    limit: int,
) -> tuple[Prepared, str]:
    """A run request of the API: ``scenario`` is an id or YAML text. ``(prepared, origin)``."""
    if SHA_RE.fullmatch(scenario) or re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,99}", scenario):
        ref = scenario_ref(store, scenario)
        text, name, origin = ref.text, ref.name, ref.origin
    else:
        data = scenario.encode("utf-8")
        if len(data) > limit:
            raise TooLarge(
                f"scenario: the text is {len(data):,} bytes; expected at most {limit:,} bytes"
            )
        text, name, origin = scenario, "request.yaml", "upload"
    if models is not None and not isinstance(models, dict):
        raise InputError(field="models", value=models, expected='{"model": {options}, ...}')
    return prepare(
        text, name, models=models or None, runs=runs, seed=seed, executor=executor
    ), origin
