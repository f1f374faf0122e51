"""Consortium analytics: k-threshold, dominance, complementary suppression (property-based) and a
worked example checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.errors import InputError
from fukugan.hub.consortium import (
    TOTAL,
    cell_exposure_share,
    country_sourcing,
    member_exposure_share,
    pooled_hhi,
    protected_table,
    supplier_dependence,
)


def _frame(rows):
    return pd.DataFrame(
        rows, columns=["member", "tier", "supplier_firm", "supplier_country", "product_hs", "value"]
    )


def _worked():
    rows = []
    for m in "ABCDE":  # P1 from CHN: 5 members x 10
        rows.append((m, 1, f"f-{m}", "CHN", "P1", 10))
    for m in "ABCDEF":  # P1 from JPN: 6 members x 5
        rows.append((m, 1, f"g-{m}", "JPN", "P1", 5))
    rows.append(("F", 1, "u", "USA", "P1", 20))  # P1 from USA: one member only
    for m in "ABCDE":  # P2 from CHN: 5 x 12 = 60
        rows.append((m, 2, "chip-co", "CHN", "P2", 12))
    for m in "BCDEF":  # P2 from KOR: 5 x 8 = 40
        rows.append((m, 2, "chip-co", "KOR", "P2", 8))
    return _frame(rows)


def test_worked_example():
    t = country_sourcing(_worked())
    # primary: USA cell has 1 member; its column total too
    assert t.cells[("P1", "USA")].reason == "threshold"
    assert t.col_totals["USA"].reason == "threshold"
    # complementary: row P1 had one suppressed cell; the smallest released entry (JPN, 30) goes,
    # then column JPN (cell + total) needs its total suppressed as well
    assert t.cells[("P1", "JPN")].reason == "complementary"
    assert t.col_totals["JPN"].reason == "complementary"
    # released figures
    assert t.cells[("P1", "CHN")].value == 50 and t.cells[("P1", "CHN")].members == 5
    assert t.cells[("P2", "CHN")].value == 60 and t.cells[("P2", "KOR")].value == 40
    assert t.row_totals["P1"].value == 100 and t.row_totals["P1"].members == 6
    assert t.row_totals["P2"].value == 100
    assert t.col_totals["CHN"].value == 110 and t.col_totals["CHN"].members == 5
    assert t.total.value == 200 and t.total.members == 6
    # HHI: P2 = 0.6^2 + 0.4^2 = 0.52; P1 has suppressed cells -> withheld
    hhi = pooled_hhi(t)
    assert hhi["P2"] == pytest.approx(0.52) and hhi["P1"] is None
    share = member_exposure_share(t)
    assert share["CHN"] == pytest.approx(5 / 6) and share["KOR"] == pytest.approx(5 / 6)
    assert share["USA"] is None and share["JPN"] is None
    cs = cell_exposure_share(t)
    assert cs[("P1", "CHN")] == pytest.approx(5 / 6) and cs[("P1", "USA")] is None
    # the USA value (20) cannot be recovered: P1 total - CHN = 50 = JPN + USA
    frame = t.to_frame()
    assert frame.loc[frame.suppressed, "value"].isna().all()
    assert set(frame["supplier_country"]) == {"CHN", "JPN", "USA", "KOR", TOTAL}


def test_supplier_dependence_tier2():
    t = supplier_dependence(_worked())
    assert t.cells[("P2", "chip-co")].members == 6
    assert t.cells[("P2", "chip-co")].value == 100
    assert t.rows == ["P2"]


def test_dominance_rule():
    df = _frame(
        [(m, 1, "x", "CHN", "P", v) for m, v in zip("ABCDE", [90, 1, 1, 1, 1], strict=True)]
    )
    t = country_sourcing(df)
    assert t.cells[("P", "CHN")].reason == "dominance"
    assert t.cells[("P", "CHN")].value is None
    assert t.total.suppressed  # the same members, the same dominance


def test_k_configurable():
    t = country_sourcing(_worked(), k=1, dominance_p=1.0)
    assert not any(e.suppressed for e in t.cells.values())


def test_bad_input():
    with pytest.raises(InputError) as e:
        country_sourcing(_frame([("A", 1, "x", "CHN", "P", -1)]))
    assert e.value.field == "value" and e.value.row == 2
    with pytest.raises(InputError):
        country_sourcing(pd.DataFrame({"member": ["A"]}))


MEMBERS = [f"m{i}" for i in range(9)]
_row = st.tuples(
    st.sampled_from(MEMBERS),
    st.integers(1, 3),
    st.sampled_from(["s1", "s2", "s3"]),
    st.sampled_from(["CHN", "JPN", "USA", "KOR"]),
    st.sampled_from(["P1", "P2", "P3"]),
    st.integers(0, 100),
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(_row, min_size=1, max_size=80),
    k=st.integers(1, 6),
    p=st.sampled_from([0.5, 0.8, 1.0]),
)
def test_protection_properties(rows, k, p):
    df = _frame(rows)
    t = protected_table(df, "product_hs", "supplier_country", k=k, dominance_p=p)

    # recompute every entry from the raw frame, independently of the module
    def contributions(r, c):
        sub = df
        if r != TOTAL:
            sub = sub[sub.product_hs == r]
        if c != TOTAL:
            sub = sub[sub.supplier_country == c]
        return sub.groupby("member")["value"].sum()

    keys = list(t.cells) + [(r, TOTAL) for r in t.rows] + [(TOTAL, c) for c in t.cols]
    keys.append((TOTAL, TOTAL))
    for key in keys:
        e = t.entry(key)
        s = contributions(*key)
        if e.suppressed:
            assert e.value is None and e.members is None
            continue
        # no released entry has fewer than k members
        assert e.members == s.size >= k
        assert e.value == pytest.approx(float(s.sum()))
        # no released entry is dominated
        assert not (s.sum() > 0 and s.max() > p * s.sum())
    # totals never give away a suppressed cell: no row, column or margin relation has exactly
    # one suppressed entry (so if a row has one suppressed cell, its total or a second cell is
    # suppressed too)
    for r in t.rows:
        sup = [e.suppressed for (rr, _), e in t.cells.items() if rr == r]
        if sum(sup) == 1:
            assert t.row_totals[r].suppressed or sum(sup) >= 2
        assert sum(sup) + t.row_totals[r].suppressed != 1
    for c in t.cols:
        sup = [e.suppressed for (_, cc), e in t.cells.items() if cc == c]
        assert sum(sup) + t.col_totals[c].suppressed != 1
    assert sum(e.suppressed for e in t.row_totals.values()) + t.total.suppressed != 1
    assert sum(e.suppressed for e in t.col_totals.values()) + t.total.suppressed != 1
    # HHI only for rows with nothing suppressed
    for r, h in pooled_hhi(t).items():
        if h is not None:
            assert not t.row_totals[r].suppressed
            assert 0 <= h <= 1 + 1e-12
