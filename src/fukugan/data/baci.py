"""Importer for CEPII BACI bilateral trade (HS6), standard CSV layout.

BACI (Gaulier & Zignago 2010, CEPII Working Paper 2010-23) reconciles exporter and importer
declarations of UN Comtrade into one FOB value per (year, exporter, importer, HS6 product). A
release ships one file per year, ``BACI_HS{rev}_Y{year}_V{version}.csv``, with columns

* ``t`` year, ``i`` exporter and ``j`` importer (BACI numeric country codes, close to ISO 3166
  numeric), ``k`` HS6 product code (a code of chapter 01-09 loses its leading zero when the file
  is written as numbers: restored here to 6 digits),
* ``v`` value in **thousand** current USD (converted here to USD),
* ``q`` quantity in metric tons, blank or ``NA`` (often space-padded) when unknown;

and a country table ``country_codes_V{version}.csv``: ``country_code, country_name,
country_iso2, country_iso3`` (releases since 2023), or the older ``country_code,
country_name_abbreviation, country_name_full, iso_2digit_alpha, iso_3digit_alpha``. Both are
accepted.

The result is the normalised trade frame shared with :mod:`fukugan.data.comtrade`:

=========== =============================================================================
year        int16
exporter    ISO3 (categorical of str)
importer    ISO3 (categorical of str)
hs6         6-character HS code (categorical of str)
value_usd   float64, current USD
quantity_t  float64, metric tons, NaN when missing
source      str (categorical), e.g. ``"BACI HS17 V202401"``
=========== =============================================================================

Validation is all-or-nothing and happens before the caller writes anything: missing columns,
unparseable, missing or negative values, unknown country codes, malformed HS codes, rows of
another year than the file name's, and duplicate (year, exporter, importer, hs6) keys raise
:class:`fukugan.errors.InputError` with file, row (header = row 1) and field.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fukugan.data.validate import (
    check_non_negative,
    check_range,
    check_unique_key,
    first_true,
    normalise_hs6,
    parse_float,
    parse_int,
    read_csv_strings,
    resolve_columns,
    row_of,
)
from fukugan.errors import InputError
from fukugan.provenance import Provenance

#: Columns of the normalised trade frame, in order.
TRADE_COLUMNS: tuple[str, ...] = (
    "year",
    "exporter",
    "importer",
    "hs6",
    "value_usd",
    "quantity_t",
    "source",
)

BACI_URL = "http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
BACI_LICENCE = "Etalab Open Licence 2.0 (CEPII BACI terms of the release)"

_FILE_RE = re.compile(
    r"BACI_HS(?P<rev>\d{2})_Y(?P<year>\d{4})_V(?P<version>\w+?)\.csv(\.gz)?$", re.I
)
#: Other BACI-derived files (extracts over several years): only the HS revision is read.
_REV_RE = re.compile(r"^BACI_HS(?P<rev>\d{2})_", re.I)
_CC_FILE_RE = re.compile(r"country_codes_V(?P<version>\w+?)\.csv$", re.I)

_TRADE_VARIANTS = {
    "t": ["t", "year"],
    "i": ["i", "exporter"],
    "j": ["j", "importer"],
    "k": ["k", "hs6", "product"],
    "v": ["v", "value"],
    "q": ["q", "quantity"],
}
_CC_VARIANTS = {
    "country_code": ["country_code", "code", "i"],
    "iso3": ["country_iso3", "iso_3digit_alpha"],
    "name": ["country_name", "country_name_full", "country_name_abbreviation"],
}

#: Largest country code accepted in a country-code file (BACI's codes have three digits).
MAX_COUNTRY_CODE = 99_999

#: BACI codes some releases give a non-ISO "ISO3": 490 "Other Asia, n.e.s." is Taiwan's trade as
#: UN Comtrade records it (code S19). Mapped to TWN so it meets WGI and other country data.
ISO3_FIXES: dict[str, str] = {"S19": "TWN"}


def parse_baci_filename(path: str | Path) -> dict[str, str] | None:
    """``{"rev", "year", "version"}`` from a standard BACI file name, ``None`` otherwise.

    >>> parse_baci_filename("data/BACI_HS17_Y2022_V202401.csv")
    {'rev': '17', 'year': '2022', 'version': '202401'}
    >>> parse_baci_filename("BACI_HS92_critical_raw_materials_1995_2024.csv.gz")
    {'rev': '92'}
    """
    name = Path(path).name
    m = _FILE_RE.search(name)
    if m:
        return {k: v for k, v in m.groupdict().items() if k in ("rev", "year", "version")}
    m = _REV_RE.search(name)
    return {"rev": m.group("rev")} if m else None


def read_country_codes(path: str | Path) -> pd.DataFrame:
    """Read BACI's country table: ``country_code`` (int), ``iso3``, ``iso3_raw``, ``name``.

    ISO3 fields must be 3 letters or digits (``S19`` is mapped to ``TWN``, see
    :data:`ISO3_FIXES`); country codes must be unique.
    """
    path = Path(path)
    table = read_csv_strings(path)
    cols = resolve_columns(table.column_names, _CC_VARIANTS, path=path, optional=["name"])
    code = parse_int(table[cols["country_code"]], path=path, field=cols["country_code"])
    check_range(code, 0, MAX_COUNTRY_CODE, path=path, field=cols["country_code"], what="code")
    iso3 = pc.utf8_upper(pc.utf8_trim_whitespace(table[cols["iso3"]]))
    ok = pc.match_substring_regex(iso3, r"^[A-Z0-9]{3}$")
    i = first_true(pc.invert(ok))
    if i is not None:
        raise InputError(
            f"not an ISO3 code: {iso3[i].as_py()!r}", path=path, row=row_of(i), field=cols["iso3"]
        )
    check_unique_key(
        code,
        path=path,
        fields=cols["country_code"],
        what="country code",
        describe=lambda r: f"{cols['country_code']}={code[r]}",
    )
    names = table[cols["name"]].to_pylist() if cols["name"] else [""] * table.num_rows
    raw = iso3.to_pylist()
    iso = [ISO3_FIXES.get(s, s) for s in raw]
    return pd.DataFrame({"country_code": code, "iso3": iso, "iso3_raw": raw, "name": names})


def read_baci(path: str | Path, country_codes_path: str | Path) -> tuple[pd.DataFrame, Provenance]:
    """Read and validate one BACI year file into the normalised trade frame.

    Args:
        path: ``BACI_HS{rev}_Y{year}_V{version}.csv`` or ``.csv.gz`` (other names are accepted; the HS
            revision, year and version are then taken from the rows / left unknown).
        country_codes_path: the release's ``country_codes_V{version}.csv``.

    Returns:
        ``(frame, provenance)``; nothing is written (the caller stores both, all or nothing).

    Raises:
        InputError: with file, row (header = row 1) and field, for any bad record.
    """
    path = Path(path)
    codes = read_country_codes(country_codes_path)
    meta = parse_baci_filename(path) or {}
    if "version" not in meta:
        m = _CC_FILE_RE.search(Path(country_codes_path).name)
        if m and meta:
            meta["version"] = m.group("version")
    table = read_csv_strings(path)
    cols = resolve_columns(table.column_names, _TRADE_VARIANTS, path=path)

    if table.num_rows == 0:
        raise InputError("no data rows", path=path, row=2)
    t = parse_int(table[cols["t"]], path=path, field=cols["t"])
    check_range(t, 1900, 2100, path=path, field=cols["t"], what="year")
    if "year" in meta:
        i = first_true(t != int(meta["year"]))
        if i is not None:
            raise InputError(
                f"year {t[i]} differs from the file name's year {meta['year']}",
                path=path,
                row=row_of(i),
                field=cols["t"],
            )
    exp_num = parse_int(table[cols["i"]], path=path, field=cols["i"])
    imp_num = parse_int(table[cols["j"]], path=path, field=cols["j"])
    raw_k = table[cols["k"]]
    hs6 = normalise_hs6(raw_k, path=path, field=cols["k"])
    v = parse_float(table[cols["v"]], path=path, field=cols["v"])
    check_non_negative(v, path=path, field=cols["v"], raw=table[cols["v"]])
    i = first_true(v > np.finfo(np.float64).max / 1000.0)  # USD would overflow
    if i is not None:
        raise InputError(
            f"value too large: {table[cols['v']][i].as_py()!r} thousand USD",
            path=path,
            row=row_of(i),
            field=cols["v"],
        )
    q = parse_float(table[cols["q"]], path=path, field=cols["q"], allow_missing=True)
    check_non_negative(q, path=path, field=cols["q"], raw=table[cols["q"]])

    # country codes -> ISO3 through a lookup table (codes are small non-negative integers)
    categories = sorted(set(codes["iso3"]))
    cat_index = {c: n for n, c in enumerate(categories)}
    known = codes["country_code"].to_numpy()
    top = int(known.max(initial=0))  # <= MAX_COUNTRY_CODE: a small table
    lut = np.full(top + 1, -1, dtype=np.int32)
    lut[known] = [cat_index[c] for c in codes["iso3"]]
    exp_code = np.where((exp_num >= 0) & (exp_num <= top), lut[np.clip(exp_num, 0, top)], -1)
    imp_code = np.where((imp_num >= 0) & (imp_num <= top), lut[np.clip(imp_num, 0, top)], -1)
    for arr, num, field in ((exp_code, exp_num, cols["i"]), (imp_code, imp_num, cols["j"])):
        i = first_true(arr < 0)
        if i is not None:
            raise InputError(
                f"unknown country code {num[i]} (not in {Path(country_codes_path).name})",
                path=path,
                row=row_of(i),
                field=field,
            )

    # duplicate keys, on the file's own codes and (if two codes share an ISO3) on ISO3 codes
    k_int = np.asarray(pc.cast(hs6, pa.int64()), dtype=np.int64)
    pairs = [(exp_num, imp_num, "key")]
    if codes["iso3"].nunique() < len(codes):
        pairs.append((exp_code.astype(np.int64), imp_code.astype(np.int64), "ISO3 key"))
    for a, b, what in pairs:
        width = int(max(a.max(initial=0), b.max(initial=0))) + 1
        key = (((t - 1900) * width + a) * width + b) * 1_000_000 + k_int
        check_unique_key(
            key,
            path=path,
            fields=",".join(cols[c] for c in "tijk"),
            what=f"(year, exporter, importer, product) {what}",
            describe=lambda r: f"t={t[r]}, i={exp_num[r]}, j={imp_num[r]}, k={hs6[r].as_py()}",
        )

    n_padded = int(pc.sum(pc.less(pc.utf8_length(pc.utf8_trim_whitespace(raw_k)), 6)).as_py() or 0)
    rev = meta.get("rev", "")
    version = meta.get("version", "")
    source = f"BACI HS{rev} V{version}".replace("HS V", "V").strip() if meta else "BACI"
    years = np.unique(t)
    frame = pd.DataFrame(
        {
            "year": t.astype(np.int16),
            "exporter": pd.Categorical.from_codes(exp_code, categories=categories),
            "importer": pd.Categorical.from_codes(imp_code, categories=categories),
            "hs6": arrow_to_categorical(hs6),
            "value_usd": v * 1000.0,
            "quantity_t": q,
            "source": pd.Categorical.from_codes(
                np.zeros(len(t), dtype=np.int8), categories=[source]
            ),
        }
    )
    n_q_missing = int(np.isnan(q).sum())
    notes = (
        f"{len(frame)} rows from {path.name}; values converted from thousand USD to USD; "
        f"{n_padded} HS codes restored to 6 digits (leading zero); "
        f"{n_q_missing} quantities missing (NaN); country codes mapped to ISO3 with "
        f"{Path(country_codes_path).name}"
        + (
            "; BACI 'S19' (Other Asia, n.e.s.) read as TWN"
            if "S19" in set(codes["iso3_raw"])
            else ""
        )
    )
    year_txt = str(int(years[0])) if len(years) == 1 else f"{int(years.min())}-{int(years.max())}"
    prov = Provenance(
        dataset="trade",
        source=f"CEPII BACI{' HS' + rev if rev else ''}{' version ' + version if version else ''}"
        " (Gaulier & Zignago 2010)",
        year=year_txt or meta.get("year", ""),
        unit="USD (current); metric tons",
        licence=BACI_LICENCE,
        url=BACI_URL,
        notes=notes,
        extra={"file": path.name, "rows": len(frame), "hs_revision": rev, "version": version},
    )
    return frame, prov


def arrow_to_categorical(arr: pa.Array | pa.ChunkedArray) -> pd.Categorical:
    """Arrow strings -> pandas Categorical with sorted categories (vectorised)."""
    enc = pc.dictionary_encode(pa.chunked_array([arr]) if isinstance(arr, pa.Array) else arr)
    enc = enc.unify_dictionaries() if hasattr(enc, "unify_dictionaries") else enc
    s = enc.to_pandas()
    cats = sorted(s.cat.categories)
    return pd.Categorical(s, categories=cats)


__all__ = [
    "TRADE_COLUMNS",
    "arrow_to_categorical",
    "parse_baci_filename",
    "read_baci",
    "read_country_codes",
]
