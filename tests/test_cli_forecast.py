"""`realpolitik forecast`, `validate` and `models` on the bundled scenarios."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import EMISSION_CSV

from realpolitik.api import load
from realpolitik.models import names, specs
from realpolitik.scenario import bundled


def test_bundled_scenarios_load():
    assert {"moscow-1949", "emission-1994"} <= set(bundled())
    for name in bundled():
        load(name)


def test_forecast_json_shape_default_scenario(cli):
    res = cli("forecast", "--json")
    assert res.code == 0, res.err
    out = res.json()
    sc = load("moscow-1949")
    assert out["scenario"] == "moscow-1949"
    assert out["models"] == [m for m in out["models"] if m in names()]
    issue_models = [m for m in out["models"] if m in names("issue")]
    # moscow-1949 lists no models, so every default issue model runs: the four
    # static ones, and eum, which joins the default set; smp runs only when named.
    assert issue_models == [s.name for s in specs("issue") if s.default]
    assert {"mean", "compromise", "median", "nbs", "eum"} <= set(issue_models)
    assert "smp" not in issue_models
    assert [i["id"] for i in out["issues"]] == list(sc.issue_ids)
    for issue in out["issues"]:
        assert set(issue) >= {"id", "name", "unit", "outcome", "forecasts"}
        assert issue["outcome"] == sc.recorded(issue["id"])
        assert set(issue["forecasts"]) == set(issue_models)
        scale = sc.issue(issue["id"]).scale
        for f in issue["forecasts"].values():
            assert scale.min <= f["value"] <= scale.max


def test_emission_compromise_json(cli):
    # The capability x salience weighted mean of tests/data/bdm/emission_1994.csv,
    # computed here from the file itself (salience /100).
    rows = [line.split(",") for line in EMISSION_CSV.strip().splitlines()[1:]]  # tests/data
    c = np.array([float(r[1]) for r in rows])
    x = np.array([float(r[2]) for r in rows])
    s = np.array([float(r[3]) for r in rows]) / 100
    res = cli("forecast", "emission-1994", "--model", "compromise", "--json")
    assert res.code == 0, res.err
    out = res.json()
    assert out["models"] == ["compromise"]
    value = out["issues"][0]["forecasts"]["compromise"]["value"]
    assert value == pytest.approx(np.sum(c * s * x) / np.sum(c * s), abs=1e-12)
    assert out["issues"][0]["outcome"] == 8.83


def test_forecast_table(cli):
    res = cli("forecast")
    assert res.code == 0, res.err
    for text in ("Form of the alliance", "compromise", "recorded", "new treaty of alliance"):
        assert text in res.out


def test_models_lists_every_model(cli):
    res = cli("models", "--json")
    assert res.code == 0
    listed = {m["name"]: m for m in res.json()["models"]}
    assert set(listed) == set(names())
    assert listed["median"]["options"] == {"tie": "lower"}
    assert all(m["citation"] for m in listed.values())


def test_model_options_on_command_line(cli):
    res = cli("forecast", "emission-1994", "--model", "median:tie=upper", "--json")
    assert res.code == 0, res.err
    # Weighted median of the emission case (see test_static_models): 7 years.
    assert res.json()["issues"][0]["forecasts"]["median"]["value"] == 7.0


def test_python_module_entry_point():
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "realpolitik", "--help"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "forecast" in proc.stdout


def test_moscow_every_estimate_has_its_basis():
    # History without hindsight needs a stated basis: every position, salience and capability of moscow-1949 carries a one-line
    # comment with its historical basis (on its line, or on the comment line just above it).
    from importlib.resources import files

    text = files("realpolitik").joinpath("scenarios/moscow-1949.yaml").read_text("utf-8")
    lines = text.splitlines()
    block, bare = None, []
    for k, line in enumerate(lines):
        if line.strip() in ("positions:", "saliences:"):
            block = line.strip()
            continue
        if re.match(r"    \S", line):
            block = None
        estimate = (block and re.match(r"      \w+: \S", line)) or re.match(
            r"\s+capability: \S", line
        )
        if estimate and "#" not in line and not lines[k - 1].lstrip().startswith("#"):
            bare.append(f"{k + 1}: {line.strip()}")
    assert not bare, bare
    assert text.count("capability:") == len(load("moscow-1949").actors)


@pytest.mark.parametrize(
    "args",
    [
        ("forecast", "moscow-1949", "-m", "compromise", "--runs", "5"),
        ("sensitivity", "moscow-1949", "-m", "compromise"),
        ("airlift", "berlin-1948"),
        ("backtest", "cases", "-m", "compromise"),
        ("backtest", "deu", "-m", "compromise"),
    ],
)
def test_a_negative_seed_is_refused_before_any_work(cli, args):
    # numpy's SeedSequence takes non-negative integers only (its documented entropy domain):
    # --seed -1 is a usage error (exit 2), not numpy's ValueError traceback.
    res = cli(*args, "--seed", "-1")
    assert res.code == 2 and "Traceback" not in res.err and res.out == "", res.err
    assert "--seed" in res.err
