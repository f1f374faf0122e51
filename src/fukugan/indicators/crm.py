"""EU critical raw materials supply risk (SR), generalised to any home country.

Method: Blengini, G.A. et al. (2017), *Methodology for establishing the EU list of critical
raw materials -- Guidelines*, and the background report *Assessment of the methodology for
establishing the EU list of critical raw materials*, JRC Technical Report EUR 28654 EN,
doi:10.2760/73303. The supply risk of a raw material is

    SR = [HHI_WGI,t(GS) * IR/2 + HHI_WGI,t(EU sourcing) * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR

with ``HHI_WGI,t = sum_c S_c**2 * WGI_c * t_c`` (shares as fractions, WGI rescaled 0-10, 10 =
worst), GS = global supply (production by country), "EU sourcing" = the actual supply mix of the
EU (domestic production + imports by origin), IR = import reliance, EoL_RIR = end-of-life
recycling input rate, SI_SR = substitution index for supply risk (0-1, 1 = no substitute). A
material is critical when SR >= 1 and economic importance EI >= 2.8 (the 2017 thresholds).

fukugan replaces "EU" with a **home country** (or group): its sourcing is its domestic
production plus its imports by partner. Without trade data the home sourcing falls back to
global supply (flagged in the result); the SR then equals HHI_WGI,t(GS) whatever IR is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from fukugan import checks as v
from fukugan.errors import InputError
from fukugan.indicators.concentration import hhi_wgi

#: EU 2017 criticality thresholds (Blengini et al. 2017).
SR_THRESHOLD = 1.0
EI_THRESHOLD = 2.8


def import_reliance(imports: float, exports: float, domestic_production: float) -> float:
    """Import reliance ``IR = (I - E) / (P + I - E)``, clipped to [0, 1] (Blengini et al. 2017).

    ``P + I - E`` is apparent consumption. A net exporter (``I <= E``) has IR = 0; since P >= 0
    the ratio never exceeds 1 otherwise, so clipping only acts on net exporters.

    >>> import_reliance(imports=80, exports=0, domestic_production=20)
    0.8
    >>> import_reliance(imports=10, exports=30, domestic_production=100)
    0.0
    """
    i = v.scalar(imports, "imports")
    e = v.scalar(exports, "exports")
    p = v.scalar(domestic_production, "domestic_production")
    net = i - e
    if net <= 0:
        return 0.0
    return float(min(1.0, net / (p + net)))


def _aligned_shares_terms(
    supply: pd.Series,
    wgi: pd.Series,
    t: pd.Series | None,
    missing_wgi: float | None,
    what: str,
    defaults_used: list[str],
) -> tuple[float, pd.Series, pd.Series, pd.Series]:
    total = float(supply.sum())
    if total <= 0:
        raise InputError(f"{what}: all values are zero, so shares are undefined")
    s = supply[supply > 0] / total
    w = v.fill_missing(
        wgi,
        s.index,
        missing_wgi,
        name="wgi_0_10",
        default_name="missing_wgi",
        hi=10.0,
        defaults_used=defaults_used,
        context=what,
    )
    tt = pd.Series(1.0, index=s.index) if t is None else t.reindex(s.index).fillna(1.0)
    value = hhi_wgi(s.to_numpy(), w.to_numpy(), tt.to_numpy())
    return value, s, w, tt


@dataclass(frozen=True)
class SupplyRiskResult:
    """Every input and intermediate term of an EU-CRM supply risk calculation."""

    supply_risk: float
    hhi_wgi_t_global: float
    hhi_wgi_t_home: float
    import_reliance: float
    eol_rir: float
    si_sr: float
    economic_importance: float | None
    critical: bool | None
    sr_threshold: float
    ei_threshold: float
    global_shares: pd.Series
    home_shares: pd.Series
    wgi_used: pd.Series
    t_used: pd.Series
    home_sourcing_fallback: bool
    defaults_used: list[str] = field(default_factory=list)

    @property
    def weight_global(self) -> float:
        """Weight of the global-supply term, ``IR/2``."""
        return self.import_reliance / 2

    @property
    def weight_home(self) -> float:
        """Weight of the home-sourcing term, ``1 - IR/2``."""
        return 1 - self.import_reliance / 2


def supply_risk(
    global_supply: pd.Series,
    wgi_0_10: pd.Series,
    *,
    home_sourcing: pd.Series | None = None,
    home: str | None = None,
    import_reliance: float | None = None,
    eol_rir: float | None = None,
    si_sr: float | None = None,
    t: pd.Series | None = None,
    economic_importance: float | None = None,
    missing_wgi: float | None = None,
    sr_threshold: float = SR_THRESHOLD,
    ei_threshold: float = EI_THRESHOLD,
) -> SupplyRiskResult:
    """EU CRM supply risk for a home country (Blengini et al. 2017, JRC EUR 28654).

    ``SR = [HHI_WGI,t(GS)*IR/2 + HHI_WGI,t(home sourcing)*(1 - IR/2)] * (1 - EoL_RIR) * SI_SR``;
    critical if ``SR >= sr_threshold`` (1.0) and ``EI >= ei_threshold`` (2.8).

    Inputs (Series indexed by ISO3):

    - ``global_supply``: production by country (any unit; shares are taken of its total);
    - ``wgi_0_10``: governance 0-10, 10 = worst (see
      :func:`fukugan.indicators.concentration.wgi_to_0_10`); every country with a positive
      share needs one, or pass ``missing_wgi`` (recorded in ``defaults_used``);
    - ``home_sourcing``: the home country's supply mix -- its domestic production under its own
      code plus its imports by partner. ``None`` -> falls back to global supply (flagged);
    - ``t``: trade-related factor by country (1 = no export restriction), missing -> 1.

    Transparent defaults, each listed in ``defaults_used`` when applied:

    - ``import_reliance``: with home sourcing and ``home`` (the row of ``home_sourcing`` that
      is domestic production), ``imports / (imports + domestic production)`` with exports taken
      as 0 (use :func:`import_reliance` when exports are known); with home sourcing but no
      ``home``, 1.0; without home sourcing, 1.0 (no effect: both terms are then equal);
    - ``eol_rir`` = 0 (no recycling credit) and ``si_sr`` = 1 (no substitute): the
      conservative values -- they can only overstate the risk;
    - ``t`` = 1 for every country.

    Worked example: global shares CHN .6, AUS .3, USA .1 with WGI 6, 2, 3 give
    HHI_WGI(GS) = .36*6 + .09*2 + .01*3 = 2.37; home imports half from CHN, half from AUS give
    .25*6 + .25*2 = 2.0; with IR = .8, EoL_RIR = .1, SI_SR = .9:
    SR = (2.37*.4 + 2.0*.6) * .9 * .9 = 1.73988.

    >>> gs = pd.Series({"CHN": 60.0, "AUS": 30.0, "USA": 10.0})
    >>> wgi = pd.Series({"CHN": 6.0, "AUS": 2.0, "USA": 3.0})
    >>> home = pd.Series({"CHN": 50.0, "AUS": 50.0})
    >>> r = supply_risk(gs, wgi, home_sourcing=home, import_reliance=0.8, eol_rir=0.1,
    ...                 si_sr=0.9, economic_importance=3.0)
    >>> round(r.supply_risk, 5), round(r.hhi_wgi_t_global, 5), round(r.hhi_wgi_t_home, 5)
    (1.73988, 2.37, 2.0)
    >>> r.critical, r.defaults_used
    (True, ['t=1 for every country'])
    """
    defaults: list[str] = []
    gs = v.series(global_supply, "global_supply")
    wgi = v.series(wgi_0_10, "wgi_0_10", allow_empty=True)
    if (wgi > 10).any():
        bad = wgi.index[wgi > 10][0]
        raise InputError(f"wgi_0_10: {bad} has {wgi[bad]:g} > 10 (expected the 0-10 scale)")
    tt = None if t is None else v.series(t, "t", allow_empty=True)
    if t is None:
        defaults.append("t=1 for every country")
    if missing_wgi is not None:
        missing_wgi = v.scalar(missing_wgi, "missing_wgi", lo=0.0, hi=10.0)

    h_gs, s_gs, w_gs, t_gs = _aligned_shares_terms(
        gs, wgi, tt, missing_wgi, "global supply", defaults
    )

    fallback = home_sourcing is None
    if fallback:
        h_home, s_home, w_home, t_home = h_gs, s_gs, w_gs, t_gs
        defaults.append("home sourcing = global supply (no trade data)")
    else:
        hs = v.series(home_sourcing, "home_sourcing")
        h_home, s_home, w_home, t_home = _aligned_shares_terms(
            hs, wgi, tt, missing_wgi, "home sourcing", defaults
        )

    if import_reliance is None:
        if fallback:
            ir = 1.0
            defaults.append("import_reliance=1 (no effect: home sourcing = global supply)")
        elif home is not None:
            hs_total = float(hs.sum())
            ir = float(hs.drop(str(home), errors="ignore").sum()) / hs_total
            defaults.append("import_reliance from home_sourcing with exports=0")
        else:
            ir = 1.0
            defaults.append("import_reliance=1 (not given, and no home= to estimate it)")
    else:
        ir = v.scalar(import_reliance, "import_reliance", lo=0.0, hi=1.0)

    if eol_rir is None:
        eol = 0.0
        defaults.append("eol_rir=0 (no recycling credit)")
    else:
        eol = v.scalar(eol_rir, "eol_rir", lo=0.0, hi=1.0)
    if si_sr is None:
        si = 1.0
        defaults.append("si_sr=1 (no substitute)")
    else:
        si = v.scalar(si_sr, "si_sr", lo=0.0, hi=1.0)

    sr = (h_gs * ir / 2 + h_home * (1 - ir / 2)) * (1 - eol) * si
    ei = (
        None
        if economic_importance is None
        else v.scalar(economic_importance, "economic_importance")
    )
    srt = v.scalar(sr_threshold, "sr_threshold")
    eit = v.scalar(ei_threshold, "ei_threshold")
    critical = None if ei is None else bool(sr >= srt and ei >= eit)
    wgi_used = pd.concat([w_gs, w_home])
    wgi_used = wgi_used[~wgi_used.index.duplicated()]
    t_used = pd.concat([t_gs, t_home])
    t_used = t_used[~t_used.index.duplicated()]
    return SupplyRiskResult(
        supply_risk=float(sr),
        hhi_wgi_t_global=float(h_gs),
        hhi_wgi_t_home=float(h_home),
        import_reliance=float(ir),
        eol_rir=eol,
        si_sr=si,
        economic_importance=ei,
        critical=critical,
        sr_threshold=srt,
        ei_threshold=eit,
        global_shares=s_gs,
        home_shares=s_home,
        wgi_used=wgi_used.astype(float),
        t_used=t_used.astype(float),
        home_sourcing_fallback=fallback,
        defaults_used=defaults,
    )


def build_home_sourcing(
    imports_by_partner: pd.Series, home: str, domestic_production: float
) -> pd.Series:
    """The home country's sourcing mix: its imports by partner plus its own production.

    Any row for ``home`` itself in ``imports_by_partner`` (re-imports) is added to domestic
    production.

    >>> build_home_sourcing(pd.Series({"CHN": 8.0, "AUS": 2.0}), "JPN", 5.0).to_dict()
    {'CHN': 8.0, 'AUS': 2.0, 'JPN': 5.0}
    """
    imp = v.series(imports_by_partner, "imports_by_partner", allow_empty=True)
    p = v.scalar(domestic_production, "domestic_production")
    out = imp.copy()
    out.loc[str(home)] = float(out.get(str(home), 0.0)) + p
    return out.astype(float)


def supply_risk_for_home(
    global_supply: pd.Series,
    wgi_0_10: pd.Series,
    *,
    home: str,
    imports_by_partner: pd.Series | None,
    exports: float = 0.0,
    **kwargs: object,
) -> SupplyRiskResult:
    """:func:`supply_risk` from trade data: home sourcing and IR are built from
    ``imports_by_partner``, the home's production in ``global_supply`` and ``exports``.

    ``IR = (I - E)/(P + I - E)`` with I = total imports, E = ``exports`` (default 0, recorded in
    ``defaults_used``), P = ``global_supply[home]`` (0 if absent). Without trade data
    (``imports_by_partner=None``) the home sourcing falls back to global supply.

    >>> gs = pd.Series({"CHN": 60.0, "AUS": 30.0, "USA": 10.0})
    >>> wgi = pd.Series({"CHN": 6.0, "AUS": 2.0, "USA": 3.0, "JPN": 1.0})
    >>> r = supply_risk_for_home(gs, wgi, home="JPN", imports_by_partner=pd.Series(
    ...     {"CHN": 50.0, "AUS": 50.0}), exports=0.0, eol_rir=0.1, si_sr=0.9)
    >>> r.import_reliance, round(r.supply_risk, 5)
    (1.0, 1.76985)
    """
    gs = v.series(global_supply, "global_supply")
    p = float(gs.get(str(home), 0.0))
    if imports_by_partner is None:
        if "import_reliance" not in kwargs:
            kwargs["import_reliance"] = None
        return supply_risk(gs, wgi_0_10, home_sourcing=None, **kwargs)  # type: ignore[arg-type]
    imp = v.series(imports_by_partner, "imports_by_partner", allow_empty=True)
    imp_foreign = imp.drop(str(home), errors="ignore")
    ir = import_reliance(float(imp_foreign.sum()), exports, p)
    src = build_home_sourcing(imp_foreign, str(home), p)
    res = supply_risk(gs, wgi_0_10, home_sourcing=src, import_reliance=ir, **kwargs)  # type: ignore[arg-type]
    if exports == 0.0:
        res.defaults_used.append("exports=0 in import reliance")
    return res


__all__ = [
    "EI_THRESHOLD",
    "SR_THRESHOLD",
    "SupplyRiskResult",
    "build_home_sourcing",
    "import_reliance",
    "supply_risk",
    "supply_risk_for_home",
]
