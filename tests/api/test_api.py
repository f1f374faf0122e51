"""The REST API (``/api/v1``) and the pages, through FastAPI's TestClient over the bundled data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fukugan.app.platform import OVERVIEW_CHOKEPOINTS, OVERVIEW_DEPENDENCIES
from fukugan.server import create_app
from fukugan.services.datasets import load_bundled
from fukugan.store.analytic import AnalyticStore

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(tmp_path_factory, loaded_copy) -> TestClient:
    home = loaded_copy(tmp_path_factory.mktemp("api-home"))
    with TestClient(create_app(home)) as c:
        yield c


def problem_of(res, status: int) -> dict:
    assert res.status_code == status, res.text
    assert res.headers["content-type"].startswith(PROBLEM)
    body = res.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status and body["detail"]
    return body


# -- known answers ------------------------------------------------------------------------------


@pytest.mark.slow
def test_gallium_profile_known_answer(client):
    res = client.get("/api/v1/commodities/gallium", params={"year": 2024, "home": "JPN"})
    assert res.status_code == 200
    doc = res.json()
    rows = {r["iso3"]: r for r in doc["rows"]}
    # USGS MCS 2025: China 750,000 kg of 762,000 kg listed
    assert rows["CHN"]["share"] == pytest.approx(750000 / 762000)
    summary = {s["key"]: s["value"] for s in doc["summary"]}
    assert summary["denominator"] == 762000
    assert summary["home-rank"] == 3
    assert "EU-CRM" in summary["official-lists"]
    assert summary["eu-sr"] == pytest.approx(5.49, abs=1e-3)
    assert {s["dataset"] for s in doc["sources"]} >= {"usgs_world_production", "wgi"}
    assert all(s["citation"] for s in doc["sources"])
    kinds = {c["key"]: c["kind"] for c in doc["columns"]}
    assert kinds["share"] == "percent" and kinds["value"] == "number"
    assert doc["total"] == len(doc["rows"]) == 5


def test_gallium_history_known_answer(client):
    """MCS 2025 gallium, primary production (kg): 2023 China 621,000 of 633,000 listed (Russia
    6,000, Japan 3,000, Korea 3,000; no "Other countries"); 2024 (est.) China 750,000 of
    762,000. The denominator rule is the profile's, so 2024 agrees with the profile."""
    res = client.get("/api/v1/commodities/Gallium/history", params={"home": "JPN"})
    assert res.status_code == 200, res.text
    doc = res.json()
    assert doc["commodity_id"] == "gallium" and doc["home"] == "JPN"
    assert doc["years"] == [2023, 2024]
    by_year = {r["year"]: r for r in doc["by_year"]["rows"]}
    chn23, chn24 = 621000 / (621000 + 6000 + 3000 + 3000), 750000 / (750000 + 6000 + 3000 + 3000)
    assert by_year[2023]["denominator"] == 633000 and by_year[2024]["denominator"] == 762000
    assert by_year[2023]["top1"] == by_year[2024]["top1"] == "China"
    assert by_year[2023]["top1-share"] == pytest.approx(chn23)
    assert by_year[2024]["top1-share"] == pytest.approx(chn24)
    hhi23 = chn23**2 + (6000 / 633000) ** 2 + 2 * (3000 / 633000) ** 2
    assert by_year[2023]["hhi"] == pytest.approx(hhi23)
    assert by_year[2023]["home-share"] == pytest.approx(3000 / 633000)
    assert by_year[2023]["home-rank"] == by_year[2024]["home-rank"] == 3
    prod = {(r["year"], r["iso3"]): r for r in doc["producers"]["rows"]}
    assert prod[2023, "CHN"]["value"] == 621000 and prod[2024, "CHN"]["value"] == 750000
    assert prod[2024, "CHN"]["share"] == pytest.approx(chn24)
    assert {k[1] for k in prod} == {"CHN", "RUS", "JPN", "KOR"}
    assert doc["producers"]["rows"][0]["iso3"] == "CHN"  # ordered by the latest share
    kinds = {c["key"]: c["kind"] for c in doc["by_year"]["columns"]}
    assert kinds["top1-share"] == "percent" and kinds["hhi"] == "number"
    assert doc["by_year"]["sources"][0]["dataset"] == "usgs_world_production"
    # the latest year agrees with the profile of that year
    prof = client.get("/api/v1/commodities/gallium", params={"year": 2024}).json()
    summary = {s["key"]: s["value"] for s in prof["summary"]}
    assert by_year[2024]["hhi"] == pytest.approx(summary["hhi"])
    assert by_year[2024]["home-share"] == pytest.approx(summary["home-share"])


def test_history_of_a_commodity_with_other_countries(client):
    """Copper: "Other countries" counts in the denominator, never as a top producer; a
    non-producing home has share 0 and no rank."""
    doc = client.get("/api/v1/commodities/copper/history", params={"home": "JPN"}).json()
    for r in doc["by_year"]["rows"]:
        assert r["denominator"] > 0 and r["hhi-upper"] > r["hhi"]
        assert r["home-share"] == 0 and r["home-rank"] is None
    assert "Other countries" not in {r["country"] for r in doc["producers"]["rows"]}
    ja = client.get("/api/v1/commodities/copper/history", params={"lang": "ja"}).json()
    assert "推移" in ja["by_year"]["title"]


def test_commodity_page_shows_the_history_card(client):
    html = client.get("/commodities/gallium", params={"lang": "en"}).text
    assert 'id="history"' in html and ">History</h2>" in html
    assert 'data-chart="history-bars"' in html and 'id="history-data"' in html
    table = html[
        html.index('id="history-table"') : html.index("</table>", html.index('id="history-table"'))
    ]
    assert '<td class="num">2023</td>' in table and '<td class="num">2024</td>' in table
    assert "98.1%" in table and "98.4%" in table  # China's share in 2023 and 2024
    ja = client.get("/commodities/gallium", params={"lang": "ja"}).text
    assert ">推移</h2>" in ja and "最新年（2024年）は推定値" in ja


def test_commodity_names_resolve_like_the_cli(client):
    res = client.get("/api/v1/commodities/Gallium")
    assert res.status_code == 200
    assert res.json()["title_args"]["commodity"] == "Gallium"


@pytest.mark.slow
def test_overview_matches_the_cli_overview(client, tmp_path_factory):
    doc = client.get("/api/v1/overview", params={"home": "JPN", "year": 2024}).json()
    deps, chk, scm = doc["dependencies"], doc["chokepoints"], doc["critical_materials"]
    assert deps["rows"][0]["commodity"] == "Gallium"
    assert deps["rows"][0]["commodity-id"] == "gallium"
    assert len(deps["rows"]) == 10 and len(chk["rows"]) == 10
    assert [c["key"] for c in deps["columns"]] == OVERVIEW_DEPENDENCIES
    assert [c["key"] for c in chk["columns"]] == OVERVIEW_CHOKEPOINTS
    # the same columns and rows as `fukugan overview` (services.overview)
    from fukugan.services.overview import overview

    store = client.app.state.platform.store
    cli = overview(store, home="JPN", year=2024, top=10)
    ids = [k for k in OVERVIEW_DEPENDENCIES if k != "commodity-id"]
    assert list(cli[0].table.columns) == ids
    assert [r["commodity"] for r in deps["rows"]] == cli[0].table["commodity"].tolist()
    assert list(cli[1].table.columns) == [k for k in OVERVIEW_CHOKEPOINTS if k != "commodity-id"]
    assert [r["commodity"] for r in chk["rows"]] == cli[1].table["commodity"].tolist()
    # the specified critical materials: 12 entries, critical minerals linked to gallium
    assert len(scm["rows"]) == 12
    cm = next(r for r in scm["rows"] if r["item-key"] == "critical_minerals")
    assert cm["riskiest-id"] == "gallium" and "cobalt" in cm["linked-ids"]
    assert cm["status"] == "scm-status-linked"


@pytest.mark.slow
def test_lang_ja_labels(client):
    doc = client.get("/api/v1/overview", params={"lang": "ja"}).json()
    deps = doc["dependencies"]
    assert deps["title"].startswith("JPN の自律性リスク")
    assert deps["rows"][0]["commodity"] == "ガリウム"
    labels = {c["key"]: c["label"] for c in deps["columns"]}
    assert labels["top1-share"] == "最大国シェア"
    assert doc["lang"] == "ja"
    items = client.get("/api/v1/commodities", params={"lang": "ja", "limit": 500}).json()["items"]
    assert {"id": "gallium", "name": "ガリウム"}.items() <= next(
        i for i in items if i["id"] == "gallium"
    ).items()


# -- lists and pagination -----------------------------------------------------------------------


def test_commodities_paginated_with_total_and_tags(client):
    full = client.get("/api/v1/commodities").json()
    total = full["total"]
    assert total == len(full["items"]) > 50
    page = client.get("/api/v1/commodities", params={"limit": 5, "offset": 5}).json()
    assert page["total"] == total and page["limit"] == 5 and page["offset"] == 5
    assert [i["id"] for i in page["items"]] == [i["id"] for i in full["items"][5:10]]
    past = client.get("/api/v1/commodities", params={"limit": 5, "offset": total}).json()
    assert past["items"] == [] and past["total"] == total
    gallium = next(i for i in full["items"] if i["id"] == "gallium")
    assert gallium["tags"] == ["JP-SCM", "EU-SRM", "EU-CRM", "US-CM"]
    jp = client.get("/api/v1/commodities", params={"tag": "JP-SCM"}).json()
    assert 0 < jp["total"] < total and all("JP-SCM" in i["tags"] for i in jp["items"])


@pytest.mark.slow
def test_dependencies_paginate_sort_and_filter(client):
    full = client.get("/api/v1/dependencies").json()["reports"][0]
    page = client.get("/api/v1/dependencies", params={"limit": 3, "offset": 1}).json()
    rep = page["reports"][0]
    assert rep["total"] == full["total"] > 50
    assert [r["rank"] for r in rep["rows"]] == [2, 3, 4]
    srt = client.get("/api/v1/dependencies", params={"sort": "hhi", "order": "desc"}).json()
    hhi = [r["hhi"] for r in srt["reports"][0]["rows"] if r["hhi"] is not None]
    assert hhi == sorted(hhi, reverse=True)
    flt = client.get("/api/v1/dependencies", params={"q": "CHN", "tag": "JP-SCM"}).json()
    rows = flt["reports"][0]["rows"]
    assert rows and all(r["top1"] == "CHN" and "JP-SCM" in r["official-lists"] for r in rows)


def test_chokepoints_and_import_content(client):
    chk = client.get("/api/v1/chokepoints", params={"limit": 1}).json()["reports"][0]
    assert chk["rows"][0]["commodity"] == "Iodine" and chk["total"] > 10
    ic = client.get(
        "/api/v1/industries/import-content", params={"country": "JPN", "year": 2020}
    ).json()
    assert ic["total"] == 45
    assert ic["rows"][0]["code"] == "C19"  # coke and refined petroleum: highest total content
    assert ic["rows"][0]["total-import-content"] == pytest.approx(0.46318, abs=1e-4)


def test_sources_list_the_bundled_datasets(client):
    doc = client.get("/api/v1/sources").json()
    names = {r["dataset"] for r in doc["rows"]}
    assert {"usgs_world_production", "oecd_iot", "wgi", "official_lists"} <= names
    assert all(r["licence"] and r["source"] for r in doc["rows"])


# -- errors as problem details ------------------------------------------------------------------


def test_unknown_commodity_is_a_404_problem(client):
    body = problem_of(client.get("/api/v1/commodities/unobtainium"), 404)
    assert "unknown commodity" in body["detail"]
    assert body["instance"] == "/api/v1/commodities/unobtainium"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/overview?year=abc", 422),
        ("/api/v1/overview?home=J1N", 422),
        ("/api/v1/overview?lang=fr", 422),
        ("/api/v1/commodities?limit=0", 422),
        ("/api/v1/commodities?offset=-1", 422),
        ("/api/v1/overview?home=XXX", 400),
        ("/api/v1/overview?year=1990", 404),
        ("/api/v1/commodities/gallium?year=2001", 404),
        ("/api/v1/commodities/unobtainium/history", 404),
        ("/api/v1/commodities/gallium/history?home=XXX", 400),
        ("/api/v1/industries/import-content?country=JPN&year=1990", 404),
        ("/api/v1/industries/import-content?country=ATA&year=2020", 404),
        ("/api/v1/trade/dependency?product=811292", 404),  # not among the 74 bundled codes
        ("/api/v1/trade/dependency", 422),
        ("/api/v1/nothing-here", 404),
    ],
)
def test_user_mistakes_are_4xx_problems(client, url, status):
    body = problem_of(client.get(url), status)
    if status == 422 and "nothing" not in url:
        assert body["errors"]


# -- OpenAPI, docs and pages --------------------------------------------------------------------


def test_openapi_documents_every_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/v1/overview",
        "/api/v1/commodities",
        "/api/v1/commodities/{commodity}",
        "/api/v1/commodities/{commodity}/history",
        "/api/v1/dependencies",
        "/api/v1/chokepoints",
        "/api/v1/industries/import-content",
        "/api/v1/trade/dependency",
        "/api/v1/sources",
    } <= paths
    assert "ReportOut" in spec["components"]["schemas"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "/api/v1/commodities/{commodity}" in docs.text


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?lang=ja",
        "/commodities",
        "/commodities/gallium",
        "/commodities/germanium?year=2023",
        "/dependencies?sort=hhi&order=desc&q=chn",
        "/chokepoints?tag=EU-CRM",
        "/industries?country=USA&iot_year=2015",
        "/data",
        "/api/v1/docs",
    ],
)
@pytest.mark.slow
def test_pages_render_without_external_resources(client, url):
    res = client.get(url)
    assert res.status_code == 200, res.text[:500]
    assert res.headers["content-type"].startswith("text/html")
    assert "複眼" in res.text and "fukugan" in res.text
    # nothing is loaded from another host (no CDN)
    for tag in re.findall(r"<(?:script|link|img)[^>]+>", res.text):
        assert "http://" not in tag and "https://" not in tag and "//" not in tag.split("=")[1][:3]


def test_page_errors_are_pages(client):
    res = client.get("/commodities/unobtainium")
    assert res.status_code == 404 and "text/html" in res.headers["content-type"]
    assert "unknown commodity" in res.text


@pytest.mark.slow
def test_language_and_home_persist_in_cookies(tmp_path_factory, client):
    app = client.app
    with TestClient(app) as c:
        assert "経済安全保障の概況" in c.get("/?lang=ja&home=USA").text
        page = c.get("/").text  # no parameters: the cookies remember
        assert "経済安全保障の概況：USA" in page
        assert "Economic-security overview: USA" in c.get("/?lang=en").text


def test_csv_download_has_sources_and_labels(client):
    res = client.get("/dependencies.csv", params={"lang": "en", "q": "gallium"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    assert "attachment" in res.headers["content-disposition"]
    lines = res.text.splitlines()
    assert lines[0].startswith("# report: Autonomy risks of JPN")
    assert any(ln.startswith("# Source: U.S. Geological Survey") for ln in lines)
    header = next(ln for ln in lines if not ln.startswith("#"))
    assert header.startswith("Rank,Commodity,Commodity id,Autonomy risk")
    first = lines.index(header) + 1
    assert lines[first].startswith("1,Gallium,gallium,0.544")
    # then the HS products of the bundled trade data (none is named "gallium")
    assert lines[-1].startswith("Rank,HS6,Product,Imports (USD)")


# -- caching and vendored assets ----------------------------------------------------------------


@pytest.mark.slow
def test_results_follow_store_changes(tmp_path):
    """A write to the store (another process's import) is seen on the next request."""
    from fukugan.provenance import Provenance

    load_bundled(AnalyticStore(tmp_path))
    with TestClient(create_app(tmp_path)) as c:
        before = {r["dataset"] for r in c.get("/api/v1/sources").json()["rows"]}
        frame = __import__("pandas").DataFrame({"a": [1]})
        AnalyticStore(tmp_path).replace(
            {"extra": (frame, Provenance("extra", "me", "2024", "n", "CC0"))}
        )
        after = {r["dataset"] for r in c.get("/api/v1/sources").json()["rows"]}
    assert after - before == {"extra"}


def test_vendored_assets_are_small_and_recorded():
    static = Path(__file__).resolve().parents[2] / "src" / "fukugan" / "web" / "static"
    files = [p for p in static.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 3 * 2**20
    record = (static / "VENDORED.md").read_text("utf-8")
    for p in (static / "vendor").glob("*.*"):
        assert f"`vendor/{p.name}`" in record
    for name in ("htmx.min.js", "echarts.min.js", "topojson-client.min.js", "countries-110m.json"):
        assert (static / "vendor" / name).stat().st_size > 1000


def test_serve_command_is_registered():
    from typer.testing import CliRunner

    from fukugan.cli.main import app

    res = CliRunner().invoke(app, ["serve", "--help"])
    assert res.exit_code == 0 and "--port" in res.output


@pytest.mark.slow
def test_api_benchmark_runs_quick():
    """``benchmarks/bench_api.py --quick`` works (a small bounded load on loopback)."""
    from benchmarks import bench_api

    text, fig = bench_api.run(quick=True, n_requests=200, clients=50)
    assert fig["requests"] == 200 and fig["clients"] == 50
    assert 0 < fig["p50_ms"] <= fig["p95_ms"] <= fig["p99_ms"] <= fig["max_ms"]
    assert "p95" in text and set(fig["cold_ms"]) == set(bench_api.ENDPOINTS)
