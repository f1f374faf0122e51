"""Import users' firm-to-firm supply links (an edge list) as a :class:`FirmNetwork`.

Files (UTF-8 CSV, header on row 1; column names matched without regard to case):

``edges.csv`` — one row per supplier → customer link:

============================== ========================================================
``supplier``                   supplier firm id (also ``source``, ``from``, ``seller``)
``customer``                   customer firm id (also ``target``, ``to``, ``buyer``)
``value``                      transaction value per day, > 0 (also ``amount``,
                               ``weight``, ``transaction``); any unit, the same everywhere
``supplier_sector``            sector of the supplier   } required unless a firm table
``customer_sector``            sector of the customer   } gives every firm's sector
============================== ========================================================

``firms.csv`` (optional) — one row per firm: ``firm`` (id), ``sector``, optional ``region``,
optional ``final_demand`` (per day, ≥ 0) or ``sales`` (total sales per day; final demand =
sales − sales to the listed customers, Inoue & Todo's 2019 construction).

Without final demand or sales, a firm's final demand defaults to
``max(purchases − sales to customers, 0)`` so that no firm buys more than it produces (the
minimum that makes the system productive; the report says so).

Validation is all-or-nothing (nothing is returned on error): :class:`InputError` names the
file, the row (header = row 1) and the field for a missing column, an empty id, a value that is
not a number, negative or zero, a self-loop (supplier = customer), a duplicate link, a firm
missing from the firm table, a firm with two different sectors, a missing sector, a duplicate
firm, a negative final demand, or sales below the sales to listed customers. Disconnected pieces
and firms without links are allowed and reported (:meth:`FirmNetwork.describe`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fukugan.data.validate import (
    check_known,
    check_unique,
    first_true,
    parse_float,
    read_csv_strings,
    resolve_columns,
    row_of,
)
from fukugan.errors import InputError
from fukugan.firm_network import FirmNetwork
from fukugan.provenance import Provenance

EDGE_COLUMNS: dict[str, list[str]] = {
    "supplier": ["supplier", "source", "from", "seller", "supplier_id"],
    "customer": ["customer", "target", "to", "buyer", "customer_id"],
    "value": ["value", "amount", "weight", "transaction", "transaction_value"],
    "supplier_sector": ["supplier_sector", "source_sector", "seller_sector"],
    "customer_sector": ["customer_sector", "target_sector", "buyer_sector"],
}
FIRM_COLUMNS: dict[str, list[str]] = {
    "firm": ["firm", "firm_id", "id", "name"],
    "sector": ["sector", "industry", "sector_code"],
    "region": ["region", "prefecture", "area"],
    "final_demand": ["final_demand", "final", "household_demand"],
    "sales": ["sales", "total_sales"],
}


def _ids(table: pa.Table, col: str, *, path: Path, field: str) -> np.ndarray:
    arr = pc.utf8_trim_whitespace(table.column(col))
    i = first_true(pc.equal(arr, ""))
    if i is not None:
        raise InputError("missing value", path=path, row=row_of(i), field=field)
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)


def _positive(values: np.ndarray, raw: Any, *, path: Path, field: str) -> None:
    i = first_true(values < 0)
    if i is not None:
        shown = str(raw[i].as_py()).strip()
        raise InputError(f"negative value: {shown}", path=path, row=row_of(i), field=field)
    i = first_true(values == 0)
    if i is not None:
        raise InputError(
            "zero value: a link must carry a positive transaction value (drop the row or give "
            "its value)",
            path=path,
            row=row_of(i),
            field=field,
        )


def read_firm_edges(
    edges_path: str | Path,
    firms_path: str | Path | None = None,
    *,
    unit: str = "value per day",
) -> tuple[FirmNetwork, Provenance]:
    """Read and validate an edge list (and optional firm table): ``(network, provenance)``.

    ``provenance.extra`` is the report: :meth:`FirmNetwork.describe` (firms, links, components,
    isolated firms, ...), how final demand was set and the files read; ``provenance.notes`` says
    the same in one line. See the module doc for the columns and the checks.
    """
    edges_path = Path(edges_path)
    table = read_csv_strings(edges_path)
    cols = resolve_columns(
        table.column_names,
        EDGE_COLUMNS,
        path=edges_path,
        optional=("supplier_sector", "customer_sector"),
    )
    if table.num_rows == 0:
        raise InputError("no data rows", path=edges_path, row=2)
    sup = _ids(table, cols["supplier"], path=edges_path, field=cols["supplier"])
    cus = _ids(table, cols["customer"], path=edges_path, field=cols["customer"])
    raw_value = table.column(cols["value"])
    value = parse_float(raw_value, path=edges_path, field=cols["value"])
    _positive(value, raw_value, path=edges_path, field=cols["value"])
    i = first_true(sup == cus)
    if i is not None:
        raise InputError(
            f"self-loop: firm {sup[i]!r} supplies itself",
            path=edges_path,
            row=row_of(i),
            field=cols["customer"],
        )
    check_unique({cols["supplier"]: sup, cols["customer"]: cus}, path=edges_path, what="link")

    edge_sector: pd.Series | None = None
    if cols["supplier_sector"] or cols["customer_sector"]:
        if not (cols["supplier_sector"] and cols["customer_sector"]):
            missing = "customer_sector" if cols["supplier_sector"] else "supplier_sector"
            raise InputError(
                "both supplier_sector and customer_sector are needed (or a firm table)",
                path=edges_path,
                row=1,
                field=missing,
            )
        ss = _ids(table, cols["supplier_sector"], path=edges_path, field=cols["supplier_sector"])
        cs = _ids(table, cols["customer_sector"], path=edges_path, field=cols["customer_sector"])
        n = len(sup)
        # interleaved in row order (supplier, customer of row 1, then of row 2, ...)
        firm_all = np.empty(2 * n, dtype=object)
        firm_all[0::2], firm_all[1::2] = sup, cus
        sec_all = np.empty(2 * n, dtype=object)
        sec_all[0::2], sec_all[1::2] = ss, cs
        frame = pd.DataFrame({"firm": firm_all, "sector": sec_all})
        first = frame.drop_duplicates("firm", keep="first").set_index("firm")["sector"]
        expected = first.reindex(frame["firm"]).to_numpy()
        b = first_true(expected != sec_all)
        if b is not None:
            raise InputError(
                f"firm {firm_all[b]!r} has sector {sec_all[b]!r} here but {expected[b]!r} "
                "on an earlier row",
                path=edges_path,
                row=row_of(b // 2),
                field=cols["supplier_sector"] if b % 2 == 0 else cols["customer_sector"],
            )
        edge_sector = first

    files = [str(edges_path)]
    regions = None
    region_names: tuple[str, ...] = ()
    final_given: np.ndarray | None = None
    sales_given: np.ndarray | None = None
    if firms_path is not None:
        firms_path = Path(firms_path)
        files.append(str(firms_path))
        ft = read_csv_strings(firms_path)
        fc = resolve_columns(
            ft.column_names,
            FIRM_COLUMNS,
            path=firms_path,
            optional=("region", "final_demand", "sales"),
        )
        if ft.num_rows == 0:
            raise InputError("no data rows", path=firms_path, row=2)
        firm_ids = _ids(ft, fc["firm"], path=firms_path, field=fc["firm"])
        check_unique({fc["firm"]: firm_ids}, path=firms_path, what="firm")
        sector_of = _ids(ft, fc["sector"], path=firms_path, field=fc["sector"])
        known = set(firm_ids.tolist())
        check_known(sup, known, path=edges_path, field=cols["supplier"], what="firm")
        check_known(cus, known, path=edges_path, field=cols["customer"], what="firm")
        if edge_sector is not None:
            table_sector = pd.Series(sector_of, index=firm_ids)
            diff = table_sector.reindex(edge_sector.index).to_numpy() != edge_sector.to_numpy()
            if diff.any():
                f = edge_sector.index[int(np.argmax(diff))]
                i = int(np.flatnonzero(firm_ids == f)[0])
                raise InputError(
                    f"firm {f!r}: sector {sector_of[i]!r} here but {edge_sector[f]!r} in "
                    f"{edges_path.name}",
                    path=firms_path,
                    row=row_of(i),
                    field=fc["sector"],
                )
        if fc["region"]:
            reg = _ids(ft, fc["region"], path=firms_path, field=fc["region"])
            region_names = tuple(sorted(set(reg.tolist())))
            regions = pd.Index(region_names).get_indexer(reg).astype(np.int32)
        for key in ("final_demand", "sales"):
            if fc[key]:
                raw = ft.column(fc[key])
                v = parse_float(raw, path=firms_path, field=fc[key])
                i = first_true(v < 0)
                if i is not None:
                    raise InputError(
                        f"negative value: {str(raw[i].as_py()).strip()}",
                        path=firms_path,
                        row=row_of(i),
                        field=fc[key],
                    )
                if key == "final_demand":
                    final_given = v
                else:
                    sales_given = v
        sector_names_all = sector_of
    else:
        if edge_sector is None:
            raise InputError(
                "no sectors: give supplier_sector and customer_sector columns or a firm table",
                path=edges_path,
                row=1,
                field="supplier_sector",
            )
        firm_ids = np.asarray(edge_sector.index.to_numpy(), dtype=object)
        sector_names_all = edge_sector.to_numpy()

    index = pd.Index(firm_ids)
    s_idx = index.get_indexer(sup)
    c_idx = index.get_indexer(cus)
    sector_names = tuple(sorted(set(sector_names_all.tolist())))
    sectors = pd.Index(sector_names).get_indexer(sector_names_all).astype(np.int32)
    n_firms = len(firm_ids)
    inter_sales = np.bincount(s_idx, weights=value, minlength=n_firms)
    purchases = np.bincount(c_idx, weights=value, minlength=n_firms)
    if final_given is not None:
        final = final_given
        how = "given (firm table)"
    elif sales_given is not None:
        final = sales_given - inter_sales
        bad = np.flatnonzero(final < -1e-9 * np.maximum(sales_given, 1.0))
        if bad.size:
            i = int(bad[0])
            raise InputError(
                f"sales {sales_given[i]:.6g} are below the firm's sales to its listed customers "
                f"({inter_sales[i]:.6g})",
                path=firms_path,
                row=row_of(i),
                field="sales",
            )
        final = np.maximum(final, 0.0)
        how = "sales − sales to listed customers (firm table)"
    else:
        final = np.maximum(purchases - inter_sales, 0.0)
        how = "default: max(purchases − sales to customers, 0) (no final demand given)"
    if final_given is not None or sales_given is not None:
        prod = inter_sales + final
        bad = np.flatnonzero(purchases > prod * (1 + 1e-9))
        if bad.size:
            i = int(bad[0])
            raise InputError(
                f"firm {firm_ids[i]!r} buys more ({purchases[i]:.6g} a day) than it produces "
                f"(sales to customers + final demand = {prod[i]:.6g})",
                path=firms_path,
                row=row_of(i),
                field="final_demand" if final_given is not None else "sales",
            )
    network = FirmNetwork.from_edges(
        s_idx,
        c_idx,
        value,
        sectors,
        final,
        sector_names,
        firm_ids=np.asarray(firm_ids, dtype=str),
        regions=regions,
        region_names=region_names,
        label=f"imported from {edges_path.name}",
        unit=unit,
    )
    report = {**network.describe(), "final_demand": how, "files": files}
    prov = Provenance(
        dataset="firm_network",
        source="user firm edge list " + " + ".join(Path(f).name for f in files),
        year="n/a",
        unit=unit,
        licence="user-supplied",
        notes=(
            f"{report['firms']} firms, {report['links']} links, {report['sectors']} sectors, "
            f"{report['components']} weakly connected component(s), "
            f"{report['isolated_firms']} firm(s) without links; final demand: {how}"
        ),
        extra=report,
    )
    return network, prov
