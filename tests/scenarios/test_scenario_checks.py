"""Pages a user expects to work: a scenario is checked at upload against what its run will need,
with every problem reported at once (page, API and CLI); the Overview of another home says the
specified-materials table is Japan's and names the home's own lists."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fukugan.server import create_app

TWO_TYPOS = """\
name: two-typos
engine: static
data:
  oecd_iot: {country: JPN, year: 2020}
shocks:
  - {type: quota, country: CHN, commodity: galium, cut: 0.5, start: 0, duration: 30}
  - {type: quota, country: CHN, commodity: germanum, cut: 0.5, start: 0, duration: 30}
"""
THREE_SCHEMA = """\
name: three-problems
engine: static
data:
  oecd_iot: {country: JPN, year: 2020}
horizon_days: soon
shocks:
  - {type: quota, country: CHN, commodity: gallium, cut: 1.5, start: -1, duration: 30}
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory, loaded_copy):
    home = tmp_path_factory.mktemp("scenario-checks")
    loaded_copy(home)
    with TestClient(create_app(home)) as c:
        yield c


def test_unknown_commodities_are_refused_at_upload_all_at_once(client):
    res = client.post("/api/v1/scenarios", json={"yaml": TWO_TYPOS, "filename": "t.yaml"})
    assert res.status_code == 422
    errors = res.json()["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [
        (6, "shocks[0].commodity"),
        (7, "shocks[1].commodity"),
    ]
    assert "galium" in errors[0]["message"] and "Gallium (gallium)" in errors[0]["message"]
    assert "germanum" in errors[1]["message"]
    # a run of the text is refused the same way, before anything is queued
    assert client.post("/api/v1/runs", json={"yaml": TWO_TYPOS}).status_code == 422
    assert client.get("/api/v1/runs").json()["total"] == 0
    page = client.post("/scenarios/upload", files={"file": ("t.yaml", TWO_TYPOS, "text/yaml")}).text
    assert "galium" in page and "germanum" in page


def test_schema_problems_are_all_listed(client):
    res = client.post("/api/v1/scenarios", json={"yaml": THREE_SCHEMA, "filename": "s.yaml"})
    assert res.status_code == 422
    fields = {e["field"] for e in res.json()["errors"]}
    assert fields == {"horizon_days", "shocks[0].start", "shocks[0].cut"}
    assert "more problem" not in res.json()["detail"] or "shocks[0].cut" in res.json()["detail"]


@pytest.mark.slow
def test_overview_of_another_home_names_its_own_lists(client):
    deu = client.get("/", params={"home": "DEU", "lang": "en"}).text
    assert 'id="scm-other-home"' in deu and "designation of specified critical materials" in deu
    assert 'data-home-list="EU-CRM"' in deu and 'data-home-list="JP-SCM"' not in deu
    ja = client.get("/", params={"home": "DEU", "lang": "ja"}).text
    assert "日本の特定重要物資" in ja
    jpn = client.get("/", params={"home": "JPN", "lang": "en"}).text
    assert 'id="scm-other-home"' not in jpn
    bra = client.get("/", params={"home": "BRA", "lang": "en"}).text
    assert "include none for BRA" in bra
