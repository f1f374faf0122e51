"""The package's layers, enforced: every ``import`` in ``src/fukugan`` (module level and inside
functions) goes only downward, and the core is pure.

    leaf        fukugan, errors, results, provenance, supply_network, i18n
    core        indicators, iomodels, dynamics, exposure, planning, exercises  (pure)
    data in     data, store, scenarios (the scenario file format)
    services    services, hub                      (the façade's parts; load data, call the core)
    app         app                                (the one façade every interface uses)
    interfaces  reports < api < web < server < cli

A layer imports its own and the layers below it, with two exceptions that keep the core and the
data readers independent of each other: the core never imports ``data in`` (it is handed
arrays) and ``data in`` never imports the core (it hands plain tables and leaf types on).
The README's layout section says the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "fukugan"

LEAF = "leaf"
CORE = "core"
DATA = "data"
SERVICES = "services"
APP = "app"

#: Top-level module or package of ``fukugan`` → its layer.
LAYER_OF: dict[str, str] = {
    "": LEAF,  # fukugan/__init__.py (the version)
    "errors": LEAF,
    "checks": LEAF,
    "results": LEAF,
    "provenance": LEAF,
    "supply_network": LEAF,
    "firm_network": LEAF,
    "i18n": LEAF,
    "indicators": CORE,
    "iomodels": CORE,
    "dynamics": CORE,
    "exposure": CORE,
    "planning": CORE,
    "exercises": CORE,
    "data": DATA,
    "store": DATA,
    "scenarios": DATA,
    "services": SERVICES,
    "hub": SERVICES,
    "app": APP,
    "reports": "reports",
    "api": "api",
    "web": "web",
    "server": "server",
    "cli": "cli",
}

#: What each layer may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    LEAF: set(),
    CORE: {LEAF},
    DATA: {LEAF},
    SERVICES: {LEAF, CORE, DATA},
    APP: {LEAF, CORE, DATA, SERVICES},
    "reports": {LEAF, CORE, DATA, SERVICES, APP},
    "api": {LEAF, CORE, DATA, SERVICES, APP, "reports"},
    "web": {LEAF, CORE, DATA, SERVICES, APP, "reports", "api"},
    "server": {LEAF, CORE, DATA, SERVICES, APP, "reports", "api", "web"},
    "cli": {LEAF, CORE, DATA, SERVICES, APP, "reports", "api", "web", "server"},
}

#: Modules the pure core must not import (file, network, process or store access).
IMPURE_MODULES = {
    "shutil", "subprocess", "socket", "io", "tempfile", "glob", "pathlib", "importlib",
    "yaml", "json", "csv", "gzip", "duckdb", "sqlalchemy", "alembic", "pyarrow", "requests",
    "httpx", "urllib", "fastapi", "dask", "distributed",
}  # fmt: skip
#: Calls and attributes that do I/O (the builtin ``open``, pandas' and pathlib's file methods).
IMPURE_NAMES = {"open", "read_csv", "read_parquet", "to_parquet", "to_csv", "read_text",
                "write_text", "read_bytes", "write_bytes"}  # fmt: skip
#: ``os`` is allowed for introspection (CPU count, fork hooks); these of its functions are not.
IMPURE_OS = {"environ", "putenv", "unsetenv", "system", "remove", "unlink", "rename", "replace",
             "makedirs", "mkdir", "rmdir", "listdir", "scandir", "walk", "chdir", "dup",
             "dup2", "open"}  # fmt: skip


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def _name_of(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(["fukugan", *parts])


def _layer(module: str) -> str:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    if top not in LAYER_OF:
        raise AssertionError(f"{module}: no layer assigned (add its package to LAYER_OF)")
    return LAYER_OF[top]


def _imports(tree: ast.AST, here: str, is_pkg: bool) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this module
                base = here.split(".") if is_pkg else here.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            out.append((node.lineno, mod))
            # ``from fukugan import api`` imports the subpackage
            if mod == "fukugan":
                out += [
                    (node.lineno, f"fukugan.{a.name}")
                    for a in node.names
                    if (SRC / a.name).is_dir() or (SRC / f"{a.name}.py").is_file()
                ]
    return out


def _violations() -> tuple[list[str], list[str]]:
    layering: list[str] = []
    purity: list[str] = []
    for path in _modules():
        here = _name_of(path)
        mine = _layer(here)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel = path.relative_to(SRC.parent)
        for line, mod in _imports(tree, here, path.name == "__init__.py"):
            if mod.split(".")[0] == "fukugan":
                if mod == "fukugan":
                    continue
                theirs = _layer(mod)
                if theirs != mine and theirs not in ALLOWED[mine]:
                    layering.append(f"{rel}:{line}: {mine} imports {theirs} ({mod})")
            elif mine == CORE and mod.split(".")[0] in IMPURE_MODULES:
                purity.append(f"{rel}:{line}: the core imports {mod}")
        if mine == CORE:
            for node in ast.walk(tree):
                name = None
                if isinstance(node, ast.Name):
                    name = node.id
                elif isinstance(node, ast.Attribute):
                    name = node.attr
                    owner = node.value
                    if isinstance(owner, ast.Name) and owner.id == "os" and name in IMPURE_OS:
                        purity.append(f"{rel}:{node.lineno}: the core uses os.{name}")
                        continue
                if name in IMPURE_NAMES:
                    purity.append(f"{rel}:{node.lineno}: the core uses {name}")
    return layering, purity


LAYERING, PURITY = _violations()


def test_every_module_has_a_layer() -> None:
    for path in _modules():
        _layer(_name_of(path))


def test_imports_only_go_downward() -> None:
    assert not LAYERING, "imports against the layers:\n" + "\n".join(LAYERING)


def test_the_core_is_pure() -> None:
    assert not PURITY, "I/O or environment changes in the core:\n" + "\n".join(PURITY)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from fukugan.services import x\n", "core imports services"),
        ("import fukugan.api.app\n", "core imports api"),
        ("def f():\n    from fukugan.data.usgs import y\n", "core imports data"),
        ("from fukugan import web\n", "core imports web"),
    ],
)
def test_the_check_catches_upward_imports(source: str, expected: str, tmp_path: Path) -> None:
    """The checker itself: an upward import placed in a core module is reported."""
    tree = ast.parse(source)
    found = [
        f"core imports {_layer(m)}"
        for _, m in _imports(tree, "fukugan.iomodels.x", False)
        if m.startswith("fukugan.") and _layer(m) not in ALLOWED[CORE] | {CORE}
    ]
    assert expected in found


#: Tests at the top of tests/: the checks of the whole tree (layers, docs, labels, definitions).
CROSS_CUTTING_TESTS = {"test_layers.py", "test_docs.py", "test_i18n.py", "test_definitions.py"}


def test_tests_mirror_src() -> None:
    """Every folder of tests/ is named for a package of src/fukugan (its tests live there), and
    only the checks of the whole tree sit at the top."""
    tests = Path(__file__).resolve().parent
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    folders = {p.name for p in tests.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert folders <= packages, sorted(folders - packages)
    top = {p.name for p in tests.glob("test_*.py")}
    assert top <= CROSS_CUTTING_TESTS, sorted(top - CROSS_CUTTING_TESTS)
