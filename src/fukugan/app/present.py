"""A :class:`~fukugan.services.report.Report` as the API and the pages show it: labels in the
user's language, a kind per column (how to format it), source citations.

Rows keep the i18n keys as field names (stable for programs); ``columns`` carries the labels.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from fukugan.i18n import t
from fukugan.results import jsonable
from fukugan.services.report import Report

_PERCENT_KEYS = ("share", "content")


def is_percent(key: str) -> bool:
    """Shares and import contents are fractions in data and percentages on screen (the CLI's
    rule).

    >>> is_percent("top1-share"), is_percent("n-suppliers"), is_percent("hhi")
    (True, False, False)
    """
    return any(k in key for k in _PERCENT_KEYS) and not key.startswith("n-")


def column_kind(key: str, series: pd.Series) -> str:
    """``percent``, ``number``, ``bool``, ``list`` or ``text``."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if is_percent(key) and pd.api.types.is_numeric_dtype(series):
        return "percent"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    sample = series.dropna()
    if len(sample) and isinstance(sample.iloc[0], (list, tuple)):
        return "list"
    if len(sample) and sample.map(lambda v: isinstance(v, bool)).all():
        return "bool"
    return "text"


def _value(v: Any) -> Any:
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        v = v.tolist()
    return jsonable(v)


def present(report: Report, lang: str = "en") -> dict[str, Any]:
    """JSON-ready dict of ``report`` in ``lang`` (the shape of :class:`fukugan.api.models.ReportOut`)."""
    d = report.to_dict()
    table = report.table
    columns = [
        {"key": str(c), "label": t(str(c), lang), "kind": column_kind(str(c), table[c])}
        for c in table.columns
    ]
    rows = [{k: _value(v) for k, v in row.items()} for row in d["rows"]]
    summary = [
        {
            "key": k,
            "label": t(k, lang),
            "value": _value(v),
            "kind": "percent" if is_percent(k) and isinstance(v, (int, float)) else "value",
        }
        for k, v in report.summary.items()
    ]
    sources = [p.source_doc() for p in report.sources]
    return {
        "title": t(report.title, lang, **report.title_args),
        "title_key": report.title,
        "title_args": {k: _value(v) for k, v in report.title_args.items()},
        "lang": lang,
        "columns": columns,
        "rows": rows,
        "total": len(rows),
        "limit": None,
        "offset": 0,
        "summary": summary,
        "notes": [t(n, lang) for n in report.notes],
        "sources": sources,
    }


def page(doc: dict[str, Any], limit: int | None, offset: int) -> dict[str, Any]:
    """``doc`` with its rows cut to ``[offset, offset + limit)``; ``total`` stays the full count."""
    rows = doc["rows"]
    end = None if limit is None else offset + limit
    return {**doc, "rows": rows[offset:end], "total": len(rows), "limit": limit, "offset": offset}


def query_rows(
    doc: dict[str, Any],
    *,
    q: str | None = None,
    sort: str | None = None,
    order: str = "asc",
    tag: str | None = None,
) -> dict[str, Any]:
    """Filter (``q``: case-insensitive text in any text column; ``tag``: an official-list tag)
    and sort (``sort``: a column key; missing values last) the rows of a presented report.

    >>> d = {"columns": [{"key": "c", "kind": "text"}, {"key": "v", "kind": "number"}],
    ...      "rows": [{"c": "a", "v": 1}, {"c": "b", "v": None}, {"c": "ab", "v": 3}]}
    >>> [r["c"] for r in query_rows(d, q="a", sort="v", order="desc")["rows"]]
    ['ab', 'a']
    """
    rows = list(doc["rows"])
    kinds = {c["key"]: c["kind"] for c in doc["columns"]}
    if q:
        needle = q.strip().lower()
        text_keys = [k for k, kind in kinds.items() if kind in ("text", "list")]
        rows = [r for r in rows if any(needle in _text(r.get(k)).lower() for k in text_keys)]
    if tag:
        rows = [r for r in rows if tag in _text(r.get("official-lists"))]
    if sort and sort in kinds:
        present_ = [r for r in rows if r.get(sort) not in (None, "", [])]
        missing = [r for r in rows if r.get(sort) in (None, "", [])]
        numeric = kinds[sort] in ("number", "percent", "bool")
        present_.sort(
            key=(lambda r: float(r[sort])) if numeric else (lambda r: _text(r[sort]).lower()),
            reverse=order == "desc",
        )
        rows = present_ + missing
    return {**doc, "rows": rows}


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return str(v)
