"""Errors that reach the user as a clear message (never a traceback)."""

from __future__ import annotations

from pathlib import Path


class FukuganError(Exception):
    """Base class for every error caused by user input or state, shown without a traceback."""

    exit_code = 2


class InputError(FukuganError, ValueError):
    """A bad input file or value: names the file, the row (1-based, as a spreadsheet shows it,
    header = row 1) and the field, so the user can find and fix it. It is a ``ValueError`` (as
    scikit-learn's validation errors are), so library callers can catch either.

    >>> issubclass(InputError, ValueError)
    True

    >>> str(InputError("bad number 'x'", path="t.csv", row=3, field="v"))
    "t.csv: row 3, field 'v': bad number 'x'"
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.row = row
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        loc = []
        if self.row is not None:
            loc.append(f"row {self.row}")
        if self.field is not None:
            loc.append(f"field {self.field!r}")
        if loc:
            where.append(", ".join(loc))
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class NotLoadedError(FukuganError):
    """A dataset the command needs is not in the store yet."""


class UnknownItemError(FukuganError):
    """A commodity, product, country or industry the user named does not exist."""
