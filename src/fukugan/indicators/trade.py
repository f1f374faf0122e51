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

Implementation: countries and products are factorised once (the frame's own categorical codes
when they already are the sorted codes), and every indicator is a reduction per (importer,
product) slot of a dense grid (``np.add.at`` / ``np.maximum.at`` / ``np.minimum.at``), streamed
over chunks of rows so that a call touches little new memory. Repeated (exporter, importer,
product) keys are detected exactly (rows in BACI's key order need no test; otherwise one bit per
key) and summed first. The top three values come from two more passes and the counts of ties
(:meth:`_Rows.top3`), not from a sort. No ``groupby.apply``, no Python loop over pairs.
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
    """Small-integer codes of ``s`` in ``categories``.

    Categorical input costs O(categories): the frame's own codes are returned without a copy
    when its categories already are ``categories`` (BACI frames: sorted ISO3 and HS6 codes).
    """
    dtype = np.int16 if len(categories) < 2**15 else np.int32
    if isinstance(s.dtype, pd.CategoricalDtype):
        c = s.cat.codes.to_numpy()
        if c.size and c.min() < 0:
            raise ValueError(f"missing values in column {s.name!r}")
        cats = s.cat.categories.astype(str)
        if c.dtype == dtype and cats.equals(categories):
            return c
        return categories.get_indexer(cats).astype(dtype).take(c)
    out = categories.get_indexer(s.astype(str).to_numpy())
    if (out < 0).any():
        raise ValueError(f"missing values in column {s.name!r}")
    return out.astype(dtype)


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


#: Rows per chunk of the streamed reductions. The per-row temporaries of a chunk stay in cache
#: and are reused chunk after chunk, so a call touches little new memory: in a fresh process
#: the first touch of new pages, not arithmetic, is what a whole-array version pays most for.
CHUNK_ROWS = 1 << 18

#: Largest dense (importer, product) grid the reductions index directly; a sparser frame (more
#: grid cells than this and than rows) indexes its present pairs instead.
DENSE_PAIRS_MAX = 1 << 23

#: Exporters per float64 word of the duplicate test (2**25 · rows stays exact below 2**53).
_BITS = 26


class _Rows:
    """The filtered trade rows as small-integer codes, reduced per (importer, product) pair.

    A pair's slot is ``importer * n_products + product`` on the dense grid, or its rank among
    the present pairs when the grid would be much larger than the frame.
    """

    def __init__(
        self,
        exp: np.ndarray,
        imp: np.ndarray,
        prod: np.ndarray,
        val: np.ndarray,
        n_c: int,
        n_p: int,
    ) -> None:
        self.exp, self.imp, self.prod, self.val = exp, imp, prod, val
        self.n_c, self.n_p, self.n = n_c, n_p, val.size
        if n_c * n_p <= max(DENSE_PAIRS_MAX, self.n):
            self.slots: np.ndarray | None = None
            self.n_slots = n_c * n_p
        else:
            self.slots = np.unique(imp.astype(np.int64) * n_p + prod)
            self.n_slots = self.slots.size

    def _slot(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Slots of pair keys; with present-pair slots, also which keys are present pairs."""
        if self.slots is None:
            return key, None
        j = np.searchsorted(self.slots, key)
        j[j == self.slots.size] = 0
        return j, self.slots[j] == key

    def _chunks(self):
        """(row slice, pair slot, exporter code, value) per chunk, codes as intp."""
        for a in range(0, self.n, CHUNK_ROWS):
            s = slice(a, a + CHUNK_ROWS)
            p = self.imp[s].astype(np.intp)
            p *= self.n_p
            p += self.prod[s]
            yield s, self._slot(p)[0], self.exp[s].astype(np.intp), self.val[s]

    def _key(self, s: slice = slice(None)) -> np.ndarray:
        """The (exporter, importer, product) key of rows ``s`` as int64, in that order."""
        k = self.exp[s].astype(np.int64) * self.n_c
        k += self.imp[s]
        k *= self.n_p
        k += self.prod[s]
        return k

    def _strictly_ordered(self) -> bool:
        """Whether the rows are in strictly increasing (exporter, importer, product) order."""
        last = -1
        for a in range(0, self.n, CHUNK_ROWS):
            k = self._key(slice(a, a + CHUNK_ROWS))
            if k[0] <= last or not (k[1:] > k[:-1]).all():
                return False
            last = int(k[-1])
        return True

    def has_duplicates(self) -> bool:
        """Whether some (exporter, importer, product) occurs on more than one row (exact).

        Rows in strictly increasing key order, as BACI files and the store keep them, have
        none. Otherwise each (pair, exporter) is one bit: per pair slot and block of
        :data:`_BITS` exporters, the rows add 2**(exporter mod _BITS) in float64 (exact here);
        two rows on one bit carry, so the popcounts add up to fewer than the rows exactly when
        a key repeats.
        """
        if self.n < 2 or self._strictly_ordered():
            return False
        if self.n >= 1 << 27:  # beyond exact float64 sums: let summed() decide
            return True
        blocks = -(-self.n_c // _BITS)
        bits = np.zeros(self.n_slots * blocks)
        for _, p, e, _ in self._chunks():
            k = p * blocks
            k += e // _BITS
            np.add.at(bits, k, np.ldexp(1.0, (e % _BITS).astype(np.int32)))
        return int(np.bitwise_count(bits.astype(np.int64)).sum()) != self.n

    def summed(self) -> _Rows:
        """The rows with repeated (exporter, importer, product) keys summed into one."""
        uniq, inv = np.unique(self._key(), return_inverse=True)
        val = np.bincount(inv.ravel(), weights=self.val, minlength=uniq.size)
        prod, rest = uniq % self.n_p, uniq // self.n_p
        dtype = self.exp.dtype
        return _Rows(
            (rest // self.n_c).astype(dtype),
            (rest % self.n_c).astype(dtype),
            prod.astype(self.prod.dtype),
            val,
            self.n_c,
            self.n_p,
        )

    def pair_sums(
        self, outside: np.ndarray, wgi: tuple[np.ndarray, np.ndarray] | None
    ) -> dict[str, np.ndarray]:
        """Per present pair: row count, Σv, Σv², outside Σv and Σv², the importer's exports of
        the product, Σv²·WGI and imputed-WGI count (with ``wgi``); ``pairs`` (present slots)
        and ``max`` (per slot) for :meth:`top3`. Sums run in row order (``np.add.at``)."""
        names = ["count", "total", "sq", "outside", "outside_sq", "exports"]
        if wgi is not None:
            names += ["wgi_sq", "wgi_imputed"]
            wgi_vec, wgi_missing = wgi
        acc = {k: np.zeros(self.n_slots) for k in names}
        mx = np.full(self.n_slots, -np.inf)
        for s, p, e, v in self._chunks():
            np.add.at(acc["count"], p, 1.0)
            np.add.at(acc["total"], p, v)
            v2 = v * v
            np.add.at(acc["sq"], p, v2)
            vo = np.where(outside[e], v, 0.0)
            np.add.at(acc["outside"], p, vo)
            vo *= vo
            np.add.at(acc["outside_sq"], p, vo)
            if wgi is not None:
                v2 *= wgi_vec[e]
                np.add.at(acc["wgi_sq"], p, v2)
                np.add.at(acc["wgi_imputed"], p[wgi_missing[e]], 1.0)
            # the exporter's side: (exporter, product) is the slot of the pair it imports on
            k = e * self.n_p
            k += self.prod[s]
            k, hit = self._slot(k)
            if hit is None:
                np.add.at(acc["exports"], k, v)
            else:
                np.add.at(acc["exports"], k[hit], v[hit])
            np.maximum.at(mx, p, v)
        present = np.flatnonzero(acc["count"])
        out = {k: a[present] for k, a in acc.items()}
        out["pairs"], out["max"] = present, mx
        return out

    def top3(
        self, mx: np.ndarray, present: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The three largest values per present pair (0 where a pair has fewer suppliers) and
        the supplier of the largest.

        Ties: the supplier is the alphabetically first exporter holding the maximum m1
        (exporter codes are alphabetical). With t1 rows at m1, b1 the largest value below m1,
        t2 rows at b1 and b2 the largest below b1: second = m1 if t1 ≥ 2 else b1; third = m1
        if t1 ≥ 3, else b1 if t1 = 2 or t2 ≥ 2, else b2. Two passes over the rows, no sort.
        """
        first = np.full(self.n_slots, self.n_c, dtype=np.intp)
        ties1 = np.zeros(self.n_slots)
        below1 = np.full(self.n_slots, -np.inf)
        for _, p, e, v in self._chunks():
            at = v == mx[p]
            hit = np.flatnonzero(at)
            ph = p[hit]
            np.minimum.at(first, ph, e[hit])
            np.add.at(ties1, ph, 1.0)
            np.maximum.at(below1, p, np.where(at, -np.inf, v))
        ties2 = np.zeros(self.n_slots)
        below2 = np.full(self.n_slots, -np.inf)
        for _, p, _, v in self._chunks():
            b = below1[p]
            np.add.at(ties2, p[v == b], 1.0)
            np.maximum.at(below2, p, np.where(v < b, v, -np.inf))
        m1 = mx[present]
        b1 = np.maximum(below1[present], 0.0)
        b2 = np.maximum(below2[present], 0.0)
        t1, t2 = ties1[present], ties2[present]
        second = np.where(t1 >= 2, m1, b1)
        third = np.where(t1 >= 3, m1, np.where((t1 == 2) | (t2 >= 2), b1, b2))
        return m1, second, third, first[present]


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
    del use
    rows = _Rows(exp, imp, prod, val, n_c, n_p)
    if rows.has_duplicates():
        rows = rows.summed()

    outside_c = ~countries.isin(list(group))
    wgi_vec, wgi_missing, wgi_default = _wgi_vector(countries, wgi_0_10)
    acc = rows.pair_sums(outside_c, None if wgi_0_10 is None else (wgi_vec, wgi_missing))
    present = acc.pop("pairs")
    top1v, top2v, top3v, first = rows.top3(acc.pop("max"), present)
    pair_ids = rows.slots[present] if rows.slots is not None else present
    n_pairs = present.size
    total = acc["total"]

    top1 = top1v / total
    top3 = (top1v + top2v + top3v) / total
    hhi = acc["sq"] / (total * total)
    out_total = acc["outside"]
    with np.errstate(divide="ignore", invalid="ignore"):
        hhi_out = np.where(out_total > 0, acc["outside_sq"] / (out_total * out_total), np.nan)
        out_share = out_total / total
        x = acc["exports"]
        ratio = np.where(out_total > 0, out_total / x, 0.0)
    if wgi_0_10 is None:
        hhi_wgi = np.full(n_pairs, np.nan)
        n_imputed = np.zeros(n_pairs, dtype=np.int64)
    else:
        hhi_wgi = acc["wgi_sq"] / (total * total)
        n_imputed = np.rint(acc["wgi_imputed"]).astype(np.int64)

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
        "exports_usd": x,
        "outside_to_exports": ratio,
    }
    block = np.empty((len(floats), n_pairs), dtype=np.float64)
    for r, arr in enumerate(floats.values()):
        block[r] = arr
    out = pd.DataFrame(block.T, columns=list(floats), copy=False)
    others = {
        "importer": pd.Categorical.from_codes(pair_ids // n_p, categories=countries),
        "hs6": pd.Categorical.from_codes(pair_ids % n_p, categories=products),
        "n_suppliers": np.rint(acc["count"]).astype(np.int64),
        "top_supplier": pd.Categorical.from_codes(first, categories=countries),
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
