"""The briefing of a Monte Carlo sweep directory (``summary.json`` with ``kind: montecarlo``,
``by_sector.parquet``, ``daily.parquet``, ``samples.parquet``; see
:func:`fukugan.services.montecarlo.write_sweep`).

Every figure is read from those files as written (no recomputation): the headline
distributions from ``summary.json`` (``total_loss`` / ``peak_loss``: mean, sd, 5 / 50 / 95 %),
the sector ranges from ``by_sector.parquet`` (already sorted by mean loss), the daily band from
``daily.parquet``. A missing or unreadable file is a :class:`~fukugan.errors.InputError` (400)
naming it, never a traceback.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from fukugan.errors import InputError, UnknownItemError
from fukugan.reports import text
from fukugan.reports.svg import line_chart, range_chart

STATS = ("mean", "sd", "q05", "q50", "q95")
TOP = 10


def is_sweep(summary: dict[str, Any]) -> bool:
    """Whether a run directory's ``summary.json`` describes a Monte Carlo sweep."""
    return isinstance(summary, dict) and summary.get("kind") == "montecarlo"


def read_summary(run_dir: Path) -> dict[str, Any]:
    """``summary.json`` of a run directory (404 when absent, 400 when not a JSON object)."""
    p = run_dir / "summary.json"
    if not p.is_file():
        raise UnknownItemError(f"no run at {run_dir} (summary.json not found)")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"cannot read the run's summary: {e}", path="summary.json") from None
    if not isinstance(doc, dict):
        raise InputError("the run's summary is not a JSON object", path="summary.json")
    return doc


def _stats(summary: dict[str, Any], key: str) -> dict[str, float]:
    d = summary.get(key)
    try:
        out = {k: float(d[k]) for k in STATS}  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        raise InputError(
            f"this sweep's summary has no complete '{key}' distribution (mean, sd, q05, q50, "
            "q95): re-run the sweep",
            path="summary.json",
            field=key,
        ) from None
    return out


def _frame(run_dir: Path, name: str, columns: tuple[str, ...]) -> Any:
    import pandas as pd

    p = run_dir / name
    if not p.is_file():
        raise InputError(f"this sweep has no {name}: re-run the sweep", path=name)
    try:
        df = pd.read_parquet(p)
    except Exception as e:  # noqa: BLE001 - pyarrow raises many kinds for a damaged file
        raise InputError(f"cannot read {name}: {type(e).__name__}", path=name) from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"{name} lacks the columns {', '.join(missing)}", path=name)
    return df


def _dist_text(u: dict[str, Any]) -> str:
    """An ``uncertainty:`` entry's distribution in one line.

    >>> _dist_text({"param": "shocks[0].days", "dist": "triangular", "low": 1, "mode": 2,
    ...             "high": 7})
    'triangular(low=1, mode=2, high=7)'
    """
    args = ", ".join(f"{k}={v}" for k, v in u.items() if k not in ("param", "dist"))
    return f"{u.get('dist', '?')}({args})"


def _command(scenario: dict[str, Any], summary: dict[str, Any]) -> str:
    """The CLI command that reproduces the sweep (the scenario saved as ``NAME.yaml``)."""
    name = str(scenario.get("name") or "scenario")
    parts = [
        "fukugan simulate",
        f"{name}.yaml",
        f"--samples {summary.get('samples')}",
        f"--seed {summary.get('seed')}",
        f"--engine {summary.get('engine')}",
    ]
    return " ".join(parts)


def _source(p: dict[str, Any]) -> dict[str, Any]:
    """A source stored in a run's summary as every output shows it (with its citation)."""
    from fukugan.provenance import Provenance

    return Provenance.from_dict(p).source_doc()


def sweep_briefing(
    run_dir: str | Path,
    *,
    lang: str = "en",
    today: date | None = None,
    summary: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The briefing of the sweep in ``run_dir`` in ``lang`` (a JSON-ready dict)."""
    from fukugan.i18n import t
    from fukugan.services.simulate import _labels

    run_dir = Path(run_dir)
    summary = summary if summary is not None else read_summary(run_dir)
    if not is_sweep(summary):
        raise InputError(f"run {run_dir.name} is not a Monte Carlo sweep", path="summary.json")
    scenario = summary.get("scenario")
    if not isinstance(scenario, dict):
        raise InputError("this sweep's summary has no scenario", path="summary.json")
    scenario = dict(scenario)
    scenario.setdefault("name", run_dir.name)
    try:
        n = int(summary["samples"])
    except (KeyError, TypeError, ValueError):
        raise InputError(
            "this sweep's summary has no number of samples", path="summary.json", field="samples"
        ) from None
    total, peak = _stats(summary, "total_loss"), _stats(summary, "peak_loss")
    by = _frame(run_dir, "by_sector.parquet", ("unit", *STATS))
    daily = _frame(run_dir, "daily.parquet", ("t", *STATS))
    unit = str(summary.get("unit") or "")
    u_total = unit.replace(" per day", "").strip()
    horizon = scenario.get("horizon_days") or (int(daily["t"].max()) if len(daily) else None)
    names = {**_labels(lang), **(summary.get("unit_labels") or {})}
    sources = [_source(p) for p in summary.get("sources") or [] if isinstance(p, dict)]
    computed = text.label(
        "computed-from",
        lang,
        n=n,
        sources="; ".join(f"{s['source']} ({s['year']})" for s in sources) or "–",
    )

    sectors = [
        {
            "code": str(r.unit),
            "industry": str(names.get(r.unit, r.unit)),
            **{k: float(getattr(r, k)) for k in STATS},
        }
        for r in by.head(TOP).itertuples()
    ]
    short = 20 if lang == "ja" else 34
    range_svg = range_chart(
        [
            (_short(f"{s['code']} {s['industry']}", short), s["q05"], s["q50"], s["q95"], s["mean"])
            for s in sectors
        ],
        title=text.label("sector-ranges", lang),
        label_width=230,
    )
    t_ = [float(x) for x in daily["t"]]
    daily_svg = line_chart(
        {
            text.label("mean", lang): list(zip(t_, daily["mean"], strict=True)),
            text.label("median", lang): list(zip(t_, daily["q50"], strict=True)),
        },
        x_label=text.label("day", lang),
        y_label=unit,
        title=text.label("daily-chart", lang),
        band=(
            text.label("band", lang),
            list(zip(t_, daily["q05"], daily["q95"], strict=True)),
        ),
    )

    findings = text.sweep_sentences(lang, n, total, peak, unit, horizon)
    if sectors:
        top = sectors[0]
        findings.append(
            text.sweep_sector_sentence(lang, f"{top['industry']} ({top['code']})", top, unit)
        )
    desc = scenario.get("description") or {}
    description = (
        str(desc.get(lang) or desc.get("en") or "") if isinstance(desc, dict) else str(desc)
    )
    uncertainty = [
        {"param": str(u.get("param", "")), "distribution": _dist_text(u)}
        for u in scenario.get("uncertainty") or []
        if isinstance(u, dict)
    ]
    headline = [
        {"key": key, "label": text.label(key, lang), "unit": u_total if key == "total-loss" else unit,
         **d}
        for key, d in (("total-loss", total), ("peak-loss", peak))
    ]  # fmt: skip
    from fukugan.app.format import fmt

    kpis = [
        {"key": "total-loss-mean", "label": t("total-loss-mean", lang), "value": fmt(total["mean"], "number")},
        {"key": "total-loss-q05", "label": t("total-loss-q05", lang), "value": fmt(total["q05"], "number")},
        {"key": "total-loss-q95", "label": t("total-loss-q95", lang), "value": fmt(total["q95"], "number")},
        {"key": "peak-loss-q50", "label": t("peak-loss-q50", lang), "value": fmt(peak["q50"], "number")},
    ]  # fmt: skip
    scenario_yaml = yaml.safe_dump(
        scenario, allow_unicode=True, sort_keys=False, default_flow_style=None, width=88
    )
    notes = [t("note-montecarlo", lang), text.label("quantile-note", lang)]
    notes.append(text.label("workers-note", lang))
    notes += [
        f"{s['dataset']}: {p['notes']}"
        for s, p in zip(sources, summary.get("sources") or [], strict=False)
        if isinstance(p, dict) and p.get("notes")
    ]
    return {
        "kind": "sweep",
        "lang": lang,
        "title": str(scenario.get("name")),
        "kicker": text.label("sweep-briefing", lang),
        "subtitle": text.label("sweep-subtitle", lang, n=n),
        "run_id": run_dir.name,
        "home": scenario.get("home", ""),
        "date": (today or date.today()).isoformat(),
        "engine": str(summary.get("engine", "")),
        "unit": unit,
        "unit_total": u_total,
        "horizon": horizon,
        "samples": n,
        "seed": summary.get("seed"),
        "description": description,
        "uncertainty": uncertainty,
        "findings": findings,
        "headline": headline,
        "kpis": kpis,
        "daily_svg": daily_svg,
        "range_svg": range_svg,
        "sectors": sectors,
        "n_sectors": int(len(by)),
        "provenance": computed,
        "notes": notes,
        "sources": sources,
        "repro": {
            "run_id": run_dir.name,
            "created_at": summary.get("created_at", ""),
            "engine": str(summary.get("engine", "")),
            "seed": summary.get("seed"),
            "samples": n,
            "workers": summary.get("workers"),
            "seeding": str(summary.get("seeding", "")),
            "command": _command(scenario, summary),
            "versions": summary.get("versions") or {},
            "scenario_yaml": scenario_yaml,
        },
    }


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"
