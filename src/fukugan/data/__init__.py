"""Data in: one loader per source, validation, the bundled real data and its provenance."""
