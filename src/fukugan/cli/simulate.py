"""``fukugan simulate SCENARIO.yaml``: run a disruption scenario or a Monte Carlo sweep of it.

Progress goes to stderr (a Rich progress bar, only for ``--format table`` on a terminal-like
stream); the summary goes to stdout in the chosen format. A bad scenario ends with
``error: FILE: line N, field 'F': ...`` and exit code 2, and nothing is written.
"""

from __future__ import annotations

import enum
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from fukugan.cli.render import Format, Lang, render_all
from fukugan.i18n import t


class EngineName(enum.StrEnum):
    static = "static"
    ario = "ario"
    firms = "firms"
    exposure = "exposure"


@contextmanager
def _progress(enabled: bool, label: str):
    """A Rich progress bar on stderr; yields a ``progress(done, total, what)`` callback."""
    if not enabled:
        yield None
        return
    con = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} {task.fields[what]}"),
        TimeElapsedColumn(),
        console=con,
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=1, what="")

        def cb(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=max(total, 1), what=what)

        yield cb


def simulate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML). / シナリオファイル。")],
    engine: Annotated[
        EngineName | None,
        typer.Option("--engine", help="Engine (default: the scenario's). / エンジン。"),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Run directory (default: $FUKUGAN_HOME/runs/NAME-TIME)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed (default: the scenario's).")
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option("--samples", help="Monte Carlo: number of samples of 'uncertainty:'."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Monte Carlo: local Dask workers (0 = no Dask).")
    ] = 2,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Monte Carlo: Dask scheduler address (tcp://host:8786)."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    lang: Annotated[Lang, typer.Option("--lang", help="Label language (en / ja).")] = Lang.en,
) -> None:
    """Run a disruption scenario (YAML): losses over time by sector, recovery, paths; writes Parquet + JSON. / 途絶シナリオを実行する。"""
    from fukugan.scenarios.schema import ScenarioError, load_scenario
    from fukugan.services.simulate import simulate, simulate_sweep
    from fukugan.store.analytic import AnalyticStore

    if workers < 0:
        raise typer.BadParameter("--workers must be 0 or more")
    sc = load_scenario(scenario)  # validate before anything else
    if samples is not None and samples < 1:
        raise ScenarioError(f"--samples must be at least 1, not {samples}", path=scenario)
    store = AnalyticStore()
    from fukugan.services.runs.catalogue import data_problems

    found = data_problems(sc, store)  # every unknown commodity at once, before the run
    if found:
        raise found[0].also(found[1:])
    eng = engine.value if engine is not None else None
    show = fmt is Format.table
    label = t("progress-montecarlo" if samples else "progress-simulate", lang.value)
    with _progress(show, label) as cb:
        if samples:
            outcome = simulate_sweep(
                store,
                sc,
                samples=samples,
                engine=eng,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                out=out,
                lang=lang.value,
                progress=cb,
            )
        else:
            outcome = simulate(
                store, sc, engine=eng, seed=seed, out=out, lang=lang.value, progress=cb
            )
    render_all(outcome.reports, fmt, lang)
    if show:
        Console(stderr=True).print(
            f"[dim]{t('run-written', lang.value, path=outcome.run_dir)}[/dim]", highlight=False
        )


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the ``fukugan`` command."""
    app.command("simulate")(simulate_command)
