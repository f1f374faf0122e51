"""The semiconductor package (``automotive-chip-shortage.yaml``) on the exposure engine: each
turn's run is the BOM network's time-to-recover LP with the decisions taken, worked by hand on
the bundled automotive example, and the after-action report's figures are the runs' own files.

The network (``fukugan.data.bom_example``): the ECUs of 100 sedans (margin 2 thousand USD) and
50 SUVs (margin 4) a week need 150 chips a week; the single fab CHIP holds 300. A fire stops it
from day 7 for 12 weeks, so 1,800 chips are needed over the outage and 300 are on hand: 1,500
vehicles are lost, the sedans first (the LP keeps the SUVs, which earn more): 1,200 sedans and
300 SUVs, 2 × 1,200 + 4 × 300 = 3,600 thousand USD.
"""

from __future__ import annotations

import math

import pytest

from fukugan.exercises.model import exercise_from_doc
from fukugan.reports.exercise import exercise_aar
from fukugan.reports.render import render_html
from fukugan.scenarios.exercise import PACKAGES, ExerciseError, load_package
from fukugan.services.exercises import ExerciseService
from fukugan.store.analytic import AnalyticStore
from fukugan.store.rundir import read_run

PACKAGE = PACKAGES / "automotive-chip-shortage.yaml"


def _loss(chips: float) -> tuple[float, float, float]:
    """(lost profit, sedans lost, SUVs lost) with ``chips`` chips over the 12-week outage."""
    built = min(chips, 1800.0)
    suvs = min(built, 600.0)
    sedans = built - suvs
    return 2 * (1200 - sedans) + 4 * (600 - suvs), 1200 - sedans, 600 - suvs


def _from_files(run_dir: str) -> dict[str, float | None]:
    """The package's KPIs read from a run directory's own files."""
    ts, _, summary = read_run(run_dir)
    node = ts[ts["unit_kind"] == "node"]
    units = node[node["metric"] == "lost_units"].groupby("unit")["value"].sum()
    profit = node[node["metric"] == "profit_loss"].groupby("unit")["value"].sum()
    (chip,) = [d for d in summary["disruptions"] if d["node"] == "CHIP"]
    return {
        "loss": summary["total_loss"],
        "sedans": float(units.get("SEDAN", 0.0)),
        "suvs": float(units.get("SUV", 0.0)),
        "survive": None if math.isinf(chip["tts_days"]) else chip["tts_days"],
        "sedan_profit": float(profit.get("SEDAN", 0.0)),
    }


def test_chip_package_decisions_drive_the_bom_network(tmp_path, aar_cells):
    svc = ExerciseService(AnalyticStore(tmp_path / "home"), f"sqlite:///{tmp_path / 'ws.sqlite'}")
    try:
        ex_id = svc.create(PACKAGE)
        svc.start(ex_id)
        svc.decide(ex_id, "D1", "market", role="gov")
        svc.decide(ex_id, "D2", "stock3", role="firm")  # 3 weeks × 150 = 450 chips, by day 7
        svc.advance(ex_id)  # turn 2: the fire
        svc.decide(ex_id, "D3", "mutual_aid", role="gov")  # 30 % of 150 from day 14: 11 weeks
        svc.advance(ex_id)  # turn 3
        svc.decide(ex_id, "D4", "redesign", role="sme")  # decided day 21, delivers from day 49
        svc.decide(ex_id, "D5", "share", role="sme")
        svc.advance(ex_id)
        svc.advance(ex_id)
        svc.end(ex_id)
        runs = {r["label"]: r for r in svc.runs(ex_id)}
        assert all(r["status"] == "done" for r in runs.values())

        base = _loss(300)
        assert base == (3600.0, 1200.0, 300.0)
        turn2 = _loss(300 + 450)  # the stock of turn 1 acts from turn 2
        turn3 = _loss(300 + 450 + 0.3 * 150 * 11)
        final = _loss(300 + 450 + 0.3 * 150 * 11 + 0.3 * 150 * 6)  # 1,515 chips: 285 sedans
        assert final == (570.0, 285.0, 0.0)
        for label, want in (("baseline", base), ("turn-1", base), ("turn-2", turn2),
                            ("turn-3", turn3), ("final", final)):  # fmt: skip
            k = runs[label]["kpis"]
            assert (k["loss"], k["sedans"], k["suvs"]) == pytest.approx(want, abs=1e-6), label
            assert k["sedan_profit"] == pytest.approx(2 * want[1], abs=1e-6)
        # time to survive: the 300 + 450 chips on hand fall by 150 a week less what the fab
        # (30 % of 150 over 11 of the 12 weeks) and the second source (45 a week over 6) supply
        rate = 150 - 0.3 * 150 * 11 / 12 - 0.3 * 150 * 6 / 12
        assert runs["final"]["kpis"]["survive"] == pytest.approx(750 / rate * 7, rel=1e-9)
        assert runs["baseline"]["kpis"]["survive"] == pytest.approx(14.0)
        # the loss of an outage is one figure on the day the node is back: not a loss per day
        assert runs["final"]["curve"]["per_day"] is False
        assert runs["final"]["curve"]["recovery_day"] is None
        daily = runs["final"]["curve"]["daily"]
        assert [t + 1 for t, v in enumerate(daily) if v] == [7 + 84]
        _, _, summary = read_run(runs["final"]["run_dir"])
        assert summary["engine"] == "exposure" and summary["loss_unit"] == "thousand USD"
        assert any("30% of CHIP's capacity back from day 15" in a for a in summary["applied"])
        assert any("not real data" in s["source"] for s in summary["sources"])

        for lang, unit, never in (("en", "thousand USD", "not computed by this engine"),
                                  ("ja", "千米ドル", "このエンジンでは算出しません")):  # fmt: skip
            doc = exercise_aar(svc, ex_id, lang)
            html = render_html(doc)
            cells = aar_cells(html)
            for label, run_dir in doc["runs"].items():
                for kpi_id, want in _from_files(run_dir).items():
                    assert float(cells[(kpi_id, label)]) == pytest.approx(want, rel=1e-12)
            assert doc["totals"]["baseline"] == pytest.approx(3600.0)
            assert doc["totals"]["final"] == pytest.approx(570.0)
            assert unit in html and never in html
            assert (
                "Lost profit over the outages" if lang == "en" else "停止期間中の逸失利益"
            ) in html
    finally:
        svc.dispose()


def test_exposure_kpis_an_engine_does_not_compute_are_refused(tmp_path):
    text = PACKAGE.read_text(encoding="utf-8")
    bad = text.replace("    metric: lost_units\n    facility: SEDAN", "    metric: peak_loss", 1)
    p = tmp_path / PACKAGE.name
    p.write_text(bad, encoding="utf-8")
    (tmp_path / "automotive-chip-shortage.scenario.yaml").write_text(
        PACKAGE.with_name("automotive-chip-shortage.scenario.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    with pytest.raises(ExerciseError) as e:
        load_package(p)
    msg = str(e.value)
    assert "field 'kpis[1].metric'" in msg and "does not compute peak_loss" in msg
    assert "lost_units" in msg  # what it does compute


def test_best_response_of_the_chip_package(tmp_path):
    """Every combination (2 × 3 × 2 × 2 × 2 = 48) through the engine: the least loss takes
    every measure, 300 + 450 + 495 + 180 + 315 = 1,740 chips of 1,800: 60 sedans, 120."""
    svc = ExerciseService(AnalyticStore(tmp_path / "home"), f"sqlite:///{tmp_path / 'ws.sqlite'}")
    try:
        ex_id = svc.create(PACKAGE)
        svc.start(ex_id)
        svc.end(ex_id)
        out = svc.best_response(ex_id)
        assert out["combinations"] == 48
        assert out["total"] == pytest.approx(_loss(1740)[0]) == pytest.approx(120.0)
        chosen = {d["point"]: d["option"] for d in out["decisions"]}
        assert chosen == {"D1": "second_source", "D2": "stock3", "D3": "mutual_aid",
                          "D4": "redesign", "D5": "share"}  # fmt: skip
        assert exercise_from_doc(load_package(PACKAGE).doc).turns == 5
    finally:
        svc.dispose()
