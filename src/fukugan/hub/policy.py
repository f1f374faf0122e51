"""The one read policy of the hub: :func:`can_read` decides every read (get, list, search,
export, and later alerts, pages, API); no read path filters items any other way.

TLP 2.0 (FIRST, https://www.first.org/tlp/) as applied here:

- ``CLEAR``: anyone, including anonymous visitors.
- ``GREEN``: the community = any authenticated, active user of the hub.
- ``AMBER``: users of the author's organisation and of the organisations that are members of
  the item's sharing groups. An item without groups, or whose groups are empty, is restricted to
  the author's organisation: an empty sharing group never means "everyone" (MISP's leak).
- ``AMBER+STRICT``: users of the author's organisation only.
- ``RED``: the named recipients only (the service adds the author to the recipients).

And in every case: ``user.clearance >= item.required_clearance`` (anonymous = clearance 0,
so anonymous users read only CLEAR items that need no clearance); an expired item
(``valid_to < now``) is readable only by users of the author's organisation (on top of the
rules above). Roles grant no read rights: an admin reads what the markings allow, no more.
Unknown TLP values are denied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fukugan.errors import FukuganError


class HubError(FukuganError):
    """A hub request that cannot be served (bad input, not allowed)."""


class NotFoundError(HubError):
    """The item does not exist *or* the user may not read it (same message: no existence
    oracle)."""


class PermissionDenied(HubError):
    """The user may not perform this write."""


class LoginLocked(PermissionDenied):
    """Too many failed logins of this user name or client; try again later."""


@dataclass(frozen=True)
class Principal:
    """Who reads: a hub user (``None`` in the functions below = anonymous)."""

    user_id: int
    org_id: int
    clearance: int
    active: bool = True
    username: str = ""
    role: str = "reader"


@dataclass(frozen=True)
class Marking:
    """What the policy needs to know about an item."""

    item_id: int
    author_org_id: int
    tlp: str
    required_clearance: int = 0
    group_ids: frozenset[int] = frozenset()
    recipient_ids: frozenset[int] = frozenset()
    valid_to: datetime | None = None


@dataclass(frozen=True)
class PolicyContext:
    """The world the decision is taken in: the time and the members of every sharing group."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    group_members: Mapping[int, frozenset[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def can_read(user: Principal | None, item: Marking, context: PolicyContext) -> Decision:
    """Whether ``user`` (``None`` = anonymous) may read ``item``, and why."""
    if user is not None and not user.active:
        user = None  # a disabled account reads what an anonymous visitor reads
    clearance = user.clearance if user is not None else 0
    if clearance < item.required_clearance:
        return Decision(False, f"clearance {clearance} < required {item.required_clearance}")
    in_author_org = user is not None and user.org_id == item.author_org_id
    if item.valid_to is not None and _aware(item.valid_to) < _aware(context.now):
        if not in_author_org:
            return Decision(False, "expired: readable by the author's organisation only")
    tlp = item.tlp
    if tlp == "CLEAR":
        return Decision(True, "TLP:CLEAR")
    if user is None:
        return Decision(False, f"TLP:{tlp} needs an authenticated hub user")
    if tlp == "GREEN":
        return Decision(True, "TLP:GREEN: hub community")
    if tlp == "AMBER+STRICT":
        if in_author_org:
            return Decision(True, "TLP:AMBER+STRICT: author's organisation")
        return Decision(False, "TLP:AMBER+STRICT: author's organisation only")
    if tlp == "AMBER":
        if in_author_org:
            return Decision(True, "TLP:AMBER: author's organisation")
        for gid in sorted(item.group_ids):
            if user.org_id in context.group_members.get(gid, frozenset()):
                return Decision(True, f"TLP:AMBER: member of sharing group {gid}")
        return Decision(False, "TLP:AMBER: not in the author's organisation or a sharing group")
    if tlp == "RED":
        if user.user_id in item.recipient_ids:
            return Decision(True, "TLP:RED: named recipient")
        return Decision(False, "TLP:RED: named recipients only")
    return Decision(False, f"unknown TLP {tlp!r}")
