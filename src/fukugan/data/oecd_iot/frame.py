"""OECD tables as one long frame for the DuckDB store, and back; loading a directory of files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fukugan.data.oecd_iot.reader import _table_provenance, imbalances, read_iot, validate
from fukugan.data.oecd_iot.table import (
    _LICENCE,
    _NAME_RE,
    _SOURCE,
    _UNIT,
    _URL,
    BUNDLED_DIR,
    DATASET,
    FD_CATEGORIES,
    TAX_ROWS,
    IOTable,
    _codes,
)
from fukugan.errors import InputError
from fukugan.provenance import Provenance

# -- long frame (for the DuckDB store) ----------------------------------------------------------

_FRAME_COLUMNS = ["country", "year", "row", "col", "value"]


def _layout(t: IOTable) -> tuple[list[str], list[str], np.ndarray]:
    """Row labels, column labels and a grid with NaN where a cell does not exist."""
    inds, fd = list(t.industries), list(t.fd_categories)
    n, k = len(inds), len(fd)
    rows = [f"DOM_{i}" for i in inds] + [f"IMP_{i}" for i in inds] + [*TAX_ROWS, "VALU", "OUTPUT"]
    cols = [*inds, *fd, "IMPO"]
    g = np.full((len(rows), len(cols)), np.nan)
    g[:n, :n], g[:n, n : n + k] = t.Z_dom, t.Y_dom
    g[n : 2 * n, :n], g[n : 2 * n, n : n + k], g[n : 2 * n, n + k] = t.Z_imp, t.Y_imp, t.imports
    g[2 * n, :n], g[2 * n, n : n + k] = t.t_imp, t.t_imp_fd
    g[2 * n + 1, :n], g[2 * n + 1, n : n + k] = t.t_dom, t.t_dom_fd
    g[2 * n + 2, :n] = t.va
    g[2 * n + 3, :n] = t.x
    return rows, cols, g


def iot_to_frame(t: IOTable) -> pd.DataFrame:
    """The table as a long frame: country, year, row, col, value (million USD).

    Rows are ``DOM_<ind>``, ``IMP_<ind>``, ``TXS_IMP_FNL``, ``TXS_INT_FNL``, ``VALU``,
    ``OUTPUT``; columns the industries, final-demand categories and ``IMPO`` (only for imported
    rows). Printed totals (``TTL_INT_FNL``, ``TOTAL``) are derived and left out.

    >>> t = read_iot(BUNDLED_DIR / "dom" / "JPN2020dom.csv")
    >>> f = iot_to_frame(t)
    >>> list(f.columns), len(f)
    (['country', 'year', 'row', 'col', 'value'], 5011)
    >>> bool((iot_from_frame(f, "JPN", 2020).Z_imp == t.Z_imp).all())
    True
    """
    rows, cols, g = _layout(t)
    ri, ci = np.nonzero(~np.isnan(g))
    return pd.DataFrame(
        {
            "country": t.country,
            "year": np.full(ri.size, t.year, dtype=np.int16),
            "row": np.asarray(rows, dtype=object)[ri],
            "col": np.asarray(cols, dtype=object)[ci],
            "value": g[ri, ci],
        }
    )


def iot_from_frame(frame: pd.DataFrame, country: str, year: int) -> IOTable:
    """Rebuild (and validate) one table from a long frame made by :func:`iot_to_frame` or
    :func:`load_directory`. Missing cells or unknown labels raise InputError."""
    missing = [c for c in _FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"frame lacks columns {missing}", field=missing[0])
    sel = frame[(frame["country"] == country) & (frame["year"] == int(year))]
    if sel.empty:
        raise InputError(f"no table for {country} {year} in the frame", field="country")
    inds, _ = _codes()
    n = len(inds)
    skeleton = IOTable(
        country, int(year), inds, FD_CATEGORIES,
        *(np.zeros((n, n)),) * 2, *(np.zeros((n, len(FD_CATEGORIES))),) * 2,
        *(np.zeros(n),) * 3, *(np.zeros(len(FD_CATEGORIES)),) * 2, *(np.zeros(n),) * 2,
        provenance=_table_provenance(country, int(year), "frame"),
    )  # fmt: skip
    rows, cols, g = _layout(skeleton)
    rpos = {r: i for i, r in enumerate(rows)}
    cpos = {c: j for j, c in enumerate(cols)}
    r_idx = sel["row"].astype(str).map(rpos)
    c_idx = sel["col"].astype(str).map(cpos)
    if r_idx.isna().any() or c_idx.isna().any():
        bad = sel[r_idx.isna() | c_idx.isna()].iloc[0]
        raise InputError(f"unknown cell {bad['row']!r} × {bad['col']!r}", field=str(bad["col"]))
    vals = pd.to_numeric(sel["value"], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(vals)):
        bad = sel[~np.isfinite(vals)].iloc[0]
        raise InputError(f"not a number in {bad['row']} × {bad['col']}", field=str(bad["col"]))
    expected = ~np.isnan(g)
    out = np.full(g.shape, np.nan)
    ri, ci = r_idx.to_numpy(dtype=int), c_idx.to_numpy(dtype=int)
    out[ri, ci] = vals
    if np.isnan(out[expected]).any():
        i, j = np.argwhere(expected & np.isnan(out))[0]
        raise InputError(f"missing cell {rows[i]} × {cols[j]}", field=cols[j])
    if len(sel) != int(expected.sum()):
        raise InputError(f"duplicate or extra cells for {country} {year}", field="row")
    k = len(FD_CATEGORIES)
    t = IOTable(
        country=country,
        year=int(year),
        industries=inds,
        fd_categories=FD_CATEGORIES,
        Z_dom=out[:n, :n],
        Z_imp=out[n : 2 * n, :n],
        Y_dom=out[:n, n : n + k],
        Y_imp=out[n : 2 * n, n : n + k],
        imports=out[n : 2 * n, n + k],
        t_imp=out[2 * n, :n],
        t_dom=out[2 * n + 1, :n],
        t_imp_fd=out[2 * n, n : n + k],
        t_dom_fd=out[2 * n + 1, n : n + k],
        va=out[2 * n + 2, :n],
        x=out[2 * n + 3, :n],
        provenance=_table_provenance(country, int(year), "store"),
    )
    validate(t)
    return t


def available(frame: pd.DataFrame) -> list[tuple[str, int]]:
    """The (country, year) tables in a long frame, sorted.

    >>> available(pd.DataFrame({"country": ["JPN", "JPN", "AUS"], "year": [2020, 2015, 2020]}))
    [('AUS', 2020), ('JPN', 2015), ('JPN', 2020)]
    """
    pairs = frame[["country", "year"]].drop_duplicates()
    return sorted((str(c), int(y)) for c, y in pairs.itertuples(index=False))


def load_directory(directory: str | Path | None = None) -> tuple[pd.DataFrame, Provenance]:
    """Read and validate every ``*dom.csv`` in ``directory`` (default: the bundled
    ``oecd-iot-2023/dom``) into one long frame for the store dataset ``"oecd_iot"``.

    All or nothing: the first bad file raises InputError naming file, row and field. Tables
    whose every cell is zero (the bundled ``ROW2020dom.csv``) are skipped and noted.
    """
    d = Path(directory) if directory is not None else BUNDLED_DIR / "dom"
    files = sorted(p for p in d.glob("*.csv") if _NAME_RE.match(p.name))
    if not files:
        raise InputError("no CCCYYYYdom.csv files found", path=d)
    frames, skipped, years = [], [], []
    worst = {"column": 0.0, "column_qrs_share": 0.0, "row_dom": 0.0, "row_imp": 0.0}
    for p in files:
        t = read_iot(p)
        if not t.x.any() and not t.Z_imp.any() and not t.Y_imp.any():
            skipped.append(p.name)
            continue
        for key, v in imbalances(t).items():
            worst[key] = max(worst[key], v)
        years.append(t.year)
        frames.append(iot_to_frame(t))
    frame = pd.concat(frames, ignore_index=True)
    for c in ("country", "row", "col"):
        frame[c] = frame[c].astype("category")
    yr = f"{min(years)}-{max(years)}" if min(years) != max(years) else str(years[0])
    notes = (
        f"{len(frames)} tables from {len(files)} files; balanced within rounding (largest: column "
        f"{worst['column']:.1f}, domestic row {worst['row_dom']:.1f}, imported row "
        f"{worst['row_imp']:.1f} million USD); output of Q, R, S exceeds inputs + value added "
        f"by up to {100 * worst['column_qrs_share']:.2f} % (a quirk of the source)"
    )
    if skipped:
        notes += f"; skipped all-zero tables: {', '.join(skipped)}"
    prov = Provenance(
        dataset=DATASET,
        source=_SOURCE,
        year=yr,
        unit=_UNIT,
        licence=_LICENCE,
        url=_URL,
        notes=notes,
        extra={"files": len(files), "tables": len(frames), "skipped": skipped, "imbalance": worst},
    )
    return frame, prov
