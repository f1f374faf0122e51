"""Response-planning pages: ``/plans`` (the shipped plans) and ``/plans/{id}`` (one solved: the
efficient frontier as an inline SVG chart, the portfolio table, the scenario check).

The figures come from :meth:`fukugan.app.platform.Platform.plan` (cached per store
fingerprint); the chart is drawn server-side by :func:`fukugan.reports.svg.line_chart`, as in the
briefings, so the page needs no script and prints.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from fukugan.i18n import t

router = APIRouter(include_in_schema=False)


@router.get("/plans", response_class=HTMLResponse)
def plans_page(request: Request) -> HTMLResponse:
    from fukugan.web.pages import Prefs, render

    prefs = Prefs.of(request)
    plans = request.app.state.platform.plans()
    return render(request, "plans.html", prefs, plans=plans, view=None, active="plans")


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: str) -> HTMLResponse:
    from fukugan.reports.svg import line_chart
    from fukugan.web.pages import Prefs, render

    prefs = Prefs.of(request)
    lang = prefs.lang
    platform = request.app.state.platform
    view = platform.plan(plan_id, lang)
    fr = view["summary"]["frontier"]
    chart = line_chart(
        {
            t("plan-frontier-legend-mean", lang): [(f["budget"], f["expected_loss"]) for f in fr],
            t("plan-frontier-legend-cvar", lang): [(f["budget"], f["cvar"] or 0.0) for f in fr],
        },
        x_label=t("plan-frontier-x", lang),
        y_label=t("plan-frontier-y", lang),
        title=t("plan-frontier-title", lang),
    )
    return render(
        request,
        "plans.html",
        prefs,
        plans=platform.plans(),
        view=view,
        chart=chart,
        active="plans",
    )
