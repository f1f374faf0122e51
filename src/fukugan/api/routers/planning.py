"""``/api/v1/plans``: response planning (capability C4) — the shipped plans, one solved, or a
plan posted as data.

A solved plan is ``{id, lang, summary, reports}``: ``summary`` holds every figure of
``fukugan plan``'s ``summary.json`` (portfolio with costs, lead times and marginal values,
frontier, VSS / EVPI, the loss of each scenario without measures, predicted and re-run through
the engine, the sources); ``reports`` the three tables presented in ``lang``. Solving runs the
scenarios' engines and the MIP (tens of seconds for the shipped plan); a shipped plan's result
is cached per store fingerprint, a posted one is solved on every call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel

from fukugan.api.models import ReportOut
from fukugan.api.params import LangQ, PlatformDep
from fukugan.errors import InputError

router = APIRouter(tags=["planning"])

PlanBody = Annotated[
    dict[str, Any],
    Body(
        description="A plan (the YAML format of `fukugan plan`, as JSON); scenario paths name "
        "shipped scenarios by file name, e.g. graphite-export-restriction.yaml."
    ),
]


class PlanInfo(BaseModel):
    id: str
    name: str
    description: dict[str, str]
    n_scenarios: int
    n_measures: int
    budget: float | None = None


class PlanList(BaseModel):
    plans: list[PlanInfo]


class PlanOut(BaseModel):
    id: str
    lang: str
    summary: dict[str, Any]
    reports: list[ReportOut]


@router.get("/plans", response_model=PlanList, summary="The shipped response plans")
def list_plans(platform: PlatformDep) -> dict[str, Any]:
    """Plans shipped with fukugan (``scenarios/examples/plans``): measures against scenarios."""
    return {"plans": platform.plans()}


@router.get("/plans/{plan_id}", response_model=PlanOut, summary="A shipped plan, solved")
def get_plan(plan_id: str, platform: PlatformDep, lang: LangQ = "en") -> dict[str, Any]:
    """The optimal portfolio, the frontier, marginal values, VSS / EVPI and the engine re-run of
    a shipped plan (computed once per store fingerprint)."""
    return platform.plan(plan_id, lang)


@router.post("/plans", response_model=PlanOut, summary="Solve a plan posted as data")
def post_plan(
    platform: PlatformDep,
    plan: PlanBody,
    lang: LangQ = "en",
) -> dict[str, Any]:
    """Validate and solve a plan. Bad input is a 400 naming the field."""
    for i, s in enumerate(plan.get("scenarios") or [] if isinstance(plan, dict) else []):
        p = s.get("path") if isinstance(s, dict) else None
        if isinstance(p, str) and Path(p).name != p:
            raise InputError(
                "a posted plan names shipped scenarios by file name only (no directories)",
                field=f"scenarios[{i}].path",
            )
    return platform.solve_plan(plan, lang)
