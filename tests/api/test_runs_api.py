"""Scenario runs as jobs through the REST API (TestClient over the bundled data): a static
example runs to completion in the background, a bad YAML is a problem naming line and field,
results are served as time series, paths and comparisons, and runs survive an app restart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fukugan.server import create_app
from fukugan.store.rundir import read_run
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
def home(tmp_path_factory, loaded_copy) -> Path:
    h = loaded_copy(tmp_path_factory.mktemp("runs-home"))
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


@pytest.mark.slow
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


@pytest.mark.slow
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


# -- private runs: a run owned by a hub user is that user's alone ------------------------------
def _login(app, username: str, password: str) -> TestClient:
    """A client of ``app`` with its own cookie jar, logged in to the hub (no lifespan: the
    module's client owns the run workers)."""
    c = TestClient(app)
    res = c.post("/api/v1/hub/login", json={"username": username, "password": password})
    assert res.status_code == 200, res.text
    c.headers["X-CSRF-Token"] = res.json()["csrf_token"]
    return c


@pytest.fixture(scope="module")
def people(client, home):
    """Two hub users of different organisations, logged in; and an anonymous client."""
    from fukugan.services.hub import Hub

    if client.app.state.hub is None:  # the app opens its hub lazily over the workspace
        client.app.state.hub = Hub(home)
    hub = client.app.state.hub
    org_a, org_b = hub.create_org("runs-org-a", "company"), hub.create_org("runs-org-b", "sme")
    alice = hub.create_user("runs-alice", org_a, "analyst", 1, "alice's long password")
    bob = hub.create_user("runs-bob", org_b, "analyst", 1, "bob's long password")
    app = client.app
    return {
        "alice": (alice, _login(app, "runs-alice", "alice's long password")),
        "bob": (bob, _login(app, "runs-bob", "bob's long password")),
        "anon": (None, TestClient(app)),
    }


def _same_404(res, missing) -> None:
    """A private run answers exactly as a missing one (status, type, title): no oracle."""
    assert res.status_code == 404 == missing.status_code, res.text
    a, b = res.json(), missing.json()
    assert (a["type"], a["title"]) == (b["type"], b["title"])


@pytest.mark.slow
def test_private_runs_are_invisible_to_everyone_else(client, home, people):
    alice_id, alice = people["alice"]
    _, bob = people["bob"]
    _, anon = people["anon"]
    svc = client.app.state.runs
    mine = svc.submit("hokkaido-blackout", owner_user_id=alice_id)["id"]
    shared = svc.submit("hokkaido-blackout")["id"]  # hub users exist: anonymous POST is 401
    assert wait_done(alice, mine)["status"] == "done"
    assert wait_done(client, shared)["status"] == "done"
    # the owner sees it everywhere
    listed = alice.get("/api/v1/runs", params={"limit": 200}).json()
    ids = [r["id"] for r in listed["items"]]
    assert mine in ids and shared in ids
    assert next(r for r in listed["items"] if r["id"] == mine)["private"] is True
    for path in (
        f"/api/v1/runs/{mine}",
        f"/api/v1/runs/{mine}/timeseries",
        f"/api/v1/runs/{mine}/paths",
        f"/api/v1/reports/run/{mine}",
    ):
        assert alice.get(path).status_code == 200, path
    assert alice.get("/api/v1/runs/compare", params={"a": shared, "b": mine}).status_code == 200
    # nobody else does: not listed, not counted, 404 like a missing run on every path
    forged = TestClient(client.app)
    forged.cookies.set("fukugan_session", "a-cookie-value-never-issued")
    for c in (bob, anon, forged):
        page = c.get("/api/v1/runs", params={"limit": 200}).json()
        assert mine not in [r["id"] for r in page["items"]] and shared in [
            r["id"] for r in page["items"]
        ]
        assert page["total"] == listed["total"] - 1
        done = c.get("/api/v1/runs", params={"status": "done", "limit": 200}).json()
        assert mine not in [r["id"] for r in done["items"]]
        for suffix in ("", "/timeseries", "/paths"):
            _same_404(
                c.get(f"/api/v1/runs/{mine}{suffix}"),
                c.get(f"/api/v1/runs/20991231T000000-abcdef{suffix}"),
            )
        _same_404(
            c.get(f"/api/v1/reports/run/{mine}"),
            c.get("/api/v1/reports/run/20991231T000000-abcdef"),
        )
        for a, b in ((shared, mine), (mine, shared), (mine, mine)):
            assert c.get("/api/v1/runs/compare", params={"a": a, "b": b}).status_code == 404
    # the results cache is shared by all users: a cached private result is still guarded
    assert bob.get(f"/api/v1/runs/{mine}/timeseries").status_code == 404


def test_private_scenarios_and_runs_of_them(client, people):
    alice_id, alice = people["alice"]
    bob_id, bob = people["bob"]
    _, anon = people["anon"]
    svc = client.app.state.runs
    good = BAD_YAML.replace("delta: 1.5", "delta: 0.25").replace("bad-one", "alices-own")
    sid = svc.upload_scenario(good, "mine.yaml", owner_user_id=alice_id)["id"]
    # the same text, private to bob and shared, gives distinct rows (ids say nothing)
    assert svc.upload_scenario(good, "mine.yaml", owner_user_id=bob_id)["id"] != sid
    shared_sid = svc.upload_scenario(good, "mine.yaml")["id"]  # anonymous POSTs: 401 now
    assert shared_sid != sid
    assert sid in [s["id"] for s in alice.get("/api/v1/scenarios").json()["items"]]
    assert alice.get(f"/api/v1/scenarios/{sid}").json()["private"] is True
    for c in (bob, anon):
        assert sid not in [s["id"] for s in c.get("/api/v1/scenarios").json()["items"]]
        assert c.get(f"/api/v1/scenarios/{sid}").status_code == 404
        # bob: 404 like a missing scenario; anonymous: 401 before anything is looked up
        assert c.post("/api/v1/runs", json={"scenario": sid}).status_code == (
            404 if c is bob else 401
        )
    # the owner's run of a private scenario is private too (it would show the scenario)
    res = alice.post("/api/v1/runs", json={"scenario": sid})
    assert res.status_code == 202 and res.json()["private"] is True
    rid = res.json()["id"]
    assert wait_done(alice, rid)["status"] == "done"
    assert bob.get(f"/api/v1/runs/{rid}").status_code == 404
    # a shared scenario run by a logged-in user over /api/v1/runs stays shared
    res = alice.post("/api/v1/runs", json={"scenario": "hokkaido-blackout"})
    assert res.json()["private"] is False
    assert anon.get(f"/api/v1/runs/{res.json()['id']}").status_code == 200


@pytest.mark.slow
def test_private_runs_on_the_pages(client, home, people):
    """The run pages, the compare page and the briefing pages of another user's private run
    are 404 pages; the owner sees them."""
    alice_id, _ = people["alice"]
    svc = client.app.state.runs
    mine = svc.submit("hokkaido-blackout", owner_user_id=alice_id)["id"]
    alice_api = people["alice"][1]
    assert wait_done(alice_api, mine)["status"] == "done"
    web = create_app(home)  # pages too; no lifespan: no second set of workers
    alice = _login(web, "runs-alice", "alice's long password")
    bob = _login(web, "runs-bob", "bob's long password")
    anon = TestClient(web)
    for path in (f"/runs/{mine}", f"/runs/{mine}/progress", f"/reports/run/{mine}.html"):
        assert alice.get(path).status_code == 200, path
        for c in (bob, anon):
            res = c.get(path)
            assert res.status_code == 404 and res.headers["content-type"].startswith("text/html")
    assert mine in alice.get("/scenarios").text
    assert mine in alice.get("/compare").text
    for c in (bob, anon):
        assert mine not in c.get("/scenarios").text
        assert mine not in c.get("/compare").text
        # compared by id: the same page as for a run that does not exist (the id only echoed)
        fake = "20991231T000000-abcdef"
        seen = c.get("/compare", params={"a": mine, "b": mine}).text.replace(mine, "X")
        assert seen == c.get("/compare", params={"a": fake, "b": fake}).text.replace(fake, "X")
    web.state.runs.shutdown()
