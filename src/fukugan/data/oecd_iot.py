"""OECD National Input-Output Tables, 2023 edition ("domestic & imports" format, ``CCCYYYYdom.csv``).

One file is one economy and year, current million USD, 45 industries (ISIC Rev.4). Rows:
``DOM_<ind>`` (domestic output of industry i used by the column), ``IMP_<ind>`` (imported products
of origin industry i), ``TXS_IMP_FNL`` and ``TXS_INT_FNL`` (taxes less subsidies on products paid
abroad / at home), ``TTL_INT_FNL`` (total at purchasers' prices), ``VALU`` (value added) and
``OUTPUT``. Columns: the 45 industries, final demand ``HFCE NPISH GGFC GFCF INVNT DPABR
CONS_NONRES EXPO``, then ``IMPO`` (imports of the row's product) and ``TOTAL``.

Names follow Miller & Blair (2009): Z (interindustry flows, rows = supplying industry, columns =
using industry), Y (final demand by category), x (output), va (value added, the row of primary
inputs), and the split into domestic (``_dom``) and imported (``_imp``) flows of §2.6.

Every table is checked to balance within the rounding of its cells (each printed to 0.1 million
USD, so a sum of m cells may be off by up to 0.05·m; plus a slack of 1.0 because printed totals
are not always the sum of the rounded parts): for each industry j,
Σ_i Z_dom[i, j] + Σ_i Z_imp[i, j] + taxes_j + va_j = x_j (column balance), and for each domestic
row Σ_j Z_dom[i, j] + Σ_k Y_dom[i, k] = x_i (row balance); likewise imported rows against
``IMPO`` and every printed total. Across the 177 bundled files the largest rounding discrepancy is
1.1 (a column total); the one real exception is industries Q, R and S, whose output exceeds
inputs + value added by up to 1.1 % (see PROVENANCE.md), accepted up to :data:`QRS_GAP`.
A corrupted cell off by more than the tolerance (at most 5.7 million USD) is caught.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fukugan.data.countries import is_iso3
from fukugan.data.validate import read_utf8_text
from fukugan.errors import InputError
from fukugan.provenance import Provenance

__all__ = [
    "BUNDLED_DIR",
    "DATASET",
    "FD_CATEGORIES",
    "IOTable",
    "available",
    "industry_labels",
    "iot_from_frame",
    "iot_to_frame",
    "load_directory",
    "read_iot",
]

DATASET = "oecd_iot"
BUNDLED_DIR = Path(__file__).resolve().parent / "bundled" / "oecd-iot-2023"
FD_CATEGORIES: tuple[str, ...] = (
    "HFCE",
    "NPISH",
    "GGFC",
    "GFCF",
    "INVNT",
    "DPABR",
    "CONS_NONRES",
    "EXPO",
)
TAX_ROWS: tuple[str, ...] = ("TXS_IMP_FNL", "TXS_INT_FNL")
#: half of the printed precision (0.1 million USD): the rounding error of one cell.
ROUNDING = 0.05
#: extra slack for any identity: printed totals can differ from the sum of their rounded parts by
#: more than the rounding of those parts (observed up to 0.6 for TOTAL vs OUTPUT, two cells).
SLACK = 1.0
#: industries whose output may exceed inputs + value added (a quirk of the 2023 edition), and by
#: how much at most, as a share of output (observed maximum: 1.1 %, HUN 2020 Q).
QRS_GAP_INDUSTRIES = frozenset({"Q", "R", "S"})
QRS_GAP = 0.02
#: final-demand categories that may be negative (changes in inventories).
MAY_BE_NEGATIVE = frozenset({"INVNT"})
#: OECD table codes that are not ISO3 countries: the rest of the world.
NON_COUNTRY_CODES = frozenset({"ROW"})

_SOURCE = "OECD, National Input-Output Tables (IOTs), 2023 edition"
_URL = "https://www.oecd.org/sti/ind/input-outputtables.htm"
_LICENCE = 'CC BY 4.0 (attribute "OECD")'
_UNIT = "current million USD"
_NAME_RE = re.compile(r"^([A-Za-z]{3})(\d{4})dom\.csv$")
_LABEL_FIELD = "(row label)"


@functools.lru_cache(maxsize=1)
def _codes() -> tuple[tuple[str, ...], dict[str, str]]:
    """(industry codes in OECD order, alias → canonical code) from industries.csv."""
    inds: list[str] = []
    alias: dict[str, str] = {}
    with open(BUNDLED_DIR / "industries.csv", encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            if rec["kind"] == "industry":
                inds.append(rec["code"])
            if rec["alt_code"]:
                alias[rec["alt_code"]] = rec["code"]
    return tuple(inds), alias


def industry_labels() -> pd.DataFrame:
    """The bundled code list: code, label_en, label_ja, kind, isic_rev4, alt_code.

    >>> t = industry_labels()
    >>> t.set_index("code").loc["C26", "label_ja"]
    'コンピュータ・電子・光学製品'
    >>> int((t["kind"] == "industry").sum())
    45
    """
    return pd.read_csv(BUNDLED_DIR / "industries.csv", dtype=str, keep_default_na=False)


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=float)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class IOTable:
    """One national input-output table (domestic/imports split), arrays read-only.

    n industries, k final-demand categories; values in current million USD.

    Attributes:
        country: ISO 3166 alpha-3 code (or OECD code such as ``ROW``).
        year: reference year.
        industries: the n industry codes (OECD ISIC Rev.4 aggregates, e.g. ``"C26"``).
        fd_categories: the k final-demand columns (:data:`FD_CATEGORIES`).
        Z_dom: (n, n) domestic intermediate flows, rows = supplying industry i, cols = using j.
        Z_imp: (n, n) imported intermediate flows, rows = imported product by industry of origin.
        Y_dom: (n, k) final demand for domestic output (incl. exports ``EXPO``).
        Y_imp: (n, k) final demand for imported products (``EXPO`` here = re-exports).
        imports: (n,) total imports of each product (``IMPO``) = row sums of Z_imp and Y_imp.
        t_imp, t_dom: (n,) taxes less subsidies on products paid abroad (``TXS_IMP_FNL``) and at
            home (``TXS_INT_FNL``), by using industry.
        t_imp_fd, t_dom_fd: (k,) the same by final-demand category.
        va: (n,) value added at basic prices (``VALU``; may be negative).
        x: (n,) output at basic prices (``OUTPUT``), ≥ 0.
        provenance: where the table comes from.
    """

    country: str
    year: int
    industries: tuple[str, ...]
    fd_categories: tuple[str, ...]
    Z_dom: np.ndarray
    Z_imp: np.ndarray
    Y_dom: np.ndarray
    Y_imp: np.ndarray
    imports: np.ndarray
    t_imp: np.ndarray
    t_dom: np.ndarray
    t_imp_fd: np.ndarray
    t_dom_fd: np.ndarray
    va: np.ndarray
    x: np.ndarray
    provenance: Provenance = field(repr=False)

    def __post_init__(self) -> None:
        for name in (
            "Z_dom", "Z_imp", "Y_dom", "Y_imp", "imports",
            "t_imp", "t_dom", "t_imp_fd", "t_dom_fd", "va", "x",
        ):  # fmt: skip
            object.__setattr__(self, name, _ro(getattr(self, name)))
        object.__setattr__(self, "industries", tuple(self.industries))
        object.__setattr__(self, "fd_categories", tuple(self.fd_categories))

    @property
    def n(self) -> int:
        return len(self.industries)

    @property
    def y_dom(self) -> np.ndarray:
        """Total final demand for domestic output, f = Y_dom i (incl. exports)."""
        return self.Y_dom.sum(axis=1)

    @property
    def discrepancy(self) -> np.ndarray:
        """x − (i′Z_dom + i′Z_imp + t_imp + t_dom + va): the unexplained part of output by
        column (rounding, plus the Q/R/S gap of the 2023 edition)."""
        return self.x - (
            self.Z_dom.sum(axis=0) + self.Z_imp.sum(axis=0) + self.t_imp + self.t_dom + self.va
        )

    def index(self, industry: str) -> int:
        """Position of an industry code."""
        try:
            return self.industries.index(industry)
        except ValueError:
            raise InputError(f"unknown industry {industry!r}", field="industry") from None


# -- parsing ---------------------------------------------------------------------------------


def _country_year(path: Path, country: str | None, year: int | None) -> tuple[str, int]:
    m = _NAME_RE.match(path.name)
    if country is None or year is None:
        if not m:
            raise InputError(
                "file name must look like CCCYYYYdom.csv (e.g. JPN2020dom.csv), "
                "or pass country= and year=",
                path=path,
                field="file name",
            )
    c = country if country is not None else m.group(1).upper()  # type: ignore[union-attr]
    y = int(year) if year is not None else int(m.group(2))  # type: ignore[union-attr]
    if c not in NON_COUNTRY_CODES and not is_iso3(c):
        raise InputError(
            f"unknown country code {c!r} (expected ISO3, e.g. JPN, or ROW)",
            path=path,
            field="file name",
        )
    if not 1900 <= y <= 2100:
        raise InputError(f"year {y} outside 1900..2100", path=path, field="file name")
    return c, y


def read_iot(path: str | Path, *, country: str | None = None, year: int | None = None) -> IOTable:
    """Parse and validate one OECD ``CCCYYYYdom.csv`` file.

    Country and year come from the file name unless given. Bad input raises
    :class:`fukugan.errors.InputError` with the path, the 1-based line (header = 1) and the
    column name.

    >>> t = read_iot(BUNDLED_DIR / "dom" / "JPN2020dom.csv")
    >>> t.country, t.year, t.n, t.Z_dom.shape, t.Y_dom.shape
    ('JPN', 2020, 45, (45, 45), (45, 8))
    >>> float(t.x[t.index("C29")])        # motor vehicles output, million USD
    416204.1
    """
    path = Path(path)
    c, y = _country_year(path, country, year)
    text = read_utf8_text(path)
    inds, alias = _codes()
    cols_expected = [*inds, *FD_CATEGORIES, "IMPO", "TOTAL"]
    rows_expected = (
        [f"DOM_{i}" for i in inds]
        + [f"IMP_{i}" for i in inds]
        + [*TAX_ROWS, "TTL_INT_FNL", "VALU", "OUTPUT"]
    )
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise InputError(f"malformed CSV: {e}", path=path) from None
    if not lines:
        raise InputError("the file is empty", path=path, row=1)

    def canon_col(label: str) -> str:
        return alias.get(label, label)

    def canon_row(label: str) -> str:
        for pre in ("DOM_", "IMP_"):
            if label.startswith(pre):
                code = label[len(pre) :]
                return pre + alias.get("D" + code, alias.get(code, code))
        return label

    header = [canon_col(h.strip()) for h in lines[0][1:]]
    col_pos: dict[str, int] = {}
    for k, h in enumerate(header):
        if h not in cols_expected:
            raise InputError(f"unknown column (industry code?) {h!r}", path=path, row=1, field=h)
        if h in col_pos:
            raise InputError(f"column {h!r} appears twice", path=path, row=1, field=h)
        col_pos[h] = k
    for h in cols_expected:
        if h not in col_pos:
            raise InputError(f"column {h!r} is missing", path=path, row=1, field=h)

    ncol = len(cols_expected)
    grid = np.zeros((len(rows_expected), ncol))
    row_pos = {r: k for k, r in enumerate(rows_expected)}
    line_of: dict[str, int] = {}
    order = [col_pos[h] for h in cols_expected]
    for lineno, rec in enumerate(lines[1:], start=2):
        if not rec or all(not v.strip() for v in rec):
            continue
        label = canon_row(rec[0].strip())
        if label not in row_pos:
            raise InputError(
                f"unknown row (industry code?) {rec[0]!r}",
                path=path,
                row=lineno,
                field=_LABEL_FIELD,
            )
        if label in line_of:
            raise InputError(
                f"row {label!r} appears twice (first on row {line_of[label]})",
                path=path,
                row=lineno,
                field=_LABEL_FIELD,
            )
        if len(rec) != ncol + 1:
            raise InputError(
                f"{len(rec) - 1} values, expected {ncol}",
                path=path,
                row=lineno,
                field=header[min(len(rec) - 1, ncol - 1) if len(rec) > 1 else 0],
            )
        vals = rec[1:]
        out = grid[row_pos[label]]
        for dst, src in enumerate(order):
            s = vals[src]
            try:
                v = float(s)
            except ValueError:
                v = math.nan
            if not math.isfinite(v):
                raise InputError(
                    f"not a number: {s!r}", path=path, row=lineno, field=cols_expected[dst]
                )
            out[dst] = v
        line_of[label] = lineno
    for r in rows_expected:
        if r not in line_of:
            raise InputError(f"row {r!r} is missing", path=path, field=_LABEL_FIELD)

    def where(r: str, col: str) -> dict:
        return {"path": path, "row": line_of[r], "field": col}

    n, k = len(inds), len(FD_CATEGORIES)
    R = {r: grid[i] for i, r in enumerate(rows_expected)}
    t = IOTable(
        country=c,
        year=y,
        industries=inds,
        fd_categories=FD_CATEGORIES,
        Z_dom=grid[:n, :n],
        Z_imp=grid[n : 2 * n, :n],
        Y_dom=grid[:n, n : n + k],
        Y_imp=grid[n : 2 * n, n : n + k],
        imports=grid[n : 2 * n, n + k],
        t_imp=R["TXS_IMP_FNL"][:n],
        t_dom=R["TXS_INT_FNL"][:n],
        t_imp_fd=R["TXS_IMP_FNL"][n : n + k],
        t_dom_fd=R["TXS_INT_FNL"][n : n + k],
        va=R["VALU"][:n],
        x=R["OUTPUT"][:n],
        provenance=_table_provenance(c, y, path.name),
    )
    _check_signs(t, where)
    _check_file_totals(grid, rows_expected, cols_expected, inds, where)
    validate(t, where=where)
    return t


def _tol(m: int, scale: np.ndarray | float) -> np.ndarray | float:
    """Tolerance for an identity over m printed cells: their rounding, the slack, float noise."""
    return ROUNDING * m + SLACK + 1e-9 * np.abs(scale)


def _check_file_totals(grid, rows, cols, inds, where) -> None:
    """The printed totals of the file (TTL_INT_FNL row, TOTAL column, TOTAL cells)."""
    n, k = len(inds), len(FD_CATEGORIES)
    ri = {r: i for i, r in enumerate(rows)}
    ttl = grid[ri["TTL_INT_FNL"]]
    body = grid[: ri["TTL_INT_FNL"]]  # the 92 rows above it
    # column totals over every industry and final-demand column (and IMPO)
    for j in range(n + k + 1):
        s = body[:, j].sum()
        if abs(s - ttl[j]) > _tol(body.shape[0] + 1, ttl[j]):
            raise InputError(
                f"column does not add up: the rows above sum to {s:.1f}, TTL_INT_FNL is {ttl[j]:.1f}",
                **where("TTL_INT_FNL", cols[j]),
            )
    total = grid[:, n + k + 1]
    # TOTAL = output for domestic rows, 0 for imported rows; VALU/OUTPUT totals
    x = grid[ri["OUTPUT"], :n]
    for i, code in enumerate(inds):
        r = f"DOM_{code}"
        if abs(total[i] - x[i]) > _tol(2, x[i]):
            raise InputError(
                f"TOTAL {total[i]:.1f} differs from OUTPUT of {code} ({x[i]:.1f})",
                **where(r, "TOTAL"),
            )
        s = grid[i, : n + k].sum()
        if abs(s - total[i]) > _tol(n + k + 1, total[i]):
            raise InputError(
                f"row does not add up: uses sum to {s:.1f}, TOTAL is {total[i]:.1f}",
                **where(r, "TOTAL"),
            )
    for r in ("VALU", "OUTPUT"):
        v = grid[ri[r]]
        s = v[:n].sum()
        if abs(s - total[ri[r]]) > _tol(n + 1, s):
            raise InputError(
                f"industries sum to {s:.1f}, TOTAL is {total[ri[r]]:.1f}", **where(r, "TOTAL")
            )
        nz = np.flatnonzero(v[n : n + k + 1] != 0)
        if nz.size:
            raise InputError(
                f"{r} must be empty in final-demand columns", **where(r, cols[n + nz[0]])
            )
    dom_impo = np.flatnonzero(grid[:n, n + k] != 0)
    if dom_impo.size:
        raise InputError(
            "domestic rows must have IMPO = 0", **where(f"DOM_{inds[dom_impo[0]]}", "IMPO")
        )
    imp_total = np.flatnonzero(grid[n : 2 * n, n + k + 1] != 0)
    if imp_total.size:
        raise InputError(
            "imported rows must have TOTAL = 0", **where(f"IMP_{inds[imp_total[0]]}", "TOTAL")
        )


def validate(t: IOTable, *, where=None) -> None:
    """Check signs and the balances of a table (see the module docstring); InputError if not.

    ``where(row_label, column) -> dict(path=, row=, field=)`` locates a cell for the message.
    """
    if where is None:

        def where(r: str, col: str) -> dict:
            return {"path": f"{t.country} {t.year}", "field": col}

    _check_signs(t, where)
    inds, fd = t.industries, t.fd_categories
    n, k = len(inds), len(fd)

    # column balance: inputs + taxes + value added = output
    gap = t.discrepancy
    tol = _tol(2 * n + 4, t.x)
    allow = np.array(
        [QRS_GAP * xj if c in QRS_GAP_INDUSTRIES else 0.0 for c, xj in zip(inds, t.x, strict=True)]
    )
    bad = np.flatnonzero((gap < -tol) | (gap > tol + allow))
    if bad.size:
        j = bad[np.argmax(np.abs(gap[bad]))]
        raise InputError(
            f"column of {inds[j]} does not balance: inputs + taxes + value added = "
            f"{t.x[j] - gap[j]:.1f} but output = {t.x[j]:.1f} (difference {gap[j]:.1f})",
            **where("OUTPUT", inds[j]),
        )
    # row balance, domestic rows: intermediate use + final demand = output
    rgap = t.Z_dom.sum(axis=1) + t.Y_dom.sum(axis=1) - t.x
    bad = np.flatnonzero(np.abs(rgap) > _tol(n + k + 1, t.x))
    if bad.size:
        i = bad[np.argmax(np.abs(rgap[bad]))]
        raise InputError(
            f"row of {inds[i]} does not balance: uses sum to {t.x[i] + rgap[i]:.1f}, output is "
            f"{t.x[i]:.1f}",
            **where(f"DOM_{inds[i]}", "TOTAL"),
        )
    # row balance, imported rows: intermediate use + final demand = imports
    igap = t.Z_imp.sum(axis=1) + t.Y_imp.sum(axis=1) - t.imports
    bad = np.flatnonzero(np.abs(igap) > _tol(n + k + 1, t.imports))
    if bad.size:
        i = bad[np.argmax(np.abs(igap[bad]))]
        raise InputError(
            f"row of imported {inds[i]} does not balance: uses sum to "
            f"{t.imports[i] + igap[i]:.1f}, IMPO is {t.imports[i]:.1f}",
            **where(f"IMP_{inds[i]}", "IMPO"),
        )


def _check_signs(t: IOTable, where) -> None:
    """Flows, final demand (except inventories), imports and output must be >= 0."""
    inds, fd = t.industries, t.fd_categories
    k = len(fd)

    def neg(M: np.ndarray, prefix: str, cols: tuple[str, ...], what: str) -> None:
        if M.size and M.min() < 0:
            i, j = np.argwhere(M < 0)[0]
            r = f"{prefix}{inds[i]}" if prefix else prefix
            raise InputError(f"{what} must not be negative: {M[i, j]:g}", **where(r, cols[j]))

    neg(t.Z_dom, "DOM_", inds, "intermediate use")
    neg(t.Z_imp, "IMP_", inds, "intermediate use")
    ok_cols = [j for j, c in enumerate(fd) if c not in MAY_BE_NEGATIVE]
    for Y, pre in ((t.Y_dom, "DOM_"), (t.Y_imp, "IMP_")):
        Ys = np.where(np.isin(np.arange(k), ok_cols)[None, :], Y, 0.0)
        neg(Ys, pre, fd, "final demand")
    if t.imports.size and t.imports.min() < 0:
        i = int(np.argmin(t.imports))
        raise InputError(
            f"imports must not be negative: {t.imports[i]:g}", **where(f"IMP_{inds[i]}", "IMPO")
        )
    if t.x.size and t.x.min() < 0:
        j = int(np.argmin(t.x))
        raise InputError(f"output must not be negative: {t.x[j]:g}", **where("OUTPUT", inds[j]))


def imbalances(t: IOTable) -> dict[str, float]:
    """Largest absolute discrepancies of a table: column balance outside Q/R/S, the Q/R/S gap
    beyond the tolerance (as a share of output), domestic and imported row balances (million USD)."""
    gap = t.discrepancy
    q = np.array([c in QRS_GAP_INDUSTRIES for c in t.industries])
    safe = np.where(t.x > 0, t.x, 1.0)
    return {
        "column": float(np.abs(gap[~q]).max(initial=0.0)),
        "column_qrs_share": float(
            np.where(np.abs(gap) > _tol(2 * t.n + 4, t.x), np.abs(gap) / safe, 0.0)[q].max(
                initial=0.0
            )
        ),
        "row_dom": float(np.abs(t.Z_dom.sum(1) + t.Y_dom.sum(1) - t.x).max(initial=0.0)),
        "row_imp": float(np.abs(t.Z_imp.sum(1) + t.Y_imp.sum(1) - t.imports).max(initial=0.0)),
    }


def _table_provenance(country: str, year: int, file: str) -> Provenance:
    return Provenance(
        dataset=DATASET,
        source=_SOURCE,
        year=str(year),
        unit=_UNIT,
        licence=_LICENCE,
        url=_URL,
        notes=f"{country} {year}, from {file}",
        extra={"country": country, "file": file},
    )


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
