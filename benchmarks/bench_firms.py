"""Benchmark: the Inoue & Todo firm-level model (the authors' model, :mod:`fukugan.dynamics.firms`),
100 days, at 10 k / 100 k / 1 M firms, for ``proportional`` and ``inoue_todo`` rationing.

Sizes (SYNTHETIC networks from :func:`fukugan.dynamics.networks.synthetic_network`, Japan-like
heavy-tailed degrees, 5 links per firm): 10 k firms / 50 k links, 100 k / 500 k and 1 M / 5 M.
Each (size, rule) runs in its own subprocess: the network is generated once per size by the
parent and saved (not timed); the worker loads it and times ``simulate_firms(..., n_days=100)``
with per-firm daily production recorded (float32), keeping the best of :data:`REPEATS`. Peak
memory is the worker's ``VmHWM`` (:mod:`benchmarks._memory`).

The authors' simulator is public (``proNet.cpp``, HiroyasuInoue/ProductionNetworkSimulator,
c4dd74d); its timings on a machine like this one, single-threaded, same network shape, are
quoted from the issue beside fukugan's: ``-R 0`` at 1 M / 5 M 540 s and 1.4 GB; ``-R 2`` 7.8 s
at 10 k / 50 k, 555 s at 100 k / 500 k, and 6 steps in 900 s at 1 M (its rationing rescans a
supplier's customers per fill level).

``python -m benchmarks.bench_firms [--quick]`` prints the section; ``--quick`` runs 10 k only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TITLE = "Firm-level propagation (Inoue & Todo), 100 days"
N_DAYS = 100
REPEATS = 2
TARGET_SECONDS = 15.0
TARGET_GIB = 3.0
NEAR_LINEAR = 1.5
SIZES_FULL = [(10_000, 50_000), (100_000, 500_000), (1_000_000, 5_000_000)]
SIZES_QUICK = [(10_000, 50_000)]
RULES = ("proportional", "inoue_todo")
#: the reference simulator's figures (issue 9), as text per (firms, rule)
REFERENCE = {
    (1_000_000, "proportional"): "540 s, 1.4 GB",
    (10_000, "inoue_todo"): "7.8 s",
    (100_000, "inoue_todo"): "555 s",
    (1_000_000, "inoue_todo"): "6 steps in 900 s",
}
ROOT = Path(__file__).resolve().parents[1]


def _note() -> str:
    """What the inoue_todo figures cost and why (true of the method, not of one run)."""
    from fukugan.dynamics.firm_rationing import EXACT_UP_TO

    return (
        "inoue_todo runs the authors' rationing loop at every supplier every day, as their "
        "simulator does: level by level with the reference's own sums for suppliers of at "
        f"most {EXACT_UP_TO} customers (bit-for-bit agreement is what makes the fixtures "
        "equal: differences in the last bit flip the loop's comparisons a few steps later), "
        "from one sort of the claims above that. The level loop costs customers × levels per "
        "supplier, hence about twice proportional's time; the reference rescans every "
        "supplier's claims per level."
    )


def _save(net, path: Path) -> None:
    np.savez(
        path,
        indptr=net.indptr,
        suppliers=net.suppliers,
        values=net.values,
        sectors=net.sectors,
        final_demand=net.final_demand,
        regions=net.regions,
        sector_names=np.asarray(net.sector_names),
        region_names=np.asarray(net.region_names),
    )


def _load(path: Path):
    from fukugan.dynamics.networks import SYNTHETIC_LABEL, FirmNetwork

    z = np.load(path)
    return FirmNetwork(
        z["indptr"],
        z["suppliers"],
        z["values"],
        z["sectors"],
        z["final_demand"],
        tuple(z["sector_names"].tolist()),
        regions=z["regions"],
        region_names=tuple(z["region_names"].tolist()),
        label=SYNTHETIC_LABEL,
    )


def _worker(net_path: Path, rule: str) -> dict:
    from fukugan.services.threads import passive_openmp

    passive_openmp()  # as the services do before the kernels first run
    from benchmarks._memory import peak_rss_mib
    from fukugan.dynamics.firms import FirmParams, FirmShock, simulate_firms
    from fukugan.dynamics.networks import synthetic_network

    # warm-up: compile the kernels (or load numba's cache) on a tiny network, not timed
    tiny = synthetic_network(200, 1000, seed=1)
    simulate_firms(tiny, FirmShock.firms([0, 1], 0.5), FirmParams(rationing=rule), 3)
    net = _load(net_path)
    regions = ["R02", "R03"] if len(net.region_names) > 3 else ["R00"]
    shock = FirmShock.by_region(net, regions, 0.5, recovery="linear", recovery_days=30)
    walls, cpus = [], []
    tr = None
    for _ in range(REPEATS):
        tr = None
        t0, c0 = time.perf_counter(), time.process_time()
        tr = simulate_firms(net, shock, FirmParams(rationing=rule), N_DAYS)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    base = float(tr.baseline.sum())
    total = tr.total_loss
    direct = float(tr.firm_loss[tr.hit].sum())
    return {
        "rule": rule,
        "firms": net.n_firms,
        "links": net.n_links,
        "seconds": min(walls),
        "cpu_seconds": min(cpus),
        "seconds_each": walls,
        "cpu_ns_per_link_day": min(cpus) / (net.n_links * N_DAYS) * 1e9,
        "peak_rss_mib": peak_rss_mib(),
        "load_1min": os.getloadavg()[0],
        "total_loss_share": total / (base * N_DAYS),
        "indirect_share": (total - direct) / total if total > 0 else float("nan"),
    }


def run(quick: bool = False) -> tuple[str, dict]:
    from fukugan.dynamics.networks import synthetic_network

    sizes = SIZES_QUICK if quick else SIZES_FULL
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, m in sizes:
            path = Path(tmp) / f"net{n}.npz"
            _save(synthetic_network(n, m, seed=7), path)
            for rule in RULES:
                out = subprocess.run(
                    [sys.executable, "-m", "benchmarks.bench_firms", "--worker", str(path), rule],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                    env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
                )
                results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    lines = [
        f"## {TITLE}",
        "",
        "SYNTHETIC networks (generated, Japan-like degrees, 5 links per firm; not real data); "
        "a 50 % capacity loss in two regions recovering linearly over 30 days; per-firm daily "
        "production recorded. Compiled kernels (numba, parallel over firms, "
        f"{__import__('numba').get_num_threads()} threads).",
        "",
        "| firms | links | rule | wall (s) | CPU (s) | ns per link-day (wall / CPU) | "
        "peak (MiB) | reference simulator | loss share | indirect share |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in results:
        r["ns_per_link_day"] = r["seconds"] / (r["links"] * N_DAYS) * 1e9
        lines.append(
            f"| {r['firms']:,} | {r['links']:,} | {r['rule']} | {r['seconds']:.2f} | "
            f"{r['cpu_seconds']:.2f} | {r['ns_per_link_day']:.0f} / "
            f"{r['cpu_ns_per_link_day']:.0f} | {r['peak_rss_mib']:.0f} | "
            f"{REFERENCE.get((r['firms'], r['rule']), '—')} | "
            f"{100 * r['total_loss_share']:.2f} % | {r['indirect_share']:.2f} |"
        )
    lines.append("")
    for rule in RULES:
        rs = sorted((r for r in results if r["rule"] == rule), key=lambda r: r["links"])
        big = [r for r in rs if r["firms"] == 1_000_000]
        if big:
            r = big[0]
            ok_t = r["seconds"] <= TARGET_SECONDS
            ok_m = r["peak_rss_mib"] <= TARGET_GIB * 1024
            lines.append(
                f"- {rule}, 1 M / 5 M: {r['seconds']:.1f} s (target ≤ {TARGET_SECONDS:.0f} s: "
                f"{'met' if ok_t else 'NOT met'}), peak {r['peak_rss_mib'] / 1024:.2f} GiB "
                f"(target ≤ {TARGET_GIB:.0f} GiB: {'met' if ok_m else 'NOT met'})."
            )
        if len(rs) >= 2:
            g = rs[-1]["cpu_ns_per_link_day"] / rs[0]["cpu_ns_per_link_day"]
            lines.append(
                f"- {rule} scaling: CPU ns per link-day "
                + ", ".join(f"{r['cpu_ns_per_link_day']:.0f}" for r in rs)
                + f" ({rs[0]['firms']:,} → {rs[-1]['firms']:,} firms): {g:.2f}× — "
                + ("near-linear" if g <= NEAR_LINEAR else "NOT near-linear")
                + f" (≤ {NEAR_LINEAR}×)."
            )
    loads = [r["load_1min"] for r in results]
    lines += [
        "",
        _note(),
        "",
        f"1-minute load average after the runs: {min(loads):.1f} – {max(loads):.1f} on "
        f"{os.cpu_count()} cpus.",
        "",
    ]
    return "\n".join(lines), {"runs": results, "n_days": N_DAYS}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--worker", nargs=2, metavar=("NET", "RULE"))
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(Path(args.worker[0]), args.worker[1])))
        return 0
    text, _ = run(quick=args.quick)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
