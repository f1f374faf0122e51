"""Render a :class:`~fukugan.services.report.Report` as a Rich table, CSV or JSON."""

from __future__ import annotations

import enum
import io
import json
import sys

import pandas as pd
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from fukugan.app.format import fmt as format_value
from fukugan.i18n import t
from fukugan.services.report import Report


class Format(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class Lang(enum.StrEnum):
    en = "en"
    ja = "ja"


_PERCENT_KEYS = ("share", "content")


def _is_percent(key: str) -> bool:
    """Shares and import contents are fractions in data, percentages on screen."""
    return any(k in key for k in _PERCENT_KEYS) and not key.startswith("n-")


def _fmt(v: object, percent: bool = False) -> str:
    """A cell of a terminal table: the one formatter of every interface (integers as typed)."""
    return format_value(v, "percent" if percent else "text")


def render_all(reports: list[Report], fmt: Format = Format.table, lang: Lang = Lang.en) -> None:
    """Print several reports: JSON as one document ``{"reports": [...]}``; CSV as one table per
    report, each preceded by a ``# report:`` comment line and separated by a blank line."""
    if fmt is Format.json:
        doc = {"reports": [r.to_dict() for r in reports]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    seen: dict[str, object] = {}
    for i, rep in enumerate(reports):
        if fmt is Format.csv:
            if i:
                sys.stdout.write("\n")
            sys.stdout.write(f"# report: {t(rep.title, lang.value, **rep.title_args)}\n")
            render(rep, fmt, lang)
        else:
            render(rep, fmt, lang, show_sources=False)
            for p in rep.sources:
                seen.setdefault(p.dataset, p)
    if fmt is Format.table:
        _print_sources(Console(), list(seen.values()), lang.value)


def _fits(headers: list[str], cells: list[list[str]], width: int) -> bool:
    """Whether a table fits ``width`` terminal cells without breaking a word: every column as
    wide as its longest word (header or value; wider text wraps at spaces), plus the borders
    and padding of a Rich table (3 cells per column and 1)."""
    need = 3 * len(headers) + 1
    for k, head in enumerate(headers):
        words = [w for text in (head, *(row[k] for row in cells)) for w in text.split()]
        need += max((cell_len(w) for w in words), default=1)
    return need <= width


def _print_records(con: Console, headers: list[str], cells: list[list[str]]) -> None:
    """A table too wide for the terminal, one record per block: the first column as the
    block's heading, then ``header: value`` per line (wrapped by the console)."""
    for row in cells:
        con.print(f"[bold cyan]{headers[0]} {row[0]}[/bold cyan]")
        for head, value in zip(headers[1:], row[1:], strict=True):
            con.print(f"  {head}: {value}", highlight=False)
    if not cells:
        con.print("  –")


def _print_sources(con: Console, sources: list, lg: str) -> None:
    for p in sources:
        con.print(f"[dim]{t('source', lg)}: {p.citation()} {p.url}[/dim]")


def render(
    report: Report,
    fmt: Format = Format.table,
    lang: Lang = Lang.en,
    console: Console | None = None,
    *,
    show_sources: bool = True,
) -> None:
    """Print ``report`` to stdout in the chosen format and language."""
    lg = lang.value
    if fmt is Format.json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is Format.csv:
        buf = io.StringIO()
        for p in report.sources:
            buf.write(f"# {t('source', lg)}: {p.citation()} {p.url}\n".rstrip() + "\n")
        report.table.rename(columns=lambda c: t(c, lg)).to_csv(buf, index=False)
        sys.stdout.write(buf.getvalue())
        return
    con = console or Console()
    title = t(report.title, lg, **report.title_args)
    headers = [t(c, lg) for c in report.table.columns]
    pct = [_is_percent(str(c)) for c in report.table.columns]
    cells = [
        [_fmt(v, p) for v, p in zip(row, pct, strict=True)]
        for row in report.table.itertuples(index=False)
    ]
    if report.summary:
        con.print(f"[bold]{title}[/bold]")
        for k, v in report.summary.items():
            con.print(f"  {t(k, lg)}: [bold]{_fmt(v, _is_percent(k))}[/bold]")
    if _fits(headers, cells, con.width):
        table = Table(title=title, title_justify="left", header_style="bold cyan")
        for col, head in zip(report.table.columns, headers, strict=True):
            numeric = pd.api.types.is_numeric_dtype(
                report.table[col]
            ) and not pd.api.types.is_bool_dtype(report.table[col])
            table.add_column(head, justify="right" if numeric else "left", overflow="fold")
        for row in cells:
            table.add_row(*row)
        con.print(table)
    else:
        if not report.summary:  # (with a summary, its heading is the title already)
            con.print(f"[bold]{title}[/bold]")
        _print_records(con, headers, cells)
    for note in report.notes:
        con.print(f"[dim]{t(note, lg)}[/dim]")
    if show_sources:
        _print_sources(con, report.sources, lg)
    con.print()
