"""A firm network calibrated to a national input-output table: real inter-industry flows,
generated firms.

No public data set lists Japan's firm-to-firm transactions (the Tokyo Shoko Research network
of Inoue & Todo 2019 is licensed). :func:`iot_network` therefore splits each industry of a
real table into generated firms and draws their links so that the network's totals **are**
the table's, and only the split into firms is generated:

1. industry *s* gets ``n_s ∝ x_s`` firms (at least ``min_firms``) with Pareto sizes
   ``w_i`` (CCDF exponent ``size_exponent``, ≈ 1 for firm sizes: Axtell 2001, *Science*
   293:1818; Fujiwara et al. 2004 for Japan), normalised within the industry;
2. every flow ``Z_sr`` of at least ``min_input_share`` of industry *r*'s domestic
   intermediate inputs is split among the firms of *s* and *r* with **both margins exact**:
   supplier *i* sells ``w_i · Z_sr`` and customer *j* buys ``w_j · Z_sr``. The split is the
   north-west-corner transport plan over a random order of both sides (a spanning forest:
   at most ``n_s + n_r − 1`` links, large firms trading with many, small with one or two),
   averaged over ``plans`` independent orders; links of a pair in several plans are one link;
3. each firm's final demand is its size share of its industry's final uses plus the flows
   below the threshold: ``C_i = w_i (x_s − Σ_r Z_sr^kept)`` (a firm drawn as its own
   supplier keeps that flow as its own final use). Then every firm produces its size share,
   ``P_ini_i = w_i x_s``, buys ``w_i Σ_s Z_sr^kept`` (the table's input coefficients,
   so every firm is productive when the table is), and

       Σ_{i ∈ s} P_ini_i = x_s        and        Σ_{i ∈ s, j ∈ r} A_ij = Z_sr (kept pairs)

   hold exactly (in the table's unit per year ÷ ``days_per_year``): the baseline is the
   table's, day by day;
4. regions: within each industry, firms in a random order are cut into consecutive runs whose
   output shares are ``region_shares[k, s]`` (the firm whose midpoint falls in a run belongs to
   it), the rest to ``rest_region``; of ``region_tries`` orders the nearest to the asked
   shares is kept, and each region's realised share of the industry's output is returned with
   the network (firms are indivisible, so it is near the asked share, not equal).

Firm ids are ``<industry>-<rank>`` (``C26-001``: the industry's largest by output).

Links do not prefer firms of the same region (the table has no geography): a regional shock
reaches customers everywhere in proportion to the industry flows.

>>> Z = np.array([[10.0, 40.0], [30.0, 5.0]])
>>> x = np.array([100.0, 80.0])
>>> net, realised = iot_network(Z, x, ("A", "B"), 20, days_per_year=1.0, seed=1)
>>> P = net.final_demand + np.bincount(net.suppliers, net.values, minlength=net.n_firms)
>>> np.allclose(np.bincount(net.sectors, P), x)
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fukugan.errors import InputError
from fukugan.firm_network import FirmNetwork

__all__ = ["iot_network"]


def iot_network(
    Z: np.ndarray,
    x: np.ndarray,
    sector_names: Sequence[str],
    n_firms: int,
    *,
    region_names: Sequence[str] = (),
    region_shares: np.ndarray | None = None,
    rest_region: str = "rest",
    min_firms: int = 3,
    min_input_share: float = 0.01,
    plans: int = 2,
    size_exponent: float = 1.05,
    size_cap: float = 200.0,
    region_tries: int = 64,
    days_per_year: float = 365.0,
    seed: int = 0,
    label: str = "",
    unit: str = "",
) -> tuple[FirmNetwork, np.ndarray]:
    """Firm network whose industry totals are the table's (module doc).

    Args:
        Z: (n, n) domestic intermediate flows per year, rows = supplying industry.
        x: (n,) output per year; industries with ``x ≤ 0`` get no firms.
        sector_names: the n industry codes.
        n_firms: about how many firms in all (each industry with output gets ``min_firms``).
        region_names, region_shares: k named regions and their (k, n) output shares by
            industry (column sums ≤ 1); the rest of each industry is ``rest_region``.
        min_input_share: inputs below this share of a using industry's domestic intermediate
            inputs are not links (their value stays in the supplier's final demand).
        plans: how many random transport plans share each block's flow (more: more
            suppliers per firm and input; each plan has at most ``n_s + n_r − 1`` links).
        size_exponent, size_cap: Pareto CCDF exponent of firm sizes and their cap (× smallest).
        region_tries: random orders tried per industry for the regions; the one whose
            realised shares are nearest the asked ones is kept.
        days_per_year: the table's flows are per year, the firm model's per day.
        seed: generator seed (the same seed gives the same network).
        label, unit: carried by the network.

    Returns:
        (network, realised): ``realised[k, s]`` is region k's share of industry s's output.

    Raises:
        InputError: inconsistent shapes, negative flows, shares outside [0, 1] or summing > 1,
            an industry whose kept sales to industries exceed its output.
    """
    Z = np.asarray(Z, dtype=float)
    x = np.asarray(x, dtype=float)
    n = len(sector_names)
    if Z.shape != (n, n) or x.shape != (n,):
        raise InputError(f"Z must be ({n}, {n}) and x ({n},), got {Z.shape} and {x.shape}")
    if np.any(Z < 0) or not np.all(np.isfinite(Z)) or not np.all(np.isfinite(x)):
        raise InputError("the flows must be finite and ≥ 0")
    k_reg = len(region_names)
    shares = np.zeros((k_reg, n)) if region_shares is None else np.asarray(region_shares, float)
    if shares.shape != (k_reg, n):
        raise InputError(f"region_shares must be ({k_reg}, {n}), got {shares.shape}")
    if np.any(shares < 0) or np.any(shares.sum(axis=0) > 1 + 1e-12):
        raise InputError("region shares must be ≥ 0 and sum to at most 1 in every industry")
    if int(plans) < 1:
        raise InputError(f"plans must be ≥ 1, got {plans!r}")
    if int(n_firms) < 1 or min_firms < 1:
        raise InputError(f"n_firms and min_firms must be ≥ 1, got {n_firms}, {min_firms}")
    rng = np.random.default_rng(seed)
    live = x > 0
    total = float(x[live].sum())
    count = np.zeros(n, dtype=np.int64)
    count[live] = np.maximum(min_firms, np.round(n_firms * x[live] / total)).astype(np.int64)
    first = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(count, out=first[1:])
    N = int(first[-1])
    sectors = np.repeat(np.arange(n, dtype=np.int32), count)
    w = np.minimum((1.0 - rng.random(N)) ** (-1.0 / size_exponent), size_cap)
    w /= np.bincount(sectors, w, minlength=n)[sectors]  # shares within the industry
    # the kept coefficients: each block Z_sr split among firms with exact margins
    inputs = Z.sum(axis=0)
    keep = (Z >= min_input_share * inputs[None, :]) & (Z > 0) & live[:, None] & live[None, :]
    sup_l, cus_l, val_l = [], [], []
    for s_, r in zip(*np.nonzero(keep), strict=True):
        rows = np.arange(first[s_], first[s_ + 1])
        cols = np.arange(first[r], first[r + 1])
        for _ in range(int(plans)):
            i, j, v = _corner(w[rows], w[cols], float(Z[s_, r]) / plans, rng)
            sup_l.append(rows[i])
            cus_l.append(cols[j])
            val_l.append(v)
    sup = np.concatenate(sup_l) if sup_l else np.zeros(0, dtype=np.int64)
    cus = np.concatenate(cus_l) if cus_l else np.zeros(0, dtype=np.int64)
    val = np.concatenate(val_l) if val_l else np.zeros(0)
    kept = np.where(keep, Z, 0.0).sum(axis=1)  # Σ_r Z_sr over the kept pairs
    over = np.flatnonzero(live & (kept > x * (1 + 1e-12)))
    if over.size:
        raise InputError(
            f"industry {sector_names[over[0]]!r} sells more to industries "
            f"({kept[over[0]]:g}) than it produces ({x[over[0]]:g}): negative final uses "
            "cannot be split among firms"
        )
    final = w * np.maximum(x - kept, 0.0)[sectors]
    own = sup == cus  # a firm supplying itself: intra-firm, kept as its own final use
    np.add.at(final, sup[own], val[own])
    key = sup[~own].astype(np.int64) * N + cus[~own]
    key, inv = np.unique(key, return_inverse=True)  # several plans' links of one pair: one link
    value = np.bincount(inv, val[~own], minlength=key.size) / days_per_year
    link_sup, customer = key // N, key % N
    final = final / days_per_year

    # regions: consecutive runs of output shares over a random order within each industry
    sales = np.bincount(link_sup, value, minlength=N)
    P = sales + final
    regions = np.full(N, k_reg, dtype=np.int32)
    realised = np.zeros((k_reg, n))
    if k_reg:
        for s in np.flatnonzero(live):
            edges = np.cumsum(shares[:, s])
            best = None
            for _ in range(int(region_tries)):
                idx = first[s] + rng.permutation(int(count[s]))
                p = P[idx] / P[idx].sum()
                reg = np.searchsorted(edges, np.cumsum(p) - p / 2, side="right")
                got = np.bincount(reg, p, minlength=k_reg + 1)[:k_reg]
                miss = float(np.abs(got - shares[:, s]).sum())
                if best is None or miss < best[0]:
                    best = (miss, idx, reg, got)
            _, idx, reg, got = best
            regions[idx] = reg.astype(np.int32)
            realised[:, s] = got
    # ids say where a firm stands: "<industry>-<rank by output within it>", e.g. C26-001 for
    # the largest electronics maker (ranks from 001, as wide as the industry's count needs)
    rank = np.empty(N, dtype=np.int64)
    for s in np.flatnonzero(count):
        idx = np.arange(first[s], first[s + 1])
        rank[idx[np.argsort(-P[idx], kind="stable")]] = np.arange(1, idx.size + 1)
    width = max(3, len(str(int(count.max())))) if N else 3
    ids = np.array([f"{sector_names[sectors[i]]}-{rank[i]:0{width}d}" for i in range(N)])
    net = FirmNetwork.from_edges(
        link_sup,
        customer,
        value,
        sectors,
        final,
        tuple(sector_names),
        firm_ids=ids,
        regions=regions if k_reg else None,
        region_names=(*region_names, rest_region) if k_reg else (),
        label=label,
        unit=unit,
    )
    return net, realised


def _corner(
    a: np.ndarray, b: np.ndarray, total: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """North-west-corner plan with row sums ``total · a`` and column sums ``total · b``
    (``a``, ``b`` shares summing to 1) over a random order of the rows and of the columns:
    (row, column, value) of its at most ``len(a) + len(b) − 1`` positive cells."""
    pa, pb = rng.permutation(a.size), rng.permutation(b.size)
    A = np.cumsum(a[pa])
    B = np.cumsum(b[pb])
    A[-1] = B[-1] = 1.0  # the same end point, whatever the rounding
    cuts = np.union1d(A, B)
    seg = np.diff(np.concatenate([[0.0], cuts]))
    ok = seg > 1e-15
    mid = (cuts - seg / 2)[ok]
    i = pa[np.minimum(np.searchsorted(A, mid), a.size - 1)]
    j = pb[np.minimum(np.searchsorted(B, mid), b.size - 1)]
    return i, j, seg[ok] * total
