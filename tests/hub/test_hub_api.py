"""The hub's REST API (``/api/v1/hub``) tested as an attacker would, on SQLite and PostgreSQL.

Over ``create_app(home, web=False)`` with TestClient: anonymous callers read TLP:CLEAR only; a
cookie value never issued is anonymous; writes without or with a wrong CSRF token are 403 and
change nothing; another organisation's AMBER item is 404 (like a missing one) and absent from
list, search, export and STIX; others' alerts and networks are 404 / invisible; a brute-forced
login locks (429); SQL-ish strings are plain text; runs started from an alert are private. A
hypothesis test over random worlds checks every read path over HTTP against the policy oracle.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from tests.hub.test_hub_alerts import COUNTRIES, FIRMS, HS, _touches
from tests.hub.test_hub_policy import oracle

from fukugan.api.hub_auth import COOKIE
from fukugan.hub.passwords import hash_password
from fukugan.server import create_app
from fukugan.services.hub import Hub
from fukugan.store.workspace.models import Base

PW = "a long enough password"
PW_HASH = hash_password(PW)
NET_HEADER = "tier,supplier,supplier_country,product_hs,customer,value\n"
HUB = "/api/v1/hub"
MISSING = 2_000_000_000  # an item / alert id that never exists


def _hub_tables() -> list[str]:
    """Every hub table, children first (for a clean slate between hypothesis examples)."""
    import fukugan.hub.alerts  # noqa: F401 - register the tables on Base
    import fukugan.hub.models  # noqa: F401
    import fukugan.hub.networks  # noqa: F401
    import fukugan.hub.sessions  # noqa: F401

    return [t.name for t in reversed(Base.metadata.sorted_tables) if t.name.startswith("hub_")]


def _make_env(request, tmp_path_factory, name: str):
    """An app over a fresh workspace (SQLite file, or a new PostgreSQL database through
    ``FUKUGAN_DATABASE_URL``), its hub, and a lifespan-managed client."""
    home = tmp_path_factory.mktemp(name)
    mp = pytest.MonkeyPatch()
    mp.setenv("FUKUGAN_HOME", str(home))
    if request.param == "postgresql":
        mp.setenv("FUKUGAN_DATABASE_URL", request.getfixturevalue("pg_cluster").create_database())
    else:
        mp.delenv("FUKUGAN_DATABASE_URL", raising=False)
    app = create_app(home, web=False)
    hub = Hub(home)
    app.state.hub = hub
    return mp, SimpleNamespace(app=app, hub=hub, home=home, backend=request.param)


def client_of(env, username: str | None = None, *, address: str = "198.51.100.7") -> TestClient:
    """A client with its own cookie jar (no lifespan), logged in as ``username`` if given;
    ``c.csrf`` is the session's CSRF token (not sent unless a test sends it)."""
    c = TestClient(env.app, client=(address, 40000))
    c.csrf = None
    if username is not None:
        res = c.post(f"{HUB}/login", json={"username": username, "password": PW})
        assert res.status_code == 200, res.text
        c.csrf = res.json()["csrf_token"]
    return c


def csrf(c: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": c.csrf}


def _ids(res) -> set[int]:
    assert res.status_code == 200, res.text
    return {i["id"] for i in res.json()["items"]}


def _stix_ids(res) -> set[int]:
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("application/stix+json")
    bundle = json.loads(res.text)
    assert bundle["type"] == "bundle"
    return {int(o["x_fukugan_item_id"]) for o in bundle.get("objects", []) if o["type"] == "report"}


def _read_paths(c: TestClient, probe: list[int]) -> dict[str, set[int]]:
    """What ``c`` gets through every read path: list, list by link, search, STIX export, and
    one GET per probed id."""
    got = {
        "list": _ids(c.get(f"{HUB}/items", params={"limit": 200})),
        "link": _ids(
            c.get(
                f"{HUB}/items",
                params={"link_kind": "country", "link_value": "CHN", "limit": 200},
            )
        ),
        "search": _ids(c.get(f"{HUB}/items", params={"q": "GALLIUM", "limit": 200})),
        "stix": _stix_ids(c.get(f"{HUB}/export.stix.json")),
    }
    got["get"] = set()
    for i in probe:
        res = c.get(f"{HUB}/items/{i}")
        assert res.status_code in (200, 404), res.text
        if res.status_code == 200:
            assert res.json()["id"] == i
            got["get"].add(i)
    return got


# -- a fixed world for the attacks -------------------------------------------------------------
@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """Organisations A, B (companies) and C (ministry); sharing group G = {A, C}; users alice
    (A analyst, clearance 1), amy (A reader), bob (B analyst), mallory (B contributor), carol
    (C analyst, clearance 3), victim (for the lock-out); items of every marking, all titled
    "... gallium ..." and linked to CHN / 8112; A and B have networks touching CHN."""
    mp, env = _make_env(request, tmp_path_factory, "hub-api")
    with TestClient(env.app):
        h = env.hub
        a, b, cc = (
            h.create_org("A", "company"),
            h.create_org("B", "company"),
            h.create_org("C", "ministry"),
        )
        g = h.create_group("G", [a, cc])
        ids = {}
        for name, org, role, cl in [
            ("alice", a, "analyst", 1),
            ("amy", a, "reader", 0),
            ("bob", b, "analyst", 1),
            ("mallory", b, "contributor", 0),
            ("carol", cc, "analyst", 3),
            ("victim", b, "reader", 0),
            ("victim2", b, "reader", 0),
        ]:
            ids[name] = h.create_user(name, org, role, cl, password_hash=PW_HASH)
        users = {
            n: {"id": ids[n], "org": org, "clearance": cl, "active": True}
            for n, org, cl in [
                ("alice", a, 1),
                ("amy", a, 0),
                ("bob", b, 1),
                ("mallory", b, 0),
                ("carol", cc, 3),
            ]
        }
        env.users, env.ids, env.members = users, ids, {g: {a, cc}}
        env.orgs = {"A": a, "B": b, "C": cc}
        env.group = g
        clients = {n: client_of(env, n) for n in users}
        env.clients = clients
        net = NET_HEADER + "1,Gallium Refinery,CHN,8112,Me,10\n"
        for n in ("alice", "bob"):
            res = clients[n].put(
                f"{HUB}/network",
                files={"file": ("net.csv", net.encode())},
                headers=csrf(clients[n]),
            )
            assert res.status_code == 200, res.text
        items = {}
        for key, author, tlp, cl, groups, rec in [
            ("clear", "alice", "CLEAR", 0, [], []),
            ("green", "alice", "GREEN", 0, [], []),
            ("amber_a", "alice", "AMBER", 0, [], []),
            ("amber_g", "alice", "AMBER", 0, [g], []),
            ("strict", "alice", "AMBER+STRICT", 0, [], []),
            ("red", "alice", "RED", 0, [], [ids["carol"]]),
            ("secret", "carol", "GREEN", 3, [], []),
            ("amber_b", "bob", "AMBER", 0, [], []),
        ]:
            res = clients[author].post(
                f"{HUB}/items",
                json={
                    "type": "supplier_incident",
                    "title": f"{key} gallium notice",
                    "body": "refinery outage",
                    "tlp": tlp,
                    "required_clearance": cl,
                    "group_ids": groups,
                    "recipient_ids": rec,
                    "links": {"country": ["CHN"], "hs": ["8112"]},
                },
                headers=csrf(clients[author]),
            )
            assert res.status_code == 201, res.text
            iid = res.json()["id"]
            assert res.headers["location"] == f"{HUB}/items/{iid}"
            author_org = users[author]["org"]
            recipients = set(rec) | ({ids[author]} if tlp == "RED" else set())
            items[key] = {
                "id": iid,
                "org": author_org,
                "tlp": tlp,
                "clearance": cl,
                "groups": set(groups),
                "recipients": recipients,
                "valid_to": None,
            }
        env.items = items
        yield env
    mp.undo()
    env.hub.dispose()


def expected(env, who: str | None) -> set[int]:
    u = None if who is None else env.users[who]
    now = datetime.now(UTC)
    return {i["id"] for i in env.items.values() if oracle(u, i, env.members, now)}


def _count_items(env) -> int:
    with env.hub.engine.connect() as c:
        return c.execute(text("SELECT COUNT(*) FROM hub_items")).scalar_one()


@pytest.mark.slow
def test_anonymous_reads_tlp_clear_only(world):
    anon = client_of(world)
    got = _read_paths(anon, [i["id"] for i in world.items.values()])
    for path, ids in got.items():
        assert ids == {world.items["clear"]["id"]} == expected(world, None), path
    for path in ("/me", "/alerts", "/network", "/consortium", "/directory"):
        res = anon.get(HUB + path)
        assert res.status_code == 401, path
        assert res.headers["content-type"].startswith("application/problem+json")


@pytest.mark.slow
def test_every_user_reads_exactly_what_the_policy_allows(world):
    probe = [i["id"] for i in world.items.values()] + [MISSING]
    for who, c in world.clients.items():
        want = expected(world, who)
        for path, ids in _read_paths(c, probe).items():
            assert ids == want, (who, path)
        # and the hub's own decision agrees with the oracle
        p = world.hub.user(world.ids[who])
        assert {i for i in probe if world.hub.decide(p, i).allowed} == want


def test_denied_is_indistinguishable_from_missing(world):
    bob = world.clients["bob"]
    denied = bob.get(f"{HUB}/items/{world.items['amber_a']['id']}")
    missing = bob.get(f"{HUB}/items/{MISSING}")
    assert denied.status_code == missing.status_code == 404
    a, b = denied.json(), missing.json()
    assert (a["type"], a["title"]) == (b["type"], b["title"])
    assert str(world.items["amber_a"]["id"]) in a["detail"] and "gallium" not in a["detail"]
    # filters do not open a side door
    for params in (
        {"type": "supplier_incident"},
        {"link_kind": "hs", "link_value": "8112"},
        {"link_value": "CHN"},
        {"q": "amber_a"},
        {"q": "amber_a", "type": "supplier_incident", "link_value": "CHN"},
    ):
        got = _ids(bob.get(f"{HUB}/items", params={**params, "limit": 200}))
        assert world.items["amber_a"]["id"] not in got
        assert got <= expected(world, "bob")
    stix = _stix_ids(bob.get(f"{HUB}/export.stix.json", params={"type": "supplier_incident"}))
    assert stix == expected(world, "bob")


def test_a_cookie_never_issued_is_anonymous(world):
    forged = client_of(world)
    forged.cookies.set(COOKIE, "attacker-chosen-session-value")
    assert forged.get(f"{HUB}/me").status_code == 401
    assert _ids(forged.get(f"{HUB}/items", params={"limit": 200})) == expected(world, None)
    before = _count_items(world)
    res = forged.post(
        f"{HUB}/items",
        json={"type": "sanction", "title": "forged", "tlp": "CLEAR"},
        headers={"X-CSRF-Token": "attacker-chosen-csrf"},
    )
    assert res.status_code == 401 and _count_items(world) == before
    # session fixation: the victim logs in carrying the attacker's value; a new one is issued
    victim = client_of(world)
    victim.cookies.set(COOKIE, "attacker-chosen-session-value")
    res = victim.post(f"{HUB}/login", json={"username": "amy", "password": PW})
    assert res.status_code == 200
    issued = res.cookies.get(COOKIE)
    assert issued and issued != "attacker-chosen-session-value"
    set_cookie = res.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie
    assert forged.get(f"{HUB}/me").status_code == 401  # the planted value is still nobody


@pytest.mark.slow
def test_writes_without_the_right_csrf_token_are_403_and_change_nothing(world):
    alice, bob = world.clients["alice"], world.clients["bob"]
    before = _count_items(world)
    net_before = alice.get(f"{HUB}/network").json()
    [al] = [a for a in alice.get(f"{HUB}/alerts").json()["items"] if not a["read"]][:1] or [None]
    assert al is not None
    body = {"type": "sanction", "title": "csrf", "tlp": "GREEN"}
    bad_tokens = [
        {},
        {"X-CSRF-Token": ""},
        {"X-CSRF-Token": "wrong"},
        {"X-CSRF-Token": bob.csrf},  # a real token of another session
        {"X-CSRF-Token": alice.csrf + "x"},
    ]
    net = NET_HEADER + "1,Other,DEU,28,Me,1\n"
    bundle = json.dumps({"type": "bundle", "id": "bundle--" + "0" * 36, "objects": []})
    for h in bad_tokens:
        assert alice.post(f"{HUB}/items", json=body, headers=h).status_code == 403
        assert (
            alice.put(
                f"{HUB}/network", files={"file": ("n.csv", net.encode())}, headers=h
            ).status_code
            == 403
        )
        assert (
            alice.post(
                f"{HUB}/import", files={"file": ("b.json", bundle.encode())}, headers=h
            ).status_code
            == 403
        )
        assert alice.post(f"{HUB}/alerts/{al['id']}/read", headers=h).status_code == 403
        assert alice.post(f"{HUB}/alerts/{al['id']}/run", headers=h).status_code == 403
        assert alice.post(f"{HUB}/logout", headers=h).status_code == 403
    # a form field with a wrong token is no better than a header
    res = alice.put(
        f"{HUB}/network",
        files={"file": ("n.csv", net.encode())},
        data={"csrf_token": bob.csrf},
    )
    assert res.status_code == 403
    assert _count_items(world) == before
    assert alice.get(f"{HUB}/network").json() == net_before
    # (the right token in the form field is accepted, as pages send it)
    same = NET_HEADER + "".join(
        f"{r['tier']},{r['supplier']},{r['supplier_country']},{r['product_hs']},"
        f"{r['customer']},{'' if r['value'] is None else r['value']}\n"
        for r in net_before["links"]
    )
    res = alice.put(
        f"{HUB}/network",
        files={"file": ("n.csv", same.encode())},
        data={"csrf_token": alice.csrf},
    )
    assert res.status_code == 200, res.text
    assert alice.get(f"{HUB}/network").json() == net_before
    still = {a["id"]: a for a in alice.get(f"{HUB}/alerts").json()["items"]}
    assert still[al["id"]]["read"] is False
    assert alice.get(f"{HUB}/me").status_code == 200  # logout did not happen
    assert not any(r["private"] for r in alice.get("/api/v1/runs").json()["items"])
    # a cross-site form cannot post JSON: login with text/plain is refused
    res = client_of(world).post(
        f"{HUB}/login",
        content=json.dumps({"username": "amy", "password": PW}),
        headers={"content-type": "text/plain"},
    )
    assert res.status_code == 422


def test_others_alerts_and_networks_are_404_or_invisible(world):
    alice, bob, mallory = (world.clients[n] for n in ("alice", "bob", "mallory"))
    a_alerts = alice.get(f"{HUB}/alerts").json()["items"]
    b_alerts = bob.get(f"{HUB}/alerts").json()["items"]
    assert a_alerts and b_alerts
    # alerts only for items the user may read (and the network touches: all items here)
    assert {a["item_id"] for a in a_alerts} == expected(world, "alice")
    assert {a["item_id"] for a in b_alerts} == expected(world, "bob")
    assert {a["item_id"] for a in mallory.get(f"{HUB}/alerts").json()["items"]} == expected(
        world, "mallory"
    )
    assert world.clients["carol"].get(f"{HUB}/alerts").json()["items"] == []  # C: no network
    for al in a_alerts:
        for path in ("read", "run"):
            res = bob.post(f"{HUB}/alerts/{al['id']}/{path}", headers=csrf(bob))
            assert res.status_code == 404, (path, res.text)
        missing = bob.post(f"{HUB}/alerts/{MISSING}/read", headers=csrf(bob))
        assert missing.status_code == 404
    assert {a["id"]: a["read"] for a in alice.get(f"{HUB}/alerts").json()["items"]} == {
        a["id"]: a["read"] for a in a_alerts
    }
    # own alert: marked read once, for the owner only
    mine = b_alerts[0]["id"]
    assert bob.post(f"{HUB}/alerts/{mine}/read", headers=csrf(bob)).status_code == 204
    unread = bob.get(f"{HUB}/alerts", params={"unread_only": True}).json()["items"]
    assert mine not in {a["id"] for a in unread}
    # networks: each organisation sees its own only
    an, bn = alice.get(f"{HUB}/network").json(), bob.get(f"{HUB}/network").json()
    assert an["org_id"] == world.orgs["A"] and bn["org_id"] == world.orgs["B"]
    assert world.clients["carol"].get(f"{HUB}/network").json()["links"] == []


def test_network_upload_is_all_or_nothing_with_file_row_field(world):
    bob = world.clients["bob"]
    before = bob.get(f"{HUB}/network").json()
    bad = NET_HEADER + "1,X,CHN,8112,Me,1\n1,Y,ZZZ,8112,Me,1\n"
    res = bob.put(
        f"{HUB}/network", files={"file": ("../../etc/mine.csv", bad.encode())}, headers=csrf(bob)
    )
    assert res.status_code == 400
    err = res.json()["errors"][0]
    assert (err["file"], err["row"], err["field"]) == ("mine.csv", 3, "supplier_country")
    assert "/tmp" not in res.json()["detail"]  # the server's temporary path is not shown
    assert bob.get(f"{HUB}/network").json() == before
    # readers may not upload
    amy = world.clients["amy"]
    res = amy.put(
        f"{HUB}/network",
        files={"file": ("n.csv", (NET_HEADER + "1,X,CHN,8112,Me,1\n").encode())},
        headers=csrf(amy),
    )
    assert res.status_code == 403


def test_publish_rules_over_http(world):
    amy, alice, bob, carol = (world.clients[n] for n in ("amy", "alice", "bob", "carol"))
    base = {"type": "market_signal", "title": "rule check", "tlp": "GREEN"}
    assert amy.post(f"{HUB}/items", json=base, headers=csrf(amy)).status_code == 403  # reader
    res = alice.post(f"{HUB}/items", json={**base, "required_clearance": 3}, headers=csrf(alice))
    assert res.status_code == 403  # above her clearance
    for bad in (
        {"group_ids": [MISSING], "tlp": "AMBER"},
        {"recipient_ids": [MISSING], "tlp": "RED"},
        {"recipient_ids": [world.ids["bob"]], "tlp": "GREEN"},
        {"links": {"country": ["ZZZ"]}},
    ):
        res = alice.post(f"{HUB}/items", json={**base, **bad}, headers=csrf(alice))
        assert res.status_code == 400, (bad, res.text)
    for bad in (
        {"valid_to": "2030-01-01T00:00:00"},  # no time zone
        {"tlp": "PURPLE"},
        {"confidence": 2},
        {"title": "x" * 301},
        {"links": {"planet": ["Mars"]}},
    ):
        res = alice.post(f"{HUB}/items", json={**base, **bad}, headers=csrf(alice))
        assert res.status_code == 422, (bad, res.text)
    # RED to a named recipient of another organisation: bob reads it, carol does not
    res = alice.post(
        f"{HUB}/items",
        json={**base, "tlp": "RED", "recipient_ids": [world.ids["bob"]]},
        headers=csrf(alice),
    )
    assert res.status_code == 201
    rid = res.json()["id"]
    assert bob.get(f"{HUB}/items/{rid}").status_code == 200
    assert carol.get(f"{HUB}/items/{rid}").status_code == 404
    assert world.hub.verify_audit().ok


def test_sql_ish_strings_are_plain_text(world):
    bob = world.clients["bob"]
    before = _count_items(world)
    readable = bob.get(f"{HUB}/items", params={"limit": 200}).json()["items"]
    want = {i["id"] for i in readable}
    assert want >= expected(world, "bob")
    for s in [
        "' OR '1'='1",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "%' OR title LIKE '%",
        "gallium'; DROP TABLE hub_items; --",
        '" OR ""="',
        "1 UNION SELECT id, title FROM hub_items",
        "\x00",
    ]:
        for params in ({"q": s}, {"link_value": s}, {"link_value": s, "link_kind": "firm"}):
            res = bob.get(f"{HUB}/items", params={**params, "limit": 200})
            assert res.status_code in (200, 422), (s, res.text)
            if res.status_code == 200:
                assert _ids(res) <= want
                if s in ("%", "_", "\\") and "q" in params:  # wildcards are literal
                    literal = {i["id"] for i in readable if s in i["title"] + i["body"]}
                    assert _ids(res) == literal
        res = bob.get(f"{HUB}/items/{quote(s, safe='')}")
        assert res.status_code in (404, 422)
        assert bob.get(f"{HUB}/items", params={"type": s}).status_code == 422
    assert _count_items(world) == before
    assert _ids(world.clients["carol"].get(f"{HUB}/items", params={"limit": 200})) == expected(
        world, "carol"
    )


def test_stix_export_import_over_http(world):
    carol, bob = world.clients["carol"], world.clients["bob"]
    # what carol exports is what she reads; bob imports a CLEAR report of hers
    assert _stix_ids(carol.get(f"{HUB}/export.stix.json")) == expected(world, "carol")
    bundle = json.loads(world.clients["alice"].get(f"{HUB}/export.stix.json").text)
    clear_id = world.items["clear"]["id"]
    keep = [
        o
        for o in bundle["objects"]
        if o["type"] != "report" or o.get("x_fukugan_item_id") == str(clear_id)
    ]
    data = json.dumps({**bundle, "objects": keep}).encode()
    before = _count_items(world)
    res = bob.post(f"{HUB}/import", files={"file": ("b.json", data)}, headers=csrf(bob))
    assert res.status_code == 201, res.text
    new = res.json()["ids"]
    assert len(new) == 1 and _count_items(world) == before + 1
    assert client_of(world).get(f"{HUB}/items/{new[0]}").json()["markings"]["tlp"] == "CLEAR"
    # a bad bundle names the file, object and property, and adds nothing
    broken = json.loads(data)
    for o in broken["objects"]:
        if o["type"] == "report":
            del o["name"]
    res = bob.post(
        f"{HUB}/import",
        files={"file": ("broken.json", json.dumps(broken).encode())},
        headers=csrf(bob),
    )
    assert res.status_code == 400, res.text
    assert "broken.json" in res.json()["detail"] and "report--" in res.json()["detail"]
    for junk in (b"not json", b"\xff\xfe", b"[]", b"{}"):
        res = bob.post(f"{HUB}/import", files={"file": ("j.json", junk)}, headers=csrf(bob))
        assert res.status_code == 400, (junk, res.text)
    assert _count_items(world) == before + 1
    # a reader may not import
    amy = world.clients["amy"]
    assert (
        amy.post(f"{HUB}/import", files={"file": ("b.json", data)}, headers=csrf(amy)).status_code
        == 403
    )


def test_stix_export_of_an_expired_item_without_valid_from(world):
    carol = world.clients["carol"]
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    res = carol.post(
        f"{HUB}/items",
        json={"type": "sanction", "title": "expired", "tlp": "AMBER+STRICT", "valid_to": past},
        headers=csrf(carol),
    )
    assert res.status_code == 201
    assert res.json()["id"] in _stix_ids(carol.get(f"{HUB}/export.stix.json"))


def test_alert_runs_are_private(world):
    alice, bob = world.clients["alice"], world.clients["bob"]
    anon = client_of(world)
    al = alice.get(f"{HUB}/alerts").json()["items"][0]
    res = alice.post(f"{HUB}/alerts/{al['id']}/run", headers=csrf(alice))
    assert res.status_code == 202, res.text
    run = res.json()["run"]
    assert run["private"] is True and res.headers["location"] == f"/api/v1/runs/{run['id']}"
    assert res.json()["links"]["api"] == f"/api/v1/runs/{run['id']}"
    assert alice.get(f"/api/v1/runs/{run['id']}").status_code == 200
    assert run["id"] in [r["id"] for r in alice.get("/api/v1/runs").json()["items"]]
    assert run["scenario_id"] in [s["id"] for s in alice.get("/api/v1/scenarios").json()["items"]]
    for c in (bob, anon, world.clients["amy"]):  # even a colleague of the same organisation
        assert c.get(f"/api/v1/runs/{run['id']}").status_code == 404
        assert run["id"] not in [r["id"] for r in c.get("/api/v1/runs").json()["items"]]
        assert c.get(f"/api/v1/scenarios/{run['scenario_id']}").status_code == 404
        assert c.get(f"/api/v1/reports/run/{run['id']}").status_code == 404


def test_consortium_and_directory_need_a_session(world):
    bob = world.clients["bob"]
    doc = bob.get(f"{HUB}/consortium").json()
    assert doc["k"] == 5 and doc["n_members"] == 2
    assert all(c["suppressed"] and c["value"] is None for c in doc["cells"])  # 2 < k members
    # and no member's supplier, country or product shows, not even as a label
    for view in ("country", "supplier"):
        res = bob.get(f"{HUB}/consortium", params={"view": view})
        assert res.status_code == 200
        for secret in ("Gallium Refinery", "gallium refinery", "CHN", "8112"):
            assert secret not in res.text, (view, secret)
    assert bob.get(f"{HUB}/consortium", params={"view": "supplier"}).status_code == 200
    assert bob.get(f"{HUB}/consortium", params={"tier": 1}).status_code == 400
    assert bob.get(f"{HUB}/consortium", params={"view": "member"}).status_code == 422
    d = bob.get(f"{HUB}/directory").json()
    assert {g["name"]: g["member"] for g in d["groups"]} == {"G": False}
    assert world.clients["alice"].get(f"{HUB}/directory").json()["groups"][0]["member"] is True


@pytest.mark.slow
def test_login_brute_force_locks_with_429(world):
    attacker = client_of(world, address="203.0.113.66")
    codes = [
        attacker.post(
            f"{HUB}/login", json={"username": "victim", "password": f"guess{i}"}
        ).status_code
        for i in range(5)
    ]
    assert codes == [401] * 5
    res = attacker.post(f"{HUB}/login", json={"username": "victim", "password": PW})
    assert res.status_code == 429 and int(res.headers["retry-after"]) > 0
    assert res.json()["type"].endswith("/login-locked") and COOKIE not in res.cookies
    # locked per user name (from anywhere) and per client address (for any name)
    elsewhere = client_of(world, address="192.0.2.1")
    res = elsewhere.post(f"{HUB}/login", json={"username": "victim", "password": PW})
    assert res.status_code == 429
    res = attacker.post(f"{HUB}/login", json={"username": "victim2", "password": PW})
    assert res.status_code == 429
    # a wrong name and a wrong password answer alike
    other = client_of(world, address="192.0.2.2")
    a = other.post(f"{HUB}/login", json={"username": "nobody-here", "password": PW})
    b = other.post(f"{HUB}/login", json={"username": "victim2", "password": "wrong"})
    assert a.status_code == b.status_code == 401 and a.json()["detail"] == b.json()["detail"]


def test_logout_ends_the_session(world):
    c = client_of(world, "amy")
    token = c.cookies.get(COOKIE)
    assert c.get(f"{HUB}/me").json()["user"]["username"] == "amy"
    res = c.post(f"{HUB}/logout", headers=csrf(c))
    assert res.status_code == 204 and not c.cookies.get(COOKIE)
    replay = client_of(world)
    replay.cookies.set(COOKIE, token)
    assert replay.get(f"{HUB}/me").status_code == 401
    anon = client_of(world).get(f"{HUB}/items", params={"limit": 200})
    assert _ids(replay.get(f"{HUB}/items", params={"limit": 200})) == _ids(anon)
    assert replay.post(f"{HUB}/logout").status_code == 204  # nothing to end: just clears
    # logging in again over a live session ends the old one (its token is worth nothing)
    c = client_of(world, "amy")
    first = c.cookies.get(COOKIE)
    again = c.post(f"{HUB}/login", json={"username": "amy", "password": PW})
    assert again.status_code == 200 and c.cookies.get(COOKIE) != first
    replay.cookies.set(COOKIE, first)
    assert replay.get(f"{HUB}/me").status_code == 401
    assert c.get(f"{HUB}/me").json()["csrf_token"] == again.json()["csrf_token"]


# -- property: random worlds over HTTP ---------------------------------------------------------
@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fresh(request, tmp_path_factory):
    mp, env = _make_env(request, tmp_path_factory, "hub-api-prop")
    env.tables = _hub_tables()
    yield env
    mp.undo()
    env.hub.dispose()


world_st = st.fixed_dictionaries(
    {
        "orgs": st.integers(1, 3),
        "users": st.lists(
            st.tuples(
                st.integers(0, 2),
                st.sampled_from(["admin", "analyst", "contributor", "reader"]),
                st.integers(0, 3),
            ),
            min_size=1,
            max_size=4,
        ),
        "groups": st.lists(st.sets(st.integers(0, 2), max_size=2), max_size=2),  # empty too
        "networks": st.lists(
            st.lists(
                st.tuples(st.sampled_from(FIRMS), st.sampled_from(COUNTRIES), st.sampled_from(HS)),
                max_size=2,
            ),
            min_size=3,
            max_size=3,
        ),
        "items": st.lists(
            st.fixed_dictionaries(
                {
                    "org": st.integers(0, 2),
                    "tlp": st.sampled_from(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]),
                    "clearance": st.integers(0, 3),
                    "groups": st.sets(st.integers(0, 2), max_size=2),
                    "recipients": st.sets(st.integers(0, 4), max_size=2),
                    "expiry": st.sampled_from([None, -2, 2]),
                    "country": st.sets(st.sampled_from(COUNTRIES), max_size=1),
                    "hs": st.sets(st.sampled_from(["81", "8112", "2615"]), max_size=1),
                    "firm": st.sets(st.sampled_from(["f1", "F2"]), max_size=1),
                }
            ),
            max_size=4,
        ),
    }
)


@pytest.mark.slow
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(w=world_st)
def test_random_worlds_no_read_path_leaks_over_http(fresh, w):
    """Random organisations × users × groups (empty ones too) × networks × items × markings:
    over HTTP, every user (and the anonymous visitor) lists, searches, gets, exports (JSON
    and STIX) and is alerted about exactly the items the policy oracle allows (alerts: and
    whose links touch the user's organisation's network)."""
    h = fresh.hub
    with h.engine.begin() as c:
        for t in fresh.tables:
            c.execute(text(f"DELETE FROM {t}"))
    now = datetime.now(UTC)
    orgs = [h.create_org(f"org{i}", "company") for i in range(w["orgs"])]
    users: list[dict] = []
    names: dict[int, str] = {}

    def add_user(name: str, org: int, role: str, cl: int) -> dict:
        uid = h.create_user(name, org, role, cl, password_hash=PW_HASH)
        names[uid] = name
        u = {"id": uid, "org": org, "clearance": cl, "active": True}
        users.append(u)
        return u

    for j, (oi, role, cl) in enumerate(w["users"]):
        add_user(f"u{j}", orgs[oi % len(orgs)], role, cl)
    groups, members = [], {}
    for k, mem in enumerate(w["groups"]):
        ids = {orgs[i % len(orgs)] for i in mem}
        gid = h.create_group(f"g{k}", ids)
        groups.append(gid)
        members[gid] = ids
    nets: dict[int, list] = {}
    uploaders = {}
    for n, org in enumerate(orgs):
        rows, seen = [], set()
        for f, c, hs in w["networks"][n]:
            if (f.lower(), c, hs) not in seen:
                seen.add((f.lower(), c, hs))
                rows.append((f, c, hs))
        nets[org] = rows
        if rows:
            uploaders[org] = (add_user(f"up{n}", org, "contributor", 0), rows)
    authors = [
        add_user(f"author{n}", orgs[it["org"] % len(orgs)], "contributor", 3)
        for n, it in enumerate(w["items"])
    ]
    clients = {u["id"]: client_of(fresh, names[u["id"]]) for u in users}
    for up, rows in uploaders.values():
        c = clients[up["id"]]
        body = NET_HEADER + "".join(f"1,{f},{co},{hs},Me,\n" for f, co, hs in rows)
        res = c.put(f"{HUB}/network", files={"file": ("n.csv", body.encode())}, headers=csrf(c))
        assert res.status_code == 200, res.text
    items = []
    for n, it in enumerate(w["items"]):
        author = authors[n]
        gids = {groups[g % len(groups)] for g in it["groups"]} if groups else set()
        rec = (
            {users[r % len(users)]["id"] for r in it["recipients"]} if it["tlp"] == "RED" else set()
        )
        valid_to = None if it["expiry"] is None else now + timedelta(days=it["expiry"])
        c = clients[author["id"]]
        res = c.post(
            f"{HUB}/items",
            json={
                "type": "supplier_incident",
                "title": f"item {n} gallium",
                "tlp": it["tlp"],
                "required_clearance": it["clearance"],
                "group_ids": sorted(gids),
                "recipient_ids": sorted(rec),
                # valid_from before valid_to: an expired item without valid_from breaks the
                # STIX export (test_stix_export_of_an_expired_item_without_valid_from)
                "valid_from": (now - timedelta(days=3)).isoformat(),
                "valid_to": None if valid_to is None else valid_to.isoformat(),
                "links": {
                    "country": sorted(it["country"] | {"CHN"}),
                    "hs": sorted(it["hs"]),
                    "firm": sorted(it["firm"]),
                },
            },
            headers=csrf(c),
        )
        assert res.status_code == 201, res.text
        if it["tlp"] == "RED":
            rec.add(author["id"])
        items.append(
            {
                **it,
                "id": res.json()["id"],
                "org": author["org"],
                "groups": gids,
                "recipients": rec,
                "valid_to": valid_to,
                "country": it["country"] | {"CHN"},
            }
        )
    probe = [i["id"] for i in items] + [MISSING]
    now = datetime.now(UTC)
    for u in [None, *users]:
        c = client_of(fresh) if u is None else clients[u["id"]]
        want = {i["id"] for i in items if oracle(u, i, members, now)}
        for path, got in _read_paths(c, probe).items():
            assert got == want, (path, u)
        if u is None:
            assert c.get(f"{HUB}/alerts").status_code == 401
            continue
        alerts = c.get(f"{HUB}/alerts", params={"limit": 200}).json()["items"]
        got = [a["item_id"] for a in alerts]
        assert len(got) == len(set(got))
        assert set(got) == {
            i["id"] for i in items if i["id"] in want and _touches(nets[u["org"]], i)
        }
    assert h.verify_audit().ok


def test_per_user_answers_are_never_cached(world):
    alice = world.clients["alice"]
    for path in ("/items", "/me", "/alerts", "/network", "/export.stix.json", "/directory"):
        res = alice.get(HUB + path)
        assert res.status_code == 200 and res.headers["cache-control"] == "private, no-store"
    assert alice.get("/api/v1/runs").headers["cache-control"] == "private, no-store"
    assert "cache-control" not in client_of(world).get("/api/v1/runs").headers  # shared as before


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("..", "network.csv"),
        (".", "network.csv"),
        ("../../etc/x.csv", "x.csv"),
        ("供給網.csv", "供給網.csv"),
    ],
)
def test_network_upload_file_names(world, filename, shown):
    """Odd or hostile upload names never reach the file system as given (no 500 for '..'),
    and a bad file's error names it as the user knows it, Japanese included."""
    alice = world.clients["alice"]
    before = alice.get(f"{HUB}/network").json()
    res = alice.put(
        f"{HUB}/network",
        files={"file": (filename, (NET_HEADER + "1,Y Corp,ZZZ,8112,Me,\n").encode())},
        headers=csrf(alice),
    )
    assert res.status_code == 400, res.text
    body = res.json()
    assert shown in body["detail"] and "/tmp" not in body["detail"]
    assert alice.get(f"{HUB}/network").json() == before
