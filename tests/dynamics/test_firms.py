"""Inoue & Todo firm-level propagation: hand-computed answers and invariants (the equality with
the authors' reference simulator is tests/dynamics/test_firms_reference.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fukugan.dynamics.firms import (
    RATIONING_RULES,
    FirmNetwork,
    FirmParams,
    FirmShock,
    propagation_paths,
    ration,
    simulate_firms,
    to_run_result,
    to_run_rows,
)
from fukugan.dynamics.networks import synthetic_network
from fukugan.errors import InputError
from fukugan.results import PATHS_COLUMNS, TIMESERIES_COLUMNS
from fukugan.store.rundir import read_run, write_run


def chain() -> FirmNetwork:
    """0 → 1 → 2, each link worth 10 a day; firm 2 sells 10 to final demand."""
    return FirmNetwork.from_edges(
        [0, 1], [1, 2], [10.0, 10.0], [0, 1, 2], [0.0, 0.0, 10.0], ("a", "b", "c")
    )


def hub(values=(1.0, 2.0, 3.0, 10.0), final0: float = 4.0) -> FirmNetwork:
    """Supplier 0 (sector 'up') with customers 1..k (sector 'down') who sell to final demand."""
    k = len(values)
    return FirmNetwork.from_edges(
        np.zeros(k, dtype=int),
        np.arange(1, k + 1),
        values,
        [0] + [1] * k,
        [final0, *values],
        ("up", "down"),
    )


# -- hand-computed answers ----------------------------------------------------------------------
def test_chain_first_days_by_hand():
    """Orders on the customer's previous *production*: the damaged firm 1 orders nothing from
    firm 0 on day 2 (its 155 held exceed the target 15 · 10 · 5/10), so the shock travels
    upstream at once; firm 2 receives half its order and draws on its stock."""
    net = chain()
    np.testing.assert_allclose(net.baseline_production(), [10, 10, 10])
    shock = FirmShock.firms([1], 0.5, recovery="none")
    tr = simulate_firms(net, shock, FirmParams(), n_days=1)
    np.testing.assert_allclose(tr.production[1], [10, 5, 10])
    np.testing.assert_allclose(tr.state["delivered"], [10, 5])
    assert tr.inventory(1, "a") == pytest.approx(150.0)
    tr2 = simulate_firms(net, shock, FirmParams(), n_days=2)
    # day 2 inventories: 150 − 10·5/10 + 10 = 155 (firm 1), 150 − 10 + 5 = 145 (firm 2)
    assert tr2.inventory(1, "a") == pytest.approx(155.0)
    assert tr2.inventory(2, "b") == pytest.approx(145.0)
    # orders: max(0, 5 + (75 − 155)/6) = 0 to firm 0; 10 + (150 − 145)/6 to firm 1
    np.testing.assert_allclose(tr2.state["orders"], [0.0, 10 + 5 / 6])
    np.testing.assert_allclose(tr2.state["demand"], [0.0, 10 + 5 / 6, 10])
    np.testing.assert_allclose(tr2.production[2], [0.0, 5, 10])
    assert tr2.hit.tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("order_type", "expected"),
    [("normal", 0.0), ("initial_target", 5 + (150 - 155) / 6), ("no_negative_adjustment", 5.0)],
)
def test_order_types_by_hand(order_type, expected):
    """The reference's ``-o``: 0 the paper's rule, 1 the target stays at the initial
    ``n · A``, 2 a negative inventory adjustment is dropped."""
    tr = simulate_firms(
        chain(), FirmShock.firms([1], 0.5, recovery="none"), FirmParams(order_type=order_type), 2
    )
    assert tr.state["orders"][0] == pytest.approx(expected)


def test_chain_downstream_runs_dry():
    """Firm 2 receives 5 of its 10 a day; its orders rise (target 150 vs falling stock) but
    firm 1 can make only 5: the stock runs out and firm 2 settles at 5."""
    tr = simulate_firms(chain(), FirmShock.firms([1], 0.5, recovery="none"), FirmParams(), 80)
    p2 = tr.production[:, 2]
    np.testing.assert_allclose(p2[1:20], 10.0)
    np.testing.assert_allclose(p2[-1], 5.0, rtol=1e-9)


def test_chain_recovers_after_a_step_shock():
    tr = simulate_firms(
        chain(), FirmShock.firms([1], 1.0, recovery="step", recovery_days=3), FirmParams(), 120
    )
    np.testing.assert_allclose(tr.production[1:4, 1], 0.0)
    assert tr.production[5, 1] > 0
    np.testing.assert_allclose(tr.production[-1], 10.0, rtol=1e-3)
    # firm 0 loses demand (upstream propagation), firm 2 does not run dry in 3 days
    assert tr.firm_loss[0] > 0
    assert tr.firm_loss[2] == pytest.approx(0.0, abs=1e-9)


def test_hub_rationing_known_answers():
    """Supplier 0 at half capacity (10 of 20): claims 1, 2, 3, 10 and final demand 4 at their
    initial sizes (ratio 1 each) — every rule but the fc-last ones gives half of each claim;
    with final demand served last, it absorbs the shortfall first."""
    net = hub()
    for rule, x in (
        ("proportional", [0.5, 1, 1.5, 5]),
        ("inoue_todo", [0.5, 1, 1.5, 5]),
        ("proportional_fc_last", [10 / 16, 20 / 16, 30 / 16, 100 / 16]),
        ("inoue_todo_fc_last", [10 / 16, 20 / 16, 30 / 16, 100 / 16]),
    ):
        tr = simulate_firms(net, FirmShock.firms([0], 0.5), FirmParams(rationing=rule), 1)
        np.testing.assert_allclose(tr.state["delivered"], x, err_msg=rule)
        fc = 2.0 if rule in ("proportional", "inoue_todo") else 0.0
        assert tr.state["final_consumption"][0] == pytest.approx(fc)


def test_inoue_todo_fills_the_lowest_ratio_first():
    """Two customers of equal baseline 1 ordering 0.5 and 2 (ratios 0.5 and 2) and final demand
    1 (ratio 1), output 2: the level 0.75 serves the small order in full."""
    x, c = ration([0.5, 2.0], 2.0, "inoue_todo", initial=[1.0, 1.0], final_demand=1.0)
    np.testing.assert_allclose(x, [0.5, 0.75])
    assert c == pytest.approx(0.75)
    x, c = ration([0.5, 2.0], 2.0, "proportional", initial=[1.0, 1.0], final_demand=1.0)
    np.testing.assert_allclose(x, [0.5 * 2 / 3.5, 2 * 2 / 3.5])
    # above ratio 1 final demand is full and the large order takes the rest
    x, c = ration([0.5, 2.0], 3.0, "inoue_todo", initial=[1.0, 1.0], final_demand=1.0)
    np.testing.assert_allclose(x, [0.5, 1.5])
    assert c == pytest.approx(1.0)


def test_same_sector_suppliers_substitute():
    """Customer 2 buys 'a' from firms 0 and 1: production is limited by the *sector's*
    inventory, so after losing supplier 0 the customer keeps making what supplier 1's link
    allows (half; orders are per link, so it does not order more from firm 1); with the two
    suppliers in different sectors the lost input stops it."""
    same = FirmNetwork.from_edges([0, 1], [2, 2], [5.0, 5.0], [0, 0, 1], [0, 0, 10], ("a", "b"))
    diff = FirmNetwork.from_edges(
        [0, 1], [2, 2], [5.0, 5.0], [0, 2, 1], [0, 0, 10], ("a", "b", "c")
    )
    shock = FirmShock.firms([0], 1.0, recovery="none")
    p = FirmParams(n=15, tau=6)
    s = simulate_firms(same, shock, p, 60).production[:, 2]
    d = simulate_firms(diff, shock, p, 60).production[:, 2]
    assert d[-1] == pytest.approx(0.0, abs=1e-6)
    assert s[-1] == pytest.approx(5.0, rel=1e-6)
    assert s.sum() > d.sum()


def test_recovery_paths():
    sh = FirmShock.firms([0, 1], [0.5, 1.0], start=2, recovery="linear", recovery_days=4)
    np.testing.assert_allclose(sh.delta_at(1), [0, 0])
    np.testing.assert_allclose(sh.delta_at(2), [0.5, 1.0])
    np.testing.assert_allclose(sh.delta_at(4), [0.25, 0.5])
    np.testing.assert_allclose(sh.delta_at(6), [0, 0])
    ex = FirmShock.firms([0], 1.0, recovery="exponential", recovery_days=10)
    assert ex.delta_at(1 + 5) == pytest.approx(0.1)
    assert ex.delta_at(11) == 0.0
    st_ = FirmShock.firms([0], 0.3, recovery="step", recovery_days=2)
    assert [float(st_.delta_at(t)[0]) for t in (1, 2, 3)] == [0.3, 0.3, 0.0]
    assert float(FirmShock.firms([0], 0.3, recovery="none").delta_at(500)[0]) == 0.3


def test_two_shocks_multiply_capacities():
    net = chain()
    a = FirmShock.firms([1], 0.5, recovery="none")
    b = FirmShock.firms([1], 0.5, recovery="none")
    tr = simulate_firms(net, [a, b], FirmParams(), 1)
    assert tr.production[1, 1] == pytest.approx(2.5)


# -- results in the shared format --------------------------------------------------------------
def test_rows_result_and_paths(tmp_path):
    net = synthetic_network(400, 2000, n_sectors=8, n_regions=5, seed=3)
    shock = FirmShock.by_region(net, "R00", 0.6, recovery="linear", recovery_days=20)
    tr = simulate_firms(net, shock, FirmParams(), 40)
    rows = to_run_rows(tr)
    assert list(rows.columns) == list(TIMESERIES_COLUMNS)
    assert set(rows["metric"]) == {"output", "loss"}
    assert set(rows.loc[rows.unit_kind == "sector", "component"]) == {"direct", "indirect"}
    sec = rows[(rows.unit_kind == "sector") & (rows.metric == "loss")]
    assert sec["value"].sum() == pytest.approx(tr.total_loss, rel=1e-9)
    by_region = to_run_rows(tr, level="region")
    assert set(by_region.loc[by_region.unit_kind == "region", "unit"]) <= set(net.region_names)
    hit_id = net.firm_id(int(np.flatnonzero(tr.hit)[0]))
    sel = to_run_rows(tr, firms=[hit_id, "F1"], totals=False)
    f = sel[sel.unit_kind == "firm"]
    assert set(f.loc[f.unit == hit_id, "component"]) == {"direct"}
    assert len(f) == 2 * 2 * 41

    paths = propagation_paths(tr, top=5, max_depth=3)
    assert list(paths.columns) == list(PATHS_COLUMNS)
    assert len(paths) > 0
    hit_ids = set(net.ids(np.flatnonzero(tr.hit)))
    assert set(paths["source"]) <= hit_ids
    assert not set(paths["target"]) & hit_ids
    assert (paths["step"] >= 1).all() and (paths["step"] <= 3).all()
    assert all(len(v.split(";")) == s - 1 for v, s in zip(paths.via, paths.step, strict=True) if v)

    res = to_run_result(tr, scenario={"name": "test"}, firms=[hit_id], seed=3)
    assert res.summary["total_loss"] == pytest.approx(tr.total_loss, rel=1e-9)
    d = write_run(res, tmp_path / "run")
    ts, pt, summary = read_run(d)
    assert summary["engine"] == "firms" and summary["total_loss"] == pytest.approx(tr.total_loss)
    assert 0 < summary["indirect_share"] < 1
    assert len(pt) == len(res.paths)
    assert summary["parameters"]["rationing"] == "inoue_todo"
    assert isinstance(ts, pd.DataFrame)


def test_aggregate_record_mode():
    net = synthetic_network(300, 1500, seed=1)
    shock = FirmShock.by_sector(net, ["S00", "S01"], 0.4, recovery_days=10)
    a = simulate_firms(net, shock, FirmParams(record="aggregate"), 15)
    b = simulate_firms(net, shock, FirmParams(), 15)
    assert a.production is None
    np.testing.assert_allclose(a.sector_output, b.sector_output)
    np.testing.assert_allclose(a.firm_loss, b.firm_loss)
    with pytest.raises(InputError, match="record='firms'"):
        to_run_rows(a, firms=["F0"])


# -- bad input -----------------------------------------------------------------------------------
def test_bad_input():
    net = synthetic_network(50, 200, n_sectors=3, n_regions=2, seed=2)
    with pytest.raises(InputError, match="unknown sector 'nope'"):
        FirmShock.by_sector(net, "nope", 0.5)
    with pytest.raises(InputError, match="unknown region 'R99'"):
        FirmShock.by_region(net, ["R00", "R99"], 0.5)
    with pytest.raises(InputError, match="unknown firm 'X'"):
        FirmShock.by_ids(net, {"F1": 0.5, "X": 0.2})
    with pytest.raises(InputError, match="unknown firm index 50"):
        simulate_firms(net, FirmShock.firms([50], 0.5), FirmParams(), 2)
    with pytest.raises(InputError, match="outside 0..1"):
        FirmShock.firms([1], 1.5)
    with pytest.raises(InputError, match="n has no value for input sector"):
        simulate_firms(net, None, FirmParams(n={"S00": 10.0}), 2)
    with pytest.raises(InputError, match="one value per firm"):
        simulate_firms(net, None, FirmParams(n=np.ones(10)), 2)
    with pytest.raises(InputError, match="inventory days n must be > 0"):
        simulate_firms(net, None, FirmParams(n=np.full(50, np.nan)), 2)
    with pytest.raises(InputError, match="order type"):
        simulate_firms(net, None, FirmParams(order_type="lazy"), 2)
    with pytest.raises(InputError, match="inventory type"):
        simulate_firms(net, None, FirmParams(inventory="gamma"), 2)
    with pytest.raises(InputError, match="rationing"):
        simulate_firms(net, None, FirmParams(rationing="random"), 2)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="tau"):
        simulate_firms(net, None, FirmParams(tau=0), 2)
    with pytest.raises(InputError, match="self-loop"):
        FirmNetwork.from_edges([0, 1], [1, 1], [1.0, 1.0], [0, 0], [1.0, 1.0], ("a",))
    with pytest.raises(InputError, match="duplicate link"):
        FirmNetwork.from_edges([0, 0], [1, 1], [1.0, 1.0], [0, 0], [1.0, 1.0], ("a",))
    with pytest.raises(InputError, match="must be positive"):
        FirmNetwork.from_edges([0], [1], [-1.0], [0, 0], [1.0, 1.0], ("a",))
    with pytest.raises(InputError, match="buys inputs but has no production"):
        FirmNetwork.from_edges([0], [1], [1.0], [0, 0], [1.0, 0.0], ("a",))
    with pytest.raises(InputError, match="unknown sector code"):
        FirmNetwork.from_edges([0], [1], [1.0], [0, 3], [1.0, 1.0], ("a",))


def test_per_sector_and_per_firm_inventory_days():
    net = chain()
    shock = FirmShock.firms([1], 0.5, recovery="none")
    a = simulate_firms(net, shock, FirmParams(n={"a": 15, "b": 5}), 20)
    b = simulate_firms(net, shock, FirmParams(n=np.array([15.0, 15.0, 5.0])), 20)
    np.testing.assert_allclose(a.production, b.production)
    c = simulate_firms(net, shock, FirmParams(n=5), 20)
    assert not np.allclose(a.production, c.production)  # firm 1's n = 15 matters


def test_poisson_inventory_targets_are_seeded():
    """The reference's ``-D``: targets drawn from a Poisson law with mean n, per firm or per
    link, reproducible from the seed; at least 1 day."""
    from fukugan.dynamics.firm_params import target_days

    net = synthetic_network(2000, 10000, seed=4)
    cust = net.customer_of_link()
    for kind in ("poisson_firm", "poisson_link"):
        p = FirmParams(inventory=kind, seed=9)
        a = target_days(p, net.n_firms, net.sectors, net.sector_names, net.suppliers, cust)
        b = target_days(p, net.n_firms, net.sectors, net.sector_names, net.suppliers, cust)
        np.testing.assert_array_equal(a, b)
        assert a.min() >= 1 and abs(a.mean() - 15) < 0.5
        assert not np.array_equal(
            a,
            target_days(
                FirmParams(inventory=kind, seed=10),
                net.n_firms,
                net.sectors,
                net.sector_names,
                net.suppliers,
                cust,
            ),
        )
        if kind == "poisson_firm":  # one draw per customer, shared by its links
            for i in range(50):
                row = a[net.indptr[i] : net.indptr[i + 1]]
                assert row.size == 0 or np.all(row == row[0])
    shock = FirmShock.firms([0, 1, 2], 0.5)
    t1 = simulate_firms(net, shock, FirmParams(inventory="poisson_link", seed=1), 10)
    t2 = simulate_firms(net, shock, FirmParams(inventory="poisson_link", seed=1), 10)
    np.testing.assert_array_equal(t1.production, t2.production)


def test_disconnected_pieces_are_reported_and_run():
    net = FirmNetwork.from_edges([0, 2], [1, 3], [1.0, 1.0], [0, 1, 0, 1], [0, 1, 0, 1], ("a", "b"))
    assert net.describe()["components"] == 2
    tr = simulate_firms(net, FirmShock.firms([0], 1.0, recovery="none"), FirmParams(), 40)
    assert tr.firm_loss[2] == 0 and tr.firm_loss[3] == 0
    assert tr.firm_loss[1] > 0


# -- invariants (hypothesis) ---------------------------------------------------------------------
@st.composite
def networks(draw):
    n = draw(st.integers(3, 10))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            min_size=1,
            max_size=3 * n,
            unique=True,
        )
    )
    vals = draw(st.lists(st.floats(0.1, 100.0), min_size=len(pairs), max_size=len(pairs)))
    n_sec = draw(st.integers(1, 3))
    sectors = draw(st.lists(st.integers(0, n_sec - 1), min_size=n, max_size=n))
    final = draw(st.lists(st.floats(0.0, 50.0), min_size=n, max_size=n))
    s, c = zip(*pairs, strict=True)
    sales = np.bincount(s, weights=vals, minlength=n)
    buys = np.bincount(c, weights=vals, minlength=n)
    # productive with some value added: inputs < sales + final demand (a cycle of firms with
    # no value added is a neutral loop in which rounding errors grow, in fukugan as in the
    # reference, which both compute in levels)
    final = np.maximum(final, buys - sales) + 0.25 * buys + 0.5
    return FirmNetwork.from_edges(s, c, vals, sectors, final, tuple(f"s{k}" for k in range(n_sec)))


RULES = st.sampled_from(list(RATIONING_RULES))
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(networks(), RULES)
def test_no_shock_is_a_steady_state(net, rule):
    """The baseline repeats up to rounding (the model is run in levels, as the reference does;
    the order rule amplifies a deviation around a cycle, so the tolerance is 1e-6)."""
    tr = simulate_firms(net, None, FirmParams(rationing=rule, record="aggregate"), 30)
    base = net.baseline_production()
    assert np.all(np.abs(tr.firm_loss) <= 1e-6 * np.maximum(base, 1.0) * 30)
    np.testing.assert_allclose(tr.state["demand"], base, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(tr.state["orders"], net.values, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(tr.state["delivered"], net.values, rtol=1e-6, atol=1e-9)


@FAST
@given(
    networks(),
    RULES,
    st.floats(0.0, 1.0),
    st.data(),
)
def test_production_within_capacity_and_non_negative(net, rule, delta, data):
    hit = data.draw(st.lists(st.integers(0, net.n_firms - 1), min_size=1, unique=True))
    shock = FirmShock.firms(hit, delta, recovery="linear", recovery_days=10)
    tr = simulate_firms(net, shock, FirmParams(rationing=rule, n=3, tau=2), 25)
    base = net.baseline_production()
    prod = tr.production.astype(np.float64)
    assert np.all(prod >= 0)
    for t in range(1, 26):
        cap = base.copy()
        cap[shock.index] *= 1 - shock.delta_at(t)
        assert np.all(prod[t] <= cap * (1 + 1e-6) + 1e-9)
    assert np.all(tr.firm_loss >= -1e-9)


@st.composite
def acyclic_networks(draw):
    """Like :func:`networks`, but every link goes from a lower to a higher firm index."""
    n = draw(st.integers(3, 10))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] < p[1]),
            min_size=1,
            max_size=3 * n,
            unique=True,
        )
    )
    vals = draw(st.lists(st.floats(0.1, 100.0), min_size=len(pairs), max_size=len(pairs)))
    n_sec = draw(st.integers(1, 3))
    sectors = draw(st.lists(st.integers(0, n_sec - 1), min_size=n, max_size=n))
    final = np.asarray(draw(st.lists(st.floats(0.0, 50.0), min_size=n, max_size=n)))
    s, c = zip(*pairs, strict=True)
    sales = np.bincount(s, weights=vals, minlength=n)
    buys = np.bincount(c, weights=vals, minlength=n)
    final = np.maximum(final, buys - sales) + 0.25 * buys + 0.5
    return FirmNetwork.from_edges(s, c, vals, sectors, final, tuple(f"s{k}" for k in range(n_sec)))


@FAST
@given(acyclic_networks(), RULES, st.data())
def test_total_loss_monotone_in_delta_without_cycles(net, rule, data):
    """A deeper shock never costs less on an acyclic network (checked on 1,500 examples while
    writing this; cycles can break it, see the next test)."""
    hit = data.draw(st.lists(st.integers(0, net.n_firms - 1), min_size=1, unique=True))
    d1 = data.draw(st.floats(0.0, 1.0))
    d2 = data.draw(st.floats(d1, 1.0))
    p = FirmParams(rationing=rule, n=4, tau=3, record="aggregate")
    losses = [
        simulate_firms(
            net, FirmShock.firms(hit, d, recovery="linear", recovery_days=8), p, 30
        ).total_loss
        for d in (d1, d2)
    ]
    scale = net.baseline_production().sum() * 30
    assert losses[0] <= losses[1] + 1e-9 * scale


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(0.0, 1e4, allow_subnormal=False), min_size=1, max_size=60),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1e4, allow_subnormal=False),
    st.data(),
)
def test_rationing_rules_are_feasible(claims, frac, fd, data):
    """No rule gives out more than it makes or anything negative. The proportional rules give
    out min(P, D) and serve no claim above itself; the authors' rule serves the customers in
    the order of their ratio to the initial order; with final demand last, final demand gets
    ``clip(P − (D − C), 0, C)``."""
    o = np.asarray(claims)
    a = np.asarray(data.draw(st.lists(st.floats(0.01, 1e4), min_size=o.size, max_size=o.size)))
    out = frac * (o.sum() + fd)
    scale = o.sum() + fd
    for rule in RATIONING_RULES:
        x, c = ration(o, out, rule, initial=a, final_demand=fd)
        assert np.all(x >= 0) and c >= 0
        assert x.sum() + c <= out + 1e-12 * scale + 1e-9
        if rule.startswith("proportional"):
            assert np.all(x <= o * (1 + 1e-12) + 1e-9) and c <= fd * (1 + 1e-12) + 1e-9
            assert x.sum() + c == pytest.approx(min(out, o.sum() + fd), rel=1e-9, abs=1e-6)
        else:
            r = o / a
            live = np.argsort(r[r > 1e-20], kind="stable")
            g = (x / a)[r > 1e-20][live]
            assert np.all(np.diff(g) >= -1e-9 * max(g.max(initial=0), 1.0))
        if rule == "inoue_todo_fc_last":
            assert c == pytest.approx(min(max(out - o.sum(), 0.0), fd), rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.05, 1.0), min_size=1, max_size=40),
    st.floats(0.0, 1e3),
    st.data(),
)
def test_inoue_todo_serves_everyone_when_not_short(ratios, fd, data):
    """A supplier that can make its whole demand, whose customers order at most their initial
    orders, delivers every order and all final demand (the last level costs exactly what is
    left, and either branch of the loop then fills it)."""
    r = np.asarray(ratios)
    a = np.asarray(data.draw(st.lists(st.floats(0.01, 1e4), min_size=r.size, max_size=r.size)))
    o = r * a
    x, c = ration(o, o.sum() + fd, "inoue_todo", initial=a, final_demand=fd)
    np.testing.assert_allclose(x, o, rtol=1e-9, atol=1e-9)
    assert c == pytest.approx(fd, rel=1e-9, abs=1e-9)


def test_inoue_todo_zero_order_takes_part_in_the_first_level():
    """As in the reference: a customer that ordered nothing is in the first level's cost and,
    when that level is paid in full, receives it — at the expense of final demand."""
    x, c = ration([0.0, 1.0], 11.0, "inoue_todo", initial=[1.0, 2.0], final_demand=10.0)
    # level 0.5 (the smallest positive ratio) costs 0.5·(1 + 2 + 10) = 6.5 < 11: both customers
    # and final demand gain 0.5; the 4.5 left cannot pay final demand's next level (0.5·10),
    # so final demand gets 4.5/10 more: 0.95 of 10
    np.testing.assert_allclose(x, [0.5, 1.0])
    assert c == pytest.approx(9.5)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans(), st.floats(0.05, 1.2))
def test_large_suppliers_from_one_sort_equal_the_level_loop(seed, fc_last, frac):
    """Suppliers above ``EXACT_UP_TO`` customers are rationed from one sort; that equals the
    reference's level-by-level loop to rounding (ties, zero orders and all)."""
    from fukugan.dynamics.firm_rationing import EXACT_UP_TO, _fill_levels, fill_one

    rng = np.random.default_rng(seed)
    k = EXACT_UP_TO + 1 + int(rng.integers(0, 300))
    a = rng.lognormal(0.0, 1.0, k)
    r = np.round(rng.lognormal(0.0, 0.4, k), int(rng.integers(1, 4)))  # ties
    r[rng.random(k) < 0.05] = 0.0
    o = r * a
    c = float(rng.uniform(0, a.sum()))
    d = o.sum() + c
    p = min(frac * d, d)
    f1, f2, i1, i2 = np.zeros(k), np.zeros(k), np.zeros(k, np.int64), np.zeros(k, np.int64)
    g1 = np.zeros(k)
    c1 = fill_one(o, a, 0, k, c, p, d, fc_last, g1, f1, f2, i1, i2)
    g2 = np.zeros(k)
    c2 = _fill_levels(o, a, 0, k, c, p, d, fc_last, g2, f1, i1)
    np.testing.assert_allclose(g1, g2, rtol=1e-9, atol=1e-12)
    assert c1 == pytest.approx(c2, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("rule", list(RATIONING_RULES))
def test_numba_and_numpy_kernels_agree(rule):
    """The compiled kernels (default) and the readable numpy version are the same model."""
    net = synthetic_network(3000, 15000, seed=7)
    shock = [
        FirmShock.by_region(net, ["R01", "R02"], 0.6, recovery="linear", recovery_days=20),
        FirmShock.firms([5, 17], 1.0, recovery="step", recovery_days=4, start=3),
    ]
    params = FirmParams(rationing=rule, n=np.linspace(5, 20, net.n_firms), order_type="normal")
    a = simulate_firms(net, shock, params, 60, kernels="numba", snapshot_days=[10])
    b = simulate_firms(net, shock, params, 60, kernels="numpy", snapshot_days=[10])
    np.testing.assert_allclose(a.total_output, b.total_output, rtol=1e-10)
    np.testing.assert_allclose(a.final_consumption, b.final_consumption, rtol=1e-10)
    for k in ("inventory", "orders", "delivered", "demand", "production"):
        np.testing.assert_allclose(a.state[k], b.state[k], rtol=1e-7, atol=1e-9, err_msg=k)
    for k in ("production", "demand", "inventory_limit", "delivered"):
        np.testing.assert_allclose(a.snapshots[10][k], b.snapshots[10][k], rtol=1e-9, err_msg=k)


@pytest.mark.parametrize("kernels", ["numba", "numpy"])
def test_rationing_rule_switched_mid_run(kernels):
    """A switch on day 0 is that rule from the start; a switch after the horizon is no switch;
    a switch on day d keeps the first d days of the base run and then departs from it (the
    state carries over: it is neither run from scratch)."""
    net = synthetic_network(2000, 10000, seed=3)
    shock = FirmShock.by_region(net, ["R01", "R02"], 0.7, recovery="linear", recovery_days=25)

    def run(**kw):
        p = FirmParams(record="aggregate", **kw)
        return simulate_firms(net, shock, p, 40, kernels=kernels).total_output

    base = run(rationing="inoue_todo")
    prop = run(rationing="proportional")
    np.testing.assert_array_equal(
        run(rationing="inoue_todo", rationing_from=((0, "proportional"),)), prop
    )
    np.testing.assert_array_equal(
        run(rationing="inoue_todo", rationing_from=((40, "proportional"),)), base
    )
    mid = run(rationing="inoue_todo", rationing_from=((10, "proportional"),))
    np.testing.assert_array_equal(mid[:11], base[:11])  # days 0..10: the base rule
    assert not np.allclose(mid[11:], base[11:], rtol=1e-9)
    assert not np.allclose(mid[11:], prop[11:], rtol=1e-9)


def test_rationing_switch_bad_input():
    net = chain()
    for bad, msg in (((3, "fifo"),), "unknown rationing rule"), (((-1, "proportional"),), "≥ 0"):
        with pytest.raises(InputError, match=msg):
            simulate_firms(net, None, FirmParams(rationing_from=bad), 5)


# -- benchmark -------------------------------------------------------------------------------------
@pytest.mark.slow
def test_quick_benchmark_runs_and_reports():
    """``python -m benchmarks.bench_firms --quick``: 10 k firms, both rules, each in a subprocess."""
    from benchmarks import bench_firms

    text, figures = bench_firms.run(quick=True)
    assert text.startswith(f"## {bench_firms.TITLE}")
    assert "SYNTHETIC" in text and "7.8 s" in text
    runs = figures["runs"]
    assert [r["rule"] for r in runs] == ["proportional", "inoue_todo"]
    for r in runs:
        assert r["firms"] == 10_000 and r["seconds"] > 0 and r["peak_rss_mib"] > 0
        assert 0 < r["total_loss_share"] < 1
        assert f"| {r['rule']} |" in text
