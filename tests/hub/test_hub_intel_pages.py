"""Hub items on the platform's own pages: the commodity page lists the items linked to the
commodity or its HS codes that the logged-in user may read, and nothing for anyone else."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fukugan.server import create_app
from fukugan.services.hub import Hub

PW = "correct horse battery staple"


@pytest.fixture(scope="module")
def client(tmp_path_factory, loaded_copy):
    home = loaded_copy(tmp_path_factory.mktemp("intel"))
    hub = Hub(home)
    meti = hub.create_org("METI", "ministry")
    acme = hub.create_org("Acme", "company")
    hub.create_user("acme", acme, "analyst", 0, PW)
    mina = hub.user(hub.create_user("mina", meti, "analyst", 3, PW))
    hub.publish(
        mina,
        type="export_control",
        title="GREEN via HS code",
        tlp="GREEN",
        links={"country": ["CHN"], "hs": ["811292"]},
    )
    hub.publish(
        mina,
        type="sanction",
        title="STRICT gallium",
        tlp="AMBER+STRICT",
        links={"commodity": ["gallium"]},
    )
    hub.publish(
        mina,
        type="market_signal",
        title="GREEN cobalt",
        tlp="GREEN",
        links={"commodity": ["cobalt"]},
    )
    hub.dispose()
    with TestClient(create_app(home)) as c:
        yield c


def _login(client: TestClient, username: str) -> None:
    client.cookies.clear()
    r = client.post(
        "/hub/login",
        data={"username": username, "password": PW},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


@pytest.mark.slow
def test_commodity_page_shows_readable_items_only(client):
    client.cookies.clear()
    anon = client.get("/commodities/gallium")
    assert anon.status_code == 200 and 'id="intelligence"' not in anon.text
    _login(client, "acme")
    page = client.get("/commodities/gallium")
    assert 'id="intelligence"' in page.text
    assert "GREEN via HS code" in page.text  # linked through gallium's HS code 811292
    assert "STRICT gallium" not in page.text and "GREEN cobalt" not in page.text
    assert page.headers["cache-control"] == "private, no-store"
    assert "GREEN cobalt" in client.get("/commodities/cobalt").text
    ja = client.get("/commodities/gallium?lang=ja")
    assert "この鉱物に関する情報" in ja.text
    _login(client, "mina")
    assert "STRICT gallium" in client.get("/commodities/gallium").text
