"""``forecast --save`` and ``realpolitik runs ...`` on a SQLite store in a temporary folder."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlalchemy")

from conftest import TINY  # noqa: E402

from realpolitik.scenario import bundled_path  # noqa: E402


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    monkeypatch.setenv("REALPOLITIK_STORE", url)  # the default store of every command here
    return url


def _edited(tmp_path):
    """moscow-1949 with Stalin's salience on Dalian raised from 0.5 to 1.0 (one line)."""
    text = bundled_path("moscow-1949").read_text(encoding="utf-8")
    old = "      stalin: 0.5    # J: a commercial port, under Chinese administration"
    assert text.count(old) == 1
    path = tmp_path / "moscow-edited.yaml"
    path.write_text(text.replace(old, old.replace("0.5", "1.0")), encoding="utf-8")
    return path


def test_save_list_show(cli, store_url):
    saved = cli("forecast", "moscow-1949", "-m", "compromise", "--seed", "4", "--save", "--json")
    assert saved.code == 0, saved.err
    assert "run 1 saved" in saved.err
    listing = cli("runs", "list", "--json").json()["runs"]
    assert len(listing) == 1
    row = listing[0]
    assert {k: row[k] for k in ("id", "scenario", "models", "runs", "seed", "status")} == {
        "id": 1,
        "scenario": "moscow-1949",
        "models": ["compromise"],
        "runs": 1,
        "seed": 4,
        "status": "done",
    }
    assert row["started"][:2] == "20" and row["progress"] == 1
    shown = cli("runs", "show", "1", "--json").json()
    assert shown["forecast"] == saved.json()
    text = cli("runs", "show", "1")
    assert text.code == 0 and "dalian" in text.out and "compromise" in text.out
    table = cli("runs", "list")
    assert "moscow-1949" in table.out and "done" in table.out


def test_diff_names_the_changed_input_and_forecast(cli, store_url, tmp_path):
    assert cli("forecast", "moscow-1949", "-m", "compromise", "--seed", "1", "--save").code == 0
    edited = _edited(tmp_path)
    assert cli("forecast", str(edited), "-m", "compromise", "--seed", "1", "--save").code == 0
    diff = cli("runs", "diff", "1", "2", "--json").json()
    assert diff["inputs"] == [{"path": "issues.dalian.saliences.stalin", "a": "0.5", "b": "1"}]
    changed = {(f["issue"], f["model"]) for f in diff["forecasts"] if f["changed"]}
    assert changed == {("dalian", "compromise")}  # only the edited issue moves
    dalian = next(f for f in diff["forecasts"] if f["issue"] == "dalian")
    # Stalin (position 10) weighs more: the compromise moves toward the Soviet end
    assert dalian["b"] < dalian["a"]
    text = cli("runs", "diff", "1", "2")
    assert "issues.dalian.saliences.stalin" in text.out and "dalian" in text.out


def test_report_rm_and_errors(cli, store_url, tmp_path):
    tiny = tmp_path / "tiny.yaml"  # one issue: a report with few charts, drawn quickly
    tiny.write_text(TINY, encoding="utf-8")
    saved = cli("forecast", str(tiny), "-m", "compromise", "--runs", "20", "--seed", "2", "--save")
    assert saved.code == 0, saved.err
    out = tmp_path / "rep"
    rep = cli("runs", "report", "1", "--report", str(out))
    assert rep.code == 0, rep.err
    assert (out / "report.html").stat().st_size > 1000 and (out / "report.md").exists()
    again = cli("runs", "resume", "1")
    assert again.code == 2 and "run 1 is done" in again.err
    assert cli("runs", "rm", "1").code == 0
    gone = cli("runs", "show", "1")
    assert gone.code == 2
    assert gone.err.strip().splitlines() == [
        "realpolitik: ID: got 1; expected the id of a stored run (see `realpolitik runs list`)"
    ]


def test_bad_store_url_is_a_one_line_error(cli, tmp_path):
    bad = cli("runs", "list", "--store", "nosuchdb://x")
    assert bad.code == 2 and len(bad.err.strip().splitlines()) == 1
    assert "--store" in bad.err and "Traceback" not in bad.err
    blocked = tmp_path / "file"
    blocked.write_text("")
    bad = cli("runs", "list", "--store", f"sqlite:///{blocked}/runs.sqlite")
    assert bad.code == 2 and "--store" in bad.err and len(bad.err.strip().splitlines()) == 1
