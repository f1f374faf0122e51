"""Risk exposure: Simchi-Levi time-to-recover / time-to-survive LPs and the risk exposure index.

Simchi-Levi, Schmidt & Wei (2014, HBR 92(1/2):96–101); Simchi-Levi, Schmidt, Wei, Zhang, Combs,
Ge, Gusikhin, Sanders & Zhang (2015, Interfaces 45(5):375–390). The data model is in
:mod:`fukugan.supply_network`, the linear programs (with their equations) in
:mod:`fukugan.exposure.lp`, a worked example in :mod:`fukugan.data.bom_example`, the CSV importer
in :mod:`fukugan.data.bom`.
"""

from fukugan.exposure.lp import (
    ExposureModel,
    TTRResult,
    risk_exposure,
    time_to_recover_impact,
    time_to_survive,
    to_run_result,
    to_run_rows,
)
from fukugan.supply_network import Alternative, BomRow, SupplyNetwork

#: Alias of :func:`time_to_recover_impact` (the name the scenario engine dispatch looks up).
time_to_recover = time_to_recover_impact

__all__ = [
    "Alternative",
    "BomRow",
    "ExposureModel",
    "SupplyNetwork",
    "TTRResult",
    "risk_exposure",
    "time_to_recover",
    "time_to_recover_impact",
    "time_to_survive",
    "to_run_result",
    "to_run_rows",
]
