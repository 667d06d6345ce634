"""Bundled reference tables: census population and administrative units (SPEC §2.2, §2.3).

Read from the package data (`reference/data/*.csv`, see its SOURCES.md) with every code as
zero-padded text and every name in Unicode NFC. Each table is loaded once per process.

- `provinces()`: the 63 provinces of 2019 with their census population.
- `districts()`: the 712 census districts of 1 April 2019 with their population, plus the district
  codes that exist only in the legacy unit list (224 Thị xã Chũ, 475 Quận Phú Xuân, 498 Huyện
  Hoàng Sa) with a null population: valid codes without a census figure.
- `wards()`: the wards of the legacy (pre-July-2025) list, the only ward list we have.
- `legacy_district_names()`: the legacy list's name of every district code it has; for codes also
  in the census this may be a later name or type (Huyện Kinh Môn -> Thị xã Kinh Môn).
- `merger_2025()`: each legacy province and the 2025 province it became part of.

Names are official, with their unit type ("Tỉnh Hậu Giang"); the legacy list sometimes capitalises
the type ("Thành Phố Đồng Hới", "Thị Trấn Ái Tử"), which is written the usual way here.
"""

from __future__ import annotations

import io
import unicodedata
from functools import cache
from importlib.resources import files

import polars as pl

DATA_PACKAGE = "ncovi_stats.reference.data"

# `population_source` of a denominator taken from the bundled 2019 census (not a --population file)
CENSUS_SOURCE = "census-2019"

# The five centrally-run cities (thành phố trực thuộc trung ương; Luật Tổ chức chính quyền địa
# phương 2015, Điều 2), by 2019 GSO code: a headline calls them a city, the others a province.
CENTRAL_CITIES: frozenset[str] = frozenset({"01", "31", "48", "79", "92"})

PROVINCE_FILE = "population_2019_province.csv"
DISTRICT_FILE = "population_2019_district.csv"
LEGACY_UNITS_FILE = "admin_units_legacy.csv"
CROSSWALK_FILE = "district_crosswalk.csv"
MERGER_2025_FILE = "provinces_2025_merger.csv"

# Official unit types by level, as written in official names. Longer spellings first where one
# is a prefix of another is not needed: each is followed by a space in a name.
UNIT_TYPES: dict[str, tuple[str, ...]] = {
    "province": ("Thành phố", "Tỉnh"),
    "district": ("Thành phố", "Thị xã", "Quận", "Huyện"),
    "ward": ("Thị trấn", "Phường", "Xã"),
}
ALL_UNIT_TYPES: tuple[str, ...] = tuple(
    dict.fromkeys(unit_type for types in UNIT_TYPES.values() for unit_type in types)
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def split_official(name: str) -> tuple[str | None, str]:
    """An official name as (unit type, base name): "Thị xã Long Mỹ" -> ("Thị xã", "Long Mỹ").

    The type is recognised case-insensitively and returned in its usual spelling; a name that
    starts with no known type gives (None, name).
    """
    text = " ".join(nfc(name).split())
    folded = text.casefold()
    for unit_type in ALL_UNIT_TYPES:
        prefix = unit_type.casefold() + " "
        if folded.startswith(prefix) and len(text) > len(prefix):
            return unit_type, text[len(prefix) :]
    return None, text


def official_name(name: str) -> str:
    """The name in NFC with single spaces and its unit type in the usual spelling."""
    unit_type, base = split_official(name)
    return base if unit_type is None else f"{unit_type} {base}"


def short_name(official: str) -> str:
    """The name without its unit type, for headline sentences (SPEC §4.1).

    "Tỉnh Hậu Giang" -> "Hậu Giang", "Thành phố Hồ Chí Minh" -> "Hồ Chí Minh". A numeric base
    keeps its type, since a bare number names nothing: "Quận 1" -> "Quận 1", "Phường 12" ->
    "Phường 12". A name without a known type is returned as it is (NFC, single spaces).
    """
    unit_type, base = split_official(official)
    if unit_type is None or base.isdigit():
        return official_name(official)
    return base


def province_kind(code: str) -> str:
    """ "city" for a centrally-run city (`CENTRAL_CITIES`), else "province"."""
    return "city" if code in CENTRAL_CITIES else "province"


def _read(file_name: str, integer_columns: tuple[str, ...] = ()) -> pl.DataFrame:
    raw = files(DATA_PACKAGE).joinpath(file_name).read_bytes()
    frame = pl.read_csv(io.BytesIO(raw), infer_schema=False)  # every column as text
    return frame.with_columns(
        pl.col(integer_columns).cast(pl.Int64),
        pl.col(pl.String).exclude(integer_columns).str.normalize("NFC"),
    )


def _official_names(frame: pl.DataFrame, column: str) -> pl.Expr:
    """`official_name` of each name of `column`, computed once per distinct name (the legacy
    list's 10,040 rows hold 681 district names: a command starts 0.05 s sooner)."""
    names = frame.get_column(column).drop_nulls().unique().to_list()
    official = {name: official_name(name) for name in names}
    return pl.col(column).replace_strict(official, default=None, return_dtype=pl.String)


@cache
def provinces() -> pl.DataFrame:
    """The 63 provinces: province_code, province_name, population (2019 census)."""
    return _read(PROVINCE_FILE, ("population",)).select(
        "province_code", "province_name", "population"
    )


@cache
def _legacy_units() -> pl.DataFrame:
    """The legacy list with official district names; ward names as written (`wards` makes them
    official: reading codes needs none, and 7,573 ward names take 0.03 s)."""
    units = _read(LEGACY_UNITS_FILE)
    return units.with_columns(_official_names(units, "district_name"))


@cache
def districts() -> pl.DataFrame:
    """Census districts with their population, then legacy-only district codes (population null).

    Columns: province_code, district_code, district_name, population; one row per district code,
    sorted by code.
    """
    census = _read(DISTRICT_FILE, ("population",)).select(
        "province_code", "district_code", "district_name", "population"
    )
    legacy_only = (
        _legacy_units()
        .select("province_code", "district_code", "district_name")
        .unique()
        .join(census.select("district_code"), on="district_code", how="anti")
        .with_columns(pl.lit(None, dtype=pl.Int64).alias("population"))
    )
    return pl.concat([census, legacy_only]).sort("district_code")


@cache
def legacy_district_names() -> pl.DataFrame:
    """The legacy list's own district names: province_code, district_code, district_name."""
    return (
        _legacy_units()
        .select("province_code", "district_code", "district_name")
        .unique()
        .sort("district_code")
    )


@cache
def wards() -> pl.DataFrame:
    """Wards of the legacy list: province_code, district_code, ward_code, ward_name (by code).

    Districts of the legacy list without wards (island districts) have no row here.
    """
    codes = ward_codes()
    return codes.with_columns(_official_names(codes, "ward_name"))


@cache
def ward_codes() -> pl.DataFrame:
    """`wards` with the ward names as the legacy list writes them, for reading codes."""
    return (
        _legacy_units()
        .filter(pl.col("ward_code").is_not_null())
        .select("province_code", "district_code", "ward_code", "ward_name")
        .sort("ward_code")
    )


@cache
def district_crosswalk() -> pl.DataFrame:
    """Districts merged or renamed after the census (reference/data/SOURCES.md): old_code, old_name,
    new_code, new_name, effective_date (a Date), legal_reference, verified."""
    return _read(CROSSWALK_FILE).with_columns(pl.col("effective_date").str.to_date("%Y-%m-%d"))


@cache
def merger_2025() -> pl.DataFrame:
    """old_province_code, old_province_name, new_province_code, new_province_name (63 rows)."""
    return _read(MERGER_2025_FILE).select(
        "old_province_code", "old_province_name", "new_province_code", "new_province_name"
    )
