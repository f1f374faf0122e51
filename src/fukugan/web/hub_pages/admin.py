"""Organisation administration: an admin's own organisation's users."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fukugan.hub.models import (
    CLEARANCES,
    ID_MAX,
    ROLES,
    USERNAME_MAX,
)
from fukugan.hub.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH
from fukugan.hub.policy import HubError, NotFoundError, PermissionDenied, Principal
from fukugan.i18n import t
from fukugan.web.hub_pages.frame import (
    Admin,
    AdminForm,
    _error,
    _form,
    _hub,
    _int_id,
    _page,
    _s,
)
from fukugan.web.pages import Prefs

router = APIRouter(include_in_schema=False)


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


@router.get("/hub/admin", response_class=HTMLResponse)
def admin_page(request: Request, admin: Admin) -> Response:
    return _admin_page(request, Prefs.of(request), admin)


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
async def admin_add_user(request: Request, admin: AdminForm) -> Response:
    prefs = Prefs.of(request)
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
async def admin_set_active(request: Request, user_id: str, admin: AdminForm) -> Response:
    prefs = Prefs.of(request)
    value = _s(await _form(request), "active", 5)
    uid = _int_id(user_id)  # a positive id of at most 12 digits, else as missing
    if value not in ("true", "false"):
        msg = t("web-hub-err-active", prefs.lang)
        return _admin_page(request, prefs, admin, message=msg, status=422)
    if uid == admin.user_id:  # the hub refuses it too; say so in the user's language
        msg = t("web-hub-admin-self", prefs.lang)
        return _admin_page(request, prefs, admin, message=msg, status=400)
    try:
        if uid is None or uid > ID_MAX:
            raise NotFoundError("no such user")
        await run_in_threadpool(_hub(request).set_org_user_active, admin, uid, value == "true")
    except NotFoundError:  # another organisation's user: the same page as a missing one
        return _error(request, prefs, 404, t("web-hub-user-missing", prefs.lang))
    except PermissionDenied:
        return _error(request, prefs, 403, t("web-hub-admin-denied", prefs.lang))
    except HubError as e:
        return _admin_page(request, prefs, admin, message=str(e), status=400)
    return RedirectResponse(f"/hub/admin?changed={uid}#user-{uid}", status_code=303)
