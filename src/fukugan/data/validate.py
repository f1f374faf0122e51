"""Shared, vectorised validation helpers for the CSV importers.

Every importer in :mod:`fukugan.data` follows the same contract (docs/PRODUCT.md, "Reliability"):
a bad file raises :class:`fukugan.errors.InputError` naming the file, the 1-based row as a
spreadsheet shows it (header = row 1, first data record = row 2) and the field, and nothing is
written. The helpers below check whole columns at once (pyarrow compute / numpy) and only locate
the *first* offending row for the message, so validating a 10 M-row file costs a few vectorised
passes, never a Python loop over rows.

Row numbers are record numbers: a data record at 0-based position ``i`` is row ``i + 2``. Blank
lines are kept as (empty) records so that the numbering matches the file's lines; a quoted field
that spans several lines would shift the count, which standard trade CSVs never contain.

>>> import pyarrow as pa
>>> parse_float(pa.array(["1.5", " 2", "NA"]), path="t.csv", field="q", allow_missing=True)
array([1.5, 2. , nan])
>>> parse_float(pa.array(["1.5", "x"]), path="t.csv", field="v")
Traceback (most recent call last):
...
fukugan.errors.InputError: t.csv: row 3, field 'v': not a number: 'x'
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from fukugan.errors import InputError

#: Offset from a 0-based data index to the spreadsheet row (header is row 1).
ROW_OFFSET = 2

#: Strings read as "no value" where a column allows missing values.
MISSING_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "NaN", "nan", "null", "NULL", "..", "-")

_FLOAT_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_INT_RE = r"^[+-]?\d+$"

ArrayLike = pa.Array | pa.ChunkedArray | np.ndarray | pd.Series | Sequence


def row_of(index: int) -> int:
    """Spreadsheet row of the data record at 0-based ``index`` (header = row 1)."""
    return int(index) + ROW_OFFSET


def first_true(mask: np.ndarray | pa.Array | pa.ChunkedArray) -> int | None:
    """0-based index of the first ``True`` in a boolean mask, ``None`` if there is none.

    >>> first_true(np.array([False, True, True])), first_true(np.array([False]))
    (1, None)
    """
    if isinstance(mask, pa.ChunkedArray | pa.Array):
        mask = pc.fill_null(mask, False)
        if not pc.any(mask).as_py():
            return None
        return int(pc.index(mask, True).as_py())
    m = np.asarray(mask, dtype=bool)
    if m.size == 0:
        return None
    i = int(np.argmax(m))
    return i if m[i] else None


def _to_arrow_strings(values: ArrayLike) -> pa.ChunkedArray | pa.Array:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        arr = values
    elif isinstance(values, pd.Series):
        arr = pa.array(values.astype(object).where(values.notna(), None), type=pa.string())
    else:
        arr = pa.array([None if v is None else str(v) for v in values], type=pa.string())
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return arr


def _value_at(arr: pa.Array | pa.ChunkedArray, i: int) -> str:
    v = arr[i].as_py()
    return "" if v is None else str(v)


# -- reading -----------------------------------------------------------------------------------
_GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | Path) -> bool:
    """Whether ``path`` is gzip-compressed (by its first two bytes, not by its name)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == _GZIP_MAGIC
    except OSError:
        return False


def open_binary(path: str | Path) -> io.BufferedIOBase:
    """``path`` opened for reading bytes, decompressed on the fly when it is gzip."""
    return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


def check_text_file(path: str | Path) -> Path:
    """Refuse, with a clear :class:`InputError`, what cannot be a CSV text file.

    A missing path, a directory, and a file whose first 64 KiB hold NUL bytes (binary data
    such as a spreadsheet or an archive, or UTF-16/UTF-32 text) are refused; an empty file is
    left to the reader (which reports "empty file" on row 1).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_dir():
        raise InputError("expected a file, got a directory", path=path)
    try:
        with open_binary(path) as fh:
            head = fh.read(1 << 16)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise InputError(f"not a valid gzip file: {exc}", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            "the file is UTF-16 (or UTF-32) text; save it as UTF-8 CSV", path=path, row=1
        )
    if b"\x00" in head:
        raise InputError(
            "not a CSV text file: it contains NUL bytes (binary data such as a spreadsheet or "
            "an archive, or UTF-16 text); save it as UTF-8 CSV",
            path=path,
        )
    return path


def read_utf8_text(path: str | Path) -> str:
    """The whole file as text, strictly UTF-8 (a byte-order mark is dropped).

    Refuses what :func:`check_text_file` refuses, and names the row (line) of the first byte
    that is not UTF-8, e.g. a file saved as Latin-1 or Shift-JIS.
    """
    path = check_text_file(path)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8 CSV",
            path=path,
            row=data.count(b"\n", 0, exc.start) + 1,
        ) from None


def read_csv_strings(
    path: str | Path,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> pa.Table:
    """Read a CSV file with every column as a string (pyarrow, multi-threaded).

    Header names are stripped of surrounding whitespace; a UTF-8 byte-order mark is skipped;
    a file that is not UTF-8 is read as Latin-1 (legacy Comtrade downloads). Binary files and
    UTF-16 text are refused (:func:`check_text_file`). Rows with the wrong number of fields
    raise :class:`InputError` with their row number. A gzip-compressed file (``.csv.gz``, told
    by its first bytes) is read as the CSV it holds.
    """
    path = check_text_file(path)
    gz = is_gzip(path)
    bad: list[pv.InvalidRow] = []

    def _handler(row: pv.InvalidRow) -> str:
        bad.append(row)
        return "skip"

    with open_binary(path) as fh:
        header_bytes = fh.readline()
    try:
        header_bytes.decode(encoding)
    except UnicodeDecodeError:  # pyarrow does not check header names: decide here
        encoding = "latin-1"
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", path=path) from None

    def _read(enc: str) -> pa.Table:
        # the first line as pyarrow sees it: "\r" alone also ends a line
        header_line = re.split(r"\r\n|\r|\n", header_bytes.decode(enc, errors="replace"))[0]
        try:
            names = next(csv.reader([header_line.lstrip("\ufeff")], delimiter=delimiter), [])
        except csv.Error as exc:
            raise InputError(f"malformed header line: {exc}", path=path, row=1) from None
        if not names or not any(n.strip() for n in names):
            raise InputError("empty file or empty header line", path=path, row=1)
        seen: set[str] = set()
        for n in names:
            key = n.strip().lstrip("\ufeff").lower()
            if key in seen:
                raise InputError(
                    "column appears twice in the header", path=path, row=1, field=n.strip()
                )
            seen.add(key)
        source = pa.input_stream(str(path), compression="gzip") if gz else path
        return pv.read_csv(
            source,
            read_options=pv.ReadOptions(encoding=enc, block_size=1 << 24),
            parse_options=pv.ParseOptions(
                delimiter=delimiter, ignore_empty_lines=False, invalid_row_handler=_handler
            ),
            convert_options=pv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        try:
            table = _read(encoding)
        except pa.ArrowInvalid as exc:
            if "UTF8" not in str(exc) and "utf8" not in str(exc).lower():
                raise
            bad.clear()
            table = _read("latin-1")
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(f"cannot parse CSV: {exc}", path=path) from None
    except OSError as exc:  # a truncated or corrupt gzip stream
        raise InputError(f"cannot read the file: {exc}", path=path) from None
    if bad:
        first = bad[0]
        row = first.number if first.number is not None else _find_ragged_row(path, delimiter)
        raise InputError(
            f"expected {first.expected_columns} fields, found {first.actual_columns}",
            path=path,
            row=row,
        )
    try:
        names = table.column_names
    except UnicodeDecodeError:  # pragma: no cover - the header was decoded above
        raise InputError("the header line is not UTF-8 text", path=path, row=1) from None
    return table.rename_columns([c.strip().lstrip("\ufeff") for c in names])


def _find_ragged_row(path: Path, delimiter: str) -> int | None:
    """Error path only: the 1-based line whose field count differs from the header's."""
    with io.TextIOWrapper(open_binary(path), encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader, [])
        for n, rec in enumerate(reader, start=2):
            if rec and len(rec) != len(header):
                return n
    return None


# -- columns -----------------------------------------------------------------------------------
def resolve_columns(
    columns: Iterable[str],
    variants: Mapping[str, Sequence[str]],
    *,
    path: str | Path,
    optional: Iterable[str] = (),
) -> dict[str, str | None]:
    """Map canonical names to the file's header, accepting known header variants.

    ``variants`` maps a canonical name to the header spellings accepted for it (matched without
    regard to case and surrounding spaces). A required column that is absent raises
    :class:`InputError` (row 1, the header) listing the accepted spellings; optional ones map to
    ``None``.

    >>> resolve_columns(["T", "i"], {"t": ["t", "year"], "i": ["i"]}, path="f.csv")
    {'t': 'T', 'i': 'i'}
    """
    optional = set(optional)
    lookup = {c.strip().lower(): c for c in columns}
    out: dict[str, str | None] = {}
    for canon, names in variants.items():
        hit = next((lookup[n.strip().lower()] for n in names if n.strip().lower() in lookup), None)
        if hit is None and canon not in optional:
            accepted = " or ".join(repr(n) for n in names)
            raise InputError(
                f"missing column (expected {accepted}); found {', '.join(map(repr, columns))}",
                path=path,
                row=1,
                field=canon,
            )
        out[canon] = hit
    return out


def require_columns(columns: Iterable[str], required: Iterable[str], *, path: str | Path) -> None:
    """Raise :class:`InputError` (row 1) naming the first required column that is missing."""
    have = list(columns)
    for name in required:
        if name not in have:
            raise InputError(
                f"missing column; found {', '.join(map(repr, have))}", path=path, row=1, field=name
            )


# -- parsing -----------------------------------------------------------------------------------
def _parse(
    values: ArrayLike,
    *,
    pattern: str,
    target: pa.DataType,
    kind: str,
    path: str | Path,
    field: str,
    allow_missing: bool,
    missing: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    arr = pc.utf8_trim_whitespace(_to_arrow_strings(values))
    is_null = pc.is_null(arr)
    is_missing = pc.or_(is_null, pc.is_in(arr, value_set=pa.array(list(missing), pa.string())))
    ok = pc.match_substring_regex(arr, pattern)
    bad = pc.and_not(pc.invert(pc.fill_null(ok, False)), is_missing)
    i = first_true(bad)
    if i is not None:
        raise InputError(
            f"not {kind}: {_value_at(arr, i)!r}", path=path, row=row_of(i), field=field
        )
    miss = np.asarray(pc.fill_null(is_missing, True))
    if not allow_missing:
        i = first_true(miss)
        if i is not None:
            raise InputError("missing value", path=path, row=row_of(i), field=field)
    clean = pc.if_else(is_missing, pa.scalar(None, pa.string()), arr)
    if pa.types.is_floating(target):
        num = pc.cast(clean, target)
        i = first_true(pc.is_inf(num))
        if i is not None:  # "1e400": a valid spelling, but no finite float
            raise InputError(
                f"number out of range: {_value_at(arr, i)!r}", path=path, row=row_of(i), field=field
            )
        return num, miss
    try:
        num = pc.cast(clean, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # overflow: locate it
        num = pc.cast(clean, pa.float64())
        lim = np.iinfo(np.dtype(target.to_pandas_dtype()))
        vals = np.asarray(pc.fill_null(num, 0.0))
        i = first_true((vals > lim.max) | (vals < lim.min))
        raise InputError(
            f"integer out of range: {_value_at(arr, i or 0)!r}",
            path=path,
            row=row_of(i or 0),
            field=field,
        ) from None
    return num, miss


def parse_float(
    values: ArrayLike,
    *,
    path: str | Path,
    field: str,
    allow_missing: bool = False,
    missing: Sequence[str] = MISSING_TOKENS,
) -> np.ndarray:
    """Parse decimal strings to float64, surrounding whitespace allowed.

    Text such as ``"1,5"``, ``"inf"`` or ``"nan"`` is rejected with the row and field; missing
    tokens (``""``, ``"NA"``, ...) become NaN if ``allow_missing`` and are an error otherwise.
    """
    num, _ = _parse(
        values,
        pattern=_FLOAT_RE,
        target=pa.float64(),
        kind="a number",
        path=path,
        field=field,
        allow_missing=allow_missing,
        missing=missing,
    )
    return np.asarray(pc.fill_null(num, np.nan), dtype=np.float64)


def parse_int(
    values: ArrayLike,
    *,
    path: str | Path,
    field: str,
    missing: Sequence[str] = MISSING_TOKENS,
) -> np.ndarray:
    """Parse integer strings to int64 (no missing values allowed).

    >>> parse_int(pa.array(["2022", " 7"]), path="f", field="t")
    array([2022,    7])
    """
    num, _ = _parse(
        values,
        pattern=_INT_RE,
        target=pa.int64(),
        kind="an integer",
        path=path,
        field=field,
        allow_missing=False,
        missing=missing,
    )
    return np.asarray(num, dtype=np.int64)


# -- checks ------------------------------------------------------------------------------------
def check_non_negative(
    values: np.ndarray, *, path: str | Path, field: str, raw: ArrayLike | None = None
) -> None:
    """Raise on the first negative value (NaN is allowed here; see :func:`check_not_nan`)."""
    v = np.asarray(values)
    i = first_true(v < 0)
    if i is not None:
        shown = _value_at(_to_arrow_strings(raw), i) if raw is not None else repr(v[i])
        raise InputError(f"negative value: {shown}", path=path, row=row_of(i), field=field)


def check_not_nan(values: np.ndarray, *, path: str | Path, field: str) -> None:
    """Raise on the first NaN (or infinite) value."""
    i = first_true(~np.isfinite(np.asarray(values, dtype=np.float64)))
    if i is not None:
        raise InputError("missing or non-finite value", path=path, row=row_of(i), field=field)


def check_range(
    values: np.ndarray, lo: float, hi: float, *, path: str | Path, field: str, what: str = "value"
) -> None:
    """Raise on the first value outside ``[lo, hi]``."""
    v = np.asarray(values)
    i = first_true((v < lo) | (v > hi))
    if i is not None:
        raise InputError(
            f"{what} {v[i].item()!r} outside {lo}..{hi}", path=path, row=row_of(i), field=field
        )


def check_known(
    values: ArrayLike,
    known: Iterable,
    *,
    path: str | Path,
    field: str,
    what: str = "code",
) -> None:
    """Raise on the first value not in ``known`` (e.g. an unknown country code)."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        kn = pa.array(list(known), type=values.type)
        bad = pc.invert(pc.fill_null(pc.is_in(values, value_set=kn), False))
        i = first_true(bad)
        shown = None if i is None else _value_at(values, i)
    else:
        v = np.asarray(values)
        i = first_true(~np.isin(v, np.asarray(list(known), dtype=v.dtype)))
        shown = None if i is None else v[i]
    if i is not None:
        raise InputError(f"unknown {what}: {shown!r}", path=path, row=row_of(i), field=field)


def normalise_hs6(
    values: ArrayLike, *, path: str | Path, field: str, restore_leading_zero: bool = True
) -> pa.Array | pa.ChunkedArray:
    """HS6 codes as 6-character strings, restoring a leading zero lost to number formatting.

    A 5-digit code (``"10121"``, chapter 01 written as a number) becomes ``"010121"``. Anything
    that is not 6 digits after that, or whose chapter is ``"00"``, raises :class:`InputError`.

    >>> normalise_hs6(pa.array(["10121", "854231"]), path="f", field="k").to_pylist()
    ['010121', '854231']
    """
    arr = pc.utf8_trim_whitespace(_to_arrow_strings(values))
    if restore_leading_zero:
        arr = pc.utf8_lpad(arr, width=6, padding="0")
        # only a single lost zero is plausible: 4 digits or fewer were not an HS6 code
        short = pc.less(pc.utf8_length(pc.utf8_trim_whitespace(_to_arrow_strings(values))), 5)
    else:
        short = pc.less(pc.utf8_length(arr), 6)
    ok = pc.and_(
        pc.match_substring_regex(arr, r"^\d{6}$"),
        pc.invert(pc.starts_with(arr, "00")),
    )
    bad = pc.or_(pc.invert(pc.fill_null(ok, False)), pc.fill_null(short, True))
    i = first_true(bad)
    if i is not None:
        raise InputError(
            f"malformed HS6 code: {_value_at(_to_arrow_strings(values), i)!r}",
            path=path,
            row=row_of(i),
            field=field,
        )
    return arr


def check_unique(
    keys: Mapping[str, ArrayLike | np.ndarray], *, path: str | Path, what: str = "key"
) -> None:
    """Raise on the first record whose key (all of ``keys`` together) repeats an earlier one.

    Columns are factorised and combined into one int64 code, then hashed once (vectorised).
    The error names the repeated record's row, the first occurrence's row and the key fields.
    """
    names = list(keys)
    combined: np.ndarray | None = None
    for name in names:
        col = keys[name]
        if isinstance(col, pa.Array | pa.ChunkedArray):
            col = col.to_numpy(zero_copy_only=False)
        codes, uniques = pd.factorize(np.asarray(col), sort=False)
        codes = codes.astype(np.int64)
        n = max(len(uniques), 1)
        if combined is None:
            combined = codes
        elif combined.max(initial=0) < (np.iinfo(np.int64).max // n):
            combined = combined * n + codes
        else:  # too many distinct combinations for one int64: re-factorise pairs
            combined, _ = pd.factorize(pd.MultiIndex.from_arrays([combined, codes]))
            combined = combined.astype(np.int64)
    if combined is None or combined.size == 0:
        return
    dup = pd.Series(combined).duplicated(keep="first").to_numpy()
    i = first_true(dup)
    if i is not None:
        j = first_true(combined == combined[i])
        shown = ", ".join(
            f"{n}={_value_at(_to_arrow_strings(_as_arrow(keys[n])), i)}" for n in names
        )
        raise InputError(
            f"duplicate {what} ({shown}); first seen at row {row_of(j or 0)}",
            path=path,
            row=row_of(i),
            field=",".join(names),
        )


def _as_arrow(col: ArrayLike) -> pa.Array | pa.ChunkedArray:
    if isinstance(col, pa.Array | pa.ChunkedArray):
        return col
    return pa.array(np.asarray(col))


def check_unique_key(
    key: np.ndarray,
    *,
    path: str | Path,
    fields: str,
    describe=None,
    what: str = "key",
) -> None:
    """Raise on the first record whose precomputed int64 ``key`` repeats an earlier record's.

    ``describe(i)`` (optional) renders record ``i``'s key for the message. Hash-based, one pass.
    """
    k = np.asarray(key)
    if k.size == 0:
        return
    dup = pd.Series(k).duplicated(keep="first").to_numpy()
    i = first_true(dup)
    if i is not None:
        j = first_true(k == k[i]) or 0
        shown = f" ({describe(i)})" if describe is not None else ""
        raise InputError(
            f"duplicate {what}{shown}; first seen at row {row_of(j)}",
            path=path,
            row=row_of(i),
            field=fields,
        )
