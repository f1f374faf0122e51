"""Hub pages: feed, item, publish, alerts inbox, own network, consortium dashboard, STIX, login,
and the organisation admin's user management.

Handlers only read the request, ask the hub service (:class:`fukugan.services.hub.Hub`, through
the shared helpers of :mod:`fukugan.api.hub_auth`) and render a template in the user's language
(the layout, language and cookies of :mod:`fukugan.web.pages`). They never query tables and never
decide who may read what: every item, alert, network row and consortium cell shown comes from a
hub method that applies the policy itself.

- Anonymous visitors see what the hub gives anonymous users (TLP:CLEAR items only).
- Every state-changing form (publish, upload, import, mark read, run, logout, add / disable /
  enable a user) carries the session's CSRF token in a hidden ``csrf_token`` field; a missing or
  wrong token is a 403 page and nothing changes. Logging in is guarded by the ``Origin`` check
  below (there is no session yet to bind a token to) and by the hub's login rate limit.
- An item the user may not read is the same 404 page as an item that does not exist.
- ``/hub/admin`` is for an organisation's admins (403 page for other roles): their own
  organisation's users only (another's is the 404 page of a missing user); the password typed
  into the add-user form is never sent back.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from fukugan.api import hub_auth
from fukugan.errors import FukuganError, InputError
from fukugan.hub.models import (
    CLEARANCES,
    ITEM_TYPES,
    LINK_KINDS,
    ROLES,
    TLP_LEVELS,
    USERNAME_MAX,
    WRITER_ROLES,
)
from fukugan.hub.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH
from fukugan.hub.policy import HubError, LoginLocked, NotFoundError, PermissionDenied, Principal
from fukugan.i18n import t
from fukugan.services.uploads import display_name, safe_name
from fukugan.web.pages import Prefs, render, templates

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 5_000_000
DB_INT = 2**31 - 1  # ids are 32-bit integers in SQLite and PostgreSQL
FILTER_LINKS = ("country", "commodity", "hs")
TLP_CLASS = {
    "CLEAR": "clear",
    "GREEN": "green",
    "AMBER": "amber",
    "AMBER+STRICT": "amber-strict",
    "RED": "red",
}
templates.env.globals["tlp_class"] = TLP_CLASS  # the TLP badge macro, on every page


# -- who asks, and the frame of every hub page -------------------------------------------------
def _hub(request: Request):  # noqa: ANN202 - fukugan.services.hub.Hub
    return hub_auth.get_hub(request)


def _user(request: Request) -> Principal | None:
    return hub_auth.optional_user(request)


def _is_writer(user: Principal | None) -> bool:
    return user is not None and user.role in WRITER_ROLES


def _is_admin(user: Principal | None) -> bool:
    return user is not None and user.role == "admin"


def header_session(request: Request) -> dict[str, Any] | None:
    """The logged-in user and CSRF token for the page header (``None`` when anonymous).

    Only consults the hub when the request carries a session cookie, so anonymous visits of the
    other pages never open the hub; a failing hub never breaks a page's header."""
    token = hub_auth.session_token(request)
    if not token:
        return None
    try:
        user = _user(request)
        if user is None:
            return None
        return {"user": user, "csrf": _hub(request).csrf_token(token)}
    except (FukuganError, SQLAlchemyError):  # the header is decoration; the page still renders
        return None


def related_items(request: Request, links: dict[str, list[str]], limit: int = 10) -> list[Any]:
    """Hub items the logged-in user may read that are linked to any of ``links`` (e.g. a
    commodity and its HS codes), newest first, for the platform's own pages. Empty for
    anonymous visitors (the hub is not opened for them; its CLEAR items are on /hub)."""
    if not hub_auth.session_token(request):
        return []
    user = _user(request)
    if user is None:
        return []
    hub = _hub(request)
    found: dict[int, Any] = {}
    for kind, values in links.items():
        for value in values:
            for item in hub.list_items(user, link_kind=kind, link_value=value):
                found[item.id] = item
    return sorted(found.values(), key=lambda i: -i.id)[:limit]


def _page(
    request: Request,
    template: str,
    prefs: Prefs,
    *,
    tab: str,
    status: int = 200,
    **context: Any,
) -> Response:
    user = _user(request)
    tabs = [("feed", "/hub")]
    if user is not None:
        tabs.append(("alerts", "/hub/alerts"))
    if _is_writer(user):
        tabs.append(("publish", "/hub/publish"))
    if user is not None:
        tabs += [("network", "/hub/network"), ("consortium", "/hub/consortium")]
    if _is_writer(user):
        tabs.append(("stix", "/hub/stix"))
    if _is_admin(user):
        tabs.append(("admin", "/hub/admin"))
    resp = render(
        request,
        template,
        prefs,
        status=status,
        active="hub",
        tab=tab,
        hub_tabs=tabs,
        hub_user=user,
        is_writer=_is_writer(user),
        csrf=_hub(request).csrf_token(hub_auth.session_token(request)) if user else None,
        **context,
    )
    resp.headers["Cache-Control"] = "private, no-store"  # per-user content: never cached
    return resp


def _error(request: Request, prefs: Prefs, status: int, message: str) -> Response:
    return _page(
        request, "hub_error.html", prefs, tab="", status=status, status_code=status, message=message
    )


def _not_found(request: Request, prefs: Prefs) -> Response:
    """The one 404 page for an item that is missing *or* that the user may not read."""
    return _error(request, prefs, 404, t("web-hub-item-missing", prefs.lang))


def _to_login(request: Request) -> Response:
    nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/hub/login?next={quote(nxt)}", status_code=303)


async def _writer(request: Request, prefs: Prefs) -> Principal | Response:
    """The logged-in user of a form POST whose ``csrf_token`` matches; else the response to
    send (the login page for no session, a 403 page for a missing or wrong token)."""
    try:
        return await hub_auth.require_writer_session(request)
    except HTTPException as e:
        if e.status_code == 401:
            return _to_login(request)
        return _error(request, prefs, 403, t("web-hub-csrf-failed", prefs.lang))


def _safe_next(value: str | None) -> str:
    """A local path to go to after logging in (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/hub"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "/hub"  # browsers drop tabs and newlines: "/\t/evil.example" is "//evil.example"
    return value


def _same_origin(request: Request) -> bool:
    """Whether a POST comes from our own pages (``Origin``, when the browser sends it)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


async def _form(request: Request) -> Any:
    return await request.form(max_part_size=MAX_UPLOAD)


def _s(form: Any, name: str, limit: int = 10_000) -> str:
    v = form.get(name)
    return v.strip()[:limit] if isinstance(v, str) else ""


# -- login / logout --------------------------------------------------------------------------
@router.get("/hub/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    return _page(
        request,
        "hub_login.html",
        prefs,
        tab="login",
        error=None,
        username="",
        next=_safe_next(request.query_params.get("next")),
    )


@router.post("/hub/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    prefs = Prefs.of(request)
    form = await _form(request)
    username, password = _s(form, "username", USERNAME_MAX), form.get("password")
    nxt = _safe_next(_s(form, "next", 2000))
    if not _same_origin(request):
        return _error(request, prefs, 403, t("web-hub-csrf-failed", prefs.lang))
    error, status = None, 200
    if not username or not isinstance(password, str) or not password:
        error, status = "web-hub-login-missing", 400
    else:
        try:
            session = await run_in_threadpool(
                _hub(request).login, username, password, client=hub_auth.client_address(request)
            )
        except LoginLocked:
            error, status = "web-hub-login-locked", 429
        except PermissionDenied:
            error, status = "web-hub-login-wrong", 401
        else:
            resp = RedirectResponse(nxt, status_code=303)
            hub_auth.set_session_cookie(request, resp, session)
            return resp
    return _page(
        request,
        "hub_login.html",
        prefs,
        tab="login",
        status=status,
        error=error,
        username=username,
        next=nxt,
    )


@router.post("/hub/logout")
async def logout(request: Request) -> Response:
    prefs = Prefs.of(request)
    if _user(request) is not None:
        who = await _writer(request, prefs)
        if isinstance(who, Response):
            return who
        await run_in_threadpool(_hub(request).logout, hub_auth.session_token(request))
    resp = RedirectResponse("/hub", status_code=303)
    hub_auth.clear_session_cookie(resp)
    return resp


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


def _countries(request: Request) -> list[tuple[str, str]]:
    try:
        return list(request.app.state.platform.countries())
    except Exception:  # noqa: BLE001 - empty store
        return []


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
def publish_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    user = _user(request)
    if user is None:
        return _to_login(request)
    if not _is_writer(user):
        return _error(request, prefs, 403, t("web-hub-not-writer", prefs.lang))
    return _publish_page(request, prefs, user)


@router.post("/hub/publish", response_class=HTMLResponse)
async def publish(request: Request) -> Response:
    prefs = Prefs.of(request)
    who = await _writer(request, prefs)
    if isinstance(who, Response):
        return who
    user = who
    if not _is_writer(user):
        return _error(request, prefs, 403, t("web-hub-not-writer", prefs.lang))
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


# -- alerts ----------------------------------------------------------------------------------
def _alerts_page(
    request: Request,
    prefs: Prefs,
    user: Principal,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    alerts = _hub(request).alerts(user)
    alerts = sorted(alerts, key=lambda a: (a.read, -a.id))
    return _page(
        request,
        "hub_alerts.html",
        prefs,
        tab="alerts",
        status=status,
        alerts=alerts,
        unread=sum(1 for a in alerts if not a.read),
        error=error,
    )


@router.get("/hub/alerts", response_class=HTMLResponse)
def alerts_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    user = _user(request)
    if user is None:
        return _to_login(request)
    return _alerts_page(request, prefs, user)


def _alert_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 12 else None


@router.post("/hub/alerts/{alert_id}/read")
async def mark_read(request: Request, alert_id: str) -> Response:
    prefs = Prefs.of(request)
    who = await _writer(request, prefs)
    if isinstance(who, Response):
        return who
    aid = _alert_id(alert_id)
    try:
        if aid is None:
            raise NotFoundError("no alert")
        await run_in_threadpool(_hub(request).mark_alert_read, who, aid)
    except NotFoundError:
        return _error(request, prefs, 404, t("web-hub-alert-missing", prefs.lang))
    return RedirectResponse(f"/hub/alerts#alert-{aid}", status_code=303)


@router.post("/hub/alerts/{alert_id}/run")
async def run_alert(request: Request, alert_id: str) -> Response:
    """One click: the alert's matching scenario, queued as a run owned by the user."""
    from fukugan.scenarios.schema import ScenarioError

    prefs = Prefs.of(request)
    who = await _writer(request, prefs)
    if isinstance(who, Response):
        return who
    aid = _alert_id(alert_id)
    hub = _hub(request)
    runs = request.app.state.runs
    try:
        if aid is None:
            raise NotFoundError("no alert")
        yaml_text = await run_in_threadpool(hub.alert_scenario, who, aid)
        run = await run_in_threadpool(
            lambda: runs.submit(
                yaml=yaml_text, filename=f"hub-alert-{aid}.yaml", owner_user_id=who.user_id
            )
        )
    except NotFoundError:
        return _error(request, prefs, 404, t("web-hub-alert-missing", prefs.lang))
    except PermissionDenied as e:
        return _error(request, prefs, 403, str(e))
    except (ScenarioError, FukuganError) as e:
        return _alerts_page(request, prefs, who, error=str(e), status=422)
    return RedirectResponse(f"/runs/{run['id']}", status_code=303)


# -- the user's own network ------------------------------------------------------------------
def _network_page(
    request: Request,
    prefs: Prefs,
    user: Principal,
    *,
    error: str | None = None,
    uploaded: int | None = None,
    status: int = 200,
) -> Response:
    rows = _hub(request).my_network(user)
    return _page(
        request,
        "hub_network.html",
        prefs,
        tab="network",
        status=status,
        rows=rows,
        error=error,
        uploaded=uploaded,
    )


@router.get("/hub/network", response_class=HTMLResponse)
def network_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    user = _user(request)
    if user is None:
        return _to_login(request)
    up = request.query_params.get("uploaded")
    return _network_page(request, prefs, user, uploaded=int(up) if up and up.isdigit() else None)


@router.post("/hub/network", response_class=HTMLResponse)
async def upload_network(request: Request) -> Response:
    prefs = Prefs.of(request)
    who = await _writer(request, prefs)
    if isinstance(who, Response):
        return who
    form = await _form(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        msg = t("web-hub-err-file", prefs.lang)
        return _network_page(request, prefs, who, error=msg, status=422)
    data = await upload.read(MAX_UPLOAD + 1)
    name = display_name(upload.filename, "network.csv")  # as the user knows it, in messages
    if len(data) > MAX_UPLOAD:
        msg = t("web-hub-err-too-big", prefs.lang, name=name)
        return _network_page(request, prefs, who, error=msg, status=413)
    own = _s(form, "own_firm", 200) or None

    def store() -> int:
        """Upload through a temporary file named like the user's; errors name that file, never
        the server's temporary directory."""
        with tempfile.TemporaryDirectory(prefix="fukugan-net-") as tmp:
            path = Path(tmp) / safe_name(name, "network.csv")
            path.write_bytes(data)
            try:
                return _hub(request).upload_network(who, path, own_firm=own)
            except InputError as e:
                where = name if e.path else None
                raise InputError(e.message, path=where, row=e.row, field=e.field) from None
            except PermissionDenied:
                raise
            except FukuganError as e:
                raise InputError(str(e).replace(str(path), name).replace(tmp, "")) from None

    try:
        n = await run_in_threadpool(store)
    except PermissionDenied:
        return _error(request, prefs, 403, t("web-hub-not-writer", prefs.lang))
    except FukuganError as e:
        return _network_page(request, prefs, who, error=str(e), status=422)
    return RedirectResponse(f"/hub/network?uploaded={n}", status_code=303)


# -- consortium ------------------------------------------------------------------------------
@router.get("/hub/consortium", response_class=HTMLResponse)
def consortium_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    user = _user(request)
    if user is None:
        return _to_login(request)
    q = request.query_params
    view = q.get("view") if q.get("view") in ("country", "supplier") else "country"
    doc, error = None, None
    try:
        doc = _hub(request).consortium(user, view=view)
    except PermissionDenied:
        return _error(request, prefs, 403, t("web-hub-consortium-denied", prefs.lang))
    except (HubError, InputError) as e:
        error = str(e)
    grid: dict[tuple[str, str], Any] = {}
    guarantee: dict[str, Any] = {"text": "", "limits": []}
    if doc:
        for c in doc["cells"]:
            grid[(str(c["row"]), str(c["col"]))] = c
        text = doc.get("guarantee_ja" if prefs.lang == "ja" else "guarantee_en") or ""
        guarantee = _guarantee(text)
    return _page(
        request,
        "hub_consortium.html",
        prefs,
        tab="consortium",
        doc=doc,
        grid=grid,
        view=view,
        error=error,
        guarantee=guarantee,
        country_names=dict(_countries(request)),
    )


def _guarantee(text: str) -> dict[str, Any]:
    """The service's guarantee, split into the promise and its limits (one sentence each)."""
    import re

    for marker in ("Limits:", "限界："):
        if marker in text:
            head, tail = text.split(marker, 1)
            sentences = re.findall(r"[^。.]+(?:[。.]|$)", tail)
            limits = [s.strip()[:1].upper() + s.strip()[1:] for s in sentences if s.strip()]
            return {"text": head.strip(), "limits": limits}
    return {"text": text.strip(), "limits": []}


# -- STIX ------------------------------------------------------------------------------------
@router.get("/hub/stix/export")
def stix_export(request: Request) -> Response:
    prefs = Prefs.of(request)
    user = _user(request)
    typ = request.query_params.get("type")
    try:
        text = _hub(request).export_stix(user, type=typ if typ in ITEM_TYPES else None)
    except (HubError, InputError) as e:
        return _error(request, prefs, 400, str(e))
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return Response(
        text,
        media_type="application/stix+json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="fukugan-hub-stix-{stamp}.json"'},
    )


def _stix_page(
    request: Request, prefs: Prefs, *, error: str | None = None, status: int = 200
) -> Response:
    return _page(request, "hub_stix.html", prefs, tab="stix", status=status, error=error)


@router.get("/hub/stix", response_class=HTMLResponse)
def stix_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    user = _user(request)
    if user is None:
        return _to_login(request)
    if not _is_writer(user):
        return _error(request, prefs, 403, t("web-hub-not-writer", prefs.lang))
    return _stix_page(request, prefs)


@router.post("/hub/stix", response_class=HTMLResponse)
async def stix_import(request: Request) -> Response:
    prefs = Prefs.of(request)
    who = await _writer(request, prefs)
    if isinstance(who, Response):
        return who
    if not _is_writer(who):
        return _error(request, prefs, 403, t("web-hub-not-writer", prefs.lang))
    upload = (await _form(request)).get("file")
    if not isinstance(upload, UploadFile):
        return _stix_page(request, prefs, error=t("web-hub-err-file", prefs.lang), status=422)
    data = await upload.read(MAX_UPLOAD + 1)
    name = display_name(upload.filename, "bundle.json")
    if len(data) > MAX_UPLOAD:
        msg = t("web-hub-err-too-big", prefs.lang, name=name)
        return _stix_page(request, prefs, error=msg, status=413)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        msg = t("web-hub-err-utf8", prefs.lang, name=name)
        return _stix_page(request, prefs, error=msg, status=422)
    try:
        hub = _hub(request)
        ids = await run_in_threadpool(lambda: hub.import_stix(who, text, filename=name))
    except PermissionDenied as e:
        return _stix_page(request, prefs, error=str(e), status=403)
    except FukuganError as e:
        return _stix_page(request, prefs, error=str(e), status=422)
    return RedirectResponse(f"/hub?imported={len(ids)}", status_code=303)


# -- organisation administration (admins) ----------------------------------------------------
@dataclass
class NewUser:
    """The add-user form as typed (never the password: it is not sent back to the browser)."""

    username: str = ""
    role: str = "reader"
    clearance: str = "0"


def _admin_page(
    request: Request,
    prefs: Prefs,
    admin: Principal,
    *,
    draft: NewUser | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    users = _hub(request).org_users(admin)
    q = request.query_params
    added = next((u for u in users if q.get("added") == str(u["id"])), None)
    changed = next((u for u in users if q.get("changed") == str(u["id"])), None)
    return _page(
        request,
        "hub_admin.html",
        prefs,
        tab="admin",
        status=status,
        users=users,
        draft=draft or NewUser(),
        errors=errors or {},
        message=message,
        added=added,
        changed=changed,
        roles=ROLES,
        clearances=[c for c in CLEARANCES if c <= admin.clearance],
        min_password=MIN_PASSWORD_LENGTH,
    )


def _admin(request: Request, prefs: Prefs, user: Principal | None) -> Principal | Response:
    """``user`` if an admin; else the login page (anonymous) or a 403 page."""
    if user is None:
        return _to_login(request)
    if not _is_admin(user):
        return _error(request, prefs, 403, t("web-hub-admin-denied", prefs.lang))
    return user


@router.get("/hub/admin", response_class=HTMLResponse)
def admin_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    who = _admin(request, prefs, _user(request))
    if isinstance(who, Response):
        return who
    return _admin_page(request, prefs, who)


def _check_new_user(draft: NewUser, password: str, admin: Principal) -> dict[str, str]:
    """Errors by field (i18n keys), checked before asking the hub (which checks again)."""
    errors: dict[str, str] = {}
    if not draft.username:
        errors["username"] = "web-hub-err-username"
    elif len(draft.username) > USERNAME_MAX or "\x00" in draft.username:
        errors["username"] = "web-hub-err-username-long"
    if draft.role not in ROLES:
        errors["role"] = "web-hub-err-role"
    try:
        level = int(draft.clearance)
        if level not in CLEARANCES:
            raise ValueError
        if level > admin.clearance:
            errors["clearance"] = "web-hub-err-clearance-grant"
    except ValueError:
        errors["clearance"] = "web-hub-err-clearance"
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = "web-hub-err-password-short"
    elif len(password) > 1024 or "\x00" in password:
        errors["password"] = "web-hub-err-password-long"
    return errors


@router.post("/hub/admin/users", response_class=HTMLResponse)
async def admin_add_user(request: Request) -> Response:
    prefs = Prefs.of(request)
    who = await _writer(request, prefs)
    if isinstance(who, Response):
        return who
    admin = _admin(request, prefs, who)
    if isinstance(admin, Response):
        return admin
    form = await _form(request)
    draft = NewUser(
        username=_s(form, "username", 200),
        role=_s(form, "role", 20),
        clearance=_s(form, "clearance", 3),
    )
    raw = form.get("password")
    password = raw if isinstance(raw, str) else ""
    errors = _check_new_user(draft, password, admin)
    if errors:
        return _admin_page(request, prefs, admin, draft=draft, errors=errors, status=422)
    hub = _hub(request)
    try:
        new_id = await run_in_threadpool(
            hub.add_org_user, admin, draft.username, draft.role, int(draft.clearance), password
        )
    except PermissionDenied:
        errors = {"clearance": "web-hub-err-clearance-grant"}
        return _admin_page(request, prefs, admin, draft=draft, errors=errors, status=403)
    except HubError as e:
        if "exists already" in str(e):  # the one rule not checked above: names are unique
            errors = {"username": "web-hub-err-username-taken"}
            return _admin_page(request, prefs, admin, draft=draft, errors=errors, status=422)
        return _admin_page(request, prefs, admin, draft=draft, message=str(e), status=422)
    return RedirectResponse(f"/hub/admin?added={new_id}#user-{new_id}", status_code=303)


@router.post("/hub/admin/users/{user_id}/active", response_class=HTMLResponse)
async def admin_set_active(request: Request, user_id: str) -> Response:
    prefs = Prefs.of(request)
    who = await _writer(request, prefs)
    if isinstance(who, Response):
        return who
    admin = _admin(request, prefs, who)
    if isinstance(admin, Response):
        return admin
    value = _s(await _form(request), "active", 5)
    uid = _alert_id(user_id)  # a positive id of at most 12 digits, else as missing
    if value not in ("true", "false"):
        msg = t("web-hub-err-active", prefs.lang)
        return _admin_page(request, prefs, admin, message=msg, status=422)
    if uid == admin.user_id:  # the hub refuses it too; say so in the user's language
        msg = t("web-hub-admin-self", prefs.lang)
        return _admin_page(request, prefs, admin, message=msg, status=400)
    try:
        if uid is None or uid > DB_INT:
            raise NotFoundError("no such user")
        await run_in_threadpool(_hub(request).set_org_user_active, admin, uid, value == "true")
    except NotFoundError:  # another organisation's user: the same page as a missing one
        return _error(request, prefs, 404, t("web-hub-user-missing", prefs.lang))
    except PermissionDenied:
        return _error(request, prefs, 403, t("web-hub-admin-denied", prefs.lang))
    except HubError as e:
        return _admin_page(request, prefs, admin, message=str(e), status=400)
    return RedirectResponse(f"/hub/admin?changed={uid}#user-{uid}", status_code=303)


def amount(value: Any) -> str:
    """A pooled value: whole numbers without decimals, others with two."""
    if value is None:
        return "–"
    v = float(value)
    return f"{v:,.0f}" if v == round(v) else f"{v:,.2f}"


def install(app: FastAPI) -> None:
    """Serve the hub pages on ``app`` and show the login state in every page's header."""
    templates.env.globals["hub_session"] = header_session
    templates.env.filters["amount"] = amount
    app.include_router(router)
