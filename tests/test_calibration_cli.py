"""The calibrated record on the command line: backtest scores, calibrate, fit, forecast."""

from __future__ import annotations

import json

import numpy as np
import pytest

from realpolitik.analysis.calibration import BASIS
from realpolitik.scenario.importers.deu import bundled_data_path

PROB_KEYS = ("coverage50", "coverage80", "coverage90", "interval_score80", "crps")


@pytest.fixture(scope="module")
def deu_json():
    import contextlib
    import io

    from realpolitik.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["backtest", "deu", "--json", "-m", "compromise", "-m", "choice"]) == 0
    return json.loads(buf.getvalue())


def test_backtest_deu_scores_every_model_out_of_sample(deu_json):
    for name in ("compromise", "choice"):
        s = deu_json["models"][name]
        for key in PROB_KEYS:
            assert s[key] is not None and len(s[f"{key}_ci95"]) == 2
            lo, hi = s[f"{key}_ci95"]
            assert lo <= s[key] <= hi
        assert "grouped 10-fold CV by proposal" in s["scored_by"]
        # the calibrated 80% intervals cover 75-85% of the dev split under the grouped CV
        assert 0.75 <= s["coverage80"] <= 0.85
        assert s["coverage50"] < s["coverage80"] < s["coverage90"]
    assert "coefficients and calibration refit" in deu_json["models"]["choice"]["scored_by"]
    assert deu_json["models"]["choice"]["log_score"] > 0
    assert deu_json["models"]["compromise"]["log_score"] is None
    assert BASIS in deu_json["calibration"]


def test_predictions_gain_intervals_and_crps(cli, tmp_path):
    out = tmp_path / "p.csv"
    assert cli("backtest", "deu", "-m", "compromise", "--predictions", out).code == 0
    import csv

    rows = list(csv.DictReader(out.open()))
    cols = ("lo50", "hi50", "lo80", "hi80", "lo90", "hi90", "crps")
    assert all(f"compromise_{c}" in rows[0] for c in cols)
    r = rows[0]
    assert float(r["compromise_lo90"]) <= float(r["compromise_lo80"]) <= float(r["compromise_lo50"])
    assert float(r["compromise_hi50"]) <= float(r["compromise_hi80"]) <= float(r["compromise_hi90"])


def _other_file(tmp_path, rename: bool = False):
    """A DEU-format file other than the dev split: its first 60 issues mirrored (v → 100 − v),
    so the fingerprint differs (a mechanism check: these issues are not new to the fit);
    ``rename`` gives their proposals new ids, as a file of other proposals would have."""
    lines = bundled_data_path().read_text().splitlines()
    head = lines[0].split("\t")
    names = [h.strip('"') for h in head]
    cols = [
        i
        for i, h in enumerate(names)
        if (h[0] in "p" and h not in ("prnrnmc", "prnr", "prname", "proc", "proccde"))
        or h in ("rp", "out")
    ]
    out = lines[:2]
    for line in lines[2:62]:
        cells = line.split("\t")
        for i in cols:
            v = cells[i].strip('"')
            if v:
                cells[i] = str(100 - float(v))
        if rename:
            k = names.index("prnr")
            cells[k] = '"new' + cells[k].strip('"') + '"'
        out.append("\t".join(cells))
    path = tmp_path / ("renamed.tsv" if rename else "other.tsv")
    path.write_text("\n".join(out) + "\n")
    return path


def test_backtest_other_file_scores_directly_with_the_bundled_fit(cli, tmp_path):
    other = _other_file(tmp_path)
    r = cli("backtest", "deu", "--data", other, "--json", "-m", "compromise", "-m", "choice")
    assert r.code == 0, r.err
    out = r.json()
    for name in ("compromise", "choice"):
        assert out["models"][name]["scored_by"].startswith("scored directly (out of sample)")
    # directly: choice's forecasts are the bundled coefficients' on every issue
    from realpolitik.analysis.fitting import deu_issues
    from realpolitik.models import choice as ch
    from realpolitik.scenario.importers.deu import (
        bundled_capabilities_path,
        read_capabilities,
        read_deu,
    )

    iss = deu_issues(read_deu(other), read_capabilities(bundled_capabilities_path()))
    coef = ch.load_coefficients()
    med = [
        ch.mixture_median(a.values, ch.probabilities(a, coef))
        for a in (ch.alternatives(i)[0] for i in iss.inputs)
    ]
    assert out["models"]["choice"]["mae"] == pytest.approx(
        np.mean(np.abs(np.array(med) - iss.outcomes))
    )
    # these proposals are the fit's own: the backtest says its scores are not out of sample
    overlap = [n for n in out["notes"] if "not out of sample" in n]
    assert len(overlap) == 2 and all(n.startswith(f"{len(iss.outcomes)} of the") for n in overlap)
    renamed = _other_file(tmp_path, rename=True)
    r = cli("backtest", "deu", "--data", renamed, "--json", "-m", "compromise", "-m", "choice")
    assert r.code == 0, r.err
    assert not [n for n in r.json()["notes"] if "not out of sample" in n]


def test_calibrate_fit_and_use_the_files(cli, tmp_path):
    table, coef = tmp_path / "t.json", tmp_path / "c.json"
    assert cli("calibrate", "--out", table, "-m", "compromise").code == 0
    doc = json.loads(table.read_text())
    assert doc["kind"] == "realpolitik calibration" and "compromise" in doc["models"]
    assert cli("fit", "choice", "--out", coef).code == 0
    assert set(json.loads(coef.read_text())["coefficients"]) == {
        "compromise",
        "share",
        "distance",
        "commission",
        "parliament",
        "reference",
        "extreme",
    }
    r = cli(
        "backtest", "deu", "--json", "-m", f"choice:coefficients={coef}", "--calibration", table
    )
    assert r.code == 0, r.err
    # both fitted on the dev split: cross-validated, never in-sample
    assert "coefficients and calibration refit" in r.json()["models"]["choice"]["scored_by"]
    f = cli("forecast", "moscow-1949", "--json", "--calibration", table, "-m", "compromise")
    assert f.code == 0, f.err
    assert f.json()["calibration"]["table"] == str(table)


def test_forecast_prints_and_marks_calibrated_intervals(cli):
    r = cli(
        "forecast", "moscow-1949", "--json", "-m", "compromise", "-m", "choice", "-m", "attrition"
    )
    out = r.json()
    e = out["issues"][0]["forecasts"]["compromise"]
    assert e["intervals"] == "calibrated" and e["p10"] < e["value"] < e["p90"]
    assert sum(out["issues"][0]["forecasts"]["choice"]["labels"].values()) == pytest.approx(1.0)
    assert out["calibration"]["basis"] == BASIS
    assert "no track record" in out["calibration"]["not_calibrated"]["attrition"]
    t = cli("forecast", "moscow-1949", "-m", "compromise")
    assert "80% interval" in t.out and "coverage on other kinds of negotiation" in t.out
    i = cli("forecast", "moscow-1949", "--json", "-m", "compromise", "--intervals", "inputs")
    assert "p10" not in i.json()["issues"][0]["forecasts"]["compromise"]  # one run: no spread


def test_calibrated_ensemble_is_seeded(cli):
    args = ("forecast", "moscow-1949", "--json", "-m", "compromise", "-m", "choice", "--runs", "40")
    a = cli(*args, "--seed", "5").json()
    b = cli(*args, "--seed", "5").json()
    c = cli(*args, "--seed", "6").json()
    assert a == b and a != c
    ci = cli(*args, "--seed", "5", "--intervals", "inputs").json()
    e, ei = a["issues"][0]["forecasts"]["compromise"], ci["issues"][0]["forecasts"]["compromise"]
    assert e["p90"] - e["p10"] > ei["p90"] - ei["p10"]  # the model's error widens the interval


def test_bad_inputs_are_one_located_line(cli, tmp_path):
    r = cli("forecast", "moscow-1949", "--intervals", "both")
    assert r.code == 2 and "--intervals" in r.err and len(r.err.strip().splitlines()) == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "something else"}')
    r = cli("forecast", "moscow-1949", "--calibration", bad)
    assert r.code == 2 and r.err.startswith(f"{bad}: kind:")
    r = cli("backtest", "deu", "-m", f"choice:coefficients={bad}")
    assert r.code == 2 and "choice.coefficients" in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_backtest_cases_has_the_same_scores(cli):
    out = cli("backtest", "cases", "--json", "-m", "compromise", "-m", "choice").json()
    for name in ("compromise", "choice"):
        assert all(out["models"][name][k] is not None for k in PROB_KEYS)
    assert out["models"]["choice"]["log_score"] is not None
    assert BASIS in out["calibration"]
