"""WGI loader: known answers from the bundled file, rescale, year fallback, bad input."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fukugan.data.bundled import WGI_CSV, bundled_path
from fukugan.data.wgi import COLUMNS, read_wgi, rescale_0_10, wgi_for_year
from fukugan.errors import InputError, UnknownItemError

HEADER = '"country","iso3c","year","score_wgi_scale","score_ohi_scale"\n'


@pytest.fixture(scope="module")
def wgi() -> pd.DataFrame:
    df, prov = read_wgi(bundled_path(*WGI_CSV))
    assert "CC BY 4.0" in prov.licence and "Kraay" in prov.source and "Ocean Health" in prov.source
    return df


def test_bundled_copy_is_byte_identical():
    data = bundled_path(*WGI_CSV).read_bytes()
    assert hashlib.sha256(data).hexdigest() == (
        "d1eb4a2164ea5e679db8ef7b2186d441e8417efefed4f0378a65868f508b1673"
    )


def test_shape_and_known_values(wgi):
    assert list(wgi.columns) == COLUMNS
    assert len(wgi) == 5136 and wgi["iso3"].nunique() == 214
    assert sorted(wgi["year"].unique())[:4] == [1996, 1998, 2000, 2002]
    assert wgi["year"].max() == 2022
    afg = wgi[(wgi["iso3"] == "AFG") & (wgi["year"] == 1996)].iloc[0]
    assert afg["country"] == "Afghanistan"
    assert afg["wgi"] == pytest.approx(-1.94518780708313, abs=1e-14)
    assert afg["wgi_0_10"] == pytest.approx(5 - 2 * -1.94518780708313)
    assert wgi["wgi"].min() == pytest.approx(-2.40953, abs=1e-5)  # Somalia 2008
    assert wgi["wgi"].max() == pytest.approx(1.94688, abs=1e-5)  # Finland 2004
    assert wgi["wgi_0_10"].between(0, 10).all()
    # higher = worse governance
    s = wgi_for_year(wgi, 2022)
    assert s["SOM"] > s["CHN"] > s["JPN"] > s["FIN"]
    assert {"XKX", "ANT", "JEY", "TWN", "HKG"} <= set(s.index)


def test_rescale_matches_ohi_scale_column():
    raw = pd.read_csv(bundled_path(*WGI_CSV))
    # OHI's 0-1 scale is (wgi + 2.5) / 5, 1 = best; the EU 0-10 risk scale is 10 * (1 - that).
    np.testing.assert_allclose(
        rescale_0_10(raw["score_wgi_scale"].to_numpy()),
        10 * (1 - raw["score_ohi_scale"]),
        atol=1e-12,
    )


@given(st.floats(min_value=-4, max_value=4, allow_nan=False))
def test_rescale_bounds_and_direction(x):
    y = rescale_0_10(x)
    assert 0.0 <= y <= 10.0
    assert rescale_0_10(x + 0.1) <= y


@pytest.mark.parametrize("requested", [2023, 2024, 2030])
def test_year_fallback(wgi, requested):
    s = wgi_for_year(wgi, requested)
    assert s.attrs["year_used"] == 2022 and s.attrs["fallback"] is True
    assert s.attrs["requested"] == requested
    assert len(s) == 214 and s.name == "wgi_0_10"
    exact = wgi_for_year(wgi, 2022)
    pd.testing.assert_series_equal(s, exact, check_names=False)
    assert exact.attrs["fallback"] is False and exact.attrs["years"] == {}


def test_missing_biennial_year_uses_previous(wgi):
    s = wgi_for_year(wgi, 2001, column="wgi")
    assert s.attrs["year_used"] == 2000
    assert s["JPN"] == wgi[(wgi["iso3"] == "JPN") & (wgi["year"] == 2000)]["wgi"].iloc[0]


def test_year_before_data(wgi):
    with pytest.raises(UnknownItemError, match="1996"):
        wgi_for_year(wgi, 1990)
    with pytest.raises(UnknownItemError):
        wgi_for_year(wgi, 2020, column="score")


def write(tmp_path, body: str):
    p = tmp_path / "wgi.csv"
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def test_missing_column(tmp_path):
    p = tmp_path / "wgi.csv"
    p.write_text('"country","iso3c","year"\n"Japan","JPN",2020\n', encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_wgi(p)
    assert e.value.row == 1 and e.value.field == "score_wgi_scale" and e.value.path == str(p)


def test_non_numeric_score(tmp_path):
    p = write(tmp_path, '"Japan","JPN",2020,1.2,0.7\n"Chile","CHL",2020,"high",0.6\n')
    with pytest.raises(InputError) as e:
        read_wgi(p)
    assert e.value.row == 3 and e.value.field == "score_wgi_scale" and "'high'" in str(e.value)


def test_unknown_iso3(tmp_path):
    p = write(tmp_path, '"Japan","JPN",2020,1.2,0.7\n"Atlantis","ATL",2020,0.1,0.5\n')
    with pytest.raises(InputError) as e:
        read_wgi(p)
    assert e.value.row == 3 and e.value.field == "iso3c" and "ATL" in str(e.value)


def test_duplicate_key(tmp_path):
    p = write(
        tmp_path,
        '"Japan","JPN",2020,1.2,0.7\n"Chile","CHL",2020,1.0,0.7\n"Japan","JPN",2020,1.3,0.7\n',
    )
    with pytest.raises(InputError) as e:
        read_wgi(p)
    assert e.value.row == 4 and e.value.field == "iso3c" and "row 2" in str(e.value)


def test_bad_year(tmp_path):
    p = write(tmp_path, '"Japan","JPN",2020.5,1.2,0.7\n')
    with pytest.raises(InputError) as e:
        read_wgi(p)
    assert e.value.row == 2 and e.value.field == "year"


def test_small_good_file(tmp_path):
    p = write(tmp_path, '"Japan","jpn",2020,1.2,0.7\n"Kosovo","XKX",2020,-0.2,0.46\n')
    df, _ = read_wgi(p)
    assert df["iso3"].tolist() == ["JPN", "XKX"]
    assert df["wgi_0_10"].tolist() == pytest.approx([2.6, 5.4])
