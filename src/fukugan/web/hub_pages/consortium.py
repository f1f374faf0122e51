"""Consortium dashboard (k-anonymous aggregates of members' networks)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fukugan.errors import InputError
from fukugan.hub.policy import HubError, PermissionDenied
from fukugan.i18n import t
from fukugan.web.hub_pages.frame import SessionUser, _countries, _error, _hub, _page
from fukugan.web.pages import Prefs

router = APIRouter(include_in_schema=False)


# -- consortium ------------------------------------------------------------------------------
@router.get("/hub/consortium", response_class=HTMLResponse)
def consortium_page(request: Request, user: SessionUser) -> Response:
    prefs = Prefs.of(request)
    q = request.query_params
    view = q.get("view") if q.get("view") in ("country", "supplier") else "country"
    doc, error = None, None
    try:
        doc = _hub(request).consortium(user, view=view)
    except PermissionDenied:
        return _error(request, prefs, 403, t("web-hub-consortium-denied", prefs.lang))
    except (HubError, InputError) as e:
        error = str(e)
    grid: dict[tuple[str, str], Any] = {}
    guarantee: dict[str, Any] = {"text": "", "limits": []}
    if doc:
        for c in doc["cells"]:
            grid[(str(c["row"]), str(c["col"]))] = c
        text = doc.get("guarantee_ja" if prefs.lang == "ja" else "guarantee_en") or ""
        guarantee = _guarantee(text)
    return _page(
        request,
        "hub_consortium.html",
        prefs,
        tab="consortium",
        doc=doc,
        grid=grid,
        view=view,
        error=error,
        guarantee=guarantee,
        country_names=dict(_countries(request)),
    )


def _guarantee(text: str) -> dict[str, Any]:
    """The service's guarantee, split into the promise and its limits (one sentence each)."""
    import re

    for marker in ("Limits:", "限界："):
        if marker in text:
            head, tail = text.split(marker, 1)
            sentences = re.findall(r"[^。.]+(?:[。.]|$)", tail)
            limits = [s.strip()[:1].upper() + s.strip()[1:] for s in sentences if s.strip()]
            return {"text": head.strip(), "limits": limits}
    return {"text": text.strip(), "limits": []}
