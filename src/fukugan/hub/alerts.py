"""Exposure alerts: which members' private networks an intelligence item touches, and the path.

An item touches a member's network when, at any tier, a supplier's country is one of the item's
countries, a product HS code and one of the item's HS codes are prefixes of one another
(``8112`` touches ``811292`` and vice versa), or a supplier is one of the item's firms
(case-insensitive). The path is told in English and Japanese, e.g.

    your tier-2 supplier X (CHN) supplies 811292 to Y, which supplies you
    あなたの2次サプライヤー X（CHN）が 811292 を Y に供給し、Y があなたに供給しています

Who is alerted is decided in :meth:`fukugan.services.hub.Hub.publish`: only users of a touched
organisation for whom :func:`fukugan.hub.policy.can_read` allows the item; and
:meth:`fukugan.services.hub.Hub.alerts` re-checks ``can_read`` at read time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fukugan.store.workspace.models import Base, utcnow


class Alert(Base):
    __tablename__ = "hub_alerts"
    __table_args__ = (UniqueConstraint("user_id", "item_id", name="uq_hub_alerts_user_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("hub_users.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("hub_items.id"))
    path_en: Mapped[str] = mapped_column(Text)
    path_ja: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read: Mapped[bool] = mapped_column(default=False)


@dataclass(frozen=True)
class Link:
    """One link of a member's network (what the matcher needs)."""

    tier: int
    supplier: str
    supplier_country: str
    product_hs: str
    customer: str


@dataclass(frozen=True)
class AlertView:
    id: int
    item_id: int
    title: str
    path_en: str
    path_ja: str
    created_at: datetime
    read: bool


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def matches(link: Link, item_links: Mapping[str, Iterable[str]]) -> bool:
    countries = {c.upper() for c in item_links.get("country", ())}
    hs_codes = [h for h in item_links.get("hs", ()) if h]
    firms = {_key(f) for f in item_links.get("firm", ())}
    if link.supplier_country in countries:
        return True
    if any(link.product_hs.startswith(h) or h.startswith(link.product_hs) for h in hs_codes):
        return True
    return _key(link.supplier) in firms


def _chain(link: Link, network: Sequence[Link]) -> list[str]:
    """Names from ``link``'s customer up to (excluding) the member: [Y, Z, ...]."""
    by_supplier: dict[tuple[int, str], Link] = {}
    for lk in sorted(network, key=lambda x: (x.tier, x.supplier, x.product_hs, x.customer)):
        by_supplier.setdefault((lk.tier, _key(lk.supplier)), lk)
    out: list[str] = []
    cur = link
    while cur.tier > 1:
        out.append(cur.customer)
        nxt = by_supplier.get((cur.tier - 1, _key(cur.customer)))
        if nxt is None:  # validated networks always have one; be robust anyway
            break
        cur = nxt
    return out


def path_text(link: Link, network: Sequence[Link]) -> tuple[str, str]:
    """The path of ``link`` to the member, in English and Japanese."""
    chain = _chain(link, network)
    head_en = (
        f"your tier-{link.tier} supplier {link.supplier} ({link.supplier_country}) "
        f"supplies {link.product_hs} to "
    )
    head_ja = (
        f"あなたの{link.tier}次サプライヤー {link.supplier}（{link.supplier_country}）が "
        f"{link.product_hs} を"
    )
    if not chain:
        return head_en + "you", head_ja + "あなたに供給しています"
    en = head_en + chain[0]
    ja = head_ja + f" {chain[0]} に供給し"
    for a, b in zip(chain, chain[1:], strict=False):
        en += f", which supplies {b}"
        ja += f"、{a} が {b} に供給し"
    en += ", which supplies you"
    ja += f"、{chain[-1]} があなたに供給しています"
    return en, ja


def exposure_paths(
    network: Sequence[Link], item_links: Mapping[str, Iterable[str]]
) -> list[tuple[str, str]]:
    """The (English, Japanese) paths of every link of ``network`` the item touches (sorted by
    tier, deduplicated); empty when the item does not touch the network."""
    item_links = {k: list(v) for k, v in item_links.items()}
    out: list[tuple[str, str]] = []
    for lk in sorted(network, key=lambda x: (x.tier, x.supplier, x.product_hs, x.customer)):
        if matches(lk, item_links):
            p = path_text(lk, network)
            if p not in out:
                out.append(p)
    return out
