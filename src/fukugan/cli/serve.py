"""``fukugan serve``: the web app and the REST API on one port (uvicorn).

Loads the bundled real data first when the store does not have it, prints the URL, then serves
until interrupted. Nothing is fetched from the network: every asset is in the package.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
    load: Annotated[
        bool,
        typer.Option("--load/--no-load", help="Load the bundled data first if it is missing."),
    ] = True,
) -> None:
    """Start the web app and API (http://127.0.0.1:8000 by default). / Webアプリと API を起動する。"""
    import uvicorn

    from fukugan.server import create_app
    from fukugan.services.datasets import load_bundled
    from fukugan.store.analytic import AnalyticStore

    con = Console(stderr=True)
    store = AnalyticStore()
    if load:
        rep = load_bundled(store, if_needed=True)
        if rep.title == "title-data-loaded":
            con.print(f"[dim]Loaded the bundled data into {store.root}[/dim]")
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{port}"
    typer.echo(f"fukugan (複眼) web app: {url}/   API: {url}/api/v1/docs   (Ctrl+C to stop)")
    _hub_hints(con, store.home, host)
    uvicorn.run(
        create_app(store.home, warm=True),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )


def _hub_hints(con: Console, home: object, host: str) -> None:
    """How to open the hub when it has no users yet, and a warning when sessions would travel
    over plain HTTP beyond this machine."""
    from fukugan.services.hub import Hub

    hub = Hub(home)  # also migrates the workspace before the first request
    try:
        users = hub.members()["users"]
    finally:
        hub.dispose()
    if not users:
        con.print(
            "[dim]Hub (/hub): no users yet. Add them with "
            "`fukugan hub org add NAME --kind ministry` and "
            "`fukugan hub user add NAME --org NAME --role analyst`. / "
            "ハブの利用者は未登録です（fukugan hub user add で登録）。[/dim]",
            highlight=False,
        )
    if host not in ("127.0.0.1", "localhost", "::1"):
        con.print(
            "[yellow]Serving beyond this machine over plain HTTP: put fukugan behind a TLS "
            "reverse proxy before hub users log in (session cookies are marked Secure only on "
            "HTTPS). / 平文HTTPで外部に公開しています。TLS を終端するリバースプロキシを前に置いて"
            "ください。[/yellow]",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``fukugan`` command."""
    app.command("serve")(serve)
