"""Exercise consoles (htmx): the facilitator's and the players' for hub users.

``/exercises`` lists the exercises and starts one from a bundled package (the user who starts
it is its facilitator). ``/exercises/{id}`` is the console of the role the user plays there:
the facilitator starts, advances, pauses, resumes and ends the exercise, releases scheduled
injects, fires held ones by hand, assigns hub users to roles and previews the timeline;
players see their role's injects (intelligence injects only as the hub's markings allow:
:func:`fukugan.hub.policy.can_read`), take their decisions and see their KPIs against the
no-action baseline; evaluators record observations and improvement items, players lessons.

The console's body polls ``/exercises/{id}/console?since=TOKEN`` every second and is only
swapped when the exercise changed (204 otherwise), so every console shows a facilitator's
action within a second and a half-filled form is never reset. Every form carries the session's
CSRF token; a refused action (twice, late, wrong role) shows its message and changes nothing.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fukugan.errors import FukuganError
from fukugan.exercises.model import ExerciseRefused
from fukugan.i18n import t
from fukugan.web.hub_pages.frame import FormUser, SessionUser, _form, _hub, _s
from fukugan.web.pages import Prefs, render

router = APIRouter(include_in_schema=False)
_lock = threading.Lock()
ACTIONS = ("start", "advance", "pause", "resume", "end", "release", "best")


def service(request: Request):  # noqa: ANN201 - ExerciseService
    """The app's exercise service, on the hub's workspace database (opened once)."""
    from fukugan.services.exercises import ExerciseService

    state = request.app.state
    if getattr(state, "exercises", None) is None:
        with _lock:
            if getattr(state, "exercises", None) is None:
                hub = _hub(request)
                state.exercises = ExerciseService(state.platform.store, engine=hub.engine)
    return state.exercises


def _packages() -> list[dict[str, str]]:
    from fukugan.scenarios.exercise import bundled_packages

    return [{"file": p.name, "name": p.stem} for p in bundled_packages()]


def _token(view: dict[str, Any], best: dict[str, Any] | None = None) -> str:
    b = (
        f".b{best['done']}{'r' if best['running'] else 'e' if best['error'] else 'd'}"
        if best
        else ""
    )
    return f"{view['version']}.{view['run']}.{view['status']}{b}"


def _console_context(request: Request, ex_id: str, user: Any, prefs: Prefs) -> dict[str, Any]:
    svc = service(request)
    view = svc.view(ex_id, user_id=user.user_id, lang=prefs.lang)
    ex = svc.exercise(ex_id)
    role = ex.role(view["role"])
    best = svc.best_progress(ex_id)
    ctx: dict[str, Any] = {"view": view, "ex_id": ex_id, "role_kind": role.kind, "best": best,
                           "since": _token(view, best)}  # fmt: skip
    if role.kind == "facilitator":
        ctx["timeline"] = svc.timeline(ex_id)
        ctx["roles"] = [{"id": r.id, "name": r.name.get(prefs.lang)} for r in ex.roles]
    return ctx


@router.get("/exercises", response_class=HTMLResponse)
def exercises_page(request: Request, user: SessionUser) -> Response:
    prefs = Prefs.of(request)
    svc = service(request)
    mine = [e for e in svc.list() if svc.role_of(e["id"], user.user_id)]
    return _page(request, "exercises.html", prefs, user, exercises=mine, packages=_packages())


def _page(request: Request, template: str, prefs: Prefs, user: Any, **ctx: Any) -> Response:
    hub = _hub(request)
    from fukugan.api import hub_auth

    resp = render(
        request,
        template,
        prefs,
        active="exercises",
        hub_user=user,
        csrf=hub.csrf_token(hub_auth.session_token(request)),
        **ctx,
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@router.post("/exercises")
async def create_exercise(request: Request, who: FormUser) -> Response:
    from fukugan.scenarios.exercise import PACKAGES

    form = await _form(request)
    name = _s(form, "package", 200)
    if name not in {p["file"] for p in _packages()}:
        return RedirectResponse("/exercises?error=package", status_code=303)
    svc = service(request)

    def create() -> str:
        ex_id = svc.create(PACKAGES / name, owner_user_id=who.user_id)
        ex = svc.exercise(ex_id)
        white = next(r.id for r in ex.roles if r.kind == "facilitator")
        svc.assign(ex_id, who.user_id, white)
        return ex_id

    ex_id = await run_in_threadpool(create)
    return RedirectResponse(f"/exercises/{ex_id}", status_code=303)


@router.get("/exercises/{ex_id}", response_class=HTMLResponse)
def console_page(request: Request, ex_id: str, user: SessionUser) -> Response:
    prefs = Prefs.of(request)
    try:
        ctx = _console_context(request, ex_id, user, prefs)
    except ExerciseRefused as e:
        resp = render(request, "error.html", prefs, status=404, status_code=404,
                      detail=e.text(prefs.lang), active="")  # fmt: skip
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
    message = request.query_params.get("msg", "")
    return _page(request, "exercise.html", prefs, user, message=message[:500], **ctx)


@router.get("/exercises/{ex_id}/console", response_class=HTMLResponse)
def console_fragment(request: Request, ex_id: str, user: SessionUser) -> Response:
    prefs = Prefs.of(request)
    try:
        ctx = _console_context(request, ex_id, user, prefs)
    except ExerciseRefused:
        return Response(status_code=404)
    if request.query_params.get("since") == _token(ctx["view"], ctx["best"]):
        return Response(status_code=204)  # unchanged: htmx keeps what is on screen
    resp = _page(request, "_exercise_console.html", prefs, user, message="", **ctx)
    return resp


def _back(ex_id: str, message: str = "") -> Response:
    q = f"?msg={quote(message)}" if message else ""
    return RedirectResponse(f"/exercises/{ex_id}{q}", status_code=303)


def _is_facilitator(request: Request, ex_id: str, user_id: int) -> bool:
    svc = service(request)
    role = svc.role_of(ex_id, user_id)
    r = svc.exercise(ex_id).role(role) if role else None
    return r is not None and r.kind == "facilitator"


async def _do(request: Request, ex_id: str, fn) -> Response:  # noqa: ANN001
    prefs = Prefs.of(request)
    try:
        await run_in_threadpool(fn)
    except ExerciseRefused as e:
        return _back(ex_id, e.text(prefs.lang))
    except FukuganError as e:
        return _back(ex_id, str(e))
    return _back(ex_id)


@router.post("/exercises/{ex_id}/action/{action}")
async def facilitator_action(request: Request, ex_id: str, action: str, who: FormUser) -> Response:
    prefs = Prefs.of(request)
    if action not in ACTIONS:
        return Response(status_code=404)
    if not await run_in_threadpool(_is_facilitator, request, ex_id, who.user_id):
        return _back(ex_id, t("web-exercise-facilitator-only", prefs.lang))
    svc = service(request)
    if action == "best":  # every combination through the engine, in the background

        def start() -> None:
            if not svc.start_best_response(ex_id):
                raise ExerciseRefused("exercise-refused-best-running")

        return await _do(request, ex_id, start)
    return await _do(request, ex_id, lambda: getattr(svc, action)(ex_id, user_id=who.user_id))


@router.post("/exercises/{ex_id}/fire/{inject_id}")
async def fire_inject(request: Request, ex_id: str, inject_id: str, who: FormUser) -> Response:
    prefs = Prefs.of(request)
    if not await run_in_threadpool(_is_facilitator, request, ex_id, who.user_id):
        return _back(ex_id, t("web-exercise-facilitator-only", prefs.lang))
    svc = service(request)
    return await _do(request, ex_id, lambda: svc.fire(ex_id, inject_id, user_id=who.user_id))


@router.post("/exercises/{ex_id}/assign")
async def assign(request: Request, ex_id: str, who: FormUser) -> Response:
    prefs = Prefs.of(request)
    if not await run_in_threadpool(_is_facilitator, request, ex_id, who.user_id):
        return _back(ex_id, t("web-exercise-facilitator-only", prefs.lang))
    form = await _form(request)
    username, role = _s(form, "username", 120), _s(form, "role", 80)
    svc = service(request)

    def fn() -> None:
        user_id = _hub(request).find("user", username)
        svc.assign(ex_id, user_id, role)

    return await _do(request, ex_id, fn)


@router.post("/exercises/{ex_id}/decide")
async def decide(request: Request, ex_id: str, who: FormUser) -> Response:
    form = await _form(request)
    point, option = _s(form, "point", 80), _s(form, "option", 80)
    svc = service(request)
    return await _do(request, ex_id, lambda: svc.decide(ex_id, point, option, user_id=who.user_id))


@router.post("/exercises/{ex_id}/note")
async def note(request: Request, ex_id: str, who: FormUser) -> Response:
    form = await _form(request)
    kind = _s(form, "kind", 20)
    fields = {k: _s(form, k, 4000) for k in ("objective", "rating", "text", "issue", "action",
                                              "owner", "due", "practice")}  # fmt: skip
    fields = {k: v for k, v in fields.items() if v}
    fields["strength"] = _s(form, "strength", 5) == "on"
    svc = service(request)

    def fn() -> None:
        role = svc.role_of(ex_id, who.user_id)
        if role is None:
            raise ExerciseRefused("exercise-refused-not-a-player", user=who.username)
        if kind != "observation":
            fields.pop("strength")
        svc.record(ex_id, kind, role=role, user_id=who.user_id, **fields)

    return await _do(request, ex_id, fn)


@router.get("/exercises/{ex_id}/aar", response_class=HTMLResponse)
def aar(request: Request, ex_id: str, user: SessionUser) -> Response:
    from fukugan.reports.exercise import exercise_aar
    from fukugan.reports.render import render_html

    prefs = Prefs.of(request)
    svc = service(request)
    if svc.role_of(ex_id, user.user_id) is None:
        return Response(status_code=404)
    doc = exercise_aar(svc, ex_id, prefs.lang)
    other = "ja" if prefs.lang == "en" else "en"
    links = {
        "back": f"/exercises/{ex_id}",
        "other_lang": f"/exercises/{ex_id}/aar?lang={other}",
        "pdf": f"/exercises/{ex_id}/aar.pdf?lang={prefs.lang}",
    }
    html = render_html(doc, links=links)
    return HTMLResponse(html, headers={"Cache-Control": "private, no-store"})


@router.get("/exercises/{ex_id}/aar.pdf")
def aar_pdf(request: Request, ex_id: str, user: SessionUser) -> Response:
    from fukugan.reports.exercise import exercise_aar
    from fukugan.reports.render import render_pdf

    prefs = Prefs.of(request)
    svc = service(request)
    if svc.role_of(ex_id, user.user_id) is None:
        return Response(status_code=404)
    pdf = render_pdf(exercise_aar(svc, ex_id, prefs.lang))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'attachment; filename="aar-{ex_id}-{prefs.lang}.pdf"',
        },
    )
