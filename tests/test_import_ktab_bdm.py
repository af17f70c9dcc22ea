"""Importers of KTAB (CSV, XML) and BdM (CSV) files, and ``forecast`` reading them directly.

Reference values: KTAB's own inputs and logs (tests/data/ktab/, docs/specs/smp.md §2, §8) and
Bueno de Mesquita's emission case (tests/data/bdm/emission_1994.csv, also bundled as the
scenario emission-1994 from the same source).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.api import load
from realpolitik.cli import main
from realpolitik.errors import InputError
from realpolitik.scenario.importers import detect_format, load_any, read_any, to_yaml
from realpolitik.scenario.importers.bdm import reads_bdm
from realpolitik.scenario.importers.ktab import reads_ktab_csv, reads_ktab_xml

sys.path.insert(0, str(Path(__file__).parent))
from conftest import DATA, read_data  # noqa: E402

KTAB = DATA / "ktab"
BDM = DATA / "bdm" / "emission_1994.csv"
XML = (KTAB / "smpExample_20170530.xml").read_text(encoding="utf-8-sig")


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _log_history(name: str) -> tuple[list[list[str]], list[list[str]]]:
    """The log's "History of actor positions over time" and win probabilities (spec §8)."""
    lines = [ln.rstrip() for ln in read_data(f"ktab/{name}").splitlines()]
    h = lines.index("History of actor positions over time:")
    w = lines.index("History of actors' winning probabilities:")
    pos = [ln.split(":", 1)[1].split() for ln in lines[h + 1 : w]]
    end = next(k for k in range(w + 1, len(lines)) if ", prob :" not in lines[k])
    win = [ln.split(":", 1)[1].split() for ln in lines[w + 1 : end]]
    return pos, win


# ---------------------------------------------------------------------------------------
# forecast reads KTAB files and prints KTAB's reference history


@pytest.mark.parametrize("name", ["dummyData_3Dim", "SOE-Pol-Comp"])
def test_forecast_ktab_csv_prints_reference_history(capsys, name: str) -> None:
    """``realpolitik forecast FILE.csv --model smp --json --trace``: every actor's position at
    every turn (%5.1f) and every win probability (%.4f) as KTAB's log prints them."""
    code, out, _ = _run(
        capsys, "forecast", str(KTAB / f"{name}.csv"), "--model", "smp", "--json", "--trace"
    )
    assert code == 0
    trace = json.loads(out)["traces"]["smp"]
    pos, win = _log_history(f"20170530_ref-{name}.txt")
    n, d = len(trace["actors"]), len(trace["issues"])
    rounds = trace["positions"]
    mine = [
        [f"{rounds[t][i][k]:5.1f}".strip() for t in range(len(rounds))]
        for i in range(n)
        for k in range(d)
    ]
    assert mine == pos
    probs = trace["win_probability"]
    assert [[f"{probs[t][i][0]:.4f}" for t in range(len(probs))] for i in range(n)] == win


def test_forecast_ktab_xml_runs_its_settings(capsys) -> None:
    """The XML's settings, seed and accommodation become smp's options, so ``forecast`` runs
    smp stochastically from the file's seed; its first state is the input."""
    code, out, _ = _run(
        capsys, "forecast", str(KTAB / "smpExample_20170530.xml"), "--json", "--trace"
    )
    assert code == 0
    data = json.loads(out)
    assert data["models"] == ["smp"]
    first = data["traces"]["smp"]["positions"][0]
    assert [f"{v:.1f}" for v in first[0]] == ["52.8", "39.8", "39.6"]  # Alice, from the file
    again = json.loads(_run(capsys, "forecast", str(KTAB / "smpExample_20170530.xml"), "--json")[1])
    assert again["issues"] == data["issues"]  # seeded: the same path twice


# ---------------------------------------------------------------------------------------
# What the importers produce


def test_ktab_csv_import() -> None:
    """Spec §2.1: capabilities raw, positions 0-100, saliences / 100, dimension names."""
    sc = load_any(KTAB / "SOE-Pol-Comp.csv")
    assert sc.actor_ids[:3] == ("XJ", "LK", "ZG") and len(sc.actors) == 13
    assert sc.actors[1].capability == 60.2 and sc.actors[0].notes == "Xi Jinping"
    assert [i.name for i in sc.issues] == ["Policy Position", "Competitive Position"]
    assert sc.issues[0].positions["LK"] == 45 and sc.issues[0].saliences["LK"] == pytest.approx(
        0.447
    )
    assert sc.issues[1].positions["WY"] == 60 and sc.issues[1].saliences["WY"] == pytest.approx(
        0.46
    )
    assert [m if isinstance(m, str) else m.name for m in sc.models] == ["smp"]


def test_ktab_xml_import_settings() -> None:
    """smpExample: PropCbc / MarkovIncentive / Stochastic, seed 03507583219545544127 and six
    accommodation pairs (the log's "Reading IdealAdjustment matrix")."""
    sc = load_any(KTAB / "smpExample_20170530.xml")
    (entry,) = sc.model_entries()
    o = entry.options
    assert (o["voting_rule"], o["pce_model"], o["state_transitions"]) == (
        "PropCbc",
        "MarkovIncentive",
        "Stochastic",
    )
    assert o["seed"] == 3507583219545544127
    assert o["accommodation"] == {
        "Alice": {"Alice": 0.87},
        "Bob": {"Bob": 0.75, "Alice": 0.07},
        "Carol": {"Carol": 0.65, "David": 0.13},
        "David": {"David": 0.57},
    }
    assert sc.issue_ids == ("firstdim", "seconddim", "yadn")


@pytest.mark.parametrize(("rule", "adjust"), [("Proportional", "No"), ("Prop", "None")])
def test_xml_both_spellings(rule: str, adjust: str) -> None:
    """smpSchema.xsd says "Proportional"/"No", KTAB's reader "Prop"/"None": both accepted."""
    text = XML.replace("<VotingRule>PropCbc", f"<VotingRule>{rule}").replace(
        "<BigRAdjust>OneThird", f"<BigRAdjust>{adjust}"
    )
    options = reads_ktab_xml(text, file="x.xml").data["models"][0]["options"]
    assert (options["voting_rule"], options["big_r_adjust"]) == ("Prop", "None")


def test_bdm_import_matches_bundled_emission() -> None:
    """emission_1994.csv gives the numbers of the bundled emission-1994 scenario (same source):
    saliences on 0-100 divided by 100, positions in years on the scale 4-10."""
    imported = load_any(BDM)
    bundled = load("emission-1994")
    assert [a.capability for a in imported.actors] == [a.capability for a in bundled.actors]
    (mine,), (theirs,) = imported.issues, bundled.issues
    assert list(mine.positions.values()) == list(theirs.positions.values())
    assert list(mine.saliences.values()) == pytest.approx(list(theirs.saliences.values()))
    assert (mine.scale.min, mine.scale.max) == (4, 10)


def test_bdm_headers_synonyms_and_scale() -> None:
    """Case-insensitive headers, Stakeholder/Name and Resources/Power; saliences in [0, 1]
    are kept as they are."""
    text = "stakeholder,POWER,Position,salience\nA,1,10,0.5\nB,2,20,1\nC,3,30,0.25\n"
    data = reads_bdm(text, file="s.csv").data
    assert data["issues"][0]["saliences"] == {"A": 0.5, "B": 1.0, "C": 0.25}
    text = "Name,Resources,Position,Salience\nA,1,10,50\nB,2,20,100\nC,3,30,25\n"
    assert reads_bdm(text, file="s.csv").data["issues"][0]["saliences"] == {
        "A": 0.5,
        "B": 1.0,
        "C": 0.25,
    }


def test_repeated_names_get_ids_with_notice(tmp_path, capsys) -> None:
    """A name that repeats gets ``name-2``, ``name-3``, with a notice, not an error."""
    f = tmp_path / "r.csv"
    f.write_text("Actor,Capability,Position,Salience\nA,1,10,50\nA,2,20,60\nB,1,5,5\nA,3,30,70\n")
    code, out, err = _run(capsys, "import", "bdm", str(f))
    assert code == 0
    assert "id: A-2" in out and "id: A-3" in out
    assert err.count("notice:") >= 2 and "'A-2'" in err


def test_import_writes_a_valid_scenario(tmp_path, capsys) -> None:
    """``import ktab FILE -o OUT.yaml`` writes a file that ``validate`` accepts and that loads to
    the same scenario as reading the KTAB file directly."""
    out = tmp_path / "dummy.yaml"
    code, _, err = _run(capsys, "import", "ktab", str(KTAB / "dummyData_3Dim.csv"), "-o", str(out))
    assert code == 0 and "wrote" in err
    assert _run(capsys, "validate", str(out))[0] == 0
    assert load(out).model_dump() == load_any(KTAB / "dummyData_3Dim.csv").model_dump()


def test_detection_and_forced_format(capsys) -> None:
    """Content decides the format; ``--format`` forces one (and a wrong one is an error)."""
    assert detect_format((KTAB / "dummyData_3Dim.csv").read_text()) == "ktab"
    assert detect_format(XML) == "ktab"
    assert detect_format(BDM.read_text()) == "bdm"
    assert detect_format("name: x\nactors: []\n") == "scenario"
    ok = _run(capsys, "forecast", str(BDM), "--format", "bdm", "--json")
    assert ok[0] == 0 and json.loads(ok[1])["scenario"] == "emission_1994"
    code, _, err = _run(capsys, "forecast", str(KTAB / "dummyData_3Dim.csv"), "--format", "bdm")
    assert code == 2 and "header" in err
    code, _, err = _run(capsys, "forecast", "emission-1994", "--format", "nonsense")
    assert code == 2 and "--format" in err


# ---------------------------------------------------------------------------------------
# Located errors


def _error(reader, text: str) -> InputError:
    with pytest.raises(InputError) as info:
        reader(text, file="in.csv")
    return info.value


CSV = (KTAB / "dummyData_3Dim.csv").read_text()


def test_ktab_non_numeric_cell_located() -> None:
    """A non-numeric cell: its line and column, the field and the value."""
    err = _error(reads_ktab_csv, CSV.replace(" 53.393,", " lots,"))
    assert (err.line, err.column, err.value) == (4, 35, "lots")
    assert "Power" in err.field and "SActor-01" in err.field


def test_ktab_too_few_fields() -> None:
    err = _error(reads_ktab_csv, CSV.replace(" 70.45, 28.15,", ""))
    assert err.line == 3 and "field" in err.problem and "at least 9" in err.expected


def test_ktab_salience_sum_over_100() -> None:
    """KTAB's rule: an actor's saliences sum to at most 100."""
    err = _error(reads_ktab_csv, CSV.replace("49.53", "79.53"))
    assert err.line == 3 and err.value == pytest.approx(113.59) and "at most 100" in err.expected


def test_fewer_than_three_actors() -> None:
    """KTAB's minimum of 3 actors, in each format."""
    two = "S,d,2,1,\nActor,Description,Power,P,S,\na,x,1,10,10\nb,x,1,20,10\n"
    err = _error(reads_ktab_csv, two)
    assert (err.line, err.column, err.value) == (1, 5, "2") and "3" in err.expected
    err = _error(reads_bdm, "Actor,Capability,Position,Salience\nA,1,1,1\nB,1,2,1\n")
    assert "at least 3" in err.expected
    xml = re.sub(
        r"<Actor>\s*<name>Carol</name>.*?</Actor>|<Actor>\s*<name>(David|Ellie)</name>.*?</Actor>",
        "",
        XML,
        flags=re.S,
    )
    xml = re.sub(r"<IdealAdjustment>.*</IdealAdjustment>", "", xml, flags=re.S)
    err = _error(reads_ktab_xml, xml)
    assert "at least 3 <Actor>" in err.expected and err.line is not None


@pytest.mark.parametrize(
    ("old", "new", "line", "expect"),
    [
        ("<dCoord>52.8</dCoord>", "<dCoord></dCoord>", 32, "decimal"),  # KTAB HEAD's broken copy
        ("<desc>A very simple test of multi-dim SMP, using psuedonyms</desc>", "", 5, "<desc>"),
        ("<PCEModel>MarkovIncentive</PCEModel>", "<PCEModel>Markov</PCEModel>", 9, "Conditional"),
        ("<capability>117.7</capability>", "<capability>1177</capability>", 30, "0 to 1000"),
        ("<dSal>22.4</dSal>", "<dSal>22.4</dSal><dSal>1</dSal>", 36, "3 <dSal>"),
        ("<adjust>0.87</adjust>", "<adjust>0.87</adjust><extra/>", 114, "no <extra>"),
        ("<referencePos>Alice</referencePos>", "<referencePos>Zed</referencePos>", 113, "actor"),
        ("<dSal>13.4</dSal>", "<dSal>73.4</dSal>", 27, "at most 100"),
        ("</Scenario>", "", 200, "well-formed"),
    ],
)
def test_xml_not_matching_schema(old: str, new: str, line: int, expect: str) -> None:
    """Files that do not match smpSchema.xsd (or KTAB's reader) get a located error."""
    assert old in XML
    err = _error(reads_ktab_xml, XML.replace(old, new, 1))
    assert expect in err.expected
    if line < 200:
        assert err.line == line


def test_bdm_errors_located() -> None:
    err = _error(reads_bdm, "Actor,Capability,Position,Salience\nA,1,1,1\nB,x,2,1\nC,1,3,1\n")
    assert (err.line, err.column, err.value) == (3, 3, "x")
    err = _error(reads_bdm, "Actor,Capability,Position,Salience\nA,1,1,1\nB,1,2\nC,1,3,1\n")
    assert err.line == 3 and "at least 4" in err.expected
    err = _error(reads_bdm, "Actor,Weight,Position,Salience\nA,1,1,1\n")
    assert err.field == "header" and "Capability" in err.expected


def test_cli_error_exit_status(tmp_path, capsys) -> None:
    """Bad input through the command line: one located line on stderr, exit status 2."""
    f = tmp_path / "bad.csv"
    f.write_text(CSV.replace(" 53.393,", " lots,"))
    code, out, err = _run(capsys, "import", "ktab", str(f))
    assert code == 2 and out == ""
    assert err.startswith(f"{f}:4:35:") and "'lots'" in err and "Traceback" not in err


# ---------------------------------------------------------------------------------------
# Property: any valid BdM table survives import


_row = st.tuples(
    st.floats(0.01, 1e4, allow_nan=False),
    st.floats(-1e3, 1e3, allow_nan=False),
    st.floats(0, 1, allow_nan=False),
)


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(_row, min_size=3, max_size=12))
def test_bdm_round_trip(rows) -> None:
    """The imported scenario holds the file's numbers (saliences in [0, 1] kept as they are),
    and its YAML loads back to the same scenario."""
    text = "Actor,Capability,Position,Salience\n" + "".join(
        f"a{k},{c!r},{x!r},{s!r}\n" for k, (c, x, s) in enumerate(rows)
    )
    imported = reads_bdm(text, file="p.csv")
    issue = imported.data["issues"][0]
    assert [a["capability"] for a in imported.data["actors"]] == [r[0] for r in rows]
    assert list(issue["positions"].values()) == [r[1] for r in rows]
    assert list(issue["saliences"].values()) == pytest.approx([r[2] for r in rows], abs=1e-12)
    from realpolitik.api import loads

    sc = loads(to_yaml(imported, "p.csv"))
    assert [a.capability for a in sc.actors] == [r[0] for r in rows]
    assert list(sc.issues[0].positions.values()) == [r[1] for r in rows]


def test_read_any_rejects_unknown_content(tmp_path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("hello\n")
    with pytest.raises(InputError) as info:
        read_any(f)
    assert "ktab" in info.value.expected


def test_ktab_count_that_is_not_a_decimal_number() -> None:
    """A superscript digit passes str.isdigit but not int(): still a located error."""
    err = _error(reads_ktab_csv, CSV.replace(",7,3,", ",7,³,", 1))
    assert err.line == 1 and err.value == "³"
