"""The ``fukugan`` command (Typer + Rich).

Every command that prints results takes ``--format table|csv|json`` and ``--lang en|ja``;
analysis commands take ``--home`` (ISO3, default JPN). User mistakes end with a clear message
and exit code 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from fukugan.cli.render import Format, Lang, render, render_all
from fukugan.errors import FukuganError
from fukugan.i18n import t
from fukugan.store.analytic import AnalyticStore

_err = Console(stderr=True)


class _Group(TyperGroup):
    """Turns every :class:`FukuganError` into a one-line message and exit code 2."""

    def invoke(self, ctx: typer.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except FukuganError as exc:
            # the message quotes file content and paths: print it as text, never as markup
            _err.print(
                f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True
            )
            ctx.exit(exc.exit_code)


HELP = (
    "fukugan (複眼): economic-security analysis of supply chains — where we are dependent, "
    "where we are indispensable, what happens if X is cut. / 経済安全保障のためのサプライチェーン分析。"
)
app = typer.Typer(
    cls=_Group,
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(
    help="Load, import and list datasets. / データの読込・取込・出典一覧。", no_args_is_help=True
)
io_app = typer.Typer(
    help="Input-output analysis (OECD tables). / 産業連関分析。", no_args_is_help=True
)
trade_app = typer.Typer(
    help="Trade-based dependency (BACI / Comtrade). / 貿易依存度。", no_args_is_help=True
)
app.add_typer(data_app, name="data")
app.add_typer(io_app, name="io")
app.add_typer(trade_app, name="trade")

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Label language (en / ja).")]
HomeOpt = Annotated[str, typer.Option("--home", help="Home country (ISO3). / 自国（ISO3コード）。")]
YearOpt = Annotated[int, typer.Option("--year", help="Data year.")]
TopOpt = Annotated[int, typer.Option("--top", help="Rows to show (0 = all).")]


def _store() -> AnalyticStore:
    return AnalyticStore()


def _home(code: str) -> str:
    from fukugan.data.countries import is_iso3

    code = code.strip().upper()
    if not is_iso3(code):
        raise typer.BadParameter(f"{code!r} is not an ISO3 country code (e.g. JPN, USA, DEU)")
    return code


@data_app.command("load")
def data_load(
    if_needed: Annotated[
        bool, typer.Option("--if-needed", help="Skip when the bundled data is already loaded.")
    ] = False,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """Load the bundled real dataset (USGS MCS 2025, OECD IOTs, WGI, official lists, CEPII BACI HS92 trade in 74 critical raw materials 1995-2024). / 同梱の実データ（USGS・OECD産業連関表・WGI・公式リスト・重要原材料74品目のBACI貿易統計1995〜2024年）を読み込む。"""
    from fukugan.services.datasets import load_bundled

    store = _store()
    if fmt is Format.table:
        _err.print(f"[dim]{t('store-at', lang.value, path=store.root)}[/dim]")
    render(load_bundled(store, if_needed=if_needed), fmt, lang)


@data_app.command("import")
def data_import(
    kind: Annotated[
        str, typer.Argument(help="usgs-world | oecd-iot | wgi | baci | comtrade | firm-network")
    ],
    path: Annotated[
        Path, typer.Argument(help="The file (or, for oecd-iot and firm-network, a directory).")
    ],
    country_codes: Annotated[
        Path | None,
        typer.Option("--country-codes", help="BACI country-code file (country_codes_V*.csv)."),
    ] = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
    source_format: Annotated[
        str,
        typer.Option(
            "--source-format",
            help="firm-network only: pronet (the authors' reference simulator's files).",
        ),
    ] = "pronet",
) -> None:
    """Import a file; all-or-nothing: a bad file names file, row and field and changes nothing. / ファイルを取り込む（全件成功か無変更）。"""
    from fukugan.services.datasets import ImportKind, import_file

    if kind == "firm-network":
        if source_format != "pronet":
            raise typer.BadParameter(f"unknown firm-network format {source_format!r} (pronet)")
        from fukugan.services.firms_run import check_pronet

        render(check_pronet(path), fmt, lang)
        return

    try:
        k = ImportKind(kind)
    except ValueError:
        raise typer.BadParameter(
            f"unknown kind {kind!r}; choose one of: " + ", ".join(x.value for x in ImportKind)
        ) from None
    render(import_file(_store(), k, path, country_codes=country_codes), fmt, lang)


@data_app.command("sources")
def data_sources(fmt: FormatOpt = Format.table, lang: LangOpt = Lang.en) -> None:
    """Every dataset with source, year, unit, licence and row count. / データセットと出典の一覧。"""
    from fukugan.services.datasets import sources

    render(sources(_store()), fmt, lang)


@app.command("production")
def production(
    commodity: Annotated[str, typer.Argument(help="Commodity, e.g. gallium, 'rare earths'.")],
    year: YearOpt = 2024,
    type_: Annotated[
        str | None, typer.Option("--type", help="USGS production type (default: primary).")
    ] = None,
    home: HomeOpt = "JPN",
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """World production by country: shares, HHI, top-1/top-3, WGI-weighted HHI, home's rank. / 国別の世界生産と集中度。"""
    from fukugan.services.production import production_profile

    render(
        production_profile(
            _store(), commodity, year=year, home=_home(home), type_=type_, lang=lang.value
        ),
        fmt,
        lang,
    )


@app.command("dependencies")
def dependencies(
    year: YearOpt = 2024,
    home: HomeOpt = "JPN",
    top: TopOpt = 25,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """Commodities (and HS products, with trade data) ranked by autonomy risk for home. / 自律性リスクの順位。"""
    from fukugan.services.dependencies import dependencies as svc

    render_all(svc(_store(), home=_home(home), year=year, top=top, lang=lang.value), fmt, lang)


@app.command("chokepoints")
def chokepoints(
    year: YearOpt = 2024,
    home: HomeOpt = "JPN",
    top: TopOpt = 25,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """Home's indispensability: world share, rank, concentration of the alternatives. / 不可欠性（チョークポイント）。"""
    from fukugan.services.dependencies import chokepoints as svc

    render_all(svc(_store(), home=_home(home), year=year, top=top, lang=lang.value), fmt, lang)


@io_app.command("import-content")
def io_import_content(
    country: Annotated[str, typer.Option("--country", help="ISO3 of the table.")] = "JPN",
    year: YearOpt = 2020,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """Direct and total (multi-tier, domestic Leontief) imported-input content per industry. / 産業別の直接・総合輸入依存度。"""
    from fukugan.services.io import import_content

    render(import_content(_store(), country=_home(country), year=year, lang=lang.value), fmt, lang)


@io_app.command("origin")
def io_origin(
    country: Annotated[str, typer.Option("--country", help="ISO3 of the table.")] = "JPN",
    year: YearOpt = 2020,
    industry: Annotated[
        str | None, typer.Option("--industry", help="One industry code (e.g. C26).")
    ] = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """Hidden (multi-tier) raw-material imports per industry, split by origin country (OECD table + BACI). / 産業別・原産国別の隠れた原材料輸入。"""
    from fukugan.services.io import import_origin

    render_all(
        import_origin(
            _store(), country=_home(country), year=year, industry=industry, lang=lang.value
        ),
        fmt,
        lang,
    )


@io_app.command("leontief")
def io_leontief(
    country: Annotated[str, typer.Option("--country", help="ISO3 of the table.")] = "JPN",
    year: YearOpt = 2020,
    domestic: Annotated[
        bool, typer.Option("--domestic/--total", help="Domestic (default) or total A matrix.")
    ] = True,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """The Leontief inverse L = (I − A)⁻¹ of an OECD table. / レオンチェフ逆行列。"""
    from fukugan.services.io import leontief

    render(leontief(_store(), country=_home(country), year=year, domestic=domestic), fmt, lang)


@trade_app.command("dependency")
def trade_dependency(
    product: Annotated[str, typer.Option("--product", help="HS6 code (or HS2/HS4 prefix).")],
    year: Annotated[int | None, typer.Option("--year", help="Year (default: latest).")] = None,
    home: HomeOpt = "JPN",
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """Import HHI, top suppliers, share outside the like-minded group, EU 2021 test. / 品目別の輸入依存度。"""
    from fukugan.services.trade import trade_dependency as svc

    render_all(
        svc(_store(), product=product, home=_home(home), year=year, lang=lang.value), fmt, lang
    )


@trade_app.command("history")
def trade_history(
    product: Annotated[
        str | None, typer.Option("--product", help="HS6 code (or HS2/HS4 prefix).")
    ] = None,
    commodity: Annotated[
        str | None, typer.Option("--commodity", help="USGS commodity (its HS codes).")
    ] = None,
    home: HomeOpt = "JPN",
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """Home's imports by origin and the concentration indicators, every year of the trade data. / 輸入先別の輸入の推移。"""
    from fukugan.services.tradehistory import trade_history as svc

    cid = None
    if commodity is not None:
        from fukugan.data import usgs
        from fukugan.services.datasets import USGS, require

        cid = usgs.resolve_commodity(require(_store(), USGS)[0], commodity)
    render_all(
        svc(_store(), home=_home(home), product=product, commodity=cid, lang=lang.value),
        fmt,
        lang,
    )


@trade_app.command("trend")
def trade_trend(
    year: Annotated[int | None, typer.Option("--year", help="Year (default: latest).")] = None,
    home: HomeOpt = "JPN",
    top: TopOpt = 25,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """HS products whose import dependence rose most over 5 and 10 years. / 輸入依存度が高まった品目。"""
    from fukugan.services.tradehistory import trade_trends as svc

    render_all(svc(_store(), home=_home(home), year=year, top=top, lang=lang.value), fmt, lang)


@app.command("overview")
def overview(
    year: YearOpt = 2024,
    home: HomeOpt = "JPN",
    top: TopOpt = 10,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
) -> None:
    """Top dependencies and top indispensable commodities for home, with sources. / 自国の概況。"""
    from fukugan.services.overview import overview as svc

    render_all(svc(_store(), home=_home(home), year=year, top=top, lang=lang.value), fmt, lang)
    if fmt is Format.table:
        Console().print(t("entry-points", lang.value))


from fukugan.cli.simulate import register as _register_simulate  # noqa: E402

_register_simulate(app)


from fukugan.cli.serve import register as _register_serve  # noqa: E402

_register_serve(app)


from fukugan.cli.report import register as _register_report  # noqa: E402

_register_report(app)


from fukugan.cli.hub import register as _register_hub  # noqa: E402

_register_hub(app)


from fukugan.cli.firms import register as _register_firms  # noqa: E402

_register_firms(app)


from fukugan.cli.plan import register as _register_plan  # noqa: E402

_register_plan(app)


from fukugan.cli.exercise import register as _register_exercise  # noqa: E402

_register_exercise(app)

from fukugan.cli.playbook import register as _register_playbook  # noqa: E402

_register_playbook(app)


def main() -> None:  # pragma: no cover - console entry point
    app()
