"""Use case: the playbook library (:mod:`fukugan.scenarios.playbook`) with what exercises taught.

For each practice of a playbook: its text and sources, and — from the exercises in the
workspace that the viewer takes part in (deny by default: an exercise the viewer plays no role
in shows nothing) — the decisions that followed it, whether the planner's best response
followed it too, and the lessons players tied to it. That is how exercises update the library:
each lesson recorded against a practice appears under it, with the exercise it came from.
"""

from __future__ import annotations

from typing import Any

from fukugan.errors import UnknownItemError
from fukugan.scenarios.playbook import Playbook, bundled_playbooks, playbook, text_in

__all__ = ["library", "playbook_view"]


def library(lang: str = "en") -> list[dict[str, Any]]:
    """The bundled playbooks: id, title, hazard, summary, number of practices."""
    return [
        {
            "id": b.id,
            "title": text_in(b.doc["title"], lang),
            "hazard": b.doc["hazard"],
            "summary": text_in(b.doc["summary"], lang),
            "n_practices": len(b.practices),
        }
        for b in bundled_playbooks()
    ]


def _evidence(book: Playbook, exercises: Any, user_id: int | None, lang: str) -> dict:
    """Per practice ref: decisions that followed it, best-response choices, lessons."""
    out: dict[str, dict[str, list]] = {
        f"{book.id}/{p['id']}": {"decisions": [], "best": [], "lessons": []} for p in book.practices
    }
    if exercises is None or user_id is None:
        return out
    for e in exercises.list():
        if exercises.role_of(e["id"], user_id) is None:
            continue  # not the viewer's exercise: nothing of it is shown
        ex = exercises.exercise(e["id"])
        if book.id not in ex.playbooks:
            continue
        title = ex.title.get(lang)
        state = exercises.state(e["id"])
        for d in state["decisions"]:
            opt = ex.decision(d["point"]).option(d["option"])
            if opt.practice in out:
                out[opt.practice]["decisions"].append(
                    {"exercise": e["id"], "title": title, "point": d["point"],
                     "option": opt.label.get(lang), "turn": d["turn"]}
                )  # fmt: skip
        best = next((r for r in exercises.runs(e["id"]) if r["label"] == "best"), None)
        for d in (best or {}).get("decisions", []) if (best or {}).get("status") == "done" else []:
            dp = ex.decision(d["point"])
            opt = dp.option(d["option"]) if dp else None
            if opt is not None and opt.practice in out:
                out[opt.practice]["best"].append({"exercise": e["id"], "title": title})
        for ev in exercises.events(e["id"]):
            ref = ev["payload"].get("practice") if ev["kind"] == "lesson" else None
            if ref in out:
                role = ex.role(ev["role"])
                out[ref]["lessons"].append(
                    {"exercise": e["id"], "title": title, "text": ev["payload"]["text"],
                     "role": role.name.get(lang) if role else ev["role"], "turn": ev["turn"]}
                )  # fmt: skip
    return out


def playbook_view(
    book_id: str, lang: str = "en", *, exercises: Any = None, user_id: int | None = None
) -> dict[str, Any]:
    """One playbook for a page or the CLI: its practices with their sources, and for each what
    the viewer's exercises (an :class:`~fukugan.services.exercises.ExerciseService`) taught."""
    book = playbook(book_id)
    if book is None:
        raise UnknownItemError(f"no playbook {book_id!r}")
    evidence = _evidence(book, exercises, user_id, lang)
    return {
        "id": book.id,
        "title": text_in(book.doc["title"], lang),
        "hazard": book.doc["hazard"],
        "summary": text_in(book.doc["summary"], lang),
        "sources": list(book.doc["sources"]),
        "practices": [
            {
                "ref": f"{book.id}/{p['id']}",
                "id": p["id"],
                "title": text_in(p["title"], lang),
                "text": text_in(p["text"], lang),
                "responses": list(p.get("responses", []) or []),
                "sources": [book.source(s) for s in p["sources"]],
                **evidence[f"{book.id}/{p['id']}"],
            }
            for p in book.practices
        ],
    }
