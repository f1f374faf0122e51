"""Documents the code points to are in the repository (``docs/PRODUCT.md``, ``docs/PITFALLS.md``
and any other ``docs/*.md`` named in a docstring, a comment or ``pyproject.toml``)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REF = re.compile(r"\bdocs/([A-Za-z0-9_-]+\.md)\b")


def test_referenced_documents_exist() -> None:
    files = [*ROOT.joinpath("src").rglob("*.py"), *ROOT.joinpath("benchmarks").rglob("*.py")]
    files += [ROOT / "pyproject.toml", ROOT / "README.md", ROOT / "Makefile"]
    named = {m.group(1) for f in files for m in REF.finditer(f.read_text(encoding="utf-8"))}
    assert {"PRODUCT.md", "PITFALLS.md"} <= named
    missing = sorted(n for n in named if not (ROOT / "docs" / n).is_file())
    assert not missing, f"named but not in docs/: {missing}"
