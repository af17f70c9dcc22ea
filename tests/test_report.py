"""The analyst's report: sections drawn from data, self-contained HTML, Markdown twin.

One full report (every kind of data) and one bare report are built once per module; the
tests read them. Expected numbers come from closed forms or from peer code (numpy, scipy,
the ensemble's own JSON summary), never from the report code itself.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")
html5lib = pytest.importorskip("html5lib")

from realpolitik.api import load  # noqa: E402
from realpolitik.forecast import forecast  # noqa: E402
from realpolitik.report import ReportData, from_forecast, render, write_report  # noqa: E402
from realpolitik.report import _format as fmt  # noqa: E402
from realpolitik.report._charts import clean_svg  # noqa: E402
from realpolitik.report.assemble import rank_drivers  # noqa: E402
from realpolitik.report.data import Distribution, label_probabilities  # noqa: E402
from realpolitik.scenario import Scale  # noqa: E402

SECTION_IDS = (
    "situation", "forecast", "calibrated", "path", "crises", "logistics", "drivers", "track", "method"
)  # fmt: skip

# The backtest JSON shape of `backtest deu` and `backtest cases` (numbers are illustrative, not scores).
BACKTEST = {
    "deu": {
        "dataset": "test DEU file",
        "n_issues": 3,
        "baseline": "compromise",
        "seed": 0,
        "resamples": 2000,
        "notes": ["Scored 3 of 3 issues."],
        "models": {
            "compromise": {
                "n": 3,
                "mae": 20.0,
                "mae_ci95": [15.0, 25.0],
                "median_ae": 18.0,
                "within10": 1 / 3,
                "vs_compromise": None,
                "skipped": {},
            },
            "median": {
                "n": 3,
                "mae": 30.0,
                "mae_ci95": [24.0, 36.0],
                "median_ae": 28.0,
                "within10": 0.0,
                "vs_compromise": {"diff": 10.0, "ci95": [4.0, 16.0]},
                "skipped": {},
            },
            "mean": {
                "n": 3,
                "mae": 21.0,
                "mae_ci95": [16.0, 26.0],
                "median_ae": 19.0,
                "within10": 1 / 3,
                "vs_compromise": {"diff": 1.0, "ci95": [-2.0, 4.0]},
                "skipped": {},
            },
        },
    },
    "cases": {
        "cases": [
            {
                "scenario": "moscow-1949",
                "issue": "credit",
                "name": "Soviet credit",
                "unit": "million US$",
                "outcome": 300.0,
                "errors": {"compromise": {"forecast": 303.3, "error": 3.3, "error_0_100": 0.33}},
            }
        ],
        "models": {"compromise": {"n": 1, "mae_0_100": 0.33}},
    },
}

# The sensitivity JSON shape of `sensitivity --json`.
SENSITIVITY = {
    "scenario": "moscow-1949",
    "method": "sobol",
    "samples": 256,
    "issues": [
        {
            "id": "alliance",
            "model": "compromise",
            "drivers": [
                {
                    "input": "issues.alliance.positions.stalin",
                    "S1": 0.5,
                    "S1_conf": 0.05,
                    "ST": 0.6,
                    "ST_conf": 0.06,
                },
                {
                    "input": "issues.alliance.saliences.mao",
                    "S1": 0.2,
                    "S1_conf": 0.03,
                    "ST": 0.25,
                    "ST_conf": 0.04,
                },
            ],
        }
    ],
}

# The airlift JSON shape of `airlift --json` (a synthetic week).
AIRLIFT = {
    "daily": [
        {
            "date": f"1948-07-0{d}",
            "tons": 1000.0 * d,
            "flights": 100 * d,
            "stocks_days": 30.0 - d,
            "shortfall": max(5009.0 - 1000.0 * d, 0.0),
        }
        for d in range(1, 8)
    ],
    "monthly": [{"month": "1948-07", "tons": 28000.0, "flights": 2800}],
    "total": {"tons": 28000.0, "flights": 2800},
}


@pytest.fixture(scope="module")
def moscow():
    return load("moscow-1949")


@pytest.fixture(scope="module")
def full(moscow, tmp_path_factory):
    """A report with every kind of data: forecast, runs, traces, crisis, airlift, drivers,
    backtest. The ensemble's per-run forecasts are synthetic draws around the forecast."""
    result = forecast(moscow, seed=3)
    rng = np.random.default_rng(11)
    samples = {}
    for j, issue in enumerate(moscow.issues):
        span = issue.scale.max - issue.scale.min
        for m in ("compromise", "median"):
            centre = result.value(m, j)
            samples[(issue.id, m)] = np.clip(
                centre + rng.normal(0, 0.1 * span, 400), issue.scale.min, issue.scale.max
            )
    data = from_forecast(result, seed=3, runs=400, samples=samples, command="test")
    data.sensitivity = SENSITIVITY
    data.backtest = BACKTEST
    data.logistics["airlift"] = AIRLIFT
    out = tmp_path_factory.mktemp("full")
    path = write_report(data, out)
    return {
        "data": data,
        "dir": out,
        "html": path.read_text(encoding="utf-8"),
        "md": (out / "report.md").read_text(encoding="utf-8"),
        "samples": samples,
    }


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """A report of one static model on a scenario without outcome-free extras."""
    sc = load("emission-1994")
    # The runs' spread alone: a single run then has no interval to show.
    data = from_forecast(forecast(sc, ["compromise"], intervals="inputs"), seed=None)
    out = tmp_path_factory.mktemp("bare")
    path = write_report(data, out)
    return {"data": data, "dir": out, "html": path.read_text(encoding="utf-8")}


def _text(html: str) -> str:
    """The page's visible words: the body's text, without the charts' SVG."""
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    body = doc.find("body")
    for fig in body.iter("figure"):
        for svg in list(fig):
            if svg.tag.endswith("svg"):
                fig.remove(svg)
    return " ".join(" ".join(body.itertext()).split())


def _sections(html: str) -> set[str]:
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    return {s.get("id") for s in doc.iter("section") if s.get("class") == "section"}


# -- the HTML ------------------------------------------------------------------------------


def test_html_parses_strictly(full, bare):
    """Both reports are valid HTML5: html5lib's strict parser raises on any parse error."""
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(full["html"])
    parser.parse(bare["html"])


def test_every_section_its_data_calls_for(full, bare):
    assert _sections(full["html"]) == set(SECTION_IDS)
    # emission-1994 with compromise only: no trace, crisis, airlift, sensitivity or backtest.
    assert _sections(bare["html"]) == {"situation", "forecast", "method"}


def test_charts_are_inline_svg_with_captions(full):
    doc = html5lib.parse(full["html"], namespaceHTMLElements=False)
    figures = [f for f in doc.iter("figure") if f.get("class") == "chart"]
    assert len(figures) >= 10
    for fig in figures:
        svg = fig.find("{http://www.w3.org/2000/svg}svg")
        assert svg is not None, fig.get("id")
        caption = "".join(fig.find("figcaption").itertext())
        # Each caption says what produced the chart: scenario or model, and the seed.
        assert "Source:" in caption and ("seed" in caption), caption
    ids = [f.get("id") for f in figures]
    assert len(ids) == len(set(ids))


_EXTERNAL = re.compile(r"^(?!#|data:)", re.I)


def test_nothing_loaded_from_outside(full, bare):
    for html in (full["html"], bare["html"]):
        doc = html5lib.parse(html, namespaceHTMLElements=False)
        for el in doc.iter():
            tag = el.tag.split("}")[-1] if isinstance(el.tag, str) else ""
            if tag in (
                "script",
                "link",
                "img",
                "iframe",
                "embed",
                "object",
                "source",
                "video",
                "audio",
                "image",
                "use",
                "feImage",
            ):
                for attr, value in el.attrib.items():
                    if attr.split("}")[-1] in ("src", "href", "data", "srcset"):
                        assert not _EXTERNAL.match(value), (tag, attr, value)
        styles = " ".join("".join(s.itertext()) for s in doc.iter("style"))
        inline = " ".join(el.get("style", "") for el in doc.iter() if isinstance(el.tag, str))
        for css in (styles, inline):
            assert "@import" not in css and "@font-face" not in css
            assert not re.search(r"url\(\s*['\"]?(?!#)", css), css[:200]
        assert not re.search(r"url\(\s*['\"]?(?!#)", html)
        assert "<!DOCTYPE svg" not in html and "<?xml" not in html
        assert not doc.findall(".//script")


def test_svg_ids_unique_and_references_resolve(full):
    ids = re.findall(r'\bid="([^"]+)"', full["html"])
    assert len(ids) == len(set(ids))
    for ref in re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', full["html"]):
        target = ref[0] or ref[1]
        assert target in ids, target


def test_links_to_sources_are_plain_links():
    """A URL in the scenario's sources becomes a plain <a href>, the only outside link."""
    sc = load("emission-1994").model_copy(update={"sources": ["See https://example.org/x"]})
    rendered = render(from_forecast(forecast(sc, ["mean"])))
    assert '<a href="https://example.org/x">https://example.org/x</a>' in rendered.html


# -- the Markdown twin ---------------------------------------------------------------------


def test_markdown_image_links_resolve(full):
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", full["md"])
    charts = [c for s in render(full["data"]).sections for c in s.charts()]
    assert len(links) == len(charts) >= 10
    for link in links:
        png = full["dir"] / link
        assert png.is_file(), link
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_markdown_tables_one_row_per_line(full):
    tables = [b for s in render(full["data"]).sections for b in s.blocks if b.kind == "table"]
    separators = re.findall(r"^\|(?::---|---:)(?:\|(?::---|---:))*\|$", full["md"], re.M)
    assert len(separators) == len(tables) > 0
    rows = sum(len(t.rows) for t in tables)
    body = [ln for ln in full["md"].splitlines() if ln.startswith("| ")]
    assert len(body) == rows + len(tables)  # each row and each header on a line of its own


def test_markdown_has_the_same_sections(full):
    titles = re.findall(r"^## \d+\. (.+)$", full["md"], re.M)
    assert titles == [
        "Situation",
        "Forecast",
        "Calibrated intervals",
        "Path",
        "Who gives way and when",
        "Logistics",
        "Drivers",
        "Track record",
        "Method",
    ]


# -- prose from results --------------------------------------------------------------------


def test_attrition_prose_states_the_numbers(full, moscow):
    entry = next(c for c in full["data"].crises if c["model"] == "attrition")
    first = max(entry["p_first"], key=entry["p_first"].get)
    name = {"stalin": "Joseph Stalin", "mao": "Mao Zedong"}[first]
    text = _text(full["html"])
    assert f"{name} concedes first in {fmt.pct(entry['p_first'][first])}" in text
    # moscow-1949 records Stalin conceding on day 17 (its outcome block).
    assert "Joseph Stalin conceded on day 17" in text


def test_forecast_prose_names_the_recorded_outcome(bare):
    text = _text(bare["html"])
    # emission-1994's recorded outcome: 8.83 years (Bueno de Mesquita 1994).
    assert "Recorded: 8.83 years" in text


def test_ensemble_intervals_match_numpy(full, moscow):
    """The 80% interval printed for an issue is numpy's 10th-90th percentile of the runs."""
    v = full["samples"][("alliance", "compromise")]
    lo, hi = np.percentile(v, [10, 90])
    text = _text(full["html"])
    assert f"80% interval {fmt.span(lo, hi)}" in text


def test_no_boilerplate_without_data(bare):
    text = _text(bare["html"])
    for absent in ("80% interval", "concedes", "Sobol", "Track record", "short tons", "round"):
        assert absent not in text, absent


# -- the data structure --------------------------------------------------------------------


def test_summary_matches_the_ensemble_json():
    """Distribution.from_samples agrees with the forecast JSON's summary."""
    from realpolitik.analysis.summary import summarise

    scale = Scale(min=0, max=10, anchors={0: "none", 5: "half", 10: "all"})
    v = np.random.default_rng(5).uniform(0, 10, 997)
    ref = summarise(v, scale)
    d = Distribution.from_samples(v, scale)
    assert d.value == pytest.approx(ref["value"], abs=1e-12)
    for key in ("p05", "p10", "p25", "p75", "p90", "p95"):
        assert d.quantiles[key] == pytest.approx(ref[key], abs=1e-12)
    assert d.labels == pytest.approx(ref["labels"])
    assert d.mc_se == pytest.approx(ref["mc_se"])


def test_label_tie_goes_to_the_lower_anchor():
    # 5 is equidistant from 0 and 10: Scale.nearest_label gives the lower one.
    scale = Scale(min=0, max=10, anchors={0: "low", 10: "high"})
    assert scale.nearest_label(5) == "low"
    assert label_probabilities(np.array([5.0, 5.0, 9.0, 1.0]), scale) == {"low": 0.75, "high": 0.25}


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=50),
    st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=5, unique=True),
)
def test_label_probabilities_sum_to_one(values, points):
    scale = Scale(min=0, max=100, anchors={p: f"p{k}" for k, p in enumerate(points)})
    probs = label_probabilities(np.array(values), scale)
    assert sum(probs.values()) == pytest.approx(1.0)
    assert all(0.0 <= p <= 1.0 for p in probs.values())


def test_rank_drivers_is_spearman():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(2)
    a, b = rng.normal(size=200), rng.normal(size=200)
    y = 3 * a + 0.3 * b + rng.normal(scale=0.1, size=200)
    out = rank_drivers({"a": a, "b": b}, {("x", "m"): y}, 200)
    drivers = out["issues"][0]["drivers"]
    assert [d["input"] for d in drivers] == ["a", "b"]
    assert drivers[0]["rho"] == pytest.approx(spearmanr(a, y).statistic, abs=1e-12)
    assert drivers[1]["rho"] == pytest.approx(spearmanr(b, y).statistic, abs=1e-12)


def test_report_without_scenario_shows_the_backtest_only(tmp_path):
    data = ReportData(scenario=None, title="DEU backtest", kind="backtest", seed=0)
    data.backtest = {"deu": BACKTEST["deu"]}
    html = write_report(data, tmp_path).read_text(encoding="utf-8")
    assert _sections(html) == {"track", "method"}
    text = _text(html)
    # median's paired difference [4, 16] lies above 0; mean's [-2, 4] straddles it.
    assert "median: MAE 30.0 points — worse than compromise by 10.0 points" in text
    assert "mean: MAE 21.0 points — no clear difference from compromise" in text


def test_clean_svg_prefixes_ids_and_drops_doctype():
    raw = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="5pt" viewBox="0 0 10 5">'
        '<metadata><rdf:RDF/></metadata><defs><path id="g1" d="M0 0"/>'
        '<clipPath id="c1"><rect/></clipPath></defs>'
        '<use xlink:href="#g1" clip-path="url(#c1)"/></svg>'
    )
    out = clean_svg(raw, "fig", 'a "chart"')
    assert out.startswith("<svg") and "DOCTYPE" not in out and "metadata" not in out
    assert 'id="fig-g1"' in out and 'href="#fig-g1"' in out and "url(#fig-c1)" in out
    assert 'aria-label="a &quot;chart&quot;"' in out


def test_numbers_carry_units():
    assert fmt.with_unit(49.0294, "points") == "49.0 points"
    assert fmt.with_unit(300, "million US$", as_given=True) == "300 million US$"
    assert fmt.with_unit(12.5, "% of GDP") == "12.5% of GDP"
    assert fmt.pct(0.7812) == "78%" and fmt.pct(0.001) == "<1%" and fmt.pct(0.999) == ">99%"
    assert fmt.span(9, 44, "days", 0) == "9–44 days"
    assert fmt.num(0.0) == "0" and fmt.num(-0.0001, 1) == "0"


# -- the command line ----------------------------------------------------------------------


def test_forecast_report_flag(cli, tmp_path, monkeypatch):
    from realpolitik.report import assemble

    monkeypatch.setattr(assemble, "track_record", lambda *a, **k: BACKTEST)
    out = tmp_path / "rep"
    r = cli("forecast", "emission-1994", "--model", "compromise", "--report", out)
    assert r.code == 0, r.err
    assert f"Report: {(out / 'report.html').resolve()}" in r.out
    assert _sections((out / "report.html").read_text()) == {
        "situation",
        "forecast",
        "calibrated",  # the calibrated intervals, on by default
        "track",
        "method",
    }
    # With --json, stdout stays one JSON object; the report's path goes to stderr.
    r = cli("forecast", "emission-1994", "--model", "compromise", "--json", "--report", out)
    assert r.code == 0 and json.loads(r.out)["scenario"] == "emission-1994"
    assert "Report:" in r.err


SMALL = """
name: budget-2027
description: Three parties bargain over the defence budget.
actors:
  - {id: gov, name: Government, capability: 50}
  - {id: opp, name: Opposition, capability: 30}
  - {id: jr, name: Junior partner, capability: 20}
issues:
  - id: defence
    name: Defence budget
    unit: "% of GDP"
    scale: {min: 1.0, max: 3.0, anchors: {1.5: "status quo", 2.0: "NATO target"}}
    reference_point: 1.5
    positions: {gov: 2.0, opp: 1.5, jr: 2.5}
    saliences: {gov: 0.8, opp: 0.6, jr: 0.9}
uncertainty:
  positions: {sd: 0.2}
"""


def test_report_of_a_results_file(cli, tmp_path):
    pytest.importorskip("pyarrow")
    scenario = tmp_path / "budget.yaml"
    scenario.write_text(SMALL, encoding="utf-8")
    results = tmp_path / "runs.parquet"
    r = cli(
        "forecast",
        scenario,
        "--model",
        "compromise",
        "--model",
        "median",
        "--runs",
        "60",
        "--seed",
        "4",
        "--out",
        results,
    )
    assert r.code == 0, r.err
    r = cli("report", results, "--report", tmp_path / "rep")
    assert r.code == 0, r.err
    html = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    assert _sections(html) == {"situation", "forecast", "drivers", "method"}
    text = _text(html)
    assert "60 runs" in text and "seed 4" in text and "80% interval" in text
    # The drivers are the three uncertain positions (the uncertainty block's only inputs).
    assert "Government's position" in text


def test_report_errors_are_located(cli, tmp_path):
    r = cli("report", tmp_path / "missing.parquet", "--report", tmp_path / "r")
    assert r.code == 2 and "missing.parquet" in r.err and "Traceback" not in r.err
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    r = cli("report", bad, "--report", tmp_path / "r")
    assert r.code == 2 and "bad.parquet" in r.err
    taken = tmp_path / "afile"
    taken.write_text("x")
    r = cli("forecast", "emission-1994", "--model", "mean", "--report", taken)
    assert r.code == 2 and "--report" in r.err and "directory" in r.err


def test_ensemble_report_of_a_crisis(moscow, tmp_path):
    """An ensemble with attrition: the report states the runs' P(first) as the ensemble's own
    crisis summary computes it (analysis.summary.crisis_summary), and draws its curve."""
    from realpolitik.analysis.summary import crisis_summary
    from realpolitik.report.assemble import from_ensemble

    result = forecast(moscow, ["compromise", "attrition"], seed=8, runs=60)
    ens = result.ensemble
    ref = crisis_summary(ens.crises["attrition"], ["stalin", "mao"])
    data = from_ensemble(ens, result)
    html = write_report(data, tmp_path).read_text(encoding="utf-8")
    first = max(ref["p_first"], key=ref["p_first"].get)
    name = {"stalin": "Joseph Stalin", "mao": "Mao Zedong"}[first]
    text = _text(html)
    assert (
        f"Over the ensemble's 60 runs, which also draw the uncertain inputs, {name} concedes "
        f"first in {fmt.pct(ref['p_first'][first])}" in text
    )
    assert "from 60 sampled runs of the ensemble" in text
    assert _sections(html) == {"situation", "forecast", "calibrated", "crises", "drivers", "method"}


def test_results_file_keeps_the_crisis_runs(moscow, tmp_path):
    """`report RESULTS.parquet` rebuilds Who gives way from the file's crisis rows."""
    pytest.importorskip("pyarrow")
    from realpolitik.analysis.summary import crisis_summary
    from realpolitik.ensemble.table import read_parquet
    from realpolitik.report.assemble import from_table

    ens = forecast(moscow, ["compromise", "attrition"], seed=9, runs=40).ensemble
    ens.write_parquet(tmp_path / "r.parquet")
    table, meta = read_parquet(tmp_path / "r.parquet")
    data = from_table(table, meta)
    ref = crisis_summary(ens.crises["attrition"], ["stalin", "mao"])
    (entry,) = data.crises
    assert entry["p_first"] == pytest.approx(ref["p_first"])
    assert entry["p_impasse"] == pytest.approx(ref["p_impasse"])
    html = write_report(data, tmp_path / "rep").read_text(encoding="utf-8")
    assert _sections(html) == {"situation", "forecast", "crises", "drivers", "method"}


def test_new_models_and_sections_plug_in(moscow, tmp_path):
    """A crisis or logistics model without a view of its own still appears (the generic
    view, under its registry summary), and a section registered in one place is drawn."""
    from realpolitik.report._blocks import Section, Text
    from realpolitik.report.sections import _BUILDERS, section

    data = from_forecast(forecast(moscow, ["compromise"]), seed=1)
    data.crises = [
        {
            "model": "rubinstein",
            "issue": "credit",
            "parties": ["stalin", "mao"],
            "first_mover": "stalin",
            "split": {"stalin": 0.6, "mao": 0.4},
            "binding_outside_option": None,
            "agreement_day": 0,
        },
        {"model": "duel", "issue": "credit", "winner": "mao", "p_win": 0.7},
    ]
    data.logistics["convoy"] = {"total": {"tons": 1200.0, "trips": 14}}

    @section("extra-test", "Extra", order=75)
    def _extra(d):
        return Section(id="extra-test", title="Extra", blocks=[Text("plugged in")])

    try:
        html = write_report(data, tmp_path).read_text(encoding="utf-8")
    finally:
        _BUILDERS.pop("extra-test")
    text = _text(html)
    assert "extra-test" in _sections(html) and "plugged in" in text
    # Rubinstein's own view: the split of the stake, 60% / 40%.
    assert "Joseph Stalin 60% and Mao Zedong 40% of the stake" in text
    # Unknown models: their results as tables.
    assert "duel: duel" in text and "p_win 0.70" in text
    assert "convoy: convoy" in text and "total.tons 1,200" in text


def test_captions_name_the_options(moscow):
    result = forecast(moscow, ["compromise", "nbs:disagreement=reference_point"])
    rendered = render(from_forecast(result, seed=12))
    captions = [c.caption for s in rendered.sections for c in s.charts()]
    assert any("nbs (disagreement=reference_point)" in c and "seed 12" in c for c in captions)


def test_backtest_and_sensitivity_reports(cli, tmp_path):
    r = cli(
        "backtest", "cases", "--model", "compromise", "--model", "mean", "--report", tmp_path / "bt"
    )
    assert r.code == 0, r.err
    html = (tmp_path / "bt" / "report.html").read_text(encoding="utf-8")
    assert _sections(html) == {"track", "method"}
    assert "Backtest: the bundled historical cases" in _text(html)
    pytest.importorskip("SALib")
    scenario = tmp_path / "budget.yaml"
    scenario.write_text(SMALL, encoding="utf-8")
    r = cli(
        "sensitivity",
        scenario,
        "--model",
        "compromise",
        "--samples",
        "16",
        "--seed",
        "3",
        "--json",
        "--report",
        tmp_path / "sens",
    )
    assert r.code == 0, r.err
    assert json.loads(r.out)["method"] == "sobol" and "Report:" in r.err
    html = (tmp_path / "sens" / "report.html").read_text(encoding="utf-8")
    assert _sections(html) == {"situation", "forecast", "calibrated", "drivers", "method"}
    assert "Government's position" in _text(html)


def test_bad_report_or_out_fails_before_anything_is_written(cli, tmp_path):
    """DESIGN.md, Interfaces: bad input gets exit status 2 and nothing already written is
    lost. A bad --report or --out is refused before the runs: no output, and an existing
    --out file keeps its bytes."""
    kept = tmp_path / "kept.parquet"
    kept.write_bytes(b"earlier results")
    taken = tmp_path / "afile"
    taken.write_text("x")
    args = ("forecast", "moscow-1949", "-m", "compromise", "--runs", "5", "--seed", "1")
    r = cli(*args, "--json", "--out", kept, "--report", taken)
    assert r.code == 2 and "--report" in r.err and r.out == ""
    assert kept.read_bytes() == b"earlier results"
    r = cli(*args, "--report", taken / "sub")
    assert r.code == 2 and "is not a directory" in r.err and r.out == ""
    r = cli(*args, "--out", tmp_path / "missing" / "x.parquet", "--report", tmp_path / "rep")
    assert r.code == 2 and "--out" in r.err and r.out == ""
    assert not (tmp_path / "rep").exists()
    r = cli("sensitivity", "moscow-1949", "-m", "compromise", "--samples", "2", "--json",
            "--report", taken)  # fmt: skip
    assert r.code == 2 and "--report" in r.err and r.out == ""
