"""Playbooks: the best practices a response to one kind of disruption should follow, each with
its sources — the standardisation and teaching of exercise practice the council's minutes ask
for. Exercise packages cite them: a package lists ``playbooks: [id, ...]`` and an option of a
decision point may cite ``practice: <playbook>/<practice>``; the after-action report then says
which practices the decisions followed, and the library shows, practice by practice, the
exercises that chose them and the lessons players tied to them.

The format (YAML, ``playbook.schema.json`` beside this module)::

    id: critical-mineral-export-controls
    title: {en: ..., ja: ...}
    hazard: export_control          # export_control | blackout | sanctions | supply_shock | other
    summary: {en: ..., ja: ...}
    sources:                        # where the practices come from
      - {id: CRMA, title: "Regulation (EU) 2024/1252 ...", publisher: European Union,
         year: 2024, url: "https://..."}
    practices:
      - id: P3
        title: {en: ..., ja: ...}
        text: {en: ..., ja: ...}
        responses: [alternate_sourcing]   # the response kinds that put it into practice
        sources: [CRMA]                   # ids of the sources above

Checks beyond the schema: unique practice and source ids; every practice's sources exist. A bad
playbook is a :class:`PlaybookError` naming the file, the line and the field.

>>> books = bundled_playbooks()
>>> [b.id for b in books][-2:]
['regional-blackout-continuity', 'semiconductor-supply-continuity']
>>> books[0].practice("P3")["title"]["ja"]
'危機の前に第二調達先を認定しておく'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fukugan.scenarios.schema import Scenario, ScenarioError, _check_schema, format_path
from fukugan.scenarios.yamldoc import parse_mapping, read_text

__all__ = [
    "PLAYBOOKS",
    "Playbook",
    "PlaybookError",
    "bundled_playbooks",
    "load_playbook",
    "parse_playbook",
    "playbook",
    "practice_ref",
    "practices_of",
    "text_in",
]

SCHEMA_PATH = Path(__file__).with_name("playbook.schema.json")
PLAYBOOKS = Path(__file__).with_name("playbooks")
JsonPath = tuple[str | int, ...]


class PlaybookError(ScenarioError):
    """A bad playbook: names the file, the line and the field."""


@lru_cache(maxsize=1)
def playbook_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Playbook:
    """A validated playbook (the document as written, and where its fields are)."""

    doc: dict[str, Any]
    path: str | None = None
    lines: dict[JsonPath, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return str(self.doc["id"])

    @property
    def practices(self) -> list[dict[str, Any]]:
        return list(self.doc["practices"])

    def practice(self, practice_id: str) -> dict[str, Any] | None:
        return next((p for p in self.doc["practices"] if p["id"] == practice_id), None)

    def source(self, source_id: str) -> dict[str, Any] | None:
        return next((s for s in self.doc["sources"] if s["id"] == source_id), None)


def _error(path: str | None, lines: dict, message: str, at: JsonPath) -> PlaybookError:
    p = tuple(at)
    while p and p not in lines:
        p = p[:-1]
    return PlaybookError(message, path=path, line=lines.get(p), field=format_path(at) or None)


def parse_playbook(text: str, *, path: str | None = None) -> Playbook:
    """Parse YAML text and validate it (schema, then the checks of the module doc)."""
    doc, lines = parse_mapping(
        text, path=path, what="playbook", keys="id, title, hazard, summary, sources, practices",
        error=PlaybookError,
    )  # fmt: skip
    holder = Scenario(doc, path, lines)
    try:
        _check_schema(holder, playbook_schema())
    except ScenarioError as e:
        raise PlaybookError(e.message, path=path, line=e.line, field=e.field) from None
    sources: set[str] = set()
    for i, s in enumerate(doc["sources"]):
        if s["id"] in sources:
            raise _error(path, lines, f"duplicate source id {s['id']!r}", ("sources", i, "id"))
        sources.add(s["id"])
    seen: set[str] = set()
    for i, p in enumerate(doc["practices"]):
        if p["id"] in seen:
            raise _error(path, lines, f"duplicate practice id {p['id']!r}", ("practices", i, "id"))
        seen.add(p["id"])
        for k, ref in enumerate(p["sources"]):
            if ref not in sources:
                raise _error(
                    path, lines,
                    f"unknown source {ref!r}; the playbook's sources: {', '.join(sorted(sources))}",
                    ("practices", i, "sources", k),
                )  # fmt: skip
    return Playbook(doc, path, lines)


def load_playbook(path: str | Path) -> Playbook:
    """Read and validate a playbook file."""
    return parse_playbook(read_text(path, error=PlaybookError), path=str(path))


@lru_cache(maxsize=1)
def _bundled() -> tuple[Playbook, ...]:
    return tuple(load_playbook(p) for p in sorted(PLAYBOOKS.glob("*.yaml")))


def bundled_playbooks() -> list[Playbook]:
    """The playbooks shipped with fukugan (the library), by id."""
    return sorted(_bundled(), key=lambda b: b.id)


def playbook(playbook_id: str) -> Playbook | None:
    """A bundled playbook by id, or ``None``."""
    return next((b for b in _bundled() if b.id == playbook_id), None)


def practice_ref(ref: str) -> tuple[Playbook, dict[str, Any]] | None:
    """The playbook and practice of a citation ``<playbook>/<practice>``, or ``None``.

    >>> book, p = practice_ref("regional-blackout-continuity/P4")
    >>> book.id, p["responses"]
    ('regional-blackout-continuity', ['rationing'])
    >>> practice_ref("regional-blackout-continuity/P99") is None
    True
    """
    book_id, sep, practice_id = str(ref).partition("/")
    book = playbook(book_id) if sep else None
    p = book.practice(practice_id) if book else None
    return (book, p) if book is not None and p is not None else None


def text_in(text: dict[str, str], lang: str) -> str:
    """A playbook text (``{en, ja}``) in ``lang``, English where it has none."""
    return text.get(lang) or text["en"]


def practices_of(exercise: Any, lang: str = "en") -> list[dict[str, str]]:
    """The practices of the playbooks an exercise cites (``exercise.playbooks``): ``ref``
    (``<playbook>/<practice>``), ``title`` and ``playbook`` (its title) in ``lang``."""
    out = []
    for book_id in getattr(exercise, "playbooks", ()) or ():
        book = playbook(book_id)
        if book is None:
            continue
        for p in book.practices:
            out.append(
                {
                    "ref": f"{book.id}/{p['id']}",
                    "id": p["id"],
                    "title": text_in(p["title"], lang),
                    "playbook": text_in(book.doc["title"], lang),
                }
            )
    return out
