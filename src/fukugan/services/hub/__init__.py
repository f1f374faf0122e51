"""Hub service: organisations, users, sharing groups, publishing and reading intelligence items.

Every read path (:meth:`Hub.get_item`, :meth:`Hub.list_items`, :meth:`Hub.search`,
:meth:`Hub.export`) loads candidate rows and keeps exactly those that
:func:`fukugan.hub.policy.can_read` allows; SQL only narrows candidates by the user's own filters
(type, link, text), never by access rights. Every read and write appends a row to the
hash-chained audit log in the same transaction.
"""

from __future__ import annotations

from fukugan.hub import audit
from fukugan.services.hub.accounts import AccountsMixin
from fukugan.services.hub.common import ANONYMOUS, ItemView, dict_links, marking, principal
from fukugan.services.hub.consortium import ConsortiumMixin
from fukugan.services.hub.exchange import ExchangeMixin
from fukugan.services.hub.items import ItemsMixin
from fukugan.services.hub.logins import LoginsMixin
from fukugan.services.hub.networks import NetworksMixin

__all__ = ["ANONYMOUS", "Hub", "ItemView", "dict_links", "marking", "principal"]


class Hub(AccountsMixin, LoginsMixin, ItemsMixin, NetworksMixin, ExchangeMixin, ConsortiumMixin):
    """The hub over the workspace database (SQLite or PostgreSQL, migrated at open): one
    object whose parts live in one module each (accounts, logins, items, networks and alerts,
    exchange, consortium)."""

    # -- audit -------------------------------------------------------------------------------
    def verify_audit(self) -> audit.VerifyResult:
        with self.sessions() as s:
            return audit.verify_chain(s)
