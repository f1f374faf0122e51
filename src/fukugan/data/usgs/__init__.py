"""USGS Mineral Commodity Summaries 2025, world data: production, capacity and reserves by country.

Source: U.S. Geological Survey (2025), *Mineral Commodity Summaries 2025* data release,
https://doi.org/10.5066/P13XCP3R (file ``MCS2025_World_Data.csv``; U.S. Government work, public
domain). The file is read as published and never edited; every quirk is cleaned here.

The reader (:mod:`~fukugan.data.usgs.reader`) cleans every quirk of the file
(:mod:`~fukugan.data.usgs.quirks` lists them); the look-ups (:mod:`~fukugan.data.usgs.tables`)
define what "world production of X" and its shares mean.
"""

from fukugan.data.usgs.quirks import COLUMNS, PROVENANCE, commodity_slug
from fukugan.data.usgs.reader import read_world_production
from fukugan.data.usgs.tables import (
    commodities,
    primary_type,
    production_shares,
    resolve_commodity,
)

__all__ = [
    "COLUMNS",
    "PROVENANCE",
    "commodities",
    "commodity_slug",
    "primary_type",
    "production_shares",
    "read_world_production",
    "resolve_commodity",
]
