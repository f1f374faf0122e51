"""No scenario field silently ignored: every shock / response field of the schema × every engine
is applied, or refused with the line, the field and the engines that can.

The field list is read from ``scenario.schema.json`` itself (:func:`schema_fields`): a field added
to the schema fails :func:`test_every_schema_field_is_decided_for_every_engine` until
:data:`~fukugan.services.engines.fields.FIELD_USE` says what every engine does with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fukugan.results import headline
from fukugan.scenarios.schema import ENGINES, Scenario, ScenarioError, load_scenario
from fukugan.services.engines.fields import (
    ENGINE_NAMES,
    FIELD_USE,
    Only,
    Refuse,
    Use,
    check_fields,
    schema_fields,
)
from fukugan.services.scenario_run import run_scenario
from fukugan.store.analytic import AnalyticStore

FIELDS = schema_fields()
CASES = [
    (eng, what, kind, field)
    for eng in ENGINE_NAMES
    for what, kinds in FIELDS.items()
    for kind, fields in kinds.items()
    for field in fields
]


def test_engines_and_kinds_are_the_schemas():
    assert set(ENGINE_NAMES) == set(ENGINES) == set(FIELD_USE)
    assert set(FIELDS["shocks"]) >= {"outage", "blackout", "quota"}
    assert "recovery.path" in FIELDS["shocks"]["outage"]
    assert "sectors" in FIELDS["shocks"]["blackout"]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_every_schema_field_is_decided_for_every_engine(engine):
    for what, kinds in FIELDS.items():
        for kind, fields in kinds.items():
            rules = FIELD_USE[engine][what].get(kind)
            assert rules is not None, f"{engine}: {what} kind {kind!r} is not decided"
            if isinstance(rules, Refuse):
                assert rules.why
                continue
            undecided = set(fields) - set(rules)
            assert not undecided, f"{engine}: {kind} fields {sorted(undecided)} not decided"
            stale = set(rules) - set(fields)
            assert not stale, f"{engine}: {kind} has {sorted(stale)}, not in the schema"
            for f, r in rules.items():
                assert isinstance(r, Use | Only | Refuse), (engine, kind, f)
                assert r.how if isinstance(r, Use) else r.why, (engine, kind, f)


def _sample(field: str, avoid: tuple = ()) -> object:
    for v in (7, "X7", 0.25):
        if v not in avoid:
            return v
    raise AssertionError(field)


def _scenario(engine: str, what: str, kind: str, field: str, value: object) -> Scenario:
    item: dict = {"type": kind}
    if "." in field:
        head, sub = field.split(".")
        item[head] = {sub: value}
    else:
        item[field] = value
    doc = {"name": "t", "engine": engine, "data": {}, "shocks": [], "responses": []}
    doc[what] = [item]
    lines = {(what, 0, *field.split(".")): 12, (what, 0): 11}
    return Scenario(doc, "t.yaml", lines)


@pytest.mark.parametrize(
    ("engine", "what", "kind", "field"), CASES, ids=["-".join(c) for c in CASES]
)
def test_no_field_falls_through(engine, what, kind, field):
    """Each field of each kind, written alone: applied (no error) or refused on its own line,
    naming the field, the engine and the engines that apply it."""
    rules = FIELD_USE[engine][what][kind]
    if isinstance(rules, Refuse):
        with pytest.raises(ScenarioError) as ei:
            check_fields(_scenario(engine, what, kind, field, _sample(field)), engine)
        assert ei.value.field == f"{what}[0].type" and ei.value.line == 11
        assert f"the {engine} engine does not represent a {kind}" in str(ei.value)
        return
    rule = rules[field]
    path = f"{what}[0].{field}"
    if isinstance(rule, Use):
        check_fields(_scenario(engine, what, kind, field, _sample(field)), engine)
        return
    if isinstance(rule, Only):
        check_fields(_scenario(engine, what, kind, field, rule.values[0]), engine)
    bad = _sample(field, avoid=rule.values if isinstance(rule, Only) else ())
    with pytest.raises(ScenarioError) as ei:
        check_fields(_scenario(engine, what, kind, field, bad), engine)
    e = ei.value
    assert (e.field, e.line) == (path, 12), str(e)
    assert f"the {engine} engine" in str(e) and field in str(e) and rule.why in str(e)
    users = [
        g
        for g in ENGINE_NAMES
        if g != engine
        and isinstance(FIELD_USE[g][what].get(kind), dict)
        and isinstance(FIELD_USE[g][what][kind].get(field), Use)
    ]
    for g in users:
        assert f"--engine {g}" in str(e), str(e)


# -- through the adapters ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory, loaded_copy) -> AnalyticStore:
    s = AnalyticStore(loaded_copy(tmp_path_factory.mktemp("home")))
    return s


def _run(tmp_path: Path, store: AnalyticStore, text: str, engine: str | None = None):
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    return run_scenario(load_scenario(p), store, engine=engine)


NATIONAL = """\
name: t
engine: {engine}
data:
  oecd_iot: {{country: JPN, year: 2020}}
horizon_days: 30
regions:
  tokai: {{share: {{C26: 0.5, C29: 0.5, G: 0.3}}, source: "assumption: test"}}
shocks:
  - type: blackout
    region: tokai
    days: 3
    sectors: [C26, C29]
"""


@pytest.mark.parametrize(
    ("engine", "extra", "field", "line", "words"),
    [
        (
            "static",
            "    id: x\n  - {type: outage, firm: f1, delta: 0.5}\n",
            "shocks[1].firm",
            14,
            "--engine firms",
        ),
        ("ario", "    ramp: 2\n", "shocks[0].ramp", 13, "--engine static"),
        (
            "ario",
            "responses:\n  - {type: substitution, fraction: 0.1}\n",
            "responses[0].type",
            14,
            "--engine static",
        ),
        ("firms", "", "data", 3, "firm_network"),
        (
            "static",
            "responses:\n  - {type: rationing, rule: proportional, start: 3}\n",
            None,
            None,
            None,
        ),
    ],
    ids=["static-firm", "ario-ramp", "ario-substitution", "firms-data", "static-start-applied"],
)
def test_adapters_check_their_fields(store, tmp_path, engine, extra, field, line, words):
    text = NATIONAL.format(engine=engine) + extra
    if field is None:
        assert _run(tmp_path, store, text).engine == engine
        return
    with pytest.raises(ScenarioError) as ei:
        _run(tmp_path, store, text)
    assert (ei.value.field, ei.value.line) == (field, line), str(ei.value)
    assert words in str(ei.value) and "s.yaml" in str(ei.value)


def _direct_units(r) -> set[str]:
    ts = r.timeseries
    sec = ts[(ts["unit_kind"] == "sector") & (ts["metric"] == "loss")]
    hit = sec[(sec["component"] == "direct") & (sec["value"].abs() > 0)]
    return set(hit["unit"])


def test_a_blackouts_sectors_limit_it_on_ario_as_on_static(store, tmp_path):
    """The defect of issue 15: ARIO ignored a blackout's sectors and hit every industry."""
    static = _run(tmp_path, store, NATIONAL.format(engine="static"))
    ario = _run(tmp_path, store, NATIONAL.format(engine="ario"))
    assert _direct_units(static) == {"C26", "C29"}
    ts = ario.timeseries
    direct = set(ts[(ts["unit_kind"] == "sector") & (ts["component"] == "direct")]["unit"])
    assert direct == {"C26", "C29"}
    everything = _run(
        tmp_path, store, NATIONAL.format(engine="ario").replace("    sectors: [C26, C29]\n", "")
    )
    ts2 = everything.timeseries
    assert "G" in set(ts2[(ts2["unit_kind"] == "sector") & (ts2["component"] == "direct")]["unit"])
    g = lambda r: float(  # noqa: E731
        r.timeseries.query("unit == 'G' and metric == 'loss'")["value"].sum()
    )
    assert g(ario) < 0.2 * g(everything)
    e = None
    with pytest.raises(ScenarioError) as ei:
        _run(tmp_path, store, NATIONAL.format(engine="ario").replace("C29]", "C99]"))
    e = ei.value
    assert (e.field, e.line) == ("shocks[0].sectors[1]", 12) and "C99" in str(e)


FIRMS = """\
name: f
engine: firms
data: {{firm_network: {{path: edges.csv, firms: firms.csv}}}}
horizon_days: 20
shocks:
  - {{type: blackout, region: north, days: 3{extra}}}
"""


def test_a_blackouts_sectors_limit_it_on_firms(store, tmp_path):
    (tmp_path / "edges.csv").write_text(
        "supplier,customer,value\na,b,10\nb,c,5\na,c,2\nc,d,4\n", encoding="utf-8"
    )
    (tmp_path / "firms.csv").write_text(
        "firm,sector,region\na,S1,north\nb,S2,north\nc,S2,south\nd,S3,south\n", encoding="utf-8"
    )
    all_north = _run(tmp_path, store, FIRMS.format(extra=""))
    only_s2 = _run(tmp_path, store, FIRMS.format(extra=", sectors: [S2], id: north-S2"))
    assert all_north.summary["shocks"][0]["firms_hit"] == 2
    assert only_s2.summary["shocks"][0]["firms_hit"] == 1
    assert headline(only_s2.timeseries)["total_loss"] < headline(all_north.timeseries)["total_loss"]
    with pytest.raises(ScenarioError) as ei:
        _run(tmp_path, store, FIRMS.format(extra=", sectors: [S9]"))
    assert ei.value.field == "shocks[0].sectors[0]" and ei.value.line == 6


STATIC_RESPONSES = """\
name: g
engine: static
data:
  oecd_iot: {country: JPN, year: 2020}
horizon_days: 120
shocks:
  - {type: quota, country: CHN, commodity: graphite, cut: 0.4, sector_share: 0.003}
responses:
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "response",
    [
        "{type: substitution, commodity: graphite, fraction: 0.5, start: START}",
        "{type: substitution, sector: C27, fraction: 0.5, start: START}",
        "{type: stockpile_release, commodity: graphite, days_of_cover: 60, start: START}",
        "{type: rationing, rule: priority, priority: [C27, C29], start: START}",
    ],
    ids=["substitution", "substitution-by-sector", "stockpile", "rationing"],
)
def test_static_applies_a_responses_start(store, tmp_path, response):
    def run(start: int):
        text = STATIC_RESPONSES + f"  - {response.replace('START', str(start))}\n"
        return _run(tmp_path, store, text).timeseries

    def loss(ts, days):
        sel = ts[(ts["unit_kind"] == "sector") & (ts["metric"] == "loss") & ts["t"].isin(days)]
        if "C27" in response and "rationing" in response:
            sel = sel[sel["unit"] == "C27"]
        if "sector: C27" in response:
            sel = sel[sel["unit"] == "C27"]
        return float(sel["value"].sum())

    now, later = run(0), run(30)
    early, late = range(1, 31), range(31, 121)
    assert loss(now, early) != pytest.approx(loss(later, early), rel=1e-9)
    assert loss(now, late) == pytest.approx(loss(later, late), rel=1e-9) or "stockpile" in response


# -- ARIO: the scenario's time profile, day by day ------------------------------------------------


@pytest.mark.parametrize(
    "shock",
    [
        {"type": "blackout", "region": "r", "days": 3, "depth": 1.0},
        {
            "type": "blackout",
            "region": "r",
            "days": 4,
            "depth": 0.5,
            "start": 2,
            "recovery": {"path": "linear", "days": 5},
        },
        {
            "type": "outage",
            "sector": "S01",
            "delta": 0.3,
            "loss": "capacity",
            "duration": 4,
            "recovery": {"path": "linear", "days": 10},
        },
        {
            "type": "outage",
            "sector": "S01",
            "delta": 0.3,
            "duration": 3,
            "recovery": {"path": "step", "days": 5},
        },
        {
            "type": "outage",
            "sector": "S01",
            "delta": 0.3,
            "duration": 2,
            "start": 1,
            "recovery": {"path": "linear", "days": 8},
        },
    ],
    ids=["blackout", "blackout-linear", "capacity-linear", "capital-step", "capital-linear"],
)
def test_ario_day_t_has_the_scenarios_intensity_of_day_t(shock):
    """The adapter times BoARIO's events so that the capacity lost on ARIO's day t is δ ×
    the scenario's intensity of day t (static engine's day t), for capital and capacity
    events (:func:`fukugan.services.engines.ario._timing`)."""
    import numpy as np
    from benchmarks.bench_ario import synthetic_mrio

    from fukugan.dynamics.ario import ARIOEvent, simulate_ario
    from fukugan.scenarios.schema import intensity
    from fukugan.services.engines.ario import _is_capacity, _timing

    shock = {"start": 0, "ramp": 0, **shock}
    m = synthetic_mrio(1, 3, n_fd=1, seed=2)
    j, T = 1, 30
    duration, tau, fn, extra = _timing(shock)
    assert extra == 0
    depth = shock.get("delta", shock.get("depth"))
    common = {
        "occurrence": shock["start"] + 1,
        "duration": duration,
        "recovery_tau": tau,
        "recovery_function": fn,
    }
    va = m["x"] - m["Z"].sum(axis=0)
    if _is_capacity(shock):
        ev = ARIOEvent(impact={("R00", "S01"): depth}, event_type="arbitrary", **common)
    else:
        ev = ARIOEvent(impact={("R00", "S01"): depth * 4 * va[j]}, **common)
    tr = simulate_ario(m["Z"], m["Y"], m["x"], None, ["R00"], m["sectors"], [ev], n_days=T)
    if _is_capacity(shock):
        lost = 1 - tr.production_cap[:, j] / (tr.x0[j] * tr.overproduction[:, j])
    else:
        lost = tr.productive_capital_lost[:, j] / (4 * va[j])
    want = depth * intensity(shock, T)  # want[t - 1]: day t
    np.testing.assert_allclose(lost[1:], want[: T - 1], rtol=0, atol=1e-9)
    assert lost[0] == 0


@pytest.mark.parametrize(
    ("example", "engine", "words"),
    [
        ("hokkaido-blackout", "ario", "capital intact (BoARIO EventArbitraryProd)"),
        ("hokkaido-blackout", "static", "output capacity loss"),
        ("nankai-trough", "ario", "capital destroyed, δ_j × K_j (BoARIO EventKapitalRecover)"),
        ("synthetic-regional-outage-firms", "firms", "capacity loss δ of"),
        ("automotive-chip-fab-fire", "exposure", "node CHIP down"),
    ],
)
def test_examples_say_what_each_engine_applied(store, example, engine, words):
    from fukugan.scenarios import schema as sch

    path = Path(sch.__file__).parent / "examples" / f"{example}.yaml"
    r = run_scenario(load_scenario(path), store, engine=engine)
    applied = r.summary["applied"]
    assert len(applied) == len(r.scenario["shocks"]) + len(r.scenario["responses"])
    assert words in applied[0], applied
    assert applied[0].startswith("shocks[0]")


REBUILD = """\
name: r
engine: {engine}
data:
  oecd_iot: {{country: JPN, year: 2020}}
horizon_days: 40
shocks:
  - type: outage
    sector: C29
    delta: 0.3
    duration: 5
    rebuild: {{sectors: {{F: 0.8, C28: 0.2}}, tau: 60{extra}}}
"""


def test_ario_rebuilds_capital_and_households_capital_from_a_scenario(store, tmp_path):
    plain = _run(tmp_path, store, REBUILD.format(engine="ario", extra=""))
    house = _run(tmp_path, store, REBUILD.format(engine="ario", extra=", households: 20000"))
    assert "EventKapitalRebuild" in plain.summary["applied"][0]
    assert "households' capital 20000" in house.summary["applied"][0]
    h0, h1 = headline(plain.timeseries)["total_loss"], headline(house.timeseries)["total_loss"]
    assert h0 != pytest.approx(h1, rel=1e-3)
    with pytest.raises(ScenarioError) as ei:  # static has no rebuilding demand
        _run(tmp_path, store, REBUILD.format(engine="static", extra=""))
    e = ei.value
    assert e.field == "shocks[0].rebuild.sectors" and e.line == 11 and "--engine ario" in str(e)
    bad = {
        "loss": ("    duration: 5\n", "    duration: 5\n    loss: capacity\n", "rebuild"),
        "recovery": (
            "    duration: 5\n",
            "    duration: 5\n    recovery: {path: linear, days: 5}\n",
            "rebuild",
        ),
        "shares": ("C28: 0.2", "C28: 0.3", "rebuild.sectors"),
        "sector": ("C28: 0.2", "C99: 0.2", "rebuild.sectors.C99"),
    }
    for what, (old, new, field) in bad.items():
        with pytest.raises(ScenarioError) as ei:
            _run(tmp_path, store, REBUILD.format(engine="ario", extra="").replace(old, new))
        assert ei.value.field == f"shocks[0].{field}", (what, str(ei.value))
