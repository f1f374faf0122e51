"""Members' private supply networks, the exposure alerts computed from them, and the
scenario generated from an alert."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fukugan.hub import audit
from fukugan.hub.alerts import Alert, AlertView, Link, exposure_paths
from fukugan.hub.models import (
    WRITER_ROLES,
    Item,
    User,
)
from fukugan.hub.networks import MemberLink, read_member_network
from fukugan.hub.policy import (
    NotFoundError,
    PermissionDenied,
    Principal,
    can_read,
)
from fukugan.hub.scenario import scenario_for_item, scenario_yaml
from fukugan.services.hub.base import HubBase
from fukugan.services.hub.common import (
    _actor,
    dict_links,
    marking,
    principal,
)


class NetworksMixin(HubBase):
    """Private supply networks and exposure alerts."""

    def upload_network(
        self, user: Principal, path: str | Path, *, own_firm: str | None = None
    ) -> int:
        """Replace ``user``'s organisation's network with the validated CSV at ``path`` (one
        transaction; nothing changes if the file is bad). Admin/analyst/contributor only.
        Returns the number of links stored."""
        if user.role not in WRITER_ROLES or not user.active:
            raise PermissionDenied(f"role {user.role!r} may not upload a network")
        frame = read_member_network(path, own_firm=own_firm)
        with self.sessions.begin() as s:
            s.execute(delete(MemberLink).where(MemberLink.org_id == user.org_id))
            for r in frame.itertuples(index=False):
                s.add(
                    MemberLink(
                        org_id=user.org_id,
                        tier=int(r.tier),
                        supplier=r.supplier,
                        supplier_country=r.supplier_country,
                        product_hs=r.product_hs,
                        customer=r.customer,
                        value=None if r.value != r.value else float(r.value),
                    )
                )
            s.flush()
            n_alerts = self._refresh_alerts(s, org_ids=[user.org_id])
            audit.append(
                s,
                actor=_actor(user),
                action="upload-network",
                detail={
                    "org": user.org_id,
                    "links": len(frame),
                    "file": Path(path).name,
                    "alerts": n_alerts,
                },
                now=self.clock(),
            )
        return len(frame)

    def my_network(self, user: Principal) -> list[dict[str, Any]]:
        """The links of ``user``'s own organisation — the only read path of member networks."""
        if not user.active:
            raise PermissionDenied("inactive user")
        with self.sessions.begin() as s:
            rows = s.execute(
                select(MemberLink)
                .where(MemberLink.org_id == user.org_id)
                .order_by(MemberLink.tier, MemberLink.id)
            ).scalars()
            out = [
                {
                    "tier": r.tier,
                    "supplier": r.supplier,
                    "supplier_country": r.supplier_country,
                    "product_hs": r.product_hs,
                    "customer": r.customer,
                    "value": r.value,
                }
                for r in rows
            ]
            audit.append(
                s,
                actor=_actor(user),
                action="read-network",
                detail={"org": user.org_id, "links": len(out)},
                now=self.clock(),
            )
        return out

    # -- exposure alerts ---------------------------------------------------------------------
    def _refresh_alerts(
        self,
        s: Session,
        *,
        items: list[Item] | None = None,
        org_ids: Iterable[int] | None = None,
        user_ids: Iterable[int] | None = None,
    ) -> int:
        """Create the missing alerts for ``items`` (default: every item) × the networks of
        ``org_ids`` (default: every organisation with a network), for users (default: all of
        those organisations; or only ``user_ids``) whom :func:`can_read` allows. Called when an
        item is published, a network uploaded, a user created, or a sharing group changed, so a
        member is alerted about what touches them whatever happened first. Returns how many
        alerts were created (an existing (user, item) alert is never duplicated)."""
        stmt = select(MemberLink)
        if org_ids is not None:
            stmt = stmt.where(MemberLink.org_id.in_(sorted(set(org_ids))))
        networks: dict[int, list[Link]] = {}
        for r in s.execute(stmt).scalars():
            networks.setdefault(r.org_id, []).append(
                Link(r.tier, r.supplier, r.supplier_country, r.product_hs, r.customer)
            )
        if not networks:
            return 0
        if items is None:
            items = self._candidates(s, select(Item))
        users_q = select(User).where(User.org_id.in_(sorted(networks))).order_by(User.id)
        if user_ids is not None:
            users_q = users_q.where(User.id.in_(sorted(set(user_ids))))
        users: dict[int, list[User]] = {}
        for u in s.execute(users_q).scalars():
            users.setdefault(u.org_id, []).append(u)
        existing = {(a, b) for a, b in s.execute(select(Alert.user_id, Alert.item_id))}
        ctx = self._context(s)
        n = 0
        for item in items:
            item_links = dict_links((lk.kind, lk.value) for lk in item.links)
            if not any(item_links.get(k) for k in ("country", "hs", "firm")):
                continue
            mark = marking(item)
            for org_id in sorted(networks):
                if not users.get(org_id):
                    continue
                paths = exposure_paths(networks[org_id], item_links)
                if not paths:
                    continue
                for u in users[org_id]:
                    if (u.id, item.id) in existing or not can_read(principal(u), mark, ctx):
                        continue
                    s.add(
                        Alert(
                            user_id=u.id,
                            item_id=item.id,
                            path_en="\n".join(p[0] for p in paths),
                            path_ja="\n".join(p[1] for p in paths),
                            created_at=self.clock(),
                            read=False,
                        )
                    )
                    existing.add((u.id, item.id))
                    n += 1
        s.flush()
        return n

    def alerts(self, user: Principal, *, unread_only: bool = False) -> list[AlertView]:
        """``user``'s alerts whose item ``user`` may still read (re-checked now)."""
        with self.sessions.begin() as s:
            stmt = select(Alert).where(Alert.user_id == user.user_id)
            if unread_only:
                stmt = stmt.where(Alert.read.is_(False))
            rows = list(s.execute(stmt.order_by(Alert.id)).scalars())
            items = {
                i.id: i
                for i in self._candidates(
                    s, select(Item).where(Item.id.in_(sorted({a.item_id for a in rows})))
                )
            }
            ctx = self._context(s)
            out = [
                AlertView(
                    id=a.id,
                    item_id=a.item_id,
                    title=items[a.item_id].title,
                    path_en=a.path_en,
                    path_ja=a.path_ja,
                    created_at=a.created_at,
                    read=a.read,
                )
                for a in rows
                if a.item_id in items and can_read(user, marking(items[a.item_id]), ctx)
            ]
            audit.append(
                s,
                actor=_actor(user),
                action="alerts",
                detail={"items": [v.item_id for v in out]},
                now=self.clock(),
            )
        return out

    def unread_alerts(self, user: Principal) -> int:
        """How many of ``user``'s unread alerts are on items ``user`` may still read (the
        count in the navigation; the same policy check as :meth:`alerts`, nothing revealed
        beyond the count of the user's own alerts)."""
        with self.sessions.begin() as s:
            rows = list(
                s.execute(
                    select(Alert).where(Alert.user_id == user.user_id, Alert.read.is_(False))
                ).scalars()
            )
            if not rows:
                return 0
            items = {
                i.id: i
                for i in self._candidates(
                    s, select(Item).where(Item.id.in_(sorted({a.item_id for a in rows})))
                )
            }
            ctx = self._context(s)
            return sum(
                1
                for a in rows
                if a.item_id in items and can_read(user, marking(items[a.item_id]), ctx)
            )

    def mark_alert_read(self, user: Principal, alert_id: int) -> None:
        """Mark one of ``user``'s own alerts read (others' alerts: NotFoundError)."""
        with self.sessions.begin() as s:
            a = s.get(Alert, alert_id)
            if a is None or a.user_id != user.user_id:
                raise NotFoundError(f"no alert {alert_id}")
            a.read = True

    def alert_scenario(self, user: Principal, alert_id: int) -> str:
        """The scenario YAML matching the item of ``user``'s alert ``alert_id``
        (:func:`fukugan.hub.scenario.scenario_for_item`); the item is re-checked with
        :func:`can_read` (NotFoundError if no longer readable or not ``user``'s alert)."""
        with self.sessions.begin() as s:
            a = s.get(Alert, alert_id)
            if a is None or a.user_id != user.user_id:
                raise NotFoundError(f"no alert {alert_id}")
            items = self._candidates(s, select(Item).where(Item.id == a.item_id))
            if not items or not can_read(user, marking(items[0]), self._context(s)):
                raise NotFoundError(f"no alert {alert_id}")
            item = items[0]
            doc = scenario_for_item(
                item.id,
                item.type,
                dict_links((lk.kind, lk.value) for lk in item.links),
                valid_from=item.valid_from,
                valid_to=item.valid_to,
            )
            audit.append(
                s,
                actor=_actor(user),
                action="alert-scenario",
                item_id=item.id,
                detail={"alert": alert_id},
                now=self.clock(),
            )
        return scenario_yaml(doc)
