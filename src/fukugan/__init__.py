"""fukugan (複眼, "compound eye"): economic-security analysis of supply chains.

Layers, each importing only downward::

    data (loaders, validation)  ->  store (DuckDB over Parquet)
    indicators, iomodels (pure numpy/scipy, no I/O)
    services (use cases shared by every interface)
    cli (Typer + Rich)
"""

__version__ = "0.1.0"
