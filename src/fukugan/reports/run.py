"""The scenario briefing of one run directory (``timeseries.parquet``, ``paths.parquet``,
``summary.json``; see :mod:`fukugan.results`).

The tables come from :func:`fukugan.services.simulate.run_reports` (the same summary the CLI
prints after ``fukugan simulate``); this module adds the loss-over-time chart, the sentences and
the reproducibility block.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from fukugan.errors import UnknownItemError
from fukugan.reports import text
from fukugan.reports.svg import bar_chart, line_chart
from fukugan.services.engines.applied import lines as applied_lines


def _load(run_dir: Path) -> tuple[Any, Any, dict[str, Any]]:
    from fukugan.store.rundir import read_run

    if not (run_dir / "summary.json").is_file():
        raise UnknownItemError(f"no run at {run_dir} (summary.json not found)")
    return read_run(run_dir)


def _short(s: str, n: int) -> str:
    """``s`` cut to ``n`` characters with an ellipsis.

    >>> _short("C24 Basic metals", 8), _short("F", 8)
    ('C24 Bas…', 'F')
    """
    return s if len(s) <= n else s[: n - 1] + "…"


def _shock_line(s: dict[str, Any], lang: str) -> str:
    """One shock in a line: type, where, how much, when."""
    parts = [str(s.get("type", ""))]
    for k in ("country", "commodity", "region", "sector", "node", "product"):
        if s.get(k):
            parts.append(str(s[k]))
    for k in ("cut", "capacity_loss", "demand_change", "price_change"):
        v = s.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            parts.append(f"{k.replace('_', ' ')} {v * 100:g} %")
    start, dur = s.get("start"), s.get("duration")
    if start is not None and dur is not None:
        d = text.label("day", lang)
        parts.append(f"{d} {start}–{int(start) + int(dur)}")
    return " · ".join(parts)


def run_briefing(
    run_dir: str | Path, *, lang: str = "en", today: date | None = None
) -> dict[str, Any]:
    """The briefing of the run in ``run_dir`` in ``lang`` (a JSON-ready dict); a Monte Carlo
    sweep's directory gives :func:`fukugan.reports.sweep.sweep_briefing` (``kind: sweep``)."""
    from fukugan.app.present import present
    from fukugan.provenance import Provenance
    from fukugan.reports.sweep import is_sweep, read_summary, sweep_briefing
    from fukugan.results import RunResult
    from fukugan.scenarios.schema import Scenario
    from fukugan.services.simulate import run_reports

    run_dir = Path(run_dir)
    head = read_summary(run_dir)
    if is_sweep(head):  # a Monte Carlo sweep: its own briefing (distributions, not one path)
        return sweep_briefing(run_dir, lang=lang, today=today, summary=head)
    ts, paths, summary = _load(run_dir)
    scenario = dict(summary.get("scenario") or {})
    scenario.setdefault("name", run_dir.name)
    sources = [
        Provenance(**{k: v for k, v in s.items() if k in Provenance.__dataclass_fields__})
        for s in summary.get("sources", [])
    ]
    unit = str(summary.get("unit") or "")
    result = RunResult(
        engine=str(summary.get("engine", "")),
        scenario=scenario,
        parameters=dict(summary.get("parameters") or {}),
        timeseries=ts,
        paths=paths,
        summary=summary,
        sources=sources,
        seed=summary.get("seed"),
        unit=unit,
    )
    reports = [present(r, lang) for r in run_reports(result, run_dir, Scenario(doc=scenario), lang)]
    main, ptable = reports[0], reports[1]
    S = {s["key"]: s["value"] for s in main["summary"]}
    horizon = scenario.get("horizon_days") or summary.get("n_days")

    # loss over time: direct and indirect, summed over units
    metric = str(summary.get("headline_metric", "loss"))
    sel = ts[(ts["metric"] == metric) & (ts["unit_kind"] != "total")]
    by = sel.groupby(["t", "component"])["value"].sum().unstack(fill_value=0.0).sort_index()
    series: dict[str, list[tuple[float, float]]] = {}
    if "direct" in by or "indirect" in by:
        tot = by.get("direct", 0.0) + by.get("indirect", 0.0)
        series[text.label("total", lang)] = list(zip(by.index, tot, strict=True))
        for c in ("direct", "indirect"):
            if c in by:
                series[text.label(c, lang)] = list(zip(by.index, by[c], strict=True))
    elif "total" in by:
        series[text.label("total", lang)] = list(zip(by.index, by["total"], strict=True))
    markers = []
    if S.get("peak-day") is not None:
        markers.append((float(S["peak-day"]), f"{text.label('peak', lang)} {S['peak-day']}"))
    loss_svg = line_chart(
        series,
        x_label=text.label("day", lang),
        y_label=unit,
        title=text.label("loss-chart", lang),
        markers=markers,
    )

    sectors = main["rows"]
    sector_svg = bar_chart(
        [
            (_short(f"{r['code']} {r['industry']}", 20 if lang == "ja" else 34), r["loss-total"])
            for r in sectors
        ],
        title=text.label("top-sectors", lang),
        label_width=230,
    )
    from fukugan.services.runs.figures import not_computed

    gone = {k.replace("_", "-") for k in not_computed(result.engine)}
    # no sentence about a figure the engine does not compute (ARIO's "0 % indirect")
    findings = text.loss_sentences(
        lang, {k: v for k, v in S.items() if k not in gone}, unit, horizon
    )
    if sectors:
        findings.append(
            text.top_sector_sentence(
                lang, f"{sectors[0]['industry']} ({sectors[0]['code']})", sectors[0]["loss-share"]
            )
        )
    desc = scenario.get("description") or {}
    description = (
        str(desc.get(lang) or desc.get("en") or "") if isinstance(desc, dict) else str(desc)
    )
    headline_keys = (
        "total-loss",
        "peak-loss",
        "peak-day",
        "recovery-day",
        "direct-loss",
        "indirect-loss",
        "indirect-share",
        "price-change-peak",
    )
    from fukugan.app.format import fmt
    from fukugan.i18n import t

    kinds = {"price-change-peak": "percent-fine"}  # a small fraction: 0.00296 %, not 2.96e-05
    headline = [
        {
            "key": s["key"],
            "label": s["label"],
            "value": t("web-not-computed", lang)
            if s["key"] in gone
            else fmt(
                s["value"], kinds.get(s["key"], "percent" if s["kind"] == "percent" else "number")
            ),
        }
        for s in main["summary"]
        if s["key"] in headline_keys
    ]
    if result.engine == "exposure":  # the LP's own figures, not a daily loss curve
        headline, findings = _exposure_headline(summary, headline, lang)
    scenario_yaml = yaml.safe_dump(
        scenario, allow_unicode=True, sort_keys=False, default_flow_style=None, width=88
    )
    return {
        "kind": "run",
        "lang": lang,
        "title": str(scenario.get("name")),
        "kicker": text.label("scenario-briefing", lang),
        "subtitle": main["title"],
        "run_id": run_dir.name,
        "home": scenario.get("home", ""),
        "date": (today or date.today()).isoformat(),
        "engine": result.engine,
        "unit": unit,
        "horizon": horizon,
        "description": description,
        "shocks": [_shock_line(s, lang) for s in scenario.get("shocks", [])],
        "responses": [
            " · ".join(f"{k} {v}" for k, v in r.items()) for r in scenario.get("responses", [])
        ],
        "findings": findings,
        "headline": headline,
        "kpis": [
            h
            for h in headline
            if h["key"] in ("total-loss", "peak-loss", "peak-day", "indirect-share")
        ],
        "loss_svg": loss_svg,
        "sector_svg": sector_svg,
        "sectors": {"columns": main["columns"], "rows": sectors},
        "paths": {"columns": ptable["columns"], "rows": ptable["rows"]},
        "extra_tables": reports[2:],
        "notes": list(main["notes"]),
        "applied": applied_lines(result.summary or {}, lang),
        "sources": list(main["sources"]),
        "repro": {
            "run_id": run_dir.name,
            "created_at": summary.get("created_at", ""),
            "engine": result.engine,
            "seed": summary.get("seed"),
            "parameters": summary.get("parameters") or {},
            "versions": summary.get("versions") or {},
            # the file's name only: never the server's directories
            "scenario_file": Path(str(summary.get("scenario_file") or "")).name,
            "scenario_yaml": scenario_yaml,
        },
    }


def _exposure_headline(
    summary: dict[str, Any], headline: list[dict[str, Any]], lang: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """A risk-exposure run's headline and findings: the disruptions' total and largest
    performance impact, the most exposed node (REI rank 1) and how many nodes cannot survive
    their time to recover (Simchi-Levi et al.)."""
    from fukugan.app.format import fmt
    from fukugan.i18n import t

    labels = {"total-loss": "web-ex-total-impact", "peak-loss": "web-ex-largest"}
    head = [{**h, "label": t(labels[h["key"]], lang)} for h in headline if h["key"] in labels]
    dis = list(summary.get("disruptions") or [])
    rei = list(summary.get("risk_exposure") or [])
    names = summary.get("unit_labels") or {}
    out: list[str] = []
    if dis:
        worst = max(dis, key=lambda d: float(d.get("pi") or 0.0))
        out.append(
            t(
                "brief-ex-total",
                lang,
                n=len(dis),
                total=fmt(sum(float(d.get("pi") or 0.0) for d in dis), "number"),
                node=str(worst.get("name") or worst.get("node")),
                pi=fmt(float(worst.get("pi") or 0.0), "number"),
                unit=str(summary.get("unit") or ""),
            )
        )
    if rei:
        top = rei[0]
        out.append(
            t(
                "brief-ex-rei",
                lang,
                node=str(top.get("node")),
                name=str(names.get(top.get("node"), top.get("node"))),
                k=sum(1 for r in rei if r.get("tts_lt_ttr")),
                m=len(rei),
            )
        )
    return head, out
