"""Scenario runs as jobs through the REST API (TestClient over the bundled data): a static
example runs to completion in the background, a bad YAML is a problem naming line and field,
results are served as time series, paths and comparisons, and runs survive an app restart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fukugan.api.app import create_app
from fukugan.scenarios.result import read_run
from fukugan.services.datasets import load_bundled
from fukugan.store.analytic import AnalyticStore
from fukugan.store.workspace import Workspace

PROBLEM = "application/problem+json"
BAD_YAML = """\
name: bad-one
engine: static
data:
  oecd_iot: {country: JPN, year: 2020}
shocks:
  - type: outage
    sector: C24
    delta: 1.5
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    h = tmp_path_factory.mktemp("runs-home")
    load_bundled(AnalyticStore(h))
    return h


@pytest.fixture(scope="module")
def client(home):
    with TestClient(create_app(home, web=False)) as c:
        yield c


def wait_done(client: TestClient, run_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        doc = client.get(f"/api/v1/runs/{run_id}").json()
        if doc["status"] in ("done", "failed") or time.monotonic() > deadline:
            return doc
        time.sleep(0.1)


def test_examples_are_listed_with_both_languages_and_engines(client):
    res = client.get("/api/v1/scenarios")
    assert res.status_code == 200
    items = {s["id"]: s for s in res.json()["items"]}
    hok = items["hokkaido-blackout"]
    assert hok["origin"] == "example" and hok["engines"] == ["static", "ario"]
    assert "Hokkaido" in hok["description"]["en"] and "北海道" in hok["description"]["ja"]
    assert items["automotive-chip-fab-fire"]["engines"] == ["exposure"]
    one = client.get("/api/v1/scenarios/hokkaido-blackout").json()
    assert "blackout" in one["yaml"] and one["scenario"]["seed"] == 2018
    assert client.get("/api/v1/scenarios/nope").status_code == 404


def test_static_example_runs_as_a_job(client, home):
    res = client.post("/api/v1/runs", json={"scenario": "hokkaido-blackout"})
    assert res.status_code == 202, res.text
    run = res.json()
    assert res.headers["location"] == f"/api/v1/runs/{run['id']}"
    assert run["status"] in ("queued", "running", "done") and run["engine"] == "static"
    doc = wait_done(client, run["id"])
    assert doc["status"] == "done", doc["message"]
    assert doc["progress"] == 1.0 and doc["seed"] == 2018
    s = doc["summary"]
    assert s["total_loss"] > 0 and s["peak_day"] is not None and 0 < s["indirect_share"] < 1
    assert doc["by_sector"][0]["total"] >= doc["by_sector"][-1]["total"] > 0
    assert doc["reproducibility"]["engine"] == "static"
    assert doc["reproducibility"]["scenario"]["name"] == "hokkaido-blackout"
    assert {x["dataset"] for x in doc["sources"]} >= {"oecd_iot"}
    # written with write_run under $FUKUGAN_HOME/runs/<run id>/
    ts, paths, summary = read_run(home / "runs" / run["id"])
    assert summary["total_loss"] == pytest.approx(s["total_loss"])
    tsr = client.get(f"/api/v1/runs/{run['id']}/timeseries").json()
    assert tsr["t"][0] == 0 and len(tsr["series"]["total"]) == len(tsr["t"])
    assert sum(tsr["series"]["total"]) == pytest.approx(s["total_loss"])
    assert max(tsr["series"]["total"]) == pytest.approx(s["peak_loss"])
    by = client.get(f"/api/v1/runs/{run['id']}/timeseries", params={"by": "sector"}).json()
    assert by["series"][0]["unit"] == doc["by_sector"][0]["unit"]
    p = client.get(f"/api/v1/runs/{run['id']}/paths", params={"limit": 5}).json()
    assert p["total"] == len(paths) and len(p["items"]) == min(5, len(paths))
    assert p["items"][0]["source"].startswith("blackout hokkaido")
    # listed, paginated
    page = client.get("/api/v1/runs", params={"limit": 1}).json()
    assert page["total"] >= 1 and len(page["items"]) == 1


def test_engine_choice_and_compare(client):
    a = client.post("/api/v1/runs", json={"scenario": "hokkaido-blackout"}).json()["id"]
    b = client.post(
        "/api/v1/runs", json={"scenario": "hokkaido-blackout", "engine": "ario", "seed": 3}
    ).json()["id"]
    da, db = wait_done(client, a), wait_done(client, b)
    assert da["status"] == db["status"] == "done", (da["message"], db["message"])
    assert db["engine"] == "ario" and db["seed"] == 3
    cmp = client.get("/api/v1/runs/compare", params={"a": a, "b": b}).json()
    assert len(cmp["series"]["a"]) == len(cmp["t"]) == len(cmp["series"]["b"])
    assert cmp["deltas"]["total_loss"] == pytest.approx(
        db["summary"]["total_loss"] - da["summary"]["total_loss"]
    )
    bad = client.post("/api/v1/runs", json={"scenario": "hokkaido-blackout", "engine": "firms"})
    body = bad.json()
    assert bad.status_code == 422 and body["field"] == "engine"


def test_bad_yaml_is_a_problem_with_line_and_field(client):
    res = client.post("/api/v1/runs", json={"yaml": BAD_YAML, "filename": "bad.yaml"})
    assert res.status_code == 422
    assert res.headers["content-type"].startswith(PROBLEM)
    body = res.json()
    assert body["line"] == 8 and body["field"] == "shocks[0].delta" and body["file"] == "bad.yaml"
    assert body["errors"] == [
        {
            "file": "bad.yaml",
            "line": 8,
            "field": "shocks[0].delta",
            "message": body["errors"][0]["message"],
        }
    ]
    assert "bad.yaml: line 8" in body["detail"]
    syntax = client.post(
        "/api/v1/scenarios", json={"yaml": "name: x\n  engine: [", "filename": "s.yaml"}
    )
    assert syntax.status_code == 422 and syntax.json()["line"] is not None
    # a good upload is stored once and runs
    good = BAD_YAML.replace("delta: 1.5", "delta: 0.5").replace("bad-one", "good-one")
    up = client.post("/api/v1/scenarios", json={"yaml": good, "filename": "good.yaml"})
    assert up.status_code == 201 and up.json()["id"].startswith("u-")
    again = client.post("/api/v1/scenarios", json={"yaml": good, "filename": "good.yaml"})
    assert again.json()["id"] == up.json()["id"]
    run = client.post("/api/v1/runs", json={"scenario": up.json()["id"]}).json()
    assert wait_done(client, run["id"])["status"] == "done"


def test_results_of_an_unfinished_or_unknown_run(client):
    assert client.get("/api/v1/runs/nope").status_code == 404
    assert client.get("/api/v1/runs/nope/timeseries").status_code == 404
    assert client.get("/api/v1/runs/compare", params={"a": "x", "b": "y"}).status_code == 404


def test_runs_survive_an_app_restart(home, tmp_path):
    app1 = create_app(home, web=False)
    with TestClient(app1) as c1:
        rid = c1.post("/api/v1/runs", json={"scenario": "hokkaido-blackout"}).json()["id"]
        assert wait_done(c1, rid)["status"] == "done"
    # a run left "running" by a server that died, and one still queued
    ws = Workspace(home)
    dead = ws.create_run("hokkaido-blackout", engine="static", seed=1).id
    ws.start_run(dead)
    queued = ws.create_run("hokkaido-blackout", engine="static", seed=2).id
    ws.update_run(queued, run_dir=str(home / "runs" / queued))
    ws.dispose()
    with TestClient(create_app(home, web=False)) as c2:
        again = c2.get(f"/api/v1/runs/{rid}").json()
        assert again["status"] == "done" and again["by_sector"]
        d = c2.get(f"/api/v1/runs/{dead}").json()
        assert d["status"] == "failed" and "interrupted" in d["message"]
        assert wait_done(c2, queued)["status"] == "done"
