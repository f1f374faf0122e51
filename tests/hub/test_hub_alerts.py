"""Members' private networks (importer, own-org only) and exposure alerts (no leak, none
missing), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from tests.hub.test_hub_policy import oracle

from fukugan.errors import InputError
from fukugan.hub.networks import read_member_network
from fukugan.hub.passwords import hash_password
from fukugan.hub.policy import NotFoundError, PermissionDenied

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
PW_HASH = hash_password("a long enough password")
HEADER = "tier,supplier,supplier_country,product_hs,customer,value\n"


def _csv(tmp_path, body: str, name: str = "net.csv"):
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


# -- importer ---------------------------------------------------------------------------------
GOOD = "1,Y Corp,JPN,8112,Me,10\n2,X Ltd,CHN,811292,Y Corp,\n3,W,COD,2615,X Ltd,1.5\n"


def test_read_member_network_ok(tmp_path):
    f = read_member_network(_csv(tmp_path, GOOD), own_firm="Me")
    assert list(f["tier"]) == [1, 2, 3]
    assert list(f["supplier_country"]) == ["JPN", "CHN", "COD"]
    assert f["value"].isna().tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("body", "row", "field"),
    [
        ("1,Y,JPN,8112,Me,\n2,X,XXX,8112,Y,\n", 3, "supplier_country"),
        ("1,Y,JPN,81a2,Me,\n", 2, "product_hs"),
        ("1,Y,JPN,8,Me,\n", 2, "product_hs"),
        ("1,Y,JPN,8112345,Me,\n", 2, "product_hs"),
        ("0,Y,JPN,8112,Me,\n", 2, "tier"),
        ("1,Y,JPN,8112,Me,\n3,X,CHN,8112,Y,\n", 3, "customer"),
        ("1,Y,JPN,8112,Me,\n2,X,CHN,8112,Nobody,\n", 3, "customer"),
        ("1,Y,JPN,8112,Me,\n1,Z,JPN,8112,Someone else,\n", 3, "customer"),
        ("1,Y,JPN,8112,Me,\n1,y,jpn,8112,me,\n", 3, "supplier"),
        ("1,Y,JPN,8112,Me,-1\n", 2, "value"),
        ("1,,JPN,8112,Me,\n", 2, "supplier"),
    ],
)
def test_read_member_network_errors_name_row_and_field(tmp_path, body, row, field):
    with pytest.raises(InputError) as e:
        read_member_network(_csv(tmp_path, body))
    assert (e.value.row, e.value.field) == (row, field)
    assert e.value.path.endswith("net.csv")


def test_tier1_customer_must_be_own_firm(tmp_path):
    with pytest.raises(InputError) as e:
        read_member_network(_csv(tmp_path, "1,Y,JPN,8112,Other,\n"), own_firm="Me")
    assert (e.value.row, e.value.field) == (2, "customer")


# -- service ----------------------------------------------------------------------------------
def test_networks_are_private_and_uploads_all_or_nothing(hub, tmp_path):
    hub.reset()
    a, b = hub.create_org("A", "company"), hub.create_org("B", "sme")
    a_an = hub.user(hub.create_user("a1", a, "analyst", 0, password_hash=PW_HASH))
    a_rd = hub.user(hub.create_user("a2", a, "reader", 0, password_hash=PW_HASH))
    b_ad = hub.user(hub.create_user("b1", b, "admin", 3, password_hash=PW_HASH))
    assert hub.upload_network(a_an, _csv(tmp_path, GOOD)) == 3
    with pytest.raises(PermissionDenied):
        hub.upload_network(a_rd, _csv(tmp_path, GOOD))
    assert len(hub.my_network(a_rd)) == 3
    assert hub.my_network(b_ad) == []  # another org's admin with top clearance sees nothing
    # a bad file changes nothing
    with pytest.raises(InputError):
        hub.upload_network(a_an, _csv(tmp_path, "1,Y,JPN,8112,Me,\n1,Z,ZZZ,8112,Me,\n"))
    assert len(hub.my_network(a_an)) == 3
    # a good file replaces the whole network
    hub.upload_network(a_an, _csv(tmp_path, "1,Q,DEU,28,Me,\n"))
    assert [r["supplier"] for r in hub.my_network(a_an)] == ["Q"]
    hub.upload_network(b_ad, _csv(tmp_path, GOOD))
    assert [r["supplier"] for r in hub.my_network(a_an)] == ["Q"]
    assert len(hub.my_network(b_ad)) == 3
    assert hub.verify_audit().ok


def test_alert_path_english_and_japanese(hub, tmp_path):
    hub.reset()
    a, gov = hub.create_org("A", "company"), hub.create_org("METI", "ministry")
    ua = hub.user(hub.create_user("a1", a, "analyst", 0, password_hash=PW_HASH))
    ub = hub.user(hub.create_user("a2", a, "reader", 0, password_hash=PW_HASH))
    g = hub.user(hub.create_user("g", gov, "analyst", 2, password_hash=PW_HASH))
    hub.upload_network(ua, _csv(tmp_path, GOOD))
    iid = hub.publish(g, type="export_control", title="Ga", tlp="GREEN", links={"hs": ["811292"]})
    [al] = hub.alerts(ua)
    assert al.item_id == iid
    assert (
        "your tier-2 supplier X Ltd (CHN) supplies 811292 to Y Corp, which supplies you"
        in al.path_en.splitlines()
    )
    assert "あなたの2次サプライヤー X Ltd（CHN）が 811292 を Y Corp に供給し" in al.path_ja
    assert "tier-1 supplier Y Corp (JPN) supplies 8112 to you" in al.path_en  # prefix match
    assert len(hub.alerts(ub)) == 1
    assert hub.alerts(g) == []  # not in the touched org
    # markings "change": the reader loses access (clearance) -> alert hidden at read time
    with hub.engine.begin() as c:
        c.execute(text("UPDATE hub_items SET required_clearance = 1 WHERE id = :i"), {"i": iid})
    assert hub.alerts(ua) == []
    # AMBER+STRICT item of another org touching A's network: no alert for A
    hub.publish(g, type="sanction", title="s", tlp="AMBER+STRICT", links={"firm": ["w"]})
    assert hub.alerts(ua) == []
    with pytest.raises(NotFoundError):
        hub.mark_alert_read(g, al.id)
    assert hub.verify_audit().ok


# -- property: no leak through alerts, none missing --------------------------------------------
COUNTRIES = ["CHN", "JPN", "COD", "DEU"]
HS = ["28", "8112", "811292", "2615"]
FIRMS = ["F0", "F1", "F2", "F3"]

net_st = st.lists(
    st.tuples(st.sampled_from(FIRMS), st.sampled_from(COUNTRIES), st.sampled_from(HS)),
    max_size=3,
)
world_st = st.fixed_dictionaries(
    {
        "orgs": st.integers(1, 4),
        "users": st.lists(
            st.tuples(
                st.integers(0, 3),
                st.sampled_from(["admin", "analyst", "contributor", "reader"]),
                st.integers(0, 3),
            ),
            min_size=1,
            max_size=6,
        ),
        "groups": st.lists(st.sets(st.integers(0, 3), max_size=3), max_size=3),
        "networks": st.lists(net_st, min_size=4, max_size=4),
        "items": st.lists(
            st.fixed_dictionaries(
                {
                    "org": st.integers(0, 3),
                    "tlp": st.sampled_from(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]),
                    "clearance": st.integers(0, 3),
                    "groups": st.sets(st.integers(0, 3), max_size=3),
                    "recipients": st.sets(st.integers(0, 5), max_size=3),
                    "expiry": st.one_of(st.none(), st.integers(-1, 1)),
                    "country": st.sets(st.sampled_from(COUNTRIES), max_size=2),
                    "hs": st.sets(st.sampled_from(["81", "811292", "2615", "7202"]), max_size=2),
                    "firm": st.sets(st.sampled_from(["f1", "F2", "Nobody"]), max_size=2),
                }
            ),
            max_size=5,
        ),
    }
)


def _touches(net, it) -> bool:
    return any(
        c in it["country"]
        or any(h.startswith(x) or x.startswith(h) for x in it["hs"])
        or f.lower() in {x.lower() for x in it["firm"]}
        for f, c, h in net
    )


def _upload_networks(hub, orgs, networks, d, users) -> dict:  # noqa: ANN001
    """Upload each organisation's drawn network (tier 1, one link per supplier name, case
    insensitive) through a contributor added to ``users``; the networks by organisation."""
    nets = {}
    for n, org in enumerate(orgs):
        seen, rows = set(), []
        for f, c, h in sorted(set(networks[n]), key=lambda r: r[0].lower()):
            if (f.lower(), c, h) not in seen:
                seen.add((f.lower(), c, h))
                rows.append((f, c, h))
        nets[org] = rows
        if rows:
            up = hub.create_user(f"up{n}", org, "contributor", 0, password_hash=PW_HASH)
            users.append({"id": up, "org": org, "clearance": 0, "active": True})
            body = "".join(f"1,{f},{c},{h},Me,\n" for f, c, h in rows)
            (d / f"n{n}.csv").write_text(HEADER + body, encoding="utf-8")
            hub.upload_network(hub.user(up), d / f"n{n}.csv")
    return nets


def _assert_alerts_exact(hub, users, items, nets, members) -> None:  # noqa: ANN001
    """Every user's alerts are exactly the items the policy lets them read that touch their
    organisation's network, one each; and what is stored (not only what is shown) never
    leaks."""
    for u in users:
        got = [a.item_id for a in hub.alerts(hub.user(u["id"]))]
        assert len(got) == len(set(got))  # exactly one alert per item
        expected = {
            i["id"] for i in items if oracle(u, i, members, NOW) and _touches(nets[u["org"]], i)
        }
        assert set(got) == expected
        # the navigation's unread count: the same policy, nothing more (no alert read yet)
        assert hub.unread_alerts(hub.user(u["id"])) == len(expected)
    with hub.engine.connect() as c:
        stored = list(c.execute(text("SELECT user_id, item_id FROM hub_alerts")))
    by_id = {u["id"]: u for u in users}
    by_item = {i["id"]: i for i in items}
    for uid, iid in stored:
        assert oracle(by_id[uid], by_item[iid], members, NOW)


@pytest.mark.slow
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(w=world_st)
def test_alerts_no_leak_none_missing(hub, tmp_path_factory, w):
    hub.reset()
    d = tmp_path_factory.mktemp("nets")
    orgs = [hub.create_org(f"org{i}", "company") for i in range(w["orgs"])]
    users = []
    for j, (oi, role, cl) in enumerate(w["users"]):
        org = orgs[oi % len(orgs)]
        uid = hub.create_user(f"u{j}", org, role, cl, password_hash=PW_HASH)
        users.append({"id": uid, "org": org, "clearance": cl, "active": True})
    groups, members = [], {}
    for k, mem in enumerate(w["groups"]):
        ids = {orgs[i % len(orgs)] for i in mem}
        gid = hub.create_group(f"g{k}", ids)
        groups.append(gid)
        members[gid] = ids
    nets = _upload_networks(hub, orgs, w["networks"], d, users)
    # every user exists before the first publication (alerts are computed at publish time)
    authors = []
    for n, it in enumerate(w["items"]):
        org = orgs[it["org"] % len(orgs)]
        author = hub.create_user(f"author{n}", org, "contributor", 3, password_hash=PW_HASH)
        users.append({"id": author, "org": org, "clearance": 3, "active": True})
        authors.append(author)
    items = []
    for n, it in enumerate(w["items"]):
        org = orgs[it["org"] % len(orgs)]
        author = authors[n]
        gids = {groups[g % len(groups)] for g in it["groups"]} if groups else set()
        rec = (
            {users[r % len(users)]["id"] for r in it["recipients"]} if it["tlp"] == "RED" else set()
        )
        valid_to = (
            None
            if it["expiry"] is None
            else NOW + timedelta(days=it["expiry"], seconds=1 if it["expiry"] == 0 else 0)
        )
        iid = hub.publish(
            hub.user(author),
            type="supplier_incident",
            title=f"item {n}",
            tlp=it["tlp"],
            required_clearance=it["clearance"],
            group_ids=gids,
            recipient_ids=rec,
            valid_to=valid_to,
            links={"country": it["country"], "hs": it["hs"], "firm": it["firm"]},
        )
        if it["tlp"] == "RED":
            rec.add(author)
        items.append(
            {
                **it,
                "id": iid,
                "org": org,
                "groups": gids,
                "recipients": rec,
                "valid_to": valid_to,
            }
        )
    _assert_alerts_exact(hub, users, items, nets, members)


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(w=world_st, late=st.data())
def test_alerts_whatever_happens_first(hub, tmp_path_factory, w, late):
    """Items published first; then networks uploaded, users created and organisations joining
    sharing groups: each event recomputes alerts, and the end state is exactly what the policy
    allows for networks the items touch (no leak, none missing, no duplicates)."""
    hub.reset()
    d = tmp_path_factory.mktemp("late")
    orgs = [hub.create_org(f"org{i}", "company") for i in range(w["orgs"])]
    groups, members, joins = [], {}, []
    for k, mem in enumerate(w["groups"]):
        ids = sorted({orgs[i % len(orgs)] for i in mem})
        now_ids = [o for o in ids if not late.draw(st.booleans(), label=f"join-later g{k} o{o}")]
        gid = hub.create_group(f"g{k}", now_ids)
        groups.append(gid)
        members[gid] = set(ids)
        joins += [(gid, o) for o in ids if o not in now_ids]
    users = []
    items = []
    for n, it in enumerate(w["items"]):
        org = orgs[it["org"] % len(orgs)]
        author = hub.create_user(f"author{n}", org, "contributor", 3, password_hash=PW_HASH)
        users.append({"id": author, "org": org, "clearance": 3, "active": True})
        gids = {groups[g % len(groups)] for g in it["groups"]} if groups else set()
        rec = {author} if it["tlp"] == "RED" else set()
        valid_to = None if it["expiry"] is None else NOW + timedelta(days=it["expiry"] or 1)
        iid = hub.publish(
            hub.user(author),
            type="supplier_incident",
            title=f"item {n}",
            tlp=it["tlp"],
            required_clearance=it["clearance"],
            group_ids=gids,
            valid_to=valid_to,
            links={"country": it["country"], "hs": it["hs"], "firm": it["firm"]},
        )
        items.append(
            {**it, "id": iid, "org": org, "groups": gids, "recipients": rec, "valid_to": valid_to}
        )
    nets = _upload_networks(hub, orgs, w["networks"], d, users)
    for j, (oi, role, cl) in enumerate(w["users"]):  # users who join after everything
        org = orgs[oi % len(orgs)]
        uid = hub.create_user(f"late{j}", org, role, cl, password_hash=PW_HASH)
        users.append({"id": uid, "org": org, "clearance": cl, "active": True})
    for gid, org in joins:
        hub.add_to_group(gid, org)
    _assert_alerts_exact(hub, users, items, nets, members)
