"""Exercise packages as data: the YAML format of a tabletop exercise (机上演習), its JSON Schema
(``exercise.schema.json`` beside this module) and its validation. Every error is an
:class:`ExerciseError` naming the file, the line and the field, like a scenario's, e.g.
``minerals.yaml: line 58, field 'injects[3].depends[0].option': decision 'D1' has no option
'sell'; its options: release, hold``.

Complete example (every block; texts are ``{en: ..., ja: ...}``)::

    name: critical-minerals-licensing           # [A-Za-z0-9_.-]
    title: {en: Critical-mineral export licensing, ja: 重要鉱物の輸出許可制}
    description: {en: ..., ja: ...}
    scenario: {example: gallium-germanium-licensing}   # a bundled scenario example, or
    # scenario: {path: minerals.scenario.yaml}         #   a scenario file (relative to this one)
    engine: static                              # engine the turns re-run with (default static)
    scenario_responses: drop                    # drop (default) | keep the scenario's responses
    clock: {turns: 6, days_per_turn: 30, auto_release: true, start_date: 2026-01-05}
    objectives:
      - {id: O1, text: {en: ..., ja: ...}}
    roles:                                      # kinds: facilitator, evaluator, government,
      - {id: white, kind: facilitator, name: {en: White cell, ja: 統制官}}   # large_firm, sme,
      - {id: gov, kind: government, name: {en: ..., ja: ...}}               # industry_association
    injects:                                    # the MSEL
      - id: "1"                                 # MSEL number
        turn: 1                                 # the turn it falls due
        from: MOFCOM                            # a role id or a simulated actor
        to: [gov, firm]                         # role ids
        channel: news                           # news | intelligence | supplier_notice |
                                                #   government_announcement | other
        subject: {en: ..., ja: ...}
        text: {en: ..., ja: ...}
        expected_action: {en: ..., ja: ...}
        marking: {tlp: AMBER, clearance: 1}     # hub marking (intelligence items)
        manual: false                           # true: held for the facilitator to fire
        depends:                                # see fukugan.exercises.rules
          - {decision: D1, option: release, taken: true, effect: hold}
          - {decision: D1, taken: false, effect: change, text: {en: ..., ja: ...}}
    decisions:
      - id: D1
        turn: 1                                 # opens in turn 1 ...
        closes: 2                               # ... and may be taken until turn 2 (default 1)
        role: gov                               # the one role that takes it
        objective: O1
        prompt: {en: ..., ja: ...}
        options:
          - id: release
            label: {en: ..., ja: ...}
            responses:                          # scenario responses (fukugan.scenarios.schema)
              - {type: stockpile_release, commodity: gallium, days_of_cover: 60}
              # - {type: export_control_countermeasure, commodity: gallium, relief: 0.3,
              #    lead_time_days: 30, ramp_days: 30}
              # - {type: public_support, sector: C26, fraction: 0.2}
              # - {type: restoration, region: hokkaido, sectors: [C10T12], fraction: 0.5}
              #   (engine: firms — a share of the capacity the shocks take comes back)
          - {id: hold, label: {en: ..., ja: ...}, responses: []}
    kpis:          # production_loss | loss_to_date | peak_loss | days_to_recovery |
                   # sector_loss (sector) | shortage (sector); engine exposure:
                   # production_loss | sector_loss | lost_units (facility: an end product) |
                   # time_to_survive (facility: a disrupted node)
      - {id: loss, metric: production_loss, label: {en: ..., ja: ...}, roles: [gov]}

Checks beyond the schema: unique ids; roles, decisions, options and objectives referred to
exist; turns fit the clock and the clock the scenario's horizon; an inject depends only on
decisions that can be taken before it falls due; a ``change`` says what changes; rationing is
decided at one decision point at most; every option's responses are valid scenario responses.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from fukugan.scenarios.schema import (
    Scenario,
    ScenarioError,
    _check_schema,
    format_path,
    load_scenario,
    schema,
)
from fukugan.scenarios.yamldoc import parse_mapping, read_text

__all__ = [
    "EXAMPLES",
    "ENGINE_METRICS",
    "PACKAGES",
    "SCHEMA_PATH",
    "ExerciseError",
    "ExercisePackage",
    "bundled_packages",
    "exercise_schema",
    "load_package",
    "parse_package",
]

SCHEMA_PATH = Path(__file__).with_name("exercise.schema.json")
EXAMPLES = Path(__file__).with_name("examples")
PACKAGES = Path(__file__).with_name("exercise_packages")
JsonPath = tuple[str | int, ...]


class ExerciseError(ScenarioError):
    """A bad exercise package: names the file, the line and the field."""


@lru_cache(maxsize=1)
def exercise_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass
class ExercisePackage:
    """A validated package: ``doc`` (ids as text), the scenario it plays, where fields were."""

    doc: dict[str, Any]
    scenario: Scenario
    path: str | None = None
    text: str = ""
    lines: dict[JsonPath, int] = field(default_factory=dict, repr=False)
    #: the scenario document as written in its file (no defaults applied)
    scenario_doc: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return str(self.doc["name"])

    def line_of(self, path: JsonPath) -> int | None:
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get(())

    def error(self, message: str, path: JsonPath) -> ExerciseError:
        return ExerciseError(
            message, path=self.path, line=self.line_of(path), field=format_path(path) or None
        )


def bundled_packages() -> list[Path]:
    """The exercise packages shipped with fukugan."""
    return sorted(p for p in PACKAGES.glob("*.yaml") if not p.name.endswith(".scenario.yaml"))


def _as_exercise_error(p: dict) -> ExerciseError:
    return ExerciseError(p["message"], path=p["file"], line=p["line"], field=p["field"])


def load_package(path: str | Path) -> ExercisePackage:
    """Read and validate an exercise package file (module doc)."""
    return parse_package(read_text(path, error=ExerciseError), path=str(path))


def parse_package(text: str, *, path: str | None = None) -> ExercisePackage:
    """Parse YAML text and validate it (schema, then the checks of the module doc)."""
    doc, lines = parse_mapping(
        text,
        path=path,
        what="exercise package",
        keys="name, title, scenario, clock, roles, injects, decisions, kpis",
        error=ExerciseError,
    )
    doc = _dates_as_text(doc)
    holder = Scenario(doc, path, lines)
    try:
        _check_schema(holder, exercise_schema())
    except ScenarioError as e:  # the same problems, as the package's own error
        err = ExerciseError(e.message, path=path, line=e.line, field=e.field)
        raise err.also([_as_exercise_error(p) for p in e.problems[1:]]) from None
    doc = _ids_as_text(doc)
    pkg = ExercisePackage(doc, None, path, text, lines)  # type: ignore[arg-type]
    pkg.scenario = _scenario(pkg)
    _check_semantics(pkg)
    return pkg


def package_from_dict(doc: dict[str, Any], *, path: str | None = None) -> ExercisePackage:
    """Validate a package given as a dict (as the workspace store keeps it)."""
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    return parse_package(text, path=path)


def _dates_as_text(v: Any) -> Any:
    """YAML reads ``2026-01-05`` as a date: keep it as the text written."""
    import datetime as dt

    if isinstance(v, dict):
        return {k: _dates_as_text(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_dates_as_text(x) for x in v]
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def _ids_as_text(doc: dict[str, Any]) -> dict[str, Any]:
    """MSEL numbers may be written as integers; ids are text from here on."""
    d = copy.deepcopy(doc)
    for block in ("objectives", "roles", "injects", "decisions", "kpis"):
        for item in d.get(block, []) or []:
            item["id"] = str(item["id"])
            for k in ("objective", "role", "decision", "option"):
                if k in item:
                    item[k] = str(item[k])
            for dep in item.get("depends", []) or []:
                dep["decision"] = str(dep["decision"])
                if "option" in dep:
                    dep["option"] = str(dep["option"])
            for opt in item.get("options", []) or []:
                opt["id"] = str(opt["id"])
            if "roles" in item:
                item["roles"] = [str(r) for r in item["roles"]]
    return d


def _scenario(pkg: ExercisePackage) -> Scenario:
    ref = pkg.doc["scenario"]
    if ("example" in ref) == ("path" in ref):
        raise pkg.error("scenario needs exactly one of 'example' or 'path'", ("scenario",))
    if "example" in ref:
        f = EXAMPLES / f"{ref['example']}.yaml"
        if not f.is_file():
            known = ", ".join(sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
            raise pkg.error(
                f"no bundled scenario {ref['example']!r}; examples: {known}",
                ("scenario", "example"),
            )
    else:
        base = Path(pkg.path).parent if pkg.path else Path.cwd()
        f = Path(ref["path"]) if Path(ref["path"]).is_absolute() else base / ref["path"]
        if not f.is_file():
            raise pkg.error(f"scenario file not found: {f}", ("scenario", "path"))
    sc = load_scenario(f)  # its own errors name the scenario file
    # the document as written (before defaults): what the turns add responses to and validate
    # again (a validated document with its defaults applied is not always valid input)
    pkg.scenario_doc = _dates_as_text(yaml.safe_load(f.read_text(encoding="utf-8-sig")))
    return sc


_LOSS_CURVE = ("production_loss", "loss_to_date", "peak_loss", "days_to_recovery", "sector_loss")
#: The KPI metrics each engine computes (:mod:`fukugan.exercises.kpis` defines them): the
#: exposure engine's time-to-recover LP gives each outage's loss as one figure, recorded on the
#: day the node is back, so it has no loss so far, peak or day of recovery; only the static
#: engine cuts imports (shortage).
ENGINE_METRICS: dict[str, tuple[str, ...]] = {
    "static": (*_LOSS_CURVE, "shortage"),
    "ario": _LOSS_CURVE,
    "firms": _LOSS_CURVE,
    "exposure": ("production_loss", "sector_loss", "lost_units", "time_to_survive"),
}


def _unique(pkg: ExercisePackage, block: str, items: list[dict[str, Any]]) -> set[str]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item["id"] in seen:
            raise pkg.error(f"duplicate id {item['id']!r}", (block, i, "id"))
        seen.add(item["id"])
    return seen


#: fields of the two exercise response kinds (the others are the scenario's)
_EXTRA_RESPONSES = {
    "export_control_countermeasure": (
        {"relief"},
        {"type", "commodity", "relief", "lead_time_days", "ramp_days", "start"},
    ),
    "public_support": ({"fraction"}, {"type", "sector", "commodity", "fraction", "start"}),
}


def _check_response(pkg: ExercisePackage, r: dict[str, Any], where: JsonPath) -> None:
    kind = r["type"]
    if kind in _EXTRA_RESPONSES:
        need, allowed = _EXTRA_RESPONSES[kind]
        for k in sorted(set(r) - allowed):
            raise pkg.error(
                f"unknown key {k!r}; allowed: {', '.join(sorted(allowed))}", (*where, k)
            )
        for k in sorted(need - set(r)):
            raise pkg.error(f"missing required key {k!r}", (*where, k))
        for k in ("relief", "fraction"):
            if k in r and not (isinstance(r[k], (int, float)) and 0 <= r[k] <= 1):
                raise pkg.error(f"{r[k]!r} must be a number in [0, 1]", (*where, k))
        for k in ("lead_time_days", "ramp_days", "start"):
            if k in r and not (isinstance(r[k], int) and r[k] >= 0):
                raise pkg.error(f"days must be a whole number ≥ 0: {r[k]!r}", (*where, k))
        if kind == "public_support" and ("sector" in r) == ("commodity" in r):
            raise pkg.error("public_support needs exactly one of 'sector' or 'commodity'", where)
        return
    sub = {"$defs": schema()["$defs"], "$ref": f"#/$defs/response_{kind}"}
    holder = Scenario(r, pkg.path, {})
    try:
        _check_schema(holder, sub)
    except ScenarioError as e:
        inner = tuple(
            int(x) if x.isdigit() else x
            for x in (e.field or "").replace("[", ".").replace("]", "").split(".")
            if x
        )
        raise pkg.error(e.message, (*where, *inner)) from None
    if kind == "rationing" and r["rule"] == "priority" and not r.get("priority"):
        raise pkg.error("rule 'priority' needs a 'priority' list of sectors", where)


def _check_semantics(pkg: ExercisePackage) -> None:
    d = pkg.doc
    turns = int(d["clock"]["turns"])
    dpt = int(d["clock"]["days_per_turn"])
    horizon = pkg.scenario.horizon
    if turns * dpt > horizon:
        raise pkg.error(
            f"{turns} turns of {dpt} days ({turns * dpt} days) run past the scenario's horizon "
            f"of {horizon} days",
            ("clock", "turns"),
        )
    objectives = _unique(pkg, "objectives", d.get("objectives", []) or [])
    roles = _unique(pkg, "roles", d["roles"])
    kinds = {r["id"]: r["kind"] for r in d["roles"]}
    if "facilitator" not in kinds.values():
        raise pkg.error(
            "an exercise needs a role of kind 'facilitator' (the white cell)", ("roles",)
        )
    players = {r for r, k in kinds.items() if k not in ("facilitator", "evaluator")}
    if not players:
        raise pkg.error("an exercise needs at least one player role", ("roles",))
    decisions = {x["id"]: x for x in d["decisions"]}
    _unique(pkg, "decisions", d["decisions"])
    _unique(pkg, "injects", d["injects"])
    _unique(pkg, "kpis", d["kpis"])

    def objective(ref: Any, where: JsonPath) -> None:
        if ref is not None and ref not in objectives:
            raise pkg.error(
                f"unknown objective {ref!r}; objectives: {', '.join(sorted(objectives)) or 'none'}",
                where,
            )

    from fukugan.scenarios.playbook import playbook, practice_ref

    cited = set()
    for i, book_id in enumerate(d.get("playbooks", []) or []):
        if playbook(book_id) is None:
            raise pkg.error(f"unknown playbook {book_id!r}", ("playbooks", i))
        cited.add(book_id)
    rationing_points: list[str] = []
    for i, dp in enumerate(d["decisions"]):
        where: JsonPath = ("decisions", i)
        for j, opt in enumerate(dp["options"]):
            ref = opt.get("practice")
            if ref is None:
                continue
            at = (*where, "options", j, "practice")
            if ref.split("/")[0] not in cited:
                raise pkg.error(
                    f"practice {ref!r}: its playbook is not in the package's playbooks "
                    f"({', '.join(sorted(cited)) or 'none'})",
                    at,
                )
            if practice_ref(ref) is None:
                raise pkg.error(f"unknown practice {ref!r}", at)
        if dp["turn"] > turns:
            raise pkg.error(f"turn {dp['turn']} is after the last turn ({turns})", (*where, "turn"))
        closes = dp.get("closes", dp["turn"])
        if not dp["turn"] <= closes <= turns:
            raise pkg.error(
                f"closes in turn {closes}: must be between its turn ({dp['turn']}) and the last "
                f"turn ({turns})",
                (*where, "closes"),
            )
        if dp["role"] not in roles:
            raise pkg.error(
                f"unknown role {dp['role']!r}; roles: {', '.join(sorted(roles))}", (*where, "role")
            )
        if dp["role"] not in players:
            raise pkg.error(
                f"role {dp['role']!r} ({kinds[dp['role']]}) does not play: decisions belong to player roles",
                (*where, "role"),
            )
        objective(dp.get("objective"), (*where, "objective"))
        opt_ids: set[str] = set()
        for j, opt in enumerate(dp["options"]):
            if opt["id"] in opt_ids:
                raise pkg.error(f"duplicate option {opt['id']!r}", (*where, "options", j, "id"))
            opt_ids.add(opt["id"])
            for k, r in enumerate(opt.get("responses", []) or []):
                _check_response(pkg, r, (*where, "options", j, "responses", k))
                if r["type"] == "rationing" and dp["id"] not in rationing_points:
                    rationing_points.append(dp["id"])
    if len(rationing_points) > 1:
        raise pkg.error(
            "rationing may be decided at one decision point only (the engines take one rule); "
            f"found at {', '.join(rationing_points)}",
            ("decisions",),
        )
    for i, inj in enumerate(d["injects"]):
        where = ("injects", i)
        if inj["turn"] > turns:
            raise pkg.error(
                f"turn {inj['turn']} is after the last turn ({turns})", (*where, "turn")
            )
        to = inj["to"] if isinstance(inj["to"], list) else [inj["to"]]
        for k, r in enumerate(to):
            if r not in roles:
                raise pkg.error(
                    f"unknown role {r!r}; roles: {', '.join(sorted(roles))}",
                    (*where, "to", k) if isinstance(inj["to"], list) else (*where, "to"),
                )
        objective(inj.get("objective"), (*where, "objective"))
        for k, dep in enumerate(inj.get("depends", []) or []):
            w = (*where, "depends", k)
            dp = decisions.get(dep["decision"])
            if dp is None:
                raise pkg.error(
                    f"unknown decision {dep['decision']!r}; decisions: {', '.join(sorted(decisions)) or 'none'}",
                    (*w, "decision"),
                )
            if "option" in dep and dep["option"] not in {o["id"] for o in dp["options"]}:
                raise pkg.error(
                    f"decision {dp['id']!r} has no option {dep['option']!r}; its options: "
                    + ", ".join(o["id"] for o in dp["options"]),
                    (*w, "option"),
                )
            if dp["turn"] >= inj["turn"]:
                raise pkg.error(
                    f"decision {dp['id']!r} opens in turn {dp['turn']}: an inject of turn "
                    f"{inj['turn']} can depend only on decisions of earlier turns (a decision "
                    "counts from the turn after it is taken)",
                    (*w, "decision"),
                )
            if dep["effect"] == "change" and not any(
                k2 in dep for k2 in ("subject", "text", "expected_action")
            ):
                raise pkg.error("a 'change' needs a new subject, text or expected_action", w)
            if dep["effect"] != "change" and any(
                k2 in dep for k2 in ("subject", "text", "expected_action")
            ):
                raise pkg.error(f"only a 'change' carries new texts, not a {dep['effect']!r}", w)
    engine = d.get("engine", "static")
    for i, k in enumerate(d["kpis"]):
        where = ("kpis", i)
        if k["metric"] not in ENGINE_METRICS[engine]:
            raise pkg.error(
                f"the {engine} engine does not compute {k['metric']}; its KPI metrics: "
                + ", ".join(ENGINE_METRICS[engine]),
                (*where, "metric"),
            )
        if engine == "exposure":
            if "sector" in k:
                raise pkg.error(
                    "the BOM network has nodes, not sectors: name the node with 'facility:'",
                    (*where, "sector"),
                )
            if k["metric"] in ("sector_loss", "time_to_survive") and "facility" not in k:
                raise pkg.error(f"KPI metric {k['metric']} needs a 'facility'", where)
        else:
            if "facility" in k:
                raise pkg.error(
                    "'facility' names a node of a BOM network (engine: exposure)",
                    (*where, "facility"),
                )
            if k["metric"] in ("sector_loss", "shortage") and "sector" not in k:
                raise pkg.error(f"KPI metric {k['metric']} needs a 'sector'", where)
        for j, r in enumerate(k.get("roles", []) or []):
            if r not in roles:
                raise pkg.error(f"unknown role {r!r}", (*where, "roles", j))
