"""The hub's audit log: hash chain intact after reads and writes; tampering (edit, delete)
detected by verify_chain and by ``fukugan hub audit verify`` (exit 2)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from fukugan.cli.main import app
from fukugan.hub import audit
from fukugan.services.hub import Hub


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workspace.sqlite'}"
    return request.getfixturevalue("pg_cluster").create_database()


@pytest.fixture
def hub(url):
    h = Hub(url=url)
    org = h.create_org("JOGMEC", "agency")
    w = h.user(h.create_user("w", org, "analyst", 2, "a long enough password"))
    for n in range(3):
        iid = h.publish(w, type="market_signal", title=f"signal {n} 日本語", tlp="AMBER")
        h.get_item(w, iid)
    h.list_items(None)
    yield h
    h.dispose()


def _verify(url):
    return CliRunner().invoke(app, ["hub", "audit", "verify", "--url", url])


def test_chain_intact(hub, url):
    with hub.sessions() as s:
        res = audit.verify_chain(s)
        assert res.ok and res.first_bad_seq is None and res.rows == audit.count(s) >= 9
        seq, h = audit.head(s)
        assert seq == res.rows and len(h) == 64
    r = _verify(url)
    assert r.exit_code == 0, r.output
    assert "intact" in r.output


@pytest.mark.parametrize(
    "sql, bad",
    [
        ("UPDATE hub_audit SET actor = 'user:999' WHERE seq = 5", 5),
        ('UPDATE hub_audit SET detail = \'{"tlp": "CLEAR"}\' WHERE seq = 4', 4),
        ("DELETE FROM hub_audit WHERE seq = 3", 4),
        ("UPDATE hub_audit SET prev_hash = hash WHERE seq = 6", 6),
    ],
)
def test_tamper_detected(hub, url, sql, bad):
    with hub.engine.begin() as c:
        c.execute(text(sql))
    res = hub.verify_audit()
    assert not res.ok and res.first_bad_seq == bad, res
    r = _verify(url)
    assert r.exit_code == 2
    assert f"seq {bad}" in r.output


def test_rewritten_row_with_recomputed_hash_breaks_the_next_link(hub):
    with hub.sessions() as s:
        row = s.execute(
            text("SELECT seq, ts, actor, action, item_id, prev_hash FROM hub_audit WHERE seq = 2")
        ).one()
    new_hash = audit.row_hash(
        row.prev_hash, audit.canonical(2, row.ts, "user:evil", row.action, row.item_id, {})
    )
    with hub.engine.begin() as c:
        c.execute(
            text("UPDATE hub_audit SET actor='user:evil', detail='{}', hash=:h WHERE seq=2"),
            {"h": new_hash},
        )
    res = hub.verify_audit()
    assert not res.ok and res.first_bad_seq == 3
