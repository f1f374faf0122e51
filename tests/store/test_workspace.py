"""The workspace store (scenarios, runs, uploads) and its Alembic migrations, on SQLite and on
PostgreSQL (a throwaway cluster started by the ``pg_cluster`` fixture in conftest.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from fukugan.store.workspace import Workspace, database_url
from fukugan.store.workspace.db import current_revision, downgrade, make_engine, migrate, tables

TABLES = {"scenarios", "runs", "uploads", "alembic_version"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workspace.sqlite'}"
    return request.getfixturevalue("pg_cluster").create_database()


@pytest.fixture
def ws(url):
    w = Workspace(url=url)
    yield w
    w.dispose()


def _scenario(ws: Workspace, id: str = "hokkaido-blackout") -> None:
    ws.put_scenario(
        id=id,
        name=id,
        origin="example",
        yaml_text="name: x\n",
        doc={"name": id, "engine": "static", "description": {"ja": "北海道"}},
        filename=f"{id}.yaml",
    )


def test_default_url_is_sqlite_under_home(tmp_path, monkeypatch):
    monkeypatch.delenv("FUKUGAN_DATABASE_URL", raising=False)
    assert database_url(tmp_path) == f"sqlite:///{tmp_path / 'workspace.sqlite'}"
    monkeypatch.setenv("FUKUGAN_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:1/x")
    assert database_url(tmp_path).startswith("postgresql+psycopg://")


def test_migrations_up_down_up(url):
    engine = make_engine(url)
    try:
        migrate(engine)
        assert TABLES <= tables(engine)
        assert current_revision(engine) == "0005"
        cols = {c["name"] for c in inspect(engine).get_columns("runs")}
        assert {"status", "progress", "seed", "parameters", "run_dir", "started_at"} <= cols
        migrate(engine)  # idempotent
        downgrade(engine, "base")
        assert not ({"scenarios", "runs", "uploads"} & tables(engine))
        migrate(engine)
        assert current_revision(engine) == "0005"
    finally:
        engine.dispose()


def test_scenario_crud(ws):
    _scenario(ws)
    _scenario(ws)  # upsert: still one row
    rows = ws.list_scenarios()
    assert [r.id for r in rows] == ["hokkaido-blackout"]
    got = ws.get_scenario("hokkaido-blackout")
    assert got.doc["description"]["ja"] == "北海道" and got.origin == "example"
    assert got.sha256 and got.created_at is not None
    ws.put_scenario(
        id="u-1", name="mine", origin="upload", yaml_text="name: mine\n", doc={"name": "mine"}
    )
    assert [r.id for r in ws.list_scenarios("upload")] == ["u-1"]
    assert ws.delete_scenario("u-1") and ws.get_scenario("u-1") is None


def test_run_lifecycle_and_pagination(ws):
    _scenario(ws)
    ids = [
        ws.create_run("hokkaido-blackout", engine="static", seed=i, parameters={"k": i}).id
        for i in range(5)
    ]
    page, total = ws.list_runs(limit=2, offset=1)
    assert total == 5 and len(page) == 2
    assert {r.id for r in ws.list_runs()[0]} == set(ids)
    rid = ids[0]
    assert ws.get_run(rid).status == "queued" and ws.get_run(rid).parameters == {"k": 0}
    ws.start_run(rid)
    ws.update_run(rid, progress=0.5, message="simulate")
    r = ws.get_run(rid)
    assert r.status == "running" and r.progress == 0.5 and r.started_at is not None
    ws.finish_run(rid, summary={"total_loss": 1.5, "peak_day": None}, run_dir="/x/runs/1")
    r = ws.get_run(rid)
    assert r.status == "done" and r.progress == 1.0 and r.summary["total_loss"] == 1.5
    assert ws.list_runs(status="done")[1] == 1
    # a run that was running when the process died
    ws.start_run(ids[1])
    assert ws.fail_interrupted("interrupted") == [ids[1]]
    assert ws.get_run(ids[1]).status == "failed" and ws.get_run(ids[1]).message == "interrupted"
    assert [r.id for r in ws.queued_runs()] == ids[2:]
    assert ws.delete_run(ids[4]) and ws.get_run(ids[4]) is None


def test_uploads(ws):
    up = ws.add_upload(filename="シナリオ.yaml", kind="scenario", data=b"name: x\n")
    assert up.size == 8 and len(up.sha256) == 64
    ws.set_upload_status(up.id, "failed", "line 1: bad")
    got = ws.get_upload(up.id)
    assert got.status == "failed" and got.error == "line 1: bad" and got.filename == "シナリオ.yaml"
    ws.add_upload(filename="usgs.csv", kind="usgs", data=b"a,b\n")
    assert [u.kind for u in ws.list_uploads(["scenario"])] == ["scenario"]
    assert len(ws.list_uploads()) == 2


def test_data_survives_reopening(url):
    w = Workspace(url=url)
    _scenario(w)
    rid = w.create_run("hokkaido-blackout", engine="static", seed=1).id
    w.dispose()
    w2 = Workspace(url=url)
    try:
        assert w2.get_run(rid).scenario_id == "hokkaido-blackout"
    finally:
        w2.dispose()
