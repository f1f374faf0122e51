"""End-to-end: an exercise conducted in Debian's headless chromium (Playwright) against the
real ``fukugan serve``: a facilitator and two players, each in their own browser context. The
facilitator's actions reach the players' consoles within a second and a half (the consoles poll
every second) without a reload; the players decide; the after-action report opens. Screenshots
go to ``build/test-artifacts/e2e/`` (names starting ``exercise-``)."""

from __future__ import annotations

import time

import pytest

from fukugan.services.datasets import load_bundled
from fukugan.services.hub import Hub
from fukugan.store.analytic import AnalyticStore

PW = "correct horse battery staple"


@pytest.fixture(scope="module")
def world(tmp_path_factory, e2e):
    e2e.ensure_chromium()
    home = tmp_path_factory.mktemp("exercise-e2e-home")
    load_bundled(AnalyticStore(home))
    hub = Hub(home)
    meti = hub.create_org("METI", "ministry")
    maker = hub.create_org("Maker", "company")
    hub.create_user("white", meti, "analyst", 2, PW)
    hub.create_user("gov1", meti, "analyst", 1, PW)
    hub.create_user("firm1", maker, "contributor", 0, PW)
    hub.dispose()
    proc, base = e2e.serve(home)
    yield base
    e2e.stop(proc)


@pytest.fixture(scope="module")
def browser(world, e2e):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = e2e.launch(p)
        yield b
        b.close()


def _page(browser, base, errors):
    ctx = browser.new_context(base_url=base, viewport={"width": 1300, "height": 900})
    pg = ctx.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: None if r.url.startswith(base) else errors.append(r.url))
    return ctx, pg


def _login(pg, name: str) -> None:
    pg.goto("/hub/login?lang=en")
    pg.fill("#username", name)
    pg.fill("#password", PW)
    pg.click("#login-form button[type=submit]")
    pg.wait_for_selector("#logout-btn")


def _reaches(pg, selector: str, limit: float = 1.5) -> float:
    """Seconds until ``selector`` appears on ``pg`` without a reload (fails after ``limit``)."""
    t0 = time.monotonic()
    pg.wait_for_selector(selector, timeout=limit * 1000)
    return time.monotonic() - t0


def _decide(pg, point: str, option: str) -> None:  # noqa: ANN001 - a page
    """The player on ``pg`` takes ``option`` at decision ``point``; waits until it is closed."""
    pg.check(f'[data-decision="{point}"] input[value="{option}"]')
    pg.click(f'button[data-decide="{point}"]')
    pg.wait_for_selector(f'[data-decision="{point}"][data-open="false"]')


def _start(white, gov, firm, package: str) -> list[float]:  # noqa: ANN001 - pages
    """The facilitator creates an exercise of ``package``, gives gov1 and firm1 their roles and
    starts it; returns the seconds each player's console took to show it running."""
    for pg, name in ((white, "white"), (gov, "gov1"), (firm, "firm1")):
        _login(pg, name)
    white.goto("/exercises")
    white.select_option("#exercise-package", package)
    white.click("#exercise-create")
    white.wait_for_selector("#facilitator-actions")
    url = white.url
    for user, role in (("gov1", "gov"), ("firm1", "firm")):
        white.fill("#assign-form input[name=username]", user)
        white.select_option("#assign-form select[name=role]", role)
        white.click("#assign")
        white.wait_for_load_state()
    gov.goto(url)
    firm.goto(url)
    gov.wait_for_selector('#console[data-status="ready"]')
    white.click('button[data-action="start"]')
    white.wait_for_selector('#console[data-status="running"]')
    return [_reaches(pg, '#console[data-status="running"]') for pg in (gov, firm)]


@pytest.mark.slow
def test_facilitator_and_two_players_in_the_browser(browser, world, e2e):
    shots = e2e.artifacts()
    errors: list[str] = []
    (cw, white), (cg, gov), (cf, firm) = (_page(browser, world, errors) for _ in range(3))
    try:
        waits = _start(white, gov, firm, "critical-minerals-licensing.yaml")
        assert max(waits) < 1.5, waits
        gov.wait_for_selector('[data-inject="2"]')  # AMBER, the facilitator's organisation
        assert firm.locator('[data-inject="2"]').count() == 0
        assert firm.locator('[data-inject="3"]').count() == 1
        gov.screenshot(path=str(shots / "exercise-gov-turn1.png"), full_page=True)
        _decide(gov, "D1", "release60")
        white.click('button[data-action="advance"]')
        white.wait_for_selector('#console[data-turn="2"]')
        assert _reaches(firm, '[data-decision="D2"][data-open="true"]') < 1.5
        _decide(firm, "D2", "qualify")
        white.click('button[data-action="advance"]')
        _reaches(firm, '#console[data-turn="3"]')
        firm.screenshot(path=str(shots / "exercise-firm-turn3.png"), full_page=True)
        white.click('button[data-action="end"]')
        _reaches(gov, '#console[data-status="ended"]')
        white.click("#exercise-aar-link")
        white.wait_for_selector("#kpis-by-turn")
        assert "After-action report" in white.content()
        white.screenshot(path=str(shots / "exercise-aar.png"), full_page=True)
    finally:
        for ctx in (cw, cg, cf):
            ctx.close()
    assert not errors, errors


@pytest.mark.slow
def test_blackout_exercise_on_the_firm_model_in_the_browser(browser, world, e2e):
    """The regional-blackout package (firms engine): the facilitator runs three turns, the
    government and the firm decide, each player's console shows the figure of the turn's own
    run (the same number as the after-action report's column for that turn)."""
    shots = e2e.artifacts()
    errors: list[str] = []
    (cw, white), (cg, gov), (cf, firm) = (_page(browser, world, errors) for _ in range(3))
    try:
        _start(white, gov, firm, "hokkaido-winter-blackout.yaml")
        gov.wait_for_selector('[data-inject="2"]')  # the grid operator's AMBER assessment
        assert firm.locator('[data-inject="2"]').count() == 0
        _decide(gov, "D1", "interconnect")
        _decide(firm, "D2", "pro_rata")
        white.click('button[data-action="advance"]')
        white.wait_for_selector('#console[data-turn="2"]')
        _reaches(firm, '#console[data-turn="2"]')
        # the turn's run lands within the console's polling: its figure replaces the blank
        firm.wait_for_selector('tr[data-kpi="loss"] td[data-value]:not([data-value=""])',
                               timeout=60_000)  # fmt: skip
        shown = float(firm.get_attribute('tr[data-kpi="loss"] td[data-value]', "data-value"))
        firm.screenshot(path=str(shots / "exercise-blackout-firm-turn2.png"), full_page=True)
        white.click('button[data-action="end"]')
        _reaches(gov, '#console[data-status="ended"]', limit=5)
        white.click("#exercise-aar-link")
        white.wait_for_selector("#kpis-by-turn")
        cell = white.get_attribute('[data-kpi="loss"][data-run="turn-2"]', "data-value")
        assert float(cell) == pytest.approx(shown, rel=1e-12)
        base = float(white.get_attribute('[data-kpi="loss"][data-run="baseline"]', "data-value"))
        assert shown < base  # the decisions of turn 1 act from turn 2 and cut the loss
        white.screenshot(path=str(shots / "exercise-blackout-aar.png"), full_page=True)
    finally:
        for ctx in (cw, cg, cf):
            ctx.close()
    assert not errors, errors


@pytest.mark.slow
def test_sanctions_exercise_in_the_browser(browser, world, e2e):
    """The sanctions-only package (static engine): facilitator and two players; the
    government's AMBER assessment reaches only the government; both players decide in turn 1;
    the firm's console then shows the figure of turn 2's own run, the AAR's figure for it."""
    errors: list[str] = []
    (cw, white), (cg, gov), (cf, firm) = (_page(browser, world, errors) for _ in range(3))
    try:
        _start(white, gov, firm, "sanctions-without-fighting.yaml")
        gov.wait_for_selector('[data-inject="2"]')
        assert firm.locator('[data-inject="2"]').count() == 0
        _decide(gov, "D1", "release90")
        _decide(firm, "D2", "qualify")
        white.click('button[data-action="advance"]')
        _reaches(firm, '#console[data-turn="2"]')
        firm.wait_for_selector('tr[data-kpi="loss"] td[data-value]:not([data-value=""])',
                               timeout=30_000)  # fmt: skip
        shown = float(firm.get_attribute('tr[data-kpi="loss"] td[data-value]', "data-value"))
        white.click('button[data-action="end"]')
        _reaches(gov, '#console[data-status="ended"]', limit=5)
        white.click("#exercise-aar-link")
        white.wait_for_selector("#kpis-by-turn")
        cell = white.get_attribute('[data-kpi="loss"][data-run="turn-2"]', "data-value")
        assert float(cell) == pytest.approx(shown, rel=1e-12)
        assert white.locator('[data-practice="economic-coercion-response/P4"]').count() == 1
        white.screenshot(path=str(e2e.artifacts() / "exercise-sanctions-aar.png"), full_page=True)
    finally:
        for ctx in (cw, cg, cf):
            ctx.close()
    assert not errors, errors


@pytest.mark.slow
def test_chip_shortage_exercise_on_the_bom_network_in_the_browser(browser, world, e2e):
    """The semiconductor package (exposure engine, the automotive BOM): the facilitator and two
    players; the government's AMBER assessment stays with the government; both decide in turn
    1 (a second source, three more weeks of chips); the firm's console then shows turn 2's lost
    profit — 930 chips of the 1,800 the 12-week fire needs: 870 sedans, 1,740 thousand USD —
    the same figure as the AAR's, in English and Japanese."""
    shots = e2e.artifacts()
    errors: list[str] = []
    (cw, white), (cg, gov), (cf, firm) = (_page(browser, world, errors) for _ in range(3))
    try:
        _start(white, gov, firm, "automotive-chip-shortage.yaml")
        gov.wait_for_selector('[data-inject="2"]')
        assert firm.locator('[data-inject="2"]').count() == 0
        _decide(gov, "D1", "second_source")
        _decide(firm, "D2", "stock3")
        white.click('button[data-action="advance"]')
        _reaches(firm, '#console[data-turn="2"]')
        firm.wait_for_selector('tr[data-kpi="loss"] td[data-value]:not([data-value=""])',
                               timeout=30_000)  # fmt: skip
        shown = float(firm.get_attribute('tr[data-kpi="loss"] td[data-value]', "data-value"))
        assert shown == pytest.approx(1740.0, abs=1e-6)
        sedans = float(firm.get_attribute('tr[data-kpi="sedans"] td[data-value]', "data-value"))
        assert sedans == pytest.approx(870.0, abs=1e-6)
        assert "thousand USD" in firm.inner_text("#kpis")
        firm.screenshot(path=str(shots / "exercise-chip-firm-turn2.png"), full_page=True)
        white.click('button[data-action="end"]')
        _reaches(gov, '#console[data-status="ended"]', limit=5)
        white.click("#exercise-aar-link")
        white.wait_for_selector("#kpis-by-turn")
        aar = white.url
        cell = white.get_attribute('[data-kpi="loss"][data-run="turn-2"]', "data-value")
        assert float(cell) == pytest.approx(shown, rel=1e-12)
        base = white.get_attribute('[data-kpi="loss"][data-run="baseline"]', "data-value")
        assert float(base) == pytest.approx(3600.0, abs=1e-6)
        assert "not computed by this engine" in white.content()
        white.screenshot(path=str(shots / "exercise-chip-aar.png"), full_page=True)
        white.goto(aar + ("&" if "?" in aar else "?") + "lang=ja")
        white.wait_for_selector("#kpis-by-turn")
        ja = white.content()
        assert "千米ドル" in ja and "生産できないセダン（台）" in ja
        cell = white.get_attribute('[data-kpi="loss"][data-run="turn-2"]', "data-value")
        assert float(cell) == pytest.approx(shown, rel=1e-12)
        white.screenshot(path=str(shots / "exercise-chip-aar-ja.png"), full_page=True)
    finally:
        for ctx in (cw, cg, cf):
            ctx.close()
    assert not errors, errors
