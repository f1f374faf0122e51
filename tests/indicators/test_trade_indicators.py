from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fukugan.errors import UnknownItemError
from fukugan.indicators.trade import (
    DEFAULT_THRESHOLDS,
    INDICATOR_COLUMNS,
    StrategicThresholds,
    dependency_indicators,
    supplier_table,
)

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def frame(rows, year=None):
    df = pd.DataFrame(rows, columns=["exporter", "importer", "hs6", "value_usd"])
    if year is not None:
        df.insert(0, "year", year)
    return df


# -- a hand-computed example ------------------------------------------------------------------
# Japan imports HS 280530 from CHN 60, USA 30, AUS 10; group = {USA, AUS, JPN}; Japan exports
# 5 of it (to CHN). WGI: CHN 6, USA 2, AUS missing -> median(6, 2) = 4.
EXAMPLE = frame(
    [
        ("CHN", "JPN", "280530", 60.0),
        ("USA", "JPN", "280530", 30.0),
        ("AUS", "JPN", "280530", 10.0),
        ("JPN", "CHN", "280530", 5.0),
        ("CHN", "USA", "280530", 1.0),
    ]
)
GROUP = frozenset({"USA", "AUS", "JPN"})
WGI = pd.Series({"CHN": 6.0, "USA": 2.0})


def test_three_supplier_example():
    res = dependency_indicators(EXAMPLE, GROUP, WGI)
    assert list(res.columns) == list(INDICATOR_COLUMNS)
    jp = res[(res["importer"] == "JPN")].iloc[0]
    assert jp["imports_usd"] == 100.0
    assert jp["n_suppliers"] == 3
    assert jp["top_supplier"] == "CHN"
    assert jp["top1_share"] == pytest.approx(0.6)
    assert jp["top3_share"] == pytest.approx(1.0)
    assert jp["hhi"] == pytest.approx(0.36 + 0.09 + 0.01)
    assert jp["hhi_wgi"] == pytest.approx(0.36 * 6 + 0.09 * 2 + 0.01 * 4)
    assert jp["n_wgi_imputed"] == 1
    assert res.attrs["wgi_default"] == 4.0
    assert jp["outside_imports_usd"] == 60.0
    assert jp["outside_share"] == pytest.approx(0.6)
    assert jp["hhi_outside"] == pytest.approx(1.0)  # CHN is the only outside supplier
    assert jp["exports_usd"] == 5.0
    assert jp["outside_to_exports"] == pytest.approx(12.0)
    assert jp["c1_concentrated"] and jp["c2_outside_reliant"] and jp["c3_not_substitutable"]
    assert jp["dependent"]
    cn = res[res["importer"] == "CHN"].iloc[0]  # imports only from JPN, in the group
    assert cn["outside_share"] == 0.0 and math.isnan(cn["hhi_outside"])
    assert cn["outside_to_exports"] == 0.0 and not cn["dependent"]
    us = res[res["importer"] == "USA"].iloc[0]  # 1 from CHN, exports 30
    assert us["outside_to_exports"] == pytest.approx(1 / 30)
    assert us["c1_concentrated"] and us["c2_outside_reliant"] and not us["c3_not_substitutable"]
    # configurable thresholds
    strict = dependency_indicators(EXAMPLE, GROUP, WGI, StrategicThresholds(extra_share=0.7))
    assert not strict.set_index("importer").loc["JPN", "dependent"]


def test_no_exports_gives_infinite_ratio_and_supplier_table():
    res = dependency_indicators(EXAMPLE[EXAMPLE["exporter"] != "JPN"], GROUP)
    jp = res[res["importer"] == "JPN"].iloc[0]
    assert jp["outside_to_exports"] == math.inf and jp["c3_not_substitutable"]
    assert res["hhi_wgi"].isna().all()
    tab = supplier_table(EXAMPLE, "JPN", "280530", GROUP)
    assert tab["exporter"].tolist() == ["CHN", "USA", "AUS"]
    assert tab["rank"].tolist() == [1, 2, 3]
    assert tab["share"].tolist() == pytest.approx([0.6, 0.3, 0.1])
    assert tab["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert tab["in_group"].tolist() == [False, True, True]
    with pytest.raises(UnknownItemError):
        supplier_table(EXAMPLE, "JPN", "999999", GROUP)


def test_years_and_categoricals():
    two = pd.concat([frame(EXAMPLE.values.tolist(), 2021), frame(EXAMPLE.values.tolist(), 2022)])
    with pytest.raises(ValueError, match="several years"):
        dependency_indicators(two, GROUP)
    res = dependency_indicators(two, GROUP, year=2022)
    assert res.columns[0] == "year" and (res["year"] == 2022).all()
    cat = EXAMPLE.astype({"exporter": "category", "importer": "category", "hs6": "category"})
    pd.testing.assert_frame_equal(
        dependency_indicators(cat, GROUP, WGI).astype({"importer": str, "hs6": str}),
        dependency_indicators(EXAMPLE, GROUP, WGI).astype({"importer": str, "hs6": str}),
    )


# -- naive reference: a straightforward per-pair loop -------------------------------------------
def naive(trade: pd.DataFrame, group, wgi=None, t=DEFAULT_THRESHOLDS) -> pd.DataFrame:
    rows = [
        r for r in trade.itertuples(index=False) if r.value_usd > 0 and r.exporter != r.importer
    ]
    flows: dict[tuple[str, str], dict[str, float]] = {}
    exports: dict[tuple[str, str], float] = {}
    for r in rows:
        d = flows.setdefault((r.importer, r.hs6), {})
        d[r.exporter] = d.get(r.exporter, 0.0) + r.value_usd
        exports[(r.exporter, r.hs6)] = exports.get((r.exporter, r.hs6), 0.0) + r.value_usd
    default = float(np.median(list(wgi.values))) if wgi is not None and len(wgi) else math.nan
    out = []
    for (imp, hs), sup in sorted(flows.items()):
        total = sum(sup.values())
        shares = {c: v / total for c, v in sup.items()}
        ranked = sorted(sup.items(), key=lambda cv: (-cv[1], cv[0]))
        outside = {c: v for c, v in sup.items() if c not in group}
        vo = sum(outside.values())
        hhi_out = sum((v / vo) ** 2 for v in outside.values()) if vo > 0 else math.nan
        x = exports.get((imp, hs), 0.0)
        ratio = 0.0 if vo == 0 else (math.inf if x == 0 else vo / x)
        if wgi is not None:
            w = {c: (wgi[c] if c in wgi.index else default) for c in sup}
            hhi_wgi = sum(shares[c] ** 2 * w[c] for c in sup)
            n_imp = sum(c not in wgi.index for c in sup)
        else:
            hhi_wgi, n_imp = math.nan, 0
        c1 = (not math.isnan(hhi_out)) and hhi_out > t.hhi
        c2 = vo / total > t.extra_share
        c3 = ratio > t.import_export_ratio
        out.append(
            {
                "importer": imp,
                "hs6": hs,
                "imports_usd": total,
                "n_suppliers": len(sup),
                "top_supplier": ranked[0][0],
                "top1_share": ranked[0][1] / total,
                "top3_share": sum(v for _, v in ranked[:3]) / total,
                "hhi": sum(s * s for s in shares.values()),
                "hhi_wgi": hhi_wgi,
                "n_wgi_imputed": n_imp,
                "outside_imports_usd": vo,
                "outside_share": vo / total,
                "hhi_outside": hhi_out,
                "exports_usd": x,
                "outside_to_exports": ratio,
                "c1_concentrated": c1,
                "c2_outside_reliant": c2,
                "c3_not_substitutable": c3,
                "dependent": c1 and c2 and c3,
            }
        )
    return pd.DataFrame(out, columns=list(INDICATOR_COLUMNS))


COUNTRIES = ["AUS", "CHN", "DEU", "JPN", "USA", "ZAF"]
trade_rows = st.lists(
    st.tuples(
        st.sampled_from(COUNTRIES),
        st.sampled_from(COUNTRIES),
        st.sampled_from(["010121", "280530", "854231"]),
        st.one_of(st.integers(0, 50).map(float), st.sampled_from([0.5, 1e6, 3.25])),
    ),
    min_size=1,
    max_size=60,
)


def _same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    fast = fast.astype({"importer": str, "hs6": str, "top_supplier": str}).reset_index(drop=True)
    slow = slow.reset_index(drop=True)
    assert fast[["importer", "hs6"]].values.tolist() == slow[["importer", "hs6"]].values.tolist()
    assert fast["top_supplier"].tolist() == slow["top_supplier"].tolist()
    flags = {"c1_concentrated", "c2_outside_reliant", "c3_not_substitutable", "dependent"}
    for c in INDICATOR_COLUMNS[2:]:
        if c == "top_supplier" or c in flags:
            continue
        a, b = fast[c].to_numpy(dtype=float), slow[c].to_numpy(dtype=float)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, equal_nan=True, err_msg=c)
    # flags identical, except where a value sits on its threshold up to rounding
    t = DEFAULT_THRESHOLDS
    on_edge = np.zeros(len(fast), dtype=bool)
    for c, v, thr in (
        ("c1_concentrated", "hhi_outside", t.hhi),
        ("c2_outside_reliant", "outside_share", t.extra_share),
        ("c3_not_substitutable", "outside_to_exports", t.import_export_ratio),
    ):
        edge = np.isclose(slow[v].to_numpy(dtype=float), thr, rtol=1e-12, atol=0)
        assert (fast[c].to_numpy() == slow[c].to_numpy())[~edge].all(), c
        on_edge |= edge
    assert (fast["dependent"].to_numpy() == slow["dependent"].to_numpy())[~on_edge].all()


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=trade_rows,
    group=st.frozensets(st.sampled_from(COUNTRIES)),
    wgi_keys=st.lists(st.sampled_from(COUNTRIES), unique=True),
    use_wgi=st.booleans(),
)
def test_vectorised_equals_naive_loop(rows, group, wgi_keys, use_wgi):
    trade = frame(rows)
    wgi = (
        pd.Series({c: float(3 + i) for i, c in enumerate(wgi_keys)}, dtype=float)
        if use_wgi and wgi_keys
        else None
    )
    slow = naive(trade, group, wgi)
    if slow.empty:
        assert dependency_indicators(trade, group, wgi).empty
        return
    fast = dependency_indicators(trade, group, wgi)
    _same(fast, slow)
    # invariants
    n = fast["n_suppliers"].to_numpy()
    for c in ("top1_share", "top3_share", "hhi", "outside_share"):
        assert ((fast[c] >= 0) & (fast[c] <= 1 + 1e-12)).all(), c
    assert (fast["hhi"] >= 1 / n - 1e-12).all() and (fast["hhi"] <= 1 + 1e-12).all()
    assert (fast["top1_share"] <= fast["top3_share"] + 1e-12).all()
    assert (fast["hhi"] <= fast["top1_share"] + 1e-12).all()  # Σ s² ≤ max s
    ho = fast["hhi_outside"].dropna()
    assert ((ho > 0) & (ho <= 1 + 1e-12)).all()


def test_benchmark_baseline_agrees_with_fast_path():
    """The benchmark's pandas baseline must compute the same numbers as the fast path."""
    from benchmarks.bench_trade import compare, pandas_dependency_indicators
    from benchmarks.synthetic import generate_year

    year = generate_year(30_000, n_products=150, n_countries=40, seed=7)
    assert year.provenance.synthetic
    fast = dependency_indicators(year.trade, year.like_minded, year.wgi_0_10)
    slow = pandas_dependency_indicators(year.trade, year.like_minded, year.wgi_0_10)
    assert len(fast) > 1000
    assert compare(fast, slow) == []
    # and both agree with the naive loop on a slice
    few = year.trade[year.trade["hs6"].isin(year.trade["hs6"].cat.categories[:5])]
    few = few.astype({"exporter": str, "importer": str, "hs6": str})
    ref = naive(few, year.like_minded, year.wgi_0_10)
    _same(dependency_indicators(few, year.like_minded, year.wgi_0_10), ref)


# -- the reduction's paths: ordered rows, shuffled rows, repeated keys, a sparse pair grid ----
unique_rows = st.lists(
    st.tuples(
        st.sampled_from(COUNTRIES),
        st.sampled_from(COUNTRIES),
        st.sampled_from(["010121", "280530", "854231"]),
        st.sampled_from([1.0, 2.0, 3.25, 7.0, 1e6]),
    ),
    min_size=1,
    max_size=60,
    unique_by=lambda r: r[:3],
)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=unique_rows, group=st.frozensets(st.sampled_from(COUNTRIES)), seed=st.integers(0, 9))
def test_every_reduction_path_equals_naive_loop(rows, group, seed, monkeypatch_module):
    """Rows in BACI order (no duplicate test needed), shuffled (the bit test), with every key
    split over two rows (summed first) and on a sparse pair grid: one answer, the naive one's.
    Few distinct values make ties at the top common."""
    import fukugan.indicators.trade as mod

    wgi = pd.Series({"CHN": 7.0, "USA": 2.0, "DEU": 3.0})
    ordered = frame(sorted(rows))
    slow = naive(ordered, group, wgi)
    if slow.empty:
        return
    shuffled = ordered.sample(frac=1.0, random_state=seed)
    halves = ordered.assign(value_usd=ordered["value_usd"] / 2)
    split = pd.concat([halves, halves]).sample(frac=1.0, random_state=seed)
    for trade in (ordered, shuffled, split):
        _same(dependency_indicators(trade, group, wgi), slow)
    with monkeypatch_module.context() as m:
        m.setattr(mod, "DENSE_PAIRS_MAX", 2)
        m.setattr(mod, "CHUNK_ROWS", 7)  # several chunks, a key order check across them
        for trade in (ordered, shuffled, split):
            _same(dependency_indicators(trade, group, wgi), slow)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as m:
        yield m


def test_duplicate_test_is_exact():
    """The bit test finds one repeated key among many rows in any order, and no false one."""
    from fukugan.indicators.trade import _Rows

    rng = np.random.default_rng(3)
    n_c, n_p = 70, 40
    keys = rng.choice(n_c * n_c * n_p, size=5000, replace=False)
    exp, rest = keys // (n_c * n_p), keys % (n_c * n_p)
    imp, prod = rest // n_p, rest % n_p
    val = rng.random(keys.size)

    def rows(e, i, p):
        return _Rows(e.astype(np.int16), i.astype(np.int16), p.astype(np.int16), val, n_c, n_p)

    assert not rows(exp, imp, prod).has_duplicates()  # shuffled, unique
    order = np.argsort(keys)
    assert not rows(exp[order], imp[order], prod[order]).has_duplicates()  # BACI order
    e2, i2, p2 = exp.copy(), imp.copy(), prod.copy()
    e2[17], i2[17], p2[17] = e2[4000], i2[4000], p2[4000]
    assert rows(e2, i2, p2).has_duplicates()
    summed = rows(e2, i2, p2).summed()
    assert summed.n == keys.size - 1 and not summed.has_duplicates()
    assert summed.val.sum() == pytest.approx(val.sum())
