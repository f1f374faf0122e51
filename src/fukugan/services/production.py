"""World production of one commodity: who produces it, how concentrated, where home stands."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fukugan.data import usgs
from fukugan.errors import UnknownItemError
from fukugan.indicators.groups import like_minded
from fukugan.services.context import commodity_tags, load_context
from fukugan.services.datasets import USGS, require
from fukugan.services.report import Report
from fukugan.store.analytic import AnalyticStore


def _years(frame: pd.DataFrame, cid: str) -> list[int]:
    return sorted(int(y) for y in frame.loc[frame["commodity_id"] == cid, "year"].unique())


def production_profile(
    store: AnalyticStore,
    commodity: str,
    *,
    year: int = 2024,
    home: str = "JPN",
    type_: str | None = None,
) -> Report:
    """Per-country production and world shares, HHI (bounds), top-1/top-3, WGI-weighted HHI,
    share outside the like-minded group and home's share and rank, with sources.

    Shares follow :func:`fukugan.data.usgs.production_shares`: the denominator is the listed
    countries plus "Other countries"; "Other countries" is not counted as one supplier in the
    reported HHI (the lower bound; the upper bound counts it as one).
    """
    frame, prov = require(store, USGS)
    cid = usgs.resolve_commodity(frame, commodity)
    years = _years(frame, cid)
    if year not in years:
        raise UnknownItemError(
            f"no {cid} data for {year}; years available: {', '.join(map(str, years))}"
        )
    shares = usgs.production_shares(frame, cid, year, type=type_)
    basis = shares.attrs["basis"]
    ctx = load_context(store, year)
    group = like_minded()

    table = shares.copy()
    wgi = table["iso3"].map(ctx.wgi) if len(ctx.wgi) else np.nan
    table = pd.DataFrame(
        {
            "rank": np.arange(1, len(table) + 1),
            "country": table["country"].to_numpy(),
            "iso3": table["iso3"].fillna("").to_numpy(),
            "value": table["value"].to_numpy(),
            "share": table["share"].to_numpy(),
            "like_minded": table["iso3"].isin(group).to_numpy(),
            "wgi_0_10": np.asarray(wgi, dtype=float),
            "marker": table["marker"].to_numpy(),
        }
    )
    listed = table[table["share"].notna()]
    s = listed["share"].to_numpy()
    w = listed["wgi_0_10"].to_numpy()
    w_missing = np.isnan(w)
    w_fill = np.nanmedian(w) if (~w_missing).any() else np.nan
    hhi_wgi = float(np.sum(s * s * np.where(w_missing, w_fill, w)))
    other_share = basis["other_share"] if not math.isnan(basis["other_share"]) else 0.0
    outside = float(listed.loc[~listed["like_minded"] & (listed["iso3"] != home), "share"].sum())
    home_rows = listed[listed["iso3"] == home]
    home_share = float(home_rows["share"].sum()) if len(home_rows) else 0.0
    home_rank = int(home_rows["rank"].iloc[0]) if len(home_rows) else None
    top = listed.iloc[0] if len(listed) else None
    summary = {
        "commodity": usgs.commodities(frame).set_index("commodity_id").loc[cid, "commodity"],
        "type": basis["type"],
        "year": year,
        "unit": basis["unit"],
        "world-total-usgs": basis["world_total"],
        "denominator": basis["denominator"],
        "other-countries-share": basis["other_share"],
        "n-suppliers": basis["n_suppliers"],
        "hhi": basis["hhi_lower"],
        "hhi-upper": basis["hhi_upper"],
        "top1": f"{top['country']} ({top['share']:.1%})" if top is not None else "–",
        "top3-share": float(listed["share"].iloc[:3].sum()),
        "hhi-wgi": hhi_wgi,
        "share-outside-like-minded": outside,
        "share-outside-unknown-others": other_share,
        "home-share": home_share,
        "home-rank": home_rank if home_rank is not None else "–",
        "official-lists": ", ".join(commodity_tags(ctx, cid)) or "–",
    }
    if listed.empty:
        for k in (
            "top3-share",
            "hhi-wgi",
            "share-outside-like-minded",
            "share-outside-unknown-others",
            "home-share",
        ):
            summary[k] = None
    notes = ["note-usgs-denominator", "note-hhi-bounds"]
    if listed.empty:
        notes.insert(0, "note-no-figures")
    if basis["excluded"]:
        notes.append(
            "Withheld / not available (excluded from shares): " + ", ".join(basis["excluded"])
        )
    if w_missing.any():
        notes.append("note-wgi-missing-median")
    if ctx.wgi_year is not None and ctx.wgi_year != year:
        notes.append(f"WGI {ctx.wgi_year} used for {year} (latest available).")
    return Report(
        title="title-production",
        title_args={"commodity": summary["commodity"], "year": year, "home": home},
        table=table,
        summary=summary,
        sources=[prov, *ctx.sources],
        notes=notes,
    )
