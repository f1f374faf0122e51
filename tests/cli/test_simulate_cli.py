"""End-to-end: `fukugan simulate` as a user runs it, on the bundled real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fukugan.cli.main import app
from fukugan.scenarios import schema as sch
from fukugan.store.rundir import read_run

runner = CliRunner()
EXAMPLES = Path(sch.__file__).parent / "examples"
GALLIUM = EXAMPLES / "gallium-germanium-licensing.yaml"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, loaded_copy) -> Path:
    home = loaded_copy(tmp_path_factory.mktemp("home"))
    mp = pytest.MonkeyPatch()
    mp.setenv("FUKUGAN_HOME", str(home))
    yield home
    mp.undo()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.slow
def test_simulate_writes_a_run_and_prints_a_summary(loaded, tmp_path):
    out = tmp_path / "run"
    res = run("simulate", GALLIUM, "--out", out, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    main, paths = doc["reports"]
    s = main["summary"]
    assert s["engine"] == "static" and s["seed"] == 2023 and s["run-dir"] == str(out)
    assert s["total-loss"] > 0 and s["peak-loss"] > 0 and s["recovery-day"] is not None
    assert 0 < s["indirect-share"] < 1
    assert len(main["rows"]) == 10 and main["rows"][0]["code"] == "C24"
    assert {x["dataset"] for x in main["sources"]} >= {"oecd_iot", "usgs_world_production"}
    assert paths["rows"] and paths["rows"][0]["path-source"].startswith("CHN quota")
    ts, p, summary = read_run(out)
    assert summary["total_loss"] == pytest.approx(s["total-loss"])
    assert summary["scenario"]["name"] == "gallium-germanium-licensing"
    assert summary["seed"] == 2023 and summary["sources"]
    assert set(ts["component"]) == {"total", "direct", "indirect"}


@pytest.mark.slow
def test_default_run_dir_and_seed_override(loaded):
    res = run("simulate", GALLIUM, "--seed", "7", "--format", "json")
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)["reports"][0]["summary"]
    run_dir = Path(s["run-dir"])
    assert run_dir.parent == loaded / "runs" and run_dir.name.startswith("gallium-germanium")
    _, _, summary = read_run(run_dir)
    assert summary["seed"] == 7 and summary["scenario"]["seed"] == 7


@pytest.mark.slow
def test_table_and_japanese_and_csv(loaded, tmp_path):
    res = run("simulate", EXAMPLES / "hokkaido-blackout.yaml", "--out", tmp_path / "a")
    assert res.exit_code == 0, res.output
    assert "Peak daily loss" in res.stdout and "Top propagation paths" in res.stdout
    assert "Source: OECD" in res.stdout
    res = run(
        "simulate", EXAMPLES / "hokkaido-blackout.yaml", "--out", tmp_path / "b", "--lang", "ja"
    )
    assert res.exit_code == 0, res.output
    assert "日次損失のピーク" in res.stdout and "北海道" in res.stdout
    res = run(
        "simulate", EXAMPLES / "nankai-trough.yaml", "--out", tmp_path / "c", "--format", "csv"
    )
    assert res.exit_code == 0, res.output
    assert "# report:" in res.stdout and "Total loss" in res.stdout


def test_unavailable_or_unwired_engine_is_a_clear_error(loaded, tmp_path):
    res = run("simulate", GALLIUM, "--engine", "exposure", "--out", tmp_path / "x")
    # either wired (a result) or a one-line error, never a traceback
    assert res.exit_code in (0, 2), res.output
    if res.exit_code == 2:
        assert "error:" in res.output and "Traceback" not in res.output
        assert not (tmp_path / "x").exists()


BAD = {
    "unknown-key": ("    delta: 0.5\n", "    delta: 0.5\n    severity: 3\n", "line 10", "severity"),
    "wrong-type": ("delta: 0.5", "delta: lots", "line 9", "shocks[0].delta"),
    "delta-range": ("delta: 0.5", "delta: 1.2", "line 9", "shocks[0].delta"),
    "negative-days": ("days: 10", "days: -3", "line 10", "shocks[0].recovery.days"),
    "unknown-sector": ("sector: C24", "sector: Z99", "line 8", "shocks[0].sector"),
    "unknown-country": ("country: JPN", "country: XYZ", "line 4", "data.oecd_iot.country"),
    "missing-table": (
        "country: JPN, year: 2020",
        "country: DEU, year: 2011",
        "line 4",
        "data.oecd_iot",
    ),
    "yaml-syntax": ("delta: 0.5", "delta: [0.5", "line ", "YAML syntax error"),
}
BASE = """\
name: bad
engine: static
data:
  oecd_iot: {country: JPN, year: 2020}
horizon_days: 30
shocks:
  - type: outage
    sector: C24
    delta: 0.5
    recovery: {path: linear, days: 10}
"""


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_with_file_line_field_and_writes_nothing(loaded, tmp_path, case):
    old, new, line, field = BAD[case]
    assert old in BASE
    p = tmp_path / f"{case}.yaml"
    p.write_text(BASE.replace(old, new), encoding="utf-8")
    runs = loaded / "runs"
    before = sorted(runs.iterdir()) if runs.exists() else []
    out = tmp_path / "out"
    res = run("simulate", p, "--out", out)
    assert res.exit_code == 2, res.output
    msg = " ".join(res.output.split())
    assert str(p.name) in msg and line in msg and field in msg, msg
    assert "Traceback" not in res.output
    assert not out.exists() and not out.with_name("out.tmp").exists()
    assert (sorted(runs.iterdir()) if runs.exists() else []) == before


def test_unknown_commodity_names_its_line(loaded, tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text(
        BASE + "  - {type: export_ban, country: CHN, commodity: kryptonite, sector_share: 0.1}\n",
        encoding="utf-8",
    )
    res = run("simulate", p, "--out", tmp_path / "o")
    assert res.exit_code == 2
    msg = " ".join(res.output.split())
    assert "line 11" in msg and "shocks[1].commodity" in msg and "kryptonite" in msg


def test_missing_file_and_bad_samples(loaded, tmp_path):
    res = run("simulate", tmp_path / "nope.yaml")
    assert res.exit_code == 2 and "file not found" in res.output
    res = run("simulate", GALLIUM, "--samples", "0", "--out", tmp_path / "o")
    assert res.exit_code == 2 and "--samples" in res.output and not (tmp_path / "o").exists()
