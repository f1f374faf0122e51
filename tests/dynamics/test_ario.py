"""ARIO (fukugan.dynamics.ario) against BoARIO 0.7.2 on the same MRIO and event, plus bad input.

BoARIO is driven through ``benchmarks.bench_ario.run_boario``, which works around its 0.7.2 traps
(docs/PITFALLS.md): events built with ``boario.event.from_series``, ``loop()`` without arguments, an
explicit ``event_monetary_factor``. Every comparison first checks that the event really lowers
production.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("boario")
pytest.importorskip("pymrio")

from benchmarks.bench_ario import (  # noqa: E402
    RTOL,
    compare,
    event_impact,
    production_drop,
    pymrio_test_mrio,
    run_boario,
    run_fukugan,
    synthetic_mrio,
)

from fukugan.dynamics.ario import (  # noqa: E402
    ARIOEvent,
    ARIOParams,
    prepare_system,
    simulate_ario,
    to_run_rows,
)
from fukugan.errors import InputError  # noqa: E402
from fukugan.results import TIMESERIES_COLUMNS, RunResult, headline  # noqa: E402

warnings.filterwarnings("ignore", module="boario")


@pytest.fixture(scope="module")
def test_mrio():
    return pymrio_test_mrio()


def _assert_equal(fast, slow, *, min_drop=0.01, expect=None):
    drop = production_drop(slow)
    assert drop > min_drop, f"the event barely changes production ({drop:.2%})"
    assert production_drop(fast) == pytest.approx(drop, rel=1e-6)
    diffs = compare(fast, slow)
    expect = expect or {
        "production",
        "production_cap",
        "intermediate_demand",
        "final_demand_unmet",
        "final_demand_undist",
        "rebuild_demand",
        "rebuild_prod",
        "productive_capital_lost",
        "final_stock",
    }
    assert expect <= set(diffs), set(diffs)
    bad = {k: v for k, v in diffs.items() if not v <= RTOL}
    assert not bad, f"trajectories differ from BoARIO: {bad}"
    return diffs


def test_pymrio_test_mrio_recovery_equals_boario(test_mrio):
    impact = event_impact(test_mrio)
    kw = {"occurrence": 3, "duration": 5, "recovery_tau": 40}
    slow = run_boario(test_mrio, impact, 100, register_stocks=True, **kw)
    fast = run_fukugan(test_mrio, impact, 100, register_stocks=True, **kw)
    diffs = _assert_equal(fast, slow)
    assert "stocks" in diffs
    # capital really recovers within the horizon, and production comes back
    assert slow["productive_capital_lost"][-1].max() == 0
    assert fast["productive_capital_lost"][-1].max() == 0
    assert fast["productive_capital_lost"][5].max() > 0


def test_pymrio_test_mrio_rebuild_equals_boario(test_mrio):
    impact = event_impact(test_mrio)
    kw = {
        "event_type": "rebuild",
        "occurrence": 2,
        "duration": 4,
        "rebuild_tau": 30,
        "rebuilding_sectors": {"construction": 0.7, "manufactoring": 0.3},
        "rebuilding_factor": 0.9,
    }
    slow = run_boario(test_mrio, impact, 80, register_stocks=True, **kw)
    fast = run_fukugan(test_mrio, impact, 80, register_stocks=True, **kw)
    _assert_equal(fast, slow)
    # the rebuilding demand is really there, and really delivered
    assert slow["rebuild_demand"].max() > 0 and slow["rebuild_prod"].max() > 0
    assert fast["rebuild_demand"].max() == pytest.approx(slow["rebuild_demand"].max(), rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("kernels", ["numpy", "numba"])
def test_synthetic_mrio_equals_boario_both_kernels(kernels):
    mrio = synthetic_mrio(4, 5, n_fd=3, seed=3)
    impact = event_impact(mrio)
    kw = {"occurrence": 4, "duration": 6, "recovery_tau": 30, "recovery_function": "convexe"}
    slow = run_boario(mrio, impact, 60, register_stocks=True, **kw)
    fast = run_fukugan(mrio, impact, 60, register_stocks=True, kernels=kernels, **kw)
    _assert_equal(fast, slow)


@pytest.mark.parametrize(
    ("model_kwargs", "params"),
    [
        (
            {
                "order_type": "noalt",
                "psi_param": 0.9,
                "alpha_max": 1.4,
                "alpha_tau": 100,
                "main_inv_dur": 30,
                "inventory_restoration_tau": 20,
            },
            ARIOParams(
                order_type="noalt",
                psi_param=0.9,
                alpha_max=1.4,
                alpha_tau=100,
                main_inv_dur=30,
                inventory_restoration_tau=20,
            ),
        ),
        (
            {"model_type": "base", "infinite_inventories_sect": ["S01"]},
            ARIOParams(model_type="base", infinite_inventories_sect=("S01",)),
        ),
    ],
    ids=["noalt-psi-params", "base-model-infinite-inventory"],
)
def test_parameters_as_boario(model_kwargs, params):
    mrio = synthetic_mrio(3, 4, n_fd=1, seed=7)
    impact = event_impact(mrio)
    kw = {"occurrence": 2, "duration": 3, "recovery_tau": 20, "recovery_function": "concave"}
    slow = run_boario(mrio, impact, 50, register_stocks=True, model_kwargs=model_kwargs, **kw)
    for kernels in ("numpy", "numba"):
        fast = run_fukugan(
            mrio, impact, 50, register_stocks=True, params=params, kernels=kernels, **kw
        )
        _assert_equal(fast, slow)


@pytest.mark.slow
def test_quick_benchmark_sides_agree():
    from benchmarks import bench_ario

    text, figures = bench_ario.run(quick=True)
    assert "SYNTHETIC" in text
    for case in figures["cases"]:
        assert case["agree"], case["max_rel_diff"]
        assert case["production_drop"] > 0.01
        assert case["fukugan_peak_rss_mib"] > 0 and case["boario_peak_rss_mib"] > 0


# -- API ---------------------------------------------------------------------------------------
def _small():
    mrio = synthetic_mrio(3, 3, n_fd=1, seed=1)
    return mrio, event_impact(mrio)


def test_run_rows_shared_format_and_progress():
    mrio, impact = _small()
    calls = []
    tr = simulate_ario(
        mrio["Z"],
        mrio["Y"],
        mrio["x"],
        None,
        mrio["regions"],
        mrio["sectors"],
        [ARIOEvent(impact=impact, occurrence=2, duration=3, recovery_tau=10)],
        n_days=30,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (30, 30) and len(calls) == 30
    rows = to_run_rows(tr)
    assert tuple(rows.columns) == TIMESERIES_COLUMNS
    RunResult(engine="ario", scenario={}, parameters=tr.params, timeseries=rows)
    sec = rows[rows["unit_kind"] == "sector"]
    assert set(sec["metric"]) == {"output", "loss", "demand_unmet"}
    direct_units = {f"{r}/{s}" for r, s in impact}
    assert set(sec.loc[sec["component"] == "direct", "unit"]) == direct_units
    assert set(sec.loc[sec["component"] == "indirect", "unit"]).isdisjoint(direct_units)
    # loss = baseline − output, unit by unit and day by day
    out = sec[sec["metric"] == "output"].set_index(["t", "unit"])["value"]
    loss = sec[sec["metric"] == "loss"].set_index(["t", "unit"])["value"]
    x0 = pd.Series(tr.x0, index=[f"{r}/{s}" for r in tr.regions for s in tr.sectors])
    base = x0.reindex(out.index.get_level_values("unit")).to_numpy()
    np.testing.assert_allclose(loss.to_numpy(), base - out.to_numpy(), rtol=0, atol=1e-9)
    # totals = sum of the sector rows
    tot = rows[(rows["unit_kind"] == "total") & (rows["metric"] == "loss")]
    by_t = sec[sec["metric"] == "loss"].groupby("t")["value"].sum()
    np.testing.assert_allclose(
        tot[tot["component"] == "total"].set_index("t")["value"].sort_index(), by_t, rtol=1e-12
    )
    h = headline(rows)
    assert h["peak_loss"] > 0 and h["direct_loss"] > 0
    assert tr.frame("production").shape == (30, 9)


def test_event_beyond_horizon_is_allowed_and_matches_longer_run():
    mrio, impact = _small()
    ev = ARIOEvent(impact=impact, occurrence=5, duration=40, recovery_tau=10)
    args = (mrio["Z"], mrio["Y"], mrio["x"], None, mrio["regions"], mrio["sectors"], [ev])
    short = simulate_ario(*args, n_days=20)
    long = simulate_ario(*args, n_days=60)
    np.testing.assert_array_equal(short.production, long.production[:20])


def test_default_event_monetary_factor_is_the_models():
    """Impacts are in MRIO units by default (BoARIO would divide them by 10⁶)."""
    mrio, impact = _small()
    args = (mrio["Z"], mrio["Y"], mrio["x"], None, mrio["regions"], mrio["sectors"])
    a = simulate_ario(*args, [ARIOEvent(impact=impact, recovery_tau=5)], n_days=5)
    b = simulate_ario(
        *args,
        [
            ARIOEvent(
                impact={k: v * 1e6 for k, v in impact.items()},
                recovery_tau=5,
                event_monetary_factor=1,
            )
        ],
        n_days=5,
    )
    # equal while the impact is full; once recovering, BoARIO rounds the capital lost to
    # log10(event_monetary_factor) + 1 decimals: 7 with 10⁶, 1 with a factor of 1
    np.testing.assert_allclose(
        a.productive_capital_lost[:3], b.productive_capital_lost[:3], rtol=1e-12
    )
    np.testing.assert_allclose(a.productive_capital_lost, b.productive_capital_lost, atol=0.05)
    assert a.productive_capital_lost[1].max() > 0


# -- bad input ---------------------------------------------------------------------------------
def _run(mrio, events, **kw):
    return simulate_ario(
        kw.pop("Z", mrio["Z"]),
        kw.pop("Y", mrio["Y"]),
        kw.pop("x", mrio["x"]),
        None,
        mrio["regions"],
        mrio["sectors"],
        events,
        n_days=kw.pop("n_days", 10),
        **kw,
    )


def test_bad_input_negative_flow():
    mrio, impact = _small()
    z = mrio["Z"].copy()
    z[1, 2] = -1.0
    with pytest.raises(InputError, match=r"negative flow in Z at industry R00/S01"):
        _run(mrio, [], Z=z)
    y = mrio["Y"].copy()
    y[4, 0] = -3.0
    with pytest.raises(InputError, match="negative flow in Y"):
        _run(mrio, [], Y=y)


def test_bad_input_non_productive():
    mrio, _ = _small()
    z = mrio["Z"].copy()
    z[:, 4] *= 10 * mrio["x"][4] / z[:, 4].sum()
    with pytest.raises(InputError, match=r"non-productive system: the inputs of R01/S01"):
        _run(mrio, [], Z=z)


def test_bad_input_shapes_and_nan():
    mrio, _ = _small()
    with pytest.raises(InputError, match="Z has shape"):
        _run(mrio, [], Z=mrio["Z"][:-1])
    x = mrio["x"].copy()
    x[0] = math.nan
    with pytest.raises(InputError, match="not a finite number"):
        _run(mrio, [], x=x)


@pytest.mark.parametrize(
    ("impact", "message"),
    [
        ({("Atlantis", "S00"): 1.0}, "unknown region 'Atlantis'"),
        ({("R00", "unobtainium"): 1.0}, "unknown sector 'unobtainium'"),
        ({("R00", "S00"): -1.0}, "must be a non-negative number"),
    ],
)
def test_bad_input_event_names(impact, message):
    mrio, _ = _small()
    with pytest.raises(InputError, match=message):
        _run(mrio, [ARIOEvent(impact=impact, recovery_tau=5)])


def test_bad_input_impact_larger_than_capital():
    """BoARIO raises RuntimeError mid-loop; fukugan names the industry before any step."""
    mrio, _ = _small()
    system = prepare_system(mrio["Z"], mrio["Y"], mrio["x"], None, mrio["regions"], mrio["sectors"])
    k = system.capital[system.index_of("R02", "S01")]
    with pytest.raises(InputError, match=r"R02/S01 .* exceeds its productive capital"):
        _run(mrio, [ARIOEvent(impact={("R02", "S01"): 1.5 * k}, recovery_tau=5)])
    # two overlapping events that together exceed it: caught on the day they overlap
    half = {("R02", "S01"): 0.6 * k}
    events = [
        ARIOEvent(impact=half, occurrence=1, duration=5, recovery_tau=5),
        ARIOEvent(impact=half, occurrence=3, duration=5, recovery_tau=5),
    ]
    with pytest.raises(InputError, match=r"day 3: .*R02/S01"):
        _run(mrio, events)


def test_bad_input_event_parameters():
    mrio, impact = _small()
    with pytest.raises(InputError, match="recovery_tau"):
        _run(mrio, [ARIOEvent(impact=impact)])
    with pytest.raises(InputError, match="unknown rebuilding sector"):
        _run(
            mrio,
            [
                ARIOEvent(
                    impact=impact,
                    event_type="rebuild",
                    rebuild_tau=5,
                    rebuilding_sectors={"nope": 1.0},
                )
            ],
        )
    with pytest.raises(InputError, match="sum to 1"):
        _run(
            mrio,
            [
                ARIOEvent(
                    impact=impact,
                    event_type="rebuild",
                    rebuild_tau=5,
                    rebuilding_sectors={"S00": 0.5},
                )
            ],
        )
    with pytest.raises(InputError, match="occurrence"):
        _run(mrio, [ARIOEvent(impact=impact, occurrence=0, recovery_tau=5)])
    with pytest.raises(InputError, match="psi_param"):
        _run(mrio, [], params=ARIOParams(psi_param=1.5))
