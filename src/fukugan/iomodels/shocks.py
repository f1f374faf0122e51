"""Static input-output shocks for the scenario runner, each split into direct and indirect parts.

Pure functions on numpy arrays (optional labels), one per kind of shock (Miller & Blair 2009):

========================= ============================================= ===================
function                  model                                         direct part
========================= ============================================= ===================
:func:`demand_shock`      Leontief, Δx = L Δy (§2.3)                    Δy
:func:`supply_shock`      Ghosh, Δx′ = Δv′ G (§12.1)                    Δv
:func:`extraction_shock`  hypothetical extraction (§12.2.5)             change at the
                          (total / backward / forward)                  extracted sectors
:func:`price_shock`       Leontief price model, Δp′ = Δv_c′ L (§2.6)    Δv_c
:func:`import_price_shock` Δp′ = Δp_m′ A_imp L_dom (§2.6)               Δp_m′ A_imp
========================= ============================================= ===================

The indirect part is always (total change) − (direct part): what propagated through
intermediate purchases (Leontief, price) or sales (Ghosh). :func:`import_cut` builds the Δv of a
cut in imported inputs of some products to some or all sectors (imports being primary inputs of
the supply-driven model). :func:`to_rows` turns a :class:`ShockResult` into rows of the shared
run-result format (:mod:`fukugan.results`) and its largest propagation paths.

**Paths (first- and second-tier transmissions).** Every model here is a power series:
Δx = Δ + CΔ + C²Δ + … with C = A (Leontief quantities), C = B′ (Ghosh) or C = A′ (prices), and
Δ the direct impulse. The tier-1 transmission from source j to target i is C_ij Δ_j; a tier-2
path j → k → i carries C_ik C_kj Δ_j. These weights, summed over all paths of a tier, give
exactly the tier's term i′C^tΔ of the series; the rows kept are the largest by |weight|
(tier 2: searched through each source's largest tier-1 links, exact whenever the kept weights
exceed every skipped tier-1 link — as C's columns sum to < 1 in a productive system). Weights are
losses at the target for output models (−contribution to Δx) and increases for price models.
For extraction, the impulse is the extracted sectors' output −x_j, passed on to suppliers
(C = A: total and backward) or customers (C = B′: forward) — the first rounds of the loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fukugan.checks import as_square, as_vector, name_of
from fukugan.errors import InputError
from fukugan.iomodels.ghosh import GhoshModel
from fukugan.iomodels.leontief import LeontiefModel
from fukugan.iomodels.price import PriceModel

__all__ = [
    "ShockResult",
    "demand_shock",
    "extraction_shock",
    "import_cut",
    "import_price_shock",
    "price_shock",
    "supply_shock",
    "to_rows",
]


@dataclass(frozen=True, eq=False)
class ShockResult:
    """Baseline (t = 0) and shocked (t = 1) levels of a static shock, with the change split.

    Attributes:
        kind: "demand", "supply", "extraction" or "price".
        metric: "output" (quantities) or "price" (price index, 1 at baseline).
        units, regions: unit labels (n) and the region of each ('' when unknown).
        baseline, shocked: levels (n,).
        direct, indirect: the change ``shocked − baseline`` split in two (they sum to it).
        impulse, channel: the direct impulse Δ and the matrix C of the power series
            (see the module doc), used for :meth:`paths`.
    """

    kind: str
    metric: str
    units: tuple[str, ...]
    regions: tuple[str, ...]
    baseline: np.ndarray
    shocked: np.ndarray
    direct: np.ndarray
    indirect: np.ndarray
    impulse: np.ndarray
    channel: np.ndarray

    @property
    def change(self) -> np.ndarray:
        """shocked − baseline (= direct + indirect)."""
        return self.shocked - self.baseline

    @property
    def loss(self) -> np.ndarray:
        """baseline − shocked (positive when output falls)."""
        return self.baseline - self.shocked

    def paths(self, top: int = 20, *, max_sources: int = 50, fan: int = 20) -> pd.DataFrame:
        """The ``top`` largest tier-1 and tier-2 transmissions (columns of ``PATHS_COLUMNS``)."""
        return _paths(self, top=top, max_sources=max_sources, fan=fan)


# -- labels and validation ----------------------------------------------------------------------
def _units(n: int, industries: Sequence[str] | None) -> tuple[str, ...]:
    if industries is None:
        return tuple(f"#{j}" for j in range(n))
    names = tuple(str(s) for s in industries)
    if len(names) != n:
        raise InputError(f"{len(names)} industry names for {n} industries", field="industries")
    return names


def _regions(n: int, regions: Sequence[str] | None) -> tuple[str, ...]:
    if regions is None:
        return ("",) * n
    regs = tuple(str(r) for r in regions)
    if len(regs) != n:
        raise InputError(f"{len(regs)} regions for {n} industries", field="regions")
    return regs


def _index_set(
    items: int | str | Sequence[int | str] | None,
    labels: tuple[str, ...],
    industries: Sequence[str] | None,
    what: str,
) -> np.ndarray:
    if items is None:
        return np.arange(len(labels))
    seq = [items] if isinstance(items, (int, str, np.integer)) else list(items)
    out = []
    for it in seq:
        if isinstance(it, str):
            if industries is None or it not in labels:
                raise InputError(f"unknown sector {it!r}", field=what)
            out.append(labels.index(it))
        else:
            j = int(it)
            if not 0 <= j < len(labels):
                raise InputError(f"sector index {j} out of range 0..{len(labels) - 1}", field=what)
            out.append(j)
    if not out:
        raise InputError(f"no sector given in {what}", field=what)
    return np.unique(np.asarray(out, dtype=int))


def _no_negative_level(level: np.ndarray, delta: np.ndarray, units, what: str) -> None:
    after = level + delta
    scale = max(1.0, float(np.abs(level).max()) if level.size else 1.0)
    bad = np.flatnonzero((after < -1e-9 * scale) & (delta < 0))
    if bad.size:
        j = int(bad[0])
        raise InputError(
            f"the shock cuts {what} of {units[j]} below zero ({level[j]:g} + {delta[j]:g})",
            field=f"d{what}",
        )


def _leontief(A: object, industries: Sequence[str] | None) -> LeontiefModel:
    return A if isinstance(A, LeontiefModel) else LeontiefModel(A, industries=industries)


# -- the shocks ------------------------------------------------------------------------------------
def demand_shock(
    A: object | LeontiefModel,
    y: object,
    dy: object,
    *,
    industries: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> ShockResult:
    """Leontief demand-driven shock: x = L y, Δx = L Δy (Miller & Blair 2009, §2.3);
    direct = Δy, indirect = Δx − Δy.

    Miller & Blair Table 2.3, final demand (350, 1700) → (600, 1500):

    >>> r = demand_shock([[0.15, 0.25], [0.2, 0.05]], [350, 1700], [250, -200])
    >>> r.shocked.round(1), r.direct, r.indirect.round(1)
    (array([1247.5, 1841.6]), array([ 250., -200.]), array([-2.5, 41.6]))
    """
    model = _leontief(A, industries)
    n = model.n
    units = _units(n, industries if industries is not None else model.industries)
    yv = as_vector(y, n, "y")
    dyv = as_vector(dy, n, "dy")
    _no_negative_level(yv, dyv, units, "final demand")
    x0 = model.output(yv)
    dx = model.output(dyv)
    return ShockResult(
        "demand", "output", units, _regions(n, regions), x0, x0 + dx, dyv, dx - dyv, dyv, model.A
    )


def supply_shock(
    B: object | GhoshModel,
    v: object,
    dv: object,
    *,
    industries: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> ShockResult:
    """Ghosh supply-driven shock: x′ = v′G, Δx′ = Δv′G (Miller & Blair 2009, §12.1);
    direct = Δv, indirect = Δx − Δv. ``v`` are primary inputs (value added and imports).

    >>> from fukugan.iomodels import allocation_coefficients
    >>> B = allocation_coefficients([[150, 500], [200, 100]], [1000, 2000])
    >>> r = supply_shock(B, [650, 1400], [-65, 0])      # 10 % less primary input in sector 1
    >>> r.baseline.round(6), r.loss.round(4)
    (array([1000., 2000.]), array([81.5182, 42.9043]))
    """
    model = B if isinstance(B, GhoshModel) else GhoshModel(B, industries=industries)
    n = model.n
    units = _units(n, industries if industries is not None else model.industries)
    vv = as_vector(v, n, "v")
    dvv = as_vector(dv, n, "dv")
    _no_negative_level(vv, dvv, units, "primary inputs")
    x0 = model.output(vv)
    dx = model.output(dvv)
    return ShockResult(
        "supply", "output", units, _regions(n, regions), x0, x0 + dx, dvv, dx - dvv, dvv, model.B.T
    )


def import_cut(
    Z_imp: object,
    products: int | str | Sequence[int | str],
    depth: float,
    *,
    to: int | str | Sequence[int | str] | None = None,
    product_names: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
) -> np.ndarray:
    """Δv of a cut of ``depth`` (0–1) in imported inputs of ``products`` to sectors ``to``
    (default: all): Δv_j = −depth · Σ_{i ∈ products} Z_imp[i, j], for :func:`supply_shock`.

    ``Z_imp`` (q × n): imported inputs by product (rows) and using sector (columns), in the
    units of v.

    >>> Z_imp = [[40.0, 0.0], [10.0, 50.0]]
    >>> import_cut(Z_imp, "ore", 0.5, product_names=["ore", "chips"])
    array([-20.,  -0.])
    >>> import_cut(Z_imp, [0, 1], 1.0, to="b", industries=["a", "b"])
    array([  0., -50.])
    """
    Zi = np.asarray(Z_imp, dtype=float)
    if Zi.ndim != 2 or not np.all(np.isfinite(Zi)):
        raise InputError("Z_imp must be a finite matrix (products × sectors)", field="Z_imp")
    if Zi.size and Zi.min() < 0:
        i, j = np.argwhere(Zi < 0)[0]
        raise InputError(
            f"negative imported input of product {name_of(int(i), product_names)} to "
            f"{name_of(int(j), industries)}",
            field="Z_imp",
        )
    if not 0.0 <= float(depth) <= 1.0:
        raise InputError(f"depth must be between 0 and 1, got {depth}", field="depth")
    q, n = Zi.shape
    rows = _index_set(products, _units(q, product_names), product_names, "products")
    cols = _index_set(to, _units(n, industries), industries, "to")
    dv = np.zeros(n)
    dv[cols] = -float(depth) * Zi[np.ix_(rows, cols)].sum(axis=0)
    return dv


def extraction_shock(
    A: object,
    y: object,
    extracted: int | str | Sequence[int | str] | None = None,
    *,
    region: str | None = None,
    mode: str = "total",
    B: object | None = None,
    v: object | None = None,
    industries: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> ShockResult:
    """Hypothetical extraction of sectors (or of every sector of ``region``), solved literally
    (Miller & Blair 2009, §12.2.5; Dietzenbacher & van der Linden 1997):

    - ``"total"``: rows and columns of the set zeroed in A, their final demand zeroed;
    - ``"backward"``: columns of the set zeroed in A (they buy no domestic inputs), y kept;
    - ``"forward"``: rows of the set zeroed in B (nobody buys their output as an input),
      primary inputs ``v`` kept (needs ``B`` and ``v``).

    direct = the change at the extracted sectors, indirect = the change elsewhere.

    >>> r = extraction_shock([[0.15, 0.25], [0.2, 0.05]], [350, 1700], 0)
    >>> r.direct.round(4), r.indirect.round(4), round(float(r.loss.sum()), 4)   # T_1
    (array([-1000.,     0.]), array([   0.    , -210.5263]), 1210.5263)
    """
    if mode not in ("total", "backward", "forward"):
        raise InputError(f"mode must be total, backward or forward, not {mode!r}", field="mode")
    if mode == "forward":
        if B is None or v is None:
            raise InputError("forward extraction needs B and v", field="B")
        Cm = as_square(B, "B")
    else:
        Cm = as_square(A, "A")
    n = Cm.shape[0]
    units = _units(n, industries)
    regs = _regions(n, regions)
    if region is not None:
        if regions is None or region not in regs:
            raise InputError(f"unknown region {region!r}", field="region")
        S = np.flatnonzero(np.asarray(regs) == region)
        if extracted is not None:
            raise InputError("give either sectors or a region to extract, not both", field="region")
    else:
        if extracted is None:
            raise InputError("nothing to extract: give sectors or a region", field="extracted")
        S = _index_set(extracted, units, industries, "extracted")
    if mode == "forward":
        g = GhoshModel(Cm, industries=industries)
        vv = as_vector(v, n, "v")
        x0 = g.output(vv)
        Bb = Cm.copy()
        Bb[S, :] = 0.0
        x1 = GhoshModel(Bb, industries=industries).output(vv)
        channel = g.B.T
    else:
        m = LeontiefModel(Cm, industries=industries)
        yv = as_vector(y, n, "y")
        x0 = m.output(yv)
        Ab = Cm.copy()
        yb = yv.copy()
        Ab[:, S] = 0.0
        if mode == "total":
            Ab[S, :] = 0.0
            yb[S] = 0.0
        x1 = LeontiefModel(Ab, industries=industries).output(yb)
        channel = m.A
    dx = x1 - x0
    direct = np.zeros(n)
    direct[S] = dx[S]
    impulse = np.zeros(n)
    impulse[S] = -x0[S]
    return ShockResult(
        "extraction", "output", units, regs, x0, x1, direct, dx - direct, impulse, channel
    )


def price_shock(
    A: object | LeontiefModel,
    dv_c: object,
    *,
    v_c: object | None = None,
    industries: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> ShockResult:
    """Cost-push price shock Δp′ = Δv_c′ L (Miller & Blair 2009, §2.6); baseline prices
    p′ = v_c′ L (1 when ``v_c`` is None: the observed value-added coefficients);
    direct = Δv_c, indirect = Δp − Δv_c.

    >>> r = price_shock([[0.15, 0.25], [0.2, 0.05]], [0.1, 0.0])
    >>> r.shocked.round(6), r.indirect.round(6)
    (array([1.125413, 1.033003]), array([0.025413, 0.033003]))
    """
    pm = PriceModel(_leontief(A, industries))
    n = pm.n
    units = _units(n, industries if industries is not None else pm.industries)
    dv = as_vector(dv_c, n, "dv_c")
    p0 = np.ones(n) if v_c is None else pm.prices(v_c)
    dp = pm.cost_push(dv)
    return ShockResult(
        "price", "price", units, _regions(n, regions), p0, p0 + dp, dv, dp - dv, dv, pm.model.A.T
    )


def import_price_shock(
    A_dom: object | LeontiefModel,
    A_imp: object,
    dp_import: object,
    *,
    products: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> ShockResult:
    """Import-price cost push: Δv_c′ = Δp_m′ A_imp, Δp′ = Δv_c′ L_dom (Miller & Blair 2009,
    §2.6, imports as a primary input); ``dp_import`` relative changes by imported product (q,)
    or a dict {product: change}; direct = Δv_c, indirect = Δp − Δv_c.

    >>> r = import_price_shock([[0.1, 0.2], [0.0, 0.1]], [[0.4, 0.0], [0.0, 0.1]],
    ...                        {"ore": 0.1}, products=["ore", "chips"])
    >>> r.direct, r.indirect.round(8)
    (array([0.04, 0.  ]), array([0.00444444, 0.00987654]))
    """
    model = _leontief(A_dom, industries)
    pm = PriceModel(model, A_imp=A_imp, products=products)
    n = pm.n
    units = _units(n, industries if industries is not None else pm.industries)
    dv = pm.import_cost(dp_import)
    dp = pm.cost_push(dv)
    p0 = np.ones(n)
    return ShockResult(
        "price", "price", units, _regions(n, regions), p0, p0 + dp, dv, dp - dv, dv, model.A.T
    )


# -- rows of the shared result format ---------------------------------------------------------
def to_rows(
    result: ShockResult, *, unit_kind: str = "sector", top: int = 20
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(timeseries, paths)`` frames in the format of :mod:`fukugan.results`.

    Output shocks: metric "output" (level; t = 0 baseline, t = 1 shocked, component "total")
    and "loss" (baseline − level; zero at t = 0; at t = 1 components "direct", "indirect" and
    "total"), per unit and for ``unit_kind="total"`` / ``unit="all"``. Price shocks: metric
    "price" (level) and "price_change" (shocked − baseline, split likewise; no "all" row).

    >>> r = demand_shock([[0.15, 0.25], [0.2, 0.05]], [350, 1700], [-35, 0],
    ...                  industries=["agri", "manu"])
    >>> ts, paths = to_rows(r)
    >>> tot = ts[(ts.t == 1) & (ts.metric == "loss") & (ts.unit == "all")]
    >>> dict(zip(tot.component, tot.value.round(6)))
    {'direct': 35.0, 'indirect': 18.135314, 'total': 53.135314}
    >>> paths.iloc[0].to_dict()
    {'source': 'agri', 'target': 'manu', 'step': 1, 'weight': 7.0, 'via': ''}
    """
    n = len(result.units)
    units = np.asarray(result.units, dtype=object)
    regs = np.asarray(result.regions, dtype=object)
    frames = []

    def add(t: int, metric: str, comp: str, values: np.ndarray, total: bool) -> None:
        frames.append(
            pd.DataFrame(
                {
                    "t": t,
                    "unit_kind": unit_kind,
                    "unit": units,
                    "region": regs,
                    "metric": metric,
                    "component": comp,
                    "value": np.asarray(values, dtype=float),
                }
            )
        )
        if total:
            frames.append(
                pd.DataFrame(
                    {
                        "t": [t],
                        "unit_kind": ["total"],
                        "unit": ["all"],
                        "region": [""],
                        "metric": [metric],
                        "component": [comp],
                        "value": [float(np.sum(values))],
                    }
                )
            )

    zero = np.zeros(n)
    if result.metric == "output":
        add(0, "output", "total", result.baseline, True)
        add(1, "output", "total", result.shocked, True)
        for comp in ("direct", "indirect", "total"):
            add(0, "loss", comp, zero, True)
        add(1, "loss", "direct", -result.direct, True)
        add(1, "loss", "indirect", -result.indirect, True)
        add(1, "loss", "total", result.loss, True)
    else:
        add(0, "price", "total", result.baseline, False)
        add(1, "price", "total", result.shocked, False)
        add(1, "price_change", "direct", result.direct, False)
        add(1, "price_change", "indirect", result.indirect, False)
        add(1, "price_change", "total", result.change, False)
    ts = pd.concat(frames, ignore_index=True)
    # "all" rows first within each block keeps the frame readable; sort by t, metric only
    ts = ts.sort_values(["t", "metric"], kind="stable").reset_index(drop=True)
    return ts, result.paths(top)


def _paths(result: ShockResult, *, top: int, max_sources: int, fan: int) -> pd.DataFrame:
    cols = ["source", "target", "step", "weight", "via"]
    imp = result.impulse
    C = result.channel
    sign = -1.0 if result.metric == "output" else 1.0
    nz = np.flatnonzero(imp != 0)
    if nz.size == 0 or top <= 0:
        return pd.DataFrame({c: [] for c in cols}).astype(
            {"step": int, "weight": float, "source": object, "target": object, "via": object}
        )
    src = nz[np.argsort(-np.abs(imp[nz]), kind="stable")[:max_sources]]
    T1 = np.asarray(C[:, src]) * imp[src][None, :]  # n × ns: tier-1 contribution i ← j
    rows: list[tuple[str, str, int, float, str]] = []
    flat = np.abs(T1).ravel()
    k1 = min(top, int(np.count_nonzero(flat)))
    if k1:
        best = np.argpartition(-flat, k1 - 1)[:k1]
        best = best[np.argsort(-flat[best], kind="stable")]
        for b in best:
            i, jj = divmod(int(b), src.size)
            rows.append((result.units[src[jj]], result.units[i], 1, sign * T1[i, jj], ""))
    # tier 2: j → k → i, through each source's `fan` largest tier-1 links k
    cand_w, cand = [], []
    for jj, j in enumerate(src):
        col = np.abs(T1[:, jj])
        kk = np.flatnonzero(col)
        if kk.size == 0:
            continue
        kk = kk[np.argsort(-col[kk], kind="stable")[:fan]]
        W = np.asarray(C[:, kk]) * T1[kk, jj][None, :]  # n × fan: i ← k ← j
        a = np.abs(W).ravel()
        kt = min(top, int(np.count_nonzero(a)))
        if kt == 0:
            continue
        sel = np.argpartition(-a, kt - 1)[:kt]
        for s in sel:
            i, kk_i = divmod(int(s), kk.size)
            cand_w.append(a[s])
            cand.append((j, int(kk[kk_i]), i, W[i, kk_i]))
    order = np.argsort(-np.asarray(cand_w), kind="stable")[:top] if cand_w else []
    for o in order:
        j, k, i, w = cand[int(o)]
        rows.append((result.units[j], result.units[i], 2, sign * w, result.units[k]))
    df = pd.DataFrame(rows, columns=cols)
    return df.astype({"step": int, "weight": float})
