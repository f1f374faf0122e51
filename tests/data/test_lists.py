"""Official lists: known answers from the bundled files, mapping tables, tags, bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from fukugan.data.bundled import USGS_T4_CSV, USGS_WORLD_CSV, bundled_path
from fukugan.data.lists import (
    COLUMNS,
    EU_TO_USGS,
    US_TO_USGS,
    items_for_hs,
    read_official_lists,
    tags_for_commodity,
    tags_for_hs,
)
from fukugan.data.usgs import read_world_production
from fukugan.errors import InputError


@pytest.fixture(scope="module")
def lists() -> pd.DataFrame:
    df, prov = read_official_lists(bundled_path("lists"))
    assert prov.dataset == "official_lists"
    return df


@pytest.fixture(scope="module")
def usgs_ids() -> set[str]:
    df, _ = read_world_production(bundled_path(*USGS_WORLD_CSV))
    return set(df["commodity_id"])


def n_items(lists, list_id):
    return lists.loc[lists["list_id"] == list_id, "item"].nunique()


def test_columns_and_counts(lists):
    assert list(lists.columns) == COLUMNS
    assert n_items(lists, "jp_specified_critical_materials") == 12
    assert n_items(lists, "eu_crma_2024_strategic") == 17
    assert n_items(lists, "eu_crma_2024_critical") == 35  # the file's 34 + REE for magnets
    assert n_items(lists, "us_critical_minerals_2022") == 50
    assert set(lists["tag"]) == {"JP-SCM", "EU-SRM", "EU-CRM", "US-CM"}
    assert set(lists["tag_ja"]) >= {"特定重要物資"}
    # entries are cleaned ("Ytterbium " in the USGS table)
    assert "Ytterbium" in set(lists["item"]) and all(i == i.strip() for i in lists["item"])


def test_japan_list(lists):
    all_jp = lists[lists["list_id"] == "jp_specified_critical_materials"]
    # one row per entry with its HS codes (no commodity by name) ...
    jp = all_jp[all_jp["commodity_id"].isna()].set_index("item_key")
    assert len(jp) == 12
    assert jp.loc["semiconductors", "item_ja"] == "半導体"
    assert jp.loc["semiconductors", "hs_codes"] == "8541;8542;8486"
    assert jp.loc["advanced_electronic_components", "designated"] == "2024-02"
    assert jp.loc["cloud_programs", "hs_codes"] == ""
    assert "ministerial ordinance" in jp.loc["critical_minerals", "note"]
    # ... plus rows derived from the indicative HS codes through the concordance
    derived = all_jp[all_jp["commodity_id"].notna()]
    assert (derived["hs_codes"] == "").all()
    assert derived["note"].str.contains("derived from the entry's indicative HS codes").all()
    by_entry = derived.groupby("item_key")["commodity_id"].apply(set).to_dict()
    assert by_entry == {
        "critical_minerals": {
            "cobalt", "gallium", "germanium", "graphite", "indium", "lithium", "manganese",
            "nickel", "niobium", "rare-earths", "rhenium", "vanadium",
        },
        "fertilizers": {"potash"},
    }  # fmt: skip
    ga = derived[derived["commodity_id"] == "gallium"].iloc[0]
    assert "811292" in ga["note"] and "only through shared codes" in ga["note"]
    co = derived[derived["commodity_id"] == "cobalt"].iloc[0]
    assert "2605, 810520" in co["note"] and "shared" not in co["note"]


def test_jp_tags_follow_the_concordance(tmp_path):
    from fukugan.data.concordance import read_concordance

    csv = tmp_path / "c.csv"
    csv.write_text("commodity_id,hs_code,stage,shared,note\nchromium,2610,ore,no,\n")
    conc, _ = read_concordance(csv)
    df, _ = read_official_lists(bundled_path("lists"), concordance=conc)
    assert tags_for_commodity(df, "chromium") == ["US-CM"]  # 2610 is not in the JP codes
    assert tags_for_commodity(df, "cobalt") == ["EU-SRM", "EU-CRM", "US-CM"]
    jp = df[df["list_id"] == "jp_specified_critical_materials"]
    jp_file = make_dir(tmp_path, jp="id,name_ja,name_en,indicative_hs_codes,designated\n"
                       "chrome,クロム,Chromium,2610,2022-12\n")  # fmt: skip
    df2, _ = read_official_lists(jp_file, concordance=conc)
    assert tags_for_commodity(df2, "chromium") == ["JP-SCM", "US-CM"]
    assert jp["commodity_id"].notna().sum() == 0


def test_every_bundled_entry_is_in_the_mapping_tables(lists):
    eu = set(lists.loc[lists["list_id"].str.startswith("eu_"), "item"])
    us = set(lists.loc[lists["list_id"] == "us_critical_minerals_2022", "item"])
    assert eu == set(EU_TO_USGS)
    assert us == set(US_TO_USGS)
    assert not lists["note"].str.contains("no mapping").any()


def test_mapping_ids_exist_in_usgs(usgs_ids):
    for table in (EU_TO_USGS, US_TO_USGS):
        for item, ids in table.items():
            assert set(ids) <= usgs_ids, item


@pytest.mark.parametrize(
    "table,item,ids",
    [
        (EU_TO_USGS, "Natural graphite", ("graphite",)),
        (EU_TO_USGS, "Platinum group metals", ("platinum-group-metals",)),
        (EU_TO_USGS, "Bauxite/Alumina/Aluminium", ("bauxite", "aluminum")),
        (EU_TO_USGS, "Heavy rare earth elements", ("rare-earths",)),
        (EU_TO_USGS, "Light rare earth elements", ("rare-earths",)),
        (EU_TO_USGS, "Silicon metal", ("silicon",)),
        (EU_TO_USGS, "Baryte", ("barite",)),
        (EU_TO_USGS, "Coking coal", ()),
        (US_TO_USGS, "Neodymium", ("rare-earths",)),
        (US_TO_USGS, "Palladium", ("platinum-group-metals",)),
        (US_TO_USGS, "Hafnium", ("zirconium-and-hafnium",)),
        (US_TO_USGS, "Cesium", ()),
    ],
)
def test_mapping_table(table, item, ids):
    assert table[item] == ids


def test_bauxite_entry_gives_two_rows(lists):
    b = lists[
        (lists["list_id"] == "eu_crma_2024_strategic") & (lists["item"].str.startswith("Bauxite"))
    ]
    assert sorted(b["commodity_id"]) == ["aluminum", "bauxite"]


@pytest.mark.parametrize(
    "cid,tags",
    [
        ("gallium", ["JP-SCM", "EU-SRM", "EU-CRM", "US-CM"]),
        ("rare-earths", ["JP-SCM", "EU-SRM", "EU-CRM", "US-CM"]),
        ("graphite", ["JP-SCM", "EU-SRM", "EU-CRM", "US-CM"]),
        ("cobalt", ["JP-SCM", "EU-SRM", "EU-CRM", "US-CM"]),
        ("lithium", ["JP-SCM", "EU-SRM", "EU-CRM", "US-CM"]),
        ("potash", ["JP-SCM"]),
        ("bauxite", ["EU-SRM", "EU-CRM", "US-CM"]),
        ("tungsten", ["EU-SRM", "EU-CRM", "US-CM"]),
        ("phosphate-rock", ["EU-CRM"]),
        ("chromium", ["US-CM"]),
        ("gold", []),
    ],
)
def test_tags_for_commodity(lists, cid, tags):
    assert tags_for_commodity(lists, cid) == tags


def test_tag_languages(lists):
    assert tags_for_commodity(lists, "gallium", lang="ja") == [
        "特定重要物資",
        "EU戦略的原材料",
        "EU重要原材料",
        "米国重要鉱物",
    ]
    assert tags_for_commodity(lists, "chromium", lang="both") == ["US-CM 米国重要鉱物"]
    with pytest.raises(ValueError):
        tags_for_commodity(lists, "gallium", lang="fr")


@pytest.mark.parametrize(
    "hs,tags",
    [
        ("850511", ["JP-SCM"]),  # HS6 in the list
        ("850519", []),  # same HS4, other HS6: not covered
        ("854231", ["JP-SCM"]),  # HS4 8542 covers every 8542xx
        ("2504.10", ["JP-SCM"]),  # natural graphite, dots ignored
        ("281121", []),
        ("8507600000", ["JP-SCM"]),  # national tariff line under a listed HS6
    ],
)
def test_tags_for_hs(lists, hs, tags):
    assert tags_for_hs(lists, hs) == tags


def test_items_for_hs(lists):
    it = items_for_hs(lists, "283691")
    assert it["item_key"].tolist() == ["critical_minerals"]


def test_tags_for_hs_bad_code(lists):
    with pytest.raises(InputError):
        tags_for_hs(lists, "85a7")


# -- bad input ---------------------------------------------------------------------------------


def make_dir(tmp_path, jp: str | None = None, eu: str | None = None):
    d = tmp_path / "lists"
    d.mkdir()
    src = bundled_path("lists")
    (d / "japan_specified_critical_materials.csv").write_text(
        jp
        if jp is not None
        else (src / "japan_specified_critical_materials.csv").read_text("utf-8"),
        encoding="utf-8",
    )
    (d / "eu_crma_2024_annex.csv").write_text(
        eu if eu is not None else (src / "eu_crma_2024_annex.csv").read_text("utf-8"),
        encoding="utf-8",
    )
    return d


def test_missing_column(tmp_path):
    d = make_dir(tmp_path, eu="material,strategic\nCobalt,yes\n")
    with pytest.raises(InputError) as e:
        read_official_lists(d)
    assert e.value.row == 1 and e.value.field == "critical"


def test_bad_yes_no(tmp_path):
    d = make_dir(tmp_path, eu="material,strategic,critical\nCobalt,yes,yes\nTin,maybe,no\n")
    with pytest.raises(InputError) as e:
        read_official_lists(d)
    assert e.value.row == 3 and e.value.field == "strategic" and "maybe" in str(e.value)


def test_bad_hs_code(tmp_path):
    d = make_dir(
        tmp_path,
        jp="id,name_ja,name_en,indicative_hs_codes,designated\nx,エックス,X,85x1;8542,2022-12\n",
    )
    with pytest.raises(InputError) as e:
        read_official_lists(d)
    assert e.value.row == 2 and e.value.field == "indicative_hs_codes"


def test_unmapped_entry_and_us_list_in_directory(tmp_path):
    d = make_dir(tmp_path, eu="material,strategic,critical\nUnobtainium,no,yes\n")
    (d / "MCS2099_T4_x.csv").write_text(
        "Source,Critical Mineral,Primary Applications,Category_Note\nMCS,Tin,Solder.,\n", "utf-8"
    )
    df, _ = read_official_lists(d)
    u = df[df["item"] == "Unobtainium"].iloc[0]
    assert u["commodity_id"] is None and "no mapping" in u["note"]
    us = df[df["list_id"] == "us_critical_minerals_2022"]
    assert us["item"].tolist() == ["Tin"] and us["commodity_id"].tolist() == ["tin"]


def test_default_us_list_is_bundled_table4(lists):
    assert bundled_path(*USGS_T4_CSV).is_file()
    assert "Included in the Rare Earths chapter." in set(
        lists.loc[lists["item"] == "Neodymium", "note"]
    )
