"""Autonomy risk (自律性): a transparent composite to rank a home country's dependencies.

fukugan's own composite, *not a published method*, built from two published ingredients:

    autonomy_risk = (HHI_WGI / 10) * share_outside

- ``HHI_WGI = sum_c s_c**2 * WGI_c`` -- the governance-weighted concentration of world supply
  (EU CRM method, Blengini et al. 2017, JRC EUR 28654; shares as fractions, WGI 0-10 with
  10 = worst; t_c = 1), divided by its maximum 10 so it lies in [0, 1];
- ``share_outside`` -- the share of world supply from countries outside the like-minded group
  (the home country counts as inside), see :func:`fukugan.indicators.groups.share_outside`.

The score is 0 when all supply comes from the home country and trusted partners, and 1 only
when one worst-governed country outside the group supplies everything. It reads as "the part
of a concentrated, poorly governed supply that lies outside friendly hands". The product (not a
sum) means either factor alone can clear a material: a concentrated supply held by a trusted
partner, or an untrusted but fully diversified one, ranks low. The components (HHI, top-1 and
top-3 shares, HHI_WGI, share outside, home share) are returned so every rank can be explained.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fukugan import checks as v
from fukugan.errors import InputError
from fukugan.indicators.leverage import long_frame


@dataclass(frozen=True)
class AutonomyRisk:
    """The autonomy-risk composite of one item and every component behind it."""

    score: float
    hhi: float
    hhi_wgi: float
    share_outside: float
    home_share: float
    top1_iso3: str
    top1_share: float
    top3_share: float
    defaults_used: list[str] = field(default_factory=list)


def _wgi(wgi_0_10: pd.Series) -> pd.Series:
    w = v.series(wgi_0_10, "wgi_0_10", allow_empty=True)
    if (w > 10).any():
        bad = w.index[w > 10][0]
        raise InputError(f"wgi_0_10: {bad} has {w[bad]:g} > 10 (expected the 0-10 scale)")
    return w


def _fill_wgi(
    codes: pd.Index, w: pd.Series, missing_wgi: float | None, defaults: list[str]
) -> pd.Series:
    return v.fill_missing(
        w,
        codes,
        missing_wgi,
        name="wgi_0_10",
        default_name="missing_wgi",
        hi=10.0,
        defaults_used=defaults,
    )


def _group_codes(group: Iterable[str]) -> frozenset[str]:
    if isinstance(group, str):
        raise InputError(f"group: expected ISO3 codes, got the name {group!r} (resolve it first)")
    return frozenset(v.codes(group, "group"))


def autonomy_risk_score(
    values_by_iso3: pd.Series,
    wgi_0_10: pd.Series,
    *,
    home: str,
    group: Iterable[str],
    missing_wgi: float | None = None,
) -> AutonomyRisk:
    """``(HHI_WGI / 10) * share_outside`` for one item (see module docstring).

    ``values_by_iso3``: world production (or exports) by country; ``group``: the ISO3 codes
    of the partner group (e.g. :func:`fukugan.data.groups.like_minded`).

    Example: CHN 60, AUS 30, JPN 10 with WGI 6, 2, 1 -> HHI_WGI = .36*6 + .09*2 + .01*1 = 2.35;
    outside {AUS, JPN} = .6; score = .235 * .6 = .141.

    >>> x = pd.Series({"CHN": 60.0, "AUS": 30.0, "JPN": 10.0})
    >>> w = pd.Series({"CHN": 6.0, "AUS": 2.0, "JPN": 1.0})
    >>> r = autonomy_risk_score(x, w, home="JPN", group={"AUS"})
    >>> round(r.hhi_wgi, 6), r.share_outside, round(r.score, 6), r.top1_iso3
    (2.35, 0.6, 0.141, 'CHN')
    """
    defaults: list[str] = []
    x = v.series(values_by_iso3, "values_by_iso3")
    total = float(x.sum())
    if total <= 0:
        raise InputError("values_by_iso3: all values are zero, so shares are undefined")
    members = set(_group_codes(group))
    members.add(str(home))
    s = x[x > 0] / total
    w = _fill_wgi(s.index, _wgi(wgi_0_10), missing_wgi, defaults)
    sv = s.to_numpy()
    hw = float(np.sum(sv * sv * w.to_numpy()))
    out = float(s[~s.index.isin(list(members))].sum())
    order = s.sort_values(ascending=False, kind="mergesort")
    return AutonomyRisk(
        score=hw / 10.0 * out,
        hhi=float(np.dot(sv, sv)),
        hhi_wgi=hw,
        share_outside=out,
        home_share=float(x.get(str(home), 0.0)) / total,
        top1_iso3=str(order.index[0]),
        top1_share=float(order.iloc[0]),
        top3_share=float(order.iloc[:3].sum()),
        defaults_used=defaults,
    )


def autonomy_table(
    frame: pd.DataFrame,
    wgi_0_10: pd.Series,
    home: str,
    *,
    group: Iterable[str],
    missing_wgi: float | None = None,
    item: str = "item",
    country: str = "iso3",
    value: str = "value",
    residual: pd.Series | None = None,
) -> pd.DataFrame:
    """Rank items by :func:`autonomy_risk_score`, vectorised over a long table.

    ``residual`` (optional, per item) is supply of unknown split, such as the USGS "Other
    countries" row. It enters each item's total (every share's denominator) and, since its
    origin is unknown, counts as outside the group (conservative); it is not one supplier, so
    it adds nothing to ``hhi`` and ``hhi_wgi`` (their lower bounds, see
    :func:`fukugan.indicators.concentration.hhi_bounds_with_residual`).

    ``frame`` has one row per (item, country) with a non-negative value; items with a zero
    world total are left out. Columns: item, score, hhi, hhi_wgi, share_outside, home_share,
    top1_iso3, top1_share, top3_share; sorted by score, descending. Item a: (.36*6 + .16*2)/10
    * .6 = .1488; item b is all home + partner supply, so 0.

    >>> df = pd.DataFrame({"item": ["a", "a", "b", "b"], "iso3": ["CHN", "AUS", "AUS", "JPN"],
    ...                    "value": [60.0, 40.0, 50.0, 50.0]})
    >>> w = pd.Series({"CHN": 6.0, "AUS": 2.0, "JPN": 1.0})
    >>> t = autonomy_table(df, w, "JPN", group={"AUS"})
    >>> t["item"].tolist(), t["score"].round(6).tolist()
    (['a', 'b'], [0.1488, 0.0])
    """
    if not isinstance(home, str) or not home:
        raise InputError(f"home: expected an ISO3 code, got {home!r}")
    defaults: list[str] = []
    df = long_frame(frame, item=item, country=country, value=value)
    members = set(_group_codes(group))
    members.add(home)
    total = df.groupby("item", sort=False)["value"].sum()
    res = pd.Series(0.0, index=total.index)
    if residual is not None:
        res = v.series(residual, "residual", allow_empty=True).reindex(total.index).fillna(0.0)
        total = total + res
    total = total[total > 0]
    res = res.reindex(total.index)
    df = df[df["item"].isin(total.index) & (df["value"] > 0)].copy()
    df["s"] = df["value"].to_numpy() / df["item"].map(total).to_numpy()
    wfill = _fill_wgi(pd.Index(df["iso3"].unique()), _wgi(wgi_0_10), missing_wgi, defaults)
    df["w"] = df["iso3"].map(wfill).to_numpy()
    df["s2"] = df["s"] ** 2
    df["s2w"] = df["s2"] * df["w"]
    df["out"] = np.where(df["iso3"].isin(list(members)), 0.0, df["s"])
    df["home"] = np.where(df["iso3"] == home, df["s"], 0.0)
    agg = df.groupby("item", sort=False)[["s2", "s2w", "out", "home"]].sum()
    agg["out"] += (res / total).reindex(agg.index).to_numpy()
    df = df.sort_values(["item", "s"], ascending=[True, False], kind="mergesort")
    df["pos"] = df.groupby("item", sort=False).cumcount()
    top1 = df[df["pos"] == 0].set_index("item")
    top3 = df[df["pos"] < 3].groupby("item", sort=False)["s"].sum()
    res = pd.DataFrame(
        {
            "item": agg.index,
            "score": agg["s2w"].to_numpy() / 10.0 * np.minimum(1.0, agg["out"].to_numpy()),
            "hhi": agg["s2"].to_numpy(),
            "hhi_wgi": agg["s2w"].to_numpy(),
            "share_outside": np.minimum(1.0, agg["out"].to_numpy()),
            "home_share": agg["home"].to_numpy(),
            "top1_iso3": top1["iso3"].reindex(agg.index).to_numpy(),
            "top1_share": top1["s"].reindex(agg.index).to_numpy(),
            "top3_share": np.minimum(1.0, top3.reindex(agg.index).to_numpy()),
        }
    )
    res = res.sort_values(["score", "item"], ascending=[False, True], kind="mergesort")
    res = res.reset_index(drop=True)
    res.attrs["defaults_used"] = defaults
    return res
