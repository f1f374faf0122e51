"""``fukugan playbook``: the playbook library of best practices.

``fukugan playbook list`` shows the bundled playbooks; ``fukugan playbook show ID`` one
playbook's practices with their sources; ``fukugan playbook validate FILE.yaml`` checks a
playbook of one's own (file, line and field of any problem).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fukugan.cli.render import Lang
from fukugan.i18n import t

playbook_app = typer.Typer(
    help="Playbook library of best practices. / プレイブック・ライブラリ。", no_args_is_help=True
)
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language (en / ja).")]


@playbook_app.command("list")
def list_playbooks(lang: LangOpt = Lang.en) -> None:
    """The bundled playbooks. / 同梱のプレイブック一覧。"""
    from fukugan.services.playbooks import library

    lg = lang.value
    table = Table(title=t("playbook-title", lg))
    table.add_column("ID", overflow="fold")
    table.add_column(t("playbook-name", lg), overflow="fold")
    table.add_column(t("playbook-hazard", lg))
    table.add_column(t("playbook-n-practices", lg), justify="right")
    for b in library(lg):
        table.add_row(b["id"], escape(b["title"]), t(f"playbook-hazard-{b['hazard']}", lg),
                      str(b["n_practices"]))  # fmt: skip
    Console().print(table)


@playbook_app.command("show")
def show_playbook(
    playbook_id: Annotated[str, typer.Argument(help="Playbook id (fukugan playbook list).")],
    lang: LangOpt = Lang.en,
) -> None:
    """One playbook's practices and their sources. / プレイブックのプラクティスと出典。"""
    from fukugan.services.playbooks import playbook_view

    lg = lang.value
    book = playbook_view(playbook_id, lg)
    con = Console()
    con.print(f"[bold]{escape(book['title'])}[/bold]")
    con.print(escape(book["summary"]), soft_wrap=True)
    for p in book["practices"]:
        con.print(f"\n[bold]{p['id']}[/bold] {escape(p['title'])}")
        con.print(escape(p["text"]), soft_wrap=True)
        cited = "; ".join(
            s["title"] + (f" ({s['year']})" if s.get("year") else "") for s in p["sources"]
        )
        con.print(f"[dim]{t('playbook-sources', lg)}: {escape(cited)}[/dim]", soft_wrap=True)


@playbook_app.command("validate")
def validate_playbook(
    path: Annotated[Path, typer.Argument(help="Playbook file (YAML).")],
) -> None:
    """Check a playbook file. / プレイブックを検証する。"""
    from fukugan.scenarios.playbook import load_playbook

    book = load_playbook(path)
    Console().print(f"{book.id}: valid — {len(book.practices)} practices")


def register(app: typer.Typer) -> None:
    """Add ``playbook`` to the ``fukugan`` command."""
    app.add_typer(playbook_app, name="playbook")
