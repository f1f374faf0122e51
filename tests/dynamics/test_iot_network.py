"""The firm network split from an input-output table: its totals are the table's exactly
(industry outputs, every kept inter-industry flow), every firm is productive, regions get
their output shares, and the same seed gives the same network."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.dynamics.iot_network import iot_network
from fukugan.errors import InputError


def _check(Z, x, net, floor):
    n = len(x)
    sales = np.bincount(net.suppliers, net.values, minlength=net.n_firms)
    P = sales + net.final_demand
    assert np.allclose(np.bincount(net.sectors, P, minlength=n), x, rtol=1e-12, atol=1e-9)
    cust = net.customer_of_link()
    flows = np.zeros((n, n))
    np.add.at(flows, (net.sectors[net.suppliers], net.sectors[cust]), net.values)
    inputs = Z.sum(axis=0)
    kept = (Z >= floor * inputs[None, :]) & (Z > 0)
    off = ~np.eye(n, dtype=bool)  # a firm drawn as its own supplier keeps that flow inside
    assert np.allclose(flows[kept & off], Z[kept & off], rtol=1e-12, atol=1e-9)
    assert np.all(flows[kept & ~off] <= Z[kept & ~off] + 1e-9)
    assert np.all(flows[~kept] == 0)
    assert np.all(cust != net.suppliers)
    assert np.all(net.final_demand >= 0)
    purchases = np.bincount(cust, net.values, minlength=net.n_firms)
    assert np.all(purchases <= P * (1 + 1e-12))  # every firm productive


def test_known_table_margins_exact():
    Z = np.array([[10.0, 40.0, 0.0], [30.0, 5.0, 2.0], [0.5, 1.0, 20.0]])
    x = np.array([100.0, 80.0, 50.0])
    net, _ = iot_network(Z, x, ("A", "B", "C"), 60, days_per_year=1.0, min_input_share=0.05)
    _check(Z, x, net, 0.05)
    # C's input from A (0.5 of C's 22 = 2.3 %) is below 5 %: no link, A keeps it as final use
    cust = net.customer_of_link()
    assert not np.any((net.sectors[net.suppliers] == 0) & (net.sectors[cust] == 2))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 6),
    n_firms=st.integers(5, 120),
    plans=st.integers(1, 3),
    seed=st.integers(0, 10_000),
    data=st.data(),
)
def test_margins_hold_for_any_productive_table(n, n_firms, plans, seed, data):
    rng = np.random.default_rng(seed)
    Z = rng.random((n, n)) * (rng.random((n, n)) < 0.7) * 50
    x = np.maximum(Z.sum(axis=0) / data.draw(st.floats(0.2, 0.9)), Z.sum(axis=1)) + rng.random(n)
    floor = data.draw(st.sampled_from([0.0, 0.01, 0.1]))
    net, _ = iot_network(Z, x, tuple("ABCDEF"[:n]), n_firms, plans=plans,
                         min_input_share=floor, days_per_year=1.0, seed=seed)  # fmt: skip
    _check(Z, x, net, floor)


def test_regions_get_their_output_shares_and_seed_repeats():
    rng = np.random.default_rng(3)
    n = 8
    Z = rng.random((n, n)) * 100
    x = Z.sum(axis=0) * 2.5
    shares = np.vstack([np.full(n, 0.036), np.full(n, 0.2)])
    kw = dict(region_names=("hokkaido", "kanto"), region_shares=shares, seed=11)
    net, realised = iot_network(Z, x, tuple(f"S{i}" for i in range(n)), 4000, **kw)
    assert net.region_names == ("hokkaido", "kanto", "rest")
    P = np.bincount(net.suppliers, net.values, minlength=net.n_firms) + net.final_demand
    for k in range(2):  # the realised shares returned are the network's
        got = np.bincount(net.sectors[net.regions == k], P[net.regions == k], minlength=n)
        total = np.bincount(net.sectors, P, minlength=n)
        assert np.allclose(got / total, realised[k])
    overall = [P[net.regions == k].sum() / P.sum() for k in range(2)]
    assert overall == pytest.approx([0.036, 0.2], abs=0.004)
    again, _ = iot_network(Z, x, tuple(f"S{i}" for i in range(n)), 4000, **kw)
    assert np.array_equal(again.suppliers, net.suppliers)
    assert np.array_equal(again.values, net.values)
    assert np.array_equal(again.regions, net.regions)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"Z": -np.ones((2, 2))}, "≥ 0"),
        ({"x": np.ones(3)}, "must be (2, 2)"),
        ({"region_names": ("a",), "region_shares": np.full((1, 2), 1.2)}, "sum to at most 1"),
        ({"plans": 0}, "plans must be ≥ 1"),
        ({"Z": np.array([[30.0, 0], [0, 1]])}, "industry 'A' sells more to industries"),
    ],
)
def test_bad_input_is_refused(kw, message):
    args = {"Z": np.ones((2, 2)), "x": np.full(2, 10.0)}
    args.update({k: kw.pop(k) for k in ("Z", "x") if k in kw})
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        iot_network(args["Z"], args["x"], ("A", "B"), 10, **kw)


def test_firm_ids_rank_each_industry_by_output():
    Z = np.array([[10.0, 40.0], [30.0, 5.0]])
    x = np.array([100.0, 80.0])
    net, _ = iot_network(Z, x, ("A", "B"), 40, days_per_year=1.0, seed=2)
    ids = net.ids()
    P = np.bincount(net.suppliers, net.values, minlength=net.n_firms) + net.final_demand
    for k, code in enumerate(("A", "B")):
        mine = np.flatnonzero(net.sectors == k)
        by_rank = sorted(mine, key=lambda i: ids[i])
        assert ids[by_rank[0]] == f"{code}-001"
        assert list(P[by_rank]) == sorted(P[mine], reverse=True)
    assert len(set(ids)) == net.n_firms
