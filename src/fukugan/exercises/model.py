"""The exercise model (pure data): roles, the master scenario events list (MSEL) of injects with
their dependency rules, decision points whose options map to scenario responses, KPIs.

Built from a validated package document (:func:`exercise_from_doc`; the YAML format and its
validation are :mod:`fukugan.scenarios.exercise`). Every user-facing text is a ``{en, ja}``
mapping (:class:`Text`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fukugan.errors import FukuganError

__all__ = [
    "CHANNELS",
    "EFFECTS",
    "KPI_METRICS",
    "PLAYER_KINDS",
    "RESPONSE_TYPES",
    "ROLE_KINDS",
    "DecisionPoint",
    "Dependency",
    "Exercise",
    "ExerciseRefused",
    "Inject",
    "Kpi",
    "Option",
    "Role",
    "Text",
    "exercise_from_doc",
]

ROLE_KINDS = (
    "facilitator",
    "evaluator",
    "government",
    "large_firm",
    "sme",
    "industry_association",
    "other",
)
#: role kinds that play (see injects, take decisions); facilitator and evaluator do not
PLAYER_KINDS = ("government", "large_firm", "sme", "industry_association", "other")
CHANNELS = ("news", "intelligence", "supplier_notice", "government_announcement", "other")
#: what a dependency does when its condition holds: ``fire`` (the inject fires only if it
#: holds, else it is suppressed), ``hold`` (the inject waits for the facilitator), ``change``
#: (the inject's subject / text / expected action are replaced)
EFFECTS = ("fire", "hold", "change")
RESPONSE_TYPES = (
    "stockpile_release",
    "alternate_sourcing",
    "substitution",
    "rationing",
    "export_control_countermeasure",
    "public_support",
)
KPI_METRICS = (
    "production_loss",
    "loss_to_date",
    "peak_loss",
    "days_to_recovery",
    "sector_loss",
    "shortage",
)


class ExerciseRefused(FukuganError):
    """A conduct action that is refused (late, twice, wrong role, wrong state): nothing changed.
    ``key`` and ``params`` give the message in either language (:meth:`text`)."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        from fukugan.i18n import t

        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class Text:
    """A text in English and Japanese."""

    en: str
    ja: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" and self.ja else self.en

    @staticmethod
    def of(v: Any) -> Text:
        if isinstance(v, Text):
            return v
        if isinstance(v, dict):
            return Text(str(v.get("en", "")), str(v.get("ja", v.get("en", ""))))
        return Text(str(v or ""), str(v or ""))

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "ja": self.ja}


@dataclass(frozen=True)
class Role:
    id: str
    kind: str
    name: Text

    @property
    def plays(self) -> bool:
        return self.kind in PLAYER_KINDS


@dataclass(frozen=True)
class Dependency:
    """``effect`` applies when decision ``decision`` was (``taken``) or was not taken — with
    option ``option`` when given, else any of its options — by the time the inject is due."""

    decision: str
    effect: str
    taken: bool = True
    option: str | None = None
    subject: Text | None = None
    text: Text | None = None
    expected_action: Text | None = None


@dataclass(frozen=True)
class Inject:
    id: str
    turn: int
    sender: str  # "from": a role id or a simulated actor (e.g. "MOFCOM")
    to: tuple[str, ...]
    channel: str
    subject: Text
    text: Text
    expected_action: Text = field(default_factory=lambda: Text("", ""))
    dependencies: tuple[Dependency, ...] = ()
    manual: bool = False  # held for the facilitator whatever the rules say
    tlp: str | None = None  # hub marking (intelligence injects)
    clearance: int = 0
    objective: str | None = None


@dataclass(frozen=True)
class Option:
    id: str
    label: Text
    responses: tuple[dict[str, Any], ...] = ()
    practice: str | None = None  # the playbook practice it follows, ``<playbook>/<practice>``


@dataclass(frozen=True)
class DecisionPoint:
    id: str
    turn: int  # the turn it opens
    closes: int  # the last turn it can be taken in
    role: str
    prompt: Text
    options: tuple[Option, ...]
    objective: str | None = None

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Kpi:
    id: str
    metric: str
    label: Text
    sector: str | None = None
    roles: tuple[str, ...] = ()  # empty = every player role
    better: str = "lower"
    facility: str | None = None  # a node of the BOM network (exposure engine)


@dataclass(frozen=True)
class Exercise:
    name: str
    title: Text
    description: Text
    turns: int
    days_per_turn: int
    roles: tuple[Role, ...]
    injects: tuple[Inject, ...]
    decisions: tuple[DecisionPoint, ...]
    kpis: tuple[Kpi, ...]
    objectives: tuple[tuple[str, Text], ...] = ()
    playbooks: tuple[str, ...] = ()
    auto_release: bool = True
    start_date: str | None = None

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def inject(self, inject_id: str) -> Inject | None:
        return next((i for i in self.injects if i.id == inject_id), None)

    def decision(self, point_id: str) -> DecisionPoint | None:
        return next((d for d in self.decisions if d.id == point_id), None)

    def first_day(self, turn: int) -> int:
        """Scenario day at which ``turn`` starts (turn 1 starts on day 0)."""
        return (turn - 1) * self.days_per_turn

    def effective_day(self, turn: int) -> int:
        """Scenario day from which a decision taken in ``turn`` acts: the start of the next
        turn (the players decide during the turn; the simulation moves on when it ends)."""
        return turn * self.days_per_turn

    def kpis_for(self, role_id: str) -> tuple[Kpi, ...]:
        role = self.role(role_id)
        if role is None:
            return ()
        if not role.plays:  # facilitator and evaluator see every KPI
            return self.kpis
        return tuple(k for k in self.kpis if not k.roles or role_id in k.roles)


def _dep(d: dict[str, Any]) -> Dependency:
    return Dependency(
        decision=str(d["decision"]),
        effect=str(d.get("effect", "fire")),
        taken=bool(d.get("taken", True)),
        option=d.get("option"),
        subject=Text.of(d["subject"]) if "subject" in d else None,
        text=Text.of(d["text"]) if "text" in d else None,
        expected_action=Text.of(d["expected_action"]) if "expected_action" in d else None,
    )


def exercise_from_doc(doc: dict[str, Any]) -> Exercise:
    """The :class:`Exercise` of a validated package document."""
    clock = doc.get("clock", {}) or {}
    roles = tuple(
        Role(str(r["id"]), str(r["kind"]), Text.of(r.get("name", r["id"]))) for r in doc["roles"]
    )
    injects = []
    for i in doc.get("injects", []) or []:
        marking = i.get("marking") or {}
        to = i["to"]
        injects.append(
            Inject(
                id=str(i["id"]),
                turn=int(i["turn"]),
                sender=str(i.get("from", "")),
                to=tuple(str(x) for x in (to if isinstance(to, list) else [to])),
                channel=str(i.get("channel", "news")),
                subject=Text.of(i.get("subject", "")),
                text=Text.of(i["text"]),
                expected_action=Text.of(i.get("expected_action", "")),
                dependencies=tuple(_dep(d) for d in i.get("depends", []) or []),
                manual=bool(i.get("manual", False)),
                tlp=marking.get("tlp"),
                clearance=int(marking.get("clearance", 0)),
                objective=i.get("objective"),
            )
        )
    decisions = []
    for d in doc.get("decisions", []) or []:
        decisions.append(
            DecisionPoint(
                id=str(d["id"]),
                turn=int(d["turn"]),
                closes=int(d.get("closes", d["turn"])),
                role=str(d["role"]),
                prompt=Text.of(d["prompt"]),
                options=tuple(
                    Option(
                        str(o["id"]),
                        Text.of(o["label"]),
                        tuple(dict(r) for r in o.get("responses", []) or []),
                        o.get("practice"),
                    )
                    for o in d["options"]
                ),
                objective=d.get("objective"),
            )
        )
    kpis = tuple(
        Kpi(
            id=str(k["id"]),
            metric=str(k["metric"]),
            label=Text.of(k.get("label", k["id"])),
            sector=k.get("sector"),
            roles=tuple(k.get("roles", []) or []),
            better="higher" if k["metric"] == "time_to_survive" else "lower",
            facility=k.get("facility"),
        )
        for k in doc.get("kpis", []) or []
    )
    return Exercise(
        name=str(doc["name"]),
        title=Text.of(doc.get("title", doc["name"])),
        description=Text.of(doc.get("description", "")),
        turns=int(clock.get("turns", 1)),
        days_per_turn=int(clock.get("days_per_turn", 30)),
        roles=roles,
        injects=tuple(injects),
        decisions=tuple(decisions),
        kpis=kpis,
        objectives=tuple((str(o["id"]), Text.of(o["text"])) for o in doc.get("objectives", [])),
        playbooks=tuple(str(b) for b in doc.get("playbooks", []) or []),
        auto_release=bool(clock.get("auto_release", True)),
        start_date=str(clock["start_date"]) if clock.get("start_date") else None,
    )
