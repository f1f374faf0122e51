"""Input-output analysis of one OECD national table: hidden (multi-tier) import dependence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fukugan.data import oecd_iot
from fukugan.errors import InputError, UnknownItemError
from fukugan.iomodels.import_content import import_dependence
from fukugan.iomodels.leontief import leontief_inverse, technical_coefficients
from fukugan.services.datasets import IOT
from fukugan.services.report import Report
from fukugan.store.analytic import AnalyticStore


def load_table(store: AnalyticStore, country: str, year: int) -> oecd_iot.IOTable:
    """One (country, year) table from the store, rebuilt and validated."""
    info = store.info(IOT)
    cells = store.query(
        f'SELECT * FROM "{IOT}" WHERE country = ? AND year = ?', [country, int(year)]
    )
    if cells.empty:
        tables = store.query(f'SELECT DISTINCT country, year FROM "{IOT}" ORDER BY 1, 2')
        years = tables.loc[tables["country"] == country, "year"].astype(int).tolist()
        hint = (
            f"years for {country}: {', '.join(map(str, years))}"
            if years
            else f"countries: {', '.join(sorted(tables['country'].unique()))}"
        )
        raise UnknownItemError(f"no OECD input-output table for {country} {year}; {hint}")
    table = oecd_iot.iot_from_frame(cells, country, year)
    object.__setattr__(table, "provenance", info.provenance)
    return table


def _labels(lang: str) -> pd.Series:
    lab = oecd_iot.industry_labels().set_index("code")
    return lab["label_ja" if lang == "ja" else "label_en"]


def import_content(
    store: AnalyticStore, *, country: str = "JPN", year: int = 2020, lang: str = "en"
) -> Report:
    """Direct and total imported-input content per unit of output, per industry.

    direct m_j = Σ_i Z_imp[i, j] / x_j; total m_tot′ = m′(I − A_dom)⁻¹ (all tiers of domestic
    suppliers; OECD TiVA "import content"), see :mod:`fukugan.iomodels.import_content`.
    """
    t = load_table(store, country, year)
    ic = import_dependence(t.Z_dom, t.Z_imp, t.x, industries=t.industries)
    labels = _labels(lang)
    origin_idx = np.argmax(ic.by_origin, axis=0)
    origin_val = ic.by_origin[origin_idx, np.arange(len(t.industries))]
    table = pd.DataFrame(
        {
            "code": t.industries,
            "industry": [labels.get(c, c) for c in t.industries],
            "output-musd": t.x,
            "direct-import-content": ic.direct,
            "total-import-content": ic.total,
            "indirect-import-content": ic.total - ic.direct,
            "top-imported-input": [t.industries[i] for i in origin_idx],
            "top-imported-input-content": origin_val,
        }
    )
    table = table.sort_values("total-import-content", ascending=False, kind="stable")
    fd = t.Y_dom.sum(axis=1)
    fd = np.where(fd > 0, fd, 0.0)
    summary = {
        "country": country,
        "year": year,
        "n-industries": len(t.industries),
        "output-weighted-direct": float(np.average(ic.direct, weights=np.maximum(t.x, 0))),
        "fd-weighted-total": float(np.average(ic.total, weights=fd)) if fd.sum() > 0 else None,
    }
    return Report(
        title="title-import-content",
        title_args={"country": country, "year": year},
        table=table.reset_index(drop=True),
        summary=summary,
        sources=[t.provenance],
        notes=["note-import-content"],
    )


def leontief(
    store: AnalyticStore, *, country: str = "JPN", year: int = 2020, domestic: bool = True
) -> Report:
    """The Leontief inverse L = (I − A)⁻¹ (domestic A_dom by default, or A_dom + A_imp)."""
    t = load_table(store, country, year)
    Z = t.Z_dom if domestic else t.Z_dom + t.Z_imp
    L = leontief_inverse(
        technical_coefficients(Z, t.x, industries=t.industries), industries=t.industries
    )
    table = pd.DataFrame(L, columns=list(t.industries))
    table.insert(0, "code", list(t.industries))
    return Report(
        title="title-leontief-domestic" if domestic else "title-leontief-total",
        title_args={"country": country, "year": year},
        table=table,
        summary={
            "output-multiplier-max": float(L.sum(axis=0).max()),
            "output-multiplier-mean": float(L.sum(axis=0).mean()),
        },
        sources=[t.provenance],
        notes=["note-leontief"],
    )


#: HS chapter -> OECD industry of origin of the imported product (ISIC Rev.4 aggregates of the
#: OECD tables): chapter 27 coal, crude oil, natural gas -> B05_06; 25/26 ores and minerals ->
#: B07_08 (uranium ores 2612 included, ISIC 0721); 28 inorganic chemicals -> C20; 71/72/76/81
#: precious metals, ferroalloys, aluminium, other base metals -> C24.
HS_CHAPTER_INDUSTRY = {
    "25": "B07_08",
    "26": "B07_08",
    "27": "B05_06",
    "28": "C20",
    "71": "C24",
    "72": "C24",
    "76": "C24",
    "81": "C24",
}
#: Groups for the HS codes without a USGS commodity (label keys ``group-<id>``).
EXTRA_GROUPS = {
    "2701": "coal",
    "2702": "coal",
    "2709": "crude-oil",
    "2711": "natural-gas",
    "2612": "uranium",
    "2805": "mercury",
}
TOP_ORIGINS = 6


def _group_of(hs6: str, mapped: dict[str, str]) -> str | None:
    if hs6 in mapped:
        return mapped[hs6]
    return EXTRA_GROUPS.get(hs6[:4])


def _group_label(gid: str, names: dict[str, str], lang: str) -> str:
    from fukugan.i18n import commodity_name, t

    if gid in names:
        return commodity_name(gid, names[gid], lang)
    return t(f"group-{gid}", lang)


def _origin_text(shares: pd.Series, n: int = 3) -> str:
    top = shares.sort_values(ascending=False, kind="stable").head(n)
    return ", ".join(f"{c} {s * 100:.1f}%" for c, s in top.items() if s > 0)


def import_origin(
    store: AnalyticStore,
    *,
    country: str = "JPN",
    year: int = 2020,
    industry: str | None = None,
    lang: str = "en",
) -> list[Report]:
    """Hidden (multi-tier) imports of raw-material groups by origin country, per industry.

    For each raw-material group g (a USGS commodity's HS codes in the trade data, or coal,
    crude oil, natural gas, uranium), its imported product p_g (the OECD industry of origin,
    :data:`HS_CHAPTER_INDUSTRY`), its share φ_g of the table's imports of p_g (trade data USD /
    table imports) and the origin shares s_gc of ``country``'s imports of g (same year): the
    imports of g embodied in the final demand for each industry j's output, over all tiers of
    domestic suppliers, are E[g, j, c] = (A_imp L_dom)[p_g, j] · f_j · φ_g · s_gc
    (:func:`fukugan.iomodels.import_content.embodied_imports_by_origin`). The proportionality
    assumption (every user of imported product p buys the same mix of groups and origins) is
    TiVA's, and is stated in the output. Imports bought directly by final demand are a row of
    their own, so each group's rows sum to its imports in the table.

    Reports: by industry (all groups), by (industry, group), and the origin split of the
    industries' embodied imports (largest origins, the rest as ``other``).
    """
    from fukugan.data.groups import like_minded
    from fukugan.i18n import country_name
    from fukugan.i18n import t as label
    from fukugan.iomodels.import_content import embodied_imports_by_origin
    from fukugan.services.tradedata import product_commodity, year_trade

    tab = load_table(store, country, year)
    trade, ty, trade_notes, trade_prov = year_trade(store, year, strict=True)
    inds = list(tab.industries)
    if industry is not None and industry not in inds:
        raise InputError(
            f"unknown industry {industry!r}; codes: {', '.join(inds)}", field="industry"
        )
    imp = trade[(trade["importer"] == country) & (trade["exporter"] != country)]
    imp = imp[imp["value_usd"] > 0]
    if imp.empty:
        raise UnknownItemError(f"{country} has no imports in the trade data for {year}")
    mapped = product_commodity()
    hs = imp["hs6"].astype(str)
    frame = pd.DataFrame(
        {
            "group": [_group_of(h, mapped) for h in hs],
            "product": [HS_CHAPTER_INDUSTRY.get(h[:2]) for h in hs],
            "origin": imp["exporter"].astype(str).to_numpy(),
            "usd": imp["value_usd"].to_numpy(dtype=float),
        }
    )
    frame = frame.dropna(subset=["group", "product"])
    frame = frame[frame["product"].isin(inds)]
    by_go = frame.groupby(["group", "product", "origin"], sort=True)["usd"].sum()
    groups = by_go.groupby(level=[0, 1]).sum()  # (group, product) -> USD
    origins = sorted(set(frame["origin"]))
    o_index = {c: k for k, c in enumerate(origins)}
    G = len(groups)
    S = np.zeros((G, len(origins)))
    for k, ((g, p), total) in enumerate(groups.items()):
        part = by_go.loc[(g, p)]
        for c, v in part.items():
            S[k, o_index[c]] = v / total
    p_idx = [inds.index(p) for _, p in groups.index]
    table_imports = tab.imports * 1e6  # USD
    notes = ["note-io-origin", *trade_notes]
    phi = np.zeros(G)
    for p in sorted({p for _, p in groups.index}):
        sel = [k for k, (_, pp) in enumerate(groups.index) if pp == p]
        traded = float(groups.iloc[sel].sum())
        avail = float(table_imports[inds.index(p)])
        scale = 1.0
        if traded > avail > 0:
            scale = avail / traded
            notes.append(
                f"{p}: the trade data's imports (USD {traded:,.0f}) exceed the table's imports "
                f"(USD {avail:,.0f}); group fractions scaled by {scale:.3f}"
            )
        for k in sel:
            phi[k] = groups.iloc[k] * scale / avail if avail > 0 else 0.0
    ic = import_dependence(tab.Z_dom, tab.Z_imp, tab.x, industries=tab.industries)
    fd = tab.Y_dom.sum(axis=1) * 1e6
    E = embodied_imports_by_origin(ic.by_origin, fd, p_idx, phi, S)  # (G, n, C) USD
    # imports bought by final demand directly: one more "industry"
    direct = (tab.Y_imp.sum(axis=1) * 1e6)[p_idx] * phi
    E = np.concatenate([E, (direct[:, None] * S)[:, None, :]], axis=1)
    fd_code = "FD"
    codes = [*inds, fd_code]
    labels = _labels(lang)
    ind_name = [labels.get(c, c) for c in inds] + [label("io-origin-final-demand", lang)]
    from fukugan.data import usgs
    from fukugan.services.datasets import USGS, require

    names = usgs.commodities(require(store, USGS)[0]).set_index("commodity_id")["commodity"]
    names = {str(k): str(v) for k, v in names.items()}
    gid = [g for g, _ in groups.index]
    glabel = [_group_label(g, names, lang) for g in gid]
    group_set = like_minded()
    outside = np.array([c not in group_set for c in origins])
    chn = o_index.get("CHN")

    # by industry, all groups
    tot_jc = E.sum(axis=0)  # (n+1, C)
    tot_j = tot_jc.sum(axis=1)
    rows = []
    for j, code in enumerate(codes):
        if tot_j[j] <= 0:
            continue
        sh = pd.Series(tot_jc[j] / tot_j[j], index=origins)
        gj = E[:, j, :].sum(axis=1)
        rows.append(
            {
                "code": code,
                "industry": ind_name[j],
                "embodied-usd": tot_j[j],
                "top-origin": sh.idxmax(),
                "top-origin-share": float(sh.max()),
                "china-share": float(sh.get("CHN", 0.0)),
                "share-outside-like-minded": float(sh[outside].sum()),
                "top-origins": _origin_text(sh),
                "top-group": glabel[int(np.argmax(gj))],
            }
        )
    by_ind = pd.DataFrame(rows).sort_values("embodied-usd", ascending=False, kind="stable")
    # by (industry, group)
    det = []
    for k in range(G):
        for j, code in enumerate(codes):
            v = E[k, j, :]
            total = float(v.sum())
            if total <= 0 or (industry is not None and code != industry):
                continue
            sh = pd.Series(v / total, index=origins)
            det.append(
                {
                    "code": code,
                    "industry": ind_name[j],
                    "group": glabel[k],
                    "group-id": gid[k],
                    "imported-product": inds[p_idx[k]],
                    "embodied-usd": total,
                    "top-origins": _origin_text(sh),
                    "china-share": float(v[chn] / total) if chn is not None else 0.0,
                    "share-outside-like-minded": float(sh[outside].sum()),
                }
            )
    detail = pd.DataFrame(det).sort_values("embodied-usd", ascending=False, kind="stable")
    # origin split of each industry's embodied imports (largest origins overall + other)
    overall = pd.Series(tot_jc[: len(inds)].sum(axis=0), index=origins)
    top = list(overall.sort_values(ascending=False).index[:TOP_ORIGINS])
    split = []
    for j, code in enumerate(codes):
        if tot_j[j] <= 0:
            continue
        for c in top:
            split.append(
                {
                    "code": code,
                    "industry": ind_name[j],
                    "origin": c,
                    "country": country_name(c, lang),
                    "embodied-usd": float(tot_jc[j, o_index[c]]),
                    "share": float(tot_jc[j, o_index[c]] / tot_j[j]),
                }
            )
        rest = float(tot_j[j] - sum(tot_jc[j, o_index[c]] for c in top))
        split.append(
            {
                "code": code,
                "industry": ind_name[j],
                "origin": "other",
                "country": label("web-other", lang),
                "embodied-usd": rest,
                "share": rest / tot_j[j],
            }
        )
    sources = [tab.provenance, trade_prov]
    check = {
        "table-imports-covered-usd": float(direct.sum() + E[:, : len(inds), :].sum()),
        "trade-imports-usd": float(groups.sum()),
    }
    args = {"country": country, "year": year}
    if industry is not None:
        by_ind = by_ind[by_ind["code"] == industry]
    return [
        Report(
            title="title-io-origin",
            title_args=args,
            table=by_ind.reset_index(drop=True),
            summary={
                "n-groups": G,
                "origins": ", ".join(top),
                **check,
            },
            sources=sources,
            notes=notes,
        ),
        Report(
            title="title-io-origin-detail",
            title_args=args,
            table=detail.reset_index(drop=True),
            sources=sources,
            notes=["note-io-origin"],
        ),
        Report(
            title="title-io-origin-split",
            title_args=args,
            table=pd.DataFrame(split),
            sources=sources,
            notes=["note-io-origin"],
        ),
    ]
