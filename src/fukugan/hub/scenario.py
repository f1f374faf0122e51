"""A disruption scenario matching an intelligence item: the "one-click run" of an exposure alert.

The item's type and links say what is cut; the scenario is a static input-output run on home's
OECD table (the engine every bundled dataset supports), written as the YAML a user could have
written (:mod:`fukugan.scenarios.schema`), with every assumption spelled out in comments so the
analyst can edit and re-run it:

- ``export_control``: an export ban by each linked country on each linked commodity (or, when the
  item names no commodity, on the commodities fukugan's concordance maps its HS codes to: an
  HS code shared by several commodities, such as 811292, bans all of them for which the bundled
  USGS data gives the country a production share), from day 0 for the
  item's validity period (180 days when open-ended), with a 30-day linear recovery.
- ``sanction``: the same bans when products are linked; with only countries linked, sanctions on
  those countries (all imports from them cut; their share of home's imports is an assumption
  when no trade data is loaded).
- ``market_signal``, ``geopolitical_assessment`` and ``supplier_incident`` / ``facility_outage``
  with products and countries: a 50 % export quota of the country on the product.
- ``supplier_incident`` / ``facility_outage`` with an industry link: an outage of that industry
  (capacity loss δ = 0.5 for 30 days, then 60 days of linear recovery).

Anything else (say, an item linked only to a firm) has no scenario: :class:`NoScenario`.
Only links and dates go into the scenario, never the item's title or body.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

import yaml

from fukugan.data.usgs import production_shares
from fukugan.hub.policy import HubError

DEFAULT_DAYS = 180
ASSUMED_SECTOR_SHARE = 0.001
#: The supplier's share of world supply assumed when the data withhold it (USGS publishes no
#: germanium production figures: 'W'); stated in the scenario so the analyst can change it.
ASSUMED_SUPPLIER_SHARE = 0.5
ASSUMED_IMPORT_SHARE = 0.05
QUOTA_CUT = 0.5
OUTAGE_DELTA = 0.5


class NoScenario(HubError):
    """The item's links give no scenario (e.g. only a firm is linked)."""


def _days(valid_from: datetime | None, valid_to: datetime | None) -> int:
    if valid_from is None or valid_to is None:
        return DEFAULT_DAYS
    return max(1, min(3650, (valid_to - valid_from).days))


def _commodities_of_hs(codes: list[str]) -> list[str]:
    """The bundled concordance's commodities whose HS codes share a prefix with ``codes``."""
    if not codes:
        return []
    from fukugan.data.concordance import read_concordance

    table, _ = read_concordance()
    out = {
        str(cid)
        for cid, hs in zip(table["commodity_id"], table["hs_code"], strict=True)
        for code in codes
        if str(hs).startswith(code) or code.startswith(str(hs))
    }
    return sorted(out)


@lru_cache(maxsize=1)
def _bundled_world() -> Any:
    from fukugan.data.bundled import USGS_WORLD_CSV, bundled_path
    from fukugan.data.usgs import read_world_production

    return read_world_production(bundled_path(*USGS_WORLD_CSV))[0]


def _has_share(country: str, commodity: str, year: int) -> bool:
    """Whether the bundled USGS data gives ``country`` a production share of ``commodity``
    in ``year`` (withheld 'W' figures do not)."""
    from fukugan.errors import FukuganError

    try:
        shares = production_shares(_bundled_world(), commodity, year)
    except FukuganError:
        return False
    row = shares[(shares["iso3"] == country) & ~shares["excluded"]]
    return bool(len(row)) and bool(row["share"].notna().all())


def scenario_for_item(
    item_id: int,
    item_type: str,
    links: dict[str, list[str]],
    *,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    home: str = "JPN",
    iot_year: int = 2020,
    usgs_year: int = 2024,
) -> dict[str, Any]:
    """The scenario document for an item (raises :class:`NoScenario`).

    >>> doc = scenario_for_item(7, "export_control", {"country": ["CHN"], "commodity": ["gallium"]})
    >>> [(s["type"], s["country"], s["commodity"], s["duration"]) for s in doc["shocks"]]
    [('export_ban', 'CHN', 'gallium', 180)]
    >>> ge = scenario_for_item(8, "export_control", {"country": ["CHN"], "commodity": ["germanium"]})
    >>> ge["shocks"][0]["supplier_share"]  # USGS withholds germanium: an assumption, stated
    0.5
    """
    countries = sorted(links.get("country", []))
    named = sorted(links.get("commodity", []))
    via_hs = [] if named else _commodities_of_hs(links.get("hs", []))
    industries = sorted(links.get("industry", []))
    days = _days(valid_from, valid_to)
    timing = {"start": 0, "duration": days, "recovery": {"path": "linear", "days": 30}}
    shocks: list[dict[str, Any]] = []
    if countries and (named or via_hs):
        for c in countries:
            # an HS code stands for all its commodities, but only those the data can weigh
            wanted = named or [m for m in via_hs if _has_share(c, m, usgs_year)]
            for m in wanted:
                shock: dict[str, Any] = {"country": c, "commodity": m, **timing}
                if item_type in ("export_control", "sanction"):
                    shock["type"] = "export_ban"
                else:
                    shock = {"type": "quota", **shock, "cut": QUOTA_CUT}
                shock["sector_share"] = ASSUMED_SECTOR_SHARE
                if named and not _has_share(c, m, usgs_year):
                    # withheld or missing in the data: the run needs the share, so assume it
                    shock["supplier_share"] = ASSUMED_SUPPLIER_SHARE
                shocks.append(shock)
    elif countries and item_type == "sanction":
        shocks = [
            {"type": "sanctions", "country": c, **timing, "import_share": ASSUMED_IMPORT_SHARE}
            for c in countries
        ]
    if not shocks and industries and item_type in ("supplier_incident", "facility_outage"):
        shocks = [
            {
                "type": "outage",
                "sector": ind,
                "delta": OUTAGE_DELTA,
                "start": 0,
                "duration": 30,
                "recovery": {"path": "linear", "days": 60},
            }
            for ind in industries
        ]
    assumed = [s for s in shocks if "supplier_share" in s]
    note_en = "".join(
        f" {s['commodity']}: the USGS data give no production share for {s['country']} "
        f"(withheld), so this scenario assumes {s['supplier_share']:.0%} of world supply "
        "(supplier_share)."
        for s in assumed
    )
    note_ja = "".join(
        f"{s['commodity']}：USGS のデータには {s['country']} の生産シェアがない（非公表）ため、"
        f"世界供給の{s['supplier_share']:.0%}と仮定する（supplier_share）。"
        for s in assumed
    )
    if not shocks:
        raise NoScenario(
            f"item {item_id} links no country with a commodity or HS product, no sanctioned "
            "country and no industry outage: no scenario can be built from it"
        )
    return {
        "name": f"hub-item-{item_id}",
        "description": {
            "en": f"Built from hub intelligence item {item_id} ({item_type}); edit the "
            "assumptions and re-run." + note_en,
            "ja": f"ハブの情報項目 {item_id}（{item_type}）から作成したシナリオ。仮定を編集して"
            "再実行できます。" + note_ja,
        },
        "engine": "static",
        "home": home,
        "data": {"oecd_iot": {"country": home, "year": iot_year}, "usgs_year": usgs_year},
        "horizon_days": max(365, days + 90),
        "seed": item_id,
        "shocks": shocks,
        "responses": [{"type": "rationing", "rule": "proportional"}],
    }


HEADER = """\
# Scenario built by the fukugan hub from intelligence item {item_id}.
# Assumptions to check before relying on the numbers:
# - every trade shock takes {share} as the product's share of {home}'s imports of its IO
#   sector (sector_share), and sanctions take {imp:.0%} as the country's share of {home}'s
#   imports (import_share). Delete those lines once trade data (BACI / Comtrade) is loaded,
#   so the shares are computed from it.
# - quotas cut {cut:.0%} of the country's exports; outages remove {delta:.0%} of capacity.
"""


def scenario_yaml(doc: dict[str, Any]) -> str:
    """The scenario as YAML text with the assumptions as a comment header."""
    header = HEADER.format(
        item_id=doc["seed"],
        share=ASSUMED_SECTOR_SHARE,
        imp=ASSUMED_IMPORT_SHARE,
        home=doc["home"],
        cut=QUOTA_CUT,
        delta=OUTAGE_DELTA,
    )
    for s in doc.get("shocks", []):
        if "supplier_share" in s:
            header += (
                f"# - {s['commodity']}: the USGS data withhold {s['country']}'s production "
                f"figure, so supplier_share = {s['supplier_share']}\n"
                "#   (its share of world supply) is an assumption: set it from another source.\n"
            )
    plain = json.loads(json.dumps(doc))  # no shared objects: no YAML anchors in the text
    return header + yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=88)
