"""The run store on SQLite and on a real PostgreSQL (a throwaway cluster, see _postgres.py).

Expected values come from the forecast facade run directly in the test (the store must keep
what it computed, bit for bit), from hand-written scenario texts (the input diff), or from
the store's own invariants planted to fail (the integrity check).
"""

from __future__ import annotations

import io
import json
import socket
import time

import numpy as np
import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from _postgres import postgres_cluster  # noqa: E402

from realpolitik.forecast import forecast  # noqa: E402
from realpolitik.scenario import load  # noqa: E402
from realpolitik.store import Store, effective_status  # noqa: E402
from realpolitik.store.diff import forecast_changes, input_changes  # noqa: E402
from realpolitik.store.execute import create, execute, prepare, resume, scenario_source  # noqa: E402

MODELS = ["compromise", "attrition"]


@pytest.fixture(scope="module")
def pg_url():
    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        st = Store(f"sqlite:///{tmp_path / 'runs.sqlite'}")
    else:
        st = Store(request.getfixturevalue("pg_url"))
        from realpolitik.store import _tables as t

        with st.engine.begin() as conn:  # each test starts from an empty store
            for table in reversed(t.metadata.sorted_tables):
                conn.execute(table.delete())
    yield st
    st.close()


def _new_run(st, runs=120, seed=7, models=MODELS):
    text, name, origin = scenario_source("moscow-1949")
    prep = prepare(text, name, models=list(models), runs=runs, seed=seed)
    return create(st, prep, origin=origin, requested_by="cli")


def _table(blob):
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(blob))


def test_schema_matches_the_migrations(store):
    """Alembic's head creates exactly the tables the code uses (no pending autogenerate)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from realpolitik.store._tables import metadata

    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    # Indexes the migration adds for queries are not declared on the Core tables.
    assert [d for d in diffs if d[0] != "remove_index"] == []


def test_stored_run_equals_a_direct_forecast(store):
    run_id = _new_run(store)
    assert store.run(run_id)["effective"] == "running"
    execute(store, run_id)
    row = store.run(run_id, full=True)
    direct = forecast(load("moscow-1949"), MODELS, seed=7, runs=120)
    assert row["effective"] == "done" and row["progress"] == 120
    assert row["forecast"] == json.loads(json.dumps(direct.to_json()))
    # the results table holds every run's values, bit for bit
    table = _table(store.parquet(run_id))
    cols = table.select(["run", "model", "value"]).to_pydict()
    ens = direct.ensemble
    want = ens.in_units("compromise")  # [run, issue] in each issue's unit
    got = [v for m, v in zip(cols["model"], cols["value"], strict=True) if m == "compromise"]
    assert np.array_equal(np.array(got).reshape(ens.runs, -1), want)
    assert store.integrity() == []


def test_summaries_are_queryable(store):
    run_id = _new_run(store, runs=60, seed=3)
    execute(store, run_id)
    data = store.run(run_id, full=True)["forecast"]
    sums = store.summaries(run_id)
    by_key = {(s["issue"], s["model"]): s for s in sums["issues"]}
    dalian = next(i for i in data["issues"] if i["id"] == "dalian")
    s = by_key[("dalian", "compromise")]
    assert s["value"] == dalian["forecasts"]["compromise"]["value"]
    assert s["p10"] == dalian["forecasts"]["compromise"]["p10"]
    assert s["outcome"] == 75  # the recorded outcome in the scenario file
    # the mean absolute error against the recorded outcomes, computed here from the JSON
    errs = [abs(i["forecasts"]["compromise"]["value"] - i["outcome"]) for i in data["issues"]]
    model = next(m for m in sums["models"] if m["model"] == "compromise")
    assert model["mae"] == pytest.approx(sum(errs) / len(errs), rel=1e-12)
    assert model["n_issues"] == 6
    crisis = sums["crises"][0]
    assert crisis["model"] == "attrition" and crisis["p_impasse"] == pytest.approx(
        data["crises"][0]["ensemble"]["p_impasse"]
    )


def test_interrupted_run_resumes_to_the_same_bits(store):
    """Stop a run after three checkpoints (as a crash would), then resume it."""
    run_id = _new_run(store, runs=160, seed=11)

    class Crash(BaseException):  # not an Exception: the run's row is left as it was
        pass

    saved = []
    real = store.save_chunk

    def save_then_crash(rid, idx, chunk, progress):
        real(rid, idx, chunk, progress)
        saved.append(idx)
        if len(saved) == 3:
            raise Crash

    store.save_chunk = save_then_crash
    with pytest.raises(Crash):
        execute(store, run_id)
    store.save_chunk = real
    assert store.summaries(run_id)["issues"] == []  # no partial summaries
    assert len(store.load_chunks(run_id)) == 3
    # this process is alive: only a stale heartbeat makes the run read as interrupted
    assert store.run(run_id)["effective"] == "running"
    store._update(run_id, heartbeat=time.time() - 3600)
    assert store.run(run_id)["effective"] == "interrupted"
    computed = []
    result = resume(store, run_id, progress=computed.append)
    # the 3 checkpointed chunks are reported at once and not computed again
    chunk = store.run(run_id)["chunk_size"]
    assert computed[0] == 3 * chunk and sum(computed) == 160
    direct = forecast(load("moscow-1949"), MODELS, seed=11, runs=160)
    for name in ("compromise",):
        assert np.array_equal(result.ensemble.values[name], direct.ensemble.values[name])
    assert np.array_equal(result.ensemble.draws, direct.ensemble.draws)
    assert store.run(run_id, full=True)["forecast"] == json.loads(json.dumps(direct.to_json()))
    assert store.integrity() == []


def test_status_reads_interrupted_when_the_process_is_gone(store):
    now = time.time()
    base = {"status": "running", "heartbeat": now, "host": socket.gethostname()}
    import os
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert effective_status({**base, "pid": os.getpid()}, now) == "running"
    assert effective_status({**base, "pid": int(dead.stdout)}, now) == "interrupted"
    assert effective_status({**base, "pid": 1, "host": "elsewhere"}, now) == "running"
    assert effective_status({**base, "pid": 1, "host": "elsewhere"}, now + 3600) == "interrupted"
    assert effective_status({**base, "status": "done"}, now + 3600) == "done"


def test_integrity_check_finds_partial_summaries(store):
    from realpolitik.store import _tables as t

    run_id = _new_run(store, runs=1)
    assert store.integrity() == []
    with store.engine.begin() as conn:  # a summary row for a run that never finished
        conn.execute(
            t.issue_summaries.insert().values(
                run_id=run_id, model="compromise", issue="dalian", issue_index=3, value=1.0
            )
        )
    assert any("not done" in p for p in store.integrity())


def test_delete_and_listing(store):
    a = _new_run(store, runs=1, seed=1)
    execute(store, a)
    b = _new_run(store, runs=40, seed=2)
    execute(store, b)
    assert [r["id"] for r in store.runs()] == [b, a]
    assert store.delete_run(a) and not store.delete_run(a)
    assert [r["id"] for r in store.runs()] == [b]
    assert store.summaries(a) == {"issues": [], "models": [], "crises": []}
    assert store.integrity() == []


def test_scenario_texts_are_kept_once_by_hash(store):
    import hashlib

    text = "name: x\n"
    sha = store.put_scenario(text, "x.yaml", "upload")
    assert sha == hashlib.sha256(text.encode()).hexdigest()
    assert store.put_scenario(text, "again.yaml", "upload") == sha
    assert [s["sha256"] for s in store.scenarios()] == [sha]
    assert store.scenario(sha)["text"] == text


def test_chunk_codec_is_exact():
    from realpolitik.ensemble.runner import Chunk
    from realpolitik.store._codec import chunk_bytes, chunk_of

    rng = np.random.default_rng(0)
    chunk = Chunk(
        start=5,
        stop=9,
        draws=rng.random((4, 3)),
        values={"compromise": rng.random((4, 6)), "eum": np.array([[np.nan] * 6] * 4)},
        crises={
            "attrition": {
                "conceded": np.array(["stalin", "", "mao", "stalin"], dtype=object),
                "day": np.array([1.5, np.inf, 0.0, 3.25]),
            }
        },
    )
    back = chunk_of(chunk_bytes(chunk), 5, 9)
    assert np.array_equal(back.draws, chunk.draws)
    assert np.array_equal(back.values["eum"], chunk.values["eum"], equal_nan=True)
    assert np.array_equal(back.values["compromise"], chunk.values["compromise"])
    assert back.crises["attrition"]["conceded"].dtype == object
    assert list(back.crises["attrition"]["conceded"]) == ["stalin", "", "mao", "stalin"]
    assert np.array_equal(back.crises["attrition"]["day"], chunk.crises["attrition"]["day"])


def test_input_diff_names_paths_and_values():
    a = """
name: t
actors:
  - {id: a, capability: 10}
  - {id: b, capability: 20}
issues:
  - id: x
    positions: {a: 10, b: 90}   # a comment
    saliences: {a: 0.5, b: 0.5}
"""
    b = """
name: t
actors:
  - {id: b, capability: 20}
  - {id: a, capability: {dist: normal, mean: 10, sd: 2}}
issues:
  - id: x
    positions: {a: 10, b: 90}
    saliences: {a: 0.5, b: 0.9}
    reference_point: 0
"""
    assert input_changes(a, b) == [
        {"path": "actors.a.capability", "a": "10", "b": '{"dist": "normal", "mean": 10, "sd": 2}'},
        {"path": "issues.x.saliences.b", "a": "0.5", "b": "0.9"},
        {"path": "issues.x.reference_point", "a": "—", "b": "0"},
    ]
    assert input_changes(a, a.replace("# a comment", "")) == []


def test_forecast_diff():
    a = {"issues": [{"id": "x", "name": "X", "unit": "u", "forecasts": {"m": {"value": 1.0}}}]}
    b = {
        "issues": [
            {
                "id": "x",
                "name": "X",
                "unit": "u",
                "forecasts": {"m": {"value": 3.5}, "n": {"value": 2.0}},
            }
        ]
    }
    rows = forecast_changes(a, b)
    assert [(r["model"], r["a"], r["b"], r["delta"], r["changed"]) for r in rows] == [
        ("m", 1.0, 3.5, 2.5, True),
        ("n", None, 2.0, None, True),
    ]
    assert not forecast_changes(a, a)[0]["changed"]


def test_sqlite_results_beside_the_file(tmp_path):
    db = tmp_path / "runs.sqlite"
    st = Store(f"sqlite:///{db}?results=files")
    run_id = _new_run(st, runs=30, seed=5)
    execute(st, run_id)
    path = tmp_path / "runs.sqlite.results" / f"run-{run_id}.parquet"
    assert st.run(run_id)["parquet_path"] == str(path)
    from realpolitik.store import _tables as t

    with st.engine.connect() as conn:  # not in the database
        assert conn.execute(t.runs.select().where(t.runs.c.id == run_id)).first().parquet is None
    assert st.parquet(run_id) == path.read_bytes() and path.read_bytes()[:4] == b"PAR1"
    st.delete_run(run_id)
    assert not path.exists()
    with pytest.raises(Exception, match="only on a SQLite file"):
        Store("postgresql+psycopg://u@h/db?results=files")


def test_dask_scheduler_gives_the_local_results(tmp_path):
    """--executor dask://HOST:PORT: the chunks run on an existing cluster, are checkpointed
    here, and the results are the local run's bits."""
    distributed = pytest.importorskip("dask.distributed")
    import logging

    st = Store(f"sqlite:///{tmp_path / 'runs.sqlite'}")
    text, name, origin = scenario_source("moscow-1949")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as cluster:  # fmt: skip
        address = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        prep = prepare(text, name, models=MODELS, runs=96, seed=21, executor=address)
        remote = create(st, prep, origin=origin, requested_by="cli")
        execute(st, remote)
    local = create(st, prepare(text, name, models=MODELS, runs=96, seed=21), origin=origin,
                   requested_by="cli")  # fmt: skip
    execute(st, local)
    assert st.run(remote)["executor"].startswith("dask://")
    assert _table(st.parquet(remote)).equals(_table(st.parquet(local)))
    assert st.run(remote, full=True)["forecast"] == st.run(local, full=True)["forecast"]


def test_runner_hooks_skip_checkpointed_chunks():
    """run_ensemble's on_chunk sees each computed chunk once; skip_chunks are not run again,
    and the result is the uninterrupted run's bits."""
    from realpolitik.ensemble import run_ensemble
    from realpolitik.forecast import resolve_models

    sc = load("moscow-1949")
    reqs = resolve_models(sc, MODELS)
    seen = {}
    full = run_ensemble(sc, reqs, 100, seed=4, chunk_size=16, on_chunk=seen.__setitem__)
    assert sorted(seen) == list(range(7))  # 100 runs in chunks of 16
    kept = {i: seen[i] for i in (0, 3, 6)}
    again = {}
    part = run_ensemble(
        sc, reqs, 100, seed=4, chunk_size=16, on_chunk=again.__setitem__, skip_chunks=kept
    )
    assert sorted(again) == [1, 2, 4, 5]
    assert np.array_equal(part.draws, full.draws)
    assert np.array_equal(part.values["compromise"], full.values["compromise"])
    assert np.array_equal(part.crises["attrition"]["day"], full.crises["attrition"]["day"])
    with pytest.raises(ValueError, match="does not match"):
        run_ensemble(sc, reqs, 100, seed=4, chunk_size=10, skip_chunks=kept)
