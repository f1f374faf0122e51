"""The hub's admin role: an organisation's admins manage its own users (never another
organisation's, never above their own clearance), audited under their name; SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from fukugan.hub.policy import HubError, NotFoundError, PermissionDenied
from fukugan.services.hub import Hub

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
PW = "a long enough password"


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    h = Hub(url=url, clock=lambda: NOW)
    yield h
    h.dispose()


@pytest.mark.slow
def test_org_admin_manages_own_users_only(hub):
    acme = hub.create_org("Acme", "company")
    other = hub.create_org("Other", "sme")
    admin = hub.user(hub.create_user("boss", acme, "admin", 1, PW))
    analyst = hub.user(hub.create_user("ana", acme, "analyst", 1, PW))
    stranger = hub.create_user("olga", other, "reader", 0, PW)

    new = hub.add_org_user(admin, "newbie", "reader", 1, PW)
    assert [u["username"] for u in hub.org_users(admin)] == ["boss", "ana", "newbie"]
    assert "password" not in str(hub.org_users(admin))
    assert hub.user(new).org_id == acme
    with pytest.raises(PermissionDenied):  # above the admin's own clearance
        hub.add_org_user(admin, "spy", "analyst", 2, PW)
    with pytest.raises(PermissionDenied):  # not an admin
        hub.add_org_user(analyst, "x", "reader", 0, PW)
    with pytest.raises(PermissionDenied):
        hub.org_users(analyst)
    with pytest.raises(HubError):
        hub.add_org_user(admin, "newbie", "reader", 0, PW)  # exists

    session = hub.login("newbie", PW)
    hub.set_org_user_active(admin, new, False)
    assert hub.session_user(session.token) is None
    hub.set_org_user_active(admin, new, True)
    with pytest.raises(NotFoundError):  # another organisation's user: as if missing
        hub.set_org_user_active(admin, stranger, False)
    with pytest.raises(NotFoundError):
        hub.set_org_user_active(admin, 10_000, False)
    with pytest.raises(HubError):
        hub.set_org_user_active(admin, admin.user_id, False)
    assert hub.user(stranger).active
    cleared = hub.create_user("cleared", acme, "analyst", 3, PW)  # by an operator
    hub.set_org_user_active(admin, cleared, False)  # an admin may disable anyone of the org
    with pytest.raises(PermissionDenied):  # but not re-enable access above their own
        hub.set_org_user_active(admin, cleared, True)
    with pytest.raises(HubError):
        hub.add_org_user(admin, "x" * 121, "reader", 0, PW)

    with hub.engine.connect() as c:
        rows = list(c.execute(text("SELECT actor, action FROM hub_audit ORDER BY seq")))
    mine = [a for who, a in rows if who == f"user:{admin.user_id}"]
    assert mine == ["create-user", "disable-user", "enable-user", "disable-user"]
    assert hub.verify_audit().ok
