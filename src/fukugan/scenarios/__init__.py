"""Scenarios as data (YAML), the engines' common result format, runs and Monte Carlo sweeps."""
