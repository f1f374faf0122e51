"""Hub feed, item and publish pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fukugan.errors import InputError
from fukugan.hub.models import (
    CLEARANCES,
    ITEM_TYPES,
    LINK_KINDS,
    TLP_LEVELS,
)
from fukugan.hub.policy import HubError, NotFoundError, PermissionDenied, Principal
from fukugan.web.hub_pages.frame import (
    Author,
    AuthorForm,
    _countries,
    _form,
    _hub,
    _not_found,
    _page,
    _s,
    _user,
)
from fukugan.web.pages import Prefs

router = APIRouter(include_in_schema=False)


# -- feed and item ---------------------------------------------------------------------------
def _hs_match(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _feed_filters(request: Request) -> dict[str, str]:
    q = request.query_params
    out = {
        "q": (q.get("q") or "").strip()[:200],
        "type": q.get("type") if q.get("type") in ITEM_TYPES else "",
        "country": (q.get("country") or "").strip().upper()[:3],
        "commodity": (q.get("commodity") or "").strip().lower()[:80],
        "hs": "".join(ch for ch in (q.get("hs") or "") if ch.isdigit())[:6],
    }
    return out


def _filtered(hub: Any, user: Principal | None, f: dict[str, str]) -> list[Any]:
    """The items ``user`` may read (the hub decides), narrowed by the user's own filters."""
    if f["q"]:
        views = hub.search(user, f["q"])
        if f["type"]:
            views = [v for v in views if v.type == f["type"]]
    else:
        views = hub.list_items(user, type=f["type"] or None)
    if f["country"]:
        views = [v for v in views if f["country"] in v.links.get("country", [])]
    if f["commodity"]:
        views = [v for v in views if f["commodity"] in v.links.get("commodity", [])]
    if f["hs"]:
        views = [v for v in views if any(_hs_match(f["hs"], h) for h in v.links.get("hs", []))]
    return sorted(views, key=lambda v: v.id, reverse=True)


@router.get("/hub", response_class=HTMLResponse)
def feed_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    user = _user(request)
    f = _feed_filters(request)
    items = _filtered(_hub(request), user, f)
    export_q = urlencode({"type": f["type"]}) if f["type"] else ""
    return _page(
        request,
        "hub_feed.html",
        prefs,
        tab="feed",
        items=items,
        filters=f,
        item_types=ITEM_TYPES,
        imported=request.query_params.get("imported"),
        export_url="/hub/stix/export" + (f"?{export_q}" if export_q else ""),
    )


def _directory(request: Request, user: Principal | None) -> dict[str, Any]:
    """Organisations, groups and users the hub shows ``user`` (for names and the publish form)."""
    if user is None:
        return {"orgs": [], "groups": [], "users": []}
    try:
        return _hub(request).directory(user)
    except HubError:  # an inactive account: names only for active users
        return {"orgs": [], "groups": [], "users": []}


def _by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {int(r["id"]): r for r in rows}


def _commodity_pages(request: Request, prefs: Prefs) -> dict[str, str]:
    """Commodity id → display name, for the commodities that have a page here."""
    try:
        doc = request.app.state.platform.commodities(prefs.year, prefs.lang)
    except Exception:  # noqa: BLE001 - no data loaded: no links, the item still shows
        return {}
    rows = doc["rows"]
    return {(r.get("id") or r.get("commodity-id")): r["commodity"] for r in rows if r.get("id")}


@router.get("/hub/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item_id: str) -> Response:
    prefs = Prefs.of(request)
    user = _user(request)
    if not item_id.isdigit() or len(item_id) > 12:
        return _not_found(request, prefs)
    try:
        item = _hub(request).get_item(user, int(item_id))
    except NotFoundError:
        return _not_found(request, prefs)
    d = _directory(request, user)
    return _page(
        request,
        "hub_item.html",
        prefs,
        tab="feed",
        item=item,
        orgs=_by_id(d["orgs"]),
        groups=_by_id(d["groups"]),
        commodity_pages=_commodity_pages(request, prefs),
        country_names=dict(_countries(request)),
        published=request.query_params.get("published") == "1",
    )


# -- publish ---------------------------------------------------------------------------------
@dataclass
class Draft:
    """The publish form's values as typed (re-shown with the errors)."""

    type: str = "supplier_incident"
    title: str = ""
    body: str = ""
    source: str = ""
    confidence: str = "0.5"
    valid_from: str = ""
    valid_to: str = ""
    tlp: str = "AMBER"
    clearance: str = "0"
    groups: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    links: dict[str, str] | None = None


def _draft(form: Any) -> Draft:
    return Draft(
        type=_s(form, "type", 40),
        title=_s(form, "title", 300),
        body=_s(form, "body", 100_000),
        source=_s(form, "source", 300),
        confidence=_s(form, "confidence", 20),
        valid_from=_s(form, "valid_from", 20),
        valid_to=_s(form, "valid_to", 20),
        tlp=_s(form, "tlp", 20),
        clearance=_s(form, "clearance", 5),
        groups=tuple(v for v in form.getlist("groups") if isinstance(v, str)),
        recipients=tuple(v for v in form.getlist("recipients") if isinstance(v, str)),
        links={k: _s(form, f"link_{k}", 2000) for k in LINK_KINDS},
    )


def _date(value: str, *, end: bool = False) -> datetime | None:
    if not value:
        return None
    d = date.fromisoformat(value)
    dt = datetime.combine(d, time(0, 0), tzinfo=UTC)
    return dt + timedelta(days=1, seconds=-1) if end else dt


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", ",").replace("\n", ",").split(",") if v.strip()]


def _validate(draft: Draft, user: Principal) -> tuple[dict[str, Any], dict[str, str]]:
    """The publish arguments, and the errors by field (i18n keys)."""
    from fukugan.data.countries import is_iso3

    errors: dict[str, str] = {}
    args: dict[str, Any] = {}
    if draft.type not in ITEM_TYPES:
        errors["type"] = "web-hub-err-type"
    args["type"] = draft.type
    if not draft.title:
        errors["title"] = "web-hub-err-title"
    args["title"], args["body"], args["source"] = draft.title, draft.body, draft.source
    try:
        conf = float(draft.confidence)
        if not 0.0 <= conf <= 1.0:
            raise ValueError
        args["confidence"] = conf
    except ValueError:
        errors["confidence"] = "web-hub-err-confidence"
    try:
        args["valid_from"] = _date(draft.valid_from)
    except ValueError:
        errors["valid_from"] = "web-hub-err-date"
    try:
        args["valid_to"] = _date(draft.valid_to, end=True)
    except ValueError:
        errors["valid_to"] = "web-hub-err-date"
    if args.get("valid_from") and args.get("valid_to") and args["valid_to"] < args["valid_from"]:
        errors["valid_to"] = "web-hub-err-validity"
    if draft.tlp not in TLP_LEVELS:
        errors["tlp"] = "web-hub-err-tlp"
    args["tlp"] = draft.tlp
    try:
        level = int(draft.clearance)
        if level not in CLEARANCES:
            raise ValueError
        if level > user.clearance:
            errors["clearance"] = "web-hub-err-clearance-own"
        args["required_clearance"] = level
    except ValueError:
        errors["clearance"] = "web-hub-err-clearance"
    try:
        args["group_ids"] = sorted({int(g) for g in draft.groups})
    except ValueError:
        errors["groups"] = "web-hub-err-groups"
    try:
        recipients = sorted({int(r) for r in draft.recipients})
    except ValueError:
        recipients = []
        errors["recipients"] = "web-hub-err-recipients"
    if draft.tlp == "RED":
        if not recipients:
            errors["recipients"] = "web-hub-err-red-needs"
    elif recipients:
        errors["recipients"] = "web-hub-err-red-only"
    args["recipient_ids"] = recipients
    links: dict[str, list[str]] = {}
    for kind in LINK_KINDS:
        values = _split((draft.links or {}).get(kind, ""))
        if kind == "country":
            values = [v.upper() for v in values]
            if any(not is_iso3(v) for v in values):
                errors["link_country"] = "web-hub-err-country"
        if kind == "hs" and any(not (v.isdigit() and 2 <= len(v) <= 6) for v in values):
            errors["link_hs"] = "web-hub-err-hs"
        if kind == "commodity":
            values = [v.lower() for v in values]
        if values:
            links[kind] = values
    args["links"] = links
    return args, errors


def _publish_page(
    request: Request,
    prefs: Prefs,
    user: Principal,
    *,
    draft: Draft | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    d = _directory(request, user)
    return _page(
        request,
        "hub_publish.html",
        prefs,
        tab="publish",
        status=status,
        draft=draft or Draft(links={}),
        errors=errors or {},
        message=message,
        item_types=ITEM_TYPES,
        tlp_levels=TLP_LEVELS,
        clearances=[c for c in CLEARANCES if c <= user.clearance],
        link_kinds=LINK_KINDS,
        groups=d["groups"],
        users=d["users"],
        orgs=_by_id(d["orgs"]),
    )


@router.get("/hub/publish", response_class=HTMLResponse)
def publish_page(request: Request, user: Author) -> Response:
    prefs = Prefs.of(request)
    return _publish_page(request, prefs, user)


@router.post("/hub/publish", response_class=HTMLResponse)
async def publish(request: Request, user: AuthorForm) -> Response:
    prefs = Prefs.of(request)
    draft = _draft(await _form(request))
    args, errors = _validate(draft, user)
    if errors:
        return _publish_page(request, prefs, user, draft=draft, errors=errors, status=422)
    try:
        item_id = await run_in_threadpool(lambda: _hub(request).publish(user, **args))
    except PermissionDenied as e:
        return _publish_page(request, prefs, user, draft=draft, message=str(e), status=403)
    except (HubError, InputError) as e:
        return _publish_page(request, prefs, user, draft=draft, message=str(e), status=422)
    return RedirectResponse(f"/hub/items/{item_id}?published=1", status_code=303)
