"""Ensembles: per-run seed streams, chunk-invariant results, summaries, Parquet, the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from realpolitik.analysis.summary import summarise
from realpolitik.api import load, loads
from realpolitik.ensemble import run_ensemble, uncertain_inputs
from realpolitik.ensemble.runner import Plan, run_draws
from realpolitik.ensemble.seeds import draw_uniforms
from realpolitik.forecast import forecast, resolve_models
from realpolitik.scenario import Scale

STATIC = ["mean", "compromise", "median:tie=midpoint", "nbs:disagreement=reference_point"]


@pytest.fixture(scope="module")
def moscow():
    return load("moscow-1949")


def test_run_streams_are_numpys_spawned_children():
    # numpy's documented scheme: SeedSequence(S).spawn(n)[i] is run i's stream, whatever n.
    u, seeds = draw_uniforms(7, 3, 6, 4)
    children = np.random.SeedSequence(7).spawn(6)[3:]
    for b, child in enumerate(children):
        g = np.random.default_rng(child)
        np.testing.assert_array_equal(u[b], g.random(4))
        assert seeds[b] == g.integers(0, 2**63 - 1)


def test_chunking_does_not_change_a_bit(moscow):
    reqs = resolve_models(moscow, STATIC)
    one = run_ensemble(moscow, reqs, 300, seed=11, chunk_size=300)
    for size in (1, 7, 64):
        other = run_ensemble(moscow, reqs, 300, seed=11, chunk_size=size)
        np.testing.assert_array_equal(other.draws, one.draws)
        for name in one.values:
            np.testing.assert_array_equal(other.values[name], one.values[name])


def test_batched_runs_equal_runs_one_by_one(moscow):
    # The static models' batch path must give the bits of each run alone.
    reqs = resolve_models(moscow, STATIC)
    ens = run_ensemble(moscow, reqs, 40, seed=3)
    plan = Plan(scenario=moscow, requests=tuple(reqs), inputs=ens.inputs, seed=3)
    for b in (0, 17, 39):
        alone = run_draws(plan, ens.draws[b : b + 1], np.zeros(1, dtype=np.int64))
        for name in ens.values:
            np.testing.assert_array_equal(alone[name][0], ens.values[name][b])


def test_dynamic_model_runs_per_draw_chunk_invariant(moscow):
    reqs = resolve_models(moscow, ["eum"])
    a = run_ensemble(moscow, reqs, 6, seed=5, chunk_size=6)
    b = run_ensemble(moscow, reqs, 6, seed=5, chunk_size=1)
    np.testing.assert_array_equal(a.values["eum"], b.values["eum"])
    assert np.all(np.isfinite(a.values["eum"]))
    assert len(set(a.values["eum"][:, 0])) > 1  # the draws do move the forecast


def test_summary_closed_form():
    # Values 1..100: median 50.5; numpy's linear percentile p05 = 1 + 0.05·99 = 5.95;
    # sample sd = sqrt(n(n+1)/12) = sqrt(841.67) (discrete uniform, ddof=1), mc_se = sd/10.
    # Nearest of anchors 0/50/100 (lower on ties at 25 and 75): 25, 50 and 25 values.
    scale = Scale(min=0, max=100, anchors={0: "lo", 50: "mid", 100: "hi"})
    s = summarise(np.arange(1.0, 101.0), scale)
    assert s["value"] == 50.5 and s["mean"] == 50.5 and s["runs"] == 100
    assert s["p05"] == pytest.approx(5.95) and s["p95"] == pytest.approx(95.05)
    assert s["p25"] == pytest.approx(25.75) and s["p75"] == pytest.approx(75.25)
    assert s["mc_se"] == pytest.approx(np.sqrt(100 * 101 / 12) / 10)
    assert s["labels"] == {"lo": 0.25, "mid": 0.5, "hi": 0.25}
    skipped = summarise(np.array([np.nan, 1.0, 3.0]), scale)
    assert skipped["value"] == 2.0 and skipped["skipped_runs"] == 1


TWO = """\
name: two
actors:
  - {id: a, name: A, capability: 3}
  - {id: b, name: B, capability: 1}
issues:
  - id: i
    name: I
    unit: u
    scale: {min: 0, max: 10, anchors: {0: "low", 10: "high"}}
    positions: {a: {dist: uniform, low: 2, high: 8}, b: 10}
    saliences: {a: 1, b: 1}
"""


def test_compromise_of_a_uniform_position_is_uniform():
    # compromise = (3 x_a + 10) / 4 with x_a ~ U(2, 8): uniform on [4, 8.5], mean 6.25,
    # median 6.25, p10 = 4 + 0.1 · 4.5 = 4.45; P(nearer 10 than 0) = P(y > 5) = 3.5 / 4.5.
    sc = loads(TWO)
    f = forecast(sc, ["compromise"], runs=20_000, seed=1, intervals="inputs")  # the runs alone
    e = f.to_json()["issues"][0]["forecasts"]["compromise"]
    assert e["runs"] == 20_000
    assert abs(e["mean"] - 6.25) < 4 * e["mc_se"]
    assert e["value"] == pytest.approx(6.25, abs=0.05)
    assert e["p10"] == pytest.approx(4.45, abs=0.05)
    assert e["labels"]["high"] == pytest.approx(3.5 / 4.5, abs=0.01)
    assert e["labels"]["low"] + e["labels"]["high"] == pytest.approx(1.0)
    assert e["p05"] <= e["p10"] <= e["p25"] <= e["value"] <= e["p75"] <= e["p90"] <= e["p95"]


def test_one_run_or_no_uncertainty_is_as_before(moscow, cli):
    base = cli("forecast", "moscow-1949", "-m", "compromise", "--json")
    once = cli("forecast", "moscow-1949", "-m", "compromise", "--json", "--runs", "1")
    assert base.code == once.code == 0 and base.out == once.out
    plain = cli("forecast", "emission-1994", "-m", "compromise", "--json", "--runs", "50")
    ref = cli("forecast", "emission-1994", "-m", "compromise", "--json")
    assert plain.out == ref.out  # emission-1994 has no uncertain inputs


def test_parquet_rows_and_metadata(moscow, tmp_path, cli):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "runs.parquet"
    res = cli(
        "forecast",
        "moscow-1949",
        "--runs",
        "30",
        "--seed",
        "4",
        "-m",
        "compromise",
        "-m",
        "median",
        "--out",
        str(out),
        "--json",
    )
    assert res.code == 0, res.err
    table = pq.read_table(out)
    n_inputs = len(uncertain_inputs(moscow))
    assert table.num_rows == 30 * 6 * 2  # runs × issues × models
    assert table.num_columns == 5 + n_inputs
    meta = json.loads(table.schema.metadata[b"realpolitik"])
    assert meta["seed"] == 4 and meta["runs"] == 30
    assert meta["models"] == [
        {"name": "compromise", "kind": "issue", "options": {}},
        {"name": "median", "kind": "issue", "options": {"tie": "lower"}},
    ]
    assert "name: moscow-1949" in meta["scenario_text"] and meta["software"]["realpolitik"]
    rows = table.to_pylist()
    # Row order: run, then model, then issue; the draws repeat on each row of a run.
    assert [(r["run"], r["model"], r["issue"]) for r in rows[:7]] == [
        (0, "compromise", i) for i in moscow.issue_ids
    ] + [(0, "median", "alliance")]
    assert rows[0]["actors.usa.capability"] == rows[11]["actors.usa.capability"]
    # The JSON's median is the median of the table's values for that issue and model.
    js = res.json()
    vals = [r["value"] for r in rows if r["model"] == "median" and r["issue"] == "credit"]
    credit = next(i for i in js["issues"] if i["id"] == "credit")
    assert credit["forecasts"]["median"]["value"] == pytest.approx(float(np.median(vals)))


def test_cli_same_json_local_and_process_pool(cli):
    args = [
        "forecast",
        "moscow-1949",
        "--runs",
        "100",
        "--seed",
        "7",
        "--json",
        "-m",
        "compromise",
        "-m",
        "nbs",
        "-m",
        "eum:max_rounds=3",
    ]
    local = cli(*args, "--executor", "local")
    pool = cli(*args, "--executor", "processes:2")
    assert local.code == pool.code == 0, pool.err
    assert local.out == pool.out
    js = local.json()
    assert js["runs"] == 100 and js["seed"] == 7
    entry = js["issues"][0]["forecasts"]["compromise"]
    assert set(entry) >= {
        "value",
        "mean",
        "p05",
        "p10",
        "p25",
        "p75",
        "p90",
        "p95",
        "runs",
        "mc_se",
        "labels",
    }


def test_bad_executor_is_an_input_error(cli):
    res = cli("forecast", "moscow-1949", "--runs", "5", "-m", "compromise", "--executor", "gpu")
    assert res.code == 2
    assert "--executor: got 'gpu'; expected local, processes[:N]" in res.err
    # "²" is a digit to str.isdigit but not a decimal number to int(): still an input error.
    res = cli("forecast", "moscow-1949", "-m", "compromise", "--executor", "processes:²")
    assert res.code == 2 and "Traceback" not in res.err, res.err
    assert "--executor: got 'processes:²'; expected a worker count" in res.err


def test_progress_bar_only_on_a_terminal(monkeypatch):
    from realpolitik.cli._ensemble import progress_bar

    with progress_bar(100) as cb:
        assert cb is None  # pytest captures standard error: not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    with progress_bar(100) as cb:
        assert cb is not None
        cb(100)


def _fixed_attrition(text: str) -> str:
    """moscow-1949 with the attrition block's distributions replaced by their means."""
    import re

    return re.sub(
        r"\{dist: normal, mean: ([0-9.]+), sd: [0-9.]+, bounds: \[[^\]]*\]\}", r"\1", text
    )


def test_attrition_runs_sample_the_equilibrium():
    # With the block fixed, each run's sampled end comes from the one equilibrium, so the
    # shares converge to the model's exact p_first (Abreu & Gul 2000, the attrition entry):
    # within 4 binomial standard errors at 4,000 runs.
    from realpolitik.scenario import bundled_path

    sc = loads(_fixed_attrition(bundled_path("moscow-1949").read_text()))
    assert not [u for u in uncertain_inputs(sc) if u.target == "other"]
    f = forecast(sc, ["compromise", "attrition"], runs=4000, seed=2)
    entry = f.to_json()["crises"][0]
    ens = entry["ensemble"]
    assert ens["runs"] == 4000 and list(ens["p_first"]) == entry["parties"]
    for party, p in entry["p_first"].items():
        assert abs(ens["p_first"][party] - p) < 4 * np.sqrt(p * (1 - p) / 4000)
    assert abs(ens["p_impasse"] - entry["p_impasse"]) < 4 * np.sqrt(0.05 * 0.95 / 4000)


def test_attrition_with_uncertain_block_is_chunk_invariant(moscow, tmp_path):
    pytest.importorskip("pyarrow")
    assert [u for u in uncertain_inputs(moscow) if u.target == "other"]  # the block's numbers
    reqs = resolve_models(moscow, ["compromise", "attrition"])
    a = run_ensemble(moscow, reqs, 40, seed=9, chunk_size=40)
    b = run_ensemble(moscow, reqs, 40, seed=9, chunk_size=3)
    np.testing.assert_array_equal(a.crises["attrition"]["day"], b.crises["attrition"]["day"])
    assert list(a.crises["attrition"]["conceded"]) == list(b.crises["attrition"]["conceded"])
    table = a.table()
    assert table.num_rows == 40 * (6 * 1 + 1)  # runs × (issues × issue models + the crisis)
    rows = [r for r in table.to_pylist() if r["model"] == "attrition"]
    assert [r["run"] for r in rows] == list(range(40)) and rows[0]["issue"] == "alliance"
    assert {r["conceded"] for r in rows} <= {"stalin", "mao", None}


def test_python_api_forecast_with_runs():
    import realpolitik

    f = realpolitik.forecast(realpolitik.load("moscow-1949"), models=["median"], runs=50, seed=8)
    g = realpolitik.forecast(realpolitik.load("moscow-1949"), models=["median"], runs=50, seed=8)
    assert f.to_json() == g.to_json() and f.ensemble.values["median"].shape == (50, 6)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=200))
def test_summary_invariants(values):
    # Percentiles are ordered and within the data; label shares are probabilities summing to 1.
    scale = Scale(min=0, max=100, anchors={0: "a", 30: "b", 100: "c"})
    s = summarise(np.array(values), scale)
    keys = ["p05", "p10", "p25", "value", "p75", "p90", "p95"]
    qs = [s[k] for k in keys]
    assert all(a <= b + 1e-9 for a, b in zip(qs, qs[1:], strict=False))
    assert min(values) - 1e-9 <= qs[0] and qs[-1] <= max(values) + 1e-9
    assert all(0 <= p <= 1 for p in s["labels"].values())
    assert sum(s["labels"].values()) == pytest.approx(1.0)
    # The Monte Carlo standard error of the mean, sd / sqrt(n) (sample sd, ddof = 1), by hand.
    n = len(values)
    if n > 1:
        mean = sum(values) / n
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
        assert s["mc_se"] == pytest.approx(sd / math.sqrt(n), rel=1e-9, abs=1e-12)


EVENTFUL = """\
name: eventful
time: {start: 2020-01-01}
actors:
  - {id: a, name: A, capability: 3}
  - {id: b, name: B, capability: 1}
  - {id: c, name: C, capability: 2}
issues:
  - id: i
    name: I
    unit: u
    scale: {min: 0, max: 100}
    positions: {a: 20, b: 90, c: 50}
    saliences: {a: 0.8, b: 0.9, c: 0.5}
events:
  - day: 1
    description: a shock of uncertain size
    set:
      issues.i.positions.b: {dist: uniform, low: 0, high: 100}
"""


def test_an_uncertain_event_size_reaches_dynamic_models_per_run():
    # The event's size is an input outside the issue arrays: each run rebuilds its scenario,
    # so the timeline applies that run's draw between eum's rounds (the timeline's round driver).
    sc = loads(EVENTFUL)
    (inp,) = uncertain_inputs(sc)
    assert inp.target == "other" and inp.name == "events.0.set.issues.i.positions.b"
    reqs = resolve_models(sc, ["eum", "compromise"])
    a = run_ensemble(sc, reqs, 12, seed=1, chunk_size=12)
    b = run_ensemble(sc, reqs, 12, seed=1, chunk_size=5)
    np.testing.assert_array_equal(a.values["eum"], b.values["eum"])
    assert len(set(a.values["eum"][:, 0])) > 1  # the shock's draw moves eum's forecast
    assert len(set(a.values["compromise"][:, 0])) == 1  # a static model never sees events


def test_out_without_uncertainty_writes_the_single_run(tmp_path, cli):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "one.parquet"
    res = cli("forecast", "emission-1994", "-m", "compromise", "-m", "median", "--out", str(out))
    assert res.code == 0, res.err
    table = pq.read_table(out)
    assert table.num_rows == 2 and table.column_names == ["run", "model", "issue", "value", "label"]
    meta = json.loads(table.schema.metadata[b"realpolitik"])
    assert meta["runs"] == 1 and meta["inputs"] == []
    # The recorded case (README): the compromise forecast of emission-1994 in its unit.
    js = cli("forecast", "emission-1994", "-m", "compromise", "--json").json()
    assert table.column("value")[0].as_py() == js["issues"][0]["forecasts"]["compromise"]["value"]


def test_every_batched_model_gives_the_bits_of_each_run_alone():
    # The contract of ModelSpec.batched (models/_registry.py): leading batch dimensions,
    # results independent of the batch. Checked on random inputs for every such model.
    from realpolitik.models import IssueInputs, RunContext, specs

    rng = np.random.default_rng(0)
    b, n, m = 9, 7, 4
    mask = rng.random((n, m)) < 0.8
    mask[:2] = True
    batch = IssueInputs(
        x=rng.uniform(0, 100, (b, n, m)),
        s=rng.uniform(0, 1, (b, n, m)),
        c=rng.uniform(0.1, 50, (b, n)),
        mask=mask,
        reference=rng.uniform(0, 100, (b, m)),
    )
    batched = [s for s in specs("issue") if s.batched]
    assert {"mean", "compromise", "median", "nbs"} <= {s.name for s in batched}
    for spec in batched:
        opts = spec.parse_options({})
        whole = np.asarray(spec.run(batch, opts, RunContext()).values)
        assert whole.shape == (b, m), spec.name
        for k in range(b):
            one = IssueInputs(
                x=batch.x[k], s=batch.s[k], c=batch.c[k], mask=mask, reference=batch.reference[k]
            )
            np.testing.assert_array_equal(spec.run(one, opts, RunContext()).values, whole[k])


def test_scenario_runs_key_is_the_default_number_of_runs(cli, tmp_path):
    # An optional scenario key `runs` sets the default number of runs (default 1);
    # --runs overrides it; a number below 1 is a located error.
    path = tmp_path / "two.yaml"
    path.write_text(TWO + "runs: 25\n")
    js = cli("forecast", path, "-m", "compromise", "--json", "--seed", "1").json()
    assert js["runs"] == 25 and js["issues"][0]["forecasts"]["compromise"]["runs"] == 25
    js = cli("forecast", path, "-m", "compromise", "--json", "--seed", "1", "--runs", "7").json()
    assert js["runs"] == 7
    path.write_text(TWO + "runs: 0\n")
    res = cli("validate", path)
    assert res.code == 2 and res.err.startswith(f"{path}:12:7: runs: got 0"), res.err


def _fail_first(plan: str, i: int) -> int:
    """A chunk that fails (i = 0) or takes 50 ms and leaves a mark in the directory ``plan``."""
    import time
    from pathlib import Path

    if i == 0:
        raise ValueError("chunk 0 fails")
    time.sleep(0.05)
    Path(plan, str(i)).touch()
    return i


def test_process_pool_drops_queued_chunks_once_one_fails(tmp_path):
    # One worker runs chunk 0 first (submission order), which fails: the 39 chunks behind it
    # are cancelled, so fewer than 39 leave a mark (the pool may already have handed a
    # couple to the worker's queue; concurrent.futures feeds it max_workers + 1 at a time).
    from realpolitik.ensemble.executors import ProcessExecutor

    with pytest.raises(ValueError, match="chunk 0 fails"):
        for _ in ProcessExecutor(1).map(_fail_first, str(tmp_path), [(i,) for i in range(40)]):
            pass
    assert len(list(tmp_path.iterdir())) < 39
