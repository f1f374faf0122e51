"""Real, redistributable data shipped inside the package (see ``PROVENANCE.md`` here).

The files are byte-for-byte copies of the published originals; every clean-up happens in the
loaders (``fukugan.data.usgs``, ``fukugan.data.wgi``, ``fukugan.data.lists``), never here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_path(*parts: str) -> Path:
    """Path of a bundled file or directory, e.g. ``bundled_path("wgi", "PROVENANCE.md")``.

    >>> bundled_path("lists").is_dir()
    True
    >>> bundled_path("usgs-mcs-2025", "world", "MCS2025_World_Data.csv").name
    'MCS2025_World_Data.csv'
    """
    root = resources.files(__name__)
    try:
        base = Path(str(root))
    except TypeError:  # pragma: no cover - zipped installs
        base = Path(__file__).resolve().parent
    if not base.is_dir():  # pragma: no cover
        base = Path(__file__).resolve().parent
    return base.joinpath(*parts)


USGS_WORLD_CSV = ("usgs-mcs-2025", "world", "MCS2025_World_Data.csv")
USGS_T4_CSV = ("usgs-mcs-2025", "industry_trends", "MCS2025_T4_Critical_Minerals_End_Use.csv")
WGI_CSV = ("wgi", "wgi_combined_scores_by_country.csv")
LISTS_DIR = ("lists",)
