"""Reading the YAML files of fukugan's formats (scenarios, plans, exercise packages): the one
reader that knows the line of every field, so that every error names file, line and field.

>>> doc, lines = parse_mapping("name: x\\nshocks:\\n  - type: outage\\n", what="scenario",
...                            keys="name, engine, data, ...")
>>> doc["shocks"][0]["type"], lines[("shocks", 0, "type")]
('outage', 3)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from fukugan.errors import InputError

__all__ = [
    "JsonPath",
    "ScenarioError",
    "format_path",
    "index_nodes",
    "parse_mapping",
    "parse_path",
    "read_text",
]

JsonPath = tuple[str | int, ...]


class ScenarioError(InputError):
    """A bad scenario: names the file, the line (1-based) and the field (a JSON-like path).

    >>> str(ScenarioError("must be in [0, 1]", path="s.yaml", line=7, field="shocks[0].cut"))
    "s.yaml: line 7, field 'shocks[0].cut': must be in [0, 1]"
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.line = line
        #: Every problem found, this one first: ``[{file, line, field, message}]`` (a schema
        #: check and the upload's data check report all of them at once).
        self.problems: list[dict[str, Any]] = [
            {"file": str(path) if path else None, "line": line, "field": field, "message": message}
        ]
        super().__init__(message, path=path, row=line, field=field)

    def also(self, others: list[ScenarioError]) -> ScenarioError:
        """This error carrying ``others`` too (each listed after it in ``str``)."""
        for o in others:
            self.problems.extend(o.problems)
        return self

    def _one(self, p: dict[str, Any]) -> str:
        loc = ", ".join(
            x
            for x in (
                f"line {p['line']}" if p["line"] is not None else "",
                f"field {p['field']!r}" if p["field"] else "",
            )
            if x
        )
        return f"{loc}: {p['message']}" if loc else str(p["message"])

    def __str__(self) -> str:
        first = self._first()
        if len(self.problems) > 1:
            rest = "; ".join(self._one(p) for p in self.problems[1:])
            return f"{first} (and {len(self.problems) - 1} more: {rest})"
        return first

    def _first(self) -> str:
        where = [self.path] if self.path else []
        loc = []
        if self.line is not None:
            loc.append(f"line {self.line}")
        if self.field:
            loc.append(f"field {self.field!r}")
        if loc:
            where.append(", ".join(loc))
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


def format_path(path: JsonPath) -> str:
    """``("shocks", 0, "cut")`` → ``"shocks[0].cut"``.

    >>> format_path(("shocks", 0, "recovery", "days")), format_path(())
    ('shocks[0].recovery.days', '')
    """
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_SEG = re.compile(r"([a-z_]+)|\[([0-9]+)\]")


def parse_path(text: str) -> JsonPath:
    """``"shocks[0].cut"`` → ``("shocks", 0, "cut")`` (inverse of :func:`format_path`).

    >>> parse_path("responses[2].fraction")
    ('responses', 2, 'fraction')
    """
    return tuple(
        int(m.group(2)) if m.group(2) is not None else m.group(1) for m in _SEG.finditer(text)
    )


def read_text(path: str | Path, *, error: type[ScenarioError] = ScenarioError) -> str:
    """The UTF-8 text of a YAML file (a byte-order mark is dropped); ``error`` (a
    :class:`ScenarioError` class) names the file when it is missing, a directory or not UTF-8."""
    p = Path(path)
    if not p.exists():
        raise error("file not found", path=p)
    if p.is_dir():
        raise error("expected a YAML file, got a directory", path=p)
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(f"not UTF-8 text ({e.reason})", path=p) from None


def parse_mapping(
    text: str,
    *,
    path: str | None = None,
    what: str,
    keys: str,
    error: type[ScenarioError] = ScenarioError,
) -> tuple[dict[str, Any], dict[JsonPath, int]]:
    """``(document, line of every field)`` of YAML text that must be a mapping (``what`` with
    ``keys`` names it in the message when it is not). YAML syntax errors, duplicate keys and an
    empty file raise ``error`` naming the line."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise error(f"empty {what} file", path=path, line=1)
            lines: dict[JsonPath, int] = {}
            index_nodes(node, (), lines, path, error=error)
            doc = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = " ".join(x for x in (e.context, e.problem) if x) or "YAML syntax error"
        raise error(
            f"YAML syntax error: {problem}", path=path, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as e:
        raise error(f"YAML error: {e}", path=path) from None
    if not isinstance(doc, dict):
        raise error(
            f"{'an' if what[0] in 'aeiou' else 'a'} {what} is a mapping of keys ({keys}), "
            f"not a {type(doc).__name__}",
            path=path,
            line=1,
        )
    return doc, lines


def index_nodes(
    node: yaml.Node,
    path: JsonPath,
    lines: dict,
    file: str | None,
    *,
    error: type[ScenarioError] = ScenarioError,
) -> None:
    """Record the line of every node by path; refuse duplicate keys."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k.start_mark)
            if key in seen:
                raise error(
                    f"duplicate key {key!r} (first on line {seen[key]})",
                    path=file,
                    line=k.start_mark.line + 1,
                    field=format_path((*path, key)),
                )
            seen[key] = k.start_mark.line + 1
            index_nodes(v, (*path, key), lines, file, error=error)
            lines[(*path, key)] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            index_nodes(v, (*path, i), lines, file, error=error)
