"""Monte Carlo sweeps: deterministic sampling, a real 2-worker Dask LocalCluster, reduction."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fukugan.cli.main import app
from fukugan.scenarios import schema as sch
from fukugan.scenarios.schema import ScenarioError, load_scenario
from fukugan.services.montecarlo import local_cluster, run_sweep, sample_values, write_sweep
from fukugan.store.analytic import AnalyticStore

EXAMPLES = Path(sch.__file__).parent / "examples"
NANKAI = EXAMPLES / "nankai-trough.yaml"


@pytest.fixture(scope="module")
def store(tmp_path_factory, loaded_copy) -> AnalyticStore:
    s = AnalyticStore(loaded_copy(tmp_path_factory.mktemp("home")))
    return s


@pytest.fixture(scope="module")
def client():
    from distributed import Client

    cluster = local_cluster(2)  # the cluster run_sweep starts itself
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.mark.slow
def test_local_workers_run_one_thread_each(client):
    """2 workers on 2 cores run 2 threads: one numba, OpenMP and BLAS thread in each worker
    (numba's default is every core, which Dask's nanny does not change)."""

    def threads() -> tuple[int, str | None, str | None]:  # nested: pickled by value
        import os

        import numba

        env = os.environ
        return numba.get_num_threads(), env.get("OMP_NUM_THREADS"), env.get("OPENBLAS_NUM_THREADS")

    assert set(client.run(threads).values()) == {(1, "1", "1")}


def test_sampling_is_deterministic_and_in_bounds():
    sc = load_scenario(NANKAI)
    a = sample_values(sc, 200, 11)
    b = sample_values(sc, 200, 11)
    assert a == b
    assert sample_values(sc, 50, 11) == a[:50]  # sample i does not depend on N
    assert sample_values(sc, 5, 12) != a[:5]
    deltas = np.array([v["shocks[0].delta"] for v, _ in a])
    days = np.array([v["shocks[0].recovery.days"] for v, _ in a])
    assert deltas.min() >= 0.2 and deltas.max() <= 0.7
    assert days.min() >= 90 and days.max() <= 1095
    assert all(isinstance(v["shocks[0].recovery.days"], int) for v, _ in a)
    assert abs(np.median(days) - 365) < 60  # lognormal median 365
    assert len({s for _, s in a}) == 200


@pytest.mark.slow
def test_sweep_on_a_two_worker_cluster_equals_in_process(store, client, tmp_path):
    sc = load_scenario(NANKAI)
    assert len(client.scheduler_info()["workers"]) == 2
    dist = run_sweep(sc, store, samples=24, client=client)
    local = run_sweep(sc, store, samples=24, workers=0)
    assert dist.workers == 2 and local.workers == 0
    # in-process numpy may use a multi-threaded BLAS (last-bit differences); Dask workers are
    # single-threaded, so 1 or 2 workers give identical bits (see the benchmark test)
    kw = {"check_exact": False, "rtol": 1e-12, "atol": 1e-9}
    pd.testing.assert_frame_equal(dist.samples, local.samples, **kw)
    pd.testing.assert_frame_equal(dist.by_sector, local.by_sector, **kw)
    pd.testing.assert_frame_equal(dist.daily, local.daily, **kw)
    bs = dist.by_sector
    assert (bs["q05"] <= bs["q50"] + 1e-9).all() and (bs["q50"] <= bs["q95"] + 1e-9).all()
    assert bs["unit"].iloc[0] == "C29"
    # the sampled values reach the engine: a deeper shock loses more
    s = dist.samples
    assert np.corrcoef(s["value:shocks[0].delta"], s["total_loss"])[0, 1] > 0.5
    out = write_sweep(dist, tmp_path / "mc")
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["samples"] == 24 and summary["seed"] == sc.seed
    assert summary["total_loss"]["q05"] <= summary["total_loss"]["q95"]
    assert pd.read_parquet(out / "by_sector.parquet").shape[0] == 45


def test_sweep_needs_an_uncertainty_block(store, tmp_path):
    text = NANKAI.read_text("utf-8").split("uncertainty:")[0]
    p = tmp_path / "n.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match="uncertainty"):
        run_sweep(load_scenario(p), store, samples=3, workers=0)


@pytest.mark.slow
def test_cli_samples_on_a_local_cluster(tmp_path, monkeypatch, store):
    monkeypatch.setenv("FUKUGAN_HOME", str(store.home))
    res = CliRunner().invoke(
        app,
        [
            "simulate", str(EXAMPLES / "graphite-export-restriction.yaml"),
            "--samples", "12", "--workers", "2", "--out", str(tmp_path / "mc"),
            "--format", "json",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)["reports"][0]
    s = rep["summary"]
    assert s["samples"] == 12 and s["workers"] == 2
    assert s["total-loss-q05"] <= s["total-loss-q50"] <= s["total-loss-q95"]
    assert rep["rows"][0]["loss-q05"] <= rep["rows"][0]["loss-q95"]
    assert (tmp_path / "mc" / "samples.parquet").exists()


@pytest.mark.slow
def test_benchmark_quick_runs():
    from benchmarks import bench_montecarlo

    text, figures = bench_montecarlo.run(quick=True)
    assert figures["samples"] == 20
    assert figures["seconds"]["1"] > 0 and figures["seconds"]["2"] > 0
    assert figures["identical"] is True
    assert "speed-up" in text
