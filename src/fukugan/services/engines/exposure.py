"""Exposure engine: node outages of a multi-tier BOM network as the time-to-recover and
time-to-survive linear programs of :mod:`fukugan.exposure` (Simchi-Levi, D., Schmidt, W. & Wei, Y.
(2014), "From superstorms to factory fires", *Harvard Business Review* 92(1/2):96–101;
Simchi-Levi et al. (2015), "Identifying risks and mitigating disruptions in the automotive supply
chain", *Interfaces* 45(5):375–390).

The network: a multi-tier BOM network (``data.bom``: the bundled ``example: automotive``, a
directory, or the CSV files); each ``outage`` of a node (``facility:`` or ``firm:``,
``delta: 1``) is one time-to-recover LP and one time-to-survive LP (HiGHS) with the node down
for TTR = ``duration`` + ``recovery.days`` days (``recovery.path: step`` only: the node is
fully down, then back; else the node's ``ttr`` in nodes.csv),
converted to network periods by ``parameters.period_days``; its lost profit (by end product: direct at the node's own product,
indirect elsewhere) is recorded on the day the node is back. ``parameters.risk_exposure: true``
adds the REI table of every node (summary ``risk_exposure``, of the network as it is).

Responses (the measures a manufacturer can take before or during an outage;
:func:`responded_network`):
``stockpile_release {facility: NODE, days_of_cover: D, start: d}`` holds D days of the node's
gross requirement g (its end products' demand exploded through the BOM) on hand from day d
(default 0); it counts in an outage that starts on or after day d, not in one already under way
(the TTR LP collapses an outage into one period, so it cannot place a stock inside it);
``alternate_sourcing {facility: NODE, max_share: σ, lead_time_days: L, start: d}`` a second
source of the node's output, σ·g per period from L days after the later of the outage's start
and day d; ``restoration {facility: NODE, fraction: φ, start: d}`` brings back φ of the
disrupted node's capacity c from day d (or the outage's start, if later) until its TTR is over:
the bound u_n = 0 of the TTR LP becomes u_n ≤ φ·c·(periods left). They enter the TTR LP exactly
(the response plans optimise stocks and second sources: :mod:`fukugan.planning.network`); the
TTS LP counts a second source and a restoration at their average capacity over the outage.
Parameters: ``period_days``
(default 1), ``objective`` (profit | units | revenue), ``inventory_lost``, ``risk_exposure``,
``net_of_baseline``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from fukugan.provenance import Provenance
from fukugan.results import PATHS_COLUMNS, TIMESERIES_COLUMNS, RunResult
from fukugan.scenarios.schema import Scenario
from fukugan.services.engines.applied import summary_lists
from fukugan.services.engines.common import (
    DayProgress,
    Prepared,
    scenario_file,
)
from fukugan.services.engines.fields import check_fields, item_label
from fukugan.services.highs import quiet_highs
from fukugan.store.analytic import AnalyticStore

__all__ = [
    "EXPOSURE_EXAMPLES",
    "EXPOSURE_PARAMETERS",
    "loss_unit",
    "outage_ttr",
    "prepare",
    "responded_network",
    "restored_units",
    "scenario_responses",
    "simulate",
]

#: Exposure-engine parameters: name → (allowed values or a type, default).
EXPOSURE_PARAMETERS: dict[str, tuple[Any, Any]] = {
    "period_days": (float, 1.0),  # days per period of the network (capacities, demand per period)
    "objective": (("profit", "units", "revenue"), "profit"),
    "inventory_lost": (bool, False),  # the disrupted node's own stock is lost too
    "risk_exposure": (bool, False),  # also the REI table: one TTR and one TTS LP per node
    "net_of_baseline": (bool, False),  # REI on PI minus the undisrupted network's shortfall
}

#: Bundled example networks for ``data.bom.example``.
EXPOSURE_EXAMPLES = ("automotive",)


def _exposure_network(sc: Scenario) -> tuple[Any, Provenance]:
    """The BOM network named by ``data.bom`` and its provenance."""
    from fukugan.data.bom import read_network

    bom = sc.doc["data"]["bom"]
    if "example" in bom:
        from fukugan.data.bom_example import EXAMPLE_DIR, example_network

        net = example_network()
        prov = Provenance(
            "bom_network",
            "fukugan example network 'automotive' (hand-worked, illustrative; not real data)",
            "n/a",
            "units per week; margins in thousand USD per vehicle",
            "same as fukugan",
            notes=f"{EXAMPLE_DIR / 'README.md'}: 9 nodes, 3 tiers, expected PI/TTS worked by hand",
        )
        return net, prov
    if "path" in bom:
        d = scenario_file(sc, bom["path"])
        files = [d / "nodes.csv", d / "bom.csv"]
        alt = d / "alternatives.csv"
        files.append(alt if alt.is_file() else None)
    else:
        files = [
            scenario_file(sc, bom["nodes"]),
            scenario_file(sc, bom["bom"]),
            scenario_file(sc, bom["alternatives"]) if "alternatives" in bom else None,
        ]
    net = read_network(*files)  # InputError names the file, row and field
    prov = Provenance(
        "bom_network",
        "user BOM network " + " + ".join(f.name for f in files if f is not None),
        "n/a",
        "units per period (capacity, demand, inventory); margins per unit",
        "user-supplied",
        notes=f"{len(net.nodes)} nodes, {len(net.bom)} BOM rows, "
        f"{len(net.alternatives)} alternatives; files: {', '.join(str(f) for f in files if f)}",
    )
    return net, prov


def loss_unit(prep: Prepared) -> str:
    """The unit of the engine's losses: lost units of end products (objective ``units``), or
    margin (revenue) × units — thousand USD on the bundled example, the unit of nodes.csv's
    margins on a user's network."""
    if prep.parameters.get("objective") == "units":
        return "units of end products"
    unit = prep.sources[0].unit if prep.sources else ""
    return "thousand USD" if "thousand USD" in unit else "margin units of nodes.csv"


def outage_ttr(sc: Scenario, i: int, net: Any, period_days: float) -> tuple[float, float]:
    """(TTR in days, TTR in network periods) of outage ``shocks[i]``: ``duration`` +
    ``recovery.days`` when the scenario gives them, else the node's ``ttr`` in the network."""
    s = sc.doc["shocks"][i]
    where = ("shocks", i)
    node = str(s.get("facility", s.get("firm")))
    if "duration" in s or "recovery" in s:
        days = float(s.get("duration", 0)) + float((s.get("recovery") or {}).get("days", 0))
        if days <= 0:
            raise sc.error(
                "an outage for the exposure engine needs a time to recover: 'duration' and/or "
                "'recovery: {days: N}' (days until the node is fully back)",
                where,
            )
        return days, days / period_days
    if node in net.ttr:
        return float(net.ttr[node]) * period_days, float(net.ttr[node])
    raise sc.error(
        f"no time to recover for node {node!r}: give 'recovery: {{days: N}}' (and/or "
        "'duration') or a ttr column in nodes.csv",
        where,
    )


def prepare(sc: Scenario, store: AnalyticStore) -> Prepared:
    """A BOM network (bundled example or the user's CSV files) and node outages → one TTR LP
    (and one TTS LP) per disrupted node; optionally the REI table of every node."""
    import difflib

    data = sc.doc["data"]
    if "bom" not in data:
        raise sc.error(
            "the exposure engine needs data.bom {example: automotive} | {path: DIR} | "
            "{nodes: ..., bom: ..., alternatives: ...}",
            ("data",),
        )
    check_fields(sc, "exposure")
    params: dict[str, Any] = {k: d for k, (_, d) in EXPOSURE_PARAMETERS.items()}
    for k, v in sc.doc["parameters"].items():
        if k not in EXPOSURE_PARAMETERS:
            raise sc.error(
                f"unknown exposure parameter {k!r}; known: {', '.join(EXPOSURE_PARAMETERS)}",
                ("parameters", k),
            )
        allowed = EXPOSURE_PARAMETERS[k][0]
        if allowed is bool and not isinstance(v, bool):
            raise sc.error(f"{k} must be true or false", ("parameters", k))
        if allowed is float and (isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0):
            raise sc.error(f"{k} must be a positive number", ("parameters", k))
        if isinstance(allowed, tuple) and v not in allowed:
            raise sc.error(f"{k} must be one of {', '.join(allowed)}", ("parameters", k))
        params[k] = v
    quiet_highs()
    net, prov = _exposure_network(sc)
    if params["objective"] == "revenue":
        missing = [p for p in net.products if net.rev[net.index[p]] == 0]
        if missing:
            raise sc.error(
                f"objective 'revenue' needs a revenue for end product {missing[0]!r} in nodes.csv",
                ("parameters", "objective"),
            )
    period = float(params["period_days"])
    resolved = []
    for i, s in enumerate(sc.doc["shocks"]):
        where = ("shocks", i)
        target = next(k for k in ("facility", "firm") if k in s)
        node = str(s[target])  # sector / region, delta ≠ 1, a ramp: refused by check_fields
        if node not in net.index:
            close = difflib.get_close_matches(node, net.nodes, n=3, cutoff=0.5)
            hint = f"; close: {', '.join(close)}" if close else ""
            raise sc.error(f"unknown node {node!r} in the BOM network{hint}", (*where, target))
        ttr_days, _ = outage_ttr(sc, i, net, period)
        end = int(s.get("start", 0)) + int(math.ceil(ttr_days))
        if end > sc.horizon:
            raise sc.error(
                f"the outage of {node} ends on day {end}, after the horizon of {sc.horizon} days",
                (*where, "recovery" if "recovery" in s else "start"),
            )
        resolved.append({"index": i, "node": node, "label": s.get("id") or f"outage {node}"})
    if params["risk_exposure"]:
        ttr = _exposure_rei_ttr(sc, net, resolved, period)
        missing = [n for n in net.nodes if n not in ttr]
        if missing:
            raise sc.error(
                f"risk_exposure needs a time to recover for every node; {missing[0]!r} has none "
                "(a ttr column in nodes.csv, or an outage of the node in the scenario)",
                ("parameters", "risk_exposure"),
            )
    g = net.gross_requirement()
    _exposure_responses(sc, net, period, g)  # errors (file / line / field) before any run
    if not resolved and not params["risk_exposure"]:
        raise sc.error(
            "nothing to compute: add an outage of a node (shocks) or parameters.risk_exposure: "
            "true",
            ("shocks",),
        )
    return Prepared(
        "exposure", {"network": net, "gross_requirement": g}, resolved, [prov],
        _diagnostics(net), params,
    )  # fmt: skip


def _exposure_responses(sc: Scenario, net: Any, period: float, g: Any) -> list[dict[str, Any]]:
    """The scenario's stocks and second sources on nodes of the network (module docstring):
    ``{kind, index, node, requirement}`` with the node's gross requirement per period (``g``,
    :meth:`~fukugan.supply_network.SupplyNetwork.gross_requirement`). Read from the scenario
    being run, so a variant of the prepared scenario may add or change them (a plan's
    portfolio)."""
    import difflib

    out = []
    down = {str(s.get("facility", s.get("firm"))) for s in sc.doc.get("shocks", [])}
    for i, r in enumerate(sc.doc.get("responses", [])):
        where = ("responses", i)
        node = r.get("facility")
        if node is None:
            raise sc.error(
                "name the node of the BOM network the response acts on with 'facility:'",
                where,
            )
        if node not in net.index:
            close = difflib.get_close_matches(str(node), net.nodes, n=3, cutoff=0.5)
            hint = f"; close: {', '.join(close)}" if close else ""
            raise sc.error(f"unknown node {node!r} in the BOM network{hint}", (*where, "facility"))
        req = float(g[net.index[node]])
        if r["type"] == "restoration" and node not in down:
            raise sc.error(
                f"no outage of the scenario takes node {node!r} down: a restoration of its "
                "capacity would restore nothing",
                (*where, "facility"),
            )
        if r["type"] == "alternate_sourcing" and not any(b.input == node for b in net.bom):
            raise sc.error(
                f"node {node!r} is an input of no BOM row: a second source of its output would "
                "supply nothing",
                (*where, "facility"),
            )
        out.append({"kind": r["type"], "index": i, "node": str(node), "requirement": req})
    return out


def scenario_responses(prep: Prepared, sc: Scenario) -> list[dict[str, Any]]:
    """The stocks and second sources of ``sc`` on the prepared network (see
    :func:`_exposure_responses`)."""
    return _exposure_responses(
        sc, prep.arrays["network"], float(prep.parameters["period_days"]),
        prep.arrays["gross_requirement"],
    )  # fmt: skip


def _delivering(sc: Scenario, m: dict[str, Any], start: float, ttr: float, period: float) -> float:
    """Periods of an outage (from day ``start``, ``ttr`` periods) during which response ``m``
    acts: a stock all of them if on hand by ``start`` (else none); a second source from its
    lead time after the later of ``start`` and its own start; a restoration from the later of
    the two."""
    r = sc.doc["responses"][m["index"]]
    own = float(r.get("start", 0))
    if m["kind"] == "stockpile_release":
        return ttr if own <= start else 0.0
    lead = float(r.get("lead_time_days", 0)) if m["kind"] == "alternate_sourcing" else 0.0
    begins = (max(start, own) + lead - start) / period
    return max(ttr - begins, 0.0)


def responded_network(
    prep: Prepared,
    sc: Scenario,
    ttr: float,
    responses: list[dict[str, Any]],
    *,
    start: float = 0.0,
) -> Any:
    """The network of ``prep`` with the scenario's stocks and second sources in it, for an
    outage of ``ttr`` periods from day ``start``: a stock of D days of cover on hand by then adds
    D / period_days × the node's gross requirement g to its inventory; a second source with
    ``max_share`` σ delivering for k of the periods (:func:`_delivering`) is a new node with no
    inputs whose capacity over the outage is σ·g·k (so σ·g per period once it delivers), an
    alternative source in every BOM row using the node's output. Restorations are not part of
    the network (:func:`restored_units`)."""
    net = prep.arrays["network"]
    period = float(prep.parameters["period_days"])
    stock: dict[str, float] = {}
    sources = []
    for m in responses:
        r = sc.doc["responses"][m["index"]]
        k = _delivering(sc, m, start, ttr, period)
        if m["kind"] == "stockpile_release":
            if k > 0:
                units = float(r["days_of_cover"]) / period * m["requirement"]
                stock[m["node"]] = stock.get(m["node"], 0.0) + units
        elif m["kind"] == "alternate_sourcing":
            total = float(r["max_share"]) * m["requirement"] * k
            sources.append((m["node"], total / ttr if ttr > 0 else 0.0))
    if not stock and not sources:
        return net
    return net.with_measures(stock, sources)


def restored_units(
    prep: Prepared,
    sc: Scenario,
    node: str,
    start: float,
    ttr: float,
    responses: list[dict[str, Any]],
) -> float:
    """Units of its output the disrupted ``node`` can make during its outage (from day
    ``start``, ``ttr`` periods) under the scenario's restorations of it: Σ φ·c·k over them (k
    the periods each acts, :func:`_delivering`), at most c·ttr."""
    net = prep.arrays["network"]
    period = float(prep.parameters["period_days"])
    c = float(net.c[net.index[node]])
    total = 0.0
    for m in responses:
        if m["kind"] == "restoration" and m["node"] == node:
            k = _delivering(sc, m, start, ttr, period)
            total += float(sc.doc["responses"][m["index"]]["fraction"]) * c * k
    return min(total, c * ttr)


def _diagnostics(net: Any) -> list[tuple[str, str]]:
    """:meth:`SupplyNetwork.diagnostics` in English and Japanese."""
    ja = {
        "no-end-product": "最終製品がありません：需要が正のノードがなく、影響はすべて0です",
        "disconnected": "最終製品につながらないBOMの部品（途絶しても損失はありません）：",
    }
    said = [ja[k] + "、".join(nodes) for k, nodes in net.findings()]
    return list(zip(net.diagnostics(), said, strict=True))


def _exposure_rei_ttr(sc: Scenario, net: Any, resolved: list[dict], period: float) -> dict:
    """TTR (periods) per node for the REI table: the network's, overridden by the scenario's
    outages (the last outage of a node wins)."""
    ttr = dict(net.ttr)
    for r in resolved:
        ttr[r["node"]] = outage_ttr(sc, r["index"], net, period)[1]
    return ttr


def _applied_response(sc: Scenario, m: dict[str, Any], period: float) -> tuple[str, str]:
    """What a stock or second source of the scenario did, in English and Japanese."""
    r = sc.doc["responses"][m["index"]]
    label = item_label(sc, "responses", m["index"])
    node, g = m["node"], m["requirement"]
    own = int(r.get("start", 0))
    if m["kind"] == "stockpile_release":
        d = float(r["days_of_cover"])
        units = d / period * g
        when_en = (
            f", on hand from day {own + 1}: not counted in an outage already under way"
            if own
            else ""
        )
        when_ja = f"。{own + 1}日目から保有（すでに始まっている停止には数えない）" if own else ""
        return (
            f"{label}: {d:g} days of cover of {node}'s output on hand ({units:.4g} units, "
            f"its gross requirement {g:.4g} units per {period:g} days){when_en}",
            f"{label}：{node} の出力の在庫 {d:g}日分（{units:.4g}単位。総所要量は"
            f"{period:g}日あたり{g:.4g}単位）{when_ja}",
        )
    if m["kind"] == "restoration":
        share = float(r["fraction"])
        return (
            f"{label}: {share:.0%} of {node}'s capacity back from day {own + 1} (or the outage's "
            "first day, if later) until its time to recover is over",
            f"{label}：{node} の能力の{share:.0%}を{own + 1}日目（停止の開始が後ならその日）から"
            "復旧時間の終わりまで回復",
        )
    share, lead = float(r["max_share"]), float(r.get("lead_time_days", 0))
    after_en = f" (or of day {own + 1}, if later)" if own else ""
    after_ja = f"（{own + 1}日目が後ならその日）" if own else ""
    return (
        f"{label}: a second source of {node}'s output, {share:.0%} of its gross requirement "
        f"({share * g:.4g} units per {period:g} days), {lead:g} days after the start of each "
        f"outage{after_en}",
        f"{label}：{node} の出力の第二調達先（総所要量の{share:.0%}、{period:g}日あたり"
        f"{share * g:.4g}単位）、各停止の開始{after_ja}から{lead:g}日後",
    )


def simulate(
    prep: Prepared, sc: Scenario, seed: int, progress: DayProgress | None = None
) -> RunResult:
    """One TTR LP and one TTS LP per disrupted node (Simchi-Levi et al. 2015), each node
    disrupted alone, the rest of the network responding optimally; see the module doc."""
    from fukugan.exposure.lp import ExposureModel, risk_exposure, to_run_rows

    quiet_highs()
    net = prep.arrays["network"]
    p = prep.parameters
    period = float(p["period_days"])
    objective, lost_stock = p["objective"], bool(p["inventory_lost"])
    plain = ExposureModel(net)
    responses = scenario_responses(prep, sc)
    frames, path_frames, disruptions = [], [], []
    for res in prep.resolved:
        s = sc.doc["shocks"][res["index"]]
        node = res["node"]
        ttr_days, ttr = outage_ttr(sc, res["index"], net, period)
        begins = float(s.get("start", 0))
        with_measures = responded_network(prep, sc, ttr, responses, start=begins)
        model = plain if with_measures is net else ExposureModel(with_measures)
        back = restored_units(prep, sc, node, begins, ttr, responses)
        r = model.ttr(node, ttr, objective=objective, inventory_lost=lost_stock, restored=back)
        tts = model.tts(
            node, inventory_lost=lost_stock, restored_rate=back / ttr if ttr > 0 else 0.0
        )
        base = model.ttr(None, ttr, objective=objective).pi
        ts, pa = to_run_rows(net, r)
        ts["t"] = int(s.get("start", 0)) + int(math.ceil(ttr_days))
        frames.append(ts)
        path_frames.append(pa)
        disruptions.append(
            {
                "node": node,
                "name": net.name.get(node, ""),
                "start": int(s.get("start", 0)),
                "ttr_days": ttr_days,
                "ttr": ttr,
                "pi": r.pi,
                "tts": tts,
                "tts_days": tts * period,
                "tts_lt_ttr": bool(tts < ttr),
                "restored_units": back,
                "direct": r.direct,
                "indirect": r.indirect,
                "lost_units": r.lost_units,
                "lost_profit": r.lost_profit,
                "baseline": base,
                "binding": dict(list(r.binding.items())[:10]),
            }
        )
    keys = ["t", "unit_kind", "unit", "region", "metric", "component"]
    if frames:
        ts = pd.concat(frames, ignore_index=True)
        ts = ts.groupby(keys, sort=True, as_index=False)["value"].sum()
    else:
        ts = pd.DataFrame({c: pd.Series(dtype="int64" if c == "t" else object) for c in keys})
        ts["value"] = pd.Series(dtype="float64")
    ts = ts.loc[:, list(TIMESERIES_COLUMNS)].astype({"t": "int64", "value": "float64"})
    if path_frames and any(len(f) for f in path_frames):
        paths = pd.concat([f for f in path_frames if len(f)], ignore_index=True)
        paths = paths.sort_values(
            ["weight", "step", "target"], ascending=[False, True, True], kind="stable"
        ).reset_index(drop=True)
    else:
        paths = pd.DataFrame(columns=list(PATHS_COLUMNS)).astype(
            {"step": "int64", "weight": "float64"}
        )
    from fukugan.results import headline

    summary: dict[str, Any] = {
        **headline(ts, metric="profit_loss"),
        "headline_metric": "profit_loss",
        "loss_unit": loss_unit(prep),
        "objective": objective,
        "n_days": sc.horizon,
        "disruptions": disruptions,
        **summary_lists(
            [
                *prep.notes,
                (
                    "each outage is its own time-to-recover LP (the node down for its whole TTR, "
                    "the rest of the network responding optimally); its loss over the outage is "
                    "recorded on the day the node is back",
                    "停止は1件ずつ復旧時間LPで解きます（そのノードは復旧時間のあいだ停止し、"
                    "残りのネットワークは最適に対応）。停止中の損失はノードが戻った日に計上します",
                ),
            ],
            "notes",
        ),
        "unit_labels": dict(net.name),
        **summary_lists(
            [
                (
                    f"{item_label(sc, 'shocks', r['index'])}: node {d['node']} down for its "
                    f"time to recover, {d['ttr_days']:g} days from day {d['start'] + 1} "
                    "(exposure engine, time-to-recover LP)",
                    f"{item_label(sc, 'shocks', r['index'])}：ノード {d['node']} が復旧時間の"
                    f"{d['ttr_days']:g}日間停止、{d['start'] + 1}日目から"
                    "（exposureエンジン、復旧時間LP）",
                )
                for r, d in zip(prep.resolved, disruptions, strict=True)
            ]
            + [_applied_response(sc, m, period) for m in responses]
        ),
    }
    if p["risk_exposure"]:
        table = risk_exposure(
            net,
            _exposure_rei_ttr(sc, net, prep.resolved, period),
            objective=objective,
            inventory_lost=lost_stock,
            net_of_baseline=bool(p["net_of_baseline"]),
        )
        summary["risk_exposure"] = table.to_dict(orient="records")
    return RunResult(
        engine="exposure",
        scenario=sc.doc,
        parameters=dict(p),
        timeseries=ts,
        paths=paths,
        summary=summary,
        sources=list(prep.sources),
        seed=seed,
        unit=prep.sources[0].unit if prep.sources else "",
    )
