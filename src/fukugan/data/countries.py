"""Country names and codes, resolved with ``country_converter`` (coco).

Names are mapped to ISO 3166-1 alpha-3. Group rows of statistical tables ("World total",
"Other countries", "United States and Canada") are not countries: callers classify them first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache

import country_converter as coco

# Names that coco resolves ambiguously or not at all, fixed here on purpose (tested).
_OVERRIDES: dict[str, str] = {
    "United States (includes Puerto Rico)": "USA",
    "Kosovo": "XKX",
    "Netherlands Antilles": "ANT",
    "Channel Islands": "JEY",
}


_NOT_FOUND = "\x00not found"


@lru_cache(maxsize=1)
def _converter() -> coco.CountryConverter:
    logging.getLogger("country_converter").setLevel(logging.CRITICAL)
    return coco.CountryConverter()


def normalise_name(name: str) -> str:
    """Strip whitespace, non-breaking spaces and footnote clutter from a country name.

    >>> normalise_name("United\\xa0States ")
    'United States'
    """
    return " ".join(str(name).replace("\xa0", " ").split())


@lru_cache(maxsize=4096)
def _one(name: str) -> str | None:
    name = normalise_name(name)
    if name in _OVERRIDES:
        return _OVERRIDES[name]
    if len(name) == 3 and name.isalpha() and name.isupper():
        res = _converter().convert(name, src="ISO3", to="ISO3", not_found=_NOT_FOUND)
    else:
        res = _converter().convert(name, to="ISO3", not_found=_NOT_FOUND)
    if res == _NOT_FOUND or isinstance(res, list):
        return None
    return str(res)


def to_iso3(names: Iterable[str]) -> list[str | None]:
    """Map country names (or ISO3 codes) to ISO3; ``None`` where the name is not one country.

    >>> to_iso3(["Korea, Republic of", "Congo (Kinshasa)", "Burma", "Japan"])
    ['KOR', 'COD', 'MMR', 'JPN']
    >>> to_iso3(["Other countries"])
    [None]
    """
    return [_one(str(n)) for n in names]


@lru_cache(maxsize=1)
def _iso3_table() -> dict[str, tuple[str, int | None]]:
    df = _converter().data
    out: dict[str, tuple[str, int | None]] = {}
    for _, r in df.iterrows():
        iso3 = r["ISO3"]
        try:
            num = int(r["ISOnumeric"])
        except (TypeError, ValueError):
            num = None
        out[iso3] = (r["name_short"], num)
    return out


def is_iso3(code: str) -> bool:
    """True if ``code`` is an ISO3 code that country_converter knows (plus XKX, ANT, JEY)."""
    return code in _iso3_table() or code in {"XKX", "ANT", "JEY"}


def iso3_name(code: str) -> str:
    """Short English name of an ISO3 code (the code itself if unknown).

    >>> iso3_name("JPN")
    'Japan'
    """
    return _iso3_table().get(code, (code, None))[0]


@lru_cache(maxsize=1)
def numeric_to_iso3() -> dict[int, str]:
    """ISO 3166-1 numeric code -> ISO3 (used by BACI and Comtrade files)."""
    return {num: iso3 for iso3, (_, num) in _iso3_table().items() if num is not None}
