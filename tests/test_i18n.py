"""English and Japanese labels stay in step."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import fukugan.i18n as i18n

HERE = Path(i18n.__file__).parent


def test_en_and_ja_have_the_same_keys_and_no_empty_text():
    en_files = [p.relative_to(HERE / "en") for p in i18n.label_files("en")[1:]]
    ja_files = [p.relative_to(HERE / "ja") for p in i18n.label_files("ja")[1:]]
    assert en_files == ja_files
    for en_path, ja_path in zip(i18n.label_files("en"), i18n.label_files("ja"), strict=True):
        en = json.loads(en_path.read_text("utf-8"))
        ja = json.loads(ja_path.read_text("utf-8"))
        assert set(en) == set(ja), en_path.name
        assert all(v.strip() for v in [*en.values(), *ja.values()]), en_path.name
    assert i18n._labels("en").keys() == i18n._labels("ja").keys()


def test_every_bundled_commodity_has_a_japanese_name():
    from fukugan.data import usgs
    from fukugan.data.bundled import bundled_path

    frame, _ = usgs.read_world_production(
        bundled_path("usgs-mcs-2025", "world", "MCS2025_World_Data.csv")
    )
    with open(HERE / "commodities_ja.csv", encoding="utf-8", newline="") as fh:
        ja = {r["commodity_id"]: r["name_ja"] for r in csv.DictReader(fh)}
    assert set(usgs.commodities(frame)["commodity_id"]) == set(ja)
