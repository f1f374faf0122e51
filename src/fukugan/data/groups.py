"""Country groups: the configurable "like-minded" group and reference groups (G7, EU27, MSP, OECD).

The groups live in a data file (``groups.yaml`` next to this module, read here; the core
indicators take the member sets, see :mod:`fukugan.indicators.groups`) with the membership
date, rationale and sources of each. The default like-minded group is the export-control
coalition: countries committed to export controls on Russia and Belarus substantially similar to
the US controls (15 CFR 746 Supplement No. 3), plus the United States -- that is G7 + EU27 +
Australia, Iceland, Korea, Liechtenstein, New Zealand, Norway, Switzerland and Taiwan. The file
explains why. A user passes a file of the same format to use another group.

>>> len(like_minded())
39
>>> sorted(group("g7"))
['CAN', 'DEU', 'FRA', 'GBR', 'ITA', 'JPN', 'USA']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from fukugan.data.countries import is_iso3
from fukugan.errors import InputError, UnknownItemError

DEFAULT_GROUP_FILE = "groups.yaml"
LIKE_MINDED = "like_minded"


@dataclass(frozen=True)
class CountryGroup:
    """One group from a group file, with its documentation."""

    name: str
    members: frozenset[str]
    description: str = ""
    as_of: str = ""
    rationale: str = ""
    sources: tuple[str, ...] = ()


def _read_text(path: str | Path | None) -> tuple[str, str]:
    if path is None:
        text = resources.files("fukugan.data").joinpath(DEFAULT_GROUP_FILE).read_text("utf-8")
        return text, f"<bundled {DEFAULT_GROUP_FILE}>"
    p = Path(path)
    try:
        return p.read_text("utf-8"), str(p)
    except FileNotFoundError:
        raise InputError("group file not found", path=p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read group file ({exc})", path=p) from None


def _members(raw: Any, where: str, field: str) -> frozenset[str]:
    if not isinstance(raw, list) or not raw:
        raise InputError("members must be a non-empty list of ISO3 codes", path=where, field=field)
    out: list[str] = []
    for code in raw:
        c = str(code).strip().upper()
        if not is_iso3(c):
            raise InputError(f"{code!r} is not an ISO3 country code", path=where, field=field)
        out.append(c)
    return frozenset(out)


def load_groups(path: str | Path | None = None) -> tuple[dict[str, CountryGroup], str]:
    """All groups in a group file and the name of its default (like-minded) group.

    ``path=None`` reads the bundled file. A file that is just ``members: [...]`` is one group
    named ``like_minded``.
    """
    text, where = _read_text(path)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML ({exc})", path=where) from None
    if not isinstance(doc, dict):
        raise InputError("expected a mapping with 'groups' (or 'members')", path=where)
    if "groups" not in doc:
        if "members" in doc:
            g = CountryGroup(LIKE_MINDED, _members(doc["members"], where, "members"))
            return {LIKE_MINDED: g}, LIKE_MINDED
        raise InputError("expected a 'groups' mapping or a 'members' list", path=where)
    raw_groups = doc["groups"]
    if not isinstance(raw_groups, dict) or not raw_groups:
        raise InputError("'groups' must be a non-empty mapping", path=where, field="groups")
    groups: dict[str, CountryGroup] = {}
    for name, body in raw_groups.items():
        key = str(name).strip().lower()
        if not isinstance(body, dict):
            raise InputError("each group must be a mapping", path=where, field=f"groups.{name}")
        srcs = body.get("sources") or []
        groups[key] = CountryGroup(
            name=key,
            members=_members(body.get("members"), where, f"groups.{name}.members"),
            description=" ".join(str(body.get("description", "")).split()),
            as_of=str(body.get("as_of", "")),
            rationale=" ".join(str(body.get("rationale", "")).split()),
            sources=tuple(str(s) for s in srcs) if isinstance(srcs, list) else (str(srcs),),
        )
    default = str(doc.get("default", LIKE_MINDED)).strip().lower()
    if default not in groups:
        raise InputError(
            f"default group {default!r} is not defined in 'groups'", path=where, field="default"
        )
    return groups, default


def like_minded(path: str | Path | None = None) -> frozenset[str]:
    """The like-minded group: ISO3 codes of the default group in ``path`` (or the bundled file).

    >>> {"JPN", "USA", "TWN"} <= like_minded() and "CHN" not in like_minded()
    True
    """
    groups, default = load_groups(path)
    return groups[default].members


def available_groups(path: str | Path | None = None) -> dict[str, str]:
    """Group names and one-line descriptions (``like_minded``, ``g7``, ``eu27``, ``msp``, ``oecd``).

    >>> sorted(available_groups())
    ['eu27', 'g7', 'like_minded', 'msp', 'oecd']
    """
    groups, _ = load_groups(path)
    return {name: g.description for name, g in groups.items()}


def group_info(name: str, path: str | Path | None = None) -> CountryGroup:
    """A group with its documentation (members, as-of date, rationale, sources)."""
    groups, _ = load_groups(path)
    key = str(name).strip().lower()
    if key not in groups:
        raise UnknownItemError(
            f"unknown country group {name!r}; known: {', '.join(sorted(groups))}"
        )
    return groups[key]


def group(name: str, path: str | Path | None = None) -> frozenset[str]:
    """ISO3 members of a named group.

    >>> len(group("eu27")), len(group("oecd")), "IND" in group("msp")
    (27, 38, True)
    """
    return group_info(name, path).members


def resolve_group(g: str | Iterable[str]) -> frozenset[str]:
    """A group given by name (bundled file) or as a collection of ISO3 codes."""
    if isinstance(g, str):
        return group(g)
    return frozenset(str(c) for c in g)
