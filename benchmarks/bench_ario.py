"""Benchmark: ARIO, fukugan (:mod:`fukugan.dynamics.ario`) against BoARIO 0.7.2, same MRIO and event.

Side by side in one run (docs/PRODUCT.md, "Speed and scale": ≥ 5× faster than BoARIO, trajectories
equal to 1e-6):

* a SYNTHETIC MRIO (:func:`synthetic_mrio`; 50 regions × 50 sectors, 365 days; ``--quick``:
  10 × 10, 60 days);
* pymrio's test MRIO (``pymrio.load_test()``, 6 regions × 8 sectors), 365 days (60 quick).

The event: productive capital destroyed in one industry (half its capital) and a second one (a
tenth), at day 5, for 10 days, then a linear recovery over 90 days (BoARIO
``EventKapitalRecover``; ``event_monetary_factor`` = the model's, 10⁶).

Each side runs in its own subprocess (:func:`_run_worker`), which builds its model from the same
arrays and times model construction + the whole run (BoARIO: ``ARIOPsiModel(...)``,
``Simulation(...)``, ``add_event``, ``loop()``; fukugan: :func:`~fukugan.dynamics.ario.simulate_ario`).
Building the pymrio ``IOSystem`` (``calc_all``) is not timed. Peak RSS is the child's
``ru_maxrss`` as the parent sees it (``os.wait4``, i.e. ``RUSAGE_CHILDREN`` for that one child).
The trajectories (production, capacity, orders received, final demand not met, capital lost,
final inventories; all inventories in quick mode) are compared to 1e-6 relative before any figure
is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TITLE = "ARIO dynamic model (fukugan vs BoARIO 0.7.2)"
SYNTHETIC_LABEL = "SYNTHETIC (generated MRIO; not real data)"
TARGET_RATIO = 5.0
RTOL = 1e-6
EVENT = {"occurrence": 5, "duration": 10, "recovery_tau": 90, "shares": (0.5, 0.1)}
RECORDS = (
    "production",
    "production_cap",
    "intermediate_demand",
    "final_demand_unmet",
    "final_demand_undist",
    "rebuild_demand",
    "rebuild_prod",
    "productive_capital_lost",
)
_BOARIO_RECORDS = {
    "production": "production_realised",
    "production_cap": "production_capacity",
    "intermediate_demand": "intermediate_demand",
    "final_demand_unmet": "final_demand_unmet",
    "final_demand_undist": "final_demand_undist",
    "rebuild_demand": "rebuild_demand",
    "rebuild_prod": "rebuild_prod",
    "productive_capital_lost": "productive_capital_to_recover",
}


# -- data -------------------------------------------------------------------------------------
def synthetic_mrio(
    n_regions: int, n_sectors: int, *, n_fd: int = 2, seed: int = 0
) -> dict[str, Any]:
    """A SYNTHETIC, consistent and productive MRIO (yearly, "million" units).

    Input coefficients by product: column sums ~U(0.3, 0.6) spread over products (Dirichlet),
    each product bought 70 % at home on average and the rest from other regions (random
    weights); final demand (``n_fd`` categories per region) with a home bias;
    x = (I − A)⁻¹ y, Z = A x̂. Regions ``R00``…, sectors ``S00``… (already sorted, as BoARIO
    sorts them). Seeded: the same arguments give the same tables.
    """
    rng = np.random.default_rng(seed)
    m, n = n_regions, n_sectors
    nm = m * n
    a = np.zeros((nm, nm))
    for j in range(nm):
        rj = j // n
        by_product = rng.dirichlet(np.full(n, 0.5)) * rng.uniform(0.3, 0.6)
        w = rng.random(m) ** 3
        w[rj] = 0.0
        w = w / w.sum() * 0.3 if m > 1 else w
        w[rj] = 0.7 if m > 1 else 1.0
        a[:, j] = (w[:, None] * by_product[None, :]).reshape(nm)
    y = rng.lognormal(mean=8.0, sigma=1.0, size=(nm, m * n_fd))
    home = np.repeat(np.arange(m), n)[:, None] == np.repeat(np.arange(m), n_fd)[None, :]
    y = np.where(home, y * 4.0, y * rng.random((nm, m * n_fd)) * 0.2)
    x = np.linalg.solve(np.eye(nm) - a, y.sum(axis=1))
    z = a * x[None, :]
    x = z.sum(axis=1) + y.sum(axis=1)
    regions = [f"R{r:02d}" for r in range(m)]
    sectors = [f"S{s:02d}" for s in range(n)]
    cats = ["Final consumption", "Investment", "Other"][:n_fd] + [f"FD{k}" for k in range(3, n_fd)]
    return {"Z": z, "Y": y, "x": x, "regions": regions, "sectors": sectors, "fd": cats}


def pymrio_test_mrio() -> dict[str, Any]:
    """pymrio's test MRIO (after ``calc_all``) as arrays, in pymrio's order."""
    import pymrio

    mr = pymrio.load_test()
    mr.calc_all()
    return {
        "Z": mr.Z.to_numpy(),
        "Y": mr.Y.to_numpy(),
        "x": mr.x.to_numpy().reshape(-1),
        "regions": list(mr.get_regions()),
        "sectors": list(mr.get_sectors()),
        "fd": list(mr.get_Y_categories()),
    }


def to_iosystem(mrio: dict[str, Any]) -> Any:
    """The same tables as a pymrio ``IOSystem`` (``calc_all`` done), for BoARIO."""
    import pymrio

    ind = pd.MultiIndex.from_product([mrio["regions"], mrio["sectors"]], names=["region", "sector"])
    fdc = pd.MultiIndex.from_product([mrio["regions"], mrio["fd"]], names=["region", "category"])
    io = pymrio.IOSystem(
        Z=pd.DataFrame(mrio["Z"], index=ind, columns=ind),
        Y=pd.DataFrame(mrio["Y"], index=ind, columns=fdc),
        x=pd.DataFrame(mrio["x"], index=ind, columns=["indout"]),
        name="fukugan benchmark",
    )
    io.calc_all()
    return io


def event_impact(mrio: dict[str, Any]) -> dict[tuple[str, str], float]:
    """The benchmark event: half of one industry's productive capital (4 × value added), and a
    tenth of another's (the largest industries of the first and, if any, second region)."""
    x = mrio["x"]
    va = np.maximum(x - mrio["Z"].sum(axis=0), 0.0)
    n = len(mrio["sectors"])
    regions, sectors = mrio["regions"], mrio["sectors"]
    first = int(np.argmax(x[:n]))
    targets = [(regions[0], sectors[first])]
    second = n + int(np.argmax(x[n : 2 * n])) if len(regions) > 1 else (first + 1) % n
    targets.append((regions[second // n], sectors[second % n]))
    idx = [regions.index(r) * n + sectors.index(s) for r, s in targets]
    return {
        t: float(4 * va[i] * share)
        for t, i, share in zip(targets, idx, EVENT["shares"], strict=True)
    }


# -- the two sides ----------------------------------------------------------------------------
def run_boario(
    mrio: dict[str, Any],
    impact: dict,
    n_days: int,
    *,
    register_stocks: bool = False,
    model_kwargs: dict[str, Any] | None = None,
    **event: Any,
) -> dict[str, Any]:
    """BoARIO 0.7.2 on ``mrio``: the records as arrays in BoARIO's (sorted) industry order.

    Works around BoARIO 0.7.2's traps (docs/PITFALLS.md): the event is built with
    ``boario.event.from_series`` (``EventKapitalRecover.from_scalar_regions_sectors`` returns
    None), ``loop()`` is called without arguments, and ``event_monetary_factor`` is given
    explicitly (its default, 1, would divide the impact by the model's 10⁶).
    """
    import logging

    warnings.filterwarnings("ignore")
    logging.getLogger("boario").setLevel(logging.ERROR)
    from boario.event import from_series
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    io = to_iosystem(mrio)
    kind = event.get("event_type", "recovery")
    kw: dict[str, Any] = {
        "event_type": kind,
        "occurrence": event.get("occurrence", EVENT["occurrence"]),
        "duration": event.get("duration", EVENT["duration"]),
        "event_monetary_factor": 10**6,
    }
    if kind == "recovery":
        kw["recovery_tau"] = event.get("recovery_tau", EVENT["recovery_tau"])
        kw["recovery_function"] = event.get("recovery_function", "linear")
    else:
        kw["rebuild_tau"] = event["rebuild_tau"]
        kw["rebuilding_sectors"] = event["rebuilding_sectors"]
        kw["rebuilding_factor"] = event.get("rebuilding_factor", 1.0)
    horizon = max(n_days, kw["occurrence"] + kw["duration"])
    tmp = tempfile.mkdtemp(prefix="boario-bench-")
    t0 = time.perf_counter()
    kwargs = dict(model_kwargs or {})
    if kwargs.pop("model_type", "psi") == "base":
        from boario.model_base import ARIOBaseModel

        model = ARIOBaseModel(io, **kwargs)
    else:
        model = ARIOPsiModel(io, **kwargs)
    sim = Simulation(
        model,
        n_temporal_units_to_sim=horizon,
        register_stocks=register_stocks,
        boario_output_dir=tmp,
    )
    ev = from_series(pd.Series(impact, dtype="float64"), **kw)
    sim.add_event(ev)
    if horizon != n_days:  # BoARIO refuses events ending after the horizon
        sim.n_temporal_units_to_sim = n_days
    sim.loop()
    seconds = time.perf_counter() - t0
    res: dict[str, Any] = {"seconds": seconds}
    for k, b in _BOARIO_RECORDS.items():
        res[k] = getattr(sim, b).to_numpy()[:n_days]
    res["final_stock"] = model.inputs_stock
    res["industries"] = [tuple(i) for i in model.industries]
    res["sectors_sorted"] = list(model.sectors)
    if register_stocks:
        res["stocks"] = sim.inputs_stocks.to_numpy().reshape(n_days, model.n_sectors, -1)
    return res


def run_fukugan(
    mrio: dict[str, Any],
    impact: dict,
    n_days: int,
    *,
    register_stocks: bool = False,
    params: Any = None,
    kernels: str = "auto",
    **event: Any,
) -> dict[str, Any]:
    """fukugan on ``mrio``, same event: records as arrays in BoARIO's (sorted) industry order."""
    from fukugan.dynamics.ario import ARIOEvent, simulate_ario

    kind = event.get("event_type", "recovery")
    ev = ARIOEvent(
        impact=impact,
        occurrence=event.get("occurrence", EVENT["occurrence"]),
        duration=event.get("duration", EVENT["duration"]),
        event_type=kind,
        recovery_tau=event.get("recovery_tau", EVENT["recovery_tau"]),
        recovery_function=event.get("recovery_function", "linear"),
        rebuild_tau=event.get("rebuild_tau"),
        rebuilding_sectors=event.get("rebuilding_sectors"),
        rebuilding_factor=event.get("rebuilding_factor", 1.0),
    )
    t0 = time.perf_counter()
    tr = simulate_ario(
        mrio["Z"],
        mrio["Y"],
        mrio["x"],
        None,
        mrio["regions"],
        mrio["sectors"],
        [ev],
        params,
        n_days=n_days,
        record_stocks=register_stocks,
        kernels=kernels,  # type: ignore[arg-type]
    )
    seconds = time.perf_counter() - t0
    regions, sectors = mrio["regions"], mrio["sectors"]
    order = [(r, s) for r in sorted(regions) for s in sorted(sectors)]
    n = len(sectors)
    cols = [regions.index(r) * n + sectors.index(s) for r, s in order]
    secs = [sectors.index(s) for s in sorted(sectors)]
    res: dict[str, Any] = {"seconds": seconds, "industries": order}
    for k in RECORDS:
        res[k] = getattr(tr, k)[:, cols]
    assert tr.final_state is not None
    res["final_stock"] = tr.final_state.inputs_stock[secs][:, cols]
    if register_stocks:
        assert tr.inputs_stock is not None
        res["stocks"] = tr.inputs_stock[:, secs][:, :, cols]
    res["baseline"] = tr.x0[cols]
    res["trajectory"] = tr
    res["final_demand_baseline"] = tr.y0_tot[cols]
    return res


def compare(fast: dict[str, Any], slow: dict[str, Any]) -> dict[str, float]:
    """Max relative difference per quantity (fukugan vs BoARIO).

    Production, capacity, orders, inventories: relative to BoARIO's value. Final demand not met
    and rebuilding demand / deliveries (≈ 0 or absent for most industries): relative to the
    industry's baseline output. Capital lost: relative
    to the largest capital lost.
    """
    if [tuple(i) for i in fast["industries"]] != [tuple(i) for i in slow["industries"]]:
        raise AssertionError("industry orders differ")
    out: dict[str, float] = {}
    for k in (*RECORDS, "final_stock", "stocks"):
        if k not in fast or k not in slow:
            continue
        a = np.asarray(fast[k], dtype=float)
        b = np.asarray(slow[k], dtype=float)
        if a.shape != b.shape:
            raise AssertionError(f"{k}: shapes differ {a.shape} vs {b.shape}")
        fin = np.isfinite(b)
        if not (np.isfinite(a) == fin).all() or not (a[~fin] == b[~fin]).all():
            out[k] = float("inf")
            continue
        if k in ("final_demand_unmet", "final_demand_undist", "rebuild_demand", "rebuild_prod"):
            den = np.broadcast_to(fast["baseline"], a.shape)
        elif k == "productive_capital_lost":
            den = np.full(a.shape, max(float(np.abs(b).max()), 1e-300))
        else:
            den = np.abs(b)
        d = np.abs(a - b)[fin]
        den = den[fin]
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(d == 0, 0.0, d / den)
        out[k] = float(r.max()) if r.size else 0.0
    return out


def production_drop(res: dict[str, Any]) -> float:
    """Largest relative fall of an industry's production below its day-0 level."""
    p = res["production"]
    return float(1 - (p.min(axis=0) / p[0]).min())


# -- subprocess workers -----------------------------------------------------------------------
def _load_case(case: str, n_regions: int, n_sectors: int) -> dict[str, Any]:
    if case == "pymrio":
        return pymrio_test_mrio()
    return synthetic_mrio(n_regions, n_sectors)


def _worker(args: argparse.Namespace) -> dict[str, Any]:
    mrio = _load_case(args.case, args.regions, args.sectors)
    impact = event_impact(mrio)
    if args.worker == "boario":
        import boario  # noqa: F401  (imports not timed)
        import pymrio  # noqa: F401
    else:
        import fukugan.dynamics.ario  # noqa: F401
    fn = run_boario if args.worker == "boario" else run_fukugan
    times = []
    res: dict[str, Any] = {}
    for _ in range(args.repeats):
        res = fn(mrio, impact, args.days, register_stocks=args.stocks)
        times.append(res.pop("seconds"))
    arrays = {k: np.asarray(v) for k, v in res.items() if k not in ("industries", "trajectory")}
    arrays["industries"] = np.array(["\t".join(i) for i in res["industries"]])
    np.savez(args.out, **arrays)
    return {"times": times}


def _run_worker(
    impl: str,
    case: str,
    n_regions: int,
    n_sectors: int,
    n_days: int,
    out: Path,
    *,
    repeats: int = 1,
    stocks: bool = False,
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.bench_ario",
        "--worker",
        impl,
        "--case",
        case,
        "--regions",
        str(n_regions),
        "--sectors",
        str(n_sectors),
        "--days",
        str(n_days),
        "--out",
        str(out),
        "--repeats",
        str(repeats),
    ]
    if stocks:
        cmd.append("--stocks")
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryFile("w+") as so, tempfile.TemporaryFile("w+") as se:
        proc = subprocess.Popen(cmd, stdout=so, stderr=se, cwd=root, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        stdout, stderr = so.read(), se.read()
    if proc.returncode != 0:
        raise RuntimeError(f"worker {impl} failed:\n{stderr[-4000:]}")
    figures = json.loads(stdout.strip().splitlines()[-1])
    figures["peak_rss_mib"] = usage.ru_maxrss / 1024.0
    return figures


def _load(path: Path) -> dict[str, Any]:
    with np.load(path) as z:
        d = {k: z[k] for k in z.files}
    d["industries"] = [tuple(s.split("\t")) for s in d["industries"]]
    return d


def run_case(
    case: str,
    n_regions: int,
    n_sectors: int,
    n_days: int,
    *,
    repeats_fast: int = 2,
    repeats_slow: int = 1,
    stocks: bool = False,
) -> dict[str, Any]:
    """Run both sides of one case; returns timings, RSS, differences."""
    with tempfile.TemporaryDirectory(prefix="fukugan-ario-") as d:
        fa, sl = Path(d) / "fukugan.npz", Path(d) / "boario.npz"
        fast = _run_worker(
            case=case,
            impl="fukugan",
            n_regions=n_regions,
            n_sectors=n_sectors,
            n_days=n_days,
            out=fa,
            repeats=repeats_fast,
            stocks=stocks,
        )
        slow = _run_worker(
            case=case,
            impl="boario",
            n_regions=n_regions,
            n_sectors=n_sectors,
            n_days=n_days,
            out=sl,
            repeats=repeats_slow,
            stocks=stocks,
        )
        a, b = _load(fa), _load(sl)
    diffs = compare(a, b)
    mrio_shape = (len({r for r, _ in a["industries"]}), len({s for _, s in a["industries"]}))
    return {
        "case": case,
        "regions": mrio_shape[0],
        "sectors": mrio_shape[1],
        "days": n_days,
        "fukugan_times_s": fast["times"],
        "boario_times_s": slow["times"],
        "fukugan_s": fast["times"][0],
        "fukugan_best_s": min(fast["times"]),
        "boario_s": slow["times"][0],
        "boario_best_s": min(slow["times"]),
        "ratio": slow["times"][0] / fast["times"][0],
        "ratio_best": min(slow["times"]) / min(fast["times"]),
        "fukugan_peak_rss_mib": fast["peak_rss_mib"],
        "boario_peak_rss_mib": slow["peak_rss_mib"],
        "max_rel_diff": diffs,
        "agree": all(v <= RTOL for v in diffs.values()),
        "production_drop": production_drop(b),
    }


# -- the section ------------------------------------------------------------------------------
def run(quick: bool = False) -> tuple[str, dict]:
    """Run the benchmark; returns (markdown section, raw figures)."""
    if quick:
        cases = [("synthetic", 10, 10, 60, 2, 1, True), ("pymrio", 0, 0, 60, 3, 3, True)]
    else:
        cases = [("synthetic", 50, 50, 365, 2, 1, False), ("pymrio", 0, 0, 365, 3, 3, True)]
    results = [
        run_case(c, r, s, d, repeats_fast=rf, repeats_slow=rs, stocks=st)
        for c, r, s, d, rf, rs, st in cases
    ]
    figures = {"cases": results, "target_ratio": TARGET_RATIO, "rtol": RTOL}
    lines = [
        f"## {TITLE}",
        "",
        "Same MRIO, same event, each side in its own subprocess: model construction and the "
        "whole daily run timed (building the pymrio `IOSystem` not timed). Event: half the "
        "productive capital of one industry and a tenth of another's destroyed at day "
        f"{EVENT['occurrence']}, for {EVENT['duration']} days, then recovered linearly over "
        f"{EVENT['recovery_tau']} days (BoARIO `EventKapitalRecover`, default `ARIOPsiModel` "
        "parameters).",
        "",
        "| MRIO | days | fukugan first run (s) | fukugan best (s) | BoARIO (s) | speed-up "
        "| fukugan peak RSS (MiB) | BoARIO peak RSS (MiB) | max rel. difference | "
        "largest production drop |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        label = (
            f"**{SYNTHETIC_LABEL}**, {r['regions']} regions × {r['sectors']} sectors"
            if r["case"] == "synthetic"
            else f"pymrio test MRIO, {r['regions']} regions × {r['sectors']} sectors"
        )
        worst = max(r["max_rel_diff"].values())
        lines.append(
            f"| {label} | {r['days']} | {r['fukugan_s']:.3f} | {r['fukugan_best_s']:.3f} | "
            f"{r['boario_s']:.3f} | **{r['ratio']:.1f}×** (best {r['ratio_best']:.1f}×) | "
            f"{r['fukugan_peak_rss_mib']:.0f} | {r['boario_peak_rss_mib']:.0f} | {worst:.1e} | "
            f"{100 * r['production_drop']:.1f} % |"
        )
    lines.append("")
    for r in results:
        ok = r["ratio"] >= TARGET_RATIO
        lines.append(
            f"- {r['case']}: speed-up {r['ratio']:.1f}× on the first run (target ≥ "
            f"{TARGET_RATIO:.0f}×: {'met' if ok else 'NOT met'}); trajectories equal to "
            f"{RTOL:g}: **{'yes' if r['agree'] else 'NO'}** (max relative difference: "
            + ", ".join(f"{k} {v:.1e}" for k, v in r["max_rel_diff"].items())
            + ")."
        )
    lines += [
        "- fukugan's first run includes loading its numba kernels from the on-disk cache "
        "(systems of ≥ 300 industries; smaller ones use numpy); 'best' is the best of the "
        "repeats in the same process. BoARIO runs once at full scale (it is slow), its best is "
        "over the repeats otherwise.",
        "- Peak RSS: the child process's `ru_maxrss` (`os.wait4`), including the Python "
        "interpreter, the imports and the MRIO arrays. Other work on the shared machine at the "
        "time adds noise to single runs.",
        "",
    ]
    return "\n".join(lines), figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--worker", choices=["fukugan", "boario"])
    p.add_argument("--case", choices=["synthetic", "pymrio"], default="synthetic")
    p.add_argument("--regions", type=int, default=10)
    p.add_argument("--sectors", type=int, default=10)
    p.add_argument("--days", type=int, default=60)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--stocks", action="store_true")
    p.add_argument("--out", type=Path)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args)))
        return 0
    text, figures = run(quick=args.quick)
    print(text)
    print(json.dumps(figures, indent=1, default=str), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
