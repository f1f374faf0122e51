"""Which engine does what with each field of a scenario's shocks and responses.

A scenario means the same on every engine, or it is refused: for every shock and response kind
of the schema (``scenario.schema.json``) and every field of it, :data:`FIELD_USE` says, engine
by engine, one of

* :class:`Use` — the engine applies the field (``how`` says how, and the run's summary lists
  what was applied, :mod:`fukugan.services.engines.applied`);
* :class:`Only` — the engine represents only the given values (the neutral ones, e.g. ``ramp:
  0``); another value is refused;
* :class:`Refuse` — the engine cannot represent the field at all; writing it is refused.

A kind an engine does not take at all is one :class:`Refuse` for the whole kind. A refusal is a
:class:`~fukugan.scenarios.schema.ScenarioError` naming the file, the line, the field, why, and
the engines that do use the field (:func:`check_fields`, called by every adapter's
``prepare``). A field the table does not decide is refused too, and
``tests/services/test_engine_fields.py`` fails until it is decided: the field list is read from the
schema itself, so a new field cannot fall through an engine unnoticed.

Nested fields are written ``recovery.path``, ``recovery.days``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fukugan.scenarios.schema import Scenario, schema

__all__ = [
    "ENGINE_NAMES",
    "FIELD_USE",
    "Only",
    "Refuse",
    "Use",
    "check_fields",
    "schema_fields",
]

ENGINE_NAMES = ("static", "ario", "firms", "exposure")


@dataclass(frozen=True)
class Use:
    """The engine applies the field."""

    how: str


@dataclass(frozen=True)
class Only:
    """The engine represents the field only with these values (else refused, saying ``why``)."""

    values: tuple[Any, ...]
    why: str


@dataclass(frozen=True)
class Refuse:
    """The engine cannot represent the field (or the whole kind): refused, saying ``why``."""

    why: str


Rule = Use | Only | Refuse
KindRules = dict[str, Rule] | Refuse

#: the shock time profile, as every engine with a time profile uses it
_TIME = {
    "start": Use("day the shock starts"),
    "duration": Use("days at full depth"),
    "ramp": Use("days to reach full depth"),
    "recovery.path": Use("shape of the recovery"),
    "recovery.days": Use("length of the recovery"),
}
_ID = {"id": Use("names the shock or response in the run's summary (applied)")}
_TRADE = {
    **_ID,
    **_TIME,
    "country": Use("exporting country"),
    "commodity": Use("USGS commodity → HS codes → OECD industry"),
    "hs": Use("HS code → OECD industry"),
    "sector": Use("override of the industry supplying the product"),
    "supplier_share": Use("override of the country's share of supply"),
    "sector_share": Use("product's share of the industry's imports"),
    "price_change": Use("import price change, Leontief price model"),
}
_NO_TRADE_ARIO = Refuse(
    "the ARIO core (BoARIO 0.7.2's formulation) has no import-cut event: the national table is "
    "one closed region"
)
_NO_TRADE_FIRMS = Refuse("the firm network has no imports to cut")
_NO_TRADE_EXPOSURE = Refuse("the BOM network has no trade flows: disrupt a node with an outage")


def _no_rebuild(why: str) -> dict[str, Rule]:
    return {f"rebuild.{k}": Refuse(why) for k in ("sectors", "tau", "factor", "households")}


_NO_FACILITY = Refuse(
    "'facility' names a node of a BOM network (engine: exposure); this engine's responses act "
    "on a commodity"
)
_BOM_NODE = Refuse("the BOM network has nodes, not commodities: name the node with 'facility:'")
_BLACKOUT_DURATION = Refuse("a blackout's length is 'days', not 'duration'")
_NO_RAMP_ARIO = Only((0,), "BoARIO's events take their full impact at once (no ramp)")
_NO_START_RESPONSE = Only((0,), "the engine applies its rationing rule from the first day")
_NO_RESTORATION = Refuse(
    "restoring a share of the lost capacity firm by firm needs the firm network (engine: firms)"
)

FIELD_USE: dict[str, dict[str, dict[str, KindRules]]] = {
    "static": {
        "shocks": {
            "export_ban": _TRADE,
            "quota": {**_TRADE, "cut": Use("fraction of the exports cut")},
            "sanctions": {
                **_ID,
                **_TIME,
                "country": Use("sanctioned country"),
                "cut": Use("fraction of its exports cut"),
                "import_share": Use("its share of home's imports"),
                "price_change": Use("price change of every import from it"),
            },
            "outage": {
                **_ID,
                **_TIME,
                "sector": Use("industry whose output falls by δ"),
                "region": Use("region: δ_j = δ × the region's share of industry j"),
                "delta": Use("capacity loss δ"),
                "loss": Use("capital or capacity: the same output loss δ_j x_j (no capital here)"),
                **_no_rebuild("a static model has no rebuilding demand"),
                "firm": Refuse("a national table has industries, not firms"),
                "facility": Refuse("a national table has industries, not facilities"),
            },
            "blackout": {
                **_ID,
                **_TIME,
                "region": Use("region: δ_j = depth × the region's share of industry j"),
                "days": Use("days the region is down"),
                "depth": Use("capacity loss while down"),
                "sectors": Use("only these industries of the region are down"),
                "duration": _BLACKOUT_DURATION,
            },
            "demand_shock": {
                **_ID,
                **_TIME,
                "sector": Use("industry whose final demand changes"),
                "change": Use("relative change of its final demand"),
            },
            "extraction": {
                **_ID,
                **_TIME,
                "sector": Use("industry extracted"),
                "sectors": Use("industries extracted together"),
                "mode": Use("total | backward | forward extraction"),
            },
        },
        "responses": {
            "stockpile_release": {
                **_ID,
                "commodity": Use("commodity whose shortfall the stock covers"),
                "facility": _NO_FACILITY,
                "days_of_cover": Use("stock, in days of normal imports"),
                "start": Use("day (from the shock's start) the stock is released"),
            },
            "alternate_sourcing": {
                **_ID,
                "commodity": Use("commodity sourced elsewhere"),
                "facility": _NO_FACILITY,
                "lead_time_days": Use("days before new supply arrives"),
                "ramp_days": Use("days for new supply to reach max_share"),
                "max_share": Use("largest share of the lost supply replaced"),
                "start": Use("day (from the shock's start) the search begins"),
            },
            "substitution": {
                **_ID,
                "commodity": Use("commodity substituted"),
                "sector": Use("using industry that substitutes"),
                "fraction": Use("share of the shortfall substituted"),
                "start": Use("day (from the shock's start) substitution begins"),
            },
            "rationing": {
                **_ID,
                "rule": Only(
                    ("proportional", "small_first", "priority"),
                    "the static engine's rules (the firm-level rules need engine: firms)",
                ),
                "priority": Use("industries served first"),
                "start": Use("day the rule applies from (proportional before)"),
            },
            "restoration": _NO_RESTORATION,
        },
    },
    "ario": {
        "shocks": {
            "export_ban": _NO_TRADE_ARIO,
            "quota": _NO_TRADE_ARIO,
            "sanctions": _NO_TRADE_ARIO,
            "demand_shock": Refuse(
                "the ARIO core (BoARIO 0.7.2's formulation) has no final-demand shock event"
            ),
            "extraction": Refuse("hypothetical extraction is a static comparison"),
            "outage": {
                **_ID,
                "start": Use("event occurrence = start + 1"),
                "duration": Use("days the full loss lasts"),
                "recovery.path": Use("BoARIO recovery function (linear, convexe noscale, step)"),
                "recovery.days": Use("BoARIO recovery_tau"),
                "ramp": _NO_RAMP_ARIO,
                "sector": Use("industry hit"),
                "region": Use("δ_j = δ × the region's share of industry j"),
                "delta": Use("capacity lost (capital destroyed δ_j K_j, or capacity only)"),
                "loss": Use(
                    "capital: capital destroyed (BoARIO EventKapitalRecover); capacity: capacity "
                    "lost, capital intact (EventArbitraryProd)"
                ),
                "rebuild.sectors": Use("BoARIO EventKapitalRebuild: rebuilding_sectors"),
                "rebuild.tau": Use("rebuild_tau"),
                "rebuild.factor": Use("rebuilding_factor"),
                "rebuild.households": Use("households' capital rebuilt (BoARIO households_impact)"),
                "firm": Refuse("a national table has industries, not firms"),
                "facility": Refuse("a national table has industries, not facilities"),
            },
            "blackout": {
                **_ID,
                "start": Use("event occurrence = start + 1"),
                "days": Use("event duration"),
                "depth": Use("production capacity lost (BoARIO EventArbitraryProd)"),
                "region": Use("δ_j = depth × the region's share of industry j"),
                "sectors": Use("only these industries of the region are down"),
                "recovery.path": Use("recovery function of the capacity after the blackout"),
                "recovery.days": Use("recovery_tau of the capacity after the blackout"),
                "ramp": _NO_RAMP_ARIO,
                "duration": _BLACKOUT_DURATION,
            },
        },
        "responses": {
            "stockpile_release": Refuse(
                "the ARIO core has no stockpile; inventories are endogenous"
            ),
            "alternate_sourcing": Refuse("the ARIO core has no import sourcing"),
            "substitution": Refuse("the ARIO core has fixed technical coefficients"),
            "rationing": {
                **_ID,
                "rule": Only(("proportional",), "BoARIO distributes production proportionally"),
                "priority": Refuse("BoARIO distributes production proportionally"),
                "start": _NO_START_RESPONSE,
            },
            "restoration": _NO_RESTORATION,
        },
    },
    "firms": {
        "shocks": {
            "export_ban": _NO_TRADE_FIRMS,
            "quota": _NO_TRADE_FIRMS,
            "sanctions": _NO_TRADE_FIRMS,
            "demand_shock": Refuse("the firm model's final demand is fixed"),
            "extraction": Refuse("hypothetical extraction is a static comparison"),
            "outage": {
                **_ID,
                **_TIME,
                "sector": Use("every firm of the sector"),
                "region": Use("every firm of the region"),
                "firm": Use("one firm by id"),
                "facility": Use("one firm by id"),
                "delta": Use("capacity loss δ of the firms hit"),
                "loss": Use("capital or capacity: the same capacity loss δ (no capital here)"),
                **_no_rebuild("the firm model has no rebuilding demand"),
            },
            "blackout": {
                **_ID,
                **_TIME,
                "region": Use("every firm of the region"),
                "days": Use("days the region is down"),
                "depth": Use("capacity loss while down"),
                "sectors": Use("only the region's firms of these sectors"),
                "duration": _BLACKOUT_DURATION,
            },
        },
        "responses": {
            "stockpile_release": Refuse("inventories are part of the firm model"),
            "alternate_sourcing": Refuse("the firm network's links are fixed"),
            "substitution": Refuse("the firm model substitutes within a sector by itself"),
            "rationing": {
                **_ID,
                "rule": Only(
                    ("proportional", "proportional_fc_last", "inoue_todo", "inoue_todo_fc_last"),
                    "the firm model's rules (Inoue & Todo's reference simulator, -R 0..3)",
                ),
                "priority": Refuse("the firm model has no priorities"),
                "start": Use(
                    "day the rule applies from (the scenario's rule, or inoue_todo, before it; "
                    "the state carries over)"
                ),
            },
            "restoration": {
                **_ID,
                "region": Use("only the hit firms of the region (default: every region)"),
                "sectors": Use("only the hit firms of these sectors (default: every sector)"),
                "firms": Use("only these firms, by id"),
                "fraction": Use("share of the lost capacity δ restored"),
                "start": Use("day (from day 0) the capacity comes back"),
                "facility": Refuse(
                    "'facility' names a node of a BOM network (engine: exposure); name the "
                    "firms' region, sectors or ids"
                ),
            },
        },
    },
    "exposure": {
        "shocks": {
            "export_ban": _NO_TRADE_EXPOSURE,
            "quota": _NO_TRADE_EXPOSURE,
            "sanctions": _NO_TRADE_EXPOSURE,
            "demand_shock": Refuse("the time-to-recover model has fixed demand"),
            "extraction": Refuse("hypothetical extraction is a static comparison"),
            "blackout": Refuse("the BOM network has nodes, not regions: use an outage of a node"),
            "outage": {
                **_ID,
                "start": Use("day the node goes down"),
                "duration": Use("TTR = duration + recovery.days"),
                "recovery.days": Use("TTR = duration + recovery.days"),
                "recovery.path": Only(
                    ("step",),
                    "the time-to-recover model has the node fully down for its TTR, then back",
                ),
                "ramp": Only((0,), "the node is down at once"),
                "delta": Only(
                    (1, 1.0),
                    "the time-to-recover model takes the node fully down for its TTR; model a "
                    "partial capacity loss with the firms engine",
                ),
                "loss": Use("capital or capacity: the node is down for its TTR either way"),
                **_no_rebuild("the time-to-recover model has no rebuilding demand"),
                "facility": Use("node of the BOM network"),
                "firm": Use("node of the BOM network"),
                "sector": Refuse(
                    "the exposure engine disrupts one node of the BOM network, not a sector: "
                    "name it with 'facility:' (or 'firm:')"
                ),
                "region": Refuse(
                    "the exposure engine disrupts one node of the BOM network, not a region: "
                    "name it with 'facility:' (or 'firm:')"
                ),
            },
        },
        "responses": {
            "stockpile_release": {
                **_ID,
                "facility": Use("node of the BOM network whose output is held in stock"),
                "days_of_cover": Use(
                    "extra stock of the node's output, in days of its gross requirement (the "
                    "end products' demand exploded through the BOM)"
                ),
                "commodity": _BOM_NODE,
                "start": Use(
                    "day (from day 0) the stock is on hand: it counts in an outage that starts on "
                    "or after that day, not in one already under way (the time-to-recover LP has "
                    "no time inside an outage)"
                ),
            },
            "alternate_sourcing": {
                **_ID,
                "facility": Use("node of the BOM network whose output a second source supplies"),
                "max_share": Use(
                    "the second source's capacity per period, as a share of the node's gross "
                    "requirement"
                ),
                "lead_time_days": Use(
                    "days from the outage's start (or from 'start', if later) before it delivers"
                ),
                "ramp_days": Only(
                    (0,),
                    "the time-to-recover model has no ramp: the second "
                    "source delivers at full capacity after its lead time",
                ),
                "commodity": _BOM_NODE,
                "start": Use(
                    "day (from day 0) the second source is sought: during an outage under way "
                    "it delivers lead_time_days after this day"
                ),
            },
            "restoration": {
                **_ID,
                "facility": Use("disrupted node of the BOM network whose capacity comes back"),
                "fraction": Use(
                    "share of the node's capacity back from 'start' until the node's time to "
                    "recover is over"
                ),
                "start": Use("day (from day 0) the capacity comes back"),
                **{
                    k: Refuse(
                        "the BOM network has nodes, not regions, sectors or firms: name the "
                        "node with 'facility:'"
                    )
                    for k in ("region", "sectors", "firms")
                },
            },
            **{
                kind: Refuse(
                    "capacities and rationing are part of the BOM network (nodes.csv) and the "
                    "time-to-recover LP allocates supply optimally"
                )
                for kind in ("substitution", "rationing")
            },
        },
    },
}


@lru_cache(maxsize=1)
def schema_fields() -> dict[str, dict[str, tuple[str, ...]]]:
    """``{"shocks": {kind: fields}, "responses": {kind: fields}}`` read from the JSON Schema
    (every property but ``type``; an object property with properties of its own gives
    ``name.sub`` fields)."""
    sch = schema()
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for what, prefix in (("shocks", "shock_"), ("responses", "response_")):
        kinds = sch["properties"][what]["items"]["properties"]["type"]["enum"]
        out[what] = {}
        for kind in kinds:
            props = sch["$defs"][prefix + kind]["properties"]
            fields: list[str] = []
            for name, spec in props.items():
                if name == "type":
                    continue
                if isinstance(spec, dict) and "properties" in spec:
                    fields += [f"{name}.{sub}" for sub in spec["properties"]]
                else:
                    fields.append(name)
            out[what][kind] = tuple(fields)
    return out


def _written(item: dict[str, Any]) -> list[tuple[str, Any, tuple[str, ...]]]:
    """(field name, value, path inside the item) of every field written in a shock/response."""
    out = []
    for k, v in item.items():
        if k == "type":
            continue
        if isinstance(v, dict):
            out += [(f"{k}.{sk}", sv, (k, sk)) for sk, sv in v.items()]
        else:
            out.append((k, v, (k,)))
    return out


def _allows(rule: Any, value: Any) -> bool:
    if isinstance(rule, Use):
        return True
    if isinstance(rule, Only):
        return any(value == v and type(value) is not bool for v in rule.values)
    return False


def engines_using(what: str, kind: str, field: str | None = None, value: Any = None) -> list[str]:
    """The engines that take this kind (and apply this field with this value)."""
    out = []
    for eng, table in FIELD_USE.items():
        rules = table[what].get(kind)
        if rules is None or isinstance(rules, Refuse):
            continue
        if field is None or _allows(rules.get(field), value):
            out.append(eng)
    return out


def _hint(others: list[str]) -> str:
    if not others:
        return "; no engine represents it"
    return "; " + " or ".join(f"--engine {e}" for e in others) + " can"


def check_fields(sc: Scenario, engine: str) -> None:
    """Refuse any shock or response kind, or field, that ``engine`` would not apply (see the
    module doc); the error names the line, the field and the engines that can."""
    table = FIELD_USE[engine]
    known = schema_fields()
    for what in ("shocks", "responses"):
        for i, item in enumerate(sc.doc.get(what) or []):
            kind = item["type"]
            rules = table[what].get(kind)
            if rules is None or isinstance(rules, Refuse):
                why = f": {rules.why}" if isinstance(rules, Refuse) else ""
                others = [e for e in engines_using(what, kind) if e != engine]
                noun = "shock" if what == "shocks" else "response"
                raise sc.error(
                    f"the {engine} engine does not represent a {kind} {noun}{why}{_hint(others)}",
                    (what, i, "type"),
                )
            for name, value, sub in _written(item):
                if name not in known[what][kind]:
                    continue  # set by the defaults only (an export_ban's cut: 1)
                rule = rules.get(name)
                if _allows(rule, value):
                    continue
                others = [e for e in engines_using(what, kind, name, value) if e != engine]
                if isinstance(rule, Only):
                    shown = ", ".join(repr(v) for v in dict.fromkeys(rule.values))
                    msg = (
                        f"the {engine} engine takes {name}: {shown} only, not {value!r}: {rule.why}"
                    )
                elif isinstance(rule, Refuse):
                    msg = f"the {engine} engine does not use '{name}' of a {kind}: {rule.why}"
                else:
                    msg = f"the {engine} engine does not use '{name}' of a {kind}"
                raise sc.error(msg + _hint(others), (what, i, *sub))


def item_label(sc: Scenario, what: str, i: int) -> str:
    """``shocks[0]`` or ``shocks[0] (its id)``."""
    item = sc.doc[what][i]
    return f"{what}[{i}]" + (f" ({item['id']})" if item.get("id") else "")
