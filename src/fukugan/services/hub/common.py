"""What every part of the hub service shares: the reader's view of an item, principals and
markings built from rows, and the validation of free text and links."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fukugan.hub.models import (
    LINK_KINDS,
    Item,
    User,
)
from fukugan.hub.policy import (
    HubError,
    Marking,
    Principal,
)

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class ItemView:
    """A read-only snapshot of an item the reader may see."""

    id: int
    type: str
    title: str
    body: str
    source: str
    confidence: float
    valid_from: datetime | None
    valid_to: datetime | None
    author_org_id: int
    tlp: str
    required_clearance: int
    group_ids: tuple[int, ...]
    links: dict[str, list[str]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "body": self.body,
            "source": self.source,
            "confidence": self.confidence,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "author_org_id": self.author_org_id,
            "markings": {
                "tlp": self.tlp,
                "required_clearance": self.required_clearance,
                "sharing_groups": list(self.group_ids),
            },
            "links": self.links,
        }


def principal(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        org_id=user.org_id,
        clearance=user.clearance,
        active=user.active,
        username=user.username,
        role=user.role,
    )


def marking(item: Item) -> Marking:
    return Marking(
        item_id=item.id,
        author_org_id=item.author_org_id,
        tlp=item.tlp,
        required_clearance=item.required_clearance,
        group_ids=frozenset(g.group_id for g in item.groups),
        recipient_ids=frozenset(r.user_id for r in item.recipients),
        valid_to=item.valid_to,
    )


def _view(item: Item) -> ItemView:
    links: dict[str, list[str]] = {}
    for link in sorted(item.links, key=lambda x: (x.kind, x.value)):
        links.setdefault(link.kind, []).append(link.value)
    return ItemView(
        id=item.id,
        type=item.type,
        title=item.title,
        body=item.body,
        source=item.source,
        confidence=item.confidence,
        valid_from=item.valid_from,
        valid_to=item.valid_to,
        author_org_id=item.author_org_id,
        tlp=item.tlp,
        required_clearance=item.required_clearance,
        group_ids=tuple(sorted(g.group_id for g in item.groups)),
        links=links,
    )


def _actor(user: Principal | None) -> str:
    return ANONYMOUS if user is None else f"user:{user.user_id}"


def _no_nul(**fields: str | None) -> None:
    """PostgreSQL text cannot hold NUL characters: refuse them as bad input on every backend."""
    for name, value in fields.items():
        if value is not None and "\x00" in value:
            raise HubError(f"{name} contains a NUL character")


def _links(links: dict[str, Iterable[str]]) -> list[tuple[str, str]]:
    from fukugan.data.countries import is_iso3

    out: set[tuple[str, str]] = set()
    for kind, values in links.items():
        if kind not in LINK_KINDS:
            raise HubError(f"link kind {kind!r} not one of {', '.join(LINK_KINDS)}")
        for v in values:
            v = str(v).strip()
            _no_nul(link=v)
            if kind == "country":
                v = v.upper()
                if not is_iso3(v):
                    raise HubError(f"country {v!r} is not an ISO3 code")
            if v:
                out.add((kind, v))
    return sorted(out)


def dict_links(rows: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in rows:
        out.setdefault(k, []).append(v)
    return out
