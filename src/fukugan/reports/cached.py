"""Briefings for the web app and the API: built once per store state and cached.

The commodity briefing reuses the platform's cached commodity profile; a run's briefing is
keyed by its ``summary.json`` modification time; a shipped plan's by the store state, as its
page. PDFs are cached as bytes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fukugan.app.platform import Platform, check_home
from fukugan.errors import UnknownItemError

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def commodity_report(
    platform: Platform, commodity: str, *, year: int, home: str, lang: str, fmt: str
) -> tuple[Any, str]:
    """The commodity briefing as HTML text or PDF bytes (cached) and its download name."""
    from fukugan.reports.commodity import commodity_briefing
    from fukugan.reports.render import render_pdf

    home = check_home(home)
    doc = platform.commodity(commodity, year, home, lang)
    cid = doc["commodity_id"]
    key = ("report-commodity", cid, year, home, lang, fmt)

    def compute() -> Any:
        briefing = commodity_briefing(platform.store, cid, year=year, home=home, lang=lang, doc=doc)
        return render_pdf(briefing) if fmt == "pdf" else briefing

    out = platform.cache.get(key, compute)
    return out, f"fukugan-{cid}-{home}-{year}-{lang}"


def run_dir_of(platform: Platform, run_id: str) -> Path:
    """``$FUKUGAN_HOME/runs/<run_id>``; 404 unless it is a finished run."""
    if not RUN_ID.match(run_id) or run_id.endswith(".tmp"):
        raise UnknownItemError(f"no run {run_id!r}")
    d = platform.store.home / "runs" / run_id
    if not (d / "summary.json").is_file():
        raise UnknownItemError(f"no run {run_id!r}")
    return d


def run_report(platform: Platform, run_id: str, *, lang: str, fmt: str) -> tuple[Any, str]:
    from fukugan.reports.render import render_pdf
    from fukugan.reports.run import run_briefing

    d = run_dir_of(platform, run_id)
    stamp = (d / "summary.json").stat().st_mtime_ns
    key = ("report-run", run_id, stamp, lang, fmt)

    def compute() -> Any:
        briefing = run_briefing(d, lang=lang)
        return render_pdf(briefing) if fmt == "pdf" else briefing

    return platform.cache.get(key, compute), f"fukugan-run-{run_id}-{lang}"


def national_report(
    platform: Platform, *, year: int, home: str, lang: str, fmt: str
) -> tuple[Any, str]:
    """The national briefing of ``home`` from the app's cached reports, as the document for
    HTML or PDF bytes (cached), and its download name."""
    from fukugan.reports.national import national_briefing
    from fukugan.reports.render import render_pdf

    home = check_home(home)
    key = ("report-national", home, year, lang, fmt)

    def compute() -> Any:
        try:
            trends = platform.trade_trends(home, None, lang)
        except UnknownItemError:  # no trade data, or none far enough back
            trends = []
        briefing = national_briefing(
            platform.dependencies(home, year, lang),
            platform.chokepoints(home, year, lang),
            trends,
            home=home,
            year=year,
            lang=lang,
        )
        return render_pdf(briefing) if fmt == "pdf" else briefing

    return platform.cache.get(key, compute), f"fukugan-national-{home}-{year}-{lang}"


def plan_report(platform: Platform, plan_id: str, *, lang: str, fmt: str) -> tuple[Any, str]:
    """The briefing of a shipped plan (solved once per store state, as on its page) as the
    document for HTML or PDF bytes (cached), and its download name."""
    from fukugan.reports.plan import plan_briefing
    from fukugan.reports.render import render_pdf

    summary = platform.plan(plan_id, "en")["summary"]  # raises UnknownItemError
    key = ("report-plan", plan_id, lang, fmt)

    def compute() -> Any:
        briefing = plan_briefing(summary, lang=lang)
        return render_pdf(briefing) if fmt == "pdf" else briefing

    return platform.cache.get(key, compute), f"fukugan-plan-{plan_id}-{lang}"
