"""Importer for users' multi-tier supply networks with bills of materials (CSV).

Three files build a :class:`fukugan.supply_network.SupplyNetwork` (the data model of the
Simchi-Levi et al. 2015 risk-exposure model, see :mod:`fukugan.supply_network`):

``nodes.csv`` — one row per node (supplier site, plant, assembly plant):

============ ======== ===================================================================
column       required meaning
============ ======== ===================================================================
node         yes      unique id
inventory    yes      on-hand units of the node's output (no default: blank is an error)
capacity     yes      units of output per period
demand       no       end-customer demand per period (blank = 0; > 0 makes an end product)
margin       no*      profit per unit sold (*required where demand > 0)
revenue      no       revenue per unit sold (for ``objective="revenue"``)
ttr          no       time to recover, in periods
tier         no       integer tier (0 = assembly / OEM, 1, 2, ...), for display only
name         no       label, for display only
============ ======== ===================================================================

``bom.csv`` — ``node, input, quantity``: one unit of ``node`` needs ``quantity`` (> 0) units of
``input``'s output, sourced from ``input``.

``alternatives.csv`` (optional) — ``node, input, alternative[, capacity]``: ``alternative`` may
replace ``input`` in that BOM row, delivering at most ``capacity`` units per period to ``node``
(blank = limited only by the alternative's node capacity).

Validation is all-or-nothing: the first problem raises :class:`fukugan.errors.InputError` with
the file, the row (header = row 1) and the field — unreadable files, missing columns, blank or
non-numeric or negative numbers, duplicate nodes / BOM rows / alternatives, unknown nodes, zero
BOM quantities, missing margins of end products, alternatives of a BOM row that does not exist,
and cyclic BOMs (the message names the cycle). Disconnected parts are not errors; see
:meth:`SupplyNetwork.diagnostics`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow as pa

from fukugan.data.validate import (
    check_known,
    check_non_negative,
    check_unique,
    first_true,
    parse_float,
    read_csv_strings,
    resolve_columns,
    row_of,
)
from fukugan.errors import InputError
from fukugan.supply_network import Alternative, BomRow, SupplyNetwork, find_cycle

__all__ = ["read_network"]

_NODE_COLS = {
    "node": ["node", "id", "node_id"],
    "inventory": ["inventory", "stock", "on_hand"],
    "capacity": ["capacity", "cap"],
    "demand": ["demand"],
    "margin": ["margin", "profit_margin", "profit"],
    "revenue": ["revenue", "price"],
    "ttr": ["ttr", "time_to_recover"],
    "tier": ["tier"],
    "name": ["name", "label"],
}
_BOM_COLS = {
    "node": ["node", "parent"],
    "input": ["input", "child", "component"],
    "quantity": ["quantity", "qty", "units"],
}
_ALT_COLS = {
    "node": ["node", "parent"],
    "input": ["input", "child", "component"],
    "alternative": ["alternative", "alt", "source"],
    "capacity": ["capacity", "cap"],
}


def _ids(table: pa.Table, col: str, *, path: Path, field: str) -> np.ndarray:
    vals = np.array(
        [("" if v is None else v.strip()) for v in table.column(col).to_pylist()], dtype=object
    )
    i = first_true(vals == "")
    if i is not None:
        raise InputError("missing value", path=path, row=row_of(i), field=field)
    return vals


def _nums(table: pa.Table, col: str | None, *, path: Path, field: str, required: bool):
    if col is None:
        return np.full(table.num_rows, np.nan)
    v = parse_float(table.column(col), path=path, field=field, allow_missing=not required)
    check_non_negative(v, path=path, field=field, raw=table.column(col))
    return v


def read_network(
    nodes: str | Path, bom: str | Path, alternatives: str | Path | None = None
) -> SupplyNetwork:
    """Read and validate ``nodes.csv``, ``bom.csv`` and optional ``alternatives.csv``.

    >>> from fukugan.data.bom_example import EXAMPLE_DIR
    >>> net = read_network(EXAMPLE_DIR / "nodes.csv", EXAMPLE_DIR / "bom.csv",
    ...                    EXAMPLE_DIR / "alternatives.csv")
    >>> len(net.nodes), net.products
    (9, ('SEDAN', 'SUV'))
    """
    # -- nodes -----------------------------------------------------------------------------
    npath = Path(nodes)
    t = read_csv_strings(npath)
    c = resolve_columns(
        t.column_names,
        _NODE_COLS,
        path=npath,
        optional=["demand", "margin", "revenue", "ttr", "tier", "name"],
    )
    ids = _ids(t, c["node"], path=npath, field="node")
    check_unique({"node": ids}, path=npath, what="node")
    inv = _nums(t, c["inventory"], path=npath, field="inventory", required=True)
    cap = _nums(t, c["capacity"], path=npath, field="capacity", required=True)
    dem = _nums(t, c["demand"], path=npath, field="demand", required=False)
    mar = _nums(t, c["margin"], path=npath, field="margin", required=False)
    rev = _nums(t, c["revenue"], path=npath, field="revenue", required=False)
    ttr = _nums(t, c["ttr"], path=npath, field="ttr", required=False)
    tier = _nums(t, c["tier"], path=npath, field="tier", required=False)
    i = first_true(np.isfinite(tier) & (tier != np.round(tier)))
    if i is not None:
        raise InputError(f"not an integer: {tier[i]!r}", path=npath, row=row_of(i), field="tier")
    dem = np.nan_to_num(dem, nan=0.0)
    i = first_true((dem > 0) & np.isnan(mar))
    if i is not None:
        raise InputError(
            f"missing margin for end product {ids[i]!r} (demand > 0)",
            path=npath,
            row=row_of(i),
            field="margin",
        )
    names = (
        [("" if v is None else v.strip()) for v in t.column(c["name"]).to_pylist()]
        if c["name"]
        else [""] * len(ids)
    )
    known = set(ids.tolist())

    # -- BOM -------------------------------------------------------------------------------
    bpath = Path(bom)
    b = read_csv_strings(bpath)
    bc = resolve_columns(b.column_names, _BOM_COLS, path=bpath)
    bnode = _ids(b, bc["node"], path=bpath, field="node")
    binp = _ids(b, bc["input"], path=bpath, field="input")
    check_known(bnode, known, path=bpath, field="node", what="node")
    check_known(binp, known, path=bpath, field="input", what="node")
    i = first_true(bnode == binp)
    if i is not None:
        raise InputError(
            f"node {bnode[i]!r} cannot be its own input", path=bpath, row=row_of(i), field="input"
        )
    check_unique({"node": bnode, "input": binp}, path=bpath, what="BOM row")
    qty = _nums(b, bc["quantity"], path=bpath, field="quantity", required=True)
    i = first_true(qty == 0)
    if i is not None:
        raise InputError("quantity is zero (drop the row)", path=bpath, row=row_of(i),
                         field="quantity")  # fmt: skip
    edges: dict[tuple[str, str], tuple[Path, int]] = {
        (str(bi), str(bn)): (bpath, row_of(k))
        for k, (bn, bi) in enumerate(zip(bnode, binp, strict=True))
    }
    rows = {(str(bn), str(bi)) for bn, bi in zip(bnode, binp, strict=True)}

    # -- alternatives ----------------------------------------------------------------------
    alts: list[Alternative] = []
    if alternatives is not None:
        apath = Path(alternatives)
        a = read_csv_strings(apath)
        ac = resolve_columns(a.column_names, _ALT_COLS, path=apath, optional=["capacity"])
        anode = _ids(a, ac["node"], path=apath, field="node")
        ainp = _ids(a, ac["input"], path=apath, field="input")
        aalt = _ids(a, ac["alternative"], path=apath, field="alternative")
        for col, vals in (("node", anode), ("input", ainp), ("alternative", aalt)):
            check_known(vals, known, path=apath, field=col, what="node")
        for k, (an, ai, aa) in enumerate(zip(anode, ainp, aalt, strict=True)):
            if (an, ai) not in rows:
                raise InputError(
                    f"no BOM row {an!r} <- {ai!r} in {bpath.name} for this alternative",
                    path=apath,
                    row=row_of(k),
                    field="input",
                )
            if aa in (an, ai):
                raise InputError(
                    f"alternative {aa!r} must differ from node and input",
                    path=apath,
                    row=row_of(k),
                    field="alternative",
                )
        check_unique(
            {"node": anode, "input": ainp, "alternative": aalt}, path=apath, what="alternative"
        )
        acap = _nums(a, ac["capacity"], path=apath, field="capacity", required=False)
        for k, (an, ai, aa, cp) in enumerate(zip(anode, ainp, aalt, acap, strict=True)):
            alts.append(Alternative(str(an), str(ai), str(aa), math.inf if np.isnan(cp) else cp))
            edges.setdefault((str(aa), str(an)), (apath, row_of(k)))

    # -- cycles (named, with the row of the edge that closes the cycle) ---------------------
    succ: dict[str, list[str]] = {n: [] for n in ids.tolist()}
    for s, d in edges:
        succ[s].append(d)
    cycle = find_cycle(succ)
    if cycle is not None:
        p, r = edges[(cycle[-2], cycle[-1])]
        raise InputError(
            "cyclic BOM: " + " -> ".join(cycle),
            path=p,
            row=r,
            field="input" if p == bpath else "alternative",
        )

    def pick(values: np.ndarray) -> dict[str, float]:
        return {str(n): float(v) for n, v in zip(ids, values, strict=True) if not np.isnan(v)}

    return SupplyNetwork(
        nodes=ids.tolist(),
        inventory=pick(inv),
        capacity=pick(cap),
        bom=[BomRow(str(n), str(i), float(q)) for n, i, q in zip(bnode, binp, qty, strict=True)],
        alternatives=alts,
        demand={str(n): float(v) for n, v in zip(ids, dem, strict=True) if v > 0},
        margin=pick(mar),
        revenue=pick(rev),
        ttr=pick(ttr),
        tier={str(n): int(v) for n, v in zip(ids, tier, strict=True) if not np.isnan(v)},
        name={str(n): s for n, s in zip(ids, names, strict=True) if s},
    )
