"""Official lists of critical materials, as tags on commodities and HS products.

Four lists, one ``list_id`` each:

============================== ========= ================ =================================
list_id                        tag       tag_ja           source
============================== ========= ================ =================================
jp_specified_critical_materials JP-SCM   特定重要物資     Japan, Economic Security Promotion
                                                          Act (経済安全保障推進法), Cabinet
                                                          Order of Dec 2022 (11 materials),
                                                          advanced electronic components
                                                          added Feb 2024
eu_crma_2024_strategic         EU-SRM    EU戦略的原材料   Regulation (EU) 2024/1252 (Critical
                                                          Raw Materials Act), Annex I (17)
eu_crma_2024_critical          EU-CRM    EU重要原材料     same, Annex II (34 in the Act)
us_critical_minerals_2022      US-CM     米国重要鉱物     U.S. 2022 list of critical minerals
                                                          (USGS MCS 2025, Table 4; 50 minerals)
============================== ========= ================ =================================

Files: ``lists/japan_specified_critical_materials.csv`` (id, name_ja, name_en,
indicative_hs_codes, designated), ``lists/eu_crma_2024_annex.csv`` (material, strategic,
critical: yes/no) and ``usgs-mcs-2025/industry_trends/MCS2025_T4_Critical_Minerals_End_Use.csv``
(Source, Critical Mineral, Primary Applications, Category_Note). The HS codes of the Japanese list
are the project's **indicative** mapping for trade analysis, not part of the designation.

Mapping to USGS commodities (``commodity_id`` of :mod:`fukugan.data.usgs`): the explicit tables
``EU_TO_USGS`` and ``US_TO_USGS`` below (tested: every entry of the bundled lists is in them, and
every id exists in the USGS frame). An entry that maps to several USGS commodities gives one row
per commodity (EU "Bauxite/Alumina/Aluminium" → ``bauxite`` and ``aluminum``; U.S. "Aluminum" →
``aluminum`` and ``bauxite``, its ore; U.S. "Titanium" → ``titanium-mineral-concentrates`` and
``titanium-and-titanium-dioxide``). All rare-earth entries (EU heavy / light REE and REE for
magnets; U.S. cerium … ytterbium and yttrium) → ``rare-earths`` (USGS reports rare-earth-oxide
output including yttrium). PGM entries (EU platinum group metals; U.S. iridium, palladium,
platinum, rhodium, ruthenium) → ``platinum-group-metals``. Hafnium and zirconium →
``zirconium-and-hafnium``; "Magnesium" → ``magnesium-metal``; "Natural graphite" / "Graphite" →
``graphite``; "Silicon metal" → ``silicon``; "Titanium metal" → ``titanium-and-titanium-dioxide``.
No USGS world table: coking coal, phosphorus, scandium, cesium, rubidium → ``None``.

Japan's list names product groups, not minerals. Its ``critical_minerals`` (重要鉱物) entry covers
metallic minerals designated by ministerial ordinance, which the list file does not enumerate, so
no entry of the Japanese list maps to a USGS commodity by name: each entry has one row with
``commodity_id`` None and its HS codes, which tag trade flows (:func:`tags_for_hs`). To tag
commodities as well, the entries' **indicative HS codes** are matched against fukugan's
commodity ↔ HS concordance (:mod:`fukugan.data.concordance`): a USGS commodity gets a derived
row (``commodity_id`` set, ``hs_codes`` empty, the matched codes in ``note``) when one of its
concordance codes lies under one of the entry's codes (prefix match: the entry's ``2605``
covers ``2605``, its ``8105`` covers ``810520``). With the bundled files the ``critical_minerals``
entry tags graphite (2504), manganese (2602), cobalt (2605, 8105.20), rare earths (2805.30,
2846), nickel (7502), lithium (2836.91, 2825.20) and, through the shared code 8112.92 (noted in
the row), gallium, germanium, indium, niobium, vanadium and rhenium (HS 2017 position); the
``fertilizers`` entry (3104) tags potash (3104.20). These tags are *derived from indicative
HS codes*, not a designation by name: chromium, tungsten or PGMs, designated by the ordinance
but without a code in the list file, get no JP-SCM tag.

The EU file marks "Rare earth elements for magnets" (Annex I) as critical as well; Annex II of the
Act lists its elements as heavy and light rare earth elements instead. The loader keeps the file's
marking (noted in ``note``), so the EU-CRM tag has 35 entries here for the Act's 34.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from fukugan.data.bundled import USGS_T4_CSV, bundled_path
from fukugan.errors import InputError
from fukugan.provenance import Provenance

__all__ = [
    "COLUMNS",
    "EU_TO_USGS",
    "ITEM_JA",
    "LISTS",
    "PROVENANCE",
    "US_TO_USGS",
    "items_for_hs",
    "jp_commodities",
    "read_official_lists",
    "tags_for_commodity",
    "tags_for_hs",
]

COLUMNS = [
    "list_id",
    "list_name_en",
    "list_name_ja",
    "tag",
    "tag_ja",
    "item",
    "item_ja",
    "item_key",
    "commodity_id",
    "hs_codes",
    "designated",
    "note",
]

#: list_id -> (list_name_en, list_name_ja, tag, tag_ja, designated)
LISTS: dict[str, tuple[str, str, str, str, str]] = {
    "jp_specified_critical_materials": (
        "Japan: specified critical materials (Economic Security Promotion Act)",
        "特定重要物資（経済安全保障推進法）",
        "JP-SCM",
        "特定重要物資",
        "",  # per item, from the file
    ),
    "eu_crma_2024_strategic": (
        "EU Critical Raw Materials Act, Annex I: strategic raw materials",
        "EU重要原材料法 附属書I：戦略的原材料",
        "EU-SRM",
        "EU戦略的原材料",
        "2024-04-11 (Regulation (EU) 2024/1252)",
    ),
    "eu_crma_2024_critical": (
        "EU Critical Raw Materials Act, Annex II: critical raw materials",
        "EU重要原材料法 附属書II：重要原材料",
        "EU-CRM",
        "EU重要原材料",
        "2024-04-11 (Regulation (EU) 2024/1252)",
    ),
    "us_critical_minerals_2022": (
        "U.S. 2022 list of critical minerals",
        "米国 重要鉱物リスト（2022年）",
        "US-CM",
        "米国重要鉱物",
        "2022-02-24 (87 FR 10381)",
    ),
}

#: EU CRMA 2024 material (as the file names it) -> USGS commodity ids (empty: no USGS table).
EU_TO_USGS: dict[str, tuple[str, ...]] = {
    "Antimony": ("antimony",),
    "Arsenic": ("arsenic",),
    "Bauxite/Alumina/Aluminium": ("bauxite", "aluminum"),
    "Baryte": ("barite",),
    "Beryllium": ("beryllium",),
    "Bismuth": ("bismuth",),
    "Boron": ("boron",),
    "Cobalt": ("cobalt",),
    "Coking coal": (),
    "Copper": ("copper",),
    "Feldspar": ("feldspar",),
    "Fluorspar": ("fluorspar",),
    "Gallium": ("gallium",),
    "Germanium": ("germanium",),
    "Hafnium": ("zirconium-and-hafnium",),
    "Helium": ("helium",),
    "Heavy rare earth elements": ("rare-earths",),
    "Light rare earth elements": ("rare-earths",),
    "Rare earth elements for magnets (Nd Pr Tb Dy Gd Sm Ce)": ("rare-earths",),
    "Lithium": ("lithium",),
    "Magnesium": ("magnesium-metal",),
    "Manganese": ("manganese",),
    "Natural graphite": ("graphite",),
    "Nickel": ("nickel",),
    "Niobium": ("niobium",),
    "Phosphate rock": ("phosphate-rock",),
    "Phosphorus": (),
    "Platinum group metals": ("platinum-group-metals",),
    "Scandium": (),
    "Silicon metal": ("silicon",),
    "Strontium": ("strontium",),
    "Tantalum": ("tantalum",),
    "Titanium metal": ("titanium-and-titanium-dioxide",),
    "Tungsten": ("tungsten",),
    "Vanadium": ("vanadium",),
}

_REE = ("rare-earths",)
_PGM = ("platinum-group-metals",)

#: U.S. 2022 critical mineral (as USGS Table 4 names it) -> USGS commodity ids.
US_TO_USGS: dict[str, tuple[str, ...]] = {
    "Aluminum": ("aluminum", "bauxite"),
    "Antimony": ("antimony",),
    "Arsenic": ("arsenic",),
    "Barite": ("barite",),
    "Beryllium": ("beryllium",),
    "Bismuth": ("bismuth",),
    "Cerium": _REE,
    "Cesium": (),
    "Chromium": ("chromium",),
    "Cobalt": ("cobalt",),
    "Dysprosium": _REE,
    "Erbium": _REE,
    "Europium": _REE,
    "Fluorspar": ("fluorspar",),
    "Gadolinium": _REE,
    "Gallium": ("gallium",),
    "Germanium": ("germanium",),
    "Graphite": ("graphite",),
    "Hafnium": ("zirconium-and-hafnium",),
    "Holmium": _REE,
    "Indium": ("indium",),
    "Iridium": _PGM,
    "Lanthanum": _REE,
    "Lithium": ("lithium",),
    "Lutetium": _REE,
    "Magnesium": ("magnesium-metal",),
    "Manganese": ("manganese",),
    "Neodymium": _REE,
    "Nickel": ("nickel",),
    "Niobium": ("niobium",),
    "Palladium": _PGM,
    "Platinum": _PGM,
    "Praseodymium": _REE,
    "Rhodium": _PGM,
    "Rubidium": (),
    "Ruthenium": _PGM,
    "Samarium": _REE,
    "Scandium": (),
    "Tantalum": ("tantalum",),
    "Tellurium": ("tellurium",),
    "Terbium": _REE,
    "Thulium": _REE,
    "Tin": ("tin",),
    "Titanium": ("titanium-mineral-concentrates", "titanium-and-titanium-dioxide"),
    "Tungsten": ("tungsten",),
    "Vanadium": ("vanadium",),
    "Ytterbium": _REE,
    "Yttrium": _REE,
    "Zinc": ("zinc",),
    "Zirconium": ("zirconium-and-hafnium",),
}

#: Japanese names of the EU and U.S. entries.
ITEM_JA: dict[str, str] = {
    "Aluminum": "アルミニウム",
    "Antimony": "アンチモン",
    "Arsenic": "ヒ素",
    "Barite": "重晶石（バライト）",
    "Baryte": "重晶石（バライト）",
    "Bauxite/Alumina/Aluminium": "ボーキサイト／アルミナ／アルミニウム",
    "Beryllium": "ベリリウム",
    "Bismuth": "ビスマス",
    "Boron": "ホウ素",
    "Cerium": "セリウム",
    "Cesium": "セシウム",
    "Chromium": "クロム",
    "Cobalt": "コバルト",
    "Coking coal": "原料炭",
    "Copper": "銅",
    "Dysprosium": "ジスプロシウム",
    "Erbium": "エルビウム",
    "Europium": "ユウロピウム",
    "Feldspar": "長石",
    "Fluorspar": "蛍石",
    "Gadolinium": "ガドリニウム",
    "Gallium": "ガリウム",
    "Germanium": "ゲルマニウム",
    "Graphite": "黒鉛",
    "Hafnium": "ハフニウム",
    "Heavy rare earth elements": "重希土類元素",
    "Helium": "ヘリウム",
    "Holmium": "ホルミウム",
    "Indium": "インジウム",
    "Iridium": "イリジウム",
    "Lanthanum": "ランタン",
    "Light rare earth elements": "軽希土類元素",
    "Lithium": "リチウム",
    "Lutetium": "ルテチウム",
    "Magnesium": "マグネシウム",
    "Manganese": "マンガン",
    "Natural graphite": "天然黒鉛",
    "Neodymium": "ネオジム",
    "Nickel": "ニッケル",
    "Niobium": "ニオブ",
    "Palladium": "パラジウム",
    "Phosphate rock": "リン鉱石",
    "Phosphorus": "リン",
    "Platinum": "白金",
    "Platinum group metals": "白金族金属",
    "Praseodymium": "プラセオジム",
    "Rare earth elements for magnets (Nd Pr Tb Dy Gd Sm Ce)": "磁石用希土類元素",
    "Rhodium": "ロジウム",
    "Rubidium": "ルビジウム",
    "Ruthenium": "ルテニウム",
    "Samarium": "サマリウム",
    "Scandium": "スカンジウム",
    "Silicon metal": "金属ケイ素",
    "Strontium": "ストロンチウム",
    "Tantalum": "タンタル",
    "Tellurium": "テルル",
    "Terbium": "テルビウム",
    "Thulium": "ツリウム",
    "Tin": "スズ",
    "Titanium": "チタン",
    "Titanium metal": "金属チタン",
    "Tungsten": "タングステン",
    "Vanadium": "バナジウム",
    "Ytterbium": "イッテルビウム",
    "Yttrium": "イットリウム",
    "Zinc": "亜鉛",
    "Zirconium": "ジルコニウム",
}

PROVENANCE = Provenance(
    dataset="official_lists",
    source=(
        "Japan, Cabinet Order under the Economic Security Promotion Act (specified critical "
        "materials, 2022, amended 2024); Regulation (EU) 2024/1252, Annexes I-II; U.S. 2022 "
        "list of critical minerals (USGS, Mineral Commodity Summaries 2025, Table 4). "
        "Curated from the legal texts by the fukugan project"
    ),
    year="2022-2024",
    unit="none (list membership)",
    licence=(
        "Japanese statutes and cabinet orders are not subject to copyright (Copyright Act, "
        "Art. 13); EU legal texts: reuse authorised (Decision 2011/833/EU); USGS: U.S. "
        "Government work, public domain. Indicative HS codes and mappings: fukugan project"
    ),
    url="https://eur-lex.europa.eu/eli/reg/2024/1252/oj; https://doi.org/10.5066/P13XCP3R",
    notes=(
        "HS codes of the Japanese list are an indicative mapping for trade analysis, not part "
        "of the designation. Mapping of list entries to USGS commodity ids: fukugan.data.lists."
    ),
)

_JP_FILE = "japan_specified_critical_materials.csv"
_EU_FILE = "eu_crma_2024_annex.csv"
_HS = re.compile(r"^\d{2,10}$")


def _strip(s: str | None) -> str:
    return " ".join(str(s or "").replace("\xa0", " ").split())


def _read_csv(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise InputError("file not found", path=path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [_strip(h) for h in (reader.fieldnames or [])]
            for need in required:
                if need not in header:
                    raise InputError(
                        f"missing required column {need!r}; found {', '.join(header)}",
                        path=path,
                        row=1,
                        field=need,
                    )
            reader.fieldnames = header
            out = []
            for rec in reader:
                if not any(_strip(v) for v in rec.values() if isinstance(v, str)):
                    continue
                out.append((reader.line_num, {k: _strip(v) for k, v in rec.items() if k}))
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text ({e.reason})", path=path) from None
    return out


def _row(list_id: str, item: str, **kw: str | None) -> dict[str, str | None]:
    name_en, name_ja, tag, tag_ja, designated = LISTS[list_id]
    r: dict[str, str | None] = {
        "list_id": list_id,
        "list_name_en": name_en,
        "list_name_ja": name_ja,
        "tag": tag,
        "tag_ja": tag_ja,
        "item": item,
        "item_ja": ITEM_JA.get(item, ""),
        "item_key": "",
        "commodity_id": None,
        "hs_codes": "",
        "designated": designated,
        "note": "",
    }
    r.update(kw)
    return r


def _mapped_rows(list_id: str, item: str, table: dict[str, tuple[str, ...]], note: str = ""):
    if item not in table:
        yield _row(list_id, item, note=_join(note, "no mapping to a USGS commodity in the table"))
        return
    ids = table[item]
    if not ids:
        yield _row(list_id, item, note=_join(note, "no USGS world production table"))
    for cid in ids:
        yield _row(list_id, item, commodity_id=cid, note=note)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def read_official_lists(
    directory: str | Path,
    us_list: str | Path | None = None,
    *,
    concordance: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, Provenance]:
    """Read the Japanese, EU and U.S. lists into one frame of tags (columns ``COLUMNS``).

    ``directory`` holds ``japan_specified_critical_materials.csv`` and ``eu_crma_2024_annex.csv``
    (the bundled ``lists/``). The U.S. list is ``us_list``, else a ``MCS*_T4_*.csv`` in
    ``directory``, else the bundled USGS Table 4. ``concordance``: the commodity ↔ HS
    concordance used to tag commodities with Japanese entries (default: the bundled one, see
    the module docstring).

    One row per (list, entry, USGS commodity): an entry mapped to two commodities gives two rows,
    an unmapped one a row with ``commodity_id`` None. ``hs_codes`` (``;``-joined, Japan only)
    are the project's indicative codes; ``designated`` is date text. Japanese entries have one
    row with their HS codes (``commodity_id`` None) plus one derived row per commodity whose
    concordance codes they cover (``hs_codes`` empty, matched codes in ``note``).

    Raises:
        InputError: missing file or column, empty entry, a yes/no field with another value, or a
            malformed HS code (names path, row, field).
    """
    directory = Path(directory)
    rows: list[dict[str, str | None]] = []

    jp_entries: list[tuple[dict[str, str], list[str]]] = []
    jp = directory / _JP_FILE
    for line, r in _read_csv(jp, ["id", "name_ja", "name_en", "indicative_hs_codes", "designated"]):
        if not r["id"] or not r["name_en"]:
            raise InputError(
                "empty entry", path=jp, row=line, field="id" if not r["id"] else "name_en"
            )
        codes = [c.strip() for c in r["indicative_hs_codes"].split(";") if c.strip()]
        for c in codes:
            if not _HS.match(c):
                raise InputError(
                    f"HS code {c!r} is not 2-10 digits",
                    path=jp,
                    row=line,
                    field="indicative_hs_codes",
                )
        note = (
            "covers metallic minerals designated by ministerial ordinance (not enumerated in the "
            "list file); no USGS commodity mapped by name, use the HS codes"
            if r["id"] == "critical_minerals"
            else ""
        )
        rows.append(
            _row(
                "jp_specified_critical_materials",
                r["name_en"],
                item_ja=r["name_ja"],
                item_key=r["id"],
                hs_codes=";".join(codes),
                designated=r["designated"],
                note=note,
            )
        )
        jp_entries.append((r, codes))

    if concordance is None:
        from fukugan.data.concordance import read_concordance

        concordance, _ = read_concordance()
    for r, codes in jp_entries:
        for cid, matched in jp_commodities(codes, concordance):
            rows.append(
                _row(
                    "jp_specified_critical_materials",
                    r["name_en"],
                    item_ja=r["name_ja"],
                    item_key=r["id"],
                    commodity_id=cid,
                    designated=r["designated"],
                    note=_derived_note(matched),
                )
            )

    eu = directory / _EU_FILE
    for line, r in _read_csv(eu, ["material", "strategic", "critical"]):
        item = r["material"]
        if not item:
            raise InputError("empty entry", path=eu, row=line, field="material")
        flags = {}
        for f in ("strategic", "critical"):
            v = r[f].lower()
            if v not in ("yes", "no"):
                raise InputError(f"expected yes or no, got {r[f]!r}", path=eu, row=line, field=f)
            flags[f] = v == "yes"
        if flags["strategic"]:
            rows.extend(_mapped_rows("eu_crma_2024_strategic", item, EU_TO_USGS))
        if flags["critical"]:
            note = (
                "Annex II lists these elements as heavy and light rare earth elements"
                if item.startswith("Rare earth elements for magnets")
                else ""
            )
            rows.extend(_mapped_rows("eu_crma_2024_critical", item, EU_TO_USGS, note))

    if us_list is not None:
        us = Path(us_list)
    else:
        found = sorted(directory.glob("MCS*_T4_*.csv"))
        us = found[0] if found else bundled_path(*USGS_T4_CSV)
    for line, r in _read_csv(us, ["Critical Mineral"]):
        item = r["Critical Mineral"]
        if not item:
            raise InputError("empty entry", path=us, row=line, field="Critical Mineral")
        rows.extend(
            _mapped_rows("us_critical_minerals_2022", item, US_TO_USGS, r.get("Category_Note", ""))
        )

    df = pd.DataFrame(rows, columns=COLUMNS)
    df["commodity_id"] = df["commodity_id"].astype(object).where(df["commodity_id"].notna(), None)
    return df, PROVENANCE


def jp_commodities(
    list_codes: list[str], concordance: pd.DataFrame
) -> list[tuple[str, list[tuple[str, bool]]]]:
    """USGS commodities whose concordance codes lie under one of ``list_codes`` (prefix match),
    with the matched (code, shared) pairs, in concordance order.

    >>> from fukugan.data.concordance import read_concordance
    >>> conc, _ = read_concordance()
    >>> jp_commodities(["8105", "2602"], conc)
    [('cobalt', [('810520', False), ('810510', False)]), ('manganese', [('2602', False)])]
    """
    codes = [c for c in list_codes if c]
    out: dict[str, list[tuple[str, bool]]] = {}
    for cid, hs, shared in zip(
        concordance["commodity_id"], concordance["hs_code"], concordance["shared"], strict=True
    ):
        if any(str(hs).startswith(c) for c in codes):
            out.setdefault(str(cid), []).append((str(hs), bool(shared)))
    return sorted(out.items())


def _derived_note(matched: list[tuple[str, bool]]) -> str:
    codes = ", ".join(c for c, _ in matched)
    note = (
        f"derived from the entry's indicative HS codes: they cover this commodity's traded "
        f"forms {codes} (fukugan commodity-HS concordance); not a designation by name"
    )
    if all(sh for _, sh in matched):
        note += "; only through shared codes, which also cover other materials"
    return note


def _labels(sel: pd.DataFrame, lang: str) -> list[str]:
    order = list(LISTS)
    sel = sel.drop_duplicates("list_id")
    sel = sel.assign(_o=sel["list_id"].map(order.index)).sort_values("_o")
    if lang == "en":
        return sel["tag"].tolist()
    if lang == "ja":
        return sel["tag_ja"].tolist()
    if lang == "both":
        return (sel["tag"] + " " + sel["tag_ja"]).tolist()
    raise ValueError(f"lang must be 'en', 'ja' or 'both', not {lang!r}")


def tags_for_commodity(lists: pd.DataFrame, commodity_id: str, lang: str = "en") -> list[str]:
    """Tags of the lists naming a USGS commodity, in list order (JP-SCM, EU-SRM, EU-CRM, US-CM).

    ``lang``: ``"en"`` (``"EU-CRM"``), ``"ja"`` (``"EU重要原材料"``) or ``"both"``
    (``"EU-CRM EU重要原材料"``).

    >>> df, _ = read_official_lists(bundled_path("lists"))
    >>> tags_for_commodity(df, "gallium")
    ['JP-SCM', 'EU-SRM', 'EU-CRM', 'US-CM']
    >>> tags_for_commodity(df, "gold")
    []
    """
    return _labels(lists[lists["commodity_id"] == commodity_id], lang)


def _hs_digits(hs: str) -> str:
    s = re.sub(r"[\s.]", "", str(hs))
    if not re.fullmatch(r"\d{4,10}", s):
        raise InputError(f"HS code {hs!r} is not 4-10 digits", field="hs6")
    return s


def tags_for_hs(lists: pd.DataFrame, hs6: str, lang: str = "en") -> list[str]:
    """Tags of the lists whose indicative HS codes cover ``hs6`` (prefix match: an HS4 code in a
    list tags every HS6 code starting with it; dots and spaces are ignored).

    >>> df, _ = read_official_lists(bundled_path("lists"))
    >>> tags_for_hs(df, "850760"), tags_for_hs(df, "8507.10"), tags_for_hs(df, "850440")
    (['JP-SCM'], ['JP-SCM'], [])
    >>> tags_for_hs(df, "854231", lang="both")
    ['JP-SCM 特定重要物資']

    Raises:
        InputError: ``hs6`` is not 4-10 digits.
    """
    code = _hs_digits(hs6)
    hit = lists["hs_codes"].map(
        lambda codes: any(code.startswith(c) for c in str(codes or "").split(";") if c)
    )
    return _labels(lists[hit], lang)


def items_for_hs(lists: pd.DataFrame, hs6: str) -> pd.DataFrame:
    """The list entries (rows of ``lists``) whose HS codes cover ``hs6`` (see :func:`tags_for_hs`)."""
    code = _hs_digits(hs6)
    hit = lists["hs_codes"].map(
        lambda codes: any(code.startswith(c) for c in str(codes or "").split(";") if c)
    )
    return lists[hit].reset_index(drop=True)
