"""Hub pages: feed, item, publish, alerts inbox, own network, consortium dashboard, STIX, login,
and the organisation admin's user management.

Handlers only read the request, ask the hub service (:class:`fukugan.services.hub.Hub`, through
the shared helpers of :mod:`fukugan.api.hub_auth`) and render a template in the user's language
(the layout, language and cookies of :mod:`fukugan.web.pages`). They never query tables and never
decide who may read what: every item, alert, network row and consortium cell shown comes from a
hub method that applies the policy itself.

- Anonymous visitors see what the hub gives anonymous users (TLP:CLEAR items only).
- Every state-changing form (publish, upload, import, mark read, run, logout, add / disable /
  enable a user) carries the session's CSRF token in a hidden ``csrf_token`` field; a missing or
  wrong token is a 403 page and nothing changes. Logging in is guarded by the ``Origin`` check
  below (there is no session yet to bind a token to) and by the hub's login rate limit.
- An item the user may not read is the same 404 page as an item that does not exist.
- ``/hub/admin`` is for an organisation's admins (403 page for other roles): their own
  organisation's users only (another's is the 404 page of a missing user); the password typed
  into the add-user form is never sent back.
"""

from __future__ import annotations

from fastapi import FastAPI

from fukugan.web.hub_pages import admin, alerts, consortium, items, login, network, stix
from fukugan.web.hub_pages.frame import (
    LoginRequired,
    PageRefused,
    _login_required,
    _refused,
    amount,
    header_session,
    related_items,
)
from fukugan.web.pages import templates

__all__ = ["header_session", "install", "related_items"]


def install(app: FastAPI) -> None:
    """Serve the hub pages on ``app`` and show the login state in every page's header. A page
    that needs a session redirects to the login form, a refused one shows the 403 page: both
    raised by the dependencies of :mod:`fukugan.web.hub_pages.frame` and handled here once."""
    templates.env.globals["hub_session"] = header_session
    templates.env.filters["amount"] = amount
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(PageRefused, _refused)
    for module in (login, items, alerts, network, consortium, stix, admin):
        app.include_router(module.router)
