"""Exercise consoles through FastAPI's TestClient: a facilitator and two players (hub users,
one client each) conduct an exercise; the polled console changes only when the exercise does;
markings hide the intelligence inject from the other organisation; refusals show their message
and change nothing; CSRF on every form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from fukugan.server import create_app
from fukugan.services.datasets import load_bundled
from fukugan.services.hub import Hub
from fukugan.store.analytic import AnalyticStore

PW = "correct horse battery staple"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    home = tmp_path_factory.mktemp("exercise-pages")
    load_bundled(AnalyticStore(home))
    hub = Hub(home)
    meti = hub.create_org("METI", "ministry")
    maker = hub.create_org("Maker", "company")
    hub.create_user("white", meti, "analyst", 2, PW)
    hub.create_user("gov1", meti, "analyst", 1, PW)
    hub.create_user("firm1", maker, "contributor", 0, PW)
    hub.create_user("nobody", maker, "reader", 0, PW)
    hub.dispose()
    app = create_app(home)
    clients = {}
    for name in ("white", "gov1", "firm1", "nobody"):
        c = TestClient(app)
        c.__enter__()
        r = c.post("/hub/login", data={"username": name, "password": PW}, follow_redirects=False)
        assert r.status_code == 303, r.text
        clients[name] = c
    yield clients, app
    for c in clients.values():
        c.__exit__(None, None, None)


def _csrf(c: TestClient, path: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    assert m, "no CSRF token"
    return m.group(1)


def _token(html: str) -> str:
    return re.search(r"console\?since=([^\"]+)\"", html).group(1)


def _post(c: TestClient, path: str, page: str, **data) -> str:
    r = c.post(path, data={"csrf_token": _csrf(c, page), **data}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


@pytest.mark.slow
def test_facilitator_and_two_players_conduct_an_exercise(world):
    clients, app = world
    white, gov, firm, nobody = (clients[k] for k in ("white", "gov1", "firm1", "nobody"))
    loc = _post(white, "/exercises", "/exercises", package="critical-minerals-licensing.yaml")
    ex_id = loc.rsplit("/", 1)[1]
    page = f"/exercises/{ex_id}"
    assert white.get(page).status_code == 200
    _post(white, f"{page}/assign", page, username="gov1", role="gov")
    _post(white, f"{page}/assign", page, username="firm1", role="firm")
    assert nobody.get(page).status_code == 404  # plays no role: not even its existence
    assert nobody.get(f"{page}/aar").status_code == 404

    before = _token(gov.get(page).text)
    assert gov.get(f"{page}/console?since={before}").status_code == 204  # nothing changed
    # only the facilitator conducts
    loc = _post(firm, f"{page}/action/start", page)
    assert "facilitator" in firm.get(loc).text
    _post(white, f"{page}/action/start", page)
    r = gov.get(f"{page}/console?since={before}")
    assert r.status_code == 200 and 'data-status="running"' in r.text  # the poll sees it
    injects = set(re.findall(r'data-inject="([^"]+)"', r.text))
    assert injects == {"1", "2"}  # AMBER intelligence: the facilitator's organisation
    f = firm.get(page).text
    assert set(re.findall(r'data-inject="([^"]+)"', f)) == {"1", "3"}
    assert "Assessment: licences will take" not in f

    # decisions: taken once, by its role only
    _post(gov, f"{page}/decide", page, point="D1", option="release60")
    loc = _post(gov, f"{page}/decide", page, point="D1", option="hold")
    assert "already taken" in gov.get(loc).text
    loc = _post(firm, f"{page}/decide", page, point="D1", option="hold")
    assert "belongs to role gov" in firm.get(loc).text
    # no CSRF token: refused, nothing changed
    r = gov.post(f"{page}/decide", data={"point": "D2", "option": "wait"},
                 follow_redirects=False)  # fmt: skip
    assert r.status_code in (303, 403) and "decide" not in r.headers.get("location", "")
    svc = app.state.exercises
    assert [d["option"] for d in svc.state(ex_id)["decisions"]] == ["release60"]

    _post(white, f"{page}/action/advance", page)
    f = firm.get(page, params={"lang": "ja"}).text
    assert 'data-decision="D2" data-open="true"' in f and "中国産ガリウムをどう代替するか" in f
    firm.get(page, params={"lang": "en"})  # back to English (the language is a cookie)
    _post(firm, f"{page}/decide", page, point="D2", option="qualify")
    _post(white, f"{page}/action/advance", page)
    f = firm.get(page).text
    runs = {r["label"]: r for r in svc.runs(ex_id)}
    shown = re.search(r'data-kpi="loss">.*?data-value="([^"]+)"', f, re.S).group(1)
    assert float(shown) == runs["turn-3"]["kpis"]["loss"]
    _post(firm, f"{page}/note", page, kind="lesson", text="Qualify second sources early.")
    loc = _post(firm, f"{page}/note", page, kind="observation", rating="P", text="x")
    assert "Only the facilitator and evaluators" in firm.get(loc).text
    _post(white, f"{page}/note", page, kind="improvement", issue="No playbook",
          action="Write one", owner="METI", due="2027-03-31")  # fmt: skip
    _post(white, f"{page}/action/end", page)
    aar = gov.get(f"{page}/aar")
    assert aar.status_code == 200 and "After-action report" in aar.text
    assert "Qualify second sources early." in aar.text and "Write one" in aar.text
    assert "事後検証" in gov.get(f"{page}/aar", params={"lang": "ja"}).text
    pdf = gov.get(f"{page}/aar.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert nobody.get(f"{page}/aar.pdf").status_code == 404

    # the planner's best response: the facilitator's, once the exercise has ended
    assert 'id="best-not-computed"' in aar.text
    assert 'data-action="best"' in white.get(page).text
    assert 'data-action="best"' not in gov.get(page).text
    loc = _post(gov, f"{page}/action/best", page)
    assert "Only the exercise&#39;s facilitator" in gov.get(loc).text
    assert "best" not in {r["label"] for r in svc.runs(ex_id)}
    _post(white, f"{page}/action/best", page)  # starts it in the background, answers at once
    import time

    deadline = time.monotonic() + 120
    while (svc.best_progress(ex_id) or {}).get("running") and time.monotonic() < deadline:
        text = white.get(page).text
        if 'id="best-progress" data-running="true"' in text:  # this page saw it running:
            assert 'data-action="best"' not in text  # no second start meanwhile
        time.sleep(0.5)
    prog = svc.best_progress(ex_id)
    assert prog and not prog["running"] and not prog["error"] and prog["done"] == prog["total"]
    assert 'id="best-progress"' in white.get(page).text
    best = {r["label"]: r for r in svc.runs(ex_id)}["best"]
    aar = gov.get(f"{page}/aar").text
    assert 'id="best-not-computed"' not in aar
    shown = re.search(r'data-kpi="loss" data-run="best" data-value="([^"]+)"', aar).group(1)
    assert float(shown) == best["kpis"]["loss"]
    assert aar.count("data-best=") == len(best["decisions"]) == 5
