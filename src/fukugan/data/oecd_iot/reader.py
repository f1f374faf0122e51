"""Reading and checking one ``CCCYYYYdom.csv`` file: the balance rules of
:mod:`fukugan.data.oecd_iot` within the rounding of its cells, every problem named by row and
field."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from fukugan.data.countries import is_iso3
from fukugan.data.oecd_iot.table import (
    _LABEL_FIELD,
    _LICENCE,
    _NAME_RE,
    _SOURCE,
    _UNIT,
    _URL,
    DATASET,
    FD_CATEGORIES,
    MAY_BE_NEGATIVE,
    NON_COUNTRY_CODES,
    QRS_GAP,
    QRS_GAP_INDUSTRIES,
    ROUNDING,
    SLACK,
    TAX_ROWS,
    IOTable,
    _codes,
)
from fukugan.data.validate import read_utf8_text
from fukugan.errors import InputError
from fukugan.provenance import Provenance

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

    >>> from fukugan.data.oecd_iot import BUNDLED_DIR
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
