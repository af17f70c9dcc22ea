"""The timeline: located errors for malformed blocks, events on the SimPy clock,
their effect in ``--trace`` and ``events``, the crisis entries, and the Moscow scenarios.

Expected numbers come from closed forms: Rubinstein (1982) for the split; Abreu & Gul (2000)
as extended in docs/specs/attrition.md for the attrition entry; the issue's rule that
round t falls on day t·round_length and events of days <= it apply before it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_located, line_of

from realpolitik.api import load, loads
from realpolitik.models import RoundParams
from realpolitik.sim.timeline import Timeline

BASE = """\
name: timed
actors:
  - {id: a, name: A, capability: 2}
  - {id: b, name: B, capability: 1}
  - {id: c, name: C, capability: 1}
issues:
  - id: treaty
    name: Treaty
    unit: points
    scale: {min: 0, max: 100}
    positions: {a: 10, b: 100, c: 60}
    saliences: {a: 0.9, b: 1.0, c: 0.5}
time:
  start: 1949-12-16
  end: 1950-02-17
  unit: day
attrition:
  issue: treaty
  parties: [a, b]
  demand: {a: 0.9, b: 0.9}
  obstinacy: {a: 0.2, b: 0.25}
  discount: {a: 0.004, b: 0.01}
  cost: {a: 0.004, b: 0.003}
  horizon: 60
rubinstein:
  issue: treaty
  parties: [a, b]
  first: a
  discount: {a: 0.9, b: 0.8}
events:
  - date: 1950-01-12
    description: a shock
    surprise: true
    add:
      attrition.cost.a: 0.002
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return p


def _event(body: str) -> str:
    return BASE + body


# (description, text, marker of the offending line or None, parts of the message)
CASES = [
    ("time end before start", BASE.replace("end: 1950-02-17", "end: 1949-12-01"),
     "end: 1949-12-01", ["time.end", "after time.start"]),
    ("time unit", BASE.replace("unit: day", "unit: week"), "unit: week", ["time.unit", "week"]),
    ("time start not a date", BASE.replace("start: 1949-12-16", "start: soon"), "start: soon",
     ["time.start", "'soon'", "date"]),
    ("unknown time key", BASE.replace("  unit: day\n", "  unit: day\n  zone: UTC\n"),
     "zone: UTC", ["unknown key 'zone'", "start"]),
    ("event outside the timeline", BASE.replace("date: 1950-01-12", "date: 1950-03-01"),
     "date: 1950-03-01", ["events.0.date", "1950-03-01", "1949-12-16 to 1950-02-17"]),
    ("impossible event date", BASE.replace("date: 1950-01-12", "date: 1950-13-12"),
     "date: 1950-13-12", ["'1950-13-12' is not a date", "YYYY-MM-DD"]),
    ("impossible start date", BASE.replace("start: 1949-12-16", "start: 1949-02-30"),
     "start: 1949-02-30", ["'1949-02-30' is not a date"]),
    ("event before the start", BASE.replace("date: 1950-01-12", "date: 1949-12-01"),
     "date: 1949-12-01", ["events.0.date", "within the timeline"]),
    ("day beyond the end", BASE.replace("date: 1950-01-12", "day: 90"), "day: 90",
     ["events.0.day", "got 90", "0 to 63"]),
    ("negative day", BASE.replace("date: 1950-01-12", "day: -3"), "day: -3",
     ["events.0.day", "got -3"]),
    ("date and day", BASE.replace("date: 1950-01-12", "date: 1950-01-12\n    day: 3"),
     "date: 1950-01-12", ["events.0.date", "both `date` and `day`", "exactly one of"]),
    ("neither date nor day", BASE.replace("  - date: 1950-01-12\n    description", "  - description"),
     "  - description: a shock", ["events.0", "neither `date` nor `day`"]),
    ("unknown actor in event", BASE.replace("attrition.cost.a:", "issues.treaty.saliences.z:"),
     "issues.treaty.saliences.z", ["events.0.add.issues.treaty.saliences.z", "unknown actor 'z'"]),
    ("unknown issue in event", BASE.replace("attrition.cost.a:", "issues.port.positions.a:"),
     "issues.port.positions.a", ["events.0.add.issues.port.positions.a", "unknown issue 'port'"]),
    ("unknown field in event", BASE.replace("attrition.cost.a:", "actors.a.wealth:"),
     "actors.a.wealth", ["events.0.add.actors.a.wealth", "unknown field", "capability"]),
    ("demand cannot change", BASE.replace("attrition.cost.a:", "attrition.demand.a:"),
     "attrition.demand.a", ["events.0.add.attrition.demand.a", "cannot change"]),
    ("not a party", BASE.replace("attrition.cost.a:", "attrition.cost.c:"),
     "attrition.cost.c", ["events.0.add.attrition.cost.c", "not a party"]),
    ("salience pushed above 1",
     BASE.replace("attrition.cost.a: 0.002", "issues.treaty.saliences.c: 0.7"),
     "issues.treaty.saliences.c", ["events.0.add.issues.treaty.saliences.c", "within 0-1"]),
    ("position pushed off the scale",
     BASE.replace("attrition.cost.a: 0.002", "issues.treaty.positions.c: 50"),
     "issues.treaty.positions.c", ["positions.c", "within 0-100", "it makes 110"]),
    ("event changes nothing", BASE.replace("    add:\n      attrition.cost.a: 0.002\n", ""),
     "  - date: 1950-01-12", ["events.0", "changes nothing"]),
    ("event with a date but no time",
     re.sub(r"time:\n(  .*\n)+", "", BASE), "date: 1950-01-12",
     ["events.0.date", "`time: {start: DATE}`"]),
    ("negative cost set by an event", BASE.replace("add:\n      attrition.cost.a: 0.002",
     "set:\n      attrition.cost.a: -1"), "attrition.cost.a: -1",
     ["events.0.set.attrition.cost.a", ">= 0"]),
    # an event may not take a rate or a cost where the spec rules it out, surprise or not
    ("event takes a discount below 0", BASE.replace("attrition.cost.a: 0.002",
     "attrition.discount.a: -0.01"), "attrition.discount.a: -0.01",
     ["events.0.add.attrition.discount.a", "rate per day > 0", "it makes -0.006"]),
    ("surprise takes a cost below 0", BASE.replace("attrition.cost.a: 0.002",
     "attrition.cost.a: -0.01"), "attrition.cost.a: -0.01",
     ["events.0.add.attrition.cost.a", "cost per day >= 0", "it makes -0.006"]),
    ("foreseen event takes a cost below 0", BASE.replace("surprise: true", "surprise: false")
     .replace("attrition.cost.a: 0.002", "attrition.cost.a: -0.01"), "attrition.cost.a: -0.01",
     ["events.0.add.attrition.cost.a", "cost per day >= 0"]),
    ("event scales a discount to 0", BASE.replace("add:\n      attrition.cost.a: 0.002",
     "scale:\n      attrition.discount.a: 0"), "attrition.discount.a: 0",
     ["events.0.scale.attrition.discount.a", "a factor > 0"]),
    # the attrition block
    ("attrition party not declared", BASE.replace("parties: [a, b]\n  demand", "parties: [a, z]\n  demand"),
     "parties: [a, z]", ["attrition.parties.1", "'z' is not declared"]),
    ("attrition same party twice", BASE.replace("parties: [a, b]\n  demand", "parties: [a, a]\n  demand"),
     "parties: [a, a]", ["attrition.parties", "two different actors"]),
    ("attrition three parties", BASE.replace("parties: [a, b]\n  demand", "parties: [a, b, c]\n  demand"),
     "parties: [a, b, c]", ["attrition.parties", "at most 2"]),
    ("attrition unknown issue", BASE.replace("attrition:\n  issue: treaty", "attrition:\n  issue: port"),
     "issue: port", ["attrition.issue", "unknown issue 'port'"]),
    ("attrition missing demand", BASE.replace("demand: {a: 0.9, b: 0.9}", "demand: {a: 0.9}"),
     "demand: {a: 0.9}", ["attrition.demand", "no value for party 'b'"]),
    ("compatible demands", BASE.replace("demand: {a: 0.9, b: 0.9}", "demand: {a: 0.5, b: 0.4}"),
     "demand: {a: 0.5", ["attrition.demand", "incompatible demands"]),
    ("demand above 1", BASE.replace("demand: {a: 0.9, b: 0.9}", "demand: {a: 1.5, b: 0.9}"),
     "demand: {a: 1.5", ["attrition.demand.a", "got 1.5", "(0, 1]"]),
    ("obstinacy of 1", BASE.replace("obstinacy: {a: 0.2, b: 0.25}", "obstinacy: {a: 1, b: 0.25}"),
     "obstinacy: {a: 1,", ["attrition.obstinacy.a", "(0, 1)"]),
    ("zero discount", BASE.replace("discount: {a: 0.004, b: 0.01}", "discount: {a: 0, b: 0.01}"),
     "discount: {a: 0,", ["attrition.discount.a", "> 0"]),
    ("obstinacy drawn outside (0, 1)", BASE.replace("obstinacy: {a: 0.2,",
     "obstinacy: {a: {dist: normal, mean: 0.2, sd: 0.1},"), "obstinacy: {a: {dist",
     ["attrition.obstinacy.a", "draws reach", "a probability in (0, 1) in every draw"]),
    ("discount drawn below 0", BASE.replace("discount: {a: 0.004,",
     "discount: {a: {dist: uniform, low: -0.002, high: 0.01},"), "discount: {a: {dist",
     ["attrition.discount.a", "draws reach -0.002 to", "a rate per day > 0 in every draw"]),
    ("hazard not positive after the last change",
     BASE.replace("demand: {a: 0.9, b: 0.9}", "demand: {a: 0.9, b: 1.0}")
     .replace("cost: {a: 0.004, b: 0.003}", "cost: {a: 0, b: 0.003}")
     .replace("add:\n      attrition.cost.a: 0.002", "set:\n      issues.treaty.saliences.c: 0.6"),
     "demand: {a: 0.9, b: 1.0}", ["attrition.demand.b", "must stay positive"]),
    ("cost steps out of order", BASE.replace("cost: {a: 0.004, b: 0.003}",
     "cost:\n    a: [{day: 10, value: 0.01}, {day: 5, value: 0.02}]\n    b: 0.003"),
     "{day: 5", ["attrition.cost.a.1.day", "after the previous step"]),
    ("negative cost", BASE.replace("cost: {a: 0.004, b: 0.003}", "cost: {a: -0.004, b: 0.003}"),
     "cost: {a: -0.004", ["attrition.cost.a", "got -0.004"]),
    ("recorded concession by a non-party",
     BASE + "outcome:\n  source: x\n  attrition: {conceded: c, day: 17}\n",
     "attrition: {conceded: c", ["outcome.attrition.conceded", "'c'"]),
    # the rubinstein block
    ("rubinstein discount and rate", BASE.replace("discount: {a: 0.9, b: 0.8}",
     "discount: {a: 0.9, b: 0.8}\n  rate: {a: 0.1, b: 0.2}"), "rate: {a: 0.1",
     ["rubinstein.rate", "both `discount` and `rate`", "exactly one of `discount`"]),
    ("rubinstein neither discount nor rate", BASE.replace("  discount: {a: 0.9, b: 0.8}\n", ""),
     "  issue: treaty\n  parties: [a, b]\n  first", ["rubinstein", "neither `discount` nor"]),
    ("rubinstein period_days with discount", BASE.replace("discount: {a: 0.9, b: 0.8}",
     "discount: {a: 0.9, b: 0.8}\n  period_days: 7"), "period_days: 7",
     ["rubinstein.period_days", "only with `rate`"]),
    ("rubinstein discount of 1", BASE.replace("discount: {a: 0.9, b: 0.8}", "discount: {a: 1.0, b: 0.8}"),
     "discount: {a: 1.0", ["rubinstein.discount.a", "(0, 1)"]),
    ("rubinstein first not a party", BASE.replace("first: a", "first: c"), "first: c",
     ["rubinstein.first", "'c'"]),
    ("rubinstein outside options sum to 1", BASE.replace("first: a", "first: a\n  outside: {a: 0.5, b: 0.5}"),
     "outside: {a: 0.5", ["rubinstein.outside", "nothing to bargain over"]),
]  # fmt: skip


@pytest.mark.parametrize("desc,text,marker,parts", CASES, ids=[c[0] for c in CASES])
def test_located_error(cli, tmp_path, desc, text, marker, parts):
    """Every malformed block gets one located message (file:line:col) and exit status 2."""
    path = _write(tmp_path, text)
    assert_located(cli("validate", path), path, line_of(text, marker), [*parts, "expected"])


def test_a_run_whose_draw_the_spec_rules_out_is_an_input_error(cli, tmp_path):
    """An event's size drawn per run can take a cost below 0 after the surprise (its median,
    0, is valid): the ensemble stops with a one-line input error naming the field, not a
    traceback; bounded draws run."""
    text = BASE.replace("attrition.cost.a: 0.002", "attrition.cost.a: "
                        "{dist: uniform, low: -0.01, high: 0.01}")  # fmt: skip
    path = _write(tmp_path, text)
    assert cli("validate", path).code == 0
    res = cli("forecast", path, "-m", "attrition", "--runs", "40", "--seed", "1")
    assert res.code == 2 and "Traceback" not in res.err, res.err
    assert "attrition.cost.a: a run drew -" in res.err and "cost per day >= 0" in res.err
    ok = _write(tmp_path, text.replace("low: -0.01", "low: -0.004"))
    assert cli("forecast", ok, "-m", "attrition", "--runs", "40", "--seed", "1").code == 0


def test_a_run_whose_drawn_event_day_is_negative_is_a_located_input_error(cli, tmp_path):
    """An event's day drawn per run from {-1, 20, 27} (median 20, valid at load) is -1 in a
    third of the runs, which the schema refuses (`day` >= 0, contracts/blocks.py): the ensemble
    stops with a one-line error at the distribution's line, not a pydantic traceback."""
    text = BASE.replace("  - date: 1950-01-12", "  - day: {dist: choice, values: [-1, 20, 27]}")
    path = _write(tmp_path, text)
    assert cli("validate", path).code == 0
    res = cli("forecast", path, "-m", "attrition", "--runs", "40", "--seed", "1")
    msg = res.err.strip()
    assert res.code == 2 and "Traceback" not in msg and msg.count("\n") == 0, msg
    line = line_of(text, "day: {dist")
    assert re.match(re.escape(str(path)) + rf":{line}:\d+: events\.0\.day: a run drew -1;", msg)
    assert "in every run" in msg
    ok = _write(tmp_path, text.replace("values: [-1,", "values: [0,"))
    assert cli("forecast", ok, "-m", "attrition", "--runs", "40", "--seed", "1").code == 0


def test_base_scenario_is_valid(cli, tmp_path):
    res = cli("validate", _write(tmp_path, BASE))
    assert res.code == 0, res.err


# -- the crisis entries ------------------------------------------------------------------------


def test_crises_entries_in_the_issues_shape(cli, tmp_path):
    """One entry per crisis model, with the documented keys."""
    res = cli("forecast", _write(tmp_path, BASE), "--json")
    assert res.code == 0, res.err
    crises = {c["model"]: c for c in res.json()["crises"]}
    rub = crises["rubinstein"]
    # Rubinstein 1982: the first mover gets (1-δ2)/(1-δ1δ2) = 0.2/0.28 = 5/7.
    assert rub["split"]["a"] == pytest.approx(5 / 7, abs=1e-12)
    assert rub["split"]["b"] == pytest.approx(2 / 7, abs=1e-12)
    assert rub["first_mover"] == "a" and rub["agreement_day"] == 0
    assert rub["binding_outside_option"] is None
    att = crises["attrition"]
    for key in ("end_day", "p_first", "p_impasse", "p_no_agreement_by_horizon", "weaker",
                "p_immediate", "expected_share", "recorded"):  # fmt: skip
        assert key in att, key
    assert set(att["end_day"]) == {"median", "p10", "p90"}
    assert sum(att["p_first"].values()) + att["p_impasse"] == pytest.approx(1, abs=1e-12)
    # Abreu & Gul with constant costs up to the surprise: λ_a = (r_b(1-α_a) + k_b)/(α_a+α_b-1)
    # = (0.01·0.1 + 0.003)/0.8 = 0.005, λ_b = (0.004·0.1 + 0.004)/0.8 = 0.0055; T_a =
    # ln 5/0.005 > T_b = ln 4/0.0055, so a is weaker and concedes at once with probability
    # 1 - 0.2·exp(0.005·T_b). The surprise on day 27 cannot change day 0.
    t_b = math.log(4) / 0.0055
    assert att["weaker"] == "a"
    assert att["p_immediate"] == pytest.approx(1 - 0.2 * math.exp(0.005 * t_b), abs=1e-9)
    assert att["p_impasse"] == pytest.approx(0.2 * 0.25, abs=1e-12)
    assert att["recorded"] is None


def test_model_flag_is_exclusive_across_kinds(cli, tmp_path):
    """With --model only the named models run, of whatever kind."""
    path = _write(tmp_path, BASE)
    only_crisis = cli("forecast", path, "--json", "--model", "attrition").json()
    assert [c["model"] for c in only_crisis["crises"]] == ["attrition"]
    assert all(not i["forecasts"] for i in only_crisis["issues"])
    only_issue = cli("forecast", path, "--json", "--model", "mean").json()
    assert "crises" not in only_issue
    assert only_issue["issues"][0]["forecasts"]["mean"]["value"] is not None


def test_crisis_model_without_its_block(cli, tmp_path):
    text = BASE[: BASE.index("time:")]
    res = cli("forecast", _write(tmp_path, text), "--model", "rubinstein")
    assert res.code == 2 and "no `rubinstein` block" in res.err, res.err


# -- events: their effect in --trace and in "events" ------------------------------------------

DYNAMIC = BASE.replace(
    """    add:
      attrition.cost.a: 0.002
""",
    """    add:
      attrition.cost.a: 0.002
  - day: 3
    description: c moves
    set:
      issues.treaty.positions.c: 20
""",
)


def test_event_in_events_json(cli, tmp_path):
    """The JSON's events: day, date, description, surprise and each change's from/to."""
    out = cli("forecast", _write(tmp_path, DYNAMIC), "--json", "--model", "mean").json()
    events = out["events"]
    assert [e["day"] for e in events] == [3, 27]  # ordered by day
    moved, shock = events
    assert moved["date"] == "1949-12-19" and moved["surprise"] is False
    assert moved["changes"] == [
        {"path": "issues.treaty.positions.c", "op": "set", "from": 60.0, "to": 20.0}
    ]
    assert shock["date"] == "1950-01-12" and shock["surprise"] is True
    assert shock["changes"][0]["from"] == pytest.approx(0.004)
    assert shock["changes"][0]["to"] == pytest.approx(0.006)


def test_scale_op_in_events_json(cli, tmp_path):
    """`scale:` multiplies: a's salience 0.9 · 0.5 = 0.45, its cost
    0.004 · 2 = 0.008 from day 27; λ_b then rises by 0.004/(α_a+α_b-1) = 0.005 (spec)."""
    text = BASE.replace(
        "add:\n      attrition.cost.a: 0.002",
        "scale:\n      issues.treaty.saliences.a: 0.5\n      attrition.cost.a: 2",
    )
    out = cli("forecast", _write(tmp_path, text), "--json", "--trace", "-m", "attrition").json()
    changes = {c["path"]: c for c in out["events"][0]["changes"]}
    assert changes["issues.treaty.saliences.a"]["op"] == "scale"
    assert changes["issues.treaty.saliences.a"]["from"] == pytest.approx(0.9)
    assert changes["issues.treaty.saliences.a"]["to"] == pytest.approx(0.45)
    assert changes["attrition.cost.a"]["to"] == pytest.approx(0.008)
    hb = out["traces"]["attrition"]["hazard"]["b"]
    assert hb[26] == pytest.approx(0.0055) and hb[27] == pytest.approx(0.0105)


def test_event_visible_in_trace_of_a_dynamic_model(cli, tmp_path):
    """Round t is on day t·round_length; the event of day 3 applies before round 2 when a
    round lasts 2 days (day 4), and the trace shows it with the rounds' dates."""
    path = _write(tmp_path, DYNAMIC)
    out = cli("forecast", path, "--json", "--trace", "--model", "eum:round_length=2").json()
    tr = out["traces"]["eum"]
    assert tr["dates"][:3] == ["1949-12-16", "1949-12-18", "1949-12-20"]
    assert tr["events"][0]["round"] == 2 and tr["events"][0]["day"] == 3
    change = tr["events"][0]["changes"][0]
    assert change["path"] == "issues.treaty.positions.c" and change["to"] == pytest.approx(20)
    c = tr["actors"].index("c")
    # Round 2's positions are computed from c at 20, so c's path differs from the run
    # without the event from round 2 on, and not before.
    base = cli("forecast", _write(tmp_path, BASE), "--json", "--trace",
               "--model", "eum:round_length=2").json()["traces"]["eum"]  # fmt: skip
    assert tr["positions"][1] == base["positions"][1]
    assert tr["positions"][2][c][0] != base["positions"][2][c][0]


def test_attrition_trace_shows_the_event(cli, tmp_path):
    """The attrition trace (day by day): b's hazard rises on day 27, when a's cost does by
    0.002 and λ_b rises by 0.002/(α_a+α_b-1) = 0.0025 (spec, "Equilibrium")."""
    out = cli("forecast", _write(tmp_path, BASE), "--json", "--trace", "-m", "attrition").json()
    tr = out["traces"]["attrition"]
    hb = tr["hazard"]["b"]
    assert hb[26] == pytest.approx(0.0055) and hb[27] == pytest.approx(0.0080)
    assert tr["dates"][27] == "1950-01-12"
    assert "trace" not in out["crises"][0]


# -- the SimPy clock ---------------------------------------------------------------------------


def test_round_driver_applies_events_up_to_the_round_day():
    """Events with day <= t·round_length apply before round t, each once, in day order."""
    sc = loads(DYNAMIC.replace("- day: 3", "- day: 4"))
    tl = Timeline.of(sc)
    driver = tl.round_driver(round_length=2.0)
    inputs = sc.inputs()
    params = RoundParams(x=inputs.x, s=inputs.s, c=inputs.c)
    p1 = driver(1, params)  # day 2: nothing yet
    assert p1 is params
    p2 = driver(2, p1)  # day 4: the event of day 4 applies
    assert p2.x[2, 0] == pytest.approx(20.0)
    p3 = driver(3, p2)  # day 6: nothing new
    assert p3 is p2
    assert driver.env.now == 6.0
    assert [a["round"] for a in driver.applied] == [2]


def test_foreseen_versus_surprise_in_a_scenario():
    """Spec, "Inputs": a foreseen cost step changes day 0 (the whole path is known); the
    same step as a surprise leaves day 0 unchanged."""
    from realpolitik.sim.coupling import attrition_solution as solution_for

    surprise = solution_for(loads(BASE))
    foreseen = solution_for(loads(BASE.replace("surprise: true", "surprise: false")))
    none = solution_for(loads(BASE.replace("attrition.cost.a: 0.002", "attrition.cost.a: 0")))
    assert surprise.p_immediate == none.p_immediate
    assert foreseen.p_immediate != pytest.approx(none.p_immediate)


def test_daily_cost_series_from_another_model():
    """A cost series per day (e.g. the airlift's) replaces the block's cost; events still
    apply to it (spec, "In the bundled scenarios": the coupling)."""
    from realpolitik.sim.coupling import attrition_solution as solution_for

    sc = loads(BASE)
    series = np.linspace(0.001, 0.01, 40)
    sol = solution_for(sc, cost_series={"b": series})
    st = sol.stages[0]
    # λ_a = (r_b(1-α_a) + k_b(t))/0.8 on day 10 uses the series' value of day 10.
    k = int(np.searchsorted(st.knots, 10.0, side="right") - 1)
    assert st.lam[0, k] == pytest.approx((0.01 * 0.1 + series[10]) / 0.8)
    # A series that begins on day 2 (e.g. an airlift starting after the blockade): no cost
    # from b before it, then the series.
    from realpolitik.models.attrition import Steps

    late = solution_for(sc, cost_series={"b": Steps.daily(series, start=2.0)}).stages[0]
    assert late.lam[0, 0] == pytest.approx(0.01 * 0.1 / 0.8)
    k = int(np.searchsorted(late.knots, 12.0, side="right") - 1)
    assert late.lam[0, k] == pytest.approx((0.01 * 0.1 + series[10]) / 0.8)


# -- the Moscow scenarios ----------------------------------------------------------------------


def test_moscow_has_the_alliance_crisis_with_its_record(cli):
    """moscow-1949 has a crises entry for the alliance, next to the record."""
    out = cli("forecast", "moscow-1949", "--json").json()
    att = next(c for c in out["crises"] if c["model"] == "attrition")
    assert att["issue"] == "alliance" and set(att["parties"]) == {"stalin", "mao"}
    assert att["recorded"] == {"conceded": "stalin", "day": 17}
    assert 0 <= att["p_recorded"] <= att["p_first"]["stalin"]
    acheson = [e for e in out["events"] if e["date"] == "1950-01-12"]
    assert acheson and acheson[0]["surprise"] is True


def test_moscow_uses_only_exogenous_shocks():
    """Only exogenous shocks: never the recorded concession (day 17) or what follows from it (Zhou's
    arrival on 20 Jan, the signature) as an event."""
    sc = load("moscow-1949")
    days = {e.day if e.day is not None else (e.date - sc.time.start).days for e in sc.events}
    assert days == {27}  # Acheson's speech only


def test_berlin_variant_makes_stalin_give_way_sooner(cli):
    """The variant adds one surprise raising Stalin's cost; before it nothing changes, and
    Stalin concedes first more often (spec, "Checks": costs up, concedes first more)."""
    base = cli("forecast", "moscow-1949", "--json", "-m", "attrition").json()["crises"][0]
    var = cli("forecast", "moscow-1949-berlin", "--json", "-m", "attrition").json()["crises"][0]
    assert var["p_immediate"] == base["p_immediate"]
    assert var["p_first"]["stalin"] > base["p_first"]["stalin"]
    assert var["p_no_agreement_by_horizon"] < base["p_no_agreement_by_horizon"]
    assert var["recorded"] is None  # a counterfactual has no record


def test_berlin_variant_is_moscow_with_one_more_event():
    """The variant's header: everything else is moscow-1949 unchanged (its estimates and
    their uncertainty too) but Malenkov's credit position, the novel's; the Berlin blockade
    is the one added event."""
    from realpolitik.ensemble import uncertain_inputs

    base, var = load("moscow-1949"), load("moscow-1949-berlin")
    assert (var.actors, var.attrition, var.time) == (base.actors, base.attrition, base.time)
    assert [i for i in var.issues if i.id != "credit"] == [
        i for i in base.issues if i.id != "credit"
    ]
    vc, bc = var.issue("credit"), base.issue("credit")
    assert vc.saliences == bc.saliences
    assert {a: x for a, x in vc.positions.items() if a != "malenkov"} == {
        a: x for a, x in bc.positions.items() if a != "malenkov"
    }
    malenkov = "issues.credit.positions.malenkov"  # the same spread around its own value
    assert [(u.name, u.dist) for u in uncertain_inputs(var) if u.name != malenkov] == [
        (u.name, u.dist) for u in uncertain_inputs(base) if u.name != malenkov
    ]
    added = [e for e in var.events if e not in base.events]
    assert all(e in var.events for e in base.events)
    assert [e.date.isoformat() for e in added] == ["1949-12-24"] and added[0].surprise


def _attrition_with_trace(cli, name):
    out = cli("forecast", name, "--json", "--trace", "-m", "attrition").json()
    return out["crises"][0], out["traces"]["attrition"]


def test_docs_check_readme_quotes_the_current_crisis_forecasts(cli):
    """A docs check, not a reference test: the README's tour quotes the attrition and learning
    forecasts, so it must be edited whenever they change (the expected values are the code's
    own output; the reference values are in tests/test_attrition.py and tests/test_learning.py)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    base, bt = _attrition_with_trace(cli, "moscow-1949")
    var, vt = _attrition_with_trace(cli, "moscow-1949-berlin")

    def pct(p):
        return f"{100 * p:.0f}%"

    def rate(x):
        return f"{100 * x:.1f}%"

    assert base["weaker"] == "mao" and var["weaker"] == "mao"
    first, by_h = base["p_first"], base["p_first_by_horizon"]
    figures = {
        f"on day 0, with probability {pct(base['p_immediate'])}": "at once",
        f"(Stalin {rate(bt['hazard']['stalin'][0])}, Mao {rate(bt['hazard']['mao'][0])})": "rates",
        f"({pct(bt['end_cdf'][27] - bt['end_cdf'][26])} of all outcomes end on that day)": "jump",
        f"Mao's rate rises to {rate(bt['hazard']['mao'][27])} a day": "rate after",
        f"Stalin gives way first with probability {pct(first['stalin'])} and Mao "
        f"{pct(first['mao'])}": "first",
        f"by day 63, when Mao left Moscow, {pct(by_h['stalin'])} and {pct(by_h['mao'])}, and a "
        f"{pct(base['p_no_agreement_by_horizon'])} chance of no agreement": "by the horizon",
        f"The median end falls on day {base['end_day']['median']:.0f} (80% interval: day 0 to "
        f"day {base['end_day']['p90']:.0f})": "median",
        f"which the model gave a {pct(base['p_recorded'])} chance": "record",
        f"Mao still gives way at once with {pct(var['p_immediate'])}": "variant at once",
        f"Stalin gives way at once in {pct(vt['end_cdf'][8] - vt['end_cdf'][7])} of all "
        "outcomes": "variant jump",
        f"Mao's daily rate rises to {rate(vt['hazard']['mao'][8])} while Stalin's stays at "
        f"{rate(vt['hazard']['stalin'][8])}": "variant rates",
        f"Stalin gives way first with probability {pct(var['p_first']['stalin'])} and Mao "
        f"{pct(var['p_first']['mao'])}": "variant first",
        f"the median end falls on day {var['end_day']['median']:.0f} itself (80% interval: day "
        f"0 to day {var['end_day']['p90']:.0f})": "variant median",
        f"only {pct(var['p_no_agreement_by_horizon'])} of outcomes have no agreement": "none",
    }
    out = cli("forecast", "moscow-1949", "--json", "--trace", "-m", "learning").json()
    lrn, lt = out["crises"][0], out["traces"]["learning"]
    figures.update(
        {
            f"Stalin gives way on day 0 with probability {pct(lt['end_cdf'][0])} and by day 63 "
            f"with {pct(lrn['p_first']['stalin'])}, the median end falls on day "
            f"{lrn['end_day']['median']}, and {pct(lrn['p_no_end_by_horizon'])} of outcomes "
            "have no agreement by day 63; it gave the record "
            f"{pct(lrn['p_recorded'])}": "learning",
        }
    )
    assert lrn["p_first"]["mao"] == 0  # "Mao never gives way in the 63 days"
    var_lrn = cli("forecast", "moscow-1949-berlin", "--json", "-m", "learning").json()
    assert var_lrn["crises"][0]["p_first"] == lrn["p_first"]  # "the variant's is Moscow's"
    flat = " ".join(readme.split())
    for text, what in figures.items():
        assert text in flat, (what, text)


def test_runs_of_a_closed_form_crisis_alone_are_no_ensemble():
    # Rubinstein's split is a closed form (delta_b < 1: a gets (1 - 0.8) / (1 - 0.9 * 0.8) =
    # 5/7) that samples nothing: with only it requested, --runs over an uncertain capability
    # must not claim "50 runs, median of the runs" (nor "runs"/"seed" in the JSON).
    from realpolitik.forecast import forecast

    text = BASE.replace("{id: a, name: A, capability: 2}",
                        "{id: a, name: A, capability: {dist: normal, mean: 2, sd: 0.3}}")  # fmt: skip
    f = forecast(loads(text), ["rubinstein"], runs=50, seed=1)
    assert f.ensemble is None
    js = f.to_json()
    assert "runs" not in js and "seed" not in js
    assert js["crises"][0]["split"]["a"] == pytest.approx(5 / 7)


def test_crisis_model_alone_shows_no_empty_issue_tables(cli):
    # `--model` is exclusive: with only attrition, no issue model ran, so no issue table.
    res = cli("forecast", "moscow-1949", "--model", "attrition")
    assert res.code == 0, res.err
    assert "Who gives way" in res.out and "Form of the alliance" not in res.out
