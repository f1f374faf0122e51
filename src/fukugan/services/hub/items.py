"""Hub intelligence items: publishing, and every read path through
:func:`fukugan.hub.policy.can_read` (SQL only narrows candidates by the reader's own filters,
never by access rights)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from fukugan.hub import audit
from fukugan.hub.models import (
    CLEARANCES,
    ITEM_TYPES,
    TLP_LEVELS,
    WRITER_ROLES,
    GroupMember,
    Item,
    ItemGroup,
    ItemLink,
    ItemRecipient,
    SharingGroup,
    User,
)
from fukugan.hub.policy import (
    Decision,
    HubError,
    NotFoundError,
    PermissionDenied,
    PolicyContext,
    Principal,
    can_read,
)
from fukugan.services.hub.base import HubBase
from fukugan.services.hub.common import (
    ItemView,
    _actor,
    _links,
    _no_nul,
    _view,
    marking,
)


class ItemsMixin(HubBase):
    """Publishing and reading intelligence items."""

    def publish(
        self,
        author: Principal,
        *,
        type: str,
        title: str,
        body: str = "",
        source: str = "",
        confidence: float = 0.5,
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
        tlp: str = "AMBER",
        required_clearance: int = 0,
        group_ids: Iterable[int] = (),
        recipient_ids: Iterable[int] = (),
        links: dict[str, Iterable[str]] | None = None,
    ) -> int:
        """Publish an item as ``author``'s organisation. RED items get the author added to the
        recipients; recipients given for other TLP levels are ignored (rejected)."""
        with self.sessions.begin() as s:
            return self._publish(
                s,
                author,
                type=type,
                title=title,
                body=body,
                source=source,
                confidence=confidence,
                valid_from=valid_from,
                valid_to=valid_to,
                tlp=tlp,
                required_clearance=required_clearance,
                group_ids=group_ids,
                recipient_ids=recipient_ids,
                links=links,
            )

    def _publish(
        self,
        s: Session,
        author: Principal,
        *,
        type: str,
        title: str,
        body: str,
        source: str,
        confidence: float,
        valid_from: datetime | None,
        valid_to: datetime | None,
        tlp: str,
        required_clearance: int,
        group_ids: Iterable[int],
        recipient_ids: Iterable[int],
        links: dict[str, Iterable[str]] | None,
        action: str = "publish",
    ) -> int:
        if author.role not in WRITER_ROLES or not author.active:
            raise PermissionDenied(f"role {author.role!r} may not publish")
        if type not in ITEM_TYPES:
            raise HubError(f"item type {type!r} not one of {', '.join(ITEM_TYPES)}")
        if not title or not title.strip():
            raise HubError("an item needs a title")
        _no_nul(title=title, body=body, source=source)
        if tlp not in TLP_LEVELS:
            raise HubError(f"TLP {tlp!r} not one of {', '.join(TLP_LEVELS)}")
        if required_clearance not in CLEARANCES:
            raise HubError(f"required clearance {required_clearance!r} not in 0..3")
        if not 0.0 <= confidence <= 1.0:
            raise HubError("confidence must be within 0..1")
        if valid_from is not None and valid_to is not None and valid_to < valid_from:
            raise HubError("valid_to is before valid_from")
        if required_clearance > author.clearance:
            raise PermissionDenied("cannot publish above one's own clearance")
        recipients = set(recipient_ids)
        if tlp == "RED":
            recipients.add(author.user_id)
        elif recipients:
            raise HubError("recipients are only for TLP:RED items")
        groups = sorted(set(group_ids))
        link_rows = _links(links or {})
        known_groups = set(s.execute(select(SharingGroup.id)).scalars())
        if set(groups) - known_groups:
            raise HubError(f"no sharing group {sorted(set(groups) - known_groups)[0]}")
        known_users = set(s.execute(select(User.id)).scalars())
        if recipients - known_users:
            raise HubError(f"no user {sorted(recipients - known_users)[0]}")
        item = Item(
            type=type,
            title=title,
            body=body,
            source=source,
            confidence=confidence,
            valid_from=valid_from,
            valid_to=valid_to,
            author_org_id=author.org_id,
            author_user_id=author.user_id,
            tlp=tlp,
            required_clearance=required_clearance,
            created_at=self.clock(),
        )
        item.groups = [ItemGroup(group_id=g) for g in groups]
        item.recipients = [ItemRecipient(user_id=u) for u in sorted(recipients)]
        item.links = [ItemLink(kind=k, value=v) for k, v in link_rows]
        s.add(item)
        s.flush()
        n_alerts = self._refresh_alerts(s, items=[item])
        audit.append(
            s,
            actor=_actor(author),
            action=action,
            item_id=item.id,
            detail={
                "tlp": tlp,
                "clearance": required_clearance,
                "groups": groups,
                "recipients": sorted(recipients),
                "alerts": n_alerts,
            },
            now=self.clock(),
        )
        return item.id

    # -- reads (all through can_read) --------------------------------------------------------
    def _context(self, s: Session) -> PolicyContext:
        members: dict[int, set[int]] = {}
        for gid, oid in s.execute(select(GroupMember.group_id, GroupMember.org_id)):
            members.setdefault(gid, set()).add(oid)
        return PolicyContext(
            now=self.clock(), group_members={g: frozenset(o) for g, o in members.items()}
        )

    def _candidates(self, s: Session, stmt) -> list[Item]:  # noqa: ANN001 - Select[Item]
        stmt = stmt.options(
            selectinload(Item.groups), selectinload(Item.recipients), selectinload(Item.links)
        ).order_by(Item.id)
        return list(s.execute(stmt).scalars().unique())

    def _readable(self, s: Session, user: Principal | None, stmt) -> list[ItemView]:  # noqa: ANN001
        ctx = self._context(s)
        return [_view(i) for i in self._candidates(s, stmt) if can_read(user, marking(i), ctx)]

    def decide(self, user: Principal | None, item_id: int) -> Decision:
        """The policy decision for one item (for tests and explanations; not audited)."""
        with self.sessions() as s:
            items = self._candidates(s, select(Item).where(Item.id == item_id))
            if not items:
                return Decision(False, "no such item")
            return can_read(user, marking(items[0]), self._context(s))

    def get_item(self, user: Principal | None, item_id: int) -> ItemView:
        """The item, or :class:`NotFoundError` (same error whether missing or denied)."""
        with self.sessions.begin() as s:
            items = self._candidates(s, select(Item).where(Item.id == item_id))
            decision = (
                can_read(user, marking(items[0]), self._context(s))
                if items
                else Decision(False, "no such item")
            )
            audit.append(
                s,
                actor=_actor(user),
                action="read" if decision.allowed else "read-denied",
                item_id=item_id,
                detail={"reason": decision.reason},
                now=self.clock(),
            )
            if not decision.allowed:
                view = None
            else:
                view = _view(items[0])
        if view is None:
            raise NotFoundError(f"no item {item_id}")
        return view

    def list_items(
        self,
        user: Principal | None,
        *,
        type: str | None = None,
        link_kind: str | None = None,
        link_value: str | None = None,
    ) -> list[ItemView]:
        _no_nul(type=type, link_kind=link_kind, link_value=link_value)
        stmt = select(Item)
        if type is not None:
            stmt = stmt.where(Item.type == type)
        if link_value is not None:
            cond = [ItemLink.item_id == Item.id, ItemLink.value == link_value]
            if link_kind is not None:
                cond.append(ItemLink.kind == link_kind)
            stmt = stmt.where(select(ItemLink.item_id).where(*cond).exists())
        return self._read_many(user, "list", stmt, {"type": type, "link": link_value})

    def search(self, user: Principal | None, text: str) -> list[ItemView]:
        """Items whose title or body contain ``text`` (case-insensitive; parameterised)."""
        _no_nul(text=text)
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = select(Item).where(
            or_(Item.title.ilike(pattern, escape="\\"), Item.body.ilike(pattern, escape="\\"))
        )
        return self._read_many(user, "search", stmt, {"text": text})

    def export(self, user: Principal | None, **filters: Any) -> list[dict[str, Any]]:
        """The readable items (same filters as :meth:`list_items`) as JSON-ready dicts."""
        stmt = select(Item)
        if filters.get("type") is not None:
            stmt = stmt.where(Item.type == filters["type"])
        return [v.to_dict() for v in self._read_many(user, "export", stmt, dict(filters))]

    def _read_many(self, user: Principal | None, action: str, stmt, query: dict) -> list[ItemView]:  # noqa: ANN001
        with self.sessions.begin() as s:
            views = self._readable(s, user, stmt)
            audit.append(
                s,
                actor=_actor(user),
                action=action,
                detail={"query": query, "items": [v.id for v in views]},
                now=self.clock(),
            )
        return views
