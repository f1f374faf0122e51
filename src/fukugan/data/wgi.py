"""World Bank Worldwide Governance Indicators (WGI): one governance score per country and year.

Source: Kaufmann, D. and Kraay, A., *Worldwide Governance Indicators, 2023 Update*
(www.govindicators.org), World Bank, CC BY 4.0. The bundled file
(``bundled/wgi/wgi_combined_scores_by_country.csv``, details in ``bundled/wgi/PROVENANCE.md``)
is an intermediate product of the Ocean Health Index (``OHI-Science/ohiprep_v2024``): the
**unweighted mean of the six WGI estimates** (VA, PV, GE, RQ, RL, CC), gap-filled by OHI, for 214
economies, 1996–2022 (1997, 1999 and 2001 do not exist).

Rescaling to 0–10 (``wgi_0_10``), as in the EU critical raw materials method — Blengini, G.A. et
al. (2017), *Assessment of the Methodology for Establishing the EU List of Critical Raw
Materials — Background Report*, JRC, EUR 28654 EN, doi:10.2760/73303, and European Commission
(2017), *Methodology for establishing the EU list of critical raw materials — Guidelines*
(Publications Office of the EU) — where the country governance term of the supply risk,
``HHI_WGI = Σ_c (S_c)² · WGI_c``, uses WGI "scaled 0 to 10", with **higher values meaning poorer
governance (higher risk)**::

    wgi_0_10 = 10 · (2.5 − wgi) / 5 = 5 − 2 · wgi          (clipped to [0, 10])

i.e. the linear map of the WGI estimate's nominal range [−2.5, 2.5] onto [10, 0]. (The OHI file's
own ``score_ohi_scale`` = (wgi + 2.5)/5 runs the other way: 1 = best.) The verbatim equation of
the EU guidelines could not be retrieved offline; this is the linear rescale their text
describes (end points −2.5 → 10, +2.5 → 0) and the one ``fukugan.indicators.concentration``
implements, so the two agree.

Caveat: the EU method averages the WGI dimensions it selects from the World Bank release itself;
the bundled score is OHI's gap-filled mean of all six dimensions, so ``wgi_0_10`` here is close to
but **not identical to** the EU's country values. Also, the latest year is 2022: a request for 2023
or 2024 uses 2022 (see :func:`wgi_for_year`), and says so.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from fukugan.data.countries import is_iso3
from fukugan.data.validate import read_csv_strings
from fukugan.errors import InputError, UnknownItemError
from fukugan.provenance import Provenance

__all__ = ["COLUMNS", "PROVENANCE", "read_wgi", "rescale_0_10", "wgi_for_year"]

#: Columns of the frame returned by :func:`read_wgi`.
COLUMNS = ["iso3", "country", "year", "wgi", "wgi_0_10"]

PROVENANCE = Provenance(
    dataset="wgi",
    source=(
        "World Bank, Worldwide Governance Indicators, 2023 update (Kaufmann, D. and Kraay, A., "
        "www.govindicators.org); mean of the six estimates, gap-filled by the Ocean Health Index "
        "(OHI-Science/ohiprep_v2024)"
    ),
    year="2023 release (1996-2022)",
    unit="WGI estimate (-2.5..2.5, higher = better); wgi_0_10 = 5 - 2*wgi (0..10, higher = worse)",
    licence="CC BY 4.0 (World Bank dataset terms), attribution 'The World Bank: Worldwide "
    "Governance Indicators'; processing by the Ocean Health Index",
    url="https://www.govindicators.org",
    notes=(
        "Copied from OHI-Science/ohiprep_v2024 commit 255ecb6828d7f67b5a0ae12b82dca78c6f6307c4, "
        "globalprep/prs_res_wgi/v2024_sl/v2024/intermediate/wgi_combined_scores_by_country.csv. "
        "Gap-filled by OHI (indicator means over years); not the World Bank's own statistic; "
        "no standard errors. wgi_0_10 rescale as in the EU CRM method (Blengini et al. 2017, "
        "EUR 28654): 10*(2.5-wgi)/5, clipped to [0, 10]."
    ),
)

#: Largest absolute WGI estimate accepted. The estimates are in standard-normal units, nominally
#: -2.5..2.5 (the bundled means lie in -2.41..1.95); beyond 5 a value is a unit or typing error.
WGI_LIMIT = 5.0

_ALIASES = {
    "iso3c": "iso3",
    "iso3": "iso3",
    "country": "country",
    "year": "year",
    "score_wgi_scale": "wgi",
    "wgi": "wgi",
}


def rescale_0_10(wgi: float | np.ndarray | pd.Series) -> float | np.ndarray | pd.Series:
    """EU CRM rescale of a WGI estimate to 0–10, higher = worse: ``10·(2.5 − wgi)/5``, clipped.

    >>> rescale_0_10(2.5), rescale_0_10(0.0), rescale_0_10(-2.5), rescale_0_10(-3.0)
    (0.0, 5.0, 10.0, 10.0)
    """
    out = np.clip(10.0 * (2.5 - np.asarray(wgi, dtype=float)) / 5.0, 0.0, 10.0)
    if isinstance(wgi, pd.Series):
        return pd.Series(out, index=wgi.index, name="wgi_0_10")
    if np.ndim(out) == 0:
        return float(out)
    return out


def read_wgi(path: str | Path) -> tuple[pd.DataFrame, Provenance]:
    """Read the WGI combined-score CSV (columns ``country, iso3c, year, score_wgi_scale``;
    ``score_ohi_scale`` is ignored) into columns iso3, country, year, wgi, wgi_0_10.

    Validation (each raises :class:`fukugan.errors.InputError` naming path, row and field):
    an empty, binary or UTF-16 file, rows with the wrong number of fields, missing columns, a
    non-numeric or non-finite score or one outside ±:data:`WGI_LIMIT`, a year that is not a whole
    number from 1900 to 2100, an unknown ISO3 code (country_converter's table plus XKX, ANT, JEY),
    duplicate (iso3, year) keys.
    """
    path = Path(path)
    raw = read_csv_strings(path).to_pandas()
    cols = {c: _ALIASES.get(c.strip().lower()) for c in raw.columns}
    found = {v: k for k, v in cols.items() if v}
    for need, shown in (
        ("country", "country"),
        ("iso3", "iso3c"),
        ("year", "year"),
        ("wgi", "score_wgi_scale"),
    ):
        if need not in found:
            raise InputError(
                f"missing required column {shown!r}; found {', '.join(raw.columns)}",
                path=path,
                row=1,
                field=shown,
            )
    if raw.empty:
        raise InputError("no data rows", path=path, row=2)
    df = pd.DataFrame({k: raw[found[k]].str.strip() for k in ("iso3", "country", "year", "wgi")})
    rows = np.arange(len(df)) + 2  # file rows, header = 1

    wgi = pd.to_numeric(df["wgi"], errors="coerce")
    bad = wgi.isna() | ~np.isfinite(wgi.fillna(0.0))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"score {df['wgi'].iloc[i]!r} is not a number",
            path=path,
            row=int(rows[i]),
            field=found["wgi"],
        )
    bad = wgi.abs() > WGI_LIMIT
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"score {df['wgi'].iloc[i]!r} is outside the WGI estimate scale (about -2.5..2.5; "
            f"|score| > {WGI_LIMIT:g} refused)",
            path=path,
            row=int(rows[i]),
            field=found["wgi"],
        )
    year = pd.to_numeric(df["year"], errors="coerce")
    bad = year.isna() | (year != year.round()) | (year < 1900) | (year > 2100)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"year {df['year'].iloc[i]!r} is not a whole number from 1900 to 2100",
            path=path,
            row=int(rows[i]),
            field=found["year"],
        )
    df["iso3"] = df["iso3"].str.upper()
    known = {c: is_iso3(c) for c in df["iso3"].unique()}
    bad = ~df["iso3"].map(known)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"unknown ISO3 country code {df['iso3'].iloc[i]!r}",
            path=path,
            row=int(rows[i]),
            field=found["iso3"],
        )
    df["year"] = year.astype(int)
    df["wgi"] = wgi.astype(float)
    dup = df.duplicated(["iso3", "year"], keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(
            rows[
                np.flatnonzero(
                    (
                        (df["iso3"] == df["iso3"].iloc[i]) & (df["year"] == df["year"].iloc[i])
                    ).to_numpy()
                )[0]
            ]
        )
        raise InputError(
            f"duplicate key ({df['iso3'].iloc[i]}, {df['year'].iloc[i]}); first at row {first}",
            path=path,
            row=int(rows[i]),
            field=found["iso3"],
        )
    df["wgi_0_10"] = rescale_0_10(df["wgi"].to_numpy())
    df = df[COLUMNS].sort_values(["iso3", "year"], kind="stable").reset_index(drop=True)
    return df, PROVENANCE


def wgi_for_year(frame: pd.DataFrame, year: int, column: str = "wgi_0_10") -> pd.Series:
    """Governance by ISO3 for ``year``, falling back per country to the latest year ≤ ``year``.

    The WGI 2023 release ends in 2022, so 2023 or 2024 requests use 2022. The result (indexed by
    iso3, named ``column``: ``"wgi_0_10"`` by default, or ``"wgi"``) carries in ``attrs``:
    ``requested`` (the year asked for), ``year_used`` (the latest year used; an int),
    ``fallback`` (True if any country's value is from an earlier year) and ``years``
    (``{iso3: year}`` for the countries whose year differs from ``requested``).

    >>> f = pd.DataFrame({"iso3": ["JPN", "JPN"], "country": ["Japan"] * 2, "year": [2021, 2022],
    ...                   "wgi": [1.2, 1.3], "wgi_0_10": [2.6, 2.4]})
    >>> s = wgi_for_year(f, 2024)
    >>> float(s["JPN"]), s.attrs["year_used"], s.attrs["fallback"]
    (2.4, 2022, True)

    Raises:
        UnknownItemError: no data at or before ``year``, or an unknown ``column``.
    """
    if column not in ("wgi", "wgi_0_10"):
        raise UnknownItemError(f"unknown WGI column {column!r}; use 'wgi' or 'wgi_0_10'")
    year = int(year)
    sub = frame[frame["year"] <= year]
    if sub.empty:
        first = int(frame["year"].min()) if len(frame) else math.nan
        raise UnknownItemError(f"no WGI data for {year} or earlier (first year {first})")
    latest = sub.sort_values(["iso3", "year"], kind="stable").groupby("iso3", sort=True).tail(1)
    s = pd.Series(
        latest[column].to_numpy(dtype=float), index=latest["iso3"].to_numpy(), name=column
    )
    s.index.name = "iso3"
    years = dict(zip(latest["iso3"], latest["year"].astype(int), strict=True))
    differ = {k: v for k, v in years.items() if v != year}
    s.attrs = {
        "requested": year,
        "year_used": int(max(years.values())),
        "fallback": bool(differ),
        "years": differ,
    }
    return s
