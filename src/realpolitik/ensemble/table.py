"""An ensemble as one Arrow table, and as a Parquet file that says how to reproduce it.

One row per run × model × issue, ordered by run, then model (in the forecast's order), then
issue (in the scenario's order). Columns:

``run`` (int64), ``model``, ``issue`` (dictionary-encoded strings), ``value`` (the forecast in
the issue's own unit; null where the model skipped the issue), ``label`` (the nearest anchor
label, null without anchors), then one float64 column per uncertain input, named by its path
in the scenario (``issues.railway.positions.stalin``), holding that run's draw in the field's
own unit.

A crisis model that samples its end (attrition) adds one row per run, on its block's issue,
after the issue models' rows of each group of runs, and two columns: ``conceded`` (the party
that gave way first; null for an impasse and on the issue models' rows) and ``day`` (the day
the contest ended; null for an impasse).

The Parquet file's schema metadata has one key, ``realpolitik``, a JSON object with the
scenario's name, file and full text, the seed, the number of runs, the models with their
options, the uncertain inputs with their distributions, and the software version.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from realpolitik.errors import InputError

__all__ = [
    "to_table",
    "write_parquet",
    "read_parquet",
    "metadata",
    "require_pyarrow",
    "METADATA_KEY",
]

METADATA_KEY = b"realpolitik"


def require_pyarrow() -> Any:
    """The ``pyarrow`` module, or an input error saying which extra installs it."""
    try:
        import pyarrow as pa
    except ImportError:
        raise InputError(
            field="--out",
            problem="pyarrow is not installed",
            expected="pip install 'realpolitik[ensemble]'",
        ) from None
    return pa


def metadata(ens: Any) -> dict[str, Any]:
    """What the file needs to be reproduced and reported (see the module docstring)."""
    from realpolitik import __version__

    src = ens.scenario.source
    return {
        "scenario": ens.scenario.name,
        "scenario_file": src.file if src is not None else None,
        "scenario_text": src.text if src is not None else None,
        "seed": ens.seed,
        "runs": ens.runs,
        "models": [
            {"name": r.name, "kind": r.spec.kind, "options": r.options.model_dump(mode="json")}
            for r in ens.requests
        ],
        "inputs": [u.describe() for u in ens.inputs],
        "executor": ens.executor,
        "software": {"realpolitik": __version__, "numpy": np.__version__},
    }


def _batch(ens: Any, start: int, stop: int) -> Any:
    """The rows of runs start..stop-1 as one Arrow RecordBatch (issue rows, then crisis rows)."""
    pa = require_pyarrow()
    sc = ens.scenario
    models = list(ens.values)
    crises = list(getattr(ens, "crises", {}) or {})
    issue_ids = list(sc.issue_ids)
    for c in crises:
        block_issue = getattr(getattr(sc, c, None), "issue", None)
        if block_issue is not None and block_issue not in issue_ids:
            issue_ids.append(block_issue)
    n_runs, n_models, n_issues = stop - start, len(models), len(sc.issues)
    per_run = n_models * n_issues
    vals = np.stack([ens.in_units(m)[start:stop] for m in models], axis=1).reshape(
        n_runs, n_models, n_issues
    )  # [run, model, issue]
    labels = np.full((n_runs, n_models, n_issues), None, dtype=object)
    for j, issue in enumerate(sc.issues):
        if issue.scale.anchors:
            items = sorted(issue.scale.anchors.items())
            points = np.array([p for p, _ in items])
            names = np.array([lab for _, lab in items], dtype=object)
            v = vals[:, :, j]
            idx = np.argmin(np.abs(v[..., None] - points), axis=-1)
            labels[:, :, j] = np.where(np.isfinite(v), names[idx], None)
    run = [np.repeat(np.arange(start, stop, dtype=np.int64), per_run)]
    model_idx = [np.tile(np.repeat(np.arange(n_models, dtype=np.int32), n_issues), n_runs)]
    issue_idx = [np.tile(np.arange(n_issues, dtype=np.int32), n_runs * n_models)]
    value = [vals.reshape(-1)]
    label = [labels.reshape(-1)]
    rows = [np.repeat(np.arange(n_runs), per_run)]  # the run of each row, for the draws
    conceded = [np.full(n_runs * per_run, None, dtype=object)]
    day = [np.full(n_runs * per_run, np.nan)]
    for k, c in enumerate(crises):  # one row per run: who conceded first, and on which day
        block_issue = getattr(getattr(sc, c, None), "issue", None)
        run.append(np.arange(start, stop, dtype=np.int64))
        model_idx.append(np.full(n_runs, n_models + k, dtype=np.int32))
        issue_idx.append(
            np.full(n_runs, issue_ids.index(block_issue) if block_issue else 0, dtype=np.int32)
        )
        value.append(np.full(n_runs, np.nan))
        label.append(np.full(n_runs, None, dtype=object))
        rows.append(np.arange(n_runs))
        who = ens.crises[c]["conceded"][start:stop]
        conceded.append(np.where(who == "", None, who))
        day.append(ens.crises[c]["day"][start:stop])
    flat = np.concatenate(value)
    cols = {
        "run": pa.array(np.concatenate(run)),
        "model": pa.DictionaryArray.from_arrays(
            pa.array(np.concatenate(model_idx)), pa.array(models + crises)
        ),
        "issue": pa.DictionaryArray.from_arrays(
            pa.array(np.concatenate(issue_idx)), pa.array(issue_ids)
        ),
        "value": pa.array(flat, mask=~np.isfinite(flat)),
        "label": pa.array(np.concatenate(label), type=pa.string()),
    }
    if crises:
        d = np.concatenate(day)
        cols["conceded"] = pa.array(np.concatenate(conceded), type=pa.string())
        cols["day"] = pa.array(d, mask=~np.isfinite(d))
    at = np.concatenate(rows) + start
    for col, inp in enumerate(ens.inputs):
        cols[inp.name] = pa.array(ens.draws[at, col])
    return pa.RecordBatch.from_pydict(cols)


def to_table(ens: Any) -> Any:
    """The whole ensemble as one ``pyarrow.Table`` with the metadata attached."""
    pa = require_pyarrow()
    table = pa.Table.from_batches([_batch(ens, 0, ens.runs)])
    return table.replace_schema_metadata({METADATA_KEY: json.dumps(metadata(ens)).encode()})


def write_parquet(ens: Any, path: Any, *, runs_per_group: int = 2000) -> None:
    """Write the table to ``path`` as Parquet, ``runs_per_group`` runs per row group."""
    pa = require_pyarrow()
    import pyarrow.parquet as pq

    first = _batch(ens, 0, min(runs_per_group, ens.runs))
    schema = first.schema.with_metadata({METADATA_KEY: json.dumps(metadata(ens)).encode()})
    try:
        writer = pq.ParquetWriter(str(path), schema)
    except OSError as exc:
        raise InputError(
            field="--out",
            value=str(path),
            problem=f"cannot write: {exc}",
            expected="a writable path for the Parquet file",
        ) from None
    with writer:
        writer.write_batch(first)
        for a in range(runs_per_group, ens.runs, runs_per_group):
            writer.write_batch(_batch(ens, a, min(a + runs_per_group, ens.runs)))
    del pa


def read_parquet(path: Any) -> tuple[Any, dict[str, Any]]:
    """The table of a Parquet file this module wrote, and its metadata."""
    import pyarrow.parquet as pq

    table = pq.read_table(str(path))
    meta = json.loads((table.schema.metadata or {}).get(METADATA_KEY, b"{}"))
    return table, meta
