"""``/api/v1/hub``: the intelligence-sharing hub over HTTP (login, items, STIX, networks, alerts,
consortium analytics, directory).

What every route guarantees:

- **Who** asks comes only from the ``fukugan_session`` cookie (:mod:`fukugan.api.hub_auth`);
  a cookie value the hub never issued, an expired or logged-out one is simply anonymous.
- **What** they may see is decided only by the hub service (:class:`fukugan.services.hub.Hub`,
  which keeps exactly what :func:`fukugan.hub.policy.can_read` allows); this router never
  queries hub tables. Anonymous callers read TLP:CLEAR items only.
- Every state-changing route (POST, PUT) needs a logged-in session **and** its CSRF token
  (``X-CSRF-Token`` header or ``csrf_token`` form field): 401 without a session, 403 with a
  missing or wrong token, and nothing changes.
- An item, alert or network the caller may not see answers 404, exactly like a missing one (no
  existence oracle); forbidden actions 403; a locked login 429 with ``Retry-After``; other hub
  rules 400; all as RFC 9457 problem details. Uploads are all-or-nothing and a bad file names
  the file, row (or STIX object) and field.
- ``/hub/org/users`` is for an organisation's admins only (403 for every other role): their own
  organisation's users, never another's (404, like a missing user). Passwords are write-only:
  never in a response, a problem detail or a log line.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
)

from fukugan.api import hub_auth
from fukugan.api.hub_auth import CurrentUser, HubDep, OptionalUser, WriterUser
from fukugan.api.hub_schemas import (
    NO_NUL,
    ActiveIn,
    AlertId,
    AlertOut,
    AlertPage,
    AlertRun,
    Consortium,
    Directory,
    HubLimitQ,
    HubUser,
    ImportOut,
    ItemId,
    ItemOut,
    ItemPage,
    ItemType,
    LinkKind,
    LoginIn,
    NetworkLink,
    NetworkOut,
    NetworkUploaded,
    OrgUser,
    OrgUserIn,
    OrgUsers,
    PublishIn,
    RunLinks,
    SessionOut,
    UserId,
)
from fukugan.api.models import Problem
from fukugan.api.params import LangQ, OffsetQ
from fukugan.api.routers.scenarios import RunOut
from fukugan.errors import InputError
from fukugan.hub.models import LINK_KINDS
from fukugan.hub.policy import LoginLocked, PermissionDenied, Principal
from fukugan.services.hub import ItemView
from fukugan.services.uploads import display_name, safe_name

NO_STORE = {"Cache-Control": "private, no-store"}  # per-user answers: no cache may keep them


def _no_store(response: Response) -> None:
    response.headers.update(NO_STORE)


router = APIRouter(prefix="/hub", tags=["hub"], dependencies=[Depends(_no_store)])

MAX_UPLOAD = 5_000_000  # bytes, STIX bundle or network CSV


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Breaks a hub rule, or a bad file (file, row / STIX object, field).",
        401: "No live hub session: log in first.",
        403: "Missing or wrong CSRF token, or the role may not do this.",
        404: "No such item / alert / user, or one the caller may not see (the same answer).",
        413: "Upload larger than the limit.",
        429: "Too many failed logins: locked for a while (Retry-After).",
    }
    return {c: {"model": Problem, "description": text[c]} for c in codes}


# -- helpers ----------------------------------------------------------------------------------
def _user(p: Principal) -> HubUser:
    return HubUser(
        id=p.user_id, username=p.username, org_id=p.org_id, role=p.role, clearance=p.clearance
    )


def _item(v: ItemView) -> ItemOut:
    return ItemOut.model_validate(v.to_dict())


def _page(rows: list[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    return rows[offset : offset + limit], len(rows)


async def _read_upload(file: UploadFile) -> bytes:
    data = await file.read(MAX_UPLOAD + 1)
    await file.close()
    if len(data) > MAX_UPLOAD:
        raise HTTPException(413, f"file larger than the upload limit ({MAX_UPLOAD:,} bytes)")
    return data


# -- session ----------------------------------------------------------------------------------
@router.post(
    "/login",
    response_model=SessionOut,
    summary="Log in (sets the session cookie)",
    responses=_errors(401, 429),
)
def login(request: Request, response: Response, body: LoginIn, hub: HubDep) -> SessionOut:
    """Check the user name and password (argon2) and open a fresh session: the token goes only
    into the ``HttpOnly``, ``SameSite=Strict`` cookie, the CSRF token into the body. A session
    the request already carried is ended first (no session fixation). Wrong name or password:
    401 (the same answer for both); after too many failures for the name or the client
    address: 429 until the window passes, even with the right password."""
    old = hub_auth.session_token(request)
    try:
        opened = hub.login(body.username, body.password, client=hub_auth.client_address(request))
    except LoginLocked:
        raise
    except PermissionDenied:
        raise HTTPException(401, "wrong user name or password") from None
    if old:
        hub.logout(old)
    hub_auth.set_session_cookie(request, response, opened)
    user = hub.session_user(opened.token)
    assert user is not None
    return SessionOut(user=_user(user), csrf_token=opened.csrf_token)


@router.post(
    "/logout", status_code=204, summary="Log out (ends the session)", responses=_errors(403)
)
def logout(request: Request, hub: HubDep) -> Response:
    """End the session and clear the cookie. A live session needs its CSRF token (403 and
    the session stays otherwise); without a live session this only clears the cookie."""
    token = hub_auth.session_token(request)
    response = Response(status_code=204, headers=NO_STORE)
    if hub.session_user(token) is not None:
        if not hub.check_csrf(token, request.headers.get(hub_auth.CSRF_HEADER)):
            raise HTTPException(403, "missing or wrong CSRF token")
        hub.logout(token)
    hub_auth.clear_session_cookie(response)
    return response


@router.get("/me", response_model=SessionOut, summary="The session user", responses=_errors(401))
def me(request: Request, user: CurrentUser, hub: HubDep) -> SessionOut:
    """The logged-in user and the session's CSRF token (401 without a live session)."""
    csrf = hub.csrf_token(hub_auth.session_token(request))
    if csrf is None:  # the session ended between the two reads
        raise HTTPException(401, "log in to the hub first")
    return SessionOut(user=_user(user), csrf_token=csrf)


# -- items ------------------------------------------------------------------------------------
@router.get("/items", response_model=ItemPage, summary="Items the caller may read")
def list_items(
    user: OptionalUser,
    hub: HubDep,
    type: Annotated[ItemType | None, Query(description="Only this item type.")] = None,
    link_kind: Annotated[LinkKind | None, Query(description="Kind of link_value.")] = None,
    link_value: Annotated[
        str | None,
        Query(max_length=200, pattern=NO_NUL, description="Only items linked to this value."),
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=NO_NUL, description="Text in the title or body."),
    ] = None,
    limit: HubLimitQ = 50,
    offset: OffsetQ = 0,
) -> ItemPage:
    """Exactly the items the policy lets the caller read (anonymous: TLP:CLEAR only), newest
    first, filtered by type, link and text (``q``; matched as plain text, never as SQL);
    every read is audited by the hub."""
    if q:
        views = hub.search(user, q)
        if type is not None:
            views = [v for v in views if v.type == type]
        if link_value is not None:
            kinds = [link_kind] if link_kind else list(LINK_KINDS)
            views = [v for v in views if any(link_value in v.links.get(k, ()) for k in kinds)]
    else:
        views = hub.list_items(user, type=type, link_kind=link_kind, link_value=link_value)
    views = sorted(views, key=lambda v: v.id, reverse=True)
    rows, total = _page(views, limit, offset)
    return ItemPage(items=[_item(v) for v in rows], total=total, limit=limit, offset=offset)


@router.get("/items/{item_id}", response_model=ItemOut, summary="One item", responses=_errors(404))
def get_item(item_id: ItemId, user: OptionalUser, hub: HubDep) -> ItemOut:
    """The item with its markings, if the policy lets the caller read it; 404 otherwise (the
    same answer whether it does not exist or is denied)."""
    return _item(hub.get_item(user, item_id))


@router.post(
    "/items",
    response_model=ItemOut,
    status_code=201,
    summary="Publish an item",
    responses=_errors(400, 401, 403),
)
def publish(body: PublishIn, user: WriterUser, hub: HubDep, response: Response) -> ItemOut:
    """Publish as the session user's organisation (roles admin, analyst, contributor; not
    above one's own clearance). Members whose network the item touches and who may read it
    get an exposure alert. 201 with the item and its ``Location``."""
    item_id = hub.publish(
        user,
        type=body.type,
        title=body.title,
        body=body.body,
        source=body.source,
        confidence=body.confidence,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        tlp=body.tlp,
        required_clearance=body.required_clearance,
        group_ids=body.group_ids,
        recipient_ids=body.recipient_ids,
        links={k: list(v) for k, v in body.links.items()},
    )
    response.headers["Location"] = f"/api/v1/hub/items/{item_id}"
    return _item(hub.get_item(user, item_id))


# -- STIX 2.1 ---------------------------------------------------------------------------------
STIX_MEDIA = "application/stix+json"


@router.get(
    "/export.stix.json",
    summary="Readable items as a STIX 2.1 bundle",
    response_class=Response,
    responses={
        200: {
            "description": "A STIX 2.1 bundle (download).",
            "content": {STIX_MEDIA: {"schema": {"type": "object"}}},
        }
    },
)
def export_stix(
    user: OptionalUser,
    hub: HubDep,
    type: Annotated[ItemType | None, Query(description="Only this item type.")] = None,
) -> Response:
    """The items the caller may read (anonymous: TLP:CLEAR only) as a STIX 2.1 bundle of
    reports with TLP 2.0 marking definitions, for OpenCTI and MISP; audited."""
    text = hub.export_stix(user, type=type)
    return Response(
        text,
        media_type=f"{STIX_MEDIA};version=2.1",
        headers={
            **NO_STORE,
            "Content-Disposition": 'attachment; filename="fukugan-hub.stix.json"',
        },
    )


@router.post(
    "/import",
    response_model=ImportOut,
    status_code=201,
    summary="Import a STIX 2.1 bundle",
    responses=_errors(400, 401, 403, 413),
)
async def import_stix(
    user: WriterUser,
    hub: HubDep,
    file: Annotated[UploadFile, File(description="A STIX 2.1 bundle (JSON).")],
) -> ImportOut:
    """Publish every report of the bundle as the session user's organisation, all or
    nothing: a bad bundle (400) names the file, the STIX object and the property, and adds
    nothing. Markings the hub cannot keep (unknown sharing group, clearance above the
    importer's) are refused, never dropped."""
    from starlette.concurrency import run_in_threadpool

    data = await _read_upload(file)
    name = display_name(file.filename, "bundle.json")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text ({e.reason})", path=name) from None
    if "\x00" in text or "\\u0000" in text:
        raise InputError("NUL characters are not allowed", path=name)
    ids = await run_in_threadpool(hub.import_stix, user, text, filename=name)
    return ImportOut(imported=len(ids), ids=ids)


# -- members' networks ------------------------------------------------------------------------
@router.get(
    "/network",
    response_model=NetworkOut,
    summary="Own organisation's supply network",
    responses=_errors(401),
)
def get_network(user: CurrentUser, hub: HubDep) -> NetworkOut:
    """The links of the caller's own organisation; no route reads another member's."""
    links = hub.my_network(user)
    return NetworkOut(org_id=user.org_id, links=[NetworkLink(**r) for r in links], total=len(links))


@router.put(
    "/network",
    response_model=NetworkUploaded,
    summary="Replace own organisation's supply network (CSV)",
    responses=_errors(400, 401, 403, 413),
)
async def put_network(
    user: WriterUser,
    hub: HubDep,
    file: Annotated[
        UploadFile,
        File(description="CSV: tier, supplier, supplier_country, product_hs, customer, value."),
    ],
    own_firm: Annotated[
        str | None,
        Form(
            max_length=200, pattern=NO_NUL, description="The member's own firm (tier-1 customer)."
        ),
    ] = None,
) -> NetworkUploaded:
    """Validate the whole file, then replace the caller's organisation's network in one
    transaction. A bad file (400) names the file, row (header = row 1) and field and changes
    nothing."""
    from starlette.concurrency import run_in_threadpool

    data = await _read_upload(file)
    name = display_name(file.filename, "network.csv")
    if b"\x00" in data:
        raise InputError("NUL characters are not allowed", path=name)
    with tempfile.TemporaryDirectory(prefix="fukugan-net-") as tmp:
        path = FsPath(tmp) / safe_name(name, "network.csv")  # the user's name only in messages
        path.write_bytes(data)
        try:
            n = await run_in_threadpool(
                lambda: hub.upload_network(user, path, own_firm=own_firm or None)
            )
        except InputError as e:  # name the user's file, not the server's temporary path
            raise InputError(e.message, path=name, row=e.row, field=e.field) from None
    return NetworkUploaded(org_id=user.org_id, links=n)


# -- alerts -----------------------------------------------------------------------------------
@router.get(
    "/alerts", response_model=AlertPage, summary="Own exposure alerts", responses=_errors(401)
)
def list_alerts(
    user: CurrentUser,
    hub: HubDep,
    unread_only: Annotated[bool, Query(description="Only unread alerts.")] = False,
    lang: LangQ = "en",
    limit: HubLimitQ = 50,
    offset: OffsetQ = 0,
) -> AlertPage:
    """The caller's own alerts, newest first, whose item the caller may still read (re-checked
    now): the item, and the path through the caller's network in ``lang``."""
    views = sorted(hub.alerts(user, unread_only=unread_only), key=lambda a: a.id, reverse=True)
    rows, total = _page(views, limit, offset)
    items = [
        AlertOut(
            id=a.id,
            item_id=a.item_id,
            title=a.title,
            path=a.path_ja if lang == "ja" else a.path_en,
            path_en=a.path_en,
            path_ja=a.path_ja,
            created_at=_iso(a.created_at),
            read=a.read,
        )
        for a in rows
    ]
    return AlertPage(items=items, total=total, limit=limit, offset=offset)


def _iso(dt: datetime) -> str:
    from fukugan.store.workspace.repo import as_utc

    out = as_utc(dt)
    assert out is not None
    return out.isoformat(timespec="seconds")


@router.post(
    "/alerts/{alert_id}/read",
    status_code=204,
    summary="Mark an alert read",
    responses=_errors(401, 403, 404),
)
def read_alert(alert_id: AlertId, user: WriterUser, hub: HubDep) -> Response:
    """Mark one of the caller's own alerts read; anyone else's: 404."""
    hub.mark_alert_read(user, alert_id)
    return Response(status_code=204, headers=NO_STORE)


@router.post(
    "/alerts/{alert_id}/run",
    response_model=AlertRun,
    status_code=202,
    summary="Run the scenario matching an alert (one click)",
    responses=_errors(400, 401, 403, 404),
)
async def run_alert(
    request: Request, alert_id: AlertId, user: WriterUser, hub: HubDep, response: Response
) -> AlertRun:
    """Build the scenario matching the alert's item (the item re-checked with the policy) and
    queue it as a run private to the caller: only the caller lists or reads it, anyone else
    gets 404. 202 with the run and where to poll it."""
    from starlette.concurrency import run_in_threadpool

    text = await run_in_threadpool(hub.alert_scenario, user, alert_id)
    runs = request.app.state.runs
    doc = await run_in_threadpool(
        lambda: runs.submit(
            yaml=text, filename=f"alert-{alert_id}.yaml", owner_user_id=user.user_id
        )
    )
    api = f"/api/v1/runs/{doc['id']}"
    response.headers["Location"] = api
    return AlertRun(
        run=RunOut.model_validate(doc), links=RunLinks(api=api, page=f"/runs/{doc['id']}")
    )


# -- consortium and directory -----------------------------------------------------------------
@router.get(
    "/consortium",
    response_model=Consortium,
    summary="Consortium analytics without disclosure",
    responses=_errors(400, 401),
)
def consortium(
    user: CurrentUser,
    hub: HubDep,
    view: Annotated[
        Literal["country", "supplier"],
        Query(description="country: product × supplier country; supplier: × supplier firm."),
    ] = "country",
    tier: Annotated[
        int | None,
        Query(ge=1, le=20, description="Refused (400): tables are over all tiers only."),
    ] = None,
) -> Consortium:
    """Pooled members' networks as a protected table: any cell built from fewer than ``k``
    members (default 5), or dominated by one member, is suppressed, with complementary
    suppression so totals do not reveal it; the guarantee and its limits in en and ja."""
    return Consortium.model_validate(hub.consortium(user, view=view, tier=tier))


@router.get("/directory", response_model=Directory, summary="Hub directory", responses=_errors(401))
def directory(user: CurrentUser, hub: HubDep) -> Directory:
    """Organisations, sharing groups (and whether the caller's organisation is a member) and
    active users, to address sharing groups and TLP:RED recipients."""
    return Directory.model_validate(hub.directory(user))


# -- organisation administration (the "admin" role) -------------------------------------------
def _org_user(row: dict[str, Any]) -> OrgUser:
    return OrgUser.model_validate(row)


@router.get(
    "/org/users",
    response_model=OrgUsers,
    summary="Own organisation's users (admins)",
    responses=_errors(401, 403),
)
def org_users(user: CurrentUser, hub: HubDep) -> OrgUsers:
    """Every user of the caller's own organisation with role, clearance and whether active;
    403 unless the caller is an admin."""
    return OrgUsers(org_id=user.org_id, users=[_org_user(r) for r in hub.org_users(user)])


@router.post(
    "/org/users",
    response_model=OrgUser,
    status_code=201,
    summary="Add a user to own organisation (admins)",
    responses=_errors(400, 401, 403),
)
def add_org_user(body: OrgUserIn, user: WriterUser, hub: HubDep) -> OrgUser:
    """A new user of the caller's organisation: 403 unless the caller is an admin or when the
    clearance is above the caller's own; 400 for a user name already taken. The password is
    hashed (argon2) and never returned; audited under the admin's name."""
    new_id = hub.add_org_user(user, body.username, body.role, body.clearance, body.password)
    [row] = [r for r in hub.org_users(user) if r["id"] == new_id]
    return _org_user(row)


@router.put(
    "/org/users/{user_id}/active",
    status_code=204,
    summary="Disable or re-enable a user of own organisation (admins)",
    responses=_errors(400, 401, 403, 404),
)
def set_org_user_active(user_id: UserId, body: ActiveIn, user: WriterUser, hub: HubDep) -> Response:
    """Disabling ends the user's sessions at once and refuses their logins; 404 for a user of
    another organisation (as for a missing one), 400 for one's own account, 403 unless the
    caller is an admin."""
    hub.set_org_user_active(user, user_id, body.active)
    return Response(status_code=204, headers=NO_STORE)
