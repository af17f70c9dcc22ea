"""What changed between two runs: their inputs (paths and values) and their forecasts.

:func:`input_changes` compares two scenario texts as data, not as text: comments and layout
do not count, list items with an ``id`` are matched by it, and each change is named by its
path in the scenario's own keys (``issues.dalian.saliences.stalin``), as located errors are.
:func:`forecast_changes` compares two forecast JSONs issue by issue and model by model.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["input_changes", "forecast_changes", "compare", "show"]

_MISSING = object()


def _data(text: str, name: str) -> Any:
    from realpolitik.scenario._yaml import parse_yaml

    data, _ = parse_yaml(text, file=name)
    return data


def show(value: Any) -> str:
    """A value as it would be written in the scenario (numbers short, mappings inline)."""
    if value is _MISSING:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _keyed(items: list[Any]) -> dict[Any, Any] | None:
    """A list of mappings keyed by their ``id`` (None unless every item has a distinct one)."""
    if not items or not all(isinstance(i, dict) and "id" in i for i in items):
        return None
    ids = [i["id"] for i in items]
    return dict(zip(ids, items, strict=True)) if len(set(ids)) == len(ids) else None


def _walk(a: Any, b: Any, path: list[str], out: list[dict[str, Any]]) -> None:
    if isinstance(a, dict) and isinstance(b, dict) and "dist" not in a and "dist" not in b:
        for key in list(a) + [k for k in b if k not in a]:
            _walk(a.get(key, _MISSING), b.get(key, _MISSING), [*path, str(key)], out)
        return
    if isinstance(a, list) and isinstance(b, list):
        ka, kb = _keyed(a), _keyed(b)
        if ka is not None and kb is not None:
            for key in list(ka) + [k for k in kb if k not in ka]:
                _walk(ka.get(key, _MISSING), kb.get(key, _MISSING), [*path, str(key)], out)
            return
        if len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                _walk(x, y, [*path, str(i)], out)
            return
    if a is _MISSING or b is _MISSING or a != b:
        out.append({"path": ".".join(path), "a": show(a), "b": show(b)})


def input_changes(text_a: str, text_b: str) -> list[dict[str, str]]:
    """Each changed input: ``{"path", "a", "b"}``, values as written (— where absent)."""
    out: list[dict[str, Any]] = []
    _walk(_data(text_a, "<a>"), _data(text_b, "<b>"), [], out)
    return out


def forecast_changes(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Each issue × model forecast in either run: both values, the change, and whether it
    changed (by more than rounding, 1e-9 of the issue's unit)."""
    issues_b = {i["id"]: i for i in b.get("issues", [])}
    rows = []
    for issue in a.get("issues", []):
        other = issues_b.get(issue["id"])
        if other is None:
            continue
        models = list(issue["forecasts"]) + [
            m for m in other["forecasts"] if m not in issue["forecasts"]
        ]
        for model in models:
            va = (issue["forecasts"].get(model) or {}).get("value")
            vb = (other["forecasts"].get(model) or {}).get("value")
            delta = None if va is None or vb is None else vb - va
            rows.append(
                {
                    "issue": issue["id"],
                    "name": issue.get("name", issue["id"]),
                    "unit": issue.get("unit"),
                    "model": model,
                    "a": va,
                    "b": vb,
                    "delta": delta,
                    "changed": (va is None) != (vb is None)
                    or (delta is not None and abs(delta) > 1e-9),
                }
            )
    return rows


def compare(store: Any, id_a: int, id_b: int) -> dict[str, Any]:
    """Both runs' rows, their changed inputs and their forecasts side by side."""
    ra, rb = store.require(id_a, full=True), store.require(id_b, full=True)
    text_a = store.scenario(ra["scenario_sha"])["text"]
    text_b = store.scenario(rb["scenario_sha"])["text"]
    settings = [
        {"path": key, "a": show(ra[key]), "b": show(rb[key])}
        for key in ("models", "runs", "seed")
        if ra[key] != rb[key]
    ]
    return {
        "a": _brief(ra),
        "b": _brief(rb),
        "inputs": input_changes(text_a, text_b),
        "settings": settings,
        "forecasts": forecast_changes(ra.get("forecast") or {}, rb.get("forecast") or {}),
    }


def _brief(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "scenario_name", "scenario_sha", "models", "runs", "seed", "effective")
    return {("status" if k == "effective" else k): row[k] for k in keys}
