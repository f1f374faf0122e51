"""OECD IOT 2023 loader: every bundled file parses and balances; bad input is located."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from fukugan.data.oecd_iot import (
    BUNDLED_DIR,
    DATASET,
    IOTable,
    available,
    imbalances,
    industry_labels,
    iot_from_frame,
    iot_to_frame,
    load_directory,
    read_iot,
)
from fukugan.errors import InputError
from fukugan.iomodels import import_dependence, technical_coefficients

DOM = BUNDLED_DIR / "dom"
JPN2020 = DOM / "JPN2020dom.csv"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "oecd-iot-2023" / "dom"


@pytest.fixture(scope="module")
def loaded():
    """All bundled files, parsed and validated once for the module."""
    return load_directory()


@pytest.fixture(scope="module")
def jpn() -> IOTable:
    return read_iot(JPN2020)


def test_bundle_is_a_byte_copy():
    files = sorted(p.name for p in DOM.glob("*.csv"))
    assert len(files) == 177
    if SHARED.exists():
        assert files == sorted(p.name for p in SHARED.glob("*.csv"))
        for name in ("JPN2020dom.csv", "USA2015dom.csv", "ROW2020dom.csv"):
            assert (DOM / name).read_bytes() == (SHARED / name).read_bytes()
    assert (BUNDLED_DIR / "PROVENANCE.md").exists()


def test_industry_labels():
    t = industry_labels()
    ind = t[t["kind"] == "industry"]
    assert len(ind) == 45 and ind["label_ja"].str.len().gt(0).all()
    assert set(t["code"]) >= {"HFCE", "EXPO", "IMPO", "VALU", "OUTPUT", "TXS_IMP_FNL"}


@pytest.mark.slow
def test_every_file_parses_and_balances(loaded):
    frame, prov = loaded
    pairs = available(frame)
    assert len(pairs) == 176  # ROW2020 is all zeros and skipped
    assert ("JPN", 1995) in pairs and ("JPN", 2020) in pairs and ("USA", 2015) in pairs
    assert prov.dataset == DATASET and "OECD" in prov.citation()
    worst = prov.extra["imbalance"]
    assert worst["column"] <= 1.2 and worst["row_dom"] <= 1.0 and worst["row_imp"] <= 1.0
    assert 0.01 < worst["column_qrs_share"] < 0.02  # the Q/R/S quirk, up to 1.1 %
    assert "ROW2020dom.csv" in prov.extra["skipped"]
    assert set(frame.columns) == {"country", "year", "row", "col", "value"}


def test_row_file_with_numeric_codes_parses():
    t = read_iot(DOM / "ROW2020dom.csv")
    assert t.industries[0] == "A01_02" and t.x.sum() == 0
    assert np.all(
        technical_coefficients(t.Z_dom, t.x) == 0
    )  # zero output: zero coefficient columns, no division by zero


def test_frame_round_trip(loaded, jpn):
    frame, _ = loaded
    back = iot_from_frame(frame, "JPN", 2020)
    for name in ("Z_dom", "Z_imp", "Y_dom", "Y_imp", "imports", "t_imp", "t_dom", "va", "x"):
        np.testing.assert_array_equal(getattr(back, name), getattr(jpn, name))
    f = iot_to_frame(jpn)
    with pytest.raises(InputError, match="missing cell"):
        iot_from_frame(f.iloc[1:], "JPN", 2020)
    with pytest.raises(InputError, match="no table"):
        iot_from_frame(f, "JPN", 1990)


def test_table_fields(jpn):
    assert jpn.Z_dom.shape == (45, 45) and jpn.Y_imp.shape == (45, 8)
    assert jpn.fd_categories[-1] == "EXPO"
    assert not jpn.x.flags.writeable
    assert np.abs(jpn.discrepancy[[jpn.index(c) for c in "QRS"]]).max() > 30  # the quirk
    assert imbalances(jpn)["column"] <= 1.2


def test_direct_import_content_by_hand(jpn):
    """C29 motor vehicles: Σ of the IMP_* cells in column C29 of the raw CSV / OUTPUT."""
    with open(JPN2020, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    j = rows[0].index("C29")
    imp = sum(float(r[j]) for r in rows[1:] if r[0].startswith("IMP_"))
    out = next(float(r[j]) for r in rows if r[0] == "OUTPUT")
    r = import_dependence(jpn.Z_dom, jpn.Z_imp, jpn.x, industries=jpn.industries)
    assert r.direct[jpn.index("C29")] == pytest.approx(imp / out, rel=1e-12)


def test_jpn_2020_import_content(jpn):
    r = import_dependence(jpn.Z_dom, jpn.Z_imp, jpn.x, industries=jpn.industries)
    c19 = jpn.index("C19")
    assert (r.total >= r.direct - 1e-12).all() and (r.total <= 1).all() and (r.direct >= 0).all()
    # coke & refined petroleum: the most import-dependent industry, through imported crude oil
    assert int(np.argmax(r.total)) == c19
    assert r.direct[c19] > 0.4 and r.total[c19] > 0.45
    assert next(iter(r.origin_shares("C19"))) == "B05_06"
    # across all tiers, motor vehicles depend on imported mining products
    shares = r.origin_shares("C29")
    assert shares["B07_08"] > 0 and shares["B05_06"] > 0


def test_jpn_c19_above_half_in_high_oil_price_years():
    t = read_iot(DOM / "JPN2014dom.csv")
    r = import_dependence(t.Z_dom, t.Z_imp, t.x, industries=t.industries)
    assert r.total[t.index("C19")] > 0.6


# -- bad input -----------------------------------------------------------------------------------


def _rewrite(tmp_path: Path, edit, name: str = "JPN2020dom.csv") -> Path:
    with open(JPN2020, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    p = tmp_path / name
    with open(p, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return p


def _cell(rows, row_label, col):
    return next(i for i, r in enumerate(rows) if r[0] == row_label), rows[0].index(col)


def _set(row_label, col, fn):
    def edit(rows):
        i, j = _cell(rows, row_label, col)
        rows[i][j] = fn(rows[i][j])

    return edit


@pytest.mark.parametrize(
    "edit, row, field, match",
    [
        (_set("DOM_C20", "C29", lambda v: "abc"), 12, "C29", "not a number"),
        (_set("DOM_C20", "C29", lambda v: ""), 12, "C29", "not a number"),
        (_set("IMP_C20", "C29", lambda v: str(float(v) + 50)), 94, "C29", "does not add up"),
        (_set("DOM_C20", "HFCE", lambda v: str(float(v) + 50)), 94, "HFCE", "does not add up"),
        (_set("VALU", "C29", lambda v: str(float(v) + 50)), 95, "TOTAL", "sum to"),
        (_set("OUTPUT", "C29", lambda v: str(float(v) + 50)), 21, "TOTAL", "differs from OUTPUT"),
        (_set("DOM_C20", "C29", lambda v: str(-float(v))), 12, "C29", "must not be negative"),
        (_set("DOM_C20", "", lambda v: "DOM_C99"), 12, "(row label)", "unknown row"),
        (_set("", "C29", lambda v: "C99"), 1, "C99", "unknown column"),
    ],
)
def test_bad_cells_are_located(tmp_path, edit, row, field, match):
    p = _rewrite(tmp_path, edit)
    with pytest.raises(InputError, match=match) as e:
        read_iot(p)
    assert e.value.path == str(p) and e.value.row == row and e.value.field == field


def test_negative_flow_and_output(tmp_path):
    def neg(rows):  # move 10 from one cell to make a negative flow, keeping every total
        i, j = _cell(rows, "DOM_C20", "C29")
        k = rows[0].index("C28")
        rows[i][j] = "-10"
        rows[i][k] = str(float(rows[i][k]) + 10 + float(_orig(rows, i, j)))

    def _orig(rows, i, j):
        with open(JPN2020, encoding="utf-8", newline="") as fh:
            return list(csv.reader(fh))[i][j]

    with pytest.raises(InputError, match="must not be negative") as e:
        read_iot(_rewrite(tmp_path, neg))
    assert (e.value.row, e.value.field) == (12, "C29")
    with pytest.raises(InputError, match="output must not be negative") as e:
        read_iot(_rewrite(tmp_path, _set("OUTPUT", "T", lambda v: "-1")))
    assert (e.value.row, e.value.field) == (96, "T")


def test_missing_row_and_column(tmp_path):
    p = _rewrite(tmp_path, lambda rows: rows.pop(5))
    with pytest.raises(InputError, match="missing"):
        read_iot(p)

    def drop_col(rows):
        j = rows[0].index("NPISH")
        for r in rows:
            del r[j]

    with pytest.raises(InputError, match="'NPISH' is missing") as e:
        read_iot(_rewrite(tmp_path, drop_col))
    assert e.value.row == 1


def test_file_name_and_directory(tmp_path):
    shutil.copy(JPN2020, tmp_path / "japan.csv")
    with pytest.raises(InputError, match="CCCYYYYdom"):
        read_iot(tmp_path / "japan.csv")
    t = read_iot(tmp_path / "japan.csv", country="JPN", year=2020)
    assert (t.country, t.year) == ("JPN", 2020)
    shutil.copy(JPN2020, tmp_path / "JPN2020dom.csv")
    _rewrite(tmp_path, _set("DOM_C20", "C29", lambda v: "x"), name="KOR2020dom.csv")
    with pytest.raises(InputError, match="KOR2020dom.csv"):
        load_directory(tmp_path)
