"""Scenario format, validation (file / line / field), the static engine and reproducibility."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from fukugan.results import headline
from fukugan.scenarios import schema as sch
from fukugan.scenarios.schema import (
    ScenarioError,
    intensity,
    load_scenario,
    parse_scenario,
    scenario_from_dict,
)
from fukugan.services.scenario_run import run_scenario
from fukugan.store.analytic import AnalyticStore
from fukugan.store.rundir import read_run, write_run

EXAMPLES = sorted((Path(sch.__file__).parent / "examples").glob("*.yaml"))

BASE = """\
name: t
engine: static
data:
  oecd_iot: {country: JPN, year: 2020}
horizon_days: 60
shocks:
  - type: outage
    sector: C24
    delta: 0.5
    recovery: {path: linear, days: 10}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory, loaded_copy) -> AnalyticStore:
    s = AnalyticStore(loaded_copy(tmp_path_factory.mktemp("home")))
    return s


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def error_of(tmp_path: Path, text: str, store: AnalyticStore | None = None) -> ScenarioError:
    p = write(tmp_path, text)
    with pytest.raises(ScenarioError) as ei:
        sc = load_scenario(p)
        if store is not None:
            run_scenario(sc, store)
    e = ei.value
    assert e.path == str(p)
    return e


def test_examples_validate_and_have_both_languages():
    assert len(EXAMPLES) >= 4
    for p in EXAMPLES:
        sc = load_scenario(p)
        assert sc.doc["description"]["en"].strip() and sc.doc["description"]["ja"].strip()
        assert sc.doc["uncertainty"], p


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_a_scenario_with_its_defaults_validates_again(path):
    """Defaults only add what the schema allows: a parsed scenario's document is a valid
    scenario itself (services store and re-read it)."""
    sc = load_scenario(path)
    again = scenario_from_dict(sc.doc, path=str(path))
    assert again.doc == sc.doc


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_run_on_bundled_data(path, store):
    r = run_scenario(path, store)
    metric = r.summary.get("headline_metric", "loss")
    h = headline(r.timeseries, metric=metric)
    assert h["total_loss"] > 0 and h["peak_loss"] > 0
    assert 0 < h["indirect_share"] <= 1
    assert r.sources
    if r.engine == "static":
        assert h["indirect_share"] < 1
        assert any("OECD" in p.source for p in r.sources)
    loss = r.timeseries[r.timeseries["metric"] == metric]
    assert np.isfinite(loss["value"]).all()


def test_docstring_example_is_a_valid_scenario():
    doc = sch.__doc__
    block = doc.split("Complete example", 1)[1].split("::\n", 1)[1].split("\nShock time", 1)[0]
    text = "\n".join(line[4:] for line in block.splitlines())
    sc = parse_scenario(text)
    kinds = [s["type"] for s in sc.doc["shocks"]]
    assert {"quota", "sanctions", "outage", "blackout", "demand_shock"} <= set(kinds)
    assert {r["type"] for r in sc.doc["responses"]} == {
        "stockpile_release",
        "alternate_sourcing",
        "substitution",
        "rationing",
    }


def test_docstring_example_runs(store, tmp_path):
    doc = sch.__doc__
    block = doc.split("Complete example", 1)[1].split("::\n", 1)[1].split("\nShock time", 1)[0]
    text = "\n".join(line[4:] for line in block.splitlines())
    r = run_scenario(parse_scenario(text), store)
    assert headline(r.timeseries)["total_loss"] > 0


def test_outage_direct_loss_is_delta_times_daily_output(store, tmp_path):
    r = run_scenario(load_scenario(write(tmp_path, BASE)), store)
    ts = r.timeseries
    x = ts[(ts["metric"] == "output") & (ts["unit"] == "C24")]["value"].iloc[0]
    d1 = ts[(ts["t"] == 1) & (ts["unit"] == "C24") & (ts["component"] == "direct")]
    assert d1["value"].iloc[0] == pytest.approx(0.5 * x)
    # recovered linearly in 10 days, so no loss from day 11 on
    assert ts[(ts["t"] > 10) & (ts["metric"] == "loss")]["value"].abs().max() == 0
    h = headline(ts)
    assert h["peak_day"] == 1 and h["recovery_day"] == 11
    # no sector loses more than its output
    sec = ts[(ts["unit_kind"] == "sector") & (ts["metric"] == "loss")]
    loss = sec.groupby(["t", "unit"])["value"].sum()
    out = ts[ts["metric"] == "output"].set_index("unit")["value"]
    assert (loss.unstack().le(out + 1e-9)).all().all()


@pytest.mark.slow
def test_same_seed_reproduces_bit_for_bit(store, tmp_path):
    p = EXAMPLES_BY_NAME["gallium-germanium-licensing"]
    a = write_run(run_scenario(p, store), tmp_path / "a")
    b = write_run(run_scenario(p, store), tmp_path / "b")
    for f in ("timeseries.parquet", "paths.parquet"):
        assert (a / f).read_bytes() == (b / f).read_bytes()
    _, _, s = read_run(a)
    assert s["seed"] == load_scenario(p).seed and s["scenario"]["name"] == load_scenario(p).name
    assert s["sources"] and s["parameters"]["input_loss"] == "value"
    # the recorded scenario reproduces the run
    from fukugan.scenarios.schema import scenario_from_dict

    c = write_run(run_scenario(scenario_from_dict(s["scenario"]), store), tmp_path / "c")
    assert (a / "timeseries.parquet").read_bytes() == (c / "timeseries.parquet").read_bytes()


@pytest.mark.slow
def test_responses_reduce_the_loss(store, tmp_path):
    base = """\
name: g
engine: static
data: {oecd_iot: {country: JPN, year: 2020}}
horizon_days: 200
shocks:
  - {type: export_ban, country: CHN, commodity: gallium, sector_share: 0.01}
"""
    none = headline(run_scenario(load_scenario(write(tmp_path, base)), store).timeseries)
    for resp in (
        "  - {type: stockpile_release, commodity: gallium, days_of_cover: 30}\n",
        "  - {type: alternate_sourcing, lead_time_days: 30, ramp_days: 30, max_share: 0.5}\n",
        "  - {type: substitution, fraction: 0.5}\n",
    ):
        text = base + "responses:\n" + resp
        h = headline(run_scenario(load_scenario(write(tmp_path, text)), store).timeseries)
        assert h["total_loss"] < none["total_loss"]
    sub = headline(
        run_scenario(
            load_scenario(
                write(tmp_path, base + "responses:\n  - {type: substitution, fraction: 0.5}\n")
            ),
            store,
        ).timeseries
    )
    assert sub["total_loss"] == pytest.approx(0.5 * none["total_loss"])


@pytest.mark.slow
def test_rationing_priority_protects_listed_sectors(store, tmp_path):
    base = """\
name: g
engine: static
data: {oecd_iot: {country: JPN, year: 2020}}
horizon_days: 10
shocks:
  - {type: quota, country: CHN, commodity: gallium, cut: 0.5, sector_share: 0.2}
"""
    prio = base + "responses:\n  - {type: rationing, rule: priority, priority: [C29]}\n"

    def direct_c29(text):
        ts = run_scenario(load_scenario(write(tmp_path, text)), store).timeseries
        sel = ts[(ts["unit"] == "C29") & (ts["component"] == "direct")]
        return sel["value"].sum()

    assert direct_c29(base) > 0
    assert direct_c29(prio) == 0


def test_intensity_profiles():
    exp = intensity(
        {"type": "outage", "start": 0, "recovery": {"path": "exponential", "days": 10}}, 12
    )
    assert exp[0] == 1 and exp[10] == 0 and np.all(np.diff(exp) <= 0)
    assert exp[9] == pytest.approx(np.exp(-np.log(100) * 0.9))
    step = intensity({"type": "outage", "start": 2, "recovery": {"path": "step", "days": 3}}, 8)
    assert step.tolist() == [0, 0, 1, 1, 1, 0, 0, 0]


# -- bad input: file, line, field ------------------------------------------------------------


def test_unknown_key_names_line_and_field(tmp_path):
    e = error_of(tmp_path, BASE.replace("    delta: 0.5\n", "    delta: 0.5\n    severity: 3\n"))
    assert e.line == 10 and e.field == "shocks[0].severity"
    assert "unknown key 'severity'" in str(e)
    e = error_of(tmp_path, BASE + "colour: red\n")
    assert e.line == 11 and e.field == "colour"


def test_wrong_type_and_ranges(tmp_path):
    e = error_of(tmp_path, BASE.replace("delta: 0.5", "delta: high"))
    assert (e.line, e.field) == (9, "shocks[0].delta") and "not of type 'number'" in str(e)
    e = error_of(tmp_path, BASE.replace("delta: 0.5", "delta: 1.5"))
    assert (e.line, e.field) == (9, "shocks[0].delta") and "maximum of 1" in str(e)
    e = error_of(tmp_path, BASE.replace("delta: 0.5", "delta: -0.1"))
    assert e.field == "shocks[0].delta"
    e = error_of(tmp_path, BASE.replace("days: 10", "days: -5"))
    assert (e.line, e.field) == (10, "shocks[0].recovery.days") and "negative" in str(e)
    e = error_of(tmp_path, BASE.replace("horizon_days: 60", "horizon_days: 60.5"))
    assert (e.line, e.field) == (5, "horizon_days")
    e = error_of(tmp_path, BASE.replace("engine: static", "engine: magic"))
    assert (e.line, e.field) == (2, "engine") and "static" in str(e)


def test_yaml_syntax_error_names_the_line(tmp_path):
    e = error_of(tmp_path, BASE.replace("delta: 0.5", "delta: [0.5"))
    assert e.line is not None and 9 <= e.line <= 11
    assert "YAML syntax error" in str(e)
    e = error_of(tmp_path, BASE + "horizon_days: 30\n")
    assert e.line == 11 and "duplicate key" in str(e)
    e = error_of(tmp_path, "- just\n- a list\n")
    assert e.line == 1
    e = error_of(tmp_path, "")
    assert "empty" in str(e)


def test_semantic_errors(tmp_path):
    e = error_of(tmp_path, BASE.replace("    sector: C24\n", "    sector: C24\n    firm: x1\n"))
    assert e.field == "shocks[0]" and "exactly one target" in str(e)
    e = error_of(
        tmp_path,
        BASE + "uncertainty:\n  - {param: 'shocks[3].cut', dist: uniform, low: 0, high: 1}\n",
    )
    assert e.line == 12 and e.field == "uncertainty[0].param"
    e = error_of(
        tmp_path,
        BASE + "uncertainty:\n  - {param: 'shocks[0].delta', dist: uniform, low: 0.5, high: 0.1}\n",
    )
    assert e.field == "uncertainty[0].high"
    e = error_of(tmp_path, BASE.replace("country: JPN", "country: XXX"))
    assert (e.line, e.field) == (4, "data.oecd_iot.country")
    e = error_of(tmp_path, BASE.replace("    sector: C24\n", "    region: kansai\n"))
    assert e.field == "shocks[0].region" and "regions" in str(e)


@pytest.mark.slow
def test_unknown_items_found_at_run_time_name_the_line(tmp_path, store):
    e = error_of(tmp_path, BASE.replace("sector: C24", "sector: C99"), store)
    assert (e.line, e.field) == (8, "shocks[0].sector") and "unknown industry 'C99'" in str(e)
    trade = (
        BASE
        + "  - {type: quota, country: CHN, commodity: unobtainium, cut: 0.5, sector_share: 0.1}\n"
    )
    e = error_of(tmp_path, trade, store)
    assert (e.line, e.field) == (11, "shocks[1].commodity") and "unknown commodity" in str(e)
    e = error_of(tmp_path, trade.replace("CHN", "QQQ"))
    assert (e.line, e.field) == (11, "shocks[1].country")
    e = error_of(tmp_path, BASE.replace("JPN, year: 2020", "DEU, year: 2019"), store)
    assert (e.line, e.field) == (4, "data.oecd_iot") and "no OECD input-output table" in str(e)
    germ = (
        BASE
        + "  - {type: quota, country: CHN, commodity: germanium, cut: 0.5, sector_share: 0.1}\n"
    )
    e = error_of(tmp_path, germ, store)
    assert e.line == 11 and "withholds" in str(e)
    nosh = BASE + "  - {type: quota, country: CHN, commodity: gallium, cut: 0.5}\n"
    e = error_of(tmp_path, nosh, store)
    assert e.line == 11 and "sector_share" in str(e)


def test_missing_data_table_in_an_empty_store(tmp_path):
    e = error_of(tmp_path, BASE, AnalyticStore(tmp_path / "empty"))
    assert e.field == "data.oecd_iot" and e.line == 4
    assert re.search(r"not (loaded|in the store)|data load", str(e))


# -- dynamic engines ----------------------------------------------------------------------------


def test_ario_adapter_runs_a_regional_outage(store):
    r = run_scenario(EXAMPLES_BY_NAME["hokkaido-blackout"], store, engine="ario")
    assert r.engine == "ario" and r.parameters["alpha_max"] == 1.25
    h = headline(r.timeseries)
    assert h["total_loss"] > 0 and h["peak_day"] is not None
    assert set(r.timeseries["unit"]) >= {"C24", "all"}


def test_ario_refuses_trade_shocks_with_the_line(store):
    with pytest.raises(ScenarioError) as ei:
        run_scenario(EXAMPLES_BY_NAME["gallium-germanium-licensing"], store, engine="ario")
    assert ei.value.field == "shocks[0].type" and ei.value.line is not None


FIRMS = """\
name: firms
engine: firms
data:
  firm_network: {synthetic: {n_firms: 500, mean_degree: 4, n_sectors: 5, seed: 3}}
horizon_days: 30
shocks:
  - {type: outage, sector: S01, delta: 0.5, recovery: {path: linear, days: 10}}
responses:
  - {type: rationing, rule: inoue_todo}
"""


def test_firms_adapter_on_a_synthetic_network(store, tmp_path):
    r = run_scenario(load_scenario(write(tmp_path, FIRMS)), store)
    assert r.engine == "firms" and r.sources[0].synthetic
    h = headline(r.timeseries)
    assert h["total_loss"] > 0 and h["indirect_loss"] > 0
    a = write_run(r, tmp_path / "a")
    b = write_run(run_scenario(load_scenario(write(tmp_path, FIRMS)), store), tmp_path / "b")
    assert (a / "timeseries.parquet").read_bytes() == (b / "timeseries.parquet").read_bytes()
    e = error_of(tmp_path, FIRMS.replace("sector: S01", "sector: S99"), store)
    assert (e.line, e.field) == (7, "shocks[0].sector")
    # the static engine's small_first is not a firm-level rule, and inoue_todo is only one
    e = error_of(tmp_path, FIRMS.replace("rule: inoue_todo", "rule: small_first"), store)
    assert (e.line, e.field) == (9, "responses[0].rule") and "inoue_todo" in e.message
    e = error_of(tmp_path, STATIC + "responses:\n  - {type: rationing, rule: inoue_todo}\n", store)
    assert e.field == "responses[0].rule" and "firm-level" in e.message


def test_firms_adapter_on_a_reference_format_directory(store, tmp_path):
    """``firm_network: {pronet: DIR}``: the reference simulator's files as a scenario network
    (firm ids as in the files); a bad file names the file and line; a missing directory the
    scenario's line."""
    net = tmp_path / "net"
    net.mkdir()
    files = {
        "atable": "1 2 10\n2 3 10\n3 1 2\n",
        "cvector": "1 2\n2 0\n3 10\n",
        "pini": "1 12\n2 10\n3 12\n",
        "affi": "1 1\n2 2\n3 3\n",
    }
    for k, v in files.items():
        (net / f"{k}.txt").write_text(v, encoding="utf-8")
    text = FIRMS.replace(
        "{synthetic: {n_firms: 500, mean_degree: 4, n_sectors: 5, seed: 3}}", "{pronet: net}"
    ).replace("sector: S01", "firm: '2'")
    r = run_scenario(load_scenario(write(tmp_path, text)), store)
    assert r.engine == "firms" and r.parameters["rationing"] == "inoue_todo"
    assert headline(r.timeseries)["total_loss"] > 0
    (net / "atable.txt").write_text("1 2 10\n2 3 x\n3 1 2\n", encoding="utf-8")
    e = error_of(tmp_path, text, store)
    assert e.field == "data.firm_network.pronet" and "atable.txt: line 2" in e.message
    e = error_of(tmp_path, text.replace("{pronet: net}", "{pronet: nowhere}"))
    assert e.field == "data.firm_network.pronet" and "directory not found" in e.message


EXAMPLES_BY_NAME = {p.stem: p for p in EXAMPLES}


# -- static engine through iomodels.shocks -----------------------------------------------------

STATIC = """\
name: s
engine: static
data: {oecd_iot: {country: JPN, year: 2020}}
horizon_days: 5
"""


def _run_text(tmp_path, store, text):
    return run_scenario(load_scenario(write(tmp_path, text)), store)


def _day(ts, t, comp, metric="loss"):
    sel = ts[(ts["t"] == t) & (ts["metric"] == metric) & (ts["unit_kind"] == "sector")]
    return sel[sel["component"] == comp].set_index("unit")["value"]


def test_static_supply_shock_is_ghosh_and_both_is_the_old_rule(store, tmp_path):
    from fukugan.services.io import load_table

    t = load_table(store, "JPN", 2020)
    ind = list(t.industries)
    x = np.asarray(t.x, float) / 365
    Z = np.asarray(t.Z_dom, float) / 365
    with np.errstate(divide="ignore", invalid="ignore"):
        B = np.where(x[:, None] > 0, Z / x[:, None], 0.0)
        A = np.where(x[None, :] > 0, Z / x[None, :], 0.0)
    n = len(ind)
    d = np.zeros(n)
    d[ind.index("C24")] = 0.5 * x[ind.index("C24")]
    fwd = np.linalg.solve((np.eye(n) - B).T, B.T @ d)  # d′BG
    bwd = np.linalg.solve(np.eye(n) - A, A @ d)  # L A d
    shock = "shocks:\n  - {type: outage, sector: C24, delta: 0.5, duration: 5}\n"
    r = _run_text(tmp_path, store, STATIC + shock)
    assert r.parameters["supply_propagation"] == "forward"
    ind_1 = _day(r.timeseries, 1, "indirect").reindex(ind).to_numpy()
    assert np.allclose(ind_1, fwd, rtol=1e-9, atol=1e-12)
    assert _day(r.timeseries, 1, "direct")["C24"] == pytest.approx(d[ind.index("C24")])
    r2 = _run_text(tmp_path, store, STATIC + "parameters: {supply_propagation: both}\n" + shock)
    ind_2 = _day(r2.timeseries, 1, "indirect").reindex(ind).to_numpy()
    assert np.allclose(ind_2, np.maximum(fwd, bwd), rtol=1e-9, atol=1e-12)


@pytest.mark.slow
def test_static_demand_shock_extraction_and_price(store, tmp_path):
    from fukugan.iomodels import LeontiefModel, extraction_linkages
    from fukugan.iomodels.price import PriceModel
    from fukugan.services.io import load_table

    t = load_table(store, "JPN", 2020)
    ind = list(t.industries)
    x = np.asarray(t.x, float)
    Z = np.asarray(t.Z_dom, float)
    A = np.where(x[None, :] > 0, Z / np.where(x > 0, x, 1.0)[None, :], 0.0)
    j = ind.index("C29")
    # demand: direct = −Δy, total = −L Δy
    r = _run_text(
        tmp_path, store, STATIC + "shocks:\n  - {type: demand_shock, sector: C29, change: -0.1}\n"
    )
    dy = np.zeros(len(ind))
    dy[j] = -0.1 * np.asarray(t.Y_dom, float).sum(axis=1)[j] / 365
    total = _day(r.timeseries, 1, "direct") + _day(r.timeseries, 1, "indirect")
    assert np.allclose(total.reindex(ind), -LeontiefModel(A).output(dy), rtol=1e-9)
    assert r.paths["source"].eq("demand C29").all() and (r.paths["step"] >= 1).all()
    # total extraction of C29 for 2 days: each day's loss = T_j / 365 (Miller & Blair §12.2.5)
    r = _run_text(
        tmp_path, store, STATIC + "shocks:\n  - {type: extraction, sector: C29, duration: 2}\n"
    )
    T_j = extraction_linkages(A, x - Z.sum(axis=1)).total[j]
    h = headline(r.timeseries)
    assert h["total_loss"] == pytest.approx(2 * T_j / 365, rel=1e-9)
    assert _day(r.timeseries, 1, "direct")["C29"] == pytest.approx(x[j] / 365)
    assert h["recovery_day"] == 3
    # a quota raising China's export price by 40 %: Δp = Δp_m′ A_imp L
    r = _run_text(
        tmp_path,
        store,
        STATIC + "shocks:\n  - {type: quota, country: CHN, commodity: gallium, cut: 0.0,"
        " supplier_share: 0.5, sector_share: 0.1, price_change: 0.4}\n",
    )
    assert headline(r.timeseries)["total_loss"] == 0
    k = ind.index("C24")
    A_imp = np.asarray(t.Z_imp, float) / np.where(x > 0, x, 1.0)[None, :]
    dp = PriceModel(A, A_imp=A_imp).import_cost_push({k: 0.4 * 0.5 * 0.1})
    got = _day(r.timeseries, 1, "direct", "price_change") + _day(
        r.timeseries, 1, "indirect", "price_change"
    )
    assert np.allclose(got.reindex(ind), dp, rtol=1e-9, atol=1e-15)
    assert max(r.summary["price_change_peak"].values()) == pytest.approx(dp.max())


def test_static_refusals_name_the_line(store, tmp_path):
    e = error_of(
        tmp_path, STATIC + "shocks:\n  - {type: extraction, sector: C29, sectors: [C24]}\n"
    )
    assert e.field == "shocks[0]" and "exactly one of 'sector' or 'sectors'" in str(e)
    e = error_of(tmp_path, STATIC + "shocks:\n  - {type: extraction, sector: C99}\n", store)
    assert (e.line, e.field) == (6, "shocks[0].sector")
    e = error_of(tmp_path, STATIC + "parameters: {supply_propagation: sideways}\n", store)
    assert e.field == "parameters.supply_propagation"


def test_ario_refuses_demand_shocks_saying_why(store, tmp_path):
    text = STATIC.replace("engine: static", "engine: ario") + (
        "shocks:\n  - {type: demand_shock, sector: C29, change: -0.1}\n"
    )
    e = error_of(tmp_path, text, store)
    assert e.field == "shocks[0].type" and "final-demand" in str(e)


# -- exposure engine ----------------------------------------------------------------------------

EXPO = """\
name: e
engine: exposure
data: {bom: {example: automotive}}
horizon_days: 90
parameters: {period_days: 7}
shocks:
  - {type: outage, facility: WAFER, delta: 1, recovery: {path: step, days: 56}}
"""


def test_exposure_adapter_and_its_errors(store, tmp_path):
    from fukugan.data.bom_example import EXAMPLE_DIR, EXPECTED_PI

    r = _run_text(tmp_path, store, EXPO)
    assert r.engine == "exposure" and r.summary["disruptions"][0]["ttr"] == 8
    assert r.summary["total_loss"] == EXPECTED_PI["WAFER"]
    assert "risk_exposure" not in r.summary
    # the node's own ttr (nodes.csv) when the scenario gives none; files instead of the example
    files = (
        f"data: {{bom: {{nodes: {EXAMPLE_DIR / 'nodes.csv'}, bom: {EXAMPLE_DIR / 'bom.csv'}, "
        f"alternatives: {EXAMPLE_DIR / 'alternatives.csv'}}}}}\n"
    )
    text = EXPO.replace("data: {bom: {example: automotive}}\n", files).replace(
        ", recovery: {path: step, days: 56}", ""
    )
    r = _run_text(tmp_path, store, text)
    assert r.summary["disruptions"][0]["ttr"] == 8 and r.summary["total_loss"] == 2000
    bad = {
        "facility: WAFER": ("facility: WAFFER", 7, "shocks[0].facility", "close: WAFER"),
        "delta: 1": ("delta: 0.5", 7, "shocks[0].delta", "delta: 1"),
        "facility: WAFER,": ("sector: WAFER,", 7, "shocks[0].sector", "one node"),
        "days: 56": ("days: 560", 7, "shocks[0].recovery", "after the horizon"),
        "period_days: 7": ("period_days: -7", 5, "parameters.period_days", "positive"),
    }
    for old, (new, line, field, words) in bad.items():
        e = error_of(tmp_path, EXPO.replace(old, new), store)
        assert (e.line, e.field) == (line, field) and words in str(e), str(e)
    e = error_of(tmp_path, EXPO + "responses:\n  - {type: rationing, rule: proportional}\n", store)
    assert e.field == "responses[0].type"
    e = error_of(tmp_path, EXPO.replace("{example: automotive}", "{example: automotive, path: x}"))
    assert e.field == "data.bom" and "exactly one of" in str(e)


# -- firms engine: edge lists with a firm table --------------------------------------------------


def test_firms_adapter_on_an_edge_list_with_regions(store, tmp_path):
    (tmp_path / "edges.csv").write_text(
        "supplier,customer,value\na,b,10\nb,c,5\na,c,2\nc,d,4\n", encoding="utf-8"
    )
    (tmp_path / "firms.csv").write_text(
        "firm,sector,region\na,S1,north\nb,S2,north\nc,S2,south\nd,S3,south\n", encoding="utf-8"
    )
    text = """\
name: f
engine: firms
data: {firm_network: {path: edges.csv, firms: firms.csv}}
horizon_days: 20
shocks:
  - {type: outage, region: north, delta: 0.5, duration: 3, recovery: {path: linear, days: 5}}
"""
    r = _run_text(tmp_path, store, text)
    assert "edges.csv" in r.sources[0].source and not r.sources[0].synthetic
    h = headline(r.timeseries)
    assert h["total_loss"] > 0 and h["peak_day"] <= 4
    assert r.summary["shocks"][0]["firms_hit"] == 2 and r.summary["shocks"][0]["last_day"] == 8
    e = error_of(tmp_path, text.replace("region: north", "region: east"), store)
    assert (e.line, e.field) == (6, "shocks[0].region") and "east" in str(e)
