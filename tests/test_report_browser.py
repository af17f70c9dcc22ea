"""The report in a real browser: headless Debian chromium driven by Playwright.

Renders report.html from a file URL, takes a full-page screenshot, checks that every chart's
SVG has a non-zero size, that the page logs no console error, and that it requests nothing
but its own file. Skipped, with the reason in pytest's summary, where /usr/bin/chromium or
the playwright package is missing; `make test` and `.ci/run` install both.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

sys.path.insert(0, str(Path(__file__).parent))
from _browser import launch  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    from realpolitik.api import load
    from realpolitik.forecast import forecast
    from realpolitik.report import from_forecast, write_report
    from realpolitik.report.assemble import from_ensemble

    out = tmp_path_factory.mktemp("browser")
    # A small ensemble of the Moscow talks: forecasts with intervals, the eum path, who gives
    # way over the runs, and the drivers; the track record's chart comes from a fixed table.
    result = forecast(load("moscow-1949"), seed=5, runs=40)
    data = (
        from_ensemble(result.ensemble, result)
        if result.ensemble is not None
        else from_forecast(result, seed=5)
    )
    data.backtest = {
        "deu": {
            "dataset": "test",
            "n_issues": 2,
            "baseline": "compromise",
            "models": {
                "compromise": {
                    "n": 2,
                    "mae": 20.0,
                    "mae_ci95": [15.0, 25.0],
                    "median_ae": 20.0,
                    "within10": 0.5,
                }
            },
        }
    }
    write_report(data, out)
    return out


def test_report_renders_in_chromium(browser, report_dir):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    url = (report_dir / "report.html").resolve().as_uri()
    page.goto(url, wait_until="load")
    shot = report_dir / "screenshot.png"
    page.screenshot(path=str(shot), full_page=True)
    sizes = page.evaluate(
        "() => Array.from(document.querySelectorAll('figure.chart svg')).map(s => {"
        " const r = s.getBoundingClientRect(); return [s.closest('figure').id, r.width, r.height];"
        "})"
    )
    page.close()
    assert shot.stat().st_size > 10_000
    assert len(sizes) >= 9  # actors, six issues, the eum path, the attrition chart, ...
    for fig_id, width, height in sizes:
        assert width > 100 and height > 50, (fig_id, width, height)
    assert errors == []
    assert requests == [url]  # the page itself, and nothing else
