"""OECD National Input-Output Tables, 2023 edition ("domestic & imports" format, ``CCCYYYYdom.csv``).

One file is one economy and year, current million USD, 45 industries (ISIC Rev.4). Rows:
``DOM_<ind>`` (domestic output of industry i used by the column), ``IMP_<ind>`` (imported products
of origin industry i), ``TXS_IMP_FNL`` and ``TXS_INT_FNL`` (taxes less subsidies on products paid
abroad / at home), ``TTL_INT_FNL`` (total at purchasers' prices), ``VALU`` (value added) and
``OUTPUT``. Columns: the 45 industries, final demand ``HFCE NPISH GGFC GFCF INVNT DPABR
CONS_NONRES EXPO``, then ``IMPO`` (imports of the row's product) and ``TOTAL``.

Names follow Miller & Blair (2009): Z (interindustry flows, rows = supplying industry, columns =
using industry), Y (final demand by category), x (output), va (value added, the row of primary
inputs), and the split into domestic (``_dom``) and imported (``_imp``) flows of §2.6.

Every table is checked to balance within the rounding of its cells (each printed to 0.1 million
USD, so a sum of m cells may be off by up to 0.05·m; plus a slack of 1.0 because printed totals
are not always the sum of the rounded parts): for each industry j,
Σ_i Z_dom[i, j] + Σ_i Z_imp[i, j] + taxes_j + va_j = x_j (column balance), and for each domestic
row Σ_j Z_dom[i, j] + Σ_k Y_dom[i, k] = x_i (row balance); likewise imported rows against
``IMPO`` and every printed total. Across the 177 bundled files the largest rounding discrepancy is
1.1 (a column total); the one real exception is industries Q, R and S, whose output exceeds
inputs + value added by up to 1.1 % (see PROVENANCE.md), accepted up to :data:`QRS_GAP`.
A corrupted cell off by more than the tolerance (at most 5.7 million USD) is caught.
"""

from __future__ import annotations

from fukugan.data.oecd_iot.frame import (
    available,
    iot_from_frame,
    iot_to_frame,
    load_directory,
)
from fukugan.data.oecd_iot.reader import (
    imbalances,
    read_iot,
    validate,
)
from fukugan.data.oecd_iot.table import (
    BUNDLED_DIR,
    DATASET,
    FD_CATEGORIES,
    MAY_BE_NEGATIVE,
    NON_COUNTRY_CODES,
    QRS_GAP,
    QRS_GAP_INDUSTRIES,
    ROUNDING,
    SLACK,
    TAX_ROWS,
    IOTable,
    industry_labels,
)

__all__ = [
    "BUNDLED_DIR",
    "DATASET",
    "FD_CATEGORIES",
    "IOTable",
    "MAY_BE_NEGATIVE",
    "NON_COUNTRY_CODES",
    "QRS_GAP",
    "QRS_GAP_INDUSTRIES",
    "ROUNDING",
    "SLACK",
    "TAX_ROWS",
    "available",
    "imbalances",
    "industry_labels",
    "iot_from_frame",
    "iot_to_frame",
    "load_directory",
    "read_iot",
    "validate",
]
