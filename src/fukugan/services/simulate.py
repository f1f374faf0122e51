"""Use case: run a disruption scenario (or a Monte Carlo sweep of it), write it, summarise it.

Validation and data resolution happen before anything is written, so a bad scenario leaves no
run directory behind. Runs go to ``RUN_DIR`` (default ``$FUKUGAN_HOME/runs/<name>-<UTC
timestamp>``), written atomically by :func:`fukugan.results.write_run`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fukugan.results import RunResult, headline
from fukugan.scenarios.schema import Scenario, load_scenario
from fukugan.services.engines.applied import in_lang, lines
from fukugan.services.report import Report
from fukugan.services.scenario_run import Progress, run_scenario
from fukugan.store.analytic import AnalyticStore
from fukugan.store.rundir import fresh_dir, write_run

__all__ = ["SimulationOutcome", "default_run_dir", "simulate", "simulate_sweep"]


@dataclass
class SimulationOutcome:
    """What the CLI renders: reports, the run directory and the result itself."""

    reports: list[Report]
    run_dir: Path
    result: Any


def default_run_dir(store: AnalyticStore, name: str, suffix: str = "") -> Path:
    """``$FUKUGAN_HOME/runs/<name>[-suffix]-<UTC timestamp>`` (a fresh, unused path)."""
    return fresh_dir(store.home / "runs", f"{name}{'-' + suffix if suffix else ''}")


def _labels(lang: str) -> dict[str, str]:
    from fukugan.data.oecd_iot import industry_labels

    lab = industry_labels()
    return dict(zip(lab["code"], lab["label_ja" if lang == "ja" else "label_en"], strict=True))


def _describe(sc: Scenario, lang: str) -> str:
    desc = sc.doc.get("description") or {}
    return str(desc.get(lang) or desc.get("en") or sc.name).strip()


def simulate(
    store: AnalyticStore,
    scenario: str | Path | Scenario,
    *,
    engine: str | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    lang: str = "en",
    progress: Progress | None = None,
) -> SimulationOutcome:
    """Run one scenario, write it (Parquet + JSON summary) and summarise it as reports."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    result = run_scenario(sc, store, engine=engine, progress=progress, seed=seed)
    run_dir = Path(out) if out is not None else default_run_dir(store, sc.name)
    write_run(result, run_dir)
    return SimulationOutcome(run_reports(result, run_dir, sc, lang), run_dir, result)


def run_reports(result: RunResult, run_dir: Path, sc: Scenario, lang: str = "en") -> list[Report]:
    """The summary report (headline + top-10 units) and the top paths of a run; for the
    exposure engine also the disruptions and, when computed, the risk exposure table."""
    ts = result.timeseries
    metric = str(result.summary.get("headline_metric", "loss"))
    h = headline(ts, metric=metric)
    loss = ts[(ts["metric"] == metric) & (ts["unit_kind"] != "total")]
    by = loss.pivot_table(
        index="unit", columns="component", values="value", aggfunc="sum", fill_value=0.0
    )
    for c in ("direct", "indirect"):
        if c not in by:
            by[c] = 0.0
    by["total"] = by["direct"] + by["indirect"]
    peak = loss.groupby(["unit", "t"])["value"].sum().groupby("unit").max()
    by = by.sort_values("total", ascending=False, kind="stable").head(10)
    total = h["total_loss"]
    labels = {**_labels(lang), **result.summary.get("unit_labels", {})}
    table = pd.DataFrame(
        {
            "code": by.index.astype(str),
            "industry": [labels.get(u, u) for u in by.index],
            "loss-total": by["total"].to_numpy(),
            "loss-direct": by["direct"].to_numpy(),
            "loss-indirect": by["indirect"].to_numpy(),
            "loss-peak": peak.reindex(by.index).to_numpy(),
            "loss-share": by["total"].to_numpy() / total if total else np.nan,
        }
    )
    summary = {
        "scenario": sc.name,
        "engine": result.engine,
        "seed": result.seed,
        "unit": result.unit,
        "total-loss": h["total_loss"],
        "peak-loss": h["peak_loss"],
        "peak-day": h["peak_day"],
        "recovery-day": h["recovery_day"],
        "direct-loss": h["direct_loss"],
        "indirect-loss": h["indirect_loss"],
        "indirect-share": h["indirect_share"],
        "run-dir": str(run_dir),
    }
    peak_price = result.summary.get("price_change_peak") or {}
    if peak_price:
        summary["price-change-peak"] = max(peak_price.values())
    notes = [_describe(sc, lang), *lines(result.summary, lang, "notes")]
    ja = lang == "ja"
    if peak_price:
        # significant digits, not fixed decimals: a 0.003 % rise must not print as +0.00 %
        top = ", ".join(f"{k} {v * 100:+.3g}%" for k, v in list(peak_price.items())[:5])
        notes.append(
            f"価格変化（レオンチェフ価格モデル）、産業別のピーク：{top}"
            if ja
            else f"price_change (Leontief price model), peak by industry: {top}"
        )

    def said(r: dict[str, Any], k: str) -> str:
        return str(in_lang(r, k, lang))

    for r in result.summary.get("resolved_shocks", []):
        if "supplier_share" in r:
            notes.append(
                f"{said(r, 'label')}：→ {'、'.join(r['sectors'])}（{said(r, 'sector_rule')}）；"
                f"供給国シェア {r['supplier_share']:.1%}（{said(r, 'supplier_share_source')}）；"
                f"部門シェア {r['sector_share']:.3%}（{said(r, 'sector_share_source')}）"
                if ja
                else f"{r['label']}: → {', '.join(r['sectors'])} ({r['sector_rule']}); supplier "
                f"share {r['supplier_share']:.1%} ({r['supplier_share_source']}); sector share "
                f"{r['sector_share']:.3%} ({r['sector_share_source']})"
            )
        elif "import_share" in r:
            notes.append(
                f"{said(r, 'label')}：輸入シェア {r['import_share']:.1%}"
                f"（{said(r, 'import_share_source')}）"
                if ja
                else f"{r['label']}: import share {r['import_share']:.1%} "
                f"({r['import_share_source']})"
            )
    main = Report(
        title="title-simulate",
        title_args={"name": sc.name, "engine": result.engine},
        table=table.reset_index(drop=True),
        summary=summary,
        sources=list(result.sources),
        notes=notes,
    )
    paths = result.paths.head(10)
    ptable = pd.DataFrame(
        {
            "path-source": paths["source"].astype(str).to_numpy(),
            "path-via": paths["via"].astype(str).to_numpy(),
            "path-target": paths["target"].astype(str).to_numpy(),
            "path-step": paths["step"].astype(int).to_numpy(),
            "path-weight": paths["weight"].astype(float).to_numpy(),
        }
    )
    preport = Report(title="title-simulate-paths", table=ptable, sources=list(result.sources))
    return [main, preport, *_exposure_reports(result)]


def _exposure_reports(result: RunResult) -> list[Report]:
    """The disruptions (one TTR / TTS LP each) and the REI table of an exposure run."""
    out = []
    dis = result.summary.get("disruptions")
    if dis:
        table = pd.DataFrame(
            {
                "node": [d["node"] for d in dis],
                "ttr-days": [d["ttr_days"] for d in dis],
                "tts-days": [d["tts_days"] for d in dis],
                "tts-lt-ttr": [d["tts_lt_ttr"] for d in dis],
                "performance-impact": [d["pi"] for d in dis],
                "loss-direct": [d["direct"] for d in dis],
                "loss-indirect": [d["indirect"] for d in dis],
            }
        )
        out.append(Report("title-exposure-disruptions", table, sources=list(result.sources)))
    rei = result.summary.get("risk_exposure")
    if rei:
        df = pd.DataFrame(rei)
        table = pd.DataFrame(
            {
                "rank": df["rank"].astype(int),
                "node": df["node"].astype(str),
                "ttr": df["ttr"].astype(float),
                "tts": df["tts"].astype(float),
                "tts-lt-ttr": df["tts_lt_ttr"].astype(bool),
                "performance-impact": df["pi"].astype(float),
                "risk-exposure-index": df["rei"].astype(float),
            }
        )
        out.append(
            Report(
                "title-risk-exposure",
                table,
                sources=list(result.sources),
                notes=["note-risk-exposure"],
            )
        )
    return out


def simulate_sweep(
    store: AnalyticStore,
    scenario: str | Path | Scenario,
    *,
    samples: int,
    engine: str | None = None,
    seed: int | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    out: str | Path | None = None,
    lang: str = "en",
    progress: Progress | None = None,
) -> SimulationOutcome:
    """A Monte Carlo sweep over the scenario's ``uncertainty:`` block, written and summarised."""
    from fukugan.services.montecarlo import run_sweep, write_sweep

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    sweep = run_sweep(
        sc,
        store,
        samples=samples,
        engine=engine,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )
    run_dir = Path(out) if out is not None else default_run_dir(store, sc.name, "mc")
    write_sweep(sweep, run_dir)
    labels = _labels(lang)
    d = sweep.by_sector.head(10)
    table = pd.DataFrame(
        {
            "code": d["unit"].astype(str).to_numpy(),
            "industry": [labels.get(u, u) for u in d["unit"]],
            "loss-mean": d["mean"].to_numpy(),
            "loss-q05": d["q05"].to_numpy(),
            "loss-q50": d["q50"].to_numpy(),
            "loss-q95": d["q95"].to_numpy(),
        }
    )
    tot = sweep.totals
    summary: dict[str, Any] = {
        "scenario": sc.name,
        "engine": sweep.engine,
        "seed": sweep.seed,
        "samples": sweep.n,
        "workers": sweep.workers,
        "unit": sweep.unit,
    }
    for key, col in (("total-loss", "total_loss"), ("peak-loss", "peak_loss")):
        q = tot[col].to_numpy(dtype=float)
        summary[f"{key}-mean"] = float(q.mean())
        summary[f"{key}-q05"], summary[f"{key}-q50"], summary[f"{key}-q95"] = (
            float(v) for v in np.quantile(q, [0.05, 0.5, 0.95])
        )
    rec = tot["recovery_day"].to_numpy(dtype=float)
    summary["recovery-day-q50"] = (
        float(np.nanquantile(rec, 0.5)) if np.isfinite(rec).any() else math.nan
    )
    summary["elapsed-s"] = sweep.elapsed
    summary["run-dir"] = str(run_dir)
    params = [f"{u['param']}: {u['dist']}" for u in sc.doc.get("uncertainty", [])]
    notes = [_describe(sc, lang), "note-montecarlo", *params]
    rep = Report(
        title="title-montecarlo",
        title_args={"name": sc.name, "n": sweep.n},
        table=table,
        summary=summary,
        sources=list(sweep.sources),
        notes=notes,
    )
    return SimulationOutcome([rep], run_dir, sweep)
