"""Hub service on SQLite and PostgreSQL: every read path returns exactly what can_read allows
(hypothesis over random organisations × users × groups (incl. empty) × items × markings)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from tests.hub.test_hub_policy import oracle

from fukugan.hub.passwords import hash_password
from fukugan.hub.policy import NotFoundError, PermissionDenied
from fukugan.services.hub import Hub

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
PW_HASH = hash_password("a long enough password")
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
        # member-org indexes per group; empty groups included on purpose
        "groups": st.lists(st.sets(st.integers(0, 3), max_size=3), max_size=4),
        "items": st.lists(
            st.fixed_dictionaries(
                {
                    "org": st.integers(0, 3),
                    "tlp": st.sampled_from(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]),
                    "clearance": st.integers(0, 3),
                    "groups": st.sets(st.integers(0, 3), max_size=3),
                    "recipients": st.sets(st.integers(0, 5), max_size=3),
                    "expiry": st.one_of(st.none(), st.integers(-2, 2)),
                }
            ),
            max_size=8,
        ),
    }
)


def _build(hub: Hub, w):
    orgs = [hub.create_org(f"org{i}", "company") for i in range(w["orgs"])]
    users = []
    for j, (oi, role, cl) in enumerate(w["users"]):
        uid = hub.create_user(f"u{j}", orgs[oi % len(orgs)], role, cl, password_hash=PW_HASH)
        users.append({"id": uid, "org": orgs[oi % len(orgs)], "clearance": cl, "active": True})
    groups, members = [], {}
    for k, mem in enumerate(w["groups"]):
        org_ids = {orgs[i % len(orgs)] for i in mem}
        gid = hub.create_group(f"g{k}", org_ids)
        groups.append(gid)
        members[gid] = org_ids
    # publish every item as a contributor of its org (one is created when missing)
    items = []
    for n, it in enumerate(w["items"]):
        org = orgs[it["org"] % len(orgs)]
        author = hub.create_user(f"author{n}", org, "contributor", 3, password_hash=PW_HASH)
        users.append({"id": author, "org": org, "clearance": 3, "active": True})
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
            title=f"item {n} gallium",
            body="body",
            tlp=it["tlp"],
            required_clearance=it["clearance"],
            group_ids=gids,
            recipient_ids=rec,
            valid_to=valid_to,
            links={"country": ["CHN"]},
        )
        if it["tlp"] == "RED":
            rec.add(author)
        items.append(
            {
                "id": iid,
                "org": org,
                "tlp": it["tlp"],
                "clearance": it["clearance"],
                "groups": gids,
                "recipients": rec,
                "valid_to": valid_to,
            }
        )
    return users, items, members


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(w=world_st)
def test_every_read_path_returns_exactly_what_the_policy_allows(hub, w):
    hub.reset()
    users, items, members = _build(hub, w)
    for u in [None, *users]:
        p = None if u is None else hub.user(u["id"])
        expected = {i["id"] for i in items if oracle(u, i, members, NOW)}
        decided = {i["id"] for i in items if hub.decide(p, i["id"]).allowed}
        assert decided == expected
        assert {v.id for v in hub.list_items(p)} == expected
        assert {v.id for v in hub.list_items(p, link_kind="country", link_value="CHN")} == expected
        assert {v.id for v in hub.search(p, "GALLIUM")} == expected
        assert {d["id"] for d in hub.export(p)} == expected
        for i in items:
            if i["id"] in expected:
                assert hub.get_item(p, i["id"]).id == i["id"]
            else:
                with pytest.raises(NotFoundError):
                    hub.get_item(p, i["id"])
    assert hub.verify_audit().ok


@pytest.mark.slow
def test_publish_rules_and_audit_of_reads(hub):
    hub.reset()
    o1, o2 = hub.create_org("METI", "ministry"), hub.create_org("Acme", "sme")
    writer = hub.user(hub.create_user("w", o1, "analyst", 1, "a long enough password"))
    reader = hub.user(hub.create_user("r", o2, "reader", 0, "a long enough password"))
    with pytest.raises(PermissionDenied):
        hub.publish(reader, type="sanction", title="x", tlp="CLEAR")
    with pytest.raises(PermissionDenied):
        hub.publish(writer, type="sanction", title="x", tlp="CLEAR", required_clearance=2)
    iid = hub.publish(
        writer,
        type="export_control",
        title="Ga export licence",
        tlp="GREEN",
        links={"country": ["chn"], "commodity": ["gallium"], "hs": ["811292"]},
    )
    v = hub.get_item(reader, iid)
    assert v.links == {"commodity": ["gallium"], "country": ["CHN"], "hs": ["811292"]}
    with pytest.raises(NotFoundError):
        hub.get_item(None, iid)
    with hub.engine.connect() as c:
        actions = [r[0] for r in c.execute(text("SELECT action FROM hub_audit ORDER BY seq"))]
    assert actions[-3:] == ["publish", "read", "read-denied"]
    assert hub.authenticate("r", "a long enough password").user_id == reader.user_id
    with pytest.raises(PermissionDenied):
        hub.authenticate("r", "wrong")
    assert hub.verify_audit().ok
