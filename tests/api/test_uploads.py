"""Uploads on the Data page and ``POST /api/v1/datasets/{kind}``: the validated importer.

A good file of every kind imports and its source row shows; a bad file answers with the file,
row and field (page and RFC 9457 problem) and leaves FUKUGAN_HOME's analytic store byte-for-byte
unchanged (checksum before/after); too large a file answers 413; no temporary file stays.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fukugan.data.oecd_iot import BUNDLED_DIR as OECD_DIR
from fukugan.server import create_app

PROBLEM = "application/problem+json"
CODES = b"""country_code,country_name,country_iso2,country_iso3
156,China,CN,CHN
276,Germany,DE,DEU
392,Japan,JP,JPN
842,USA,US,USA
"""
BACI = (
    b"t,i,j,k,v,q\n2022,156,392,850511,900,10\n2022,842,392,850511,60,1\n2022,276,392,811292,4,NA\n"
)
COMTRADE = (
    b"Classification,Year,Period,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,"
    b"Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,Commodity Code,"
    b"Commodity,Qty Unit Code,Qty Unit,Qty,Netweight (kg),Trade Value (US$),Flag\n"
    b"H4,2019,2019,6,1,1,Import,392,Japan,JPN,156,China,CHN,280530,x,8,kg,10,2000,800,0\n"
)
USGS = (
    b"SOURCE,COMMODITY,COUNTRY,TYPE,UNIT_MEAS,PROD_2023,PROD_EST_ 2024,PROD_NOTES,"
    b"CAP_2023,CAP_EST_ 2024,CAP_NOTES,RESERVES_2024,RESERVE_NOTES\n"
    b"MCS2025,Gallium,China,Primary production,kilograms,750000,750000,,,,,,\n"
    b"MCS2025,Gallium,Japan,Primary production,kilograms,3000,3000,,,,,,\n"
)
WGI = b"country,iso3c,year,score_wgi_scale\nJapan,JPN,2022,1.31\nChina,CHN,2022,-0.41\n"
GOOD = {
    # kind: (file name, bytes, dataset, source text)
    "usgs-world": ("MCS2025_World_Data.csv", USGS, "usgs_world_production", "Geological Survey"),
    "wgi": ("wgi.csv", WGI, "wgi", "Worldwide Governance Indicators"),
    "oecd-iot": (
        "JPN2020dom.csv",
        (OECD_DIR / "dom" / "JPN2020dom.csv").read_bytes(),
        "oecd_iot",
        "OECD",
    ),
    "baci": ("BACI_HS17_Y2022_V202401.csv", BACI, "trade", "CEPII BACI"),
    "comtrade": ("comtrade.csv", COMTRADE, "trade", "Comtrade"),
}
BAD = {
    # kind: (file name, bytes, expected file / row / field in the message)
    "wgi": ("wgi.csv", WGI.replace(b"-0.41", b"abc"), ("wgi.csv", "row 3", "score_wgi_scale")),
    "usgs-world": (
        "MCS2025_World_Data.csv",
        USGS.replace(b"3000,3000", b"3000,lots"),
        ("MCS2025_World_Data.csv", "row 3", "PROD_EST_ 2024"),
    ),
    "baci": (
        "BACI_HS17_Y2022_V202401.csv",
        BACI.replace(b"842,392", b"842,3x2"),
        ("BACI_HS17_Y2022_V202401.csv", "row 3", "j"),
    ),
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, loaded_copy) -> Path:
    h = loaded_copy(tmp_path_factory.mktemp("uploads-seed"))
    return h


@pytest.fixture
def env(seeded, tmp_path):
    """A fresh copy of a loaded store, its app client and the analytic dir to checksum."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(seeded, home)
    with TestClient(create_app(home)) as c:
        yield c, home


def leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("fukugan-upload-*")}


def files_for(kind: str, name: str, content: bytes) -> dict:
    files = {"file": (name, content, "text/csv")}
    if kind == "baci":
        files["country_codes"] = ("country_codes_V202401.csv", CODES, "text/csv")
    return files


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(GOOD))
def test_good_upload_via_api_imports_and_lists_the_source(env, kind):
    client, home = env
    name, content, dataset, source = GOOD[kind]
    before = leftovers()
    res = client.post(f"/api/v1/datasets/{kind}", files=files_for(kind, name, content))
    assert res.status_code == 200, res.text
    doc = res.json()
    row = next(r for r in doc["rows"] if r["dataset"] == dataset)
    assert source in row["source"] and row["rows"] > 0
    assert doc["title_args"] == {"kind": kind, "path": name}
    assert leftovers() <= before  # the temporary copy is gone
    sources = client.get("/api/v1/sources").json()["rows"]  # caches follow the store
    assert any(r["dataset"] == dataset and source in r["source"] for r in sources)


@pytest.mark.slow
def test_good_upload_on_the_data_page_shows_the_new_source(env):
    client, _ = env
    res = client.post(
        "/data/upload", data={"kind": "baci"}, files=files_for("baci", *GOOD["baci"][:2])
    )
    assert res.status_code == 200
    assert 'id="upload-result" data-ok="true"' in res.text
    assert 'class="card section just-imported" data-dataset="trade"' in res.text
    assert "CEPII BACI" in res.text


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_upload_names_file_row_field_and_changes_nothing(env, checksum, kind):
    client, home = env
    name, content, (fname, row, field) = BAD[kind]
    analytic = home / "analytic"
    assert analytic.is_dir()
    before = checksum(analytic)
    res = client.post(f"/api/v1/datasets/{kind}", files=files_for(kind, name, content))
    assert res.status_code == 400 and res.headers["content-type"].startswith(PROBLEM)
    detail = res.json()["detail"]
    assert detail.startswith(f"{fname}: {row}, field '{field}'"), detail
    assert "fukugan-upload-" not in detail  # the temporary path never shows
    page = client.post("/data/upload", data={"kind": kind}, files=files_for(kind, name, content))
    assert page.status_code == 400 and 'data-ok="false"' in page.text
    assert fname in page.text and field in page.text
    assert checksum(analytic) == before


def test_upload_refusals(env, checksum, monkeypatch):
    client, home = env
    before = checksum(home / "analytic")
    # BACI without its country codes
    res = client.post(
        "/api/v1/datasets/baci", files={"file": ("BACI_HS17_Y2022_V202401.csv", BACI)}
    )
    assert res.status_code == 400 and "country-code" in res.json()["detail"]
    # unknown kind: 422 problem; empty file: 400; missing file: 422
    res = client.post("/api/v1/datasets/excel", files={"file": ("x.csv", WGI)})
    assert res.status_code == 422 and res.headers["content-type"].startswith(PROBLEM)
    res = client.post("/api/v1/datasets/wgi", files={"file": ("wgi.csv", b"")})
    assert res.status_code == 400 and "empty" in res.json()["detail"]
    assert client.post("/api/v1/datasets/wgi").status_code == 422
    # too large: 413, nothing left behind
    monkeypatch.setenv("FUKUGAN_UPLOAD_MAX_MB", "0.00001")
    res = client.post("/api/v1/datasets/wgi", files={"file": ("wgi.csv", WGI)})
    assert res.status_code == 413 and res.headers["content-type"].startswith(PROBLEM)
    page = client.post("/data/upload", data={"kind": "wgi"}, files={"file": ("wgi.csv", WGI)})
    assert page.status_code == 413 and "upload limit" in page.text
    # the page without a file
    page = client.post("/data/upload", data={"kind": "wgi"})
    assert page.status_code == 400 and "choose a file" in page.text
    assert checksum(home / "analytic") == before


@pytest.mark.slow
def test_data_page_has_the_upload_form(env):
    client, _ = env
    html = client.get("/data", params={"lang": "ja"}).text
    assert 'id="upload-form"' in html and 'enctype="multipart/form-data"' in html
    assert "データの取込" in html
    for kind in GOOD:
        assert f'value="{kind}"' in html
