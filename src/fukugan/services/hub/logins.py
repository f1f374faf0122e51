"""Hub logins: password authentication with lock-out, server-side sessions and their CSRF
tokens."""

from __future__ import annotations

from sqlalchemy import select

from fukugan.hub import audit
from fukugan.hub import sessions as logins
from fukugan.hub.models import User
from fukugan.hub.passwords import verify_password
from fukugan.hub.policy import (
    HubError,
    LoginLocked,
    PermissionDenied,
    Principal,
)
from fukugan.services.hub.base import HubBase
from fukugan.services.hub.common import (
    ANONYMOUS,
    _no_nul,
    principal,
)


class LoginsMixin(HubBase):
    """Logins, sessions and CSRF tokens."""

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
