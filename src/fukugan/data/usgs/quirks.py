"""USGS Mineral Commodity Summaries 2025, world data: production, capacity and reserves by country.

Source: U.S. Geological Survey (2025), *Mineral Commodity Summaries 2025* data release,
https://doi.org/10.5066/P13XCP3R (file ``MCS2025_World_Data.csv``; U.S. Government work, public
domain). The file is read as published and never edited; every quirk is cleaned here.

The file's vocabulary and the cleaning of its cells (used by :mod:`.reader`).

Quirks handled (each one is tested in ``tests/data/test_usgs.py``):

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
"""

from __future__ import annotations

import math
import re
from typing import Any

from fukugan.data.countries import normalise_name, to_iso3
from fukugan.provenance import Provenance

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
