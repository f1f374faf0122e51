"""Import-dependency indicators for every (importer, HS6 product) pair of a trade frame at once.

Input: the normalised trade frame of :mod:`fukugan.data.baci` / :mod:`fukugan.data.comtrade`
(``exporter``, ``importer``, ``hs6``, ``value_usd``; ``year`` optional), one year. Pure
numpy/pandas, no I/O.

Definitions, for importer *m*, product *p*, suppliers *c* with import values v_c > 0
(self-trade rows, exporter = importer, and non-positive values are ignored; duplicate
(exporter, importer, product) rows are summed):

* ``imports_usd`` V = Σ_c v_c; ``n_suppliers`` = #{c}; shares s_c = v_c / V;
* ``top_supplier`` = argmax_c v_c (ties: the alphabetically first ISO3), ``top1_share`` = max s_c,
  ``top3_share`` = sum of the three largest s_c;
* ``hhi`` = Σ_c s_c² (Herfindahl-Hirschman index on fractions, 1/n ≤ HHI ≤ 1);
* ``hhi_wgi`` = Σ_c s_c² · WGI_c, the governance-weighted concentration of the EU CRM method
  (Blengini et al. 2017, JRC EUR 28654, without the trade-restriction factor t_c), WGI rescaled
  0–10 with higher = worse governance. A supplier without a WGI value gets the **median** of the
  supplied WGI values; ``n_wgi_imputed`` counts such suppliers per pair;
* the EU 2021 strategic-dependency test (European Commission, SWD(2021) 352, "Strategic
  dependencies and capacities", bottom-up mapping), generalised from "the EU" to any importer:
  the "outside" set O is every country **not in the like-minded group** G (the generalisation of
  extra-EU; the importer's own membership does not matter, and self-trade is ignored):

  1. ``hhi_outside`` = Σ_{c∈O} (v_c / V_O)², with V_O = Σ_{c∈O} v_c — the SWD computes the HHI on
     **extra-EU imports only** (shares of each non-EU supplier in extra-EU imports), not on total
     imports; ``c1_concentrated`` = hhi_outside > 0.4 (NaN, and False, when V_O = 0);
  2. ``outside_share`` = V_O / V; ``c2_outside_reliant`` = outside_share > 0.5;
  3. ``outside_to_exports`` = V_O / X_m,p where X_m,p is the importer's total exports of the
     product in the same frame (rows where it is the exporter); ``c3_not_substitutable`` =
     ratio > 1. The ratio is +inf when V_O > 0 and X = 0 (CEPII's GeoDep uses 9999 there) and
     0 when V_O = 0;

  ``dependent`` = all three. Thresholds are configurable (:class:`StrategicThresholds`).

Implementation: countries and products are factorised once (categorical codes when the frame
has them), rows are sorted once by an int64 key (importer, product, exporter), and every
indicator is a segmented reduction (``np.add.reduceat`` / ``np.maximum.reduceat``) over that
order; exports come from one ``np.bincount``. No ``groupby.apply``, no Python loop over pairs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd

from fukugan.errors import UnknownItemError
from fukugan.indicators.strategic import StrategicThresholds

#: Output columns of :func:`dependency_indicators` (``year`` first when the input has one).
INDICATOR_COLUMNS: tuple[str, ...] = (
    "importer",
    "hs6",
    "imports_usd",
    "n_suppliers",
    "top_supplier",
    "top1_share",
    "top3_share",
    "hhi",
    "hhi_wgi",
    "n_wgi_imputed",
    "outside_imports_usd",
    "outside_share",
    "hhi_outside",
    "exports_usd",
    "outside_to_exports",
    "c1_concentrated",
    "c2_outside_reliant",
    "c3_not_substitutable",
    "dependent",
)


DEFAULT_THRESHOLDS = StrategicThresholds()


def _single_year(trade: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    if "year" not in trade.columns:
        if year is not None:
            raise ValueError("year given but the trade frame has no 'year' column")
        return trade, None
    if year is not None:
        return trade[trade["year"].to_numpy() == year], int(year)
    y = trade["year"].to_numpy()
    if y.size == 0:
        return trade, None
    lo, hi = y.min(), y.max()
    if lo != hi:
        raise ValueError(
            f"the trade frame holds several years ({lo}..{hi}); pass year=... to pick one"
        )
    return trade, int(lo)


def _codes(s: pd.Series, categories: pd.Index) -> np.ndarray:
    """Codes of ``s`` in ``categories`` (vectorised; categorical input costs O(categories))."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        lut = categories.get_indexer(s.cat.categories.astype(str)).astype(np.int64)
        c = s.cat.codes.to_numpy()
        if (c < 0).any():
            raise ValueError(f"missing values in column {s.name!r}")
        return lut[c]
    out = categories.get_indexer(s.astype(str).to_numpy())
    if (out < 0).any():
        raise ValueError(f"missing values in column {s.name!r}")
    return out.astype(np.int64)


def _categories(*series: pd.Series) -> pd.Index:
    vals: set[str] = set()
    for s in series:
        if isinstance(s.dtype, pd.CategoricalDtype):
            vals.update(map(str, s.cat.categories))
        else:
            vals.update(map(str, pd.unique(s.to_numpy())))
    return pd.Index(sorted(vals))


def _wgi_vector(
    countries: pd.Index, wgi_0_10: pd.Series | None
) -> tuple[np.ndarray, np.ndarray, float]:
    """WGI per country code, the imputed-flag per code, and the default used (the median)."""
    if wgi_0_10 is None:
        return np.full(len(countries), np.nan), np.zeros(len(countries), bool), np.nan
    w = pd.Series(wgi_0_10, dtype=np.float64)
    w.index = w.index.astype(str)
    default = float(np.nanmedian(w.to_numpy())) if w.notna().any() else np.nan
    vec = w.reindex(countries).to_numpy(dtype=np.float64)
    missing = np.isnan(vec)
    vec = np.where(missing, default, vec)
    return vec, missing, default


def dependency_indicators(
    trade: pd.DataFrame,
    like_minded: Iterable[str],
    wgi_0_10: pd.Series | None = None,
    thresholds: StrategicThresholds = DEFAULT_THRESHOLDS,
    *,
    year: int | None = None,
) -> pd.DataFrame:
    """Dependency indicators for every (importer, hs6) pair of ``trade`` (see module docstring).

    Args:
        trade: normalised trade frame (columns ``exporter``, ``importer``, ``hs6``,
            ``value_usd``; ``year`` optional). One year: with several, pass ``year``.
        like_minded: ISO3 codes of the like-minded ("home") group; every other supplier is
            "outside" (the generalisation of extra-EU in SWD(2021) 352).
        wgi_0_10: WGI per ISO3, rescaled 0–10, higher = worse. ``None``: ``hhi_wgi`` is NaN.
        thresholds: the strategic-dependency thresholds.
        year: the year to use when ``trade`` holds several.

    Returns:
        One row per (importer, hs6) with at least one supplier, sorted by importer then hs6,
        columns :data:`INDICATOR_COLUMNS` (``year`` first if the frame has one). ``attrs``
        records the method, the group, the thresholds and the WGI default.
    """
    for col in ("exporter", "importer", "hs6", "value_usd"):
        if col not in trade.columns:
            raise ValueError(f"trade frame lacks column {col!r}")
    trade, yr = _single_year(trade, year)
    group = frozenset(like_minded)

    countries = _categories(trade["exporter"], trade["importer"])
    products = _categories(trade["hs6"])
    n_c, n_p = len(countries), len(products)
    exp = _codes(trade["exporter"], countries)
    imp = _codes(trade["importer"], countries)
    prod = _codes(trade["hs6"], products)
    val = trade["value_usd"].to_numpy(dtype=np.float64)

    use = (val > 0) & (exp != imp)
    if not use.all():
        exp, imp, prod, val = exp[use], imp[use], prod[use], val[use]

    # exports of each (country, product): one bincount over the dense grid
    key = exp * n_p
    key += prod
    exports = np.bincount(key, weights=val, minlength=n_c * n_p)

    # one sort by (importer, product, exporter); exporter codes are alphabetical
    np.multiply(imp, n_p, out=key)
    key += prod
    key *= n_c
    key += exp
    del exp, imp, prod
    order = np.argsort(key)
    ks = key[order]
    del key
    vs = val[order]
    del order, val
    if ks.size > 1:
        brk = np.empty(ks.size, dtype=bool)
        brk[0] = True
        np.not_equal(ks[1:], ks[:-1], out=brk[1:])
        if not brk.all():  # duplicate (exporter, importer, product) rows: sum them
            s3 = np.flatnonzero(brk)
            vs = np.add.reduceat(vs, s3)
            ks = ks[s3]
    n_rows = ks.size
    exp_s = (ks % n_c).astype(np.int32)
    pair_s = ks // n_c
    del ks

    if n_rows:
        brk = np.empty(n_rows, dtype=bool)
        brk[0] = True
        np.not_equal(pair_s[1:], pair_s[:-1], out=brk[1:])
        starts = np.flatnonzero(brk)
    else:
        starts = np.zeros(0, dtype=np.int64)
    pair_ids = pair_s[starts]
    del pair_s
    n_pairs = starts.size
    n_sup = np.diff(np.append(starts, n_rows))

    def seg_sum(x: np.ndarray) -> np.ndarray:
        return np.add.reduceat(x, starts) if n_pairs else np.zeros(0)

    total = seg_sum(vs)
    v2 = vs * vs
    hhi = seg_sum(v2) / (total * total)

    # top-1 (first max in exporter order = alphabetical tie-break), top-2, top-3 values
    pos = np.arange(n_rows, dtype=np.int32 if n_rows < 2**31 - 1 else np.int64)
    w = vs.copy()
    top_vals = []
    first_idx = None
    for k in range(3):
        m = np.maximum.reduceat(w, starts) if n_pairs else np.zeros(0)
        hit = np.where(w == np.repeat(m, n_sup), pos, pos.dtype.type(n_rows))
        fi = np.minimum.reduceat(hit, starts) if n_pairs else np.zeros(0, dtype=np.int64)
        if k == 0:
            first_idx = fi
        valid = fi < n_rows
        top_vals.append(np.where(valid & (m > -np.inf), m, 0.0))
        if k < 2:
            w[fi[valid]] = -np.inf
    del w, pos
    top1 = top_vals[0] / total
    top3 = (top_vals[0] + top_vals[1] + top_vals[2]) / total
    top_supplier = exp_s[first_idx] if n_pairs else np.zeros(0, dtype=np.int64)

    # outside the like-minded group
    outside_c = ~countries.isin(list(group))
    vo = np.where(outside_c[exp_s], vs, 0.0)
    out_total = seg_sum(vo)
    np.multiply(vo, vo, out=vo)
    out_sq = seg_sum(vo)
    del vo
    with np.errstate(divide="ignore", invalid="ignore"):
        hhi_out = np.where(out_total > 0, out_sq / (out_total * out_total), np.nan)
        out_share = out_total / total
        x = exports[pair_ids]
        ratio = np.where(out_total > 0, out_total / x, 0.0)

    # governance-weighted HHI
    wgi_vec, wgi_missing, wgi_default = _wgi_vector(countries, wgi_0_10)
    if wgi_0_10 is None:
        hhi_wgi = np.full(n_pairs, np.nan)
        n_imputed = np.zeros(n_pairs, dtype=np.int64)
    else:
        v2 *= wgi_vec[exp_s]
        hhi_wgi = seg_sum(v2) / (total * total)
        n_imputed = seg_sum(wgi_missing[exp_s].astype(np.float64)).astype(np.int64)

    c1 = np.nan_to_num(hhi_out, nan=-np.inf) > thresholds.hhi
    c2 = out_share > thresholds.extra_share
    c3 = ratio > thresholds.import_export_ratio

    # one float block built in place (no consolidation copy), then the other columns
    floats = {
        "imports_usd": total,
        "top1_share": top1,
        "top3_share": top3,
        "hhi": hhi,
        "hhi_wgi": hhi_wgi,
        "outside_imports_usd": out_total,
        "outside_share": out_share,
        "hhi_outside": hhi_out,
        "exports_usd": x if n_pairs else np.zeros(0),
        "outside_to_exports": ratio,
    }
    block = np.empty((len(floats), n_pairs), dtype=np.float64)
    for r, arr in enumerate(floats.values()):
        block[r] = arr
    out = pd.DataFrame(block.T, columns=list(floats), copy=False)
    others = {
        "importer": pd.Categorical.from_codes(pair_ids // n_p, categories=countries),
        "hs6": pd.Categorical.from_codes(pair_ids % n_p, categories=products),
        "n_suppliers": n_sup.astype(np.int64),
        "top_supplier": pd.Categorical.from_codes(top_supplier, categories=countries),
        "n_wgi_imputed": n_imputed,
        "c1_concentrated": c1,
        "c2_outside_reliant": c2,
        "c3_not_substitutable": c3,
        "dependent": c1 & c2 & c3,
    }
    for loc, name in enumerate(INDICATOR_COLUMNS):
        if name in others:
            out.insert(loc, name, others[name])
    if yr is not None:
        out.insert(0, "year", np.full(n_pairs, yr, dtype=np.int16))
    out.attrs.update(
        {
            "method": "HHI/top-k on import shares; EU 2021 strategic-dependency test "
            "(SWD(2021) 352) generalised to any importer; WGI-weighted HHI (JRC EUR 28654)",
            "like_minded": sorted(group),
            "thresholds": dataclasses.asdict(thresholds),
            "wgi_default": wgi_default,
            "wgi_default_rule": "median of the supplied WGI (0-10) values",
        }
    )
    return out


def supplier_table(
    trade: pd.DataFrame,
    importer: str,
    hs6: str,
    like_minded: Iterable[str] = frozenset(),
    *,
    year: int | None = None,
) -> pd.DataFrame:
    """Suppliers of ``importer``'s imports of ``hs6``, largest first (for the CLI).

    Columns: ``rank`` (1 = largest), ``exporter``, ``value_usd``, ``share`` (of the pair's
    imports), ``cumulative_share``, ``in_group`` (exporter in ``like_minded``). Same filters as
    :func:`dependency_indicators` (positive values, no self-trade, duplicates summed).

    Raises:
        UnknownItemError: if ``importer`` has no imports of ``hs6`` in the frame.
    """
    trade, _ = _single_year(trade, year)
    group = frozenset(like_minded)
    mask = (trade["importer"] == importer).to_numpy() & (trade["hs6"] == hs6).to_numpy()
    sub = trade.loc[mask, ["exporter", "value_usd"]]
    sub = sub[(sub["value_usd"] > 0) & (sub["exporter"].astype(str) != importer)]
    if sub.empty:
        raise UnknownItemError(f"no imports of HS {hs6} by {importer} in the trade data")
    g = (
        sub.assign(exporter=sub["exporter"].astype(str))
        .groupby("exporter", sort=True)["value_usd"]
        .sum()
    )
    df = g.reset_index()
    df = df.sort_values(["value_usd", "exporter"], ascending=[False, True], kind="stable")
    total = df["value_usd"].sum()
    df["share"] = df["value_usd"] / total
    df["cumulative_share"] = df["share"].cumsum()
    df["in_group"] = df["exporter"].isin(group)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df.reset_index(drop=True)
