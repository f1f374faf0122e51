"""Consortium analytics: aggregates over members' private supply networks without disclosure.

Input: a long frame, one row per (member, tier, supplier_firm, supplier_country, product_hs, value)
— each member's own suppliers, visible to nobody else. Output: two-way tables (product x country,
product x supplier firm) of pooled value and number of distinct members, with row, column and
grand totals, and derived figures (pooled HHI by country per product, share of members exposed to
a country).

Disclosure control (the method statistical offices use for business tables):

1. **Primary suppression, threshold rule**: a cell (or total) built from fewer than ``k`` distinct
   members (default 5) is suppressed.
2. **Primary suppression, (n, p)-dominance rule**: a cell is suppressed when its ``n`` largest
   members contribute more than ``p`` of its value (default n = 1, p = 0.8: one member makes up
   more than 80 %), because that member's value could otherwise be estimated closely by anyone —
   and by the other members, who know their own contributions.
3. **Complementary (secondary) suppression**: every table is a set of additive relations — each row
   (its cells + the row total), each column (its cells + the column total), the row totals + the
   grand total, the column totals + the grand total. A relation with exactly one suppressed entry
   gives it away by subtraction, so until no relation has exactly one, the released entry with
   the smallest value in such a relation is suppressed too (a greedy heuristic; it terminates
   because every step suppresses one more entry). Every measure of a cell (value, member count)
   shares the same pattern.

A suppressed entry is released as ``value=None, members=None`` with ``suppressed=True`` and a
``reason`` (``"threshold"``, ``"dominance"`` or ``"complementary"``). Cells that no member has are
absent (a structural zero everybody can infer), so they never serve as complements.

Limits (what this does **not** guarantee):

* **Interval (linear-programming) attacks**: with non-negative values, the released totals bound
  each suppressed cell; two suppressed cells of very different size can leave a narrow interval
  for the larger one. A full audit would solve the LPs (as tau-argus does); we do not.
* **Differencing across queries**: the same table asked for with and without a filter (a tier, a
  product group), or before and after one member joins, uploads or leaves, can isolate one member
  by subtraction. The hub must fix the query set (no free-form filters) and rate-limit or
  version-lock the member base; this module protects one table at a time.
* **Insider knowledge**: members know their own rows; the dominance rule handles the "top
  contributor estimates the rest" case only for the n members chosen. Coalitions of members
  pooling their knowledge are not protected beyond the k threshold.
* **Member counts are not additive** (one member can source from several countries), so they are
  protected by the threshold rule and the shared suppression pattern, not by the relations.
* The pooled HHI of a product is released only if no entry of its row is suppressed: HHI with the
  released cells and totals would give extra equations on the suppressed ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from fukugan.errors import InputError

COLUMNS = ("member", "tier", "supplier_firm", "supplier_country", "product_hs", "value")
TOTAL = "__total__"


@dataclass(frozen=True)
class Cell:
    """One released or suppressed entry of a protected table."""

    value: float | None
    members: int | None
    suppressed: bool = False
    reason: str | None = None


@dataclass
class ProtectedTable:
    """A two-way table (rows x cols) with totals; ``cells`` holds only combinations present in
    the data. ``row_totals``/``col_totals``/``total`` are protected like the cells."""

    row_name: str
    col_name: str
    rows: list[str]
    cols: list[str]
    cells: dict[tuple[str, str], Cell]
    row_totals: dict[str, Cell]
    col_totals: dict[str, Cell]
    total: Cell
    k: int
    n_members: int
    relations: list[list[tuple[str, str]]] = field(default_factory=list, repr=False)

    def entry(self, key: tuple[str, str]) -> Cell:
        """Cell, row total (col = TOTAL), column total (row = TOTAL) or grand total."""
        r, c = key
        if r == TOTAL and c == TOTAL:
            return self.total
        if c == TOTAL:
            return self.row_totals[r]
        if r == TOTAL:
            return self.col_totals[c]
        return self.cells[key]

    def to_frame(self) -> pd.DataFrame:
        """Long frame: row, col (``__total__`` for margins), value, members, suppressed, reason."""
        recs = []
        keys = list(self.cells) + [(r, TOTAL) for r in self.rows]
        keys += [(TOTAL, c) for c in self.cols] + [(TOTAL, TOTAL)]
        for r, c in keys:
            e = self.entry((r, c))
            recs.append(
                {
                    self.row_name: r,
                    self.col_name: c,
                    "value": e.value,
                    "members": e.members,
                    "suppressed": e.suppressed,
                    "reason": e.reason,
                }
            )
        return pd.DataFrame.from_records(recs)


def validate_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Check and normalise the long frame (InputError naming the row and field)."""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"missing columns {missing}", field=missing[0])
    out = df.loc[:, list(COLUMNS)].copy()
    values = pd.to_numeric(out["value"], errors="coerce")
    for i, (raw, v) in enumerate(zip(out["value"], values, strict=True)):
        if pd.isna(v) or v < 0:
            raise InputError(
                f"value {raw!r} is not a non-negative number", row=i + 2, field="value"
            )
    out["value"] = values.astype(float)
    for col in ("member", "supplier_firm", "supplier_country", "product_hs"):
        if out[col].isna().any():
            i = int(out[col].isna().to_numpy().nonzero()[0][0])
            raise InputError("empty", row=i + 2, field=col)
        out[col] = out[col].astype(str)
    return out


def _primary(per_member: pd.Series, k: int, n: int, p: float) -> tuple[Cell, float]:
    """Cell from member contributions; primary suppression reason if any."""
    value = float(per_member.sum())
    members = int(per_member.size)
    if members < k:
        return Cell(None, None, True, "threshold"), value
    top = float(per_member.nlargest(n).sum())
    if value > 0 and top > p * value:
        return Cell(None, None, True, "dominance"), value
    return Cell(value, members), value


def protected_table(
    df: pd.DataFrame,
    row: str,
    col: str,
    *,
    k: int = 5,
    dominance_n: int = 1,
    dominance_p: float = 0.8,
) -> ProtectedTable:
    """Pooled value and member counts by ``row`` x ``col`` with primary and complementary
    suppression (see the module docstring)."""
    if k < 1:
        raise InputError(f"k must be >= 1, got {k}", field="k")
    if not 0 < dominance_p <= 1 or dominance_n < 1:
        raise InputError("dominance rule needs n >= 1 and 0 < p <= 1", field="dominance")
    df = validate_frame(df)
    by_cell = df.groupby([row, col, "member"])["value"].sum()
    by_row = df.groupby([row, "member"])["value"].sum()
    by_col = df.groupby([col, "member"])["value"].sum()
    by_all = df.groupby("member")["value"].sum()
    rows = sorted(df[row].unique().tolist())
    cols = sorted(df[col].unique().tolist())

    entries: dict[tuple[str, str], Cell] = {}
    true_value: dict[tuple[str, str], float] = {}
    for (r, c), s in by_cell.groupby(level=[0, 1]):
        entries[(r, c)], true_value[(r, c)] = _primary(s, k, dominance_n, dominance_p)
    for r, s in by_row.groupby(level=0):
        entries[(r, TOTAL)], true_value[(r, TOTAL)] = _primary(s, k, dominance_n, dominance_p)
    for c, s in by_col.groupby(level=0):
        entries[(TOTAL, c)], true_value[(TOTAL, c)] = _primary(s, k, dominance_n, dominance_p)
    entries[(TOTAL, TOTAL)], true_value[(TOTAL, TOTAL)] = _primary(
        by_all, k, dominance_n, dominance_p
    )

    relations: list[list[tuple[str, str]]] = []
    for r in rows:
        relations.append([key for key in entries if key[0] == r and key[1] != TOTAL] + [(r, TOTAL)])
    for c in cols:
        relations.append([key for key in entries if key[1] == c and key[0] != TOTAL] + [(TOTAL, c)])
    relations.append([(r, TOTAL) for r in rows] + [(TOTAL, TOTAL)])
    relations.append([(TOTAL, c) for c in cols] + [(TOTAL, TOTAL)])

    changed = True
    while changed:
        changed = False
        for rel in relations:
            if sum(entries[key].suppressed for key in rel) != 1:
                continue
            released = [key for key in rel if not entries[key].suppressed]
            # smallest value first; ties broken by key so the result is deterministic
            victim = min(released, key=lambda key: (true_value[key], str(key)))
            entries[victim] = Cell(None, None, True, "complementary")
            changed = True

    return ProtectedTable(
        row_name=row,
        col_name=col,
        rows=rows,
        cols=cols,
        cells={key: e for key, e in entries.items() if TOTAL not in key},
        row_totals={r: entries[(r, TOTAL)] for r in rows},
        col_totals={c: entries[(TOTAL, c)] for c in cols},
        total=entries[(TOTAL, TOTAL)],
        k=k,
        n_members=int(df["member"].nunique()),
        relations=relations,
    )


def _tier(df: pd.DataFrame, tier: int | None) -> pd.DataFrame:
    df = validate_frame(df)
    if tier is None:
        return df
    return df[pd.to_numeric(df["tier"], errors="coerce") == tier]


def country_sourcing(
    df: pd.DataFrame,
    *,
    tier: int | None = None,
    k: int = 5,
    dominance_n: int = 1,
    dominance_p: float = 0.8,
) -> ProtectedTable:
    """Pooled sourcing value and number of members by product x supplier country."""
    return protected_table(
        _tier(df, tier),
        "product_hs",
        "supplier_country",
        k=k,
        dominance_n=dominance_n,
        dominance_p=dominance_p,
    )


def supplier_dependence(
    df: pd.DataFrame,
    *,
    tier: int | None = 2,
    k: int = 5,
    dominance_n: int = 1,
    dominance_p: float = 0.8,
) -> ProtectedTable:
    """How many members depend on the same supplier firm (of ``tier``, default 2) per product."""
    return protected_table(
        _tier(df, tier),
        "product_hs",
        "supplier_firm",
        k=k,
        dominance_n=dominance_n,
        dominance_p=dominance_p,
    )


def pooled_hhi(table: ProtectedTable) -> dict[str, float | None]:
    """HHI (shares as fractions, 0-1) of each row's pooled value over the columns; None where
    any entry of the row (cells or row total) is suppressed."""
    out: dict[str, float | None] = {}
    for r in table.rows:
        row_cells = [e for (rr, _), e in table.cells.items() if rr == r]
        tot = table.row_totals[r]
        if tot.suppressed or any(e.suppressed for e in row_cells) or not tot.value:
            out[r] = None
            continue
        out[r] = sum((e.value / tot.value) ** 2 for e in row_cells)  # type: ignore[operator]
    return out


def member_exposure_share(table: ProtectedTable) -> dict[str, float | None]:
    """Share of all consortium members exposed to each column (e.g. a country), from the column
    totals' member counts; None where the column total is suppressed."""
    return {
        c: (None if e.suppressed or e.members is None else e.members / table.n_members)
        for c, e in table.col_totals.items()
    }


def cell_exposure_share(table: ProtectedTable) -> dict[tuple[str, str], float | None]:
    """Per (row, col): share of the row's members exposed to the column; None if either the
    cell or the row total is suppressed."""
    out: dict[tuple[str, str], float | None] = {}
    for (r, c), e in table.cells.items():
        tot = table.row_totals[r]
        ok = not e.suppressed and not tot.suppressed and tot.members
        out[(r, c)] = e.members / tot.members if ok else None  # type: ignore[operator]
    return out
