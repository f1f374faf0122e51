"""Multi-regional input-output accounts: what pymrio's ``IOSystem.calc_all()`` computes, in numpy.

For a system of n = Σ_regions sectors with interindustry flows Z (n × n), final demand Y
(n × m, one column per (region, category)) and satellite accounts ("extensions") F (k × n) with
final-demand emissions F_Y (k × m), :func:`calc_all` returns, with pymrio's definitions
(pymrio 0.7, ``tools/iomath.py`` and ``core/mriosystem.py``; Stadler 2021, *J. Open Res.
Softw.* 9(1), 8) and Miller & Blair (2009) notation:

- x = Z i + Y i (total output; ``iomath.calc_x``);
- A = Z x̂⁻¹ (§2.2), with columns of zero output set to 0 (pymrio: 1/0 → 0, ``calc_A``);
- L = (I − A)⁻¹ (§2.3), **only when asked** (``keep_L=True``); otherwise one LU factorisation
  of I − A answers everything by solves;
- S = F x̂⁻¹ (direct intensities, §10.2, ``calc_S``), S_Y = F_Y ŷ⁻¹ with y = i′Y (``calc_S_Y``);
- M = S L (total multipliers, §10.2 "total impact coefficients", ``calc_M``), by one
  transposed solve (I − A)′ M′ = S′ — never by forming L;
- the footprint accounts of ``iomath.calc_accounts`` with Y aggregated by region (Y_agg: the
  columns of Y summed per region label, in order of first appearance, like pymrio's
  ``Y.T.groupby(level="region", sort=False).sum().T``), indexed like pymrio:

  * ``D_cba`` (k × R_Y·s): consumption-based account, column (r, s) = S L ŷ_{r,s}, the
    emissions anywhere caused by region r's final demand for sector s's products (from any
    producing region); pymrio's ``S @ (L @ diagonalize_columns_to_sectors(Y_agg))``;
  * ``D_pba`` (k × n): production-based account S x̂_tot with x_tot = L Y_agg i (pymrio
    recomputes x from L, so this x_tot, not x, is used — they agree to round-off);
  * ``D_imp`` (k × R_Y·s): the part of D_cba emitted outside region r (pymrio zeroes the
    domestic block of L ŷ before multiplying by S: ``set_dom_block``);
  * ``D_exp`` (k × n): emissions of each producing sector caused by final demand of all other
    regions, S x̂_exp;
  * by region: ``D_cba_reg`` = D_cba summed over sectors + F_Y by region; ``D_pba_reg`` =
    D_pba summed over producing sectors of each region + F_Y by region; ``D_imp_reg``,
    ``D_exp_reg`` likewise without F_Y (pymrio ``Extension.calc_system``).

How the footprints are computed without L ŷ (n × n): with S_(r) the intensities of region r's
sectors only (other columns 0), M_(r) = S_(r) L are "emissions in region r per unit of final
demand" and M = Σ_r M_(r). Then

    D_cba[:, (r, s)] = Σ_{p} M[:, (p, s)] · Y_agg[(p, s), r]
    D_imp[:, (r, s)] = D_cba[:, (r, s)] − Σ_{p} M_(r)[:, (p, s)] · Y_agg[(p, s), r]

so the whole computation is one LU of I − A (by default in single precision, every solve refined
in float64 until a measured bound shows a relative forward error ≤ 1e-11: ``precision="mixed"``,
see :func:`calc_all`) plus k·R (or, when there are more stressors than sectors per region, n)
right-hand sides of transposed solves, and R plain solves for L Y_agg, batched with the
productivity check (I − A) s = i into one solve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fukugan.checks import as_square
from fukugan.errors import InputError
from fukugan.iomodels.leontief import LeontiefModel

__all__ = ["MRIOAccounts", "calc_all", "reciprocal_or_zero"]


def reciprocal_or_zero(x: np.ndarray) -> np.ndarray:
    """1 / x with 0 where x = 0 (pymrio's ``recix[recix == inf] = 0`` in ``calc_A``).

    >>> reciprocal_or_zero(np.array([2.0, 0.0, 4.0]))
    array([0.5 , 0.  , 0.25])
    """
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    np.divide(1.0, x, out=out, where=x != 0)
    return out


def _first_appearance(labels: Sequence[object]) -> tuple[list[object], np.ndarray]:
    """Unique labels in order of first appearance and each item's code (pandas ``sort=False``)."""
    order: dict[object, int] = {}
    codes = np.empty(len(labels), dtype=np.intp)
    for i, lab in enumerate(labels):
        codes[i] = order.setdefault(lab, len(order))
    return list(order), codes


def _matrix(v: object, shape0: int | None, shape1: int | None, what: str) -> np.ndarray:
    a = np.asarray(v, dtype=float)
    if a.ndim == 1 and what in ("F", "F_Y"):
        a = a[None, :]
    if a.ndim != 2:
        raise InputError(f"{what} must be a matrix, got shape {a.shape}", field=what)
    if (shape0 is not None and a.shape[0] != shape0) or (
        shape1 is not None and a.shape[1] != shape1
    ):
        want = f"({shape0 if shape0 is not None else '*'}, {shape1 if shape1 is not None else '*'})"
        raise InputError(f"{what} must have shape {want}, got {a.shape}", field=what)
    if not np.all(np.isfinite(a)):
        i, j = np.argwhere(~np.isfinite(a))[0]
        raise InputError(f"{what}[{i}, {j}] is not a finite number", field=what)
    return a


def _labels(v: Sequence[object] | None, n: int, what: str) -> list[object]:
    if v is None:
        raise InputError(f"{what} is required ({n} labels)", field=what)
    out = list(v)
    if len(out) != n:
        raise InputError(f"{what} has {len(out)} labels for {n} items", field=what)
    return out


@dataclass(frozen=True, eq=False)
class MRIOAccounts:
    """Everything :func:`calc_all` computes (arrays; labels alongside, see the module doc).

    Row/column labels: ``unit_regions`` / ``unit_sectors`` (n, the rows of Z), ``regions``
    (producing regions, first appearance), ``sectors`` (first appearance), ``y_regions``
    (regions of final demand, the columns of Y_agg), ``stressors`` (k). ``D_cba`` and ``D_imp``
    columns are ``(y_region, sector)`` pairs in ``y_regions × sectors`` order (as pymrio);
    ``D_pba`` and ``D_exp`` columns are the n units; ``D_pba_reg`` / ``D_exp_reg`` columns are
    ``regions`` and ``D_cba_reg`` / ``D_imp_reg`` columns are ``y_regions``.
    ``model`` is the factorised Leontief model, to answer further questions by solves.
    """

    unit_regions: tuple[object, ...]
    unit_sectors: tuple[object, ...]
    regions: tuple[object, ...]
    sectors: tuple[object, ...]
    y_regions: tuple[object, ...]
    stressors: tuple[object, ...]
    x: np.ndarray
    A: np.ndarray
    L: np.ndarray | None
    Y_agg: np.ndarray
    S: np.ndarray
    S_Y: np.ndarray | None
    M: np.ndarray
    D_cba: np.ndarray
    D_pba: np.ndarray
    D_imp: np.ndarray
    D_exp: np.ndarray
    D_cba_reg: np.ndarray
    D_pba_reg: np.ndarray
    D_imp_reg: np.ndarray
    D_exp_reg: np.ndarray
    model: LeontiefModel

    def per_capita(self, population: Mapping[object, float]) -> dict[str, np.ndarray]:
        """``D_*_cap`` of pymrio: each regional account divided by the region's population."""
        out = {}
        for name in ("D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg"):
            regs = self.y_regions if name in ("D_cba_reg", "D_imp_reg") else self.regions
            missing = [r for r in regs if r not in population]
            if missing:
                raise InputError(f"no population for region {missing[0]!r}", field="population")
            pop = np.array([float(population[r]) for r in regs])
            out[name.replace("_reg", "_cap")] = getattr(self, name) / pop[None, :]
        return out


def calc_all(
    Z: object,
    Y: object,
    F: object | None = None,
    F_Y: object | None = None,
    *,
    unit_regions: Sequence[object],
    unit_sectors: Sequence[object],
    y_regions: Sequence[object],
    stressors: Sequence[object] | None = None,
    keep_L: bool = False,
    precision: str = "mixed",
    tol: float | None = 1e-11,
) -> MRIOAccounts:
    """x, A, (L), S, S_Y, M and the footprint accounts of an MRIO, as pymrio's ``calc_all``.

    Args:
        Z: flows (n × n), rows = supplying (region, sector), nonnegative.
        Y: final demand (n × m), one column per (region, category); may be negative
            (changes in inventories).
        F: satellite accounts (k × n); ``None`` for no stressor (k = 0).
        F_Y: final-demand satellite accounts (k × m), or ``None`` (pymrio: no ``F_Y``).
        unit_regions, unit_sectors: region and sector of each of the n rows.
        y_regions: region of each of the m columns of Y.
        stressors: names of the k rows of F (default ``#0`` …).
        keep_L: also form the explicit L = (I − A)⁻¹ (from the same LU; n³ work).
        precision: ``"mixed"`` (default) or ``"double"`` (LU of I − A in float64). Mixed: LU
            in float32 and every solve (x = L Y_agg, M = S L by transposed solves, the
            footprints) refined to double accuracy with float64 residuals (Moler 1967; Langou
            et al. 2006, "Exploiting the performance of 32 bit floating point arithmetic in
            obtaining 64 bit accuracy"), falling back to a double LU if refinement does not
            converge (recorded in ``model.refinement``). About half the factorisation time
            and n²·4 bytes of factors instead of n²·8.
        tol: with ``precision="mixed"``, the relative forward error each solve is refined to,
            proven by a measured bound (‖L‖∞ ‖r‖∞ ≤ tol ‖x‖∞ with the float64 residual r and
            ‖L‖ measured by solves with a column of ones, L ≥ 0; Higham 2002, *Accuracy and
            Stability of Numerical Algorithms*, ch. 12; Carson & Higham 2018). The default
            1e-11 is three orders below the 1e-8 to which the results are promised equal to
            pymrio's, and is usually reached after one correction (two for double round-off);
            ``None`` refines to double round-off. The bounds reached are in
            ``model.refinement["bounds"]``. Ignored for ``"double"``.

    Raises:
        InputError: shapes, labels, non-finite values, negative flows or outputs, or an
            unproductive / singular system (naming the ``region/sector``).

    Miller & Blair Table 2.3 as a one-region MRIO (f split in two categories, one stressor =
    employment 10 and 30 with 5 in final demand):

    >>> r = calc_all([[150, 500], [200, 100]], [[300, 50], [1000, 700]], [[10, 30]],
    ...              [[5, 0]], unit_regions=["JP", "JP"], unit_sectors=["agri", "manu"],
    ...              y_regions=["JP", "JP"], stressors=["jobs"])
    >>> r.x, r.A
    (array([1000., 2000.]), array([[0.15, 0.25],
           [0.2 , 0.05]]))
    >>> r.M.round(6)                   # S L, S = [0.01, 0.015]
    array([[0.016502, 0.020132]])
    >>> r.D_cba_reg, r.D_pba_reg       # both 40 + 5 from final demand: a closed economy
    (array([[45.]]), array([[45.]]))
    """
    Zm = as_square(Z, "Z")
    n = Zm.shape[0]
    ureg = _labels(unit_regions, n, "unit_regions")
    usec = _labels(unit_sectors, n, "unit_sectors")
    names = [f"{r}/{s}" for r, s in zip(ureg, usec, strict=True)]
    Ym = _matrix(Y, n, None, "Y")
    m = Ym.shape[1]
    yreg = _labels(y_regions, m, "y_regions")
    Fm = np.zeros((0, n)) if F is None else _matrix(F, None, n, "F")
    k = Fm.shape[0]
    Fym = None if F_Y is None else _matrix(F_Y, k, m, "F_Y")
    stress = (
        [f"#{i}" for i in range(k)] if stressors is None else _labels(stressors, k, "stressors")
    )
    _check_flows(Zm, names)

    # x, A, S, S_Y  (pymrio calc_x, calc_A, calc_S, calc_S_Y)
    x = Zm.sum(axis=1) + Ym.sum(axis=1)
    if n and x.min() < 0:
        j = int(np.argmin(x))
        raise InputError(
            f"total output of {names[j]} is negative ({x[j]:g}): final demand below zero",
            field="Y",
        )
    rx = reciprocal_or_zero(x)
    A = Zm * rx[None, :]
    S = Fm * rx[None, :]
    S_Y = None if Fym is None else Fym * reciprocal_or_zero(Ym.sum(axis=0))[None, :]

    # Y by region of final demand, sectors and regions in order of first appearance
    yr_labels, yr_code = _first_appearance(yreg)
    R_y = len(yr_labels)
    Yind = np.zeros((m, R_y))
    Yind[np.arange(m), yr_code] = 1.0
    Y_agg = Ym @ Yind  # n × R_y
    # one LU of I − A; L Y_agg (the output induced by each region's final demand) is solved
    # together with the productivity check, in one batch
    model = LeontiefModel(
        A,
        industries=names,
        factor_transposed=True,
        precision=precision,
        tol=tol if precision == "mixed" else None,
        presolve=Y_agg,
    )
    sec_labels, sec_code = _first_appearance(usec)
    n_sec = len(sec_labels)
    reg_labels, reg_code = _first_appearance(ureg)
    R = len(reg_labels)
    Sind = np.zeros((n, n_sec))
    Sind[np.arange(n), sec_code] = 1.0
    Rind = np.zeros((n, R))
    Rind[np.arange(n), reg_code] = 1.0
    # Y_agg column of each producing region (-1: the region has no final demand column)
    ycol_of_region = np.array([yr_labels.index(r) if r in yr_labels else -1 for r in reg_labels])

    # x_tot = L Y_agg i and exports x_exp (pymrio calc_accounts: x_diag sums)
    X = model.presolved  # n × R_y: L Y_agg, output induced by each region's final demand
    x_tot = X.sum(axis=1)
    own = ycol_of_region[reg_code]
    x_dom = np.where(own >= 0, X[np.arange(n), np.maximum(own, 0)], 0.0)
    x_exp = x_tot - x_dom

    # M_(r) = S_(r) L for every producing region r, and M = Σ_r M_(r)
    M = np.zeros((k, n))
    dom = np.zeros((k, R_y, n_sec))  # Σ_p M_(r)[:, (p, s)] Y_agg[(p, s), r]
    if k:
        for r, Mr in _regional_multipliers(model, S, reg_code, R):
            M += Mr
            c = ycol_of_region[r]
            if c >= 0:
                dom[:, c, :] = (Mr * Y_agg[:, c][None, :]) @ Sind
    W = M[:, :, None] * Y_agg[None, :, :]  # k × n × R_y
    D_cba3 = np.einsum("knr,ns->krs", W, Sind, optimize=True)  # k × R_y × s
    D_imp3 = D_cba3 - dom
    D_cba = D_cba3.reshape(k, R_y * n_sec)
    D_imp = D_imp3.reshape(k, R_y * n_sec)
    D_pba = S * x_tot[None, :]
    D_exp = S * x_exp[None, :]

    # regional accounts (+ F_Y by region for cba and pba, pymrio Extension.calc_system)
    FY_agg = np.zeros((k, R_y)) if Fym is None else Fym @ Yind
    D_cba_reg = D_cba3.sum(axis=2) + FY_agg
    D_imp_reg = D_imp3.sum(axis=2)
    D_pba_reg = D_pba @ Rind
    D_exp_reg = D_exp @ Rind
    has = ycol_of_region >= 0
    D_pba_reg[:, has] += FY_agg[:, ycol_of_region[has]]

    return MRIOAccounts(
        unit_regions=tuple(ureg),
        unit_sectors=tuple(usec),
        regions=tuple(reg_labels),
        sectors=tuple(sec_labels),
        y_regions=tuple(yr_labels),
        stressors=tuple(stress),
        x=x,
        A=model.A,
        L=model.inverse() if keep_L else None,
        Y_agg=Y_agg,
        S=S,
        S_Y=S_Y,
        M=M,
        D_cba=D_cba,
        D_pba=D_pba,
        D_imp=D_imp,
        D_exp=D_exp,
        D_cba_reg=D_cba_reg,
        D_pba_reg=D_pba_reg,
        D_imp_reg=D_imp_reg,
        D_exp_reg=D_exp_reg,
        model=model,
    )


def _check_flows(Z: np.ndarray, names: Sequence[str]) -> None:
    if Z.size and Z.min() < 0:
        i, j = np.argwhere(Z < 0)[0]
        raise InputError(f"negative flow from {names[i]} to {names[j]}: {Z[i, j]:g}", field="Z")


def _regional_multipliers(model: LeontiefModel, S: np.ndarray, reg_code: np.ndarray, R: int):
    """Yield (r, M_(r) = S_(r) L) for each region r, by transposed solves in batches.

    Per region the right-hand sides are S_(r)′ (k columns) when k ≤ the region's sector count,
    else the unit vectors of the region's rows (s_r columns, giving L's rows of region r,
    multiplied by S[:, rows r] afterwards): never more than min(k, s_r) columns per region.
    """
    n = S.shape[1]
    k = S.shape[0]
    rows = [np.flatnonzero(reg_code == r) for r in range(R)]
    batch_cols = max(64, min(4096, 2**26 // max(n, 1)))  # ~0.5 GB of right-hand sides at most
    pending: list[tuple[int, str, int]] = []
    width = 0

    def flush(items: list[tuple[int, str, int]], width: int):
        rhs = np.zeros((n, width))
        off = 0
        for r, how, w in items:
            idx = rows[r]
            if how == "S":
                rhs[idx, off : off + w] = S[:, idx].T
            else:
                rhs[idx, off + np.arange(w)] = 1.0
            off += w
        sol = model.solve_transposed(rhs)  # n × width: columns of L′ (rows of S L or of L)
        off = 0
        for r, how, w in items:
            block = sol[:, off : off + w].T
            off += w
            yield r, block if how == "S" else S[:, rows[r]] @ block

    for r in range(R):
        how, w = ("S", k) if k <= rows[r].size else ("E", rows[r].size)
        if pending and width + w > batch_cols:
            yield from flush(pending, width)
            pending, width = [], 0
        pending.append((r, how, w))
        width += w
    if pending:
        yield from flush(pending, width)
