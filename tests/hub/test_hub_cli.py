"""``fukugan hub`` administration commands end to end (CliRunner over a SQLite workspace):
organisations, users (hidden password), groups, networks, STIX export/import; user mistakes
exit 2 with one line and change nothing."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fukugan.cli.main import app

runner = CliRunner()
PW = "a long enough password\n"


@pytest.fixture
def url(tmp_path, monkeypatch):
    monkeypatch.delenv("FUKUGAN_DATABASE_URL", raising=False)
    return f"sqlite:///{tmp_path / 'workspace.sqlite'}"


def hub(url: str, *args: str, input: str | None = None):  # noqa: A002
    return runner.invoke(app, ["hub", *args, "--url", url], input=input)


@pytest.mark.slow
def test_hub_administration_round_trip(url, tmp_path):
    assert hub(url, "org", "add", "METI", "--kind", "ministry").exit_code == 0
    assert hub(url, "org", "add", "Acme", "--kind", "company").exit_code == 0
    r = hub(
        url,
        "user",
        "add",
        "gov",
        "--org",
        "METI",
        "--role",
        "analyst",
        "--clearance",
        "2",
        "--password-stdin",
        input=PW,
    )
    assert r.exit_code == 0, r.output
    r = hub(url, "user", "add", "acme", "--org", "Acme", "--role", "analyst", input=PW + PW)
    assert r.exit_code == 0, r.output  # prompted twice, hidden
    assert "a long enough password" not in r.output
    assert hub(url, "group", "add", "batteries", "--org", "METI").exit_code == 0
    r = hub(url, "group", "join", "batteries", "Acme")
    assert r.exit_code == 0 and "Acme joined batteries" in r.output
    r = hub(url, "members", "--format", "json")
    doc = json.loads(r.output)
    assert [u["username"] for u in doc["users"]] == ["gov", "acme"]
    assert doc["groups"][0]["orgs"] == ["Acme", "METI"]
    assert "hash" not in r.output

    net = tmp_path / "net.csv"
    net.write_text(
        "tier,supplier,supplier_country,product_hs,customer,value\n1,Y Corp,CHN,811292,Acme,10\n"
    )
    r = hub(url, "network", "upload", str(net), "--user", "acme")
    assert r.exit_code == 0 and "1 links" in r.output

    from fukugan.services.hub import Hub

    h = Hub(url=url)
    try:
        gov = h.user(h.find("user", "gov"))
        h.publish(
            gov,
            type="export_control",
            title="Ga",
            tlp="GREEN",
            links={"country": ["CHN"], "hs": ["811292"]},
        )
        assert len(h.alerts(h.user(h.find("user", "acme")))) == 1
    finally:
        h.dispose()
    out = tmp_path / "bundle.json"
    r = hub(url, "stix", "export", str(out), "--user", "acme")
    assert r.exit_code == 0 and "1 items" in r.output
    r = hub(url, "stix", "import", str(out), "--user", "gov")
    assert r.exit_code == 0 and "1 items imported" in r.output
    assert hub(url, "user", "disable", "acme").exit_code == 0
    assert hub(url, "audit", "verify").exit_code == 0


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["org", "add", "X", "--kind", "club"], None, "organisation kind 'club'"),
        (["user", "add", "u", "--org", "Nowhere", "--password-stdin"], PW, "no organisation"),
        (["user", "add", "u", "--org", "METI", "--password-stdin"], "short\n", "shorter than"),
        (["user", "add", "gov", "--org", "METI", "--password-stdin"], PW, "exists already"),
        (["user", "add", "u", "--org", "METI", "--role", "god", "--password-stdin"], PW, "role"),
        (["group", "join", "nogroup", "METI"], None, "no sharing group"),
        (["stix", "import", "missing.json", "--user", "gov"], None, "cannot read"),
        (["network", "upload", "missing.csv", "--user", "gov"], None, "may not upload"),
        (["user", "disable", "nobody"], None, "no user"),
    ],
)
def test_hub_cli_mistakes_exit_2_and_change_nothing(url, args, stdin, message):
    hub(url, "org", "add", "METI", "--kind", "ministry")
    hub(url, "user", "add", "gov", "--org", "METI", "--password-stdin", input=PW)
    before = json.loads(hub(url, "members", "--format", "json").output)
    r = hub(url, *args, input=stdin)
    assert r.exit_code == 2, r.output
    assert message in r.output and "Traceback" not in r.output
    assert json.loads(hub(url, "members", "--format", "json").output) == before
