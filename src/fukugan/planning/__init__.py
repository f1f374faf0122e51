"""Response planning (capability C4): which measures buy the most resilience per yen.

:mod:`.stochastic` is the generic two-stage stochastic program (extensive form on HiGHS, CVaR by
Rockafellar–Uryasev, VSS and EVPI); :mod:`.portfolio` writes the planning problem — measures
chosen first, releases and cover in each scenario second — as one such program. Pure: the
services hand it arrays (:mod:`fukugan.services.planning`).
"""
