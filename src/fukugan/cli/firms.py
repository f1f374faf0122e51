"""``fukugan firms run DIR``: the firm model on a network in the reference simulator's format
(:mod:`fukugan.services.firms_run`). Options mirror the reference's (``-R -t -i -T -c -r -o -D
-b -S``); ``--format table|csv|json``; a bad file ends with ``error: FILE: line N, field 'F':
...`` and exit code 2."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fukugan.cli.render import Format, Lang, render

firms_app = typer.Typer(
    help="Firm-level propagation (Inoue & Todo). / 企業間の波及（Inoue & Todo）。",
    no_args_is_help=True,
)


@firms_app.command("run")
def firms_run(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Directory with atable.txt, cvector.txt, pini.txt, affi.txt [, delta.txt]."
        ),
    ],
    rationing: Annotated[
        str,
        typer.Option(
            "--rationing",
            "-R",
            help="proportional (0) | proportional_fc_last (1) | inoue_todo (2) | "
            "inoue_todo_fc_last (3). / 配分ルール。",
        ),
    ] = "inoue_todo",
    days: Annotated[int, typer.Option("--days", "-t", help="Steps to simulate.")] = 60,
    inventory_days: Annotated[
        float, typer.Option("--inventory-days", "-i", help="Target inventory n (days).")
    ] = 15.0,
    tau: Annotated[float, typer.Option("--tau", "-T", help="Inventory adjustment time τ.")] = 6.0,
    recovery_days: Annotated[
        float | None,
        typer.Option("--recovery-days", "-c", help="δ falls by δ0/C after each step."),
    ] = None,
    recovery_type: Annotated[
        str,
        typer.Option(
            "--recovery-type", "-b", help="linear (the reference's -c) | step | exponential."
        ),
    ] = "linear",
    stop_days: Annotated[
        int,
        typer.Option("--stop-days", "-S", help="Shocked firms stop for that many steps first."),
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", "-r", help="Seed of Poisson targets.")] = 331,
    order_type: Annotated[
        str,
        typer.Option(
            "--order-type", "-o", help="0 normal | 1 initial_target | 2 no_negative_adjustment."
        ),
    ] = "normal",
    inventory: Annotated[
        str,
        typer.Option(
            "--inventory-distribution", "-D", help="0 fixed | 1 poisson_firm | 2 poisson_link."
        ),
    ] = "fixed",
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    lang: Annotated[Lang, typer.Option("--lang", help="Label language (en / ja).")] = Lang.en,
) -> None:
    """Simulate a network in the reference simulator's file format; one row per step. / 参照シミュレータ形式のネットワークで波及を計算する。"""
    from fukugan.services.firms_run import run_pronet

    render(
        run_pronet(
            directory,
            rationing=rationing,
            days=days,
            inventory_days=inventory_days,
            tau=tau,
            recovery_days=recovery_days,
            recovery_type=recovery_type,
            stop_days=stop_days,
            seed=seed,
            order_type=order_type,
            inventory=inventory,
        ),
        fmt,
        lang,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(firms_app, name="firms")
