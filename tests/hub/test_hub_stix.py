"""STIX 2.1 export/import of hub items: round trip, TLP 2.0 ids, OpenCTI/MISP-shaped imports."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import stix2
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.errors import InputError
from fukugan.hub.stix import (
    ITEM_TYPES,
    TLP2_IDS,
    TLP_LEVELS,
    IntelItemData,
    from_stix_bundle,
    to_stix_bundle,
)


def _item(**kw) -> IntelItemData:
    base = dict(
        id="42",
        type="export_control",
        title="Gallium export licensing",
        body="Licences now required for gallium and germanium exports.",
        source="MOFCOM notice 2023/23",
        confidence=80,
        valid_from=datetime(2023, 8, 1, tzinfo=UTC),
        valid_until=datetime(2024, 8, 1, tzinfo=UTC),
        author_org="METI",
        countries=["CHN", "JPN"],
        commodities=["gallium", "germanium"],
        hs_codes=["811292"],
        industries=["semiconductors"],
        firms=["Acme Wafers"],
        tlp="AMBER+STRICT",
        sharing_groups=["semis-consortium"],
        clearance=2,
    )
    base.update(kw)
    return IntelItemData(**base)


def test_official_tlp2_ids():
    # OASIS cti-stix-common-objects, extension-definition-specifications/tlp-2.0
    assert TLP2_IDS["AMBER+STRICT"] == "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    assert TLP2_IDS["CLEAR"] == "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"


def test_export_shape():
    b = json.loads(to_stix_bundle([_item()]).serialize())
    by_type: dict[str, list] = {}
    for o in b["objects"]:
        by_type.setdefault(o["type"], []).append(o)
    (report,) = by_type["report"]
    assert report["object_marking_refs"] == [TLP2_IDS["AMBER+STRICT"]]
    (md,) = by_type["marking-definition"]
    assert md["name"] == "TLP:AMBER+STRICT"
    assert {loc["country"] for loc in by_type["location"]} == {"CN", "JP"}
    assert report["x_fukugan_sharing_groups"] == ["semis-consortium"]
    assert report["x_fukugan_clearance"] == 2
    assert by_type["identity"][0]["name"] == "METI"


def test_round_trip_json():
    items = [
        _item(),
        _item(
            id="43",
            tlp="CLEAR",
            countries=[],
            valid_until=None,
            sharing_groups=[],
            clearance=0,
            commodities=[],
            hs_codes=[],
            industries=[],
            firms=[],
            body="",
            type="market_signal",
        ),
    ]
    text = to_stix_bundle(items).serialize()
    assert from_stix_bundle(text) == items
    assert from_stix_bundle(stix2.parse(text, allow_custom=True)) == items


_word = st.text(alphabet="abcdefghij -", min_size=1, max_size=8).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None)
@given(
    type_=st.sampled_from(ITEM_TYPES),
    tlp=st.sampled_from(TLP_LEVELS),
    conf=st.integers(0, 100),
    clearance=st.integers(0, 3),
    countries=st.lists(st.sampled_from(["CHN", "JPN", "USA", "DEU", "KOR", "COD"]), unique=True),
    groups=st.lists(_word, unique=True, max_size=3),
    hs=st.lists(st.from_regex(r"\d{6}", fullmatch=True), unique=True, max_size=3),
    title=_word,
)
def test_round_trip_property(type_, tlp, conf, clearance, countries, groups, hs, title):
    item = _item(
        type=type_,
        tlp=tlp,
        confidence=conf,
        clearance=clearance,
        countries=countries,
        sharing_groups=groups,
        hs_codes=hs,
        title=title,
    )
    assert from_stix_bundle(to_stix_bundle([item]).serialize()) == [item]


def _foreign_report(marking_ref: str, extra_objects: list) -> dict:
    return {
        "type": "bundle",
        "id": "bundle--0b3b5b1e-1b0a-4c51-9c89-3f1e1d7a0001",
        "objects": [
            *extra_objects,
            {
                "type": "identity",
                "spec_version": "2.1",
                "id": "identity--7b82b010-b1c0-4dae-981f-7756374a17df",
                "created": "2024-01-01T00:00:00.000Z",
                "modified": "2024-01-01T00:00:00.000Z",
                "name": "CERT Example",
                "identity_class": "organization",
            },
            {
                "type": "location",
                "spec_version": "2.1",
                "id": "location--5acd8b26-51c2-4608-86ed-e9edd43ad971",
                "created": "2024-01-01T00:00:00.000Z",
                "modified": "2024-01-01T00:00:00.000Z",
                "name": "China",
                "country": "CN",
                "x_opencti_location_type": "Country",
            },
            {
                "type": "report",
                "spec_version": "2.1",
                "id": "report--a1d6e4f0-6f4a-4f4e-9d3a-2b7e0c1f0002",
                "created": "2024-03-01T10:00:00.000Z",
                "modified": "2024-03-02T10:00:00.000Z",
                "published": "2024-03-01T10:00:00.000Z",
                "name": "Rare earth magnet plant outage",
                "description": "Fire at a magnet plant.",
                "report_types": ["threat-report"],
                "confidence": 75,
                "created_by_ref": "identity--7b82b010-b1c0-4dae-981f-7756374a17df",
                "object_refs": ["location--5acd8b26-51c2-4608-86ed-e9edd43ad971"],
                "object_marking_refs": [marking_ref],
                "labels": ["rare-earths"],
                "x_opencti_id": "ab12",
                "x_misp_event_id": 7,
            },
        ],
    }


def test_import_opencti_style_tlp_amber():
    # OpenCTI exports its TLP:AMBER marking object with definition_type "TLP" (upper case) and
    # definition {"TLP": "TLP:AMBER"}, under its own id.
    mid = "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37"
    md = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": mid,
        "created": "2022-01-01T00:00:00.000Z",
        "definition_type": "TLP",
        "definition": {"TLP": "TLP:AMBER"},
        "name": "TLP:AMBER",
        "x_opencti_order": 3,
        "x_opencti_color": "#ffc000",
    }
    (item,) = from_stix_bundle(json.dumps(_foreign_report(mid, [md])))
    assert item.tlp == "AMBER"
    assert item.title == "Rare earth magnet plant outage"
    assert item.countries == ["CHN"]
    assert item.author_org == "CERT Example"
    assert item.confidence == 75
    assert item.sharing_groups == [] and item.clearance == 0
    assert item.valid_from == datetime(2024, 3, 1, 10, tzinfo=UTC)


def test_import_misp_style_tlp1_amber_and_white():
    amber = json.loads(stix2.TLP_AMBER.serialize())
    (item,) = from_stix_bundle(_foreign_report(stix2.TLP_AMBER.id, [amber]))
    assert item.tlp == "AMBER"
    # the predefined TLP 1.0 ids are recognised even when the object is absent
    (item,) = from_stix_bundle(_foreign_report(stix2.TLP_WHITE.id, []))
    assert item.tlp == "CLEAR"


def test_import_defaults_for_dropped_custom_properties():
    (item,) = from_stix_bundle(
        _foreign_report(stix2.TLP_GREEN.id, []), default_sharing_groups=["g1"], default_clearance=1
    )
    assert item.sharing_groups == ["g1"] and item.clearance == 1


def test_most_restrictive_tlp_wins():
    doc = _foreign_report(stix2.TLP_GREEN.id, [])
    doc["objects"][-1]["object_marking_refs"].append(TLP2_IDS["RED"])
    assert from_stix_bundle(doc)[0].tlp == "RED"


def test_unknown_marking_error_names_object_and_field():
    doc = _foreign_report("marking-definition--00000000-0000-4000-8000-000000000000", [])
    with pytest.raises(InputError) as e:
        from_stix_bundle(doc)
    assert e.value.path == "report--a1d6e4f0-6f4a-4f4e-9d3a-2b7e0c1f0002"
    assert e.value.field == "object_marking_refs"


def test_missing_title_error():
    doc = _foreign_report(stix2.TLP_GREEN.id, [])
    del doc["objects"][-1]["name"]
    with pytest.raises(InputError) as e:
        from_stix_bundle(doc)
    assert e.value.path == "report--a1d6e4f0-6f4a-4f4e-9d3a-2b7e0c1f0002"
    assert e.value.field == "name"


def test_bad_country_code_error():
    doc = _foreign_report(stix2.TLP_GREEN.id, [])
    doc["objects"][1]["country"] = "XQ"
    with pytest.raises(InputError) as e:
        from_stix_bundle(doc)
    assert e.value.path == "location--5acd8b26-51c2-4608-86ed-e9edd43ad971"
    assert e.value.field == "country"


def test_export_rejects_bad_items():
    with pytest.raises(InputError):
        to_stix_bundle([_item(countries=["XXX"])])
    with pytest.raises(InputError):
        to_stix_bundle([_item(tlp="WHITE")])


def test_not_json():
    with pytest.raises(InputError):
        from_stix_bundle("{not json")
