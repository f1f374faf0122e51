"""A finished run's results as every interface shows them: details, daily series, propagation
paths, sweep distributions and the comparison of two runs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fukugan.errors import InputError, NotLoadedError
from fukugan.services.engines.applied import in_lang
from fukugan.services.engines.applied import lines as applied_lines
from fukugan.services.runs.base import RunServiceBase
from fukugan.services.runs.common import _source, industry_names, sweep_of
from fukugan.services.runs.figures import day_span, mask, not_computed, total_unit
from fukugan.store.rundir import read_run


def loss_histogram(values: np.ndarray, max_bins: int = 20) -> dict[str, Any]:
    """The samples' total losses in equal-width bins (numpy's ``histogram``; about √n bins,
    at most ``max_bins``; the last bin closed): ``{edges, counts, n}``, with the bars' heights
    in [0, 1] of the highest for drawing. All samples equal: one bin around the value.

    >>> h = loss_histogram(np.array([1.0, 2.0, 2.0, 3.0]))
    >>> h["counts"], h["edges"], h["n"]
    ([1, 3], [1.0, 2.0, 3.0], 4)
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"edges": [], "counts": [], "n": 0, "heights": []}
    bins = int(min(max_bins, max(1, np.ceil(np.sqrt(v.size)))))
    lo, hi = float(v.min()), float(v.max())
    if hi <= lo:
        bins, lo, hi = 1, lo - 0.5 * max(abs(lo), 1.0), hi + 0.5 * max(abs(hi), 1.0)
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    top = max(int(counts.max()), 1)
    return {
        "edges": [float(e) for e in edges],
        "counts": [int(c) for c in counts],
        "n": int(v.size),
        "heights": [float(c) / top for c in counts],
    }


class ResultsMixin(RunServiceBase):
    """Reading a finished run's files."""

    def _result(
        self, run_id: str, viewer: int | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
        run = self._row(run_id, viewer)  # visibility first: the cache is shared by all users
        with self._lock:
            if run_id in self._results:
                return self._results[run_id]
        if run.status != "done":
            raise NotLoadedError(f"run {run_id} is {run.status}; results exist once it is done")
        if sweep_of(run):
            raise InputError(
                f"run {run_id} is a Monte Carlo sweep: its distributions are in "
                f"/api/v1/runs/{run_id} (time series: by=total only; no paths)"
            )
        res = read_run(run.run_dir)
        with self._lock:
            if len(self._results) > 32:
                self._results.pop(next(iter(self._results)))
            self._results[run_id] = res
        return res

    def details(
        self, run_id: str, lang: str = "en", top: int = 15, *, viewer: int | None = None
    ) -> dict[str, Any]:
        """The run with its headline, losses by sector, reproducibility data and sources."""
        doc = self.run(run_id, viewer)
        if doc["status"] != "done":
            return doc
        if doc["kind"] == "montecarlo":
            return self._sweep_details(doc, lang, top)
        ts, paths, summary = self._result(run_id, viewer)
        metric = str(summary.get("headline_metric", "loss"))
        labels = {**industry_names(lang), **(summary.get("unit_labels") or {})}
        gone = not_computed(doc["engine"])
        doc["summary"] = mask(doc["engine"], doc["summary"])
        doc["not_computed"] = sorted(gone)
        loss = ts[(ts["metric"] == metric) & (ts["unit_kind"] != "total")]
        doc["days"] = day_span(loss["t"])
        by = loss.pivot_table(
            index="unit", columns="component", values="value", aggfunc="sum", fill_value=0.0
        )
        for c in ("direct", "indirect"):
            if c not in by:
                by[c] = by["total"] if c == "direct" and "total" in by else 0.0
        by["sum"] = by["direct"] + by["indirect"]
        by = by.sort_values("sum", ascending=False, kind="stable")
        total = float(by["sum"].sum())
        doc["by_sector"] = [
            {
                "unit": str(u),
                "label": str(labels.get(u, u)),
                "total": float(r["sum"]),
                "direct": None if "split" in gone else float(r["direct"]),
                "indirect": None if "split" in gone else float(r["indirect"]),
                "share": float(r["sum"]) / total if total else None,
            }
            for u, r in by.head(top).iterrows()
        ]
        doc["n_sectors"] = int(len(by))
        doc["n_paths"] = None if "paths" in gone else int(len(paths))
        sc = summary.get("scenario") or {}
        doc["reproducibility"] = {
            "engine": summary.get("engine"),
            "seed": summary.get("seed"),
            "parameters": summary.get("parameters") or {},
            "horizon_days": sc.get("horizon_days"),
            "versions": summary.get("versions") or {},
            "created_at": summary.get("created_at"),
            "scenario": sc,
        }
        doc["notes"] = applied_lines(summary, lang, "notes")
        doc["applied"] = applied_lines(summary, lang)  # what the engine did, in lang
        doc["sources"] = [_source(p) for p in summary.get("sources") or []]
        doc["unit"] = summary.get("unit", "")
        doc["total_unit"] = total_unit(doc["unit"])
        doc["metric"] = metric
        doc.update(_engine_views(summary, labels, lang))
        return doc

    def _sweep_files(self, run_id: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
        """``(by_sector, daily, summary)`` of a finished sweep run (cached like runs)."""
        import json

        key = f"mc:{run_id}"
        with self._lock:
            if key in self._results:
                return self._results[key]
        run = self.ws.get_run(run_id)
        d = Path(run.run_dir)
        summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
        samples = pd.read_parquet(d / "samples.parquet", columns=["total_loss"])
        summary["_histogram"] = loss_histogram(samples["total_loss"].to_numpy(dtype=float))
        res = (
            pd.read_parquet(d / "by_sector.parquet"),
            pd.read_parquet(d / "daily.parquet"),
            summary,
        )
        with self._lock:
            if len(self._results) > 32:
                self._results.pop(next(iter(self._results)))
            self._results[key] = res
        return res

    def _sweep_details(self, doc: dict[str, Any], lang: str, top: int) -> dict[str, Any]:
        """A finished sweep: the distributions (mean, sd, 5 / 50 / 95 % quantiles) of the
        loss by sector over the horizon and of the total and peak loss."""
        by, _, summary = self._sweep_files(doc["id"])
        labels = industry_names(lang)
        stats = ("mean", "sd", "q05", "q50", "q95")
        doc["distribution"] = {
            "samples": int(summary.get("samples", 0)),
            "workers": int(summary.get("workers", 0)),
            "seed": int(summary.get("seed", doc["seed"])),
            "unit": str(summary.get("unit", "")),
            "seeding": str(summary.get("seeding", "")),
            "total_loss": {k: float(summary["total_loss"][k]) for k in stats},
            "peak_loss": {k: float(summary["peak_loss"][k]) for k in stats},
            "by_sector": [
                {
                    "unit": str(r.unit),
                    "label": str(labels.get(r.unit, r.unit)),
                    **{k: float(getattr(r, k)) for k in stats},
                }
                for r in by.head(top).itertuples()
            ],
            "n_sectors": int(len(by)),
            "histogram": summary["_histogram"],
            "uncertainty": list((summary.get("scenario") or {}).get("uncertainty") or []),
        }
        sc = summary.get("scenario") or {}
        doc["reproducibility"] = {
            "engine": summary.get("engine"),
            "seed": summary.get("seed"),
            "parameters": doc["parameters"],
            "horizon_days": sc.get("horizon_days"),
            "versions": summary.get("versions") or {},
            "created_at": summary.get("created_at"),
            "scenario": sc,
        }
        doc["sources"] = [_source(p) for p in summary.get("sources") or []]
        doc["unit"] = summary.get("unit", "")
        doc["total_unit"] = total_unit(doc["unit"])
        doc["days"] = day_span(self._sweep_files(doc["id"])[1]["t"])
        return doc

    def sweep_daily(self, run_id: str, *, viewer: int | None = None) -> dict[str, Any]:
        """Loss per day of a finished sweep across its samples: mean and 5 / 50 / 95 %."""
        run = self._row(run_id, viewer)
        if run.status != "done" or not sweep_of(run):
            raise NotLoadedError(f"run {run_id} is not a finished Monte Carlo sweep")
        _, daily, summary = self._sweep_files(run_id)
        return {
            "run_id": run_id,
            "metric": "loss",
            "by": "total",
            "unit": str(summary.get("unit", "")),
            "t": [int(t) for t in daily["t"]],
            "metrics": ["loss"],
            "series": {k: [float(v) for v in daily[k]] for k in ("mean", "q05", "q50", "q95")},
        }

    def timeseries(
        self,
        run_id: str,
        metric: str | None = None,
        by: str = "total",
        *,
        viewer: int | None = None,
    ) -> dict[str, Any]:
        """Losses over time: ``by=total`` gives the total, direct and indirect series summed
        over units; ``by=sector`` one total series per unit (largest first). A sweep:
        ``by=total`` only, the mean and 5 / 50 / 95 % quantiles of the loss per day.
        ``metric`` defaults to the run's headline metric (``loss``; the risk-exposure LP's
        ``profit_loss``)."""
        if by == "total" and sweep_of(self._row(run_id, viewer)):
            return self.sweep_daily(run_id, viewer=viewer)
        ts, _, summary = self._result(run_id, viewer)
        metric = metric or str(summary.get("headline_metric", "loss"))
        sel = ts[(ts["metric"] == metric) & (ts["unit_kind"] != "total")]
        days = sorted(int(t) for t in ts["t"].unique())
        out: dict[str, Any] = {
            "run_id": run_id,
            "metric": metric,
            "by": by,
            "unit": summary.get("unit", ""),
            "t": days,
            "metrics": sorted(str(m) for m in ts["metric"].unique()),
        }
        if by == "sector":
            parts = sel[sel["component"].isin(["direct", "indirect"])]
            if parts.empty:
                parts = sel[sel["component"] == "total"]
            piv = parts.pivot_table(index="unit", columns="t", values="value", aggfunc="sum")
            piv = piv.reindex(columns=days, fill_value=0.0).fillna(0.0)
            order = piv.sum(axis=1).sort_values(ascending=False, kind="stable").index
            out["series"] = [
                {"unit": str(u), "values": [float(v) for v in piv.loc[u]]} for u in order
            ]
            return out
        series: dict[str, list[float]] = {}
        if "split" in not_computed(self._row(run_id, viewer).engine):  # ARIO: the total only
            s = sel.groupby("t")["value"].sum()
            out["series"] = {"total": [float(s.get(t, 0.0)) for t in days]}
            return out
        for comp in ("direct", "indirect"):
            s = sel[sel["component"] == comp].groupby("t")["value"].sum()
            series[comp] = [float(s.get(t, 0.0)) for t in days]
        if not any(series["direct"]) and not any(series["indirect"]):
            s = sel[sel["component"] == "total"].groupby("t")["value"].sum()
            series["total"] = [float(s.get(t, 0.0)) for t in days]
        else:
            series["total"] = [
                d + i for d, i in zip(series["direct"], series["indirect"], strict=True)
            ]
        out["series"] = series
        return out

    def paths(
        self,
        run_id: str,
        *,
        limit: int | None = 20,
        offset: int = 0,
        viewer: int | None = None,
    ) -> dict[str, Any]:
        _, paths, _ = self._result(run_id, viewer)
        if "paths" in not_computed(self._row(run_id, viewer).engine):
            return {
                "run_id": run_id,
                "items": [],
                "total": None,
                "computed": False,
                "limit": limit,
                "offset": offset,
            }
        p = paths.sort_values("weight", ascending=False, kind="stable")
        end = None if limit is None else offset + limit
        rows = [
            {
                "source": str(r.source),
                "target": str(r.target),
                "step": int(r.step),
                "weight": float(r.weight),
                "via": [v for v in str(r.via).split(";") if v],
            }
            for r in p.iloc[offset:end].itertuples()
        ]
        return {
            "run_id": run_id,
            "items": rows,
            "total": int(len(p)),
            "computed": True,
            "limit": limit,
            "offset": offset,
        }

    def compare(self, a: str, b: str, *, viewer: int | None = None) -> dict[str, Any]:
        """Two finished single runs side by side: total loss curves on one time axis and the
        differences of their headline figures (b − a)."""
        ra, rb = self.run(a, viewer), self.run(b, viewer)
        for r in (ra, rb):
            if r["kind"] == "montecarlo":
                raise InputError(f"run {r['id']} is a Monte Carlo sweep; compare single runs")
            r["summary"] = mask(r["engine"], r["summary"])  # no delta with a figure not computed
            r["not_computed"] = sorted(not_computed(r["engine"]))
        ta, tb = self.timeseries(a, viewer=viewer), self.timeseries(b, viewer=viewer)
        days = sorted(set(ta["t"]) | set(tb["t"]))

        def on(days_: list[int], doc: dict[str, Any]) -> list[float | None]:
            m = dict(zip(doc["t"], doc["series"]["total"], strict=True))
            return [m.get(t) for t in days_]

        keys = ("total_loss", "peak_loss", "peak_day", "recovery_day", "indirect_share")
        deltas: dict[str, float | None] = {}
        for k in keys:
            va, vb = (ra["summary"] or {}).get(k), (rb["summary"] or {}).get(k)
            ok = all(isinstance(v, (int, float)) and math.isfinite(v) for v in (va, vb))
            deltas[k] = float(vb - va) if ok else None
        return {
            "a": ra,
            "b": rb,
            "t": days,
            "series": {"a": on(days, ta), "b": on(days, tb)},
            "deltas": deltas,
            "same_unit": ta["unit"] == tb["unit"],
        }


def _engine_views(summary: dict[str, Any], labels: dict[str, str], lang: str) -> dict[str, Any]:
    """What an engine computes beyond the loss curves, straight from its ``summary.json``:
    the static model's Leontief price pass-through (peak price change by sector, a fraction)
    and the inputs it resolved or assumed for each shock (shares and where they come from);
    the risk-exposure LP's time-to-recover / time-to-survive table and its risk exposure
    index ranking. Absent keys give ``None`` (the engine did not compute them)."""
    out: dict[str, Any] = {"price_pass_through": None, "assumptions": None, "exposure": None}
    peak = summary.get("price_change_peak")
    if isinstance(peak, dict) and peak:
        rows = sorted(peak.items(), key=lambda kv: -abs(float(kv[1] or 0.0)))
        out["price_pass_through"] = [
            {"unit": str(u), "label": str(labels.get(u, u)), "change": float(v)}
            for u, v in rows
            if v is not None
        ]
    shocks = summary.get("resolved_shocks")
    if isinstance(shocks, list) and shocks:
        keep = (
            "label",
            "type",
            "country",
            "commodity",
            "sectors",
            "sector_rule",
            "supplier_share",
            "supplier_share_source",
            "sector_share",
            "sector_share_source",
        )
        out["assumptions"] = [  # the descriptions' Japanese twins where the run has them
            {k: in_lang(s, k, lang) for k in keep if k in s and s[k] is not None}
            for s in shocks
            if isinstance(s, dict) and any(k in s for k in ("supplier_share", "sector_share"))
        ]
    regions = (summary.get("scenario") or {}).get("regions") or {}
    for name, r in regions.items() if isinstance(regions, dict) else ():
        if isinstance(r, dict) and r.get("share") is not None:
            out["assumptions"] = (out["assumptions"] or []) + [
                {
                    "label": f"地域 {name}" if lang == "ja" else f"region {name}",
                    "region_share": r["share"],
                    "region_share_source": r.get("source") or "given in the scenario",
                }
            ]
    out["assumptions"] = out["assumptions"] or None
    if summary.get("risk_exposure") is not None or summary.get("disruptions") is not None:
        names = summary.get("unit_labels") or {}
        period = (summary.get("parameters") or {}).get("period_days")
        out["exposure"] = {
            "objective": summary.get("objective"),
            "period_days": period,
            "horizon_days": summary.get("n_days"),
            "disruptions": [
                {
                    "node": str(d.get("node")),
                    "name": str(d.get("name") or names.get(d.get("node"), d.get("node"))),
                    "start": d.get("start"),
                    "ttr_days": d.get("ttr_days"),
                    "tts_days": d.get("tts_days"),
                    "tts_lt_ttr": d.get("tts_lt_ttr"),
                    "pi": d.get("pi"),
                    "lost_units": sum(float(v) for v in (d.get("lost_units") or {}).values()),
                }
                for d in summary.get("disruptions") or []
            ],
            "risk_exposure": [
                {
                    "rank": r.get("rank"),
                    "node": str(r.get("node")),
                    "name": str(names.get(r.get("node"), r.get("node"))),
                    "rei": r.get("rei"),
                    "ttr_days": _days(r.get("ttr"), period),
                    "tts_days": _days(r.get("tts"), period),
                    "tts_lt_ttr": r.get("tts_lt_ttr"),
                    "pi": r.get("pi"),
                    "lost_units": r.get("lost_units"),
                }
                for r in summary.get("risk_exposure") or []
            ],
        }
    return out


def _days(periods: Any, period_days: Any) -> float | None:
    """A time in the LP's periods (e.g. weeks) as days (``None`` stays ``None``)."""
    if periods is None or period_days is None:
        return None
    return float(periods) * float(period_days)
