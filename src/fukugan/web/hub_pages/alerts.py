"""Hub alerts inbox: mark read, and one-click runs of an alert's scenario."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fukugan.errors import FukuganError
from fukugan.hub.policy import NotFoundError, PermissionDenied, Principal
from fukugan.i18n import t
from fukugan.web.hub_pages.frame import FormUser, SessionUser, _error, _hub, _int_id, _page
from fukugan.web.pages import Prefs

router = APIRouter(include_in_schema=False)


# -- alerts ----------------------------------------------------------------------------------
def _alerts_page(
    request: Request,
    prefs: Prefs,
    user: Principal,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    alerts = _hub(request).alerts(user)
    alerts = sorted(alerts, key=lambda a: (a.read, -a.id))
    return _page(
        request,
        "hub_alerts.html",
        prefs,
        tab="alerts",
        status=status,
        alerts=alerts,
        unread=sum(1 for a in alerts if not a.read),
        error=error,
    )


@router.get("/hub/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, user: SessionUser) -> Response:
    prefs = Prefs.of(request)
    return _alerts_page(request, prefs, user)


@router.post("/hub/alerts/{alert_id}/read")
async def mark_read(request: Request, alert_id: str, who: FormUser) -> Response:
    prefs = Prefs.of(request)
    aid = _int_id(alert_id)
    try:
        if aid is None:
            raise NotFoundError("no alert")
        await run_in_threadpool(_hub(request).mark_alert_read, who, aid)
    except NotFoundError:
        return _error(request, prefs, 404, t("web-hub-alert-missing", prefs.lang))
    return RedirectResponse(f"/hub/alerts#alert-{aid}", status_code=303)


@router.post("/hub/alerts/{alert_id}/run")
async def run_alert(request: Request, alert_id: str, who: FormUser) -> Response:
    """One click: the alert's matching scenario, queued as a run owned by the user."""
    from fukugan.scenarios.schema import ScenarioError

    prefs = Prefs.of(request)
    aid = _int_id(alert_id)
    hub = _hub(request)
    runs = request.app.state.runs
    try:
        if aid is None:
            raise NotFoundError("no alert")
        yaml_text = await run_in_threadpool(hub.alert_scenario, who, aid)
        run = await run_in_threadpool(
            lambda: runs.submit(
                yaml=yaml_text, filename=f"hub-alert-{aid}.yaml", owner_user_id=who.user_id
            )
        )
    except NotFoundError:
        return _error(request, prefs, 404, t("web-hub-alert-missing", prefs.lang))
    except PermissionDenied as e:
        return _error(request, prefs, 403, str(e))
    except (ScenarioError, FukuganError) as e:
        return _alerts_page(request, prefs, who, error=str(e), status=422)
    return RedirectResponse(f"/runs/{run['id']}", status_code=303)
