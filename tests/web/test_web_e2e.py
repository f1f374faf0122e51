"""End-to-end: the web app as a user sees it, in Debian's headless chromium (Playwright).

The real ``fukugan serve`` runs in a subprocess on a free loopback port over a freshly loaded
store. Screenshots go to ``build/test-artifacts/e2e/`` (or ``$FUKUGAN_TEST_ARTIFACTS``).

Skipped only when ``/usr/bin/chromium`` is absent and ``scripts/install-browser-deps.sh``
cannot install it (no root or no apt-get).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest


def _artifacts() -> Path:
    return _E2E["artifacts"]


_E2E: dict[str, Path] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory, e2e):
    """``fukugan serve`` on a free port over a temp store (it loads the bundled data itself)."""
    e2e.ensure_chromium()
    _E2E["artifacts"] = e2e.artifacts()
    proc, base = e2e.serve(tmp_path_factory.mktemp("e2e-home"))
    yield base
    e2e.stop(proc)


@pytest.fixture(scope="module")
def browser(server, e2e):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = e2e.launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(
        base_url=server, viewport={"width": 1400, "height": 900}, accept_downloads=True
    )
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    ctx.close()
    assert not errors, f"browser errors: {errors}"


def shot(pg, name: str) -> None:
    pg.screenshot(path=str(_artifacts() / f"{name}.png"), full_page=True)


def test_serve_printed_its_url_and_serves_no_external_requests(page, server):
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(server) else None,
    )
    page.goto("/")
    page.wait_for_selector("#top-risks table")
    assert outside == []


def test_overview_then_japanese_then_commodity(page):
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Economic-security overview: JPN")
    first = page.locator("#top-risks tbody tr").first
    assert "Gallium" in first.inner_text()
    assert page.locator("#critical-materials tbody tr").count() == 12
    shot(page, "01-overview-en")

    page.click("a[data-lang=ja]")
    page.wait_for_url("**lang=ja*")
    assert page.locator("h1").inner_text().startswith("経済安全保障の概況")
    assert page.locator("a[data-nav=overview]").inner_text() == "概況"
    assert "ガリウム" in page.locator("#top-risks tbody tr").first.inner_text()
    assert "特定重要物資" in page.locator("#critical-materials h2").inner_text()
    shot(page, "02-overview-ja")

    page.goto("/")  # no ?lang: the choice persists (cookie)
    assert page.locator("a[data-lang=ja]").get_attribute("class") == "on"

    page.click("#top-risks tbody tr >> nth=0 >> a")
    page.wait_for_url("**/commodities/gallium*")
    page.wait_for_selector("#bars[data-drawn='1']")
    page.wait_for_selector("#map[data-drawn='1']", timeout=15000)
    assert "ガリウム" in page.locator("#commodity-title").inner_text()
    assert page.locator("#bars canvas").count() == 1
    assert page.locator("#map canvas").count() == 1
    assert int(page.locator("#map").get_attribute("data-regions")) >= 3  # CHN, RUS, JPN, KOR
    # the producers table: China first with 98.4 %, Japan highlighted as home
    rows = page.locator("#producers table.data tbody tr")
    assert "98.4%" in rows.first.inner_text()
    assert "Japan" in page.locator("tr.home").inner_text()
    assert "出典" in page.locator(".sources").first.inner_text()
    # history (推移): 2023 and 2024 (est.) bars for the top producers, and the per-year table
    page.wait_for_selector("#history-bars[data-drawn='1']")
    assert page.locator("#history-bars canvas").count() == 1
    assert page.locator("#history-bars").get_attribute("data-groups") == "4"
    assert "推移" in page.locator("#history h2").inner_text()
    years = page.locator("#history-table tbody tr")
    assert years.count() == 2
    assert "2023" in years.first.inner_text() and "98.1%" in years.first.inner_text()
    assert "98.4%" in years.nth(1).inner_text()
    shot(page, "03-commodity-gallium-ja")


def test_home_country_is_selectable(page):
    page.goto("/?lang=en")
    page.select_option("#home-select", "USA")
    page.wait_for_url("**home=USA*")
    assert page.locator("h1").inner_text().startswith("Economic-security overview: USA")


def _column(page, key: str) -> list[float]:
    idx = page.eval_on_selector_all(
        "#tbl table.data >> nth=0 >> thead th",
        f"ths => ths.findIndex(th => th.dataset.key === '{key}')",
    )
    cells = page.locator(f"#tbl table.data >> nth=0 >> tbody tr td:nth-child({idx + 1})")
    out = []
    for text in cells.all_inner_texts():
        text = text.strip().replace(",", "").rstrip("%")
        if text not in ("–", ""):
            out.append(float(text))
    return out


def test_sort_filter_and_download_csv(page, tmp_path):
    page.goto("/dependencies?lang=en&home=JPN")
    assert page.locator("#tbl tbody tr").count() > 50
    page.click("#tbl th[data-key=hhi] a")  # htmx swaps the table and pushes the URL
    page.wait_for_url("**sort=hhi*")
    page.wait_for_selector("#tbl th[data-key=hhi] a.sorted")
    hhi = _column(page, "hhi")
    assert len(hhi) > 50 and hhi == sorted(hhi, reverse=True)
    page.click("#tbl th[data-key=hhi] a")  # again: ascending
    page.wait_for_url("**order=asc*")
    page.wait_for_selector("#tbl th[data-key=hhi] a.sorted")
    hhi = _column(page, "hhi")
    assert hhi == sorted(hhi)
    shot(page, "04-dependencies-sorted")

    page.fill("#filters input[name=q]", "gallium")
    page.wait_for_url("**q=gallium*")
    # the commodity table keeps gallium; the HS product table (bundled trade data) has no match
    page.wait_for_function(
        "document.querySelectorAll('#tbl table.data')[0].querySelectorAll('tbody tr').length === 1"
    )
    assert "Gallium" in page.locator("#tbl tbody tr").first.inner_text()

    with page.expect_download() as dl:
        page.click("#csv")
    path = tmp_path / "deps.csv"
    dl.value.save_as(path)
    text = path.read_text("utf-8")
    assert dl.value.suggested_filename.startswith("fukugan-dependencies-JPN-2024")
    assert text.startswith("# report: Autonomy risks of JPN")
    rows = list(
        csv.reader(
            io.StringIO("\n".join(ln for ln in text.splitlines() if ln and not ln.startswith("#")))
        )
    )
    assert rows[0][:3] == ["Rank", "Commodity", "Commodity id"]
    assert [r[1] for r in rows[1:2]] == ["Gallium"]  # the download follows the filter
    assert rows[2][:3] == ["Rank", "HS6", "Product"] and len(rows) == 3  # no product matches


def test_chokepoints_industries_and_data_pages(page):
    page.goto("/chokepoints?lang=en")
    assert "Iodine" in page.locator("#tbl tbody tr").first.inner_text()
    assert page.locator("details.method .thresholds div").count() == 3
    shot(page, "05-chokepoints")
    page.goto("/industries?country=JPN&iot_year=2020")
    page.wait_for_selector("#ic-chart[data-drawn='1']")
    assert page.locator("#ic-chart").get_attribute("data-bars") == "45"
    shot(page, "06-industries")
    page.goto("/data")
    assert page.locator("[data-dataset=usgs_world_production]").count() == 1
    assert "public domain" in page.locator("[data-dataset=usgs_world_production]").inner_text()
    shot(page, "07-data")


@pytest.mark.parametrize("width", [800, 1400])
def test_header_fits_the_window_and_keyboard_users_get_a_skip_link(browser, server, width):
    """At 800 and 1,400 px nothing is wider than the window (the header wraps), every header
    control is inside it; the first Tab reaches the skip link, which moves focus to the content;
    arrow keys on the home selector move the choice without reloading, Enter applies it."""
    ctx = browser.new_context(base_url=server, viewport={"width": width, "height": 900})
    pg = ctx.new_page()
    try:
        for path in ("/?lang=en", "/industries?lang=ja", "/chokepoints?lang=en"):
            pg.goto(path)
            assert pg.evaluate("document.documentElement.scrollWidth") <= width, path
            for sel in ('[data-lang="ja"]', "#home-select", '[data-nav="data"]'):
                box = pg.locator(sel).bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (path, sel)
        shot(pg, f"header-{width}")
        pg.goto("/?lang=en")
        pg.keyboard.press("Tab")
        assert pg.evaluate("document.activeElement.id") == "skip-link"
        assert pg.locator("#skip-link").bounding_box()["y"] >= 0  # shown when focused
        pg.keyboard.press("Enter")
        assert pg.evaluate("location.hash") == "#content"
        url = pg.url
        pg.focus("#home-select")
        pg.keyboard.press("ArrowDown")
        pg.wait_for_timeout(400)
        assert pg.url == url  # browsing the list is not a reload
        chosen = pg.eval_on_selector("#home-select", "s => s.value")
        assert chosen != "JPN"
        with pg.expect_navigation():
            pg.keyboard.press("Enter")
        assert f"home={chosen}" in pg.url
    finally:
        ctx.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("plan", "lang"),
    [
        ("japan-rare-earths", "en"),
        ("japan-rare-earths", "ja"),
        ("automotive-chip-resilience", "ja"),
    ],
)
def test_a_shipped_plan_in_the_browser(page, plan, lang):
    """The planning journey: the plan list, one plan solved (frontier chart, portfolio with the
    engine re-run), its briefing in the same language, and the PDF — a ministry's plan on the
    national table and a manufacturer's on its BOM network."""
    page.goto(f"/plans?lang={lang}")
    page.click(f'[data-plan="{plan}"] a')
    page.wait_for_selector("#plan-result", timeout=60_000)
    assert page.locator("#plan-frontier svg polyline").count() >= 2  # expected loss and CVaR
    heading = page.locator("#plan-result h2").first.inner_text()
    assert heading.startswith("対応計画" if lang == "ja" else "Response plan")
    assert page.locator('[data-key="plan-engine-loss"]').count() == 1
    shot(page, f"plan-{plan}-{lang}")
    with page.expect_download() as dl:
        page.click("#plan-briefing-pdf")
    pdf = dl.value.path().read_bytes()
    assert pdf[:5] == b"%PDF-"
    page.click("#plan-briefing")
    page.wait_for_selector("#portfolio")
    chosen = page.locator('#portfolio tr[data-chosen="true"]').count()
    # rare earths: 67 days of stock and the allied separator; automotive: the chip and steel
    # buffers
    assert chosen == 2
    html = page.content()
    assert ("対応計画ブリーフィング" if lang == "ja" else "Response plan briefing") in html
    if plan.startswith("automotive"):
        assert "千米ドル" in html and "thousand USD" not in html
    shot(page, f"plan-briefing-{plan}-{lang}")
