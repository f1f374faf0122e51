"""Importer for UN Comtrade CSV downloads (Comtrade+ API / bulk, and the legacy bulk layout).

Two header layouts are accepted (matched without regard to case):

* **Comtrade+** (comtradeplus.un.org downloads and the ``comtradeapicall`` API):
  ``refYear`` (or ``period``), ``freqCode``, ``reporterCode``, ``reporterISO``, ``flowCode``
  (``M`` import, ``X`` export, ``RM``/``RX`` re-imports/re-exports, ...), ``partnerCode``,
  ``partnerISO``, ``partner2Code``, ``customsCode``, ``motCode``, ``cmdCode``, ``aggrLevel``,
  ``qtyUnitAbbr``, ``qty``, ``netWgt`` (kg), ``primaryValue`` (USD), ...
* **legacy bulk** (comtrade.un.org before 2023): ``Year``, ``Trade Flow Code`` (1 import,
  2 export, 3 re-export, 4 re-import), ``Reporter Code``, ``Reporter ISO``, ``Partner Code``,
  ``Partner ISO``, ``Commodity Code``, ``Trade Value (US$)``, ``Netweight (kg)``, ...

What is kept, so that nothing is counted twice:

* imports as the importer reports them: flow ``M`` (``1`` in the legacy layout); exports,
  re-imports and re-exports are dropped. The reporter is the importer, the partner (country of
  origin) the exporter;
* 6-digit HS rows only. ``TOTAL`` and the HS2 / HS4 aggregate rows of a download that mixes
  levels are sums of the HS6 rows and are **dropped**, never added. A code written as a number
  loses its leading zero (``10121``): one zero is restored to odd-length codes;
* the partner "World" rows (code 0, ISO ``W00``/``WLD``) are totals and are dropped; so are the
  non-country partner areas (``Areas, nes``, bunkers, free zones, special categories, regional
  "nes" areas: :data:`NON_COUNTRY_AREAS`), which no indicator can attribute to a supplier. Their
  value is reported in the provenance notes. ``Other Asia, nes`` (490, ``S19``) is Taiwan's trade
  and is read as ``TWN``;
* where the Comtrade+ breakdown columns are present, only their totals: ``partner2Code`` 0,
  ``customsCode`` C00, ``motCode`` 0 (other values split the same flow again);
* rows where the partner is the reporter itself (re-imports of own goods) are dropped.

Annual data only: monthly rows (``freqCode`` M or a 6-digit ``period``) raise InputError.

Values (``primaryValue``, USD; CIF for imports) become ``value_usd``; net weight in kg becomes
``quantity_t`` (metric tons; ``qty`` is used when its unit is kg and ``netWgt`` is absent; NaN
otherwise). The frame is the normalised trade frame of :mod:`fukugan.data.baci`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fukugan.data.baci import TRADE_COLUMNS, arrow_to_categorical
from fukugan.data.countries import is_iso3
from fukugan.data.validate import (
    check_non_negative,
    check_range,
    check_unique_key,
    first_true,
    parse_float,
    parse_int,
    read_csv_strings,
    resolve_columns,
    row_of,
)
from fukugan.errors import InputError
from fukugan.provenance import Provenance

COMTRADE_URL = "https://comtradeplus.un.org/"
COMTRADE_LICENCE = "UN Comtrade terms of use (attribute 'UN Comtrade Database')"

_VARIANTS = {
    "year": ["refYear", "Year"],
    "period": ["period", "Period"],
    "freq": ["freqCode"],
    "flow": ["flowCode", "Trade Flow Code"],
    "reporter_code": ["reporterCode", "Reporter Code"],
    "reporter": ["reporterISO", "Reporter ISO"],
    "partner_code": ["partnerCode", "Partner Code"],
    "partner": ["partnerISO", "Partner ISO"],
    "partner2": ["partner2Code", "2nd Partner Code"],
    "customs": ["customsCode", "Customs Proc. Code"],
    "mot": ["motCode", "Mode of Transport Code"],
    "cmd": ["cmdCode", "Commodity Code"],
    "value": ["primaryValue", "Trade Value (US$)"],
    "netwgt": ["netWgt", "Netweight (kg)", "NetWeight (kg)"],
    "qty": ["qty", "Qty"],
    "qty_unit": ["qtyUnitAbbr", "Qty Unit"],
    "classification": ["classificationCode", "Classification"],
}
_OPTIONAL = {
    "year",
    "period",
    "freq",
    "reporter_code",
    "partner_code",
    "partner2",
    "customs",
    "mot",
    "netwgt",
    "qty",
    "qty_unit",
    "classification",
}

#: Partner codes for "World" (a total, dropped).
WORLD_CODES = frozenset({0})
WORLD_ISO = frozenset({"W00", "WLD"})

#: Comtrade partner areas that are not countries (M49-style codes): their flows cannot be
#: attributed to a supplier and are dropped (value reported in the notes). 490 is not here:
#: "Other Asia, nes" is Taiwan's trade and is read as TWN.
NON_COUNTRY_AREAS: dict[int, str] = {
    97: "European Union",
    129: "Caribbean, nes",
    221: "Eastern Europe, nes",
    290: "Northern Africa, nes",
    471: "CACM, nes",
    472: "Africa CAMEU region, nes",
    473: "LAIA, nes",
    492: "Europe EU, nes",
    527: "Oceania, nes",
    536: "Neutral Zone",
    568: "Other Europe, nes",
    577: "Other Africa, nes",
    636: "Rest of America, nes",
    637: "North America and Central America, nes",
    697: "Europe EFTA, nes",
    837: "Bunkers",
    838: "Free Zones",
    839: "Special Categories",
    849: "US Misc. Pacific Isds",
    879: "Western Asia, nes",
    899: "Areas, nes",
}
TAIWAN_CODES = frozenset({490})
TAIWAN_ISO = frozenset({"S19"})
# Comtrade+ ISO-like codes of non-country areas: "_X", "X1", "E19", "F19", "R20", ...
_AREA_ISO_RE = re.compile(r"^(_.*|X[0-9A-Z]?|[A-Z]\d{2})$")

_CMD_RE = r"^(\d{1,6}|TOTAL)$"


def _classify(iso: str, code: int | None) -> str:
    """'world', 'area', 'TWN' or an ISO3 code; 'unknown' when it is none of those."""
    if (code is not None and code in WORLD_CODES) or iso in WORLD_ISO:
        return "world"
    if (code is not None and code in TAIWAN_CODES) or iso in TAIWAN_ISO:
        return "TWN"
    if (code is not None and code in NON_COUNTRY_AREAS) or _AREA_ISO_RE.match(iso):
        return "area"
    if iso and is_iso3(iso):
        return iso
    return "unknown"


def _country_column(
    table: pa.Table,
    iso_col: str,
    code_col: str | None,
    *,
    path: Path,
) -> tuple[np.ndarray, list[str]]:
    """Classify each row's country vectorised over the distinct (ISO, code) values.

    Returns per-row integer labels into the returned list of classes.
    """
    iso = pc.utf8_upper(pc.utf8_trim_whitespace(table[iso_col]))
    if code_col is not None:
        code_num = parse_int(table[code_col], path=path, field=code_col)
        check_non_negative(code_num, path=path, field=code_col, raw=table[code_col])
        codes = pd.Series(code_num)
    else:
        codes = pd.Series(np.full(table.num_rows, -1, dtype=np.int64))
    iso_s = iso.to_pandas()
    pair = pd.MultiIndex.from_arrays([iso_s, codes])
    pair_codes, uniques = pd.factorize(pair)
    classes = [_classify(i, None if c < 0 else int(c)) for i, c in uniques]
    labels, cls_list = pd.factorize(pd.Series(classes))
    row_labels = labels[pair_codes]
    return row_labels, list(cls_list), iso


def read_comtrade(path: str | Path) -> tuple[pd.DataFrame, Provenance]:
    """Read and validate a UN Comtrade CSV into the normalised trade frame (imports, HS6).

    Returns ``(frame, provenance)``; nothing is written. Raises :class:`InputError` with file,
    row (header = row 1) and field for any bad record (all rows are validated, also those that
    are then dropped as exports, aggregates or totals: a bad file is refused as a whole).
    """
    path = Path(path)
    table = read_csv_strings(path)
    cols = resolve_columns(table.column_names, _VARIANTS, path=path, optional=_OPTIONAL)
    if cols["year"] is None and cols["period"] is None:
        raise InputError(
            "missing column (expected 'refYear', 'Year' or 'period')",
            path=path,
            row=1,
            field="refYear",
        )
    n = table.num_rows
    if n == 0:
        raise InputError("no data rows", path=path, row=2)

    # -- year, annual only --------------------------------------------------------------------
    if cols["freq"] is not None:
        freq = pc.utf8_trim_whitespace(table[cols["freq"]])
        i = first_true(pc.not_equal(freq, "A"))
        if i is not None:
            raise InputError(
                f"only annual data is supported, found frequency {freq[i].as_py()!r}",
                path=path,
                row=row_of(i),
                field=cols["freq"],
            )
    if cols["year"] is not None:
        year = parse_int(table[cols["year"]], path=path, field=cols["year"])
        year_field = cols["year"]
    else:
        period = pc.utf8_trim_whitespace(table[cols["period"]])
        i = first_true(pc.greater(pc.utf8_length(period), 4))
        if i is not None:
            raise InputError(
                f"monthly period {period[i].as_py()!r}: only annual data is supported",
                path=path,
                row=row_of(i),
                field=cols["period"],
            )
        year = parse_int(period, path=path, field=cols["period"])
        year_field = cols["period"]
    check_range(year, 1900, 2100, path=path, field=year_field, what="year")

    # -- flows ----------------------------------------------------------------------------------
    flow = pc.utf8_upper(pc.utf8_trim_whitespace(table[cols["flow"]]))
    i = first_true(pc.equal(pc.utf8_length(flow), 0))
    if i is not None:
        raise InputError("missing value", path=path, row=row_of(i), field=cols["flow"])
    is_import = np.asarray(pc.is_in(flow, value_set=pa.array(["M", "1"])))

    # -- commodity codes ------------------------------------------------------------------------
    cmd = pc.utf8_upper(pc.utf8_trim_whitespace(table[cols["cmd"]]))
    ok = pc.match_substring_regex(cmd, _CMD_RE)
    i = first_true(pc.invert(ok))
    if i is not None:
        raise InputError(
            f"malformed HS code: {cmd[i].as_py()!r}", path=path, row=row_of(i), field=cols["cmd"]
        )
    length = np.asarray(pc.utf8_length(cmd))
    is_total = np.asarray(pc.equal(cmd, "TOTAL"))
    odd = (length % 2 == 1) & ~is_total
    padded = _pad_one(cmd, odd)
    plen = np.asarray(pc.utf8_length(padded))
    chapter00 = np.asarray(pc.starts_with(padded, "00")) & ~is_total
    i = first_true(chapter00)
    if i is not None:
        raise InputError(
            f"malformed HS code: {cmd[i].as_py()!r}", path=path, row=row_of(i), field=cols["cmd"]
        )
    is_hs6 = (plen == 6) & ~is_total

    # -- values -----------------------------------------------------------------------------------
    value = parse_float(table[cols["value"]], path=path, field=cols["value"])
    check_non_negative(value, path=path, field=cols["value"], raw=table[cols["value"]])
    if cols["netwgt"] is not None:
        kg = parse_float(table[cols["netwgt"]], path=path, field=cols["netwgt"], allow_missing=True)
        check_non_negative(kg, path=path, field=cols["netwgt"], raw=table[cols["netwgt"]])
        qty_note = "quantity from net weight (kg / 1000)"
    elif cols["qty"] is not None and cols["qty_unit"] is not None:
        q = parse_float(table[cols["qty"]], path=path, field=cols["qty"], allow_missing=True)
        check_non_negative(q, path=path, field=cols["qty"], raw=table[cols["qty"]])
        unit = pc.utf8_lower(pc.utf8_trim_whitespace(table[cols["qty_unit"]]))
        kg = np.where(np.asarray(pc.equal(unit, "kg")), q, np.nan)
        qty_note = "quantity from qty where its unit is kg (/ 1000)"
    else:
        kg = np.full(n, np.nan)
        qty_note = "no quantity column"

    # -- countries --------------------------------------------------------------------------------
    rep_lab, rep_cls, rep_iso = _country_column(
        table, cols["reporter"], cols["reporter_code"], path=path
    )
    par_lab, par_cls, par_iso = _country_column(
        table, cols["partner"], cols["partner_code"], path=path
    )
    for lab, cls, iso, field, role in (
        (rep_lab, rep_cls, rep_iso, cols["reporter"], "reporter"),
        (par_lab, par_cls, par_iso, cols["partner"], "partner"),
    ):
        if "unknown" in cls:
            i = first_true(lab == cls.index("unknown"))
            raise InputError(
                f"unknown {role} country code {iso[i].as_py()!r}",
                path=path,
                row=row_of(i),
                field=field,
            )
    rep_bad = np.isin(rep_lab, [k for k, c in enumerate(rep_cls) if c in ("world", "area")])
    rep_is_area = rep_bad & is_import

    # -- breakdown totals (Comtrade+) -------------------------------------------------------------
    keep_breakdown = np.ones(n, dtype=bool)
    for key, total_values in (
        ("partner2", {"0", ""}),
        ("customs", {"C00", ""}),
        ("mot", {"0", ""}),
    ):
        if cols[key] is not None:
            v = pc.utf8_upper(pc.utf8_trim_whitespace(table[cols[key]]))
            keep_breakdown &= np.asarray(pc.is_in(v, value_set=pa.array(sorted(total_values))))

    par_country = ~np.isin(par_lab, [k for k, c in enumerate(par_cls) if c in ("world", "area")])
    rep_names = np.asarray(rep_cls, dtype=object)[rep_lab]
    par_names = np.asarray(par_cls, dtype=object)[par_lab]
    self_trade = rep_names == par_names
    base = is_import & keep_breakdown & is_hs6 & ~rep_is_area
    keep = base & par_country & ~self_trade

    # -- duplicates among the kept rows (row numbers of the original file) ------------------------
    idx = np.flatnonzero(keep)
    hs_int = np.zeros(n, dtype=np.int64)
    hs_int[is_hs6] = np.asarray(pc.cast(pc.filter(padded, pa.array(is_hs6)), pa.int64()))
    ncls_r, ncls_p = len(rep_cls) + 1, len(par_cls) + 1
    key = (((year - 1900) * ncls_r + rep_lab) * ncls_p + par_lab) * 1_000_000 + hs_int
    check_unique_key(
        np.where(keep, key, -1 - np.arange(n)),
        path=path,
        fields=",".join((year_field, cols["reporter"], cols["partner"], cols["cmd"])),
        what="(year, importer, partner, HS6) import record",
        describe=lambda x: (
            f"year={year[x]}, reporter={rep_names[x]}, partner={par_names[x]}, "
            f"cmd={padded[x].as_py()}"
        ),
    )

    if len(idx) == 0:
        raise InputError(
            f"nothing to import: none of the {n} rows is an import (flow M or 1) of a 6-digit HS "
            "code from a partner country (exports, re-flows, TOTAL/HS2/HS4 aggregates, World and "
            "area partners and breakdown rows are left out)",
            path=path,
        )

    # -- frame --------------------------------------------------------------------------------------
    countries = sorted(
        {par_cls[k] for k in np.unique(par_lab[idx])}
        | {rep_cls[k] for k in np.unique(rep_lab[idx])}
    )
    pos = {c: k for k, c in enumerate(countries)}
    lut_p = np.array([pos.get(c, -1) for c in par_cls], dtype=np.int32)
    lut_r = np.array([pos.get(c, -1) for c in rep_cls], dtype=np.int32)
    cls_txt = ""
    if cols["classification"] is not None:
        cl = sorted(set(pc.unique(table[cols["classification"]]).to_pylist()) - {""})
        cls_txt = "/".join(cl)
    source = f"UN Comtrade{' ' + cls_txt if cls_txt else ''}"
    frame = pd.DataFrame(
        {
            "year": year[idx].astype(np.int16),
            "exporter": pd.Categorical.from_codes(lut_p[par_lab[idx]], categories=countries),
            "importer": pd.Categorical.from_codes(lut_r[rep_lab[idx]], categories=countries),
            "hs6": arrow_to_categorical(pc.filter(padded, pa.array(keep))),
            "value_usd": value[idx].astype(np.float64),
            "quantity_t": kg[idx] / 1000.0,
            "source": pd.Categorical.from_codes(
                np.zeros(len(idx), dtype=np.int8), categories=[source]
            ),
        },
        columns=list(TRADE_COLUMNS),
    )

    # -- provenance ---------------------------------------------------------------------------------
    dropped_area = (
        base & ~par_country & ~np.isin(par_lab, [k for k, c in enumerate(par_cls) if c == "world"])
    )
    agg_rows = int((is_import & keep_breakdown & ~is_hs6).sum())
    years = np.unique(year[idx]) if len(idx) else np.unique(year)
    notes = (
        f"{len(frame)} import rows kept of {n} in {path.name}; flow M only (exports and re-flows "
        f"dropped); {agg_rows} TOTAL/HS2/HS4 aggregate import rows dropped (not double counted); "
        f"partner World rows dropped; {int(dropped_area.sum())} rows from non-country partner "
        f"areas dropped (USD {float(value[dropped_area].sum()):,.0f}); "
        f"{int((base & self_trade).sum())} imports from the reporter itself dropped; "
        f"{int((is_import & ~keep_breakdown).sum())} partner2/customs/transport breakdown rows "
        f"dropped (totals kept); {qty_note}; 'Other Asia, nes' (490/S19) read as TWN"
    )
    year_txt = str(int(years[0])) if len(years) == 1 else f"{int(years.min())}-{int(years.max())}"
    prov = Provenance(
        dataset="trade",
        source="United Nations Comtrade Database (imports as reported by importers)",
        year=year_txt,
        unit="USD (current, CIF as reported); metric tons",
        licence=COMTRADE_LICENCE,
        url=COMTRADE_URL,
        notes=notes,
        extra={"file": path.name, "rows": len(frame), "classification": cls_txt},
    )
    return frame, prov


def _pad_one(cmd: pa.ChunkedArray | pa.Array, odd: np.ndarray) -> pa.ChunkedArray | pa.Array:
    """Prefix one ``0`` to the codes flagged ``odd`` (a leading zero lost to number format)."""
    prefixed = pc.binary_join_element_wise("0", cmd, "")
    return pc.if_else(pa.array(odd), prefixed, cmd)
