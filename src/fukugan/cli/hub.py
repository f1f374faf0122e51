"""``fukugan hub``: the intelligence-sharing hub's administration commands.

Run by whoever administers the workspace database (they act as ``system`` in the audit log):

- ``fukugan hub org add NAME --kind ministry|agency|company|sme|association``
- ``fukugan hub user add USERNAME --org NAME --role admin|analyst|contributor|reader
  --clearance 0-3`` (password asked twice, hidden; ``--password-stdin`` for scripts)
- ``fukugan hub user disable|enable USERNAME`` (disabling ends the user's sessions)
- ``fukugan hub group add NAME --org A --org B`` and ``fukugan hub group join GROUP ORG``
- ``fukugan hub members [--format json]``: organisations, users and sharing groups
- ``fukugan hub network upload FILE --user USERNAME``: replace the user's organisation's
  private supply network (all-or-nothing; errors name file, row and field)
- ``fukugan hub stix export OUT --user USERNAME`` / ``fukugan hub stix import FILE --user
  USERNAME``: STIX 2.1 bundles, read and written with that user's rights
- ``fukugan hub audit verify``: recompute the audit log's hash chain; exit 0 when intact, 2 with
  the first bad row when it was tampered with.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fukugan.cli.render import Format

if TYPE_CHECKING:
    from fukugan.services.hub import Hub

hub_app = typer.Typer(help="Intelligence-sharing hub. / 情報共有ハブ。", no_args_is_help=True)
audit_app = typer.Typer(help="Audit log. / 監査ログ。", no_args_is_help=True)
hub_app.add_typer(audit_app, name="audit")
org_app = typer.Typer(help="Organisations. / 組織。", no_args_is_help=True)
user_app = typer.Typer(help="Users. / 利用者。", no_args_is_help=True)
group_app = typer.Typer(help="Sharing groups. / 共有グループ。", no_args_is_help=True)
network_app = typer.Typer(
    help="Members' private supply networks. / 会員の供給網。", no_args_is_help=True
)
stix_app = typer.Typer(help="STIX 2.1 exchange. / STIX 2.1 交換。", no_args_is_help=True)
hub_app.add_typer(org_app, name="org")
hub_app.add_typer(user_app, name="user")
hub_app.add_typer(group_app, name="group")
hub_app.add_typer(network_app, name="network")
hub_app.add_typer(stix_app, name="stix")

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


@contextmanager
def _hub(url: str | None) -> Iterator[Hub]:
    from fukugan.services.hub import Hub

    hub = Hub(url=url)
    try:
        yield hub
    finally:
        hub.dispose()


def _as_user(hub: Hub, username: str):  # noqa: ANN202 - Principal
    return hub.user(hub.find("user", username))


UserOpt = Annotated[str, typer.Option("--user", help="Act as this hub user (their rights).")]


@org_app.command("add")
def org_add(
    name: str,
    kind: Annotated[str, typer.Option(help="ministry, agency, company, sme or association")],
    url: UrlOpt = None,
) -> None:
    """Add an organisation. / 組織を追加。"""
    with _hub(url) as hub:
        oid = hub.create_org(name, kind)
    Console().print(f"organisation {oid}: {name} ({kind})", highlight=False, markup=False)


@user_app.command("add")
def user_add(
    username: str,
    org: Annotated[str, typer.Option(help="Organisation name.")],
    role: Annotated[str, typer.Option(help="admin, analyst, contributor or reader")] = "reader",
    clearance: Annotated[int, typer.Option(help="0-3: designated information clearance.")] = 0,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    url: UrlOpt = None,
) -> None:
    """Add a user (password asked twice, never echoed). / 利用者を追加。"""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _hub(url) as hub:
        uid = hub.create_user(username, hub.find("org", org), role, clearance, password)
    Console().print(
        f"user {uid}: {username} ({org}, {role}, clearance {clearance})",
        highlight=False,
        markup=False,
    )


def _set_active(username: str, active: bool, url: str | None) -> None:
    with _hub(url) as hub:
        hub.set_active(hub.find("user", username), active)
    Console().print(f"{username}: {'enabled' if active else 'disabled'}", markup=False)


@user_app.command("disable")
def user_disable(username: str, url: UrlOpt = None) -> None:
    """Disable a user and end their sessions. / 利用者を無効化。"""
    _set_active(username, False, url)


@user_app.command("enable")
def user_enable(username: str, url: UrlOpt = None) -> None:
    """Enable a user again. / 利用者を有効化。"""
    _set_active(username, True, url)


@group_app.command("add")
def group_add(
    name: str,
    org: Annotated[list[str] | None, typer.Option(help="Member organisation (repeat).")] = None,
    url: UrlOpt = None,
) -> None:
    """Add a sharing group with member organisations. / 共有グループを追加。"""
    with _hub(url) as hub:
        gid = hub.create_group(name, [hub.find("org", o) for o in org or []])
    Console().print(f"sharing group {gid}: {name}", highlight=False, markup=False)


@group_app.command("join")
def group_join(group: str, org: str, url: UrlOpt = None) -> None:
    """Add an organisation to a sharing group. / 組織を共有グループに追加。"""
    with _hub(url) as hub:
        n = hub.add_to_group(hub.find("group", group), hub.find("org", org))
    Console().print(f"{org} joined {group} ({n} new alerts)", highlight=False, markup=False)


@hub_app.command("members")
def members(
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    url: UrlOpt = None,
) -> None:
    """Organisations, users and sharing groups. / 組織・利用者・共有グループ一覧。"""
    with _hub(url) as hub:
        doc = hub.members()
    if fmt is Format.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    con = Console()
    for key, rows in doc.items():
        table = Table(title=key, title_justify="left")
        cols = list(rows[0]) if rows else ["id"]
        for c in cols:
            table.add_column(c)
        for r in rows:
            table.add_row(
                *(escape(", ".join(v) if isinstance(v, list) else str(v)) for v in r.values())
            )
        con.print(table)


@network_app.command("upload")
def network_upload(
    path: Annotated[
        Path, typer.Argument(help="CSV: tier,supplier,supplier_country,product_hs,customer,value")
    ],
    user: UserOpt,
    own_firm: Annotated[
        str | None, typer.Option(help="The member's own firm name (tier-1 customer).")
    ] = None,
    url: UrlOpt = None,
) -> None:
    """Replace the user's organisation's private network. / 自組織の供給網を登録。"""
    with _hub(url) as hub:
        n = hub.upload_network(_as_user(hub, user), path, own_firm=own_firm)
    Console().print(f"{n} links stored for {user}'s organisation", highlight=False, markup=False)


@stix_app.command("export")
def stix_export(
    out: Annotated[Path, typer.Argument(help="Where to write the STIX 2.1 bundle (JSON).")],
    user: UserOpt,
    type: Annotated[str | None, typer.Option(help="Only items of this type.")] = None,  # noqa: A002
    url: UrlOpt = None,
) -> None:
    """Export the items the user may read as STIX 2.1. / STIX 2.1 で出力。"""
    with _hub(url) as hub:
        bundle = hub.export_stix(_as_user(hub, user), type=type)
    out.write_text(bundle, encoding="utf-8")
    n = sum(1 for o in json.loads(bundle).get("objects", []) if o.get("type") == "report")
    Console().print(f"{n} items written to {out}", highlight=False, markup=False)


@stix_app.command("import")
def stix_import(
    path: Annotated[Path, typer.Argument(help="A STIX 2.1 bundle (JSON).")],
    user: UserOpt,
    url: UrlOpt = None,
) -> None:
    """Import a STIX 2.1 bundle as the user's organisation (all or nothing). / STIX 取込。"""
    from fukugan.errors import InputError

    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from None
    with _hub(url) as hub:
        ids = hub.import_stix(_as_user(hub, user), data, filename=path.name)
    Console().print(f"{len(ids)} items imported", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(hub_app, name="hub")
