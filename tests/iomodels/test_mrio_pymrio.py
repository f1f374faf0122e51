"""fukugan.iomodels.mrio equals pymrio's ``calc_all`` on pymrio's own test MRIO (1e-8 relative),
and reproduces Miller & Blair (2009) Table 2.3."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fukugan.errors import InputError
from fukugan.iomodels import NonProductiveError
from fukugan.iomodels.mrio import MRIOAccounts, calc_all

pymrio = pytest.importorskip("pymrio")

RTOL = 1e-8


def max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| / max |b| (normwise relative; 0 for equal arrays)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    scale = np.abs(b).max() if b.size else 0.0
    return float(np.abs(a - b).max() / scale) if scale else float(np.abs(a - b).max())


def assert_equal_rel(name: str, a: np.ndarray, b: np.ndarray, report: dict) -> None:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    report[name] = max(report.get(name, 0.0), max_rel_diff(a, b))
    # elementwise 1e-8 relative, with an absolute floor at 1e-12 of the array's scale for
    # entries that are zero in one and round-off in the other
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12 * max(1.0, np.abs(b).max()))


def from_pymrio(io) -> tuple[dict, list]:
    """Arrays and labels of a pymrio IOSystem (extensions stacked, F_Y zero where absent)."""
    Z, Y = io.Z, io.Y
    exts = list(io.get_extensions(data=True))
    F = np.vstack([e.F.loc[:, Z.columns].to_numpy() for e in exts])
    F_Y = np.vstack(
        [
            e.F_Y.loc[:, Y.columns].to_numpy()
            if e.F_Y is not None
            else np.zeros((e.F.shape[0], Y.shape[1]))
            for e in exts
        ]
    )
    kwargs = {
        "unit_regions": list(Z.index.get_level_values("region")),
        "unit_sectors": list(Z.index.get_level_values("sector")),
        "y_regions": list(Y.columns.get_level_values("region")),
        "stressors": [(e.name, *np.atleast_1d(ix)) for e in exts for ix in e.F.index],
    }
    return {"Z": Z.to_numpy(), "Y": Y.to_numpy(), "F": F, "F_Y": F_Y, **kwargs}, exts


@pytest.fixture(scope="module", params=["double", "mixed"])
def both(request) -> tuple[MRIOAccounts, object]:
    """Ours (LU of I − A in double, or in single with refinement: every quantity must equal
    pymrio to 1e-8 either way) and pymrio's, on pymrio's test MRIO."""
    ref = pymrio.load_test()
    ours = calc_all(**from_pymrio(ref)[0], keep_L=True, precision=request.param)
    ref.calc_all()
    return ours, ref


def test_equals_pymrio_calc_all(both):
    ours, ref = both
    rep: dict[str, float] = {}
    assert_equal_rel("x", ours.x, ref.x["indout"].to_numpy(), rep)
    assert_equal_rel("A", ours.A, ref.A.to_numpy(), rep)
    assert_equal_rel("L", ours.L, ref.L.to_numpy(), rep)
    row = 0
    for ext in ref.get_extensions(data=True):
        k = ext.F.shape[0]
        sl = slice(row, row + k)
        row += k
        assert_equal_rel("S", ours.S[sl], ext.S.to_numpy(), rep)
        if ext.S_Y is not None:
            assert_equal_rel("S_Y", ours.S_Y[sl], ext.S_Y.to_numpy(), rep)
        assert_equal_rel("M", ours.M[sl], ext.M.to_numpy(), rep)
        cba_cols = pd.MultiIndex.from_product([list(ours.y_regions), list(ours.sectors)])
        assert list(ext.D_cba.columns) == list(cba_cols)
        assert list(ext.D_imp.columns) == list(cba_cols)
        assert list(ext.D_pba.columns) == list(ref.Z.columns)
        for name in ("D_cba", "D_pba", "D_imp", "D_exp"):
            assert_equal_rel(name, getattr(ours, name)[sl], getattr(ext, name).to_numpy(), rep)
        for name, regs in (
            ("D_cba_reg", ours.y_regions),
            ("D_imp_reg", ours.y_regions),
            ("D_pba_reg", ours.regions),
            ("D_exp_reg", ours.regions),
        ):
            theirs = getattr(ext, name).loc[:, list(regs)].to_numpy()
            assert_equal_rel(name, getattr(ours, name)[sl], theirs, rep)
        pop = dict(zip(ref.population.columns, ref.population.iloc[0], strict=True))
        cap = ours.per_capita(pop)
        for name in ("D_cba_cap", "D_pba_cap", "D_imp_cap", "D_exp_cap"):
            theirs = getattr(ext, name)
            assert_equal_rel(name, cap[name][sl], theirs.loc[:, theirs.columns].to_numpy(), rep)
    print(
        f"max relative difference vs pymrio ({ours.model.precision}):",
        {k: f"{v:.1e}" for k, v in rep.items()},
    )
    assert max(rep.values()) < RTOL
    if ours.model.precision == "mixed":
        info = ours.model.refinement
        assert info["fallback"] is None and 1 <= max(info["steps"]) <= 4, info


def test_mixed_precision_equals_double_on_pymrio_test_mrio():
    """Refined to double round-off (tol=None): equal to the double LU to 1e-12 elementwise.
    With the default tol = 1e-11, every solve stopped on a measured forward-error bound ≤ 1e-11,
    with no more corrections than to double round-off."""
    kw, _ = from_pymrio(pymrio.load_test())
    d = calc_all(**kw, precision="double")
    full = calc_all(**kw, precision="mixed", tol=None)
    m = calc_all(**kw)
    names = ("x", "A", "S", "M", "D_cba", "D_pba", "D_imp", "D_exp", "D_cba_reg", "D_imp_reg")
    for name in names:
        a, b = getattr(full, name), getattr(d, name)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14 * np.abs(b).max())
        assert max_rel_diff(getattr(m, name), b) <= 1e-11, name
    assert full.model.refinement["fallback"] is None and full.model.refinement["tol"] is None
    info = m.model.refinement
    assert info["fallback"] is None and info["tol"] == 1e-11 and max(info["bounds"]) <= 1e-11
    assert all(a <= b for a, b in zip(info["steps"], full.model.refinement["steps"], strict=True))
    assert d.model.refinement is None
    with pytest.raises(InputError, match="precision"):
        calc_all(**kw, precision="half")


def test_without_L_same_multipliers(both):
    ours, ref = both
    r = calc_all(**from_pymrio(pymrio.load_test())[0])
    assert r.L is None
    np.testing.assert_allclose(r.M, ours.M, rtol=1e-12)
    np.testing.assert_allclose(r.D_imp, ours.D_imp, rtol=1e-12, atol=1e-9)


def test_many_stressors_route_equals_few_stressors_route():
    """k > sectors per region uses rows of L instead of S_(r)′ as right-hand sides."""
    kw, _ = from_pymrio(pymrio.load_test())
    rng = np.random.default_rng(0)
    F = rng.random((12, kw["Z"].shape[0]))  # 12 stressors > 8 sectors per region
    F_Y = rng.random((12, kw["Y"].shape[1]))
    kw.update(F=F, F_Y=F_Y, stressors=None)
    big = calc_all(**kw)
    parts = [calc_all(**{**kw, "F": F[i : i + 2], "F_Y": F_Y[i : i + 2]}) for i in range(0, 12, 2)]
    for name in ("M", "D_cba", "D_imp", "D_pba", "D_exp", "D_cba_reg", "D_imp_reg"):
        np.testing.assert_allclose(
            getattr(big, name),
            np.vstack([getattr(p, name) for p in parts]),
            rtol=1e-11,
            atol=1e-9,
        )


def test_miller_blair_table_2_3_as_one_region():
    r = calc_all(
        [[150, 500], [200, 100]],
        [[350], [1700]],
        unit_regions=["r", "r"],
        unit_sectors=["1", "2"],
        y_regions=["r"],
        keep_L=True,
    )
    np.testing.assert_allclose(r.x, [1000, 2000])
    np.testing.assert_allclose(r.A, [[0.15, 0.25], [0.20, 0.05]], atol=1e-15)
    np.testing.assert_allclose(r.L.round(6), [[1.254125, 0.330033], [0.264026, 1.122112]])
    np.testing.assert_allclose(r.model.output([600, 1500]).round(1), [1247.5, 1841.6])
    assert r.M.shape == (0, 2)


def test_zero_output_sector_like_pymrio():
    """A sector with no output (x_j = 0) gets zero columns in A and S, as pymrio's 1/0 → 0."""
    Z = np.array([[10.0, 0.0, 5.0], [0.0, 0.0, 0.0], [2.0, 0.0, 1.0]])
    Y = np.array([[20.0, 5.0], [0.0, 0.0], [3.0, 4.0]])
    F = np.array([[1.0, 7.0, 2.0]])
    kw = dict(unit_regions=["a", "a", "b"], unit_sectors=["s", "t", "s"], y_regions=["a", "b"])
    r = calc_all(Z, Y, F, **kw)
    assert r.x[1] == 0 and (r.A[:, 1] == 0).all() and r.S[0, 1] == 0
    idx = pd.MultiIndex.from_arrays(
        [kw["unit_regions"], kw["unit_sectors"]], names=["region", "sector"]
    )
    cols = pd.MultiIndex.from_arrays([["a", "b"], ["fd", "fd"]], names=["region", "category"])
    io = pymrio.IOSystem(Z=pd.DataFrame(Z, idx, idx), Y=pd.DataFrame(Y, idx, cols))
    io.ext = pymrio.Extension(name="ext", F=pd.DataFrame(F, index=["e"], columns=idx))
    io.calc_all()
    np.testing.assert_allclose(r.A, io.A.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(r.M, io.ext.M.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(r.D_cba, io.ext.D_cba.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(r.D_imp, io.ext.D_imp.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(r.D_exp, io.ext.D_exp.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "Z, Y, match",
    [
        ([[1.0, -2.0], [0.0, 1.0]], [[5.0], [5.0]], "negative flow from a/s to b/s"),
        ([[1.0, 0.0], [0.0, 1.0]], [[5.0], [-9.0]], "b/s is negative"),
        ([[1.0, 0.0], [0.0, 1.0]], [[5.0, 1.0]], "Y must have shape"),
        ([[0.0, 9.0], [9.0, 0.0]], [[0.0], [0.0]], "productive|singular"),
        ([[np.inf, 0.0], [0.0, 1.0]], [[5.0], [5.0]], "finite"),
    ],
)
def test_bad_input_names_the_item(Z, Y, match):
    with pytest.raises(InputError, match=match):
        calc_all(Z, Y, unit_regions=["a", "b"], unit_sectors=["s", "s"], y_regions=["a"])


def test_unproductive_is_nonproductive_error():
    with pytest.raises(NonProductiveError):
        calc_all(
            [[0.0, 9.0], [9.0, 0.0]],
            [[0.0], [0.0]],
            unit_regions=["a", "b"],
            unit_sectors=["s", "s"],
            y_regions=["a"],
        )


def test_label_lengths_checked():
    with pytest.raises(InputError, match="unit_sectors has 1 labels for 2"):
        calc_all(
            [[1.0, 0.0], [0.0, 1.0]],
            [[1.0], [1.0]],
            unit_regions=["a", "b"],
            unit_sectors=["s"],
            y_regions=["a"],
        )


@pytest.mark.slow
def test_benchmark_quick_sides_agree():
    """benchmarks/bench_io.py --quick (n = 1,000): fukugan and pymrio, each in its own
    subprocess, compute the same quantities (so the benchmark cannot measure different things)."""
    from benchmarks import bench_io

    text, fig = bench_io.run(quick=True, extraction=False)
    assert fig["n"] == 1000
    assert fig["agree"], fig["problems"]
    assert set(fig["max_rel_diff"]) == set(bench_io.QUANTITIES)
    assert max(fig["max_rel_diff"].values()) < 1e-8
    assert "SYNTHETIC" in text and fig["fukugan_s"] > 0 and fig["pymrio_s"] > 0


def test_benchmark_compare_detects_a_difference():
    from benchmarks import bench_io

    a = {q: np.ones((2, 3)) for q in bench_io.QUANTITIES}
    b = {q: np.ones((2, 3)) for q in bench_io.QUANTITIES}
    b["D_imp"] = b["D_imp"] * (1 + 1e-6)
    diffs, problems = bench_io.compare(a, b)
    assert len(problems) == 1 and problems[0].startswith("D_imp")
