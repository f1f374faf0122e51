"""The terminal renderer fits the terminal: a table when every column can be as wide as its
longest word, one record per block otherwise (issue 12: at 80 columns the wide tables became
one character per line)."""

from __future__ import annotations

import io

import pandas as pd
from rich.console import Console

from fukugan.cli.render import Format, Lang, render
from fukugan.services.report import Report

WIDE = Report(
    title="title-trade-dependency",
    title_args={"home": "JPN", "product": "2504", "year": 2024},
    table=pd.DataFrame(
        {
            "hs6": ["250410", "250490"],
            "product": ["Graphite: natural, in powder or in flakes", "Graphite: natural, other"],
            "imports-usd": [52_349_488.0, 24_202_277.0],
            "n-suppliers": [23, 12],
            "top-supplier": ["CHN", "CHN"],
            "top1-share": [0.861, 0.985],
            "top3-share": [0.923, 0.999],
            "hhi": [0.744, 0.970],
            "hhi-wgi": [4.217, 5.498],
            "outside-share": [0.956, 0.999],
            "hhi-outside": [0.814, 0.972],
            "outside-to-exports": [5.381, 70.959],
            "official-lists": ["JP-SCM", "JP-SCM"],
        }
    ),
)


def _out(width: int, lang: Lang = Lang.en) -> str:
    buf = io.StringIO()
    render(WIDE, Format.table, lang, Console(file=buf, width=width), show_sources=False)
    return buf.getvalue()


def test_80_columns_one_record_per_block_with_every_value_whole():
    from fukugan.i18n import t

    for lang in (Lang.en, Lang.ja):
        text = _out(80, lang)
        assert "┃" not in text  # no table frame
        assert all(len(line) <= 80 for line in text.splitlines())
        for col in WIDE.table.columns:
            assert f"{t(col, lang.value)}:" in text or t(col, lang.value) in text
        for v in ("52,349,488", "86.1%", "70.959", "CHN", "250490"):
            assert v in text, v


def test_a_wide_terminal_gets_the_table():
    text = _out(250)
    assert "┃" in text
    header = next(line for line in text.splitlines() if "┃" in line)
    assert "HHI" in header
    assert text.count("52,349,488") == 1
