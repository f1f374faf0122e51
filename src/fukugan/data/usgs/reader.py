"""Reading ``MCS2025_World_Data.csv`` into one clean frame (the quirks are handled by
:mod:`fukugan.data.usgs.quirks`; each is tested in ``tests/data/test_usgs.py``)."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from fukugan.data.usgs.quirks import (
    _NO_RESERVES,
    _REQUIRED,
    _RESERVE_UNIT,
    _TITANIUM_COMBINED_TYPE,
    _TYPE_ALIASES,
    _VALUE_COLUMNS,
    COLUMNS,
    PROVENANCE,
    _canonical_commodity,
    _classify,
    _clean,
    _clean_type,
    _is_capacity_type,
    _is_reserves_type,
    _note_marker,
    _parse_value,
    commodity_slug,
)
from fukugan.data.validate import read_utf8_text
from fukugan.errors import InputError
from fukugan.provenance import Provenance


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
