"""Briefing reports: commodity and scenario, HTML and PDF, English and Japanese.

The PDFs are checked as a reader would: valid PDF, page count, and the text on the pages
(``pdftotext`` from poppler-utils when installed) includes the key numbers and, for ``ja``,
Japanese characters drawn with the embedded Noto Sans CJK font.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from fukugan.reports.commodity import commodity_briefing
from fukugan.reports.render import cjk_fonts, render_html
from fukugan.reports.run import run_briefing
from fukugan.reports.svg import bar_chart, line_chart
from fukugan.server import create_app
from fukugan.services.simulate import simulate
from fukugan.store.analytic import AnalyticStore

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "fukugan" / "scenarios" / "examples"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def home(tmp_path_factory, loaded_copy) -> Path:
    h = loaded_copy(tmp_path_factory.mktemp("reports-home"))
    store = AnalyticStore(h)
    simulate(
        store,
        EXAMPLES / "gallium-germanium-licensing.yaml",
        out=h / "runs" / "gallium-test",
    )
    return h


@pytest.fixture(scope="module")
def client(home) -> TestClient:
    with TestClient(create_app(home)) as c:
        yield c


def pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes plus every Flate stream decompressed (PDF 1.5+ keeps the page tree and
    font dictionaries in compressed object streams)."""
    parts = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(m[1]))
        except zlib.error:
            pass
    return b"\n".join(parts)


def pdf_pages(data: bytes) -> int:
    """Page count: the number of ``/Type /Page`` objects (not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf_objects(data)))


def pdf_text(data: bytes, tmp_path: Path) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    p = tmp_path / "r.pdf"
    p.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def embedded_fonts(data: bytes) -> set[str]:
    return {n.decode() for n in re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", pdf_objects(data))}


# -- charts ----------------------------------------------------------------------------------


def test_svg_charts_are_self_contained_and_escape_labels():
    svg = bar_chart([("A<b>", 0.5), ("Japan", 0.1)], percent=True, highlight={"Japan"})
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "A&lt;b&gt;" in svg and "50.0%" in svg and "<script" not in svg
    svg = line_chart({"total": [(0, 0), (1, 2.5)], "direct": [(0, 0), (1, 1)]}, markers=[(1, "p")])
    assert svg.count("<polyline") == 2 and "stroke-dasharray" in svg


# -- commodity briefing ----------------------------------------------------------------------


@pytest.mark.slow
def test_commodity_briefing_states_the_key_numbers(home):
    doc = commodity_briefing(AnalyticStore(home), "gallium", year=2024, home="JPN", lang="en")
    findings = " ".join(doc["findings"])
    assert "China supplies 98.4 % of world gallium production (2024)." in findings
    assert "EU supply risk (SR) is 5.49" in findings
    assert "Japan ranks 3rd" in findings
    assert {x["tag"] for x in doc["lists"]} == {"JP-SCM", "EU-SRM", "EU-CRM", "US-CM"}
    assert {s["dataset"] for s in doc["sources"]} >= {"usgs_world_production", "wgi"}
    ja = commodity_briefing(AnalyticStore(home), "gallium", year=2024, home="JPN", lang="ja")
    assert ja["findings"][0] == "2024年の世界のガリウム生産の98.4%を中国が占める。"


@pytest.mark.slow
def test_commodity_report_html_has_numbers_chart_sources_and_pdf_link(client):
    res = client.get("/reports/commodity/gallium.html", params={"home": "JPN", "year": 2024})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    html = res.text
    assert "98.4 %" in html and "98.4%" in html  # the sentence and the chart / table
    assert "<svg" in html and "<script" not in html
    assert "複眼" in html and "U.S. Geological Survey" in html
    assert 'data-report-link="pdf"' in html and "/reports/commodity/gallium.pdf?" in html
    page = client.get("/commodities/gallium").text  # the buttons on the commodity page
    assert "/reports/commodity/gallium.pdf?home=JPN" in page


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_commodity_report_pdf(client, tmp_path, lang):
    res = client.get("/reports/commodity/gallium.pdf", params={"lang": lang})
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    data = res.content
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    assert 2 <= pdf_pages(data) <= 4
    if cjk_fonts():
        fonts = {f.replace("-", "") for f in embedded_fonts(data)}
        assert any("NotoSansCJK" in f for f in fonts), fonts
    text = pdf_text(data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) not installed: text not checked")
    assert "98.4" in text and "5.49" in text
    if lang == "ja":
        assert "ガリウム" in text and "中国" in text and len(JAPANESE.findall(text)) > 200
    else:
        assert "China supplies 98.4 % of world gallium" in text


def test_report_errors_are_pages_not_500(client):
    assert client.get("/reports/commodity/unobtainium.pdf").status_code == 404
    assert client.get("/reports/commodity/gallium.docx").status_code == 404
    assert client.get("/reports/commodity/gallium.pdf", params={"home": "XX"}).status_code == 400
    assert client.get("/reports/run/..%2F..%2Fetc.pdf").status_code == 404
    assert client.get("/reports/run/no-such-run.html").status_code == 404


# -- scenario briefing -----------------------------------------------------------------------


def test_run_briefing_headline_chart_sectors_paths_and_reproducibility(home):
    doc = run_briefing(home / "runs" / "gallium-test", lang="en")
    assert doc["title"] == "gallium-germanium-licensing" and doc["engine"] == "static"
    assert doc["findings"][0].startswith("Output lost over 365 days totals 16.0 million USD")
    assert doc["sectors"]["rows"][0]["code"] == "C24"
    assert doc["paths"]["rows"][0]["path-source"] == "CHN quota gallium"
    assert doc["repro"]["seed"] == 2023 and "fukugan" in doc["repro"]["versions"]
    assert "name: gallium-germanium-licensing" in doc["repro"]["scenario_yaml"]
    assert "<polyline" in doc["loss_svg"]
    html = render_html(doc)
    assert "gallium-germanium-licensing" in html and "OECD" in html


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_run_report_over_http(client, tmp_path, lang):
    html = client.get("/reports/run/gallium-test.html", params={"lang": lang})
    assert html.status_code == 200 and "<svg" in html.text
    res = client.get("/reports/run/gallium-test.pdf", params={"lang": lang})
    assert res.status_code == 200 and res.content.startswith(b"%PDF-")
    assert pdf_pages(res.content) >= 3
    text = pdf_text(res.content, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) not installed: text not checked")
    assert "C24" in text and "2023" in text
    if lang == "ja":
        assert "損失" in text and "中国" in text


@pytest.mark.slow
def test_cli_report_commands(home, tmp_path, monkeypatch):
    from fukugan.cli.main import app

    monkeypatch.setenv("FUKUGAN_HOME", str(home))
    runner = CliRunner()
    out = tmp_path / "ga-ja.pdf"
    res = runner.invoke(app, ["report", "commodity", "gallium", "--pdf", str(out), "--lang", "ja"])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"%PDF-")
    out2 = tmp_path / "run.html"
    res = runner.invoke(
        app, ["report", "run", str(home / "runs" / "gallium-test"), "--html", str(out2)]
    )
    assert res.exit_code == 0, res.output
    assert "Scenario briefing" in out2.read_text(encoding="utf-8")
    res = runner.invoke(app, ["report", "run", str(tmp_path / "nope"), "--pdf", str(out)])
    assert res.exit_code == 2 and "summary.json not found" in res.output


@pytest.mark.slow
def test_run_page_links_the_briefing_of_a_run_made_as_a_job(client):
    import time

    res = client.post("/api/v1/runs", json={"scenario": "gallium-germanium-licensing"})
    assert res.status_code == 202, res.text
    run_id = res.json()["id"]
    for _ in range(300):
        doc = client.get(f"/api/v1/runs/{run_id}").json()
        if doc["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert doc["status"] == "done", doc
    page = client.get(f"/runs/{run_id}").text
    assert f"/reports/run/{run_id}.pdf?lang=en" in page
    # what the engine applied to each shock and response (issue 15)
    assert 'id="applied"' in page and "static engine" in page and "responses[1]" in page
    res = client.get(f"/reports/run/{run_id}.pdf")
    assert res.status_code == 200 and res.content.startswith(b"%PDF-")
    html = client.get(f"/reports/run/{run_id}.html", params={"lang": "ja"}).text
    assert "シナリオ・ブリーフィング" in html and f'href="/runs/{run_id}"' in html
    assert 'id="applied"' in html and "エンジンが適用した内容" in html


def test_briefings_as_json(client):
    res = client.get("/api/v1/reports/commodity/gallium", params={"lang": "ja"})
    assert res.status_code == 200
    doc = res.json()
    assert doc["kind"] == "commodity" and doc["findings"][0].startswith("2024年の世界のガリウム")
    assert doc["chart_svg"].startswith("<svg") and doc["sources"]
    run = client.get("/api/v1/reports/run/gallium-test").json()
    assert run["kind"] == "run" and run["repro"]["seed"] == 2023
    res = client.get("/api/v1/reports/run/nope")
    assert res.status_code == 404 and res.headers["content-type"].startswith("application/problem")
