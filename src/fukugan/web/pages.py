"""Page routes: Overview, Commodities, Dependencies, Chokepoints, Trends, HS products,
Industries, Data, API docs.

Handlers only read the request's preferences, call :class:`~fukugan.app.platform.Platform`
(the services) and render a template. Language and home country persist in cookies (set from
``?lang=`` / ``?home=``); sorting and filtering of tables are query parameters, so every view
has a URL (htmx swaps the table in place and pushes that URL).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from fukugan import __version__
from fukugan.app.format import fmt, to_csv
from fukugan.app.platform import DEFAULT_HOME, DEFAULT_YEAR, Platform
from fukugan.app.present import query_rows
from fukugan.i18n import t, unit_name
from fukugan.web.geo import iso_numeric

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["fmt"] = fmt
# JSON for people: indented, non-ASCII text as written (Japanese, not \u escapes); the
# template autoescapes it like any text.
templates.env.filters["pretty_json"] = lambda v: json.dumps(v, ensure_ascii=False, indent=2)
templates.env.globals["version"] = __version__


@pass_context
def _unit(ctx: Any, value: Any) -> str:
    """A unit in the page's language (``{{ run.unit|unit }}``)."""
    return unit_name(str(value or ""), str(ctx.get("lang") or "en"))


templates.env.filters["unit"] = _unit


def col_max(doc: dict[str, Any], keys: tuple[str, ...]) -> dict[str, float]:
    """Largest positive value of each numeric column in ``keys`` (for in-cell bars)."""
    out: dict[str, float] = {}
    for k in keys:
        vals = [r.get(k) for r in doc["rows"]]
        nums = [float(v) for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if nums and max(nums) > 0:
            out[k] = max(nums)
    return out


templates.env.globals["col_max"] = col_max
router = APIRouter(include_in_schema=False)

COOKIE_AGE = 365 * 24 * 3600
TAGS = ("JP-SCM", "EU-SRM", "EU-CRM", "US-CM")


@dataclass
class Prefs:
    """The user's language, home country and year: query parameter, else cookie, else default."""

    lang: str
    home: str
    year: int
    set_cookies: dict[str, str]

    @classmethod
    def of(cls, request: Request) -> Prefs:
        q, c = request.query_params, request.cookies
        cookies: dict[str, str] = {}
        lang = q.get("lang") or c.get("lang") or "en"
        lang = lang if lang in ("en", "ja") else "en"
        if q.get("lang") in ("en", "ja") and q.get("lang") != c.get("lang"):
            cookies["lang"] = lang
        home = (q.get("home") or c.get("home") or DEFAULT_HOME).strip().upper()[:3]
        if q.get("home") and home != c.get("home"):
            cookies["home"] = home
        try:
            year = int(q.get("year") or DEFAULT_YEAR)
        except ValueError:
            year = DEFAULT_YEAR
        return cls(lang=lang, home=home, year=year, set_cookies=cookies)


def _platform(request: Request) -> Platform:
    return request.app.state.platform


def _url(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (``None`` removes one)."""
    params = dict(request.query_params)
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = str(v)
    qs = urlencode(params)
    return request.url.path + (f"?{qs}" if qs else "")


def render(
    request: Request, template: str, prefs: Prefs, *, status: int = 200, **context: Any
) -> HTMLResponse:
    lang = prefs.lang
    platform = _platform(request)
    try:
        countries = platform.countries()
        years = platform.years()
    except Exception:  # noqa: BLE001 - an empty store still renders the frame of the page
        countries, years = [], [DEFAULT_YEAR]
    ctx = {
        "request": request,
        "lang": lang,
        "home": prefs.home,
        "year": prefs.year,
        "countries": countries,
        "years": years,
        "_": lambda key, **kw: t(key, lang, **kw),
        "url": lambda **kw: _url(request, **kw),
        "lang_url": {code: _url(request, lang=code) for code in ("en", "ja")},
        "tags": TAGS,
        **context,
    }
    resp = templates.TemplateResponse(request, template, ctx, status_code=status)
    for k, v in prefs.set_cookies.items():
        resp.set_cookie(k, v, max_age=COOKIE_AGE, samesite="lax")
    return resp


def error_page(request: Request, status: int, detail: str) -> Response:
    """An error as a page in the user's language (the API answers problem+json instead)."""
    prefs = Prefs.of(request)
    prefs.set_cookies = {}
    return render(
        request, "error.html", prefs, status=status, status_code=status, detail=detail, active=""
    )


def _table_args(request: Request) -> dict[str, Any]:
    q = request.query_params
    order = q.get("order", "asc")
    return {
        "q": q.get("q") or None,
        "sort": q.get("sort") or None,
        "order": order if order in ("asc", "desc") else "asc",
        "tag": q.get("tag") or None,
    }


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    doc = _platform(request).overview(prefs.home, prefs.year, prefs.lang)
    return render(
        request,
        "overview.html",
        prefs,
        doc=doc,
        active="overview",
        home_lists=_lists_of(doc["home"]),
    )


def _lists_of(home: str) -> list[str]:
    """The official critical-material lists that apply to ``home`` (the table on the Overview
    is Japan's designation; another home sees which of the lists are its own)."""
    from fukugan.data.groups import group

    if home == "JPN":
        return ["JP-SCM"]
    if home in group("EU27"):
        return ["EU-CRM", "EU-SRM"]
    return ["US-CM"] if home == "USA" else []


@router.get("/commodities", response_class=HTMLResponse)
def commodities_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    args = _table_args(request)
    doc = query_rows(_platform(request).commodities(prefs.year, prefs.lang), **args)
    return render(request, "commodities.html", prefs, doc=doc, args=args, active="commodities")


@router.get("/commodities/{commodity}", response_class=HTMLResponse)
def commodity_page(request: Request, commodity: str) -> Response:
    prefs = Prefs.of(request)
    doc = _platform(request).commodity(commodity, prefs.year, prefs.home, prefs.lang)
    chart = {
        "rows": [
            {
                "country": r["country"],
                "iso3": r["iso3"],
                "num": iso_numeric(r["iso3"]),
                "share": r["share"],
                "value": r["value"],
                "home": r["iso3"] == prefs.home,
            }
            for r in doc["rows"]
            if r["share"] is not None
        ],
        "unit": next((s["value"] for s in doc["summary"] if s["key"] == "unit"), ""),
        "labels": {"share": t("share", prefs.lang), "value": t("value", prefs.lang)},
    }
    history = _platform(request).commodity_history(commodity, prefs.home, prefs.lang)
    th, th_json = _trade_history(request, prefs, commodity=doc["commodity_id"])
    intel = _intelligence(request, doc["commodity_id"])
    resp = render(
        request,
        "commodity.html",
        prefs,
        doc=doc,
        summary={s["key"]: s for s in doc["summary"]},
        chart_json=json.dumps(chart, ensure_ascii=False),
        history=history,
        history_json=json.dumps(_history_chart(history, prefs), ensure_ascii=False),
        th=th,
        th_json=th_json,
        intel=intel,
        active="commodities",
    )
    if intel:
        resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _trade_history(
    request: Request, prefs: Prefs, *, product: str | None = None, commodity: str | None = None
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The home's imports by origin over the years and its chart data; ``(None, None)`` when
    the store has no trade data for it (the page then shows no trade section)."""
    from fukugan.errors import FukuganError

    try:
        th = _platform(request).trade_history(
            prefs.home, prefs.lang, product=product, commodity=commodity
        )
    except FukuganError:
        return None, None
    years = [r["year"] for r in th[0]["rows"]]
    origins: dict[str, dict[str, Any]] = {}
    for r in th[1]["rows"]:
        o = origins.setdefault(
            r["supplier"],
            {
                "label": r.get("country") or r["supplier"],
                "values": [None] * len(years),
                "shares": [None] * len(years),
            },
        )
        if r["year"] in years:
            i = years.index(r["year"])
            o["values"][i], o["shares"][i] = r["imports-usd"], r["share"]
    chart = {
        "years": [str(y) for y in years],
        "origins": list(origins.values()),
        "hhi": [r["hhi"] for r in th[0]["rows"]],
        "labels": {"hhi": t("hhi", prefs.lang)},
    }
    return th, json.dumps(chart, ensure_ascii=False)


def _trade_year_param(request: Request, years: list[int]) -> int | None:
    try:
        y = int(request.query_params.get("trade_year") or 0)
    except ValueError:
        y = 0
    return y if y in years else (years[-1] if years else None)


@router.get("/products/{hs6}", response_class=HTMLResponse)
def product_page(request: Request, hs6: str) -> Response:
    from fukugan.services.tradedata import product_commodity, product_name

    prefs = Prefs.of(request)
    platform = _platform(request)
    years = platform.trade_years()
    year = _trade_year_param(request, years)
    dep = platform.trade_dependency(hs6, prefs.home, year, prefs.lang)
    th, th_json = _trade_history(request, prefs, product=hs6)
    return render(
        request,
        "product.html",
        prefs,
        hs6=hs6,
        name=product_name(hs6, prefs.lang),
        commodity=product_commodity().get(hs6),
        dep=dep,
        th=th,
        th_json=th_json,
        trade_years=years,
        trade_year=year,
        active="dependencies",
    )


@router.get("/trends", response_class=HTMLResponse)
def trends_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    platform = _platform(request)
    years = platform.trade_years()
    year = _trade_year_param(request, years)
    docs = platform.trade_trends(prefs.home, year, prefs.lang)
    return render(
        request,
        "trends.html",
        prefs,
        docs=docs,
        trade_years=years,
        trade_year=year,
        active="trends",
    )


def _intelligence(request: Request, commodity_id: str) -> list[Any]:
    """Hub items on this commodity (or its HS codes) that the logged-in user may read."""
    from fukugan.data.concordance import codes_for, read_concordance
    from fukugan.web.hub_pages import related_items

    table, _ = read_concordance()
    hs = sorted(set(codes_for(table, commodity_id)["hs_code"].astype(str)))
    return related_items(request, {"commodity": [commodity_id], "hs": hs})


def _history_chart(history: dict[str, Any], prefs: Prefs) -> dict[str, Any]:
    """Grouped bars: one group per top producer, one bar per year (value; share in the tooltip)."""
    rows = history["producers"]["rows"]
    countries = list(dict.fromkeys(r["country"] for r in rows))
    cell = {(r["year"], r["country"]): r for r in rows}
    units = {r["year"]: r["unit"] for r in history["by_year"]["rows"]}
    return {
        "countries": countries,
        "home": [
            any(cell.get((y, c), {}).get("iso3") == prefs.home for y in history["years"])
            for c in countries
        ],
        "series": [
            {
                "year": str(y),
                "values": [cell.get((y, c), {}).get("value") for c in countries],
                "shares": [cell.get((y, c), {}).get("share") for c in countries],
            }
            for y in history["years"]
        ],
        "unit": ", ".join(dict.fromkeys(units.values())),
        "labels": {"share": t("share", prefs.lang), "value": t("value", prefs.lang)},
    }


def _ranking_page(request: Request, kind: str) -> Response:
    prefs = Prefs.of(request)
    args = _table_args(request)
    platform = _platform(request)
    fn = platform.dependencies if kind == "dependencies" else platform.chokepoints
    docs = [query_rows(d, **args) for d in fn(prefs.home, prefs.year, prefs.lang)]
    return render(request, "ranking.html", prefs, docs=docs, args=args, kind=kind, active=kind)


@router.get("/dependencies", response_class=HTMLResponse)
def dependencies_page(request: Request) -> Response:
    return _ranking_page(request, "dependencies")


@router.get("/chokepoints", response_class=HTMLResponse)
def chokepoints_page(request: Request) -> Response:
    return _ranking_page(request, "chokepoints")


def _csv(request: Request, kind: str) -> Response:
    prefs = Prefs.of(request)
    args = _table_args(request)
    platform = _platform(request)
    fn = platform.dependencies if kind == "dependencies" else platform.chokepoints
    docs = [query_rows(d, **args) for d in fn(prefs.home, prefs.year, prefs.lang)]
    name = f"fukugan-{kind}-{prefs.home}-{prefs.year}-{prefs.lang}.csv"
    return Response(
        to_csv(docs, prefs.lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/dependencies.csv")
def dependencies_csv(request: Request) -> Response:
    return _csv(request, "dependencies")


@router.get("/chokepoints.csv")
def chokepoints_csv(request: Request) -> Response:
    return _csv(request, "chokepoints")


def _industries(request: Request) -> tuple[Prefs, str, int, dict[str, Any]]:
    prefs = Prefs.of(request)
    q = request.query_params
    country = (q.get("country") or prefs.home).strip().upper()[:3]
    try:
        year = int(q.get("iot_year") or 2020)
    except ValueError:
        year = 2020
    doc = _platform(request).import_content(country, year, prefs.lang)
    return prefs, country, year, doc


@router.get("/industries", response_class=HTMLResponse)
def industries_page(request: Request) -> Response:
    prefs, country, year, doc = _industries(request)
    platform = _platform(request)
    chart = {
        "industries": [f"{r['code']} {r['industry']}" for r in doc["rows"]],
        "direct": [r["direct-import-content"] for r in doc["rows"]],
        "indirect": [r["indirect-import-content"] for r in doc["rows"]],
        "labels": {
            "direct": t("direct-import-content", prefs.lang),
            "indirect": t("indirect-import-content", prefs.lang),
        },
    }
    origin, origin_json = _origin_split(platform, country, year, prefs.lang)
    return render(
        request,
        "industries.html",
        prefs,
        doc=doc,
        origin=origin,
        origin_json=origin_json,
        country=country,
        iot_year=year,
        iot_countries=platform.iot_countries(),
        iot_years=platform.iot_years(country) or [2015, 2020],
        chart_json=json.dumps(chart, ensure_ascii=False),
        active="industries",
    )


def _origin_split(
    platform: Platform, country: str, year: int, lang: str
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The origin split of each industry's hidden raw-material imports (the 20 largest
    industries) as chart data; ``(None, None)`` without trade data for that year."""
    from fukugan.errors import FukuganError

    try:
        origin = platform.import_origin(country, year, None, lang)
    except FukuganError:
        return None, None
    top = [r["code"] for r in origin[0]["rows"][:20]]
    names = {r["code"]: f"{r['code']} {r['industry']}" for r in origin[0]["rows"]}
    split = [r for r in origin[2]["rows"] if r["code"] in top]
    origins = list(dict.fromkeys(r["origin"] for r in split))
    cell = {(r["code"], r["origin"]): r for r in split}
    chart = {
        "industries": [names[c] for c in top],
        "origins": [
            {
                "label": t("web-other", lang) if o == "other" else o,
                "values": [cell.get((c, o), {}).get("embodied-usd") for c in top],
                "shares": [cell.get((c, o), {}).get("share") for c in top],
            }
            for o in origins
        ],
    }
    return origin, json.dumps(chart, ensure_ascii=False)


@router.get("/industries.csv")
def industries_csv(request: Request) -> Response:
    prefs, country, year, doc = _industries(request)
    return Response(
        to_csv([doc], prefs.lang),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="fukugan-import-content-{country}-{year}.csv"'
        },
    )


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    doc = _platform(request).sources(prefs.lang)
    return render(request, "data.html", prefs, doc=doc, active="data")


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """The API reference, rendered from the generated OpenAPI document (no CDN scripts)."""
    prefs = Prefs.of(request)
    spec = request.app.openapi()
    ops = [
        {"method": m.upper(), "path": p, **op}
        for p, item in spec["paths"].items()
        for m, op in item.items()
    ]
    return render(request, "api_docs.html", prefs, spec=spec, ops=ops, active="api")


def install(app: FastAPI) -> None:
    """Mount the pages and the vendored static files on ``app``."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)
