"""``fukugan plan PLAN.yaml``: choose the portfolio of measures against the plan's scenarios.

Progress goes to stderr (for ``--format table``); the portfolio, the frontier and the scenario
check go to stdout in the chosen format; the plan's ``summary.json`` (every figure, the
provenance of the data) is written atomically to ``--out`` (default
``$FUKUGAN_HOME/plans/NAME-TIME``), only once the plan has been solved: a bad plan ends with
``error: FILE: line N, field 'F': ...`` and exit code 2, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from fukugan.cli.render import Format, Lang, render_all
from fukugan.cli.simulate import _progress
from fukugan.i18n import t


def plan_command(
    plan: Annotated[Path, typer.Argument(help="Plan file (YAML). / 計画ファイル。")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output directory (default: $FUKUGAN_HOME/plans/NAME-TIME)."),
    ] = None,
    no_check: Annotated[
        bool,
        typer.Option("--no-check", help="Skip the engine re-run of the chosen portfolio."),
    ] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    lang: Annotated[Lang, typer.Option("--lang", help="Label language (en / ja).")] = Lang.en,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Engine runs on a local Dask cluster of N workers (0 = in this process; "
            "default: every core once the plan needs 200 engine runs or more).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Engine runs on the Dask cluster at this address."),
    ] = None,
) -> None:
    """Choose stockpiles, second sources, recycling and capacity against weighted scenarios (two-stage stochastic MIP). / 対応計画を最適化する。"""
    from fukugan.scenarios.plan import load_plan
    from fukugan.services.plan_files import default_plan_dir, write_plan
    from fukugan.services.planning import run_plan
    from fukugan.store.analytic import AnalyticStore

    if workers is not None and workers < 0:
        raise typer.BadParameter("--workers must be 0 or more")
    doc = load_plan(plan)  # validate before anything else
    store = AnalyticStore()
    show = fmt is Format.table
    with _progress(show, t("progress-plan", lang.value)) as cb:
        outcome = run_plan(
            doc,
            store,
            lang=lang.value,
            progress=cb,
            check=not no_check,
            workers=workers,
            scheduler=scheduler,
        )
    target = out if out is not None else default_plan_dir(store, doc.name)
    write_plan(outcome, target)
    render_all(outcome.reports, fmt, lang)
    if show:
        Console(stderr=True).print(
            f"[dim]{t('plan-written', lang.value, path=target)}[/dim]", highlight=False
        )


def register(app: typer.Typer) -> None:
    """Add ``plan`` to the ``fukugan`` command."""
    app.command("plan")(plan_command)
