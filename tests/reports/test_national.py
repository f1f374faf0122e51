"""The national briefing: every figure is one of the service reports' (dependencies,
chokepoints, trends), in English and Japanese; the home switch changes it; the page, the PDF
and the CLI give it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from fukugan.app.format import fmt
from fukugan.i18n import country_name
from fukugan.reports.national import TOP, national_briefing, national_docs
from fukugan.reports.render import render_html
from fukugan.server import create_app
from fukugan.store.analytic import AnalyticStore

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
pytestmark = pytest.mark.slow  # builds the rankings of the bundled data in both languages


@pytest.fixture(scope="module")
def home(tmp_path_factory, loaded_copy) -> Path:
    return loaded_copy(tmp_path_factory.mktemp("national-home"))


@pytest.fixture(scope="module")
def docs(home):
    store = AnalyticStore(home)
    return {
        (h, lang): national_docs(store, home=h, year=2024, lang=lang)
        for h in ("JPN", "DEU")
        for lang in ("en", "ja")
    }


def _brief(docs, h="JPN", lang="en"):
    return national_briefing(
        *docs[(h, lang)], home=h, year=2024, lang=lang, today=date(2026, 12, 7)
    )


def test_every_table_is_the_services_top_rows(docs):
    deps, chk, trends = docs[("JPN", "en")]
    b = _brief(docs)
    by_id = {s["id"]: s for s in b["sections"]}
    pairs = [
        ("dependencies", deps[0]),
        ("dependencies-trade", deps[1]),
        ("chokepoints", chk[0]),
        ("chokepoints-trade", chk[1]),
        *((f"trend-{t['title_args']['span']}", t) for t in trends),
    ]
    assert [p for p, _ in pairs] == [s["id"] for s in b["sections"]]
    assert {"trend-5", "trend-10"} <= set(by_id)
    for sid, doc in pairs:
        s = by_id[sid]
        assert s["title"] == doc["title"] and s["total"] == len(doc["rows"])
        assert len(s["rows"]) == min(TOP, len(doc["rows"]))
        keys = [c["key"] for c in s["columns"]]
        for row, src in zip(s["rows"], doc["rows"], strict=False):
            for key, cell in zip(keys, row, strict=True):
                v = src[key]
                if key in ("imports-usd", "exports-usd"):
                    assert cell == fmt(v / 1e6, "number"), (sid, key)
                elif key in ("top1", "top1-then"):
                    assert cell == (country_name(v, "en") if v else "–"), (sid, key)
                elif key == "rank":
                    assert cell == fmt(v, "number")
                else:
                    kind = next(c["kind"] for c in doc["columns"] if c["key"] == key)
                    want = fmt(v, kind if kind in ("percent", "number", "bool") else "text")
                    assert cell == want, (sid, key)
    # headline figures: the reports' own summaries
    kpi = {k["label"]: k["value"] for k in b["kpis"]}
    n_dep = next(s["value"] for s in deps[1]["summary"] if s["key"] == "n-dependent")
    assert kpi["HS products failing the EU 2021 test"] == f"{n_dep:,}"
    top = deps[0]["rows"][0]
    assert top["commodity"] in b["findings"][0]
    assert fmt(top["autonomy-risk"], "number") in b["findings"][0]
    assert fmt(top["top1-share"], "percent") in b["findings"][0]
    lever = chk[0]["rows"][0]
    assert (
        lever["commodity"] in b["findings"][2] and f"rank {lever['home-rank']}" in b["findings"][2]
    )
    # the sources: every dataset of every report, once
    every = {s["dataset"] for doc in (*deps, *chk, *trends) for s in doc["sources"]}
    shown = [s["dataset"] for s in b["sources"]]
    assert len(shown) == len(set(shown)) and set(shown) == every
    assert {"usgs_world_production", "trade", "wgi", "official_lists"} <= every


def test_the_home_switch_changes_the_figures(docs):
    jp, de = _brief(docs, "JPN"), _brief(docs, "DEU")
    assert de["title"].startswith("Germany") and jp["title"].startswith("Japan")
    assert de["findings"] != jp["findings"]
    jp_hs = {s["id"]: s["rows"] for s in jp["sections"]}["dependencies-trade"]
    de_hs = {s["id"]: s["rows"] for s in de["sections"]}["dependencies-trade"]
    assert jp_hs != de_hs


def test_japanese_briefing_is_written_in_japanese(docs):
    b = _brief(docs, "JPN", "ja")
    assert b["title"].startswith("日本") and b["kicker"] == "国別ブリーフィング"
    for f in b["findings"]:
        assert JAPANESE.search(f) and not re.search(r"\b(the|of|from|rose)\b", f), f
    html = render_html(b)
    assert 'lang="ja"' in html and "中国" in html
    assert "(USD)" not in html and "百万米ドル" in html


def test_page_pdf_and_cli(home, tmp_path):
    with TestClient(create_app(home)) as c:
        page = c.get("/", params={"home": "DEU", "lang": "ja"}).text
        assert "/reports/national.pdf?home=DEU&year=2024&lang=ja" in page
        html = c.get("/reports/national.html", params={"home": "DEU", "lang": "ja"})
        assert html.status_code == 200 and "ドイツ：依存と優位" in html.text
        pdf = c.get("/reports/national.pdf", params={"home": "JPN", "lang": "en"})
        assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
        assert "fukugan-national-JPN-2024-en.pdf" in pdf.headers["content-disposition"]
        assert c.get("/reports/national.html", params={"home": "XXX"}).status_code in (
            400,
            404,
            422,
        )
    import os

    from fukugan.cli.main import app

    out = tmp_path / "national.html"
    res = CliRunner().invoke(
        app,
        ["report", "national", "--html", str(out), "--home", "JPN"],
        env={**os.environ, "FUKUGAN_HOME": str(home)},
    )
    assert res.exit_code == 0, res.output
    assert "Japan: dependencies and leverage, 2024" in out.read_text(encoding="utf-8")
