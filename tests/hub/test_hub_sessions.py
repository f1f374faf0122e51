"""Hub sessions, CSRF tokens, login rate limiting and concurrent audit writers, on SQLite and
PostgreSQL (each test gets a fresh database and a clock it can move)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from fukugan.hub.policy import LoginLocked, PermissionDenied
from fukugan.services.hub import Hub

PW = "a long enough password"
T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workspace.sqlite'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    clock = Clock()
    hub = Hub(url=url, clock=clock)
    org = hub.create_org("METI", "ministry")
    alice = hub.create_user("alice", org, "analyst", 2, PW)
    bob = hub.create_user("bob", org, "reader", 0, PW)
    yield hub, clock, url, {"alice": alice, "bob": bob, "org": org}
    hub.dispose()


@pytest.mark.slow
def test_login_session_and_csrf(world):
    hub, clock, _, ids = world
    a = hub.login("alice", PW, client="10.0.0.1")
    b = hub.login("bob", PW, client="10.0.0.2")
    assert a.token != b.token and a.csrf_token != b.csrf_token
    assert hub.session_user(a.token).user_id == ids["alice"]
    assert hub.session_user(b.token).user_id == ids["bob"]
    assert hub.check_csrf(a.token, a.csrf_token)
    assert hub.csrf_token(a.token) == a.csrf_token
    for bad in (None, "", b.csrf_token, a.csrf_token[:-1], a.token):
        assert not hub.check_csrf(a.token, bad)
    assert not hub.check_csrf(None, a.csrf_token)
    for bad_token in (None, "", "x" * 43, a.token + "x", "y" * 10_000):
        assert hub.session_user(bad_token) is None
    # the database holds only the SHA-256 of the token
    with hub.engine.connect() as c:
        stored = [r[0] for r in c.execute(text("SELECT token_hash FROM hub_sessions"))]
    assert a.token not in stored and len(stored) == 2
    hub.logout(a.token)
    assert hub.session_user(a.token) is None
    assert not hub.check_csrf(a.token, a.csrf_token)
    assert hub.session_user(b.token) is not None  # other sessions live on
    assert hub.verify_audit().ok


@pytest.mark.slow
def test_session_expiry_idle_and_deactivation(world):
    hub, clock, _, ids = world
    s = hub.login("alice", PW)
    for _ in range(8):  # a request every 59 minutes keeps it alive up to the absolute lifetime
        clock.advance(minutes=59)
        assert hub.session_user(s.token) is not None
    clock.advance(minutes=9)  # 8 h 00 min after login
    assert hub.session_user(s.token) is None
    clock.advance(minutes=-9)
    assert hub.session_user(s.token) is None  # ended for good
    s2 = hub.login("alice", PW)
    clock.advance(minutes=61)  # idle for more than an hour
    assert hub.session_user(s2.token) is None
    s3 = hub.login("alice", PW)
    hub.set_active(ids["alice"], False)
    assert hub.session_user(s3.token) is None
    with pytest.raises(PermissionDenied):
        hub.login("alice", PW)
    hub.set_active(ids["alice"], True)
    assert hub.session_user(s3.token) is None  # re-enabling does not revive old sessions
    assert hub.session_user(hub.login("alice", PW).token).user_id == ids["alice"]


@pytest.mark.slow
def test_login_rate_limit_per_user_survives_restart(world):
    hub, clock, url, _ = world
    for _ in range(5):
        with pytest.raises(PermissionDenied) as e:
            hub.login("alice", "wrong password!")
        assert not isinstance(e.value, LoginLocked)
    with pytest.raises(LoginLocked):
        hub.login("alice", PW)  # right password, but locked
    with pytest.raises(LoginLocked):
        hub.login("ALICE", PW)  # the name as typed, case-folded
    assert hub.session_user(hub.login("bob", PW).token) is not None  # other users unaffected
    restarted = Hub(url=url, clock=clock)  # another process, or after a restart
    try:
        with pytest.raises(LoginLocked):
            restarted.login("alice", PW)
        clock.advance(minutes=16)
        assert (
            restarted.login("alice", PW).user_id
            == hub.session_user(restarted.login("alice", PW).token).user_id
        )
    finally:
        restarted.dispose()
    # a success clears the user's failures
    for _ in range(4):
        with pytest.raises(PermissionDenied):
            hub.login("alice", "wrong password!")
    hub.login("alice", PW)
    with pytest.raises(PermissionDenied) as e:
        hub.login("alice", "wrong password!")
    assert not isinstance(e.value, LoginLocked)
    with hub.engine.connect() as c:
        actions = [r[0] for r in c.execute(text("SELECT action FROM hub_audit ORDER BY seq"))]
    assert actions.count("login-locked") == 3 and actions.count("login-failed") == 10


def test_login_rate_limit_per_client(world):
    hub, clock, _, _ = world
    for i in range(5):  # password spraying: many names, one address
        with pytest.raises(PermissionDenied):
            hub.login(f"user{i}", "guess guess", client="203.0.113.9")
    with pytest.raises(LoginLocked):
        hub.login("bob", PW, client="203.0.113.9")
    assert hub.login("bob", PW, client="198.51.100.7") is not None


def test_concurrent_writers_keep_one_audit_chain(world):
    """Threads publishing, reading and logging in at once: no duplicate seq, no fork."""
    hub, _, _, ids = world
    alice = hub.user(ids["alice"])
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(8):
                iid = hub.publish(alice, type="market_signal", title=f"t{n}-{i}", tlp="GREEN")
                hub.get_item(alice, iid)
                hub.list_items(alice)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = hub.verify_audit()
    assert result.ok, result.reason
    with hub.engine.connect() as c:
        n_items = c.execute(text("SELECT count(*) FROM hub_items")).scalar_one()
    assert n_items == 48
    assert result.rows >= 2 + 48 * 3
