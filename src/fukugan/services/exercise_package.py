"""An exercise package's decisions as scenario responses, and the package checked against the
data it plays on (the options' responses, every one at once where it can).

The scenario each turn is re-run with is the package's scenario plus the responses of the
decisions taken (:func:`fukugan.exercises.responses.scenario_with_responses`).
"""

from __future__ import annotations

from typing import Any

from fukugan.exercises.responses import scenario_with_responses
from fukugan.scenarios.exercise import ExercisePackage
from fukugan.scenarios.schema import ScenarioError, parse_path, scenario_from_dict
from fukugan.store.analytic import AnalyticStore

__all__ = ["check_package", "scenario_doc"]


def _taken(ex_doc: dict[str, Any], decisions: list[dict[str, Any]]) -> list[tuple]:
    """(point, option, turn, responses) of each decision, for the response mapping."""
    points = {d["id"]: d for d in ex_doc["decisions"]}
    out = []
    for d in decisions:
        dp = points[d["point"]]
        opt = next(o for o in dp["options"] if o["id"] == d["option"])
        out.append((d["point"], d["option"], int(d["turn"]), opt.get("responses", []) or []))
    return out


def scenario_doc(pkg_doc: dict[str, Any], base_doc: dict[str, Any], decisions: list) -> dict:
    """The package's scenario ``base_doc`` with the responses of ``decisions`` (records with
    ``point``, ``option``, ``turn``), each from the start of the turn after it was taken."""
    return scenario_with_responses(
        base_doc,
        _taken(pkg_doc, decisions),
        int(pkg_doc["clock"]["days_per_turn"]),
        keep_scenario_responses=pkg_doc.get("scenario_responses", "drop") == "keep",
    )


def check_package(pkg: ExercisePackage, store: AnalyticStore) -> None:
    """Check every option's responses against the data the scenario runs on (commodities the
    scenario cuts, sectors of the table): an error names the package's file, line and field."""
    from fukugan.services.engines import prepare

    engine = pkg.doc.get("engine", "static")
    base = dict(pkg.scenario_doc)
    scenario = scenario_from_dict(scenario_doc(pkg.doc, base, []), path=pkg.scenario.path)
    prepare(scenario, store, engine)  # the scenario itself (errors name its file)

    # every option's responses at once, except rationing (one rule per run); then the options
    # with a rationing rule one by one — and option by option when that fails, to name it
    def rations(o: dict) -> bool:
        return any(r["type"] == "rationing" for r in o.get("responses", []) or [])

    every = [
        {"point": dp["id"], "option": o["id"], "turn": dp["turn"]}
        for dp in pkg.doc["decisions"]
        for o in dp["options"]
        if o.get("responses") and not rations(o)
    ]
    try:
        sc = scenario_from_dict(scenario_doc(pkg.doc, base, every), path=pkg.scenario.path)
        prepare(sc, store, engine)
        only = [(i, dp) for i, dp in enumerate(pkg.doc["decisions"])
                if any(rations(o) for o in dp["options"])]  # fmt: skip
    except ScenarioError:
        only = list(enumerate(pkg.doc["decisions"]))
    for i, dp in only:
        for j, opt in enumerate(dp["options"]):
            if not opt.get("responses"):
                continue
            where = ("decisions", i, "options", j, "responses")
            one = [{"point": dp["id"], "option": opt["id"], "turn": dp["turn"]}]
            try:
                sc = scenario_from_dict(scenario_doc(pkg.doc, base, one), path=pkg.scenario.path)
                prepare(sc, store, engine)
            except ScenarioError as e:
                k = _response_index(e.field, pkg.doc, base)
                rest = parse_path(e.field or "")[2:]  # responses[n].<rest>
                at = (*where, k, *rest) if k is not None else where
                raise pkg.error(e.message, at) from None


def _response_index(field: str | None, pkg_doc: dict, base: dict) -> int | None:
    import re

    m = re.match(r"responses\[(\d+)\]", field or "")
    if not m:
        return None
    n = int(m.group(1))
    if pkg_doc.get("scenario_responses", "drop") == "keep":
        n -= len(base.get("responses", []) or [])
    return n if n >= 0 else None
