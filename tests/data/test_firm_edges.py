"""Edge-list importer: good files become a FirmNetwork, bad ones an InputError with file/row/field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fukugan.data.firm_edges import read_firm_edges
from fukugan.dynamics.firms import FirmParams, FirmShock, simulate_firms
from fukugan.errors import InputError

EDGES = """supplier,customer,value,supplier_sector,customer_sector
steel,parts,10,metal,machinery
parts,cars,10,machinery,auto
glass,cars,5,ceramics,auto
parts,trucks,4,machinery,auto
"""

FIRMS = """firm,sector,region,final_demand
steel,metal,Aichi,2
parts,machinery,Aichi,0
cars,auto,Tokyo,30
glass,ceramics,Mie,1
trucks,auto,Tokyo,6
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_edges_with_sector_columns(tmp_path):
    net, prov = read_firm_edges(write(tmp_path, "e.csv", EDGES))
    report = prov.extra
    assert "connected component" in prov.notes and prov.dataset == "firm_network"
    assert net.n_firms == 5 and net.n_links == 4
    assert net.ids().tolist() == ["steel", "parts", "cars", "glass", "trucks"]
    assert net.sector_names == ("auto", "ceramics", "machinery", "metal")
    sec = dict(zip(net.ids(), np.asarray(net.sector_names)[net.sectors], strict=True))
    assert sec == {
        "steel": "metal",
        "parts": "machinery",
        "glass": "ceramics",
        "cars": "auto",
        "trucks": "auto",
    }
    # default final demand: max(purchases - sales, 0): cars 15, trucks 4, parts 0
    p = dict(zip(net.ids(), net.baseline_production(), strict=True))
    assert p == {"steel": 10, "parts": 14, "glass": 5, "cars": 15, "trucks": 4}
    assert report["final_demand"].startswith("default")
    assert report["components"] == 1
    tr = simulate_firms(
        net,
        FirmShock.by_ids(net, {"steel": 1.0}, recovery="step", recovery_days=40),
        FirmParams(),
        60,
    )
    assert tr.firm_loss[net.ids().tolist().index("cars")] > 0


def test_edges_with_firm_table(tmp_path):
    e = write(tmp_path, "e.csv", "Supplier , Customer,Amount\nsteel,parts,10\nparts,cars,10\n")
    f = write(tmp_path, "f.csv", FIRMS)
    net, prov = read_firm_edges(e, f)
    report = prov.extra
    assert net.n_firms == 5 and net.n_links == 2
    assert net.ids().tolist() == ["steel", "parts", "cars", "glass", "trucks"]
    assert net.region_names == ("Aichi", "Mie", "Tokyo")
    np.testing.assert_allclose(net.final_demand, [2, 0, 30, 1, 6])
    assert report["components"] == 3  # steel-parts-cars, glass, trucks: allowed, reported
    assert report["isolated_firms"] == 2
    shock = FirmShock.by_region(net, "Aichi", 0.3)
    assert shock.index.tolist() == [0, 1]


def test_sales_column_sets_final_demand(tmp_path):
    e = write(tmp_path, "e.csv", "supplier,customer,value\na,b,4\n")
    f = write(tmp_path, "f.csv", "firm,sector,sales\na,x,10\nb,y,9\n")
    net, prov = read_firm_edges(e, f)
    np.testing.assert_allclose(net.final_demand, [6, 9])
    assert prov.extra["final_demand"].startswith("sales")


@pytest.mark.parametrize(
    ("edges", "firms", "where", "message"),
    [
        ("supplier,value\na,1\n", None, ("e.csv", 1, "customer"), "missing column"),
        ("supplier,customer,value\n", None, ("e.csv", 2, None), "no data rows"),
        (
            "supplier,customer,value,supplier_sector,customer_sector\na,b,x,s,t\n",
            None,
            ("e.csv", 2, "value"),
            "not a number",
        ),
        (
            "supplier,customer,value,supplier_sector,customer_sector\na,b,1,s,t\nb,c,-2,t,u\n",
            None,
            ("e.csv", 3, "value"),
            "negative value: -2",
        ),
        (
            "supplier,customer,value,supplier_sector,customer_sector\na,b,0,s,t\n",
            None,
            ("e.csv", 2, "value"),
            "zero value",
        ),
        (
            "supplier,customer,value,supplier_sector,customer_sector\na,b,1,s,t\nc,c,1,u,u\n",
            None,
            ("e.csv", 3, "customer"),
            "self-loop",
        ),
        (
            "supplier,customer,value,supplier_sector,customer_sector\n"
            "a,b,1,s,t\nb,c,1,t,u\na,b,2,s,t\n",
            None,
            ("e.csv", 4, "supplier,customer"),
            "duplicate link",
        ),
        (
            "supplier,customer,value,supplier_sector,customer_sector\na,b,1,s,t\n,c,1,t,u\n",
            None,
            ("e.csv", 3, "supplier"),
            "missing value",
        ),
        (
            "supplier,customer,value,supplier_sector,customer_sector\na,b,1,s,t\nb,c,1,t,\n",
            None,
            ("e.csv", 3, "customer_sector"),
            "missing value",
        ),
        (
            "supplier,customer,value,supplier_sector,customer_sector\na,b,1,s,t\nb,c,1,s2,u\n",
            None,
            ("e.csv", 3, "supplier_sector"),
            "has sector 's2' here but 't'",
        ),
        (
            "supplier,customer,value\na,b,1\n",
            None,
            ("e.csv", 1, "supplier_sector"),
            "no sectors",
        ),
        (
            "supplier,customer,value\na,b,1\nb,zz,1\n",
            "firm,sector\na,s\nb,t\n",
            ("e.csv", 3, "customer"),
            "unknown firm: 'zz'",
        ),
        (
            "supplier,customer,value\na,b,1\n",
            "firm,sector\na,s\nb,\n",
            ("f.csv", 3, "sector"),
            "missing value",
        ),
        (
            "supplier,customer,value\na,b,1\n",
            "firm,sector\na,s\nb,t\na,s\n",
            ("f.csv", 4, "firm"),
            "duplicate firm",
        ),
        (
            "supplier,customer,value\na,b,1\n",
            "firm,sector,final_demand\na,s,1\nb,t,-1\n",
            ("f.csv", 3, "final_demand"),
            "negative value",
        ),
        (
            "supplier,customer,value\na,b,5\n",
            "firm,sector,final_demand\na,s,1\nb,t,1\n",
            ("f.csv", 3, "final_demand"),
            "buys more",
        ),
        (
            "supplier,customer,value\na,b,5\n",
            "firm,sector,sales\na,s,1\nb,t,10\n",
            ("f.csv", 2, "sales"),
            "below the firm's sales",
        ),
        (
            "supplier,customer,value,supplier_sector,customer_sector\na,b,1,s,t\n",
            "firm,sector\na,s\nb,other\n",
            ("f.csv", 3, "sector"),
            "sector 'other' here but 't'",
        ),
    ],
)
def test_bad_files(tmp_path, edges, firms, where, message):
    e = write(tmp_path, "e.csv", edges)
    f = write(tmp_path, "f.csv", firms) if firms is not None else None
    with pytest.raises(InputError, match=message) as info:
        read_firm_edges(e, f)
    err = info.value
    assert Path(err.path).name == where[0]
    assert err.row == where[1]
    assert err.field == where[2]


def test_not_a_csv(tmp_path):
    p = tmp_path / "e.csv"
    p.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match="NUL bytes"):
        read_firm_edges(p)
