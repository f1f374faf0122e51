"""The reference simulator's file format (``fukugan.data.pronet``) and ``fukugan firms run``."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fukugan.cli.main import app
from fukugan.data.pronet import PronetError, read_pronet

FIX = Path("/work/shared/fixtures/firm-reference")
if not FIX.is_dir():  # the fixtures beside the repository
    FIX = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "firm-reference"
needs_fixtures = pytest.mark.skipif(not FIX.is_dir(), reason="reference fixtures not present")


def write(tmp_path: Path, **files: str) -> Path:
    """A tiny valid network 1 → 2 → 3 (values 10, 10; final demand 0, 0, 10; pini 10 each),
    with any file replaced by ``files`` (name without .txt → text; None drops it)."""
    base = {
        "atable": "1 2 10\n2 3 10\n",
        "cvector": "1 0\n2 0\n3 10\n",
        "pini": "1 10\n2 10\n3 10.000001\n",
        "affi": "1 1 x\n2 2 y\n3 3 z\n",
        "delta": "2 0.5 0\n",
    }
    base.update(files)
    d = tmp_path / "net"
    d.mkdir(exist_ok=True)
    for name, text in base.items():
        f = d / f"{name}.txt"
        if text is None:
            f.unlink(missing_ok=True)
        else:
            f.write_text(text, encoding="utf-8")
    return d


def test_tiny_network_reads(tmp_path):
    data = read_pronet(write(tmp_path))
    net = data.network
    assert net.n_firms == 3 and net.n_links == 2
    assert net.ids().tolist() == ["1", "2", "3"]
    np.testing.assert_allclose(net.baseline_production(), [10, 10, 10])
    assert data.delta.tolist() == [0, 0.5, 0] and data.start.tolist() == [0, 0, 0]
    assert net.sector_names == ("1", "2", "3")
    # delta.txt is optional; blank lines are ignored; extra columns of affi.txt too
    data = read_pronet(write(tmp_path, delta=None, atable="1 2 10\n\n2 3 10\n"))
    assert not data.delta.any()


@pytest.mark.parametrize(
    ("files", "file", "line", "field", "message"),
    [
        ({"atable": None}, "atable.txt", None, None, "file not found"),
        ({"atable": "1 2\n"}, "atable.txt", 1, "value", "missing field"),
        ({"atable": "1 2 10\n2 3 ten\n"}, "atable.txt", 2, "value", "not a number"),
        ({"atable": "1 2 10\n2 3 -1\n"}, "atable.txt", 2, "value", "negative value"),
        ({"atable": "1 2 0\n2 3 10\n"}, "atable.txt", 1, "value", "zero value"),
        ({"atable": "1 2 10\n2 3 10\n1 2 5\n"}, "atable.txt", 3, "customer", "duplicate link"),
        ({"atable": "1 2 10\n2 2 10\n"}, "atable.txt", 2, "customer", "self-loop"),
        ({"atable": "1 2 10 7\n2 3 10\n"}, "atable.txt", 1, None, "too many fields"),
        ({"affi": "1 1\n2 2\n"}, "affi.txt", None, "firm", "missing firm 3"),
        ({"affi": "1 1\n2 x\n3 3\n"}, "affi.txt", 2, "sector", "not a number"),
        ({"affi": "1 1\n2 0\n3 3\n"}, "affi.txt", 2, "sector", "unknown sector"),
        ({"affi": "1 1\n2 2\n3 3\n2 2\n"}, "affi.txt", 4, "firm", "listed twice"),
        ({"cvector": "1 0\n2 0\n3 -10\n"}, "cvector.txt", 3, "final_demand", "negative"),
        ({"pini": "1 10\n2 10\n"}, "pini.txt", None, "firm", "missing firm 3"),
        ({"pini": "1 10\n2 11\n3 10\n"}, "pini.txt", 2, "initial_output", "differs"),
        ({"delta": "2 1.5\n"}, "delta.txt", 1, "delta", "0..1"),
        ({"delta": "2 0.5 1.5\n"}, "delta.txt", 1, "start", "integer"),
        ({"delta": "9 0.5\n"}, "delta.txt", 1, "firm", "unknown firm 9"),
    ],
)
def test_bad_files_name_file_line_and_field(tmp_path, files, file, line, field, message):
    d = write(tmp_path, **files)
    with pytest.raises(PronetError) as ei:
        read_pronet(d)
    e = ei.value
    assert e.path == str(d / file) and e.row == line and e.field == field
    assert message in e.message
    if line is not None:
        assert f"line {line}" in str(e)


@needs_fixtures
def test_fixture_networks_read():
    for name, n, m in (("small", 300, 1500), ("medium", 3000, 15000)):
        data = read_pronet(FIX / name / "network")
        assert data.network.n_firms == n and data.network.n_links == m
    data = read_pronet(FIX / "medium" / "network")
    assert sorted(set(data.start[data.delta > 0].tolist())) == [0, 5]


def _cli(*args):
    return CliRunner().invoke(app, ["firms", "run", *map(str, args)])


@needs_fixtures
def test_firms_run_prints_the_reference_series():
    """``fukugan firms run DIR -R 0 -t 60 -f csv``: 61 rows equal to the reference's files."""
    res = _cli(FIX / "small" / "network", "--rationing", "0", "--days", 60, "--format", "csv")
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.output), comment="#")
    assert list(df.columns) == ["Step", "Total output", "Value added", "Final consumption"]
    assert df["Step"].tolist() == list(range(-1, 60))
    ref = FIX / "small" / "reference" / "R0"
    for col, f in (("Total output", "pact"), ("Value added", "va"), ("Final consumption", "fc")):
        want = np.loadtxt(ref / f"{f}.txt")[:, 1]
        np.testing.assert_allclose(df[col].to_numpy()[1:], want[1:], rtol=1e-9)
    # recovery, n and τ options, json
    res = _cli(FIX / "medium" / "network", "-R", "proportional", "-c", 30, "-t", 60, "-f", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["rows"]
    want = np.loadtxt(FIX / "medium" / "reference" / "R0-recovery30" / "pact.txt")[:, 1]
    np.testing.assert_allclose([r["total-output"] for r in rows], want, rtol=1e-9)
    res = _cli(FIX / "small" / "network", "-t", 3, "-i", 5, "-T", 3)
    assert res.exit_code == 0 and "inoue_todo" in res.output


def test_firms_run_options_and_errors(tmp_path):
    d = write(tmp_path)
    for extra in (
        ["-o", "1"],
        ["-o", "no_negative_adjustment"],
        ["-D", "2", "-r", "5"],
        ["-b", "step", "-c", "3"],
        ["-S", "2"],
        ["-R", "inoue_todo_fc_last", "--lang", "ja"],
    ):
        res = _cli(d, "-t", 5, *extra)
        assert res.exit_code == 0, (extra, res.output)
    res = _cli(d, "-t", 5, "-S", "2", "-f", "json")
    rows = json.loads(res.output)["rows"]
    # firm 2 stopped for steps 0-1: firm 3 keeps producing from stock, firm 1 loses its orders
    assert rows[1]["total-output"] < rows[0]["total-output"]
    for bad, word in (
        (["-R", "small_first"], "rationing"),
        (["-o", "7"], "order type"),
        (["-b", "sudden", "-c", "3"], "recovery type"),
        (["-c", "0"], "recovery"),
    ):
        res = _cli(d, "-t", 5, *bad)
        assert res.exit_code == 2 and word in res.output, (bad, res.output)
    shutil.copy(d / "atable.txt", d / "keep.txt")
    (d / "atable.txt").write_text("1 2 10\n2 3 x\n", encoding="utf-8")
    res = _cli(d)
    assert res.exit_code == 2 and "atable.txt: line 2, field 'value'" in res.output
    assert "Traceback" not in res.output


def test_data_import_firm_network_validates_and_describes(tmp_path):
    d = write(tmp_path)
    res = CliRunner().invoke(app, ["data", "import", "firm-network", str(d), "-f", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["summary"]["firms"] == 3 and doc["summary"]["links"] == 2
    assert [r["firms"] for r in doc["rows"]] == [1, 1, 1]
    (d / "pini.txt").write_text("1 10\n2 10\n3 99\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["data", "import", "firm-network", str(d)])
    assert res.exit_code == 2 and "pini.txt: line 3, field 'initial_output'" in res.output
    res = CliRunner().invoke(
        app, ["data", "import", "firm-network", str(d), "--source-format", "csv"]
    )
    assert res.exit_code == 2
