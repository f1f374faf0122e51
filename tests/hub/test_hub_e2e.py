"""End-to-end: the intelligence-sharing hub's pages as its users see them, in Debian's headless
chromium (Playwright) against the real ``fukugan serve``.

The workspace is seeded before the server starts (organisations, users with passwords, a sharing
group, one item at each TLP level, members' networks — one touching the items so alerts exist —
and five SMEs sharing a supplier so the consortium table releases a cell). Screenshots go to
``build/test-artifacts/e2e/`` (or ``$FUKUGAN_TEST_ARTIFACTS/e2e``), names starting ``hub-``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.hub.test_hub_pages import PW, TITLES, seed

from fukugan.hub.passwords import hash_password
from fukugan.services.hub import Hub

_DIRS: dict[str, Path] = {}
SME_COUNTRIES = ("KOR", "VNM", "DEU", "USA", "AUS")


def seed_world(home: Path) -> dict[str, int]:
    ids = seed(home)  # METI, Acme, Other; alice/bob (Acme), olga (Other), mina (METI); 6 items
    hub = Hub(home)
    net = home / "acme-network.csv"
    net.write_text(
        "tier,supplier,supplier_country,product_hs,customer,value\n"
        "1,Y Corp,JPN,8112,Acme,40\n2,X Ltd,CHN,811292,Y Corp,25\n",
        encoding="utf-8",
    )
    hub.upload_network(hub.user(ids["alice"]), net, own_firm="Acme")  # alerts for CHN items
    pw = hash_password(PW)
    for i in range(1, 6):
        org = hub.create_org(f"SME {i}", "sme")
        uid = hub.create_user(f"sme{i}", org, "contributor", 0, password_hash=pw)
        rows = [
            f"1,Shared Refiner,CHN,811292,SME {i},{20 + i}",
            f"1,Korea Chem,KOR,2805,SME {i},{10 + i}",
        ]
        if i <= 2:  # two members only: a cell below k in a row and column that are released
            rows.append(f"1,Korea Chem,KOR,811292,SME {i},3")
        if i == 3:
            rows.append("1,Shared Refiner,CHN,2805,SME 3,2")
        if i >= 4:  # one member only: never named on the consortium page
            rows.append(f"1,Local Supplier {i},{SME_COUNTRIES[i - 1]},811292,SME {i},5")
        f = home / f"sme{i}.csv"
        f.write_text(
            "tier,supplier,supplier_country,product_hs,customer,value\n" + "\n".join(rows) + "\n",
            encoding="utf-8",
        )
        hub.upload_network(hub.user(uid), f)
    ids["ada"] = hub.create_user("ada", ids["acme"], "admin", 1, password_hash=pw)  # Acme's admin
    hub.dispose()
    return ids


@pytest.fixture(scope="module")
def world(tmp_path_factory, e2e):
    e2e.ensure_chromium()
    _DIRS["shots"] = e2e.artifacts()
    home = tmp_path_factory.mktemp("hub-e2e-home")
    ids = seed_world(home)
    proc, base = e2e.serve(home)
    yield base, ids
    e2e.stop(proc)


@pytest.fixture(scope="module")
def browser(world, e2e):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = e2e.launch(p)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, world):
    """``new_page()``: a page in a fresh browser context (its own cookies = its own user)."""
    base = world[0]
    contexts, errors = [], []

    def make():
        ctx = browser.new_context(
            base_url=base, viewport={"width": 1400, "height": 900}, accept_downloads=True
        )
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and "responded with a status of 4" not in m.text
                else None
            ),
        )

        def outside(r) -> None:
            if not r.url.startswith(base):
                errors.append(f"external: {r.url}")

        pg.on("request", outside)
        return pg

    yield make
    for ctx in contexts:
        ctx.close()
    assert not errors, f"browser errors: {errors}"


def shot(pg, name: str) -> None:
    pg.screenshot(path=str(_DIRS["shots"] / f"hub-{name}.png"), full_page=True)


def login(pg, name: str, *, lang: str = "en") -> None:
    pg.goto(f"/hub/login?lang={lang}")
    pg.fill("#username", name)
    pg.fill("#password", PW)
    pg.click("#login-form button[type=submit]")
    pg.wait_for_selector("#logout-btn")


def feed_titles(pg) -> set[str]:
    return {t.strip() for t in pg.locator(".feed-item h3").all_inner_texts()}


def test_anonymous_sees_only_clear_items(new_page, world):
    pg = new_page()
    pg.goto("/hub?lang=en")
    assert feed_titles(pg) == {TITLES["clear"]}
    assert set(pg.locator(".feed-item").evaluate_all("els => els.map(e => e.dataset.tlp)")) == {
        "CLEAR"
    }
    assert pg.locator("#login-link").is_visible()
    # the TLP:CLEAR badge: white text on a black label
    badge = pg.locator(".feed-item .tlp").first
    colours = badge.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    )
    assert colours == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]
    shot(pg, "01-feed-anonymous")
    # an AMBER item by URL: the same 404 page as a missing one
    r = pg.goto(f"/hub/items/{world[1]['amber']}")
    assert r.status == 404 and pg.locator("#hub-error[data-status='404']").is_visible()
    # STIX export: a download of the items anonymous users may read
    pg.goto("/hub")
    with pg.expect_download() as dl:
        pg.click("#stix-export")
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert '"type": "bundle"' in text and TITLES["clear"] in text
    assert TITLES["amber"] not in text and TITLES["green"] not in text


def test_analyst_logs_in_sees_own_amber_not_others_strict(new_page, world):
    ids = world[1]
    pg = new_page()
    pg.goto("/hub/login?lang=en")
    pg.fill("#username", "alice")
    pg.fill("#password", "not the password")
    pg.click("#login-form button[type=submit]")
    assert "Wrong user name or password" in pg.locator("#login-error").inner_text()
    shot(pg, "02-login-error")
    login(pg, "alice")
    pg.goto("/hub")
    titles = feed_titles(pg)
    assert TITLES["amber"] in titles and TITLES["green"] in titles
    assert TITLES["strict"] not in titles and TITLES["red"] not in titles
    assert TITLES["cleared"] not in titles  # needs clearance 3; alice has 1
    amber = pg.locator(f".feed-item[data-item='{ids['amber']}'] .tlp")
    assert amber.evaluate("e => getComputedStyle(e).color") == "rgb(255, 192, 0)"  # #FFC000
    shot(pg, "03-feed-alice")
    # filters (htmx swaps the list in place and pushes the URL)
    pg.fill("#feed-filters input[name=country]", "CHN")
    pg.click("#feed-filters button[type=submit]")
    pg.wait_for_url("**country=CHN*")
    pg.wait_for_function("document.querySelectorAll('.feed-item').length === 2")
    assert feed_titles(pg) == {TITLES["amber"], TITLES["clear"]}

    r = pg.goto(f"/hub/items/{ids['strict']}")
    assert r.status == 404
    assert TITLES["strict"] not in pg.content()
    missing = pg.goto("/hub/items/987654")
    assert missing.status == 404

    pg.goto(f"/hub/items/{ids['amber']}")
    for where in ("top", "bottom"):
        box = pg.locator(f"#markings-{where}")
        assert box.locator(".tlp").inner_text() == "TLP:AMBER"
        assert "Gallium WG" in box.inner_text()
    shot(pg, "04-item-amber")
    pg.goto(f"/hub/items/{ids['clear']}")
    link = pg.locator(".item-links[data-kind='commodity'] a")
    assert link.get_attribute("href") == "/commodities/gallium"
    # log out from the header (a POST with the CSRF token)
    pg.click("#logout-btn")
    pg.wait_for_selector("#login-link")
    assert feed_titles(pg) == {TITLES["clear"]}


def test_publish_reaches_feed_and_alerts_member_who_reads_and_runs(new_page, world):
    ids = world[1]
    title = "Gallium licence rule tightened (e2e)"
    mina = new_page()
    login(mina, "mina")
    mina.goto("/hub/publish")
    mina.fill("#f-title", "")
    mina.fill("#f-confidence", "2")
    mina.click("#publish-submit")
    assert mina.locator("#err-title").is_visible() and mina.locator("#err-confidence").is_visible()
    shot(mina, "05-publish-errors")
    mina.select_option("#f-type", "export_control")
    mina.fill("#f-title", title)
    mina.fill("#f-body", "Exports of gallium now need a licence per shipment.")
    mina.fill("#f-source", "MOFCOM announcement")
    mina.fill("#f-confidence", "0.8")
    mina.check("input[name=tlp][value=AMBER]")
    mina.check(f"input[name=groups][value='{ids['wg']}']")
    mina.fill("#f-link-country", "CHN")
    mina.fill("#f-link-hs", "811292")
    mina.fill("#f-link-commodity", "gallium")
    shot(mina, "06-publish-form")
    mina.click("#publish-submit")
    mina.wait_for_selector("#published-ok")
    assert mina.locator("#item-title").inner_text() == title
    mina.goto("/hub")
    assert title in feed_titles(mina)

    alice = new_page()
    login(alice, "alice")
    alice.goto("/hub/alerts")
    card = alice.locator(".alert", has_text=title)
    assert card.get_attribute("data-read") == "false"
    path = card.locator(".alert-path").inner_text()
    assert "tier-2 supplier X Ltd (CHN)" in path
    shot(alice, "07-alerts-en")
    card.locator("[data-mark-read]").click()
    alice.wait_for_url("**/hub/alerts*")
    card = alice.locator(".alert", has_text=title)
    assert card.get_attribute("data-read") == "true"
    states = alice.locator(".alert").evaluate_all("els => els.map(e => e.dataset.read)")
    assert states == sorted(states)  # "false" before "true"
    alice.goto("/hub/alerts?lang=ja")
    card = alice.locator(".alert", has_text=title)
    assert "2次サプライヤー" in card.locator(".alert-path").inner_text()
    card.locator("[data-run-alert]").click()
    alice.wait_for_url(re.compile(r".*/runs/[A-Za-z0-9_.-]+$"))
    assert alice.locator("#run-title").is_visible()
    status = alice.locator("[data-status]").first.get_attribute("data-status")
    assert status in ("queued", "running", "done"), status
    shot(alice, "08-run-from-alert")


def test_forged_post_without_csrf_token_is_refused(new_page, world):
    pg = new_page()
    login(pg, "alice")
    form = {"type": "sanction", "title": "FORGED by script", "tlp": "CLEAR", "clearance": "0"}
    r = pg.request.post("/hub/publish", form=form, max_redirects=0)
    assert r.status == 403
    r = pg.request.post("/hub/publish", form={**form, "csrf_token": "guess"}, max_redirects=0)
    assert r.status == 403
    # a script on the page posting without the token fares no better
    status = pg.evaluate(
        """async () => (await fetch('/hub/publish', {method: 'POST',
             body: new URLSearchParams({type: 'sanction', title: 'FORGED by script', tlp: 'CLEAR'})
           })).status"""
    )
    assert status == 403
    pg.goto("/hub")
    assert "FORGED by script" not in pg.content()
    mina = new_page()
    login(mina, "mina")
    mina.goto("/hub?q=FORGED")
    assert mina.locator(".feed-item").count() == 0


def test_network_upload_and_consortium(new_page, world):
    pg = new_page()
    login(pg, "alice")
    pg.goto("/hub/network")
    assert pg.locator("#network-table tbody tr").count() == 2
    pg.set_input_files(
        "#network-form input[type=file]",
        files=[
            {
                "name": "acme-broken.csv",
                "mimeType": "text/csv",
                "buffer": b"tier,supplier,supplier_country,product_hs,customer\n1,Q,ZZZ,8112,Acme\n",
            }
        ],
    )
    pg.click("#network-form button[type=submit]")
    err = pg.locator("#network-error").inner_text()
    assert "acme-broken.csv" in err and "supplier_country" in err
    assert pg.locator("#network-table tbody tr").count() == 2  # all or nothing
    shot(pg, "09-network-error")

    pg.goto("/hub/consortium")
    table = pg.locator("#protected-table table")
    released = table.locator("td.released")
    assert released.count() >= 1
    assert "6" in released.first.inner_text()  # 6 members buy 811292 from CHN
    assert table.locator("td.suppressed").count() >= 1
    assert "suppressed (k < 5)" in table.inner_text()
    assert "Local Supplier" not in pg.content()
    assert "Limits of the guarantee" in pg.locator("#guarantee").inner_text()
    shot(pg, "10-consortium-en")
    pg.click("[data-view=supplier]")
    pg.wait_for_url("**view=supplier*")
    assert "local supplier" not in pg.content().lower()  # single-member suppliers: no label
    assert "shared refiner" in pg.locator("#protected-table").inner_text().lower()


def test_japanese_pages(new_page, world):
    pg = new_page()
    login(pg, "alice", lang="ja")
    pg.goto("/hub?lang=ja")
    assert pg.locator("a[data-nav=hub]").inner_text() == "ハブ"
    assert pg.locator("h1").inner_text() == "インテリジェンス・フィード"
    assert pg.locator("#logout-btn").inner_text() == "ログアウト"
    assert "TLP:AMBER" in pg.locator(".feed").inner_text()
    shot(pg, "11-feed-ja")
    pg.goto(f"/hub/items/{world[1]['amber']}")
    assert "共有グループ" in pg.locator("#markings-top").inner_text()
    assert "限定開示" in pg.locator("#markings-top").inner_text()
    shot(pg, "12-item-ja")
    pg.goto("/hub/consortium")
    assert "保証の限界" in pg.locator("#guarantee").inner_text()
    assert "秘匿（k < 5）" in pg.locator("#protected-table").inner_text()
    shot(pg, "13-consortium-ja")
    pg.goto("/hub/publish")
    assert "情報を投稿" in pg.locator("h1").inner_text()
    pg.goto("/hub/alerts")
    assert pg.locator("h1").inner_text() == "影響アラート"
    shot(pg, "14-alerts-ja")
    # the login error in Japanese
    other = new_page()
    other.goto("/hub/login?lang=ja")
    other.fill("#username", "nobody")
    other.fill("#password", "wrong")
    other.click("#login-form button[type=submit]")
    assert (
        "ユーザー名またはパスワードが正しくありません" in other.locator("#login-error").inner_text()
    )


def test_org_admin_adds_a_user_who_then_logs_in(new_page, world):
    ada = new_page()
    login(ada, "ada")
    ada.click("a[data-hub-tab=admin]")
    ada.wait_for_url("**/hub/admin")
    assert ada.locator("#org-users tbody tr").count() == 3  # ada, alice, bob: Acme only
    assert ada.locator("#new-clearance option").all_inner_texts() == [
        "Clearance 0 (none)",
        "Clearance 1",
    ]
    ada.fill("#new-username", "")
    ada.fill("#new-password", "short")
    ada.click("#add-user-submit")
    assert "Enter a user name." in ada.locator("#err-username").inner_text()
    assert "at least 8" in ada.locator("#err-password").inner_text()
    assert ada.locator("#new-password").input_value() == ""  # never sent back
    shot(ada, "15-admin-errors")
    ada.fill("#new-username", "newhire")
    ada.select_option("#new-role", "analyst")
    ada.select_option("#new-clearance", "1")
    ada.fill("#new-password", "newhire's first password")
    ada.click("#add-user-submit")
    ada.wait_for_selector("#admin-ok")
    row = ada.locator("#org-users tr[data-user=newhire]")
    assert row.get_attribute("data-active") == "true"
    shot(ada, "16-admin-added")

    hire = new_page()
    hire.goto("/hub/login?lang=en")
    hire.fill("#username", "newhire")
    hire.fill("#password", "newhire's first password")
    hire.click("#login-form button[type=submit]")
    hire.wait_for_selector("#logout-btn")
    assert "analyst" in hire.locator("#hub-who").inner_text()
    assert hire.locator("a[data-hub-tab=admin]").count() == 0
    # disabled by the admin: the next page is anonymous
    row.locator("[data-disable]").click()
    ada.wait_for_selector("#org-users tr[data-user=newhire][data-active=false]")
    hire.goto("/hub/alerts")
    hire.wait_for_selector("#login-form")
    ada.goto("/hub/admin?lang=ja")
    assert ada.locator("h1").inner_text() == "組織のユーザー管理"
    shot(ada, "17-admin-ja")
