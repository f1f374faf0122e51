"""The one-click scenario of a hub alert, for the item that used to fail: China's export control
of gallium *and* germanium (USGS withholds China's germanium figure). The generated scenario
runs, states the share it had to assume, and the user can open, download and edit it before
running it.
"""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from fukugan.server import create_app
from fukugan.services.hub import Hub

PW = "a long enough password"
NETWORK = (
    "tier,supplier,supplier_country,product_hs,customer,value\n"
    "1,Y Corp,JPN,8112,Acme,10\n2,X Ltd,CHN,811292,Y Corp,5\n"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory, loaded_copy):
    home = tmp_path_factory.mktemp("alert-scenario")
    loaded_copy(home)
    hub = Hub(home)
    acme, gov = hub.create_org("Acme", "company"), hub.create_org("METI-x", "ministry")
    alice = hub.create_user("alice", acme, "analyst", 1, PW)
    officer = hub.create_user("officer", gov, "analyst", 2, PW)
    net = home / "acme.csv"
    net.write_text(NETWORK, encoding="utf-8")
    hub.upload_network(hub.user(alice), net, own_firm="Acme")
    hub.publish(
        hub.user(officer),
        type="export_control",
        title="China licenses gallium and germanium exports",
        tlp="GREEN",
        links={"country": ["CHN"], "commodity": ["gallium", "germanium"], "hs": ["811292"]},
    )
    [alert] = hub.alerts(hub.user(alice))
    hub.dispose()
    with TestClient(create_app(home)) as c:
        r = c.post("/hub/login", data={"username": "alice", "password": PW}, follow_redirects=False)
        assert r.status_code == 303
        yield c, alert.id


def _token(client, path="/hub/alerts") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def _wait(client, rid) -> dict:
    for _ in range(600):
        doc = client.get(f"/api/v1/runs/{rid}").json()
        if doc["status"] in ("done", "failed"):
            return doc
        time.sleep(0.2)
    raise AssertionError("run did not finish")


def test_open_download_and_run_the_generated_scenario(world):
    client, aid = world
    inbox = client.get("/hub/alerts", params={"lang": "en"}).text
    assert f'href="/hub/alerts/{aid}/scenario"' in inbox
    page = client.get(f"/hub/alerts/{aid}/scenario").text
    text = re.search(r'<textarea id="scenario-yaml"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    # germanium: USGS withholds China's figure, so the share is assumed, and said so
    assert "supplier_share: 0.5" in text and "withhold CHN&#39;s production" in text
    assert "assumes 50% of world supply" in text
    assert "シナリオ（YAML）" in client.get(f"/hub/alerts/{aid}/scenario?lang=ja").text
    client.get("/hub/alerts?lang=en")
    file = client.get(f"/hub/alerts/{aid}/scenario.yaml")
    assert file.headers["content-type"].startswith("application/yaml")
    assert "attachment" in file.headers["content-disposition"]
    assert "supplier_share: 0.5" in file.text and "commodity: germanium" in file.text
    api = client.get(f"/api/v1/hub/alerts/{aid}/scenario")
    assert api.status_code == 200 and api.text == file.text
    # the one click now gives a run that finishes
    r = client.post(
        f"/hub/alerts/{aid}/run", data={"csrf_token": _token(client)}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    doc = _wait(client, r.headers["location"].rsplit("/", 1)[1])
    assert doc["status"] == "done", doc["message"]
    assert doc["private"] is True


def test_edit_the_scenario_then_run_it(world):
    client, aid = world
    text = client.get(f"/hub/alerts/{aid}/scenario.yaml").text
    edited = text.replace("supplier_share: 0.5", "supplier_share: 0.7")
    token = _token(client)
    r = client.post(
        f"/hub/alerts/{aid}/run", data={"csrf_token": token, "yaml": edited}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    rid = r.headers["location"].rsplit("/", 1)[1]
    assert _wait(client, rid)["status"] == "done"
    sc = client.get(f"/api/v1/runs/{rid}").json()["scenario_id"]
    assert "supplier_share: 0.7" in client.get(f"/api/v1/scenarios/{sc}").json()["yaml"]
    # a broken edit: the page again, with the error and the text as typed
    bad = edited.replace("horizon_days: 365", "horizon_days: soon")
    r = client.post(f"/hub/alerts/{aid}/run", data={"csrf_token": token, "yaml": bad})
    assert r.status_code == 422 and 'id="scenario-error"' in r.text
    assert "horizon_days: soon" in r.text and "horizon_days" in r.text.split("scenario-error")[1]
    # no session, no scenario; no token, no run
    anon = TestClient(client.app)
    assert anon.get(f"/hub/alerts/{aid}/scenario", follow_redirects=False).status_code == 303
    assert anon.get(f"/api/v1/hub/alerts/{aid}/scenario").status_code == 401
    r = client.post(f"/hub/alerts/{aid}/run", data={"yaml": edited}, follow_redirects=False)
    assert r.status_code == 403
