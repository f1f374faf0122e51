"""Response plans as data: the YAML format of ``fukugan plan PLAN.yaml``, its JSON Schema and
its validation (as for scenarios: errors name the file, the line and the field, e.g.
``plan.yaml: line 31, field 'measures[2].fixed_cost': -5 is less than the minimum of 0``).

The machine-readable schema is ``plan.schema.json`` beside this module. Complete example::

    name: japan-critical-minerals                 # [A-Za-z0-9_.-]
    description: {en: ..., ja: ...}
    engine: static                                # optional: run every scenario with it
    horizon_years: 5                              # years a stockpile is held (holding cost)
    scenarios:                                    # paths relative to this file
      - {path: ../gallium-germanium-licensing.yaml, weight: 2}
      - {path: ../graphite-export-restriction.yaml, weight: 1, samples: 50, seed: 7}
      #   weight: relative probability (normalised); samples: Monte Carlo draws of the
      #   scenario's uncertainty block, each weight / samples
    objective:
      budget: 40                                  # optional: total cost ≤ budget
      cvar_alpha: 0.9                             # CVaR level of the loss (reported)
      cvar_weight: 0                              # β: E[loss] + cost + β CVaR_α(loss)
      mip_gap: 0.0001                             # relative MIP gap
    frontier: {points: 10}                        # or budgets: [0, 5, 10, ...]
    measures:
      - id: ga-stock                              # unique
        kind: stockpile                           # days of cover of normal imports
        commodity: gallium                        # a commodity a scenario's trade shock cuts
        domain: continuous                        # continuous | integer (days) | binary
        max_days: 90                              # (binary: days: 60)
        acquisition_cost_per_day: 0.05            # cost of buying one day of cover
        holding_cost_per_day_year: 0.004          # per day of cover per year held
      - {id: ga-second, kind: second_source, commodity: gallium, share: 0.4,
         lead_time_days: 60, fixed_cost: 3}       # replaces 40 % of lost supply after 60 days
      - {id: gr-recycling, kind: recycling, commodity: graphite, max_share: 0.25,
         cost_per_share_point: 0.4, fixed_cost: 2, lead_time_days: 0}
      #   recycling | capacity (domestic or allied): a share of consumption (continuous;
      #   binary with share:), cost per percentage point
      - {id: gr-subst, kind: substitution_rd, commodity: graphite, share: 0.3,
         success_probability: 0.5, lead_time_days: 90, fixed_cost: 4}
      - {id: ga-divers, kind: diversification, commodity: gallium, max_supplier_share: 0.65,
         fixed_cost: 6}                           # the CRMA benchmark: ≤ 65 % from one country
    # every measure may have name: {en, ja}, source: "...", mandatory: true

A manufacturer's plan on a BOM network (scenarios on the exposure engine) names a node with
``facility:`` instead of ``commodity:``; it takes stockpiles (days of cover of the node's gross
requirement), second sources and substitution R&D (a second source that may fail), e.g.
``{id: chip-buffer, kind: stockpile, facility: CHIP, max_days: 42, acquisition_cost_per_day:
1.5}`` and ``{id: chip-second, kind: second_source, facility: CHIP, share: 0.5,
lead_time_days: 14, fixed_cost: 120}``. Costs are then in the network's margin unit
(:mod:`fukugan.services.plan_network`).

Costs are in the unit of the engines' loss (the static engine: million USD); loss is summed
over each scenario's horizon. What each measure does to a scenario is in
:mod:`fukugan.planning.portfolio` and :mod:`fukugan.services.planning`.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fukugan.scenarios.schema import JsonPath, ScenarioError, format_path
from fukugan.scenarios.yamldoc import parse_mapping, read_text

__all__ = ["PLAN_SCHEMA_PATH", "PlanDoc", "PlanError", "load_plan", "parse_plan", "plan_schema"]

PLAN_SCHEMA_PATH = Path(__file__).with_name("plan.schema.json")


class PlanError(ScenarioError):
    """A bad plan: names the file, the line and the field."""


#: The fields each kind of measure takes (besides id, kind, commodity, name, source, mandatory).
KIND_FIELDS: dict[str, set[str]] = {
    "stockpile": {
        "domain",
        "days",
        "max_days",
        "min_days",
        "acquisition_cost_per_day",
        "holding_cost_per_day_year",
        "fixed_cost",
    },
    "second_source": {"fixed_cost", "lead_time_days", "share"},
    "recycling": {
        "domain",
        "share",
        "max_share",
        "min_share",
        "cost_per_share_point",
        "fixed_cost",
        "lead_time_days",
    },
    "substitution_rd": {"fixed_cost", "share", "success_probability", "lead_time_days"},
    "diversification": {"max_supplier_share", "fixed_cost", "lead_time_days"},
}
KIND_FIELDS["capacity"] = KIND_FIELDS["recycling"]
COMMON_FIELDS = {"id", "kind", "commodity", "facility", "name", "source", "mandatory"}
#: The kinds of measure that act on a node of a BOM network (``facility:``).
FACILITY_KINDS = ("stockpile", "second_source", "substitution_rd")


@dataclass
class PlanDoc:
    """A validated plan (defaults applied) and the line each field was written on."""

    doc: dict[str, Any]
    path: str | None = None
    lines: dict[JsonPath, int] = field(default_factory=dict, repr=False)
    base_dir: str | None = None  # where scenario paths are resolved (default: the file's)

    @property
    def name(self) -> str:
        return str(self.doc["name"])

    @property
    def base(self) -> Path:
        if self.base_dir is not None:
            return Path(self.base_dir)
        return Path(self.path).parent if self.path else Path.cwd()

    def line_of(self, path: JsonPath) -> int | None:
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get(())

    def error(self, message: str, path: JsonPath) -> PlanError:
        return PlanError(
            message, path=self.path, line=self.line_of(path), field=format_path(path) or None
        )

    def scenario_path(self, i: int) -> Path:
        p = Path(self.doc["scenarios"][i]["path"])
        return p if p.is_absolute() else self.base / p


@lru_cache(maxsize=1)
def plan_schema() -> dict[str, Any]:
    """The plan JSON Schema (``plan.schema.json``)."""
    return json.loads(PLAN_SCHEMA_PATH.read_text(encoding="utf-8"))


def load_plan(path: str | Path) -> PlanDoc:
    """Read and validate a plan file (see the module docstring)."""
    return parse_plan(read_text(path, error=PlanError), path=str(path))


def parse_plan(text: str, *, path: str | None = None) -> PlanDoc:
    """Parse YAML text and validate it (schema, then the checks per kind of measure)."""
    doc, lines = parse_mapping(
        text, path=path, what="plan", keys="name, scenarios, measures, ...", error=PlanError
    )
    plan = PlanDoc(doc, path, lines)
    _check_schema(plan)
    _check_semantics(plan)
    _apply_defaults(plan)
    return plan


def plan_from_dict(
    doc: dict[str, Any], *, path: str | None = None, base_dir: str | Path | None = None
) -> PlanDoc:
    """Validate a plan given as a dict (e.g. posted to the API): ``path`` names it in errors,
    scenario paths are relative to ``base_dir`` (default: ``path``'s directory)."""
    plan = PlanDoc(copy.deepcopy(doc), path, {}, None if base_dir is None else str(base_dir))
    _check_schema(plan)
    _check_semantics(plan)
    _apply_defaults(plan)
    return plan


def _check_schema(plan: PlanDoc) -> None:
    from jsonschema import Draft202012Validator

    errors = list(Draft202012Validator(plan_schema()).iter_errors(plan.doc))
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
                msg = f"unknown key {extra[0]!r}; allowed: {', '.join(sorted(allowed))}"
        elif err.validator == "required":
            missing = re.search(r"'([^']+)' is a required property", msg)
            if missing:
                msg = f"missing required key {missing.group(1)!r}"
                path = (*path, missing.group(1))
        elif err.validator == "enum":
            msg = f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
        elif err.validator in ("minimum", "exclusiveMinimum") and path and "cost" in str(path[-1]):
            msg = f"a cost cannot be negative: {err.instance!r}"
        located.append((plan.line_of(path) or 0, -len(path), path, msg))
    located.sort(key=lambda x: (x[0], x[1]))
    _, _, path, msg = located[0]
    more = len({(x[0], x[3]) for x in located}) - 1
    if more > 0:
        msg += f" (and {more} more problem{'s' if more > 1 else ''})"
    raise plan.error(msg, path)


def _check_semantics(plan: PlanDoc) -> None:
    d = plan.doc
    for i, _s in enumerate(d["scenarios"]):
        f = plan.scenario_path(i)
        if not f.is_file():
            raise plan.error(f"scenario file not found: {f}", ("scenarios", i, "path"))
    seen: dict[str, int] = {}
    for i, m in enumerate(d["measures"]):
        where = ("measures", i)
        if m["id"] in seen:
            raise plan.error(
                f"measure id {m['id']!r} is used twice (first: measures[{seen[m['id']]}])",
                (*where, "id"),
            )
        seen[m["id"]] = i
        kind = m["kind"]
        if ("commodity" in m) == ("facility" in m):
            raise plan.error(
                "a measure acts on a 'commodity' (a national table) or on a 'facility' (a node "
                "of a BOM network): give exactly one",
                (*where, "facility" if "facility" in m else "commodity"),
            )
        target = "facility" if "facility" in m else "commodity"
        first = "facility" if "facility" in d["measures"][0] else "commodity"
        if target != first:
            raise plan.error(
                f"measures[0] acts on a {first}, this one on a {target}: a plan is on a "
                "national table (commodities) or on a BOM network (facilities), not both",
                (*where, target),
            )
        if target == "facility" and kind not in FACILITY_KINDS:
            raise plan.error(
                f"a {kind} measure acts on a commodity; on a node of a BOM network: "
                f"{', '.join(FACILITY_KINDS)}",
                (*where, "kind"),
            )
        allowed = KIND_FIELDS[kind] | COMMON_FIELDS
        for k in m:
            if k not in allowed:
                raise plan.error(
                    f"{k!r} is not a field of a {kind} measure; its fields: "
                    f"{', '.join(sorted(KIND_FIELDS[kind]))}",
                    (*where, k),
                )
        domain = m.get(
            "domain", "continuous" if kind in ("stockpile", "recycling", "capacity") else "binary"
        )
        if kind == "stockpile":
            if domain == "binary":
                if "days" not in m:
                    raise plan.error("a binary stockpile needs 'days' (its days of cover)", where)
                if "max_days" in m or "min_days" in m:
                    raise plan.error(
                        "a binary stockpile has 'days', not max_days/min_days", (*where, "domain")
                    )
            else:
                if "max_days" not in m:
                    raise plan.error(f"a {domain} stockpile needs 'max_days'", where)
                if "days" in m:
                    raise plan.error(
                        f"'days' is for a binary stockpile; a {domain} one has max_days",
                        (*where, "days"),
                    )
                if m.get("min_days", 0) > m["max_days"]:
                    raise plan.error("min_days exceeds max_days", (*where, "min_days"))
        elif kind in ("recycling", "capacity"):
            if domain == "integer":
                raise plan.error(f"a {kind} measure is continuous or binary", (*where, "domain"))
            if domain == "binary" and "share" not in m:
                raise plan.error(f"a binary {kind} measure needs 'share'", where)
            if domain == "continuous":
                if "max_share" not in m:
                    raise plan.error(f"a continuous {kind} measure needs 'max_share'", where)
                if "share" in m:
                    raise plan.error(
                        "'share' is for a binary measure; a continuous one has max_share",
                        (*where, "share"),
                    )
                if m.get("min_share", 0) > m["max_share"]:
                    raise plan.error("min_share exceeds max_share", (*where, "min_share"))
        else:
            if "domain" in m and m["domain"] != "binary":
                raise plan.error(f"a {kind} measure is binary (taken or not)", (*where, "domain"))
            need = "max_supplier_share" if kind == "diversification" else "share"
            if need not in m:
                raise plan.error(f"a {kind} measure needs {need!r}", where)
    fr = d.get("frontier") or {}
    if "points" in fr and "budgets" in fr:
        raise plan.error("frontier takes 'points' or 'budgets', not both", ("frontier",))


def _apply_defaults(plan: PlanDoc) -> None:
    d = plan.doc
    d.setdefault("description", {"en": d["name"], "ja": d["name"]})
    d.setdefault("horizon_years", 1.0)
    d.setdefault("objective", {})
    d["objective"].setdefault("cvar_alpha", 0.9)
    d["objective"].setdefault("cvar_weight", 0.0)
    d["objective"].setdefault("mip_gap", 1e-4)
    d.setdefault("frontier", {"points": 10})
    for s in d["scenarios"]:
        s.setdefault("weight", 1.0)
    for m in d["measures"]:
        kind = m["kind"]
        m.setdefault(
            "domain", "continuous" if kind in ("stockpile", "recycling", "capacity") else "binary"
        )
        m.setdefault("fixed_cost", 0.0)
        m.setdefault("mandatory", False)
        m.setdefault("name", {"en": m["id"], "ja": m["id"]})
        if kind != "stockpile":
            m.setdefault("lead_time_days", 0.0)
        if kind == "substitution_rd":
            m.setdefault("success_probability", 1.0)
