"""A finished run's results as every interface shows them: details, daily series, propagation
paths, sweep distributions and the comparison of two runs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from fukugan.errors import InputError, NotLoadedError
from fukugan.services.runs.base import RunServiceBase
from fukugan.services.runs.common import _source, industry_names, sweep_of
from fukugan.store.rundir import read_run


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
        loss = ts[(ts["metric"] == metric) & (ts["unit_kind"] != "total")]
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
                "direct": float(r["direct"]),
                "indirect": float(r["indirect"]),
                "share": float(r["sum"]) / total if total else None,
            }
            for u, r in by.head(top).iterrows()
        ]
        doc["n_sectors"] = int(len(by))
        doc["n_paths"] = int(len(paths))
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
        doc["notes"] = [str(n) for n in summary.get("notes") or []]
        doc["applied"] = [str(n) for n in summary.get("applied") or []]  # what the engine did
        doc["sources"] = [_source(p) for p in summary.get("sources") or []]
        doc["unit"] = summary.get("unit", "")
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
        res = (
            pd.read_parquet(d / "by_sector.parquet"),
            pd.read_parquet(d / "daily.parquet"),
            json.loads((d / "summary.json").read_text(encoding="utf-8")),
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
        metric: str = "loss",
        by: str = "total",
        *,
        viewer: int | None = None,
    ) -> dict[str, Any]:
        """Losses over time: ``by=total`` gives the total, direct and indirect series summed
        over units; ``by=sector`` one total series per unit (largest first). A sweep:
        ``by=total`` only, the mean and 5 / 50 / 95 % quantiles of the loss per day."""
        if by == "total" and sweep_of(self._row(run_id, viewer)):
            return self.sweep_daily(run_id, viewer=viewer)
        ts, _, summary = self._result(run_id, viewer)
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
