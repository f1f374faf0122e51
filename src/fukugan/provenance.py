"""Provenance that travels with every dataset and shows in every output."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Provenance:
    """Where a dataset comes from.

    Attributes:
        dataset: the store name of the dataset (e.g. ``"usgs_world_production"``).
        source: who published it, as one would cite it.
        year: the edition or reference year(s), as text (``"2025"``, ``"1995-2020"``).
        unit: unit of the values (or ``"mixed, per row"`` when rows carry their own unit).
        licence: the licence or terms of use.
        url: a DOI or URL of the original (for citation only; nothing is fetched).
        notes: quirks handled and choices made while loading.
        synthetic: ``True`` only for generated data used in scale tests.

    >>> p = Provenance("x", "OECD", "2023", "million USD", "CC BY 4.0")
    >>> p.citation()
    'OECD (2023), million USD, CC BY 4.0'
    """

    dataset: str
    source: str
    year: str
    unit: str
    licence: str
    url: str = ""
    notes: str = ""
    synthetic: bool = False
    extra: dict = field(default_factory=dict)

    def citation(self) -> str:
        s = f"{self.source} ({self.year}), {self.unit}, {self.licence}"
        if self.synthetic:
            s = "SYNTHETIC — " + s
        return s

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Provenance:
        return cls(**json.loads(text))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Provenance:
        """From a stored dict (a run's ``summary.json`` ``sources``): unknown keys are ignored,
        missing text fields are empty.

        >>> Provenance.from_dict({"source": "OECD", "year": 2023, "other": 1}).year
        '2023'
        """
        text = {k: str(d.get(k, "") or "") for k in SOURCE_TEXT_FIELDS}
        return cls(
            **text,
            synthetic=bool(d.get("synthetic", False)),
            extra=dict(d.get("extra") or {}),
        )

    def source_doc(self, *, citation: bool = True) -> dict[str, Any]:
        """The one shape of a source in every output (API, pages, CSV, briefings): the fields of
        :data:`SOURCE_FIELDS`, with its :meth:`citation` unless ``citation=False``.

        >>> sorted(Provenance("x", "OECD", "2023", "USD", "CC BY 4.0").source_doc())
        ['citation', 'dataset', 'licence', 'source', 'synthetic', 'unit', 'url', 'year']
        """
        doc: dict[str, Any] = {k: getattr(self, k) for k in SOURCE_TEXT_FIELDS}
        doc["synthetic"] = self.synthetic
        if citation:
            doc["citation"] = self.citation()
        return doc


#: The text fields of a source as every output shows it (then ``synthetic`` and ``citation``).
SOURCE_TEXT_FIELDS = ("dataset", "source", "year", "unit", "licence", "url")
#: Every field of a source document (:meth:`Provenance.source_doc`).
SOURCE_FIELDS = (*SOURCE_TEXT_FIELDS, "synthetic", "citation")
