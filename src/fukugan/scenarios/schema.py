"""Disruption scenarios as data: the YAML format, its JSON Schema and its validation.

A scenario file (``*.yaml``, UTF-8) is one mapping. Every key is checked: an unknown key, a
value of the wrong type or out of range is an :class:`ScenarioError` (an
:class:`~fukugan.errors.InputError`) naming the file, the **line** and the field, e.g.
``gallium.yaml: line 14, field 'shocks[0].cut': 1.5 is greater than the maximum of 1``.
The machine-readable schema is ``scenario.schema.json`` beside this module (JSON Schema
2020-12); this docstring is its documentation.

Complete example (every block; only ``name``, ``engine`` and ``data`` are required)::

    name: gallium-germanium-licensing          # [A-Za-z0-9_.-], used in the run directory name
    description:                               # both languages
      en: China's export licensing of gallium and germanium cuts its exports by 50 %.
      ja: 中国のガリウム・ゲルマニウム輸出許可制により輸出が50%減少する。
    engine: static                             # static | ario | firms | exposure
    home: JPN                                  # the economy studied (ISO3, default JPN)
    data:                                      # which data the engine runs on
      oecd_iot: {country: JPN, year: 2020}     # an OECD national IO table in the store
      # mrio: {path: my_mrio.parquet}          # or an MRIO file (ario)
      # firm_network: {path: edges.csv}        # or a firm edge list (firms) ...
      # firm_network: {path: edges.csv, firms: firms.csv}   # (firm table: sectors, regions)
      # firm_network: {synthetic: {n_firms: 10000, mean_degree: 5, n_regions: 47, seed: 1}}
      # firm_network: {pronet: DIR}   # the reference simulator's files (atable.txt, ...)
      # firm_network: {calibrated: {n_firms: 5000, seed: 1}}   # firms split from oecd_iot's
      #                 table: its industry outputs and flows exactly; placed in `regions`
      # bom: {example: automotive}             # or a multi-tier BOM network (exposure): the
      # bom: {path: mynet/}                    #   bundled example, a directory with nodes.csv,
      # bom: {nodes: n.csv, bom: b.csv, alternatives: a.csv}   # bom.csv[, alternatives.csv]
      usgs_year: 2024                          # USGS production year for world shares
    horizon_days: 365                          # days simulated (default 365)
    seed: 42                                   # random seed (default 0); runs reproduce bit for bit
    parameters: {}                             # engine parameters (defaults of each engine)
    regions:                                   # named sub-national regions (national tables)
      tokai:
        share: {C29: 0.45, C24: 0.30}          # region's share of national output, by sector,
        default_share: 0.20                    #   or one number for every sector
        source: "assumption: ..."              # required: where the shares come from
    shocks:
      - type: quota                            # export_ban | quota: exports of a product cut
        country: CHN                           #   by the exporting country
        commodity: gallium                     #   USGS commodity (name or id), or hs: "811292"
        cut: 0.5                               #   fraction cut (export_ban: 1)
        start: 0                               #   day it starts
        duration: 180                          #   days at full depth (default: to the horizon)
        ramp: 14                               #   days to reach full depth (default 0)
        recovery: {path: linear, days: 30}     #   how it fades after start + duration
        sector_share: 0.002                    #   product's share of its IO sector's imports
        price_change: 0.3                      #   optional: +30 % on the country's export price
        # supplier_share: 0.98                 #   override the country's share of supply
        # sector: C24                          #   override the IO sector of the product
      - {type: sanctions, country: RUS, import_share: 0.02}   # all its exports to home cut
      - {type: outage, sector: C24, delta: 0.3, recovery: {path: exponential, days: 90}}
      #   outage target: exactly one of sector | region | firm | facility; delta = capacity
      #   loss δ in [0, 1]; recovery path linear | exponential | step over `days`
      #   loss: capital (default: capital destroyed, e.g. fire, earthquake) | capacity
      #   (capacity lost with capital intact: strike, cyber attack, quota on a sector)
      #   rebuild: {sectors: {F: 0.8, C28: 0.2}, tau: 90, factor: 1, households: 5000}
      #   (ario: the capital destroyed, and households' capital, are rebuilt instead of
      #   recovering: a rebuilding demand on those industries; not with 'recovery')
      - {type: blackout, region: tokai, days: 3, depth: 1.0}  # region down for N days
      #   (capacity lost, capital intact); optional sectors: [C26, C29] limits it to those
      - {type: demand_shock, sector: C29, change: -0.1, duration: 90}  # relative change
      - {type: extraction, sector: C19, mode: backward, duration: 30}  # sector(s) vanish
      #   mode total | backward | forward (hypothetical extraction, static engine)
    responses:
      - {type: stockpile_release, commodity: gallium, days_of_cover: 60}
      - {type: alternate_sourcing, commodity: gallium, lead_time_days: 90, ramp_days: 30,
         max_share: 0.6}                       # up to 60 % of the lost supply, after 90 days
      - {type: substitution, commodity: gallium, fraction: 0.1}
      - {type: rationing, rule: priority, priority: [C26, C27]}  # proportional | small_first; engine firms: inoue_todo ...
    uncertainty:                               # Monte Carlo (``fukugan simulate --samples N``)
      - {param: "shocks[0].cut", dist: triangular, low: 0.3, mode: 0.5, high: 0.9}
      - {param: "shocks[0].duration", dist: uniform, low: 90, high: 365}
      - {param: "responses[2].fraction", dist: normal, mean: 0.1, sd: 0.05, low: 0, high: 0.5}
      - {param: "shocks[0].ramp", dist: lognormal, median: 14, sigma: 0.5, low: 0, high: 60}

Shock time profile (:func:`intensity`): 0 before ``start``; rises linearly to 1 over ``ramp``
days; stays at 1 for ``duration`` days (counted from ``start``); then falls to 0 over
``recovery.days`` following ``recovery.path`` — ``linear``; ``exponential`` (e^(−k·d) with k
such that 1 % is left at ``days``, then 0); ``step`` (stays at 1 until ``days``, then 0). A
blackout is a step of ``days`` days. Defaults: ``start`` 0, ``ramp`` 0, ``duration`` to the
horizon for export_ban / quota / sanctions / demand_shock / extraction and 0 for outages (so an
outage with ``recovery: {path: linear, days: 90}`` loses δ on its first day and recovers in 90
days), ``recovery`` none (the shock ends at ``start + duration``).

``price_change`` (export_ban, quota, sanctions): the relative change in the price home pays
for the country's exports of the product (sanctions: of everything it imports from the
country); the static engine passes it on through the Leontief price model (metric
``price_change`` of the run). Defaults: ``extraction`` lasts to the horizon and ``mode`` is
``total``.

Uncertainty: ``param`` is a path ``shocks[i].field`` or ``responses[i].field`` to a number in
the scenario (a ``recovery.days`` is ``shocks[i].recovery.days``). Distributions: ``uniform``
(low, high), ``triangular`` (low, mode, high), ``normal`` (mean, sd), ``lognormal`` (median,
sigma of the log); optional ``low`` / ``high`` bounds clip normal and lognormal draws, and every
draw is also clipped to the field's own range (fractions to [0, 1], days to ≥ 0, integers
rounded). See :mod:`fukugan.services.montecarlo`.

What an engine does with each block is documented in :mod:`fukugan.services.engines`.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fukugan.scenarios.yamldoc import (
    JsonPath,
    ScenarioError,
    format_path,
    parse_mapping,
    parse_path,
    read_text,
)

__all__ = [
    "ENGINES",
    "SCHEMA_PATH",
    "Scenario",
    "ScenarioError",
    "intensity",
    "load_scenario",
    "parse_path",
    "parse_scenario",
    "schema",
]

SCHEMA_PATH = Path(__file__).with_name("scenario.schema.json")
ENGINES = ("static", "ario", "firms", "exposure")
TRADE_SHOCKS = ("export_ban", "quota", "sanctions")
OUTAGE_TARGETS = ("sector", "region", "firm", "facility")
DEFAULT_HORIZON = 365


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The scenario JSON Schema (``scenario.schema.json``)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass
class Scenario:
    """A validated scenario: ``doc`` (defaults applied) plus where each field was written.

    ``errors`` found later (e.g. an unknown commodity, when the engine resolves it against the
    data) are raised with :meth:`error`, which names the file and line of the field.
    """

    doc: dict[str, Any]
    path: str | None = None
    lines: dict[JsonPath, int] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return str(self.doc["name"])

    @property
    def engine(self) -> str:
        return str(self.doc["engine"])

    @property
    def seed(self) -> int:
        return int(self.doc.get("seed", 0))

    @property
    def horizon(self) -> int:
        return int(self.doc.get("horizon_days", DEFAULT_HORIZON))

    @property
    def home(self) -> str:
        return str(self.doc.get("home", "JPN"))

    def line_of(self, path: JsonPath) -> int | None:
        """Line of ``path`` or of its deepest written ancestor (None if not from a file)."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get(())

    def error(self, message: str, path: JsonPath) -> ScenarioError:
        """A :class:`ScenarioError` at ``path`` (to raise)."""
        return ScenarioError(
            message, path=self.path, line=self.line_of(path), field=format_path(path) or None
        )

    def get(self, path: JsonPath) -> Any:
        cur: Any = self.doc
        for p in path:
            cur = cur[p]
        return cur

    def with_values(self, values: dict[str, float]) -> Scenario:
        """A copy with numbers set at paths (``{"shocks[0].cut": 0.4}``), for Monte Carlo."""
        doc = copy.deepcopy(self.doc)
        for text, v in values.items():
            path = parse_path(text)
            cur: Any = doc
            for p in path[:-1]:
                cur = cur[p]
            cur[path[-1]] = v
        return Scenario(doc, self.path, self.lines)


# -- loading --------------------------------------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (see the module docstring)."""
    return parse_scenario(read_text(path), path=str(path))


def parse_scenario(text: str, *, path: str | None = None) -> Scenario:
    """Parse YAML text and validate it (schema, then semantic checks)."""
    doc, lines = parse_mapping(text, path=path, what="scenario", keys="name, engine, data, ...")
    sc = Scenario(doc, path, lines)
    _check_schema(sc)
    _check_semantics(sc)
    _apply_defaults(sc)
    return sc


def scenario_from_dict(doc: dict[str, Any], *, path: str | None = None) -> Scenario:
    """Validate a scenario given as a dict (e.g. recorded in a run's summary)."""
    sc = Scenario(copy.deepcopy(doc), path, {})
    _check_schema(sc)
    _check_semantics(sc)
    _apply_defaults(sc)
    return sc


def _check_schema(sc: Scenario, against: dict[str, Any] | None = None) -> None:
    """Validate ``sc.doc`` against the scenario schema (or ``against``, e.g. the exercise
    package schema); the first error in file order is raised, naming its line and field."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(against if against is not None else schema())
    errors = list(validator.iter_errors(sc.doc))
    if not errors:
        return
    located = []
    for err in errors:
        path = tuple(err.absolute_path)
        msg = err.message
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            extra = sorted(str(k) for k in err.instance if k not in allowed)
            if extra:
                path = (*path, extra[0])
                hint = f"; allowed: {', '.join(sorted(allowed))}" if allowed else ""
                msg = f"unknown key {extra[0]!r}{hint}"
        elif err.validator == "required":
            missing = re.search(r"'([^']+)' is a required property", msg)
            if missing:
                msg = f"missing required key {missing.group(1)!r}"
                path = (*path, missing.group(1))
        elif err.validator == "enum":
            msg = f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
        elif (
            err.validator in ("minimum", "exclusiveMinimum")
            and path
            and path[-1]
            in (
                "start",
                "duration",
                "ramp",
                "days",
                "lead_time_days",
                "ramp_days",
                "days_of_cover",
            )
        ):
            msg = f"days cannot be negative: {err.instance!r}"
        elif err.validator == "pattern" and path and path[-1] in ("country", "home"):
            msg = f"{err.instance!r} is not an ISO3 country code (e.g. JPN, CHN, USA)"
        line = sc.line_of(path)
        located.append((line or 0, len(path), path, msg))
    # every problem, in file order (the deepest first at a line), each once
    located.sort(key=lambda x: (x[0], -x[1]))
    seen: set[tuple[int, str]] = set()
    found: list[ScenarioError] = []
    for line, _, path, msg in located:
        if (line, msg) not in seen:
            seen.add((line, msg))
            found.append(sc.error(msg, path))
    raise found[0].also(found[1:])


# -- semantic checks --------------------------------------------------------------------------


#: the ways to give a firm network (exactly one)
FIRM_NETWORK_KINDS = ("path", "pronet", "synthetic", "calibrated")


def _check_semantics(sc: Scenario) -> None:
    """Checks the schema cannot express (the store-dependent ones are in the engines)."""
    from fukugan.data.countries import is_iso3

    d = sc.doc
    for key in ("home",):
        if key in d and not is_iso3(d[key]):
            raise sc.error(f"{d[key]!r} is not an ISO3 country code", (key,))
    data = d["data"]
    if "oecd_iot" in data and not is_iso3(data["oecd_iot"]["country"]):
        raise sc.error(
            f"{data['oecd_iot']['country']!r} is not an ISO3 country code",
            ("data", "oecd_iot", "country"),
        )
    fn = data.get("firm_network")
    if fn is not None and sum(k in fn for k in FIRM_NETWORK_KINDS) != 1:
        raise sc.error(
            "firm_network needs exactly one of 'path', 'pronet', 'synthetic' or 'calibrated'",
            ("data", "firm_network"),
        )
    if fn is not None and "calibrated" in fn and "oecd_iot" not in data:
        raise sc.error(
            "a calibrated firm network is split from a national table: give data.oecd_iot "
            "{country, year} too",
            ("data", "firm_network", "calibrated"),
        )
    base = Path(sc.path).parent if sc.path else Path.cwd()
    if "mrio" in data:
        _check_file(sc, base, data["mrio"]["path"], ("data", "mrio", "path"))
    if "bom" in data:
        _check_bom(sc, base, data["bom"])
    if fn is not None and "path" in fn:
        _check_file(sc, base, fn["path"], ("data", "firm_network", "path"))
    if fn is not None and "pronet" in fn:
        f = Path(fn["pronet"]) if Path(fn["pronet"]).is_absolute() else base / fn["pronet"]
        if not f.is_dir():
            raise sc.error(f"directory not found: {f}", ("data", "firm_network", "pronet"))
    if fn is not None and "firms" in fn:
        if "path" not in fn:
            raise sc.error(
                "'firms' (a firm table) goes with an edge list 'path', not 'synthetic'",
                ("data", "firm_network", "firms"),
            )
        _check_file(sc, base, fn["firms"], ("data", "firm_network", "firms"))
    horizon = int(d.get("horizon_days", DEFAULT_HORIZON))
    regions = d.get("regions", {}) or {}
    for name, reg in regions.items():
        if isinstance(reg.get("share"), dict) and "default_share" not in reg:
            pass  # sectors not listed get 0 (checked against the table by the engine)
        if not str(name).strip():
            raise sc.error("empty region name", ("regions",))
    for i, s in enumerate(d.get("shocks", []) or []):
        where = ("shocks", i)
        kind = s["type"]
        if s.get("start", 0) >= horizon:
            raise sc.error(
                f"starts on day {s['start']}, after the horizon of {horizon} days",
                (*where, "start"),
            )
        if kind in ("export_ban", "quota") and ("commodity" in s) == ("hs" in s):
            raise sc.error(f"{kind} needs exactly one of 'commodity' or 'hs'", where)
        if kind in TRADE_SHOCKS and "country" in s and not is_iso3(s["country"]):
            raise sc.error(f"{s['country']!r} is not an ISO3 country code", (*where, "country"))
        if kind in TRADE_SHOCKS and s.get("country") == sc.home:
            raise sc.error(
                f"{s['country']} is the home economy: a trade shock needs another country",
                (*where, "country"),
            )
        if kind == "extraction" and ("sector" in s) == ("sectors" in s):
            raise sc.error("an extraction needs exactly one of 'sector' or 'sectors'", where)
        if kind == "outage":
            targets = [k for k in OUTAGE_TARGETS if k in s]
            if len(targets) != 1:
                raise sc.error(
                    "an outage needs exactly one target: " + " | ".join(OUTAGE_TARGETS), where
                )
        if kind in ("outage", "blackout") and "region" in s:
            reg = s["region"]
            if regions and reg not in regions:
                raise sc.error(
                    f"unknown region {reg!r}; regions defined: {', '.join(regions)}",
                    (*where, "region"),
                )
            if not regions and "oecd_iot" in data:
                raise sc.error(
                    f"region {reg!r} is not defined: add it under 'regions:' with its share of "
                    "national output and the source of that share",
                    (*where, "region"),
                )
        if "recovery" in s and s["recovery"]["path"] != "step" and "days" not in s["recovery"]:
            raise sc.error("recovery needs 'days'", (*where, "recovery"))
        if kind == "outage" and "rebuild" in s:
            if s.get("loss") == "capacity":
                raise sc.error(
                    "'rebuild' rebuilds destroyed capital: it needs loss: capital",
                    (*where, "rebuild"),
                )
            if "recovery" in s:
                raise sc.error(
                    "rebuilt capital comes back as it is rebuilt: give 'rebuild' or 'recovery', "
                    "not both",
                    (*where, "rebuild"),
                )
            shares = s["rebuild"]["sectors"].values()
            if abs(sum(shares) - 1.0) > 1e-6:
                raise sc.error(
                    f"rebuilding shares must sum to 1, not {sum(shares):g}",
                    (*where, "rebuild", "sectors"),
                )
        if kind == "blackout" and "duration" in s:
            raise sc.error("a blackout's length is 'days', not 'duration'", (*where, "duration"))
    for i, r in enumerate(d.get("responses", []) or []):
        where = ("responses", i)
        if r["type"] == "rationing":
            if r["rule"] == "priority" and not r.get("priority"):
                raise sc.error("rule 'priority' needs a 'priority' list of sectors", where)
            if r["rule"] != "priority" and "priority" in r:
                raise sc.error(
                    f"'priority' is only used with rule 'priority', not {r['rule']!r}",
                    (*where, "priority"),
                )
            firm_rules = ("proportional_fc_last", "inoue_todo", "inoue_todo_fc_last")
            if r["rule"] in firm_rules and d.get("engine") != "firms":
                raise sc.error(
                    f"rule {r['rule']!r} is a firm-level rule (engine: firms); the "
                    f"{d.get('engine')!r} engine takes proportional, small_first or priority",
                    (*where, "rule"),
                )
    n_rationing = sum(1 for r in d.get("responses", []) or [] if r["type"] == "rationing")
    if n_rationing > 1:
        raise sc.error("at most one rationing rule", ("responses",))
    for i, u in enumerate(d.get("uncertainty", []) or []):
        _check_uncertainty(sc, i, u)


def _check_file(sc: Scenario, base: Path, p: str, where: JsonPath) -> None:
    f = Path(p) if Path(p).is_absolute() else base / p
    if not f.is_file():
        raise sc.error(f"data file not found: {f}", where)


def _check_bom(sc: Scenario, base: Path, bom: dict[str, Any]) -> None:
    """``data.bom``: exactly one of ``example``, ``path`` (a directory) or ``nodes`` + ``bom``."""
    where = ("data", "bom")
    forms = [k for k in ("example", "path", "nodes") if k in bom]
    if (
        len(forms) != 1
        or ("bom" in bom) != ("nodes" in bom)
        or ("alternatives" in bom and "nodes" not in bom)
    ):
        raise sc.error(
            "data.bom needs exactly one of: example (a bundled network), path (a directory "
            "with nodes.csv, bom.csv and optional alternatives.csv), or nodes + bom "
            "(+ alternatives) files",
            where,
        )
    if "path" in bom:
        d = Path(bom["path"]) if Path(bom["path"]).is_absolute() else base / bom["path"]
        if not d.is_dir():
            raise sc.error(f"BOM directory not found: {d}", (*where, "path"))
        for name in ("nodes.csv", "bom.csv"):
            if not (d / name).is_file():
                raise sc.error(f"{name} not found in {d}", (*where, "path"))
    for key in ("nodes", "bom", "alternatives"):
        if key in bom:
            _check_file(sc, base, bom[key], (*where, key))


#: Numeric fields that uncertainty may sample, with their range and whether they are integers.
SAMPLEABLE: dict[str, tuple[float, float, bool]] = {
    "cut": (0.0, 1.0, False),
    "delta": (0.0, 1.0, False),
    "depth": (0.0, 1.0, False),
    "fraction": (0.0, 1.0, False),
    "max_share": (0.0, 1.0, False),
    "sector_share": (0.0, 1.0, False),
    "supplier_share": (0.0, 1.0, False),
    "import_share": (0.0, 1.0, False),
    "change": (-1.0, float("inf"), False),
    "price_change": (-1.0, float("inf"), False),
    "days_of_cover": (0.0, float("inf"), False),
    "households": (0.0, float("inf"), False),
    "start": (0.0, float("inf"), True),
    "duration": (0.0, float("inf"), True),
    "ramp": (0.0, float("inf"), True),
    "days": (0.0, float("inf"), True),
    "lead_time_days": (0.0, float("inf"), True),
    "ramp_days": (0.0, float("inf"), True),
}

_DIST_PARAMS = {
    "uniform": ({"low", "high"}, {"low", "high"}),
    "triangular": ({"low", "mode", "high"}, {"low", "mode", "high"}),
    "normal": ({"mean", "sd"}, {"mean", "sd", "low", "high"}),
    "lognormal": ({"median", "sigma"}, {"median", "sigma", "low", "high"}),
}


def _check_uncertainty(sc: Scenario, i: int, u: dict[str, Any]) -> None:
    where = ("uncertainty", i)
    path = parse_path(u["param"])
    try:
        target = sc.get(path)
    except (KeyError, IndexError, TypeError):
        raise sc.error(
            f"param {u['param']!r} does not name a value written in the scenario "
            "(write the field with a default value first)",
            (*where, "param"),
        ) from None
    if isinstance(target, bool) or not isinstance(target, (int, float)):
        raise sc.error(f"param {u['param']!r} is not a number", (*where, "param"))
    if path[-1] not in SAMPLEABLE:
        raise sc.error(
            f"{path[-1]!r} cannot be sampled; sampleable: {', '.join(sorted(SAMPLEABLE))}",
            (*where, "param"),
        )
    need, allowed = _DIST_PARAMS[u["dist"]]
    keys = set(u) - {"param", "dist"}
    if need - keys:
        raise sc.error(f"{u['dist']} needs {', '.join(sorted(need - keys))}", (*where, "dist"))
    if keys - allowed:
        bad = sorted(keys - allowed)[0]
        raise sc.error(f"{bad!r} is not a parameter of {u['dist']}", (*where, bad))
    lo, hi = u.get("low"), u.get("high")
    if lo is not None and hi is not None and not lo < hi:
        raise sc.error(f"low ({lo}) must be below high ({hi})", (*where, "high"))
    if u["dist"] == "triangular" and not lo <= u["mode"] <= hi:
        raise sc.error("mode must lie between low and high", (*where, "mode"))
    if len({x["param"] for x in sc.doc["uncertainty"][: i + 1]}) != i + 1:
        raise sc.error(f"{u['param']!r} is sampled twice", (*where, "param"))


def _apply_defaults(sc: Scenario) -> None:
    d = sc.doc
    d.setdefault("home", "JPN")
    d.setdefault("horizon_days", DEFAULT_HORIZON)
    d.setdefault("seed", 0)
    d.setdefault("parameters", {})
    d.setdefault("regions", {})
    d.setdefault("shocks", [])
    d.setdefault("responses", [])
    d.setdefault("uncertainty", [])
    d.setdefault("description", {"en": d["name"], "ja": d["name"]})
    for s in d["shocks"]:
        s.setdefault("start", 0)
        s.setdefault("ramp", 0)
        if s["type"] == "sanctions":
            s.setdefault("cut", 1.0)
        if s["type"] == "blackout":
            s.setdefault("depth", 1.0)
        if s["type"] == "extraction":
            s.setdefault("mode", "total")


# -- time profile -------------------------------------------------------------------------------


def intensity(shock: dict[str, Any], horizon: int) -> Any:
    """The shock's depth multiplier for days 1..horizon (numpy array, values in [0, 1]).

    Day t covers [t−1, t); a shock starting on day ``start`` acts from day ``start + 1``.

    >>> import numpy as np
    >>> intensity({"type": "outage", "start": 0, "ramp": 0,
    ...            "recovery": {"path": "linear", "days": 4}}, 6).round(2).tolist()
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    >>> intensity({"type": "quota", "start": 1, "ramp": 2, "duration": 3}, 6).tolist()
    [0.0, 0.5, 1.0, 1.0, 0.0, 0.0]
    >>> intensity({"type": "blackout", "start": 2, "days": 2}, 6).tolist()
    [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    """
    import numpy as np

    t = np.arange(horizon, dtype=float)  # day t+1 starts at time t
    start = float(shock.get("start", 0))
    ramp = float(shock.get("ramp", 0))
    if shock["type"] == "blackout":
        duration = float(shock["days"])
    elif "duration" in shock:
        duration = float(shock["duration"])
    elif shock["type"] == "outage":
        duration = 0.0
    else:
        duration = float(horizon)
    rec = shock.get("recovery")
    rel = t - start
    out = np.zeros(horizon)
    active = rel >= 0
    up = np.ones(horizon) if ramp <= 0 else np.clip((rel + 1) / ramp, 0.0, 1.0)
    end = duration
    hold = active & (rel < max(end, 0.0))
    out[hold] = up[hold]
    if rec is not None:
        days = float(rec.get("days", 0))
        d = rel - end  # days since the end of the full-depth phase
        fading = active & (d >= 0)
        if days > 0:
            if rec["path"] == "linear":
                f = np.clip(1.0 - d / days, 0.0, 1.0)
            elif rec["path"] == "exponential":
                f = np.where(d < days, np.exp(-np.log(100.0) * d / days), 0.0)
            else:  # step
                f = np.where(d < days, 1.0, 0.0)
            out[fading] = (f * up)[fading]
    return out
