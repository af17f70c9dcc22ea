"""Dask executors: a real LocalCluster with 2 worker processes gives the same bits as local."""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.api import load
from realpolitik.ensemble import run_ensemble
from realpolitik.forecast import resolve_models

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster():
    import logging

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as c:
        yield c


def test_dask_scheduler_address_gives_identical_runs(cluster):
    sc = load("moscow-1949")
    reqs = resolve_models(sc, ["compromise", "median", "nbs", "eum:max_rounds=3"])
    local = run_ensemble(sc, reqs, 64, seed=7, chunk_size=64)
    address = cluster.scheduler_address.replace("tcp://", "dask://")
    remote = run_ensemble(sc, reqs, 64, seed=7, executor=address, chunk_size=5)
    np.testing.assert_array_equal(remote.draws, local.draws)
    for name in local.values:
        np.testing.assert_array_equal(remote.values[name], local.values[name])


def test_cli_dask_executor_same_json_as_local(cli):
    # --executor dask starts (and closes) its own LocalCluster of 2 worker processes.
    args = [
        "forecast",
        "moscow-1949",
        "--runs",
        "300",
        "--seed",
        "7",
        "--json",
        "-m",
        "compromise",
        "-m",
        "median",
    ]
    local = cli(*args)
    dask = cli(*args, "--executor", "dask:2")
    assert local.code == dask.code == 0, dask.err
    assert dask.out == local.out


def test_unreachable_scheduler_is_an_input_error(cli):
    res = cli(
        "forecast",
        "moscow-1949",
        "--runs",
        "5",
        "-m",
        "compromise",
        "--executor",
        "dask://127.0.0.1:9",
    )
    assert res.code == 2
    assert "cannot reach the Dask scheduler" in res.err
