"""End-to-end: scenarios and runs as a user sees them, in Debian's headless chromium.

The real ``fukugan serve`` runs in a subprocess on a free loopback port (its own temp home,
bundled data loaded at start), with ``FUKUGAN_RUN_STEP_DELAY`` so that a run's progress is
visible for a few seconds. Screenshots go to ``build/test-artifacts/e2e/`` (or
``$FUKUGAN_TEST_ARTIFACTS``). Skipped only when chromium is absent and cannot be installed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BAD_YAML = b"""\
name: broken
engine: static
data:
  oecd_iot: {country: JPN, year: 2020}
shocks:
  - type: outage
    sector: C24
    delta: 1.5
"""


def _artifacts() -> Path:
    return _E2E["artifacts"]


_E2E: dict[str, Path] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory, e2e):
    e2e.ensure_chromium()
    _E2E["artifacts"] = e2e.artifacts()
    proc, base = e2e.serve(
        tmp_path_factory.mktemp("e2e-runs-home"),
        env={"FUKUGAN_RUN_STEP_DELAY": "0.8"},
        drop=("FUKUGAN_DATABASE_URL",),
    )
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
    ctx = browser.new_context(base_url=server, viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "422" not in m.text  # the refused upload's status
            else None
        ),
    )
    yield pg
    ctx.close()
    assert not errors, f"browser errors: {errors}"


def shot(pg, name: str) -> None:
    pg.screenshot(path=str(_artifacts() / f"{name}.png"), full_page=True)


def run_example(pg, scenario: str, engine: str) -> str:
    pg.goto("/scenarios")
    card = pg.locator(f"[data-scenario='{scenario}']").first
    if card.locator("select[name=engine]").count():
        card.locator("select[name=engine]").select_option(engine)
    card.locator("button[data-run]").click()
    pg.wait_for_url(re.compile(r"/runs/[0-9T-]+[0-9a-f]{6}$"))
    return pg.url.rsplit("/", 1)[1]


def test_run_hokkaido_watch_progress_see_chart_reload_compare(page):
    pg = page
    pg.goto("/scenarios")
    card = pg.locator("[data-scenario='hokkaido-blackout']")
    assert "Hokkaido" in card.inner_text()
    assert card.locator("select[name=engine] option").all_inner_texts() == ["static", "ario"]
    shot(pg, "scenarios")

    rid = run_example(pg, "hokkaido-blackout", "static")
    progress = pg.locator("#run-progress")
    assert progress.is_visible()
    assert progress.get_attribute("data-status") in ("queued", "running")
    shot(pg, "run-progress")
    # htmx polls the progress until the run is done, then the page shows the results
    pg.wait_for_selector("#loss-chart[data-drawn='1']", timeout=30_000)
    assert pg.locator("#run-progress").count() == 0
    assert int(pg.locator("#loss-chart").get_attribute("data-points")) == 31
    assert pg.locator("#sector-chart[data-drawn='1']").count() == 1
    assert pg.locator("#flow-chart[data-drawn='1']").count() == 1
    assert pg.locator("#paths-table tbody tr").count() >= 5
    assert "blackout hokkaido" in pg.locator("#paths-table").inner_text()
    assert pg.locator("[data-kpi='peak-day']").inner_text() == "day 1"
    assert pg.locator("[data-repro='seed']").inner_text() == "2018"
    assert "OECD" in pg.locator("#repro .sources").inner_text()
    shot(pg, "run-done")

    pg.reload()
    pg.wait_for_selector("#loss-chart[data-drawn='1']")
    assert pg.locator("[data-status='done']").count() == 1
    total = pg.locator("[data-kpi='total-loss']").inner_text()
    assert total not in ("", "–")

    pg.goto(f"/runs/{rid}?lang=ja")
    pg.wait_for_selector("#loss-chart[data-drawn='1']")
    assert (
        "損失の推移" in pg.inner_text("main")
        and pg.locator("[data-kpi='peak-day']").inner_text() == "1日目"
    )
    shot(pg, "run-done-ja")
    pg.goto(f"/runs/{rid}?lang=en")

    rid2 = run_example(pg, "hokkaido-blackout", "ario")
    pg.wait_for_selector("#loss-chart[data-drawn='1']", timeout=30_000)
    pg.goto(f"/compare?a={rid}&b={rid2}")
    pg.wait_for_selector("#compare-chart[data-drawn='1']")
    rows = pg.locator("#compare-table tbody tr")
    assert rows.count() == 6
    assert "static" in pg.inner_text("#compare-table") and "ario" in pg.inner_text("#compare-table")
    shot(pg, "compare")

    pg.goto("/scenarios")
    assert pg.locator(f"tr[data-run='{rid}'] .st-done").count() == 1
    assert pg.locator(f"tr[data-run='{rid2}']").count() == 1


def test_bad_upload_names_line_and_field(page):
    pg = page
    pg.goto("/scenarios")
    pg.set_input_files(
        "#upload-form input[type=file]",
        files=[{"name": "broken.yaml", "mimeType": "text/yaml", "buffer": BAD_YAML}],
    )
    pg.click("#upload-form button[type=submit]")
    box = pg.locator("#scenario-error")
    box.wait_for()
    text = box.inner_text()
    assert "broken.yaml" in text and "shocks[0].delta" in text
    assert box.locator("[data-line]").inner_text() == "8"
    shot(pg, "upload-error")
    good = BAD_YAML.replace(b"delta: 1.5", b"delta: 0.4").replace(b"broken", b"fixed")
    pg.set_input_files(
        "#upload-form input[type=file]",
        files=[{"name": "fixed.yaml", "mimeType": "text/yaml", "buffer": good}],
    )
    pg.click("#upload-form button[type=submit]")
    pg.locator("#upload-ok").wait_for()
    assert pg.locator(".card.scenario.highlight h3").inner_text() == "fixed"


def test_sweep_distributions_and_cancel_a_run(page):
    """A Monte Carlo sweep from the scenario card's samples field draws its distributions; a
    running run's Cancel button ends it as cancelled (English and Japanese)."""
    pg = page
    pg.goto("/scenarios")
    card = pg.locator("[data-scenario='hokkaido-blackout']")
    card.locator("input[name=samples]").fill("4")
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(_artifacts() / "scenario-card-samples.png"))
    card.locator("button[data-run]").click()
    pg.wait_for_url(re.compile(r"/runs/[0-9T-]+[0-9a-f]{6}$"))
    pg.wait_for_selector("#mc-sector-chart[data-drawn='1']", timeout=60_000)
    assert pg.locator("#mc-daily-chart[data-drawn='1']").count() == 1
    assert pg.locator("#mc-table tbody tr").count() == 15
    assert pg.locator("[data-kpi='samples']").inner_text() == "4"
    shot(pg, "run-montecarlo")
    href = pg.locator("#report-actions a[data-report='html']").get_attribute("href")
    brief = pg.request.get(pg.url.split("/runs/")[0] + href)  # the sweep's briefing
    assert brief.status == 200 and "<svg" in brief.text()

    run_example(pg, "hokkaido-blackout", "static")
    pg.locator("#run-progress").screenshot(path=str(_artifacts() / "run-progress-cancel.png"))
    pg.locator("#cancel-run").click()  # htmx: the card is swapped, the page reloads when ended
    pg.wait_for_selector("#run-cancelled", timeout=20_000)
    assert pg.locator("[data-status='cancelled']").count() == 1
    assert pg.locator("#loss-chart").count() == 0
    shot(pg, "run-cancelled")
    pg.goto(pg.url.split("?")[0] + "?lang=ja")
    assert "実行は取り消されました" in pg.inner_text("main")
    pg.goto("/scenarios?lang=en")
    assert pg.locator(".st-cancelled").count() >= 1
