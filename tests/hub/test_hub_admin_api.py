"""The hub's organisation administration over HTTP (``/api/v1/hub/org/users``), on SQLite and
PostgreSQL, tested as an attacker would: only an organisation's admins list, add and disable its
users (403 for every other role, 401 anonymous); another organisation's user is 404 like a
missing one; writes without the session's CSRF token are 403 and change nothing; an admin cannot
grant a clearance above their own; the user an admin adds can log in, and disabling them ends
their live session at once; passwords are never echoed nor logged."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from tests.hub.test_hub_api import HUB, MISSING, PW_HASH, _make_env, client_of, csrf

ORG = f"{HUB}/org/users"
NEW_PW = "fresh password for the new user"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def env(request, tmp_path_factory):
    """Organisation A: boss (admin, clearance 1), ana (analyst), rita (reader); organisation B:
    bert (admin, clearance 3), bob (analyst). Logged-in clients for each."""
    mp, env = _make_env(request, tmp_path_factory, "hub-admin-api")
    with TestClient(env.app):
        h = env.hub
        a, b = h.create_org("A", "company"), h.create_org("B", "sme")
        env.orgs = {"A": a, "B": b}
        env.ids = {
            name: h.create_user(name, org, role, cl, password_hash=PW_HASH)
            for name, org, role, cl in [
                ("boss", a, "admin", 1),
                ("ana", a, "analyst", 1),
                ("rita", a, "reader", 0),
                ("bert", b, "admin", 3),
                ("bob", b, "analyst", 0),
            ]
        }
        env.clients = {n: client_of(env, n) for n in env.ids}
        yield env
    mp.undo()
    env.hub.dispose()


def _names(c: TestClient) -> list[str]:
    res = c.get(ORG)
    assert res.status_code == 200, res.text
    return [u["username"] for u in res.json()["users"]]


def _new(name: str, clearance: int = 0, role: str = "reader", password: str = NEW_PW) -> dict:
    return {"username": name, "role": role, "clearance": clearance, "password": password}


def _login(env, name: str, password: str = NEW_PW):
    return client_of(env).post(f"{HUB}/login", json={"username": name, "password": password})


@pytest.mark.slow
def test_admin_lists_exactly_own_organisation(env):
    boss, bert = env.clients["boss"], env.clients["bert"]
    res = boss.get(ORG)
    assert res.status_code == 200
    assert res.headers["cache-control"] == "private, no-store"
    doc = res.json()
    assert doc["org_id"] == env.orgs["A"]
    rows = {u["username"]: u for u in doc["users"]}
    assert {"boss", "ana", "rita"} <= set(rows) and not {"bert", "bob"} & set(rows)
    assert rows["ana"] == {
        "id": env.ids["ana"],
        "username": "ana",
        "role": "analyst",
        "clearance": 1,
        "active": True,
    }
    assert "password" not in res.text and "argon2" not in res.text
    assert {"bert", "bob"} <= set(_names(bert)) and "boss" not in _names(bert)


def test_other_roles_get_403_and_anonymous_401(env):
    before = _names(env.clients["boss"])
    for name in ("ana", "rita", "bob"):
        c = env.clients[name]
        assert c.get(ORG).status_code == 403
        res = c.post(ORG, json=_new(f"by-{name}"), headers=csrf(c))
        assert res.status_code == 403, res.text
        assert res.headers["content-type"].startswith("application/problem+json")
        res = c.put(f"{ORG}/{env.ids['rita']}/active", json={"active": False}, headers=csrf(c))
        assert res.status_code == 403
    anon = client_of(env)
    assert anon.get(ORG).status_code == 401
    assert anon.post(ORG, json=_new("by-anon")).status_code == 401
    assert anon.put(f"{ORG}/{env.ids['rita']}/active", json={"active": False}).status_code == 401
    assert _names(env.clients["boss"]) == before
    assert env.clients["rita"].get(f"{HUB}/me").status_code == 200  # rita was not disabled


def test_another_organisations_user_is_404_like_a_missing_one(env):
    boss = env.clients["boss"]
    other = boss.put(f"{ORG}/{env.ids['bob']}/active", json={"active": False}, headers=csrf(boss))
    missing = boss.put(f"{ORG}/{MISSING}/active", json={"active": False}, headers=csrf(boss))
    assert other.status_code == missing.status_code == 404
    assert other.json()["type"] == missing.json()["type"]
    assert "bob" not in other.text
    assert env.clients["bob"].get(f"{HUB}/me").status_code == 200  # bob's session lives on
    assert env.hub.user(env.ids["bob"]).active
    too_big = boss.put(f"{ORG}/{2**31}/active", json={"active": False}, headers=csrf(boss))
    assert too_big.status_code == 422  # never a 500 on PostgreSQL's 32-bit ids


def test_writes_without_the_right_csrf_token_are_403_and_change_nothing(env):
    boss, bert = env.clients["boss"], env.clients["bert"]
    before = boss.get(ORG).json()
    for h in [{}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": "wrong"}, csrf(bert)]:
        assert boss.post(ORG, json=_new("csrf-victim"), headers=h).status_code == 403
        res = boss.put(f"{ORG}/{env.ids['ana']}/active", json={"active": False}, headers=h)
        assert res.status_code == 403
    assert boss.get(ORG).json() == before
    assert _login(env, "csrf-victim").status_code == 401
    assert env.clients["ana"].get(f"{HUB}/me").status_code == 200


def test_clearance_escalation_is_refused(env):
    boss = env.clients["boss"]  # clearance 1
    res = boss.post(ORG, json=_new("spy", clearance=2, role="analyst"), headers=csrf(boss))
    assert res.status_code == 403, res.text
    assert res.json()["type"].endswith("/forbidden")
    res = boss.post(ORG, json=_new("spy", clearance=3, role="admin"), headers=csrf(boss))
    assert res.status_code == 403
    assert boss.post(ORG, json=_new("spy", clearance=4), headers=csrf(boss)).status_code == 422
    assert "spy" not in _names(boss)
    assert _login(env, "spy").status_code == 401
    # up to one's own is fine
    res = boss.post(ORG, json=_new("spy-ok", clearance=1), headers=csrf(boss))
    assert res.status_code == 201 and res.json()["clearance"] == 1


def test_created_user_logs_in_with_role_clearance_and_organisation(env):
    boss = env.clients["boss"]
    res = boss.post(ORG, json=_new("newbie", clearance=1, role="contributor"), headers=csrf(boss))
    assert res.status_code == 201, res.text
    assert res.headers["cache-control"] == "private, no-store"
    body = res.json()
    assert body["username"] == "newbie" and body["active"] is True
    assert set(body) == {"id", "username", "role", "clearance", "active"}
    assert NEW_PW not in res.text
    assert "newbie" in _names(boss)
    login = _login(env, "newbie")
    assert login.status_code == 200, login.text
    assert login.json()["user"] == {
        "id": body["id"],
        "username": "newbie",
        "org_id": env.orgs["A"],
        "role": "contributor",
        "clearance": 1,
    }
    # the name is taken, in this organisation or another one; rules the hub keeps
    for name in ("newbie", "bob"):
        res = boss.post(ORG, json=_new(name), headers=csrf(boss))
        assert res.status_code == 400, res.text
    assert boss.post(ORG, json=_new("x", password="short"), headers=csrf(boss)).status_code == 422
    assert boss.post(ORG, json=_new("x", role="root"), headers=csrf(boss)).status_code == 422
    assert boss.post(ORG, json=_new("   "), headers=csrf(boss)).status_code == 400
    assert boss.post(ORG, json=_new("nul\x00"), headers=csrf(boss)).status_code == 422


def test_disabling_a_user_ends_their_session_and_enabling_restores_login(env):
    boss = env.clients["boss"]
    uid = boss.post(ORG, json=_new("leaver"), headers=csrf(boss)).json()["id"]
    leaver = client_of(env)
    opened = leaver.post(f"{HUB}/login", json={"username": "leaver", "password": NEW_PW})
    assert opened.status_code == 200, opened.text
    leaver.csrf = opened.json()["csrf_token"]
    assert leaver.get(f"{HUB}/me").status_code == 200
    res = boss.put(f"{ORG}/{uid}/active", json={"active": False}, headers=csrf(boss))
    assert res.status_code == 204 and not res.content
    assert res.headers["cache-control"] == "private, no-store"
    assert leaver.get(f"{HUB}/me").status_code == 401  # the live session died at once
    res = leaver.post(
        f"{HUB}/items",
        json={"type": "sanction", "title": "after disable", "tlp": "GREEN"},
        headers=csrf(leaver),
    )
    assert res.status_code == 401
    assert _login(env, "leaver").status_code == 401
    assert {u["username"]: u["active"] for u in boss.get(ORG).json()["users"]}["leaver"] is False
    res = boss.put(f"{ORG}/{uid}/active", json={"active": True}, headers=csrf(boss))
    assert res.status_code == 204
    assert leaver.get(f"{HUB}/me").status_code == 401  # the old session stays dead
    assert _login(env, "leaver").status_code == 200
    # one's own account: refused (no lock-out by mistake)
    me = env.ids["boss"]
    res = boss.put(f"{ORG}/{me}/active", json={"active": False}, headers=csrf(boss))
    assert res.status_code == 400
    assert boss.get(f"{HUB}/me").status_code == 200
    assert boss.put(f"{ORG}/{uid}/active", json={}, headers=csrf(boss)).status_code == 422


def test_passwords_are_never_echoed_nor_logged(env, caplog):
    boss = env.clients["boss"]
    secret = "Sekrit-pass-" + env.backend
    caplog.set_level(logging.DEBUG)
    bad = [
        _new("pw-echo", password=secret[:5]),  # too short: 422
        _new("pw-echo", clearance=3, password=secret),  # escalation: 403
        _new("bob", password=secret),  # name taken: 400
        _new("pw-echo\x00", password=secret),  # NUL: 422
    ]
    for body in bad:
        res = boss.post(ORG, json=body, headers=csrf(boss))
        assert res.status_code in (400, 403, 422), res.text
        assert secret[:5] not in res.text
    res = boss.post(ORG, json=_new("pw-echo", password=secret), headers=csrf(boss))
    assert res.status_code == 201 and secret not in res.text
    assert secret[:5] not in caplog.text
    assert secret not in boss.get(ORG).text
