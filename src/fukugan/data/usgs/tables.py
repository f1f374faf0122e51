"""Look-ups on the clean USGS frame: commodity names, the default production TYPE and
production shares.

Shares, "World total" and "Other countries" (the rule implemented by :func:`production_shares`):

* The denominator is the **sum of the listed countries (and multi-country group rows) plus
  "Other countries"** for the commodity, TYPE, measure and year. This is the set of numbers that
  USGS rounds into its world total, so it is consistent with it; the difference to the USGS
  "World total" is reported as a check value (``world_total``, ``world_gap``, ``world_gap_rel``)
  rather than used, because the world total is rounded (e.g. 760 000 kg vs 762 000 kg listed for
  gallium in 2024) and sometimes excludes countries (lithium excludes the United States).
* "Other countries" enters the denominator but is **not** one supplier: it is many small ones.
  Treating it as one supplier overstates HHI; dropping it overstates every listed share. It is
  returned separately (``basis["other_value"]``, ``basis["other_share"]``) with HHI bounds
  ``hhi_lower`` = Σ sᵢ² over listed suppliers (the others infinitely fragmented) and
  ``hhi_upper`` = ``hhi_lower`` + s_other² (the others as one supplier); shares are fractions
  (0–1), so HHI is on the 0–1 scale.
* Countries whose value is withheld, not available or blank are listed with value and share NaN,
  ``excluded`` True and their marker; they are not in the denominator and are named in
  ``basis["excluded"]`` so callers can flag the result (e.g. U.S. lithium is W).
* Several rows of one country (Helium: "United States (extracted from natural gas)" and "United
  States (from Cliffside Field)") are added up into one supplier. Multi-country group rows stay
  one supplier with ``members`` listing their ISO3 codes.

Default production TYPE (:func:`primary_type`), i.e. what "world production of X" means:

1. Explicit choices where the rule below would mislead: Silicon → "Plant production, silicon
   metal" (the economic-security product; ferrosilicon is the larger tonnage), Platinum-group
   metals → "Mine production, Platinum content" (palladium is the other TYPE).
2. Otherwise among the production TYPEs (not capacity, not reserves) — or the capacity TYPEs if a
   commodity has only capacity rows (Abrasives) — prefer TYPEs that start with "Mine production"
   (Bauxite → mine production of bauxite, not alumina refinery output; Copper → mine, not
   refinery), then, when their units agree, the largest table in the latest year (sum of the
   listed countries and "Other countries"; Iron ore → usable ore; Iron and steel → raw steel;
   Titanium mineral concentrates → ilmenite; Clays → kaolin; Mica → scrap and flake), then file
   order.
   Aluminum has only smelter production, Gallium only primary production.
"""

from __future__ import annotations

import difflib
import math

import pandas as pd

from fukugan.data.usgs.quirks import (
    _COMMODITY_ALIASES,
    _PRIMARY_OVERRIDES,
    _clean,
    _is_capacity_type,
    _is_reserves_type,
    commodity_slug,
)
from fukugan.errors import FukuganError, UnknownItemError


def _commodity_names(frame: pd.DataFrame) -> dict[str, str]:
    pairs = frame[["commodity_id", "commodity"]].drop_duplicates()
    return dict(zip(pairs["commodity_id"], pairs["commodity"], strict=True))


def resolve_commodity(frame: pd.DataFrame, name: str) -> str:
    """``commodity_id`` for a user's string: case-insensitive name or id, slug, a few aliases
    (aluminium, PGM, REE, Gemanium, ...) or a unique prefix.

    Raises:
        UnknownItemError: no match, or an ambiguous prefix; lists close matches (difflib).
    """
    names = _commodity_names(frame)
    q = _clean(name).lower()
    if not q:
        raise UnknownItemError("empty commodity name")
    by_name = {v.lower(): k for k, v in names.items()}
    slug = commodity_slug(q)
    for cand in (q, slug):
        if cand in names:
            return cand
        if cand in by_name:
            return by_name[cand]
    alias = _COMMODITY_ALIASES.get(q)
    if alias and alias in names:
        return alias
    pref = sorted({k for k, v in names.items() if k.startswith(slug) or v.lower().startswith(q)})
    if len(pref) == 1:
        return pref[0]
    if len(pref) > 1:
        raise UnknownItemError(
            f"commodity {name!r} is ambiguous: {', '.join(names[p] + ' (' + p + ')' for p in pref)}"
        )
    keys = list(names) + list(by_name)
    close = difflib.get_close_matches(slug, keys, n=5, cutoff=0.6)
    close += difflib.get_close_matches(q, keys, n=5, cutoff=0.6)
    ids = list(dict.fromkeys(by_name.get(c, c) for c in close))
    hint = (
        "close matches: " + ", ".join(f"{names[i]} ({i})" for i in ids)
        if ids
        else "see the list of commodities"
    )
    raise UnknownItemError(f"unknown commodity {name!r}; {hint}")


def _table_size(g: pd.DataFrame) -> float:
    """Size of a TYPE's table in its latest year with data: the sum of the country, group and
    "Other countries" rows (not the USGS world total, which can be wrong: the 2024 kaolin world
    total in the file is 4400 for 44 240 listed)."""
    rows = g[(g["row_kind"] != "world") & g["value"].notna()]
    if rows.empty:
        return math.nan
    latest = int(rows["year"].max())
    return float(rows.loc[rows["year"] == latest, "value"].sum())


def primary_type(frame: pd.DataFrame, commodity_id: str) -> str:
    """The production TYPE meant by "world production of X" (rules in the module docstring).

    Raises:
        UnknownItemError: the commodity is not in the frame.
    """
    sub = frame[frame["commodity_id"] == commodity_id]
    if sub.empty:
        raise UnknownItemError(f"unknown commodity id {commodity_id!r}")
    types = list(dict.fromkeys(sub["type"]))
    override = _PRIMARY_OVERRIDES.get(commodity_id)
    if override in types:
        return override
    # TYPEs with supplier rows (a world-total-only TYPE such as Soda ash "total natural and
    # synthetic" or Titanium "ilmenite and rutile" cannot give country shares).
    has_suppliers = set(sub.loc[sub["row_kind"].isin(["country", "group"]), "type"])
    types = [t for t in types if t in has_suppliers] or types
    prod = [t for t in types if not _is_capacity_type(t) and not _is_reserves_type(t)]
    cands = prod or [t for t in types if _is_capacity_type(t)] or types
    mine = [t for t in cands if t.lower().startswith("mine production")]
    cands = mine or cands
    if len(cands) == 1:
        return cands[0]
    units = {t: set(sub[sub["type"] == t]["unit"]) for t in cands}
    if len(set().union(*units.values())) == 1:
        totals = {t: _table_size(sub[sub["type"] == t]) for t in cands}
        with_total = [t for t in cands if not math.isnan(totals[t])]
        if with_total:
            return max(with_total, key=lambda t: (totals[t], -cands.index(t)))
    return cands[0]


def production_shares(
    frame: pd.DataFrame,
    commodity_id: str,
    year: int,
    type: str | None = None,  # noqa: A002 - the USGS column name
    measure: str | None = None,
) -> pd.DataFrame:
    """Country shares of world production (or capacity / reserves) for one commodity and year.

    Method (see module docstring): denominator = listed countries and groups + "Other
    countries"; "Other countries" is returned in ``result.attrs["basis"]``, not as a row;
    W / NA / blank countries are listed with NaN and ``excluded`` True. ``measure`` defaults to
    "production", or "capacity" for a capacity TYPE (Abrasives).

    Returns a frame with columns iso3, country, row_kind, members, value, share, marker,
    excluded (sorted by share, largest first) and ``attrs["basis"]``: a dict with commodity_id,
    type, measure, year, unit, denominator, listed_total, other_value, other_share,
    other_listed (the table has an "Other countries" row), world_total, world_gap
    (world_total − denominator), world_gap_rel, excluded (names), hhi_lower, hhi_upper,
    n_suppliers, rule. ``other_value`` / ``other_share`` are NaN when the table has no
    "Other countries" value (the denominator then counts it as 0).

    Raises:
        UnknownItemError: unknown commodity or TYPE.
        FukuganError: the rows mix units (values of different units are never added).
    """
    if commodity_id not in set(frame["commodity_id"]):
        raise UnknownItemError(f"unknown commodity id {commodity_id!r}")
    typ = type if type is not None else primary_type(frame, commodity_id)
    sub = frame[(frame["commodity_id"] == commodity_id)]
    if typ not in set(sub["type"]):
        raise UnknownItemError(
            f"no TYPE {typ!r} for {commodity_id}; available: {', '.join(dict.fromkeys(sub['type']))}"
        )
    if measure is None:
        measure = (
            "capacity"
            if _is_capacity_type(typ)
            else "reserves"
            if _is_reserves_type(typ)
            else "production"
        )
    sub = sub[(sub["type"] == typ) & (sub["measure"] == measure) & (sub["year"] == int(year))]
    units = sorted(set(sub["unit"]))
    if len(units) > 1:
        raise FukuganError(
            f"{commodity_id} / {typ} / {measure} {year} mixes units ({', '.join(units)}); "
            "values of different units are not added"
        )
    suppliers = sub[sub["row_kind"].isin(["country", "group"])]
    others = sub[sub["row_kind"] == "other"]
    world = sub[sub["row_kind"] == "world"]

    out_rows = []
    key = suppliers["iso3"].where(suppliers["iso3"].notna(), suppliers["country"])
    for _k, g in suppliers.groupby(key, sort=False):
        vals = g["value"].dropna()
        value = float(vals.sum()) if not vals.empty else math.nan
        markers = [m for m in g["marker"] if m]
        out_rows.append(
            {
                "iso3": g["iso3"].iloc[0],
                "country": " + ".join(dict.fromkeys(g["country"])),
                "row_kind": g["row_kind"].iloc[0],
                "members": g["members"].iloc[0],
                "value": value,
                "marker": ",".join(dict.fromkeys(markers)),
                "excluded": bool(vals.empty),
            }
        )
    res = pd.DataFrame(
        out_rows,
        columns=["iso3", "country", "row_kind", "members", "value", "marker", "excluded"],
    )
    listed_total = float(res["value"].sum(skipna=True)) if not res.empty else 0.0
    other_known = bool(others["value"].notna().any())
    other_value = float(others["value"].sum(skipna=True)) if other_known else 0.0
    denominator = listed_total + other_value
    if denominator > 0:
        res["share"] = res["value"] / denominator
        other_share = other_value / denominator
    else:
        res["share"] = math.nan
        other_share = math.nan
        denominator = math.nan
    world_total = float(world["value"].dropna().sum()) if world["value"].notna().any() else math.nan
    gap = world_total - denominator
    s = res["share"].dropna()
    hhi_lower = float((s**2).sum()) if not s.empty else math.nan
    hhi_upper = hhi_lower + (other_share**2 if other_known and not math.isnan(other_share) else 0.0)
    res = res.sort_values("share", ascending=False, na_position="last", kind="stable")
    res = res[
        ["iso3", "country", "row_kind", "members", "value", "share", "marker", "excluded"]
    ].reset_index(drop=True)
    res.attrs["basis"] = {
        "commodity_id": commodity_id,
        "type": typ,
        "measure": measure,
        "year": int(year),
        "unit": units[0] if units else "",
        "denominator": denominator,
        "listed_total": listed_total,
        "other_value": other_value if other_known else math.nan,
        "other_share": other_share if other_known else math.nan,
        "other_listed": not others.empty,
        "world_total": world_total,
        "world_gap": gap,
        "world_gap_rel": gap / world_total if world_total else math.nan,
        "excluded": res.loc[res["excluded"], "country"].tolist(),
        "hhi_lower": hhi_lower,
        "hhi_upper": hhi_upper,
        "n_suppliers": int((~res["excluded"]).sum()),
        "rule": (
            "denominator = listed countries + 'Other countries'; 'Other countries' is not one "
            "supplier (hhi_lower ignores it, hhi_upper counts it as one); W/NA/blank excluded"
        ),
    }
    return res


def commodities(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per commodity: commodity_id, commodity, primary_type, types (``; ``-joined)."""
    rows = []
    for cid, name in _commodity_names(frame).items():
        types = list(dict.fromkeys(frame.loc[frame["commodity_id"] == cid, "type"]))
        rows.append(
            {
                "commodity_id": cid,
                "commodity": name,
                "primary_type": primary_type(frame, cid),
                "types": "; ".join(types),
            }
        )
    return pd.DataFrame(rows)
