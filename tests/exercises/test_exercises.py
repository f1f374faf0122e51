"""Tabletop exercises, the pure core and the package format: known answers for the inject
dependency rules, the turn / clock state machine, the mapping of decisions to scenario
responses and the KPIs; invalid packages refused naming file, line and field."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from fukugan.exercises import conduct
from fukugan.exercises.kpis import curve, kpi_values
from fukugan.exercises.model import (
    DecisionPoint,
    Dependency,
    Exercise,
    ExerciseRefused,
    Inject,
    Kpi,
    Option,
    Role,
    Text,
    exercise_from_doc,
)
from fukugan.exercises.responses import scenario_with_responses
from fukugan.exercises.rules import evaluate, inject_texts
from fukugan.results import headline
from fukugan.scenarios.exercise import (
    PACKAGES,
    ExerciseError,
    bundled_packages,
    load_package,
    parse_package,
)

T = Text("x", "エックス")
PACKAGE = PACKAGES / "critical-minerals-licensing.yaml"


def _inject(*deps: Dependency, manual: bool = False, turn: int = 2) -> Inject:
    return Inject("I", turn, "MOFCOM", ("gov",), "news", T, T, T, tuple(deps), manual)


def _d(point: str, option: str) -> dict:
    return {"point": point, "option": option}


# -- inject dependency rules (known answers) ------------------------------------------------


@pytest.mark.parametrize(
    ("deps", "decisions", "expected"),
    [
        ((), [], "due"),
        # fire: only when the condition holds
        ((Dependency("D1", "fire"),), [], "suppressed"),
        ((Dependency("D1", "fire"),), [_d("D1", "a")], "due"),
        ((Dependency("D1", "fire", option="b"),), [_d("D1", "a")], "suppressed"),
        ((Dependency("D1", "fire", option="b"),), [_d("D1", "b")], "due"),
        ((Dependency("D1", "fire", taken=False),), [], "due"),
        ((Dependency("D1", "fire", taken=False),), [_d("D1", "a")], "suppressed"),
        # not taken with a given option: any other option (or none) satisfies it
        ((Dependency("D1", "fire", taken=False, option="a"),), [_d("D1", "b")], "due"),
        # hold: held when the condition holds
        ((Dependency("D1", "hold"),), [_d("D1", "a")], "held"),
        ((Dependency("D1", "hold"),), [], "due"),
        ((Dependency("D1", "hold", taken=False),), [], "held"),
        # fire beats hold: a suppressed inject is not also held
        ((Dependency("D1", "fire"), Dependency("D2", "hold")), [_d("D2", "x")], "suppressed"),
        ((Dependency("D1", "fire"), Dependency("D2", "hold")), [_d("D1", "a"), _d("D2", "x")],
         "held"),
        # every fire rule must hold
        ((Dependency("D1", "fire"), Dependency("D2", "fire")), [_d("D1", "a")], "suppressed"),
        # a change never changes the status
        ((Dependency("D1", "change", text=Text("n", "ん")),), [_d("D1", "a")], "due"),
    ],
)  # fmt: skip
def test_inject_status_known_answers(deps, decisions, expected):
    assert evaluate(_inject(*deps), decisions).status == expected


def test_manual_inject_is_held_and_changes_apply_in_order():
    assert evaluate(_inject(manual=True), []).status == "held"
    inj = _inject(
        Dependency("D1", "change", text=Text("first", "一")),
        Dependency("D2", "change", taken=False, subject=Text("s2", "件2")),
        Dependency("D3", "change", text=Text("third", "三")),
    )
    ev = evaluate(inj, [_d("D1", "a"), _d("D3", "z")])
    assert ev.changes == (0, 1, 2)
    texts = inject_texts(inj, ev.changes)
    assert texts["text"].get("en") == "third" and texts["text"].get("ja") == "三"
    assert texts["subject"].get("ja") == "件2" and texts["expected_action"] is T
    ev = evaluate(inj, [_d("D2", "a")])
    assert ev.changes == () and inject_texts(inj, ev.changes)["text"] is T


# -- the turn / clock state machine -------------------------------------------------------


def _exercise(auto_release: bool = True) -> Exercise:
    return Exercise(
        name="t",
        title=T,
        description=T,
        turns=3,
        days_per_turn=10,
        roles=(
            Role("white", "facilitator", T),
            Role("gov", "government", T),
            Role("firm", "large_firm", T),
        ),
        injects=(
            Inject("1", 1, "X", ("gov", "firm"), "news", T, T),
            Inject("2", 2, "X", ("gov",), "intelligence", T, T,
                   dependencies=(Dependency("D1", "fire", option="yes"),)),
            Inject("3", 2, "X", ("firm",), "news", T, T,
                   dependencies=(Dependency("D1", "hold", option="yes"),)),
            Inject("4", 3, "X", ("firm",), "news", T, T, manual=True),
        ),
        decisions=(
            DecisionPoint("D1", 1, 1, "gov", T, (Option("yes", T), Option("no", T))),
            DecisionPoint("D2", 2, 3, "firm", T, (Option("a", T), Option("b", T))),
            DecisionPoint("D3", 1, 1, "firm", T, (Option("a", T), Option("b", T))),
        ),
        kpis=(Kpi("loss", "production_loss", T),),
        auto_release=auto_release,
    )  # fmt: skip


def _refused(key, fn, *args, **kw):
    with pytest.raises(ExerciseRefused) as e:
        fn(*args, **kw)
    assert e.value.key == key
    assert e.value.text("ja") != e.value.text("en")
    return e.value


def test_conduct_turns_injects_and_decisions():
    ex = _exercise()
    s0 = conduct.initial_state(ex)
    _refused("exercise-refused-not-started", conduct.decide, ex, s0, "D1", "yes", "gov")
    s1, ev = conduct.start(ex, s0)
    assert s0["status"] == "ready" and s0["turn"] == 0  # the input is never changed
    assert s1["status"] == "running" and s1["turn"] == 1
    assert [e["kind"] for e in ev] == ["started", "turn", "inject_released"]
    assert conduct.visible_injects(ex, s1, "gov") == ["1"]
    # refusals: wrong role, unknown option, not open yet — nothing changed
    before = copy.deepcopy(s1)
    _refused("exercise-refused-wrong-role", conduct.decide, ex, s1, "D1", "yes", "firm")
    _refused("exercise-refused-unknown-option", conduct.decide, ex, s1, "D1", "maybe", "gov")
    _refused("exercise-refused-not-open", conduct.decide, ex, s1, "D2", "a", "firm")
    _refused("exercise-refused-unknown-decision", conduct.decide, ex, s1, "D9", "a", "gov")
    assert s1 == before
    s2, ev = conduct.decide(ex, s1, "D1", "yes", "gov", user_id=7)
    assert s2["decisions"] == [
        {"point": "D1", "option": "yes", "role": "gov", "user_id": 7, "turn": 1, "seq": 4}
    ]
    assert ev[0]["kind"] == "decision" and ev[0]["role"] == "gov" and ev[0]["user_id"] == 7
    _refused("exercise-refused-twice", conduct.decide, ex, s2, "D1", "no", "gov")
    # pause: no decision, no advance; resume
    sp, _ = conduct.pause(ex, s2)
    _refused("exercise-refused-paused", conduct.decide, ex, sp, "D2", "a", "firm")
    _refused("exercise-refused-paused", conduct.advance, ex, sp)
    s2, _ = conduct.resume(ex, sp)
    s3, ev = conduct.advance(ex, s2)
    assert s3["turn"] == 2
    # D1=yes: inject 2 fires (fire rule holds), inject 3 is held (hold rule holds)
    assert s3["injects"]["2"]["status"] == "released"
    assert s3["injects"]["3"]["status"] == "held"
    assert conduct.visible_injects(ex, s3, "firm") == ["1"]
    assert conduct.visible_injects(ex, s3, "white") == ["1", "2"]
    _refused("exercise-refused-late", conduct.decide, ex, s3, "D3", "a", "firm")
    _refused("exercise-refused-twice", conduct.decide, ex, s3, "D1", "no", "gov")
    _refused("exercise-refused-not-scheduled", conduct.release, ex, s3, "3")
    s4, ev = conduct.fire(ex, s3, "3")
    assert ev[0]["kind"] == "inject_fired" and ev[0]["payload"]["previous"] == "held"
    assert s4["injects"]["3"] == {
        "status": "released", "turn_released": 2, "changes": [], "by_hand": True
    }  # fmt: skip
    _refused("exercise-refused-already-released", conduct.fire, ex, s4, "3")
    s5, _ = conduct.advance(ex, s4)
    assert s5["injects"]["4"]["status"] == "held"  # manual
    _refused("exercise-refused-last-turn", conduct.advance, ex, s5)
    s6, _ = conduct.decide(ex, s5, "D2", "b", "firm")  # open turns 2..3
    s7, ev = conduct.end(ex, s6)
    assert s7["status"] == "ended" and ev[-1]["kind"] == "ended"
    _refused("exercise-refused-ended", conduct.decide, ex, s7, "D2", "a", "firm")
    # seq numbers: one per event, in order
    assert s7["seq"] == 14


def test_decision_not_taken_suppresses_and_manual_release():
    ex = _exercise(auto_release=False)
    s, ev = conduct.start(ex, conduct.initial_state(ex))
    assert s["injects"]["1"]["status"] == "scheduled"
    assert conduct.visible_injects(ex, s, "gov") == []
    s, ev = conduct.release(ex, s)
    assert [e["payload"]["inject"] for e in ev] == ["1"]
    s, _ = conduct.decide(ex, s, "D1", "no", "gov")
    s, _ = conduct.advance(ex, s)
    assert s["injects"]["2"]["status"] == "suppressed"
    assert s["injects"]["3"]["status"] == "scheduled"  # hold rule does not hold
    s, ev = conduct.fire(ex, s, "2")  # a suppressed inject fired by hand
    assert s["injects"]["2"]["status"] == "released"
    rows = conduct.timeline(ex, s)
    assert [(r["kind"], r["id"], r["status"]) for r in rows if r["turn"] == 3] == [
        ("inject", "4", "pending")
    ]
    assert next(r for r in rows if r["id"] == "4")["projected"] == "held"
    assert next(r for r in rows if r["id"] == "D2")["status"] == "open"


# -- decisions → responses ---------------------------------------------------------------


def test_decisions_map_to_scenario_responses_from_the_next_turn():
    doc = {
        "shocks": [{"type": "quota", "commodity": "gallium", "start": 10}],
        "responses": [{"type": "rationing", "rule": "proportional"}],
    }
    taken = [
        ("D1", "rel", 1, [{"type": "stockpile_release", "commodity": "gallium",
                           "days_of_cover": 60}]),
        ("D2", "cm", 2, [{"type": "export_control_countermeasure", "commodity": "gallium",
                          "relief": 0.3, "lead_time_days": 30, "ramp_days": 15}]),
        ("D3", "ps", 3, [{"type": "public_support", "sector": "C26", "fraction": 0.2},
                         {"type": "rationing", "rule": "small_first"}]),
    ]  # fmt: skip
    out = scenario_with_responses(doc, taken, 30)
    assert doc["responses"] == [{"type": "rationing", "rule": "proportional"}]  # unchanged
    assert out["responses"] == [
        # decided in turn 1 → acts from day 30, counted from the shock's start (day 10)
        {"type": "stockpile_release", "commodity": "gallium", "days_of_cover": 60,
         "start": 20, "id": "D1:rel:1"},
        {"type": "alternate_sourcing", "commodity": "gallium", "max_share": 0.3,
         "lead_time_days": 30, "ramp_days": 15, "start": 50, "id": "D2:cm:1"},
        # sector-wide substitution and rationing count from day 0
        {"type": "substitution", "sector": "C26", "fraction": 0.2, "start": 90,
         "id": "D3:ps:1"},
        {"type": "rationing", "rule": "small_first", "start": 90, "id": "D3:ps:2"},
    ]  # fmt: skip
    kept = scenario_with_responses(doc, taken[:1], 30, keep_scenario_responses=True)
    assert kept["responses"][0] == {"type": "rationing", "rule": "proportional"}


# -- KPIs -----------------------------------------------------------------------------------


def test_kpis_known_answers_and_headline_rule():
    daily = np.array([0.0, 4.0, 2.0, 0.01, 0.0, 1.0])
    kpis = [
        Kpi("a", "production_loss", T),
        Kpi("b", "loss_to_date", T),
        Kpi("c", "peak_loss", T),
        Kpi("d", "days_to_recovery", T),
        Kpi("e", "sector_loss", T, sector="C24"),
        Kpi("f", "shortage", T, sector="C24"),
        Kpi("g", "sector_loss", T, sector="C99"),
    ]
    got = kpi_values(kpis, daily, {"C24": 3.5}, {"C24": 0.25}, day=3)
    assert got == {"a": 7.01, "b": 6.0, "c": 4.0, "d": 4.0, "e": 3.5, "f": 0.25, "g": 0.0}
    assert kpi_values([kpis[3]], np.array([1.0, 1.0]), {}, {}, 0) == {"d": None}
    # the recovery rule is headline's
    import pandas as pd

    ts = pd.DataFrame({"t": np.arange(1, 7), "unit_kind": "sector", "unit": "a", "region": "",
                       "metric": "loss", "component": "direct", "value": daily})  # fmt: skip
    h, c = headline(ts), curve(daily)
    assert (h["peak_day"], h["recovery_day"]) == (c["peak_day"], c["recovery_day"])
    assert h["total_loss"] == pytest.approx(c["total"], rel=1e-15)


# -- the package format --------------------------------------------------------------------


def test_bundled_package_is_valid():
    assert PACKAGE in bundled_packages()
    pkg = load_package(PACKAGE)
    ex = exercise_from_doc(pkg.doc)
    assert ex.turns == 6 and ex.days_per_turn == 30
    assert {r.kind for r in ex.roles} >= {"facilitator", "evaluator", "government", "sme"}
    assert {s["commodity"] for s in pkg.scenario.doc["shocks"]} == {
        "gallium", "germanium", "graphite"
    }  # fmt: skip
    for inj in ex.injects:  # every text in both languages
        assert inj.text.en and inj.text.ja and inj.text.en != inj.text.ja
    assert any(i.tlp for i in ex.injects if i.channel == "intelligence")
    types = {r["type"] for d in pkg.doc["decisions"] for o in d["options"]
             for r in o.get("responses", [])}  # fmt: skip
    assert types == {"stockpile_release", "alternate_sourcing", "export_control_countermeasure",
                     "rationing", "public_support"}  # fmt: skip


def _broken(tmp_path: Path, edit) -> Path:
    doc = yaml.safe_load(PACKAGE.read_text(encoding="utf-8"))
    doc["scenario"] = {"path": str(PACKAGE.with_name("critical-minerals-licensing.scenario.yaml"))}
    edit(doc)
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def _line_of(path: Path, needle: str) -> int:
    """Line of ``needle`` in the file (``needle#n``: of its n-th occurrence)."""
    text, _, nth = needle.partition("#")
    hits = [i for i, ln in enumerate(path.read_text().splitlines(), 1) if text in ln]
    return hits[int(nth or 1) - 1]


@pytest.mark.parametrize(
    ("edit", "field", "needle", "message"),
    [
        (lambda d: d["injects"][2].update(channel="telegram"), "injects[2].channel",
         "telegram", "'telegram' is not one of news"),
        (lambda d: d["injects"][3]["depends"][0].update(option="sell"),
         "injects[3].depends[0].option", "option: sell", "has no option 'sell'"),
        (lambda d: d["injects"][0].update(depends=[{"decision": "D1", "effect": "hold"}]),
         "injects[0].depends[0].decision", "decision: D1", "earlier turns"),
        (lambda d: d["decisions"][1].update(role="white"), "decisions[1].role", "role: white",
         "does not play"),
        (lambda d: d["decisions"][0].update(role="navy"), "decisions[0].role", "role: navy",
         "unknown role 'navy'"),
        (lambda d: d["decisions"][0]["options"][0]["responses"][0].update(days_of_cover=-5),
         "decisions[0].options[0].responses[0].days_of_cover", "days_of_cover: -5",
         "days cannot be negative"),
        (lambda d: d["decisions"][2]["options"][0]["responses"][0].update(relief=1.5),
         "decisions[2].options[0].responses[0].relief", "relief: 1.5", "in [0, 1]"),
        (lambda d: d["kpis"][4].pop("sector"), "kpis[4]", "id: metals", "needs a 'sector'"),
        (lambda d: d["clock"].update(turns=20), "clock.turns", "turns: 20",
         "past the scenario's horizon"),
        (lambda d: d["roles"][0].update(extra=1), "roles[0].extra", "extra: 1",
         "unknown key 'extra'"),
        (lambda d: d["injects"][1].update(id="1"), "injects[1].id", "id: '1'#2",
         "duplicate id '1'"),
        (lambda d: d["decisions"][4]["options"][0]["responses"].append(
            {"type": "rationing", "rule": "small_first"}), "decisions",
         "decisions:", "one decision point only"),
    ],
)  # fmt: skip
def test_invalid_packages_name_file_line_and_field(tmp_path, edit, field, needle, message):
    p = _broken(tmp_path, edit)
    with pytest.raises(ExerciseError) as e:
        load_package(p)
    err = e.value
    assert err.path == str(p) and err.field == field, str(err)
    assert message in err.message, str(err)
    assert err.line == _line_of(p, needle), str(err)
    assert str(err).startswith(f"{p}: line {err.line}, field '{field}': ")


def test_unreadable_packages_are_refused_clearly(tmp_path):
    with pytest.raises(ExerciseError, match="file not found"):
        load_package(tmp_path / "none.yaml")
    with pytest.raises(ExerciseError, match="p.yaml: line 2: YAML syntax error"):
        parse_package("name: x\ntitle: {en: a: b}\n", path="p.yaml")
    with pytest.raises(ExerciseError, match="not a list"):
        parse_package("- a\n", path="p.yaml")
    with pytest.raises(ExerciseError, match="missing required key 'scenario' \\(and 5 more: "):
        parse_package("name: x\ntitle: {en: a, ja: b}\n", path="p.yaml")
    p = _broken(tmp_path, lambda d: d.update(scenario={"example": "atlantis"}))
    with pytest.raises(ExerciseError, match="no bundled scenario 'atlantis'"):
        load_package(p)
