"""Hub service wiring of STIX exchange, consortium tables, alert recomputation and the
scenario of an alert, on SQLite and PostgreSQL (a fresh database per test)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import text

from fukugan.errors import InputError
from fukugan.hub import consortium
from fukugan.hub.policy import HubError, NotFoundError, PermissionDenied
from fukugan.hub.scenario import NoScenario
from fukugan.scenarios.schema import parse_scenario
from fukugan.services.hub import Hub

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
PW = "a long enough password"
HEADER = "tier,supplier,supplier_country,product_hs,customer,value\n"


def _url(request, tmp_path, name: str) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / f'{name}.sqlite'}"
    return request.getfixturevalue("pg_cluster").create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def hubs(request, tmp_path):
    a = Hub(url=_url(request, tmp_path, "a"), clock=lambda: NOW)
    b = Hub(url=_url(request, tmp_path, "b"), clock=lambda: NOW)
    yield a, b
    a.dispose()
    b.dispose()


def _world(hub: Hub):
    meti = hub.create_org("METI", "ministry")
    acme = hub.create_org("Acme", "company")
    other = hub.create_org("Other", "sme")
    g = hub.create_group("battery-materials", [meti, acme])
    users = {
        "gov": hub.user(hub.create_user("gov", meti, "analyst", 2, PW)),
        "acme": hub.user(hub.create_user("acme", acme, "analyst", 1, PW)),
        "other": hub.user(hub.create_user("other", other, "analyst", 3, PW)),
        "reader": hub.user(hub.create_user("reader", acme, "reader", 0, PW)),
    }
    return {"meti": meti, "acme": acme, "other": other, "group": g}, users


def _items(hub: Hub, u):
    gov = u["gov"]
    return {
        "green": hub.publish(
            gov,
            type="export_control",
            title="Ga licensing",
            tlp="GREEN",
            links={"country": ["CHN"], "commodity": ["gallium"], "hs": ["811292"]},
            valid_from=NOW - timedelta(days=1),
            valid_to=NOW + timedelta(days=90),
        ),
        "amber": hub.publish(
            gov,
            type="sanction",
            title="Sanctions on X",
            tlp="AMBER",
            group_ids=[1],
            links={"country": ["RUS"]},
        ),
        "strict": hub.publish(
            gov, type="market_signal", title="Internal", tlp="AMBER+STRICT", required_clearance=2
        ),
    }


def _ids_in_bundle(bundle: str) -> set[str]:
    doc = json.loads(bundle)
    return {o["x_fukugan_item_id"] for o in doc.get("objects", []) if o["type"] == "report"}


@pytest.mark.slow
def test_stix_export_follows_the_policy_and_round_trips(hubs):
    a, b = hubs
    _, u = _world(a)
    ids = _items(a, u)
    assert _ids_in_bundle(a.export_stix(u["gov"])) == {str(i) for i in ids.values()}
    assert _ids_in_bundle(a.export_stix(u["acme"])) == {str(ids["green"]), str(ids["amber"])}
    assert _ids_in_bundle(a.export_stix(u["other"])) == {str(ids["green"])}
    assert _ids_in_bundle(a.export_stix(None)) == set()
    assert _ids_in_bundle(a.export_stix(u["gov"], type="sanction")) == {str(ids["amber"])}

    # import into another hub: markings kept (groups by name, clearance, TLP)
    _, ub = _world(b)
    bundle = a.export_stix(u["gov"])
    new = b.import_stix(ub["gov"], bundle, filename="from-a.json")
    assert len(new) == 3
    views = {v.title: v for v in b.list_items(ub["gov"])}
    assert views["Ga licensing"].tlp == "GREEN"
    assert views["Ga licensing"].links == {
        "commodity": ["gallium"],
        "country": ["CHN"],
        "hs": ["811292"],
    }
    assert views["Sanctions on X"].tlp == "AMBER" and views["Sanctions on X"].group_ids == (1,)
    assert views["Internal"].tlp == "AMBER+STRICT" and views["Internal"].required_clearance == 2
    assert {v.title for v in b.list_items(ub["other"])} == {"Ga licensing"}
    with b.engine.connect() as c:
        actions = [r[0] for r in c.execute(text("SELECT action FROM hub_audit"))]
    assert actions.count("import-stix") == 3
    assert b.verify_audit().ok


@pytest.mark.slow
def test_stix_import_is_all_or_nothing(hubs):
    a, b = hubs
    _, u = _world(a)
    _items(a, u)
    _, ub = _world(b)
    doc = json.loads(a.export_stix(u["gov"]))
    reports = [o for o in doc["objects"] if o["type"] == "report"]

    def count() -> int:
        with b.engine.connect() as c:
            return c.execute(text("SELECT count(*) FROM hub_items")).scalar_one()

    bad = json.loads(json.dumps(doc))
    [r for r in bad["objects"] if r["type"] == "report"][-1]["confidence"] = 250
    with pytest.raises(InputError) as e:
        b.import_stix(ub["gov"], json.dumps(bad), filename="bad.json")
    assert e.value.path == "bad.json" and e.value.field == "confidence"
    assert count() == 0

    unknown = json.loads(json.dumps(doc))
    for r in unknown["objects"]:
        if r["type"] == "report" and r.get("x_fukugan_sharing_groups"):
            r["x_fukugan_sharing_groups"] = ["no-such-group"]
    with pytest.raises(InputError) as e:
        b.import_stix(ub["gov"], json.dumps(unknown), filename="u.json")
    assert "no-such-group" in str(e.value)
    assert count() == 0

    with pytest.raises(PermissionDenied):  # clearance 2 item, importer has 1
        b.import_stix(ub["acme"], json.dumps(doc))
    with pytest.raises(PermissionDenied):
        b.import_stix(ub["reader"], json.dumps(doc))
    with pytest.raises(InputError):
        b.import_stix(ub["gov"], "{not json", filename="x.json")
    assert count() == 0
    assert len(reports) == 3


@pytest.mark.slow
def test_alerts_follow_later_uploads_users_and_group_joins(hubs, tmp_path):
    a, _ = hubs
    w, u = _world(a)
    ids = _items(a, u)  # published before anyone uploaded a network
    net = tmp_path / "net.csv"
    net.write_text(HEADER + "1,Y Corp,JPN,8112,Acme,10\n2,X Ltd,CHN,811292,Y Corp,\n")
    assert a.alerts(u["acme"]) == []
    a.upload_network(u["acme"], net)
    got = a.alerts(u["acme"])
    assert [x.item_id for x in got] == [ids["green"]]
    assert "tier-2 supplier X Ltd (CHN)" in got[0].path_en
    assert [x.item_id for x in a.alerts(u["reader"])] == [ids["green"]]
    a.upload_network(u["acme"], net)  # re-upload: no duplicates
    assert len(a.alerts(u["acme"])) == 1
    newbie = a.user(a.create_user("newbie", w["acme"], "reader", 0, PW))
    assert [x.item_id for x in a.alerts(newbie)] == [ids["green"]]

    # an AMBER item of the group touches Other's network; Other learns of it only on joining
    net2 = tmp_path / "net2.csv"
    net2.write_text(HEADER + "1,Ivan Metals,RUS,7601,Other,5\n")
    a.upload_network(u["other"], net2)
    assert a.alerts(u["other"]) == []  # touched, but not entitled
    assert a.add_to_group(w["group"], w["other"]) == 1
    assert [x.item_id for x in a.alerts(u["other"])] == [ids["amber"]]
    assert a.add_to_group(w["group"], w["other"]) == 0
    with pytest.raises(HubError):
        a.add_to_group(999, w["other"])
    assert a.verify_audit().ok


@pytest.mark.slow
def test_alert_scenario(hubs, tmp_path):
    a, _ = hubs
    w, u = _world(a)
    ids = _items(a, u)
    net = tmp_path / "net.csv"
    net.write_text(HEADER + "1,Y Corp,JPN,8112,Acme,10\n2,X Ltd,CHN,811292,Y Corp,\n")
    a.upload_network(u["acme"], net)
    alert = a.alerts(u["acme"])[0]
    y = a.alert_scenario(u["acme"], alert.id)
    sc = parse_scenario(y, path="alert.yaml")
    shock = sc.doc["shocks"][0]
    assert (shock["type"], shock["country"], shock["commodity"]) == ("export_ban", "CHN", "gallium")
    assert shock["duration"] == 91  # the item's validity
    assert "Ga licensing" not in y  # links and dates only, never the title
    with pytest.raises(NotFoundError):
        a.alert_scenario(u["reader"], alert.id)  # someone else's alert
    with pytest.raises(NotFoundError):
        a.alert_scenario(u["acme"], 10_000)
    a.set_active(u["acme"].user_id, False)
    with pytest.raises(NotFoundError):  # disabled: reads what anonymous reads
        a.alert_scenario(a.user(u["acme"].user_id), alert.id)
    assert ids


def test_scenario_for_items_without_products():
    from fukugan.hub.scenario import scenario_for_item

    doc = scenario_for_item(3, "sanction", {"country": ["RUS"]})
    assert doc["shocks"][0]["type"] == "sanctions"
    doc = scenario_for_item(4, "facility_outage", {"industry": ["C26"]})
    assert doc["shocks"][0] == {
        "type": "outage",
        "sector": "C26",
        "delta": 0.5,
        "start": 0,
        "duration": 30,
        "recovery": {"path": "linear", "days": 60},
    }
    # an HS code shared by several commodities: all those the data can weigh for the country
    doc = scenario_for_item(5, "market_signal", {"country": ["CHN"], "hs": ["811292"]})
    got = {s["commodity"] for s in doc["shocks"]}
    assert "gallium" in got and "germanium" not in got  # USGS withholds CHN germanium
    with pytest.raises(NoScenario):
        scenario_for_item(6, "supplier_incident", {"firm": ["X Ltd"]})


@pytest.mark.slow
def test_consortium_tables(hubs, tmp_path):
    a, _ = hubs
    orgs = [a.create_org(f"Member {i}", "company") for i in range(7)]
    users = [a.user(a.create_user(f"m{i}", o, "analyst", 0, PW)) for i, o in enumerate(orgs)]

    def upload(i: int, body: str) -> None:
        p = tmp_path / f"n{i}.csv"
        p.write_text(HEADER + body)
        a.upload_network(users[i], p)

    for i in range(7):
        upload(i, f"1,Shared Smelter,CHN,811292,M{i},{10 + i}\n")
    doc = a.consortium(users[0], view="country")
    assert doc["k"] == 5 and doc["n_members"] == 7
    (cell,) = doc["cells"]
    assert (cell["row"], cell["col"], cell["members"]) == ("811292", "CHN", 7)
    assert cell["value"] == pytest.approx(sum(10 + i for i in range(7)))
    assert doc["hhi"] == {"811292": pytest.approx(1.0)}
    assert doc["exposure_share"] == {"CHN": pytest.approx(1.0)}
    sup = a.consortium(users[3], view="supplier")
    assert [(c["col"], c["members"]) for c in sup["cells"]] == [("shared smelter", 7)]

    rows = []
    for i in range(7):  # two members also source from Vietnam: that cell must not show
        body = f"1,Shared Smelter,CHN,811292,M{i},{10 + i}\n"
        if i < 2:
            body += f"1,Viet Co,VNM,811292,M{i},3\n"
        upload(i, body)
        for line in body.strip().splitlines():
            t, s, c, hs, _, v = line.split(",")
            rows.append((str(users[i].org_id), int(t), s.casefold(), c, hs, float(v)))
    doc = a.consortium(users[0], view="country")
    # only two members source from Vietnam: the country is withheld, label included
    assert "VNM" not in json.dumps(doc) and doc["withheld_cols"] == 1
    assert doc["cols"] == ["CHN"] and doc["withheld_rows"] == 0
    # VNM = row total - CHN: one of those two must be suppressed as well (complementary)
    cells = {(c["row"], c["col"]): c for c in doc["cells"]}
    assert cells[("811292", "CHN")]["suppressed"] or doc["row_totals"]["811292"]["suppressed"]
    assert doc["hhi"]["811292"] is None
    # the core function's table on the same pooled frame, minus the withheld column
    frame = pd.DataFrame(rows, columns=list(consortium.COLUMNS))
    ref = consortium.country_sourcing(frame, k=5)
    assert ref.cells[("811292", "VNM")].reason == "threshold"
    assert {k: (v.value, v.members, v.reason) for k, v in ref.cells.items() if k[1] != "VNM"} == {
        (c["row"], c["col"]): (c["value"], c["members"], c["reason"]) for c in doc["cells"]
    }
    sup = a.consortium(users[0], view="supplier")
    assert "viet co" not in json.dumps(sup) and sup["cols"] == ["shared smelter"]
    assert "5" in doc["guarantee_en"] and "5" in doc["guarantee_ja"]
    with pytest.raises(HubError):
        a.consortium(users[0], view="country", tier=2)
    with pytest.raises(HubError):
        a.consortium(users[0], view="firms")
    strict = Hub(engine=a.engine, clock=lambda: NOW, consortium_k=8)
    assert all(c["suppressed"] for c in strict.consortium(users[0])["cells"])


def test_nul_characters_are_bad_input_on_every_backend(hubs):
    """PostgreSQL text cannot hold NUL: the service refuses it as a HubError (400), never a
    database error, and nothing is written."""
    a, _ = hubs
    _, u = _world(a)
    for kwargs in (
        {"title": "a\x00b"},
        {"title": "ok", "body": "x\x00"},
        {"title": "ok", "links": {"firm": ["F\x00"]}},
    ):
        with pytest.raises(HubError, match="NUL"):
            a.publish(u["gov"], type="market_signal", **kwargs)
    with pytest.raises(HubError, match="NUL"):
        a.search(u["gov"], "\x00")
    with pytest.raises(HubError, match="NUL"):
        a.list_items(u["gov"], link_value="\x00")
    with pytest.raises(HubError, match="NUL"):
        a.login("gov\x00", PW)
    with pytest.raises(HubError, match="NUL"):
        a.create_org("x\x00", "sme")
    assert a.list_items(u["gov"]) == []


@pytest.mark.slow
def test_stix_export_of_an_expired_item_without_valid_from(hubs):
    a, _ = hubs
    _, u = _world(a)
    iid = a.publish(
        u["gov"], type="market_signal", title="old", tlp="GREEN", valid_to=NOW - timedelta(days=3)
    )
    assert _ids_in_bundle(a.export_stix(u["gov"])) == {str(iid)}
    assert _ids_in_bundle(a.export_stix(u["acme"])) == set()  # expired: author's org only


@pytest.mark.slow
def test_stix_report_ids_are_per_hub_and_stable(hubs):
    """Item 1 of two hubs are two STIX reports (OpenCTI would merge equal ids); re-exports from
    one hub keep their ids."""
    a, b = hubs

    def report_ids(hub: Hub, user) -> list[str]:
        doc = json.loads(hub.export_stix(user))
        return [o["id"] for o in doc.get("objects", []) if o["type"] == "report"]

    _, ua = _world(a)
    _, ub = _world(b)
    _items(a, ua)
    _items(b, ub)
    ids_a, ids_b = report_ids(a, ua["gov"]), report_ids(b, ub["gov"])
    assert len(ids_a) == 3 and not set(ids_a) & set(ids_b)
    assert report_ids(a, ua["gov"]) == ids_a
