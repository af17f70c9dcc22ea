"""The Python API (docs/api.md): one code path with the command line, frozen results, values
by issue id or index, the single run and the ensemble kept apart, typed crisis results."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

import realpolitik
from realpolitik.errors import InputError


def _same_as_cli(cli, args: list[str], **api) -> None:
    res = cli("forecast", *args, "--json")
    assert res.code == 0, res.err
    f = realpolitik.forecast(**api)
    want = json.loads(json.dumps(f.to_json(), allow_nan=False))
    assert res.json() == want


def test_cli_json_equals_forecast_to_json_single_run(cli):
    _same_as_cli(
        cli,
        ["moscow-1949", "--model", "eum:rounds=8", "--model", "compromise", "--seed", "3"],
        scenario="moscow-1949", models={"eum": {"rounds": 8}, "compromise": {}}, seed=3,
    )  # fmt: skip


def test_cli_json_equals_forecast_to_json_ensemble_and_crisis(cli):
    _same_as_cli(
        cli,
        ["moscow-1949", "-m", "median", "-m", "attrition", "--runs", "30", "--seed", "5"],
        scenario="moscow-1949", models=["median", "attrition"], runs=30, seed=5,
    )  # fmt: skip


def test_models_as_mapping_equal_models_as_cli_strings():
    a = realpolitik.forecast("moscow-1949", models={"eum": {"rounds": 4}}, seed=1)
    b = realpolitik.forecast("moscow-1949", models=["eum:rounds=4"], seed=1)
    assert a.to_json() == b.to_json()
    assert a.models[0].options.rounds == 4


def test_forecast_is_frozen_and_its_repr_short():
    f = realpolitik.forecast("moscow-1949", runs=20, seed=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.ensemble = None  # type: ignore[misc]
    assert len(repr(f)) <= 600
    assert "runs=20, seed=2" in repr(f)
    html = f._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 1 + 6 + len(f.crises)


def test_single_run_and_ensemble_are_kept_apart():
    single = realpolitik.forecast("moscow-1949", models={"compromise": {}}, seed=4)
    ens = realpolitik.forecast("moscow-1949", models={"compromise": {}}, runs=25, seed=4)
    # The single run is the same with or without the runs.
    np.testing.assert_array_equal(
        ens.issue_results["compromise"].values, single.issue_results["compromise"].values
    )
    sc = ens.scenario
    for j, issue in enumerate(sc.issues):
        runs = ens.ensemble.values["compromise"][:, j]
        # The ensemble's value: the median of the runs, in the issue's unit (computed here).
        want = issue.scale.min + np.median(runs) * (issue.scale.max - issue.scale.min) / 100.0
        assert ens.value("compromise", issue.id) == pytest.approx(want, rel=1e-12, abs=1e-12)
        assert ens.run_value("compromise", j) == single.value("compromise", j)


def test_value_by_id_or_index_in_the_issues_unit():
    f = realpolitik.forecast("moscow-1949", models={"mean": {}})
    sc = f.scenario
    for j, issue in enumerate(sc.issues):
        # The unweighted mean of the positions, in the issue's own unit (Scale is affine).
        want = float(np.mean(list(issue.positions.values())))
        assert f.value("mean", issue.id) == pytest.approx(want)
        assert f.value("mean", j) == f.value("mean", issue.id)
    with pytest.raises(InputError, match="issue: got 'nowhere'"):
        f.value("mean", "nowhere")
    with pytest.raises(InputError, match="model: got 'eum'"):
        f.value("eum", 0)


def test_to_frame_long_format():
    pd = pytest.importorskip("pandas")
    f = realpolitik.forecast("moscow-1949", models={"median": {}}, runs=10, seed=1)
    df = f.to_frame()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["issue", "model", "statistic", "value", "unit"]
    values = df[df.statistic == "value"].set_index("issue")["value"]
    for issue in f.scenario.issues:
        assert values[issue.id] == f.to_json()["issues"][f.scenario.issue_ids.index(issue.id)][
            "forecasts"]["median"]["value"]  # fmt: skip
        assert set(df[df.issue == issue.id].unit) == {issue.unit}


def test_to_frame_without_pandas_names_the_extra(monkeypatch):
    f = realpolitik.forecast("moscow-1949", models={"mean": {}})
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    with pytest.raises(InputError, match=r"realpolitik\[frame\]"):
        f.to_frame()


def test_typed_crisis_result():
    f = realpolitik.forecast("moscow-1949", models={"attrition": {}}, runs=50, seed=9)
    c = f.crisis("attrition")
    entry = f.to_json()["crises"][0]
    assert c.parties == ("stalin", "mao") and c.who_first == entry["p_first"]
    assert c.end_day.median == entry["end_day"]["median"]
    assert c.runs.runs == 50 and sum(c.runs.who_first.values()) + c.runs.p_impasse == 1.0
    # Survival is one minus the end's CDF, non-increasing from day 0.
    p = np.array(c.survival.probability)
    assert c.survival.days[0] == 0.0 and np.all(np.diff(p) <= 1e-12)
    with pytest.raises(InputError, match="crisis model"):
        f.crisis("rubinstein")


def test_forecast_of_an_id_a_path_and_a_bad_argument(tmp_path):
    from realpolitik.scenario import bundled_path

    by_id = realpolitik.forecast("moscow-1949", models={"mean": {}}).to_json()
    by_path = realpolitik.forecast(bundled_path("moscow-1949"), models={"mean": {}}).to_json()
    assert by_id == by_path
    with pytest.raises(InputError, match="no such file or bundled scenario"):
        realpolitik.forecast("no-such-scenario")
    with pytest.raises(InputError, match="expected a Scenario"):
        realpolitik.forecast(42)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="^models: got 'nope'; expected one of: mean"):
        realpolitik.forecast("moscow-1949", models={"nope": {}})


def test_what_if_and_replace_are_checked_copies():
    sc = realpolitik.load("moscow-1949")
    keen = sc.what_if({"issues.dalian.saliences.stalin": 0.9})
    assert keen.issue("dalian").saliences["stalin"] == 0.9
    assert keen.model_dump(exclude={"issues"}) == sc.model_dump(exclude={"issues"})
    with pytest.raises(InputError, match="expected a salience between 0 and 1"):
        sc.what_if({"issues.dalian.saliences.stalin": 1.5})
    with pytest.raises(InputError, match="no key 'nobody'"):
        sc.what_if({"issues.dalian.positions.nobody": 1})
    assert sc.replace(runs=7).runs == 7
    with pytest.raises(InputError, match="models.0"):
        sc.replace(models=["nope"])
    # A number set by a what-if is no longer uncertain.
    u = sc.distributions[0]
    fixed = sc.what_if({u.name: _at(sc, u.path)})
    assert u.path not in [d.path for d in fixed.distributions]
    assert len(fixed.distributions) == len(sc.distributions) - 1


def _at(sc, path):
    node = sc.model_dump()
    for key in path:
        node = node[key]
    return node


def test_from_yaml_checks_like_load():
    sc = realpolitik.load("moscow-1949")
    again = realpolitik.Scenario.from_yaml(sc.source.text, file=sc.source.file)
    assert again.model_dump() == sc.model_dump()
    # The model names are checked by the models layer's registered check.
    with pytest.raises(InputError, match=r"^<string>:\d+:\d+: models.0: got 'nope'"):
        realpolitik.Scenario.from_yaml(sc.source.text + "\nmodels: [nope]\n")


def test_models_records_and_lazy_exports():
    records = realpolitik.models()
    assert [r["name"] for r in records][:3] == ["mean", "compromise", "median"]
    assert {"name", "kind", "summary", "citation", "options", "default"} <= set(records[0])
    assert realpolitik.models.get("eum").name == "eum"  # still the package
    code = "import realpolitik, sys; print(sorted(m for m in sys.modules if m.startswith('realpolitik')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['realpolitik']"
    for name in ("load", "forecast", "Forecast", "Scenario", "InputError", "sensitivity",
                 "backtest_deu", "airlift", "models"):  # fmt: skip
        assert callable(getattr(realpolitik, name)), name


def test_report_writes_the_same_files_as_the_cli(tmp_path, cli):
    pytest.importorskip("jinja2")
    pytest.importorskip("matplotlib")
    f = realpolitik.forecast("moscow-1949", models={"compromise": {}}, seed=1)
    path = f.report(tmp_path / "api", track=False)
    assert path == tmp_path / "api" / "report.html" and path.is_file()
    assert (tmp_path / "api" / "report.md").is_file()
    text = path.read_text(encoding="utf-8")
    assert f.scenario.name in text


def test_sensitivity_api_equals_the_cli(cli):
    pytest.importorskip("SALib")
    args = ["moscow-1949", "--method", "morris", "--samples", "4", "--seed", "3"]
    res = cli("sensitivity", *args, "--model", "compromise", "--json")
    assert res.code == 0, res.err
    out = realpolitik.sensitivity(
        "moscow-1949", {"compromise": {}}, method="morris", samples=4, seed=3
    )
    assert res.json() == json.loads(json.dumps(out))


def test_airlift_api_equals_the_cli(cli):
    from realpolitik.models.airlift import summary

    res = cli("airlift", "berlin-1948", "--seed", "2", "--json")
    assert res.code == 0, res.err
    run = realpolitik.airlift("berlin-1948", seed=2)
    assert res.json() == json.loads(json.dumps(summary(run, "berlin-1948")))
