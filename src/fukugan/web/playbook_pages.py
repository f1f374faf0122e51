"""The playbook library: ``/playbooks`` (the bundled playbooks) and ``/playbooks/{id}`` (one
playbook's practices with their sources and, from the exercises the signed-in user takes part
in, the decisions that followed each practice and the lessons tied to it).

Signed-in users only, like the exercises it draws on; the figures come from
:mod:`fukugan.services.playbooks`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fukugan.errors import UnknownItemError
from fukugan.web.exercise_pages import _page, service
from fukugan.web.hub_pages.frame import SessionUser
from fukugan.web.pages import Prefs, render

router = APIRouter(include_in_schema=False)


@router.get("/playbooks", response_class=HTMLResponse)
def playbooks_page(request: Request, user: SessionUser) -> Response:
    from fukugan.services.playbooks import library

    prefs = Prefs.of(request)
    return _page(request, "playbooks.html", prefs, user, books=library(prefs.lang), book=None)


@router.get("/playbooks/{book_id}", response_class=HTMLResponse)
def playbook_page(request: Request, book_id: str, user: SessionUser) -> Response:
    from fukugan.services.playbooks import library, playbook_view

    prefs = Prefs.of(request)
    try:
        book = playbook_view(book_id, prefs.lang, exercises=service(request), user_id=user.user_id)
    except UnknownItemError as e:
        resp = render(request, "error.html", prefs, status=404, status_code=404,
                      detail=str(e), active="")  # fmt: skip
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
    return _page(request, "playbooks.html", prefs, user, books=library(prefs.lang), book=book)
