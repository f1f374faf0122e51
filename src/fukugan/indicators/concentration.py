"""Supplier concentration: shares, Herfindahl-Hirschman index, top-k shares, governance-weighted HHI.

All functions take plain numbers (a list, a numpy array or a pandas Series) and return numbers.
Shares are **fractions** (0-1), and the HHI is on the **0-1 scale** throughout fukugan, as the
EU CRM methodology (Blengini et al. 2017) and GeoPolRisk (Gemechu et al. 2016) use it.

Competition authorities quote the HHI on the **0-10,000 scale** (shares in percent, squared):
the US DOJ/FTC Horizontal Merger Guidelines (2010) call a market unconcentrated below 1,500,
moderately concentrated at 1,500-2,500 and highly concentrated above 2,500; the 2023 Merger
Guidelines use 1,800 as the "highly concentrated" mark. Convert with :func:`hhi_to_points` and
:func:`hhi_from_points` (multiply or divide by 10,000).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fukugan import checks as v
from fukugan.errors import InputError

#: Tolerance for "shares sum to at most 1" checks (floating point noise).
SHARE_TOL = 1e-9


def shares(values: Any) -> np.ndarray:
    """Shares of a total: ``s_i = x_i / sum(x)``, fractions that sum to 1.

    Zeros are allowed (a zero supplier has share 0); the total must be positive.

    >>> shares([2, 1, 1]).tolist()
    [0.5, 0.25, 0.25]
    >>> shares([5, 0]).tolist()
    [1.0, 0.0]
    """
    x = v.array(values, "values")
    total = x.sum()
    if total <= 0:
        raise InputError("values: all values are zero, so shares are undefined")
    return x / total


def hhi(shares_or_values: Any, *, normalise: bool = True) -> float:
    """Herfindahl-Hirschman index on the 0-1 scale: ``HHI = sum_i s_i**2``.

    Herfindahl (1950), Hirschman (1945); the fraction scale as in Blengini et al. (2017, JRC
    EUR 28654). With ``normalise=True`` (default) the input is first turned into shares of its
    own total, so raw amounts (tonnes, dollars) can be passed. With ``normalise=False`` the input
    is taken as shares already (fractions of some total, summing to at most 1, e.g. when a
    residual is left out); percentages are refused. For ``n`` positive suppliers
    ``1/n <= HHI <= 1``; multiply by 10,000 (:func:`hhi_to_points`) for the antitrust scale.

    >>> round(hhi([0.5, 0.3, 0.2]), 10)
    0.38
    >>> round(hhi([50, 30, 20]), 10)
    0.38
    >>> hhi([0.5, 0.5], normalise=False)
    0.5
    """
    if normalise:
        s = shares(shares_or_values)
    else:
        s = v.array(shares_or_values, "shares")
        if s.sum() > 1 + SHARE_TOL:
            raise InputError(
                f"shares: they sum to {s.sum():g} > 1; pass fractions (not percent) or use "
                "normalise=True"
            )
    return float(np.dot(s, s))


def hhi_to_points(h: float) -> float:
    """HHI on the 0-1 scale -> the 0-10,000 antitrust scale (``h * 10,000``).

    >>> hhi_to_points(0.38)
    3800.0
    """
    return v.scalar(h, "hhi", lo=0.0, hi=1.0 + SHARE_TOL) * 10_000.0


def hhi_from_points(points: float) -> float:
    """HHI on the 0-10,000 scale -> the 0-1 scale (``points / 10,000``).

    >>> hhi_from_points(2500)
    0.25
    """
    return v.scalar(points, "hhi points", lo=0.0, hi=10_000.0 * (1 + SHARE_TOL)) / 10_000.0


def equivalent_number(h: float) -> float:
    """Equivalent number of equal-sized suppliers: ``N_eq = 1 / HHI`` (Adelman 1969).

    >>> equivalent_number(0.25)
    4.0
    >>> round(equivalent_number(0.38), 4)
    2.6316
    """
    x = v.scalar(h, "hhi", lo=0.0, hi=1.0 + SHARE_TOL)
    if x == 0:
        raise InputError("hhi: 0 has no equivalent number (infinitely many suppliers)")
    return 1.0 / x


def top_k_share(values: Any, k: int) -> float:
    """Combined share of the ``k`` largest suppliers (concentration ratio CR_k).

    ``CR_k = sum of the k largest s_i``; ``k`` larger than the number of suppliers gives 1.

    >>> top_k_share([0.5, 0.3, 0.2], 1)
    0.5
    >>> top_k_share([20, 50, 30], 2)
    0.8
    >>> top_k_share([0.5, 0.3, 0.2], 3)
    1.0
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError(f"k: expected a whole number >= 1, got {k!r}")
    s = np.sort(shares(values))[::-1]
    return float(min(1.0, s[: int(k)].sum()))


def wgi_to_0_10(estimate: Any) -> np.ndarray:
    """Rescale WGI estimates (-2.5 worst ... +2.5 best) to the 0-10 scale, 10 = worst.

    ``WGI_0_10 = (2.5 - estimate) * 2``, clipped to [0, 10]. The EU CRM method uses governance
    "rescaled 0-10" with higher values meaning poorer governance (Blengini et al. 2017, JRC EUR
    28654, which takes the average of the six WGI dimensions, Kaufmann et al. 2010). This linear
    map is fukugan's reading of that rescaling; pass your own 0-10 values if you have them.

    >>> wgi_to_0_10([2.5, 0.0, -2.5, -3.0]).tolist()
    [0.0, 5.0, 10.0, 10.0]
    """
    x = v.array(estimate, "wgi estimate", nonneg=False)
    return np.clip((2.5 - x) * 2.0, 0.0, 10.0)


def hhi_wgi(shares: Any, wgi_0_10: Any, t: Any = None) -> float:
    """Governance- and trade-weighted HHI: ``HHI_WGI,t = sum_c S_c**2 * WGI_c * t_c``.

    EU CRM methodology: Blengini et al. (2017), "Methodology for establishing the EU list of
    critical raw materials", JRC EUR 28654. ``S_c`` are shares as **fractions** (not
    renormalised: a missing residual stays missing), ``WGI_c`` is governance rescaled to 0-10
    (10 = worst, see :func:`wgi_to_0_10`) and ``t_c`` the trade-related factor (1 = no export
    restriction; the method raises it for export taxes, quotas or bans and lowers it for
    countries with a trade agreement with the importer). ``t`` defaults to 1 for every country.
    With t = 1, ``0 <= HHI_WGI <= 10 * HHI``.

    >>> round(hhi_wgi([0.6, 0.3, 0.1], [6.0, 2.0, 3.0]), 10)
    2.37
    >>> round(hhi_wgi([0.5, 0.5], [4.0, 4.0], t=[1.0, 1.5]), 10)
    2.5
    """
    s = v.array(shares, "shares")
    w = v.array(wgi_0_10, "wgi_0_10")
    if s.shape != w.shape:
        raise InputError(f"shares and wgi_0_10 have different lengths ({s.size} and {w.size})")
    if s.sum() > 1 + 1e-6:
        raise InputError(f"shares: they sum to {s.sum():g} > 1; pass fractions, not percent")
    if (w > 10).any():
        raise InputError(f"wgi_0_10: value {w[w > 10][0]:g} is above 10 (expected the 0-10 scale)")
    if t is None:
        tt = np.ones_like(s)
    else:
        tt = v.array(t, "t")
        if tt.shape != s.shape:
            raise InputError(f"shares and t have different lengths ({s.size} and {tt.size})")
    return float(np.sum(s * s * w * tt))


@dataclass(frozen=True)
class HHIBounds:
    """HHI bounds when part of the total is an unallocated residual ("Other countries").

    ``lower``: the residual is split into infinitely many tiny suppliers (contributes 0).
    ``upper``: the residual is one more supplier (contributes ``(R/T)**2``).
    ``reported``: the value fukugan reports by default, the lower bound.
    """

    lower: float
    upper: float
    residual_share: float

    @property
    def reported(self) -> float:
        return self.lower


def hhi_bounds_with_residual(values: Any, residual: float) -> HHIBounds:
    """Bounds on the HHI when a residual amount ``R`` has no known split among suppliers.

    With named amounts ``x_i`` and total ``T = sum(x) + R``:

    - lower bound ``sum_i (x_i/T)**2`` -- the residual is spread over infinitely many tiny
      suppliers, so it adds nothing (HHI is Schur-convex: splitting never raises it);
    - upper bound ``lower + (R/T)**2`` -- the residual is a single supplier (it cannot be more
      concentrated than that, since it belongs to none of the named suppliers).

    fukugan **reports the lower bound by default** (``HHIBounds.reported``): it uses only what
    the data say (the named suppliers' shares of the true total), a statistical "Other
    countries" row is in practice many small producers, and the gap ``(R/T)**2`` is small when
    the residual is small; both bounds are kept so a reader can see the uncertainty.

    >>> b = hhi_bounds_with_residual([60, 20], 20)
    >>> round(b.lower, 10), round(b.upper, 10), b.residual_share
    (0.4, 0.44, 0.2)
    """
    x = v.array(values, "values", allow_empty=True)
    r = v.scalar(residual, "residual", lo=0.0)
    total = x.sum() + r
    if total <= 0:
        raise InputError("values and residual are all zero, so the HHI is undefined")
    s = x / total
    lower = float(np.dot(s, s))
    rs = r / total
    return HHIBounds(lower=lower, upper=float(lower + rs * rs), residual_share=float(rs))
