"""Shared helpers of the exercise tests."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

_CELL = re.compile(r'data-kpi="([^"]+)" data-run="([^"]+)" data-value="([^"]*)"')


@pytest.fixture
def aar_cells() -> Callable[[str], dict[tuple[str, str], str]]:
    """The KPI cells of a rendered after-action report: (KPI id, run label) → data-value."""

    def cells(html: str) -> dict[tuple[str, str], str]:
        return {(m.group(1), m.group(2)): m.group(3) for m in _CELL.finditer(html)}

    return cells
