"""Typed response models of the API (they also document the OpenAPI schema)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Lang = Literal["en", "ja"]


class Column(BaseModel):
    key: str = Field(description="Field name of the column in every row (an i18n key).")
    label: str = Field(description="Column label in the requested language.")
    kind: Literal["text", "number", "percent", "bool", "list"] = Field(
        description="How to read the values: percent columns hold fractions (0.984 = 98.4 %)."
    )


class SummaryItem(BaseModel):
    key: str
    label: str
    value: Any = None
    kind: Literal["percent", "value"] = "value"


class Source(BaseModel):
    dataset: str
    source: str
    year: str
    unit: str
    licence: str
    url: str = ""
    synthetic: bool = False
    citation: str = Field(description="How to cite the dataset: source (year), unit, licence.")


class ReportOut(BaseModel):
    """One result table with its headline figures, method notes and the provenance of every
    number."""

    title: str
    title_key: str
    title_args: dict[str, Any] = {}
    lang: Lang
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: int = Field(description="Rows before pagination.")
    limit: int | None = None
    offset: int = 0
    summary: list[SummaryItem] = []
    notes: list[str] = []
    sources: list[Source] = []


class ReportList(BaseModel):
    reports: list[ReportOut]


class Overview(BaseModel):
    home: str
    year: int
    lang: Lang
    dependencies: ReportOut = Field(description="Top autonomy risks (自律性).")
    chokepoints: ReportOut = Field(description="Top indispensable positions (不可欠性).")
    critical_materials: ReportOut = Field(
        description="Japan's specified critical materials (特定重要物資) and their status."
    )
    products: ReportOut | None = Field(
        default=None,
        description="Top imported HS products by autonomy risk (trade data; null without it).",
    )


class Commodity(BaseModel):
    id: str
    name: str = Field(description="Display name in the requested language.")
    name_en: str
    type: str = Field(description="USGS primary production type.")
    unit: str
    years: list[int]
    tags: list[str] = Field(description="Official lists naming it: JP-SCM, EU-SRM, EU-CRM, US-CM.")


class CommodityPage(BaseModel):
    items: list[Commodity]
    total: int
    limit: int | None
    offset: int
    sources: list[Source]


class CommodityHistory(BaseModel):
    """World production of one commodity in every year of the data (USGS MCS 2025: 2023 and
    2024, estimated)."""

    commodity_id: str
    home: str
    years: list[int]
    by_year: ReportOut = Field(
        description="One row per year: share denominator (world total), top-1 country and "
        "share, HHI (bounds), home share and rank."
    )
    producers: ReportOut = Field(
        description="The top producers' value and share in each year (one row per year and "
        "producer; value and share null where the year has no figure)."
    )


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[dict[str, Any]] | None = None
