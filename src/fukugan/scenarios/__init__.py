"""Scenarios as data: the YAML format, its JSON Schema and validation (:mod:`.schema`), and the
bundled example scenarios. Running them is a service (:mod:`fukugan.services.scenario_run`,
the engine adapters in :mod:`fukugan.services.engines`, sweeps in
:mod:`fukugan.services.montecarlo`)."""
