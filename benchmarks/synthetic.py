"""SYNTHETIC trade data of BACI's shape, for scale benchmarks and tests (never real figures).

One year of bilateral HS6 trade: ~10 M (exporter, importer, product) rows over 5,000 HS6
products and ~230 countries, like a BACI year (docs/PRODUCT.md, "Speed and scale"). Country sizes are
heavy-tailed (Pareto), and each product has its own exporter propensities (a product-specific
lognormal perturbation whose spread varies by product), so supplier concentration ranges from
near-monopolies to diffuse markets. Seeded: the same arguments give the same frame.

Country labels are real ISO3 codes only so that country groups and WGI tables can be joined; every
value is generated. The provenance says ``synthetic=True`` and every output labels it SYNTHETIC.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv

from fukugan.provenance import Provenance

SYNTHETIC_LABEL = "SYNTHETIC (generated, BACI-shaped; not real trade data)"

#: A like-minded group used by the benchmarks (G7 + EU27 + a few partners).
LIKE_MINDED = frozenset(
    "USA CAN GBR JPN KOR AUS NZL CHE NOR ISL SGP TWN "
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT "
    "ROU SVK SVN ESP SWE".split()
)


@dataclass(frozen=True)
class SyntheticYear:
    """A generated year: the normalised trade frame, WGI (0–10), the group, provenance."""

    trade: pd.DataFrame
    wgi_0_10: pd.Series
    like_minded: frozenset[str]
    provenance: Provenance
    country_numeric: dict[str, int]


def _countries(n: int) -> tuple[list[str], dict[str, int]]:
    """``n`` ISO3 codes (with their ISO numeric codes) from country_converter's table."""
    import country_converter as coco

    df = coco.CountryConverter().data[["ISO3", "ISOnumeric"]].dropna()
    df = df[df["ISO3"].str.fullmatch(r"[A-Z]{3}")]
    df = df.assign(num=pd.to_numeric(df["ISOnumeric"], errors="coerce")).dropna(subset=["num"])
    df = df.drop_duplicates("ISO3").drop_duplicates("num").sort_values("ISO3")
    must = [c for c in sorted(LIKE_MINDED | {"CHN", "RUS", "IND", "BRA", "ZAF"}) if c != "TWN"]
    chosen = [c for c in must if c in set(df["ISO3"])]
    rest = [c for c in df["ISO3"] if c not in chosen]
    chosen = sorted(chosen + rest[: max(0, n - len(chosen))])[:n]
    num = dict(zip(df["ISO3"], df["num"].astype(int), strict=True))
    return chosen, {c: num[c] for c in chosen}


def _products(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct 6-digit HS-like codes over chapters 01-97 (leading zeros included)."""
    chapters = np.arange(1, 98)
    codes: set[int] = set()
    while len(codes) < n:
        ch = rng.choice(chapters, size=n)
        rest = rng.integers(0, 10_000, size=n)
        codes.update((ch * 10_000 + rest).tolist())
    return np.array(sorted(codes)[:n])


def generate_year(
    n_rows: int = 10_000_000,
    n_products: int = 5_000,
    n_countries: int = 230,
    *,
    seed: int = 20240501,
    year: int = 2022,
) -> SyntheticYear:
    """Generate one SYNTHETIC BACI-shaped year (see module docstring).

    Values are in USD (BACI's thousand USD × 1000, rounded to BACI's 3 decimals of thousands),
    quantities in metric tons with ~10 % missing, as in BACI.
    """
    rng = np.random.default_rng(seed)
    iso3, numeric = _countries(n_countries)
    n_c = len(iso3)
    products = _products(n_products, rng)
    n_p = len(products)

    size = (rng.pareto(1.1, n_c) + 1.0) ** 1.5  # heavy-tailed economy sizes
    log_size = np.log(size)
    # product-specific exporter propensities: spread varies by product (concentration varies)
    spread = rng.uniform(0.5, 3.0, size=(n_p, 1))
    logw = 1.2 * log_size[None, :] + spread * rng.standard_normal((n_p, n_c))
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    cum[:, -1] = 1.0
    flat_cum = (cum + np.arange(n_p)[:, None]).ravel()
    imp_p = size**0.8 / (size**0.8).sum()
    prod_p = rng.lognormal(0.0, 1.0, n_p)
    prod_p /= prod_p.sum()

    keys = np.zeros(0, dtype=np.int64)
    draw = int(n_rows * 1.6)
    for _ in range(20):
        prod = rng.choice(n_p, size=draw, p=prod_p)
        u = rng.random(draw)
        exp = np.searchsorted(flat_cum, prod + u, side="right") - prod * n_c
        exp = np.clip(exp, 0, n_c - 1)
        imp = rng.choice(n_c, size=draw, p=imp_p)
        ok = exp != imp
        k = (prod[ok].astype(np.int64) * n_c + imp[ok]) * n_c + exp[ok]
        keys = np.unique(np.concatenate([keys, k]))
        if keys.size >= n_rows:
            break
        # heavy tails repeat the big pairs: widen the importer distribution for later rounds
        imp_p = 0.5 * imp_p + 0.5 / n_c
    if keys.size > n_rows:
        keys = np.sort(rng.choice(keys, size=n_rows, replace=False))
    exp = (keys % n_c).astype(np.int32)
    imp = ((keys // n_c) % n_c).astype(np.int32)
    prod = (keys // (n_c * n_c)).astype(np.int32)
    # shuffle row order as in a real file (sorted by exporter, importer, product in BACI)
    perm = np.lexsort((prod, imp, exp))
    exp, imp, prod = exp[perm], imp[perm], prod[perm]

    n = exp.size
    v_k = (
        np.exp(0.8 * logw[prod, exp] - 0.8 * logw.max() / 2)
        * size[imp] ** 0.5
        * rng.lognormal(0.0, 1.5, n)
    )
    v_k = np.maximum(np.round(v_k * 50.0, 3), 0.001)  # thousand USD, 3 decimals, > 0
    price = rng.lognormal(1.0, 1.2, n_p)  # thousand USD per ton
    q = np.round(v_k / price[prod], 3)
    q[rng.random(n) < 0.1] = np.nan

    countries = pd.Index(iso3)
    hs6 = pd.Index([f"{c:06d}" for c in products])
    source = "SYNTHETIC BACI-shaped"
    trade = pd.DataFrame(
        {
            "year": np.full(n, year, dtype=np.int16),
            "exporter": pd.Categorical.from_codes(exp, categories=countries),
            "importer": pd.Categorical.from_codes(imp, categories=countries),
            "hs6": pd.Categorical.from_codes(prod, categories=hs6),
            "value_usd": v_k * 1000.0,
            "quantity_t": q,
            "source": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[source]),
        }
    )
    wgi = pd.Series(np.round(rng.uniform(0.5, 9.5, n_c), 3), index=countries, name="wgi_0_10")
    wgi = wgi.drop(index=list(rng.choice(countries, size=max(1, n_c // 20), replace=False)))
    prov = Provenance(
        dataset="trade",
        source=SYNTHETIC_LABEL,
        year=str(year),
        unit="USD (current); metric tons",
        licence="generated by fukugan benchmarks (no real data)",
        notes=(
            f"seed={seed}, rows={n}, products={n_p}, countries={n_c}; Pareto country sizes, "
            "product-specific lognormal exporter propensities"
        ),
        synthetic=True,
    )
    return SyntheticYear(trade, wgi, LIKE_MINDED, prov, numeric)


def write_baci_csv(year: SyntheticYear, directory: str | Path) -> tuple[Path, Path]:
    """Write the year as BACI release files (``BACI_HS17_Y{year}_V000000.csv`` and
    ``country_codes_V000000.csv``), HS codes as numbers (leading zeros lost, as in BACI)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    t = year.trade
    y = int(t["year"].iloc[0])
    num = np.array([year.country_numeric[c] for c in t["exporter"].cat.categories])
    table = pa.table(
        {
            "t": pa.array(t["year"].to_numpy().astype(np.int32)),
            "i": pa.array(num[t["exporter"].cat.codes.to_numpy()]),
            "j": pa.array(num[t["importer"].cat.codes.to_numpy()]),
            "k": pa.array(
                np.array([int(c) for c in t["hs6"].cat.categories])[t["hs6"].cat.codes.to_numpy()]
            ),
            "v": pa.array(np.round(t["value_usd"].to_numpy() / 1000.0, 3)),
            "q": pa.array(t["quantity_t"].to_numpy(), from_pandas=True),
        }
    )
    trade_path = directory / f"BACI_HS17_Y{y}_V000000.csv"
    pv.write_csv(table, trade_path)
    cc_path = directory / "country_codes_V000000.csv"
    pd.DataFrame(
        {
            "country_code": list(year.country_numeric.values()),
            "country_name": list(year.country_numeric.keys()),
            "country_iso2": "",
            "country_iso3": list(year.country_numeric.keys()),
        }
    ).to_csv(cc_path, index=False)
    return trade_path, cc_path
