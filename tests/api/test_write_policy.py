"""Who may change shared data (fukugan.api.write_policy), tried as an attacker would.

- Single-user loopback mode (no hub users): anonymous writes from this machine work; a
  cross-site form (another ``Origin``, ``Origin: null``, ``Sec-Fetch-Site: cross-site``), a
  remote peer, or a DNS-rebinding ``Host`` is refused (403) and nothing changes.
- With hub users: replacing a dataset needs an ``admin`` session and its CSRF token; starting
  runs and uploading scenarios a logged-in session and its token. No session: 401; wrong or no
  token, or a reader / analyst on the store: 403; the store stays byte-for-byte unchanged.
- Deny by default: every state-changing route of the app declares a write policy, and a route
  that declares none is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fukugan.server import create_app

WGI = b"country,iso3c,year,score_wgi_scale\nJapan,JPN,2022,1.31\nChina,CHN,2022,-0.41\n"
FILES = {"file": ("wgi.csv", WGI, "text/csv")}
EVIL = {"Origin": "https://evil.example"}
OURS = {"Origin": "http://testserver"}
PASSWORD = "a long enough password"
UPLOAD_YAML = """\
name: attacker-scenario
engine: static
data:
  oecd_iot: {country: JPN, year: 2020}
shocks:
  - type: outage
    sector: C24
    delta: 0.25
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, loaded_copy) -> Path:
    h = tmp_path_factory.mktemp("writes-seed")
    loaded_copy(h)
    return h


def _fresh(seeded: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(seeded, home)
    return home


# -- single-user loopback mode ------------------------------------------------------------------
def test_single_user_mode_refuses_cross_site_remote_and_rebinding(seeded, tmp_path, checksum):
    home = _fresh(seeded, tmp_path)
    analytic = home / "analytic"
    before = checksum(analytic)
    with TestClient(create_app(home)) as c:
        attacks = [
            ("page, other Origin", "/data/upload", EVIL),
            ("page, Origin null", "/data/upload", {"Origin": "null"}),
            ("page, Sec-Fetch-Site", "/data/upload", {"Sec-Fetch-Site": "cross-site"}),
            ("page, foreign Referer", "/data/upload", {"Referer": "https://evil.example/x"}),
            ("API, other Origin", "/api/v1/datasets/wgi", EVIL),
        ]
        for what, path, headers in attacks:
            data = {"kind": "wgi"} if path == "/data/upload" else None
            res = c.post(path, data=data, files=FILES, headers=headers)
            assert res.status_code == 403, (what, res.status_code, res.text[:300])
        page = c.post("/data/upload", data={"kind": "wgi"}, files=FILES, headers=EVIL)
        assert "another site" in page.text and page.headers["content-type"].startswith("text/html")
        ja = c.post("/data/upload?lang=ja", data={"kind": "wgi"}, files=FILES, headers=EVIL).text
        assert "他のサイト" in ja
        api = c.post("/api/v1/datasets/wgi", files=FILES, headers=EVIL)
        assert api.headers["content-type"].startswith("application/problem+json")
        assert api.json()["type"].endswith("/forbidden")
        # runs and scenarios: the same Origin check
        assert (
            c.post("/runs", data={"scenario": "hokkaido-blackout"}, headers=EVIL).status_code == 403
        )
        assert (
            c.post("/api/v1/runs", json={"scenario": "hokkaido-blackout"}, headers=EVIL).status_code
            == 403
        )
        assert (
            c.post("/api/v1/scenarios", json={"yaml": UPLOAD_YAML}, headers=EVIL).status_code == 403
        )
        assert c.app.state.runs.runs(limit=10, viewer=None)["total"] == 0
        assert checksum(analytic) == before
        # from this machine, our own page: accepted
        ok = c.post("/api/v1/datasets/wgi", files=FILES, headers=OURS)
        assert ok.status_code == 200, ok.text
        assert c.post("/data/upload", data={"kind": "wgi"}, files=FILES).status_code == 200
    # a remote peer, or a page reaching 127.0.0.1 under another name (DNS rebinding): refused
    before = checksum(analytic)
    app = create_app(home)
    remote = TestClient(app, client=("203.0.113.9", 40000))
    res = remote.post("/api/v1/datasets/wgi", files=FILES)
    assert res.status_code == 403 and "only from this machine" in res.json()["detail"]
    rebound = TestClient(app, base_url="http://evil.example:8000")
    res = rebound.post(
        "/api/v1/datasets/wgi", files=FILES, headers={"Origin": "http://evil.example:8000"}
    )
    assert res.status_code == 403
    assert remote.post("/api/v1/runs", json={"scenario": "hokkaido-blackout"}).status_code == 403
    assert checksum(analytic) == before
    app.state.runs.shutdown()


# -- with hub users -----------------------------------------------------------------------------
@pytest.fixture
def hubbed(seeded, tmp_path):
    from fukugan.services.hub import Hub

    home = _fresh(seeded, tmp_path)
    hub = Hub(home)
    org = hub.create_org("writes-org", "ministry")
    for name, role in (("ada", "admin"), ("ann", "analyst"), ("rex", "reader")):
        hub.create_user(name, org, role, 1, PASSWORD)
    hub.dispose()
    with TestClient(create_app(home)) as c:
        yield c, home


def _login(app, name: str) -> tuple[TestClient, str]:
    c = TestClient(app)
    res = c.post("/api/v1/hub/login", json={"username": name, "password": PASSWORD})
    assert res.status_code == 200, res.text
    return c, res.json()["csrf_token"]


def test_with_users_only_an_admin_with_its_token_replaces_a_dataset(hubbed, checksum):
    client, home = hubbed
    analytic = home / "analytic"
    before = checksum(analytic)
    app = client.app
    anon = TestClient(app)
    ada, ada_token = _login(app, "ada")
    ann, ann_token = _login(app, "ann")
    rex, rex_token = _login(app, "rex")
    # no session: 401 (API problem, page in the user's language)
    res = anon.post("/api/v1/datasets/wgi", files=FILES)
    assert res.status_code == 401 and res.json()["type"].endswith("/unauthorized")
    page = anon.post("/data/upload", data={"kind": "wgi"}, files=FILES)
    assert page.status_code == 401 and "Log in" in page.text
    # a session without its token, or with another session's token: 403
    assert ada.post("/api/v1/datasets/wgi", files=FILES).status_code == 403
    wrong = {"X-CSRF-Token": ann_token}
    assert ada.post("/api/v1/datasets/wgi", files=FILES, headers=wrong).status_code == 403
    assert (
        ada.post(
            "/data/upload", data={"kind": "wgi", "csrf_token": "forged"}, files=FILES
        ).status_code
        == 403
    )
    # an analyst or a reader with a valid token: 403, the store is an administrator's
    for who, token in ((ann, ann_token), (rex, rex_token)):
        res = who.post("/api/v1/datasets/wgi", files=FILES, headers={"X-CSRF-Token": token})
        assert res.status_code == 403 and "administrator" in res.json()["detail"]
        page = who.post("/data/upload", data={"kind": "wgi", "csrf_token": token}, files=FILES)
        assert page.status_code == 403
    # the admin's session, its token, but a cross-site page: 403
    res = ada.post(
        "/data/upload",
        data={"kind": "wgi", "csrf_token": ada_token},
        files=FILES,
        headers=EVIL,
    )
    assert res.status_code == 403
    assert checksum(analytic) == before
    # the pages say so before a form is sent
    assert 'id="upload-refused"' in anon.get("/data").text
    assert 'id="upload-refused"' in ann.get("/data").text
    assert 'id="runs-login"' in anon.get("/scenarios").text
    assert 'id="runs-login"' not in rex.get("/scenarios").text
    # the admin, token in the form (the Data page) or the header (API): imported
    page = ada.get("/data").text
    assert 'id="upload-refused"' not in page
    assert f'name="csrf_token" value="{ada_token}"' in page  # the form carries it
    res = ada.post("/data/upload", data={"kind": "wgi", "csrf_token": ada_token}, files=FILES)
    assert res.status_code == 200 and "upload-ok" in res.text or "just-imported" in res.text
    res = ada.post("/api/v1/datasets/wgi", files=FILES, headers={"X-CSRF-Token": ada_token})
    assert res.status_code == 200, res.text


def test_with_users_runs_and_scenarios_need_a_session_and_its_token(hubbed):
    client, _ = hubbed
    app = client.app
    svc = app.state.runs
    anon = TestClient(app)
    rex, rex_token = _login(app, "rex")
    body = {"scenario": "hokkaido-blackout"}
    assert anon.post("/api/v1/runs", json=body).status_code == 401
    assert anon.post("/runs", data=body).status_code == 401
    assert anon.post("/api/v1/scenarios", json={"yaml": UPLOAD_YAML}).status_code == 401
    up = anon.post("/scenarios/upload", files={"file": ("a.yaml", UPLOAD_YAML, "text/yaml")})
    assert up.status_code == 401
    assert rex.post("/api/v1/runs", json=body).status_code == 403  # no token
    assert rex.post("/runs", data={**body, "csrf_token": "forged"}).status_code == 403
    assert rex.post("/api/v1/runs", json=body, headers=EVIL).status_code == 403
    assert svc.runs(limit=10, viewer=None)["total"] == 0
    # any logged-in user may run and upload, with the token
    page = rex.get("/scenarios").text
    assert page.count(f'name="csrf_token" value="{rex_token}"') >= 2  # run and upload forms
    res = rex.post("/runs", data={**body, "csrf_token": rex_token}, follow_redirects=False)
    assert res.status_code == 303 and res.headers["location"].startswith("/runs/")
    res = rex.post("/api/v1/runs", json=body, headers={"X-CSRF-Token": rex_token})
    assert res.status_code == 202, res.text
    res = rex.post(
        "/api/v1/scenarios", json={"yaml": UPLOAD_YAML}, headers={"X-CSRF-Token": rex_token}
    )
    assert res.status_code == 201, res.text
    # cancelling: the same rule
    rid = svc.ws.create_run("hokkaido-blackout", engine="static", seed=3).id
    assert anon.post(f"/api/v1/runs/{rid}/cancel").status_code == 401
    assert rex.post(f"/api/v1/runs/{rid}/cancel").status_code == 403
    assert svc.ws.get_run(rid).status == "queued"


# -- deny by default ----------------------------------------------------------------------------
def _routes(app):
    """(path, methods, dependant) of every route, included routers flattened."""
    for r in app.routes:
        if hasattr(r, "effective_route_contexts"):  # an included router (FastAPI >= 0.16x)
            for ctx in r.effective_route_contexts():
                yield ctx.path, set(ctx.methods or ()), ctx.dependant
        elif hasattr(r, "dependant"):
            yield r.path, set(r.methods or ()), r.dependant


def test_every_state_changing_route_declares_a_write_policy(tmp_path):
    from fukugan.api.write_policy import UNSAFE, _declares_policy

    app = create_app(tmp_path / "home")
    unsafe = [(p, d) for p, m, d in _routes(app) if m & UNSAFE]
    assert len(unsafe) >= 25  # the hub's, the runs', the uploads'
    assert "/data/upload" in dict(unsafe) and "/api/v1/datasets/{kind}" in dict(unsafe)
    missing = [p for p, d in unsafe if not _declares_policy(d)]
    assert missing == []


def test_a_route_without_a_policy_is_refused(tmp_path):
    app = create_app(tmp_path / "home")
    hit = []

    @app.post("/api/v1/undeclared")
    def undeclared() -> dict:  # no write policy: must never run
        hit.append(1)
        return {}

    res = TestClient(app).post("/api/v1/undeclared")
    assert res.status_code == 403 and hit == []
    assert app.state.runs.shutdown() is None
