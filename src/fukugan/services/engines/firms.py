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
rationing one of the model's four rules, the authors' ``inoue_todo`` by default, switched on a
response's ``start`` day (an exercise decision taking effect; the state carries over); a
``restoration`` response (priority power restoration, emergency generation, mutual aid) gives
the firms of a region and sectors back a share of the capacity the shocks take, from its
``start`` day: δ_i(t) · (1 − fraction).
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
    extra_sources: list[Provenance] = []
    label_ja: str | None = None  # a user's network keeps the label it was given
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
        label_ja = SYNTHETIC_LABEL_JA
    elif "calibrated" in fn:
        net, prov, table_prov, label_ja = _calibrated(sc, store, fn["calibrated"])
        extra_sources.append(table_prov)
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
    for i, r in enumerate(sc.doc["responses"]):
        if r["type"] == "restoration":
            _restoration(sc, net, i, r)  # unknown region or sector: named here
    return Prepared(
        "firms",
        {"network": net, "network_label_ja": label_ja or net.label},
        shocks,
        [*extra_sources, prov],
        [],
        dict(sc.doc["parameters"]),
    )


#: the synthetic network's label (``dynamics.networks.SYNTHETIC_LABEL``) in Japanese
SYNTHETIC_LABEL_JA = (
    "合成データ（生成した企業ネットワーク、日本に似た次数分布。実データではありません）"
)


def _calibrated(sc: Scenario, store: AnalyticStore, cal: dict[str, Any]) -> tuple:
    """The firm network split from the scenario's national table (``data.firm_network.
    calibrated``; :func:`fukugan.dynamics.iot_network.iot_network`), its provenance, the
    table's and the network's label in Japanese; firms are placed in the scenario's ``regions``
    by their output shares."""
    from fukugan.dynamics.iot_network import iot_network
    from fukugan.errors import InputError
    from fukugan.services.engines.common import national_table, region_shares

    t, country, year = national_table(sc, store)
    names = tuple(sc.doc.get("regions") or {})
    shares = np.array([region_shares(sc, r, t.industries) for r in names]).reshape(
        len(names), len(t.industries)
    )
    n_firms, seed = int(cal["n_firms"]), int(cal.get("seed", sc.seed))
    plans, floor = int(cal.get("plans", 2)), float(cal.get("min_input_share", 0.01))
    try:
        net, realised = iot_network(
            np.asarray(t.Z_dom),
            np.asarray(t.x),
            t.industries,
            n_firms,
            region_names=names,
            region_shares=shares,
            rest_region="rest",
            plans=plans,
            min_input_share=floor,
            seed=seed,
            label=f"firms generated from the OECD table {country} {year} (industry flows real)",
            unit=f"{t.provenance.unit} per day",
        )
    except InputError as e:
        raise sc.error(e.message, ("regions",) if names else ("data", "firm_network")) from None
    Z = np.asarray(t.Z_dom)
    kept = float(net.values.sum() * 365.0 / Z.sum()) if Z.sum() > 0 else 0.0
    x = np.asarray(t.x)
    got = ", ".join(
        f"{r} {float(realised[k] @ x / x.sum()):.2%} of output (asked "
        f"{float(shares[k] @ x / x.sum()):.2%})"
        for k, r in enumerate(names)
    )
    prov = Provenance(
        "firm_network",
        f"fukugan iot_network on {t.provenance.source}, {country} {year}: industry outputs and "
        "inter-industry flows from the table, firms generated",
        str(year),
        f"{t.provenance.unit} per day",
        t.provenance.licence,
        url=t.provenance.url,
        notes=(
            f"{net.n_firms} firms ({n_firms} asked, at least 3 per industry), "
            f"{len(net.values)} links from {plans} transport plan(s) per industry pair, seed "
            f"{seed}; flows ≥ {floor:.0%} of an industry's domestic inputs are links "
            f"({kept:.1%} of the domestic intermediate flows, the rest is final use of the "
            "supplier); firm sizes Pareto (generated); every industry's output and every kept "
            "flow equal the table's (per day = per year / 365)"
            + (f"; regions: {got}" if names else "")
        ),
    )
    label_ja = (
        f"OECD産業連関表 {country} {year} から生成した企業（産業の産出と産業間の取引は実データ）"
    )
    return net, prov, t.provenance, label_ja


def _restoration(sc: Scenario, net: Any, i: int, r: dict[str, Any]) -> Any:
    """Restoration response ``i`` on the network: the firms it restores (region ∩ sectors)."""
    from fukugan.dynamics.firms import FirmShock
    from fukugan.errors import InputError
    from fukugan.services.engines.firmshock import Restoration

    mask = np.ones(net.n_firms, dtype=bool)
    if r.get("region") is not None:
        try:
            sel = FirmShock.by_region(net, str(r["region"]), 0.0)
        except InputError as e:
            raise sc.error(e.message, ("responses", i, "region")) from None
        keep = np.zeros(net.n_firms, dtype=bool)
        keep[sel.index] = True
        mask &= keep
    if r.get("sectors"):
        keep = np.zeros(net.n_firms, dtype=bool)
        for k, code in enumerate(r["sectors"]):
            try:
                keep[FirmShock.by_sector(net, str(code), 0.0).index] = True
            except InputError as e:
                raise sc.error(e.message, ("responses", i, "sectors", k)) from None
        mask &= keep
    if r.get("firms"):
        ids = {str(x): k for k, x in enumerate(net.ids())}
        keep = np.zeros(net.n_firms, dtype=bool)
        for k, fid in enumerate(r["firms"]):
            if str(fid) not in ids:
                raise sc.error(
                    f"unknown firm {fid!r} in this network", ("responses", i, "firms", k)
                )
            keep[ids[str(fid)]] = True
        mask &= keep
    return Restoration(mask, float(r["fraction"]), int(r.get("start", 0)))


def _rationing(sc: Scenario) -> tuple[str | None, tuple[tuple[int, str], ...]]:
    """The rule from day 1 (``None``: the default) and the later switches, from the
    scenario's rationing responses in order of their ``start``."""
    rs = sorted(
        (int(r.get("start", 0)), str(r["rule"]))
        for r in sc.doc["responses"]
        if r["type"] == "rationing"
    )
    if rs and rs[0][0] == 0:
        return rs[0][1], tuple(rs[1:])
    return None, tuple(rs)


#: what a firm shock selects, in Japanese
_TARGET_JA = {"firm": "企業", "facility": "拠点", "sector": "部門", "region": "地域"}


def _selection(s: dict[str, Any], target: str) -> Line:
    """The firms a scenario shock hits, in English and Japanese (``region R02``, ``地域 R02``;
    a blackout's sectors in parentheses; the shock's ``id`` when it has one)."""
    if s.get("id"):
        return str(s["id"]), str(s["id"])
    en, ja = f"{target} {s[target]}", f"{_TARGET_JA[target]} {s[target]}"
    if s["type"] == "blackout" and s.get("sectors"):
        en += f" ({', '.join(map(str, s['sectors']))})"
        ja += f"（{'、'.join(map(str, s['sectors']))}）"
    return en, ja


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
        base = FirmShock(base.index[keep], base.delta[keep], **kw)
    return ProfiledFirmShock(
        base.index,
        base.delta,
        start=1,
        recovery="none",
        label=_selection(s, target)[0],
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
    from fukugan.services.engines.firmshock import restored

    net = prep.arrays["network"]
    back = [
        _restoration(sc, net, i, r)
        for i, r in enumerate(sc.doc["responses"])
        if r["type"] == "restoration"
    ]
    shocks = [
        restored(_firm_shock(net, sc.doc["shocks"][r["index"]], r["target"], sc.horizon), back)
        for r in prep.resolved
    ]
    rationing, switches = _rationing(sc)
    params = FirmParams(
        **{k: v for k, v in prep.parameters.items() if k in FIRM_PARAMETERS},
        rationing=rationing or DEFAULT_RATIONING,
        rationing_from=switches,
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
        hits_ja = _selection(sc.doc["shocks"][r["index"]], r["target"])[1]
        applied.append(
            (
                f"{label}: capacity loss δ of {n} firm{'' if n == 1 else 's'} ({sh.label}); "
                f"{d_en} (firms engine, Inoue & Todo 2019)",
                f"{label}：{n}社の生産能力喪失 δ（{hits_ja}）；{d_ja}"
                "（firmsエンジン、Inoue & Todo 2019）",
            )
        )
    said = responses(sc, ("firms", "firms"))
    restorations = iter(back)
    for i, r in enumerate(sc.doc["responses"]):
        if r["type"] == "restoration":
            rs = next(restorations)
            n_back = int(np.count_nonzero(rs.mask & traj.hit))  # the firms the shocks hit
            given = [
                (en, ja, ", ".join(map(str, v)) if isinstance(v, list) else str(v))
                for key, en, ja in (
                    ("region", "region", "地域"),
                    ("sectors", "sectors", "業種"),
                    ("firms", "firms", "企業"),
                )  # fmt: skip
                if (v := r.get(key))
            ]
            where = ", ".join(f"{en} {v}" for en, _, v in given)
            where_ja = "、".join(f"{ja} {v}" for _, ja, v in given)
            label, frac = item_label(sc, "responses", i), float(r["fraction"])
            said[i] = (
                f"{label}: restoration — {frac:.0%} of the lost capacity of {n_back} hit "
                f"firm{'' if n_back == 1 else 's'}{f' ({where})' if where else ''} back from "
                f"day {rs.start + 1} (firms engine)",
                f"{label}：復旧 — 被災企業{n_back}社{f'（{where_ja}）' if where_ja else ''}の"
                f"失われた生産能力の{frac:.0%}を{rs.start + 1}日目から回復（firmsエンジン）",
            )
    res.summary.update(summary_lists(applied + said))
    # the model's own notes name the network only (a synthetic one); say it once, in both
    notes = [n for n in res.summary.get("notes") or [] if not str(n).startswith("network: ")]
    if net.label:
        label_ja = prep.arrays.get("network_label_ja") or net.label
        notes.insert(0, (f"network: {net.label}", f"ネットワーク：{label_ja}"))
    res.summary.update(summary_lists([(n, n) if isinstance(n, str) else n for n in notes], "notes"))
    return res
