"""The result of a use case: a table, headline figures and the provenance of every number."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fukugan.provenance import Provenance
from fukugan.results import jsonable


@dataclass
class Report:
    """What a service returns and an interface renders.

    Attributes:
        title: i18n key of the title (formatted with ``title_args``).
        table: the rows; column names are i18n keys.
        summary: headline figures, keyed by i18n keys, in display order.
        sources: provenance of every dataset that contributed a number.
        notes: i18n keys or plain sentences explaining choices (denominators, defaults used).
    """

    title: str
    table: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    sources: list[Provenance] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    title_args: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN becomes ``None``)."""
        return {
            "title": self.title,
            "title_args": self.title_args,
            "summary": {k: jsonable(v) for k, v in self.summary.items()},
            "rows": [
                {k: jsonable(v) for k, v in row.items()}
                for row in self.table.to_dict(orient="records")
            ],
            "sources": [p.source_doc(citation=False) for p in self.sources],
            "notes": self.notes,
        }
