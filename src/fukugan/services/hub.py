"""Hub service: organisations, users, sharing groups, publishing and reading intelligence items.

Every read path (:meth:`Hub.get_item`, :meth:`Hub.list_items`, :meth:`Hub.search`,
:meth:`Hub.export`) loads candidate rows and keeps exactly those that
:func:`fukugan.hub.policy.can_read` allows; SQL only narrows candidates by the user's own filters
(type, link, text), never by access rights. Every read and write appends a row to the
hash-chained audit log in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from fukugan.errors import InputError
from fukugan.hub import audit
from fukugan.hub import consortium as consortium_model
from fukugan.hub import sessions as logins
from fukugan.hub.alerts import Alert, AlertView, Link, exposure_paths
from fukugan.hub.models import (
    CLEARANCES,
    ITEM_TYPES,
    LINK_KINDS,
    ORG_KINDS,
    ROLES,
    TLP_LEVELS,
    USERNAME_MAX,
    WRITER_ROLES,
    GroupMember,
    Item,
    ItemGroup,
    ItemLink,
    ItemRecipient,
    Organisation,
    SharingGroup,
    User,
)
from fukugan.hub.networks import MemberLink, read_member_network
from fukugan.hub.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH
from fukugan.hub.passwords import hash_password, verify_password
from fukugan.hub.policy import (
    Decision,
    HubError,
    LoginLocked,
    Marking,
    NotFoundError,
    PermissionDenied,
    PolicyContext,
    Principal,
    can_read,
)
from fukugan.hub.scenario import scenario_for_item, scenario_yaml
from fukugan.hub.stix import IntelItemData, from_stix_bundle, to_stix_bundle
from fukugan.store.workspace.db import open_workspace

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class ItemView:
    """A read-only snapshot of an item the reader may see."""

    id: int
    type: str
    title: str
    body: str
    source: str
    confidence: float
    valid_from: datetime | None
    valid_to: datetime | None
    author_org_id: int
    tlp: str
    required_clearance: int
    group_ids: tuple[int, ...]
    links: dict[str, list[str]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "body": self.body,
            "source": self.source,
            "confidence": self.confidence,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "author_org_id": self.author_org_id,
            "markings": {
                "tlp": self.tlp,
                "required_clearance": self.required_clearance,
                "sharing_groups": list(self.group_ids),
            },
            "links": self.links,
        }


def principal(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        org_id=user.org_id,
        clearance=user.clearance,
        active=user.active,
        username=user.username,
        role=user.role,
    )


def marking(item: Item) -> Marking:
    return Marking(
        item_id=item.id,
        author_org_id=item.author_org_id,
        tlp=item.tlp,
        required_clearance=item.required_clearance,
        group_ids=frozenset(g.group_id for g in item.groups),
        recipient_ids=frozenset(r.user_id for r in item.recipients),
        valid_to=item.valid_to,
    )


def _view(item: Item) -> ItemView:
    links: dict[str, list[str]] = {}
    for link in sorted(item.links, key=lambda x: (x.kind, x.value)):
        links.setdefault(link.kind, []).append(link.value)
    return ItemView(
        id=item.id,
        type=item.type,
        title=item.title,
        body=item.body,
        source=item.source,
        confidence=item.confidence,
        valid_from=item.valid_from,
        valid_to=item.valid_to,
        author_org_id=item.author_org_id,
        tlp=item.tlp,
        required_clearance=item.required_clearance,
        group_ids=tuple(sorted(g.group_id for g in item.groups)),
        links=links,
    )


def _actor(user: Principal | None) -> str:
    return ANONYMOUS if user is None else f"user:{user.user_id}"


class Hub:
    """The hub over the workspace database (SQLite or PostgreSQL, migrated at open)."""

    def __init__(
        self,
        home: str | Path | None = None,
        url: str | None = None,
        *,
        engine: Engine | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_failures: int = logins.MAX_FAILURES,
        failure_window: timedelta = logins.FAILURE_WINDOW,
        session_lifetime: timedelta = logins.SESSION_LIFETIME,
        session_idle: timedelta = logins.SESSION_IDLE,
        consortium_k: int = 5,
    ) -> None:
        if engine is None:
            self.engine, self.sessions = open_workspace(home, url, immediate=True)
        else:
            self.engine, self.sessions = engine, sessionmaker(engine, expire_on_commit=False)
        self.clock = clock
        self.max_failures = max_failures
        self.failure_window = failure_window
        self.session_lifetime = session_lifetime
        self.session_idle = session_idle
        if consortium_k < 2:
            raise HubError("consortium_k must be at least 2")
        self.consortium_k = consortium_k

    def dispose(self) -> None:
        self.engine.dispose()

    # -- administration ----------------------------------------------------------------------
    def create_org(self, name: str, kind: str) -> int:
        if kind not in ORG_KINDS:
            raise HubError(f"organisation kind {kind!r} not one of {', '.join(ORG_KINDS)}")
        if not name.strip():
            raise HubError("an organisation needs a name")
        if len(name) > 200:
            raise HubError("an organisation name has at most 200 characters")
        _no_nul(name=name)
        with self.sessions.begin() as s:
            if s.execute(select(Organisation.id).where(Organisation.name == name)).first():
                raise HubError(f"organisation {name!r} exists already")
            org = Organisation(name=name, kind=kind)
            s.add(org)
            s.flush()
            audit.append(
                s,
                actor="system",
                action="create-org",
                detail={"org": org.id, "name": name},
                now=self.clock(),
            )
            return org.id

    def create_user(
        self,
        username: str,
        org_id: int,
        role: str,
        clearance: int,
        password: str | None = None,
        *,
        password_hash: str | None = None,
        actor: str = "system",
    ) -> int:
        """A user; give ``password`` (hashed here) or an argon2 ``password_hash``. ``actor``
        names who did it in the audit log (default ``system``: the command line)."""
        if role not in ROLES:
            raise HubError(f"role {role!r} not one of {', '.join(ROLES)}")
        if clearance not in CLEARANCES:
            raise HubError(f"clearance {clearance!r} not in 0..3")
        if password_hash is not None:
            if not password_hash.startswith("$argon2"):
                raise HubError("password_hash must be an argon2 hash")
            pw = password_hash
        elif password is not None:
            if len(password) < MIN_PASSWORD_LENGTH:
                raise HubError(f"password shorter than {MIN_PASSWORD_LENGTH} characters")
            pw = hash_password(password)
        else:
            raise HubError("give a password")
        if not username.strip():
            raise HubError("a user needs a name")
        if len(username) > USERNAME_MAX:
            raise HubError(f"a user name has at most {USERNAME_MAX} characters")
        _no_nul(username=username)
        with self.sessions.begin() as s:
            if s.get(Organisation, org_id) is None:
                raise HubError(f"no organisation {org_id}")
            if s.execute(select(User.id).where(User.username == username)).first():
                raise HubError(f"user {username!r} exists already")
            user = User(
                username=username,
                org_id=org_id,
                role=role,
                clearance=clearance,
                password_hash=pw,
                active=True,
            )
            s.add(user)
            try:
                s.flush()
            except IntegrityError:  # the same name added at the same moment elsewhere
                raise HubError(f"user {username!r} exists already") from None
            n_alerts = self._refresh_alerts(s, org_ids=[org_id], user_ids=[user.id])
            audit.append(
                s,
                actor=actor,
                action="create-user",
                detail={
                    "user": user.id,
                    "org": org_id,
                    "role": role,
                    "clearance": clearance,
                    "alerts": n_alerts,
                },
                now=self.clock(),
            )
            return user.id

    def create_group(self, name: str, org_ids: Iterable[int] = ()) -> int:
        org_ids = sorted(set(org_ids))
        if not name.strip() or len(name) > 200:
            raise HubError("a sharing group needs a name of at most 200 characters")
        _no_nul(name=name)
        with self.sessions.begin() as s:
            if s.execute(select(SharingGroup.id).where(SharingGroup.name == name)).first():
                raise HubError(f"sharing group {name!r} exists already")
            for o in org_ids:
                if s.get(Organisation, o) is None:
                    raise HubError(f"no organisation {o}")
            group = SharingGroup(name=name)
            group.members = [GroupMember(org_id=o) for o in org_ids]
            s.add(group)
            s.flush()
            audit.append(
                s,
                actor="system",
                action="create-group",
                detail={"group": group.id, "orgs": org_ids},
                now=self.clock(),
            )
            return group.id

    def add_to_group(self, group_id: int, org_id: int) -> int:
        """Make ``org_id`` a member of sharing group ``group_id`` (administration); its users
        are alerted about AMBER items of the group that touch their network. Returns the number
        of new alerts."""
        with self.sessions.begin() as s:
            if s.get(SharingGroup, group_id) is None:
                raise HubError(f"no sharing group {group_id}")
            if s.get(Organisation, org_id) is None:
                raise HubError(f"no organisation {org_id}")
            if s.get(GroupMember, (group_id, org_id)) is None:
                s.add(GroupMember(group_id=group_id, org_id=org_id))
                s.flush()
            n = self._refresh_alerts(s, org_ids=[org_id])
            audit.append(
                s,
                actor="system",
                action="join-group",
                detail={"group": group_id, "org": org_id, "alerts": n},
                now=self.clock(),
            )
            return n

    def find(self, kind: str, name: str) -> int:
        """The id of the organisation, user or sharing group called ``name`` (administration
        and the command line)."""
        model, col = {
            "org": (Organisation, Organisation.name),
            "user": (User, User.username),
            "group": (SharingGroup, SharingGroup.name),
        }[kind]
        with self.sessions() as s:
            found = s.execute(select(model.id).where(col == name)).scalar_one_or_none()
        if found is None:
            label = {"org": "organisation", "user": "user", "group": "sharing group"}[kind]
            raise HubError(f"no {label} {name!r}")
        return found

    def members(self) -> dict[str, list[dict[str, Any]]]:
        """Every organisation, user (no hashes) and sharing group, for administrators."""
        with self.sessions() as s:
            orgs = {o.id: o.name for o in s.execute(select(Organisation)).scalars()}
            members = self._context(s).group_members
            return {
                "orgs": [
                    {"id": o.id, "name": o.name, "kind": o.kind}
                    for o in s.execute(select(Organisation).order_by(Organisation.id)).scalars()
                ],
                "users": [
                    {
                        "id": u.id,
                        "username": u.username,
                        "org": orgs.get(u.org_id, ""),
                        "role": u.role,
                        "clearance": u.clearance,
                        "active": u.active,
                    }
                    for u in s.execute(select(User).order_by(User.id)).scalars()
                ],
                "groups": [
                    {
                        "id": g.id,
                        "name": g.name,
                        "orgs": sorted(orgs.get(o, "") for o in members.get(g.id, ())),
                    }
                    for g in s.execute(select(SharingGroup).order_by(SharingGroup.id)).scalars()
                ],
            }

    def user(self, user_id: int) -> Principal:
        with self.sessions() as s:
            u = s.get(User, user_id)
            if u is None:
                raise HubError(f"no user {user_id}")
            return principal(u)

    def authenticate(self, username: str, password: str, *, client: str | None = None) -> Principal:
        """The user for ``username``/``password``. ``max_failures`` failed logins within
        ``failure_window`` lock the user name, and (given ``client``, e.g. the remote address)
        the client, in the database (:mod:`fukugan.hub.sessions`); :class:`LoginLocked` then,
        :class:`PermissionDenied` for a wrong name or password."""
        return self._login(username, password, client, open_session=False)[0]

    def login(
        self, username: str, password: str, *, client: str | None = None
    ) -> logins.LoginSession:
        """Authenticate and open a session: the secret token (for an ``HttpOnly`` cookie) and
        the session's CSRF token. Errors as :meth:`authenticate`."""
        opened = self._login(username, password, client, open_session=True)[1]
        assert opened is not None
        return opened

    def _login(
        self, username: str, password: str, client: str | None, *, open_session: bool
    ) -> tuple[Principal, logins.LoginSession | None]:
        _no_nul(username=username, password=password, client=client)
        now = self.clock()
        keys = [f"user:{username.casefold()}"] + ([f"addr:{client}"] if client else [])
        failure: HubError | None = None
        with self.sessions.begin() as s:  # failures are committed, then raised
            if logins.locked(
                s, keys, now, max_failures=self.max_failures, window=self.failure_window
            ):
                audit.append(
                    s,
                    actor=ANONYMOUS,
                    action="login-locked",
                    detail={"username": username},
                    now=now,
                )
                failure = LoginLocked("too many failed logins; try again later")
            else:
                u = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
                if u is None or not u.active or not verify_password(u.password_hash, password):
                    logins.record_failure(s, keys, now)
                    audit.append(
                        s,
                        actor=ANONYMOUS,
                        action="login-failed",
                        detail={"username": username},
                        now=now,
                    )
                    failure = PermissionDenied("wrong user name or password")
                else:
                    logins.clear_failures(s, keys[0])
                    audit.append(s, actor=f"user:{u.id}", action="login", now=now)
                    who = principal(u)
                    opened = (
                        logins.create(s, u.id, now, self.session_lifetime) if open_session else None
                    )
        if failure is not None:
            raise failure
        return who, opened

    def session_user(self, token: str | None) -> Principal | None:
        """The user of a live session (``None`` when the token is unknown, expired, idle too
        long, logged out, or its user deactivated)."""
        if not token:
            return None
        with self.sessions.begin() as s:
            row = logins.live(s, token, self.clock(), self.session_idle)
            if row is None:
                return None
            u = s.get(User, row.user_id)
            if u is None or not u.active:
                row.revoked = True
                return None
            return principal(u)

    def check_csrf(self, token: str | None, csrf: str | None) -> bool:
        """Whether ``csrf`` is the CSRF token of the live session ``token``."""
        if not token:
            return False
        with self.sessions.begin() as s:
            return logins.csrf_ok(logins.live(s, token, self.clock(), self.session_idle), csrf)

    def csrf_token(self, token: str | None) -> str | None:
        """The CSRF token of the live session ``token`` (to embed in pages), else ``None``."""
        if not token:
            return None
        with self.sessions.begin() as s:
            row = logins.live(s, token, self.clock(), self.session_idle)
            return None if row is None else row.csrf_token

    def logout(self, token: str | None) -> None:
        if not token:
            return
        with self.sessions.begin() as s:
            row = s.get(logins.SessionRow, logins.token_hash(token))
            if logins.revoke(s, token) and row is not None:
                audit.append(s, actor=f"user:{row.user_id}", action="logout", now=self.clock())

    def set_active(self, user_id: int, active: bool, *, actor: str = "system") -> None:
        """Enable or disable an account (administration); disabling ends its sessions."""
        with self.sessions.begin() as s:
            u = s.get(User, user_id)
            if u is None:
                raise HubError(f"no user {user_id}")
            u.active = active
            ended = 0 if active else logins.revoke_user(s, user_id)
            audit.append(
                s,
                actor=actor,
                action="enable-user" if active else "disable-user",
                detail={"user": user_id, "sessions_ended": ended},
                now=self.clock(),
            )

    # -- organisation administration (the hub's "admin" role) ---------------------------------
    def _org_admin(self, admin: Principal) -> None:
        if admin.role != "admin" or not admin.active:
            raise PermissionDenied("only an active admin of the organisation may manage its users")

    def org_users(self, admin: Principal) -> list[dict[str, Any]]:
        """The users of ``admin``'s own organisation (no password hashes)."""
        self._org_admin(admin)
        with self.sessions() as s:
            rows = s.execute(
                select(User).where(User.org_id == admin.org_id).order_by(User.id)
            ).scalars()
            return [
                {
                    "id": u.id,
                    "username": u.username,
                    "role": u.role,
                    "clearance": u.clearance,
                    "active": u.active,
                }
                for u in rows
            ]

    def add_org_user(
        self, admin: Principal, username: str, role: str, clearance: int, password: str
    ) -> int:
        """A new user of ``admin``'s own organisation, with a clearance no higher than the
        admin's own (an admin cannot grant access they do not have)."""
        self._org_admin(admin)
        if isinstance(clearance, int) and clearance > admin.clearance:
            raise PermissionDenied(
                f"cannot grant clearance {clearance}: above your own ({admin.clearance})"
            )
        return self.create_user(
            username, admin.org_id, role, clearance, password, actor=_actor(admin)
        )

    def set_org_user_active(self, admin: Principal, user_id: int, active: bool) -> None:
        """Disable (ending their sessions) or re-enable a user of ``admin``'s organisation; an
        admin cannot disable themselves (no lock-out of the last admin by mistake)."""
        self._org_admin(admin)
        if user_id == admin.user_id:
            raise HubError("you cannot disable or enable your own account")
        with self.sessions() as s:
            u = s.get(User, user_id)
            if u is None or u.org_id != admin.org_id:
                raise NotFoundError(f"no user {user_id} in your organisation")
            if active and u.clearance > admin.clearance:
                raise PermissionDenied(
                    f"cannot re-enable a user with clearance {u.clearance}: above your own "
                    f"({admin.clearance})"
                )
        self.set_active(user_id, active, actor=_actor(admin))

    # -- writes ------------------------------------------------------------------------------
    def publish(
        self,
        author: Principal,
        *,
        type: str,
        title: str,
        body: str = "",
        source: str = "",
        confidence: float = 0.5,
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
        tlp: str = "AMBER",
        required_clearance: int = 0,
        group_ids: Iterable[int] = (),
        recipient_ids: Iterable[int] = (),
        links: dict[str, Iterable[str]] | None = None,
    ) -> int:
        """Publish an item as ``author``'s organisation. RED items get the author added to the
        recipients; recipients given for other TLP levels are ignored (rejected)."""
        with self.sessions.begin() as s:
            return self._publish(
                s,
                author,
                type=type,
                title=title,
                body=body,
                source=source,
                confidence=confidence,
                valid_from=valid_from,
                valid_to=valid_to,
                tlp=tlp,
                required_clearance=required_clearance,
                group_ids=group_ids,
                recipient_ids=recipient_ids,
                links=links,
            )

    def _publish(
        self,
        s: Session,
        author: Principal,
        *,
        type: str,
        title: str,
        body: str,
        source: str,
        confidence: float,
        valid_from: datetime | None,
        valid_to: datetime | None,
        tlp: str,
        required_clearance: int,
        group_ids: Iterable[int],
        recipient_ids: Iterable[int],
        links: dict[str, Iterable[str]] | None,
        action: str = "publish",
    ) -> int:
        if author.role not in WRITER_ROLES or not author.active:
            raise PermissionDenied(f"role {author.role!r} may not publish")
        if type not in ITEM_TYPES:
            raise HubError(f"item type {type!r} not one of {', '.join(ITEM_TYPES)}")
        if not title or not title.strip():
            raise HubError("an item needs a title")
        _no_nul(title=title, body=body, source=source)
        if tlp not in TLP_LEVELS:
            raise HubError(f"TLP {tlp!r} not one of {', '.join(TLP_LEVELS)}")
        if required_clearance not in CLEARANCES:
            raise HubError(f"required clearance {required_clearance!r} not in 0..3")
        if not 0.0 <= confidence <= 1.0:
            raise HubError("confidence must be within 0..1")
        if valid_from is not None and valid_to is not None and valid_to < valid_from:
            raise HubError("valid_to is before valid_from")
        if required_clearance > author.clearance:
            raise PermissionDenied("cannot publish above one's own clearance")
        recipients = set(recipient_ids)
        if tlp == "RED":
            recipients.add(author.user_id)
        elif recipients:
            raise HubError("recipients are only for TLP:RED items")
        groups = sorted(set(group_ids))
        link_rows = _links(links or {})
        known_groups = set(s.execute(select(SharingGroup.id)).scalars())
        if set(groups) - known_groups:
            raise HubError(f"no sharing group {sorted(set(groups) - known_groups)[0]}")
        known_users = set(s.execute(select(User.id)).scalars())
        if recipients - known_users:
            raise HubError(f"no user {sorted(recipients - known_users)[0]}")
        item = Item(
            type=type,
            title=title,
            body=body,
            source=source,
            confidence=confidence,
            valid_from=valid_from,
            valid_to=valid_to,
            author_org_id=author.org_id,
            author_user_id=author.user_id,
            tlp=tlp,
            required_clearance=required_clearance,
            created_at=self.clock(),
        )
        item.groups = [ItemGroup(group_id=g) for g in groups]
        item.recipients = [ItemRecipient(user_id=u) for u in sorted(recipients)]
        item.links = [ItemLink(kind=k, value=v) for k, v in link_rows]
        s.add(item)
        s.flush()
        n_alerts = self._refresh_alerts(s, items=[item])
        audit.append(
            s,
            actor=_actor(author),
            action=action,
            item_id=item.id,
            detail={
                "tlp": tlp,
                "clearance": required_clearance,
                "groups": groups,
                "recipients": sorted(recipients),
                "alerts": n_alerts,
            },
            now=self.clock(),
        )
        return item.id

    # -- reads (all through can_read) --------------------------------------------------------
    def _context(self, s: Session) -> PolicyContext:
        members: dict[int, set[int]] = {}
        for gid, oid in s.execute(select(GroupMember.group_id, GroupMember.org_id)):
            members.setdefault(gid, set()).add(oid)
        return PolicyContext(
            now=self.clock(), group_members={g: frozenset(o) for g, o in members.items()}
        )

    def _candidates(self, s: Session, stmt) -> list[Item]:  # noqa: ANN001 - Select[Item]
        stmt = stmt.options(
            selectinload(Item.groups), selectinload(Item.recipients), selectinload(Item.links)
        ).order_by(Item.id)
        return list(s.execute(stmt).scalars().unique())

    def _readable(self, s: Session, user: Principal | None, stmt) -> list[ItemView]:  # noqa: ANN001
        ctx = self._context(s)
        return [_view(i) for i in self._candidates(s, stmt) if can_read(user, marking(i), ctx)]

    def decide(self, user: Principal | None, item_id: int) -> Decision:
        """The policy decision for one item (for tests and explanations; not audited)."""
        with self.sessions() as s:
            items = self._candidates(s, select(Item).where(Item.id == item_id))
            if not items:
                return Decision(False, "no such item")
            return can_read(user, marking(items[0]), self._context(s))

    def get_item(self, user: Principal | None, item_id: int) -> ItemView:
        """The item, or :class:`NotFoundError` (same error whether missing or denied)."""
        with self.sessions.begin() as s:
            items = self._candidates(s, select(Item).where(Item.id == item_id))
            decision = (
                can_read(user, marking(items[0]), self._context(s))
                if items
                else Decision(False, "no such item")
            )
            audit.append(
                s,
                actor=_actor(user),
                action="read" if decision.allowed else "read-denied",
                item_id=item_id,
                detail={"reason": decision.reason},
                now=self.clock(),
            )
            if not decision.allowed:
                view = None
            else:
                view = _view(items[0])
        if view is None:
            raise NotFoundError(f"no item {item_id}")
        return view

    def list_items(
        self,
        user: Principal | None,
        *,
        type: str | None = None,
        link_kind: str | None = None,
        link_value: str | None = None,
    ) -> list[ItemView]:
        _no_nul(type=type, link_kind=link_kind, link_value=link_value)
        stmt = select(Item)
        if type is not None:
            stmt = stmt.where(Item.type == type)
        if link_value is not None:
            cond = [ItemLink.item_id == Item.id, ItemLink.value == link_value]
            if link_kind is not None:
                cond.append(ItemLink.kind == link_kind)
            stmt = stmt.where(select(ItemLink.item_id).where(*cond).exists())
        return self._read_many(user, "list", stmt, {"type": type, "link": link_value})

    def search(self, user: Principal | None, text: str) -> list[ItemView]:
        """Items whose title or body contain ``text`` (case-insensitive; parameterised)."""
        _no_nul(text=text)
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = select(Item).where(
            or_(Item.title.ilike(pattern, escape="\\"), Item.body.ilike(pattern, escape="\\"))
        )
        return self._read_many(user, "search", stmt, {"text": text})

    def export(self, user: Principal | None, **filters: Any) -> list[dict[str, Any]]:
        """The readable items (same filters as :meth:`list_items`) as JSON-ready dicts."""
        stmt = select(Item)
        if filters.get("type") is not None:
            stmt = stmt.where(Item.type == filters["type"])
        return [v.to_dict() for v in self._read_many(user, "export", stmt, dict(filters))]

    def _read_many(self, user: Principal | None, action: str, stmt, query: dict) -> list[ItemView]:  # noqa: ANN001
        with self.sessions.begin() as s:
            views = self._readable(s, user, stmt)
            audit.append(
                s,
                actor=_actor(user),
                action=action,
                detail={"query": query, "items": [v.id for v in views]},
                now=self.clock(),
            )
        return views

    # -- members' private supply networks ----------------------------------------------------
    def upload_network(
        self, user: Principal, path: str | Path, *, own_firm: str | None = None
    ) -> int:
        """Replace ``user``'s organisation's network with the validated CSV at ``path`` (one
        transaction; nothing changes if the file is bad). Admin/analyst/contributor only.
        Returns the number of links stored."""
        if user.role not in WRITER_ROLES or not user.active:
            raise PermissionDenied(f"role {user.role!r} may not upload a network")
        frame = read_member_network(path, own_firm=own_firm)
        with self.sessions.begin() as s:
            s.execute(delete(MemberLink).where(MemberLink.org_id == user.org_id))
            for r in frame.itertuples(index=False):
                s.add(
                    MemberLink(
                        org_id=user.org_id,
                        tier=int(r.tier),
                        supplier=r.supplier,
                        supplier_country=r.supplier_country,
                        product_hs=r.product_hs,
                        customer=r.customer,
                        value=None if r.value != r.value else float(r.value),
                    )
                )
            s.flush()
            n_alerts = self._refresh_alerts(s, org_ids=[user.org_id])
            audit.append(
                s,
                actor=_actor(user),
                action="upload-network",
                detail={
                    "org": user.org_id,
                    "links": len(frame),
                    "file": Path(path).name,
                    "alerts": n_alerts,
                },
                now=self.clock(),
            )
        return len(frame)

    def my_network(self, user: Principal) -> list[dict[str, Any]]:
        """The links of ``user``'s own organisation — the only read path of member networks."""
        if not user.active:
            raise PermissionDenied("inactive user")
        with self.sessions.begin() as s:
            rows = s.execute(
                select(MemberLink)
                .where(MemberLink.org_id == user.org_id)
                .order_by(MemberLink.tier, MemberLink.id)
            ).scalars()
            out = [
                {
                    "tier": r.tier,
                    "supplier": r.supplier,
                    "supplier_country": r.supplier_country,
                    "product_hs": r.product_hs,
                    "customer": r.customer,
                    "value": r.value,
                }
                for r in rows
            ]
            audit.append(
                s,
                actor=_actor(user),
                action="read-network",
                detail={"org": user.org_id, "links": len(out)},
                now=self.clock(),
            )
        return out

    # -- exposure alerts ---------------------------------------------------------------------
    def _refresh_alerts(
        self,
        s: Session,
        *,
        items: list[Item] | None = None,
        org_ids: Iterable[int] | None = None,
        user_ids: Iterable[int] | None = None,
    ) -> int:
        """Create the missing alerts for ``items`` (default: every item) × the networks of
        ``org_ids`` (default: every organisation with a network), for users (default: all of
        those organisations; or only ``user_ids``) whom :func:`can_read` allows. Called when an
        item is published, a network uploaded, a user created, or a sharing group changed, so a
        member is alerted about what touches them whatever happened first. Returns how many
        alerts were created (an existing (user, item) alert is never duplicated)."""
        stmt = select(MemberLink)
        if org_ids is not None:
            stmt = stmt.where(MemberLink.org_id.in_(sorted(set(org_ids))))
        networks: dict[int, list[Link]] = {}
        for r in s.execute(stmt).scalars():
            networks.setdefault(r.org_id, []).append(
                Link(r.tier, r.supplier, r.supplier_country, r.product_hs, r.customer)
            )
        if not networks:
            return 0
        if items is None:
            items = self._candidates(s, select(Item))
        users_q = select(User).where(User.org_id.in_(sorted(networks))).order_by(User.id)
        if user_ids is not None:
            users_q = users_q.where(User.id.in_(sorted(set(user_ids))))
        users: dict[int, list[User]] = {}
        for u in s.execute(users_q).scalars():
            users.setdefault(u.org_id, []).append(u)
        existing = {(a, b) for a, b in s.execute(select(Alert.user_id, Alert.item_id))}
        ctx = self._context(s)
        n = 0
        for item in items:
            item_links = dict_links((lk.kind, lk.value) for lk in item.links)
            if not any(item_links.get(k) for k in ("country", "hs", "firm")):
                continue
            mark = marking(item)
            for org_id in sorted(networks):
                if not users.get(org_id):
                    continue
                paths = exposure_paths(networks[org_id], item_links)
                if not paths:
                    continue
                for u in users[org_id]:
                    if (u.id, item.id) in existing or not can_read(principal(u), mark, ctx):
                        continue
                    s.add(
                        Alert(
                            user_id=u.id,
                            item_id=item.id,
                            path_en="\n".join(p[0] for p in paths),
                            path_ja="\n".join(p[1] for p in paths),
                            created_at=self.clock(),
                            read=False,
                        )
                    )
                    existing.add((u.id, item.id))
                    n += 1
        s.flush()
        return n

    def alerts(self, user: Principal, *, unread_only: bool = False) -> list[AlertView]:
        """``user``'s alerts whose item ``user`` may still read (re-checked now)."""
        with self.sessions.begin() as s:
            stmt = select(Alert).where(Alert.user_id == user.user_id)
            if unread_only:
                stmt = stmt.where(Alert.read.is_(False))
            rows = list(s.execute(stmt.order_by(Alert.id)).scalars())
            items = {
                i.id: i
                for i in self._candidates(
                    s, select(Item).where(Item.id.in_(sorted({a.item_id for a in rows})))
                )
            }
            ctx = self._context(s)
            out = [
                AlertView(
                    id=a.id,
                    item_id=a.item_id,
                    title=items[a.item_id].title,
                    path_en=a.path_en,
                    path_ja=a.path_ja,
                    created_at=a.created_at,
                    read=a.read,
                )
                for a in rows
                if a.item_id in items and can_read(user, marking(items[a.item_id]), ctx)
            ]
            audit.append(
                s,
                actor=_actor(user),
                action="alerts",
                detail={"items": [v.item_id for v in out]},
                now=self.clock(),
            )
        return out

    def mark_alert_read(self, user: Principal, alert_id: int) -> None:
        """Mark one of ``user``'s own alerts read (others' alerts: NotFoundError)."""
        with self.sessions.begin() as s:
            a = s.get(Alert, alert_id)
            if a is None or a.user_id != user.user_id:
                raise NotFoundError(f"no alert {alert_id}")
            a.read = True

    # -- STIX 2.1 exchange ---------------------------------------------------------------------
    def export_stix(self, user: Principal | None, *, type: str | None = None) -> str:
        """The items ``user`` may read (optionally of one ``type``) as a STIX 2.1 bundle (JSON;
        :mod:`fukugan.hub.stix`), audited like :meth:`export`."""
        stmt = select(Item)
        if type is not None:
            stmt = stmt.where(Item.type == type)
        with self.sessions.begin() as s:
            ctx = self._context(s)
            rows = [i for i in self._candidates(s, stmt) if can_read(user, marking(i), ctx)]
            orgs = {i: n for i, n in s.execute(select(Organisation.id, Organisation.name))}
            groups = {i: n for i, n in s.execute(select(SharingGroup.id, SharingGroup.name))}
            data = [_intel(i, orgs, groups) for i in rows]
            hub_id = audit.genesis_hash(s)
            audit.append(
                s,
                actor=_actor(user),
                action="export-stix",
                detail={"query": {"type": type}, "items": [i.id for i in rows]},
                now=self.clock(),
            )
        return to_stix_bundle(data, namespace=hub_id).serialize(pretty=True)

    def import_stix(
        self, user: Principal, data: str | bytes, *, filename: str = "bundle.json"
    ) -> list[int]:
        """Publish every ``report`` of a STIX 2.1 bundle as ``user``'s organisation, all or
        nothing. Markings come from the bundle (TLP, ``x_fukugan_sharing_groups`` by name,
        ``x_fukugan_clearance``); a bundle without TLP is AMBER for the importer's organisation
        only; TLP:RED items go to the importer alone. A sharing group the hub does not know, or a
        clearance above the importer's, is an error: a restriction that cannot be kept is never
        dropped silently. Errors name the file and the STIX object and property."""
        if user.role not in WRITER_ROLES or not user.active:
            raise PermissionDenied(f"role {user.role!r} may not import items")
        text = data.decode("utf-8", errors="strict") if isinstance(data, bytes) else data
        try:
            items = from_stix_bundle(text, default_tlp="AMBER")
        except InputError as e:
            raise InputError(
                f"STIX object {e.path}: {e.message}" if e.path else e.message,
                path=filename,
                field=e.field,
            ) from None
        with self.sessions.begin() as s:
            groups = {n: g for g, n in s.execute(select(SharingGroup.id, SharingGroup.name))}
            ids = []
            for it in items:
                unknown = [g for g in it.sharing_groups if g not in groups]
                if unknown:
                    raise InputError(
                        f"STIX object {it.id}: unknown sharing group {unknown[0]!r}",
                        path=filename,
                        field="x_fukugan_sharing_groups",
                    )
                if it.clearance > user.clearance:
                    raise PermissionDenied(
                        f"{filename}: STIX object {it.id} needs clearance {it.clearance}, above yours"
                    )
                source = it.source or (f"STIX: {it.author_org}" if it.author_org else "STIX")
                ids.append(
                    self._publish(
                        s,
                        user,
                        type=it.type,
                        title=it.title,
                        body=it.body,
                        source=source,
                        confidence=it.confidence / 100.0,
                        valid_from=it.valid_from,
                        valid_to=it.valid_until,
                        tlp=it.tlp,
                        required_clearance=it.clearance,
                        group_ids=[groups[g] for g in it.sharing_groups],
                        recipient_ids=(),
                        links={
                            "country": it.countries,
                            "commodity": it.commodities,
                            "hs": it.hs_codes,
                            "industry": it.industries,
                            "firm": it.firms,
                        },
                        action="import-stix",
                    )
                )
        return ids

    # -- consortium analytics ----------------------------------------------------------------
    def consortium(
        self, user: Principal, *, view: str = "country", tier: int | None = None
    ) -> dict[str, Any]:
        """A protected table over all members' private networks (:mod:`fukugan.hub.consortium`):
        ``view="country"``: pooled value and member counts by product × supplier country;
        ``view="supplier"``: by product × supplier firm (how many members share a supplier, at
        any tier). Cells of fewer than ``consortium_k`` members (default 5) or dominated by one
        member are suppressed, with complementary suppression; a row or column (a product, a
        country, a supplier firm) used by fewer than k members is withheld altogether, label
        included (``withheld_rows`` / ``withheld_cols`` count them).

        The query set is fixed on purpose: ``tier`` must be ``None`` (all tiers), because a
        per-tier table next to the all-tier one would let anyone subtract the two and isolate
        a few members (differencing; see the module's limits). Links without a value count
        for member counts with value 0. Any active hub user may ask; the answer reveals no
        member's relations beyond what the guarantee allows."""
        if not user.active:
            raise PermissionDenied("inactive user")
        if view not in ("country", "supplier"):
            raise HubError("view must be 'country' or 'supplier'")
        if tier is not None:
            raise HubError(
                "consortium tables are over all tiers only: a per-tier table next to the "
                "all-tier one would disclose members by subtraction"
            )
        with self.sessions.begin() as s:
            rows = [
                {
                    "member": str(r.org_id),
                    "tier": r.tier,
                    "supplier_firm": " ".join(r.supplier.split()).casefold(),
                    "supplier_country": r.supplier_country,
                    "product_hs": r.product_hs,
                    "value": 0.0 if r.value is None else float(r.value),
                }
                for r in s.execute(select(MemberLink)).scalars()
            ]
            frame = pd.DataFrame(rows, columns=list(consortium_model.COLUMNS))
            fn = (
                consortium_model.country_sourcing
                if view == "country"
                else consortium_model.supplier_dependence
            )
            table = fn(frame, tier=None, k=self.consortium_k) if rows else None
            audit.append(
                s,
                actor=_actor(user),
                action="consortium",
                detail={"view": view, "members": 0 if table is None else table.n_members},
                now=self.clock(),
            )
        return _consortium_doc(table, view, self.consortium_k)

    # -- scenarios from alerts ---------------------------------------------------------------
    def alert_scenario(self, user: Principal, alert_id: int) -> str:
        """The scenario YAML matching the item of ``user``'s alert ``alert_id``
        (:func:`fukugan.hub.scenario.scenario_for_item`); the item is re-checked with
        :func:`can_read` (NotFoundError if no longer readable or not ``user``'s alert)."""
        with self.sessions.begin() as s:
            a = s.get(Alert, alert_id)
            if a is None or a.user_id != user.user_id:
                raise NotFoundError(f"no alert {alert_id}")
            items = self._candidates(s, select(Item).where(Item.id == a.item_id))
            if not items or not can_read(user, marking(items[0]), self._context(s)):
                raise NotFoundError(f"no alert {alert_id}")
            item = items[0]
            doc = scenario_for_item(
                item.id,
                item.type,
                dict_links((lk.kind, lk.value) for lk in item.links),
                valid_from=item.valid_from,
                valid_to=item.valid_to,
            )
            audit.append(
                s,
                actor=_actor(user),
                action="alert-scenario",
                item_id=item.id,
                detail={"alert": alert_id},
                now=self.clock(),
            )
        return scenario_yaml(doc)

    # -- directory ---------------------------------------------------------------------------
    def directory(self, user: Principal) -> dict[str, Any]:
        """Organisations, sharing groups (``member``: whether ``user``'s organisation belongs
        to it) and users (for RED recipients) of the hub, for an active user."""
        if not user.active:
            raise PermissionDenied("inactive user")
        with self.sessions() as s:
            orgs = [
                {"id": o.id, "name": o.name, "kind": o.kind}
                for o in s.execute(select(Organisation).order_by(Organisation.id)).scalars()
            ]
            members = self._context(s).group_members
            groups = [
                {"id": g.id, "name": g.name, "member": user.org_id in members.get(g.id, ())}
                for g in s.execute(select(SharingGroup).order_by(SharingGroup.id)).scalars()
            ]
            users = [
                {"id": u.id, "username": u.username, "org_id": u.org_id}
                for u in s.execute(
                    select(User).where(User.active.is_(True)).order_by(User.id)
                ).scalars()
            ]
        return {"orgs": orgs, "groups": groups, "users": users}

    # -- audit -------------------------------------------------------------------------------
    def verify_audit(self) -> audit.VerifyResult:
        with self.sessions() as s:
            return audit.verify_chain(s)


def _no_nul(**fields: str | None) -> None:
    """PostgreSQL text cannot hold NUL characters: refuse them as bad input on every backend."""
    for name, value in fields.items():
        if value is not None and "\x00" in value:
            raise HubError(f"{name} contains a NUL character")


def _links(links: dict[str, Iterable[str]]) -> list[tuple[str, str]]:
    from fukugan.data.countries import is_iso3

    out: set[tuple[str, str]] = set()
    for kind, values in links.items():
        if kind not in LINK_KINDS:
            raise HubError(f"link kind {kind!r} not one of {', '.join(LINK_KINDS)}")
        for v in values:
            v = str(v).strip()
            _no_nul(link=v)
            if kind == "country":
                v = v.upper()
                if not is_iso3(v):
                    raise HubError(f"country {v!r} is not an ISO3 code")
            if v:
                out.add((kind, v))
    return sorted(out)


def dict_links(rows: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in rows:
        out.setdefault(k, []).append(v)
    return out


def _intel(item: Item, orgs: dict[int, str], groups: dict[int, str]) -> IntelItemData:
    links = dict_links((lk.kind, lk.value) for lk in item.links)
    return IntelItemData(
        id=str(item.id),
        type=item.type,
        title=item.title,
        body=item.body,
        source=item.source,
        confidence=int(round(item.confidence * 100)),
        # STIX needs a start; an item published without one started when it was published,
        # or at its end if it was published already expired (valid_until >= valid_from)
        valid_from=item.valid_from
        or (
            min(item.created_at, item.valid_to)
            if item.valid_to is not None and item.created_at is not None
            else item.created_at
        ),
        valid_until=item.valid_to,
        author_org=orgs.get(item.author_org_id, f"organisation {item.author_org_id}"),
        countries=sorted(links.get("country", [])),
        commodities=sorted(links.get("commodity", [])),
        hs_codes=sorted(links.get("hs", [])),
        industries=sorted(links.get("industry", [])),
        firms=sorted(links.get("firm", [])),
        tlp=item.tlp,
        sharing_groups=sorted(groups[g.group_id] for g in item.groups if g.group_id in groups),
        clearance=item.required_clearance,
    )


GUARANTEE = {
    "en": (
        "A cell is shown only when at least {k} member organisations contribute to it and no "
        "single member makes up more than 80 % of its value; other cells are suppressed, "
        "plus enough further cells that no suppressed value can be recovered by subtracting "
        "from a row or column total. Limits: this protects one table at a time; comparing "
        "tables before and after a member joins or uploads a new network, or bounding "
        "suppressed cells with linear programming, can narrow a member's value. Tables are "
        "over all tiers only, so no per-tier subtraction is possible."
    ),
    "ja": (
        "各セルは{k}以上の会員組織が寄与し、かつ単一会員がその値の80%超を占めない場合にのみ表示します。"
        "それ以外のセルは秘匿し、行・列の合計からの引き算で秘匿値を復元できないよう追加のセルも秘匿します。"
        "限界：保護は表ごとです。会員の加入や新しいネットワークの登録の前後で表を比較したり、"
        "線形計画法で秘匿セルの範囲を絞り込んだりすると、会員の値が推定され得ます。"
        "表は全階層の合計のみで、階層別の引き算はできません。"
    ),
}


def _cell(c: consortium_model.Cell) -> dict[str, Any]:
    return {
        "value": c.value,
        "members": c.members,
        "suppressed": c.suppressed,
        "reason": c.reason,
    }


def _consortium_doc(
    table: consortium_model.ProtectedTable | None, view: str, k: int
) -> dict[str, Any]:
    """JSON-ready form of a protected table (empty when no member uploaded a network)."""
    doc: dict[str, Any] = {
        "view": view,
        "k": k,
        "guarantee_en": GUARANTEE["en"].format(k=k),
        "guarantee_ja": GUARANTEE["ja"].format(k=k),
    }
    if table is None:
        return doc | {
            "n_members": 0,
            "row_name": "product_hs",
            "col_name": "supplier_country" if view == "country" else "supplier_firm",
            "rows": [],
            "cols": [],
            "withheld_rows": 0,
            "withheld_cols": 0,
            "cells": [],
            "row_totals": {},
            "col_totals": {},
            "total": {"value": None, "members": None, "suppressed": True, "reason": "threshold"},
            "hhi": {},
            "exposure_share": {},
        }

    # A row or column whose total comes from fewer than k members is not shown at all: its
    # label alone (say, a supplier firm only one member uses) would disclose a relation.
    # Its cells stay in the totals (they were suppressed anyway), so nothing is recoverable.
    def shown(total: consortium_model.Cell) -> bool:
        return total.reason != "threshold"

    if not shown(table.total):
        rows, cols = [], []
    else:
        rows = [r for r in table.rows if shown(table.row_totals[r])]
        cols = [c for c in table.cols if shown(table.col_totals[c])]
    keep_r, keep_c = set(rows), set(cols)
    hhi = consortium_model.pooled_hhi(table)
    share = consortium_model.member_exposure_share(table)
    return doc | {
        "n_members": table.n_members,
        "row_name": table.row_name,
        "col_name": table.col_name,
        "rows": rows,
        "cols": cols,
        "withheld_rows": len(table.rows) - len(rows),
        "withheld_cols": len(table.cols) - len(cols),
        "cells": [
            {"row": r, "col": c, **_cell(cell)}
            for (r, c), cell in sorted(table.cells.items())
            if r in keep_r and c in keep_c
        ],
        "row_totals": {r: _cell(table.row_totals[r]) for r in rows},
        "col_totals": {c: _cell(table.col_totals[c]) for c in cols},
        "total": _cell(table.total),
        "hhi": {r: hhi.get(r) for r in rows},
        "exposure_share": {c: share.get(c) for c in cols},
    }
