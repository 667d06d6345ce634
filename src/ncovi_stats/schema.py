"""Canonical columns of a declaration export (SPEC §2.1) and the headers that map to them.

Plain data only: this module imports nothing heavy, so the CLI can read it at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnKind(StrEnum):
    TIME = "time"
    IDENTITY = "identity"  # personal data: hashed on read, never output
    KEY = "key"  # pseudonymous person key
    UNIT = "unit"
    ATTRIBUTE = "attribute"


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    description: str


COLUMNS: tuple[Column, ...] = (
    Column("declared_at", ColumnKind.TIME, "when the declaration was filed"),
    Column("person_key", ColumnKind.KEY, "pseudonymous key of the person the row is about"),
    Column("person_id", ColumnKind.IDENTITY, "citizen ID (CCCD/CMND) or passport number"),
    Column("phone", ColumnKind.IDENTITY, "phone number"),
    Column("full_name", ColumnKind.IDENTITY, "full name"),
    Column("birth_year", ColumnKind.IDENTITY, "year of birth"),
    Column("sex", ColumnKind.IDENTITY, "sex"),
    Column("province_code", ColumnKind.UNIT, "GSO 2-digit province code"),
    Column("province", ColumnKind.UNIT, "province name"),
    Column("district_code", ColumnKind.UNIT, "GSO 3-digit district code"),
    Column("district", ColumnKind.UNIT, "district name"),
    Column("ward_code", ColumnKind.UNIT, "GSO 5-digit ward code"),
    Column("ward", ColumnKind.UNIT, "ward name"),
    Column("declared_by", ColumnKind.ATTRIBUTE, "self, or household when filed for this person"),
    Column("channel", ColumnKind.ATTRIBUTE, "app, web, facility, collaborator, other"),
    Column("risk_flag", ColumnKind.ATTRIBUTE, "flagged as at risk"),
    Column("verified_at", ColumnKind.TIME, "when the at-risk person was verified"),
    Column("declaration_id", ColumnKind.ATTRIBUTE, "the export's own id of the row"),
)

COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
IDENTITY_COLUMNS: frozenset[str] = frozenset(
    column.name for column in COLUMNS if column.kind is ColumnKind.IDENTITY
)

# Order used to pick a person's first row (SPEC §3.3): lower rank first, unknown last.
DECLARED_BY_ORDER: tuple[str, ...] = ("self", "household")
CHANNEL_ORDER: tuple[str, ...] = ("app", "web", "facility", "collaborator", "other")

# Kinds of output fields, looked up by the renderers and the workbook writer (a table, not a
# pattern of names): percentages (held in percent in records; shown with %, written to workbooks
# as fractions with the % format), and unit names (the first one of a table holds its totals
# label).
PERCENT_FIELDS: frozenset[str] = frozenset({"coverage_pct", "target_pct", "verified_pct"})
UNIT_NAME_FIELDS: frozenset[str] = frozenset(
    {
        "province_name",
        "district_name",
        "ward_name",
        "unit_name",
        "old_province_name",
        "new_province_name",
        "old_name",
        "new_name",
    }
)

# Folders of a report bundle: a CSV and a JSON file per table, a PNG per chart.
TABLES_FOLDER = "tables"
CHARTS_FOLDER = "charts"

# Width of each GSO code level; a code's length tells its level (SPEC §2.2).
CODE_WIDTH: dict[str, int] = {"province": 2, "district": 3, "ward": 5}
LEVEL_BY_CODE_WIDTH: dict[int, str] = {width: level for level, width in CODE_WIDTH.items()}

# Headers officials export (SPEC §2.1), matched case- and diacritic-insensitively.
# `None` means the column is recognised and ignored.
HEADER_ALIASES: dict[str, str | None] = {
    "Thời gian khai báo": "declared_at",
    "Tỉnh/Thành phố": "province",
    "Quận/Huyện": "district",
    "Phường/Xã": "ward",
    "Mã tỉnh": "province_code",
    "Mã huyện": "district_code",
    "Mã xã": "ward_code",
    "Số CCCD/CMND": "person_id",
    "Họ và tên": "full_name",
    "Năm sinh": "birth_year",
    "Giới tính": "sex",
    "Số điện thoại": "phone",
    "Khai hộ": "declared_by",
    "Kênh khai báo": "channel",
    "Nguy cơ": "risk_flag",
    "Thời gian xác minh": "verified_at",
    "STT": None,
}
