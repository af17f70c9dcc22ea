"""``realpolitik backtest crises``: the scores against closed forms, the JSON's shape, skips.

Expected values are computed here, independently of the module under test: the Brier and
log scores of stated probabilities by hand, the CRPS of point masses and two-atom laws on
x = ln(1 + day) by their integrals written out, and an attrition case from the closed forms
of Abreu & Gul (2000) with constant costs (docs/specs/attrition.md, "Equilibrium").
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from realpolitik.analysis.crises_backtest import (
    LOG_FLOOR,
    EndForecast,
    Recorded,
    backtest_crises,
    brier_score,
    crps_log_day,
    end_forecast,
    interval80,
    log_score,
    score_forecast,
)
from realpolitik.scenario import loads

# -- the scores ----------------------------------------------------------------------------


def test_brier_and_log_score_of_stated_probabilities():
    probs = {"a": 0.7, "b": 0.2, "": 0.1}
    # (0.7 - 1)^2 + 0.2^2 + 0.1^2 = 0.09 + 0.04 + 0.01
    assert brier_score(probs, "a") == pytest.approx(0.14, abs=1e-15)
    # no end happened: 0.7^2 + 0.2^2 + 0.9^2 = 0.49 + 0.04 + 0.81
    assert brier_score(probs, "") == pytest.approx(1.34, abs=1e-15)
    assert log_score(probs, "b") == pytest.approx(math.log(0.2), abs=1e-15)
    # a certain miss is floored, not -inf
    assert log_score({"a": 1.0, "b": 0.0}, "b") == pytest.approx(math.log(LOG_FLOOR))


def _point_mass(m: int, horizon: int) -> np.ndarray:
    return (np.arange(horizon + 1) >= m).astype(float)


@pytest.mark.parametrize(("m", "d"), [(7, 3), (3, 7), (0, 10), (5, 5)])
def test_crps_of_a_point_mass_is_the_distance_on_the_log_scale(m, d):
    # F jumps from 0 to 1 at ln(1+m): the integral of (F - 1{x >= y})^2 is |ln(1+m) - ln(1+d)|.
    assert crps_log_day(_point_mass(m, 20), d) == pytest.approx(
        abs(math.log1p(m) - math.log1p(d)), abs=1e-12
    )


def test_crps_of_two_atoms_between_them():
    # Mass p on day a, 1 - p on day b, recorded day d in between: F = p on [xa, xb), so the
    # integral is p^2 (y - xa) + (1 - p)^2 (xb - y), with x = ln(1 + day).
    p, a, b, d = 0.3, 2, 40, 9
    cdf = np.zeros(61)
    cdf[a:] = p
    cdf[b:] = 1.0
    xa, xb, y = math.log1p(a), math.log1p(b), math.log1p(d)
    expected = p**2 * (y - xa) + (1 - p) ** 2 * (xb - y)
    assert crps_log_day(cdf, d) == pytest.approx(expected, abs=1e-12)


def test_crps_places_no_end_at_the_horizon_plus_one():
    horizon = 30
    never = np.zeros(horizon + 1)  # no end by the horizon, for sure
    # F = 0 up to ln(1 + H + 1), then 1: the integral from y to ln(H + 2) of 1.
    assert crps_log_day(never, 4) == pytest.approx(math.log(horizon + 2) - math.log(5), abs=1e-12)
    # a recorded day after the horizon counts as H + 1: a perfect forecast
    assert crps_log_day(never, 500) == pytest.approx(0.0, abs=1e-12)


def test_crps_with_a_recorded_day_between_whole_days():
    # all mass on day 0 and a recorded day of 2.5: the integral from 0 to ln(3.5) of 1
    assert crps_log_day(_point_mass(0, 10), 2.5) == pytest.approx(math.log(3.5), abs=1e-12)


def test_interval80_counts_no_end_as_the_horizon_plus_one():
    cdf = np.array([0.05, 0.1, 0.5, 0.89, 0.95])
    assert interval80(cdf) == (1, 4)
    assert interval80(np.zeros(5)) == (5, 5)
    assert interval80(np.array([0.2, 0.3])) == (0, 2)


def _fc(p_a: float, p_b: float, cdf: np.ndarray) -> EndForecast:
    return EndForecast(("a", "b"), {"a": p_a, "b": p_b}, 1 - p_a - p_b, cdf)


def test_score_of_a_forecast_against_the_record():
    cdf = np.array([0.0, 0.5, 0.6, 0.9])
    fc = _fc(0.6, 0.3, cdf)
    got = score_forecast(fc, Recorded("b", 2))
    assert got["log_score"] == pytest.approx(math.log(0.3))
    assert got["brier"] == pytest.approx(0.6**2 + 0.7**2 + 0.1**2)
    assert got["in80"] is True  # (q10, q90) = (1, 3)
    assert set(got) == {"log_score", "brier", "crps", "in80"}
    # mutual: the end day only
    mutual = score_forecast(fc, Recorded("mutual", 2))
    assert mutual["log_score"] is None and mutual["brier"] is None
    assert mutual["crps"] == pytest.approx(got["crps"])
    # recorded after the horizon: the outcome "no end by H", day H + 1 = 4
    late = score_forecast(fc, Recorded("a", 10))
    assert late["log_score"] == pytest.approx(math.log(0.1))
    assert late["in80"] is False


def test_an_entry_without_the_end_distribution_is_refused():
    with pytest.raises(ValueError, match="end-day distribution"):
        end_forecast({"parties": ["a", "b"], "p_first": {"a": 0.5, "b": 0.5}})
    bad = {"parties": ["a", "b"], "p_first": {"a": 0.5, "b": 0.5}, "trace": {"end_cdf": [0.2]}}
    with pytest.raises(ValueError, match="do not sum to 1"):
        end_forecast(bad)


# -- an attrition case from closed forms -------------------------------------------------------

CASE = """
name: tiny
time: {start: 2000-01-01, end: 2000-03-01}
actors:
  - {id: a, name: A, capability: 1}
  - {id: b, name: B, capability: 1}
issues:
  - id: x
    name: X
    unit: points
    scale: {min: 0, max: 100}
    positions: {a: 0, b: 100}
    saliences: {a: 1, b: 1}
attrition:
  issue: x
  parties: [a, b]
  horizon: 20
  demand: {a: 0.9, b: 0.9}
  obstinacy: {a: 0.2, b: 0.25}
  discount: {a: 0.004, b: 0.01}
  cost: {a: 0.003, b: 0.003}
outcome:
  source: invented for the test
  attrition: {conceded: a, day: 10}
"""


def test_attrition_scores_match_the_closed_form():
    """Abreu & Gul with constant costs: λ_a = (r_b(1-α_a) + k_b)/(α_a+α_b-1) = 0.005,
    λ_b = (r_a(1-α_b) + k_a)/0.8 = 0.00425; T_i = -ln z_i / λ_i; the weaker party (larger T,
    here b) concedes at once with p0 = 1 - z_b exp(λ_b T), T = min T_i = T_a. Before T,
    S_a(t)S_b(t) = (1-p0) exp(-(λ_a+λ_b) t), so P(a first by H) = (1-p0)
    λ_a/(λ_a+λ_b)(1 - exp(-(λ_a+λ_b) H)), b's adds p0, and F(d) = 1 - (1-p0) e^(-(λ_a+λ_b) d)."""
    la, lb = (0.01 * 0.1 + 0.003) / 0.8, (0.004 * 0.1 + 0.003) / 0.8
    ta, tb = -math.log(0.2) / la, -math.log(0.25) / lb
    assert tb > ta  # b is the weaker party: it concedes at once with p0
    t = ta
    p0 = 1 - 0.25 * math.exp(lb * t)
    h, lam = 20, la + lb
    assert h < t
    p_a = (1 - p0) * la / lam * (1 - math.exp(-lam * h))
    p_b = p0 + (1 - p0) * lb / lam * (1 - math.exp(-lam * h))
    p_none = 1 - p_a - p_b
    days = np.arange(h + 1)
    cdf = 1 - (1 - p0) * np.exp(-lam * days)
    # The CRPS by a fine midpoint rule on x = ln(1 + day), written out here.
    y = math.log1p(10)
    x = np.linspace(0, math.log(h + 2), 400_001)
    mid = (x[:-1] + x[1:]) / 2
    day_of = np.floor(np.expm1(mid) + 1e-12).astype(int)
    f = np.where(day_of <= h, cdf[np.minimum(day_of, h)], 1.0)
    crps = float(np.sum((f - (mid >= y)) ** 2 * np.diff(x)))

    result = backtest_crises([("tiny", loads(CASE))], ["attrition"], seed=0, resamples=50)
    s = result.cases[0].scores["attrition"]
    assert s["log_score"] == pytest.approx(math.log(p_a), abs=1e-9)
    assert s["brier"] == pytest.approx((p_a - 1) ** 2 + p_b**2 + p_none**2, abs=1e-9)
    assert s["crps"] == pytest.approx(crps, abs=1e-5)
    q10 = int(np.argmax(cdf >= 0.1))
    assert s["in80"] is (q10 <= 10)  # q90 is the no-end day H + 1 here
    assert result.cases[0].development is False


# -- JSON shape, skips, CLI --------------------------------------------------------------------


def test_json_shape_and_a_skip_reason():
    result = backtest_crises(
        [("tiny", loads(CASE)), ("tiny-2", loads(CASE))], ["attrition", "learning"], resamples=50
    )
    js = result.to_json()
    assert set(js) == {"cases", "models"}
    case = js["cases"][0]
    assert set(case) == {"id", "development", "recorded", "scores"}
    assert case["recorded"] == {"conceded": "a", "day": 10}
    assert set(case["scores"]["attrition"]) == {"log_score", "brier", "crps", "in80"}
    assert case["scores"]["learning"] == {"skipped": "the scenario has no `learning` block"}
    att = js["models"]["attrition"]
    assert set(att) == {"n", "log_score", "brier", "crps", "coverage80", "ci"}
    assert att["n"] == 2 and set(att["ci"]) == {"log_score", "brier", "crps", "coverage80"}
    # two identical cases: every resample has the same mean
    assert att["ci"]["crps"] == pytest.approx([att["crps"], att["crps"]])
    assert js["models"]["learning"]["n"] == 0 and js["models"]["learning"]["log_score"] is None


def test_development_cases_are_marked_and_left_out_of_the_means():
    sc = loads(CASE)
    result = backtest_crises([("moscow-1949", sc), ("tiny", sc)], ["attrition"], resamples=20)
    assert [c.development for c in result.cases] == [True, False]
    assert result.models["attrition"]["n"] == 1


def test_bootstrap_is_seeded():
    cases = [("one", loads(CASE)), ("two", loads(CASE.replace("day: 10", "day: 3")))]
    a = backtest_crises(cases, ["attrition"], seed=5, resamples=200).to_json()
    b = backtest_crises(cases, ["attrition"], seed=5, resamples=200).to_json()
    assert a == b


def test_cli_json_on_one_case(cli):
    res = cli("backtest", "crises", "--case", "case-cuba-1962", "--json", "--resamples", "50")
    assert res.code == 0, res.err
    js = res.json()
    assert [c["id"] for c in js["cases"]] == ["case-cuba-1962"]
    assert js["cases"][0]["recorded"] == {"conceded": "ussr", "day": 6}
    assert {"attrition", "learning"} <= set(js["models"])
    assert js["cases"][0]["scores"]["rubinstein"]["skipped"]


def test_cli_table_names_the_scores(cli):
    res = cli("backtest", "crises", "--case", "case-shutdown-2013", "--resamples", "20")
    assert res.code == 0, res.err
    assert "case-shutdown-2013" in res.out and "CRPS" in res.out and "learning" in res.out


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (("--model", "compromise"), "--model: got 'compromise'; expected a crisis model"),
        (("--model", "nosuch"), "--model: got 'nosuch'"),
        (("--case", "emission-1994"), "--case: got 'emission-1994'; expected a scenario whose"),
    ],
)
def test_cli_bad_input_is_one_located_line(cli, args, where):
    res = cli("backtest", "crises", *args)
    assert res.code == 2
    assert where in res.err and "Traceback" not in res.err


def test_cli_report_shows_the_crisis_track_record(cli, tmp_path):
    out = tmp_path / "rep"
    res = cli(
        "backtest", "crises", "--case", "case-cuba-1962", "--model", "attrition",
        "--resamples", "20", "--report", str(out),
    )  # fmt: skip
    assert res.code == 0, res.err
    md = (out / "report.md").read_text()
    assert "Who gave way, and when" in md and "case-cuba-1962" in md


def test_readme_quotes_the_case_library_means():
    """The README's backtest paragraph quotes the means over the new cases; they must stay
    true (a consistency check of the docs, not a reference value)."""
    from pathlib import Path

    from realpolitik.scenario import bundled

    cases = [c for c in bundled() if c.startswith("case-")]
    res = backtest_crises(cases, ["attrition", "learning"], resamples=20)
    att, lrn = res.models["attrition"], res.models["learning"]
    n = len(cases)
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    for text in (
        f"mean log score {att['log_score']:.2f} against `learning`'s {lrn['log_score']:.2f}",
        f"mean CRPS {lrn['crps']:.2f} against {att['crps']:.2f}",
        f"80% interval in {round(lrn['coverage80'] * n)} cases of {n}, against "
        f"{round(att['coverage80'] * n)}",
    ):
        assert text.replace("-", "−") in readme, text


def test_forecast_report_shows_the_crisis_models_track_record(cli, tmp_path):
    out = tmp_path / "rep"
    res = cli("forecast", "case-cuba-1962", "-m", "attrition", "--report", str(out))
    assert res.code == 0, res.err
    md = (out / "report.md").read_text()
    assert "Who gave way, and when" in md and "case-iran-hostages-1979" in md
