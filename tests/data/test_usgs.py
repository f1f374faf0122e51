"""USGS MCS 2025 world data loader: known answers from the real (bundled) file."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fukugan.data.bundled import USGS_WORLD_CSV, bundled_path
from fukugan.data.usgs import (
    COLUMNS,
    commodities,
    primary_type,
    production_shares,
    read_world_production,
    resolve_commodity,
)
from fukugan.data.usgs.quirks import _parse_value
from fukugan.errors import FukuganError, InputError, UnknownItemError

HEADER = (
    "SOURCE,COMMODITY,COUNTRY,TYPE,UNIT_MEAS,PROD_2023,PROD_EST_ 2024,PROD_NOTES,"
    "CAP_2023,CAP_EST_ 2024,CAP_NOTES,RESERVES_2024,RESERVE_NOTES"
)


@pytest.fixture(scope="module")
def usgs() -> pd.DataFrame:
    df, prov = read_world_production(bundled_path(*USGS_WORLD_CSV))
    assert prov.dataset == "usgs_world_production"
    return df


def one(df: pd.DataFrame, **kw) -> pd.Series:
    sel = df
    for k, v in kw.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, (kw, sel)
    return sel.iloc[0]


def test_bundled_copy_is_byte_identical():
    import hashlib

    p = bundled_path(*USGS_WORLD_CSV)
    assert (
        hashlib.sha256(p.read_bytes()).hexdigest()
        == "4cf9adcc5add0f2271b073569635e49adc51392326ac5225bb9d644b1bb11e28"
    )


def test_columns_and_types(usgs):
    assert list(usgs.columns) == COLUMNS
    assert set(usgs["measure"]) == {"production", "capacity", "reserves"}
    assert set(usgs["row_kind"]) == {"country", "other", "world", "group"}
    assert usgs["year"].dtype.kind == "i" and set(usgs["year"]) == {2023, 2024}
    assert usgs["value"].dtype == float
    assert usgs["marker"].map(lambda x: isinstance(x, str)).all()
    assert usgs["note"].map(lambda x: isinstance(x, str)).all()
    assert set(usgs["marker"]) <= {"", "W", "NA", "E", ">", "<", "XX", "Q", "IN"}
    # no duplicated cells
    key = ["commodity_id", "type", "measure", "country", "year"]
    assert not usgs.duplicated(key).any()
    assert (usgs["unit"] != "").all()


def test_commodity_names_cleaned(usgs):
    names = set(usgs["commodity"])
    assert len(names) == 76 and usgs["commodity_id"].nunique() == 76
    assert "Germanium" in names and "Gemanium" not in names
    assert {"Rare earths", "Platinum-group metals", "Lithium", "Gallium", "Iron ore"} <= names
    assert "Talc and pyrophyllite" in names and not any("Talc," in n for n in names)
    assert all(n == n.strip() and "\xa0" not in n and '"' not in n for n in names)
    assert one(usgs, commodity="Germanium", country="China", year=2024)["commodity_id"] == (
        "germanium"
    )
    assert {"rare-earths", "platinum-group-metals", "germanium"} <= set(usgs["commodity_id"])
    assert usgs["commodity_id"].str.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*").all()
    types = set(usgs["type"])
    assert not any(("poduction" in t) or ("grosss" in t) or t.endswith(".") for t in types)
    assert all(t[0].isupper() for t in types)


def test_exact_usgs_country_names_map(usgs):
    c = usgs[usgs["row_kind"] == "country"]
    assert c["iso3"].notna().all()
    expect = {
        "Korea, Republic of": "KOR",
        "Korea, North": "PRK",
        "Congo (Kinshasa)": "COD",
        "Burma": "MMR",
        "United States (includes Puerto Rico)": "USA",
        "Côte d’Ivoire": "CIV",
        "Laos": "LAO",
        "Turkey": "TUR",
        "Russia": "RUS",
        "Canada": "CAN",
        "Brazil (beneficiated)": "BRA",
        "United States (kyanite)": "USA",
        "Trinidad and Tobago": "TTO",
    }
    got = dict(zip(c["country"], c["iso3"], strict=True))
    for name, iso in expect.items():
        assert got[name] == iso, name
    # every name that is not a country: only the one multi-country row
    groups = usgs[usgs["row_kind"] == "group"]
    assert set(groups["country"]) == {"United States and Canada"}
    assert set(groups["members"]) == {"USA;CAN"} and groups["iso3"].isna().all()


def test_group_rows(usgs):
    w = set(usgs.loc[usgs["row_kind"] == "world", "country"])
    assert "World total (rounded)" in w and "World total" in w
    assert "World total (rounded) 10" not in w  # footnote number stripped
    assert "World total (rutile, rounded)" in w
    o = set(usgs.loc[usgs["row_kind"] == "other", "country"])
    assert o == {"Other Countries", "Other countries (rounded)", "Other countries (includes crude)"}
    assert usgs.loc[usgs["row_kind"] != "country", "iso3"].isna().all()


def test_markers(usgs):
    li = one(usgs, commodity_id="lithium", country="United States", measure="production", year=2024)
    assert math.isnan(li["value"]) and li["marker"] == "W"
    fl = one(
        usgs, commodity_id="fluorspar", country="United States", measure="production", year=2023
    )
    assert math.isnan(fl["value"]) and fl["marker"] == "NA"
    # "na for 2023": 2023 NA, 2024 has a value
    hg = usgs[(usgs["commodity_id"] == "mercury") & (usgs["country"] == "Peru (exports)")]
    hg = hg[hg["measure"] == "production"].set_index("year")
    assert hg.loc[2023, "marker"] == "NA" and math.isnan(hg.loc[2023, "value"])
    assert hg.loc[2024, "value"] == 30 and hg.loc[2024, "marker"] == ""
    # "estimated 2023" marks 2023 only
    ir = usgs[
        (usgs["commodity_id"] == "iron-ore")
        & (usgs["country"] == "Iran")
        & (usgs["type"] == "Mine production, usable ore")
        & (usgs["measure"] == "production")
    ].set_index("year")
    assert ir.loc[2023, "marker"] == "E" and ir.loc[2024, "marker"] == ""
    assert ir.loc[2023, "value"] == 85400
    # ">" lower bounds with and without thousands separators
    ree = one(usgs, commodity_id="rare-earths", row_kind="world", measure="reserves")
    assert ree["value"] == 90_000_000 and ree["marker"] == ">"
    big = usgs[(usgs["marker"] == ">") & (usgs["value"] == 17_000_000)]
    assert len(big) == 1
    # qualitative reserves, "less than 1/2 unit", not applicable, included elsewhere
    talc = one(
        usgs, commodity_id="talc-and-pyrophyllite", country="Afghanistan", measure="reserves"
    )
    assert talc["marker"] == "Q" and math.isnan(talc["value"]) and talc["note"] == "Large"
    he = one(usgs, commodity_id="helium", country="South Africa", measure="production", year=2023)
    assert he["marker"] == "<" and math.isnan(he["value"])
    ky = one(usgs, commodity_id="kyanite-and-related-minerals", row_kind="world", year=2023)
    assert ky["marker"] == "XX"
    gr = one(usgs, commodity_id="graphite", country="Austria", measure="reserves")
    assert gr["marker"] == "IN"
    # type "..., estimated" marks production values as estimates
    co = one(
        usgs, commodity_id="cobalt", country="Congo (Kinshasa)", measure="production", year=2024
    )
    assert co["value"] == 220000 and co["marker"] == "E"


def test_units_and_special_tables(usgs):
    # unit blank in the file, taken from the table
    sl = one(
        usgs,
        commodity_id="titanium-mineral-concentrates",
        country="Sierra Leone",
        measure="production",
        year=2023,
    )
    assert sl["unit"] == "metric tons" and sl["value"] == 110 and "unit blank" in sl["note"]
    # reserves units stated in notes
    mo = usgs[usgs["commodity_id"] == "molybdenum"]
    assert set(mo.loc[mo["measure"] == "production", "unit"]) == {"metric tons"}
    assert set(mo.loc[mo["measure"] == "reserves", "unit"]) == {"thousand metric tons"}
    fe = usgs[(usgs["commodity_id"] == "iron-ore") & (usgs["measure"] == "reserves")]
    assert set(fe["unit"]) == {"million metric tons"}
    # magnesium metal: the reserves column repeats capacity and is not read
    mg = usgs[usgs["commodity_id"] == "magnesium-metal"]
    assert "reserves" not in set(mg["measure"])
    assert one(mg, country="China", measure="capacity", year=2024)["value"] == 1800
    # capacity TYPEs: values are capacity wherever the file put them
    ab = usgs[usgs["commodity_id"] == "abrasives"]
    assert set(ab["measure"]) == {"capacity"}
    cl = usgs[(usgs["commodity_id"] == "cement") & (usgs["type"] == "Clinker capacity, estimated")]
    assert set(cl["measure"]) == {"capacity"}
    # U.S. cobalt row aligned with the rest of the table
    assert usgs.loc[usgs["commodity_id"] == "cobalt", "type"].nunique() == 1
    # source rows are file lines (header = 1)
    ga = one(usgs, commodity_id="gallium", country="China", measure="production", year=2024)
    assert ga["source_row"] == 371
    assert (
        one(
            usgs,
            commodity_id="abrasives",
            country="United States and Canada",
            year=2024,
            type="Plant capacity, fused aluminum oxide",
        )["source_row"]
        == 3
    )


def test_gallium_shares_known_answer(usgs):
    # From the file (kilograms, primary production): 2024 China 750000, Japan 3000,
    # Korea, Republic of 3000, Russia 6000, United States blank, Other Countries blank,
    # World total (rounded) 760000. Denominator = 762000.
    s = production_shares(usgs, "gallium", 2024)
    b = s.attrs["basis"]
    assert b["type"] == "Primary production" and b["unit"] == "kilograms"
    assert b["denominator"] == 762_000
    assert b["world_total"] == 760_000 and b["world_gap"] == -2_000
    chn = s.set_index("iso3").loc["CHN"]
    assert chn["value"] == 750_000
    assert chn["share"] == pytest.approx(750_000 / 762_000)  # 0.98425...
    assert chn["share"] == pytest.approx(0.984252, abs=1e-6)
    assert s.iloc[0]["iso3"] == "CHN"
    assert b["excluded"] == ["United States"] and math.isnan(b["other_value"])
    assert b["hhi_lower"] == pytest.approx((750 / 762) ** 2 + (6 / 762) ** 2 + 2 * (3 / 762) ** 2)
    s23 = production_shares(usgs, "gallium", 2023)
    assert s23.attrs["basis"]["denominator"] == 633_000 == s23.attrs["basis"]["world_total"]
    assert s23.set_index("iso3").loc["CHN", "share"] == pytest.approx(621_000 / 633_000)


@pytest.mark.parametrize(
    "cid", ["cobalt", "rare-earths", "graphite", "copper", "nickel", "lithium", "gallium"]
)
def test_world_total_matches_countries_plus_others_2023(usgs, cid):
    b = production_shares(usgs, cid, 2023).attrs["basis"]
    assert abs(b["world_gap_rel"]) < 0.01, b


def test_world_total_check_value_catches_file_error(usgs):
    # The file's 2024 kaolin world total is 4400 (2023: 44400; listed + others 2024: 44240).
    b = production_shares(usgs, "clays", 2024, type="Mine production, Kaolin").attrs["basis"]
    assert b["world_total"] == 4400 and b["denominator"] == pytest.approx(44240)
    assert b["world_gap_rel"] < -5


def test_other_countries_and_hhi_bounds(usgs):
    s = production_shares(usgs, "rare-earths", 2024)
    b = s.attrs["basis"]
    assert b["other_value"] == 1100 and "Other" not in " ".join(s["country"])
    assert b["denominator"] == pytest.approx(s["value"].sum() + 1100)
    assert b["hhi_upper"] - b["hhi_lower"] == pytest.approx(b["other_share"] ** 2)
    assert s["share"].sum() + b["other_share"] == pytest.approx(1.0)


def test_several_rows_of_one_country_are_one_supplier(usgs):
    s = production_shares(usgs, "helium", 2023).set_index("iso3")
    assert s.loc["USA", "value"] == 64 + 18
    assert s.index.is_unique


def test_group_row_kept_whole(usgs):
    s = production_shares(usgs, "abrasives", 2024)
    g = s[s["row_kind"] == "group"].iloc[0]
    assert g["country"] == "United States and Canada" and g["members"] == "USA;CAN"
    assert g["value"] == 60000 and s.attrs["basis"]["measure"] == "capacity"
    assert s.attrs["basis"]["type"] == "Plant capacity, fused aluminum oxide"


def test_production_shares_refuses_mixed_units_and_unknown_type(usgs):
    with pytest.raises(UnknownItemError, match="available"):
        production_shares(usgs, "copper", 2024, type="Smelter production")
    bad = usgs[usgs["commodity_id"] == "gallium"].copy()
    bad.loc[bad["country"] == "Japan", "unit"] = "metric tons"
    with pytest.raises(FukuganError, match="mixes units"):
        production_shares(bad, "gallium", 2024)


@pytest.mark.parametrize(
    "cid,expected",
    [
        ("bauxite", "Mine production, bauxite, dry tons"),
        ("aluminum", "Smelter production, aluminum"),
        ("copper", "Mine production, recoverable copper content"),
        ("iron-ore", "Mine production, usable ore"),
        ("iron-and-steel", "Raw steel"),
        ("silicon", "Plant production, silicon metal"),
        ("platinum-group-metals", "Mine production, Platinum content"),
        (
            "titanium-mineral-concentrates",
            "Mine production, ilmenite, titanium dioxide (TiO2) content",
        ),
        ("titanium-and-titanium-dioxide", "Sponge Metal Production"),
        ("cement", "Cement production, estimated"),
        ("abrasives", "Plant capacity, fused aluminum oxide"),
        ("soda-ash", "Mine production, natural"),
        ("potash", "Mine production, potassium oxide (K2O) equivalent"),
        ("gallium", "Primary production"),
        ("clays", "Mine production, Kaolin"),
        ("mica-natural", "Mine production, mica scrap and flake"),
    ],
)
def test_primary_type(usgs, cid, expected):
    assert primary_type(usgs, cid) == expected


def test_commodities_table(usgs):
    t = commodities(usgs)
    assert len(t) == 76 and t["commodity_id"].is_unique


@pytest.mark.parametrize(
    "q,cid",
    [
        ("Germanium", "germanium"),
        ("germanium", "germanium"),
        ("Gemanium", "germanium"),
        ("RARE EARTHS", "rare-earths"),
        ("rare-earths", "rare-earths"),
        ("rare", "rare-earths"),
        ("Platinum group metals", "platinum-group-metals"),
        ("PGM", "platinum-group-metals"),
        ("aluminium", "aluminum"),
        ("  Lithium ", "lithium"),
        ("talc", "talc-and-pyrophyllite"),
    ],
)
def test_resolve_commodity(usgs, q, cid):
    assert resolve_commodity(usgs, q) == cid


def test_resolve_commodity_errors(usgs):
    with pytest.raises(UnknownItemError, match=r"Lithium \(lithium\)"):
        resolve_commodity(usgs, "lithum")
    with pytest.raises(UnknownItemError, match="ambiguous"):
        resolve_commodity(usgs, "iron")
    with pytest.raises(UnknownItemError):
        resolve_commodity(usgs, "unobtainium")


# -- bad input ---------------------------------------------------------------------------------


def write(tmp_path, text: str):
    p = tmp_path / "w.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_missing_column(tmp_path):
    header = HEADER.replace(",RESERVE_NOTES", "")
    p = write(tmp_path, header + "\nMCS2025,Gallium,China,Primary,kilograms,1,2,,,,,\n")
    with pytest.raises(InputError) as e:
        read_world_production(p)
    assert e.value.row == 1 and e.value.field == "RESERVE_NOTES" and e.value.path == str(p)


def test_bad_number_names_row_and_field(tmp_path):
    p = write(
        tmp_path,
        "\ufeff"
        + HEADER
        + "\nMCS2025,Gallium,China,Primary,kilograms,1,2,,,,,,\n"
        + "MCS2025,Gallium,Japan,Primary,kilograms,3,4x,,,,,,\n",
    )
    with pytest.raises(InputError) as e:
        read_world_production(p)
    assert e.value.row == 3 and e.value.field == "PROD_EST_ 2024"
    assert "4x" in str(e.value) and str(p) in str(e.value)


def test_small_file_markers_in_value_cells(tmp_path):
    p = write(
        tmp_path,
        HEADER
        + '\nMCS2025,Gallium ,China ,Primary,kilograms,"1,000",W,,,,,>75,\n'
        + "MCS2025,Gallium ,Other countries,Primary,kilograms,NA,10E,,,,,XX,\n",
    )
    df, _ = read_world_production(p)
    c = df[df["country"] == "China"].set_index(["measure", "year"])
    assert c.loc[("production", 2023), "value"] == 1000
    assert c.loc[("production", 2024), "marker"] == "W"
    assert c.loc[("reserves", 2024), "value"] == 75 and c.loc[("reserves", 2024), "marker"] == ">"
    o = df[df["row_kind"] == "other"].set_index(["measure", "year"])
    assert o.loc[("production", 2023), "marker"] == "NA"
    assert (
        o.loc[("production", 2024), "value"] == 10 and o.loc[("production", 2024), "marker"] == "E"
    )
    assert o.loc[("reserves", 2024), "marker"] == "XX"


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_world_production(tmp_path / "nope.csv")


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["", ">", "<"]))
def test_parse_value_formatted_numbers(n, prefix):
    value, marker = _parse_value(f"{prefix}{n:,}")
    assert value == n and marker == prefix
