"""The workbench's JSON API and pages through FastAPI's TestClient: every endpoint, bad input
(a malformed body, an oversize upload, a cross-origin POST, a path-traversal id) and the caps.

Expected forecasts come from the forecast facade run directly in the test with the same seed.
"""

from __future__ import annotations

import hashlib
import json
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

from conftest import TINY  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from realpolitik.forecast import forecast  # noqa: E402
from realpolitik.scenario import load, loads  # noqa: E402
from realpolitik.web import Limits, create_app  # noqa: E402

# Line 10, column 26 (after "    positions: {a: 0, b: "): b's position lies outside the scale.
BAD = TINY.replace("positions: {a: 0, b: 100}", "positions: {a: 0, b: 150}")


def _json(obj):
    return json.loads(json.dumps(obj))


@pytest.fixture
def client(tmp_path):
    app = create_app(
        f"sqlite:///{tmp_path / 'runs.sqlite'}",
        limits=Limits(max_runs=5000, max_jobs=2, max_upload=4096),
    )
    with TestClient(app) as c:
        yield c


def _wait(client, run_id, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["status"] != "running":
            return run
        time.sleep(0.05)
    pytest.fail(f"run {run_id} still running after {timeout} s")


def test_scenarios_upload_and_list(client):
    listing = client.get("/api/scenarios").json()["scenarios"]
    assert {"id": "moscow-1949", "name": "moscow-1949", "origin": "bundled"} in listing
    r = client.post(
        "/api/scenarios",
        content=TINY,
        headers={"content-type": "application/yaml", "x-filename": "tiny.yaml"},
    )
    assert r.status_code == 201, r.text
    sha = hashlib.sha256(TINY.encode()).hexdigest()
    assert r.json() == {"id": sha, "name": "tiny.yaml", "origin": "upload"}
    assert client.get(f"/api/scenarios/{sha}").json()["text"] == TINY
    assert sha in [s["id"] for s in client.get("/api/scenarios").json()["scenarios"]]
    files = {"file": ("again.yaml", TINY.encode(), "application/yaml")}
    assert client.post("/api/scenarios", files=files).json()["id"] == sha


def test_malformed_upload_answers_the_located_error(client):
    with pytest.raises(Exception) as cli_error:  # the CLI's loader on the same text
        loads(BAD, file="bad.yaml")
    r = client.post("/api/scenarios", files={"file": ("bad.yaml", BAD.encode(), "text/yaml")})
    assert r.status_code == 422
    assert r.json() == {"error": str(cli_error.value)}
    assert r.json()["error"].startswith("bad.yaml:10:26: issues.x.positions.b: got 150")
    # the page shows the same line
    page = client.post("/upload", files={"file": ("bad.yaml", BAD.encode(), "text/yaml")})
    assert page.status_code == 200 and 'id="error"' in page.text  # the form, with the error
    assert "bad.yaml:10:26: issues.x.positions.b" in page.text


def test_oversize_upload_is_refused(client):
    big = TINY + "#" * 5000 + "\n"
    r = client.post("/api/scenarios", files={"file": ("big.yaml", big.encode(), "text/yaml")})
    assert r.status_code == 413 and "at most 4,096 bytes" in r.json()["error"]
    huge = b"#" * 200_000
    r = client.post("/api/scenarios", content=huge, headers={"content-type": "application/yaml"})
    assert r.status_code == 413


def test_cross_origin_writes_are_refused(client):
    body = {"scenario": "moscow-1949", "models": {"compromise": {}}, "seed": 1}
    r = client.post("/api/runs", json=body, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "cross-origin" in r.json()["error"]
    r = client.delete("/api/runs/1", headers={"Origin": "null"})
    assert r.status_code == 403
    r = client.post(
        "/upload",
        files={"file": ("t.yaml", TINY.encode())},
        headers={"Origin": "http://127.0.0.1:9"},
    )
    assert r.status_code == 403
    own = client.post("/api/forecast", json=body, headers={"Origin": "http://testserver"})
    assert own.status_code == 200, own.text
    assert client.get("/api/runs").json()["runs"][0]["id"] == own.json()["id"]


def test_path_traversal_ids_reach_no_file(client):
    for sid in ("..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e", "moscow-1949.yaml", "..", "0" * 63 + "g"):
        r = client.get(f"/api/scenarios/{sid}")
        assert r.status_code == 404, (sid, r.status_code)
        assert "root:" not in r.text
    assert client.get("/scenarios/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/api/runs/..%2F1").status_code in (404, 422)
    assert client.get("/runs/1%2F..%2F..%2Fetc%2Fpasswd/report.html").status_code in (404, 422)
    r = client.post("/api/runs", json={"scenario": "../../etc/passwd", "runs": 1})
    assert r.status_code == 422 and "root:" not in r.text


def test_malformed_bodies(client):
    for body in (
        {},
        {"scenario": "moscow-1949", "runs": 0},
        {"scenario": "moscow-1949", "extra": 1},
        {"scenario": "moscow-1949", "runs": "many"},
        {"scenario": "moscow-1949", "seed": -1},
    ):
        assert client.post("/api/runs", json=body).status_code == 422, body
    r = client.post("/api/runs", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = client.post("/api/runs", json={"scenario": "moscow-1949", "models": {"nosuch": {}}})
    assert r.status_code == 422 and "nosuch" in r.json()["error"]
    r = client.post(
        "/api/runs", json={"scenario": "moscow-1949", "models": {"eum": {"rounds": "x"}}}
    )
    assert r.status_code == 422 and "eum.rounds" in r.json()["error"]
    r = client.post("/api/runs", json={"scenario": BAD})  # YAML text: the located error
    assert r.status_code == 422 and r.json()["error"].startswith("request.yaml:10:26:")


def test_runs_cap(client):
    r = client.post("/api/runs", json={"scenario": "moscow-1949", "runs": 5001})
    assert r.status_code == 422 and "at most 5,000 runs per request" in r.json()["error"]


def test_jobs_cap_and_cancel(client):
    long = {
        "scenario": "moscow-1949",
        "models": {"compromise": {}, "attrition": {}},
        "runs": 4000,
        "seed": 3,
    }
    ids = [client.post("/api/runs", json=long).json()["id"] for _ in range(2)]
    r = client.post("/api/runs", json=long)
    assert r.status_code == 429 and "2 jobs are running" in r.json()["error"]
    assert client.delete(f"/api/runs/{ids[0]}").status_code == 409  # running: cancel first
    for rid in ids:
        assert client.post(f"/api/runs/{rid}/cancel").json() == {"id": rid, "cancelling": True}
    for rid in ids:
        run = _wait(client, rid)
        assert run["status"] == "cancelled" and run["progress"]["done"] < 4000
    assert client.post("/api/runs", json={**long, "runs": 1}).status_code == 202  # slots free


def test_run_lifecycle_and_compare(client):
    body = {"scenario": "moscow-1949", "models": {"compromise": {}}, "runs": 50, "seed": 9}
    r = client.post("/api/runs", json=body)
    assert r.status_code == 202 and r.json()["status"] in ("running", "done")
    run = _wait(client, r.json()["id"])
    direct = forecast(load("moscow-1949"), ["compromise"], seed=9, runs=50)
    assert run["status"] == "done" and run["progress"] == {"done": 50, "total": 50}
    assert run["forecast"] == _json(direct.to_json())
    other = client.post("/api/forecast", json={**body, "runs": 1}).json()
    assert other["forecast"] == _json(
        forecast(load("moscow-1949"), ["compromise"], seed=9, runs=1).to_json()
    )
    listed = [x["id"] for x in client.get("/api/runs").json()["runs"]]
    assert listed == [other["id"], run["id"]]
    cmp = client.get(f"/api/compare?a={run['id']}&b={other['id']}").json()
    assert cmp["inputs"] == [] and cmp["settings"] == [{"path": "runs", "a": "50", "b": "1"}]
    assert client.get("/api/compare?a=1&b=999").status_code == 404
    assert client.delete(f"/api/runs/{run['id']}").json() == {"id": run["id"], "deleted": True}
    assert client.get(f"/api/runs/{run['id']}").status_code == 404
    assert client.delete(f"/api/runs/{run['id']}").status_code == 404


def test_openapi_and_no_cdn_docs(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) >= {
        "/api/scenarios",
        "/api/scenarios/{sid}",
        "/api/runs",
        "/api/runs/{rid}",
        "/api/forecast",
        "/api/compare",
        "/api/runs/{rid}/cancel",
    }
    assert "delete" in spec["paths"]["/api/runs/{rid}"]
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404


def test_pages_what_if_loop(client):
    assert "moscow-1949" in client.get("/").text
    page = client.get("/scenarios/moscow-1949").text
    assert 'data-field="issues.dalian.saliences.stalin"' in page
    name = 'f:["issues",3,"saliences","stalin"]'
    base = {"model": "compromise", "runs": "1", "seed": "1"}
    a = client.post("/scenarios/moscow-1949/run", data=base, follow_redirects=False)
    assert a.status_code == 303
    b = client.post(
        "/scenarios/moscow-1949/run", data={**base, name: "1.0"}, follow_redirects=False
    )
    run_a, run_b = (int(x.headers["location"].rsplit("/", 1)[1]) for x in (a, b))
    for rid in (run_a, run_b):
        _wait(client, rid)
    va = client.get(f"/api/runs/{run_a}").json()["forecast"]["issues"][3]["forecasts"][
        "compromise"
    ]["value"]
    vb = client.get(f"/api/runs/{run_b}").json()["forecast"]["issues"][3]["forecasts"][
        "compromise"
    ]["value"]
    # the compromise is the capability×salience weighted mean of positions; computed here
    sc = load("moscow-1949")
    inp = sc.inputs()
    import numpy as np

    def mean(s_stalin):
        s = inp.s[:, 3].copy()
        s[0] = s_stalin
        w = np.where(inp.mask[:, 3], inp.c * s, 0)
        x = np.where(inp.mask[:, 3], inp.x[:, 3], 0)
        return float((w * x).sum() / w.sum())

    assert va == pytest.approx(mean(0.5), rel=1e-12) and vb == pytest.approx(mean(1.0), rel=1e-12)
    html = client.get(f"/runs/{run_b}").text
    assert f'data-issue="dalian" data-model="compromise" data-value="{vb}"' in html
    cmp = client.get(f"/compare?a={run_a}&b={run_b}").text
    assert 'data-input="issues.dalian.saliences.stalin"' in cmp
    assert 'data-issue="dalian" data-model="compromise" data-changed="yes"' in cmp
    assert 'data-issue="alliance" data-model="compromise" data-changed="no"' in cmp
    bad = client.post("/scenarios/moscow-1949/run", data={**base, name: "lots"})
    assert (
        'id="error"' in bad.text
        and "issues.dalian.saliences.stalin: got &#39;lots&#39;" in bad.text
    )
    assert client.get("/runs").status_code == 200


def test_downloads(client):
    r = client.post("/api/scenarios", content=TINY, headers={"content-type": "application/yaml"})
    body = {"scenario": r.json()["id"], "models": {"compromise": {}}, "runs": 20, "seed": 2}
    rid = client.post("/api/forecast", json=body).json()["id"]
    js = client.get(f"/runs/{rid}/forecast.json")
    assert js.headers["content-disposition"].startswith("attachment") and js.json()["runs"] == 20
    pq = client.get(f"/runs/{rid}/results.parquet")
    assert pq.content[:4] == b"PAR1"
    rep = client.get(f"/runs/{rid}/report.html?download=1")
    assert rep.status_code == 200 and rep.text.lstrip().lower().startswith("<!doctype html>")
    assert client.get("/runs/999/forecast.json").status_code == 404


def test_serve_warns_off_loopback(cli, monkeypatch, tmp_path):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    store = f"sqlite:///{tmp_path / 's.sqlite'}"
    quiet = cli("serve", "--store", store)
    assert quiet.code == 0 and "warning" not in quiet.err and seen["host"] == "127.0.0.1"
    loud = cli("serve", "--host", "0.0.0.0", "--port", "8123", "--store", store)
    assert loud.code == 0 and "warning: listening on 0.0.0.0" in loud.err and seen["port"] == 8123


def test_library_takes_no_message_from_the_url(client):
    page = client.get("/?error=Your+session+expired&status=500")
    assert page.status_code == 200 and "session expired" not in page.text


def test_history_page_removes_a_run(client):
    rid = client.post(
        "/api/forecast", json={"scenario": "moscow-1949", "models": {"mean": {}}, "seed": 1}
    ).json()["id"]
    assert f'action="/runs/{rid}/delete"' in client.get("/runs").text
    r = client.post(f"/runs/{rid}/delete", follow_redirects=False)
    assert r.status_code == 303 and client.get(f"/api/runs/{rid}").status_code == 404


def test_resume_an_interrupted_run(client):
    """A run whose process died (here: its heartbeat made stale) is finished from its
    checkpoints and equals the direct forecast with the same seed."""
    from realpolitik.store.execute import create, prepare, scenario_source

    store = client.app.state.bench.store
    text, name, origin = scenario_source("moscow-1949")
    prep = prepare(text, name, models=["compromise", "attrition"], runs=64, seed=8)
    rid = create(store, prep, origin=origin, requested_by="cli")  # written, never run
    assert client.post(f"/api/runs/{rid}/resume").status_code == 422  # still "running"
    store._update(rid, heartbeat=time.time() - 3600)
    assert 'id="resume"' in client.get(f"/runs/{rid}").text
    assert client.post(f"/api/runs/{rid}/resume").json() == {"id": rid, "status": "running"}
    run = _wait(client, rid)
    direct = forecast(load("moscow-1949"), ["compromise", "attrition"], seed=8, runs=64)
    assert run["status"] == "done" and run["forecast"] == _json(direct.to_json())
    assert client.post("/api/runs/999/resume").status_code == 404
