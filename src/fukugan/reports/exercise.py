"""The after-action report (AAR) of an exercise, in English or Japanese: the timeline of
injects and decisions, the KPI curves against the no-action baseline, the KPIs turn by turn,
the evaluators' observations (strengths and areas for improvement, rated against the
objectives as in HSEEP's Exercise Evaluation Guides), the players' lessons and the improvement
plan (issue, corrective action, owner, due date). Rendered by :mod:`fukugan.reports.render`
(HTML, and PDF through WeasyPrint).

Every figure is read from the exercise's runs (:meth:`ExerciseService.runs`), which are the
run directories' own numbers: the report computes nothing of its own except the differences.
"""

from __future__ import annotations

import itertools
import math
from datetime import date
from typing import Any

from fukugan.i18n import t, unit_name
from fukugan.provenance import Provenance
from fukugan.reports import svg
from fukugan.scenarios.playbook import practices_of
from fukugan.store.rundir import read_run

__all__ = ["exercise_aar"]


def _event_text(ex, ev: dict[str, Any], lang: str) -> str:  # noqa: ANN001 - Exercise
    from fukugan.exercises.rules import inject_texts

    p = dict(ev["payload"])
    kind = ev["kind"]
    if "inject" in p:
        inj = ex.inject(p["inject"])
        p["subject"] = inject_texts(inj, p.get("changes", []))["subject"].get(lang)
    if kind == "decision":
        dp = ex.decision(p["point"])
        role = ex.role(ev["role"])
        p["role"] = role.name.get(lang) if role else ev["role"]
        p["point"] = dp.prompt.get(lang)
        p["option"] = dp.option(p["option"]).label.get(lang)
    if kind == "turn":
        p.setdefault("day", ex.first_day(ev["turn"]))
    p.setdefault("rating", "")
    p.setdefault("text", "")
    p.setdefault("issue", "")
    try:
        return t(f"exercise-ev-{kind}", lang, **p)
    except (KeyError, IndexError):
        return kind


def _choice(ex, d: dict[str, Any], lang: str) -> dict[str, Any] | None:  # noqa: ANN001
    """A decision record (``point``, ``option``, ``turn``) as the AAR shows it; ``None`` for a
    point or option the package does not have."""
    dp = ex.decision(d["point"])
    opt = dp.option(d["option"]) if dp else None
    if dp is None or opt is None:
        return None
    role = ex.role(dp.role)
    return {
        "turn": d["turn"],
        "point": d["point"],
        "prompt": dp.prompt.get(lang),
        "role": role.name.get(lang) if role else dp.role,
        "option": opt.label.get(lang),
        "option_id": opt.id,
        "effective_day": ex.effective_day(d["turn"]),
        "responses": [r["type"] for r in opt.responses],
        "practice": opt.practice or "",
    }


def exercise_aar(service: Any, ex_id: str, lang: str = "en", *, today: date | None = None) -> dict:
    """The AAR document of exercise ``ex_id`` (for :func:`fukugan.reports.render.render_html`)."""
    from fukugan.app.format import fmt
    from fukugan.services.runs import figures

    ex = service.exercise(ex_id)
    runs = {r["label"]: r for r in service.runs(ex_id)}
    state = service.state(ex_id)
    events = service.events(ex_id)
    base = runs.get("baseline") or {}
    final = runs.get("final") or runs.get(f"turn-{state['turn']}") or base
    raw_unit = (final.get("curve") or {}).get("unit", "")
    # a daily loss summed over days: "million USD per day" → "million USD"
    total_unit = unit_name(figures.total_unit(raw_unit), lang)
    unit = unit_name(raw_unit, lang)
    horizon = len((final.get("curve") or {}).get("daily", []))
    # an engine without a loss per day (the exposure LP: each outage's loss over its time to
    # recover, on the day its node is back) is drawn as the loss so far, in the unit of a
    # total, and its totals are named for what they are (lost profit over the outages)
    per_day = (final.get("curve") or {}).get("per_day", True)
    lp = "" if per_day else "-lp"

    timeline = [
        {
            "seq": e["seq"],
            "turn": e["turn"],
            "day": ex.first_day(e["turn"]) if e["turn"] else 0,
            "kind": e["kind"],
            "role": (ex.role(e["role"]).name.get(lang) if e["role"] and ex.role(e["role"]) else ""),
            "text": _event_text(ex, e, lang),
        }
        for e in events
        if e["kind"] not in ("observation", "lesson", "improvement")
    ]
    decisions = [c for d in state["decisions"] if (c := _choice(ex, d, lang)) is not None]
    best_run = runs.get("best") if (runs.get("best") or {}).get("status") == "done" else None
    taken = {d["point"]: d["option_id"] for d in decisions}
    best_decisions = [
        {**c, "same": taken.get(c["point"]) == c["option_id"]}
        for d in (best_run or {}).get("decisions", [])
        if (c := _choice(ex, d, lang)) is not None
    ]
    labels = ["baseline", *[f"turn-{k}" for k in range(1, ex.turns + 1)], "final", "best"]
    columns = [lb for lb in labels if lb in runs and runs[lb]["status"] == "done"]
    kpi_rows = []
    for k in ex.kpis:
        kpi_rows.append(
            {
                "id": k.id,
                "label": k.label.get(lang),
                "values": [
                    {
                        "run": lb,
                        "value": runs[lb]["kpis"].get(k.id),
                        "text": fmt(runs[lb]["kpis"].get(k.id), "number"),
                    }
                    for lb in columns
                ],
            }
        )
    named = {lb: t(f"exercise-{k}", lang) for lb, k in
             (("baseline", "baseline"), ("final", "outcome"), ("best", "best-response"))}  # fmt: skip
    col_labels = [named.get(lb) or f"{t('exercise-turn', lang)} {lb[5:]}" for lb in columns]

    def line(run: dict[str, Any]) -> list[tuple[int, float]]:
        daily = (run.get("curve") or {}).get("daily", [])
        ys = daily if per_day else list(itertools.accumulate(daily))
        return [(i + 1, v) for i, v in enumerate(ys)]

    turn_marks = [(ex.effective_day(d["turn"]), d["point"]) for d in state["decisions"]]
    chart = svg.line_chart(
        {
            t("exercise-baseline", lang): line(base),
            t("exercise-outcome", lang): line(final),
            **({t("exercise-best-response", lang): line(best_run)} if best_run else {}),
        },
        x_label=t("exercise-day", lang),
        y_label=unit if per_day else total_unit,
        title=t("exercise-kpi-curves" if per_day else "exercise-kpi-curves-cumulative", lang),
        markers=turn_marks,
    )
    per_turn = [
        (runs[lb]["turn"], runs[lb]["curve"].get("total", 0.0))
        for lb in columns
        if lb.startswith("turn-")
    ]
    turn_chart = (
        svg.line_chart(
            per_turn,
            x_label=t("exercise-turn", lang),
            y_label=f"{t('exercise-total-loss' + lp, lang)} ({total_unit})",
            title=t("exercise-kpis-by-turn", lang),
        )
        if per_turn
        else ""
    )

    notes = [e for e in events if e["kind"] in ("observation", "lesson", "improvement")]
    objectives = {o: txt.get(lang) for o, txt in ex.objectives}
    observations = [
        {
            "objective": n["payload"].get("objective"),
            "objective_text": objectives.get(n["payload"].get("objective"), ""),
            "rating": n["payload"]["rating"],
            "strength": n["payload"]["strength"],
            "text": n["payload"]["text"],
            "role": n["role"],
            "turn": n["turn"],
        }
        for n in notes
        if n["kind"] == "observation"
    ]
    lessons = [
        {
            "text": n["payload"]["text"],
            "role": ex.role(n["role"]).name.get(lang) if ex.role(n["role"]) else n["role"],
            "turn": n["turn"],
        }
        for n in notes
        if n["kind"] == "lesson"
    ]
    plan = [dict(n["payload"]) for n in notes if n["kind"] == "improvement"]
    practices = []
    for p in practices_of(ex, lang):
        practices.append(
            {
                **p,
                "followed": [d["point"] for d in decisions if d["practice"] == p["ref"]],
                "best": any(d["practice"] == p["ref"] for d in best_decisions),
                "lessons": [
                    n["payload"]["text"]
                    for n in notes
                    if n["kind"] == "lesson" and n["payload"].get("practice") == p["ref"]
                ],
            }
        )
    ratings = {}
    for o in observations:
        if o["objective"]:
            ratings.setdefault(o["objective"], []).append(o["rating"])

    b_total = (base.get("curve") or {}).get("total")
    f_total = (final.get("curve") or {}).get("total")
    findings = []
    if b_total is not None and f_total is not None and b_total > 0:
        change = (f_total - b_total) / b_total
        findings.append(
            t(
                ("exercise-finding-outcome" if change <= 0 else "exercise-finding-worse") + lp,
                lang,
                days=horizon,
                base=fmt(b_total, "number"),
                final=fmt(f_total, "number"),
                unit=total_unit,
                share=fmt(abs(change), "percent"),
            )
        )
    best_total = (best_run or {}).get("curve", {}).get("total")
    if best_total is not None and b_total is not None and f_total is not None:
        avoid_best, avoid = b_total - best_total, b_total - f_total
        findings.append(
            t(
                "exercise-finding-best",
                lang,
                n=math.prod(len(dp.options) for dp in ex.decisions),
                best=fmt(best_total, "number"),
                unit=total_unit,
                share=fmt(avoid / avoid_best, "percent") if avoid_best > 0 else "–",
                same=sum(1 for d in best_decisions if d["same"]),
                total=len(best_decisions),
            )
        )
    statuses = [v["status"] for v in state["injects"].values()]
    findings.append(
        t(
            "exercise-finding-decisions",
            lang,
            n=len(state["decisions"]),
            total=len(ex.decisions),
            missed=sum(
                1
                for dp in ex.decisions
                if dp.closes < state["turn"]
                and dp.id not in {d["point"] for d in state["decisions"]}
            ),
        )
    )
    findings.append(
        t(
            "exercise-finding-injects",
            lang,
            released=statuses.count("released"),
            by_hand=sum(1 for v in state["injects"].values() if v["by_hand"]),
            suppressed=statuses.count("suppressed"),
            held=statuses.count("held"),
        )
    )
    rec = (final.get("curve") or {}).get("recovery_day")
    kpis = [
        {"label": t("exercise-total-loss" + lp, lang), "value": fmt(f_total, "number")},
        {"label": t("exercise-total-loss-baseline" + lp, lang), "value": fmt(b_total, "number")},
        {
            "label": t("exercise-loss-avoided", lang),
            "value": fmt(
                (b_total - f_total) if b_total is not None and f_total is not None else None,
                "number",
            ),
        },
        {
            "label": t("exercise-recovery-day", lang),
            "value": (
                t("web-not-computed", lang)
                if not per_day
                else fmt(rec, "number")
                if rec is not None
                else t("exercise-never", lang)
            ),
        },
    ]
    sources = []
    if final.get("run_dir"):
        try:
            _, _, summary = read_run(final["run_dir"])
            sources = [Provenance.from_dict(s).source_doc() for s in summary.get("sources", [])]
        except (OSError, ValueError):
            sources = []
    return {
        "kind": "exercise",
        "lang": lang,
        "title": ex.title.get(lang),
        "kicker": t("exercise-aar-kicker", lang),
        "subtitle": ex.description.get(lang),
        "date": (today or date.today()).isoformat(),
        "exercise_id": ex_id,
        "turns": ex.turns,
        "days_per_turn": ex.days_per_turn,
        "status": t(f"exercise-status-{state['status']}", lang),
        "unit": unit,
        "findings": findings,
        "kpis": kpis,
        "totals": {"baseline": b_total, "final": f_total, "best": best_total},
        "best_decisions": best_decisions,
        "practices": practices,
        "best_computed": best_run is not None,
        "best_progress": (
            service.best_progress(ex_id) if hasattr(service, "best_progress") else None
        ),
        "objectives": [
            {"id": o, "text": txt, "ratings": ratings.get(o, [])} for o, txt in objectives.items()
        ],
        "timeline": timeline,
        "decisions": decisions,
        "kpi_columns": col_labels,
        "kpi_runs": columns,
        "kpi_rows": kpi_rows,
        "curve_svg": chart,
        "turn_svg": turn_chart,
        "strengths": [o for o in observations if o["strength"]],
        "gaps": [o for o in observations if not o["strength"]],
        "lessons": lessons,
        "plan": plan,
        "runs": {lb: runs[lb]["run_dir"] for lb in columns},
        "sources": sources,
    }
