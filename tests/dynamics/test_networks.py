"""The synthetic firm-network generator and the FirmNetwork structure."""

from __future__ import annotations

import numpy as np
import pytest

from fukugan.dynamics.networks import (
    SYNTHETIC_LABEL,
    FirmNetwork,
    ccdf_exponent,
    synthetic_network,
)
from fukugan.errors import InputError


def test_synthetic_network_shape_and_steady_state():
    net = synthetic_network(20_000, 100_000, n_sectors=30, n_regions=47, seed=7)
    assert net.label == SYNTHETIC_LABEL
    assert net.n_firms == 20_000
    assert abs(net.n_links - 100_000) <= 10
    assert len(net.sector_names) == 30 and len(net.region_names) == 47
    # every firm has a supplier; no self-loops or duplicates (checked by the constructor)
    assert net.in_degree().min() >= 1
    # steady state: production = sales + final demand covers purchases plus value added
    p = net.baseline_production()
    assert np.all(p > 0)
    assert np.all(net.purchases() <= p)
    # heavy tails like Japan's network (CCDF exponents about 1.3-1.4), tail above k = 50
    mu_in = ccdf_exponent(net.in_degree(), 50)
    mu_out = ccdf_exponent(net.out_degree(), 50)
    assert 1.1 < mu_in < 1.7, mu_in
    assert 1.1 < mu_out < 1.6, mu_out
    assert net.out_degree().max() > 50 * net.out_degree().mean()
    d = net.describe()
    assert d["components"] >= 1 and d["isolated_firms"] == 0


def test_synthetic_network_is_reproducible():
    a = synthetic_network(1000, 5000, seed=1)
    b = synthetic_network(1000, 5000, seed=1)
    c = synthetic_network(1000, 5000, seed=2)
    assert np.array_equal(a.suppliers, b.suppliers) and np.array_equal(a.values, b.values)
    assert not np.array_equal(a.suppliers, c.suppliers)


def test_ccdf_exponent_recovers_a_known_law():
    rng = np.random.default_rng(0)
    k = np.floor((1 - rng.random(200_000)) ** (-1 / 1.3)).astype(int)
    assert ccdf_exponent(k, 20) == pytest.approx(1.3, abs=0.05)


def test_from_edges_builds_sorted_csr():
    net = FirmNetwork.from_edges(
        [2, 0, 1], [1, 1, 0], [3.0, 1.0, 2.0], [0, 1, 0], [1.0, 5.0, 1.0], ("a", "b")
    )
    assert net.indptr.tolist() == [0, 1, 3, 3]
    assert net.suppliers.tolist() == [1, 0, 2]
    assert net.values.tolist() == [2.0, 1.0, 3.0]
    np.testing.assert_allclose(net.sales(), [1, 2, 3])
    np.testing.assert_allclose(net.purchases(), [2, 4, 0])
    np.testing.assert_allclose(net.baseline_production(), [2, 7, 4])
    assert net.ids().tolist() == ["F0", "F1", "F2"]


def test_generator_bad_sizes():
    with pytest.raises(InputError):
        synthetic_network(1, 5)
    with pytest.raises(InputError):
        synthetic_network(10, 5)
    with pytest.raises(InputError, match="do not fit"):
        synthetic_network(3, 7)
