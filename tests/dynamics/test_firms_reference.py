"""The firm engine against the authors' reference simulator (proNet.cpp of
HiroyasuInoue/ProductionNetworkSimulator, commit c4dd74d) on the fixtures in
``fixtures/firm-reference`` (README there): two SYNTHETIC networks, seven option sets each.

Every case — the four rationing rules, recovery, ``n = 5 / τ = 3`` — on both networks: daily
totals (output, value added, final consumption) equal the reference's to 1e-9 relative (they
do to ~1e-14), the per-firm snapshots (output, demand, inventory limit, δ, each link's
delivery) to the 6 digits the files carry, and the start and end totals of ``stats.txt``.
Both kernels (compiled, the default, and the numpy one) are checked on the small network.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fukugan.data.pronet import read_pronet
from fukugan.dynamics.firms import FirmParams, FirmShock, simulate_firms

ROOT = next(
    (
        p / "fixtures" / "firm-reference"
        for p in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared"))
        if (p / "fixtures" / "firm-reference").is_dir()
    ),
    Path("/work/shared/fixtures/firm-reference"),
)
pytestmark = pytest.mark.skipif(not ROOT.is_dir(), reason="reference fixtures not present")

#: case → (rule, n, τ, recovery days C of ``-c C`` or None)
CASES = {
    "R0": ("proportional", 15, 6, None),
    "R1": ("proportional_fc_last", 15, 6, None),
    "R2": ("inoue_todo", 15, 6, None),
    "R3": ("inoue_todo_fc_last", 15, 6, None),
    "R0-recovery30": ("proportional", 15, 6, 30),
    "R2-recovery30": ("inoue_todo", 15, 6, 30),
    "R2-n5-tau3": ("inoue_todo", 5, 3, None),
}
STEPS = 60


def _series(path: Path) -> np.ndarray:
    return np.loadtxt(path)[:, 1]


_RUNS: dict[tuple[str, str, str], object] = {}


def run(net: str, case: str, kernels: str = "numba"):
    key = (net, case, kernels)
    if key not in _RUNS:
        data = read_pronet(ROOT / net / "network")
        rule, n, tau, rec = CASES[case]
        shocks = []
        for start in np.unique(data.start[data.delta > 0]):
            m = (data.delta > 0) & (data.start == start)
            shocks.append(
                FirmShock(
                    np.flatnonzero(m),
                    data.delta[m],
                    start=int(start) + 1,  # reference step s = fukugan day s + 1
                    recovery="linear" if rec else "none",
                    recovery_days=float(rec or 1),
                )
            )
        snaps = sorted(
            int(p.name[4:]) + 1 for p in (ROOT / net / "reference" / case).glob("snap[0-9]*")
        )
        tr = simulate_firms(
            data.network,
            shocks,
            FirmParams(rationing=rule, n=n, tau=tau),
            STEPS,
            snapshot_days=snaps,
            kernels=kernels,
        )
        _RUNS[key] = (data, tr)
    return _RUNS[key]


def _totals(net: str, case: str, kernels: str = "numba"):
    ref = ROOT / net / "reference" / case
    _, tr = run(net, case, kernels)
    ours = {"pact": tr.total_output, "va": tr.value_added, "fc": tr.final_consumption}
    return {k: (ours[k], _series(ref / f"{k}.txt")) for k in ours}


ALL = [(net, case) for net in ("small", "medium") for case in CASES]


@pytest.mark.parametrize(("net", "case"), ALL)
def test_daily_totals_equal_the_reference(net, case):
    for name, (ours, ref) in _totals(net, case).items():
        assert ours.shape == ref.shape == (STEPS + 1,), name
        # the reference prints the initial final consumption with 6 digits only
        first = 1 if name == "fc" else 0
        np.testing.assert_allclose(ours[first:], ref[first:], rtol=1e-9, atol=0, err_msg=name)
        assert ours[0] == pytest.approx(ref[0], rel=1e-6)


@pytest.mark.parametrize("case", list(CASES))
def test_numpy_kernels_equal_the_reference_too(case):
    for name, (ours, ref) in _totals("small", case, "numpy").items():
        np.testing.assert_allclose(ours[1:], ref[1:], rtol=1e-9, atol=0, err_msg=name)


def _snapshot_cases():
    out = []
    for net, case in ALL:
        for p in sorted((ROOT / net / "reference" / case).glob("snap[0-9]*")):
            out.append((net, case, int(p.name[4:])))
    return out


@pytest.mark.parametrize(("net", "case", "step"), _snapshot_cases())
def test_firm_snapshots_equal_the_reference(net, case, step):
    data, tr = run(net, case)
    ref = ROOT / net / "reference" / case
    snap = np.genfromtxt(ref / f"snap{step}", skip_header=1)
    ids = np.array([str(int(x)) for x in snap[:, 0]])
    pos = data.network.ids().tolist()
    idx = np.array([pos.index(i) for i in ids])
    ours = tr.snapshots[step + 1]
    np.testing.assert_allclose(data.network.baseline_production()[idx], snap[:, 1], rtol=5e-6)
    for col, key in ((2, "production"), (3, "demand"), (4, "inventory_limit"), (5, "delta")):
        np.testing.assert_allclose(ours[key][idx], snap[:, col], rtol=5e-6, atol=1e-12, err_msg=key)
    links = np.genfromtxt(ref / f"snapOStar{step}", skip_header=1)
    net_ = data.network
    lookup = {str(k): i for i, k in enumerate(net_.ids())}
    cust = np.array([lookup[str(int(c))] for c in links[:, 0]])
    sup = np.array([lookup[str(int(s))] for s in links[:, 1]])
    # the link of (customer, supplier) in the CSR rows (suppliers sorted within a row)
    k = np.array(
        [
            net_.indptr[c] + np.searchsorted(net_.suppliers[net_.indptr[c] : net_.indptr[c + 1]], s)
            for c, s in zip(cust, sup, strict=True)
        ]
    )
    assert np.array_equal(net_.suppliers[k], sup)
    np.testing.assert_allclose(net_.values[k], links[:, 2], rtol=5e-6)
    np.testing.assert_allclose(ours["delivered"][k], links[:, 3], rtol=5e-6, atol=1e-12)


def test_stats_start_and_end_totals():
    for net in ("small", "medium"):
        for case in CASES:
            stats = dict(
                line.split()
                for line in (ROOT / net / "reference" / case / "stats.txt").read_text().split("\n")
                if line.strip()
            )
            _, tr = run(net, case)
            assert tr.total_output[-1] == pytest.approx(float(stats["totalPactutalEnd"]), rel=1e-9)
            assert tr.value_added[-1] == pytest.approx(float(stats["totalValueAddedEnd"]), rel=1e-9)
