"""The workbench in a real browser: Playwright driving Debian's chromium against
``realpolitik serve``'s application on 127.0.0.1 (a uvicorn server in a thread).

The what-if loop of the workbench: open moscow-1949, run it, raise Stalin's salience on
Dalian, run again and see the Dalian forecast change; compare the two runs; watch a long run's
progress and cancel it; upload a malformed scenario and read its located error. Every page
must log no console error and request nothing but the server itself. Skipped with a notice
where chromium or playwright is missing; `.ci/run` makes it required.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

sys.path.insert(0, str(Path(__file__).parent))
from _browser import launch  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from realpolitik.web import Limits, create_app

    store = tmp_path_factory.mktemp("web") / "runs.sqlite"
    app = create_app(f"sqlite:///{store}", limits=Limits(max_jobs=4))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.02)
    assert srv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.fixture
def page(browser, server):
    """A page that records console errors, page errors and every request it makes."""
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.errors, pg.requests = [], []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.set_default_timeout(60_000)
    yield pg
    assert pg.errors == []
    outside = [u for u in pg.requests if not (u.startswith(server + "/") or u.startswith("data:"))]
    assert outside == []
    pg.close()


def _run(page, server, edits=None, runs="1"):
    page.goto(f"{server}/scenarios/moscow-1949")
    for field, value in (edits or {}).items():
        page.fill(f'[data-field="{field}"]', value)
    page.fill("#runs", runs)
    page.fill("#seed", "1949")
    page.click("#run")
    page.wait_for_selector("#results")
    return int(page.url.rsplit("/", 1)[1])


def _dalian(page):
    return float(
        page.get_attribute('td[data-issue="dalian"][data-model="compromise"]', "data-value")
    )


def test_what_if_loop_and_compare(page, server):
    base = _run(page, server)
    before = _dalian(page)
    edited = _run(page, server, {"issues.dalian.saliences.stalin": "1.0"})
    after = _dalian(page)
    assert edited != base
    # Stalin (position 10 on Dalian) counts for more: the compromise moves toward him
    assert after < before - 1
    # compare, from the results page: both runs, the changed input and the changed forecast
    page.select_option("#compare-with", str(base))
    page.click("#compare")
    page.wait_for_selector("#forecasts")
    head = page.inner_text("#runs-compared thead")
    assert f"run {base}" in head and f"run {edited}" in head
    row = page.locator('#inputs tr[data-input="issues.dalian.saliences.stalin"]')
    assert row.inner_text().split() == ["issues.dalian.saliences.stalin", "0.5", "1"]
    changed = page.locator('#forecasts tr[data-issue="dalian"][data-model="compromise"]')
    assert "changed" in changed.get_attribute("class")
    assert page.locator('#forecasts tr[data-issue="alliance"].changed').count() == 0


def test_progress_and_cancel(page, server):
    page.goto(f"{server}/scenarios/moscow-1949")
    for box in page.locator('input[name="model"]').all():
        box.uncheck()
    page.check("#model-attrition")
    page.fill("#runs", "20000")
    page.fill("#seed", "3")
    page.click("#run")
    page.wait_for_selector("#progress")
    page.wait_for_function("document.getElementById('progress').value > 0")
    page.click("#cancel")
    page.wait_for_function("document.getElementById('status').textContent.trim() === 'cancelled'")


def test_malformed_upload_shows_the_located_error(page, server, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nactors:\n  - {id: a, name: A, capability: -3}\nissues: []\n", encoding="utf-8"
    )
    page.goto(server + "/")
    page.set_input_files('#upload input[type="file"]', str(bad))
    page.click('#upload button[type="submit"]')
    page.wait_for_selector("#error")
    text = page.inner_text("#error")
    # line 3, column 34: after "  - {id: a, name: A, capability: "
    assert text.startswith("bad.yaml:3:34: actors.a.capability: got -3; expected")
