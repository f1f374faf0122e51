"""``fukugan report``: briefing reports as PDF or HTML.

``fukugan report commodity gallium --pdf out.pdf [--lang ja] [--home JPN] [--year 2024]`` and
``fukugan report run RUN_DIR --pdf out.pdf [--lang ja]`` and ``fukugan report plan PLAN_DIR
--pdf out.pdf [--lang ja]`` and ``fukugan report national --pdf out.pdf [--home JPN] [--year
2024] [--lang ja]`` (``--html out.html`` for HTML).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from fukugan.cli.render import Lang

report_app = typer.Typer(
    help="Briefing reports (HTML, PDF). / ブリーフィング資料（HTML・PDF）。", no_args_is_help=True
)

PdfOpt = Annotated[Path | None, typer.Option("--pdf", help="Write the PDF here.")]
HtmlOpt = Annotated[Path | None, typer.Option("--html", help="Write the HTML here.")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language (en / ja).")]


def _write(doc: dict, pdf: Path | None, html: Path | None) -> None:
    from fukugan.reports.render import render_html, render_pdf

    if pdf is None and html is None:
        raise typer.BadParameter("give --pdf FILE and/or --html FILE")
    con = Console(stderr=True)
    if pdf is not None:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pdf.write_bytes(render_pdf(doc))
        con.print(f"[dim]PDF: {pdf}[/dim]", highlight=False)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(doc), encoding="utf-8")
        con.print(f"[dim]HTML: {html}[/dim]", highlight=False)


@report_app.command("commodity")
def report_commodity(
    commodity: Annotated[str, typer.Argument(help="Commodity id or name, e.g. gallium.")],
    pdf: PdfOpt = None,
    html: HtmlOpt = None,
    home: Annotated[str, typer.Option("--home", help="Home country (ISO3).")] = "JPN",
    year: Annotated[int, typer.Option("--year", help="Data year.")] = 2024,
    lang: LangOpt = Lang.en,
) -> None:
    """Commodity briefing: shares chart, concentration, supply risk, home's position, lists, sources. / 品目ブリーフィング。"""
    from fukugan.app.platform import check_home
    from fukugan.reports.commodity import commodity_briefing
    from fukugan.store.analytic import AnalyticStore

    doc = commodity_briefing(
        AnalyticStore(), commodity, year=year, home=check_home(home), lang=lang.value
    )
    _write(doc, pdf, html)


@report_app.command("run")
def report_run(
    run_dir: Annotated[Path, typer.Argument(help="A run directory (from fukugan simulate).")],
    pdf: PdfOpt = None,
    html: HtmlOpt = None,
    lang: LangOpt = Lang.en,
) -> None:
    """Scenario briefing of a run: losses over time, top sectors and paths, reproducibility. / シナリオ・ブリーフィング。"""
    from fukugan.reports.run import run_briefing

    _write(run_briefing(run_dir, lang=lang.value), pdf, html)


@report_app.command("plan")
def report_plan(
    plan_dir: Annotated[Path, typer.Argument(help="A plan directory (from fukugan plan --out).")],
    pdf: PdfOpt = None,
    html: HtmlOpt = None,
    lang: LangOpt = Lang.en,
) -> None:
    """Response-plan briefing: portfolio, frontier, scenario check, sensitivity, VSS / EVPI. / 対応計画ブリーフィング。"""
    from fukugan.errors import InputError
    from fukugan.reports.plan import plan_briefing

    summary = plan_dir / "summary.json" if plan_dir.is_dir() else plan_dir
    if not summary.is_file():
        raise InputError(f"{plan_dir}: no summary.json here (write one with fukugan plan --out)")
    _write(plan_briefing(plan_dir, lang=lang.value), pdf, html)


@report_app.command("national")
def report_national(
    pdf: PdfOpt = None,
    html: HtmlOpt = None,
    home: Annotated[str, typer.Option("--home", help="Home country (ISO3).")] = "JPN",
    year: Annotated[int, typer.Option("--year", help="Data year.")] = 2024,
    lang: LangOpt = Lang.en,
) -> None:
    """National briefing: top dependencies and chokepoints, their trends, method and sources. / 国別ブリーフィング。"""
    from fukugan.app.platform import check_home
    from fukugan.reports.national import national_briefing, national_docs
    from fukugan.store.analytic import AnalyticStore

    home = check_home(home)
    docs = national_docs(AnalyticStore(), home=home, year=year, lang=lang.value)
    _write(national_briefing(*docs, home=home, year=year, lang=lang.value), pdf, html)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the ``fukugan`` command."""
    app.add_typer(report_app, name="report")
