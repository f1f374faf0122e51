"""What an engine applied and noted, in both languages: each line of a run's ``applied`` and
``notes`` lists is written in English and Japanese by the engine adapter, and stored as
``applied`` / ``applied_ja`` and ``notes`` / ``notes_ja`` in the run's summary; pages and
briefings show the list of their language (:func:`lines`).

A line is ``(English, Japanese)``. Field names, codes and numbers stay as the scenario writes
them (``shocks[0]``, ``C26``, ``δ``); the trade data's source descriptions have their own
Japanese (``…_source_ja``).

>>> lines({"applied": ["a"], "applied_ja": ["あ"]}, "ja"), lines({"applied": ["a"]}, "ja")
(['あ'], ['a'])
>>> lines(summary_lists([("n", "注")], "notes"), "ja", "notes")
['注']
"""

from __future__ import annotations

from typing import Any

from fukugan.scenarios.schema import Scenario
from fukugan.services.engines.fields import item_label

__all__ = ["Line", "in_lang", "lines", "pairs_of", "responses", "shock_days", "summary_lists"]

Line = tuple[str, str]


def shock_days(sc: Scenario, i: int) -> Line:
    """The days a shock acts, from its time profile (``days 1–30, full depth 1–7``)."""
    import numpy as np

    from fukugan.scenarios.schema import intensity

    prof = intensity(sc.doc["shocks"][i], sc.horizon)
    on = np.flatnonzero(prof > 0)
    if not on.size:
        return "no day within the horizon", "期間内に該当日なし"
    en = f"days {on[0] + 1}–{on[-1] + 1}"
    ja = f"{on[0] + 1}–{on[-1] + 1}日目"
    full = np.flatnonzero(prof >= 1.0 - 1e-12)
    if full.size and (full[0], full[-1]) != (on[0], on[-1]):
        en += f", full depth {full[0] + 1}–{full[-1] + 1}"
        ja += f"（全面影響 {full[0] + 1}–{full[-1] + 1}日目）"
    return en, ja


def responses(sc: Scenario, engine: Line) -> list[Line]:
    """One line per response: what the engine applies (every field it keeps, see
    :data:`fukugan.services.engines.fields.FIELD_USE`)."""
    out = []
    for i, r in enumerate(sc.doc.get("responses") or []):
        fields = ", ".join(f"{k} {v}" for k, v in r.items() if k not in ("type", "id"))
        label = item_label(sc, "responses", i)
        out.append(
            (
                f"{label}: {r['type']} ({fields}) — {engine[0]} engine",
                f"{label}：{r['type']}（{fields}）— {engine[1]}エンジン",
            )
        )
    return out


def summary_lists(pairs: list[Line], key: str = "applied") -> dict[str, list[str]]:
    """The summary's ``key`` (English) and ``key_ja`` lists."""
    return {key: [en for en, _ in pairs], f"{key}_ja": [ja for _, ja in pairs]}


def pairs_of(summary: dict[str, Any], key: str) -> list[Line]:
    """The ``(English, Japanese)`` lines of ``summary[key]`` (the English twice where a run
    has no Japanese list)."""
    en = [str(x) for x in summary.get(key) or []]
    ja = [str(x) for x in summary.get(f"{key}_ja") or []]
    return list(zip(en, ja if len(ja) == len(en) else en, strict=True))


def in_lang(d: dict[str, Any], key: str, lang: str) -> Any:
    """``d[key]`` as ``lang`` writes it: its Japanese twin ``d[key + "_ja"]`` for ``ja`` when
    it has one (text only), else the value itself.

    >>> in_lang({"a": "x", "a_ja": "エ"}, "a", "ja"), in_lang({"a": "x"}, "a", "ja")
    ('エ', 'x')
    """
    v = d[key]
    if lang == "ja" and isinstance(v, str):
        return d.get(f"{key}_ja") or v
    return v


def lines(summary: dict[str, Any], lang: str, key: str = "applied") -> list[str]:
    """The ``key`` lines (``applied``, ``notes``) of a run's ``summary`` in ``lang`` (English
    for runs written before the Japanese list existed)."""
    ja = summary.get(f"{key}_ja")
    if lang == "ja" and ja:
        return [str(x) for x in ja]
    return [str(x) for x in summary.get(key) or []]
