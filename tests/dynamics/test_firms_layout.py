"""The binned link layout of the firm model: results equal a plain one-loop-per-link reference
to the bit, whatever the bin size or the number of threads."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.dynamics.test_firms import networks

from fukugan.dynamics import firms
from fukugan.dynamics.firms import FirmParams, FirmShock, simulate_firms
from fukugan.dynamics.networks import synthetic_network


def reference(net, shocks, params, n_days):
    """The model day by day in plain Python, one loop per link, in the kernels' order of sums
    (a supplier's demand: its customers ascending; an inventory: its suppliers ascending)."""
    prep = firms._prepare(net, params)
    n, e = net.n_firms, net.n_links
    pini, final = prep.pini, prep.final
    cust = net.customer_of_link()
    sup, val = net.suppliers, net.values
    rule = firms._RATIONING[params.rationing]
    cap_m1 = np.inf if params.order_cap is None else params.order_cap - 1.0
    by_sup = [np.flatnonzero(sup == j) for j in range(n)]  # ascending link = ascending customer
    dS = np.zeros(len(prep.slot_use))
    d_ord = np.zeros(e)
    dD, dP, dcap = np.zeros(n), np.zeros(n), np.zeros(n)
    hit = np.zeros(n, bool)
    for s in shocks:
        hit[s.index[s.delta > 0]] = True
    hit_idx = np.flatnonzero(hit)
    prod = [pini.copy()]
    for t in range(1, n_days + 1):
        keep = np.ones(n)
        for s in shocks:
            keep[s.index] *= 1.0 - s.delta_at(t)
        dcap[hit_idx] = (keep[hit_idx] - 1.0) * pini[hit_idx]
        lev = np.full(n, 1.0 if rule == 0 else np.inf)
        for j in range(n):
            dd = 0.0
            for m in by_sup[j]:
                dd += d_ord[m]
            dD[j] = dd
            if pini[j] <= 0.0:
                dP[j] = 0.0
                continue
            p = min(dcap[j], dd)
            for r in range(prep.slot_indptr[j], prep.slot_indptr[j + 1]):
                u = prep.slot_use[r]
                if u > 0.0:
                    p = min(p, ((prep.slot_target[r] + dS[r]) / u - 1.0) * pini[j])
            p = max(p, -pini[j])
            dP[j] = p
            if p != 0.0:
                f = p / pini[j]
                for r in range(prep.slot_indptr[j], prep.slot_indptr[j + 1]):
                    dS[r] -= prep.slot_use[r] * f
            if p >= dd:
                continue
            out = pini[j] + p
            if rule == 0:
                dem = pini[j] + dd
                lev[j] = out / dem if dem > 0.0 else 0.0
            else:
                buf = np.array([val[m] + d_ord[m] for m in by_sup[j]] + [final[j]])
                lev[j] = firms._water_level(buf, len(buf), out)
        for m in range(e):  # deliveries, CSR order
            q = lev[sup[m]]
            if rule == 0:
                dx = d_ord[m] if q == 1.0 else (val[m] + d_ord[m]) * q - val[m]
            else:
                dx = d_ord[m] if q == np.inf else min(val[m] + d_ord[m], q) - val[m]
            dS[prep.slot_c[m]] += dx
        dS = np.maximum(dS, -prep.slot_target)
        if t < n_days:
            for m in range(e):
                i, r = cust[m], prep.slot_c[m]
                g = dD[i] / pini[i] if pini[i] > 0 else 0.0
                d = val[m] * g + prep.share_c[m] * (prep.slot_target[r] * g - dS[r]) / params.tau
                d_ord[m] = min(max(d, -val[m]), cap_m1 * val[m])
        prod.append(pini + dP)
    return np.array(prod, dtype=np.float32), prep.slot_target + dS, val + d_ord, dD


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    networks(),
    st.sampled_from(["proportional", "small_first"]),
    st.sampled_from([None, 1.5]),
    st.floats(0.0, 1.0),
    st.data(),
)
def test_kernels_equal_the_plain_reference_to_the_bit(net, rule, cap, delta, data):
    hit = data.draw(st.lists(st.integers(0, net.n_firms - 1), min_size=1, unique=True))
    shocks = [FirmShock.firms(hit, delta, recovery="linear", recovery_days=6)]
    p = FirmParams(rationing=rule, n=3, tau=2, order_cap=cap)
    tr = simulate_firms(net, shocks, p, 20)
    prod, inv, orders, dD = reference(net, shocks, p, 20)
    np.testing.assert_array_equal(tr.production, prod)
    np.testing.assert_array_equal(tr.state["inventory"], inv)
    np.testing.assert_array_equal(tr.state["orders"], orders)
    np.testing.assert_array_equal(tr.state["demand"], tr.baseline + dD)


def test_synthetic_network_equals_the_reference():
    net = synthetic_network(300, 1500, seed=11)
    shocks = [FirmShock.by_region(net, ["R00"], 0.6, recovery="linear", recovery_days=10)]
    for rule in ("proportional", "small_first"):
        p = FirmParams(rationing=rule)
        tr = simulate_firms(net, shocks, p, 25)
        prod, inv, orders, _ = reference(net, shocks, p, 25)
        assert tr.total_loss > 0
        np.testing.assert_array_equal(tr.production, prod)
        np.testing.assert_array_equal(tr.state["inventory"], inv)
        np.testing.assert_array_equal(tr.state["orders"], orders)


def _run(net, rule):
    shocks = [
        FirmShock.by_region(net, ["R01", "R02"], 0.6, recovery="linear", recovery_days=20),
        FirmShock.firms([5, 17], 1.0, recovery="step", recovery_days=4, start=3),
    ]
    return simulate_firms(net, shocks, FirmParams(rationing=rule), 50)


def _same(a, b):
    np.testing.assert_array_equal(a.production, b.production)
    np.testing.assert_array_equal(a.firm_loss, b.firm_loss)
    for k in ("inventory", "orders", "demand", "production"):
        np.testing.assert_array_equal(a.state[k], b.state[k], err_msg=k)


@pytest.mark.parametrize("rule", ["proportional", "small_first"])
def test_bin_size_does_not_change_results(rule, monkeypatch):
    net = synthetic_network(3000, 15000, seed=7)
    prep = firms._prepare(net, FirmParams())
    monkeypatch.setattr(firms, "_BIN_BYTES", 256)
    firms._layout(prep)
    assert len(prep.bin_firm) - 1 > 100
    small = _run(net, rule)
    monkeypatch.setattr(firms, "_BIN_BYTES", 1 << 40)
    firms._layout(prep)
    assert len(prep.bin_firm) - 1 == min(net.n_firms, 4 * numba.get_num_threads())
    _same(small, _run(net, rule))


@pytest.mark.parametrize("rule", ["proportional", "small_first"])
def test_thread_count_does_not_change_results(rule):
    net = synthetic_network(3000, 15000, seed=8)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _run(net, rule)
    finally:
        numba.set_num_threads(before)
    _same(one, _run(net, rule))


def test_layout_is_a_permutation_grouped_by_supplier_bins():
    net = synthetic_network(2000, 10000, seed=4)
    prep = firms._prepare(net, FirmParams())
    firms._layout(prep, 1024)
    e = net.n_links
    assert sorted(prep.pos.tolist()) == list(range(e))
    np.testing.assert_array_equal(prep.sup_t[prep.pos], net.suppliers)
    np.testing.assert_array_equal(prep.val_t[prep.pos], net.values)
    csr_of = np.argsort(prep.pos)  # binned position -> CSR link
    assert len(prep.bin_firm) - 1 > 10
    for b in range(len(prep.bin_firm) - 1):
        k0, k1 = prep.bin_link[b], prep.bin_link[b + 1]
        s = prep.sup_t[k0:k1]
        assert np.all((s >= prep.bin_firm[b]) & (s < prep.bin_firm[b + 1]))
        assert np.all(np.diff(csr_of[k0:k1]) > 0)  # within a bin: the CSR order
    # small-first claims: supplier j's block starts at sup_indptr[j] + j, customers ascending,
    # then one slot for its final demand
    at = prep.claim_at
    assert len(np.unique(at)) == e and at.max() < e + net.n_firms
    start = prep.sup_indptr[prep.sup_t] + prep.sup_t
    assert np.all((at >= start) & (at < start + net.out_degree()[prep.sup_t]))
    cust_t = net.customer_of_link()[csr_of]
    order = np.argsort(at)
    same = prep.sup_t[order][1:] == prep.sup_t[order][:-1]
    assert np.all(np.diff(cust_t[order])[same] > 0)
