"""The hub's read policy against an independent oracle (a plain re-statement of TLP 2.0),
plus the password helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.hub.passwords import hash_password, needs_rehash, verify_password
from fukugan.hub.policy import Marking, PolicyContext, Principal, can_read

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TLPS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]


def oracle(user, item, members, now) -> bool:
    """Who may read, said plainly: user = None or dict(id, org, clearance, active)."""
    if user is not None and not user["active"]:
        user = None
    clearance = 0 if user is None else user["clearance"]
    if clearance < item["clearance"]:
        return False
    same_org = user is not None and user["org"] == item["org"]
    if item["valid_to"] is not None and item["valid_to"] < now and not same_org:
        return False
    if item["tlp"] == "CLEAR":
        return True
    if user is None:
        return False
    if item["tlp"] == "GREEN":
        return True
    if item["tlp"] == "AMBER+STRICT":
        return same_org
    if item["tlp"] == "AMBER":
        orgs_of_groups = set()
        for g in item["groups"]:
            orgs_of_groups |= members.get(g, set())
        return same_org or user["org"] in orgs_of_groups
    if item["tlp"] == "RED":
        return user["id"] in item["recipients"]
    return False


users_st = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "id": st.integers(1, 6),
            "org": st.integers(1, 4),
            "clearance": st.integers(0, 3),
            "active": st.booleans(),
        }
    ),
)
items_st = st.fixed_dictionaries(
    {
        "org": st.integers(1, 4),
        "tlp": st.sampled_from(TLPS + ["PURPLE"]),
        "clearance": st.integers(0, 3),
        "groups": st.sets(st.integers(1, 4), max_size=3),
        "recipients": st.sets(st.integers(1, 6), max_size=3),
        "valid_to": st.one_of(st.none(), st.integers(-3, 3).map(lambda d: NOW + timedelta(days=d))),
    }
)
# groups may be empty (no member organisations) and may be missing entirely
members_st = st.dictionaries(st.integers(1, 4), st.sets(st.integers(1, 4), max_size=3), max_size=4)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(users_st, items_st, members_st)
def test_can_read_agrees_with_oracle(user, item, members):
    p = (
        None
        if user is None
        else Principal(user["id"], user["org"], user["clearance"], user["active"])
    )
    m = Marking(
        1,
        item["org"],
        item["tlp"],
        item["clearance"],
        frozenset(item["groups"]),
        frozenset(item["recipients"]),
        item["valid_to"],
    )
    ctx = PolicyContext(now=NOW, group_members={g: frozenset(o) for g, o in members.items()})
    d = can_read(p, m, ctx)
    assert d.allowed == oracle(user, item, members, NOW), d.reason
    assert d.reason


def _u(org=2, clearance=3, uid=9):
    return Principal(uid, org, clearance)


def test_empty_sharing_group_never_means_everyone():
    ctx = PolicyContext(now=NOW, group_members={7: frozenset()})
    item = Marking(1, author_org_id=1, tlp="AMBER", group_ids=frozenset({7}))
    assert not can_read(_u(org=2), item, ctx).allowed
    assert can_read(_u(org=1), item, ctx).allowed
    no_groups = Marking(2, author_org_id=1, tlp="AMBER")
    assert not can_read(_u(org=2), no_groups, ctx).allowed
    unknown_group = Marking(3, author_org_id=1, tlp="AMBER", group_ids=frozenset({99}))
    assert not can_read(_u(org=2), unknown_group, ctx).allowed


def test_tlp_levels_and_clearance():
    ctx = PolicyContext(now=NOW, group_members={5: frozenset({2})})
    assert can_read(None, Marking(1, 1, "CLEAR"), ctx).allowed
    assert not can_read(None, Marking(1, 1, "CLEAR", required_clearance=1), ctx).allowed
    assert not can_read(None, Marking(1, 1, "GREEN"), ctx).allowed
    assert can_read(_u(), Marking(1, 1, "GREEN"), ctx).allowed
    assert can_read(_u(), Marking(1, 1, "AMBER", group_ids=frozenset({5})), ctx).allowed
    assert not can_read(_u(), Marking(1, 1, "AMBER+STRICT", group_ids=frozenset({5})), ctx).allowed
    assert not can_read(_u(org=1), Marking(1, 1, "RED"), ctx).allowed  # same org, not named
    assert can_read(_u(uid=9), Marking(1, 1, "RED", recipient_ids=frozenset({9})), ctx).allowed
    low = _u(org=1, clearance=1)
    assert not can_read(low, Marking(1, 1, "AMBER+STRICT", required_clearance=2), ctx).allowed
    inactive = Principal(9, 1, 3, active=False)
    assert not can_read(inactive, Marking(1, 1, "GREEN"), ctx).allowed


def test_expired_items_only_for_author_org():
    ctx = PolicyContext(now=NOW)
    old = Marking(1, 1, "CLEAR", valid_to=NOW - timedelta(seconds=1))
    assert not can_read(None, old, ctx).allowed
    assert not can_read(_u(org=2), old, ctx).allowed
    assert can_read(_u(org=1), old, ctx).allowed
    naive = Marking(1, 1, "GREEN", valid_to=(NOW + timedelta(days=1)).replace(tzinfo=None))
    assert can_read(_u(org=2), naive, ctx).allowed


@pytest.mark.slow
def test_passwords_hashed_with_argon2():
    h = hash_password("correct horse battery")
    assert h.startswith("$argon2id$") and "correct" not in h
    assert verify_password(h, "correct horse battery")
    assert not verify_password(h, "wrong password")
    assert not verify_password("not-a-hash", "correct horse battery")
    assert not needs_rehash(h)
    assert hash_password("correct horse battery") != h  # salted
