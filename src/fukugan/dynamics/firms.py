r"""Firm-level propagation of shocks through supply chains (Inoue & Todo 2019).

References:
    H. Inoue & Y. Todo (2019), "Firm-level propagation of shocks through supply-chain networks",
    Nature Sustainability 2:841–847 (Methods: the agent-based model); H. Inoue & Y. Todo (2019),
    "Propagation of negative shocks across nation-wide firm networks", PLoS ONE 14(3):e0213648
    (the same model on ~1 M Japanese firms; substitution within sectors; rationing). The model
    descends from Hallegatte's (2008) ARIO and Henriet, Hallegatte & Tabourier (2012).

Notation (daily steps ``t = 1..T``; firm ``i``, its sector ``s(i)``; a link ``j → i`` from
supplier ``j`` to customer ``i`` with baseline daily transaction value ``A_ji``; ``C_i`` final
demand; ``P_ini_i = Σ_k A_ik + C_i``; input sector ``r``):

* baseline use of sector-``r`` inputs by ``i``: ``A_ri = Σ_{j: s(j)=r} A_ji`` (technical
  coefficient ``a_ri = A_ri / P_ini_i``);
* inventories are held **per input sector**, ``S_ri``, not per supplier: goods from any supplier
  of sector ``r`` are interchangeable (the paper's substitution among same-sector suppliers);
  initially ``S_ri(0) = n_ri · A_ri`` (``n`` days of baseline use);
* expected demand ``D*_i(t) = D_i(t − 1)`` (``D_i(0) = P_ini_i``).

One day:

1. **orders** customer ``i`` places with supplier ``j`` (sector ``r = s(j)``)::

       O_ji(t) = max(0, A_ji · D*_i / P_ini_i
                        + (A_ji / A_ri) · (n_ri · A_ri · D*_i / P_ini_i − S_ri(t)) / τ)

   i.e. the input needed for the expected demand plus a 1/τ share of the gap between the target
   inventory (``n`` days of expected use) and the inventory held; the sector-level gap is split
   among the sector's suppliers by their baseline shares ``A_ji / A_ri``. This is docs/PRODUCT.md's
   ``O_ij = A_ij D*_j(t−1) + (n_j A_ij D*_j(t−1) − S_ij)/τ`` written with transaction values
   instead of technical coefficients: docs/PRODUCT.md's ``A_ij`` (supplier ``i``, customer ``j``) is
   the coefficient ``A_ij / P_ini_j`` here, and its per-link inventory ``S_ij`` is the supplier's
   baseline share of the sector inventory, ``(A_ij / A_rj) · S_rj``.
2. **demand** ``D_i(t) = Σ_k O_ik(t) + C_i``.
3. **production** ``P_i(t) = min(P_cap_i(t), P_inv_i(t), D_i(t))`` with capacity
   ``P_cap_i = P_ini_i · (1 − δ_i(t))`` and the inventory constraint of every input sector
   ``P_inv_i = min_r S_ri / a_ri`` (Leontief in sectors, perfect substitutes within a sector);
   inputs used: ``S_ri −= a_ri · P_i``.
4. **rationing**: if ``P_j < D_j`` the supplier's output is shared among its customers' orders
   *and* its final demand (a claimant like the others):

   * ``"proportional"``: every claimant receives ``x = o · P_j / D_j``;
   * ``"small_first"`` (the authors' non-proportional rule: smaller orders are served first, the
     least-fulfilled customer next): water-filling, ``x = min(o, L)`` with the level ``L`` such
     that ``Σ min(o, L) = P_j``; no claimant ever receives more than it ordered. Each rationed
     supplier sorts its claims once per day (``O(d log d)``), so a day costs ``O(E log d_max)``
     in total — never a rescan of a hub's customers per fill level.

   Deliveries are added to the customers' sector inventories: ``S_{s(j),i} += x_ji``.

Without a shock the baseline repeats exactly (orders = ``A``, production = ``P_ini``, inventories
= ``n · A_ri``). Production never exceeds capacity, so daily losses ``P_ini − P`` are ≥ 0.

Behaviour to know (it follows from the equations, it is not a bug): targets scale with expected
demand, which includes the customers' own raised orders, so while supply stays short orders grow
without bound around cycles of the network (order wind-up; a bullwhip). With ``small_first``,
once every claim on a supplier exceeds the level, its output is split *equally* in absolute
terms, which can starve a large customer for good (a permanent loss after capacity is
restored). For these reasons the total loss is not always monotone in δ on networks with
cycles (tests: ``test_cycle_order_windup_and_small_first_lock_in``); on acyclic networks it is.

The paper's order rule has no bound (Inoue & Todo 2019, Methods: the order is the previous
demand's input need plus a 1/τ share of the inventory gap; nothing caps it), so that is the
default. ``FirmParams(order_cap=c)`` (opt-in, ``c ≥ 1``; not in the paper) caps every order at
``c · A_ji``: orders, demand (``≤ c · sales + C``) and inventories (``≤ max(S(0), (n + τ + 1) ·
c · A_ri)``) then stay bounded. It does **not** make losses monotone in δ on cyclic networks:
expected demand is yesterday's demand and the order rule amplifies a change by ``1 + n/τ``,
so a cycle can also spiral *down* (inventories above their demand-scaled targets cut orders to
0, the cycle's demand shrinks, both firms idle below capacity), and how that trough falls
depends on δ (tests/dynamics/test_firms_order_cap.py pins an example). On acyclic networks losses stay
monotone with or without the cap.

Implementation: numba kernels, parallel (``prange``), no Python loop per firm; two passes a day.
Every link must carry information both ways each day (its order to the supplier, the
supplier's rationing back to it); done directly, that is one random access per link into
per-supplier state, which stops fitting in the caches around 10⁵–10⁶ firms. Instead the links
are also kept grouped by a few *bins of suppliers* (consecutive firms, ≤ 1 MiB of per-supplier
state each; within a bin in the CSR order, customers ascending) and each link has two float64
slots there: the delivery and the order deviation. The supplier pass works bin by bin (demand
sums, production, rationing, each link's delivery) with the per-supplier state in cache;
small-first copies each claim into its supplier's contiguous block and water-fills there. The
customer pass walks the CSR rows (customers) and reads / writes its links' slots through
``pos`` — one advancing cursor per bin, not a random jump per link. Sums keep their order (a
supplier's demand adds its customers' orders in ascending customer order, an inventory adds
deliveries in ascending supplier order), so results do not depend on the number of threads or
the bin size, and equal the previous single-thread kernels to the bit
(tests/dynamics/test_firms_layout.py). ``reorder=True`` simulates in :func:`locality_order` (biggest
suppliers first), mapping outputs back to the network's order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numba  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from fukugan.dynamics.networks import SYNTHETIC_LABEL, FirmNetwork, synthetic_network
from fukugan.errors import InputError  # noqa: E402

__all__ = [
    "FirmNetwork",
    "FirmParams",
    "FirmShock",
    "FirmTrajectory",
    "SYNTHETIC_LABEL",
    "locality_order",
    "propagation_paths",
    "ration",
    "simulate_firms",
    "synthetic_network",
    "to_run_result",
    "to_run_rows",
]

ENGINE = "firms"
Rationing = Literal["proportional", "small_first"]
Recovery = Literal["none", "step", "linear", "exponential"]
_RATIONING = {"proportional": 0, "small_first": 1}


# -- parameters and shocks --------------------------------------------------------------------
@dataclass(frozen=True)
class FirmParams:
    """Parameters of the Inoue & Todo model (defaults as docs/PRODUCT.md: n = 15 days, τ = 6).

    Attributes:
        n: target inventory in days of use; a number, or a mapping input-sector name → days
            (every input sector of the network must be present: a missing one is an
            :class:`InputError`), or an array with one value per firm (the customer's ``n_i``).
        tau: inventory adjustment time τ in days (> 0).
        rationing: ``"proportional"`` or ``"small_first"`` (see the module doc).
        record: ``"firms"`` keeps production per firm per day (float32, ``(T+1) × n_firms``);
            ``"aggregate"`` keeps only sector / region / total aggregates (and the total loss
            per firm).
        order_cap: ``None`` (default, the paper's model: orders are not bounded) or a number
            ``c ≥ 1``: every order is capped at ``c`` times the link's baseline order,
            ``O_ji ≤ c · A_ji`` (applied after the order rule, like the ``≥ 0`` floor). Opt-in
            guard against the order wind-up around cycles (module doc): with it, orders, demand
            and inventories stay bounded. Not part of Inoue & Todo (2019).
    """

    n: float | Mapping[str, float] | np.ndarray = 15.0
    tau: float = 6.0
    rationing: Rationing = "proportional"
    record: Literal["firms", "aggregate"] = "firms"
    order_cap: float | None = None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if isinstance(self.n, np.ndarray):
            d["n"] = f"per-firm array (mean {float(np.mean(self.n)):.3g})"
        elif isinstance(self.n, Mapping):
            d["n"] = dict(self.n)
        return d


@dataclass
class FirmShock:
    """Capacity losses δ for hit firms, with a recovery path.

    ``δ_i(t)`` for day ``t ≥ start`` (``s = t − start`` days into the shock, ``T`` the firm's
    ``recovery_days``); zero before ``start``:

    * ``"none"``: ``δ0`` for ever;
    * ``"step"``: ``δ0`` while ``s < T``, then 0 (e.g. a blackout of ``T`` days);
    * ``"linear"``: ``δ0 · max(0, 1 − s/T)``;
    * ``"exponential"``: ``δ0 · exp(−ln(100) · s/T)`` while ``s < T`` (99 % recovered after
      ``T`` days), then 0.

    Build with :meth:`firms`, :meth:`by_ids`, :meth:`by_mask`, :meth:`by_region` or
    :meth:`by_sector`; unknown firms, regions or sectors raise :class:`InputError`. Several
    shocks may hit the same firm: capacities multiply, ``1 − δ = Π (1 − δ_k)``.
    """

    index: np.ndarray
    delta: np.ndarray
    start: int = 1
    recovery: Recovery = "linear"
    recovery_days: float | np.ndarray = 30.0
    label: str = ""

    def __post_init__(self) -> None:
        self.index = np.asarray(self.index, dtype=np.int64).ravel()
        self.delta = np.broadcast_to(
            np.asarray(self.delta, dtype=np.float64), self.index.shape
        ).copy()
        self.recovery_days = np.broadcast_to(
            np.asarray(self.recovery_days, dtype=np.float64), self.index.shape
        ).copy()
        if self.recovery not in ("none", "step", "linear", "exponential"):
            raise InputError(
                f"unknown recovery {self.recovery!r} (none, step, linear, exponential)",
                field="recovery",
            )
        bad = np.flatnonzero(~np.isfinite(self.delta) | (self.delta < 0) | (self.delta > 1))
        if bad.size:
            raise InputError(
                f"capacity loss δ = {self.delta[bad[0]]!r} outside 0..1 (hit firm #{bad[0]})",
                field="delta",
            )
        bad = np.flatnonzero(~np.isfinite(self.recovery_days) | (self.recovery_days <= 0))
        if bad.size and self.recovery != "none":
            raise InputError(
                f"recovery_days {self.recovery_days[bad[0]]!r} must be > 0", field="recovery_days"
            )
        if int(self.start) != self.start or self.start < 1:
            raise InputError(f"start day {self.start!r} must be an integer ≥ 1", field="start")
        if len(np.unique(self.index)) != len(self.index):
            raise InputError("a firm is listed twice in one shock", field="firms")

    # -- constructors --
    @classmethod
    def firms(
        cls, index: Sequence[int] | np.ndarray, delta: float | np.ndarray, **kw: Any
    ) -> FirmShock:
        """Hit firms by index (0-based)."""
        return cls(np.asarray(index), delta, **kw)

    @classmethod
    def by_ids(cls, network: FirmNetwork, deltas: Mapping[str, float], **kw: Any) -> FirmShock:
        """Hit firms by id: ``{firm_id: δ}``; an unknown id raises :class:`InputError`."""
        ids = pd.Index(network.ids())
        keys = [str(k) for k in deltas]
        pos = ids.get_indexer(keys)
        bad = np.flatnonzero(pos < 0)
        if bad.size:
            raise InputError(f"unknown firm {keys[bad[0]]!r} in the shock", field="firms")
        return cls(pos, np.array([float(deltas[k]) for k in deltas]), **kw)

    @classmethod
    def by_mask(cls, mask: np.ndarray, delta: float, **kw: Any) -> FirmShock:
        """Hit every firm where ``mask`` is true with the same δ."""
        return cls(np.flatnonzero(np.asarray(mask, dtype=bool)), delta, **kw)

    @classmethod
    def by_region(
        cls, network: FirmNetwork, regions: str | Sequence[str], delta: float, **kw: Any
    ) -> FirmShock:
        """Hit every firm in the named region(s); an unknown region raises :class:`InputError`."""
        names = [regions] if isinstance(regions, str) else list(regions)
        if network.regions is None:
            raise InputError("the network has no regions", field="regions")
        codes = _codes(names, network.region_names, "region")
        kw.setdefault("label", "region " + ", ".join(names))
        return cls.by_mask(np.isin(network.regions, codes), delta, **kw)

    @classmethod
    def by_sector(
        cls, network: FirmNetwork, sectors: str | Sequence[str], delta: float, **kw: Any
    ) -> FirmShock:
        """Hit every firm in the named sector(s); an unknown sector raises :class:`InputError`."""
        names = [sectors] if isinstance(sectors, str) else list(sectors)
        codes = _codes(names, network.sector_names, "sector")
        kw.setdefault("label", "sector " + ", ".join(names))
        return cls.by_mask(np.isin(network.sectors, codes), delta, **kw)

    # -- evaluation --
    def delta_at(self, t: int) -> np.ndarray:
        """δ of each hit firm on day ``t``."""
        s = float(t - self.start)
        if s < 0:
            return np.zeros_like(self.delta)
        T = self.recovery_days
        if self.recovery == "none":
            return self.delta.copy()
        if self.recovery == "step":
            return np.where(s < T, self.delta, 0.0)
        if self.recovery == "linear":
            return self.delta * np.clip(1.0 - s / T, 0.0, 1.0)
        return np.where(s < T, self.delta * np.exp(-math.log(100.0) * s / T), 0.0)

    def describe(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "firms_hit": int(len(self.index)),
            "delta_mean": float(self.delta.mean()) if len(self.delta) else 0.0,
            "start": int(self.start),
            "recovery": self.recovery,
            "recovery_days_mean": float(self.recovery_days.mean()) if len(self.index) else 0.0,
        }


def _codes(names: Sequence[str], known: Sequence[str], what: str) -> np.ndarray:
    lookup = {n: k for k, n in enumerate(known)}
    out = []
    for n in names:
        if str(n) not in lookup:
            raise InputError(
                f"unknown {what} {n!r} in the shock (known: {', '.join(list(known)[:10])}"
                f"{', ...' if len(known) > 10 else ''})",
                field=what,
            )
        out.append(lookup[str(n)])
    return np.asarray(out, dtype=np.int32)


# -- trajectory -------------------------------------------------------------------------------
@dataclass
class FirmTrajectory:
    """What :func:`simulate_firms` returns (day 0 = the baseline).

    Attributes:
        network: the simulated network.
        params: the parameters used.
        shocks: the shocks applied.
        n_days: number of simulated days ``T``.
        baseline: ``P_ini`` per firm (float64).
        hit: bool per firm, directly hit by a shock (δ > 0 on some day).
        production: float32 ``(T + 1) × n_firms`` (``record="firms"``), else ``None``.
        firm_loss: float64 per firm, ``Σ_t (P_ini − P(t))`` over days 1..T.
        sector_output: float64 ``(T + 1) × n_sectors × 2``: production summed by sector for
            [indirect (not hit), direct (hit)] firms.
        region_output: the same by region (``None`` if the network has no regions).
        sector_baseline / region_baseline: ``n × 2`` baselines of the same groups.
        state: the state at the end of the last day: ``inventory`` (per (firm, input sector)
            slot), ``slot_firm``, ``slot_sector``, ``orders`` (per link, CSR order, placed on
            the last day), ``demand`` and ``capacity`` (per firm, last day).
    """

    network: FirmNetwork
    params: FirmParams
    shocks: list[FirmShock]
    n_days: int
    baseline: np.ndarray
    hit: np.ndarray
    production: np.ndarray | None
    firm_loss: np.ndarray
    sector_output: np.ndarray
    sector_baseline: np.ndarray
    region_output: np.ndarray | None
    region_baseline: np.ndarray | None
    notes: list[str] = field(default_factory=list)
    state: dict[str, np.ndarray] = field(default_factory=dict)

    def inventory(self, firm: int, sector: str) -> float:
        """Inventory of ``sector`` inputs held by firm index ``firm`` at the end of the run."""
        code = self.network.sector_names.index(sector)
        hit = np.flatnonzero(
            (self.state["slot_firm"] == firm) & (self.state["slot_sector"] == code)
        )
        if hit.size == 0:
            raise InputError(f"firm {self.network.firm_id(firm)} buys no {sector!r} inputs")
        return float(self.state["inventory"][hit[0]])

    @property
    def total_output(self) -> np.ndarray:
        """Total production per day (``T + 1``)."""
        return self.sector_output.sum(axis=(1, 2))

    @property
    def total_loss(self) -> float:
        """``Σ_t Σ_i (P_ini_i − P_i(t))`` over days 1..T."""
        return float(self.firm_loss.sum())


# -- kernels ----------------------------------------------------------------------------------
# The state is kept as deviations from the baseline (dS = S − n·A_ri, dD = D − P_ini,
# dO = O − A_ji, dP = P − P_ini): the baseline gives exact zeros, so it repeats to the bit. (The
# order rule amplifies a demand deviation by (1 + n/τ) and production sits at capacity in the
# baseline; in levels, rounding noise of 1e-16 would seed oscillations in closed loops.)
_NB = {"cache": True, "nogil": True}


@numba.njit(inline="always")
def _insertion_sort(buf, m):  # pragma: no cover
    for x in range(1, m):
        v = buf[x]
        y = x - 1
        while y >= 0 and buf[y] > v:
            buf[y + 1] = buf[y]
            y -= 1
        buf[y + 1] = v


@numba.njit(inline="always")
def _water_level(buf, m, out):  # pragma: no cover
    """Level ``L`` with ``Σ min(buf[:m], L) = out`` (needs ``out < Σ buf[:m]``); reorders
    ``buf[:m]``.

    Quickselect on the level instead of a full sort: a pivot ``v`` splits the open claims; if
    ``f(v) = Σ min(c, v) ≤ out`` every claim ≤ ``v`` is met in full, otherwise every claim ≥ ``v``
    is capped; recurse on the other side. Expected ``O(m)`` (median-of-three pivots, in place);
    small sets are finished by insertion sort.
    """
    lo, hi = 0, m  # open claims are buf[lo:hi]
    full = 0.0  # sum of the claims known to be met in full
    capped = 0  # number of claims known to be capped at the level
    while hi - lo > 16:
        mid = (lo + hi) // 2
        a, b, c = buf[lo], buf[mid], buf[hi - 1]
        if a > b:
            a, b = b, a
        if b > c:
            b = c
            if a > b:
                b = a
        v = b
        # three-way partition of buf[lo:hi]: < v | == v | > v
        lt, i, gt = lo, lo, hi
        s_lt = 0.0
        while i < gt:
            x = buf[i]
            if x < v:
                buf[i] = buf[lt]
                buf[lt] = x
                s_lt += x
                lt += 1
                i += 1
            elif x > v:
                gt -= 1
                buf[i] = buf[gt]
                buf[gt] = x
            else:
                i += 1
        n_eq = gt - lt
        n_gt = hi - gt
        f_v = full + s_lt + v * (n_eq + n_gt + capped)
        if f_v <= out:
            full += s_lt + v * n_eq
            lo = gt
        else:
            capped += n_eq + n_gt
            hi = lt
    _insertion_sort(buf[lo:hi], hi - lo)
    rem = out - full
    for x in range(lo, hi):
        left = hi - x + capped
        v = buf[x]
        if v * left <= rem:
            rem -= v
        else:
            lev = rem / left
            return lev if lev > 0.0 else 0.0
    if capped > 0:
        lev = rem / capped
        return lev if lev > 0.0 else 0.0
    return np.inf


@numba.njit(parallel=True, **_NB)
def _supplier_pass(
    bin_firm,
    bin_link,
    sup_t,
    val_t,
    edge,
    claim_at,
    claims,
    sup_indptr,
    final,
    pini,
    slot_indptr,
    slot_use,
    slot_target,
    dS,
    dcap,
    dD,
    dP,
    rule,
):  # pragma: no cover
    """Per bin of suppliers (firms ``bin_firm[b]..bin_firm[b+1]``, their links
    ``bin_link[b]..bin_link[b+1]`` in the binned order, customers ascending): the suppliers'
    demand, production, inputs used, rationing, and each link's delivery.

    ``edge[k, 1]`` holds the order deviation the customer placed yesterday (written by the
    customer pass); this pass sums them into the supplier's demand and writes the delivery
    deviation ``edge[k, 0]``. Small-first: the same sweep copies each claim (the order) to
    ``claims[claim_at[k]]``, the supplier's contiguous block (its customers ascending, then a
    slot for its final demand), where the water-filling works in place. Everything per supplier
    it touches lies in the bin (the caches); the link arrays are read in sequence."""
    for b in numba.prange(len(bin_firm) - 1):
        f0, f1 = bin_firm[b], bin_firm[b + 1]
        k0, k1 = bin_link[b], bin_link[b + 1]
        # demand: D_j = Σ_k O_jk + C_j (as a deviation from P_ini), customers in ascending order
        acc = np.zeros(f1 - f0)
        if rule == 1:
            for k in range(k0, k1):
                o = edge[k, 1]
                acc[sup_t[k] - f0] += o
                claims[claim_at[k]] = val_t[k] + o
        else:
            for k in range(k0, k1):
                acc[sup_t[k] - f0] += edge[k, 1]
        lev = np.empty(f1 - f0)
        for j in range(f0, f1):
            dd = acc[j - f0]
            dD[j] = dd
            lev[j - f0] = 1.0 if rule == 0 else np.inf
            if pini[j] <= 0.0:
                dP[j] = 0.0
                continue
            # production: min(capacity, inventory of every input sector, demand)
            p = dcap[j]
            if dd < p:
                p = dd
            sa, sb = slot_indptr[j], slot_indptr[j + 1]
            for r in range(sa, sb):
                u = slot_use[r]
                if u > 0.0:
                    lim = ((slot_target[r] + dS[r]) / u - 1.0) * pini[j]
                    if lim < p:
                        p = lim
            if p < -pini[j]:
                p = -pini[j]
            dP[j] = p
            if p != 0.0:
                f = p / pini[j]
                for r in range(sa, sb):
                    dS[r] -= slot_use[r] * f
            # rationing: the ratio (proportional; 1 = all demand met) or the water-filling
            # level (small-first; inf = all demand met)
            if p >= dd:
                continue
            out = pini[j] + p
            if rule == 0:
                dem = pini[j] + dd
                lev[j - f0] = out / dem if dem > 0.0 else 0.0
                continue
            c0 = sup_indptr[j] + j  # the supplier's claims, then its final demand
            m = sup_indptr[j + 1] - sup_indptr[j]
            claims[c0 + m] = final[j]
            lev[j - f0] = _water_level(claims[c0 : c0 + m + 1], m + 1, out)
        # deliveries (deviation from A_jk) of every link of the bin
        for k in range(k0, k1):
            q = lev[sup_t[k] - f0]
            if rule == 0:
                if q == 1.0:
                    dx = edge[k, 1]
                else:
                    dx = (val_t[k] + edge[k, 1]) * q - val_t[k]
            elif q == np.inf:
                dx = edge[k, 1]
            else:
                x = val_t[k] + edge[k, 1]
                dx = (x if x < q else q) - val_t[k]
            edge[k, 0] = dx


@numba.njit(parallel=True, **_NB)
def _customer_pass(
    chunk_bounds,
    indptr,
    pos,
    values,
    slot_c,
    share_c,
    slot_indptr,
    slot_target,
    dS,
    edge,
    dD,
    pini,
    tau,
    cap_m1,
    next_orders,
):  # pragma: no cover
    """Per firm ``i`` (as a customer): deliveries into its sector inventories, then its orders
    for the next day (expected demand ``D*_i`` = today's demand). Link ``m`` (CSR order) sits
    at ``pos[m]`` in the binned order: its delivery is read from ``edge[pos[m], 0]``, its new
    order written to ``edge[pos[m], 1]`` — one write cursor per bin, so these accesses move
    along the link arrays in sequence instead of jumping to a random supplier per link."""
    for c in numba.prange(len(chunk_bounds) - 1):
        for i in range(chunk_bounds[c], chunk_bounds[c + 1]):
            a, b = indptr[i], indptr[i + 1]
            if a == b:
                continue
            for m in range(a, b):
                dS[slot_c[m]] += edge[pos[m], 0]
            for r in range(slot_indptr[i], slot_indptr[i + 1]):
                if dS[r] < -slot_target[r]:  # inventories never go below 0
                    dS[r] = -slot_target[r]
            if not next_orders:
                continue
            g = dD[i] / pini[i] if pini[i] > 0 else 0.0
            for m in range(a, b):
                r = slot_c[m]
                d = values[m] * g + share_c[m] * (slot_target[r] * g - dS[r]) / tau
                if d < -values[m]:
                    d = -values[m]
                elif d > cap_m1 * values[m]:  # order_cap (inf: none)
                    d = cap_m1 * values[m]
                edge[pos[m], 1] = d


# -- simulation -------------------------------------------------------------------------------
def _inventory_days(
    network: FirmNetwork, n: Any, slot_sector: np.ndarray, slot_firm: np.ndarray
) -> np.ndarray:
    if isinstance(n, Mapping):
        days = np.full(len(network.sector_names), np.nan)
        for k, v in n.items():
            if str(k) not in network.sector_names:
                raise InputError(f"inventory days given for unknown sector {k!r}", field="n")
            days[network.sector_names.index(str(k))] = float(v)
        used = np.unique(slot_sector)
        missing = used[~np.isfinite(days[used])]
        if missing.size:
            raise InputError(
                f"missing inventory days for input sector {network.sector_names[missing[0]]!r} "
                "(every sector that supplies inputs needs a target inventory)",
                field="n",
            )
        out = days[slot_sector]
    elif isinstance(n, np.ndarray | list | tuple):
        arr = np.asarray(n, dtype=np.float64)
        if arr.shape != (network.n_firms,):
            raise InputError(
                f"inventory days: {arr.shape} values for {network.n_firms} firms (missing "
                "inventories)",
                field="n",
            )
        out = arr[slot_firm]
    else:
        try:
            out = np.full(len(slot_sector), float(n))
        except (TypeError, ValueError):
            raise InputError(f"inventory days must be a number, got {n!r}", field="n") from None
    bad = np.flatnonzero(~np.isfinite(out) | (out < 0))
    if bad.size:
        raise InputError(
            f"missing or negative inventory days ({out[bad[0]]!r}) for firm "
            f"{network.firm_id(int(slot_firm[bad[0]]))}",
            field="n",
        )
    return out


@dataclass
class _Prepared:
    """The kernels' arrays, in the simulation's firm numbering (see :func:`_relabel`)."""

    pini: np.ndarray
    final: np.ndarray
    indptr: np.ndarray
    suppliers: np.ndarray
    values: np.ndarray
    slot_c: np.ndarray
    share_c: np.ndarray
    slot_indptr: np.ndarray
    slot_use: np.ndarray
    slot_target: np.ndarray
    slot_sector: np.ndarray
    slot_firm: np.ndarray
    # -- built by :func:`_layout` --
    sup_indptr: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: bins of suppliers: firms ``bin_firm[b]..bin_firm[b+1]``, links (binned order)
    #: ``bin_link[b]..bin_link[b+1]``
    bin_firm: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    bin_link: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: link ``m`` (CSR order) is link ``pos[m]`` of the binned order
    pos: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    #: supplier and baseline value of each link, binned order
    sup_t: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    val_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: where link ``k`` (binned order) puts its claim in the small-first claims array: supplier
    #: ``j``'s block starts at ``sup_indptr[j] + j`` (its customers ascending, then one slot for
    #: its final demand)
    claim_at: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    cust_chunks: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: firm ``k`` of the simulation is the user's firm ``order[k]`` (``None``: same numbering)
    order: np.ndarray | None = None
    #: inverse of ``order``: the simulation index of the user's firm ``i``
    new_of_old: np.ndarray | None = None
    #: link / slot ``k`` of the simulation is the user's link / slot ``link_map[k]``
    link_map: np.ndarray | None = None
    slot_map: np.ndarray | None = None


def _prepare(network: FirmNetwork, params: FirmParams) -> _Prepared:
    """Per-(customer, input sector) inventory slots and per-link shares, in the user's order."""
    n = network.n_firms
    pini = network.baseline_production()
    cust = network.customer_of_link()
    sec = network.sectors[network.suppliers]
    ns = np.int64(max(len(network.sector_names), 1))
    key = cust.astype(np.int64) * ns + sec
    # links are sorted by (customer, supplier): sort by (customer, sector) to find the slots
    uniq, slot_c = np.unique(key, return_inverse=True)
    slot_c = slot_c.astype(np.int32)
    slot_firm = (uniq // ns).astype(np.int64)
    slot_sector = (uniq % ns).astype(np.int32)
    slot_use = np.bincount(slot_c, weights=network.values, minlength=len(uniq))
    slot_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(slot_firm, minlength=n), out=slot_indptr[1:])
    days = _inventory_days(network, params.n, slot_sector, slot_firm)
    share_c = network.values / slot_use[slot_c]
    return _Prepared(
        pini=pini,
        final=network.final_demand,
        indptr=network.indptr,
        suppliers=network.suppliers,
        values=network.values,
        slot_c=slot_c,
        share_c=share_c,
        slot_indptr=slot_indptr,
        slot_use=slot_use,
        slot_target=days * slot_use,
        slot_sector=slot_sector,
        slot_firm=slot_firm,
    )


@numba.njit(**_NB)
def _counting_order(keys, n, perm):  # pragma: no cover
    """``perm`` = the stable argsort of ``keys`` (values ``0..n-1``): a counting sort, O(E)."""
    start = np.zeros(n + 1, dtype=np.int64)
    for k in range(len(keys)):
        start[keys[k] + 1] += 1
    for j in range(n):
        start[j + 1] += start[j]
    for k in range(len(keys)):
        j = keys[k]
        perm[start[j]] = k
        start[j] += 1


@numba.njit(parallel=True, **_NB)
def _relabel_rows(
    order,
    new_of_old,
    indptr,
    suppliers,
    values,
    slot_c,
    share_c,
    slot_indptr,
    slot_use,
    slot_target,
    slot_sector,
    new_indptr,
    new_slot_indptr,
    o_sup,
    o_val,
    o_slot_c,
    o_share,
    o_use,
    o_target,
    o_sector,
    o_slot_firm,
    link_map,
    slot_map,
):  # pragma: no cover
    """Copy each firm's links and slots as a block into its new position (see :func:`_relabel`)."""
    for k in numba.prange(len(order)):
        i = order[k]
        a, b, na = indptr[i], indptr[i + 1], new_indptr[k]
        sa, sb, nsa = slot_indptr[i], slot_indptr[i + 1], new_slot_indptr[k]
        for m in range(a, b):
            q = na + m - a
            link_map[q] = m
            o_sup[q] = new_of_old[suppliers[m]]
            o_val[q] = values[m]
            o_share[q] = share_c[m]
            o_slot_c[q] = slot_c[m] - sa + nsa
        for r in range(sa, sb):
            q = nsa + r - sa
            slot_map[q] = r
            o_use[q] = slot_use[r]
            o_target[q] = slot_target[r]
            o_sector[q] = slot_sector[r]
            o_slot_firm[q] = k


def locality_order(network: FirmNetwork) -> np.ndarray:
    """The firm order :func:`simulate_firms` simulates in: by number of customers, largest first
    (ties in the user's order). It was written for kernels in which every link read and wrote
    its supplier's per-firm state at random (putting big suppliers together kept that state in
    the caches; reverse Cuthill–McKee on the symmetrised graph was no better and cost 30× more
    on the 1 M-firm synthetic network); the binned layout now reads supplier state from the
    caches in any order, so it is kept as an option only.

    Used by ``simulate_firms(..., reorder=True)``."""
    return np.argsort(-network.out_degree(), kind="stable")


def _relabel(prep: _Prepared, order: np.ndarray) -> _Prepared:
    """The same arrays with firm ``k`` = the user's firm ``order[k]``: O(E) gathers.

    Each firm keeps its links and inventory slots in the user's order (rows are moved as
    blocks), so every per-firm and per-link constant (``P_ini``, inventory use and targets,
    supplier shares) is bit-identical to the unpermuted run; only sums over a supplier's
    customers (its demand, its rationing level) add the same terms in another order.
    """
    n, e, n_slots = len(order), len(prep.values), len(prep.slot_use)
    new_of_old = np.empty(n, dtype=np.int32 if n < 2**31 else np.int64)
    new_of_old[order] = np.arange(n, dtype=new_of_old.dtype)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.diff(prep.indptr)[order], out=indptr[1:])
    slot_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.diff(prep.slot_indptr)[order], out=slot_indptr[1:])
    out = _Prepared(
        pini=prep.pini[order],
        final=prep.final[order],
        indptr=indptr,
        suppliers=np.empty(e, dtype=np.int32),
        values=np.empty(e),
        slot_c=np.empty(e, dtype=prep.slot_c.dtype),
        share_c=np.empty(e),
        slot_indptr=slot_indptr,
        slot_use=np.empty(n_slots),
        slot_target=np.empty(n_slots),
        slot_sector=np.empty(n_slots, dtype=prep.slot_sector.dtype),
        slot_firm=np.empty(n_slots, dtype=np.int64),
        order=order,
        new_of_old=new_of_old,
        link_map=np.empty(e, dtype=np.int64),
        slot_map=np.empty(n_slots, dtype=np.int64),
    )
    _relabel_rows(
        order,
        new_of_old,
        prep.indptr,
        prep.suppliers,
        prep.values,
        prep.slot_c,
        prep.share_c,
        prep.slot_indptr,
        prep.slot_use,
        prep.slot_target,
        prep.slot_sector,
        indptr,
        slot_indptr,
        out.suppliers,
        out.values,
        out.slot_c,
        out.share_c,
        out.slot_use,
        out.slot_target,
        out.slot_sector,
        out.slot_firm,
        out.link_map,
        out.slot_map,
    )
    return out


#: per-bin supplier state (demand sum and rationing level, 16 bytes a firm) at most this many
#: bytes: within a core's L2 cache. Bins are few on purpose: the customer pass keeps one
#: cursor per bin, and measured here (1 thread, CPU time per link-day of the customer pass)
#: ~5-20 cursors stream well (7-9 ns at 100 k and 1 M firms) while 40-100 cost 15-22 ns
#: (presumably more streams than the hardware prefetchers track; no performance counters here
#: to confirm it; 300-1,500 cursors were in between, 10-13 ns). The supplier pass hardly cares (proportional 11-13 ns
#: from 6 to 1,500 bins; small-first 21 ns at 1 M with 16 bins, as it copies the claims into
#: per-supplier blocks in its sequential sweep instead of gathering them across the bin).
_BIN_BYTES = 1 << 20
_BIN_PER_FIRM = 16


def _bins(sup_indptr: np.ndarray, bin_bytes: int) -> np.ndarray:
    """Bounds of consecutive bins of suppliers: ``max(4 × threads, ⌈16 B · firms / bin_bytes⌉)``
    bins of equal firms + links (a supplier is never split; equal links keep the threads
    balanced when big suppliers are numbered together, as with ``reorder=True``)."""
    n = len(sup_indptr) - 1
    e = int(sup_indptr[-1])
    n_bins = max(math.ceil(_BIN_PER_FIRM * n / bin_bytes), min(n, 4 * numba.get_num_threads()), 1)
    cost = np.arange(n + 1, dtype=np.float64) * max(e, 1) + sup_indptr * max(n, 1)
    targets = np.linspace(0.0, float(cost[-1]), n_bins + 1)[1:-1]
    inner = np.searchsorted(cost, targets)
    return np.unique(np.concatenate([[0], inner, [n]])).astype(np.int64)


def _layout(prep: _Prepared, bin_bytes: int | None = None) -> None:
    """The binned link order and the parallel chunks (O(E) counting sorts).

    Links are grouped by *bins of suppliers* (consecutive firms, at most ``bin_bytes`` of
    per-supplier state each, see :func:`_bins`), each bin keeping the CSR order (customers
    ascending). The supplier pass works bin by
    bin with everything it touches in the caches; the customer pass walks its CSR rows and
    reaches its links' binned slots through ``pos`` (one sequential cursor per bin). Sums keep
    their order: a supplier's demand adds its customers' orders in ascending customer order, a
    customer's inventories add deliveries in ascending supplier order.
    """
    n, e = len(prep.pini), len(prep.suppliers)
    idx = np.int64 if e >= 2**31 else np.int32
    sup_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(prep.suppliers, minlength=n), out=sup_indptr[1:])
    prep.sup_indptr = sup_indptr
    prep.bin_firm = _bins(sup_indptr, bin_bytes or _BIN_BYTES)
    prep.bin_link = sup_indptr[prep.bin_firm]
    n_bins = len(prep.bin_firm) - 1
    bin_of_firm = np.repeat(np.arange(n_bins, dtype=np.int32), np.diff(prep.bin_firm))
    perm_t = np.empty(e, dtype=idx)  # binned position -> CSR link
    _counting_order(bin_of_firm[prep.suppliers], n_bins, perm_t)
    prep.pos = np.empty(e, dtype=idx)
    prep.pos[perm_t] = np.arange(e, dtype=idx)
    prep.sup_t = prep.suppliers[perm_t]
    prep.val_t = prep.values[perm_t]
    del perm_t
    perm_st = np.empty(e, dtype=idx)
    _counting_order(prep.sup_t, n, perm_st)  # = stable argsort of the suppliers
    cidx = np.int64 if e + n >= 2**31 else np.int32
    prep.claim_at = np.empty(e, dtype=cidx)
    prep.claim_at[perm_st] = np.arange(e, dtype=cidx)
    prep.claim_at += prep.sup_t.astype(cidx)
    del perm_st
    # one chunk of customers per thread (balanced by links + firms)
    nt = max(1, numba.get_num_threads())
    cwork = prep.indptr + np.arange(n + 1)
    ctargets = np.linspace(0, e + n, nt + 1)
    cust_bounds = np.unique(np.concatenate([[0], np.searchsorted(cwork, ctargets[1:-1]), [n]]))
    prep.cust_chunks = cust_bounds.astype(np.int64)


def _as_shocks(shock: FirmShock | Sequence[FirmShock] | None, n_firms: int) -> list[FirmShock]:
    if shock is None:
        return []
    shocks = [shock] if isinstance(shock, FirmShock) else list(shock)
    for s in shocks:
        if not isinstance(s, FirmShock):
            raise InputError(f"not a FirmShock: {s!r}", field="shock")
        bad = np.flatnonzero((s.index < 0) | (s.index >= n_firms))
        if bad.size:
            raise InputError(
                f"unknown firm index {s.index[bad[0]]} in the shock (network has {n_firms} firms)",
                field="firms",
            )
    return shocks


def simulate_firms(
    network: FirmNetwork,
    shock: FirmShock | Sequence[FirmShock] | None,
    params: FirmParams | None = None,
    n_days: int = 100,
    progress: Callable[[int, int], None] | None = None,
    *,
    reorder: bool = False,
) -> FirmTrajectory:
    """Run the Inoue & Todo model for ``n_days`` days (equations in the module doc).

    Args:
        network: the firm network (its baseline is the steady state day 0).
        shock: capacity losses with recovery paths (``None``: no shock, the baseline repeats).
        params: model parameters (defaults n = 15, τ = 6, proportional rationing).
        n_days: number of days to simulate.
        progress: called as ``progress(day, n_days)`` after each day.
        reorder: simulate in the firm numbering of :func:`locality_order` (biggest suppliers
            first); every output is mapped back to the network's own order. The result is the
            same up to float rounding (sums over a supplier's customers add in another order).
            Off by default: with the binned link layout the per-supplier state is read from the
            caches in any firm order, so it saves no time on the synthetic network
            (BENCHMARKS.md), and it holds a second copy of the link arrays.

    Raises:
        InputError: bad parameters, missing inventories, unknown firms in a shock.
    """
    params = params or FirmParams()
    if params.rationing not in _RATIONING:
        raise InputError(
            f"unknown rationing rule {params.rationing!r} (proportional, small_first)",
            field="rationing",
        )
    if not (math.isfinite(params.tau) and params.tau > 0):
        raise InputError(f"tau must be > 0, got {params.tau!r}", field="tau")
    if params.order_cap is not None and not (
        isinstance(params.order_cap, int | float) and params.order_cap >= 1.0
    ):
        raise InputError(
            f"order_cap must be None or a number ≥ 1 (a multiple of the baseline order), got "
            f"{params.order_cap!r}",
            field="order_cap",
        )
    if params.record not in ("firms", "aggregate"):
        raise InputError(f"unknown record mode {params.record!r}", field="record")
    if int(n_days) != n_days or n_days < 0:
        raise InputError(f"n_days must be a non-negative integer, got {n_days!r}", field="n_days")
    n_days = int(n_days)
    shocks = _as_shocks(shock, network.n_firms)
    user = _prepare(network, params)
    prep = _relabel(user, locality_order(network)) if reorder else user
    # keep only what the outputs need of the user-ordered arrays (peak memory)
    pini, slot_firm, slot_sector = user.pini, user.slot_firm, user.slot_sector
    del user
    _layout(prep)
    n = network.n_firms
    new_of_old = prep.new_of_old

    hit = np.zeros(n, dtype=bool)
    for s in shocks:
        hit[s.index[s.delta > 0]] = True
    hit_idx = np.flatnonzero(hit)
    hit_sim = hit_idx if new_of_old is None else new_of_old[hit_idx]

    ns = len(network.sector_names)
    sec_key = network.sectors.astype(np.int64) * 2 + hit
    sector_baseline = np.bincount(sec_key, weights=pini, minlength=2 * ns).reshape(ns, 2)
    sector_output = np.empty((n_days + 1, ns, 2))
    sector_output[0] = sector_baseline
    region_output = region_baseline = None
    if network.regions is not None:
        nr = len(network.region_names)
        reg_key = network.regions.astype(np.int64) * 2 + hit
        region_baseline = np.bincount(reg_key, weights=pini, minlength=2 * nr).reshape(nr, 2)
        region_output = np.empty((n_days + 1, nr, 2))
        region_output[0] = region_baseline
    production = None
    if params.record == "firms":
        production = np.empty((n_days + 1, n), dtype=np.float32)
        production[0] = pini

    dS = np.zeros(len(prep.slot_use))
    # per link, binned order: [delivery deviation, order deviation]
    edge = np.zeros((len(prep.values), 2))
    # small-first: each supplier's claims (customers ascending) and final demand, in a block
    claims = np.empty(len(prep.values) + n if params.rationing == "small_first" else 0)
    dD = np.zeros(n)
    dP = np.zeros(n)
    dcap = np.zeros(n)
    firm_loss = np.zeros(n)
    dP_user = dP if new_of_old is None else np.empty(n)
    rule = _RATIONING[params.rationing]
    tau = float(params.tau)
    cap_m1 = math.inf if params.order_cap is None else float(params.order_cap) - 1.0

    for t in range(1, n_days + 1):
        if hit_idx.size:
            keep = np.ones(n)
            for s in shocks:
                keep[s.index] *= 1.0 - s.delta_at(t)
            dcap[hit_sim] = (keep[hit_idx] - 1.0) * pini[hit_idx]
        _supplier_pass(
            prep.bin_firm,
            prep.bin_link,
            prep.sup_t,
            prep.val_t,
            edge,
            prep.claim_at,
            claims,
            prep.sup_indptr,
            prep.final,
            prep.pini,
            prep.slot_indptr,
            prep.slot_use,
            prep.slot_target,
            dS,
            dcap,
            dD,
            dP,
            rule,
        )
        _customer_pass(
            prep.cust_chunks,
            prep.indptr,
            prep.pos,
            prep.values,
            prep.slot_c,
            prep.share_c,
            prep.slot_indptr,
            prep.slot_target,
            dS,
            edge,
            dD,
            prep.pini,
            tau,
            cap_m1,
            t < n_days,
        )
        if new_of_old is not None:
            np.take(dP, new_of_old, out=dP_user)
        firm_loss -= dP_user
        sector_output[t] = sector_baseline + np.bincount(
            sec_key, weights=dP_user, minlength=2 * ns
        ).reshape(ns, 2)
        if region_output is not None:
            region_output[t] = region_baseline + np.bincount(
                reg_key, weights=dP_user, minlength=region_baseline.size
            ).reshape(-1, 2)
        if production is not None:
            production[t] = pini + dP_user
        if progress is not None:
            progress(t, n_days)

    inventory = prep.slot_target + dS
    orders = prep.values + edge[prep.pos, 1]
    per_firm = {"demand": dD, "production": dP, "capacity": dcap}
    if new_of_old is not None:
        inventory[prep.slot_map] = inventory.copy()
        orders[prep.link_map] = orders.copy()
        per_firm = {k: v[new_of_old] for k, v in per_firm.items()}
    notes = []
    if network.label == SYNTHETIC_LABEL:
        notes.append("network: " + SYNTHETIC_LABEL)
    return FirmTrajectory(
        network=network,
        params=params,
        shocks=shocks,
        n_days=n_days,
        baseline=pini,
        hit=hit,
        production=production,
        firm_loss=firm_loss,
        sector_output=sector_output,
        sector_baseline=sector_baseline,
        region_output=region_output,
        region_baseline=region_baseline,
        notes=notes,
        state={
            "inventory": inventory,
            "slot_firm": slot_firm,
            "slot_sector": slot_sector,
            "orders": orders,
            "demand": pini + per_firm["demand"],
            "production": pini + per_firm["production"],
            "capacity": pini + per_firm["capacity"],
        },
    )


def ration(
    claims: Sequence[float] | np.ndarray, output: float, rule: Rationing = "proportional"
) -> np.ndarray:
    """Share one supplier's ``output`` among ``claims`` (orders; put final demand last).

    Uses the same water-filling routine as :func:`simulate_firms`, so the rules can be checked
    by hand: ``ration([1, 2, 3, 10, 4], 10, "small_first")`` gives
    ``[1, 2, 7/3, 7/3, 7/3]`` (level 7/3), ``"proportional"`` gives half of each claim.

    >>> ration([1, 2, 3, 10, 4], 10, "small_first").round(4).tolist()
    [1.0, 2.0, 2.3333, 2.3333, 2.3333]
    >>> ration([1, 2, 3, 10, 4], 10, "proportional").tolist()
    [0.5, 1.0, 1.5, 5.0, 2.0]
    """
    if rule not in _RATIONING:
        raise InputError(f"unknown rationing rule {rule!r}", field="rationing")
    c = np.asarray(claims, dtype=np.float64)
    if c.ndim != 1 or c.size == 0 or np.any(~np.isfinite(c)) or np.any(c < 0):
        raise InputError("claims must be a non-empty list of finite values ≥ 0", field="claims")
    total = float(c.sum())
    out = max(min(float(output), total), 0.0)
    if out >= total:
        return c.copy()
    if rule == "proportional":
        return c * (out / total)
    return np.minimum(c, _water_level(c.copy(), len(c), out))


# -- results in the shared format ---------------------------------------------------------------
_COMP = ("indirect", "direct")


def _group_rows(
    days: np.ndarray, output: np.ndarray, base: np.ndarray, names: Sequence[str], kind: str
) -> pd.DataFrame:
    T, G, _ = output.shape
    loss = base[None, :, :] - output
    frames = []
    for metric, arr in (("output", output), ("loss", loss)):
        for c in (0, 1):
            present = base[:, c] > 0
            g = np.flatnonzero(present)
            if g.size == 0:
                continue
            frames.append(
                pd.DataFrame(
                    {
                        "t": np.repeat(days, g.size),
                        "unit_kind": kind,
                        "unit": np.tile(np.asarray(names, dtype=object)[g], T),
                        "region": "",
                        "metric": metric,
                        "component": _COMP[c],
                        "value": arr[:, g, c].ravel(),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else _empty_rows()


def _empty_rows() -> pd.DataFrame:
    from fukugan.results import TIMESERIES_COLUMNS

    return pd.DataFrame({c: [] for c in TIMESERIES_COLUMNS})


def to_run_rows(
    traj: FirmTrajectory,
    *,
    level: Literal["sector", "region"] = "sector",
    firms: Sequence[str] | np.ndarray | None = None,
    totals: bool = True,
) -> pd.DataFrame:
    """Time-series rows in the shared format (:mod:`fukugan.results`).

    Metrics ``"output"`` (production per day) and ``"loss"`` (``P_ini − P``), component
    ``"direct"`` for directly hit firms and ``"indirect"`` for the others, aggregated to
    ``level`` (``unit_kind`` "sector" or "region"). ``totals`` adds ``unit_kind="total"`` rows
    (unit "all", component "total"). ``firms`` (ids) adds firm-level rows for that selection
    (``unit_kind="firm"``, needs ``record="firms"``); they repeat part of the aggregate, so
    compute headline figures from one level only (as :func:`to_run_result` does).
    """
    net = traj.network
    days = np.arange(traj.n_days + 1)
    if level == "sector":
        frames = [
            _group_rows(days, traj.sector_output, traj.sector_baseline, net.sector_names, "sector")
        ]
    elif level == "region":
        if traj.region_output is None:
            raise InputError("the network has no regions", field="level")
        frames = [
            _group_rows(days, traj.region_output, traj.region_baseline, net.region_names, "region")
        ]
    else:
        raise InputError(f"unknown level {level!r} (sector, region)", field="level")
    if totals:
        out = traj.total_output
        base = float(traj.baseline.sum())
        for metric, arr in (("output", out), ("loss", base - out)):
            frames.append(
                pd.DataFrame(
                    {
                        "t": days,
                        "unit_kind": "total",
                        "unit": "all",
                        "region": "",
                        "metric": metric,
                        "component": "total",
                        "value": arr,
                    }
                )
            )
    if firms is not None:
        if traj.production is None:
            raise InputError("firm-level rows need record='firms'", field="firms")
        ids = pd.Index(net.ids())
        keys = [str(f) for f in firms]
        pos = ids.get_indexer(keys)
        bad = np.flatnonzero(pos < 0)
        if bad.size:
            raise InputError(f"unknown firm {keys[bad[0]]!r}", field="firms")
        prod = traj.production[:, pos].astype(np.float64)
        loss = traj.baseline[pos][None, :] - prod
        reg = (
            np.asarray(net.region_names, dtype=object)[net.regions[pos]]
            if net.regions is not None
            else np.full(len(pos), "", dtype=object)
        )
        comp = np.where(traj.hit[pos], "direct", "indirect").astype(object)
        T = len(days)
        for metric, arr in (("output", prod), ("loss", loss)):
            frames.append(
                pd.DataFrame(
                    {
                        "t": np.repeat(days, len(pos)),
                        "unit_kind": "firm",
                        "unit": np.tile(np.asarray(keys, dtype=object), T),
                        "region": np.tile(reg, T),
                        "metric": metric,
                        "component": np.tile(comp, T),
                        "value": arr.ravel(),
                    }
                )
            )
    res = pd.concat(frames, ignore_index=True)
    res["t"] = res["t"].astype(np.int64)
    res["value"] = res["value"].astype(np.float64)
    return res


def propagation_paths(
    traj: FirmTrajectory,
    *,
    top: int = 20,
    max_depth: int = 4,
    direction: Literal["upstream", "downstream", "both"] = "upstream",
    max_visits: int = 200_000,
) -> pd.DataFrame:
    """Paths by which the shock reached the most affected *indirectly* hit firms.

    For each of the ``top`` indirect firms with the largest total loss, a breadth-first search
    over the supplier graph (``"upstream"``: supplier of supplier ...; ``"downstream"``: over
    customers, i.e. lost demand; ``"both"``) up to ``max_depth`` links, passing only through
    firms that lost output, finds the directly hit firms that can have caused the loss. One row
    per (source hit firm, target): ``step`` = links on the shortest path, ``via`` = the
    intermediate firms (source side first), ``weight`` = the target's total loss shared among
    its sources in proportion to their own (direct) total losses.
    """
    from fukugan.results import PATHS_COLUMNS

    net = traj.network
    loss = traj.firm_loss
    affected = loss > 1e-9 * np.maximum(traj.baseline, 1e-300)
    cand = np.flatnonzero(~traj.hit & affected)
    rows: list[dict[str, Any]] = []
    if cand.size == 0 or not traj.hit.any():
        return pd.DataFrame(columns=list(PATHS_COLUMNS))
    targets = cand[np.argsort(-loss[cand], kind="stable")[:top]]
    graphs = []
    if direction in ("upstream", "both"):
        graphs.append((net.indptr, net.suppliers))
    if direction in ("downstream", "both"):
        order = np.argsort(net.suppliers, kind="stable")
        cust = net.customer_of_link()[order]
        ip = np.zeros(net.n_firms + 1, dtype=np.int64)
        np.cumsum(np.bincount(net.suppliers, minlength=net.n_firms), out=ip[1:])
        graphs.append((ip, cust))
    if not graphs:
        raise InputError(f"unknown direction {direction!r}", field="direction")
    for tgt in targets:
        parent: dict[int, int] = {int(tgt): -1}
        depth: dict[int, int] = {int(tgt): 0}
        frontier = np.array([tgt], dtype=np.int64)
        sources: list[int] = []
        for d in range(1, max_depth + 1):
            nbrs, pars = [], []
            for ip, adj in graphs:
                starts, ends = ip[frontier], ip[frontier + 1]
                cnt = ends - starts
                if cnt.sum() == 0:
                    continue
                idx = np.repeat(starts - np.cumsum(cnt) + cnt, cnt) + np.arange(cnt.sum())
                nbrs.append(adj[idx].astype(np.int64))
                pars.append(np.repeat(frontier, cnt))
            if not nbrs:
                break
            nb = np.concatenate(nbrs)
            pa = np.concatenate(pars)
            keep = affected[nb]
            nb, pa = nb[keep], pa[keep]
            nb, first = np.unique(nb, return_index=True)
            pa = pa[first]
            new = np.array([x not in parent for x in nb.tolist()], dtype=bool)
            nb, pa = nb[new], pa[new]
            for x, p in zip(nb.tolist(), pa.tolist(), strict=True):
                parent[x] = p
                depth[x] = d
            is_src = traj.hit[nb]
            sources.extend(nb[is_src].tolist())
            frontier = nb[~is_src]
            if frontier.size == 0 or len(parent) > max_visits:
                break
        if not sources:
            continue
        w = loss[sources]
        w = w / w.sum() if w.sum() > 0 else np.full(len(sources), 1.0 / len(sources))
        for src, share in zip(sources, w, strict=True):
            chain = []
            x = parent[src]
            while x != int(tgt):
                chain.append(x)
                x = parent[x]
            rows.append(
                {
                    "source": net.firm_id(src),
                    "target": net.firm_id(int(tgt)),
                    "step": depth[src],
                    "weight": float(loss[tgt] * share),
                    "via": ";".join(net.firm_id(c) for c in chain),
                }
            )
    return pd.DataFrame(rows, columns=list(PATHS_COLUMNS))


def to_run_result(
    traj: FirmTrajectory,
    *,
    scenario: dict[str, Any] | None = None,
    level: Literal["sector", "region"] = "sector",
    firms: Sequence[str] | None = None,
    paths: bool = True,
    seed: int | None = None,
) -> Any:
    """A :class:`fukugan.results.RunResult` (timeseries, paths, summary).

    The headline figures (total / peak loss, recovery day, direct vs indirect) are computed from
    the ``level`` aggregate only, so optional firm rows are not counted twice.
    """
    from fukugan.results import RunResult, headline

    agg = to_run_rows(traj, level=level, totals=True)
    ts = to_run_rows(traj, level=level, firms=firms, totals=True) if firms is not None else agg
    summary = {
        **headline(agg),
        "n_days": traj.n_days,
        "network": traj.network.describe(),
        "shocks": [s.describe() for s in traj.shocks],
        "firms_hit": int(traj.hit.sum()),
        "notes": list(traj.notes),
    }
    return RunResult(
        engine=ENGINE,
        scenario=scenario or {},
        parameters={**traj.params.as_dict(), "n_days": traj.n_days},
        timeseries=ts,
        paths=propagation_paths(traj)
        if paths
        else pd.DataFrame(columns=["source", "target", "step", "weight", "via"]),
        summary=summary,
        seed=seed,
        unit=traj.network.unit,
    )
