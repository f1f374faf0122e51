"""Dynamic disruption models: ARIO (sector level) and Inoue & Todo (firm level)."""
