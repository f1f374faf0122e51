"""``fukugan exercise``: tabletop exercise packages.

``fukugan exercise validate PACKAGE.yaml`` checks a package (format, then against the data when
the store holds it); ``preview`` prints its timeline of injects and decision points turn by
turn; ``run-demo`` plays it through with a scripted facilitator and players (``--decide
D1=release60``; by default each decision point's first option, at its opening turn), re-running
the scenario each turn, and writes the after-action report; ``msel-export`` / ``msel-import``
exchange the MSEL with spreadsheets (CSV, XLSX).
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

exercise_app = typer.Typer(
    help="Tabletop exercises: validate, preview, play, exchange the MSEL. / 机上演習。",
    no_args_is_help=True,
)

PackageArg = Annotated[Path, typer.Argument(help="Exercise package (YAML).")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language (en / ja).")]


def _store():  # noqa: ANN202 - AnalyticStore
    from fukugan.store.analytic import AnalyticStore

    return AnalyticStore()


@exercise_app.command("validate")
def validate(
    package: PackageArg,
    data: Annotated[
        bool, typer.Option("--data/--no-data", help="Also check against the loaded data.")
    ] = True,
    lang: LangOpt = Lang.en,
) -> None:
    """Check a package: format, references, and (with --data) the scenario and every option's
    responses against the data. / 演習パッケージを検証する。"""
    from fukugan.scenarios.exercise import load_package

    pkg = load_package(package)
    if data:
        from fukugan.services.datasets import load_bundled
        from fukugan.services.exercise_package import check_package

        store = _store()
        load_bundled(store, if_needed=True)
        check_package(pkg, store)
    d = pkg.doc
    Console().print(
        escape(
            t(
                "exercise-valid",
                lang.value,
                name=pkg.name,
                roles=len(d["roles"]),
                injects=len(d["injects"]),
                decisions=len(d["decisions"]),
                kpis=len(d["kpis"]),
                turns=d["clock"]["turns"],
                days=d["clock"]["days_per_turn"],
                scenario=pkg.scenario.name,
            )
        ),
        highlight=False,
        soft_wrap=True,
    )


@exercise_app.command("preview")
def preview(package: PackageArg, lang: LangOpt = Lang.en) -> None:
    """The timeline: injects and decision points by turn, with their dependencies. /
    タイムラインを表示する。"""
    from fukugan.exercises import exercise_from_doc
    from fukugan.scenarios.exercise import load_package

    pkg = load_package(package)
    ex = exercise_from_doc(pkg.doc)
    lg = lang.value
    table = Table(title=escape(ex.title.get(lg)), show_lines=False)
    for col in ("exercise-turn", "exercise-day", "", "exercise-from", "exercise-to",
                "exercise-channel", "exercise-subject"):  # fmt: skip
        table.add_column(t(col, lg) if col else "#")
    rows = []
    for inj in ex.injects:
        deps = "; ".join(
            f"{d.effect} if {'' if d.taken else 'not '}{d.decision}"
            + (f"={d.option}" if d.option else "")
            for d in inj.dependencies
        )
        mark = f" [TLP:{inj.tlp}/{inj.clearance}]" if inj.tlp else ""
        subject = inj.subject.get(lg) + mark + (f"  ({deps})" if deps else "")
        subject += "  (manual)" if inj.manual else ""
        rows.append((inj.turn, 0, inj.id, inj.sender, ", ".join(inj.to), inj.channel, subject))
    for dp in ex.decisions:
        opts = " | ".join(o.id for o in dp.options)
        rows.append(
            (dp.turn, 1, dp.id, dp.role, "", f"→ {dp.closes}", f"{dp.prompt.get(lg)}  [{opts}]")
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    for turn, _, rid, sender, to, channel, subject in rows:
        table.add_row(
            str(turn),
            str(ex.first_day(turn)),
            escape(rid),
            escape(sender),
            escape(to),
            escape(channel),
            escape(subject),
        )
    Console().print(table)


@exercise_app.command("run-demo")
def run_demo(
    package: PackageArg,
    decide: Annotated[
        list[str] | None,
        typer.Option("--decide", help="POINT=OPTION (repeatable); default: each first option."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Directory for the after-action report.")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write the AAR as PDF.")] = False,
    best: Annotated[
        bool,
        typer.Option(
            "--best",
            help="Also compute the planner's best response (every combination of options "
            "through the engine) for the AAR.",
        ),
    ] = False,
    lang: LangOpt = Lang.en,
) -> None:
    """Play the package with a scripted facilitator and players, then write the AAR. /
    台本どおりに演習を実施し、事後検証報告書を作成する。"""
    from fukugan.reports.exercise import exercise_aar
    from fukugan.reports.render import render_html, render_pdf
    from fukugan.scenarios.exercise import load_package
    from fukugan.services.datasets import load_bundled
    from fukugan.services.exercises import ExerciseService

    pkg = load_package(package)
    choices: dict[str, str] = {}
    for item in decide or []:
        point, sep, option = item.partition("=")
        if not sep or not point or not option:
            raise typer.BadParameter(f"--decide {item!r}: write POINT=OPTION, e.g. D1=release60")
        choices[point.strip()] = option.strip()
    points = {d["id"]: d for d in pkg.doc["decisions"]}
    for point, option in choices.items():
        if point not in points:
            raise typer.BadParameter(f"--decide: no decision point {point!r} in {package}")
        if option not in {o["id"] for o in points[point]["options"]}:
            raise typer.BadParameter(f"--decide: {point} has no option {option!r}")
    store = _store()
    load_bundled(store, if_needed=True)
    svc = ExerciseService(store)
    try:
        ex_id = svc.create(pkg)
        ex = svc.exercise(ex_id)
        con = Console()
        svc.start(ex_id)
        lg = lang.value
        for turn in range(1, ex.turns + 1):
            if turn > 1:
                svc.advance(ex_id)
            svc.release(ex_id)
            view = svc.view(ex_id, role=next(r.id for r in ex.roles if r.kind == "facilitator"))
            table = Table(title=f"{t('exercise-turn', lg)} {turn} · {t('exercise-day', lg)} "
                          f"{ex.first_day(turn)}")  # fmt: skip
            table.add_column(t("exercise-kpi", lg))
            table.add_column(t("exercise-baseline", lg), justify="right")
            table.add_column(t("exercise-outcome", lg), justify="right")
            from fukugan.app.format import fmt

            for k in svc.view(ex_id, role=view["role"], lang=lg)["kpis"]:
                table.add_row(escape(k["label"]), fmt(k["baseline"], "number"),
                              fmt(k["value"], "number"))  # fmt: skip
            con.print(table)
            for dp in ex.decisions:
                if dp.turn != turn:
                    continue
                option = choices.get(dp.id, dp.options[0].id)
                svc.decide(ex_id, dp.id, option, role=dp.role)
                con.print(
                    escape(
                        f"  {dp.id} [{dp.role}] {dp.prompt.get(lg)} → "
                        f"{dp.option(option).label.get(lg)}"
                    ),  # fmt: skip
                    highlight=False,
                )
        svc.end(ex_id)
        if best:
            from fukugan.cli.simulate import _progress

            with _progress(True, t("web-exercise-action-best", lg)) as cb:
                svc.best_response(ex_id, progress=lambda done, n: cb(done, n, ""))
        out_dir = out or (store.home / "exercises" / ex_id)
        out_dir.mkdir(parents=True, exist_ok=True)
        doc = exercise_aar(svc, ex_id, lg)
        html = out_dir / f"aar-{lg}.html"
        html.write_text(render_html(doc), encoding="utf-8")
        if pdf:
            (out_dir / f"aar-{lg}.pdf").write_bytes(render_pdf(doc))
        con.print(
            escape(t("exercise-run-demo-done", lg, id=ex_id, turns=ex.turns, aar=html)),
            highlight=False,
            soft_wrap=True,
        )
    finally:
        svc.dispose()


MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", help="FIELD=HEADER column mapping (repeatable), e.g. message=Inject."),
]


def _mapping(items: list[str] | None) -> dict[str, str]:
    out = {}
    for item in items or []:
        field, sep, header = item.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise typer.BadParameter(f"--map {item!r}: write FIELD=HEADER, e.g. message=Inject")
        out[field.strip()] = header.strip()
    return out


@exercise_app.command("msel-export")
def msel_export(
    package: PackageArg,
    out: Annotated[Path, typer.Argument(help="MSEL file to write (.csv or .xlsx).")],
    map_: MapOpt = None,
    lang: LangOpt = Lang.en,
) -> None:
    """Write the package's MSEL as a spreadsheet (CSV or XLSX). / MSELを表計算形式で書き出す。"""
    from fukugan.scenarios.exercise import load_package
    from fukugan.scenarios.msel import write_msel

    pkg = load_package(package)
    path = write_msel(pkg, out, mapping=_mapping(map_))
    Console().print(
        escape(t("exercise-msel-exported", lang.value, n=len(pkg.doc["injects"]), path=path)),
        highlight=False,
        soft_wrap=True,
    )


@exercise_app.command("msel-import")
def msel_import(
    package: PackageArg,
    sheet: Annotated[Path, typer.Argument(help="MSEL spreadsheet (.csv or .xlsx).")],
    out: Annotated[Path, typer.Option("--out", help="New package file to write.")],
    map_: MapOpt = None,
    lang: LangOpt = Lang.en,
) -> None:
    """Replace the package's injects by a spreadsheet's and write a new, validated package. /
    表計算のMSELを取り込み、新しいパッケージを書き出す。"""
    from fukugan.scenarios.exercise import load_package
    from fukugan.scenarios.msel import package_with_msel

    new = package_with_msel(load_package(package), sheet, out, mapping=_mapping(map_))
    Console().print(
        escape(
            t("exercise-msel-imported", lang.value, n=len(new.doc["injects"]), src=sheet, path=out)
        ),  # fmt: skip
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``exercise`` to the ``fukugan`` command."""
    app.add_typer(exercise_app, name="exercise")
