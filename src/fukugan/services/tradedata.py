"""Fast access to the stored trade data (BACI / Comtrade) for the services.

The bundled CEPII BACI HS92 extract holds 1.26 M rows over 30 years; most services need one
year (every indicator of a year) or one importer's rows over all years (history, trends).
Both are read with DuckDB straight from the dataset's Parquet file, filtered there, and
memoised per (file, year) / (file, importer): store files are never rewritten in place (every
write makes a new file name), so the file path is a safe cache key. Returned frames are shared
between callers: never modify them in place.
"""

from __future__ import annotations

import csv
from functools import lru_cache

import duckdb
import pandas as pd

from fukugan.errors import UnknownItemError
from fukugan.provenance import Provenance
from fukugan.services.datasets import (
    BACI_BUNDLED_DIR,
    BACI_BUNDLED_PRODUCTS,
    BACI_BUNDLED_SOURCE_CODE,
    TRADE,
)
from fukugan.store.analytic import AnalyticStore


def _file(store: AnalyticStore) -> str:
    return str(store.info(TRADE).file)


def _sql(file: str, where: str, params: list) -> pd.DataFrame:
    con = duckdb.connect(":memory:")
    try:
        path = file.replace("'", "''")
        df = con.execute(f"SELECT * FROM read_parquet('{path}') WHERE {where}", params).df()
    finally:
        con.close()
    countries = sorted(set(df["exporter"].astype(str)) | set(df["importer"].astype(str)))
    for c in ("exporter", "importer"):  # one category set, so the two columns compare
        df[c] = pd.Categorical(df[c].astype(str), categories=countries)
    for c in ("hs6", "source"):
        if c in df.columns:
            df[c] = df[c].astype(str).astype("category")
    return df


@lru_cache(maxsize=8)
def _years_of_file(file: str) -> tuple[int, ...]:
    con = duckdb.connect(":memory:")
    try:
        path = file.replace("'", "''")
        rows = con.execute(
            f"SELECT DISTINCT year FROM read_parquet('{path}') ORDER BY year"
        ).fetchall()
    finally:
        con.close()
    return tuple(int(r[0]) for r in rows)


@lru_cache(maxsize=40)
def _year_of_file(file: str, year: int) -> pd.DataFrame:
    return _sql(file, "year = ?", [int(year)])


@lru_cache(maxsize=16)
def _country_of_file(file: str, iso3: str) -> pd.DataFrame:
    return _sql(file, "importer = ? OR exporter = ?", [iso3, iso3])


def trade_years(store: AnalyticStore) -> list[int]:
    """Years of the stored trade data (empty without trade data)."""
    if not store.has(TRADE):
        return []
    return list(_years_of_file(_file(store)))


def pick_source(sub: pd.DataFrame, y: int) -> tuple[pd.DataFrame, list[str]]:
    """One source for one year's rows, so flows are never counted twice.

    BACI (which reconciles both declarations, Gaulier & Zignago 2010) before other sources;
    among BACI sources the user's own imports before the bundled extract (a full BACI year
    covers every product); else the source with the most rows. The choice is returned as a note.
    """
    notes: list[str] = []
    sources = pd.Series(sub["source"].astype(str)).value_counts()
    if len(sources) > 1:
        baci = [s for s in sources.index if s.upper().startswith("BACI")]
        own = [s for s in baci if s != BACI_BUNDLED_SOURCE_CODE]
        chosen = own[0] if own else baci[0] if baci else str(sources.index[0])
        sub = sub[sub["source"].astype(str) == chosen]
        others = ", ".join(s for s in sources.index if s != chosen)
        notes.append(f"Trade {y}: {chosen} used; also loaded for that year, not added: {others}.")
    return sub, notes


def year_trade(
    store: AnalyticStore, year: int | None, *, strict: bool = False
) -> tuple[pd.DataFrame, int, list[str], Provenance]:
    """The stored trade rows of one year and one source (:func:`pick_source`).

    ``year`` if the data has it; else the latest year (with a note), or with ``strict`` an
    :class:`UnknownItemError` naming the years available.
    """
    info = store.info(TRADE)
    years = list(_years_of_file(str(info.file)))
    if not years:
        raise UnknownItemError("the stored trade data has no rows")
    notes: list[str] = []
    if year is not None and int(year) in years:
        y = int(year)
    elif strict and year is not None:
        raise UnknownItemError(
            f"no trade data for {year}; years available: {years[0]}-{years[-1]}"
            if years == list(range(years[0], years[-1] + 1))
            else f"no trade data for {year}; years available: {', '.join(map(str, years))}"
        )
    else:
        y = years[-1]
        if year is not None:
            notes.append(f"Trade data: no year {year}; the latest year, {y}, is used.")
    sub, more = pick_source(_year_of_file(str(info.file), y), y)
    return sub, y, notes + more, info.provenance


def country_trade(store: AnalyticStore, iso3: str) -> pd.DataFrame:
    """Every stored trade row (all years, all sources) where ``iso3`` imports or exports."""
    return _country_of_file(_file(store), iso3)


@lru_cache(maxsize=1)
def _product_names() -> dict[str, tuple[str, str]]:
    from fukugan.data.bundled import bundled_path

    out: dict[str, tuple[str, str]] = {}
    with open(bundled_path(BACI_BUNDLED_DIR, BACI_BUNDLED_PRODUCTS), encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            out[rec["code"].strip().zfill(6)] = (rec["description"].strip(), "")
    with open(bundled_path(BACI_BUNDLED_DIR, "products_ja.csv"), encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            code = rec["hs6"].strip().zfill(6)
            en = out.get(code, (rec.get("name_en", ""), ""))[0]
            out[code] = (en, rec["name_ja"].strip())
    return out


def product_name(hs6: str, lang: str = "en") -> str:
    """Name of an HS92 product of the bundled extract (BACI's description; a short Japanese
    name with ``lang="ja"``), ``""`` for codes outside it."""
    en, ja = _product_names().get(str(hs6), ("", ""))
    return (ja or en) if lang == "ja" else en


def product_commodity() -> dict[str, str]:
    """HS92 code -> USGS commodity id for the bundled products that map to one."""
    from fukugan.data.bundled import bundled_path

    out: dict[str, str] = {}
    with open(bundled_path(BACI_BUNDLED_DIR, "products_ja.csv"), encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            if rec.get("commodity_id", "").strip():
                out[rec["hs6"].strip().zfill(6)] = rec["commodity_id"].strip()
    return out


__all__ = [
    "country_trade",
    "pick_source",
    "product_commodity",
    "product_name",
    "trade_years",
    "year_trade",
]
