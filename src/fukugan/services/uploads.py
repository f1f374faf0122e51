"""Use case: import an uploaded file (the web's Data page and ``POST /api/v1/datasets/{kind}``).

The upload is copied to a private temporary directory under its own (sanitised) file name — the
importers read the country, year and version from names such as ``JPN2020dom.csv`` or
``BACI_HS17_Y2022_V202401.csv`` — then goes through the same validated, all-or-nothing
importer as ``fukugan data import`` (:func:`fukugan.services.datasets.import_file`). Errors name
the uploaded file (not the temporary path), the row and the field; the temporary directory is
removed whatever happens.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import BinaryIO

from fukugan.errors import InputError
from fukugan.services.datasets import ImportKind, import_file
from fukugan.services.report import Report
from fukugan.store.analytic import AnalyticStore

#: Largest accepted upload (bytes); ``FUKUGAN_UPLOAD_MAX_MB`` overrides (BACI years are large).
DEFAULT_MAX_MB = 1024
CHUNK = 1 << 20


class UploadTooLargeError(InputError):
    """The upload exceeds the size limit (HTTP 413)."""


def max_upload_bytes() -> int:
    """The size limit in bytes (``FUKUGAN_UPLOAD_MAX_MB``, default 1024 MB)."""
    try:
        mb = float(os.environ.get("FUKUGAN_UPLOAD_MAX_MB", DEFAULT_MAX_MB))
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int(mb * 1024 * 1024)


def safe_name(filename: str | None, default: str = "upload.csv") -> str:
    """The base name of an uploaded file, reduced to safe characters.

    >>> safe_name("../../etc/JPN2020dom.csv"), safe_name("C:\\\\x\\\\BACI Y2022.csv"), safe_name("")
    ('JPN2020dom.csv', 'BACI_Y2022.csv', 'upload.csv')
    """
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip(".")
    return name[:200] or default


def display_name(filename: str | None, default: str = "upload.csv") -> str:
    """The base name of an uploaded file as the user knows it, for messages: directories,
    control characters and the names ``.`` / ``..`` removed, any script kept.

    >>> display_name("C:/data/供給網.csv"), display_name("../.."), display_name("a\\x07b.csv")
    ('供給網.csv', 'upload.csv', 'ab.csv')
    """
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:200] if name not in ("", ".", "..") else default


def _copy(src: BinaryIO, dest: Path, limit: int, shown: str) -> None:
    n = 0
    with open(dest, "wb") as out:
        while chunk := src.read(CHUNK):
            n += len(chunk)
            if n > limit:
                raise UploadTooLargeError(
                    f"file larger than the upload limit of {limit / 1024 / 1024:g} MB "
                    "(import it with `fukugan data import`, or raise FUKUGAN_UPLOAD_MAX_MB)",
                    path=shown,
                )
            out.write(chunk)
    if n == 0:
        raise InputError("the uploaded file is empty", path=shown)


def import_upload(
    store: AnalyticStore,
    kind: ImportKind | str,
    filename: str | None,
    stream: BinaryIO,
    *,
    country_codes: tuple[str | None, BinaryIO] | None = None,
    max_bytes: int | None = None,
) -> Report:
    """Import one uploaded file of ``kind`` into ``store`` (all-or-nothing).

    ``stream``: the file's bytes; ``country_codes``: ``(filename, stream)`` of BACI's
    country-code file. Raises :class:`~fukugan.errors.InputError` (naming the uploaded file, row
    and field) or :class:`UploadTooLargeError`; the store is unchanged on any error.
    """
    try:
        kind = ImportKind(kind)
    except ValueError:
        raise InputError(
            f"unknown kind {kind!r}; choose one of: " + ", ".join(k.value for k in ImportKind),
            field="kind",
        ) from None
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    name = safe_name(filename)
    tmp = Path(tempfile.mkdtemp(prefix="fukugan-upload-"))
    try:
        path = tmp / name
        _copy(stream, path, limit, name)
        codes_path = None
        if country_codes is not None:
            cname = safe_name(country_codes[0], "country_codes.csv")
            if cname == name:
                cname = "codes-" + cname
            codes_path = tmp / cname
            _copy(country_codes[1], codes_path, limit, cname)
        try:
            rep = import_file(store, kind, path, country_codes=codes_path)
        except InputError as exc:
            raise _renamed(exc, tmp) from None
        rep.title_args = {**rep.title_args, "path": name}
        return rep
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _renamed(exc: InputError, tmp: Path) -> InputError:
    """``exc`` with the temporary directory taken out of its path and message."""
    prefix = str(tmp) + os.sep
    path = exc.path.replace(prefix, "") if exc.path else None
    message = exc.message.replace(prefix, "")
    if type(exc) is InputError:
        return InputError(message, path=path, row=exc.row, field=exc.field)
    new = InputError.__new__(type(exc))
    InputError.__init__(new, message, path=path, row=exc.row, field=exc.field)
    return new
