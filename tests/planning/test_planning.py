"""End-to-end: ``fukugan plan`` on the bundled real data (Japan's OECD 2020 table, the gallium /
germanium and graphite scenarios), the engine re-run check, and bad plans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fukugan.cli.main import app
from fukugan.scenarios import schema as sch

runner = CliRunner()
EXAMPLES = Path(sch.__file__).parent / "examples"
GAGE = EXAMPLES / "gallium-germanium-licensing.yaml"
GRAPHITE = EXAMPLES / "graphite-export-restriction.yaml"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, loaded_copy) -> Path:
    home = loaded_copy(tmp_path_factory.mktemp("home"))
    mp = pytest.MonkeyPatch()
    mp.setenv("FUKUGAN_HOME", str(home))
    yield home
    mp.undo()


SMALL = f"""\
name: small
scenarios:
  - {{path: {GAGE}, weight: 2}}
  - {{path: {GRAPHITE}, weight: 1}}
objective: {{budget: 6}}
frontier: {{budgets: [0, 2, 4, 6]}}
measures:
  - {{id: ga-stock, kind: stockpile, commodity: gallium, max_days: 90,
     acquisition_cost_per_day: 0.02}}
  - {{id: ga-second, kind: second_source, commodity: gallium, share: 0.4,
     lead_time_days: 90, fixed_cost: 2.5}}
  - {{id: gr-stock, kind: stockpile, commodity: graphite, domain: binary, days: 30,
     acquisition_cost_per_day: 0.03}}
  - {{id: gr-rd, kind: substitution_rd, commodity: graphite, share: 0.3,
     success_probability: 0.6, lead_time_days: 120, fixed_cost: 2}}
"""


def plan(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.slow
def test_small_plan_end_to_end(loaded, tmp_path):
    out = tmp_path / "out"
    res = run("plan", plan(tmp_path, SMALL), "--out", out, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    titles = [r["title"] for r in doc["reports"]]
    assert titles == [
        "plan-title",
        "plan-frontier-title",
        "plan-scenarios-title",
        "plan-sensitivity-title",
    ]
    s = json.loads((out / "summary.json").read_text("utf-8"))
    assert s["status"] == "Optimal" and s["total_cost"] <= 6 + 1e-9
    assert s["expected_loss"] < s["expected_loss_without_measures"]
    # the optimiser's predicted loss of its portfolio is what the engine gives on a re-run
    assert s["engine_expected_loss"] == pytest.approx(s["expected_loss"], rel=1e-7, abs=1e-9)
    for row in s["scenarios"]:
        assert row["engine_loss"] == pytest.approx(row["predicted_loss"], rel=1e-7, abs=1e-8)
    losses = [f["expected_loss"] for f in s["frontier"]]
    assert all(a >= b - 1e-9 for a, b in zip(losses, losses[1:], strict=False))
    assert s["frontier"][0]["expected_loss"] == pytest.approx(s["expected_loss_without_measures"])
    assert s["vss"] >= -1e-9 and s["evpi"] >= -1e-9
    assert s["sources"] and all(src["source"] for src in s["sources"])
    by_id = {r["measure"]: r for r in s["portfolio"]}
    assert set(by_id) == {"ga-stock", "ga-second", "gr-stock", "gr-rd"}
    assert all(r["loss_avoided_alone"] >= -1e-9 for r in by_id.values())


@pytest.mark.slow
def test_table_in_japanese(loaded, tmp_path):
    res = run("plan", plan(tmp_path, SMALL), "--out", tmp_path / "o", "--lang", "ja",
              "--no-check")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "対応計画" in res.output and "期待損失" in res.output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "scenarios", "measures", "budget"),
    [("japan-gallium-germanium-graphite", 21, 8, 5), ("japan-rare-earths", 20, 5, 8)],
)
def test_shipped_plan(loaded, tmp_path, name, scenarios, measures, budget):
    out = tmp_path / "shipped"
    res = run("plan", EXAMPLES / "plans" / f"{name}.yaml", "--out", out, "--format", "json")
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text("utf-8"))
    assert s["n_scenarios"] == scenarios and s["n_measures"] == measures
    assert s["total_cost"] <= budget + 1e-9
    assert s["expected_loss"] < s["expected_loss_without_measures"]
    assert sum(r["chosen"] for r in s["portfolio"]) >= 2  # a portfolio, not one measure
    assert s["engine_expected_loss"] == pytest.approx(s["expected_loss"], rel=1e-6, abs=1e-9)


BAD = [
    # (replace in SMALL, expected line, field, words)
    ("commodity: gallium, max_days", 8, "measures[0].commodity", "cobalt"),
    ("acquisition_cost_per_day: 0.02", 9, "measures[0].acquisition_cost_per_day", "negative"),
    ("share: 0.4", 10, "measures[1].share", "greater than the maximum"),
    ("fixed_cost: 2.5", 11, "measures[1].fixed_tax", "unknown key"),
]
REPL = {
    "commodity: gallium, max_days": "commodity: cobalt, max_days",
    "acquisition_cost_per_day: 0.02": "acquisition_cost_per_day: -1",
    "share: 0.4": "share: 1.4",
    "fixed_cost: 2.5": "fixed_tax: 2.5",
}


@pytest.mark.slow
@pytest.mark.parametrize(("old", "line", "field", "words"), BAD, ids=[b[2] for b in BAD])
def test_bad_plan_names_file_line_field_and_writes_nothing(
    loaded, tmp_path, old, line, field, words
):
    p = plan(tmp_path, SMALL.replace(old, REPL[old]))
    out = tmp_path / "out"
    res = run("plan", p, "--out", out)
    assert res.exit_code == 2, res.output
    msg = " ".join(res.output.split())
    assert p.name in msg and f"line {line}" in msg and field in msg and words in msg, msg
    assert "Traceback" not in res.output
    assert not out.exists() and not out.with_name("out.tmp").exists()


@pytest.mark.slow
def test_infeasible_budget(loaded, tmp_path):
    text = SMALL.replace("fixed_cost: 2.5}", "fixed_cost: 2.5, mandatory: true}").replace(
        "budget: 6", "budget: 1"
    )
    res = run("plan", plan(tmp_path, text), "--out", tmp_path / "out")
    assert res.exit_code == 2, res.output
    msg = " ".join(res.output.split())
    assert "line 5" in msg and "objective.budget" in msg and "budget" in msg, msg
    assert not (tmp_path / "out").exists()


def test_failing_scenario(loaded, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text(GAGE.read_text("utf-8").replace("cut: 0.5", "cut: 1.5", 1), "utf-8")
    text = SMALL.replace(str(GAGE), str(bad))
    res = run("plan", plan(tmp_path, text), "--out", tmp_path / "out")
    assert res.exit_code == 2, res.output
    msg = " ".join(res.output.split())
    assert "p.yaml: line 3, field 'scenarios[0].path'" in msg and "broken.yaml" in msg, msg
    assert "shocks[0].cut" in msg
    assert not (tmp_path / "out").exists()


def test_missing_scenario_file(tmp_path):
    text = SMALL.replace(str(GAGE), "nowhere.yaml")
    res = run("plan", plan(tmp_path, text), "--out", tmp_path / "out")
    assert res.exit_code == 2 and "scenario file not found" in res.output


# -- API and pages -----------------------------------------------------------------------------

POSTED = {
    "name": "posted",
    "scenarios": [{"path": "graphite-export-restriction.yaml"}],
    "objective": {"budget": 1.0},
    "measures": [
        {"id": "st", "kind": "stockpile", "commodity": "graphite", "max_days": 60,
         "acquisition_cost_per_day": 0.02},
        {"id": "cap", "kind": "capacity", "commodity": "graphite", "max_share": 0.3,
         "cost_per_share_point": 0.2, "lead_time_days": 60},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def client(loaded):
    from fastapi.testclient import TestClient

    from fukugan.server import create_app

    return TestClient(create_app(loaded))


@pytest.mark.slow
def test_api_lists_and_solves_a_posted_plan(client):
    r = client.get("/api/v1/plans")
    assert r.status_code == 200
    assert [p["id"] for p in r.json()["plans"]] == [
        "automotive-chip-resilience",
        "japan-gallium-germanium-graphite",
        "japan-rare-earths",
    ]
    r = client.post("/api/v1/plans?lang=ja", json=POSTED)
    assert r.status_code == 200, r.text
    doc = r.json()
    s = doc["summary"]
    assert s["total_cost"] <= 1.0 + 1e-9 and s["status"] == "Optimal"
    assert s["engine_expected_loss"] == pytest.approx(s["expected_loss"], rel=1e-7, abs=1e-9)
    assert doc["reports"][0]["title"].startswith("対応計画")
    assert [c["key"] for c in doc["reports"][1]["columns"]][:2] == ["plan-budget", "plan-cost"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"scenarios": [{"path": "../../secret.yaml"}]}, 400, "scenarios[0].path"),
        ({"measures": [{"id": "x", "kind": "stockpile", "commodity": "cobalt", "max_days": 9}]},
         422, "measures[0].commodity"),
        ({"measures": [{"id": "x", "kind": "second_source", "commodity": "graphite",
                        "share": 0.5, "fixed_cost": -1}]}, 422, "measures[0].fixed_cost"),
    ],
)  # fmt: skip
def test_api_bad_plan_is_a_problem_naming_the_field(client, change, status, field):
    r = client.post("/api/v1/plans", json={**POSTED, **change})
    assert r.status_code == status, r.text
    body = r.json()
    assert body["errors"][0]["field"] == field
    assert "/work" not in r.text and "site-packages" not in r.text


def test_unknown_plan_is_404(client):
    assert client.get("/api/v1/plans/nope").status_code == 404


def test_plans_page_lists_the_shipped_plan(client):
    r = client.get("/plans?lang=ja")
    assert r.status_code == 200
    assert 'data-plan="japan-gallium-germanium-graphite"' in r.text and "対応計画" in r.text


@pytest.mark.slow
def test_plan_page_shows_frontier_and_portfolio(client):
    r = client.get("/plans/japan-gallium-germanium-graphite?lang=en")
    assert r.status_code == 200
    html = r.text
    assert 'id="plan-frontier"' in html and "<svg" in html and "<polyline" in html
    assert "Gallium stockpile (days of cover)" in html and "Efficient frontier" in html
    assert html.count('data-key="plan-engine-loss"') == 1
    assert 'id="plan-sensitivity"' in html


@pytest.mark.slow
def test_sensitivity_rows(loaded, tmp_path):
    out = tmp_path / "s"
    res = run("plan", plan(tmp_path, SMALL), "--out", out, "--format", "json", "--no-check")
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text("utf-8"))
    rows = {(r["assumption"], r["factor"]): r for r in s["sensitivity"]}
    assert set(rows) == {("cost", 0.5), ("cost", 1.5), ("loss", 0.5), ("loss", 1.5),
                         ("lead_time", 1.5), ("success", 0.5)}  # fmt: skip
    # cheaper measures: at least as little loss; smaller losses: at most the same spending
    assert rows[("cost", 0.5)]["expected_loss"] <= s["expected_loss"] + 1e-9
    assert rows[("loss", 0.5)]["total_cost"] <= s["total_cost"] + 1e-9
    assert all(r["total_cost"] <= 6 + 1e-9 for r in rows.values())


@pytest.mark.slow
def test_engine_rerun_equals_the_program_for_every_portfolio(loaded):
    """Every portfolio of four interacting graphite measures (a stock and three flow measures,
    one of which may fail): the closed-form loss the program optimises equals the static
    engine's run of the scenario with the measures written in, sample by sample."""
    import itertools

    import numpy as np

    from fukugan.planning.portfolio import evaluate
    from fukugan.scenarios.plan import parse_plan
    from fukugan.services.planning import measure_losses, rerun
    from fukugan.store.analytic import AnalyticStore

    text = f"""\
name: every-portfolio
scenarios: [{{path: {GRAPHITE}, samples: 3, seed: 1}}]
measures:
  - {{id: st, kind: stockpile, commodity: graphite, domain: binary, days: 20}}
  - {{id: ss, kind: second_source, commodity: graphite, share: 0.4, lead_time_days: 30}}
  - {{id: rd, kind: substitution_rd, commodity: graphite, share: 0.3, lead_time_days: 90,
     success_probability: 0.5}}
  - {{id: cap, kind: capacity, commodity: graphite, domain: binary, share: 0.2}}
"""
    inputs = measure_losses(parse_plan(text), AnalyticStore(loaded))
    for x in itertools.product((0, 1), repeat=4):
        lv = np.array(x, dtype=float)
        engine, _ = rerun(inputs, None, lv)
        program = evaluate(inputs.measures, inputs.scenarios, lv, per_scenario=True)
        assert engine == pytest.approx(program, rel=1e-9, abs=1e-9), x


def _cells(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'data-measure="([^"]+)" data-chosen="(true|false)"', html))


@pytest.mark.slow
def test_plan_briefing_from_the_cli_is_the_plans_own_figures(loaded, tmp_path):
    import re

    out = tmp_path / "b"
    res = run("plan", plan(tmp_path, SMALL), "--out", out, "--format", "json")
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text("utf-8"))
    for lang, words in (("en", "Response plan briefing"), ("ja", "対応計画ブリーフィング")):
        html_file, pdf_file = tmp_path / f"b-{lang}.html", tmp_path / f"b-{lang}.pdf"
        res = run("report", "plan", out, "--html", html_file, "--pdf", pdf_file, "--lang", lang)
        assert res.exit_code == 0, res.output
        html = html_file.read_text("utf-8")
        assert words in html and pdf_file.read_bytes()[:5] == b"%PDF-"
        # every measure, the chosen ones first, each with its own cost
        chosen = _cells(html)
        assert chosen == {r["measure"]: str(r["chosen"]).lower() for r in s["portfolio"]}
        order = list(chosen.values())
        assert order == sorted(order, key=lambda v: v != "true")
        costs = re.findall(r'data-measure="[^"]+" data-chosen="[^"]+"[^>]*><td>.*?</td>'
                           r'<td class="num">[^<]*</td><td class="num" data-value="([^"]+)"',
                           html)  # fmt: skip
        want = {r["measure"]: r["cost"] for r in s["portfolio"]}
        assert sorted(map(float, costs)) == pytest.approx(sorted(want.values()), rel=1e-12)
        frontier = [float(x) for x in re.findall(r'data-frontier-loss="([^"]+)"', html)]
        assert frontier == pytest.approx([f["expected_loss"] for f in s["frontier"]], rel=1e-12)
        got = dict(re.findall(r'data-metric="(vss|evpi)" data-value="([^"]+)"', html))
        assert float(got["evpi"]) == pytest.approx(s["evpi"], rel=1e-12)
        assert "<svg" in html and s["sources"][0]["source"] in html
    ja = (tmp_path / "b-ja.html").read_text("utf-8")
    assert "百万米ドル" in ja and "million USD" not in ja.split('id="sources"')[0]
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    res = run("report", "plan", bad, "--html", tmp_path / "x.html")
    assert res.exit_code == 2 and "not a plan summary" in res.output
    assert "Traceback" not in res.output


@pytest.mark.slow
def test_plan_briefing_on_the_web(client):
    r = client.get("/plans/japan-gallium-germanium-graphite?lang=ja")
    assert 'href="/reports/plan/japan-gallium-germanium-graphite.pdf?lang=ja"' in r.text
    html = client.get("/reports/plan/japan-gallium-germanium-graphite.html?lang=ja")
    assert html.status_code == 200 and "対応計画ブリーフィング" in html.text
    page = client.get("/api/v1/plans/japan-gallium-germanium-graphite").json()["summary"]
    assert _cells(html.text) == {r["measure"]: str(r["chosen"]).lower() for r in page["portfolio"]}
    pdf = client.get("/reports/plan/japan-gallium-germanium-graphite.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert pdf.headers["content-type"] == "application/pdf"
    assert client.get("/reports/plan/nope.html").status_code == 404


@pytest.mark.slow
def test_scenario_losses_on_dask_equal_those_in_process(loaded, tmp_path):
    """The plan's engine runs on a local Dask cluster of two workers (samples cut into chunks,
    finishing in any order) give the plan the same losses, portfolio and re-run as in this
    process, and the summary says where they ran; the CLI takes ``--workers``."""
    from fukugan.scenarios.plan import parse_plan
    from fukugan.services.cluster import dask_where
    from fukugan.services.plan_measures import DASK_FROM_RUNS
    from fukugan.services.planning import run_plan
    from fukugan.store.analytic import AnalyticStore

    text = SMALL.replace(f"{{path: {GRAPHITE}, weight: 1}}",
                         f"{{path: {GRAPHITE}, weight: 1, samples: 6, seed: 2}}")  # fmt: skip
    store = AnalyticStore(loaded)
    here = run_plan(parse_plan(text), store, workers=0).summary
    there = run_plan(parse_plan(text), store, workers=2).summary
    assert here["evaluation"] == {"workers": 0, "scheduler": "in-process", "startup_seconds": 0.0}
    assert there["evaluation"]["workers"] == 2
    assert there["evaluation"]["scheduler"] == "LocalCluster"
    assert there["n_scenarios"] == here["n_scenarios"] == 7
    for key in ("expected_loss", "expected_loss_without_measures", "engine_expected_loss",
                "total_cost", "cvar", "vss", "evpi"):  # fmt: skip
        assert there[key] == pytest.approx(here[key], rel=1e-12, abs=1e-12), key
    assert [r["level"] for r in there["portfolio"]] == [r["level"] for r in here["portfolio"]]
    assert [r["scenario"] for r in there["scenarios"]] == [r["scenario"] for r in here["scenarios"]]
    for a, b in zip(there["scenarios"], here["scenarios"], strict=True):
        assert a["engine_loss"] == pytest.approx(b["engine_loss"], rel=1e-12, abs=1e-12)
    # by default a plan this small stays in this process: starting workers would cost more
    w = dask_where(DASK_FROM_RUNS - 1, None, None, None, from_runs=DASK_FROM_RUNS)
    assert w.kwargs == {"workers": 0} and w.own == () and w.name == "in-process"
    out = tmp_path / "cli"
    res = run("plan", plan(tmp_path, text), "--out", out, "--workers", "2", "--no-check",
              "--format", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text("utf-8"))
    assert s["evaluation"]["workers"] == 2
    assert s["expected_loss"] == pytest.approx(here["expected_loss"], rel=1e-12)
    bad = run("plan", plan(tmp_path, text), "--workers", "-1")
    assert bad.exit_code == 2 and "--workers must be 0 or more" in bad.output
