"""STIX 2.1 export and import of hub intelligence items (issue 5, C6).

Mapping (one intelligence item -> a few STIX objects):

* The item is a STIX ``report`` SDO. A report is the STIX object for "collections of threat
  intelligence focused on one or more topics", it carries a name, a description, a confidence and
  ``object_refs`` to the things it is about, and it is what OpenCTI and MISP exchange as a unit
  (OpenCTI "Report", MISP "Event"). ``note`` needs an object it annotates and ``indicator`` needs a
  detection pattern; neither fits an export-control notice or a geopolitical assessment.
  ``report_types`` holds the fukugan item type (an open vocabulary, so any string is valid).
* ``name`` = title, ``description`` = body, ``confidence`` = confidence (both 0-100),
  ``published`` = valid_from, ``external_references[0].source_name`` = source.
* The author organisation is an ``identity`` (identity_class ``organization``) referenced by
  ``created_by_ref``.
* Each linked country is a ``location`` with ``country`` = ISO 3166-1 alpha-2 (what STIX 2.1
  specifies) and ``x_fukugan_iso3`` = our ISO3 code; locations are referenced by ``object_refs``.
* Everything STIX has no property for is a custom property with the ``x_fukugan_`` prefix:
  ``x_fukugan_item_id``, ``x_fukugan_item_type``, ``x_fukugan_source``, ``x_fukugan_valid_from``,
  ``x_fukugan_valid_until``, ``x_fukugan_commodities``, ``x_fukugan_hs_codes``,
  ``x_fukugan_industries``, ``x_fukugan_firms``, ``x_fukugan_sharing_groups`` and
  ``x_fukugan_clearance``.
* TLP is an ``object_marking_refs`` entry pointing to the official TLP 2.0 marking definitions
  published by OASIS (cti-stix-common-objects, extension-definition-specifications/tlp-2.0, schema
  ``marking-definition.json``; extension ``extension-definition--60a3c5c5-...``); the marking
  objects are included in the bundle. TLP 1.0 markings (stix2's ``TLP_WHITE`` ... ``TLP_RED``,
  what MISP and older OpenCTI emit) are accepted on import, WHITE -> CLEAR.

Sharing groups and clearance round-trip through ``x_fukugan_sharing_groups`` and
``x_fukugan_clearance`` on the report: a fukugan -> fukugan exchange keeps them exactly. OpenCTI
and MISP ignore (drop) unknown custom properties, so a bundle that went through them comes back
with TLP only; the importer then applies ``default_sharing_groups`` / ``default_clearance`` (the
importing organisation's defaults, chosen by the caller) and never widens an item's audience
silently: when no TLP marking is present it uses ``default_tlp`` (AMBER unless told otherwise).

Import validation raises :class:`fukugan.errors.InputError` naming the STIX object id (as
``path``) and the property (as ``field``): unknown marking, missing title, bad country code, bad
confidence, bad dates, bad item type.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import stix2

from fukugan.errors import InputError
from fukugan.hub.models import ITEM_TYPES, TLP_LEVELS

TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
# Fixed ids from OASIS cti-stix-common-objects, extension-definition-specifications/tlp-2.0.
TLP2_IDS: dict[str, str] = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0 ids predefined by the STIX 2.1 specification (section 7.2.1.4) and by stix2.
TLP1_IDS: dict[str, str] = {
    stix2.TLP_WHITE.id: "CLEAR",
    stix2.TLP_GREEN.id: "GREEN",
    stix2.TLP_AMBER.id: "AMBER",
    stix2.TLP_RED.id: "RED",
}
_KNOWN_TLP_IDS: dict[str, str] = {**{v: k for k, v in TLP2_IDS.items()}, **TLP1_IDS}

# Namespace for deterministic ids (uuid5) so re-exports of an item yield the same STIX ids.
_NS = uuid.UUID("5f1c3c2e-6b1e-4d8a-9d0f-6675b0a6a001")


@dataclass(frozen=True)
class IntelItemData:
    """One hub intelligence item, as plain data (the hub maps its ORM rows to and from this)."""

    id: str
    type: str
    title: str
    body: str
    source: str
    confidence: int
    valid_from: datetime
    valid_until: datetime | None
    author_org: str
    countries: list[str] = field(default_factory=list)  # ISO3
    commodities: list[str] = field(default_factory=list)
    hs_codes: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    firms: list[str] = field(default_factory=list)
    tlp: str = "AMBER"
    sharing_groups: list[str] = field(default_factory=list)
    clearance: int = 0


@lru_cache(maxsize=1)
def _iso_maps() -> tuple[dict[str, str], dict[str, str]]:
    from fukugan.data.countries import _converter

    df = _converter().data
    iso3_to_2 = {str(a3): str(a2) for a2, a3 in zip(df["ISO2"], df["ISO3"], strict=True)}
    iso2_to_3 = {a2: a3 for a3, a2 in iso3_to_2.items()}
    return iso3_to_2, iso2_to_3


def _uid(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(_NS, f'{kind}:{key}')}"


def _ts(d: datetime) -> datetime:
    return d if d.tzinfo is not None else d.replace(tzinfo=UTC)


def tlp_marking(level: str) -> stix2.v21.MarkingDefinition:
    """The official TLP 2.0 marking-definition object for ``level`` (e.g. ``"AMBER+STRICT"``)."""
    level = level.upper()
    if level not in TLP2_IDS:
        raise InputError(f"unknown TLP level {level!r}; expected one of {', '.join(TLP_LEVELS)}")
    return stix2.v21.MarkingDefinition(
        id=TLP2_IDS[level],
        created=TLP2_CREATED,
        name=f"TLP:{level}",
        extensions={
            TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level.lower()}
        },
    )


def _check_item(item: IntelItemData, where: str) -> None:
    if item.type not in ITEM_TYPES:
        raise InputError(f"unknown item type {item.type!r}", path=where, field="type")
    if not item.title or not item.title.strip():
        raise InputError("missing title", path=where, field="title")
    if not isinstance(item.confidence, int) or not 0 <= item.confidence <= 100:
        raise InputError(
            f"confidence {item.confidence!r} not an integer 0-100", path=where, field="confidence"
        )
    if item.tlp not in TLP_LEVELS:
        raise InputError(f"unknown TLP level {item.tlp!r}", path=where, field="tlp")
    if not isinstance(item.clearance, int) or not 0 <= item.clearance <= 3:
        raise InputError(
            f"clearance {item.clearance!r} not an integer 0-3", path=where, field="clearance"
        )
    if item.valid_until is not None and _ts(item.valid_until) < _ts(item.valid_from):
        raise InputError("valid_until before valid_from", path=where, field="valid_until")
    iso3_to_2, _ = _iso_maps()
    for c in item.countries:
        if c not in iso3_to_2:
            raise InputError(f"bad ISO3 country code {c!r}", path=where, field="countries")


def to_stix_bundle(items: list[IntelItemData], *, namespace: str = "") -> stix2.Bundle:
    """A STIX 2.1 bundle of reports (one per item) with their identities, locations and TLP
    marking definitions. Ids are deterministic (uuid5 of the fukugan id / code); a report's
    id also covers ``namespace`` (the exporting hub's identity), so item 1 of two hubs are two
    reports in OpenCTI, while re-exports from one hub keep their ids."""
    iso3_to_2, _ = _iso_maps()
    objects: dict[str, Any] = {}
    for item in items:
        where = f"item {item.id}"
        _check_item(item, where)
        if not item.author_org:
            raise InputError("missing author organisation", path=where, field="author_org")
        marking = tlp_marking(item.tlp)
        objects.setdefault(marking.id, marking)
        ident = stix2.v21.Identity(
            id=_uid("identity", item.author_org),
            created=TLP2_CREATED,
            modified=TLP2_CREATED,
            name=item.author_org,
            identity_class="organization",
        )
        objects.setdefault(ident.id, ident)
        refs = []
        for c in item.countries:
            loc = stix2.v21.Location(
                id=_uid("location", c),
                created=TLP2_CREATED,
                modified=TLP2_CREATED,
                name=c,
                country=iso3_to_2[c],
                x_fukugan_iso3=c,
                allow_custom=True,
            )
            objects.setdefault(loc.id, loc)
            refs.append(loc.id)
        vf = _ts(item.valid_from)
        custom = {
            "x_fukugan_item_id": str(item.id),
            "x_fukugan_item_type": item.type,
            "x_fukugan_source": item.source,
            "x_fukugan_valid_from": vf.isoformat(),
            "x_fukugan_valid_until": (
                _ts(item.valid_until).isoformat() if item.valid_until is not None else None
            ),
            "x_fukugan_commodities": list(item.commodities),
            "x_fukugan_hs_codes": list(item.hs_codes),
            "x_fukugan_industries": list(item.industries),
            "x_fukugan_firms": list(item.firms),
            "x_fukugan_sharing_groups": list(item.sharing_groups),
            "x_fukugan_clearance": item.clearance,
        }
        # stix2 rejects empty lists and None: leave those properties out.
        custom = {k: v for k, v in custom.items() if v is not None and v != []}
        report = stix2.v21.Report(
            id=_uid("report", f"{namespace}:{item.id}" if namespace else str(item.id)),
            created=vf,
            modified=vf,
            published=vf,
            name=item.title,
            description=item.body or None,
            report_types=[item.type],
            confidence=item.confidence,
            created_by_ref=ident.id,
            object_refs=refs or [ident.id],
            object_marking_refs=[marking.id],
            external_references=(
                [{"source_name": item.source, "description": "source of the item"}]
                if item.source
                else None
            ),
            allow_custom=True,
            **custom,
        )
        objects[report.id] = report
    return stix2.Bundle(objects=list(objects.values()), allow_custom=True)


def _load(bundle_or_json: Any) -> dict[str, Any]:
    if isinstance(bundle_or_json, stix2.Bundle):
        return json.loads(bundle_or_json.serialize())
    if isinstance(bundle_or_json, bytes | str):
        try:
            doc = json.loads(bundle_or_json)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc}", path="bundle") from None
    else:
        doc = bundle_or_json
    if not isinstance(doc, dict) or doc.get("type") != "bundle":
        raise InputError("not a STIX bundle (type != 'bundle')", path="bundle", field="type")
    if not isinstance(doc.get("objects", []), list):
        raise InputError("objects is not a list", path=str(doc.get("id")), field="objects")
    return doc


def _tlp_of_marking(mid: str, obj: dict[str, Any] | None, where: str) -> str | None:
    """TLP level of a marking definition; None for a harmless statement marking; error else."""
    if mid in _KNOWN_TLP_IDS:
        return _KNOWN_TLP_IDS[mid]
    if obj is None:
        raise InputError(
            f"unknown marking {mid!r} (not in bundle)", path=where, field="object_marking_refs"
        )
    ext = (obj.get("extensions") or {}).get(TLP2_EXTENSION_ID)
    if isinstance(ext, dict) and "tlp_2_0" in ext:
        value = str(ext["tlp_2_0"])
    else:
        dtype = str(obj.get("definition_type", "")).lower()
        definition = obj.get("definition") or {}
        if dtype == "statement":
            return None
        value = ""
        if dtype == "tlp" and isinstance(definition, dict):
            value = str(next((v for k, v in definition.items() if k.lower() == "tlp"), ""))
        if not value and str(obj.get("name", "")).upper().startswith("TLP:"):
            value = str(obj["name"])
    value = value.upper().removeprefix("TLP:").strip()
    if value == "WHITE":
        value = "CLEAR"
    if value not in TLP_LEVELS:
        raise InputError(f"unknown marking {mid!r}", path=mid, field="definition")
    return value


def _parse_dt(value: Any, where: str, fieldname: str) -> datetime:
    try:
        return _ts(datetime.fromisoformat(str(value)))
    except ValueError:
        raise InputError(f"bad timestamp {value!r}", path=where, field=fieldname) from None


def _str_list(obj: dict[str, Any], key: str, where: str) -> list[str]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError("expected a list of strings", path=where, field=key)
    return list(value)


def from_stix_bundle(
    bundle_or_json: Any,
    *,
    default_tlp: str = "AMBER",
    default_sharing_groups: list[str] | None = None,
    default_clearance: int = 0,
    default_type: str = "geopolitical_assessment",
    default_confidence: int = 50,
) -> list[IntelItemData]:
    """Items from every ``report`` of a STIX 2.1 bundle (a ``stix2.Bundle``, a dict or JSON).

    Several TLP markings on one report: the most restrictive wins. Markings other than TLP and
    ``statement`` are rejected (a restriction we do not understand cannot be enforced).
    """
    doc = _load(bundle_or_json)
    by_id = {o.get("id"): o for o in doc.get("objects", []) if isinstance(o, dict)}
    _, iso2_to_3 = _iso_maps()
    items = []
    for obj in doc.get("objects", []):
        if not isinstance(obj, dict) or obj.get("type") != "report":
            continue
        rid = str(obj.get("id", "report--?"))
        title = obj.get("name")
        if not isinstance(title, str) or not title.strip():
            raise InputError("missing title", path=rid, field="name")
        levels = []
        for mid in obj.get("object_marking_refs", []) or []:
            level = _tlp_of_marking(str(mid), by_id.get(mid), rid)
            if level is not None:
                levels.append(level)
        tlp = max(levels, key=TLP_LEVELS.index) if levels else default_tlp
        countries: list[str] = []
        for ref in obj.get("object_refs", []) or []:
            loc = by_id.get(ref)
            if not loc or loc.get("type") != "location" or "country" not in loc:
                continue
            code = str(loc["country"]).upper()
            iso3 = loc.get("x_fukugan_iso3") or iso2_to_3.get(code)
            if iso3 is None or iso2_to_3.get(code) != iso3:
                raise InputError(
                    f"bad country code {loc['country']!r}", path=str(ref), field="country"
                )
            if iso3 not in countries:
                countries.append(iso3)
        author = obj.get("x_fukugan_author_org")
        creator = by_id.get(obj.get("created_by_ref"))
        if author is None and creator is not None:
            author = creator.get("name")
        source = obj.get("x_fukugan_source")
        if source is None:
            refs = obj.get("external_references") or []
            source = refs[0].get("source_name", "") if refs else (author or "")
        item_type = obj.get("x_fukugan_item_type")
        if item_type is None:
            rtypes = [str(t).replace("-", "_") for t in obj.get("report_types", []) or []]
            item_type = next((t for t in rtypes if t in ITEM_TYPES), default_type)
        valid_from = _parse_dt(
            obj.get("x_fukugan_valid_from") or obj.get("published") or obj.get("created"),
            rid,
            "published",
        )
        vu = obj.get("x_fukugan_valid_until")
        confidence = obj.get("confidence", default_confidence)
        clearance = obj.get("x_fukugan_clearance", default_clearance)
        sharing = (
            _str_list(obj, "x_fukugan_sharing_groups", rid)
            if "x_fukugan_sharing_groups" in obj
            else list(default_sharing_groups or [])
        )
        item = IntelItemData(
            id=str(obj.get("x_fukugan_item_id", rid)),
            type=str(item_type),
            title=title,
            body=str(obj.get("description", "")),
            source=str(source),
            confidence=confidence,
            valid_from=valid_from,
            valid_until=_parse_dt(vu, rid, "x_fukugan_valid_until") if vu else None,
            author_org=str(author or ""),
            countries=countries,
            commodities=_str_list(obj, "x_fukugan_commodities", rid),
            hs_codes=_str_list(obj, "x_fukugan_hs_codes", rid),
            industries=_str_list(obj, "x_fukugan_industries", rid),
            firms=_str_list(obj, "x_fukugan_firms", rid),
            tlp=tlp,
            sharing_groups=sharing,
            clearance=clearance,
        )
        _check_item(item, rid)
        items.append(item)
    return items
