"""The crisis case library (docs/history/cases.md) and moscow-1949 without hindsight.

The library's rules are checked on every ``case-*`` scenario: a clock, both crisis blocks, the
common horizon, a record that names a party, every crisis input with its basis or judgement
mark, and the learning block read from the attrition block's judgements (rule L2, L3). The
Moscow attrition forecast is checked against the closed forms of Abreu & Gul (2000) with
constant costs (docs/specs/attrition.md, "Equilibrium"), computed here from the file's numbers.
"""

from __future__ import annotations

import math
import re
from importlib.resources import files
from pathlib import Path

import pytest

from realpolitik.scenario import bundled, load

ROOT = Path(__file__).resolve().parents[1]
CASES = [name for name in bundled() if name.startswith("case-")]


def test_the_library_has_at_least_eight_cases_from_days_to_more_than_a_year():
    assert len(CASES) >= 8
    days = sorted(load(c).outcome.attrition.day for c in CASES)
    assert days[0] < 14 and days[-1] > 365
    listed = (ROOT / "docs" / "history" / "cases.md").read_text()
    assert all(c in listed for c in CASES)


@pytest.mark.parametrize("name", CASES)
def test_each_case_has_both_blocks_the_common_horizon_and_a_record(name):
    sc = load(name)
    assert sc.time is not None and sc.attrition is not None and sc.learning is not None
    assert sc.attrition.horizon == 730 and sc.learning.horizon == 730
    rec, rec2 = sc.outcome.attrition, sc.outcome.learning
    assert (rec.conceded, rec.day) == (rec2.conceded, rec2.day)
    assert rec.conceded in sc.attrition.parties and 0 <= rec.day <= 730
    assert sc.outcome.notes  # the reasons for the coding


@pytest.mark.parametrize("name", CASES)
def test_the_learning_block_reads_the_attrition_judgements(name):
    """Rules L1-L3 of docs/history/cases.md: W = α_C, L = 1 − α_D, r and c_C are C's;
    two types, `breaks` and `holds` (hazard 0), with the prior on `holds` = z_D."""
    sc = load(name)
    at, le = sc.attrition, sc.learning
    c, d = le.challenger, le.defender
    assert {c, d} == set(at.parties)
    assert le.win == pytest.approx(at.demand[c])
    assert le.concede == pytest.approx(1 - at.demand[d])
    assert le.discount == pytest.approx(at.discount[c])
    assert le.cost[c] == pytest.approx(at.cost[c])
    types = {t.label: t for t in le.types}
    assert set(types) == {"breaks", "holds"} and types["holds"].hazard == 0
    assert types["holds"].prior == pytest.approx(at.obstinacy[d])
    assert types["breaks"].prior == pytest.approx(1 - at.obstinacy[d])


@pytest.mark.parametrize("name", [*CASES, "berlin-1948", "moscow-1949", "moscow-1949-berlin"])
def test_every_crisis_input_has_a_basis_or_a_judgement_mark(name):
    text = files("realpolitik").joinpath(f"scenarios/{name}.yaml").read_text("utf-8")
    lines = text.splitlines()
    bare, block = [], None
    for k, line in enumerate(lines):
        if re.match(r"^\S", line):
            block = line.split(":")[0]
            continue
        if block not in ("attrition", "learning"):
            continue
        # a number, or a type with its prior and hazard; the horizon is the library's common
        # rule, checked above
        if line.strip().startswith(("#", "horizon:")):
            continue
        if re.match(r"^\s+[\w{-].*:\s*[-\d.{]", line):
            if "#" not in line and not lines[k - 1].lstrip().startswith("#"):
                bare.append(f"{k + 1}: {line.strip()}")
    assert not bare, bare


def test_cases_cite_addresses_and_mark_outcome_sources():
    for name in CASES:
        sc = load(name)
        assert sc.sources and all("http" in s for s in sc.sources)
        assert any("outcome only" in s for s in sc.sources)


# -- moscow-1949 ---------------------------------------------------------------------------


def test_moscow_attrition_matches_the_closed_form(cli):
    """Up to Acheson's speech (day 27, a surprise) the costs are constant, so the forecast is
    Abreu & Gul's: λ_i = (r_j(1−α_i) + k_j)/(α_i+α_j−1), T_i = −ln z_i/λ_i, the weaker party
    (larger T_i) concedes at once with probability 1 − z_w exp(λ_w T), T = min T_i, and
    P(Stalin first by day 17) = [Stalin weaker]·p0 + (1 − p0) λ_s/λ (1 − e^(−17 λ)) with
    λ = λ_s + λ_m, as 17 < min(T, 27)."""
    at = load("moscow-1949").attrition
    a, z, r, k = at.demand, at.obstinacy, at.discount, at.cost
    den = a["stalin"] + a["mao"] - 1
    lam = {
        "stalin": (r["mao"] * (1 - a["stalin"]) + k["mao"]) / den,
        "mao": (r["stalin"] * (1 - a["mao"]) + k["stalin"]) / den,
    }
    t_end = {p: -math.log(z[p]) / lam[p] for p in lam}
    weaker = max(t_end, key=t_end.get)
    t = min(t_end.values())
    p0 = 1 - z[weaker] * math.exp(lam[weaker] * t)
    total = lam["stalin"] + lam["mao"]
    assert 17 < min(t, 27)
    p17 = (weaker == "stalin") * p0 + (1 - p0) * lam["stalin"] / total * (1 - math.exp(-17 * total))

    att = cli("forecast", "moscow-1949", "--json", "-m", "attrition").json()["crises"][0]
    assert att["weaker"] == weaker
    assert att["p_immediate"] == pytest.approx(p0, abs=1e-9)
    assert att["p_recorded"] == pytest.approx(p17, abs=1e-9)
    assert att["recorded"] == {"conceded": "stalin", "day": 17}


def test_moscow_has_no_actor_who_came_after_day_0_and_no_novel_figure():
    sc = load("moscow-1949")
    assert "zhou" not in sc.actor_ids  # Zhou Enlai came only after Stalin's concession
    assert sc.issue("credit").positions["malenkov"] == 300  # the novel's loan is the variant's
    # the novel's one billion roubles at the December 1949 rate of 5.30 roubles to the dollar
    assert load("moscow-1949-berlin").issue("credit").positions["malenkov"] == round(1000 / 5.3)


def test_moscow_logs_its_changes():
    for name in ("moscow-1949", "moscow-1949-berlin"):
        text = files("realpolitik").joinpath(f"scenarios/{name}.yaml").read_text("utf-8")
        log = text[text.index("# Changes") :]
        for field in ("attrition.cost.stalin", "attrition.obstinacy.stalin", "Zhou Enlai",
                      "dalian.saliences.stalin", "malenkov", "NSC 48/2", "Liu Shaoqi"):  # fmt: skip
            assert field in log, (name, field)
