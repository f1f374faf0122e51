"""Country codes for the world map: ISO3 → ISO 3166-1 numeric (the ids of the vendored Natural
Earth / world-atlas shapes)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _numeric() -> dict[str, str]:
    from fukugan.data.countries import _converter

    data = _converter().data
    out: dict[str, str] = {}
    for iso3, num in zip(data["ISO3"], data["ISOnumeric"], strict=True):
        try:
            out[str(iso3)] = str(int(num))
        except (TypeError, ValueError):
            continue
    return out


def iso_numeric(iso3: str | None) -> str | None:
    """ISO numeric code without leading zeros (``"392"`` for JPN, ``"36"`` for AUS).

    >>> iso_numeric("JPN"), iso_numeric("AUS"), iso_numeric(None)
    ('392', '36', None)
    """
    if not iso3:
        return None
    return _numeric().get(str(iso3))
