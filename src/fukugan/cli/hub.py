"""``fukugan hub``: the intelligence-sharing hub's administration commands.

``fukugan hub audit verify``: recompute the audit log's hash chain; exit 0 when intact, 2 with
the first bad row when it was tampered with.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

hub_app = typer.Typer(help="Intelligence-sharing hub. / 情報共有ハブ。", no_args_is_help=True)
audit_app = typer.Typer(help="Audit log. / 監査ログ。", no_args_is_help=True)
hub_app.add_typer(audit_app, name="audit")

UrlOpt = Annotated[
    str | None,
    typer.Option("--url", help="Database URL (default: $FUKUGAN_DATABASE_URL or the workspace)."),
]


@audit_app.command("verify")
def audit_verify(url: UrlOpt = None) -> None:
    """Verify the audit log's hash chain (exit 2 at the first tampered row). / 監査ログの改ざん検査。"""
    from fukugan.services.hub import Hub

    hub = Hub(url=url)
    try:
        res = hub.verify_audit()
    finally:
        hub.dispose()
    con = Console()
    if res.ok:
        con.print(f"audit log intact: {res.reason}", highlight=False)
        return
    Console(stderr=True).print(
        f"audit log TAMPERED at seq {res.first_bad_seq}: {res.reason}", highlight=False
    )
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.add_typer(hub_app, name="hub")
