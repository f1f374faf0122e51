"""Exercises update the playbook library: a decision that follows a practice and a lesson tied
to it appear under the practice for the exercise's players only; the AAR lists the practices
followed; the library pages need a signed-in user; a lesson naming an unknown practice is
refused and changes nothing."""

from __future__ import annotations

import re

import pytest

from fukugan.exercises.model import ExerciseRefused
from fukugan.reports.exercise import exercise_aar
from fukugan.reports.render import render_html
from fukugan.scenarios.exercise import PACKAGES
from fukugan.services.exercises import ExerciseService
from fukugan.services.hub import Hub
from fukugan.services.playbooks import library, playbook_view
from fukugan.store.analytic import AnalyticStore

PW = "correct horse battery staple"
BOOK = "critical-mineral-export-controls"


@pytest.fixture(scope="module")
def world(tmp_path_factory, loaded_copy):
    home = loaded_copy(tmp_path_factory.mktemp("playbooks"))
    hub = Hub(home)
    org = hub.create_org("METI", "ministry")
    users = {n: hub.create_user(n, org, "analyst", 1, PW) for n in ("gov1", "other")}
    hub.dispose()
    svc = ExerciseService(AnalyticStore(home))
    ex_id = svc.create(PACKAGES / "critical-minerals-licensing.yaml")
    svc.assign(ex_id, users["gov1"], "gov")
    svc.start(ex_id)
    svc.decide(ex_id, "D1", "release60", role="gov")  # follows P2
    svc.record(ex_id, "lesson", role="gov", text="Release earlier: day one, not day thirty.",
               practice=f"{BOOK}/P2")  # fmt: skip
    svc.record(ex_id, "lesson", role="gov", text="A lesson of no practice.")
    svc.advance(ex_id)
    svc.end(ex_id)
    yield home, svc, ex_id, users
    svc.dispose()


def test_the_library_shows_what_the_viewers_exercises_taught(world):
    _, svc, ex_id, users = world
    assert [b["id"] for b in library("en")][0] == BOOK
    view = playbook_view(BOOK, "en", exercises=svc, user_id=users["gov1"])
    p2 = next(p for p in view["practices"] if p["id"] == "P2")
    assert [(d["exercise"], d["point"]) for d in p2["decisions"]] == [(ex_id, "D1")]
    assert [les["text"] for les in p2["lessons"]] == ["Release earlier: day one, not day thirty."]
    others = [p for p in view["practices"] if p["id"] != "P2"]
    assert all(not p["lessons"] for p in others)
    # deny by default: an exercise the viewer plays no role in shows nothing
    for uid in (users["other"], None):
        v = playbook_view(BOOK, "en", exercises=svc, user_id=uid)
        assert all(not p["decisions"] and not p["lessons"] for p in v["practices"])
    ja = playbook_view(BOOK, "ja", exercises=svc, user_id=users["gov1"])
    assert ja["practices"][1]["title"] == "備蓄は早期に日数単位で放出する"


def test_aar_lists_the_practices_followed(world):
    _, svc, ex_id, _ = world
    doc = exercise_aar(svc, ex_id, "en")
    html = render_html(doc)
    rows = dict(re.findall(r'data-practice="([^"]+)" data-followed="([^"]*)"', html))
    assert rows[f"{BOOK}/P2"] == "D1" and rows[f"{BOOK}/P3"] == ""
    assert "Release earlier: day one, not day thirty." in html
    assert next(d for d in doc["decisions"] if d["point"] == "D1")["practice"] == f"{BOOK}/P2"


def test_a_lesson_naming_an_unknown_practice_is_refused(world):
    _, svc, ex_id, _ = world
    before = len(svc.events(ex_id))
    for ref in (f"{BOOK}/P99", "regional-blackout-continuity/P1"):
        with pytest.raises(ExerciseRefused) as e:
            svc.record(ex_id, "lesson", role="gov", text="x", practice=ref)
        assert e.value.key == "exercise-refused-unknown-practice"
    assert len(svc.events(ex_id)) == before


def test_library_pages_need_a_signed_in_user(world):
    from fastapi.testclient import TestClient

    from fukugan.server import create_app

    home, _, ex_id, _ = world
    with TestClient(create_app(home)) as c:
        r = c.get("/playbooks", follow_redirects=False)
        assert r.status_code in (302, 303, 401) or "login" in r.text.lower()
        r = c.post("/hub/login", data={"username": "gov1", "password": PW},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        page = c.get(f"/playbooks/{BOOK}?lang=ja").text
        assert "備蓄は早期に日数単位で放出する" in page
        assert f'data-followed="{ex_id}:D1"' in page and "Release earlier" in page
        assert c.get("/playbooks/nope").status_code == 404
        console = c.get(f"/exercises/{ex_id}").text
        assert f'<option value="{BOOK}/P2">' in console
