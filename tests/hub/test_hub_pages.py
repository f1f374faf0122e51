"""Hub pages through FastAPI's TestClient (no browser): status codes, what each user's HTML
contains and never contains, CSRF on every form, login errors in the user's language."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from fukugan.server import create_app
from fukugan.services.hub import Hub

PW = "correct horse battery staple"


def seed(home) -> dict[str, int]:
    """Organisations, users, a sharing group and one item at each TLP level."""
    hub = Hub(home)
    ids: dict[str, int] = {}
    meti = hub.create_org("METI", "ministry")
    acme = hub.create_org("Acme Electronics", "company")
    other = hub.create_org("Other Motors", "company")
    wg = hub.create_group("Gallium WG", [meti, acme])
    ids.update(meti=meti, acme=acme, other=other, wg=wg)
    ids["alice"] = hub.create_user("alice", acme, "analyst", 1, PW)
    ids["bob"] = hub.create_user("bob", acme, "reader", 0, PW)
    ids["olga"] = hub.create_user("olga", other, "analyst", 2, PW)
    ids["mina"] = hub.create_user("mina", meti, "analyst", 3, PW)
    olga = hub.user(ids["olga"])
    mina = hub.user(ids["mina"])
    pub = hub.publish
    ids["clear"] = pub(
        mina,
        type="export_control",
        title="PUBLIC gallium notice",
        tlp="CLEAR",
        links={"country": ["CHN"], "commodity": ["gallium"], "hs": ["811292"]},
    )
    ids["green"] = pub(
        olga,
        type="market_signal",
        title="COMMUNITY germanium prices",
        tlp="GREEN",
        links={"commodity": ["germanium"]},
    )
    ids["amber"] = pub(
        mina,
        type="geopolitical_assessment",
        title="WG gallium assessment",
        tlp="AMBER",
        group_ids=[wg],
        links={"country": ["CHN"]},
    )
    ids["strict"] = pub(
        olga,
        type="supplier_incident",
        title="OTHER ORG strict incident",
        tlp="AMBER+STRICT",
        links={"firm": ["X Ltd"]},
    )
    ids["red"] = pub(olga, type="sanction", title="RED for olga only", tlp="RED")
    ids["cleared"] = pub(
        mina,
        type="export_control",
        title="NEEDS clearance 3",
        tlp="AMBER",
        group_ids=[wg],
        required_clearance=3,
    )
    hub.dispose()
    return ids


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    home = tmp_path_factory.mktemp("hub-pages")
    ids = seed(home)
    with TestClient(create_app(home)) as client:
        yield client, ids, home


def login(client: TestClient, name: str) -> TestClient:
    client.cookies.clear()
    r = client.post("/hub/login", data={"username": name, "password": PW}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert "fukugan_session" in client.cookies
    return client


def csrf(client: TestClient, path: str = "/hub") -> str:
    html = client.get(path).text
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


TITLES = {
    "clear": "PUBLIC gallium notice",
    "green": "COMMUNITY germanium prices",
    "amber": "WG gallium assessment",
    "strict": "OTHER ORG strict incident",
    "red": "RED for olga only",
    "cleared": "NEEDS clearance 3",
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("who", "visible"),
    [
        (None, {"clear"}),
        ("bob", {"clear", "green", "amber"}),
        ("alice", {"clear", "green", "amber"}),
        ("olga", {"clear", "green", "strict", "red"}),
        ("mina", {"clear", "green", "amber", "cleared"}),
    ],
)
def test_feed_shows_exactly_what_the_policy_allows(world, who, visible):
    client, ids, _ = world
    client.cookies.clear()
    if who:
        login(client, who)
    html = client.get("/hub").text
    for key, title in TITLES.items():
        assert (title in html) == (key in visible), (who, key)
    for key in TITLES:
        r = client.get(f"/hub/items/{ids[key]}")
        assert r.status_code == (200 if key in visible else 404), (who, key)
        assert (TITLES[key] in r.text) == (key in visible)
    # search and filters never widen it
    html = client.get("/hub?q=o").text
    assert {k for k, t in TITLES.items() if t in html} <= visible


def test_denied_item_is_the_same_page_as_a_missing_one(world):
    client, ids, _ = world
    login(client, "alice")
    denied = client.get(f"/hub/items/{ids['strict']}")
    missing = client.get("/hub/items/999999")
    assert denied.status_code == missing.status_code == 404
    norm = lambda r, i: r.text.replace(f"/hub/items/{i}", "/hub/items/ID")  # noqa: E731 - the URL in the lang links
    assert norm(denied, ids["strict"]) == norm(missing, 999999)
    assert client.get("/hub/items/abc").status_code == 404


def test_item_page_shows_markings_top_and_bottom_and_links(world):
    client, ids, _ = world
    login(client, "alice")
    html = client.get(f"/hub/items/{ids['amber']}").text
    assert 'id="markings-top"' in html and 'id="markings-bottom"' in html
    assert html.count('data-tlp="AMBER"') >= 2
    assert "Gallium WG" in html
    html = client.get(f"/hub/items/{ids['clear']}?lang=ja").text
    assert "標識" in html and "共有グループ" in html and "出典" in html


def test_feed_filters(world):
    client, ids, _ = world
    login(client, "mina")
    html = client.get("/hub?country=CHN").text
    assert TITLES["clear"] in html and TITLES["amber"] in html
    assert TITLES["green"] not in html
    html = client.get("/hub?hs=8112").text
    assert TITLES["clear"] in html and TITLES["amber"] not in html
    html = client.get("/hub?type=market_signal").text
    assert TITLES["green"] in html and TITLES["clear"] not in html
    html = client.get("/hub?commodity=germanium&q=prices").text
    assert TITLES["green"] in html and TITLES["clear"] not in html


@pytest.mark.slow
def test_login_errors_in_the_users_language(world):
    client, _, _ = world
    client.cookies.clear()
    r = client.post("/hub/login?lang=ja", data={"username": "alice", "password": "nope"})
    assert r.status_code == 401
    assert "ユーザー名またはパスワードが正しくありません" in r.text
    assert "fukugan_session" not in client.cookies
    r = client.post(
        "/hub/login", data={"username": "alice", "password": "nope"}, cookies={"lang": "en"}
    )
    assert "Wrong user name or password" in r.text


@pytest.mark.slow
def test_login_is_locked_after_repeated_failures(tmp_path):
    seed(tmp_path)
    app = create_app(tmp_path)
    app.state.hub = Hub(tmp_path, max_failures=3)
    with TestClient(app) as client:
        for _ in range(3):
            r = client.post("/hub/login", data={"username": "bob", "password": "x"})
            assert r.status_code == 401
        r = client.post("/hub/login?lang=ja", data={"username": "bob", "password": PW})
        assert r.status_code == 429
        assert "ロック" in r.text
        assert "fukugan_session" not in client.cookies


@pytest.mark.slow
def test_login_rejects_another_origin_and_open_redirects(world):
    client, _, _ = world
    client.cookies.clear()
    r = client.post(
        "/hub/login",
        data={"username": "alice", "password": PW},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert r.status_code == 403 and "fukugan_session" not in client.cookies
    r = client.post(
        "/hub/login",
        data={"username": "alice", "password": PW, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/hub"
    for bad in ("/\t/evil.example", "/\\evil.example", "https://evil.example/"):
        client.cookies.clear()
        r = client.post(
            "/hub/login",
            data={"username": "alice", "password": PW, "next": bad},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/hub", bad
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_publish_needs_the_csrf_token(world):
    client, ids, _ = world
    login(client, "alice")
    form = {
        "type": "supplier_incident",
        "title": "FORGED item",
        "tlp": "CLEAR",
        "confidence": "0.5",
        "clearance": "0",
    }
    r = client.post("/hub/publish", data=form)
    assert r.status_code == 403
    r = client.post("/hub/publish", data={**form, "csrf_token": "wrong"})
    assert r.status_code == 403
    assert "FORGED item" not in client.get("/hub").text
    # and anonymous: to the login page, nothing published
    client.cookies.clear()
    r = client.post("/hub/publish", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/hub/login")
    login(client, "mina")
    assert "FORGED item" not in client.get("/hub").text


def test_publish_form_validation_errors_next_to_fields(world):
    client, ids, _ = world
    login(client, "alice")
    token = csrf(client, "/hub/publish")
    r = client.post(
        "/hub/publish",
        data={
            "csrf_token": token,
            "type": "supplier_incident",
            "title": "",
            "tlp": "AMBER",
            "confidence": "7",
            "clearance": "3",
            "link_country": "XXX",
            "recipients": str(ids["bob"]),
        },
    )
    assert r.status_code == 422
    for field in ("title", "confidence", "clearance", "link_country", "recipients"):
        assert f'id="err-{field}"' in r.text, field
    # the form keeps what was typed, and nothing was published
    assert 'value="XXX"' in r.text


@pytest.mark.slow
def test_publish_then_alert_then_read(world):
    client, ids, home = world
    hub = Hub(home)
    netfile = home / "acme.csv"
    netfile.write_text(
        "tier,supplier,supplier_country,product_hs,customer,value\n"
        "1,Y Corp,JPN,8112,Acme,10\n2,X Ltd,CHN,811292,Y Corp,5\n",
        encoding="utf-8",
    )
    hub.upload_network(hub.user(ids["alice"]), netfile, own_firm="Acme")
    hub.dispose()
    login(client, "mina")
    token = csrf(client, "/hub/publish")
    r = client.post(
        "/hub/publish",
        data={
            "csrf_token": token,
            "type": "export_control",
            "title": "New gallium licence rule",
            "tlp": "AMBER",
            "groups": str(ids["wg"]),
            "confidence": "0.8",
            "clearance": "0",
            "link_country": "CHN",
            "link_hs": "811292",
            "valid_from": "2026-12-01",
            "valid_to": "2027-05-31",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    item_url = r.headers["location"]
    assert "New gallium licence rule" in client.get(item_url).text
    login(client, "alice")
    html = client.get("/hub/alerts").text
    assert "New gallium licence rule" in html and "tier-2 supplier X Ltd" in html
    # the unread count in the header of every page (her unread alerts), in both languages
    n = html.count('data-read="false"')
    assert n >= 1
    for page in ("/", "/hub/alerts", "/plans?lang=ja"):
        head = client.get(page).text
        assert f'id="nav-alerts" data-unread="{n}"' in head and 'class="badge"' in head, page
    assert f'aria-label="未読{n}件"' in client.get("/?lang=ja").text
    assert "2次サプライヤー" in client.get("/hub/alerts?lang=ja").text
    alert_id = int(re.search(r'data-mark-read="(\d+)"', html).group(1))
    r = client.post(f"/hub/alerts/{alert_id}/read", data={}, follow_redirects=False)
    assert r.status_code == 403  # no token
    r = client.post(
        f"/hub/alerts/{alert_id}/read", data={"csrf_token": csrf(client)}, follow_redirects=False
    )
    assert r.status_code == 303
    assert f'data-mark-read="{alert_id}"' not in client.get("/hub/alerts").text
    assert f'id="nav-alerts" data-unread="{n - 1}"' in client.get("/").text
    # one click: the alert's scenario queued as alice's private run, then its page
    r = client.post(f"/hub/alerts/{alert_id}/run", data={}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post(
        f"/hub/alerts/{alert_id}/run", data={"csrf_token": csrf(client)}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/runs/"), r.text
    # olga's organisation has no network: no alert; and she cannot mark alice's alert
    login(client, "olga")
    assert "New gallium licence rule" not in client.get("/hub/alerts").text
    r = client.post(f"/hub/alerts/{alert_id}/read", data={"csrf_token": csrf(client)})
    assert r.status_code == 404
    r = client.post(f"/hub/alerts/{alert_id}/run", data={"csrf_token": csrf(client)})
    assert r.status_code == 404


def test_network_page_is_own_org_only_and_upload_errors_name_row_and_field(world):
    client, ids, home = world
    login(client, "olga")
    assert "X Ltd" not in client.get("/hub/network").text  # alice's network, not olga's
    token = csrf(client, "/hub/network")
    bad = b"tier,supplier,supplier_country,product_hs,customer\n1,Z,XXX,8112,Other\n"
    r = client.post(
        "/hub/network",
        data={"csrf_token": token},
        files={"file": ("other-net.csv", bad, "text/csv")},
    )
    assert r.status_code == 422
    assert "other-net.csv: row 2, field &#39;supplier_country&#39;" in r.text
    assert "/tmp" not in r.text and "fukugan-net-" not in r.text  # no server paths
    good = b"tier,supplier,supplier_country,product_hs,customer\n1,Z Co,KOR,8112,Other\n"
    r = client.post(
        "/hub/network",
        data={"csrf_token": token},
        files={"file": ("net.csv", good, "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    html = client.get(r.headers["location"]).text
    assert "Z Co" in html and "X Ltd" not in html


def test_consortium_page_shows_suppression_and_guarantee(world):
    client, _, _ = world
    login(client, "alice")
    r = client.get("/hub/consortium")
    assert r.status_code == 200
    assert "suppressed (k &lt; 5)" in r.text  # one or two members: every cell suppressed
    assert "Limits of the guarantee" in r.text
    r = client.get("/hub/consortium?view=supplier&lang=ja")
    assert "秘匿（k &lt; 5）" in r.text and "保証の限界" in r.text
    # a member's supplier names never appear in a suppressed table
    assert "x ltd" not in r.text.lower()
    client.cookies.clear()
    assert client.get("/hub/consortium", follow_redirects=False).status_code == 303


def test_stix_export_is_filtered_and_import_needs_token(world):
    client, ids, _ = world
    client.cookies.clear()
    r = client.get("/hub/stix/export")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert TITLES["clear"] in r.text and TITLES["amber"] not in r.text
    login(client, "mina")
    bundle = client.get("/hub/stix/export?type=market_signal").text
    assert TITLES["green"] in bundle and TITLES["clear"] not in bundle
    r = client.post("/hub/stix", files={"file": ("b.json", bundle.encode(), "application/json")})
    assert r.status_code == 403
    r = client.post(
        "/hub/stix",
        data={"csrf_token": csrf(client, "/hub/stix")},
        files={"file": ("bad.json", b"{not json", "application/json")},
    )
    assert r.status_code == 422 and "bad.json" in r.text
    # a good bundle: published as mina's organisation, all items at once, shown in the feed
    r = client.post(
        "/hub/stix",
        data={"csrf_token": csrf(client, "/hub/stix")},
        files={"file": ("germanium.json", bundle.encode(), "application/json")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/hub?imported=1"
    html = client.get(r.headers["location"]).text
    assert 'id="imported-ok"' in html
    assert html.count(TITLES["green"]) == 2  # the original and the imported copy


def test_readers_cannot_publish_and_header_shows_logout(world):
    client, _, _ = world
    login(client, "bob")
    assert client.get("/hub/publish").status_code == 403
    html = client.get("/hub").text
    assert 'id="logout-btn"' in html and 'data-nav="hub"' in html
    token = csrf(client)
    r = client.post("/hub/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert 'id="login-link"' in client.get("/hub").text
    assert client.get("/hub/alerts", follow_redirects=False).status_code == 303


def test_expired_session_cookie_is_anonymous(world):
    client, ids, _ = world
    client.cookies.clear()
    client.cookies.set("fukugan_session", "forged-token")
    html = client.get("/hub").text
    assert TITLES["clear"] in html and TITLES["green"] not in html
    assert 'id="login-link"' in html


def test_japanese_pages(world):
    client, _, _ = world
    login(client, "alice")
    for path, words in [
        ("/hub?lang=ja", ["インテリジェンス・フィード", "ハブ", "ログアウト"]),
        ("/hub/publish?lang=ja", ["情報を投稿", "共有グループ", "必要なクリアランス"]),
        ("/hub/alerts?lang=ja", ["影響アラート"]),
        ("/hub/network?lang=ja", ["自組織のサプライネットワーク"]),
        ("/hub/consortium?lang=ja", ["コンソーシアム分析", "保護の内容"]),
    ]:
        html = client.get(path).text
        for w in words:
            assert w in html, (path, w)
