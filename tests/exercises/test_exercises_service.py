"""Exercises conducted through the service, on SQLite and PostgreSQL: a scripted exercise with
a facilitator and two player roles played by hub users, whose after-action report's numbers
equal the runs' own files; refusals (twice, late, wrong role) change nothing; markings hide
intelligence injects; an exercise survives a restart mid-turn."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

import numpy as np
import pandas as pd
import pytest

from fukugan.exercises.model import ExerciseRefused, exercise_from_doc
from fukugan.reports.exercise import exercise_aar
from fukugan.reports.render import render_html
from fukugan.scenarios.exercise import PACKAGES, bundled_packages
from fukugan.services.datasets import load_bundled
from fukugan.services.exercises import ExerciseService
from fukugan.store.analytic import AnalyticStore
from fukugan.store.rundir import read_run

PACKAGE = PACKAGES / "critical-minerals-licensing.yaml"
NOW = datetime(2026, 12, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> AnalyticStore:
    s = AnalyticStore(tmp_path_factory.mktemp("home"))
    load_bundled(s)
    return s


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('ws') / 'workspace.sqlite'}"
    return request.getfixturevalue("pg_cluster").create_database()


@pytest.fixture(scope="module")
def users(url) -> dict[str, int]:
    """Hub users: a facilitator, a government player (clearance 1), a government player
    without clearance, a firm player in another organisation, an evaluator."""
    from fukugan.services.hub import Hub

    hub = Hub(url=url, clock=lambda: NOW)
    try:
        meti = hub.create_org("METI exercise cell", "ministry")
        maker = hub.create_org("Maker Co.", "company")
        pw = "correct horse battery staple"
        return {
            "white": hub.create_user("white", meti, "analyst", 2, pw),
            "gov": hub.create_user("gov1", meti, "analyst", 1, pw),
            "gov0": hub.create_user("gov0", meti, "reader", 0, pw),
            "firm": hub.create_user("firm1", maker, "contributor", 0, pw),
            "eval": hub.create_user("eval1", meti, "reader", 1, pw),
        }
    finally:
        hub.dispose()


def _refused(key: str, svc: ExerciseService, ex_id: str, fn, *args, **kw) -> None:
    """``fn`` is refused with ``key`` and nothing changed (state, version, events)."""
    before = (svc.state(ex_id), len(svc.events(ex_id)))
    with pytest.raises(ExerciseRefused) as e:
        fn(ex_id, *args, **kw)
    assert e.value.key == key, str(e.value)
    assert "nothing changed" in str(e.value) or key not in (
        "exercise-refused-twice",
        "exercise-refused-late",
        "exercise-refused-wrong-role",
    )
    assert (svc.state(ex_id), len(svc.events(ex_id))) == before


def _kpis_from_files(run_dir: str, ex, day: int) -> dict[str, float | None]:  # noqa: ANN001
    """The KPIs recomputed from a run directory's own files, independently of the service
    (``day``: the scenario day the run's "loss so far" is counted to)."""
    ts, _, summary = read_run(run_dir)
    loss = ts[(ts["metric"] == "loss") & (ts["unit_kind"] == "sector")]
    daily = loss.groupby("t")["value"].sum().sort_index()
    by_sector = loss.groupby("unit")["value"].sum()
    out: dict[str, float | None] = {}
    for k in ex.kpis:
        if k.metric == "production_loss":
            out[k.id] = summary["total_loss"]
        elif k.metric == "loss_to_date":
            out[k.id] = float(daily[daily.index <= day].sum())
        elif k.metric == "peak_loss":
            out[k.id] = summary["peak_loss"]
        elif k.metric == "days_to_recovery":
            out[k.id] = summary["recovery_day"]
        elif k.metric == "sector_loss":
            out[k.id] = float(by_sector.get(k.sector, 0.0))
        elif k.metric == "shortage":
            out[k.id] = float(summary["import_cut_peak"].get(k.sector, 0.0))
    return out


@pytest.mark.slow
def test_scripted_exercise_end_to_end(store, url, users, aar_cells):
    svc = ExerciseService(store, url)
    try:
        ex_id = svc.create(PACKAGE, owner_user_id=users["white"])
        ex = svc.exercise(ex_id)
        for who in ("gov", "gov0"):
            svc.assign(ex_id, users[who], "gov")
        svc.assign(ex_id, users["firm"], "firm")
        svc.assign(ex_id, users["eval"], "eval")
        svc.assign(ex_id, users["white"], "white")
        _refused("exercise-refused-not-started", svc, ex_id, svc.decide, "D1", "hold",
                 user_id=users["gov"])  # fmt: skip
        svc.start(ex_id, user_id=users["white"])

        # turn 1: markings — the AMBER intelligence item (clearance 1) reaches gov1 only
        gov = svc.view(ex_id, user_id=users["gov"])
        assert [i["id"] for i in gov["injects"]] == ["1", "2"]
        gov0 = svc.view(ex_id, user_id=users["gov0"])
        assert [i["id"] for i in gov0["injects"]] == ["1"] and gov0["withheld"] == 1
        firm = svc.view(ex_id, user_id=users["firm"], lang="ja")
        assert [i["id"] for i in firm["injects"]] == ["1", "3"]
        assert firm["injects"][0]["subject"] == "中国、ガリウム・ゲルマニウムの輸出許可制を発表"
        assert [d["id"] for d in firm["decisions"]] == []  # D2 opens in turn 2
        assert {k["id"] for k in firm["kpis"]} == {"loss", "to_date", "metals", "electrical",
                                                   "vehicles"}  # fmt: skip
        white = svc.view(ex_id, user_id=users["white"])
        assert len(white["injects"]) == 3 and len(white["kpis"]) == len(ex.kpis)

        # wrong role, twice, late: refused, nothing changed
        _refused("exercise-refused-wrong-role", svc, ex_id, svc.decide, "D1", "hold",
                 user_id=users["firm"])  # fmt: skip
        _refused("exercise-refused-not-your-role", svc, ex_id, svc.decide, "D1", "hold",
                 role="gov", user_id=users["firm"])  # fmt: skip
        svc.decide(ex_id, "D1", "release60", user_id=users["gov"])
        _refused("exercise-refused-twice", svc, ex_id, svc.decide, "D1", "hold",
                 user_id=users["gov0"])  # fmt: skip
        svc.advance(ex_id, user_id=users["white"])  # turn 2

        svc.decide(ex_id, "D2", "qualify", user_id=users["firm"])
        v = svc.view(ex_id, user_id=users["gov"])
        news = next(i for i in v["injects"] if i["id"] == "4")
        assert news["subject"] == "Stockpile release calms the gallium market"  # change rule
        svc.pause(ex_id)
        _refused("exercise-refused-paused", svc, ex_id, svc.decide, "D3", "wto",
                 user_id=users["gov"])  # fmt: skip
        svc.resume(ex_id)
        svc.advance(ex_id)  # turn 3: inject 6 (fires only if D1 = hold) is suppressed
        st = svc.state(ex_id)
        assert st["injects"]["6"]["status"] == "suppressed"
        svc.advance(ex_id)  # turn 4: D3 closed untaken
        _refused("exercise-refused-late", svc, ex_id, svc.decide, "D3", "wto",
                 user_id=users["gov"])  # fmt: skip
        svc.decide(ex_id, "D4", "priority", user_id=users["gov"])
        assert svc.state(ex_id)["injects"]["10"]["status"] == "held"
        svc.fire(ex_id, "10", user_id=users["white"])
        svc.advance(ex_id)
        svc.advance(ex_id)
        svc.record(
            ex_id,
            "observation",
            role="eval",
            user_id=users["eval"],
            objective="O2",
            rating="S",
            strength=True,
            text="Stockpile released within the first turn.",
        )
        svc.record(ex_id, "observation", role="eval", objective="O1", rating="M",
                   text="No countermeasure was prepared before graphite.")  # fmt: skip
        _refused("exercise-refused-evaluators-only", svc, ex_id, svc.record, "observation",
                 role="gov", rating="P", text="x")  # fmt: skip
        svc.record(ex_id, "lesson", role="firm", user_id=users["firm"],
                   text="Qualify second sources before a crisis.")  # fmt: skip
        svc.record(ex_id, "improvement", role="white", issue="No graphite playbook",
                   action="Write a graphite response playbook", owner="METI",
                   due="2027-03-31")  # fmt: skip
        _refused("exercise-refused-due", svc, ex_id, svc.record, "improvement", role="white",
                 issue="a", action="b", owner="c", due="next spring")  # fmt: skip
        svc.end(ex_id)
        runs = {r["label"]: r for r in svc.runs(ex_id)}
        assert set(runs) == {"baseline", "final", *(f"turn-{k}" for k in range(1, 7))}
        assert all(r["status"] == "done" for r in runs.values())

        # each turn re-ran the scenario with the decisions so far; the past never changes
        assert [len(runs[f"turn-{k}"]["decisions"]) for k in range(1, 7)] == [0, 1, 2, 2, 3, 3]
        for k in range(2, 7):
            day = ex.first_day(k)
            prev = np.array(runs[f"turn-{k - 1}"]["curve"]["daily"][:day])
            cur = np.array(runs[f"turn-{k}"]["curve"]["daily"][:day])
            np.testing.assert_allclose(cur, prev, rtol=1e-12, atol=0)
        assert runs["turn-1"]["kpis"] == {
            **runs["baseline"]["kpis"], "to_date": 0.0
        }  # fmt: skip
        # the decisions cut the loss
        assert runs["final"]["kpis"]["loss"] < runs["baseline"]["kpis"]["loss"]

        # the AAR's numbers are the runs' own files
        for lang in ("en", "ja"):
            doc = exercise_aar(svc, ex_id, lang)
            html = render_html(doc)
            cells = aar_cells(html)
            assert len(cells) == len(ex.kpis) * 8
            for label, run_dir in doc["runs"].items():
                assert run_dir == runs[label]["run_dir"]
                day = (
                    ex.first_day(int(label[5:]))
                    if label.startswith("turn-")
                    else ex.effective_day(ex.turns)
                )
                files = _kpis_from_files(run_dir, ex, day)
                for kpi_id, want in files.items():
                    got = cells[(kpi_id, label)]
                    if want is None:
                        assert got == ""
                    else:
                        assert float(got) == pytest.approx(want, rel=1e-12, abs=1e-15), (
                            label,
                            kpi_id,
                        )
            _, _, base_summary = read_run(doc["runs"]["baseline"])
            _, _, final_summary = read_run(doc["runs"]["final"])
            assert doc["totals"]["baseline"] == pytest.approx(base_summary["total_loss"], rel=1e-12)
            assert doc["totals"]["final"] == pytest.approx(final_summary["total_loss"], rel=1e-12)
            assert [d["point"] for d in doc["decisions"]] == ["D1", "D2", "D4"]
            assert len(doc["strengths"]) == 1 and len(doc["gaps"]) == 1
            assert doc["plan"] == [{"issue": "No graphite playbook",
                                    "action": "Write a graphite response playbook",
                                    "owner": "METI", "due": "2027-03-31"}]  # fmt: skip
            assert "O2" in html and "Write a graphite response playbook" in html
        assert "事後検証" in render_html(exercise_aar(svc, ex_id, "ja"))
        # the final run applied the decisions as responses, named after them
        _, _, final_summary = read_run(runs["final"]["run_dir"])
        ids = [r.get("id") for r in final_summary["scenario"]["responses"]]
        assert ids == ["D1:release60:1", "D1:release60:2", "D2:qualify:1", "D4:priority:1"]
    finally:
        svc.dispose()


@pytest.mark.slow
def test_blackout_package_runs_the_firm_model_with_the_decisions(store, tmp_path, aar_cells):
    """The regional-blackout package on the firms engine: each turn's run is the scenario
    re-run with the decisions so far, each acting from the start of the next turn (checked
    against the same scenario run directly with those responses), and the AAR's numbers are
    the runs' own files."""
    import copy

    from fukugan.scenarios.schema import load_scenario, scenario_from_dict
    from fukugan.services.exercise_runs import run_curve
    from fukugan.services.scenario_run import run_scenario

    svc = ExerciseService(store, f"sqlite:///{tmp_path / 'ws.sqlite'}")
    package = PACKAGES / "hokkaido-winter-blackout.yaml"
    try:
        ex_id = svc.create(package)
        ex = svc.exercise(ex_id)
        svc.start(ex_id)
        svc.decide(ex_id, "D1", "interconnect", role="gov")
        svc.advance(ex_id)  # turn 2
        svc.decide(ex_id, "D2", "pro_rata", role="firm")
        svc.decide(ex_id, "D3", "rent", role="sme")
        svc.advance(ex_id)  # turn 3
        svc.decide(ex_id, "D4", "accelerate", role="gov")
        for _ in range(3):
            svc.advance(ex_id)
        svc.end(ex_id)
        runs = {r["label"]: r for r in svc.runs(ex_id)}
        assert all(r["status"] == "done" for r in runs.values())

        # the final run = the scenario with the four responses from days 7, 14, 14 and 21
        sc = load_scenario(package.with_name("hokkaido-winter-blackout.scenario.yaml"))
        doc = copy.deepcopy(sc.doc)
        doc["responses"] = [
            {"type": "restoration", "region": "hokkaido", "fraction": 0.3, "start": 7},
            {"type": "rationing", "rule": "proportional", "start": 14},
            {"type": "restoration", "region": "hokkaido", "sectors": ["C10T12"],
             "fraction": 0.5, "start": 14},
            {"type": "restoration", "region": "hokkaido", "fraction": 0.67, "start": 21},
        ]  # fmt: skip
        direct = run_curve(run_scenario(scenario_from_dict(doc, path=sc.path), store))
        np.testing.assert_allclose(runs["final"]["curve"]["daily"], direct["daily"], rtol=1e-12)
        base = np.array(runs["baseline"]["curve"]["daily"])
        final = np.array(runs["final"]["curve"]["daily"])
        np.testing.assert_allclose(final[:7], base[:7], rtol=1e-12)  # nothing acts in turn 1
        assert final.sum() < 0.85 * base.sum()
        _, _, summary = read_run(runs["final"]["run_dir"])
        assert summary["engine"] == "firms"
        assert any("restoration — 30% of the lost capacity" in a for a in summary["applied"])
        assert any("firms generated" in s["source"] for s in summary["sources"])

        doc = exercise_aar(svc, ex_id, "en")
        html = render_html(doc)
        cells = aar_cells(html)
        for label, run_dir in doc["runs"].items():
            day = (
                ex.first_day(int(label[5:]))
                if label.startswith("turn-")
                else ex.effective_day(ex.turns)
            )
            for kpi_id, want in _kpis_from_files(run_dir, ex, day).items():
                assert float(cells[(kpi_id, label)]) == pytest.approx(want, rel=1e-12), (
                    label,
                    kpi_id,
                )
    finally:
        svc.dispose()


@pytest.mark.slow
def test_planners_best_response_is_the_least_loss_of_every_combination(store, tmp_path, aar_cells):
    """The best response enumerates every combination of options through the engine (48 for
    this package), keeps the least loss, and the AAR shows it against the decisions taken."""
    import json

    from fukugan.exercises.best import option_combinations
    from fukugan.scenarios.schema import scenario_from_dict
    from fukugan.services.exercise_package import scenario_doc as _scenario_doc
    from fukugan.services.exercise_runs import run_curve
    from fukugan.services.scenario_run import run_scenario

    seen: list[float] = []
    memo: dict[str, object] = {}

    def runner(sc, st, engine):  # noqa: ANN001, ANN202 - the real engine, recorded, memoised
        key = json.dumps([sc.doc, engine], sort_keys=True, default=str)
        if key not in memo:
            memo[key] = run_scenario(sc, st, engine=engine)
        seen.append(run_curve(memo[key])["total"])
        return memo[key]

    package = PACKAGES / "sanctions-without-fighting.yaml"
    svc = ExerciseService(store, f"sqlite:///{tmp_path / 'ws.sqlite'}", runner=runner)
    try:
        ex_id = svc.create(package)
        ex = svc.exercise(ex_id)
        svc.start(ex_id)
        for turn in range(1, ex.turns + 1):
            if turn > 1:
                svc.advance(ex_id)
            for dp in ex.decisions:
                if dp.turn == turn:  # the last option of each point: often "do nothing"
                    svc.decide(ex_id, dp.id, dp.options[-1].id, role=dp.role)
        svc.end(ex_id)
        before = len(seen)
        out = svc.best_response(ex_id)
        runs = {r["label"]: r for r in svc.runs(ex_id)}
        enumerated = seen[before : before + out["combinations"]]
        assert out["combinations"] == len(option_combinations(ex)) == 48 == len(enumerated)
        assert out["total"] == min(enumerated)
        best = runs["best"]
        assert best["status"] == "done" and best["curve"]["total"] == pytest.approx(out["total"])
        assert [d["point"] for d in best["decisions"]] == [dp.id for dp in ex.decisions]
        # its own decisions, run directly, give its loss; the decisions taken give no less
        from fukugan.scenarios.exercise import load_package

        pkg = load_package(package)
        doc = _scenario_doc(pkg.doc, dict(pkg.scenario_doc), best["decisions"])
        direct = run_scenario(scenario_from_dict(doc, path=str(pkg.scenario.path)), store)
        assert run_curve(direct)["total"] == pytest.approx(out["total"], rel=1e-12)
        assert runs["final"]["curve"]["total"] >= out["total"] - 1e-9
        # the AAR: a column of its own (the run's KPIs), its choices, the finding
        for lang, word in (("en", "Planner's best response"), ("ja", "計画上の最善対応")):
            doc = exercise_aar(svc, ex_id, lang)
            html = render_html(doc)
            assert doc["totals"]["best"] == pytest.approx(out["total"])
            cell = aar_cells(html)[("loss", "best")]
            assert float(cell) == pytest.approx(best["kpis"]["loss"], rel=1e-12)
            assert html.count("data-best=") == len(ex.decisions)
            assert word in unescape(html)
            assert any("48" in f for f in doc["findings"])
        # once more: the earlier best run is replaced, not duplicated
        svc.best_response(ex_id)
        assert [r["label"] for r in svc.runs(ex_id)].count("best") == 1
    finally:
        svc.dispose()


def test_too_many_combinations_are_refused():
    from fukugan.exercises.best import option_combinations
    from fukugan.scenarios.exercise import load_package

    ex = exercise_from_doc(load_package(PACKAGE).doc)
    with pytest.raises(ExerciseRefused) as e:
        option_combinations(ex, limit=100)
    assert e.value.key == "exercise-refused-best-too-many"
    assert "108 combinations" in e.value.text("en") and "108通り" in e.value.text("ja")


class Crash(Exception):
    """Stands for the process dying between the action's commit and the turn's run."""


@pytest.mark.slow
def test_exercise_survives_a_restart_mid_turn(store, url):
    from fukugan.services.scenario_run import run_scenario

    calls = {"n": 0}

    def dying(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 3:  # baseline, turn-1, then the process "dies" computing turn-2
            raise Crash()
        return run_scenario(*args, **kw)

    a = ExerciseService(store, url, runner=dying)
    ex_id = a.create(PACKAGE, check=False)
    a.start(ex_id)
    a.decide(ex_id, "D1", "release30", role="gov")
    with pytest.raises(Crash):
        a.advance(ex_id)
    a.dispose()

    b = ExerciseService(store, url)  # a new process
    try:
        st = b.state(ex_id)  # finishes the pending run first
        assert st["turn"] == 2 and st["decisions"][0]["option"] == "release30"
        runs = {r["label"]: r for r in b.runs(ex_id)}
        assert runs["turn-2"]["status"] == "done"
        # the same numbers as an exercise that never stopped
        ref = b.create(PACKAGE, check=False)
        b.start(ref)
        b.decide(ref, "D1", "release30", role="gov")
        b.advance(ref)
        ref_runs = {r["label"]: r for r in b.runs(ref)}
        assert runs["turn-2"]["kpis"] == ref_runs["turn-2"]["kpis"]
        ts_a, _, _ = read_run(runs["turn-2"]["run_dir"])
        ts_b, _, _ = read_run(ref_runs["turn-2"]["run_dir"])
        pd.testing.assert_frame_equal(ts_a, ts_b)
        # and the exercise goes on
        b.decide(ex_id, "D2", "spot", role="firm")
        assert b.advance(ex_id)["state"]["turn"] == 3
    finally:
        b.dispose()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (lambda d: d[0]["options"][1]["responses"][0].update(commodity="lithium"),
         "decisions[0].options[1].responses[0].commodity", "no export_ban or quota on lithium"),
        (lambda d: d[3]["options"][0]["responses"][0].update(priority=["C27", "X99"]),
         "decisions[3].options[0].responses[0].priority[1]", "unknown industry 'X99'"),
        (lambda d: d[4]["options"][0]["responses"][0].update(commodity="tin"),
         "decisions[4].options[0].responses[0].commodity", "no export_ban or quota on tin"),
    ],
)  # fmt: skip
def test_options_are_checked_against_the_data(store, edit, field, message):
    from fukugan.scenarios.exercise import ExerciseError, load_package
    from fukugan.services.exercise_package import check_package

    pkg = load_package(PACKAGE)
    check_package(pkg, store)
    edit(pkg.doc["decisions"])
    with pytest.raises(ExerciseError) as e:
        check_package(pkg, store)
    assert e.value.field == field and message in e.value.message, str(e.value)
    assert e.value.path == str(PACKAGE) and e.value.line is not None


@pytest.mark.slow
@pytest.mark.parametrize("package", [p.name for p in bundled_packages()])
def test_every_bundled_package_checks_against_the_bundled_data(store, package):
    from fukugan.scenarios.exercise import load_package
    from fukugan.services.exercise_package import check_package

    pkg = load_package(PACKAGES / package)
    check_package(pkg, store)
    ex = exercise_from_doc(pkg.doc)
    assert {r.kind for r in ex.roles} >= {"facilitator", "evaluator"}
    assert sum(r.plays for r in ex.roles) >= 2
    for inj in ex.injects:
        assert inj.text.en != inj.text.ja and " " not in inj.text.ja.replace("G7 ", "")
