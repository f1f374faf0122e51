"""Stores: the analytical store (DuckDB over Parquet)."""

from fukugan.store.analytic import AnalyticStore, default_home

__all__ = ["AnalyticStore", "default_home"]
