"""The commodity briefing: world production shares, concentration, supply risk, the home
country's position and official lists, from :func:`fukugan.services.production.production_profile`.

The briefing is a plain dict (the template's context and the API's JSON): every figure in it
comes from the service's report; this module only chooses, orders and words them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fukugan.reports import text
from fukugan.reports.svg import bar_chart
from fukugan.store.analytic import AnalyticStore

#: The concentration and supply-risk figures shown, in order (service summary keys).
CONCENTRATION_KEYS = (
    "n-suppliers",
    "hhi",
    "hhi-upper",
    "top3-share",
    "hhi-wgi",
    "share-outside-like-minded",
    "share-outside-unknown-others",
    "denominator",
    "world-total-usgs",
)
RISK_KEYS = (
    "eu-sr",
    "eu-sr-hhi-wgi-gs",
    "eu-sr-hhi-wgi-home",
    "eu-sr-home-sourcing",
    "import-reliance",
    "eu-sr-ir-used",
    "eu-sr-eol-rir",
    "eu-sr-si-sr",
    "geopolrisk",
    "trade-basis",
    "home-imports",
    "home-exports",
    "home-production",
)


def commodity_doc(
    store: AnalyticStore, commodity: str, *, year: int, home: str, lang: str
) -> dict[str, Any]:
    """The presented production profile (what the commodity page shows)."""
    from fukugan.app.present import present
    from fukugan.data import usgs
    from fukugan.services.datasets import USGS, require
    from fukugan.services.production import production_profile

    frame, _ = require(store, USGS)
    cid = usgs.resolve_commodity(frame, commodity)
    doc = present(production_profile(store, cid, year=year, home=home, lang=lang), lang)
    doc["commodity_id"] = cid
    return doc


def _fmt(item: dict[str, Any]) -> str:
    from fukugan.app.format import fmt

    v = item.get("value")
    return fmt(v, "percent" if item.get("kind") == "percent" else "number")


def commodity_briefing(
    store: AnalyticStore,
    commodity: str,
    *,
    year: int = 2024,
    home: str = "JPN",
    lang: str = "en",
    today: date | None = None,
    doc: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The briefing of ``commodity`` for ``home`` in ``lang`` (a JSON-ready dict).

    ``doc``: the presented production profile when the caller already has it (the web app's
    cache); otherwise it is computed from ``store``.
    """
    from fukugan.data.countries import iso3_name

    if doc is None:
        doc = commodity_doc(store, commodity, year=year, home=home, lang=lang)
    S = {s["key"]: s for s in doc["summary"]}

    def val(key: str) -> Any:
        return S[key]["value"] if key in S else None

    home_name = text.country(home, iso3_name(home), lang)
    name = str(val("commodity") or doc["commodity_id"])
    rows = [r for r in doc["rows"] if r.get("share") is not None]
    top = rows[0] if rows else None
    tags = [x.strip() for x in str(val("official-lists") or "").split(",") if x.strip()]

    findings: list[str] = []
    noun = name.lower() if lang == "en" and name[:1].isupper() and " " not in name else name
    if top is not None:
        findings.append(
            text.share_sentence(
                lang, text.country(top["iso3"], top["country"], lang), top["share"], noun, year
            )
        )
    if val("hhi") is not None:
        findings.append(
            text.concentration_sentence(lang, val("hhi"), val("top3-share"), val("n-suppliers"))
        )
    if val("share-outside-like-minded") is not None:
        findings.append(text.outside_sentence(lang, val("share-outside-like-minded")))
    if val("eu-sr") is not None:
        findings.append(text.risk_sentence(lang, home_name, val("eu-sr")))
    top_name = text.country(top["iso3"], top["country"], lang) if top else ""
    findings.append(
        text.home_sentence(lang, home_name, val("home-share"), val("home-rank"), top_name)
    )
    if tags:
        findings.append(text.lists_sentence(lang, tags))

    chart_rows = rows[:12]
    chart = bar_chart(
        [(text.country(r["iso3"], r["country"], lang), r["share"]) for r in chart_rows],
        percent=True,
        highlight={text.country(home, iso3_name(home), lang)},
        title=text.label("shares-chart", lang),
    )
    producers = [
        {
            "rank": r.get("rank"),
            "country": text.country(r["iso3"], r["country"], lang),
            "iso3": r["iso3"],
            "value": r.get("value"),
            "share": r.get("share"),
            "like_minded": r.get("like_minded"),
            "wgi": r.get("wgi_0_10"),
            "home": r["iso3"] == home,
        }
        for r in doc["rows"]
    ]
    col_labels = {c["key"]: c["label"] for c in doc["columns"]}
    return {
        "kind": "commodity",
        "lang": lang,
        "title": name,
        "kicker": text.label("commodity-briefing", lang),
        "subtitle": doc["title"],
        "commodity_id": doc["commodity_id"],
        "home": home,
        "home_name": home_name,
        "year": year,
        "date": (today or date.today()).isoformat(),
        "unit": val("unit") or "",
        "type": val("type") or "",
        "findings": findings,
        "kpis": [
            {"label": S[k]["label"], "value": _fmt(S[k])}
            for k in ("top3-share", "hhi", "home-share", "eu-sr")
            if k in S
        ],
        "top1": val("top1") or "–",
        "chart_svg": chart,
        "concentration": [
            {"key": k, "label": S[k]["label"], "value": _fmt(S[k])}
            for k in CONCENTRATION_KEYS
            if k in S
        ],
        "risk": [
            {"key": k, "label": S[k]["label"], "value": _fmt(S[k])} for k in RISK_KEYS if k in S
        ],
        "home_position": [
            {"key": k, "label": S[k]["label"], "value": _fmt(S[k])}
            for k in ("home-share", "home-rank")
            if k in S
        ],
        "lists": [{"tag": t_, "label": text.label(f"list-{t_}", lang)} for t_ in tags],
        "producers": producers,
        "producer_labels": {
            "rank": col_labels.get("rank", "#"),
            "country": col_labels.get("country", ""),
            "value": col_labels.get("value", ""),
            "share": col_labels.get("share", ""),
            "like_minded": col_labels.get("like_minded", ""),
            "wgi": col_labels.get("wgi_0_10", ""),
        },
        "notes": list(doc["notes"]),
        "sources": list(doc["sources"]),
    }
