"""Hub accounts: organisations, users, sharing groups, the directory and organisation
administration (the hub's ``admin`` role)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fukugan.hub import audit
from fukugan.hub import sessions as logins
from fukugan.hub.models import (
    CLEARANCES,
    ORG_KINDS,
    ROLES,
    USERNAME_MAX,
    GroupMember,
    Organisation,
    SharingGroup,
    User,
)
from fukugan.hub.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH
from fukugan.hub.passwords import hash_password
from fukugan.hub.policy import (
    HubError,
    NotFoundError,
    PermissionDenied,
    Principal,
)
from fukugan.services.hub.base import HubBase
from fukugan.services.hub.common import (
    _actor,
    _no_nul,
)


class AccountsMixin(HubBase):
    """Organisations, users and sharing groups."""

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
