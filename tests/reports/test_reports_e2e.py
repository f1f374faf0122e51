"""Reports and uploads in Debian's headless chromium, as a user: download the Japanese PDF
briefing from the commodity page, open the HTML briefing, upload a bad and then a good file on
the Data page. Screenshots go to ``build/test-artifacts/e2e/`` (``$FUKUGAN_TEST_ARTIFACTS``).
"""

from __future__ import annotations

from pathlib import Path

import pytest


def _artifacts() -> Path:
    return _E2E["artifacts"]


_E2E: dict[str, Path] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory, e2e):
    e2e.ensure_chromium()
    _E2E["artifacts"] = e2e.artifacts()
    proc, base = e2e.serve(tmp_path_factory.mktemp("reports-e2e-home"))
    yield base
    e2e.stop(proc)


@pytest.fixture(scope="module")
def page(server, e2e):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = e2e.launch(p)
        ctx = b.new_context(
            base_url=server, viewport={"width": 1400, "height": 900}, accept_downloads=True
        )
        yield ctx.new_page()
        b.close()


def test_download_the_japanese_briefing_from_the_commodity_page(page, tmp_path):
    page.goto("/commodities/gallium?lang=ja")
    button = page.locator("#report-actions a[data-report=pdf]")
    assert button.inner_text() == "ブリーフィングをダウンロード（PDF）"
    page.screenshot(path=str(_artifacts() / "r1-commodity-report-buttons.png"))
    with page.expect_download(timeout=60_000) as dl:
        button.click()
    out = tmp_path / "briefing.pdf"
    dl.value.save_as(out)
    assert out.read_bytes().startswith(b"%PDF-")
    assert dl.value.suggested_filename == "fukugan-gallium-JPN-2024-ja.pdf"

    page.click("#report-actions a[data-report=html]")
    page.wait_for_selector("#key-findings li")
    first = page.locator("#key-findings li").first.inner_text()
    assert first == "2024年の世界のガリウム生産の98.4%を中国が占める。"
    assert page.locator("svg.bar-chart").count() == 1
    page.screenshot(path=str(_artifacts() / "r2-commodity-report-ja.png"), full_page=True)


def test_upload_a_bad_then_a_good_file_on_the_data_page(page, tmp_path):
    bad = tmp_path / "wgi.csv"
    bad.write_text("country,iso3c,year,score_wgi_scale\nJapan,JPN,2022,abc\n")
    page.goto("/data?lang=en")
    page.select_option("#upload-kind", "wgi")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-result[data-ok=false]")
    assert "wgi.csv: row 2, field 'score_wgi_scale'" in page.inner_text("#upload-error")
    page.screenshot(path=str(_artifacts() / "r3-upload-error.png"))

    good = tmp_path / "good" / "wgi.csv"
    good.parent.mkdir()
    good.write_text("country,iso3c,year,score_wgi_scale\nJapan,JPN,2022,1.31\n")
    page.select_option("#upload-kind", "wgi")
    page.set_input_files("#upload-file", str(good))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-result[data-ok=true]")
    card = page.locator("section.just-imported")
    assert card.get_attribute("data-dataset") == "wgi" and "1" in card.inner_text()
    page.screenshot(path=str(_artifacts() / "r4-upload-ok.png"))
