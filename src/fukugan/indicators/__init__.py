"""Indicators: the pure numerical core (numbers in, numbers out).

- :mod:`~fukugan.indicators.concentration` -- shares, HHI, top-k, governance-weighted HHI;
- :mod:`~fukugan.indicators.groups` -- shares of supply outside a country group (groups: :mod:`fukugan.data.groups`);
- :mod:`~fukugan.indicators.crm` -- EU CRM supply risk (Blengini et al. 2017);
- :mod:`~fukugan.indicators.strategic` -- EU 2021 strategic-dependency test (SWD(2021) 352);
- :mod:`~fukugan.indicators.geopolrisk` -- GeoPolRisk (Gemechu et al. 2016);
- :mod:`~fukugan.indicators.leverage` -- indispensability / chokepoints;
- :mod:`~fukugan.indicators.autonomy` -- fukugan's autonomy-risk composite.
"""

from __future__ import annotations
