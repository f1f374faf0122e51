"""Input-output analysis of one OECD national table: hidden (multi-tier) import dependence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fukugan.data import oecd_iot
from fukugan.errors import UnknownItemError
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
