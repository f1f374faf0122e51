"""Reports and uploads in Debian's headless chromium, as a user: download the Japanese PDF
briefing from the commodity page, open the HTML briefing, upload a bad and then a good file on
the Data page. Screenshots go to ``build/test-artifacts/e2e/`` (``$FUKUGAN_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = (
    Path(os.environ.get("FUKUGAN_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts")) / "e2e"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "install-browser-deps.sh")], check=False)
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    home = tmp_path_factory.mktemp("reports-e2e-home")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "fukugan"), "serve", "--port", str(port)],
        env={**os.environ, "FUKUGAN_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).json()["data_loaded"]:
                break
        except (httpx.HTTPError, ValueError):
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("fukugan serve did not start")
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        ctx = b.new_context(
            base_url=server, viewport={"width": 1400, "height": 900}, accept_downloads=True
        )
        yield ctx.new_page()
        b.close()


def test_download_the_japanese_briefing_from_the_commodity_page(page, tmp_path):
    page.goto("/commodities/gallium?lang=ja")
    button = page.locator("#report-actions a[data-report=pdf]")
    assert button.inner_text() == "ブリーフィングをダウンロード（PDF）"
    page.screenshot(path=str(ARTIFACTS / "r1-commodity-report-buttons.png"))
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
    page.screenshot(path=str(ARTIFACTS / "r2-commodity-report-ja.png"), full_page=True)


def test_upload_a_bad_then_a_good_file_on_the_data_page(page, tmp_path):
    bad = tmp_path / "wgi.csv"
    bad.write_text("country,iso3c,year,score_wgi_scale\nJapan,JPN,2022,abc\n")
    page.goto("/data?lang=en")
    page.select_option("#upload-kind", "wgi")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-result[data-ok=false]")
    assert "wgi.csv: row 2, field 'score_wgi_scale'" in page.inner_text("#upload-error")
    page.screenshot(path=str(ARTIFACTS / "r3-upload-error.png"))

    good = tmp_path / "good" / "wgi.csv"
    good.parent.mkdir()
    good.write_text("country,iso3c,year,score_wgi_scale\nJapan,JPN,2022,1.31\n")
    page.select_option("#upload-kind", "wgi")
    page.set_input_files("#upload-file", str(good))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-result[data-ok=true]")
    card = page.locator("section.just-imported")
    assert card.get_attribute("data-dataset") == "wgi" and "1" in card.inner_text()
    page.screenshot(path=str(ARTIFACTS / "r4-upload-ok.png"))
