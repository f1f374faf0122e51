"""The firms engine on a network split from the OECD table (data.firm_network.calibrated), its
restoration response and a rationing rule that switches on a day: known answers against runs
of the same engine, and bad input named by file, line and field."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from fukugan.scenarios.schema import ScenarioError, scenario_from_dict
from fukugan.services.exercise_runs import run_curve
from fukugan.services.scenario_run import run_scenario
from fukugan.store.analytic import AnalyticStore

BASE = {
    "name": "hk-firms",
    "description": {"en": "test", "ja": "テスト"},
    "engine": "firms",
    "home": "JPN",
    "data": {
        "oecd_iot": {"country": "JPN", "year": 2020},
        "firm_network": {"calibrated": {"n_firms": 1500, "seed": 5}},
    },
    "horizon_days": 40,
    "seed": 1,
    "parameters": {"order_type": "initial_target"},
    "regions": {"hokkaido": {"share": 0.036, "source": "assumption"}},
    "shocks": [{"type": "blackout", "region": "hokkaido", "start": 0, "days": 10, "depth": 0.6}],
    "responses": [],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory, loaded_copy):
    return AnalyticStore(loaded_copy(tmp_path_factory.mktemp("firms-responses")))


def run(store, **edit):
    doc = copy.deepcopy(BASE)
    doc.update(edit)
    return run_scenario(scenario_from_dict(doc, path="hk-firms.yaml"), store)


def test_calibrated_network_is_the_table_and_says_so(store):
    from fukugan.services.engines import prepare
    from fukugan.services.io import load_table

    sc = scenario_from_dict(copy.deepcopy(BASE), path="hk-firms.yaml")
    prep = prepare(sc, store, "firms")
    net = prep.arrays["network"]
    t = load_table(store, "JPN", 2020)
    P = np.bincount(net.suppliers, net.values, minlength=net.n_firms) + net.final_demand
    by = np.bincount(net.sectors, P, minlength=len(t.industries)) * 365.0
    np.testing.assert_allclose(by, t.x, rtol=1e-9)
    assert net.sector_names == t.industries
    assert net.region_names == ("hokkaido", "rest")
    share = P[net.regions == 0].sum() / P.sum()
    assert share == pytest.approx(0.036, abs=0.002)
    datasets = [p.dataset for p in prep.sources]
    assert datasets == ["oecd_iot", "firm_network"]
    note = prep.sources[1].notes
    assert "firms generated" in prep.sources[1].source and f"{share:.2%}" in note
    assert not prep.sources[1].synthetic


def test_restoration_known_answers(store):
    base = run_curve(run(store))
    # all of the lost capacity back from day 0: no loss at all
    full = run(store, responses=[{"type": "restoration", "fraction": 1.0}])
    assert run_curve(full)["total"] == pytest.approx(0.0, abs=1e-9)
    # half of it back from day 0 in the region = the same blackout at depth 0.6 · 0.5
    half = run_curve(run(store, responses=[
        {"type": "restoration", "region": "hokkaido", "fraction": 0.5}]))  # fmt: skip
    shallow = copy.deepcopy(BASE["shocks"])
    shallow[0]["depth"] = 0.3
    np.testing.assert_allclose(half["daily"], run_curve(run(store, shocks=shallow))["daily"],
                               rtol=1e-12, atol=1e-9)  # fmt: skip
    # from day 4 only: days 1..4 are the base run's, the rest lower
    late = run_curve(run(store, responses=[{"type": "restoration", "fraction": 0.5, "start": 4}]))
    np.testing.assert_allclose(late["daily"][:4], base["daily"][:4], rtol=1e-12)
    assert base["total"] > late["total"] > half["total"]
    n_hit = full.summary["shocks"][0]["firms_hit"]
    assert full.summary["applied"][-1] == (
        f"responses[0]: restoration — 100% of the lost capacity of {n_hit} hit firms back "
        "from day 1 (firms engine)"
    )
    assert full.summary["applied_ja"][-1].startswith(f"responses[0]：復旧 — 被災企業{n_hit}社の")
    # one named firm: a shock on it alone, fully restored from day 0, costs nothing
    one = [{"type": "outage", "firm": "C26-001", "delta": 0.5, "start": 0, "duration": 10}]
    hit = run_curve(run(store, shocks=one))
    assert hit["total"] > 0
    back = run(store, shocks=one, responses=[
        {"type": "restoration", "firms": ["C26-001"], "fraction": 1.0}])  # fmt: skip
    assert run_curve(back)["total"] == pytest.approx(0.0, abs=1e-9)
    assert "firms C26-001" in back.summary["applied"][-1]
    # only manufacturing (C10T12..C33) of the region: between none and all
    sectors = ["C10T12", "C16", "C17_18", "C19", "C20", "C24", "C25", "C29"]
    some = run_curve(run(store, responses=[
        {"type": "restoration", "sectors": sectors, "fraction": 0.5}]))  # fmt: skip
    assert base["total"] > some["total"] > half["total"]


def test_rationing_switch_from_a_scenario(store):
    switch = run(store, responses=[{"type": "rationing", "rule": "proportional", "start": 5}])
    assert switch.parameters["rationing"] == "inoue_todo"
    assert [list(x) for x in switch.parameters["rationing_from"]] == [[5, "proportional"]]
    a, b = run_curve(run(store)), run_curve(switch)
    np.testing.assert_allclose(b["daily"][:5], a["daily"][:5], rtol=1e-12)
    lines = " ".join(switch.summary["applied"])
    assert "rationing (rule proportional, start 5)" in lines


@pytest.mark.parametrize(
    "edit, field, message",
    [
        ({"responses": [{"type": "restoration", "region": "kanto", "fraction": 0.5}]},
         "responses[0].region", "unknown region 'kanto'"),
        ({"responses": [{"type": "restoration", "sectors": ["C99"], "fraction": 0.5}]},
         "responses[0].sectors[0]", "unknown sector 'C99'"),
        ({"responses": [{"type": "restoration", "firms": ["C26-999"], "fraction": 0.5}]},
         "responses[0].firms[0]", "unknown firm 'C26-999'"),
        ({"responses": [{"type": "restoration", "fraction": 0}]},
         "responses[0].fraction", ""),
        ({"data": {"firm_network": {"calibrated": {"n_firms": 100}}}},
         "data.firm_network.calibrated", "give data.oecd_iot"),
        ({"engine": "static", "responses": [{"type": "restoration", "fraction": 0.5}]},
         "responses[0].type", "engine: firms"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(store, edit, field, message):
    with pytest.raises(ScenarioError) as e:
        run(store, **edit)
    assert e.value.field == field, str(e.value)
    assert message in str(e.value)
