"""The frame of every hub page: who asks (dependencies that raise a login-required or a
refusal, each handled once), the page layout with the hub's tabs, form helpers."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from fukugan.api import hub_auth, write_policy
from fukugan.errors import FukuganError
from fukugan.hub.models import (
    WRITER_ROLES,
)
from fukugan.hub.policy import Principal
from fukugan.i18n import t
from fukugan.web.pages import Prefs, render, templates

MAX_UPLOAD = 5_000_000
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
        hub = _hub(request)
        return {"user": user, "csrf": hub.csrf_token(token), "unread": hub.unread_alerts(user)}
    except (FukuganError, SQLAlchemyError):  # the header is decoration; the page still renders
        return None


def csrf_input(request: Request) -> Markup:
    """The hidden ``csrf_token`` field of a state-changing form for the request's session (empty
    when anonymous): every POST form of the platform carries it (:mod:`fukugan.api.write_policy`)."""
    now = header_session(request)
    if not now or not now["csrf"]:
        return Markup("")
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(now["csrf"])


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


class LoginRequired(Exception):
    """A hub page that needs a session was asked for without one: the login page follows
    (handled once, by :func:`install`)."""


class PageRefused(Exception):
    """A hub page refused (a 403 page with a translated message, handled once by
    :func:`install`): a wrong CSRF token, or a role that may not use the page."""

    def __init__(self, key: str, status: int = 403) -> None:
        super().__init__(key)
        self.key, self.status = key, status


def viewer(request: Request) -> Principal:
    """Dependency: the logged-in user of a page, or :class:`LoginRequired`."""
    user = _user(request)
    if user is None:
        raise LoginRequired
    return user


@write_policy.policy
async def writer(request: Request) -> Principal:
    """Dependency: the logged-in user of a form POST whose ``csrf_token`` matches;
    :class:`LoginRequired` for no session, :class:`PageRefused` for a missing or wrong token."""
    try:
        return await hub_auth.require_writer_session(request)
    except HTTPException as e:
        if e.status_code == 401:
            raise LoginRequired from None
        raise PageRefused("web-hub-csrf-failed") from None


def _role(user: Principal, allowed: tuple[str, ...] | frozenset[str], key: str) -> Principal:
    if user.role not in allowed:
        raise PageRefused(key)
    return user


def author_viewer(user: Annotated[Principal, Depends(viewer)]) -> Principal:
    """Dependency: the logged-in user of a page for publishing roles (analyst, admin)."""
    return _role(user, WRITER_ROLES, "web-hub-not-writer")


def author_writer(user: Annotated[Principal, Depends(writer)]) -> Principal:
    """Dependency: the user of a publishing form POST (valid CSRF token, publishing role)."""
    return _role(user, WRITER_ROLES, "web-hub-not-writer")


def admin_viewer(user: Annotated[Principal, Depends(viewer)]) -> Principal:
    """Dependency: the logged-in organisation admin of a page."""
    return _role(user, ("admin",), "web-hub-admin-denied")


def admin_writer(user: Annotated[Principal, Depends(writer)]) -> Principal:
    """Dependency: the organisation admin of a form POST with a valid CSRF token."""
    return _role(user, ("admin",), "web-hub-admin-denied")


#: Who a handler serves, as a parameter type: a logged-in user (``SessionUser``), the user of a
#: CSRF-checked form POST (``FormUser``), the same restricted to publishing roles (``Author``,
#: ``AuthorForm``) or to organisation admins (``Admin``, ``AdminForm``).
SessionUser = Annotated[Principal, Depends(viewer)]
FormUser = Annotated[Principal, Depends(writer)]
Author = Annotated[Principal, Depends(author_viewer)]
AuthorForm = Annotated[Principal, Depends(author_writer)]
Admin = Annotated[Principal, Depends(admin_viewer)]
AdminForm = Annotated[Principal, Depends(admin_writer)]


def _login_required(request: Request, exc: LoginRequired) -> Response:
    return _to_login(request)


def _refused(request: Request, exc: PageRefused) -> Response:
    prefs = Prefs.of(request)
    return _error(request, prefs, exc.status, t(exc.key, prefs.lang))


def _safe_next(value: str | None) -> str:
    """A local path to go to after logging in (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/hub"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "/hub"  # browsers drop tabs and newlines: "/\t/evil.example" is "//evil.example"
    return value


def _same_origin(request: Request) -> bool:
    """Whether a POST comes from our own pages (:func:`fukugan.api.write_policy.same_origin`,
    which every unsafe request passes before its handler)."""
    return write_policy.same_origin(request)


async def _form(request: Request) -> Any:
    return await request.form(max_part_size=MAX_UPLOAD)


def _s(form: Any, name: str, limit: int = 10_000) -> str:
    v = form.get(name)
    return v.strip()[:limit] if isinstance(v, str) else ""


def _countries(request: Request) -> list[tuple[str, str]]:
    try:
        return list(request.app.state.platform.countries())
    except Exception:  # noqa: BLE001 - empty store
        return []


def _int_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 12 else None


def amount(value: Any) -> str:
    """A pooled value: whole numbers without decimals, others with two."""
    if value is None:
        return "–"
    v = float(value)
    return f"{v:,.0f}" if v == round(v) else f"{v:,.2f}"
