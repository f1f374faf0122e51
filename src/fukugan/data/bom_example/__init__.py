r"""A small automotive-like example network for the risk-exposure model, worked out by hand.

Files in this directory: ``nodes.csv``, ``bom.csv``, ``alternatives.csv`` (the format of
:mod:`fukugan.data.bom`). One period = one week; margins in thousand USD per vehicle.

Structure (raw material → component → module → two end products)::

    tier 3        tier 2                tier 1      tier 0 (assembly, end products)
    WAFER  ──►  CHIP (single source) ──► ECU ──┬──► SEDAN  d = 100/wk, margin 2
    STEEL  ──►  BODY ──────────────────────────┤
                HARN_A (HARN_B alternative) ───┴──► SUV    d =  50/wk, margin 4

Every vehicle needs 1 ECU, 1 BODY and 1 harness (from HARN_A, or HARN_B as second source);
every ECU needs 1 CHIP, every CHIP 1 WAFER, every BODY 1 STEEL coil.

==========  ========  ========  ====  =================================================  ======  ====
node        capacity  inventory  TTR  TTR-model optimum (hand)                           PI      TTS
==========  ========  ========  ====  =================================================  ======  ====
WAFER       200       0          8    only the 300 chips in stock → 300 ECUs; 300 SUVs    2000    2
                                      of 400 (lose 100×4), no SEDAN (lose 800×2)
CHIP        150       300        6    its own 300 chips in stock → SUV 300 of 300,         1200    2
                                      SEDAN 0 of 600 (lose 600×2)
ECU         150       0          2    no ECU → no vehicle: 2 × (200 + 200)                 800     0
BODY        150       150        3    150 bodies in stock → SUV 150 of 150, SEDAN loses    600     1
                                      300 × 2
HARN_A      150       0          4    HARN_B makes 90 × 4 = 360 of 600 → SEDAN loses       480     0
                                      240 × 2
SUV         50        0          2    direct: 2 × 50 × 4                                   400     0
STEEL       200       300        4    bodies: 150 in stock + 300 from steel stock = 450   300     3
                                      of 600 → SEDAN loses 150 × 2
SEDAN       100       0          1    direct: 1 × 100 × 2                                  200     0
HARN_B      90        0          4    HARN_A alone covers 150/wk                           0       ∞
==========  ========  ========  ====  =================================================  ======  ====

REI = PI / 2000: WAFER 1, CHIP 0.6, ECU 0.4, BODY 0.3, HARN_A 0.24, SUV 0.2, STEEL 0.15,
SEDAN 0.1, HARN_B 0 (ranks 1–9 in that order). The tier-3 wafer fab behind the single-sourced
chip is the largest exposure although it is three tiers away from the assembly plants — the
"hidden" risk Simchi-Levi, Schmidt & Wei (2014, HBR) warn about. TTS < TTR for every node but
HARN_B (TTS = ∞), whose loss is covered by HARN_A's capacity.

TTS by hand (full demand 150 vehicles/wk): WAFER/CHIP 300 chips / 150 = 2; STEEL (150 + 300
bodies) / 150 = 3; BODY 150 / 150 = 1; ECU, HARN_A (HARN_B's 90/wk < 150/wk, no harness stock),
SEDAN and SUV 0.
"""

from __future__ import annotations

from pathlib import Path

from fukugan.supply_network import SupplyNetwork

__all__ = ["EXAMPLE_DIR", "EXPECTED_PI", "EXPECTED_TTS", "example_network"]

EXAMPLE_DIR = Path(__file__).resolve().parent

#: PI(n) at each node's TTR, objective "profit" (worked out above).
EXPECTED_PI = {
    "WAFER": 2000.0,
    "CHIP": 1200.0,
    "ECU": 800.0,
    "BODY": 600.0,
    "HARN_A": 480.0,
    "SUV": 400.0,
    "STEEL": 300.0,
    "SEDAN": 200.0,
    "HARN_B": 0.0,
}

#: TTS(n) in weeks (worked out above).
EXPECTED_TTS = {
    "WAFER": 2.0,
    "CHIP": 2.0,
    "ECU": 0.0,
    "BODY": 1.0,
    "HARN_A": 0.0,
    "SUV": 0.0,
    "STEEL": 3.0,
    "SEDAN": 0.0,
    "HARN_B": float("inf"),
}


def example_network() -> SupplyNetwork:
    """The example network, read from this directory's CSV files."""
    from fukugan.data.bom import read_network

    return read_network(
        EXAMPLE_DIR / "nodes.csv", EXAMPLE_DIR / "bom.csv", EXAMPLE_DIR / "alternatives.csv"
    )
