"""User-facing labels in English and Japanese.

Labels live in ``en.json`` and ``ja.json`` beside this file, and in one file per capability
under ``en/`` and ``ja/`` (``en/planning.json`` beside ``ja/planning.json``), all with the same
keys; a key defined in two files is an error. Unknown keys fall back to English, then to the key
itself, so a missing translation never breaks an output.

>>> t("top1-share", "ja")
'最大国シェア'
>>> t("no-such-key", "ja")
'no-such-key'
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

LANGS = ("en", "ja")


def label_files(lang: str) -> list[Path]:
    """Every label file of ``lang``: ``{lang}.json`` first, then ``{lang}/*.json`` by name."""
    here = Path(__file__).parent
    return [here / f"{lang}.json", *sorted((here / lang).glob("*.json"))]


@lru_cache(maxsize=2)
def _labels(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in label_files(lang):
        part = json.loads(path.read_text(encoding="utf-8"))
        twice = sorted(set(part) & set(merged))
        if twice:
            raise RuntimeError(f"{path.name}: label keys defined twice: {', '.join(twice)}")
        merged.update(part)
    return merged


@lru_cache(maxsize=1)
def _commodities_ja() -> dict[str, str]:
    import csv

    with open(Path(__file__).parent / "commodities_ja.csv", encoding="utf-8", newline="") as fh:
        return {r["commodity_id"]: r["name_ja"] for r in csv.DictReader(fh)}


def commodity_name(commodity_id: str, name_en: str, lang: str = "en") -> str:
    """A commodity's display name: the USGS English name, or its Japanese name for ``ja``.

    >>> commodity_name("gallium", "Gallium", "ja")
    'ガリウム'
    >>> commodity_name("unobtainium", "Unobtainium", "ja")
    'Unobtainium'
    """
    if lang == "ja":
        return _commodities_ja().get(commodity_id, name_en)
    return name_en


def t(key: str, lang: str = "en", **fmt: object) -> str:
    """The label for ``key`` in ``lang`` (``en`` or ``ja``), formatted with ``fmt``."""
    text = _labels(lang if lang in LANGS else "en").get(key) or _labels("en").get(key) or key
    return text.format(**fmt) if fmt else text


def unit_name(unit: str, lang: str = "en") -> str:
    """A unit as ``lang`` writes it (``units.json``; a unit not listed stays as given).

    >>> unit_name("current million USD per day", "ja"), unit_name("million USD", "en")
    ('百万米ドル（名目）/日', 'million USD')
    """
    base, per_day = (unit[: -len(" per day")], True) if unit.endswith(" per day") else (unit, False)
    name = t(f"unit:{base}", lang) if f"unit:{base}" in _labels("en") else base
    return t("unit-per-day", lang, unit=name) if per_day else name


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, str]]:
    import csv

    path = Path(__file__).parent / "countries_ja.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    return {r["iso3"]: (r["name_en"], r["name_ja"]) for r in csv.DictReader(lines)}


def country_name(iso3: str, lang: str = "en") -> str:
    """A country's name in English or Japanese (Unicode CLDR), ``""`` for unknown codes.

    >>> country_name("CHN", "ja"), country_name("KOR"), country_name("XXX")
    ('中国', 'South Korea', '')
    """
    en, ja = _countries().get(str(iso3), ("", ""))
    return ja if lang == "ja" else en
