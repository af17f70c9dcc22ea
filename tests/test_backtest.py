"""Backtests: the DEU reader, the metrics, ``realpolitik backtest deu|cases`` and ``import deu``.

Reference values: the DEU III development split (Arregui & Perarnaud 2021, doi:10.34810/data53),
scored by :func:`_independent_deu_maes` below, a few lines of plain numpy written apart from the
package under the conventions of docs/specs/eum.md §9; the rest are closed forms worked by hand
in the comments beside the assertions.
"""

from __future__ import annotations

import csv
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import realpolitik
from realpolitik.analysis.backtest import backtest_cases, run_issue_models
from realpolitik.analysis.metrics import (
    bootstrap_mean,
    cluster_draws,
    cluster_index,
    paired_difference,
    summarize,
)
from realpolitik.api import load
from realpolitik.errors import InputError
from realpolitik.forecast import ModelRequest
from realpolitik.models import IssueInputs, IssueResult, ModelSpec, Options, _registry, names, specs
from realpolitik.scenario.importers.deu import (
    bundled_data_path,
    final_act_year,
    read_deu,
    reads_capabilities,
    reads_deu,
)

# A hand-made DEU-format file: actors com, de, fr, it; three proposals.
#  p1i1: x = (0, 60, 100), s = (1, 1, .5), c = 29 each -> mean 53.33, compromise
#        (60·29 + 100·14.5) / 72.5 = 44, median: cumulative 29, 58 of 72.5 -> 60; outcome 40.
#  p2i1: fr has no salience (counts as 0): mean 50, compromise 50·29/58 = 25, median: the
#        cumulative weight reaches exactly half (29 of 58) at 0, so the lower median is 0;
#        outcome 30.
#  p2i2: two positioned actors -> not scored.  p3i1: no outcome -> not scored.
HAND = (
    "prnr\tisnr\tprname\tpcom\tpde\tpfr\tpit\tscom\tsde\tsfr\tsit\trp\tout\n"
    '"p1"\t"p1i1"\t"one"\t0\t60\t100\t\t100\t100\t50\t\t0\t40\n'
    '"p2"\t"p2i1"\t"two"\t0\t50\t100\t\t100\t100\t\t\t50\t30\n'
    '"p2"\t"p2i2"\t"two"\t20\t80\t\t\t50\t50\t\t\t\t10\n'
    '"p3"\t"p3i1"\t"three"\t10\t20\t30\t40\t50\t50\t50\t50\t0\t\n'
)
# com's cell is empty: it gets the column's largest value (29); xx's the smallest (10).
HAND_CAPS = "actor,name,votes\ncom,Commission,\nde,Germany,29\nfr,France,29\nit,Italy,10\nxx,X,\n"


@pytest.fixture
def hand(tmp_path):
    data = tmp_path / "hand.tsv"
    data.write_text(HAND, encoding="utf-8")
    caps = tmp_path / "caps.csv"
    caps.write_text(HAND_CAPS, encoding="utf-8")
    return data, caps


def _hand_run(cli, hand, *extra):
    data, caps = hand
    return cli(
        "backtest",
        "deu",
        "--data",
        data,
        "--capabilities",
        caps,
        "--capability-column",
        "votes",
        *extra,
    )


# -- the reference values ----------------------------------------------------------


def _independent_deu_maes() -> dict[str, tuple[int, float]]:
    """n and MAE of mean, compromise and weighted median (lower tie) on the bundled dev split.

    Written apart from realpolitik (csv and numpy only), from the conventions of
    docs/specs/eum.md §9 and src/realpolitik/data/deu/README.md: an issue counts when its
    outcome lies in [0, 100] and at least 3 actors take a position; a missing salience is 0;
    weights are Nice votes × salience; all-zero weights fall back to the unweighted statistic.
    """
    root = Path(realpolitik.__file__).parent / "data" / "deu"
    with open(root / "capabilities.csv", newline="") as fh:
        votes = {r["actor"]: float(r["nice_votes"]) for r in csv.DictReader(fh)}
    with open(root / "deu_dev.tsv", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    head, body = rows[0], rows[2:]  # the second row is a GDP-like figure, not an issue
    actors = [h[1:] for h in head[13:43]]  # columns 14-43: p + actor code
    errors: dict[str, list[float]] = {"mean": [], "compromise": [], "median": []}
    for row in body:
        cell = dict(zip(head, row, strict=True))
        if cell["out"] == "" or not 0 <= float(cell["out"]) <= 100:
            continue
        on = [a for a in actors if cell["p" + a] != ""]
        if len(on) < 3:
            continue
        x = np.array([float(cell["p" + a]) for a in on])
        w = np.array([votes[a] * float(cell["s" + a] or 0) / 100 for a in on])
        out = float(cell["out"])
        errors["mean"].append(abs(x.mean() - out))
        w = w if w.sum() > 0 else np.ones_like(x)
        errors["compromise"].append(abs(w @ x / w.sum() - out))
        order = np.argsort(x, kind="stable")
        cum = np.cumsum(w[order])
        lower = x[order][np.argmax(cum >= cum[-1] / 2 - 1e-9)]  # the lower of two tied middles
        errors["median"].append(abs(lower - out))
    return {k: (len(v), float(np.mean(v))) for k, v in errors.items()}


def test_independent_scorer_gives_the_published_dev_split_figures():
    # The figures the project quotes for the dev split: mean 23.119 (n = 228), compromise
    # 22.349, weighted median 28.991, reproduced by the scorer above without realpolitik.
    got = _independent_deu_maes()
    assert got["mean"][0] == got["compromise"][0] == got["median"][0] == 228
    assert got["mean"][1] == pytest.approx(23.119, abs=5e-4)
    assert got["compromise"][1] == pytest.approx(22.349, abs=5e-4)
    assert got["median"][1] == pytest.approx(28.991, abs=5e-4)


def test_deu_default_reproduces_the_reference_values(cli):
    res = cli("backtest", "deu", "--json")
    assert res.code == 0, res.err
    out = res.json()
    # Every registered issue model is scored (eum, smp, ... join through the registry).
    assert list(out["models"]) == names("issue")
    m = out["models"]
    # The independent scorer above, on the same file: n, and the MAE of each model to 1e-6.
    ref = _independent_deu_maes()
    assert out["n_issues"] == ref["mean"][0] == 228
    for name in ("mean", "compromise", "median"):
        assert m[name]["n"] == ref[name][0]
        assert m[name]["mae"] == pytest.approx(ref[name][1], abs=1e-6)
    assert m["compromise"]["vs_compromise"] is None
    for name, entry in m.items():
        assert set(entry) >= {"n", "mae", "mae_ci95", "median_ae", "within10", "vs_compromise"}
        assert entry["n"] + sum(entry["skipped"].values()) == 228
        if entry["n"]:
            lo, hi = entry["mae_ci95"]
            assert lo <= entry["mae"] <= hi
            assert 0.0 <= entry["within10"] <= 1.0
        if name != "compromise":
            assert set(entry["vs_compromise"]) >= {"diff", "ci95"}
    assert out["capabilities"]["column"] == "nice_votes"


def test_deu_paired_difference_is_mae_minus_compromise(cli):
    out = cli("backtest", "deu", "--json", "-m", "mean", "-m", "compromise").json()
    d = out["models"]["mean"]["vs_compromise"]
    # Both forecast all 228 issues, so the paired difference is the difference of the MAEs:
    # 23.119 − 22.349 = 0.770.
    assert d["n"] == 228
    assert d["diff"] == pytest.approx(23.119 - 22.349, abs=0.01)
    assert d["ci95"][0] <= d["diff"] <= d["ci95"][1]


def test_deu_baseline_runs_even_when_not_requested(cli):
    out = cli("backtest", "deu", "--json", "-m", "median:tie=lower").json()
    assert list(out["models"]) == ["median"]
    # 28.991 − 22.349.
    assert out["models"]["median"]["vs_compromise"]["diff"] == pytest.approx(6.642, abs=0.02)


def test_deu_same_seed_same_intervals_other_seed_other(cli):
    a = cli("backtest", "deu", "--json", "-m", "mean", "--seed", "7").json()
    b = cli("backtest", "deu", "--json", "-m", "mean", "--seed", "7").json()
    c = cli("backtest", "deu", "--json", "-m", "mean", "--seed", "8").json()
    assert a == b
    assert a["models"]["mean"]["mae_ci95"] != c["models"]["mean"]["mae_ci95"]
    assert a["models"]["mean"]["mae"] == c["models"]["mean"]["mae"]


def test_deu_table_says_the_conventions(cli):
    res = cli("backtest", "deu", "-m", "mean", "-m", "compromise")
    assert res.code == 0, res.err
    for text in ("23.12", "22.35", "228", "salience 0", "nice_votes", "at least 3"):
        assert text in res.out


# -- any DEU-format file: hand-worked values -----------------------------------------------------


def test_hand_file_closed_forms(cli, hand):
    res = _hand_run(cli, hand, "--json", "-m", "mean", "-m", "compromise", "-m", "median")
    assert res.code == 0, res.err
    out = res.json()
    assert out["n_issues"] == 2
    assert out["unscored"] == {"no outcome in [0, 100]": 1, "fewer than 3 positioned actors": 1}
    m = out["models"]
    # Errors (see HAND): mean 13.333 and 20, compromise 4 and 5, median 20 and 30.
    assert m["mean"]["mae"] == pytest.approx((40 / 3 + 20) / 2)
    assert m["compromise"]["mae"] == pytest.approx(4.5)
    assert m["median"]["mae"] == pytest.approx(25.0)
    assert m["compromise"]["median_ae"] == pytest.approx(4.5)
    assert m["mean"]["within10"] == 0.0 and m["compromise"]["within10"] == 1.0
    # Two proposals, one scored issue each: a resample is AA, AB, BA or BB (1/4 each), so
    # the 2.5% and 97.5% points of 2,000 resamples are the two proposals' own errors.
    assert m["mean"]["mae_ci95"] == pytest.approx([40 / 3, 20.0])
    assert m["compromise"]["mae_ci95"] == pytest.approx([4.0, 5.0])
    # Paired: differences 9.333 and 15.
    assert m["mean"]["vs_compromise"]["diff"] == pytest.approx((28 / 3 + 15) / 2)
    assert m["mean"]["vs_compromise"]["ci95"] == pytest.approx([28 / 3, 15.0])
    # The empty capability cells: com the largest value (29), xx the smallest (10).
    assert out["capabilities"]["filled"] == {"com": 29.0, "xx": 10.0}
    assert any("salience 0 (1 such cells)" in note for note in out["notes"])


def test_hand_file_table_names_the_filled_cells(cli, hand):
    res = _hand_run(cli, hand, "-m", "compromise")
    assert res.code == 0, res.err
    assert "com given the column's largest value (29)" in " ".join(res.out.split())
    assert "xx given its smallest (10)" in " ".join(res.out.split())


def test_predictions_csv(cli, hand, tmp_path):
    target = tmp_path / "pred.csv"
    res = _hand_run(cli, hand, "-m", "mean", "-m", "compromise", "--predictions", target)
    assert res.code == 0, res.err
    rows = list(csv.DictReader(target.open()))
    assert [r["issue"] for r in rows] == ["p1i1", "p2i1"]
    assert [r["proposal"] for r in rows] == ["p1", "p2"]
    assert float(rows[0]["compromise"]) == pytest.approx(44.0)  # see HAND
    assert float(rows[1]["mean"]) == pytest.approx(50.0)
    assert float(rows[1]["outcome"]) == 30.0 and float(rows[1]["reference_point"]) == 50.0


class _SkipOptions(Options):
    pass


def _skipper(inputs: IssueInputs, options: Options, ctx) -> IssueResult:
    """Skips an issue with a zero salience (naming the actor); refuses one with a 60."""
    if np.any(inputs.x == 60):
        raise InputError(problem="a 60 is not allowed", expected="no 60")
    k = int(np.argmin(inputs.s[:, 0]))
    return IssueResult(values=np.array([50.0]), skipped={0: f"actor {inputs.actors[k]!r} is mute"})


def test_a_model_that_cannot_run_an_issue_skips_it(cli, hand, monkeypatch):
    specs()  # discover first, then add a test model for this test only
    spec = ModelSpec(
        name="skipper",
        kind="issue",
        summary="test",
        citation="test",
        run=_skipper,
        options=_SkipOptions,
    )
    monkeypatch.setitem(_registry._REGISTRY, "skipper", spec)
    res = _hand_run(cli, hand, "--json", "-m", "skipper")
    assert res.code == 0, res.err
    m = res.json()["models"]["skipper"]
    assert m["n"] == 0 and m["mae"] is None
    # Reasons are counted with the actor's name taken out.
    assert m["skipped"] == {"a 60 is not allowed": 1, "an actor is mute": 1}
    assert m["vs_compromise"]["n"] == 0


def test_run_issue_models_counts_nan_as_skipped():
    spec = ModelSpec(
        name="nan",
        kind="issue",
        summary="t",
        citation="t",
        run=lambda i, o, c: IssueResult(values=np.array([np.nan])),
    )
    one = IssueInputs(
        x=np.array([[0.0], [100.0]]),
        s=np.ones((2, 1)),
        c=np.ones(2),
        mask=np.ones((2, 1), bool),
        reference=np.array([np.nan]),
    )
    values, reasons = run_issue_models([one], [ModelRequest(spec, Options())])
    assert math.isnan(values["nan"][0])
    assert reasons["nan"] == {0: "no forecast (NaN)"}


def test_other_capability_columns_fill_as_documented(cli):
    # capabilities.csv: the Commission and the Parliament have no population, so they get the
    # column's largest value, Germany's 82.5.
    out = cli(
        "backtest",
        "deu",
        "--json",
        "-m",
        "compromise",
        "--capability-column",
        "population_2017_millions",
    ).json()
    assert out["capabilities"]["filled"] == {"com": 82.5, "ep": 82.5}
    # Pre-Nice votes: the states that joined in 2004 and later get the smallest, 2 (lu).
    out = cli(
        "backtest", "deu", "--json", "-m", "compromise", "--capability-column", "pre_nice_votes"
    ).json()
    filled = out["capabilities"]["filled"]
    assert set(filled) == {
        "bu",
        "cr",
        "cy",
        "cz",
        "ee",
        "hu",
        "lv",
        "lt",
        "mt",
        "pl",
        "ro",
        "si",
        "sk",
    }
    assert set(filled.values()) == {2.0}


# -- malformed files: located errors, exit status 2 ----------------------------------------------


def _lines():
    return bundled_data_path().read_text(encoding="utf-8").split("\n")


def _run_bad(cli, tmp_path, lines):
    bad = tmp_path / "bad.tsv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    res = cli("backtest", "deu", "--data", bad, "-m", "mean")
    assert res.code == 2
    assert "Traceback" not in res.err
    return str(bad), res.err.strip()


def test_missing_column_is_located(cli, tmp_path):
    lines = _lines()
    drop = [c.strip('"') for c in lines[0].split("\t")].index("out")
    cut = [
        "\t".join(c for j, c in enumerate(ln.split("\t")) if j != drop) if ln else ln
        for ln in lines
    ]
    path, err = _run_bad(cli, tmp_path, cut)
    assert err.startswith(f"{path}:1:1: out: no column 'out'")


def test_missing_salience_column_is_located_at_its_position_column(cli, tmp_path):
    lines = _lines()
    header = lines[0].split("\t")
    drop = [c.strip('"') for c in header].index("sde")
    cut = [
        "\t".join(c for j, c in enumerate(ln.split("\t")) if j != drop) if ln else ln
        for ln in lines
    ]
    j = [c.strip('"') for c in header].index("pde")
    col = sum(len(c) + 1 for c in header[:j]) + 1  # characters before the cell, 1-based
    path, err = _run_bad(cli, tmp_path, cut)
    assert err.startswith(f"{path}:1:{col}: sde: no salience column 'sde'")


def test_non_numeric_position_is_located(cli, tmp_path):
    lines = _lines()
    cells = lines[2].split("\t")  # line 3: issue d00060i1
    j = [c.strip('"') for c in lines[0].split("\t")].index("pcom")
    cells[j] = "abc"
    lines[2] = "\t".join(cells)
    col = sum(len(c) + 1 for c in cells[:j]) + 1
    path, err = _run_bad(cli, tmp_path, lines)
    assert err == (
        f"{path}:3:{col}: d00060i1.pcom: got 'abc'; expected a position from 0 to 100, "
        "or an empty cell"
    )


def test_truncated_row_is_located(cli, tmp_path):
    lines = _lines()
    cells = lines[9].split("\t")
    lines[9] = "\t".join(cells[:40])
    path, err = _run_bad(cli, tmp_path, lines)
    header = [c.strip('"') for c in lines[0].split("\t")]
    assert err.startswith(f"{path}:10:{len(lines[9]) + 1}: ")
    assert f"the row ends after 40 of {len(header)} columns" in err
    assert repr(header[40]) in err


def test_unknown_capability_column_and_actor(cli, tmp_path):
    res = cli("backtest", "deu", "--capability-column", "gdp")
    assert res.code == 2
    assert "--capability-column: got 'gdp'; expected a column of" in res.err
    caps = tmp_path / "caps.csv"
    caps.write_text("actor,votes\ncom,1\n", encoding="utf-8")
    res = cli("backtest", "deu", "--capabilities", caps, "--capability-column", "votes")
    assert res.code == 2
    assert "actor 'ep' has no row in" in res.err


def test_reader_skips_the_gdp_row_and_reads_crlf():
    text = bundled_data_path().read_text(encoding="utf-8")
    data = reads_deu(text.replace("\n", "\r\n"), file="crlf.tsv")
    # Line 2 is the copy's GDP row (README); the first issue is on line 3.
    assert data.issues[0].id == "d00060i1" and data.issues[0].line == 3
    assert len(data.issues) == len(read_deu(bundled_data_path()).issues)
    assert data.actors[:3] == ("com", "ep", "at") and len(data.actors) == 30


def test_capability_cell_must_be_positive():
    with pytest.raises(InputError) as exc:
        reads_capabilities("actor,votes\nde,0\n", "votes", file="c.csv")
    assert str(exc.value) == "c.csv:2:4: de.votes: got 0; expected a number > 0, or an empty cell"


# -- import deu -------------------------------------------------------------------------------


def test_import_deu_round_trip(cli, tmp_path):
    target = tmp_path / "d1.yaml"
    res = cli("import", "deu", "--issue", "d00060i1", "-o", target)
    assert res.code == 0, res.err
    sc = load(target)
    # Row d00060i1 of deu_dev.tsv: 16 positions, outcome 50.
    assert sc.recorded("d00060i1") == 50
    assert len(sc.actors) == 16
    out = cli("forecast", target, "--json", "-m", "mean").json()
    # Positions: seven at 100, eight at 50, one at 0 -> (700 + 400) / 16 = 68.75.
    assert out["issues"][0]["forecasts"]["mean"]["value"] == pytest.approx(68.75)


def test_import_deu_unknown_issue(cli):
    res = cli("import", "deu", "--issue", "nope")
    assert res.code == 2
    assert "--issue: got 'nope'; expected an issue id of" in res.err


# -- historical cases ---------------------------------------------------------------------------


def test_cases_json_shape_and_sums():
    scenarios = [load("moscow-1949"), load("emission-1994")]
    out = backtest_cases(scenarios, ["mean", "compromise"]).to_json()
    rows = out["cases"]
    assert {r["scenario"] for r in rows} == {"moscow-1949", "emission-1994"}
    emission = next(r for r in rows if r["scenario"] == "emission-1994")
    # Bueno de Mesquita's car-emission case: the recorded outcome is 8.83 years (README).
    assert emission["outcome"] == pytest.approx(8.83)
    sc = scenarios[1]
    issue = sc.issues[0]
    span = issue.scale.max - issue.scale.min
    for model in ("mean", "compromise"):
        e = emission["errors"][model]
        assert e["error"] == pytest.approx(e["forecast"] - 8.83)
        assert e["error_0_100"] == pytest.approx(e["error"] * 100 / span)
    # The unweighted mean of the positions, by hand from the scenario's numbers.
    positions = list(issue.positions.values())
    assert emission["errors"]["mean"]["forecast"] == pytest.approx(np.mean(positions))
    for model in ("mean", "compromise"):
        errs = [abs(r["errors"][model]["error_0_100"]) for r in rows]
        assert out["models"][model]["n"] == len(rows)
        assert out["models"][model]["mae_0_100"] == pytest.approx(np.mean(errs))


def test_cases_cli(cli):
    res = cli("backtest", "cases", "--json")
    assert res.code == 0, res.err
    out = res.json()
    assert list(out["models"]) == names("issue")
    assert {"moscow-1949", "emission-1994"} <= {r["scenario"] for r in out["cases"]}
    table = cli("backtest", "cases")
    assert table.code == 0 and "moscow-1949" in table.out and "MAE 0–100" in table.out


# -- metrics: closed forms and properties ---------------------------------------------------------


def test_summarize_closed_form():
    s = summarize(np.array([0.0, 10.0, 30.0, np.nan]))
    assert (s.n, s.mae, s.median_ae, s.within10) == (3, pytest.approx(40 / 3), 10.0, 2 / 3)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.floats(0, 100)), min_size=1, max_size=30),
    st.integers(0, 2**32 - 1),
)
def test_bootstrap_interval_lies_within_the_cluster_means(pairs, seed):
    labels = [str(k) for k, _ in pairs]
    values = np.array([v for _, v in pairs])
    cluster = cluster_index(labels)
    counts = cluster_draws(int(cluster.max()) + 1, 200, np.random.default_rng(seed))
    assert np.all(counts.sum(axis=1) == cluster.max() + 1)
    lo, hi = bootstrap_mean(values, cluster, counts)
    # Each resample's mean is a weighted average of the cluster means.
    means = [values[cluster == k].mean() for k in range(cluster.max() + 1)]
    assert min(means) - 1e-9 <= lo <= hi <= max(means) + 1e-9
    n, diff, ci = paired_difference(values, values, cluster, counts)
    assert (n, diff, ci) == (len(values), 0.0, (0.0, 0.0))


def test_missing_salience_drop(cli, hand):
    res = _hand_run(cli, hand, "--json", "-m", "mean", "--missing-salience", "drop")
    assert res.code == 0, res.err
    out = res.json()
    # Dropping fr (no salience) leaves p2i1 with 2 actors, so it is no longer scored; only
    # p1i1 is, whose mean 53.33 misses the outcome 40 by 13.33 (see HAND).
    assert out["n_issues"] == 1
    assert out["unscored"]["fewer than 3 positioned actors"] == 2
    assert out["models"]["mean"]["mae"] == pytest.approx(40 / 3)
    assert out["missing_salience"] == "drop"


def test_a_model_given_twice_is_refused(cli):
    # Scores are keyed by model name, so a second -m mean would replace the first.
    res = cli("backtest", "deu", "-m", "mean", "-m", "mean:")
    assert res.code == 2 and res.out == ""
    assert "--model: 'mean' is given twice" in res.err


def test_only_issue_models_can_be_backtested(cli):
    crisis = names("crisis")
    if not crisis:
        pytest.skip("no crisis model registered")
    res = cli("backtest", "deu", "-m", crisis[0])
    assert res.code == 2
    assert f"--model: got {crisis[0]!r}; expected an issue model:" in res.err


@pytest.mark.parametrize(
    ("finact", "year"),
    [("19-07-99", 1999), ("2013-08-08", 2008), ("2029-10-08", 2008), ("999", 1999), ("", None)],
)
def test_final_act_year_reads_the_last_two_digits(finact, year):
    # eum.md §9: the final-act year is the last two digits of finact, as 19yy or 20yy.
    issue = read_deu(bundled_data_path()).issues[0]
    assert final_act_year(replace(issue, meta={"finact": finact})) == year


def test_era_capabilities(cli, tmp_path):
    # d00060i1's finact is 999, read as 1999: pre-Nice votes, Commission 10 (capabilities.csv).
    target = tmp_path / "era.yaml"
    res = cli("import", "deu", "--issue", "d00060i1", "--capability-column", "era", "-o", target)
    assert res.code == 0, res.err
    assert {a.id: a.capability for a in load(target).actors}["com"] == 10
    out = cli("backtest", "deu", "--json", "-m", "mean", "--capability-column", "era").json()
    assert out["capabilities"]["column"] == "era"
    assert out["capabilities"]["filled"]["population_2017_millions"] == {"com": 82.5, "ep": 82.5}
    # Capabilities do not enter the unweighted mean: 23.119 as with Nice votes.
    assert out["models"]["mean"]["mae"] == pytest.approx(23.119, abs=0.01)


def test_bad_report_target_is_refused_before_the_work(cli, tmp_path):
    # A --report that is a file gets a located error at once: no table printed, no work lost.
    target = tmp_path / "report"
    target.write_text("keep me")
    for args in (["backtest", "deu"], ["backtest", "cases"]):
        res = cli(*args, "--report", target)
        assert res.code == 2 and res.out == "", res
        assert res.err.startswith("realpolitik: --report:"), res.err
        assert target.read_text() == "keep me"
