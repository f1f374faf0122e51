"""EU 2021 strategic-dependency test, generalised to a home country or group.

Method: European Commission (2021), Commission Staff Working Document SWD(2021) 352 final,
*Strategic dependencies and capacities* (accompanying COM(2021) 350, "Updating the 2020 New
Industrial Strategy"), Annex on methodology. A product (HS6) is a foreign dependency of the EU
when all three hold:

1. **concentration** -- the HHI of extra-EU imports by supplier country (shares of extra-EU
   imports, 0-1 scale) is above 0.4;
2. **importance of extra-EU imports** -- extra-EU imports are more than half of total EU
   imports (intra-EU + extra-EU), a proxy for their weight in EU demand;
3. **substitutability with EU production** -- extra-EU imports exceed total EU exports
   (intra + extra, a proxy for EU production): ratio above 1.

fukugan replaces "EU" by a **home group** (a set of ISO3 codes). ``imports_by_partner`` is the
home group's total imports of the product by partner, **including** imports from other members
of the group (intra-group trade). Two useful choices:

- ``home_group`` = a bloc the home belongs to (the SWD's own setting, e.g. ``eu27``), with the
  bloc's imports and exports;
- ``home_group`` = the home country plus its like-minded partners, with the **home country's**
  imports and exports: then criterion 2 asks whether most imports come from outside the trusted
  group. For a single country ``{home}``, criterion 2 is always met (all imports are "extra").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fukugan import checks as v
from fukugan.errors import InputError


@dataclass(frozen=True)
class StrategicThresholds:
    """Thresholds of the three criteria (strict ``>``), SWD(2021) 352 values by default."""

    hhi: float = 0.4
    extra_share: float = 0.5
    import_export_ratio: float = 1.0

    def __post_init__(self) -> None:
        v.scalar(self.hhi, "thresholds.hhi", lo=0.0, hi=1.0)
        v.scalar(self.extra_share, "thresholds.extra_share", lo=0.0, hi=1.0)
        v.scalar(self.import_export_ratio, "thresholds.import_export_ratio", lo=0.0)


@dataclass(frozen=True)
class StrategicDependencyResult:
    """The three criterion values, their verdicts, and the inputs behind them.

    ``hhi_extra`` is NaN when there are no extra-group imports (criterion 1 is then False);
    ``import_export_ratio`` is ``inf`` when extra imports are positive and exports are zero.
    """

    hhi_extra: float
    extra_share: float
    import_export_ratio: float
    concentrated: bool
    extra_important: bool
    not_substitutable: bool
    dependent: bool
    extra_imports: float
    total_imports: float
    total_exports: float
    extra_shares: pd.Series
    thresholds: StrategicThresholds = field(default_factory=StrategicThresholds)


def strategic_dependency(
    imports_by_partner: pd.Series,
    total_exports: float,
    home_group: Iterable[str],
    thresholds: StrategicThresholds | None = None,
) -> StrategicDependencyResult:
    """The EU 2021 strategic-dependency test (SWD(2021) 352) for one product.

    With ``M_p`` = imports from partner p, G = home group, X = total exports of G:

    - ``hhi_extra = sum_{p not in G} (M_p / M_extra)**2`` (> 0.4),
    - ``extra_share = M_extra / sum_p M_p`` (> 0.5),
    - ``import_export_ratio = M_extra / X`` (> 1);

    ``dependent`` = all three.

    >>> imp = pd.Series({"CHN": 70.0, "VNM": 10.0, "DEU": 20.0})
    >>> r = strategic_dependency(imp, total_exports=40.0, home_group={"DEU", "FRA"})
    >>> round(r.hhi_extra, 6), r.extra_share, r.import_export_ratio, r.dependent
    (0.78125, 0.8, 2.0, True)
    """
    th = thresholds if thresholds is not None else StrategicThresholds()
    m = v.series(imports_by_partner, "imports_by_partner")
    x = v.scalar(total_exports, "total_exports")
    g = v.codes(home_group, "home_group")
    if not g:
        raise InputError("home_group: empty (give at least the home country)")
    total = float(m.sum())
    if total <= 0:
        raise InputError("imports_by_partner: all imports are zero, so the test is undefined")
    extra = m[~m.index.isin(list(g))]
    extra_total = float(extra.sum())
    if extra_total > 0:
        s = extra[extra > 0] / extra_total
        h = float(np.dot(s.to_numpy(), s.to_numpy()))
    else:
        s = pd.Series(dtype=float)
        h = float("nan")
    share = extra_total / total
    if x > 0:
        ratio = extra_total / x
    else:
        ratio = float("inf") if extra_total > 0 else 0.0
    c1 = bool(h > th.hhi) if extra_total > 0 else False
    c2 = bool(share > th.extra_share)
    c3 = bool(ratio > th.import_export_ratio)
    return StrategicDependencyResult(
        hhi_extra=h,
        extra_share=share,
        import_export_ratio=ratio,
        concentrated=c1,
        extra_important=c2,
        not_substitutable=c3,
        dependent=c1 and c2 and c3,
        extra_imports=extra_total,
        total_imports=total,
        total_exports=x,
        extra_shares=s,
        thresholds=th,
    )
