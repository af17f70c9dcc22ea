"""Bytes for the database: an ensemble chunk as ``.npz`` (lossless), results as Parquet."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["chunk_bytes", "chunk_of", "parquet_bytes"]


def chunk_bytes(chunk: Any) -> bytes:
    """A :class:`~realpolitik.ensemble.runner.Chunk`'s arrays, exactly, in one ``.npz``.

    Labels name each array: ``v\0MODEL`` (issue values), ``c\0MODEL\0KEY\0KIND`` (a crisis
    sample; KIND ``o`` for an array of party ids, kept as text, ``n`` for numbers).
    """
    arrays: dict[str, np.ndarray] = {"draws": np.asarray(chunk.draws)}
    labels: list[str] = []
    for name, arr in chunk.values.items():
        arrays[f"a{len(labels)}"] = np.asarray(arr)
        labels.append(f"v\0{name}")
    for model, samples in chunk.crises.items():
        for key, arr in samples.items():
            arr = np.asarray(arr)
            kind = "o" if arr.dtype == object else "n"
            arrays[f"a{len(labels)}"] = arr.astype(str) if kind == "o" else arr
            labels.append(f"c\0{model}\0{key}\0{kind}")
    buf = io.BytesIO()
    np.savez(buf, labels=np.array(labels, dtype=str), **arrays)
    return buf.getvalue()


def chunk_of(data: bytes, start: int, stop: int) -> Any:
    """The chunk that :func:`chunk_bytes` wrote (``start``/``stop`` from its row)."""
    from realpolitik.ensemble.runner import Chunk

    values: dict[str, np.ndarray] = {}
    crises: dict[str, dict[str, np.ndarray]] = {}
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        for i, label in enumerate(str(s) for s in z["labels"]):
            parts = label.split("\0")
            arr = z[f"a{i}"]
            if parts[0] == "v":
                values[parts[1]] = arr
            else:
                _, model, key, kind = parts
                crises.setdefault(model, {})[key] = arr.astype(object) if kind == "o" else arr
        draws = z["draws"]
    return Chunk(start=start, stop=stop, draws=draws, values=values, crises=crises)


def parquet_bytes(ens: Any) -> bytes:
    """The ensemble's results table (:mod:`realpolitik.ensemble.table`) as Parquet bytes."""
    with tempfile.TemporaryDirectory(prefix="realpolitik-") as tmp:
        path = Path(tmp) / "runs.parquet"
        ens.write_parquet(path)
        return path.read_bytes()
