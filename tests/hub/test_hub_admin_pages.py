"""The organisation admin's page (``/hub/admin``) through TestClient: only admins see the tab and
the page (403 for other roles, the login page for anonymous visitors), the table is their own
organisation's users, every form needs the CSRF token, field errors sit next to their fields in
the user's language, the password is never sent back, a disabled user's session dies."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.hub.test_hub_pages import PW, csrf, login, seed

from fukugan.server import create_app
from fukugan.services.hub import Hub

NEW_PW = "another long password"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The hub pages' world plus ada (Acme's admin, clearance 1) and otto (Other's admin)."""
    home = tmp_path_factory.mktemp("hub-admin-pages")
    ids = seed(home)
    hub = Hub(home)
    ids["ada"] = hub.create_user("ada", ids["acme"], "admin", 1, PW)
    ids["otto"] = hub.create_user("otto", ids["other"], "admin", 3, PW)
    hub.dispose()
    with TestClient(create_app(home)) as client:
        yield client, ids


def _rows(html: str) -> dict[str, str]:
    """User name -> data-active of the users table's rows."""
    return dict(re.findall(r'data-user="([^"]+)" data-active="(true|false)"', html))


def _add(client: TestClient, token: str | None, **fields: str):
    data = {"username": "", "role": "reader", "clearance": "0", "password": NEW_PW, **fields}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/hub/admin/users", data=data, follow_redirects=False)


def _toggle(client: TestClient, token: str | None, user_id: int, active: bool):
    data = {"active": "true" if active else "false"}
    if token is not None:
        data["csrf_token"] = token
    return client.post(f"/hub/admin/users/{user_id}/active", data=data, follow_redirects=False)


@pytest.mark.slow
def test_admin_sees_the_tab_and_own_organisation_only(world):
    client, ids = world
    login(client, "ada")
    feed = client.get("/hub?lang=en").text
    assert 'data-hub-tab="admin"' in feed and 'href="/hub/admin"' in feed
    r = client.get("/hub/admin?lang=en")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, no-store"
    assert _rows(r.text) == {"alice": "true", "bob": "true", "ada": "true"}  # Acme only
    assert "olga" not in r.text and "otto" not in r.text and "mina" not in r.text
    assert "Users of your organisation" in r.text and "analyst" in r.text
    # the password field, and clearance options only up to ada's own (1)
    assert re.search(
        r'<input id="new-password" name="password" type="password" '
        r'autocomplete="new-password"',
        r.text,
    )
    select = re.search(r'<select id="new-clearance".*?</select>', r.text, re.S).group(0)
    assert re.findall(r'value="(\d)"', select) == ["0", "1"]
    # no disable button on ada's own row, one on the others'
    assert 'data-disable="alice"' in r.text and 'data-disable="ada"' not in r.text
    assert f'action="/hub/admin/users/{ids["alice"]}/active"' in r.text


@pytest.mark.slow
@pytest.mark.parametrize("who", ["alice", "bob", "mina"])
def test_other_roles_get_403_and_no_tab(world, who):
    client, ids = world
    login(client, who)
    assert 'data-hub-tab="admin"' not in client.get("/hub").text
    r = client.get("/hub/admin")
    assert r.status_code == 403 and 'id="hub-error"' in r.text
    token = csrf(client)
    assert _add(client, token, username=f"by-{who}").status_code == 403
    assert _toggle(client, token, ids["bob"], False).status_code == 403
    login(client, "ada")
    assert f"by-{who}" not in _rows(client.get("/hub/admin").text)
    assert _rows(client.get("/hub/admin").text)["bob"] == "true"


def test_anonymous_is_sent_to_login(world):
    client, ids = world
    client.cookies.clear()
    r = client.get("/hub/admin", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/hub/login?next=")
    assert 'data-hub-tab="admin"' not in client.get("/hub").text
    r = _add(client, None, username="anon-made")
    assert r.status_code == 303 and r.headers["location"].startswith("/hub/login")


@pytest.mark.slow
def test_forms_need_the_csrf_token_and_change_nothing(world):
    client, ids = world
    login(client, "ada")
    before = _rows(client.get("/hub/admin").text)
    login(client, "otto")
    others = csrf(client)  # a real token of another session
    login(client, "ada")
    for token in (None, "", "guess", others):
        r = _add(client, token, username="forged")
        assert r.status_code == 403 and "security token" in r.text
        assert _toggle(client, token, ids["bob"], False).status_code == 403
    assert _rows(client.get("/hub/admin").text) == before


@pytest.mark.slow
def test_add_user_then_they_log_in_and_disable_ends_their_session(world):
    client, ids = world
    login(client, "ada")
    r = _add(
        client, csrf(client, "/hub/admin"), username="newbie", role="contributor", clearance="1"
    )
    assert r.status_code == 303, r.text
    new_id = int(re.search(r"added=(\d+)", r.headers["location"]).group(1))
    page = client.get(r.headers["location"]).text
    assert "User newbie added" in page and _rows(page)["newbie"] == "true"
    assert NEW_PW not in page

    other = TestClient(client.app)
    r = other.post(
        "/hub/login", data={"username": "newbie", "password": NEW_PW}, follow_redirects=False
    )
    assert r.status_code == 303
    assert "newbie" in other.get("/hub").text  # the header shows the session
    assert 'data-hub-tab="publish"' in other.get("/hub").text  # a contributor publishes

    r = _toggle(client, csrf(client, "/hub/admin"), new_id, False)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert _rows(page)["newbie"] == "false" and "newbie is disabled" in page
    assert 'data-enable="newbie"' in page
    assert other.get("/hub/alerts", follow_redirects=False).status_code == 303  # to login
    r = other.post(
        "/hub/login", data={"username": "newbie", "password": NEW_PW}, follow_redirects=False
    )
    assert r.status_code == 401
    r = _toggle(client, csrf(client, "/hub/admin"), new_id, True)
    assert r.status_code == 303
    assert "newbie is enabled again" in client.get(r.headers["location"]).text


def test_field_errors_next_to_fields_password_never_sent_back(world):
    client, ids = world
    login(client, "ada")
    token = csrf(client, "/hub/admin")
    r = _add(client, token, username="", role="root", clearance="2", password="short!")
    assert r.status_code == 422
    for field, text in [
        ("username", "Enter a user name."),
        ("role", "Choose one of the roles."),
        ("clearance", "You cannot grant a clearance above your own."),
        ("password", "The password needs at least 8 characters."),
    ]:
        m = re.search(
            rf'<div class="field has-error">.*?id="err-{field}"[^>]*>([^<]+)</div>', r.text, re.S
        )
        assert m and m.group(1) == text, field
    assert "short!" not in r.text
    # kept: what was typed, except the password
    r = _add(client, token, username="alice", role="analyst", clearance="1", password="x" * 12)
    assert r.status_code == 422
    assert 'id="err-username"' in r.text and "already taken" in r.text
    assert 'value="alice"' in r.text and "x" * 12 not in r.text
    assert re.search(r'<option value="analyst" selected>', r.text)
    r = _add(client, token, username="toolong" * 20)
    assert r.status_code == 422 and "at most 120 characters" in r.text


def test_another_organisations_user_is_404_and_own_account_refused(world):
    client, ids = world
    login(client, "ada")
    token = csrf(client, "/hub/admin")
    other = _toggle(client, token, ids["olga"], False)
    missing = _toggle(client, token, 987654321, False)
    assert other.status_code == missing.status_code == 404
    assert "olga" not in other.text
    for bad in ("abc", "-1", "99999999999999"):
        r = client.post(
            f"/hub/admin/users/{bad}/active", data={"active": "false", "csrf_token": token}
        )
        assert r.status_code == 404
    r = _toggle(client, token, ids["ada"], False)
    assert r.status_code == 400 and "your own account" in r.text
    login(client, "otto")
    assert _rows(client.get("/hub/admin").text)["olga"] == "true"


def test_japanese_labels_and_errors(world):
    client, ids = world
    login(client, "ada")
    client.get("/hub?lang=ja")
    r = client.get("/hub/admin")
    assert r.status_code == 200
    assert '<a href="/hub/admin" class="active" data-hub-tab="admin">管理</a>' in r.text
    assert "組織のユーザー管理" in r.text and "初期パスワード" in r.text
    assert "アナリスト" in r.text and "無効にする" in r.text and "有効" in r.text
    r = _add(client, csrf(client, "/hub/admin"), username="", password="short")
    assert "ユーザー名を入力してください。" in r.text
    assert "パスワードは8文字以上にしてください。" in r.text
    client.get("/hub?lang=en")
