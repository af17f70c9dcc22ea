"""Crash safety and concurrency of the SQLite run store, with real processes.

- A 2,000-run ensemble saved by ``forecast --save`` in a subprocess is killed with SIGKILL
  after a few checkpoints; the store then passes its integrity check, the run reads as
  interrupted with no summaries, ``runs resume`` completes it, and its results equal an
  uninterrupted run's with the same seed bit for bit.
- Two processes saving into the same SQLite store at once both succeed (WAL, busy retries).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("sqlalchemy")
pyarrow_parquet = pytest.importorskip("pyarrow.parquet")

from realpolitik.store import Store  # noqa: E402

ARGS = ["moscow-1949", "--model", "compromise", "--model", "attrition", "--seed", "11"]


def _cli(*args: str) -> subprocess.Popen:
    code = "import sys; from realpolitik.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "120"},
    )


def _table(blob: bytes):
    return pyarrow_parquet.read_table(io.BytesIO(blob)).replace_schema_metadata(None)


def test_kill_9_then_resume_gives_the_same_bits(tmp_path, cli):
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    proc = _cli("forecast", *ARGS, "--runs", "2000", "--save", "--store", url)
    st = None
    deadline = time.time() + 60
    try:
        while time.time() < deadline:  # wait for a few checkpoints, then kill -9
            if st is None and (tmp_path / "runs.sqlite").exists():
                try:
                    st = Store(url)
                except Exception:  # noqa: BLE001 - the file exists before its tables
                    st = None
            if st is not None and st.runs() and len(st.load_chunks(st.runs()[0]["id"])) >= 4:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.02)
        else:
            pytest.fail("no checkpoint within 60 s")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    run_id = st.runs()[0]["id"]
    row = st.run(run_id)
    assert row["effective"] == "interrupted" and 4 <= len(st.load_chunks(run_id)) < 2000 // 64
    assert st.summaries(run_id) == {"issues": [], "models": [], "crises": []}
    assert st.integrity() == []
    assert cli("runs", "check", "--store", url).out.strip() == "ok"

    resumed = cli("runs", "resume", str(run_id), "--store", url, "--json")
    assert resumed.code == 0, resumed.err
    reference = cli("forecast", *ARGS, "--runs", "2000", "--save", "--store", url, "--json")
    assert reference.code == 0, reference.err
    assert resumed.json() == reference.json()
    ref_id = max(r["id"] for r in st.runs())
    assert _table(st.parquet(run_id)).equals(_table(st.parquet(ref_id)))
    assert st.run(run_id, full=True)["forecast"] == st.run(ref_id, full=True)["forecast"]
    assert st.integrity() == []


def test_two_processes_write_one_sqlite_store_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    Store(url).close()  # created and migrated once, as a first command would
    procs = [
        _cli("forecast", *ARGS[:-1], str(seed), "--runs", "200", "--save", "--store", url)
        for seed in (1, 2)
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read().decode()
    st = Store(url)
    rows = st.runs()
    assert sorted(r["seed"] for r in rows) == [1, 2]
    assert all(r["effective"] == "done" and r["progress"] == 200 for r in rows)
    assert st.integrity() == []
    with st.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert json.loads(json.dumps(st.run(rows[0]["id"], full=True)["forecast"]))["runs"] == 200
