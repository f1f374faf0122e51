"""The OECD IO table as arrays (:class:`IOTable`, Miller & Blair names), its industry codes
and labels, and the tolerances of its balance checks."""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fukugan.errors import InputError
from fukugan.provenance import Provenance

DATASET = "oecd_iot"
BUNDLED_DIR = Path(__file__).resolve().parents[1] / "bundled" / "oecd-iot-2023"
FD_CATEGORIES: tuple[str, ...] = (
    "HFCE",
    "NPISH",
    "GGFC",
    "GFCF",
    "INVNT",
    "DPABR",
    "CONS_NONRES",
    "EXPO",
)
TAX_ROWS: tuple[str, ...] = ("TXS_IMP_FNL", "TXS_INT_FNL")
#: half of the printed precision (0.1 million USD): the rounding error of one cell.
ROUNDING = 0.05
#: extra slack for any identity: printed totals can differ from the sum of their rounded parts by
#: more than the rounding of those parts (observed up to 0.6 for TOTAL vs OUTPUT, two cells).
SLACK = 1.0
#: industries whose output may exceed inputs + value added (a quirk of the 2023 edition), and by
#: how much at most, as a share of output (observed maximum: 1.1 %, HUN 2020 Q).
QRS_GAP_INDUSTRIES = frozenset({"Q", "R", "S"})
QRS_GAP = 0.02
#: final-demand categories that may be negative (changes in inventories).
MAY_BE_NEGATIVE = frozenset({"INVNT"})
#: OECD table codes that are not ISO3 countries: the rest of the world.
NON_COUNTRY_CODES = frozenset({"ROW"})

_SOURCE = "OECD, National Input-Output Tables (IOTs), 2023 edition"
_URL = "https://www.oecd.org/sti/ind/input-outputtables.htm"
_LICENCE = 'CC BY 4.0 (attribute "OECD")'
_UNIT = "current million USD"
_NAME_RE = re.compile(r"^([A-Za-z]{3})(\d{4})dom\.csv$")
_LABEL_FIELD = "(row label)"


@functools.lru_cache(maxsize=1)
def _codes() -> tuple[tuple[str, ...], dict[str, str]]:
    """(industry codes in OECD order, alias → canonical code) from industries.csv."""
    inds: list[str] = []
    alias: dict[str, str] = {}
    with open(BUNDLED_DIR / "industries.csv", encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            if rec["kind"] == "industry":
                inds.append(rec["code"])
            if rec["alt_code"]:
                alias[rec["alt_code"]] = rec["code"]
    return tuple(inds), alias


def industry_labels() -> pd.DataFrame:
    """The bundled code list: code, label_en, label_ja, kind, isic_rev4, alt_code.

    >>> t = industry_labels()
    >>> t.set_index("code").loc["C26", "label_ja"]
    'コンピュータ・電子・光学製品'
    >>> int((t["kind"] == "industry").sum())
    45
    """
    return pd.read_csv(BUNDLED_DIR / "industries.csv", dtype=str, keep_default_na=False)


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=float)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class IOTable:
    """One national input-output table (domestic/imports split), arrays read-only.

    n industries, k final-demand categories; values in current million USD.

    Attributes:
        country: ISO 3166 alpha-3 code (or OECD code such as ``ROW``).
        year: reference year.
        industries: the n industry codes (OECD ISIC Rev.4 aggregates, e.g. ``"C26"``).
        fd_categories: the k final-demand columns (:data:`FD_CATEGORIES`).
        Z_dom: (n, n) domestic intermediate flows, rows = supplying industry i, cols = using j.
        Z_imp: (n, n) imported intermediate flows, rows = imported product by industry of origin.
        Y_dom: (n, k) final demand for domestic output (incl. exports ``EXPO``).
        Y_imp: (n, k) final demand for imported products (``EXPO`` here = re-exports).
        imports: (n,) total imports of each product (``IMPO``) = row sums of Z_imp and Y_imp.
        t_imp, t_dom: (n,) taxes less subsidies on products paid abroad (``TXS_IMP_FNL``) and at
            home (``TXS_INT_FNL``), by using industry.
        t_imp_fd, t_dom_fd: (k,) the same by final-demand category.
        va: (n,) value added at basic prices (``VALU``; may be negative).
        x: (n,) output at basic prices (``OUTPUT``), ≥ 0.
        provenance: where the table comes from.
    """

    country: str
    year: int
    industries: tuple[str, ...]
    fd_categories: tuple[str, ...]
    Z_dom: np.ndarray
    Z_imp: np.ndarray
    Y_dom: np.ndarray
    Y_imp: np.ndarray
    imports: np.ndarray
    t_imp: np.ndarray
    t_dom: np.ndarray
    t_imp_fd: np.ndarray
    t_dom_fd: np.ndarray
    va: np.ndarray
    x: np.ndarray
    provenance: Provenance = field(repr=False)

    def __post_init__(self) -> None:
        for name in (
            "Z_dom", "Z_imp", "Y_dom", "Y_imp", "imports",
            "t_imp", "t_dom", "t_imp_fd", "t_dom_fd", "va", "x",
        ):  # fmt: skip
            object.__setattr__(self, name, _ro(getattr(self, name)))
        object.__setattr__(self, "industries", tuple(self.industries))
        object.__setattr__(self, "fd_categories", tuple(self.fd_categories))

    @property
    def n(self) -> int:
        return len(self.industries)

    @property
    def y_dom(self) -> np.ndarray:
        """Total final demand for domestic output, f = Y_dom i (incl. exports)."""
        return self.Y_dom.sum(axis=1)

    @property
    def discrepancy(self) -> np.ndarray:
        """x − (i′Z_dom + i′Z_imp + t_imp + t_dom + va): the unexplained part of output by
        column (rounding, plus the Q/R/S gap of the 2023 edition)."""
        return self.x - (
            self.Z_dom.sum(axis=0) + self.Z_imp.sum(axis=0) + self.t_imp + self.t_dom + self.va
        )

    def index(self, industry: str) -> int:
        """Position of an industry code."""
        try:
            return self.industries.index(industry)
        except ValueError:
            raise InputError(f"unknown industry {industry!r}", field="industry") from None
