"""Members' private supply networks: the ``hub_member_links`` table and the CSV importer.

A member organisation uploads its suppliers by tier. Each link says: at ``tier`` k (1..n),
``supplier`` (in ISO3 ``supplier_country``) supplies HS product ``product_hs`` (2–6 digits) to
``customer``, which is the member itself for tier 1 and a tier-(k-1) supplier for k >= 2.

These rows are readable only by the users of the owning organisation
(:meth:`fukugan.services.hub.Hub.my_network`); the exposure-alert computation
(:mod:`fukugan.hub.alerts`) uses them server-side and reveals a path only to users of that same
organisation.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fukugan.data.validate import read_csv_strings, require_columns
from fukugan.errors import InputError
from fukugan.store.workspace.models import Base

COLUMNS = ("tier", "supplier", "supplier_country", "product_hs", "customer", "value")
REQUIRED = ("tier", "supplier", "supplier_country", "product_hs", "customer")
_HS_RE = re.compile(r"^\d{2,6}$")
_INT_RE = re.compile(r"^\+?\d+$")
_MISSING = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "..", "-"}


class MemberLink(Base):
    __tablename__ = "hub_member_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("hub_organisations.id"), index=True)
    tier: Mapped[int] = mapped_column(Integer)
    supplier: Mapped[str] = mapped_column(String(200))
    supplier_country: Mapped[str] = mapped_column(String(3))
    product_hs: Mapped[str] = mapped_column(String(6))
    customer: Mapped[str] = mapped_column(String(200))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)


def _key(name: str) -> str:
    """Firm names compare without regard to case and runs of spaces."""
    return " ".join(name.split()).casefold()


def read_member_network(path: str | Path, *, own_firm: str | None = None) -> pd.DataFrame:
    """Read and validate a member's network CSV (all-or-nothing).

    Returns a frame with columns :data:`COLUMNS` (``tier`` int, ``value`` float or NaN).
    Any problem raises :class:`InputError` naming the file, row and field: a tier that is not an
    integer >= 1, an unknown ISO3 country, an HS code that is not 2–6 digits (or chapter 00), an
    empty firm name, a negative or non-numeric value, a duplicate link, and a tier-k link whose
    customer is not a tier-(k-1) supplier of the file (k >= 2) or not the member itself (k = 1:
    ``own_firm`` when given, otherwise every tier-1 link must name the same customer).
    """
    from fukugan.data.countries import is_iso3

    table = read_csv_strings(path)
    header = [c.strip().lower() for c in table.column_names]
    table = table.rename_columns(header)
    require_columns(header, REQUIRED, path=path)
    cols = {c: table.column(c).to_pylist() for c in COLUMNS if c in header}
    n = table.num_rows
    values = cols.get("value", [None] * n)
    rows: list[dict] = []
    for i in range(n):
        row = i + 2

        def cell(name: str, i: int = i) -> str:
            v = cols[name][i]
            return "" if v is None else str(v).strip()

        t = cell("tier")
        if not _INT_RE.match(t) or int(t) < 1:
            raise InputError(
                f"tier must be an integer >= 1, got {t!r}", path=path, row=row, field="tier"
            )
        supplier = " ".join(cell("supplier").split())
        if not supplier:
            raise InputError("missing value", path=path, row=row, field="supplier")
        country = cell("supplier_country").upper()
        if not is_iso3(country):
            raise InputError(
                f"unknown country: {country!r} (ISO3 expected)",
                path=path,
                row=row,
                field="supplier_country",
            )
        hs = cell("product_hs")
        if not _HS_RE.match(hs) or hs.startswith("00"):
            raise InputError(
                f"not an HS code of 2-6 digits: {hs!r}", path=path, row=row, field="product_hs"
            )
        customer = " ".join(cell("customer").split())
        if not customer:
            raise InputError("missing value", path=path, row=row, field="customer")
        raw = values[i]
        raw = "" if raw is None else str(raw).strip()
        value = math.nan
        if raw not in _MISSING:
            try:
                value = float(raw)
            except ValueError:
                raise InputError(
                    f"not a number: {raw!r}", path=path, row=row, field="value"
                ) from None
            if not math.isfinite(value) or value < 0:
                raise InputError(
                    f"value must be a finite number >= 0, got {raw!r}",
                    path=path,
                    row=row,
                    field="value",
                )
        rows.append(
            {
                "tier": int(t),
                "supplier": supplier,
                "supplier_country": country,
                "product_hs": hs,
                "customer": customer,
                "value": value,
                "_row": row,
            }
        )
    # duplicates
    seen: dict[tuple, int] = {}
    for r in rows:
        k = (
            r["tier"],
            _key(r["supplier"]),
            r["supplier_country"],
            r["product_hs"],
            _key(r["customer"]),
        )
        if k in seen:
            raise InputError(
                f"duplicate link (same as row {seen[k]})",
                path=path,
                row=r["_row"],
                field="supplier",
            )
        seen[k] = r["_row"]
    # tier structure
    suppliers_at: dict[int, set[str]] = {}
    for r in rows:
        suppliers_at.setdefault(r["tier"], set()).add(_key(r["supplier"]))
    me = _key(own_firm) if own_firm else None
    for r in rows:
        c = _key(r["customer"])
        if r["tier"] == 1:
            if me is None:
                me = c
            if c != me:
                who = own_firm if own_firm else "the customer of the first tier-1 link"
                raise InputError(
                    f"a tier-1 link's customer must be the member itself ({who}), "
                    f"got {r['customer']!r}",
                    path=path,
                    row=r["_row"],
                    field="customer",
                )
        elif c not in suppliers_at.get(r["tier"] - 1, set()):
            raise InputError(
                f"customer {r['customer']!r} of a tier-{r['tier']} link is not a "
                f"tier-{r['tier'] - 1} supplier",
                path=path,
                row=r["_row"],
                field="customer",
            )
    frame = pd.DataFrame(rows, columns=[*COLUMNS, "_row"]).drop(columns="_row")
    frame["tier"] = frame["tier"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame
