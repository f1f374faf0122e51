"""Request and response models of ``/api/v1/hub`` (the hub's vocabularies come from their one
definition, :mod:`fukugan.hub.models`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import AwareDatetime, BaseModel, Field

from fukugan.api.routers.scenarios import RunOut
from fukugan.hub.models import ID_MAX, ITEM_TYPES, LINK_KINDS, ROLES, TLP_LEVELS, USERNAME_MAX
from fukugan.hub.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH

# The hub's vocabularies, from their one definition (fukugan.hub.models).
ItemType = Literal[ITEM_TYPES]  # type: ignore[valid-type]
Tlp = Literal[TLP_LEVELS]  # type: ignore[valid-type]
LinkKind = Literal[LINK_KINDS]  # type: ignore[valid-type]
Role = Literal[ROLES]  # type: ignore[valid-type]

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refuse it (422), never a 500
ItemId = Annotated[int, Path(ge=1, le=ID_MAX, description="Item id.")]
AlertId = Annotated[int, Path(ge=1, le=ID_MAX, description="Alert id.")]
UserId = Annotated[int, Path(ge=1, le=ID_MAX, description="User id.")]
HubLimitQ = Annotated[int, Query(ge=1, le=200, description="Rows per page.")]


# -- models -----------------------------------------------------------------------------------
class HubUser(BaseModel):
    id: int
    username: str
    org_id: int
    role: Role
    clearance: int = Field(ge=0, le=3, description="Clearance level 0..3.")


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=USERNAME_MAX, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=1024, pattern=NO_NUL)


class SessionOut(BaseModel):
    user: HubUser
    csrf_token: str = Field(description="Send as X-CSRF-Token (or csrf_token) on every write.")


class Markings(BaseModel):
    tlp: Tlp
    required_clearance: int = Field(ge=0, le=3)
    sharing_groups: list[int]


class ItemOut(BaseModel):
    id: int
    type: ItemType
    title: str
    body: str
    source: str
    confidence: float = Field(ge=0, le=1)
    valid_from: str | None
    valid_to: str | None
    author_org_id: int
    markings: Markings
    links: dict[str, list[str]] = Field(description="Linked countries, commodities, HS, ...")


class ItemPage(BaseModel):
    items: list[ItemOut]
    total: int
    limit: int
    offset: int


class PublishIn(BaseModel):
    """A new item, published as the session user's organisation."""

    type: ItemType
    title: str = Field(min_length=1, max_length=300, pattern=NO_NUL)
    body: str = Field("", max_length=50_000, pattern=NO_NUL)
    source: str = Field("", max_length=300, pattern=NO_NUL)
    confidence: float = Field(0.5, ge=0, le=1)
    valid_from: AwareDatetime | None = None
    valid_to: AwareDatetime | None = None
    tlp: Tlp = "AMBER"
    required_clearance: int = Field(0, ge=0, le=3)
    group_ids: list[Annotated[int, Field(ge=1, le=ID_MAX)]] = Field([], max_length=50)
    recipient_ids: list[Annotated[int, Field(ge=1, le=ID_MAX)]] = Field(
        [], max_length=200, description="TLP:RED only: the users who may read it."
    )
    links: dict[LinkKind, list[Annotated[str, Field(max_length=200, pattern=NO_NUL)]]] = Field(
        {}, description="Links to the data model, e.g. {country: [CHN], hs: ['8112']}."
    )


class ImportOut(BaseModel):
    imported: int
    ids: list[int] = Field(description="Ids of the items published from the bundle.")


class NetworkLink(BaseModel):
    tier: int
    supplier: str
    supplier_country: str
    product_hs: str
    customer: str
    value: float | None


class NetworkOut(BaseModel):
    org_id: int
    links: list[NetworkLink]
    total: int


class NetworkUploaded(BaseModel):
    org_id: int
    links: int = Field(description="Links stored (the previous network is replaced).")


class AlertOut(BaseModel):
    id: int
    item_id: int
    title: str
    path: str = Field(description="Exposure path in the requested language.")
    path_en: str
    path_ja: str
    created_at: str
    read: bool


class AlertPage(BaseModel):
    items: list[AlertOut]
    total: int
    limit: int
    offset: int


class RunLinks(BaseModel):
    api: str = Field(description="Poll this for status and results.")
    page: str = Field(description="The run's page.")


class AlertRun(BaseModel):
    run: RunOut
    links: RunLinks


class Cell(BaseModel):
    value: float | None
    members: int | None
    suppressed: bool
    reason: str | None


class TableCell(Cell):
    row: str
    col: str


class Consortium(BaseModel):
    """A protected table over all members' networks: cells built from fewer than ``k``
    members, or dominated by one, are suppressed (with complementary suppression); a row or
    column used by fewer than ``k`` members is withheld with its label."""

    view: Literal["country", "supplier"]
    k: int
    n_members: int
    row_name: str
    col_name: str
    rows: list[str] = Field(description="Rows shown (a row from fewer than k members is not).")
    cols: list[str]
    withheld_rows: int = Field(0, description="Rows withheld altogether, labels included.")
    withheld_cols: int = Field(0, description="Columns withheld altogether, labels included.")
    cells: list[TableCell]
    row_totals: dict[str, Cell]
    col_totals: dict[str, Cell]
    total: Cell
    hhi: dict[str, float | None]
    exposure_share: dict[str, float | None]
    guarantee_en: str
    guarantee_ja: str


class DirOrg(BaseModel):
    id: int
    name: str
    kind: str


class DirGroup(BaseModel):
    id: int
    name: str
    member: bool = Field(description="Whether the caller's organisation belongs to it.")


class DirUser(BaseModel):
    id: int
    username: str
    org_id: int


class Directory(BaseModel):
    orgs: list[DirOrg]
    groups: list[DirGroup]
    users: list[DirUser]


class OrgUser(BaseModel):
    """A user of the admin's own organisation (never a password or its hash)."""

    id: int
    username: str
    role: Role
    clearance: int = Field(ge=0, le=3, description="Clearance level 0..3.")
    active: bool = Field(description="False: disabled (cannot log in; sessions ended).")


class OrgUsers(BaseModel):
    org_id: int
    users: list[OrgUser]


class OrgUserIn(BaseModel):
    """A new user of the admin's own organisation."""

    username: str = Field(min_length=1, max_length=USERNAME_MAX, pattern=NO_NUL)
    role: Role
    clearance: int = Field(ge=0, le=3, description="At most the admin's own clearance (else 403).")
    password: str = Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=1024,
        pattern=NO_NUL,
        description="Initial password (stored as an argon2 hash; never returned).",
        json_schema_extra={"format": "password", "writeOnly": True},
    )


class ActiveIn(BaseModel):
    active: bool = Field(description="False disables the user and ends their sessions.")
