"""Firms engine: a scenario on a firm network run by the firm-level propagation model of
:mod:`fukugan.dynamics.firms` (Inoue, H. & Todo, Y. (2019), "Firm-level propagation of shocks
through supply-chain networks", *Nature Sustainability* 2:841–847).

The network: a SYNTHETIC network (``synthetic_network``, its
provenance says so), a user's edge list (:func:`fukugan.data.firm_edges.read_firm_edges`, with
an optional firm table for sectors and regions) or a directory in the authors' reference
simulator's format (:func:`fukugan.data.pronet.read_pronet`, ``{pronet: DIR}``); outages and
blackouts of firms (``firm`` / ``facility`` = a firm id), sectors or regions of the network (a
blackout's ``sectors:`` keeps only the region's firms of those sectors), with
δ_i(t) = δ × intensity(t) (the scenario's full time profile: start, ramp, duration, recovery);
rationing one of the model's four rules, the authors' ``inoue_todo`` by default.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fukugan.provenance import Provenance
from fukugan.results import RunResult
from fukugan.scenarios.schema import Scenario, intensity
from fukugan.services.engines.applied import Line, responses, shock_days, summary_lists
from fukugan.services.engines.common import (
    DayProgress,
    Prepared,
    scenario_file,
)
from fukugan.services.engines.fields import (
    check_fields,
    item_label,
)
from fukugan.services.threads import passive_openmp
from fukugan.store.analytic import AnalyticStore

passive_openmp()  # before the firm model's numba kernels first load libgomp

__all__ = ["FIRM_PARAMETERS", "prepare", "simulate"]

#: Inoue & Todo's target inventory days ``n``, adjustment time ``tau``, and the reference
#: simulator's order type (``-o``) and inventory-target distribution (``-D``)
FIRM_PARAMETERS = ("n", "tau", "order_type", "inventory")


def prepare(sc: Scenario, store: AnalyticStore) -> Prepared:
    """A firm network (synthetic, labelled so, or a user's edge list) and capacity shocks on
    firms, sectors or regions of the network."""
    from fukugan.dynamics.firms import FirmShock
    from fukugan.dynamics.networks import SYNTHETIC_LABEL, synthetic_network
    from fukugan.errors import InputError

    data = sc.doc["data"]
    fn = data.get("firm_network")
    if fn is None:
        raise sc.error(
            "the firms engine needs data.firm_network {path: edges.csv}, {pronet: DIR} or "
            "{synthetic: ...}",
            ("data",),
        )
    check_fields(sc, "firms")
    from fukugan.dynamics.firm_params import INVENTORY_TYPES, ORDER_TYPES

    for k in sc.doc["parameters"]:
        if k not in FIRM_PARAMETERS:
            raise sc.error(
                f"unknown firms parameter {k!r}; known: {', '.join(FIRM_PARAMETERS)}",
                ("parameters", k),
            )
    for key, known in (("order_type", ORDER_TYPES), ("inventory", INVENTORY_TYPES)):
        v = sc.doc["parameters"].get(key)
        if v is not None and v not in known:
            raise sc.error(
                f"{key} must be one of {', '.join(known)}, got {v!r}", ("parameters", key)
            )
    if "synthetic" in fn:
        syn = fn["synthetic"]
        n = int(syn["n_firms"])
        mean_degree = float(syn.get("mean_degree", 5.0))
        n_sectors = int(syn.get("n_sectors", 20))
        n_regions = int(syn.get("n_regions", 47))
        seed = int(syn.get("seed", sc.seed))
        try:
            net = synthetic_network(
                n,
                max(n, int(round(n * mean_degree))),
                n_sectors=n_sectors,
                n_regions=n_regions,
                seed=seed,
            )
        except InputError as e:
            raise sc.error(e.message, ("data", "firm_network", "synthetic")) from None
        prov = Provenance(
            "firm_network",
            SYNTHETIC_LABEL,
            "generated",
            net.unit,
            "none (generated)",
            notes=(
                f"synthetic_network(n_firms={n}, mean degree {mean_degree:g}, {n_sectors} "
                f"sectors, {n_regions} regions, seed {seed}); not real data"
            ),
            synthetic=True,
        )
    elif "pronet" in fn:
        from fukugan.data.pronet import read_pronet

        try:
            pdata = read_pronet(scenario_file(sc, fn["pronet"]))
        except InputError as e:
            raise sc.error(str(e), ("data", "firm_network", "pronet")) from None
        net, prov = pdata.network, pdata.provenance
    else:
        from fukugan.data.firm_edges import read_firm_edges

        try:
            net, prov = read_firm_edges(
                scenario_file(sc, fn["path"]),
                scenario_file(sc, fn["firms"]) if "firms" in fn else None,
            )
        except InputError as e:
            raise sc.error(str(e), ("data", "firm_network")) from None
    shocks = []
    for i, s in enumerate(sc.doc["shocks"]):
        where = ("shocks", i)
        target = next(k for k in ("firm", "facility", "sector", "region") if k in s)
        shocks.append({"index": i, "target": target, "id": str(s[target])})
        for k, code in enumerate(s.get("sectors") or []):  # a blackout's sectors: known ones
            try:
                FirmShock.by_sector(net, str(code), 0.0)
            except InputError as e:
                raise sc.error(e.message, (*where, "sectors", k)) from None
        try:
            _firm_shock(net, s, target, sc.horizon)
        except InputError as e:
            raise sc.error(e.message, (*where, target)) from None
    return Prepared("firms", {"network": net}, shocks, [prov], [], dict(sc.doc["parameters"]))


def _firm_shock(net: Any, s: dict[str, Any], target: str, horizon: int) -> Any:
    """The scenario shock as a firm-model shock whose δ(t) = δ · intensity(t) (the scenario's
    time profile: start, ramp, duration, recovery path — or a blackout's ``days``)."""
    from fukugan.dynamics.firms import FirmShock
    from fukugan.services.engines.firmshock import ProfiledFirmShock

    delta = float(s["depth"] if s["type"] == "blackout" else s["delta"])
    ident = str(s[target])
    kw: dict[str, Any] = {"recovery": "none", "start": 1}
    if target in ("firm", "facility"):
        base = FirmShock.by_ids(net, {ident: delta}, **kw)
    elif target == "sector":
        base = FirmShock.by_sector(net, ident, delta, **kw)
    else:
        base = FirmShock.by_region(net, ident, delta, **kw)
    if s["type"] == "blackout" and s.get("sectors"):  # only the region's firms of these sectors
        in_sectors = FirmShock.by_sector(net, [str(c) for c in s["sectors"]], delta, **kw)
        keep = np.isin(base.index, in_sectors.index)
        label = f"{base.label} ({', '.join(map(str, s['sectors']))})"
        base = FirmShock(base.index[keep], base.delta[keep], **kw, label=label)
    if s.get("id"):
        base.label = str(s["id"])
    return ProfiledFirmShock(
        base.index,
        base.delta,
        start=1,
        recovery="none",
        label=base.label or f"{target} {ident}",
        profile=intensity(s, horizon),
    )


def simulate(
    prep: Prepared, sc: Scenario, seed: int, progress: DayProgress | None = None
) -> RunResult:
    from fukugan.dynamics.firms import (
        DEFAULT_RATIONING,
        FirmParams,
        simulate_firms,
        to_run_result,
    )

    net = prep.arrays["network"]
    shocks = [
        _firm_shock(net, sc.doc["shocks"][r["index"]], r["target"], sc.horizon)
        for r in prep.resolved
    ]
    rationing = next((r["rule"] for r in sc.doc["responses"] if r["type"] == "rationing"), None)
    params = FirmParams(
        **{k: v for k, v in prep.parameters.items() if k in FIRM_PARAMETERS},
        rationing=rationing or DEFAULT_RATIONING,
        record="aggregate",
        seed=int(seed),
    )
    traj = simulate_firms(net, shocks, params, n_days=sc.horizon, progress=progress)
    res = to_run_result(traj, scenario=sc.doc, seed=seed)
    res.sources = list(prep.sources)
    res.parameters = {**res.parameters, **params.as_dict()}
    res.engine = "firms"
    applied: list[Line] = []
    for r, sh in zip(prep.resolved, shocks, strict=True):
        label, (d_en, d_ja), n = (
            item_label(sc, "shocks", r["index"]),
            shock_days(sc, r["index"]),
            len(sh.index),
        )
        applied.append(
            (
                f"{label}: capacity loss δ of {n} firm{'' if n == 1 else 's'} ({sh.label}); "
                f"{d_en} (firms engine, Inoue & Todo 2019)",
                f"{label}：{n}社の生産能力喪失 δ（{sh.label}）；{d_ja}"
                "（firmsエンジン、Inoue & Todo 2019）",
            )
        )
    res.summary.update(summary_lists(applied + responses(sc, ("firms", "firms"))))
    notes = res.summary.setdefault("notes", [])
    if net.label and not any(net.label in str(n) for n in notes):
        notes.insert(0, f"network: {net.label}")
    return res
