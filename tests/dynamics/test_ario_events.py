"""ARIO's other event kinds against BoARIO 0.7.2: arbitrary production-capacity events
(``EventArbitraryProd``) and households' capital (rebuilding demand of final demand), on BoARIO's
own test setups (its ``tests/test_integration.py``: pymrio's test MRIO aggregated to 3 regions ×
5 sectors, ``ARIOPsiModel`` with its defaults) and on a real OECD table (Japan 2020, bundled).

BoARIO's events are built with BoARIO's own constructors and handed to fukugan as they are
(impact by industry, occurrence, duration, recovery); every comparison first checks that the
event really lowers production, then requires every recorded trajectory to agree to 1e-6.
"""

from __future__ import annotations

import logging
import tempfile
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("boario")
pymrio = pytest.importorskip("pymrio")

from benchmarks.bench_ario import RTOL, compare  # noqa: E402

from fukugan.dynamics.ario import ARIOEvent, ARIOParams, simulate_ario  # noqa: E402

warnings.filterwarnings("ignore", module="boario")
logging.getLogger("boario").setLevel(logging.CRITICAL)

RECORDS = {
    "production": "production_realised",
    "production_cap": "production_capacity",
    "intermediate_demand": "intermediate_demand",
    "final_demand_unmet": "final_demand_unmet",
    "final_demand_undist": "final_demand_undist",
    "rebuild_demand": "rebuild_demand",
    "rebuild_prod": "rebuild_prod",
    "productive_capital_lost": "productive_capital_to_recover",
}


def boario_test_mrio():
    """BoARIO's ``tests/test_integration.py`` fixture: pymrio's test MRIO aggregated."""
    mrio = pymrio.load_test()
    mrio.aggregate(
        region_agg=["reg1", "reg1", "reg2", "reg2", "reg3", "reg3"],
        sector_agg=[
            "food",
            "mining",
            "manufactoring",
            "other",
            "construction",
            "other",
            "other",
            "other",
        ],
    )
    mrio.calc_all()
    return mrio


def oecd_japan_mrio(tmp_path_factory, loaded_copy):
    """Japan's 2020 OECD table (bundled) as the ARIO adapter prepares it, as a pymrio system."""
    from fukugan.scenarios.schema import parse_scenario
    from fukugan.services.engines import prepare
    from fukugan.store.analytic import AnalyticStore

    store = AnalyticStore(loaded_copy(tmp_path_factory.mktemp("home")))
    sc = parse_scenario(
        "name: j\nengine: ario\ndata: {oecd_iot: {country: JPN, year: 2020}}\n"
        "shocks:\n  - {type: outage, sector: C26, delta: 0.1}\n"
    )
    a = prepare(sc, store).arrays
    ind = pd.MultiIndex.from_product([["JPN"], list(a["industries"])], names=["region", "sector"])
    fd = pd.MultiIndex.from_product(
        [["JPN"], ["Final consumption expenditure by households"]], names=["region", "category"]
    )
    io = pymrio.IOSystem(
        Z=pd.DataFrame(a["Z"], index=ind, columns=ind),
        Y=pd.DataFrame(a["Y"], index=ind, columns=fd),
        x=pd.DataFrame(a["x"], index=ind, columns=["indout"]),
        name="OECD IOT JPN 2020",
    )
    io.calc_all()
    return io


def run_boario(io, events, n_days):
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    model = ARIOPsiModel(io)
    sim = Simulation(model, n_temporal_units_to_sim=n_days, boario_output_dir=tempfile.mkdtemp())
    sim.add_events(events)
    sim.loop()
    res = {k: getattr(sim, b).to_numpy()[:n_days] for k, b in RECORDS.items()}
    # BoARIO records its capital lost as None (NaN) while only arbitrary events are active;
    # fukugan records 0 (no capital is lost): compared as 0
    lost = res["productive_capital_lost"]
    res["capital_nan_days"] = np.flatnonzero(np.isnan(lost).all(axis=1))
    res["productive_capital_lost"] = np.nan_to_num(lost, nan=0.0)
    res["final_stock"] = model.inputs_stock
    res["industries"] = [tuple(i) for i in model.industries]
    res["model"] = model
    return res


def as_fukugan(ev) -> ARIOEvent:
    """A BoARIO event as the same fukugan event (what BoARIO's tracker reads of it)."""
    from boario.event import EventArbitraryProd, EventKapitalRebuild

    impact = {tuple(k): float(v) for k, v in ev.impact.items()}
    common = {"impact": impact, "occurrence": ev.occurrence, "duration": ev.duration}
    if isinstance(ev, EventArbitraryProd):
        return ARIOEvent(
            **common,
            event_type="arbitrary",
            recovery_tau=ev.recovery_tau,
            recovery_function=_RECOVERY_NAMES[ev.recovery_function.__name__],
        )
    house = None
    if ev.impact_households is not None:
        house = {tuple(k): float(v) for k, v in ev.impact_households.items()}
    if isinstance(ev, EventKapitalRebuild):
        return ARIOEvent(
            **common,
            event_type="rebuild",
            rebuild_tau=ev.rebuild_tau,
            rebuilding_sectors=dict(ev.rebuilding_sectors),
            rebuilding_factor=ev.rebuilding_factor,
            event_monetary_factor=ev.event_monetary_factor,
            households_impact=house,
        )
    return ARIOEvent(
        **common,
        event_type="recovery",
        recovery_tau=ev.recovery_tau,
        recovery_function=_RECOVERY_NAMES[ev.recovery_function.__name__],
        event_monetary_factor=ev.event_monetary_factor,
        households_impact=house,
    )


_RECOVERY_NAMES = {
    "linear_recovery": "linear",
    "convexe_recovery_scaled": "convexe",
    "convexe_recovery": "convexe noscale",
    "concave_recovery": "concave",
}


def run_fukugan(model, events, n_days, **params):
    mr = model.mriot  # BoARIO's lexicographically reindexed copy: same order, same values
    tr = simulate_ario(
        mr.Z,
        mr.Y,
        mr.x,
        None,
        list(model.regions),
        list(model.sectors),
        events,
        ARIOParams(**params),
        n_days=n_days,
    )
    res = {k: getattr(tr, k) for k in RECORDS}
    res["final_stock"] = tr.final_state.inputs_stock
    res["industries"] = [tuple(i) for i in model.industries]
    res["baseline"] = tr.x0
    res["trajectory"] = tr
    return res


def production_drop(res) -> float:
    """Largest relative fall of an industry's production below its day-0 level (industries
    with output)."""
    p = res["production"]
    live = p[0] > 0
    return float(1 - (p[:, live].min(axis=0) / p[0, live]).min())


def assert_equal(fast, slow, min_drop=1e-4):
    drop = production_drop(slow)
    assert drop > min_drop, f"the event barely changes production ({drop:.2%})"
    diffs = compare(fast, slow)
    bad = {k: v for k, v in diffs.items() if not v <= RTOL}
    assert not bad, f"trajectories differ from BoARIO: {bad}"
    return diffs


def _arbitrary(impact: dict, **kw):
    from boario.event import from_series

    return from_series(pd.Series(impact, dtype="float64"), event_type="arbitrary", **kw)


# -- arbitrary production-capacity events -------------------------------------------------------


@pytest.fixture(scope="module")
def test_mrio():
    return boario_test_mrio()


def test_boarios_own_arbitrary_event_test_equals_boario(test_mrio):
    """BoARIO's ``test_arbitrary_events``: 20 % of reg1/mining and 30 % of reg1/manufactoring
    lost for 20 days, concave recovery over 180 days (BoARIO's 365-day default horizon)."""
    ev = _arbitrary(
        {("reg1", "mining"): 0.2, ("reg1", "manufactoring"): 0.3},
        duration=20,
        recovery_function="concave",
        recovery_tau=180,
    )
    slow = run_boario(test_mrio, [ev], 365)
    fast = run_fukugan(slow["model"], [as_fukugan(ev)], 365, arbitrary_lag=1)
    assert_equal(fast, slow, min_drop=0.05)
    # no capital is destroyed; the capacity lost recovers
    assert not fast["productive_capital_lost"].any()
    cap = fast["production_cap"] / fast["production_cap"][0]
    j = fast["industries"].index(("reg1", "manufactoring"))
    assert cap[1, j] == 1.0 and cap[2, j] == pytest.approx(0.7, rel=1e-3)  # one day late


@pytest.mark.parametrize("fn", ["linear", "convexe", "convexe noscale"])
def test_arbitrary_events_and_recovery_functions_equal_boario(test_mrio, fn):
    ev = _arbitrary(
        {("reg2", "food"): 0.5, ("reg3", "construction"): 0.123456789},
        occurrence=4,
        duration=6,
        recovery_function=fn,
        recovery_tau=25,
    )
    slow = run_boario(test_mrio, [ev], 80)
    fast = run_fukugan(slow["model"], [as_fukugan(ev)], 80, arbitrary_lag=1)
    assert_equal(fast, slow, min_drop=0.05)


def test_arbitrary_loss_combines_with_capital_lost_by_max_as_boario(test_mrio):
    """BoARIO combines the capacity lost through capital with the arbitrary loss by max. It can
    only run them together on the day after an arbitrary event ends (its lag); overlapping
    events crash it (see :func:`test_overlapping_events_combine_by_max`)."""
    from boario.event import from_series

    model = run_boario(test_mrio, [], 2)["model"]
    k = pd.Series(model.productive_capital, index=model.industries)
    arb = _arbitrary(
        {("reg1", "food"): 0.4, ("reg1", "mining"): 0.05},
        occurrence=2,
        duration=3,
        recovery_tau=1,
    )
    kap = from_series(
        pd.Series(
            {
                ("reg1", "food"): 0.1 * k[("reg1", "food")],
                ("reg1", "mining"): 0.3 * k[("reg1", "mining")],
            }
        ),
        event_type="recovery",
        occurrence=7,
        duration=2,
        recovery_tau=10,
        event_monetary_factor=model.monetary_factor,
    )
    slow = run_boario(test_mrio, [arb, kap], 40)
    fast = run_fukugan(slow["model"], [as_fukugan(arb), as_fukugan(kap)], 40, arbitrary_lag=1)
    assert_equal(fast, slow, min_drop=0.05)
    cap = fast["production_cap"] / fast["production_cap"][0]
    food = fast["industries"].index(("reg1", "food"))
    mining = fast["industries"].index(("reg1", "mining"))
    # day 7: the arbitrary loss (lagged) and the capital lost together, by max
    assert cap[7, food] == pytest.approx(0.6, rel=1e-2) and cap[7, mining] == pytest.approx(
        0.7, rel=1e-2
    )


def test_deliberate_difference_no_lag_by_default(test_mrio):
    """fukugan's default applies an arbitrary loss on its occurrence day, as capital destroyed
    (BoARIO 0.7.2 applies it one day late): the default run of an event at day k equals
    BoARIO's run of the same event at day k − 1, to 1e-6."""
    imp = {("reg1", "mining"): 0.2, ("reg1", "manufactoring"): 0.3}
    slow = run_boario(test_mrio, [_arbitrary(imp, occurrence=2, duration=5, recovery_tau=10)], 60)
    ev = as_fukugan(_arbitrary(imp, occurrence=3, duration=5, recovery_tau=10))
    fast = run_fukugan(slow["model"], [ev], 60)  # arbitrary_lag = 0
    assert_equal(fast, slow, min_drop=0.05)
    lag = run_fukugan(slow["model"], [ev], 60, arbitrary_lag=1)
    j = fast["industries"].index(("reg1", "manufactoring"))
    first = lambda r: int(np.argmax(r["production_cap"][:, j] < r["production_cap"][0, j]))  # noqa: E731
    assert first(fast) == 3 and first(lag) == 4


def test_overlapping_events_combine_by_max(test_mrio):
    """BoARIO 0.7.2 fails (TypeError / ValueError in update_productive_capital_lost) when an
    arbitrary event overlaps another event; fukugan combines them by max, BoARIO's rule."""
    model = run_boario(test_mrio, [], 2)["model"]
    big = ARIOEvent(
        impact={("reg1", "food"): 0.5}, occurrence=2, duration=10, event_type="arbitrary"
    )
    small = ARIOEvent(
        impact={("reg1", "food"): 0.2}, occurrence=4, duration=3, event_type="arbitrary"
    )
    alone = run_fukugan(model, [big], 30)
    both = run_fukugan(model, [big, small], 30)
    np.testing.assert_array_equal(alone["production_cap"], both["production_cap"])
    np.testing.assert_array_equal(alone["production"], both["production"])
    k = model.productive_capital[0] * 0.1
    kap = ARIOEvent(impact={("reg1", "food"): k}, occurrence=3, duration=2, recovery_tau=5)
    mixed = run_fukugan(model, [big, kap], 30)
    np.testing.assert_array_equal(alone["production_cap"][:12], mixed["production_cap"][:12])


@pytest.fixture(scope="module")
def japan(tmp_path_factory, loaded_copy):
    return oecd_japan_mrio(tmp_path_factory, loaded_copy)


def test_arbitrary_event_on_the_oecd_japan_table_equals_boario(japan):
    """A two-day blackout of 60 % of C26 and C29 and 20 % of D (Japan 2020, OECD)."""
    ev = _arbitrary(
        {("JPN", "C26"): 0.6, ("JPN", "C29"): 0.6, ("JPN", "D"): 0.2},
        occurrence=3,
        duration=2,
        recovery_tau=5,
    )
    slow = run_boario(japan, [ev], 60)
    fast = run_fukugan(slow["model"], [as_fukugan(ev)], 60, arbitrary_lag=1)
    assert_equal(fast, slow, min_drop=0.05)


# -- households' capital: rebuilding demand of final demand ---------------------------------------


def _household_event(model, impact, house, **kw):
    from boario import event

    va = model.mriot.x.T - model.mriot.Z.sum(axis=0)
    return event.from_scalar_regions_sectors(
        event_type="rebuild",
        impact=impact,
        households_impact=pd.Series(
            [house],
            index=pd.MultiIndex.from_tuples(
                [("reg1", "Final consumption expenditure by households")]
            ),
        ),
        affected_regions=["reg1"],
        affected_sectors=["manufactoring", "mining"],
        rebuilding_sectors={"construction": 1.0},
        impact_regional_distrib="equal",
        impact_sectoral_distrib=va.loc["indout", "reg1"],
        **kw,
    )


def _fd(model):
    return {"fd_categories": list(model.final_demand_cat)}


def run_fukugan_fd(model, events, n_days, **params):
    mr = model.mriot
    tr = simulate_ario(
        mr.Z,
        mr.Y,
        mr.x,
        None,
        list(model.regions),
        list(model.sectors),
        events,
        ARIOParams(**params),
        n_days=n_days,
        fd_categories=list(model.final_demand_cat),
    )
    res = {k: getattr(tr, k) for k in RECORDS}
    res["final_stock"] = tr.final_state.inputs_stock
    res["industries"] = [tuple(i) for i in model.industries]
    res["baseline"] = tr.x0
    res["trajectory"] = tr
    return res


def _loss(res) -> float:
    p = res["production"]
    return float((p[0] - p).sum())


@pytest.mark.slow
def test_boarios_own_household_rebuilding_test_equals_boario(test_mrio):
    """BoARIO's ``test_household_reb_event``: 500,000 of capital destroyed in reg1's
    manufactoring and mining (by value added) and 500,000 of households' capital, rebuilt by
    construction over 180 days, BoARIO's defaults (event_monetary_factor 1, 365 days)."""
    model = run_boario(test_mrio, [], 2)["model"]
    ev = _household_event(model, 500000.0, 500000.0, duration=20, rebuild_tau=180)
    slow = run_boario(test_mrio, [ev], 365)
    fast = run_fukugan_fd(slow["model"], [as_fukugan(ev)], 365)
    diffs = assert_equal(fast, slow, min_drop=1e-9)
    assert {"rebuild_demand", "rebuild_prod", "production"} <= set(diffs)
    assert fast["rebuild_demand"].max() > 0


def test_households_capital_rebuilding_equals_boario_and_matters(test_mrio):
    """Households' capital in the model's unit (event_monetary_factor 10⁶), two rebuilding
    sectors: equal to BoARIO, and dropping it changes the loss."""
    from boario import event

    model = run_boario(test_mrio, [], 2)["model"]
    k = pd.Series(model.productive_capital, index=model.industries)
    impact = 0.3 * k[[("reg1", "manufactoring"), ("reg1", "mining")]]
    kw = {
        "event_type": "rebuild",
        "occurrence": 3,
        "duration": 5,
        "rebuild_tau": 40,
        "rebuilding_sectors": {"construction": 0.8, "manufactoring": 0.2},
        "event_monetary_factor": model.monetary_factor,
    }
    house = pd.Series(
        [0.5 * float(impact.sum())],
        index=pd.MultiIndex.from_tuples([("reg1", "Final consumption expenditure by households")]),
    )
    with_house = event.from_series(impact, households_impact=house, **kw)
    without = event.from_series(impact, **kw)
    slow = run_boario(test_mrio, [with_house], 90)
    fast = run_fukugan_fd(slow["model"], [as_fukugan(with_house)], 90)
    assert_equal(fast, slow, min_drop=0.01)
    fast0 = run_fukugan_fd(slow["model"], [as_fukugan(without)], 90)
    slow0 = run_boario(test_mrio, [without], 90)
    assert _loss(fast0) == pytest.approx(_loss(slow0), rel=1e-6)
    assert abs(_loss(fast) - _loss(fast0)) > 1e-3 * abs(_loss(fast0))
    assert fast["rebuild_demand"].sum() > 1.2 * fast0["rebuild_demand"].sum()


def test_households_capital_on_the_oecd_japan_table_equals_boario(japan):
    from boario import event

    model = run_boario(japan, [], 2)["model"]
    k = pd.Series(model.productive_capital, index=model.industries)
    impact = 0.2 * k[[("JPN", "C29"), ("JPN", "C24")]]
    house = pd.Series(
        [0.5 * float(impact.sum())],
        index=pd.MultiIndex.from_tuples([("JPN", "Final consumption expenditure by households")]),
    )
    ev = event.from_series(
        impact,
        households_impact=house,
        event_type="rebuild",
        occurrence=2,
        duration=3,
        rebuild_tau=30,
        rebuilding_sectors={"F": 1.0},
        event_monetary_factor=model.monetary_factor,
    )
    slow = run_boario(japan, [ev], 60)
    fast = run_fukugan_fd(slow["model"], [as_fukugan(ev)], 60)
    assert_equal(fast, slow, min_drop=0.01)
