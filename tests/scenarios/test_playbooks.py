"""Playbooks: the bundled library is valid and bilingual, a bad playbook names its file, line
and field, and exercise packages may cite only practices that exist in playbooks they list."""

from __future__ import annotations

import pytest

from fukugan.scenarios.exercise import PACKAGES, ExerciseError, bundled_packages, parse_package
from fukugan.scenarios.playbook import (
    PLAYBOOKS,
    PlaybookError,
    bundled_playbooks,
    parse_playbook,
    practice_ref,
)


def test_bundled_playbooks_are_valid_bilingual_and_sourced():
    books = bundled_playbooks()
    assert len(books) == 4
    for b in books:
        assert b.doc["title"]["en"] != b.doc["title"]["ja"]
        for p in b.practices:
            assert p["text"]["en"] and p["text"]["ja"] and p["text"]["en"] != p["text"]["ja"]
            assert all(b.source(s) is not None for s in p["sources"])


def test_every_bundled_package_cites_practices_that_exist():
    for path in bundled_packages():
        pkg = parse_package(path.read_text(encoding="utf-8"), path=str(path))
        books = pkg.doc.get("playbooks") or []
        assert books, path.name
        refs = [o["practice"] for d in pkg.doc["decisions"] for o in d["options"]
                if o.get("practice")]  # fmt: skip
        assert refs and all(practice_ref(r) is not None for r in refs)
        assert {r.split("/")[0] for r in refs} <= set(books)


BOOK = (PLAYBOOKS / "regional-blackout-continuity.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "old, new, field, message",
    [
        ("hazard: blackout", "hazard: earthquake", "hazard", "earthquake"),
        ("    sources: [OCCTO]\n  - id: P2", "    sources: [NOPE]\n  - id: P2",
         "practices[0].sources[0]", "unknown source 'NOPE'"),
        ("  - id: P2\n", "  - id: P1\n", "practices[1].id", "duplicate practice id 'P1'"),
    ],
)  # fmt: skip
def test_bad_playbook_names_file_line_and_field(old, new, field, message):
    assert old in BOOK
    with pytest.raises(PlaybookError) as e:
        parse_playbook(BOOK.replace(old, new, 1), path="book.yaml")
    assert e.value.field == field and message in str(e.value)
    assert e.value.path == "book.yaml" and e.value.line is not None


PKG = (PACKAGES / "hokkaido-winter-blackout.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "old, new, field, message",
    [
        ("playbooks: [regional-blackout-continuity]", "playbooks: [no-such-book]",
         "playbooks[0]", "unknown playbook 'no-such-book'"),
        ("practice: regional-blackout-continuity/P1", "practice: regional-blackout-continuity/P9",
         "decisions[0].options[0].practice", "unknown practice"),
        ("practice: regional-blackout-continuity/P1", "practice: economic-coercion-response/P2",
         "decisions[0].options[0].practice", "not in the package's playbooks"),
    ],
)  # fmt: skip
def test_packages_cite_only_practices_of_their_playbooks(old, new, field, message):
    assert old in PKG
    with pytest.raises(ExerciseError) as e:
        parse_package(PKG.replace(old, new, 1), path=str(PACKAGES / "x.yaml"))
    assert e.value.field == field and message in str(e.value), str(e.value)
    assert e.value.line is not None
