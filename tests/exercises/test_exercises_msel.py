"""MSEL exchange (CSV, XLSX, column mapping) and the ``fukugan exercise`` commands."""

from __future__ import annotations

import csv
import re

import pytest
from typer.testing import CliRunner

from fukugan.cli.main import app
from fukugan.errors import InputError
from fukugan.scenarios.exercise import PACKAGES, load_package
from fukugan.scenarios.msel import FIELDS, msel_rows, package_with_msel, read_msel, write_msel

PACKAGE = PACKAGES / "critical-minerals-licensing.yaml"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_msel_round_trip(tmp_path, suffix):
    pkg = load_package(PACKAGE)
    sheet = write_msel(pkg, tmp_path / f"msel{suffix}")
    new = package_with_msel(pkg, sheet, tmp_path / "out" / "pkg.yaml")
    assert (tmp_path / "out" / "pkg.yaml").is_file()
    again = load_package(tmp_path / "out" / "pkg.yaml")  # the written file is a valid package
    for a, b in zip(pkg.doc["injects"], again.doc["injects"], strict=True):
        assert {k: v for k, v in a.items() if k != "to"} == {
            k: v for k, v in b.items() if k != "to"
        }
        assert (a["to"] if isinstance(a["to"], list) else [a["to"]]) == b["to"]
    assert msel_rows(new) == msel_rows(pkg)
    assert again.scenario.doc == pkg.scenario.doc


def test_msel_columns_mapping_and_japanese(tmp_path):
    pkg = load_package(PACKAGE)
    sheet = write_msel(pkg, tmp_path / "m.csv", mapping={"message": "Inject text"})
    with open(sheet, encoding="utf-8-sig", newline="") as fh:
        head = next(csv.reader(fh))
    assert head[FIELDS and list(FIELDS).index("message")] == "Inject text"
    with pytest.raises(InputError) as e:
        read_msel(sheet)  # the default header is missing
    assert e.value.row == 1 and "no column 'Message'" in e.value.message
    rows = read_msel(sheet, mapping={"message": "Inject text"})
    assert rows[1]["marking"] == {"tlp": "AMBER", "clearance": 1}
    assert rows[5]["depends"] == [{"decision": "D1", "effect": "fire", "option": "hold"}]
    assert rows[0]["text"]["ja"].startswith("中国商務部は")


def _sheet(tmp_path, rows):
    p = tmp_path / "bad.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Number", "Time", "From", "To", "Method", "Message", "Depends"])
        w.writerows(rows)
    return p


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["1", "soon", "X", "gov", "news", "m", ""], "Time", "is not a turn"),
        (["1", "T2", "X", "gov", "telex", "m", ""], "Method", "'telex' is not one of"),
        (["1", "T2", "X", "gov", "news", "", ""], "Message", "empty cell"),
        (["1", "T2", "X", "gov", "news", "m", "maybe D1"], "Depends", "write 'hold if"),
    ],
)
def test_bad_msel_rows_name_row_and_column(tmp_path, row, column, message):
    good = ["0", "1", "X", "gov", "news", "ok", ""]
    p = _sheet(tmp_path, [good, row])
    with pytest.raises(InputError) as e:
        read_msel(p)
    assert (e.value.path, e.value.row, e.value.field) == (str(p), 3, column)
    assert message in e.value.message


def test_msel_import_refuses_rows_the_package_cannot_take_and_writes_nothing(tmp_path):
    pkg = load_package(PACKAGE)
    p = _sheet(tmp_path, [["1", "T1", "X", "gov", "news", "ok", ""],
                          ["2", "T1", "X", "navy", "news", "ok", ""]])  # fmt: skip
    out = tmp_path / "new.yaml"
    with pytest.raises(InputError) as e:
        package_with_msel(pkg, p, out)
    assert (e.value.path, e.value.row) == (str(p), 3) and "unknown role 'navy'" in str(e.value)
    p = _sheet(tmp_path, [["1", "T1", "X", "gov", "news", "ok", "hold if D1"]])
    with pytest.raises(InputError) as e:
        package_with_msel(pkg, p, out)
    assert e.value.row == 2 and "earlier turns" in str(e.value)
    assert not out.exists()


@pytest.mark.slow
def test_cli_validate_preview_and_msel(tmp_path):
    res = run("exercise", "validate", PACKAGE, "--no-data")
    assert res.exit_code == 0, res.output
    assert "valid — 5 roles, 12 injects, 5 decision points" in res.output
    res = run("exercise", "validate", PACKAGE, "--no-data", "--lang", "ja")
    assert "有効" in res.output
    res = run("exercise", "preview", PACKAGE)
    assert res.exit_code == 0 and "D1" in res.output
    bad = tmp_path / "bad.yaml"
    scenario = str(PACKAGE.with_name("critical-minerals-licensing.scenario.yaml"))
    text = PACKAGE.read_text(encoding="utf-8").replace("turns: 6", "turns: 60")
    bad.write_text(text.replace("critical-minerals-licensing.scenario.yaml", scenario), "utf-8")
    res = run("exercise", "validate", bad, "--no-data")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert re.search(r"bad\.yaml: line \d+, field 'clock\.turns'", res.output.replace("\n", ""))
    x = tmp_path / "m.xlsx"
    res = run("exercise", "msel-export", PACKAGE, x)
    assert res.exit_code == 0 and x.is_file()
    res = run("exercise", "msel-import", PACKAGE, x, "--out", tmp_path / "p.yaml")
    assert res.exit_code == 0, res.output
    res = run("exercise", "msel-import", PACKAGE, x, "--out", tmp_path / "q.yaml", "--map", "x")
    assert res.exit_code == 2


@pytest.mark.slow
def test_cli_run_demo_writes_the_aar(tmp_path, monkeypatch):
    monkeypatch.setenv("FUKUGAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FUKUGAN_DATABASE_URL", raising=False)
    out = tmp_path / "aar"
    res = run("exercise", "run-demo", PACKAGE, "--decide", "D1=hold", "--out", out, "--lang", "ja")
    assert res.exit_code == 0, res.output
    html = (out / "aar-ja.html").read_text(encoding="utf-8")
    assert "事後検証報告書" in html and "改善計画" in html
    assert "国会で質問" in html  # D1 = hold fires inject 6
    res = run("exercise", "run-demo", PACKAGE, "--decide", "D1=sell")
    assert res.exit_code == 2 and "no option 'sell'" in res.output
