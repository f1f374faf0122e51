"""CSV importer for multi-tier networks with BOMs (fukugan.data.bom): the shipped example and
every bad-input class, each with file, row and field."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from fukugan.data.bom import read_network
from fukugan.data.bom_example import EXAMPLE_DIR, example_network
from fukugan.errors import InputError

NODES = """node,inventory,capacity,demand,margin,ttr,tier,name
S,10,100,,,2,2,supplier
A,0,50,,,1,2,second source
P,5,100,20,3,1,0,plant
"""
BOM = "node,input,quantity\nP,S,2\n"
ALTS = "node,input,alternative,capacity\nP,S,A,10\n"


def write(tmp_path: Path, nodes=NODES, bom=BOM, alts: str | None = ALTS):
    (tmp_path / "nodes.csv").write_text(nodes, encoding="utf-8")
    (tmp_path / "bom.csv").write_text(bom, encoding="utf-8")
    a = None
    if alts is not None:
        a = tmp_path / "alternatives.csv"
        a.write_text(alts, encoding="utf-8")
    return tmp_path / "nodes.csv", tmp_path / "bom.csv", a


def test_reads_a_small_network(tmp_path):
    net = read_network(*write(tmp_path))
    assert net.nodes == ("S", "A", "P")
    assert net.products == ("P",)
    assert net.bom[0].quantity == 2.0
    alt = net.alternatives[0]
    assert (alt.node, alt.input, alt.alternative, alt.capacity) == ("P", "S", "A", 10.0)
    assert net.ttr == {"S": 2.0, "A": 1.0, "P": 1.0}
    assert net.tier == {"S": 2, "A": 2, "P": 0} and net.name["A"] == "second source"


def test_optional_columns_and_files(tmp_path):
    nodes = "node,inventory,capacity\nS,0,1\nP,0,1\n"
    net = read_network(*write(tmp_path, nodes=nodes, alts=None))
    assert net.products == () and net.alternatives == ()
    assert "no end product" in net.diagnostics()[0]
    net = read_network(*write(tmp_path, alts="node,input,alternative\nP,S,A\n"))
    assert math.isinf(net.alternatives[0].capacity)


def test_example_files_load():
    net = example_network()
    assert len(net.nodes) == 9 and len(net.bom) == 9 and len(net.alternatives) == 2
    assert (EXAMPLE_DIR / "nodes.csv").exists()


def test_disconnected_part_is_reported(tmp_path):
    nodes = NODES + "X,0,1,,,,,\n"
    net = read_network(*write(tmp_path, nodes=nodes))
    assert net.disconnected() == ["X"]


R = "nodes.csv"
B = "bom.csv"
A = "alternatives.csv"


@pytest.mark.parametrize(
    "which, text, file, row, field, match",
    [
        # nodes.csv
        ("nodes", "node,capacity\nS,1\n", R, 1, "inventory", "missing column"),
        ("nodes", NODES.replace("S,10,", "S,,"), R, 2, "inventory", "missing value"),
        ("nodes", NODES.replace("S,10,100", "S,10,-5"), R, 2, "capacity", "negative"),
        ("nodes", NODES.replace("S,10,", "S,ten,"), R, 2, "inventory", "not a number"),
        ("nodes", NODES.replace("P,5,100,20,3", "P,5,100,20,"), R, 4, "margin", "margin"),
        ("nodes", NODES.replace("P,5,100,20", "P,5,100,-1"), R, 4, "demand", "negative"),
        ("nodes", NODES.replace("1,0,plant", "1,0.5,plant"), R, 4, "tier", "integer"),
        ("nodes", NODES + "S,1,1,,,,,\n", R, 5, "node", "duplicate node"),
        ("nodes", NODES + ",1,1,,,,,\n", R, 5, "node", "missing value"),
        ("nodes", NODES + "Z,1\n", R, 5, None, "expected 8 fields"),
        # bom.csv
        ("bom", "node,qty\nP,1\n", B, 1, "input", "missing column"),
        ("bom", "node,input,quantity\nP,X,1\n", B, 2, "input", "unknown node: 'X'"),
        ("bom", "node,input,quantity\nQ,S,1\n", B, 2, "node", "unknown node: 'Q'"),
        ("bom", "node,input,quantity\nP,S,1\nP,S,2\n", B, 3, "node,input", "duplicate BOM row"),
        ("bom", "node,input,quantity\nP,S,0\n", B, 2, "quantity", "zero"),
        ("bom", "node,input,quantity\nP,S,-1\n", B, 2, "quantity", "negative"),
        ("bom", "node,input,quantity\nP,S,\n", B, 2, "quantity", "missing value"),
        ("bom", "node,input,quantity\nP,P,1\n", B, 2, "input", "its own input"),
        ("bom", "node,input,quantity\nP,S,1\nS,A,1\nA,P,1\n", B, 3, "input", "S -> P -> A -> S"),
        # alternatives.csv
        ("alts", "node,input,alternative\nP,S,Q\n", A, 2, "alternative", "unknown node: 'Q'"),
        ("alts", "node,input,alternative\nS,P,A\n", A, 2, "input", "no BOM row"),
        ("alts", "node,input,alternative\nP,S,S\n", A, 2, "alternative", "must differ"),
        ("alts", "node,input,alternative,capacity\nP,S,A,-3\n", A, 2, "capacity", "negative"),
        ("alts", ALTS + "P,S,A,5\n", A, 3, "node,input,alternative", "duplicate alternative"),
        ("alts", "node,input\nP,S\n", A, 1, "alternative", "missing column"),
    ],
)
def test_bad_inputs_name_file_row_field(tmp_path, which, text, file, row, field, match):
    kw = {"nodes": NODES, "bom": BOM, "alts": ALTS}
    kw[which] = text
    with pytest.raises(InputError, match=match) as e:
        read_network(*write(tmp_path, **kw))
    err = e.value
    assert err.path is not None and Path(err.path).name == file
    assert err.row == row
    assert err.field == field


def test_cycle_through_an_alternative_is_named(tmp_path):
    # A may replace S in P's BOM, and A itself needs P: P -> A -> P
    bom = "node,input,quantity\nP,S,1\nA,P,1\n"
    with pytest.raises(InputError, match="cyclic BOM: (P -> A -> P|A -> P -> A)") as e:
        read_network(*write(tmp_path, bom=bom))
    assert e.value.row == 2


def test_missing_and_binary_files(tmp_path):
    n, b, _ = write(tmp_path)
    with pytest.raises(InputError, match="file not found"):
        read_network(n, tmp_path / "nope.csv")
    (tmp_path / "bin.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match="NUL bytes"):
        read_network(tmp_path / "bin.csv", b)
