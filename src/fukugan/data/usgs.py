"""USGS Mineral Commodity Summaries 2025, world data: production, capacity and reserves by country.

Source: U.S. Geological Survey (2025), *Mineral Commodity Summaries 2025* data release,
https://doi.org/10.5066/P13XCP3R (file ``MCS2025_World_Data.csv``; U.S. Government work, public
domain). The file is read as published and never edited; every quirk is cleaned here.

Quirks handled (each one is tested in ``tests/test_usgs.py``):

* UTF-8 byte-order mark; header names with spaces (``PROD_EST_ 2024`` → ``PROD_EST_2024``).
* Trailing and non-breaking spaces in commodity and country names (``"Lithium "``,
  ``"United\\xa0States and Canada"``), stray double quotes in names.
* Misspelt or inconsistently cased commodity names (``Gemanium`` → Germanium, ``Platinum-Group
  metals`` → Platinum-group metals, ``Talc, crude`` and ``Talc and Pyrophyllite`` → one commodity
  "Talc and pyrophyllite", as in the MCS chapter) and TYPE text (``poduction``, ``grosss``,
  ``ilmentite``, ``Ferosilicon``, a trailing full stop, lower-case first letters).
* Per-commodity TYPE variants of the same table (the U.S. Cobalt row says "Mine production,
  estimated", the U.S. Soda ash row "Soda ash, natural, mine production") are aligned with the
  other rows; the Titanium "World total (ilmenite and rutile, rounded)" row, typed as ilmenite in
  the file, gets its own TYPE so that it is not a second world total for ilmenite.
* Markers. The value cells hold numbers, blanks and ``>N`` lower bounds (reserves); the markers
  are in the NOTES columns. The ``marker`` column uses this vocabulary (``''`` = none):

  ====== ==============================================================================
  ``W``  withheld to avoid disclosing company proprietary data (``"W for 23-24"``); value NaN
  ``NA`` not available (``"NA"``, ``"na"``, ``"na for 2023"`` for one year only); value NaN
  ``E``  estimated (``"estimated 2023"`` for that year; ``"estimated"``; a TYPE ending in
         ``", estimated"`` marks its production values); value kept
  ``>``  lower bound (``">2000000"``, ``">17,000,000"``); value = the number
  ``<``  less than half the unit (``"Less than 1/2 unit"``); value NaN
  ``XX`` not applicable (``"xx"``, ``"XX"``); value NaN
  ``Q``  qualitative reserves only (``"Large"``, ``"Small"``, ``"Moderate"``, ...); value NaN
  ``IN`` included in another row (``"Included in World total"``,
         ``"Included with Other countries"``); value NaN
  ====== ==============================================================================

  The same letters are also accepted in the value cells themselves (``W``, ``NA``, ``XX``,
  ``1,200E``). The note text is kept in ``note`` (whitespace cleaned).
* Reserves units that differ from the production unit: the RESERVE_NOTES say "Crude Ore, million
  metric tons", "Iron Content, million metric tons" or "(Reserve data is thousand metric tons)";
  when any row of a commodity and TYPE says so, all its reserves rows get that unit.
* Magnesium metal: the RESERVES_2024 column repeats capacity (the file's own note on the U.S. row
  says "Moved to capacity column not a reserve"); those cells are dropped, no reserves are read.
* One row has an empty unit (Titanium mineral concentrates, Sierra Leone, rutile): it takes the
  unit of the other rows of the same commodity and TYPE (and says so in ``note``).
* Rows that are not countries: ``row_kind`` is ``"world"`` for "World total" in every variant
  ("World total (rounded)", "World total (rounded) 10" with a footnote number, "World total
  (rutile, rounded)", ...), ``"other"`` for "Other countries" in every spelling ("Other
  Countries", "Other countries (rounded)", "Other countries (includes crude)"), ``"group"`` for
  multi-country rows ("United States and Canada": ``members`` = ``"USA;CAN"``, never split). A
  name that resolves neither to one country nor to a group of countries is refused
  (:class:`~fukugan.errors.InputError` naming its row), as are a row that repeats an earlier
  row's commodity, TYPE and country, a negative value, and a row whose number of fields differs
  from the header's. Country names keep their qualifiers as
  printed ("Brazil (beneficiated)") and map to ISO3 with :func:`fukugan.data.countries.to_iso3`
  (exact names such as "Korea, Republic of", "Korea, North", "Congo (Kinshasa)", "Burma",
  "Côte d’Ivoire", "United States (includes Puerto Rico)" are tested).
* Mixed units per commodity: every row keeps its own ``unit``; nothing here adds values of
  different units (``production_shares`` refuses to).

Shares, "World total" and "Other countries" (the rule implemented by :func:`production_shares`):

* The denominator is the **sum of the listed countries (and multi-country group rows) plus
  "Other countries"** for the commodity, TYPE, measure and year. This is the set of numbers that
  USGS rounds into its world total, so it is consistent with it; the difference to the USGS
  "World total" is reported as a check value (``world_total``, ``world_gap``, ``world_gap_rel``)
  rather than used, because the world total is rounded (e.g. 760 000 kg vs 762 000 kg listed for
  gallium in 2024) and sometimes excludes countries (lithium excludes the United States).
* "Other countries" enters the denominator but is **not** one supplier: it is many small ones.
  Treating it as one supplier overstates HHI; dropping it overstates every listed share. It is
  returned separately (``basis["other_value"]``, ``basis["other_share"]``) with HHI bounds
  ``hhi_lower`` = Σ sᵢ² over listed suppliers (the others infinitely fragmented) and
  ``hhi_upper`` = ``hhi_lower`` + s_other² (the others as one supplier); shares are fractions
  (0–1), so HHI is on the 0–1 scale.
* Countries whose value is withheld, not available or blank are listed with value and share NaN,
  ``excluded`` True and their marker; they are not in the denominator and are named in
  ``basis["excluded"]`` so callers can flag the result (e.g. U.S. lithium is W).
* Several rows of one country (Helium: "United States (extracted from natural gas)" and "United
  States (from Cliffside Field)") are added up into one supplier. Multi-country group rows stay
  one supplier with ``members`` listing their ISO3 codes.

Default production TYPE (:func:`primary_type`), i.e. what "world production of X" means:

1. Explicit choices where the rule below would mislead: Silicon → "Plant production, silicon
   metal" (the economic-security product; ferrosilicon is the larger tonnage), Platinum-group
   metals → "Mine production, Platinum content" (palladium is the other TYPE).
2. Otherwise among the production TYPEs (not capacity, not reserves) — or the capacity TYPEs if a
   commodity has only capacity rows (Abrasives) — prefer TYPEs that start with "Mine production"
   (Bauxite → mine production of bauxite, not alumina refinery output; Copper → mine, not
   refinery), then, when their units agree, the largest table in the latest year (sum of the
   listed countries and "Other countries"; Iron ore → usable ore; Iron and steel → raw steel;
   Titanium mineral concentrates → ilmenite; Clays → kaolin; Mica → scrap and flake), then file
   order.
   Aluminum has only smelter production, Gallium only primary production.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from fukugan.data.countries import normalise_name, to_iso3
from fukugan.data.validate import read_utf8_text
from fukugan.errors import FukuganError, InputError, UnknownItemError
from fukugan.provenance import Provenance

__all__ = [
    "COLUMNS",
    "PROVENANCE",
    "commodities",
    "commodity_slug",
    "primary_type",
    "production_shares",
    "read_world_production",
    "resolve_commodity",
]

#: Columns of the frame returned by :func:`read_world_production`, in order.
COLUMNS = [
    "commodity",
    "commodity_id",
    "type",
    "measure",
    "unit",
    "country",
    "iso3",
    "row_kind",
    "members",
    "year",
    "value",
    "marker",
    "note",
    "source_row",
]

PROVENANCE = Provenance(
    dataset="usgs_world_production",
    source="U.S. Geological Survey, Mineral Commodity Summaries 2025 (world data release)",
    year="2025 (data 2023, est. 2024)",
    unit="mixed, per row (see unit column)",
    licence="U.S. Government work, public domain",
    url="https://doi.org/10.5066/P13XCP3R",
    notes=(
        "Loaded from MCS2025_World_Data.csv without editing it. Cleaned in the loader: BOM, "
        "spaces in names and headers, 'Gemanium' -> Germanium, W/NA/E/XX markers from the NOTES "
        "columns, '>N' lower bounds, group rows (World total, Other countries, United States "
        "and Canada) classified by row_kind, reserves units stated in notes, magnesium-metal "
        "reserves column that repeats capacity dropped. 2024 values are USGS estimates."
    ),
)

_REQUIRED = [
    "SOURCE",
    "COMMODITY",
    "COUNTRY",
    "TYPE",
    "UNIT_MEAS",
    "PROD_2023",
    "PROD_EST_2024",
    "PROD_NOTES",
    "CAP_2023",
    "CAP_EST_2024",
    "CAP_NOTES",
    "RESERVES_2024",
    "RESERVE_NOTES",
]

# (value column, measure, year, notes column)
_VALUE_COLUMNS = [
    ("PROD_2023", "production", 2023, "PROD_NOTES"),
    ("PROD_EST_2024", "production", 2024, "PROD_NOTES"),
    ("CAP_2023", "capacity", 2023, "CAP_NOTES"),
    ("CAP_EST_2024", "capacity", 2024, "CAP_NOTES"),
    ("RESERVES_2024", "reserves", 2024, "RESERVE_NOTES"),
]

# Raw commodity name (whitespace-normalised, case-insensitive key) -> canonical English name.
_COMMODITY_NAMES: dict[str, str] = {
    "gemanium": "Germanium",
    "platinum-group metals": "Platinum-group metals",
    "iron ore": "Iron ore",
    "iron and steel": "Iron and steel",
    "magnesium compounds": "Magnesium compounds",
    "mica (natural)": "Mica (natural)",
    "nitrogen(fixed) - ammonia": "Nitrogen (fixed)-ammonia",
    "pumice & pumicite": "Pumice and pumicite",
    "titanium & titanium dioxide": "Titanium and titanium dioxide",
    "titanium mineral concentrates": "Titanium mineral concentrates",
    "kyanite and related minerals": "Kyanite and related minerals",
    "talc, crude": "Talc and pyrophyllite",
    "talc and pyrophyllite": "Talc and pyrophyllite",
}

# Typos in TYPE text (lower-case pattern -> replacement), applied word-wise.
_TYPE_TYPOS = [
    (re.compile(r"\bpoduction\b", re.I), "production"),
    (re.compile(r"\bgrosss\b", re.I), "gross"),
    (re.compile(r"\bilmentite\b", re.I), "ilmenite"),
    (re.compile(r"\bferosilicon\b", re.I), "ferrosilicon"),
]

# Per-commodity TYPE aliases (after cleaning): rows of one table typed differently in the file.
_TYPE_ALIASES: dict[str, dict[str, str]] = {
    "cobalt": {"Mine production, estimated": "Mine production, cobalt content, estimated"},
    "soda-ash": {"Soda ash, natural, mine production": "Mine production, natural"},
}
_TITANIUM_COMBINED_TYPE = "Mine production, ilmenite and rutile, titanium dioxide (TiO2) content"

# Commodities whose RESERVES column does not hold reserves.
_NO_RESERVES = {"magnesium-metal": "the file's reserves column repeats capacity; not read"}

# Explicit default TYPE choices (see module docstring).
_PRIMARY_OVERRIDES = {
    "silicon": "Plant production, silicon metal",
    "platinum-group-metals": "Mine production, Platinum content",
}

# Multi-country rows (normalised name -> ISO3 members).
_GROUPS = {"United States and Canada": ("USA", "CAN")}

# Extra user spellings for resolve_commodity (lower-case -> commodity_id).
_COMMODITY_ALIASES = {
    "gemanium": "germanium",
    "aluminium": "aluminum",
    "pgm": "platinum-group-metals",
    "pgms": "platinum-group-metals",
    "platinum group metals": "platinum-group-metals",
    "ree": "rare-earths",
    "rare earth elements": "rare-earths",
    "rare-earth elements": "rare-earths",
    "talc": "talc-and-pyrophyllite",
    "baryte": "barite",
    "sulphur": "sulfur",
    "caesium": "cesium",
}

_QUALITATIVE = {"large", "small", "moderate", "very small", "moderate to large", "very large"}
_NUMBER = re.compile(
    r"^([<>])?\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)\s*([Ee])?$"
)
_RESERVE_UNIT = re.compile(r"\b((?:million|thousand)\s+metric\s+(?:dry\s+)?tons)\b", re.I)


def _clean(text: Any) -> str:
    """Whitespace (incl. non-breaking spaces) and stray quotes cleaned."""
    return normalise_name(str(text).replace('"', "")) if text is not None else ""


def commodity_slug(name: str) -> str:
    """Lower-case slug used as ``commodity_id``.

    >>> commodity_slug("Rare earths"), commodity_slug("Platinum-group metals")
    ('rare-earths', 'platinum-group-metals')
    >>> commodity_slug("Pumice & Pumicite"), commodity_slug("Diamond (industrial)")
    ('pumice-and-pumicite', 'diamond-industrial')
    """
    s = _clean(name).lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def _canonical_commodity(raw: str) -> str:
    name = _clean(raw)
    return _COMMODITY_NAMES.get(name.lower(), name[:1].upper() + name[1:])


def _clean_type(raw: str) -> str:
    t = _clean(raw).rstrip(".").strip()
    for pat, rep in _TYPE_TYPOS:
        t = pat.sub(rep, t)
    return t[:1].upper() + t[1:]


def _is_capacity_type(t: str) -> bool:
    return "capacity" in t.lower()


def _is_reserves_type(t: str) -> bool:
    return t.lower().startswith("reserves")


def _parse_value(text: str) -> tuple[float, str]:
    """Parse one value cell into (value, marker).

    >>> _parse_value("1,200")
    (1200.0, '')
    >>> _parse_value(">2000000")
    (2000000.0, '>')
    >>> _parse_value("W")
    (nan, 'W')
    >>> _parse_value("")
    (nan, '')
    """
    s = _clean(text)
    if s == "":
        return math.nan, ""
    up = s.upper()
    if up == "W":
        return math.nan, "W"
    if up in {"NA", "N/A"}:
        return math.nan, "NA"
    if up == "XX":
        return math.nan, "XX"
    if s.lower() in _QUALITATIVE:
        return math.nan, "Q"
    m = _NUMBER.match(s)
    if not m:
        raise ValueError(s)
    bound, num, est = m.groups()
    value = float(num.replace(",", ""))
    return value, (bound or ("E" if est else ""))


_EST_YEAR = re.compile(r"\bestimated(?:\s+for)?\s+(\d{4})\b")
_NA_YEAR = re.compile(r"^n/?a(?:\s+for\s+(\d{4}))?\b")
_W_NOTE = re.compile(r"^w(?:\s+for\s+(\d{2,4})(?:\s*-\s*(\d{2,4}))?)?$")


def _note_marker(note: str, year: int) -> tuple[str, bool]:
    """(marker, applies_only_if_blank) that a NOTES text sets on the value of ``year``.

    >>> _note_marker("W for 23-24", 2024)
    ('W', True)
    >>> _note_marker("na for 2023", 2024)
    ('', False)
    >>> _note_marker("estimated 2023", 2023), _note_marker("estimated 2023", 2024)
    (('E', False), ('', False))
    """
    n = note.strip().lower()
    if not n:
        return "", False
    m = _W_NOTE.match(n)
    if m:
        return "W", True
    m = _NA_YEAR.match(n)
    if m:
        if m.group(1) and int(m.group(1)) != year:
            return "", False
        return "NA", True
    if n == "xx":
        return "XX", True
    if n.startswith("less than 1/2 unit"):
        return "<", True
    if n in _QUALITATIVE:
        return "Q", True
    if n.startswith("included in") or n.startswith("included with"):
        return "IN", True
    if n.startswith("moved to capacity column"):
        return "XX", True
    m = _EST_YEAR.search(n)
    if m:
        return ("E", False) if int(m.group(1)) == year else ("", False)
    if n.startswith("estimated"):
        return "E", False
    return "", False


def _classify(name: str) -> tuple[str, str, str | None, str]:
    """(clean name, row_kind, iso3, members) of a COUNTRY cell.

    >>> _classify("World total (rounded) 10")[:3]
    ('World total (rounded)', 'world', None)
    >>> _classify("United\\xa0States and Canada")[1:]
    ('group', None, 'USA;CAN')
    >>> _classify("Korea, Republic of")[1:]
    ('country', 'KOR', 'KOR')
    >>> _classify("Japn")[1]
    'unknown'
    """
    clean = _clean(name)
    low = clean.lower()
    if low.startswith("world total"):
        clean = re.sub(r"\s+\d+$", "", clean)  # footnote number: "World total (rounded) 10"
        return clean, "world", None, ""
    if low.startswith("other countries"):
        return clean, "other", None, ""
    if clean in _GROUPS:
        return clean, "group", None, ";".join(_GROUPS[clean])
    base = re.sub(r"\s*\([^)]*\)$", "", clean)
    iso = to_iso3([clean])[0]
    if " and " in base:
        parts = [p.strip() for p in re.split(r",\s*|\s+and\s+", base) if p.strip()]
        codes = to_iso3(parts)
        if all(codes) and len(set(codes)) == len(parts) > 1 and (iso is None or iso in codes):
            return clean, "group", None, ";".join(c for c in codes if c)
    if iso is None and base != clean:
        iso = to_iso3([base])[0]
    if iso is None:
        return clean, "unknown", None, ""
    return clean, "country", iso, iso


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = read_utf8_text(path)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("empty file", path=path, row=1) from None
        if not any(c.strip() for c in header):
            raise InputError("empty header line", path=path, row=1)
        rows = []
        for rec in reader:
            if not any(c.strip() for c in rec):
                continue
            if len(rec) != len(header):
                raise InputError(
                    f"expected {len(header)} fields, found {len(rec)}",
                    path=path,
                    row=reader.line_num,
                )
            rows.append((reader.line_num, rec))
    except csv.Error as e:
        raise InputError(f"malformed CSV: {e}", path=path, row=reader.line_num) from None
    return header, rows


def read_world_production(path: str | Path) -> tuple[pd.DataFrame, Provenance]:
    """Read the USGS MCS world data CSV into one long, clean frame (see module docstring).

    Columns: commodity, commodity_id, type, measure ("production" | "capacity" | "reserves"),
    unit, country, iso3 (None unless row_kind is "country"), row_kind ("country" | "other" |
    "world" | "group"), members (ISO3 codes, ";"-joined; the iso3 for a country), year (int),
    value (float, NaN when withheld / not available / blank), marker (str, '' when none), note
    (str), source_row (1-based line in the file, header = 1).

    Every row's production cells are kept (also blank ones, so that commodities without
    published figures, like Germanium, remain visible); capacity and reserves cells only when
    they hold a value or a marker. A capacity TYPE ("Clinker capacity", "Plant capacity") makes
    its PROD columns capacity values.

    Raises:
        InputError: missing file or columns, or an unparseable value (names path, row, field).
    """
    path = Path(path)
    header, rows = _read_rows(path)
    norm = [re.sub(r"\s+", "", h.replace("\ufeff", "")).upper() for h in header]
    missing = [c for c in _REQUIRED if c not in norm]
    if missing:
        raise InputError(
            f"missing required column(s) {', '.join(missing)}; found {', '.join(header)}",
            path=path,
            row=1,
            field=missing[0],
        )
    idx = {c: norm.index(c) for c in _REQUIRED}
    raw_name = {c: header[idx[c]] for c in _REQUIRED}

    class_cache: dict[str, tuple[str, str, str | None, str]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    recs: list[dict[str, Any]] = []
    for line, rec in rows:

        def cell(col: str, rec: list[str] = rec) -> str:
            return rec[idx[col]]

        commodity = _canonical_commodity(cell("COMMODITY"))
        if not commodity:
            raise InputError("empty commodity name", path=path, row=line, field="COMMODITY")
        cid = commodity_slug(commodity)
        country_raw = cell("COUNTRY")
        if not _clean(country_raw):
            raise InputError("empty country name", path=path, row=line, field="COUNTRY")
        if country_raw not in class_cache:
            class_cache[country_raw] = _classify(country_raw)
        country, kind, iso3, members = class_cache[country_raw]
        if kind == "unknown":
            raise InputError(
                f"unknown country name {_clean(country_raw)!r} (not a country, a group of "
                "countries, 'World total' or 'Other countries')",
                path=path,
                row=line,
                field=raw_name["COUNTRY"],
            )
        typ = _clean_type(cell("TYPE"))
        if not typ:
            raise InputError("empty TYPE", path=path, row=line, field=raw_name["TYPE"])
        typ = _TYPE_ALIASES.get(cid, {}).get(typ, typ)
        if cid == "titanium-mineral-concentrates" and kind == "world" and "and rutile" in country:
            typ = _TITANIUM_COMBINED_TYPE
        key = (cid, typ, country)
        if key in seen:
            raise InputError(
                f"duplicate row ({commodity} / {typ} / {country}); first at row {seen[key]}",
                path=path,
                row=line,
                field=raw_name["COUNTRY"],
            )
        seen[key] = line
        unit = _clean(cell("UNIT_MEAS")).lower()
        row_notes: list[str] = []
        if _clean(cell("COUNTRY")) != country:
            row_notes.append(f"name in file: {_clean(cell('COUNTRY'))!r}")

        cells: dict[tuple[str, int], dict[str, Any]] = {}
        for col, measure, year, notes_col in _VALUE_COLUMNS:
            if measure == "production":
                if _is_reserves_type(typ):
                    continue
                if _is_capacity_type(typ):
                    measure = "capacity"
            if measure == "reserves" and cid in _NO_RESERVES:
                continue
            try:
                value, marker = _parse_value(cell(col))
            except ValueError:
                raise InputError(
                    f"cannot read {cell(col)!r} as a number (or W, NA, XX, >N)",
                    path=path,
                    row=line,
                    field=raw_name[col],
                ) from None
            if value < 0 or math.isinf(value):
                raise InputError(
                    f"{'negative value' if value < 0 else 'number out of range'}: {cell(col)!r}",
                    path=path,
                    row=line,
                    field=raw_name[col],
                )
            note = _clean(cell(notes_col))
            nmark, only_blank = _note_marker(note, year)
            if nmark == "XX" and note.lower().startswith("moved to capacity"):
                value = math.nan
            if not marker and nmark and (not only_blank or math.isnan(value)):
                marker = nmark
            if (
                not marker
                and col.startswith("PROD")
                and typ.lower().endswith(", estimated")
                and not math.isnan(value)
            ):
                marker = "E"
            r_unit = unit
            if measure == "reserves":
                mu = _RESERVE_UNIT.search(note)
                if mu:
                    r_unit = " ".join(mu.group(1).lower().split())
            entry = {
                "measure": measure,
                "year": year,
                "value": value,
                "marker": marker,
                "note": "; ".join([note, *row_notes]) if note else "; ".join(row_notes),
                "unit": r_unit,
                "from_prod": col.startswith("PROD"),
                "has_data": (not math.isnan(value)) or bool(marker),
            }
            key = (measure, year)
            old = cells.get(key)
            if old is None or (entry["has_data"] and not old["has_data"]):
                cells[key] = entry
        for entry in cells.values():
            if not (entry["from_prod"] or entry["has_data"]):
                continue
            recs.append(
                {
                    "commodity": commodity,
                    "commodity_id": cid,
                    "type": typ,
                    "measure": entry["measure"],
                    "unit": entry["unit"],
                    "country": country,
                    "iso3": iso3,
                    "row_kind": kind,
                    "members": members,
                    "year": entry["year"],
                    "value": entry["value"],
                    "marker": entry["marker"],
                    "note": entry["note"],
                    "source_row": line,
                }
            )

    df = pd.DataFrame.from_records(recs, columns=COLUMNS)
    if df.empty:
        raise InputError("no data rows", path=path, row=2)
    df = _fill_units(df, path)
    df["year"] = df["year"].astype(int)
    df["value"] = df["value"].astype(float)
    df["source_row"] = df["source_row"].astype(int)
    df["iso3"] = df["iso3"].astype(object).where(df["iso3"].notna(), None)
    return df.reset_index(drop=True), PROVENANCE


def _fill_units(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Blank units: take the unit of the same commodity/TYPE/measure; reserves units from notes."""
    df = df.copy()
    # A reserves unit stated in any row's note applies to all reserves rows of that table.
    res = df["measure"] == "reserves"
    for _key, g in df[res].groupby(["commodity_id", "type"], sort=False):
        stated = {
            " ".join(m.group(1).lower().split())
            for n in g["note"]
            if (m := _RESERVE_UNIT.search(n)) is not None
        }
        if len(stated) == 1:
            df.loc[g.index, "unit"] = stated.pop()
    blank = df["unit"] == ""
    for i in df.index[blank]:
        r = df.loc[i]
        same = df[
            (df["commodity_id"] == r["commodity_id"])
            & (df["type"] == r["type"])
            & (df["measure"] == r["measure"])
            & (df["unit"] != "")
        ]["unit"].unique()
        if len(same) != 1:
            raise InputError(
                "empty unit that cannot be taken from other rows of the same commodity and TYPE",
                path=path,
                row=int(r["source_row"]),
                field="UNIT_MEAS",
            )
        df.at[i, "unit"] = same[0]
        extra = "unit blank in file; taken from the other rows of this commodity and TYPE"
        df.at[i, "note"] = f"{r['note']}; {extra}" if r["note"] else extra
    return df


# -- look-ups -------------------------------------------------------------------------------


def _commodity_names(frame: pd.DataFrame) -> dict[str, str]:
    pairs = frame[["commodity_id", "commodity"]].drop_duplicates()
    return dict(zip(pairs["commodity_id"], pairs["commodity"], strict=True))


def resolve_commodity(frame: pd.DataFrame, name: str) -> str:
    """``commodity_id`` for a user's string: case-insensitive name or id, slug, a few aliases
    (aluminium, PGM, REE, Gemanium, ...) or a unique prefix.

    Raises:
        UnknownItemError: no match, or an ambiguous prefix; lists close matches (difflib).
    """
    names = _commodity_names(frame)
    q = _clean(name).lower()
    if not q:
        raise UnknownItemError("empty commodity name")
    by_name = {v.lower(): k for k, v in names.items()}
    slug = commodity_slug(q)
    for cand in (q, slug):
        if cand in names:
            return cand
        if cand in by_name:
            return by_name[cand]
    alias = _COMMODITY_ALIASES.get(q)
    if alias and alias in names:
        return alias
    pref = sorted({k for k, v in names.items() if k.startswith(slug) or v.lower().startswith(q)})
    if len(pref) == 1:
        return pref[0]
    if len(pref) > 1:
        raise UnknownItemError(
            f"commodity {name!r} is ambiguous: {', '.join(names[p] + ' (' + p + ')' for p in pref)}"
        )
    keys = list(names) + list(by_name)
    close = difflib.get_close_matches(slug, keys, n=5, cutoff=0.6)
    close += difflib.get_close_matches(q, keys, n=5, cutoff=0.6)
    ids = list(dict.fromkeys(by_name.get(c, c) for c in close))
    hint = (
        "close matches: " + ", ".join(f"{names[i]} ({i})" for i in ids)
        if ids
        else "see the list of commodities"
    )
    raise UnknownItemError(f"unknown commodity {name!r}; {hint}")


def _table_size(g: pd.DataFrame) -> float:
    """Size of a TYPE's table in its latest year with data: the sum of the country, group and
    "Other countries" rows (not the USGS world total, which can be wrong: the 2024 kaolin world
    total in the file is 4400 for 44 240 listed)."""
    rows = g[(g["row_kind"] != "world") & g["value"].notna()]
    if rows.empty:
        return math.nan
    latest = int(rows["year"].max())
    return float(rows.loc[rows["year"] == latest, "value"].sum())


def primary_type(frame: pd.DataFrame, commodity_id: str) -> str:
    """The production TYPE meant by "world production of X" (rules in the module docstring).

    Raises:
        UnknownItemError: the commodity is not in the frame.
    """
    sub = frame[frame["commodity_id"] == commodity_id]
    if sub.empty:
        raise UnknownItemError(f"unknown commodity id {commodity_id!r}")
    types = list(dict.fromkeys(sub["type"]))
    override = _PRIMARY_OVERRIDES.get(commodity_id)
    if override in types:
        return override
    # TYPEs with supplier rows (a world-total-only TYPE such as Soda ash "total natural and
    # synthetic" or Titanium "ilmenite and rutile" cannot give country shares).
    has_suppliers = set(sub.loc[sub["row_kind"].isin(["country", "group"]), "type"])
    types = [t for t in types if t in has_suppliers] or types
    prod = [t for t in types if not _is_capacity_type(t) and not _is_reserves_type(t)]
    cands = prod or [t for t in types if _is_capacity_type(t)] or types
    mine = [t for t in cands if t.lower().startswith("mine production")]
    cands = mine or cands
    if len(cands) == 1:
        return cands[0]
    units = {t: set(sub[sub["type"] == t]["unit"]) for t in cands}
    if len(set().union(*units.values())) == 1:
        totals = {t: _table_size(sub[sub["type"] == t]) for t in cands}
        with_total = [t for t in cands if not math.isnan(totals[t])]
        if with_total:
            return max(with_total, key=lambda t: (totals[t], -cands.index(t)))
    return cands[0]


def production_shares(
    frame: pd.DataFrame,
    commodity_id: str,
    year: int,
    type: str | None = None,  # noqa: A002 - the USGS column name
    measure: str | None = None,
) -> pd.DataFrame:
    """Country shares of world production (or capacity / reserves) for one commodity and year.

    Method (see module docstring): denominator = listed countries and groups + "Other
    countries"; "Other countries" is returned in ``result.attrs["basis"]``, not as a row;
    W / NA / blank countries are listed with NaN and ``excluded`` True. ``measure`` defaults to
    "production", or "capacity" for a capacity TYPE (Abrasives).

    Returns a frame with columns iso3, country, row_kind, members, value, share, marker,
    excluded (sorted by share, largest first) and ``attrs["basis"]``: a dict with commodity_id,
    type, measure, year, unit, denominator, listed_total, other_value, other_share,
    other_listed (the table has an "Other countries" row), world_total, world_gap
    (world_total − denominator), world_gap_rel, excluded (names), hhi_lower, hhi_upper,
    n_suppliers, rule. ``other_value`` / ``other_share`` are NaN when the table has no
    "Other countries" value (the denominator then counts it as 0).

    Raises:
        UnknownItemError: unknown commodity or TYPE.
        FukuganError: the rows mix units (values of different units are never added).
    """
    if commodity_id not in set(frame["commodity_id"]):
        raise UnknownItemError(f"unknown commodity id {commodity_id!r}")
    typ = type if type is not None else primary_type(frame, commodity_id)
    sub = frame[(frame["commodity_id"] == commodity_id)]
    if typ not in set(sub["type"]):
        raise UnknownItemError(
            f"no TYPE {typ!r} for {commodity_id}; available: {', '.join(dict.fromkeys(sub['type']))}"
        )
    if measure is None:
        measure = (
            "capacity"
            if _is_capacity_type(typ)
            else "reserves"
            if _is_reserves_type(typ)
            else "production"
        )
    sub = sub[(sub["type"] == typ) & (sub["measure"] == measure) & (sub["year"] == int(year))]
    units = sorted(set(sub["unit"]))
    if len(units) > 1:
        raise FukuganError(
            f"{commodity_id} / {typ} / {measure} {year} mixes units ({', '.join(units)}); "
            "values of different units are not added"
        )
    suppliers = sub[sub["row_kind"].isin(["country", "group"])]
    others = sub[sub["row_kind"] == "other"]
    world = sub[sub["row_kind"] == "world"]

    out_rows = []
    key = suppliers["iso3"].where(suppliers["iso3"].notna(), suppliers["country"])
    for _k, g in suppliers.groupby(key, sort=False):
        vals = g["value"].dropna()
        value = float(vals.sum()) if not vals.empty else math.nan
        markers = [m for m in g["marker"] if m]
        out_rows.append(
            {
                "iso3": g["iso3"].iloc[0],
                "country": " + ".join(dict.fromkeys(g["country"])),
                "row_kind": g["row_kind"].iloc[0],
                "members": g["members"].iloc[0],
                "value": value,
                "marker": ",".join(dict.fromkeys(markers)),
                "excluded": bool(vals.empty),
            }
        )
    res = pd.DataFrame(
        out_rows,
        columns=["iso3", "country", "row_kind", "members", "value", "marker", "excluded"],
    )
    listed_total = float(res["value"].sum(skipna=True)) if not res.empty else 0.0
    other_known = bool(others["value"].notna().any())
    other_value = float(others["value"].sum(skipna=True)) if other_known else 0.0
    denominator = listed_total + other_value
    if denominator > 0:
        res["share"] = res["value"] / denominator
        other_share = other_value / denominator
    else:
        res["share"] = math.nan
        other_share = math.nan
        denominator = math.nan
    world_total = float(world["value"].dropna().sum()) if world["value"].notna().any() else math.nan
    gap = world_total - denominator
    s = res["share"].dropna()
    hhi_lower = float((s**2).sum()) if not s.empty else math.nan
    hhi_upper = hhi_lower + (other_share**2 if other_known and not math.isnan(other_share) else 0.0)
    res = res.sort_values("share", ascending=False, na_position="last", kind="stable")
    res = res[
        ["iso3", "country", "row_kind", "members", "value", "share", "marker", "excluded"]
    ].reset_index(drop=True)
    res.attrs["basis"] = {
        "commodity_id": commodity_id,
        "type": typ,
        "measure": measure,
        "year": int(year),
        "unit": units[0] if units else "",
        "denominator": denominator,
        "listed_total": listed_total,
        "other_value": other_value if other_known else math.nan,
        "other_share": other_share if other_known else math.nan,
        "other_listed": not others.empty,
        "world_total": world_total,
        "world_gap": gap,
        "world_gap_rel": gap / world_total if world_total else math.nan,
        "excluded": res.loc[res["excluded"], "country"].tolist(),
        "hhi_lower": hhi_lower,
        "hhi_upper": hhi_upper,
        "n_suppliers": int((~res["excluded"]).sum()),
        "rule": (
            "denominator = listed countries + 'Other countries'; 'Other countries' is not one "
            "supplier (hhi_lower ignores it, hhi_upper counts it as one); W/NA/blank excluded"
        ),
    }
    return res


def commodities(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per commodity: commodity_id, commodity, primary_type, types (``; ``-joined)."""
    rows = []
    for cid, name in _commodity_names(frame).items():
        types = list(dict.fromkeys(frame.loc[frame["commodity_id"] == cid, "type"]))
        rows.append(
            {
                "commodity_id": cid,
                "commodity": name,
                "primary_type": primary_type(frame, cid),
                "types": "; ".join(types),
            }
        )
    return pd.DataFrame(rows)
