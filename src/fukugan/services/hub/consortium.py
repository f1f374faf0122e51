"""Consortium analytics: members' supply networks aggregated with k-anonymity (cells and rows
from fewer than k members are suppressed)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select

from fukugan.hub import audit
from fukugan.hub import consortium as consortium_model
from fukugan.hub.networks import MemberLink
from fukugan.hub.policy import (
    HubError,
    PermissionDenied,
    Principal,
)
from fukugan.services.hub.base import HubBase
from fukugan.services.hub.common import _actor

GUARANTEE = {
    "en": (
        "A cell is shown only when at least {k} member organisations contribute to it and no "
        "single member makes up more than 80 % of its value; other cells are suppressed, "
        "plus enough further cells that no suppressed value can be recovered by subtracting "
        "from a row or column total. Limits: this protects one table at a time; comparing "
        "tables before and after a member joins or uploads a new network, or bounding "
        "suppressed cells with linear programming, can narrow a member's value. Tables are "
        "over all tiers only, so no per-tier subtraction is possible."
    ),
    "ja": (
        "各セルは{k}以上の会員組織が寄与し、かつ単一会員がその値の80%超を占めない場合にのみ表示します。"
        "それ以外のセルは秘匿し、行・列の合計からの引き算で秘匿値を復元できないよう追加のセルも秘匿します。"
        "限界：保護は表ごとです。会員の加入や新しいネットワークの登録の前後で表を比較したり、"
        "線形計画法で秘匿セルの範囲を絞り込んだりすると、会員の値が推定され得ます。"
        "表は全階層の合計のみで、階層別の引き算はできません。"
    ),
}


class ConsortiumMixin(HubBase):
    """Consortium aggregates."""

    def consortium(
        self, user: Principal, *, view: str = "country", tier: int | None = None
    ) -> dict[str, Any]:
        """A protected table over all members' private networks (:mod:`fukugan.hub.consortium`):
        ``view="country"``: pooled value and member counts by product × supplier country;
        ``view="supplier"``: by product × supplier firm (how many members share a supplier, at
        any tier). Cells of fewer than ``consortium_k`` members (default 5) or dominated by one
        member are suppressed, with complementary suppression; a row or column (a product, a
        country, a supplier firm) used by fewer than k members is withheld altogether, label
        included (``withheld_rows`` / ``withheld_cols`` count them).

        The query set is fixed on purpose: ``tier`` must be ``None`` (all tiers), because a
        per-tier table next to the all-tier one would let anyone subtract the two and isolate
        a few members (differencing; see the module's limits). Links without a value count
        for member counts with value 0. Any active hub user may ask; the answer reveals no
        member's relations beyond what the guarantee allows."""
        if not user.active:
            raise PermissionDenied("inactive user")
        if view not in ("country", "supplier"):
            raise HubError("view must be 'country' or 'supplier'")
        if tier is not None:
            raise HubError(
                "consortium tables are over all tiers only: a per-tier table next to the "
                "all-tier one would disclose members by subtraction"
            )
        with self.sessions.begin() as s:
            rows = [
                {
                    "member": str(r.org_id),
                    "tier": r.tier,
                    "supplier_firm": " ".join(r.supplier.split()).casefold(),
                    "supplier_country": r.supplier_country,
                    "product_hs": r.product_hs,
                    "value": 0.0 if r.value is None else float(r.value),
                }
                for r in s.execute(select(MemberLink)).scalars()
            ]
            frame = pd.DataFrame(rows, columns=list(consortium_model.COLUMNS))
            fn = (
                consortium_model.country_sourcing
                if view == "country"
                else consortium_model.supplier_dependence
            )
            table = fn(frame, tier=None, k=self.consortium_k) if rows else None
            audit.append(
                s,
                actor=_actor(user),
                action="consortium",
                detail={"view": view, "members": 0 if table is None else table.n_members},
                now=self.clock(),
            )
        return _consortium_doc(table, view, self.consortium_k)


def _cell(c: consortium_model.Cell) -> dict[str, Any]:
    return {
        "value": c.value,
        "members": c.members,
        "suppressed": c.suppressed,
        "reason": c.reason,
    }


def _consortium_doc(
    table: consortium_model.ProtectedTable | None, view: str, k: int
) -> dict[str, Any]:
    """JSON-ready form of a protected table (empty when no member uploaded a network)."""
    doc: dict[str, Any] = {
        "view": view,
        "k": k,
        "guarantee_en": GUARANTEE["en"].format(k=k),
        "guarantee_ja": GUARANTEE["ja"].format(k=k),
    }
    if table is None:
        return doc | {
            "n_members": 0,
            "row_name": "product_hs",
            "col_name": "supplier_country" if view == "country" else "supplier_firm",
            "rows": [],
            "cols": [],
            "withheld_rows": 0,
            "withheld_cols": 0,
            "cells": [],
            "row_totals": {},
            "col_totals": {},
            "total": {"value": None, "members": None, "suppressed": True, "reason": "threshold"},
            "hhi": {},
            "exposure_share": {},
        }

    # A row or column whose total comes from fewer than k members is not shown at all: its
    # label alone (say, a supplier firm only one member uses) would disclose a relation.
    # Its cells stay in the totals (they were suppressed anyway), so nothing is recoverable.
    def shown(total: consortium_model.Cell) -> bool:
        return total.reason != "threshold"

    if not shown(table.total):
        rows, cols = [], []
    else:
        rows = [r for r in table.rows if shown(table.row_totals[r])]
        cols = [c for c in table.cols if shown(table.col_totals[c])]
    keep_r, keep_c = set(rows), set(cols)
    hhi = consortium_model.pooled_hhi(table)
    share = consortium_model.member_exposure_share(table)
    return doc | {
        "n_members": table.n_members,
        "row_name": table.row_name,
        "col_name": table.col_name,
        "rows": rows,
        "cols": cols,
        "withheld_rows": len(table.rows) - len(rows),
        "withheld_cols": len(table.cols) - len(cols),
        "cells": [
            {"row": r, "col": c, **_cell(cell)}
            for (r, c), cell in sorted(table.cells.items())
            if r in keep_r and c in keep_c
        ],
        "row_totals": {r: _cell(table.row_totals[r]) for r in rows},
        "col_totals": {c: _cell(table.col_totals[c]) for c in cols},
        "total": _cell(table.total),
        "hhi": {r: hhi.get(r) for r in rows},
        "exposure_share": {c: share.get(c) for c in cols},
    }
