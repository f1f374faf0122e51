from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fukugan.data.baci import TRADE_COLUMNS, parse_baci_filename, read_baci
from fukugan.errors import InputError

CC_NEW = """country_code,country_name,country_iso2,country_iso3
156,China,CN,CHN
392,Japan,JP,JPN
490,"Other Asia, nes",,S19
842,USA,US,USA
36,Australia,AU,AUS
"""
CC_OLD = """country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,iso_3digit_alpha
156,China,China,CN,CHN
392,Japan,Japan,JP,JPN
842,USA,United States of America,US,USA
36,Australia,Australia,AU,AUS
"""
GOOD = """t,i,j,k,v,q
2022,156,392,10121,12.5,         NA
2022,842,392,854231,1000.001,2.5
2022,490,392,854231,3,
2022,36,156,260300,0.001,0
"""


def write(tmp_path: Path, trade: str, cc: str = CC_NEW, name: str = "BACI_HS17_Y2022_V202401.csv"):
    t = tmp_path / name
    t.write_text(trade)
    c = tmp_path / "country_codes_V202401.csv"
    c.write_text(cc)
    return t, c


def test_reads_standard_layout(tmp_path):
    frame, prov = read_baci(*write(tmp_path, GOOD))
    assert list(frame.columns) == list(TRADE_COLUMNS)
    assert frame["year"].dtype == np.int16
    assert frame["exporter"].astype(str).tolist() == ["CHN", "USA", "TWN", "AUS"]
    assert frame["importer"].astype(str).tolist() == ["JPN", "JPN", "JPN", "CHN"]
    # leading zero restored
    assert frame["hs6"].astype(str).tolist() == ["010121", "854231", "854231", "260300"]
    # thousand USD -> USD
    np.testing.assert_allclose(frame["value_usd"], [12_500.0, 1_000_001.0, 3_000.0, 1.0])
    q = frame["quantity_t"].to_numpy()
    assert np.isnan(q[0]) and np.isnan(q[2]) and q[1] == 2.5 and q[3] == 0.0
    assert frame["source"].astype(str).unique().tolist() == ["BACI HS17 V202401"]
    assert prov.year == "2022" and not prov.synthetic
    assert "thousand USD" in prov.notes and "TWN" in prov.notes
    assert "1 HS codes restored" in prov.notes


def test_reads_old_country_header(tmp_path):
    trade = "t,i,j,k,v,q\n2019,156,392,280530,1,1\n2019,36,392,280530,2,NA\n"
    frame, _ = read_baci(*write(tmp_path, trade, CC_OLD, "BACI_HS92_Y2019_V202301.csv"))
    assert frame["exporter"].astype(str).tolist() == ["CHN", "AUS"]
    assert frame["source"].iloc[0] == "BACI HS92 V202301"


def test_filename_parsing():
    assert parse_baci_filename("x/BACI_HS02_Y2001_V202401b.csv") == {
        "rev": "02",
        "year": "2001",
        "version": "202401b",
    }
    assert parse_baci_filename("trade.csv") is None


HEADER = "t,i,j,k,v,q\n"
OK_ROW = "2022,156,392,280530,1,1\n"


@pytest.mark.parametrize(
    ("body", "row", "field", "text"),
    [
        (OK_ROW + "2022,842,392,280530,abc,1\n", 3, "v", "not a number"),
        (OK_ROW + "2022,842,392,280530,-5,1\n", 3, "v", "negative"),
        (OK_ROW + "2022,842,392,280530,1,-1\n", 3, "q", "negative"),
        (OK_ROW + "2022,842,392,280530,NA,1\n", 3, "v", "missing"),
        (OK_ROW + "2022,842,392,280530,nan,1\n", 3, "v", "missing"),
        (OK_ROW + "2022,842,392,280530,inf,1\n", 3, "v", "not a number"),
        (OK_ROW + OK_ROW + "2022,999,392,280530,1,1\n", 4, "i", "unknown country code 999"),
        (OK_ROW + "2022,842,7,280530,1,1\n", 3, "j", "unknown country code 7"),
        (OK_ROW + "2022,842,392,28053a,1,1\n", 3, "k", "malformed HS6"),
        (OK_ROW + "2022,842,392,2805,1,1\n", 3, "k", "malformed HS6"),
        (OK_ROW + "2022,842,392,1234567,1,1\n", 3, "k", "malformed HS6"),
        (OK_ROW + "2022,842,392,280530,1,1\n" + OK_ROW, 4, "t,i,j,k", "first seen at row 2"),
        (OK_ROW + "2021,842,392,280530,1,1\n", 3, "t", "differs from the file name"),
        (OK_ROW + "20x2,842,392,280530,1,1\n", 3, "t", "not an integer"),
        (OK_ROW + "2022,842,392,280530,1\n", 3, None, "expected 6 fields"),
    ],
)
def test_bad_trade_rows(tmp_path, body, row, field, text):
    t, c = write(tmp_path, HEADER + body)
    with pytest.raises(InputError) as ei:
        read_baci(t, c)
    e = ei.value
    assert e.path == str(t)
    assert e.row == row
    assert e.field == field
    assert text in e.message


def test_missing_column(tmp_path):
    t, c = write(tmp_path, "t,i,j,k,q\n2022,156,392,280530,1\n")
    with pytest.raises(InputError) as ei:
        read_baci(t, c)
    assert (ei.value.row, ei.value.field, ei.value.path) == (1, "v", str(t))


def test_bad_country_code_file(tmp_path):
    t, c = write(tmp_path, HEADER + OK_ROW, CC_NEW + "156,Again,CN,CHN\n")
    with pytest.raises(InputError) as ei:
        read_baci(t, c)
    assert ei.value.path == str(c) and ei.value.row == 7 and "duplicate" in ei.value.message
    t, c = write(tmp_path, HEADER + OK_ROW, CC_NEW + "999,Bad,,TOOLONG\n")
    with pytest.raises(InputError) as ei:
        read_baci(t, c)
    assert (ei.value.row, ei.value.field) == (7, "country_iso3")


def test_empty_file(tmp_path):
    t, c = write(tmp_path, HEADER)
    with pytest.raises(InputError, match="no data rows"):
        read_baci(t, c)


def test_duplicate_after_iso3_mapping(tmp_path):
    cc = CC_NEW + "699,India,IN,IND\n356,India (old code),IN,IND\n"
    body = "2022,699,392,280530,1,1\n2022,356,392,280530,2,1\n"
    t, c = write(tmp_path, HEADER + body, cc)
    with pytest.raises(InputError) as ei:
        read_baci(t, c)
    assert ei.value.row == 3 and "ISO3 key" in ei.value.message


def test_frame_is_storable(tmp_path):
    from fukugan.store.analytic import AnalyticStore

    frame, prov = read_baci(*write(tmp_path, GOOD))
    store = AnalyticStore(tmp_path / "home")
    store.replace({"trade": (frame, prov)})
    back = store.read("trade")
    assert back["hs6"].astype(str).tolist() == frame["hs6"].astype(str).tolist()
    pd.testing.assert_series_equal(back["value_usd"], frame["value_usd"])


def test_shared_validation_helpers():
    import pyarrow as pa

    from fukugan.data.validate import check_known, check_unique, normalise_hs6, resolve_columns

    with pytest.raises(InputError) as ei:
        check_unique({"a": [1, 2, 1], "b": ["x", "y", "x"]}, path="f.csv")
    assert (ei.value.row, ei.value.field) == (4, "a,b") and "first seen at row 2" in str(ei.value)
    check_unique({"a": [1, 2, 1], "b": ["x", "y", "z"]}, path="f.csv")
    with pytest.raises(InputError) as ei:
        check_known(pa.array(["JPN", "XXX"]), {"JPN"}, path="f.csv", field="iso3")
    assert (ei.value.row, ei.value.field) == (3, "iso3")
    with pytest.raises(InputError) as ei:
        normalise_hs6(pa.array(["010121", "0"]), path="f.csv", field="k")
    assert ei.value.row == 3
    assert resolve_columns([" Year ", "V"], {"t": ["t", "year"], "v": ["v"]}, path="f") == {
        "t": " Year ",
        "v": "V",
    }
