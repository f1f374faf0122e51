"""How figures are written: the one number formatter of the terminal tables, the web pages, the
CSV downloads and the briefings (so a figure reads the same everywhere)."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import numpy as np
import pandas as pd

from fukugan.i18n import t


def fmt(v: Any, kind: str = "text") -> str:
    """A value as every interface shows it: shares as percentages (1 decimal), 3 decimals below
    100, whole numbers with thousands separators up to 1e9, 3 significant digits beyond and
    below 0.001, ``–`` for missing; integers get separators unless ``kind`` is ``"text"``
    (years, ids). numpy scalars and ``pd.NA`` are understood.

    >>> fmt(0.98425, "percent"), fmt(762000.0, "number"), fmt(0.9688, "number"), fmt(None)
    ('98.4%', '762,000', '0.969', '–')
    >>> fmt(["JP-SCM", "EU-CRM"], "list"), fmt(True, "bool"), fmt(3, "number")
    ('JP-SCM, EU-CRM', '✔', '3')
    >>> fmt(np.float64(2.96e-05)), fmt(np.int64(2020)), fmt(pd.NA), fmt(4.2e12, "number")
    ('2.96e-05', '2020', '–', '4.2e+12')
    >>> fmt(2.957e-05, "percent-fine"), fmt(0.6, "percent-fine")
    ('0.00296%', '60%')
    """
    if (
        v is None
        or v is pd.NA
        or (isinstance(v, str) and v == "")
        or (isinstance(v, list) and not v)
    ):
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "✔" if v else "·"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    if isinstance(v, np.integer):
        v = int(v)
    elif isinstance(v, np.floating):
        v = float(v)
    if isinstance(v, int):
        return f"{v:,}" if kind != "text" else str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        if kind == "percent":
            return f"{v:.1%}"
        if kind == "percent-fine":  # small shares and price changes: 3 significant digits
            return f"{v * 100:.3g}%"
        if v != 0 and (abs(v) >= 1e9 or abs(v) < 1e-3):
            return f"{v:.3g}"
        if abs(v) >= 100:
            return f"{v:,.0f}"
        return f"{v:.3f}"
    return str(v)


def to_csv(docs: list[dict[str, Any]], lang: str) -> str:
    """Presented reports as CSV: ``# Source:`` lines, then each table (labels as header), tables
    separated by a blank line and a ``# report:`` line — the CLI's ``--format csv``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for i, doc in enumerate(docs):
        if i:
            buf.write("\n")
        buf.write(f"# report: {doc['title']}\n")
        for s in doc["sources"]:
            buf.write(f"# {t('source', lang)}: {s['citation']} {s['url']}".rstrip() + "\n")
        cols = doc["columns"]
        w.writerow([c["label"] for c in cols])
        for row in doc["rows"]:
            w.writerow([_csv_value(row.get(c["key"])) for c in cols])
    return buf.getvalue()


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return v
