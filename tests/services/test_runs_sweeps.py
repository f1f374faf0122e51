"""Monte Carlo sweeps as jobs and run cancellation, through the REST API (TestClient over the
bundled data): a sweep runs on a real 2-worker local Dask cluster with monotone progress and
the same distributions as ``fukugan simulate --samples`` for the same seed; queued and running
runs (single runs and sweeps) are cancelled without leaving results behind; another user's
private run cannot be cancelled (404, as if missing)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from fukugan.scenarios import schema as sch
from fukugan.server import create_app
from fukugan.services.simulate import simulate_sweep
from fukugan.store.analytic import AnalyticStore

EXAMPLES = Path(sch.__file__).parent / "examples"
NO_UNCERTAINTY = """\
name: plain-one
engine: static
data:
  oecd_iot: {country: JPN, year: 2020}
shocks:
  - type: outage
    sector: C24
    delta: 0.4
"""
ENDED = ("done", "failed", "cancelled")


@pytest.fixture(scope="module")
def home(tmp_path_factory, loaded_copy) -> Path:
    h = loaded_copy(tmp_path_factory.mktemp("sweeps-home"))
    return h


@pytest.fixture(scope="module")
def client(home):
    with TestClient(create_app(home, web=False)) as c:
        yield c


def watch(client: TestClient, run_id: str, until=ENDED, timeout: float = 90) -> list[dict]:
    """Poll the run until its status is in ``until``; every document seen, in order."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        doc = client.get(f"/api/v1/runs/{run_id}").json()
        seen.append(doc)
        if doc["status"] in until or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)


def no_results(home: Path, run_id: str) -> bool:
    return not any(p.name.startswith(run_id) for p in (home / "runs").glob("*"))


@pytest.mark.slow
def test_sweep_job_on_a_two_worker_cluster_equals_the_cli(client, home, tmp_path):
    res = client.post(
        "/api/v1/runs", json={"scenario": "hokkaido-blackout", "samples": 12, "workers": 2}
    )
    assert res.status_code == 202, res.text
    run = res.json()
    assert run["kind"] == "montecarlo" and run["samples"] == 12 and run["workers"] == 2
    seen = watch(client, run["id"])
    doc = seen[-1]
    assert doc["status"] == "done", doc["message"]
    progress = [d["progress"] for d in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert (
        any(d["message"] == "samples" for d in seen if d["status"] == "running") or len(seen) < 3
    )  # a fast machine may finish between two polls
    dist = doc["distribution"]
    assert dist["samples"] == 12 and dist["workers"] == 2 and dist["seed"] == 2018
    assert dist["n_sectors"] == 45 and len(dist["by_sector"]) == 15
    for r in dist["by_sector"]:
        assert r["q05"] <= r["q50"] + 1e-9 and r["q50"] <= r["q95"] + 1e-9
    assert dist["total_loss"]["q05"] <= dist["total_loss"]["mean"] <= dist["total_loss"]["q95"]
    assert doc["summary"]["total_loss"] == pytest.approx(dist["total_loss"]["mean"])
    # the run directory holds the sweep as the CLI writes it, with the same numbers
    run_dir = home / "runs" / run["id"]
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "by_sector.parquet",
        "daily.parquet",
        "samples.parquet",
        "summary.json",
    ]
    cli = simulate_sweep(
        AnalyticStore(home),
        EXAMPLES / "hokkaido-blackout.yaml",
        samples=12,
        workers=2,
        out=tmp_path / "cli",
    )
    for name in ("samples", "by_sector", "daily"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(run_dir / f"{name}.parquet"),
            pd.read_parquet(cli.run_dir / f"{name}.parquet"),
            check_exact=True,
        )
    summary = json.loads((run_dir / "summary.json").read_text("utf-8"))
    assert summary["kind"] == "montecarlo" and summary["seed"] == cli.result.seed
    top = {r["unit"]: r for r in dist["by_sector"]}
    for r in cli.result.by_sector.head(15).itertuples():
        assert top[r.unit]["mean"] == r.mean and top[r.unit]["q95"] == r.q95
    # per-day distribution; no per-sector series, paths or compare for a sweep (a briefing: yes)
    ts = client.get(f"/api/v1/runs/{run['id']}/timeseries").json()
    assert set(ts["series"]) == {"mean", "q05", "q50", "q95"} and len(ts["t"]) == 30
    assert ts["series"]["mean"] == pytest.approx(list(cli.result.daily["mean"]))
    assert client.get(f"/api/v1/runs/{run['id']}/paths").status_code == 400
    assert client.get(f"/api/v1/reports/run/{run['id']}").json()["kind"] == "sweep"
    listed = client.get("/api/v1/runs", params={"limit": 200}).json()["items"]
    assert next(r for r in listed if r["id"] == run["id"])["kind"] == "montecarlo"


def test_sweep_requests_are_validated(client):
    up = client.post("/api/v1/scenarios", json={"yaml": NO_UNCERTAINTY, "filename": "p.yaml"})
    sid = up.json()["id"]
    res = client.post("/api/v1/runs", json={"scenario": sid, "samples": 5})
    assert res.status_code == 422 and res.json()["field"] == "samples"
    assert "uncertainty" in res.json()["detail"]
    for body in ({"samples": 0}, {"samples": 1001}, {"samples": 3, "workers": 0}):
        bad = client.post("/api/v1/runs", json={"scenario": "hokkaido-blackout", **body})
        assert bad.status_code == 422, body
    many = client.post(
        "/api/v1/runs", json={"scenario": "hokkaido-blackout", "samples": 3, "workers": 4096}
    )
    assert many.status_code == 422 and many.json()["field"] == "workers"
    alone = client.post("/api/v1/runs", json={"scenario": "hokkaido-blackout", "workers": 2})
    assert alone.status_code == 422 and alone.json()["field"] == "workers"


def test_a_queued_run_is_cancelled_and_never_started(client, home):
    svc = client.app.state.runs
    rid = svc.ws.create_run("hokkaido-blackout", engine="static", seed=1).id  # not submitted
    res = client.post(f"/api/v1/runs/{rid}/cancel")
    assert res.status_code == 202 and res.json()["status"] == "cancelled"
    svc._execute(rid)  # a worker that picks it up later does nothing
    doc = client.get(f"/api/v1/runs/{rid}").json()
    assert doc["status"] == "cancelled" and doc["started_at"] is None
    assert no_results(home, rid)
    # again: nothing changes; listed under its status
    assert client.post(f"/api/v1/runs/{rid}/cancel").json()["status"] == "cancelled"
    page = client.get("/api/v1/runs", params={"status": "cancelled", "limit": 200}).json()
    assert rid in [r["id"] for r in page["items"]]
    assert client.post("/api/v1/runs/20991231T000000-abcdef/cancel").status_code == 404


def test_a_running_single_run_stops_at_its_next_step(client, home, monkeypatch):
    monkeypatch.setenv("FUKUGAN_RUN_STEP_DELAY", "0.5")  # each progress step then takes 0.5 s
    rid = client.post("/api/v1/runs", json={"scenario": "hokkaido-blackout"}).json()["id"]
    deadline = time.monotonic() + 30
    while not (doc := client.get(f"/api/v1/runs/{rid}").json())["message"]:
        assert doc["status"] in ("queued", "running") and time.monotonic() < deadline
        time.sleep(0.02)
    assert doc["status"] == "running"  # in the engine's steps: resolve, simulate, write
    res = client.post(f"/api/v1/runs/{rid}/cancel")
    assert res.status_code == 202 and res.json()["status"] in ("cancelling", "cancelled")
    doc = watch(client, rid, timeout=10)[-1]
    assert doc["status"] == "cancelled" and doc["finished_at"] and doc["summary"] is None
    assert no_results(home, rid)
    # a run that has ended cannot be cancelled: 409
    monkeypatch.delenv("FUKUGAN_RUN_STEP_DELAY")
    done = client.post("/api/v1/runs", json={"scenario": "hokkaido-blackout"}).json()["id"]
    assert watch(client, done)[-1]["status"] == "done"
    late = client.post(f"/api/v1/runs/{done}/cancel")
    assert late.status_code == 409 and late.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert client.get(f"/api/v1/runs/{done}").json()["status"] == "done"


@pytest.mark.slow
def test_a_running_sweep_stops_between_samples(client, home):
    t0 = time.monotonic()
    rid = client.post(
        "/api/v1/runs", json={"scenario": "nankai-trough", "samples": 400, "workers": 2}
    ).json()["id"]
    # wait until samples are completing on the cluster, then cancel
    deadline = time.monotonic() + 60
    while True:
        doc = client.get(f"/api/v1/runs/{rid}").json()
        if doc["status"] in ENDED or (doc["message"] == "samples" and doc["progress"] > 0):
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert doc["status"] == "running", doc
    at = doc["progress"]
    assert 0 < at < 1
    assert client.post(f"/api/v1/runs/{rid}/cancel").status_code == 202
    t_cancel = time.monotonic()
    doc = watch(client, rid, timeout=30)[-1]
    assert doc["status"] == "cancelled", doc
    assert doc["progress"] < 0.5  # stopped early: 400 samples would take far longer
    assert time.monotonic() - t_cancel < 10, time.monotonic() - t0  # a chunk, not the sweep
    assert no_results(home, rid)


def _login(app, hub, username: str) -> TestClient:
    c = TestClient(app)
    res = c.post("/api/v1/hub/login", json={"username": username, "password": "long password 1"})
    assert res.status_code == 200, res.text
    c.headers["X-CSRF-Token"] = res.json()["csrf_token"]
    return c


@pytest.mark.slow
def test_only_the_owner_cancels_a_private_run(client, home):
    from fukugan.services.hub import Hub

    if client.app.state.hub is None:
        client.app.state.hub = Hub(home)
    hub = client.app.state.hub
    org_a, org_b = hub.create_org("mc-org-a", "company"), hub.create_org("mc-org-b", "sme")
    alice_id = hub.create_user("mc-alice", org_a, "analyst", 1, "long password 1")
    hub.create_user("mc-bob", org_b, "analyst", 1, "long password 1")
    alice, bob = _login(client.app, hub, "mc-alice"), _login(client.app, hub, "mc-bob")
    anon = TestClient(client.app)
    svc = client.app.state.runs
    rid = svc.ws.create_run("hokkaido-blackout", engine="static", seed=1, owner_user_id=alice_id).id
    missing = "20991231T000000-abcdef"
    for c in (bob, anon):
        res, ref = c.post(f"/api/v1/runs/{rid}/cancel"), c.post(f"/api/v1/runs/{missing}/cancel")
        assert res.status_code == 404 == ref.status_code
        assert res.json()["title"] == ref.json()["title"]
    assert client.get(f"/api/v1/runs/{rid}").status_code == 404
    assert svc.ws.get_run(rid).status == "queued"
    # the owner's session must send its CSRF token
    no_token = TestClient(client.app)
    no_token.cookies.update(alice.cookies)
    assert no_token.post(f"/api/v1/runs/{rid}/cancel").status_code == 403
    res = alice.post(f"/api/v1/runs/{rid}/cancel")
    assert res.status_code == 202 and res.json()["status"] == "cancelled"


@pytest.mark.slow
def test_pages_offer_samples_cancel_and_show_cancelled_runs(client, home):
    web = create_app(home)  # pages too; no lifespan: the module's client owns the workers
    anon = TestClient(web)
    page = anon.get("/scenarios").text
    assert 'name="samples"' in page and 'data-samples="hokkaido-blackout"' in page
    svc = client.app.state.runs
    rid = svc.ws.create_run("hokkaido-blackout", engine="static", seed=4).id
    run_page = anon.get(f"/runs/{rid}").text
    assert 'id="cancel-run"' in run_page and f'hx-post="/runs/{rid}/cancel"' in run_page
    res = anon.post(f"/runs/{rid}/cancel", headers={"HX-Request": "true"})
    assert res.status_code == 200 and res.headers.get("HX-Refresh") == "true"
    assert 'data-status="cancelled"' in res.text
    ja = anon.get(f"/runs/{rid}", params={"lang": "ja"}).text
    assert "実行は取り消されました" in ja and 'id="cancel-run"' not in ja
    assert "Cancelled" in anon.get(f"/runs/{rid}", params={"lang": "en"}).text
    # a finished sweep's page: the distributions as a table and two charts
    mc = next(
        r
        for r in client.get("/api/v1/runs", params={"status": "done", "limit": 200}).json()["items"]
        if r["kind"] == "montecarlo"
    )
    mc_page = anon.get(f"/runs/{mc['id']}").text
    assert 'id="mc-table"' in mc_page and 'data-runchart="mcsectors"' in mc_page
    assert 'data-runchart="mcdaily"' in mc_page and "/reports/run/" in mc_page  # its briefing
    web.state.runs.shutdown()
