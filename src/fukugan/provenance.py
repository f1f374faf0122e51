"""Provenance that travels with every dataset and shows in every output."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


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
