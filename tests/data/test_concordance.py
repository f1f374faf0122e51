"""Commodity <-> HS concordance: bundled coverage, validation errors, trade aggregation."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from fukugan.data.bundled import bundled_path
from fukugan.data.concordance import (
    COLUMNS,
    codes_for,
    commodity_trade,
    commodity_trade_all,
    read_concordance,
    tonnes_factor,
)
from fukugan.data.lists import read_official_lists
from fukugan.errors import InputError

HEADER = "commodity_id,hs_code,stage,shared,note\n"


@pytest.fixture(scope="module")
def conc() -> pd.DataFrame:
    df, prov = read_concordance()
    assert prov.dataset == "commodity_hs" and "indicative" in prov.source
    return df


def write(tmp_path, body: str, header: str = HEADER):
    p = tmp_path / "commodity_hs.csv"
    p.write_text(header + body, encoding="utf-8")
    return p


# -- the bundled concordance ---------------------------------------------------------------------


def test_columns_and_coverage(conc):
    assert list(conc.columns) == COLUMNS
    assert conc["commodity_id"].nunique() >= 45
    assert conc["hs_code"].str.fullmatch(r"\d{4}|\d{6}").all()
    assert set(conc["stage"]) <= {"ore", "refined", "metal", "compound"}
    assert conc["shared"].dtype == bool


def test_every_eu_and_us_listed_commodity_has_codes(conc):
    lists, _ = read_official_lists(bundled_path("lists"))
    listed = set(
        lists.loc[
            lists["list_id"].isin(
                ["eu_crma_2024_strategic", "eu_crma_2024_critical", "us_critical_minerals_2022"]
            ),
            "commodity_id",
        ].dropna()
    )
    assert len(listed) >= 35
    assert listed <= set(conc["commodity_id"])


@pytest.mark.parametrize(
    "cid,codes",
    [
        ("cobalt", {"2605", "810520", "282200", "810510"}),  # 810510: HS 1992
        ("lithium", {"283691", "282520", "253090"}),
        ("graphite", {"2504"}),
        ("rare-earths", {"280530", "2846", "253090"}),
        ("nickel", {"2604", "7501", "7502"}),
        ("manganese", {"2602", "720211", "720219", "720230", "8111"}),
        ("tungsten", {"2611", "810194", "284180", "810110"}),
        ("gallium", {"811292"}),
    ],
)
def test_known_codes(conc, cid, codes):
    assert set(codes_for(conc, cid)["hs_code"]) == codes


def test_shared_codes_are_flagged_wherever_they_appear(conc):
    owners = conc.groupby("hs_code")["commodity_id"].apply(set)
    multi = owners[owners.map(len) > 1]
    assert set(multi.index) == {"811292", "261590", "253090"}
    assert multi["811292"] == {"gallium", "germanium", "indium", "niobium", "vanadium", "rhenium"}
    assert conc.loc[conc["hs_code"].isin(multi.index), "shared"].all()
    # shared although listed once: they cover materials without their own row
    for code in ("282560", "280450", "280429", "281129", "261790"):
        assert conc.loc[conc["hs_code"] == code, "shared"].all(), code
    # cobalt, lithium, graphite, nickel: no shared code among the main forms
    assert not conc.loc[
        conc["hs_code"].isin(["2605", "810520", "283691", "2504", "7502"]), "shared"
    ].any()


def test_tonnes_factor():
    assert tonnes_factor("metric tons") == 1.0
    assert tonnes_factor("Thousand  metric tons") == 1000.0
    assert tonnes_factor("kilograms") == 0.001
    assert tonnes_factor("million cubic meters") is None


# -- validation ----------------------------------------------------------------------------------


IDS = {"cobalt", "gallium", "germanium", "lithium"}


def test_comments_dots_and_case(tmp_path):
    p = write(tmp_path, "# a comment\nCobalt, 26.05 ,ore,NO,ores\ngallium,8112.92,metal,yes,\n")
    df, _ = read_concordance(p, commodity_ids=IDS)
    assert df["hs_code"].tolist() == ["2605", "811292"]
    assert df["commodity_id"].tolist() == ["cobalt", "gallium"]
    assert df["shared"].tolist() == [False, True]


@pytest.mark.parametrize(
    "body,row,field,needle",
    [
        ("cobalt,2605,ore,no,\ncobalts,810520,metal,no,\n", 3, "commodity_id", "cobalt"),
        ("cobalt,2605,ore,no,\n,810520,metal,no,\n", 3, "commodity_id", "empty"),
        ("cobalt,26x5,ore,no,\n", 2, "hs_code", "26x5"),
        ("cobalt,26051,ore,no,\n", 2, "hs_code", "not 4 or 6 digits"),
        ("cobalt,2605,oar,no,\n", 2, "stage", "oar"),
        ("cobalt,2605,ore,maybe,\n", 2, "shared", "maybe"),
        ("cobalt,2605,ore,no,\ncobalt,26.05,ore,no,\n", 3, "hs_code", "duplicate"),
        ("gallium,811292,metal,yes,\ngermanium,811292,metal,no,\n", 3, "shared", "gallium"),
    ],
)
def test_bad_rows_name_row_and_field(tmp_path, body, row, field, needle):
    p = write(tmp_path, body)
    with pytest.raises(InputError) as e:
        read_concordance(p, commodity_ids=IDS)
    assert e.value.row == row and e.value.field == field
    assert needle in str(e.value) and str(p) in str(e.value)


def test_unknown_id_against_the_bundled_usgs_data(tmp_path):
    p = write(tmp_path, "unobtainium,2605,ore,no,\n")
    with pytest.raises(InputError) as e:
        read_concordance(p)
    assert e.value.row == 2 and e.value.field == "commodity_id"
    assert "unknown USGS commodity id 'unobtainium'" in str(e.value)


def test_missing_column_and_file(tmp_path):
    p = write(tmp_path, "cobalt,2605,ore\n", header="commodity_id,hs_code,stage\n")
    with pytest.raises(InputError) as e:
        read_concordance(p, commodity_ids=IDS)
    assert e.value.row == 1 and e.value.field == "shared"
    with pytest.raises(InputError, match="file not found"):
        read_concordance(tmp_path / "nope.csv", commodity_ids=IDS)


# -- aggregation of the home country's trade ----------------------------------------------------


def trade_frame(rows, year=2022):
    df = pd.DataFrame(rows, columns=["exporter", "importer", "hs6", "value_usd", "quantity_t"])
    df.insert(0, "year", year)
    return df


def test_imports_by_partner_and_exports(conc):
    t = trade_frame(
        [
            ("COD", "JPN", "260500", 600.0, 30.0),
            ("AUS", "JPN", "260500", 400.0, 20.0),
            ("COD", "JPN", "810520", 100.0, 2.0),
            ("JPN", "KOR", "810520", 50.0, 1.0),
            ("JPN", "JPN", "260500", 999.0, 9.0),  # self-trade: ignored
            ("COD", "CHN", "260500", 5000.0, 90.0),  # not home's
            ("COD", "JPN", "850511", 77.0, 1.0),  # not cobalt
        ]
    )
    ct = commodity_trade(t, conc, "cobalt", "JPN")
    assert ct.imports_usd.to_dict() == {"AUS": 400.0, "COD": 700.0}
    assert ct.imports_t.to_dict() == {"AUS": 20.0, "COD": 32.0}
    assert ct.exports_usd == 50.0 and ct.exports_t == 1.0
    assert ct.quantity_complete and ct.year == 2022
    assert ct.codes == ("2605", "810520", "282200", "810510") and ct.shared_used == ()
    assert ct.hs6 == ("260500", "810520")
    assert commodity_trade(t, conc, "gold-nope", "JPN") is None


def test_missing_quantity_drops_the_quantity_basis(conc):
    t = trade_frame(
        [("COD", "JPN", "260500", 600.0, math.nan), ("AUS", "JPN", "260500", 400.0, 20.0)]
    )
    ct = commodity_trade(t, conc, "cobalt", "JPN")
    assert not ct.quantity_complete and ct.imports_t is None and ct.exports_t is None
    assert ct.imports_usd.sum() == 1000.0


def test_shared_codes_skipped_when_unshared_codes_carry_trade(conc):
    t = trade_frame([("BRA", "JPN", "720293", 800.0, 40.0), ("CHN", "JPN", "811292", 300.0, 1.0)])
    nb = commodity_trade(t, conc, "niobium", "JPN")
    assert nb.imports_usd.to_dict() == {"BRA": 800.0}
    assert set(nb.skipped_shared) == {"261590", "811292"} and nb.shared_used == ()
    assert "shared HS codes skipped" in nb.notes[0]


def test_only_shared_codes_are_used_and_flagged(conc):
    t = trade_frame([("CHN", "JPN", "811292", 300.0, 1.0), ("KOR", "JPN", "811292", 100.0, 1.0)])
    flows = commodity_trade_all(t, conc, "JPN")
    ga = flows["gallium"]
    assert ga.imports_usd.to_dict() == {"CHN": 300.0, "KOR": 100.0}
    assert ga.shared_used == ("811292",) and "upper bound" in ga.notes[0]
    # niobium has no unshared trade here, so the shared code counts for it too (flagged)
    assert flows["niobium"].shared_used == ("811292",)
    assert not flows["cobalt"].has_imports


def test_year_choice(conc):
    t = pd.concat(
        [
            trade_frame([("COD", "JPN", "260500", 1.0, 1.0)], year=2021),
            trade_frame([("AUS", "JPN", "260500", 2.0, 1.0)], year=2022),
        ]
    )
    assert commodity_trade(t, conc, "cobalt", "JPN").imports_usd.index.tolist() == ["AUS"]
    ct = commodity_trade(t, conc, "cobalt", "JPN", year=2021)
    assert ct.year == 2021 and ct.imports_usd.index.tolist() == ["COD"]
    # a year without trade falls back to the latest
    assert commodity_trade(t, conc, "cobalt", "JPN", year=2024).year == 2022
