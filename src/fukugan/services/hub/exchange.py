"""STIX 2.1 exchange of intelligence items (export of what the reader may see; all-or-nothing
import)."""

from __future__ import annotations

from sqlalchemy import select

from fukugan.errors import InputError
from fukugan.hub import audit
from fukugan.hub.models import (
    WRITER_ROLES,
    Item,
    Organisation,
    SharingGroup,
)
from fukugan.hub.policy import (
    PermissionDenied,
    Principal,
    can_read,
)
from fukugan.hub.stix import IntelItemData, from_stix_bundle, to_stix_bundle
from fukugan.services.hub.base import HubBase
from fukugan.services.hub.common import (
    _actor,
    dict_links,
    marking,
)


class ExchangeMixin(HubBase):
    """STIX 2.1 export and import."""

    def export_stix(self, user: Principal | None, *, type: str | None = None) -> str:
        """The items ``user`` may read (optionally of one ``type``) as a STIX 2.1 bundle (JSON;
        :mod:`fukugan.hub.stix`), audited like :meth:`export`."""
        stmt = select(Item)
        if type is not None:
            stmt = stmt.where(Item.type == type)
        with self.sessions.begin() as s:
            ctx = self._context(s)
            rows = [i for i in self._candidates(s, stmt) if can_read(user, marking(i), ctx)]
            orgs = {i: n for i, n in s.execute(select(Organisation.id, Organisation.name))}
            groups = {i: n for i, n in s.execute(select(SharingGroup.id, SharingGroup.name))}
            data = [_intel(i, orgs, groups) for i in rows]
            hub_id = audit.genesis_hash(s)
            audit.append(
                s,
                actor=_actor(user),
                action="export-stix",
                detail={"query": {"type": type}, "items": [i.id for i in rows]},
                now=self.clock(),
            )
        return to_stix_bundle(data, namespace=hub_id).serialize(pretty=True)

    def import_stix(
        self, user: Principal, data: str | bytes, *, filename: str = "bundle.json"
    ) -> list[int]:
        """Publish every ``report`` of a STIX 2.1 bundle as ``user``'s organisation, all or
        nothing. Markings come from the bundle (TLP, ``x_fukugan_sharing_groups`` by name,
        ``x_fukugan_clearance``); a bundle without TLP is AMBER for the importer's organisation
        only; TLP:RED items go to the importer alone. A sharing group the hub does not know, or a
        clearance above the importer's, is an error: a restriction that cannot be kept is never
        dropped silently. Errors name the file and the STIX object and property."""
        if user.role not in WRITER_ROLES or not user.active:
            raise PermissionDenied(f"role {user.role!r} may not import items")
        text = data.decode("utf-8", errors="strict") if isinstance(data, bytes) else data
        try:
            items = from_stix_bundle(text, default_tlp="AMBER")
        except InputError as e:
            raise InputError(
                f"STIX object {e.path}: {e.message}" if e.path else e.message,
                path=filename,
                field=e.field,
            ) from None
        with self.sessions.begin() as s:
            groups = {n: g for g, n in s.execute(select(SharingGroup.id, SharingGroup.name))}
            ids = []
            for it in items:
                unknown = [g for g in it.sharing_groups if g not in groups]
                if unknown:
                    raise InputError(
                        f"STIX object {it.id}: unknown sharing group {unknown[0]!r}",
                        path=filename,
                        field="x_fukugan_sharing_groups",
                    )
                if it.clearance > user.clearance:
                    raise PermissionDenied(
                        f"{filename}: STIX object {it.id} needs clearance {it.clearance}, above yours"
                    )
                source = it.source or (f"STIX: {it.author_org}" if it.author_org else "STIX")
                ids.append(
                    self._publish(
                        s,
                        user,
                        type=it.type,
                        title=it.title,
                        body=it.body,
                        source=source,
                        confidence=it.confidence / 100.0,
                        valid_from=it.valid_from,
                        valid_to=it.valid_until,
                        tlp=it.tlp,
                        required_clearance=it.clearance,
                        group_ids=[groups[g] for g in it.sharing_groups],
                        recipient_ids=(),
                        links={
                            "country": it.countries,
                            "commodity": it.commodities,
                            "hs": it.hs_codes,
                            "industry": it.industries,
                            "firm": it.firms,
                        },
                        action="import-stix",
                    )
                )
        return ids


def _intel(item: Item, orgs: dict[int, str], groups: dict[int, str]) -> IntelItemData:
    links = dict_links((lk.kind, lk.value) for lk in item.links)
    return IntelItemData(
        id=str(item.id),
        type=item.type,
        title=item.title,
        body=item.body,
        source=item.source,
        confidence=int(round(item.confidence * 100)),
        # STIX needs a start; an item published without one started when it was published,
        # or at its end if it was published already expired (valid_until >= valid_from)
        valid_from=item.valid_from
        or (
            min(item.created_at, item.valid_to)
            if item.valid_to is not None and item.created_at is not None
            else item.created_at
        ),
        valid_until=item.valid_to,
        author_org=orgs.get(item.author_org_id, f"organisation {item.author_org_id}"),
        countries=sorted(links.get("country", [])),
        commodities=sorted(links.get("commodity", [])),
        hs_codes=sorted(links.get("hs", [])),
        industries=sorted(links.get("industry", [])),
        firms=sorted(links.get("firm", [])),
        tlp=item.tlp,
        sharing_groups=sorted(groups[g.group_id] for g in item.groups if g.group_id in groups),
        clearance=item.required_clearance,
    )
