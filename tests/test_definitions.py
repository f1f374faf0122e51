"""One source for each definition: the copies an interface must keep (API schemas) are checked
against the one definition here, so they cannot drift."""

from __future__ import annotations

import typing

from fukugan.api.models import Source
from fukugan.provenance import SOURCE_FIELDS, Provenance


def test_the_api_source_schema_has_exactly_the_fields_of_a_source_document():
    assert tuple(Source.model_fields) == SOURCE_FIELDS
    doc = Provenance("d", "OECD", "2023", "million USD", "CC BY 4.0", url="u").source_doc()
    assert Source.model_validate(doc).model_dump() == doc


def test_hub_vocabularies_in_the_api_are_the_models_tuples():
    from fukugan.api import hub_schemas as api_hub
    from fukugan.hub import models

    pairs = [
        (api_hub.ItemType, models.ITEM_TYPES),
        (api_hub.Tlp, models.TLP_LEVELS),
        (api_hub.LinkKind, models.LINK_KINDS),
        (api_hub.Role, models.ROLES),
    ]
    for literal, vocab in pairs:
        assert typing.get_args(literal) == tuple(vocab)


def test_one_number_formatter_for_terminal_and_pages():
    """The terminal table and the page print the same figure the same way."""
    from fukugan.app.format import fmt
    from fukugan.cli import render

    for v in (1234567.891, 0.000123456, 42, 3.14159, 2.96e-05):
        assert render._fmt(v) == fmt(v)
    assert fmt(1234567.891) == "1,234,568"
