"""Bundled reference tables (SPEC §2.2, §2.3): shapes, string codes, NFC names, census figures."""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest

from ncovi_stats import reference


def test_provinces_are_the_63_with_census_population() -> None:
    provinces = reference.provinces()
    assert provinces.schema == pl.Schema(
        {"province_code": pl.String, "province_name": pl.String, "population": pl.Int64}
    )
    assert provinces.height == 63
    assert provinces["province_code"].n_unique() == 63
    assert provinces["population"].sum() == 96_208_984
    hau_giang = provinces.filter(pl.col("province_code") == "93").row(0)
    assert hau_giang == ("93", "Tỉnh Hậu Giang", 733_017)
    assert provinces.filter(pl.col("province_code") == "01")["province_name"].item() == (
        "Thành phố Hà Nội"
    )


def test_districts_are_the_census_ones_plus_legacy_only_codes() -> None:
    districts = reference.districts()
    assert districts.schema == pl.Schema(
        {
            "province_code": pl.String,
            "district_code": pl.String,
            "district_name": pl.String,
            "population": pl.Int64,
        }
    )
    assert districts["district_code"].n_unique() == districts.height == 715
    census = districts.filter(pl.col("population").is_not_null())
    assert census.height == 712
    assert census["population"].sum() == 96_208_984
    legacy_only = districts.filter(pl.col("population").is_null())
    assert legacy_only.rows() == [
        ("24", "224", "Thị xã Chũ", None),
        ("46", "475", "Quận Phú Xuân", None),
        ("48", "498", "Huyện Hoàng Sa", None),
    ]


def test_census_names_win_over_legacy_names_for_shared_codes() -> None:
    districts = reference.districts()
    name = dict(zip(districts["district_code"], districts["district_name"], strict=True))
    assert name["292"] == "Huyện Kinh Môn"  # Thị xã from 1 Nov 2019 in the legacy list
    assert name["049"] == "Huyện Quảng Uyên"
    assert name["001"] == "Quận Ba Đình"  # codes keep their leading zeros


def test_legacy_district_names_carry_later_names_with_usual_type_spelling() -> None:
    legacy = reference.legacy_district_names()
    name = dict(zip(legacy["district_code"], legacy["district_name"], strict=True))
    assert name["292"] == "Thị xã Kinh Môn"
    assert name["450"] == "Thành phố Đồng Hới"  # "Thành Phố" in the source file
    assert legacy.height == 696


def test_wards_have_codes_as_text_and_skip_districts_without_wards() -> None:
    wards = reference.wards()
    assert wards.columns == ["province_code", "district_code", "ward_code", "ward_name"]
    assert wards.height == 10_035
    assert wards["ward_code"].n_unique() == 10_035
    assert wards["ward_code"].str.len_chars().unique().to_list() == [5]
    assert wards.filter(pl.col("ward_code") == "00001").row(0) == (
        "01",
        "001",
        "00001",
        "Phường Phúc Xá",
    )
    assert wards.filter(pl.col("district_code") == "318").height == 0  # Bạch Long Vĩ
    assert wards.filter(pl.col("ward_code") == "19624")["ward_name"].item() == "Thị trấn Ái Tử"


def test_merger_2025_maps_63_old_provinces_to_34() -> None:
    merger = reference.merger_2025()
    assert merger.columns == [
        "old_province_code",
        "old_province_name",
        "new_province_code",
        "new_province_name",
    ]
    assert merger.height == 63
    assert merger["new_province_code"].n_unique() == 34
    assert set(merger["old_province_code"]) == set(reference.provinces()["province_code"])


@pytest.mark.parametrize(
    "table", [reference.provinces, reference.districts, reference.wards, reference.merger_2025]
)
def test_every_name_is_nfc_and_tables_are_cached(table) -> None:
    frame = table()
    assert table() is frame
    for column in frame.columns:
        if column.endswith("_name"):
            names = frame[column].drop_nulls().to_list()
            assert all(unicodedata.is_normalized("NFC", name) for name in names)
        if column.endswith("_code"):
            assert frame[column].dtype == pl.String


@pytest.mark.parametrize(
    ("official", "short"),
    [
        ("Tỉnh Hậu Giang", "Hậu Giang"),
        ("Thành phố Hồ Chí Minh", "Hồ Chí Minh"),
        ("Thị xã Long Mỹ", "Long Mỹ"),
        ("Thị trấn Ái Tử", "Ái Tử"),
        ("Thị Trấn Ái Tử", "Ái Tử"),
        ("Quận 1", "Quận 1"),
        ("Phường 12", "Phường 12"),
        ("Quận Thủ Đức", "Thủ Đức"),
        ("Hồ Chí Minh", "Hồ Chí Minh"),
        ("Ho\u0300a Bi\u0300nh", "Hòa Bình"),
    ],
)
def test_short_name(official: str, short: str) -> None:
    assert reference.short_name(official) == short


def test_split_official_recognises_the_type_case_insensitively() -> None:
    assert reference.split_official("Thành Phố Bắc Kạn") == ("Thành phố", "Bắc Kạn")
    assert reference.split_official("Xã Xuân Quang 1") == ("Xã", "Xuân Quang 1")
    assert reference.split_official("Ea H'leo") == (None, "Ea H'leo")


def test_central_cities_are_the_five_of_the_law_and_the_census_calls_them_cities() -> None:
    # the five named by the 2015 Law on Local Government, pinned by name (not read from a table)
    names = reference.provinces().filter(pl.col("province_code").is_in(reference.CENTRAL_CITIES))
    assert sorted(names["province_name"].to_list()) == [
        "Thành phố Cần Thơ",
        "Thành phố Hà Nội",
        "Thành phố Hải Phòng",
        "Thành phố Hồ Chí Minh",
        "Thành phố Đà Nẵng",
    ]
    # and the census file's own unit types agree: its "Thành phố" rows are exactly these codes
    census = pl.read_csv(_bundled("population_2019_province.csv"), infer_schema=False)
    cities = census.filter(pl.col("province_name").str.starts_with("Thành phố"))
    assert set(cities["province_code"]) == reference.CENTRAL_CITIES
    assert reference.province_kind("92") == "city"
    assert reference.province_kind("93") == "province"  # Hậu Giang, beside Cần Thơ


def _bundled(name: str) -> bytes:
    from importlib.resources import files

    return files("ncovi_stats.reference.data").joinpath(name).read_bytes()


def test_ward_codes_are_the_wards_with_their_names_as_written() -> None:
    """The codes a read needs come without the official names (built only for a ward name)."""
    wards, codes = reference.wards(), reference.ward_codes()
    assert codes.drop("ward_name").equals(wards.drop("ward_name"))
    assert codes.height == wards.height > 10_000
    changed = codes.filter(codes["ward_name"] != wards["ward_name"])
    assert changed.height > 0  # the list's own spellings, e.g. types abbreviated or spaced
    assert wards["ward_name"].to_list() == [
        reference.official_name(name) for name in codes["ward_name"]
    ]
