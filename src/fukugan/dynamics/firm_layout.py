"""Index arrays of the firm model (pure numpy): the links of a firm network grouped three ways.

The model keeps one inventory per supplier link and limits production by the inventory of each
*input sector* (the sum over the links from that sector's suppliers), so every link belongs to

* its customer (the CSR rows of :class:`fukugan.firm_network.FirmNetwork`: link ``k`` of
  customer ``i`` is ``indptr[i] <= k < indptr[i + 1]``);
* its supplier: ``by_supplier`` lists the links supplier by supplier (``sup_indptr`` the
  offsets), so a supplier's demand and its rationing are reductions over a contiguous block;
* its *input group* ``(customer, supplier's sector)``: ``group`` per link, ``group_firm`` per
  group (groups are numbered customer by customer, so a customer's groups are contiguous:
  ``group_indptr``).

The simulation keeps the links in its own order — customer, then the supplier's sector, then
the supplier — so that the links of a group are contiguous too (``link_indptr_by_group``);
``perm`` maps it to the network's CSR order (``csr[perm] = sim``). Everything is computed once
per network, before the first step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Layout", "build_layout"]


@dataclass(frozen=True, eq=False)
class Layout:
    """The link groupings of one network (see the module doc). All arrays are read-only in the
    simulation loop.

    Attributes:
        n_firms: number of firms.
        perm: int64 per link: the CSR index of each link of the simulation order.
        customer: int64 per link (simulation order), the customer.
        supplier: int64 per link, the supplier.
        values: float64 per link, ``A_ij`` (daily baseline transaction value).
        by_supplier: int64 permutation of the links, supplier by supplier (within a supplier,
            in CSR order).
        sup_indptr: int64 ``n_firms + 1``, offsets into ``by_supplier``.
        group: int64 per link, its input group ``(customer, sector of supplier)``.
        group_firm: int64 per group, the customer.
        group_indptr: int64 ``n_firms + 1``; a customer's groups are contiguous.
        group_value: float64 per group, ``A_is = Σ_{j in s} A_ij`` (baseline input use).
        link_indptr_by_group: int64 offsets of the links sorted by group (``group_order``).
        group_order: int64 permutation of the links sorted by group (the identity: groups
            are contiguous in the simulation order).
        inputs: float64 per firm, ``Σ_j A_ij`` (baseline purchases).
        sales: float64 per firm, ``Σ_i A_ij`` (baseline sales to customers).
    """

    n_firms: int
    perm: np.ndarray
    customer: np.ndarray
    supplier: np.ndarray
    values: np.ndarray
    by_supplier: np.ndarray
    sup_indptr: np.ndarray
    group: np.ndarray
    group_firm: np.ndarray
    group_indptr: np.ndarray
    group_value: np.ndarray
    group_order: np.ndarray
    link_indptr_by_group: np.ndarray
    inputs: np.ndarray
    sales: np.ndarray

    @property
    def n_links(self) -> int:
        return int(self.values.size)

    @property
    def n_groups(self) -> int:
        return int(self.group_firm.size)


def build_layout(
    indptr: np.ndarray, suppliers: np.ndarray, values: np.ndarray, sectors: np.ndarray
) -> Layout:
    """The groupings of a CSR network (rows = customers; ``sectors`` per firm)."""
    indptr = np.asarray(indptr, dtype=np.int64)
    n = len(indptr) - 1
    sec = np.asarray(sectors, dtype=np.int64)
    supplier = np.asarray(suppliers, dtype=np.int64)
    customer = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    perm = np.lexsort((supplier, sec[supplier], customer)) if supplier.size else supplier.copy()
    supplier = supplier[perm]
    customer = customer[perm]
    values = np.asarray(values, dtype=np.float64)[perm]
    by_supplier = np.argsort(supplier, kind="stable")
    sup_counts = np.bincount(supplier, minlength=n)
    sup_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sup_counts, out=sup_indptr[1:])
    n_sec = int(sec.max()) + 1 if sec.size else 1
    key = customer * n_sec + sec[supplier]
    uniq, group = np.unique(key, return_inverse=True)
    group = group.astype(np.int64).ravel()
    group_firm = uniq // n_sec
    group_counts = np.bincount(group_firm, minlength=n)
    group_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(group_counts, out=group_indptr[1:])
    group_order = np.argsort(group, kind="stable")
    link_counts = np.bincount(group, minlength=uniq.size)
    link_indptr = np.zeros(uniq.size + 1, dtype=np.int64)
    np.cumsum(link_counts, out=link_indptr[1:])
    # summed link by link in supplier order, as the reference does (reduceat sums pairwise)
    group_value = np.bincount(group, weights=values, minlength=uniq.size)
    inputs = np.bincount(customer, weights=values, minlength=n)
    sales = np.bincount(supplier, weights=values, minlength=n)
    return Layout(
        n_firms=n,
        perm=perm.astype(np.int64),
        customer=customer,
        supplier=supplier,
        values=values,
        by_supplier=by_supplier,
        sup_indptr=sup_indptr,
        group=group,
        group_firm=group_firm,
        group_indptr=group_indptr,
        group_value=group_value,
        group_order=group_order,
        link_indptr_by_group=link_indptr,
        inputs=inputs,
        sales=sales,
    )
