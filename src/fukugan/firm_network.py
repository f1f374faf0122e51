"""The firm network data structure shared by the firm-edge reader and the firm-level core (a leaf
module: numpy only).

:class:`FirmNetwork` holds a supplier → customer network as a CSR matrix whose **rows are
customers**: for customer ``i`` the links ``k in range(indptr[i], indptr[i + 1])`` come from
supplier ``suppliers[k]`` with daily transaction value ``values[k]`` (the value ``A_ji`` of
Inoue & Todo 2019, "Firm-level propagation of shocks through supply-chain networks", Nature
Sustainability 2:841–847). Each firm has a sector (``sectors``, codes into ``sector_names``), an
optional region and a daily final demand ``C_i``. The baseline is a steady state by definition:

    P_ini_i = Σ_k A_ik + C_i        (production = sales to customers + final demand)

A generated network (:func:`fukugan.dynamics.networks.synthetic_network`) carries
:data:`SYNTHETIC_LABEL`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fukugan.errors import InputError

SYNTHETIC_LABEL = "SYNTHETIC (generated firm network, Japan-like degree law; not real data)"


@dataclass(frozen=True, eq=False)
class FirmNetwork:
    """A supplier → customer network of firms (CSR, rows = customers). See the module doc.

    Attributes:
        indptr: int64, ``n_firms + 1``; links of customer ``i`` are ``indptr[i]:indptr[i+1]``.
        suppliers: int32, one per link: the supplier firm (sorted ascending within each row).
        values: float64, one per link: daily transaction value ``A_ji`` (> 0).
        sectors: int32, one per firm: index into ``sector_names``.
        final_demand: float64, one per firm: daily final demand ``C_i`` (≥ 0).
        sector_names: names of the sectors.
        firm_ids: one id (str) per firm; ``None`` means ``"F<index>"``.
        regions: int32 per firm (index into ``region_names``) or ``None``.
        region_names: names of the regions.
        label: where the network comes from (e.g. :data:`SYNTHETIC_LABEL` or a file name).
        unit: unit of ``values`` and of every output figure.

    Construct with :meth:`from_edges` (any link order) or directly with canonical CSR arrays;
    either way the arrays are checked (:class:`InputError` naming the link / firm index).
    """

    indptr: np.ndarray
    suppliers: np.ndarray
    values: np.ndarray
    sectors: np.ndarray
    final_demand: np.ndarray
    sector_names: tuple[str, ...]
    firm_ids: np.ndarray | None = None
    regions: np.ndarray | None = None
    region_names: tuple[str, ...] = ()
    label: str = ""
    unit: str = "value per day"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "indptr", np.ascontiguousarray(self.indptr, dtype=np.int64))
        object.__setattr__(self, "suppliers", np.ascontiguousarray(self.suppliers, dtype=np.int32))
        object.__setattr__(self, "values", np.ascontiguousarray(self.values, dtype=np.float64))
        object.__setattr__(self, "sectors", np.ascontiguousarray(self.sectors, dtype=np.int32))
        object.__setattr__(
            self, "final_demand", np.ascontiguousarray(self.final_demand, dtype=np.float64)
        )
        object.__setattr__(self, "sector_names", tuple(str(s) for s in self.sector_names))
        object.__setattr__(self, "region_names", tuple(str(s) for s in self.region_names))
        if self.regions is not None:
            object.__setattr__(self, "regions", np.ascontiguousarray(self.regions, np.int32))
        if self.firm_ids is not None:
            object.__setattr__(self, "firm_ids", np.asarray(self.firm_ids).astype(str))
        self._check()

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_edges(
        cls,
        supplier: np.ndarray,
        customer: np.ndarray,
        value: np.ndarray,
        sectors: np.ndarray,
        final_demand: np.ndarray,
        sector_names: Sequence[str],
        **kw: Any,
    ) -> FirmNetwork:
        """Build the CSR network from link arrays in any order (firm indices ``0..n-1``)."""
        n = len(sectors)
        s = np.asarray(supplier, dtype=np.int64)
        c = np.asarray(customer, dtype=np.int64)
        v = np.asarray(value, dtype=np.float64)
        if not (len(s) == len(c) == len(v)):
            raise InputError("supplier, customer and value arrays differ in length")
        for name, a in (("supplier", s), ("customer", c)):
            bad = np.flatnonzero((a < 0) | (a >= n))
            if bad.size:
                raise InputError(
                    f"link {bad[0]}: {name} index {a[bad[0]]} is not a firm (0..{n - 1})"
                )
        order = np.lexsort((s, c))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(c, minlength=n), out=indptr[1:])
        return cls(indptr, s[order], v[order], sectors, final_demand, tuple(sector_names), **kw)

    # -- checks -----------------------------------------------------------------------------
    def _check(self) -> None:
        n = len(self.sectors)
        e = len(self.suppliers)
        if self.indptr.ndim != 1 or len(self.indptr) != n + 1:
            raise InputError(
                f"indptr has {len(self.indptr)} entries, expected n_firms + 1 = {n + 1}"
            )
        if self.indptr[0] != 0 or self.indptr[-1] != e or np.any(np.diff(self.indptr) < 0):
            raise InputError("indptr must start at 0, never decrease and end at the link count")
        if len(self.values) != e:
            raise InputError(f"{len(self.values)} values for {e} links")
        if len(self.final_demand) != n:
            raise InputError(f"{len(self.final_demand)} final demands for {n} firms")
        if e:
            bad = np.flatnonzero((self.suppliers < 0) | (self.suppliers >= n))
            if bad.size:
                raise InputError(f"link {bad[0]}: supplier {self.suppliers[bad[0]]} is not a firm")
            cust = self.customer_of_link()
            bad = np.flatnonzero(self.suppliers == cust)
            if bad.size:
                raise InputError(
                    f"link {bad[0]}: self-loop at firm {self.firm_id(int(cust[bad[0]]))}"
                )
            bad = np.flatnonzero(~np.isfinite(self.values) | (self.values <= 0))
            if bad.size:
                k = bad[0]
                raise InputError(
                    f"link {k} ({self.firm_id(int(self.suppliers[k]))} -> "
                    f"{self.firm_id(int(cust[k]))}): value {self.values[k]!r} must be positive"
                )
            same_row = cust[1:] == cust[:-1]
            step = np.diff(self.suppliers.astype(np.int64))
            bad = np.flatnonzero(same_row & (step <= 0))
            if bad.size:
                k = bad[0] + 1
                what = "duplicate link" if step[bad[0]] == 0 else "suppliers not sorted in row"
                raise InputError(
                    f"link {k}: {what} ({self.firm_id(int(self.suppliers[k]))} -> "
                    f"{self.firm_id(int(cust[k]))})"
                )
        bad = np.flatnonzero(~np.isfinite(self.final_demand) | (self.final_demand < 0))
        if bad.size:
            raise InputError(
                f"firm {self.firm_id(int(bad[0]))}: final demand {self.final_demand[bad[0]]!r} "
                "must be finite and ≥ 0"
            )
        if e:
            buys = self.purchases()
            prod = self.baseline_production()
            bad = np.flatnonzero((buys > 0) & (prod <= 0))
            if bad.size:
                raise InputError(
                    f"firm {self.firm_id(int(bad[0]))} buys inputs but has no production (no "
                    "customers and no final demand): give it a final demand"
                )
            bad = np.flatnonzero(buys > prod * (1 + 1e-9))
            if bad.size:
                i = int(bad[0])
                raise InputError(
                    f"firm {self.firm_id(i)} buys more inputs ({buys[i]:.6g} a day) than it "
                    f"produces (sales + final demand = {prod[i]:.6g}): a non-productive system "
                    "(input coefficients sum > 1); raise its final demand or fix the values"
                )
        ns = len(self.sector_names)
        bad = np.flatnonzero((self.sectors < 0) | (self.sectors >= ns))
        if bad.size:
            raise InputError(
                f"firm {self.firm_id(int(bad[0]))}: unknown sector code {self.sectors[bad[0]]}"
            )
        if self.regions is not None:
            if len(self.regions) != n:
                raise InputError(f"{len(self.regions)} regions for {n} firms")
            nr = len(self.region_names)
            bad = np.flatnonzero((self.regions < 0) | (self.regions >= nr))
            if bad.size:
                raise InputError(
                    f"firm {self.firm_id(int(bad[0]))}: unknown region code {self.regions[bad[0]]}"
                )
        if self.firm_ids is not None and len(self.firm_ids) != n:
            raise InputError(f"{len(self.firm_ids)} firm ids for {n} firms")

    # -- views ------------------------------------------------------------------------------
    @property
    def n_firms(self) -> int:
        return len(self.sectors)

    @property
    def n_links(self) -> int:
        return len(self.suppliers)

    def firm_id(self, i: int) -> str:
        """The id of firm ``i`` (``"F<i>"`` when the network has no ids)."""
        return str(self.firm_ids[i]) if self.firm_ids is not None else f"F{i}"

    def ids(self, idx: np.ndarray | None = None) -> np.ndarray:
        """Ids of the firms ``idx`` (all firms by default) as a str array."""
        idx = np.arange(self.n_firms) if idx is None else np.asarray(idx)
        if self.firm_ids is not None:
            return self.firm_ids[idx]
        return np.char.add("F", idx.astype(str))

    def customer_of_link(self) -> np.ndarray:
        """int32 customer index of every link (the CSR row)."""
        if "cust" not in self._cache:
            self._cache["cust"] = np.repeat(
                np.arange(self.n_firms, dtype=np.int32), np.diff(self.indptr)
            )
        return self._cache["cust"]

    def sales(self) -> np.ndarray:
        """Daily intermediate sales per firm, Σ over its customers of ``A_ik``."""
        return np.bincount(self.suppliers, weights=self.values, minlength=self.n_firms)

    def purchases(self) -> np.ndarray:
        """Daily intermediate purchases per firm, Σ over its suppliers of ``A_ji``."""
        return np.bincount(self.customer_of_link(), weights=self.values, minlength=self.n_firms)

    def baseline_production(self) -> np.ndarray:
        """``P_ini = sales + final demand`` (the steady state: production = sales)."""
        return self.sales() + self.final_demand

    def in_degree(self) -> np.ndarray:
        """Number of suppliers per firm."""
        return np.diff(self.indptr)

    def out_degree(self) -> np.ndarray:
        """Number of customers per firm."""
        return np.bincount(self.suppliers, minlength=self.n_firms)

    def components(self) -> tuple[int, np.ndarray]:
        """Weakly connected components: ``(count, label per firm)`` (scipy.sparse.csgraph)."""
        if "comp" not in self._cache:
            from scipy.sparse import csr_matrix
            from scipy.sparse.csgraph import connected_components

            m = csr_matrix(
                (np.ones(self.n_links, dtype=np.int8), self.suppliers, self.indptr),
                shape=(self.n_firms, self.n_firms),
            )
            self._cache["comp"] = connected_components(m, directed=True, connection="weak")
        return self._cache["comp"]

    def describe(self) -> dict[str, Any]:
        """Counts a user should see before a run: firms, links, sectors, components, isolates.

        Disconnected pieces are allowed (each evolves on its own) but reported here.
        """
        n_comp, labels = self.components()
        sizes = np.bincount(labels) if self.n_firms else np.zeros(0, dtype=np.int64)
        deg = self.in_degree() + self.out_degree()
        return {
            "label": self.label,
            "firms": self.n_firms,
            "links": self.n_links,
            "sectors": len(self.sector_names),
            "regions": len(self.region_names),
            "components": int(n_comp),
            "largest_component_firms": int(sizes.max()) if sizes.size else 0,
            "isolated_firms": int((deg == 0).sum()),
            "firms_without_production": int((self.baseline_production() <= 0).sum()),
            "max_in_degree": int(self.in_degree().max(initial=0)),
            "max_out_degree": int(self.out_degree().max(initial=0)),
            "unit": self.unit,
        }
