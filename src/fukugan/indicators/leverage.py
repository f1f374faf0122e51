"""Indispensability (不可欠性): where the world relies on the home country.

For one item (a commodity's world production, or a product's world exports) the home country's
position is its world share, rank and the strength of the alternatives. The **chokepoint score**
is fukugan's own composite, *not a published method*:

    chokepoint = s_h * D,   D = s_h / (s_h + s_n)

where ``s_h`` is the home's share of the world total and ``s_n`` the share of the largest other
producer ("next-largest"). ``s_h`` is the share of world supply that would have to be replaced
if the home withheld it; ``D`` (dominance, 0-1) is 1 when no other producer exists, 0.5 when the
strongest rival is as large as the home, and falls toward 0 as the rival outgrows it. The score
lies in [0, 1]: 1 for a sole producer, 0.25 for an equal duplex, 0.81 for 90 % against a
largest rival of 1 %. It ranks goods where the home is a top supplier **and** the best
alternative is weak.

The concentration of the alternatives (``hhi_rest``, ``equivalent_number_rest``) is reported
beside the score but not in it: the proportional expansion the rest of the world would need to
replace the home, ``s_h / (1 - s_h)`` (``replacement_ratio``), does not depend on how the rest is
split, and a single strong rival is already captured by ``D``. Rows such as "Other countries"
count as one producer; drop them first if that is not wanted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fukugan import checks as v
from fukugan.errors import InputError


@dataclass(frozen=True)
class Position:
    """The home country's position in the world total of one item.

    ``rank`` is 1 for the largest producer (ties share a rank) and ``None`` if the home
    produces nothing; ``hhi_rest`` is NaN and ``equivalent_number_rest`` 0 when there is no
    other producer; ``replacement_ratio`` is ``inf`` for a sole producer.
    """

    home: str
    home_value: float
    world_total: float
    home_share: float
    rank: int | None
    n_producers: int
    hhi_world: float
    hhi_rest: float
    equivalent_number_rest: float
    next_largest_share: float
    dominance: float
    replacement_ratio: float
    chokepoint_score: float


def _dominance(sh: np.ndarray, sn: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(sh > 0, sh / (sh + sn), 0.0)
    return d


def _replacement(sh: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(sh < 1, sh / np.where(sh < 1, 1 - sh, 1.0), np.inf)


def world_position(values_by_iso3: pd.Series, home: str) -> Position:
    """Home share, rank, alternatives and chokepoint score for one item (see module docstring).

    >>> p = world_position(pd.Series({"JPN": 60.0, "KOR": 20.0, "USA": 20.0}), "JPN")
    >>> p.home_share, p.rank, p.n_producers, p.next_largest_share
    (0.6, 1, 3, 0.2)
    >>> round(p.hhi_rest, 6), p.equivalent_number_rest, round(p.chokepoint_score, 6)
    (0.5, 2.0, 0.45)
    """
    x = v.series(values_by_iso3, "values_by_iso3")
    if not isinstance(home, str) or not home:
        raise InputError(f"home: expected an ISO3 code, got {home!r}")
    total = float(x.sum())
    if total <= 0:
        raise InputError("values_by_iso3: the world total is zero, so shares are undefined")
    hv = float(x.get(home, 0.0))
    sh = hv / total
    rest = x.drop(home, errors="ignore")
    rest = rest[rest > 0]
    rtot = float(rest.sum())
    if rtot > 0:
        rs = rest.to_numpy() / rtot
        hhi_rest = float(np.dot(rs, rs))
        eq_rest = 1.0 / hhi_rest
        sn = float(rest.max()) / total
    else:
        hhi_rest, eq_rest, sn = float("nan"), 0.0, 0.0
    ws = x.to_numpy() / total
    dom = float(_dominance(np.array([sh]), np.array([sn]))[0])
    return Position(
        home=home,
        home_value=hv,
        world_total=total,
        home_share=sh,
        rank=int((x > hv).sum()) + 1 if hv > 0 else None,
        n_producers=int((x > 0).sum()),
        hhi_world=float(np.dot(ws, ws)),
        hhi_rest=hhi_rest,
        equivalent_number_rest=eq_rest,
        next_largest_share=sn,
        dominance=dom,
        replacement_ratio=float(_replacement(np.array([sh]))[0]),
        chokepoint_score=sh * dom,
    )


def long_frame(
    frame: pd.DataFrame, *, item: str, country: str, value: str, name: str = "frame"
) -> pd.DataFrame:
    """Validate a long table (item, country, value): columns present, values finite and >= 0,
    no duplicate (item, country). Returns the three columns, renamed item/iso3/value."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in (item, country, value) if c not in frame.columns]
    if missing:
        raise InputError(f"{name}: missing column(s) {', '.join(map(repr, missing))}")
    df = frame[[item, country, value]].copy()
    df.columns = ["item", "iso3", "value"]
    if df.empty:
        raise InputError(f"{name}: empty table")
    try:
        vals = pd.to_numeric(df["value"], errors="raise").astype(float)
    except (TypeError, ValueError):
        raise InputError(f"{name}: column {value!r} has non-numeric values") from None
    bad = ~np.isfinite(vals.to_numpy()) | (vals.to_numpy() < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{name}: negative, NaN or infinite {value!r} {vals.iloc[i]!r} for item "
            f"{df['item'].iloc[i]!r}, country {df['iso3'].iloc[i]!r}"
        )
    df["value"] = vals.to_numpy()
    df["iso3"] = df["iso3"].astype(str)
    dup = df.duplicated(["item", "iso3"])
    if dup.any():
        r = df[dup].iloc[0]
        raise InputError(f"{name}: duplicate row for item {r['item']!r}, country {r['iso3']!r}")
    return df


def chokepoint_table(
    frame: pd.DataFrame,
    home: str,
    *,
    item: str = "item",
    country: str = "iso3",
    value: str = "value",
    include_absent: bool = False,
    residual: pd.Series | None = None,
) -> pd.DataFrame:
    """Rank items by the home country's chokepoint score (see module docstring).

    ``residual`` (optional, per item) is world supply of unknown split, such as the USGS
    "Other countries" row: it enters ``world_total`` (so every share's denominator) but is not a
    producer, so it is not counted in ``n_producers``, ``hhi_world``, ``hhi_rest`` or the
    next-largest share (the residual is many small producers, none larger than the listed ones).

    ``frame`` is a long table with one row per (item, country) and a non-negative value
    (production or exports). Items whose world total is zero are left out; items where the
    home produces nothing are left out unless ``include_absent``. Columns: item, home_value,
    world_total, home_share, rank, n_producers, hhi_world, hhi_rest, equivalent_number_rest,
    next_largest_share, dominance, replacement_ratio, chokepoint_score; sorted by score, then
    home share, descending. Same numbers as :func:`world_position` per item, vectorised.

    >>> df = pd.DataFrame({"item": ["a", "a", "b", "b", "b"],
    ...                    "iso3": ["JPN", "CHN", "JPN", "USA", "DEU"],
    ...                    "value": [90.0, 10.0, 50.0, 25.0, 25.0]})
    >>> t = chokepoint_table(df, "JPN")
    >>> t["item"].tolist(), t["chokepoint_score"].round(4).tolist()
    (['a', 'b'], [0.81, 0.3333])
    """
    if not isinstance(home, str) or not home:
        raise InputError(f"home: expected an ISO3 code, got {home!r}")
    df = long_frame(frame, item=item, country=country, value=value)
    g = df.groupby("item", sort=False)["value"]
    total = g.sum()
    if residual is not None:
        res = v.series(residual, "residual", allow_empty=True)
        total = total + res.reindex(total.index).fillna(0.0)
    total = total[total > 0]
    df = df[df["item"].isin(total.index)]
    sq = (df["value"] ** 2).groupby(df["item"], sort=False).sum().reindex(total.index)
    n = (df["value"] > 0).groupby(df["item"], sort=False).sum().reindex(total.index)
    is_home = df["iso3"] == home
    hv = df[is_home].set_index("item")["value"].reindex(total.index).fillna(0.0)
    rest = df[~is_home & (df["value"] > 0)]
    rg = rest.groupby("item", sort=False)["value"]
    rtot = rg.sum().reindex(total.index).fillna(0.0)
    rsq = (rest["value"] ** 2).groupby(rest["item"], sort=False).sum().reindex(total.index)
    rmax = rg.max().reindex(total.index).fillna(0.0)
    above = df["value"].to_numpy() > df["item"].map(hv).to_numpy()
    n_above = pd.Series(above, index=df.index).groupby(df["item"], sort=False).sum()
    n_above = n_above.reindex(total.index).fillna(0)

    sh = (hv / total).to_numpy()
    sn = (rmax / total).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        hhi_rest = np.where(rtot > 0, rsq.to_numpy() / rtot.to_numpy() ** 2, np.nan)
        eq_rest = np.where(rtot > 0, 1.0 / hhi_rest, 0.0)
    dom = _dominance(sh, sn)
    out = pd.DataFrame(
        {
            "item": total.index,
            "home_value": hv.to_numpy(),
            "world_total": total.to_numpy(),
            "home_share": sh,
            "rank": pd.array(np.where(hv.to_numpy() > 0, n_above.to_numpy() + 1, 0), dtype="Int64"),
            "n_producers": n.to_numpy().astype(int),
            "hhi_world": sq.to_numpy() / total.to_numpy() ** 2,
            "hhi_rest": hhi_rest,
            "equivalent_number_rest": eq_rest,
            "next_largest_share": sn,
            "dominance": dom,
            "replacement_ratio": _replacement(sh),
            "chokepoint_score": sh * dom,
        }
    )
    out.loc[out["home_value"] <= 0, "rank"] = pd.NA
    if not include_absent:
        out = out[out["home_value"] > 0]
    out = out.sort_values(
        ["chokepoint_score", "home_share"], ascending=False, kind="mergesort"
    ).reset_index(drop=True)
    return out
