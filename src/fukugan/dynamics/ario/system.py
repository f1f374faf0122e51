"""An MRIO prepared for ARIO: checks and constant arrays (BoARIO ``ARIOBaseModel.__init__``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fukugan.dynamics.ario.params import (
    INV_THRESHOLD,
    TECHNOLOGY_THRESHOLD,
    ARIOParams,
    check_params,
)
from fukugan.errors import InputError

__all__ = ["ARIOSystem", "label", "prepare_system"]


@dataclass
class ARIOSystem:
    """An MRIO prepared for ARIO (BoARIO ``ARIOBaseModel.__init__``), all values checked.

    Daily values: ``x0`` (nm), ``z0`` (nm × nm), ``y0`` (nm × m·n_fd); ``tech`` = A^S (n × nm);
    ``z_distrib`` (noalt shares); ``threshold_not_input`` (n × nm); ``inv_duration`` (n, days,
    ``inf`` for infinite); ``restoration`` (n, 1/τ_INV per step); ``capital`` K (nm, yearly MRIO
    units); ``stock0`` initial inventories (n × nm).
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    n_fd: int
    x0: np.ndarray
    z0: np.ndarray
    y0: np.ndarray
    z_annual: np.ndarray
    y_annual: np.ndarray
    tech: np.ndarray
    z_distrib: np.ndarray | None
    threshold_not_input: np.ndarray
    inv_duration: np.ndarray
    restoration: np.ndarray
    capital: np.ndarray
    stock0: np.ndarray
    params: ARIOParams
    fd_categories: tuple[str, ...] = ()

    @property
    def n_regions(self) -> int:
        return len(self.regions)

    @property
    def n_sectors(self) -> int:
        return len(self.sectors)

    @property
    def industries(self) -> list[tuple[str, str]]:
        return [(r, s) for r in self.regions for s in self.sectors]

    def index_of(self, region: str, sector: str, *, what: str = "event") -> int:
        try:
            ri = self.regions.index(region)
        except ValueError:
            raise InputError(f"{what}: unknown region {region!r}", field="region") from None
        try:
            si = self.sectors.index(sector)
        except ValueError:
            raise InputError(f"{what}: unknown sector {sector!r}", field="sector") from None
        return ri * self.n_sectors + si


def _matrix(a: object, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    try:
        arr = np.array(a.to_numpy() if hasattr(a, "to_numpy") else a, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputError(f"{name} is not numeric: {err}", field=name) from None
    if shape is not None:
        if arr.ndim == 2 and len(shape) == 1 and 1 in arr.shape:
            arr = arr.reshape(-1)
        if arr.shape != shape:
            raise InputError(f"{name} has shape {arr.shape}, expected {shape}", field=name)
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains a value that is not a finite number", field=name)
    return arr


def label(system_regions: Sequence[str], sectors: Sequence[str], i: int) -> str:
    n = len(sectors)
    return f"{system_regions[i // n]}/{sectors[i % n]}"


def _per_sector(
    value: float | Mapping[str, float], sectors: Sequence[str], name: str
) -> np.ndarray:
    if isinstance(value, Mapping):
        missing = [s for s in sectors if s not in value]
        if missing:
            raise InputError(f"{name} lacks sectors {missing}", field=name)
        unknown = [k for k in value if k not in sectors]
        if unknown:
            raise InputError(f"{name} names unknown sectors {unknown}", field=name)
        return np.array([value[s] for s in sectors], dtype=np.float64)
    return np.full(len(sectors), value, dtype=np.float64)


def prepare_system(
    Z: object,
    Y: object,
    x: object,
    va: object | None,
    regions: Sequence[str],
    sectors: Sequence[str],
    params: ARIOParams | None = None,
    *,
    productive_capital: object | None = None,
    fd_categories: Sequence[str] | None = None,
) -> ARIOSystem:
    """Check an MRIO and build the constant arrays of the model (BoARIO ``ARIOBaseModel``).

    ``Z`` (nm × nm, yearly, rows = supplier), ``Y`` (nm × m·n_fd, columns region-major),
    ``x`` (nm), industries region-major in the order of ``regions`` × ``sectors``; ``va`` the
    yearly value added (None: x − 1′Z, negatives set to 0, as BoARIO); ``productive_capital``
    overrides K = ``productive_capital_to_VA`` · VA; ``fd_categories`` names the final demand
    categories of each region (Y's columns region by region; default ``final demand`` or
    ``fd0``, ``fd1``, …), for households' capital (:class:`ARIOEvent`).

    Raises :class:`~fukugan.errors.InputError` on a bad shape, a negative or non-finite flow,
    duplicate names, or a non-productive column (inputs ≥ output, i.e. Σ_i A_ij ≥ 1).
    """
    p = params or ARIOParams()
    check_params(p)
    regions = tuple(str(r) for r in regions)
    sectors = tuple(str(s) for s in sectors)
    if len(set(regions)) != len(regions) or len(set(sectors)) != len(sectors):
        raise InputError("region and sector names must be unique", field="regions")
    m, n = len(regions), len(sectors)
    if m == 0 or n == 0:
        raise InputError("the MRIO needs at least one region and one sector", field="regions")
    nm = m * n
    z = _matrix(Z, "Z", (nm, nm))
    y = _matrix(Y, "Y")
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.shape[0] != nm or y.ndim != 2 or y.shape[1] % m:
        raise InputError(
            f"Y has shape {y.shape}, expected ({nm}, {m} × number of final demand categories)",
            field="Y",
        )
    xv = _matrix(x, "x", (nm,))
    for name, arr in (("Z", z), ("Y", y), ("x", xv)):
        if (arr < 0).any():
            idx = np.argwhere(arr < 0)[0]
            i = int(idx[0])
            raise InputError(
                f"negative flow in {name} at industry {label(regions, sectors, i)}: "
                f"{arr[tuple(idx)]:g}",
                field=name,
            )
    colsum = z.sum(axis=0)
    bad = np.flatnonzero((colsum >= xv) & (colsum > 0))
    if bad.size:
        j = int(bad[0])
        raise InputError(
            f"non-productive system: the inputs of {label(regions, sectors, j)} "
            f"({colsum[j]:g}) are not smaller than its output ({xv[j]:g})",
            field="Z",
        )

    steply = p.temporal_units_by_step / p.iotable_year_to_temporal_unit_factor
    n_fd = y.shape[1] // m
    if fd_categories is None:
        fd_names = ("final demand",) if n_fd == 1 else tuple(f"fd{k}" for k in range(n_fd))
    else:
        fd_names = tuple(str(c) for c in fd_categories)
        if len(fd_names) != n_fd or len(set(fd_names)) != n_fd:
            raise InputError(
                f"fd_categories: {n_fd} distinct names expected (Y has {n_fd} columns a region)",
                field="fd_categories",
            )
    with np.errstate(divide="ignore"):
        recix = 1 / xv
    recix[recix == np.inf] = 0
    a = z * recix.reshape(1, -1)
    tech = a.reshape(m, n, nm).sum(axis=0)
    z_c = z.reshape(m, n, nm).sum(axis=0)
    z_distrib = None
    if p.order_type == "noalt":
        with np.errstate(divide="ignore", invalid="ignore"):
            z_distrib = np.divide(z, np.tile(z_c, (m, 1)))
        np.nan_to_num(z_distrib, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    x0 = xv.copy() * steply
    z0 = z * steply
    y0 = y * steply

    if va is None:
        value_added = xv - colsum
    else:
        value_added = _matrix(va, "va", (nm,))
        if (value_added < 0).any():
            i = int(np.argmax(value_added < 0))
            raise InputError(f"negative value added at {label(regions, sectors, i)}", field="va")
    value_added = np.where(value_added < 0, 0.0, value_added)
    if productive_capital is not None:
        capital = _matrix(productive_capital, "productive_capital", (nm,))
        if (capital < 0).any():
            raise InputError("productive capital must not be negative", field="productive_capital")
    else:
        ratio = p.productive_capital_to_VA
        if isinstance(ratio, Mapping):
            capital = value_added * np.tile(
                _per_sector(ratio, sectors, "productive_capital_to_VA"), m
            )
        else:
            capital = value_added * ratio

    threshold = z_c > np.tile(x0, (n, 1)) * TECHNOLOGY_THRESHOLD

    if p.inventory_dict is None:
        inv = np.array(
            [np.inf if s in p.infinite_inventories_sect else p.main_inv_dur for s in sectors],
            dtype=np.float64,
        )
    else:
        d = {
            k: (np.inf if v in ("inf", "Inf", "Infinity", "infinity") else float(v))
            for k, v in p.inventory_dict.items()
        }
        inv = _per_sector(d, sectors, "inventory_dict")
        inv[[s in p.infinite_inventories_sect for s in sectors]] = np.inf
    if (inv <= 0).any() or np.isnan(inv).any():
        raise InputError("inventory durations must be positive", field="inventory_dict")
    inv_duration = inv / p.temporal_units_by_step
    inv_duration[inv_duration <= 1] = 2  # BoARIO sets durations ≤ one step to 2 (and warns)

    tau_inv = _per_sector(p.inventory_restoration_tau, sectors, "inventory_restoration_tau")
    if (tau_inv <= 0).any():
        raise InputError("inventory_restoration_tau must be positive", field="params")
    restoration = np.where(tau_inv >= INV_THRESHOLD, p.temporal_units_by_step / tau_inv, tau_inv)

    with np.errstate(divide="ignore", invalid="ignore"):
        stock0 = (np.tile(x0, (n, 1)) * tech) * inv_duration[:, np.newaxis]
    stock0 = np.nan_to_num(stock0, nan=np.inf, posinf=np.inf)
    return ARIOSystem(
        regions=regions,
        sectors=sectors,
        n_fd=n_fd,
        fd_categories=fd_names,
        x0=x0,
        z0=np.ascontiguousarray(z0),
        y0=y0,
        z_annual=z,
        y_annual=y,
        tech=tech,
        z_distrib=z_distrib,
        threshold_not_input=threshold,
        inv_duration=inv_duration,
        restoration=restoration,
        capital=capital,
        stock0=stock0,
        params=p,
    )
