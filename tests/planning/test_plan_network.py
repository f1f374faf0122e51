"""A manufacturer's response plan on the bundled automotive BOM network (exposure engine): the
time-to-recover LP as the recourse, checked against the engine's re-run of every portfolio and
against enumeration; bad plans."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fukugan.cli.main import app
from fukugan.scenarios import schema as sch
from fukugan.scenarios.plan import PlanError, parse_plan

runner = CliRunner()
EXAMPLES = Path(sch.__file__).parent / "examples"
FIRE = EXAMPLES / "automotive-chip-fab-fire.yaml"
SHIPPED = EXAMPLES / "plans" / "automotive-chip-resilience.yaml"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_shipped_manufacturer_plan_end_to_end(tmp_path):
    out = tmp_path / "out"
    res = run("plan", SHIPPED, "--out", out, "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["reports"][0]["notes"] == ["plan-note-network"]  # its method
    s = json.loads((out / "summary.json").read_text("utf-8"))
    assert s["target"] == "facility" and s["status"] == "Optimal"
    assert s["n_scenarios"] == 20 and s["n_measures"] == 4
    assert s["unit"] == s["cost_unit"] == "thousand USD"
    assert s["total_cost"] <= 200 + 1e-9
    assert sum(r["chosen"] for r in s["portfolio"]) >= 2  # a portfolio, not one measure
    assert s["expected_loss"] < s["expected_loss_without_measures"]
    # exact: the program's predicted loss is the exposure engine's re-run, sample by sample
    assert s["engine_expected_loss"] == pytest.approx(s["expected_loss"], rel=1e-9, abs=1e-9)
    for row in s["scenarios"]:
        assert row["engine_loss"] == pytest.approx(row["predicted_loss"], rel=1e-9, abs=1e-9)
    losses = [f["expected_loss"] for f in s["frontier"]]
    assert all(a >= b - 1e-9 for a, b in zip(losses, losses[1:], strict=False))
    assert s["frontier"][0]["expected_loss"] == pytest.approx(s["expected_loss_without_measures"])
    assert s["vss"] >= -1e-9 and s["evpi"] >= -1e-9
    assert [src["dataset"] for src in s["sources"]] == ["bom_network"]
    ja = run("plan", SHIPPED, "--out", tmp_path / "ja", "--lang", "ja", "--no-check")
    assert ja.exit_code == 0 and "対応計画" in ja.output
    assert "復旧時間線形計画" in ja.output and "静学エンジン" not in ja.output


def _plan(measures: str, samples: int = 3, extra: str = "") -> str:
    return f"""\
name: chips
scenarios: [{{path: {FIRE}, samples: {samples}, seed: 5}}]
{extra}measures:
{measures}"""


def test_the_second_source_is_chosen_when_stock_is_dear_and_its_loss_is_the_engines():
    from fukugan.services.planning import run_plan

    text = _plan(
        "  - {id: buf, kind: stockpile, facility: CHIP, max_days: 60, "
        "acquisition_cost_per_day: 40}\n"
        "  - {id: second, kind: second_source, facility: CHIP, share: 0.6, lead_time_days: 7, "
        "fixed_cost: 50}\n"
    )
    s = run_plan(parse_plan(text, path="p.yaml"), None).summary
    chosen = {r["measure"]: r["level"] for r in s["portfolio"]}
    assert chosen["second"] == 1.0
    assert s["engine_expected_loss"] == pytest.approx(s["expected_loss"], rel=1e-9, abs=1e-9)


CATALOGUE = [
    ("stockpile", "CHIP", "domain: binary, days: 14"),
    ("stockpile", "STEEL", "domain: binary, days: 14"),
    ("second_source", "CHIP", "share: 0.4, lead_time_days: 14"),
    ("substitution_rd", "CHIP", "share: 0.5, lead_time_days: 21, success_probability: 0.5"),
    ("second_source", "WAFER", "share: 0.5, lead_time_days: 0"),
]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(st.integers(0, len(CATALOGUE) - 1), min_size=1, max_size=4, unique=True),
    costs=st.lists(st.floats(0, 600, allow_nan=False), min_size=4, max_size=4),
    budget=st.one_of(st.none(), st.floats(0, 800, allow_nan=False)),
)
def test_optimum_equals_enumeration_through_the_engine(picks, costs, budget):
    """Binary measures on the network: the program's portfolio is the best of every portfolio
    run through the exposure engine (cost + expected lost profit, within the budget)."""
    from fukugan.services.plan_network import network_inputs, rerun_network
    from fukugan.services.planning import run_plan

    lines = "".join(
        f"  - {{id: m{j}, kind: {CATALOGUE[i][0]}, facility: {CATALOGUE[i][1]}, "
        f"{CATALOGUE[i][2]}, fixed_cost: {costs[j]:.3f}}}\n"
        for j, i in enumerate(picks)
    )
    extra = "" if budget is None else f"objective: {{budget: {budget:.3f}}}\n"
    doc = parse_plan(_plan(lines, samples=2, extra=extra), path="p.yaml")
    inputs = network_inputs(doc, None, workers=0)
    best = None
    for x in itertools.product((0, 1), repeat=len(picks)):
        lv = np.array(x, dtype=float)
        cost = sum(float(f"{costs[j]:.3f}") * x[j] for j in range(len(picks)))
        if budget is not None and cost > float(f"{budget:.3f}") + 1e-9:
            continue
        loss, _ = rerun_network(inputs, lv)
        p = np.array([s.probability for s in inputs.scenarios])
        total = cost + float(p @ loss)
        best = total if best is None else min(best, total)
    s = run_plan(doc, None, check=False, workers=0).summary
    assert s["total_cost"] + s["expected_loss"] == pytest.approx(best, rel=1e-6, abs=1e-6)


BAD = [
    ("facility: CHIP, max_days", "facility: CHP, max_days", "measures[0].facility", "close: CHIP"),
    ("kind: stockpile, facility: CHIP", "kind: recycling, facility: CHIP",
     "measures[0].kind", "on a node of a BOM network"),
    ("kind: second_source, facility: CHIP", "kind: second_source, commodity: gallium",
     "measures[1].commodity", "not both"),
    ("kind: second_source, facility: CHIP", "kind: second_source, facility: SEDAN",
     "measures[1].facility", "input of no BOM row"),
    ("kind: second_source, facility: CHIP", "kind: second_source, facility: HARN_B",
     "measures[1].facility", "no gross requirement"),
]  # fmt: skip

GOOD = _plan(
    "  - {id: buf, kind: stockpile, facility: CHIP, max_days: 60, acquisition_cost_per_day: 4}\n"
    "  - {id: second, kind: second_source, facility: CHIP, share: 0.6, fixed_cost: 50}\n"
)


@pytest.mark.parametrize(("old", "new", "field", "words"), BAD, ids=[b[2] + b[3] for b in BAD])
def test_bad_network_plans_name_the_field(tmp_path, old, new, field, words):
    p = tmp_path / "p.yaml"
    p.write_text(GOOD.replace(old, new), encoding="utf-8")
    out = tmp_path / "out"
    res = run("plan", p, "--out", out)
    assert res.exit_code == 2, res.output
    assert f"field '{field}'" in res.output and words in res.output
    assert "Traceback" not in res.output and not out.exists()


def test_a_scenario_with_its_own_responses_or_on_another_engine_is_refused(tmp_path):
    from fukugan.services.planning import run_plan

    sc = tmp_path / "with-responses.yaml"
    sc.write_text(
        FIRE.read_text("utf-8")
        + "responses:\n  - {type: stockpile_release, facility: CHIP, days_of_cover: 7}\n",
        encoding="utf-8",
    )
    doc = parse_plan(GOOD.replace(str(FIRE), str(sc)).replace(", samples: 3, seed: 5", ""),
                     path=str(tmp_path / "p.yaml"))  # fmt: skip
    with pytest.raises(PlanError, match="responses of its own"):
        run_plan(doc, None)
    ga = EXAMPLES / "gallium-germanium-licensing.yaml"
    doc = parse_plan(GOOD.replace(str(FIRE), str(ga)).replace(", samples: 3, seed: 5", ""),
                     path=str(tmp_path / "p.yaml"))  # fmt: skip
    with pytest.raises(PlanError, match="engine: exposure"):
        run_plan(doc, None)
