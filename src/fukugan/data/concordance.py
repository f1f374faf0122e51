"""Commodity ↔ HS concordance: which traded products correspond to a USGS commodity.

USGS Mineral Commodity Summaries report production by commodity (``commodity_id`` of
:mod:`fukugan.data.usgs`); trade data (BACI, UN Comtrade) reports flows by HS6 product. The EU
CRM supply risk and GeoPolRisk need both: world production by country *and* the home country's
imports by partner of the same material. This module maps one to the other.

The bundled file ``bundled/concordance/commodity_hs.csv`` is **fukugan's indicative
concordance**, compiled by the project from the HS 2017 and HS 2022 nomenclatures (headings
checked against published tariff schedules), with the HS 1992 codes of the bundled CEPII BACI
HS92 extract where they differ (cobalt 8105.10, tantalum 8103.10, beryllium 8112.11,
germanium 8112.30, tungsten powders 8101.10, sulphur, clays, gypsum, ...); it is not an official correspondence and it is
not part of any list designation. Columns:

============== ===============================================================================
commodity_id   a USGS commodity id (validated against the USGS data)
hs_code        an HS6 subheading (``283691``) or an HS4 heading (``2605``) that stands for every
               HS6 code under it; dots and spaces are ignored (``2805.30`` = ``280530``)
stage          ``ore`` (ores and concentrates), ``refined`` (mattes, intermediates, refined
               gases), ``metal`` (unwrought metal, ferroalloys, elements) or ``compound``
               (oxides, carbonates, salts)
shared         ``yes`` when the code also covers other materials (HS 8112.92 is gallium,
               germanium, indium, niobium and vanadium; 2615.90 niobium, tantalum and vanadium
               ores; 2804.29 helium and the other rare gases); ``no`` otherwise
note           what the code covers, HS-revision differences, what was left out and why
============== ===============================================================================

Choices: the codes are the traded forms of the USGS production stage and the first processing
steps (cobalt: ores 2605, mattes / intermediates / unwrought 8105.20, oxides 2822; nickel: ores
2604, mattes 7501, unwrought 7502), not semi-manufactures or articles. Where the USGS default
table is one form only (silicon metal, titanium sponge), other forms (ferrosilicon, titanium
dioxide) are left out and the note says so. Mercury (2805.40) is not covered.

Aggregation (:func:`commodity_trade`): the home country's imports by partner and its exports
are summed over the commodity's codes. Shared codes would count other materials' trade, so
they are **skipped** when the commodity has unshared codes with trade; when only shared codes
carry trade (gallium, germanium, indium, tellurium, helium) they are used and **flagged**
(``shared_used``): the flows are then an upper bound for the commodity. Quantities
(``quantity_t``, gross weight of the traded form) are summed only when every flow used has one
(``quantity_complete``).
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from fukugan.data.bundled import bundled_path
from fukugan.errors import InputError
from fukugan.provenance import Provenance

__all__ = [
    "COLUMNS",
    "CONCORDANCE_CSV",
    "PROVENANCE",
    "STAGES",
    "TONNES_PER_UNIT",
    "CommodityTrade",
    "codes_for",
    "commodity_trade",
    "commodity_trade_all",
    "read_concordance",
    "tonnes_factor",
]

#: Columns of the frame returned by :func:`read_concordance`, in order.
COLUMNS = ["commodity_id", "hs_code", "stage", "shared", "note"]
STAGES = ("ore", "refined", "metal", "compound")
CONCORDANCE_CSV = ("concordance", "commodity_hs.csv")

PROVENANCE = Provenance(
    dataset="commodity_hs",
    source=(
        "fukugan project: indicative concordance of USGS MCS 2025 commodities to HS 1992/2017/"
        "2022 codes (compiled from the HS nomenclature; not an official correspondence)"
    ),
    year="2025 (HS 1992, HS 2017 and HS 2022 headings)",
    unit="none (a mapping)",
    licence="fukugan project",
    url="https://www.wcoomd.org/en/topics/nomenclature/instrument-and-tools/hs-nomenclature-2022-edition.aspx",
    notes=(
        "Codes are the traded forms of the USGS production stage (ores, intermediates, "
        "unwrought metal, first compounds). shared=yes marks codes that also cover other "
        "materials (e.g. 8112.92: Ga, Ge, In, Nb, V); they are skipped in aggregation when the "
        "commodity has unshared codes with trade, else used and flagged."
    ),
)

#: USGS production units that convert to metric tonnes (factor = tonnes per unit).
TONNES_PER_UNIT: dict[str, float] = {
    "metric tons": 1.0,
    "metric dry tons": 1.0,
    "thousand metric tons": 1e3,
    "thousand metric dry tons": 1e3,
    "million metric tons": 1e6,
    "kilograms": 1e-3,
}

_REQUIRED = ["commodity_id", "hs_code", "stage", "shared"]
_HS = re.compile(r"^(\d{4}|\d{6})$")


def tonnes_factor(unit: str) -> float | None:
    """Tonnes per USGS unit, or ``None`` when the unit is not a mass (carats, cubic metres).

    >>> tonnes_factor("kilograms"), tonnes_factor("thousand metric tons")
    (0.001, 1000.0)
    >>> tonnes_factor("million carats") is None
    True
    """
    return TONNES_PER_UNIT.get(" ".join(str(unit).lower().split()))


@lru_cache(maxsize=1)
def _bundled_usgs_ids() -> frozenset[str]:
    from fukugan.data.bundled import USGS_WORLD_CSV
    from fukugan.data.usgs import read_world_production

    df, _ = read_world_production(bundled_path(*USGS_WORLD_CSV))
    return frozenset(df["commodity_id"])


def _strip(s: str | None) -> str:
    return " ".join(str(s or "").replace("\xa0", " ").split())


def read_concordance(
    path: str | Path | None = None, *, commodity_ids: Iterable[str] | None = None
) -> tuple[pd.DataFrame, Provenance]:
    """Read and validate a commodity ↔ HS concordance (default: the bundled one).

    ``commodity_ids``: the valid USGS ids (default: those of the bundled USGS world data).
    Lines starting with ``#`` are comments. Returns columns :data:`COLUMNS` (``shared`` as
    bool, ``hs_code`` as 4 or 6 digits) and the provenance.

    >>> df, prov = read_concordance()
    >>> df.loc[df["commodity_id"] == "cobalt", "hs_code"].tolist()
    ['2605', '810520', '282200', '810510']
    >>> bool(df.loc[(df["commodity_id"] == "gallium") & (df["hs_code"] == "811292"), "shared"].iloc[0])
    True

    Raises:
        InputError: missing file or column, empty or unknown commodity id, an HS code that is
            not 4 or 6 digits, an unknown stage, a shared value other than yes/no, a duplicate
            (commodity_id, hs_code), or a code listed for several commodities but not marked
            shared (names path, row and field).
    """
    p = bundled_path(*CONCORDANCE_CSV) if path is None else Path(path)
    ids = _bundled_usgs_ids() if commodity_ids is None else frozenset(commodity_ids)
    if not p.is_file():
        raise InputError("file not found", path=p)
    try:
        with open(p, encoding="utf-8-sig", newline="") as fh:
            lines = [(i, line) for i, line in enumerate(fh, start=1)]
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text ({e.reason})", path=p) from None
    data = [(i, line) for i, line in lines if not line.lstrip().startswith("#") and line.strip()]
    if not data:
        raise InputError("empty file", path=p)
    reader = csv.reader([line for _, line in data])
    rows = list(reader)
    header_line = data[0][0]
    header = [_strip(h).lower() for h in rows[0]]
    for need in _REQUIRED:
        if need not in header:
            raise InputError(
                f"missing required column {need!r}; found {', '.join(header)}",
                path=p,
                row=header_line,
                field=need,
            )
    col = {name: header.index(name) for name in header}
    recs = []
    seen: dict[tuple[str, str], int] = {}
    for (line, _), cells in zip(data[1:], rows[1:], strict=True):

        def cell(name: str, cells: list[str] = cells) -> str:
            i = col.get(name)
            return _strip(cells[i]) if i is not None and i < len(cells) else ""

        cid = cell("commodity_id").lower()
        if not cid:
            raise InputError("empty commodity id", path=p, row=line, field="commodity_id")
        if cid not in ids:
            close = difflib.get_close_matches(cid, sorted(ids), n=3, cutoff=0.6)
            hint = f"; close matches: {', '.join(close)}" if close else ""
            raise InputError(
                f"unknown USGS commodity id {cid!r}{hint}", path=p, row=line, field="commodity_id"
            )
        raw = cell("hs_code")
        code = re.sub(r"[\s.]", "", raw)
        if not _HS.match(code):
            raise InputError(
                f"HS code {raw!r} is not 4 or 6 digits", path=p, row=line, field="hs_code"
            )
        stage = cell("stage").lower()
        if stage not in STAGES:
            raise InputError(
                f"stage {cell('stage')!r} is not one of {', '.join(STAGES)}",
                path=p,
                row=line,
                field="stage",
            )
        shared = cell("shared").lower()
        if shared not in ("yes", "no"):
            raise InputError(
                f"expected yes or no, got {cell('shared')!r}", path=p, row=line, field="shared"
            )
        if (cid, code) in seen:
            raise InputError(
                f"duplicate entry {cid} / {code} (first on row {seen[(cid, code)]})",
                path=p,
                row=line,
                field="hs_code",
            )
        seen[(cid, code)] = line
        recs.append(
            {
                "commodity_id": cid,
                "hs_code": code,
                "stage": stage,
                "shared": shared == "yes",
                "note": cell("note"),
                "_line": line,
            }
        )
    if not recs:
        raise InputError("no data rows", path=p, row=header_line + 1)
    df = pd.DataFrame(recs)
    owners = df.groupby("hs_code")["commodity_id"].nunique()
    multi = df[df["hs_code"].map(owners) > 1]
    bad = multi[~multi["shared"]]
    if not bad.empty:
        r = bad.iloc[0]
        others = sorted(set(multi.loc[multi["hs_code"] == r["hs_code"], "commodity_id"]))
        raise InputError(
            f"HS code {r['hs_code']} is listed for {', '.join(others)} but shared is 'no'",
            path=p,
            row=int(r["_line"]),
            field="shared",
        )
    return df[COLUMNS].reset_index(drop=True), PROVENANCE


def codes_for(concordance: pd.DataFrame, commodity_id: str) -> pd.DataFrame:
    """The concordance rows of one commodity (empty when it has none)."""
    return concordance[concordance["commodity_id"] == commodity_id].reset_index(drop=True)


@dataclass(frozen=True)
class CommodityTrade:
    """The home country's trade in one commodity's HS codes, one year.

    ``imports_usd`` / ``imports_t``: imports by partner (ISO3), USD and metric tons (``None``
    when some flow lacks a quantity); ``exports_usd`` / ``exports_t`` the home's exports (to
    all partners). ``codes`` are the concordance codes aggregated, ``shared_used`` those of them
    that also cover other materials (flows are then an upper bound), ``skipped_shared`` the
    shared codes left out because unshared codes carry trade.
    """

    commodity_id: str
    home: str
    year: int | None
    codes: tuple[str, ...]
    shared_used: tuple[str, ...]
    skipped_shared: tuple[str, ...]
    hs6: tuple[str, ...]
    imports_usd: pd.Series
    imports_t: pd.Series | None
    exports_usd: float
    exports_t: float | None
    quantity_complete: bool
    notes: list[str] = field(default_factory=list)

    @property
    def has_imports(self) -> bool:
        return bool(len(self.imports_usd)) and float(self.imports_usd.sum()) > 0


def _pick_year(trade: pd.DataFrame, year: int | None) -> int | None:
    if "year" not in trade.columns or trade.empty:
        return year
    years = sorted(int(y) for y in pd.unique(trade["year"]))
    if year is not None and int(year) in years:
        return int(year)
    return years[-1]


def _home_rows(trade: pd.DataFrame, home: str, year: int | None) -> pd.DataFrame:
    if "year" in trade.columns and year is not None:
        trade = trade[trade["year"].to_numpy() == year]
    exp = trade["exporter"].astype(str).to_numpy()
    imp = trade["importer"].astype(str).to_numpy()
    mask = ((imp == home) | (exp == home)) & (exp != imp)
    sub = trade.loc[mask, ["exporter", "importer", "hs6", "value_usd", "quantity_t"]]
    sub = sub[sub["value_usd"].to_numpy() > 0]
    return pd.DataFrame(
        {
            "exporter": sub["exporter"].astype(str).to_numpy(),
            "importer": sub["importer"].astype(str).to_numpy(),
            "hs6": sub["hs6"].astype(str).to_numpy(),
            "value_usd": sub["value_usd"].to_numpy(dtype=float),
            "quantity_t": sub["quantity_t"].to_numpy(dtype=float),
        }
    )


def _match(hs6: pd.Index, code: str) -> list[str]:
    return sorted(hs6[hs6.str.startswith(code)]) if len(hs6) else []


def _aggregate(
    rows: pd.DataFrame, conc_rows: pd.DataFrame, cid: str, home: str, year: int | None
) -> CommodityTrade:
    hs6 = pd.Index(pd.unique(rows["hs6"])) if len(rows) else pd.Index([], dtype=object)
    by_code = {c: _match(hs6, c) for c in conc_rows["hs_code"]}
    shared = dict(zip(conc_rows["hs_code"], conc_rows["shared"], strict=True))
    unshared_with = [c for c in by_code if not shared[c] and by_code[c]]
    shared_codes = [c for c in by_code if shared[c]]
    notes: list[str] = []
    if unshared_with:
        used = [c for c in by_code if not shared[c]]
        skipped = tuple(shared_codes)
        shared_used: tuple[str, ...] = ()
    elif any(by_code[c] for c in shared_codes):
        used = [c for c in by_code if by_code[c]]
        skipped = ()
        shared_used = tuple(c for c in used if shared[c])
    else:
        used = [c for c in by_code if not shared[c]] or list(by_code)
        skipped = ()
        shared_used = tuple(c for c in used if shared[c])
    codes6 = sorted({h for c in used for h in by_code[c]})
    sel = rows[rows["hs6"].isin(codes6)] if codes6 else rows.iloc[0:0]
    imp = sel[sel["importer"] == home]
    exp = sel[sel["exporter"] == home]
    imports_usd = imp.groupby("exporter", sort=True)["value_usd"].sum()
    qty_ok = bool(np.isfinite(sel["quantity_t"].to_numpy()).all()) and len(sel) > 0
    imports_t = imp.groupby("exporter", sort=True)["quantity_t"].sum() if qty_ok else None
    exports_t = float(exp["quantity_t"].sum()) if qty_ok else None
    if shared_used:
        notes.append(
            f"{cid}: only shared HS codes ({', '.join(shared_used)}) carry trade; they also "
            "cover other materials, so the flows are an upper bound"
        )
    if skipped:
        notes.append(f"{cid}: shared HS codes skipped: {', '.join(skipped)}")
    return CommodityTrade(
        commodity_id=cid,
        home=home,
        year=year,
        codes=tuple(used),
        shared_used=shared_used,
        skipped_shared=skipped,
        hs6=tuple(codes6),
        imports_usd=imports_usd.astype(float),
        imports_t=None if imports_t is None else imports_t.astype(float),
        exports_usd=float(exp["value_usd"].sum()),
        exports_t=exports_t,
        quantity_complete=qty_ok,
        notes=notes,
    )


def commodity_trade_all(
    trade: pd.DataFrame, concordance: pd.DataFrame, home: str, *, year: int | None = None
) -> dict[str, CommodityTrade]:
    """:func:`commodity_trade` for every commodity of the concordance (one pass over the home's
    rows). ``year``: that year if the frame has it, else the latest year."""
    y = _pick_year(trade, year)
    rows = _home_rows(trade, home, y)
    return {
        str(cid): _aggregate(rows, g, str(cid), home, y)
        for cid, g in concordance.groupby("commodity_id", sort=True)
    }


def commodity_trade(
    trade: pd.DataFrame,
    concordance: pd.DataFrame,
    commodity_id: str,
    home: str,
    *,
    year: int | None = None,
) -> CommodityTrade | None:
    """The home country's imports by partner and exports of one commodity (see the module
    docstring for the rule on shared codes). ``None`` when the commodity has no codes.

    ``trade`` is the normalised trade frame (:mod:`fukugan.data.baci`); self-trade and
    non-positive values are ignored; ``year`` as in :func:`commodity_trade_all`.

    >>> trade = pd.DataFrame({"year": 2022, "exporter": ["COD", "AUS", "JPN"],
    ...     "importer": ["JPN", "JPN", "KOR"], "hs6": ["260500", "260500", "810520"],
    ...     "value_usd": [600.0, 400.0, 50.0], "quantity_t": [30.0, 20.0, 1.0]})
    >>> conc, _ = read_concordance()
    >>> ct = commodity_trade(trade, conc, "cobalt", "JPN")
    >>> ct.imports_usd.to_dict(), ct.exports_usd, ct.imports_t.to_dict()
    ({'AUS': 400.0, 'COD': 600.0}, 50.0, {'AUS': 20.0, 'COD': 30.0})
    """
    g = concordance[concordance["commodity_id"] == commodity_id]
    if g.empty:
        return None
    y = _pick_year(trade, year)
    return _aggregate(_home_rows(trade, home, y), g, commodity_id, home, y)
