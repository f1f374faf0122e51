"""Every example scenario through ``fukugan simulate`` with every engine it supports.

For each (example, engine): the run directory (timeseries.parquet, paths.parquet, summary.json
with engine, scenario, parameters, seed and sources), the headline invariants (total = direct +
indirect; losses ≥ 0 where the model guarantees it; recovery day after the peak day) and
reproducibility (the same seed gives byte-identical Parquet files). Engines an example cannot
run on are refused with exit code 2, the file, line and field, and nothing written.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fukugan.cli.main import app
from fukugan.results import TIMESERIES_COLUMNS
from fukugan.scenarios import schema as sch
from fukugan.store.rundir import read_run

runner = CliRunner()
EXAMPLES = Path(sch.__file__).parent / "examples"

#: example → the engines it supports (its own first)
SUPPORTED: dict[str, tuple[str, ...]] = {
    "gallium-germanium-licensing": ("static",),
    "graphite-export-restriction": ("static",),
    "rare-earth-export-ban": ("static",),
    "hokkaido-blackout": ("static", "ario"),
    "nankai-trough": ("static", "ario"),
    "synthetic-regional-outage-firms": ("firms",),
    "automotive-chip-fab-fire": ("exposure",),
}
#: example → engines that must refuse it (a shock or data they cannot represent)
REFUSED: dict[str, tuple[str, ...]] = {
    "gallium-germanium-licensing": ("ario", "firms", "exposure"),
    "rare-earth-export-ban": ("ario", "firms", "exposure"),
    "hokkaido-blackout": ("firms", "exposure"),
    "synthetic-regional-outage-firms": ("static", "ario", "exposure"),
    "automotive-chip-fab-fire": ("static", "ario", "firms"),
}
#: engines whose losses cannot be negative (ARIO's can: overproduction above the baseline)
NON_NEGATIVE = {"static", "firms", "exposure"}
CASES = [(name, eng) for name, engines in SUPPORTED.items() for eng in engines]


def test_every_example_is_covered():
    assert {p.stem for p in EXAMPLES.glob("*.yaml")} == set(SUPPORTED)


@pytest.fixture(scope="module")
def home(tmp_path_factory, loaded_copy) -> Path:
    h = loaded_copy(tmp_path_factory.mktemp("home"))
    mp = pytest.MonkeyPatch()
    mp.setenv("FUKUGAN_HOME", str(h))
    yield h
    mp.undo()


def simulate(name: str, engine: str, out: Path, *extra: str):
    args = ["simulate", str(EXAMPLES / f"{name}.yaml"), "--engine", engine, "--out", str(out)]
    return runner.invoke(app, [*args, "--format", "json", *extra])


@pytest.fixture(scope="module")
def runs(home, tmp_path_factory) -> dict[tuple[str, str], tuple[Path, Path, dict]]:
    """Every supported (example, engine) run twice with the scenario's seed."""
    base = tmp_path_factory.mktemp("runs")
    out = {}
    for name, eng in CASES:
        dirs, printed = [], []
        for k in ("a", "b"):
            d = base / f"{name}-{eng}-{k}"
            res = simulate(name, eng, d)
            assert res.exit_code == 0, (name, eng, res.output)
            dirs.append(d)
            printed.append(json.loads(res.stdout))
        out[(name, eng)] = (dirs[0], dirs[1], printed[0])
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("name", "engine"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_run_directory_and_summary(runs, name, engine):
    run_dir, _, printed = runs[(name, engine)]
    assert {p.name for p in run_dir.iterdir()} >= {
        "timeseries.parquet",
        "paths.parquet",
        "summary.json",
    }
    ts, paths, s = read_run(run_dir)
    assert list(ts.columns) == list(TIMESERIES_COLUMNS) and len(ts)
    assert list(paths.columns) == ["source", "target", "step", "weight", "via"]
    for key in ("engine", "scenario", "parameters", "seed", "sources", "unit", "versions"):
        assert key in s, key
    assert s["engine"] == engine and s["scenario"]["engine"] == engine
    assert s["scenario"]["name"] == name and s["seed"] == s["scenario"]["seed"]
    assert s["sources"] and all(src["source"] for src in s["sources"])
    assert s["total_loss"] > 0 and s["peak_loss"] > 0
    main = printed["reports"][0]["summary"]
    assert main["engine"] == engine and main["run-dir"] == str(run_dir)
    assert main["total-loss"] == pytest.approx(s["total_loss"], rel=1e-12)
    if name.startswith("synthetic"):
        assert all(src["synthetic"] and "SYNTHETIC" in src["source"] for src in s["sources"])
        assert "SYNTHETIC" in s["scenario"]["description"]["en"]


@pytest.mark.parametrize(("name", "engine"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_applied_lines_in_both_languages(runs, name, engine):
    """Every shock and response the engine applied has one line in English and one in
    Japanese, and the Japanese one is written in Japanese (not the English copied)."""
    import re

    run_dir, _, _ = runs[(name, engine)]
    _, _, s = read_run(run_dir)
    en, ja = s["applied"], s["applied_ja"]
    assert len(en) == len(ja) >= len(s["scenario"].get("shocks") or [])
    jp = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for a, b in zip(en, ja, strict=True):
        assert a != b and jp.search(b), (a, b)
        assert not jp.search(a), a
    # the notes too, and no English sentence from the data inside a Japanese line
    notes_en, notes_ja = s.get("notes") or [], s.get("notes_ja") or []
    assert len(notes_en) == len(notes_ja)
    for a, b in zip(notes_en, notes_ja, strict=True):
        assert jp.search(b) and not jp.search(a), (a, b)
    english = re.compile(
        r"share of|given in the scenario|trade data|imports of|\bregion |\bsector |network: "
        r"|other traded forms|not listed|days? longer"
    )
    for line in [*ja, *notes_ja]:
        assert not english.search(line), line


@pytest.mark.parametrize(("name", "engine"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_headline_invariants(runs, name, engine):
    run_dir, _, _ = runs[(name, engine)]
    ts, paths, s = read_run(run_dir)
    metric = s.get("headline_metric", "loss")
    assert s["total_loss"] == pytest.approx(
        s["direct_loss"] + s["indirect_loss"], rel=1e-9, abs=1e-9
    )
    loss = ts[ts["metric"] == metric]
    assert np.isfinite(loss["value"]).all()
    units = loss[loss["unit_kind"] != "total"]
    assert set(units["component"]) <= {"direct", "indirect"}
    by_day = units.groupby("t")["value"].sum()
    tot = loss[(loss["unit_kind"] == "total") & (loss["component"] == "total")]
    tot = tot.set_index("t")["value"]
    assert len(tot), "a total row per day"
    scale = max(1.0, float(by_day.abs().max()))
    # the "all" total of each day = Σ over units of direct + indirect
    assert np.allclose(
        tot.reindex(by_day.index).to_numpy(), by_day.to_numpy(), rtol=0, atol=1e-9 * scale
    )
    parts = loss[(loss["unit_kind"] == "total") & (loss["component"] != "total")]
    if len(parts):  # and of its own direct / indirect rows, where the engine writes them
        split = parts.groupby("t")["value"].sum()
        assert np.allclose(split.to_numpy(), tot.reindex(split.index).to_numpy(), atol=1e-9 * scale)
    if engine in NON_NEGATIVE:
        assert units["value"].min() >= -1e-9 * scale
        assert s["direct_loss"] >= 0 and s["indirect_loss"] >= 0
    if s["recovery_day"] is not None:
        assert s["peak_day"] is not None and s["recovery_day"] > s["peak_day"]
    assert s["peak_loss"] == pytest.approx(float(by_day.max()), rel=1e-12)
    if len(paths):
        assert (paths["step"] >= 1).all() and np.isfinite(paths["weight"]).all()


@pytest.mark.parametrize(("name", "engine"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_same_seed_same_bytes(runs, name, engine):
    a, b, _ = runs[(name, engine)]
    for f in ("timeseries.parquet", "paths.parquet"):
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    sa = json.loads((a / "summary.json").read_text("utf-8"))
    sb = json.loads((b / "summary.json").read_text("utf-8"))
    sa.pop("created_at"), sb.pop("created_at")
    assert sa == sb


REFUSAL_CASES = [(n, e) for n, engines in REFUSED.items() for e in engines]


@pytest.mark.parametrize(
    ("name", "engine"), REFUSAL_CASES, ids=[f"{n}-{e}" for n, e in REFUSAL_CASES]
)
def test_unsupported_engine_is_refused_with_its_line(home, tmp_path, name, engine):
    out = tmp_path / "out"
    res = simulate(name, engine, out)
    assert res.exit_code == 2, res.output
    msg = " ".join(res.output.split())
    assert f"{name}.yaml" in msg and "line " in msg and "field" in msg, msg
    assert "Traceback" not in res.output
    assert not out.exists() and not out.with_name("out.tmp").exists()


# -- what each engine adds ---------------------------------------------------------------------


def test_static_price_shock_and_paths(runs):
    ts, paths, s = read_run(runs[("gallium-germanium-licensing", "static")][0])
    price = ts[ts["metric"] == "price_change"]
    assert len(price) and (price["value"] >= -1e-15).all()
    peak = price.groupby(["t", "unit"])["value"].sum().max()
    assert peak == pytest.approx(max(s["price_change_peak"].values()))
    assert paths["source"].str.startswith("CHN quota").all()
    assert {1, 2, 3} <= set(paths["step"])
    two = paths[paths["step"] == 2].iloc[0]
    assert two["via"] and ";" not in two["via"]


def test_exposure_matches_the_hand_worked_example(runs):
    from fukugan.data.bom_example import EXPECTED_PI

    _, _, s = read_run(runs[("automotive-chip-fab-fire", "exposure")][0])
    dis = {d["node"]: d for d in s["disruptions"]}
    assert dis["CHIP"]["pi"] == EXPECTED_PI["CHIP"] and dis["CHIP"]["ttr"] == 6
    assert dis["STEEL"]["pi"] == EXPECTED_PI["STEEL"] and dis["STEEL"]["tts"] == 3
    assert s["total_loss"] == EXPECTED_PI["CHIP"] + EXPECTED_PI["STEEL"]
    rei = pd.DataFrame(s["risk_exposure"]).set_index("node")
    assert rei.loc["WAFER", "rei"] == 1 and rei.loc["CHIP", "rei"] == pytest.approx(0.6)
    assert (
        rei.loc["HARN_B", "tts"] is None
        or math.isinf(rei.loc["HARN_B", "tts"])
        or (pd.isna(rei.loc["HARN_B", "tts"]))
    )


@pytest.mark.slow
def test_exposure_cli_stdout_is_clean_json(home, tmp_path):
    """HiGHS prints a banner on fd 1 when its first solver is built; the JSON must survive."""
    env = {**os.environ, "FUKUGAN_HOME": str(home)}
    code = "import sys; from fukugan.cli.main import app; sys.argv[0] = 'fukugan'; app()"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "simulate",
            str(EXAMPLES / "automotive-chip-fab-fire.yaml"),
            "--out",
            str(tmp_path / "x"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Running HiGHS" not in proc.stdout and "Copyright" not in proc.stdout
    doc = json.loads(proc.stdout)
    titles = [r["title"] for r in doc["reports"]]
    assert "title-risk-exposure" in titles and "title-exposure-disruptions" in titles


def test_firms_regional_outage_recovers(runs):
    ts, paths, s = read_run(runs[("synthetic-regional-outage-firms", "firms")][0])
    assert s["peak_day"] <= 8 and s["recovery_day"] is not None
    assert 0 < s["indirect_share"] < 1 and len(paths)
    assert s["shocks"][0]["firms_hit"] > 0 and s["shocks"][0]["last_day"] == 37


@pytest.mark.parametrize(
    ("extra", "ok"),
    [
        ("order_type: initial_target", True),
        ("inventory: poisson_link", True),
        ("order_type: lazy", False),
        ("order_cap: 2", False),
    ],
)
def test_firms_parameters_from_the_scenario(home, tmp_path, extra, ok):
    """The reference's order type and inventory distribution reach the firm model (recorded in
    the run); an unknown value or parameter (``order_cap`` is gone) is refused with the
    scenario's line and field, nothing written."""
    text = (EXAMPLES / "synthetic-regional-outage-firms.yaml").read_text(encoding="utf-8")
    assert "parameters: {n: 15, tau: 6}" in text
    path = tmp_path / "p.yaml"
    path.write_text(
        text.replace("parameters: {n: 15, tau: 6}", f"parameters: {{n: 15, tau: 6, {extra}}}"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["simulate", str(path), "--out", str(out)])
    key, value = (x.strip() for x in extra.split(":"))
    if ok:
        assert res.exit_code == 0, res.output
        params = json.loads((out / "summary.json").read_text())["parameters"]
        assert params[key] == value and params["rationing"] == "inoue_todo"
    else:
        assert res.exit_code == 2 and key in res.output and "line " in res.output
        assert not out.exists()


@pytest.mark.parametrize(
    ("name", "engine"),
    [("hokkaido-blackout", "ario"), ("synthetic-regional-outage-firms", "firms")],
)
def test_day_stepping_engines_report_each_day_and_can_be_stopped(home, name, engine):
    """ARIO and the firm model report progress after each simulated day (so a run's progress
    moves and a cancel stops it mid-simulation): progress rises monotonically within the
    simulate step, and an exception raised from it ends the run there."""
    from fukugan.services.scenario_run import run_scenario
    from fukugan.store.analytic import AnalyticStore

    class Stop(Exception):
        pass

    fractions: list[float] = []

    def progress(done: int, total: int, label: str) -> None:
        fractions.append(done / total)
        if label == "simulate" and done / total > 0.5:
            raise Stop

    with pytest.raises(Stop):
        run_scenario(EXAMPLES / f"{name}.yaml", AnalyticStore(home), engine, progress)
    assert len(fractions) >= 5 and fractions == sorted(fractions)
    assert 0.5 < fractions[-1] < 0.6  # stopped in the middle of the simulation
