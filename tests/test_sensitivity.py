"""Sensitivity: SALib's Ishigami check through our code path; scenario drivers ranked."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("SALib")

from realpolitik.analysis.sensitivity import Factor, analyse  # noqa: E402
from realpolitik.api import load  # noqa: E402
from realpolitik.scenario.distributions import Uniform  # noqa: E402


def test_ishigami_sobol_indices():
    # Published values (Ishigami & Homma 1990; Saltelli et al. 2008, The Primer, §4.6):
    # S1 = 0.314, 0.442, 0.000 and ST = 0.558, 0.442, 0.244.
    factors = [Factor(f"x{i}", Uniform(low=-np.pi, high=np.pi)) for i in (1, 2, 3)]
    from SALib.test_functions import Ishigami  # sin x1 + 7 sin² x2 + 0.1 x3⁴ sin x1

    res = analyse(factors, Ishigami.evaluate, method="sobol", samples=4096, seed=1)
    assert res["evaluations"] == 4096 * 5  # N (k + 2)
    drivers = {d["input"]: d for d in res["outputs"][0]}
    s1 = [drivers[f"x{i}"]["S1"] for i in (1, 2, 3)]
    st = [drivers[f"x{i}"]["ST"] for i in (1, 2, 3)]
    assert s1 == pytest.approx([0.314, 0.442, 0.0], abs=0.02)
    assert st == pytest.approx([0.558, 0.442, 0.244], abs=0.02)
    assert [d["input"] for d in res["outputs"][0]] == ["x1", "x2", "x3"]  # ranked by ST
    for d in res["outputs"][0]:
        assert d["S1_conf"] > 0 and d["ST_conf"] > 0


def test_morris_finds_the_inert_input():
    # y = 10 x1 + x2 with x3 unused: μ*(x1) = 10·(range of x1 in quantile steps) > μ*(x2), μ*(x3) = 0.
    factors = [Factor(f"x{i}", Uniform(low=0, high=1)) for i in (1, 2, 3)]
    res = analyse(factors, lambda v: 10 * v[:, 0] + v[:, 1], method="morris", samples=20, seed=2)
    ranked = res["outputs"][0]
    assert [d["input"] for d in ranked] == ["x1", "x2", "x3"]
    # Linear in u' = 0.025 + 0.95 u: each elementary effect is exactly 0.95·coefficient.
    assert ranked[0]["mu_star"] == pytest.approx(9.5) and ranked[0]["sigma"] == pytest.approx(0)
    assert ranked[1]["mu_star"] == pytest.approx(0.95) and ranked[2]["mu_star"] == 0


def test_moscow_drivers_ranked_per_issue(cli):
    res = cli(
        "sensitivity", "moscow-1949", "--json", "--samples", "64", "--seed", "3", "-m", "compromise"
    )
    assert res.code == 0, res.err
    out = res.json()
    sc = load("moscow-1949")
    from realpolitik.ensemble import uncertain_inputs

    assert out["method"] == "sobol" and out["samples"] == 64
    assert out["inputs"] == len(uncertain_inputs(sc))
    assert [(i["id"], i["model"]) for i in out["issues"]] == [
        (j, "compromise") for j in sc.issue_ids
    ]
    for issue in out["issues"]:
        st = [d["ST"] for d in issue["drivers"]]
        assert st == sorted(st, reverse=True)
        assert set(issue["drivers"][0]) == {"input", "S1", "S1_conf", "ST", "ST_conf"}
        # An input on another issue cannot move a static model's forecast on this one.
        top = issue["drivers"][0]["input"]
        assert top.startswith(f"issues.{issue['id']}.") or top.startswith("actors.")


def test_morris_cli_keys(cli):
    res = cli(
        "sensitivity",
        "moscow-1949",
        "--json",
        "--method",
        "morris",
        "--samples",
        "4",
        "--seed",
        "1",
        "-m",
        "median",
    )
    assert res.code == 0, res.err
    d = res.json()["issues"][0]["drivers"][0]
    assert set(d) == {"input", "mu_star", "mu_star_conf", "sigma"}


def test_no_uncertainty_is_an_input_error(cli):
    res = cli("sensitivity", "emission-1994", "--json")
    assert res.code == 2 and "has no uncertain inputs" in res.err
