"""The briefing of a solved response plan, in English or Japanese: the chosen portfolio with
its cost and timing, the expected loss and CVaR against doing nothing, the efficient frontier
(chart and table), the loss of every scenario without measures, as the optimiser predicts it
with the plan and as the engines give it when re-run with the plan, the sensitivity to the
main assumptions, the value of the stochastic solution and of perfect information, and the
sources. Rendered by :mod:`fukugan.reports.render` (HTML, and PDF through WeasyPrint).

Every figure is the plan's ``summary.json`` (:func:`fukugan.services.planning.run_plan`): the
briefing computes nothing but the share of loss avoided.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from fukugan.i18n import commodity_name, t, unit_name
from fukugan.reports import svg

__all__ = ["plan_briefing"]


def _level(row: dict[str, Any], lang: str) -> str:
    from fukugan.app.format import fmt

    kind = row.get("level_unit")
    level = float(row["level"])
    if not row.get("chosen", level > 0):
        return "–"
    if kind == "days":
        return t("plan-level-days", lang, n=f"{level:,.0f}")
    if kind == "share":
        return fmt(level, "percent")
    return "✓"


def plan_briefing(
    plan: dict[str, Any] | str | Path, lang: str = "en", *, today: date | None = None
) -> dict[str, Any]:
    """The briefing document of a solved plan: its summary, or the directory (or file) that
    ``fukugan plan --out`` wrote."""
    from fukugan.app.format import fmt
    from fukugan.services.runs.figures import total_unit

    if not isinstance(plan, dict):
        from fukugan.errors import InputError

        p = Path(plan)
        f = p / "summary.json" if p.is_dir() else p
        try:
            plan = json.loads(f.read_text(encoding="utf-8"))
            plan["portfolio"], plan["plan"]  # noqa: B018 - the fields every briefing needs
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise InputError(f"{f}: not a plan summary written by fukugan plan ({e})") from None
    s = plan
    # losses are daily losses summed over each scenario's horizon
    unit = unit_name(total_unit(str(s.get("unit", ""))), lang)
    cost_unit = unit_name(str(s.get("cost_unit", "")), lang)
    chosen = [r for r in s["portfolio"] if r.get("chosen")]
    rest = [r for r in s["portfolio"] if not r.get("chosen")]

    scale = max(1.0, abs(float(s.get("rp") or 0.0)))

    def money(v: float | None) -> str:
        # a difference of two optima equal to rounding (VSS 1e-15) is written 0
        return fmt(0.0 if v is not None and abs(v) < 1e-9 * scale else v, "number")

    none, loss = s["expected_loss_without_measures"], s["expected_loss"]
    share = (none - loss) / none if none else None
    findings = [
        t(
            "plan-finding-portfolio",
            lang,
            n=len(chosen),
            of=len(s["portfolio"]),
            cost=money(s["total_cost"]),
            budget=money(s.get("budget")) if s.get("budget") is not None else "–",
            cost_unit=cost_unit,
        ),
        t(
            "plan-finding-loss",
            lang,
            none=money(none),
            loss=money(loss),
            unit=unit,
            share=fmt(share, "percent") if share is not None else "–",
        ),
    ]
    if s.get("engine_expected_loss") is not None:
        findings.append(
            t(
                "plan-finding-engine",
                lang,
                engine=money(s["engine_expected_loss"]),
                loss=money(loss),
                unit=unit,
            )
        )
    if chosen:
        top = max(chosen, key=lambda r: r.get("value_in_portfolio") or 0.0)
        findings.append(
            t(
                "plan-finding-top",
                lang,
                name=top["name"].get(lang) or top["name"]["en"],
                level=_level(top, lang),
                value=money(top.get("value_in_portfolio")),
                unit=unit,
            )
        )
    findings.append(
        t(
            "plan-finding-vss",
            lang,
            vss=money(s.get("vss")),
            evpi=money(s.get("evpi")),
            unit=unit,
        )
    )
    portfolio = [
        {
            "measure": r["measure"],
            "name": r["name"].get(lang) or r["name"]["en"],
            "kind": t(f"plan-kind-{r['kind']}", lang),
            "commodity": commodity_name(r["commodity"], r["commodity"], lang)
            if r.get("commodity")
            else "–",
            "chosen": bool(r.get("chosen")),
            "level": _level(r, lang),
            "cost": r["cost"],
            "lead_time_days": r.get("lead_time_days"),
            "value": r.get("value_in_portfolio"),
            "alone": r.get("loss_avoided_alone"),
            "cost_text": money(r["cost"]),
            "lead_time_text": "–"
            if r.get("lead_time_days") is None
            else f"{float(r['lead_time_days']):,.0f}",
            "value_text": money(r.get("value_in_portfolio")),
            "alone_text": money(r.get("loss_avoided_alone")),
            "per_cost": r.get("loss_avoided_per_cost"),
        }
        for r in chosen + rest
    ]
    fr = s.get("frontier") or []
    chart = (
        svg.line_chart(
            {
                t("plan-frontier-legend-mean", lang): [
                    (f["budget"], f["expected_loss"]) for f in fr
                ],
                t("plan-frontier-legend-cvar", lang): [
                    (f["budget"], f["cvar"]) for f in fr if f.get("cvar") is not None
                ],
            },
            x_label=f"{t('plan-frontier-x', lang)} ({cost_unit})",
            y_label=f"{t('plan-frontier-y', lang)} ({unit})",
            title=t("plan-frontier-title", lang),
        )
        if fr
        else ""
    )
    kpis = [
        {"label": t("plan-total-cost", lang), "value": f"{money(s['total_cost'])} {cost_unit}"},
        {"label": t("plan-expected-loss-none", lang), "value": f"{money(none)} {unit}"},
        {"label": t("plan-expected-loss", lang), "value": f"{money(loss)} {unit}"},
        {
            "label": t("plan-cvar-alpha", lang, alpha=fmt(s.get("cvar_alpha"), "percent")),
            "value": f"{money(s.get('cvar'))} {unit}",
        },
    ]
    return {
        "kind": "plan",
        "lang": lang,
        "title": t("plan-briefing-title", lang, name=s["plan"]),
        "kicker": t("plan-briefing-kicker", lang),
        "subtitle": (s.get("description") or {}).get(lang)
        or (s.get("description") or {}).get("en", ""),
        "date": (today or date.today()).isoformat(),
        "plan": s["plan"],
        "unit": unit,
        "cost_unit": cost_unit,
        "budget": s.get("budget"),
        "status": s.get("status"),
        "mip_gap": s.get("mip_gap"),
        "n_scenarios": s.get("n_scenarios"),
        "n_measures": s.get("n_measures"),
        "engine_runs": s.get("engine_runs"),
        "findings": findings,
        "kpis": kpis,
        "portfolio": portfolio,
        "frontier": fr,
        "frontier_svg": chart,
        "scenarios": [
            {
                **sc,
                "none_text": money(sc["loss_without_measures"]),
                "predicted_text": money(sc["predicted_loss"]),
                "engine_text": money(sc.get("engine_loss")),
            }
            for sc in s.get("scenarios") or []
        ],
        "sensitivity": [
            {**r, "assumption": t(f"plan-assumption-{r['assumption']}", lang)}
            for r in s.get("sensitivity") or []
        ],
        "metrics": {k: s.get(k) for k in ("rp", "ev", "eev", "ws", "vss", "evpi")},
        "metrics_text": {k: money(s.get(k)) for k in ("rp", "ev", "eev", "ws", "vss", "evpi")},
        "note": t(
            "plan-note-network" if s.get("target") == "facility" else "plan-note-linear", lang
        ),
        "sources": list(s.get("sources") or []),
    }
