"""The national briefing: one report of the home country's top dependencies (commodities and
HS products), its chokepoints (where the world depends on it), how its import dependence moved
over 5 and 10 years, the method notes and the sources — what an analyst otherwise assembles
from ten commodity briefings.

Its inputs are the presented service reports (:func:`fukugan.app.present.present` of
:func:`fukugan.services.dependencies.dependencies`, :func:`~fukugan.services.dependencies.
chokepoints` and :func:`fukugan.services.tradehistory.trade_trends`): every figure in the
briefing is one of theirs. This module only chooses the top rows, orders and words them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fukugan.i18n import country_name, t, unit_name
from fukugan.reports.svg import bar_chart
from fukugan.store.analytic import AnalyticStore

__all__ = ["TOP", "national_briefing", "national_docs"]

#: rows of each table in the briefing
TOP = 10

#: (section id, columns) of each table, in order; a column the report lacks is skipped
SECTIONS: dict[str, tuple[str, ...]] = {
    "dependencies": (
        "rank",
        "commodity",
        "autonomy-risk",
        "top1",
        "top1-share",
        "share-outside-like-minded",
        "official-lists",
    ),
    "dependencies-trade": (
        "rank",
        "hs6",
        "product",
        "imports-usd",
        "top1",
        "top1-share",
        "share-outside-like-minded",
        "eu2021-dependent",
    ),
    "chokepoints": ("rank", "commodity", "chokepoint-score", "home-share", "home-rank"),
    "chokepoints-trade": (
        "rank",
        "hs6",
        "product",
        "exports-usd",
        "home-share",
        "home-rank",
        "chokepoint-score",
    ),
    "trend": (
        "rank",
        "hs6",
        "product",
        "dependence-then",
        "dependence",
        "dependence-change",
        "top1-then",
        "top1",
    ),
}

#: columns holding an ISO3 code, written as the country's name
_COUNTRY_COLUMNS = ("top1", "top1-then")
#: columns in USD, written in million USD (the label says so)
_USD_COLUMNS = ("imports-usd", "exports-usd")


def national_docs(
    store: AnalyticStore, *, home: str, year: int, lang: str
) -> tuple[list[dict], list[dict], list[dict]]:
    """The presented dependencies, chokepoints and trends reports the briefing is made of (for
    callers without the web app's cache). Trends are empty without trade data."""
    from fukugan.app.present import present
    from fukugan.errors import UnknownItemError
    from fukugan.services.datasets import TRADE
    from fukugan.services.dependencies import chokepoints, dependencies
    from fukugan.services.tradehistory import trade_trends

    deps = [present(r, lang) for r in dependencies(store, home=home, year=year, top=0, lang=lang)]
    chk = [present(r, lang) for r in chokepoints(store, home=home, year=year, top=0, lang=lang)]
    trends: list[dict] = []
    if store.has(TRADE):
        try:
            trends = [
                present(r, lang)
                for r in trade_trends(store, home=home, year=None, top=0, lang=lang)
            ]
        except UnknownItemError:  # no imports, or no year far enough back
            trends = []
    return deps, chk, trends


def _cell(row: dict[str, Any], col: dict[str, Any], lang: str) -> str:
    from fukugan.app.format import fmt

    v = row.get(col["key"])
    if col["key"] in _USD_COLUMNS and isinstance(v, (int, float)):
        return fmt(float(v) / 1e6, "number")
    if col["key"] in _COUNTRY_COLUMNS and isinstance(v, str) and v:
        return country_name(v, lang)
    kind = col["kind"]
    return fmt(v, kind if kind in ("percent", "number", "bool") else "text")


def _million(label: str, lang: str) -> str:
    """A USD column's label with the unit the briefing writes it in (million USD)."""
    unit = unit_name("million USD", lang)
    for usd in ("(USD)", "（ドル）"):
        if usd in label:
            return label.replace(usd, f"（{unit}）" if usd.startswith("（") else f"({unit})")
    return f"{label} ({unit})"


def _table(doc: dict[str, Any], section: str, lang: str, top: int) -> dict[str, Any]:
    """One section: the report's title, its first ``top`` rows in the section's columns
    (formatted as every interface formats them), how many rows the report has, its notes."""
    cols = [c for c in doc["columns"] if c["key"] in SECTIONS[section]]
    order = {k: i for i, k in enumerate(SECTIONS[section])}
    cols.sort(key=lambda c: order[c["key"]])
    return {
        "id": section,
        "title": doc["title"],
        "columns": [
            {
                "key": c["key"],
                "label": _million(c["label"], lang) if c["key"] in _USD_COLUMNS else c["label"],
                "num": c["kind"] in ("number", "percent"),
            }
            for c in cols
        ],
        "rows": [[_cell(r, c, lang) for c in cols] for r in doc["rows"][:top]],
        "shown": min(top, len(doc["rows"])),
        "total": len(doc["rows"]),
        "notes": list(doc["notes"]),
    }


def _summary(doc: dict[str, Any] | None, key: str) -> Any:
    for s in (doc or {}).get("summary", []):
        if s["key"] == key:
            return s["value"]
    return None


def _findings(
    deps: list[dict], chk: list[dict], trends: list[dict], home: str, lang: str
) -> list[str]:
    from fukugan.app.format import fmt

    def pct(v: Any) -> str:
        return fmt(v, "percent")

    out = []
    hname = country_name(home, lang)
    com = deps[0]["rows"]
    if com:
        r = com[0]
        out.append(
            t(
                "national-finding-commodity",
                lang,
                commodity=r["commodity"],
                risk=fmt(r["autonomy-risk"], "number"),
                top1=country_name(str(r["top1"]), lang),
                share=pct(r["top1-share"]),
                outside=pct(r["share-outside-like-minded"]),
            )
        )
    hs = deps[1] if len(deps) > 1 else None
    if hs is not None:
        dependent = [r for r in hs["rows"] if r.get("eu2021-dependent")]
        n_dep, n = _summary(hs, "n-dependent"), _summary(hs, "n-products")
        if dependent:
            big = max(dependent, key=lambda r: r.get("imports-usd") or 0.0)
            out.append(
                t(
                    "national-finding-eu2021",
                    lang,
                    home=hname,
                    n=n_dep,
                    of=n,
                    product=big["product"],
                    hs6=big["hs6"],
                    imports=fmt(float(big["imports-usd"]) / 1e6, "number"),
                    top1=country_name(str(big["top1"]), lang),
                    share=pct(big["top1-share"]),
                )
            )
        else:
            out.append(t("national-finding-eu2021-none", lang, home=hname, of=n))
    lever = chk[0]["rows"]
    if lever:
        r = lever[0]
        out.append(
            t(
                "national-finding-chokepoint",
                lang,
                home=hname,
                commodity=r["commodity"],
                rank=r["home-rank"],
                share=pct(r["home-share"]),
            )
        )
    else:
        out.append(t("national-finding-chokepoint-none", lang, home=hname))
    for tr in trends[-1:]:  # the longest span
        if tr["rows"] and (tr["rows"][0].get("dependence-change") or 0) > 0:
            r = tr["rows"][0]
            args = tr["title_args"]
            out.append(
                t(
                    "national-finding-trend",
                    lang,
                    span=args["span"],
                    to=args["to"],
                    product=r["product"],
                    hs6=r["hs6"],
                    then=fmt(r["dependence-then"], "number"),
                    now=fmt(r["dependence"], "number"),
                    top_then=country_name(str(r.get("top1-then") or "–"), lang),
                    top_now=country_name(str(r["top1"]), lang),
                    n=_summary(tr, "n-rose"),
                    of=_summary(tr, "n-products"),
                )
            )
    return out


def national_briefing(
    deps: list[dict],
    chk: list[dict],
    trends: list[dict],
    *,
    home: str,
    year: int,
    lang: str = "en",
    today: date | None = None,
    top: int = TOP,
) -> dict[str, Any]:
    """The national briefing of ``home`` (a JSON-ready dict, the template's context) from the
    presented reports of :func:`national_docs`.

    >>> doc = {"title": "T", "title_args": {}, "columns": [], "rows": [], "summary": [],
    ...        "notes": [], "sources": []}
    >>> b = national_briefing([doc], [doc], [], home="JPN", year=2024, today=date(2026, 1, 1))
    >>> b["kind"], b["title"], [s["id"] for s in b["sections"]]
    ('national', 'Japan: dependencies and leverage, 2024', ['dependencies', 'chokepoints'])
    """
    sections = [_table(deps[0], "dependencies", lang, top)]
    if len(deps) > 1:
        sections.append(_table(deps[1], "dependencies-trade", lang, top))
    sections.append(_table(chk[0], "chokepoints", lang, top))
    if len(chk) > 1:
        sections.append(_table(chk[1], "chokepoints-trade", lang, top))
    for tr in trends:
        sections.append(
            {**_table(tr, "trend", lang, top), "id": f"trend-{tr['title_args']['span']}"}
        )
    chart_rows = [r for r in deps[0]["rows"][:top] if r.get("autonomy-risk") is not None]
    chart = (
        bar_chart(
            [(str(r["commodity"]), float(r["autonomy-risk"])) for r in chart_rows],
            title=t("national-chart", lang),
        )
        if chart_rows
        else ""
    )
    hs = deps[1] if len(deps) > 1 else None
    kpis = [
        (t("national-kpi-commodities", lang), _summary(deps[0], "n-commodities")),
        (t("national-kpi-dependent", lang), _summary(hs, "n-dependent")),
        (t("national-kpi-produces", lang), _summary(chk[0], "n-commodities-home-produces")),
    ]
    if trends:
        kpis.append(
            (
                t("national-kpi-rose", lang, span=trends[-1]["title_args"]["span"]),
                _summary(trends[-1], "n-rose"),
            )
        )
    sources: dict[str, dict] = {}
    notes: list[str] = []
    for doc in (*deps, *chk, *trends):
        for s in doc["sources"]:
            sources.setdefault(s["dataset"], s)
        for n in doc["notes"]:
            if n not in notes:
                notes.append(n)
    hname = country_name(home, lang)
    return {
        "kind": "national",
        "lang": lang,
        "title": t("national-title", lang, home=hname, year=year),
        "kicker": t("national-kicker", lang),
        "subtitle": t("national-subtitle", lang, home=hname),
        "home": home,
        "home_name": hname,
        "year": year,
        "date": (today or date.today()).isoformat(),
        "findings": _findings(deps, chk, trends, home, lang),
        "kpis": [{"label": k, "value": "–" if v is None else f"{v:,}"} for k, v in kpis],
        "chart_svg": chart,
        "sections": sections,
        "notes": notes,
        "sources": list(sources.values()),
    }
