"""The one object the API routers and the web pages call: it validates the request's
parameters, calls the services (:mod:`fukugan.services`) and caches their presented results.

No indicator logic lives here or in the route handlers: every figure comes from a service's
:class:`~fukugan.services.report.Report`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fukugan.app.cache import CachedStore, ResultCache
from fukugan.app.present import present
from fukugan.errors import InputError
from fukugan.provenance import Provenance
from fukugan.services import catalog
from fukugan.services.overview import OVERVIEW_CHOKEPOINTS, OVERVIEW_DEPENDENCIES
from fukugan.services.report import Report

DEFAULT_HOME = "JPN"
DEFAULT_YEAR = 2024
OVERVIEW_TOP = 10
#: The overview's columns of the HS product ranking (trade data).
OVERVIEW_PRODUCTS = [
    "rank",
    "hs6",
    "product",
    "imports-usd",
    "autonomy-risk",
    "top-suppliers",
    "eu2021-dependent",
    "official-lists",
]


#: The columns of ``fukugan overview`` (:func:`fukugan.services.overview.overview`; a test keeps
#: them equal), plus the commodity id for links. The overview is cut from the cached rankings
#: instead of recomputing them.
def _top(report: Report, columns: list[str], n: int = OVERVIEW_TOP) -> Report:
    """The first ``n`` rows of a ranking with the overview's columns (a copy)."""
    from dataclasses import replace

    return replace(report, table=report.table.head(n)[columns].reset_index(drop=True))


def check_home(code: str, field: str = "home") -> str:
    """An upper-case ISO3 code that country_converter knows, else a 400 with the field."""
    from fukugan.data.countries import is_iso3

    c = (code or "").strip().upper()
    if not is_iso3(c):
        raise InputError(f"{code!r} is not an ISO3 country code (e.g. JPN, USA, DEU)", field=field)
    return c


class Platform:
    """Services over one store, with per-process caches (see :mod:`fukugan.app.cache`)."""

    def __init__(self, home: str | Path | None = None) -> None:
        self.store = CachedStore(home)
        self.cache = ResultCache(self.store)

    # -- raw service results (cached; never mutated) ----------------------------------------
    def _ranking(self, kind: str, home: str, year: int, lang: str) -> list[Report]:
        from fukugan.services import dependencies as deps

        fn = deps.dependencies if kind == "dependencies" else deps.chokepoints

        def compute() -> list[Report]:
            ids = catalog.commodity_ids(self.store, lang)
            reps = fn(self.store, home=home, year=year, top=0, lang=lang)
            return [catalog.link_commodities(r, ids) for r in reps]

        return self.cache.get(("raw", kind, home, year, lang), compute)

    # -- presented results ------------------------------------------------------------------
    def dependencies(self, home: str, year: int, lang: str) -> list[dict[str, Any]]:
        home, year = check_home(home), catalog.check_ranking_year(self.store, year)
        return self.cache.get(
            ("dependencies", home, year, lang),
            lambda: [present(r, lang) for r in self._ranking("dependencies", home, year, lang)],
        )

    def chokepoints(self, home: str, year: int, lang: str) -> list[dict[str, Any]]:
        home, year = check_home(home), catalog.check_ranking_year(self.store, year)
        return self.cache.get(
            ("chokepoints", home, year, lang),
            lambda: [present(r, lang) for r in self._ranking("chokepoints", home, year, lang)],
        )

    def overview(self, home: str, year: int, lang: str) -> dict[str, Any]:
        """Top autonomy risks and chokepoints (the CLI overview's columns) and the specified
        critical materials."""
        home, year = check_home(home), catalog.check_year(self.store, year)

        def compute() -> dict[str, Any]:
            deps = self._ranking("dependencies", home, year, lang)[0]
            chk = self._ranking("chokepoints", home, year, lang)[0]
            en = self._ranking("dependencies", home, year, "en")
            prods = self._ranking("dependencies", home, year, lang)
            scm = catalog.specified_materials(
                self.store,
                home=home,
                year=year,
                lang=lang,
                ranking=en[0],
                trade_ranking=en[1] if len(en) > 1 else None,
            )
            return {
                "home": home,
                "year": year,
                "lang": lang,
                "dependencies": present(_top(deps, OVERVIEW_DEPENDENCIES), lang),
                "chokepoints": present(_top(chk, OVERVIEW_CHOKEPOINTS), lang),
                "critical_materials": present(scm, lang),
                "products": (
                    present(_top(prods[1], OVERVIEW_PRODUCTS), lang) if len(prods) > 1 else None
                ),
            }

        return self.cache.get(("overview", home, year, lang), compute)

    def commodities(self, year: int, lang: str) -> dict[str, Any]:
        return self.cache.get(
            ("commodities", year, lang),
            lambda: present(catalog.commodity_list(self.store, year=year, lang=lang), lang),
        )

    def commodity(self, commodity: str, year: int, home: str, lang: str) -> dict[str, Any]:
        from fukugan.data import usgs
        from fukugan.services.datasets import USGS, require
        from fukugan.services.production import production_profile

        home = check_home(home)
        frame, _ = require(self.store, USGS)
        cid = usgs.resolve_commodity(frame, commodity)

        def compute() -> dict[str, Any]:
            doc = present(
                production_profile(self.store, cid, year=year, home=home, lang=lang), lang
            )
            doc["commodity_id"] = cid
            doc["years"] = sorted(
                int(y) for y in frame.loc[frame["commodity_id"] == cid, "year"].unique()
            )
            return doc

        return self.cache.get(("commodity", cid, year, home, lang), compute)

    def commodity_history(self, commodity: str, home: str, lang: str) -> dict[str, Any]:
        """:func:`~fukugan.services.production.production_history`, presented."""
        from fukugan.data import usgs
        from fukugan.services.datasets import USGS, require
        from fukugan.services.production import production_history

        home = check_home(home)
        frame, _ = require(self.store, USGS)
        cid = usgs.resolve_commodity(frame, commodity)

        def compute() -> dict[str, Any]:
            h = production_history(self.store, cid, home=home, lang=lang)
            return {
                "commodity_id": h.commodity_id,
                "home": home,
                "years": h.years,
                "by_year": present(h.by_year, lang),
                "producers": present(h.producers, lang),
            }

        return self.cache.get(("commodity-history", cid, home, lang), compute)

    def import_content(self, country: str, year: int, lang: str) -> dict[str, Any]:
        from fukugan.services.io import import_content

        country = check_home(country, "country")
        return self.cache.get(
            ("import-content", country, year, lang),
            lambda: present(
                import_content(self.store, country=country, year=year, lang=lang), lang
            ),
        )

    def import_origin(
        self, country: str, year: int, industry: str | None, lang: str
    ) -> list[dict[str, Any]]:
        from fukugan.services.io import import_origin

        country = check_home(country, "country")
        return self.cache.get(
            ("import-origin", country, year, industry, lang),
            lambda: [
                present(r, lang)
                for r in import_origin(
                    self.store, country=country, year=year, industry=industry, lang=lang
                )
            ],
        )

    def trade_dependency(
        self, product: str, home: str, year: int | None, lang: str
    ) -> list[dict[str, Any]]:
        from fukugan.services.trade import trade_dependency

        home = check_home(home)
        return self.cache.get(
            ("trade", product, home, year, lang),
            lambda: [
                present(r, lang)
                for r in trade_dependency(
                    self.store, product=product, home=home, year=year, lang=lang
                )
            ],
        )

    def trade_history(
        self, home: str, lang: str, *, product: str | None = None, commodity: str | None = None
    ) -> list[dict[str, Any]]:
        """Home's imports by year and by origin of an HS product or a commodity's HS codes."""
        from fukugan.services.tradehistory import trade_history

        home = check_home(home)
        if commodity is not None:
            from fukugan.data import usgs
            from fukugan.services.datasets import USGS, require

            frame, _ = require(self.store, USGS)
            commodity = usgs.resolve_commodity(frame, commodity)
        return self.cache.get(
            ("trade-history", home, product, commodity, lang),
            lambda: [
                present(r, lang)
                for r in trade_history(
                    self.store, home=home, product=product, commodity=commodity, lang=lang
                )
            ],
        )

    def trade_trends(self, home: str, year: int | None, lang: str) -> list[dict[str, Any]]:
        """HS products ranked by the rise of home's import dependence over 5 and 10 years."""
        from fukugan.services.tradehistory import trade_trends

        home = check_home(home)
        return self.cache.get(
            ("trade-trends", home, year, lang),
            lambda: [
                present(r, lang)
                for r in trade_trends(self.store, home=home, year=year, top=0, lang=lang)
            ],
        )

    def trade_years(self) -> list[int]:
        from fukugan.services.tradedata import trade_years

        return self.cache.get(("trade-years",), lambda: trade_years(self.store))

    def sources(self, lang: str) -> dict[str, Any]:
        from fukugan.services.datasets import sources

        def compute() -> dict[str, Any]:
            rep = sources(self.store)
            doc = present(rep, lang)
            notes = {d.name: d.provenance.notes for d in self.store.datasets()}
            for row in doc["rows"]:
                row["notes"] = notes.get(row["dataset"], "")
            return doc

        return self.cache.get(("sources", lang), compute)

    # -- choices for forms ------------------------------------------------------------------
    # -- response planning (C4) ----------------------------------------------------------------
    def plans(self) -> list[dict[str, Any]]:
        """The shipped response plans (id, name, description, sizes)."""
        from fukugan.services import plan_files

        return self.cache.get(("plans",), plan_files.example_plans)

    def plan(self, plan_id: str, lang: str) -> dict[str, Any]:
        """A shipped plan solved (portfolio, frontier, scenario check) and presented; the
        engine runs and the MIP happen once per store fingerprint."""
        from fukugan.services import plan_files, planning

        doc = plan_files.example_plan(plan_id)

        def solve() -> dict[str, Any]:
            return planning.run_plan(doc, self.store, lang="en").summary

        summary = self.cache.get(("plan-raw", plan_id), solve)
        return self.cache.get(("plan", plan_id, lang), lambda: _plan_view(plan_id, summary, lang))

    def solve_plan(self, doc: dict[str, Any], lang: str) -> dict[str, Any]:
        """A plan posted as data (scenario paths: shipped scenarios by file name), solved
        (not cached: every call runs the engines and the MIP)."""
        from fukugan.scenarios.plan import plan_from_dict
        from fukugan.services import plan_files, planning

        if not isinstance(doc, dict):
            raise InputError("a plan is a JSON object (name, scenarios, measures, ...)")
        pd_ = plan_from_dict(doc, path="posted plan", base_dir=plan_files.PLANS_DIR.parent)
        summary = planning.run_plan(pd_, self.store, lang=lang).summary
        return _plan_view(pd_.name, summary, lang)

    def countries(self) -> list[tuple[str, str]]:
        return self.cache.get(("countries",), lambda: catalog.home_countries(self.store))

    def years(self) -> list[int]:
        return self.cache.get(("years",), lambda: catalog.usgs_years(self.store))

    def iot_countries(self) -> list[str]:
        return self.cache.get(("iot-countries",), lambda: catalog.iot_countries(self.store))

    def iot_years(self, country: str) -> list[int]:
        return self.cache.get(
            ("iot-years", country), lambda: catalog.iot_years(self.store, country)
        )

    def is_loaded(self) -> bool:
        from fukugan.services.datasets import USGS

        return self.store.has(USGS)

    def warm(self, homes: tuple[str, ...] = (DEFAULT_HOME,), year: int = DEFAULT_YEAR) -> None:
        """Compute the default pages' results in a background thread (first visits are fast)."""

        def run() -> None:
            try:
                for home in homes:
                    for lang in ("en", "ja"):
                        self.overview(home, year, lang)
                        self.dependencies(home, year, lang)
                        self.chokepoints(home, year, lang)
            except Exception:  # noqa: BLE001 - warming is best effort (e.g. an empty store)
                pass

        threading.Thread(target=run, name="fukugan-warm", daemon=True).start()


def _plan_view(plan_id: str, summary: dict[str, Any], lang: str) -> dict[str, Any]:
    """A solved plan for the API and the page: the summary and its three reports presented."""
    from fukugan.results import jsonable
    from fukugan.services.plan_reports import plan_reports

    provs = [Provenance.from_dict(s) for s in summary.get("sources", [])]
    return {
        "id": plan_id,
        "lang": lang,
        "summary": jsonable(summary),
        "reports": [present(r, lang) for r in plan_reports(summary, provs, lang)],
    }
