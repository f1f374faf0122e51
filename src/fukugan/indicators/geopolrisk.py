"""GeoPolRisk: the geopolitical supply risk of a raw material for an importing economy.

Method: Gemechu, E.D., Helbig, C., Sonnemann, G., Thorenz, A., Tuma, A. (2016), "Import-based
indicator for the geopolitical supply risk of raw materials in life cycle sustainability
assessments", *Journal of Industrial Ecology* 20(1), 154-165; domestic production added as a
mitigating term by Helbig et al. (2016, J. Clean. Prod. 137); recycling by Santillán-Saldivar
et al. (2021, Resour. Conserv. Recycl. 164, 105108); implemented in the ``geopolrisk-py``
package (Koyamparambath et al. 2024; github.com/akoyamp/geopolrisk-py). The score of raw
material A for economy c is

    GeoPolRisk_Ac = HHI_A * sum_i g_i * f_Aic / (p_Ac + F_Ac)

with HHI_A the production concentration of A (0-1), g_i the political instability of supplier
i on 0-1 (1 = worst), f_Aic the imports of A by c from i, p_Ac the domestic production and F_Ac
the total imports of A by c. The second factor is the "import risk" (geopolrisk-py: weighted
trade average, WTA). geopolrisk-py computes exactly ``Score = HHI * Numerator / (TotalTrade +
ProdQty)`` with ``Numerator = sum(qty * partnerWGI)``.

**Governance scale.** geopolrisk-py takes g_i from the WGI "Political Stability and Absence of
Violence/Terrorism" (PV) indicator, normalised to 0-1 in its bundled database (the
normalisation is done in a database view we could not read), and gives 0.5 to a partner
without a score. fukugan uses the linear rescaling of the PV estimate (about -2.5 ... +2.5)
``g = (2.5 - PV) / 5``, clipped to [0, 1] (:func:`instability_from_wgi`), which maps the most
stable score to 0 and the least stable to 1 as the method requires; pass your own ``g`` values
to use another scaling. A missing ``g`` is an error unless ``missing_governance`` is given
(0.5 reproduces geopolrisk-py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fukugan import checks as v
from fukugan.errors import InputError


def instability_from_wgi(pv_estimate: Any) -> np.ndarray:
    """WGI political-stability estimate (-2.5 worst ... +2.5 best) -> instability 0-1, 1 = worst.

    ``g = (2.5 - PV) / 5``, clipped to [0, 1].

    >>> instability_from_wgi([2.5, 0.0, -2.5, 3.0]).tolist()
    [0.0, 0.5, 1.0, 0.0]
    """
    x = v.array(pv_estimate, "pv_estimate", nonneg=False)
    return np.clip((2.5 - x) / 5.0, 0.0, 1.0)


@dataclass(frozen=True)
class GeoPolRiskResult:
    """GeoPolRisk score and its terms.

    ``score = hhi * import_risk``; ``import_risk = weighted_imports / (domestic_production +
    total_imports)``; ``contributions[i] = g_i * f_i / (p + F)`` (they sum to ``import_risk``).
    """

    score: float
    hhi: float
    import_risk: float
    weighted_imports: float
    total_imports: float
    domestic_production: float
    contributions: pd.Series
    governance_used: pd.Series
    defaults_used: list[str] = field(default_factory=list)


def geopolrisk(
    production_shares: pd.Series | Any,
    imports_by_partner: pd.Series,
    domestic_production: float,
    governance_0_1: pd.Series,
    *,
    missing_governance: float | None = None,
) -> GeoPolRiskResult:
    """GeoPolRisk of a raw material for one importing economy (Gemechu et al. 2016).

    ``GeoPolRisk = HHI_A * sum_i g_i * f_i / (p + F)`` where ``HHI_A`` is computed from
    ``production_shares`` (world production by country; amounts or shares -- normalised to
    shares of their total), ``f_i`` = ``imports_by_partner`` (Series by ISO3, one unit),
    ``F = sum_i f_i``, ``p`` = ``domestic_production`` (same unit) and ``g_i`` =
    ``governance_0_1`` (0 best ... 1 worst, see :func:`instability_from_wgi`).

    Worked example: production 60/30/10 -> HHI = .36 + .09 + .01 = .46; imports 40 from a
    partner with g = .7 and 40 from one with g = .2, domestic production 20:
    import risk = (28 + 8) / (20 + 80) = .36; score = .46 * .36 = .1656.

    >>> prod = pd.Series({"CHN": 60.0, "AUS": 30.0, "USA": 10.0})
    >>> imp = pd.Series({"CHN": 40.0, "AUS": 40.0})
    >>> g = pd.Series({"CHN": 0.7, "AUS": 0.2})
    >>> r = geopolrisk(prod, imp, 20.0, g)
    >>> round(r.hhi, 6), round(r.import_risk, 6), round(r.score, 6)
    (0.46, 0.36, 0.1656)
    """
    defaults: list[str] = []
    if isinstance(production_shares, (pd.Series, dict)):
        prod = v.series(production_shares, "production_shares").to_numpy()
    else:
        prod = v.array(production_shares, "production_shares")
    ptot = prod.sum()
    if ptot <= 0:
        raise InputError("production_shares: all zero, so the production HHI is undefined")
    s = prod / ptot
    h = float(np.dot(s, s))

    f = v.series(imports_by_partner, "imports_by_partner", allow_empty=True)
    p = v.scalar(domestic_production, "domestic_production")
    gov = v.series(governance_0_1, "governance_0_1", allow_empty=True)
    if (gov > 1).any():
        bad = gov.index[gov > 1][0]
        raise InputError(f"governance_0_1: {bad} has {gov[bad]:g} > 1 (expected the 0-1 scale)")
    f = f[f > 0]
    g = v.fill_missing(
        gov,
        f.index,
        missing_governance,
        name="governance",
        default_name="missing_governance",
        hi=1.0,
        defaults_used=defaults,
        context="0.5 reproduces geopolrisk-py",
    )
    big_f = float(f.sum())
    denom = p + big_f
    if denom <= 0:
        raise InputError(
            "no supply: domestic production and imports are both zero, so the risk is undefined"
        )
    contrib = (g * f / denom).astype(float)
    weighted = float((g * f).sum())
    ir = weighted / denom
    return GeoPolRiskResult(
        score=h * ir,
        hhi=h,
        import_risk=ir,
        weighted_imports=weighted,
        total_imports=big_f,
        domestic_production=p,
        contributions=contrib,
        governance_used=g.astype(float),
        defaults_used=defaults,
    )
