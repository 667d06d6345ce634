"""`core.units2025` (SPEC §3.9): the 63 legacy provinces into the 34 of Resolution 202/2025/QH15.

The mapping is written out here from the resolution (Nghị quyết 202/2025/QH15 of 12 June 2025 on
the arrangement of province-level units, in force from 1 July 2025: 28 provinces and 6 cities),
not read from the bundled CSV that the code reads, and the CSV is checked against it. The 2025
codes are those of the official code list: each is the legacy code of one of its members (not
always the one whose name it keeps: Lào Cai is 15, Yên Bái's code).
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats import reference
from ncovi_stats.core.units2025 import (
    UNITS_VINTAGE,
    check_level,
    legacy_to_2025,
    merged_provinces,
    scope_2025,
    to_2025,
)
from ncovi_stats.errors import UsageError

# The 63 legacy provinces by GSO code (before 1 July 2025).
LEGACY = {
    "01": "Hà Nội", "02": "Hà Giang", "04": "Cao Bằng", "06": "Bắc Kạn", "08": "Tuyên Quang",
    "10": "Lào Cai", "11": "Điện Biên", "12": "Lai Châu", "14": "Sơn La", "15": "Yên Bái",
    "17": "Hòa Bình", "19": "Thái Nguyên", "20": "Lạng Sơn", "22": "Quảng Ninh", "24": "Bắc Giang",
    "25": "Phú Thọ", "26": "Vĩnh Phúc", "27": "Bắc Ninh", "30": "Hải Dương", "31": "Hải Phòng",
    "33": "Hưng Yên", "34": "Thái Bình", "35": "Hà Nam", "36": "Nam Định", "37": "Ninh Bình",
    "38": "Thanh Hóa", "40": "Nghệ An", "42": "Hà Tĩnh", "44": "Quảng Bình", "45": "Quảng Trị",
    "46": "Huế", "48": "Đà Nẵng", "49": "Quảng Nam", "51": "Quảng Ngãi", "52": "Bình Định",
    "54": "Phú Yên", "56": "Khánh Hòa", "58": "Ninh Thuận", "60": "Bình Thuận", "62": "Kon Tum",
    "64": "Gia Lai", "66": "Đắk Lắk", "67": "Đắk Nông", "68": "Lâm Đồng", "70": "Bình Phước",
    "72": "Tây Ninh", "74": "Bình Dương", "75": "Đồng Nai", "77": "Bà Rịa - Vũng Tàu",
    "79": "Hồ Chí Minh", "80": "Long An", "82": "Tiền Giang", "83": "Bến Tre", "84": "Trà Vinh",
    "86": "Vĩnh Long", "87": "Đồng Tháp", "89": "An Giang", "91": "Kiên Giang", "92": "Cần Thơ",
    "93": "Hậu Giang", "94": "Sóc Trăng", "95": "Bạc Liêu", "96": "Cà Mau",
}  # fmt: skip

# Resolution 202/2025/QH15: (2025 code, official name, legacy provinces it is made of).
RESOLUTION_202: list[tuple[str, str, list[str]]] = [
    # the 11 that keep their borders
    ("01", "Thành phố Hà Nội", ["Hà Nội"]),
    ("04", "Tỉnh Cao Bằng", ["Cao Bằng"]),
    ("11", "Tỉnh Điện Biên", ["Điện Biên"]),
    ("12", "Tỉnh Lai Châu", ["Lai Châu"]),
    ("14", "Tỉnh Sơn La", ["Sơn La"]),
    ("20", "Tỉnh Lạng Sơn", ["Lạng Sơn"]),
    ("22", "Tỉnh Quảng Ninh", ["Quảng Ninh"]),
    ("38", "Tỉnh Thanh Hóa", ["Thanh Hóa"]),
    ("40", "Tỉnh Nghệ An", ["Nghệ An"]),
    ("42", "Tỉnh Hà Tĩnh", ["Hà Tĩnh"]),
    ("46", "Thành phố Huế", ["Huế"]),
    # the 23 made by merging
    ("08", "Tỉnh Tuyên Quang", ["Tuyên Quang", "Hà Giang"]),
    ("15", "Tỉnh Lào Cai", ["Lào Cai", "Yên Bái"]),
    ("19", "Tỉnh Thái Nguyên", ["Thái Nguyên", "Bắc Kạn"]),
    ("25", "Tỉnh Phú Thọ", ["Phú Thọ", "Vĩnh Phúc", "Hòa Bình"]),
    ("24", "Tỉnh Bắc Ninh", ["Bắc Ninh", "Bắc Giang"]),
    ("33", "Tỉnh Hưng Yên", ["Hưng Yên", "Thái Bình"]),
    ("31", "Thành phố Hải Phòng", ["Hải Phòng", "Hải Dương"]),
    ("37", "Tỉnh Ninh Bình", ["Ninh Bình", "Hà Nam", "Nam Định"]),
    ("44", "Tỉnh Quảng Trị", ["Quảng Trị", "Quảng Bình"]),
    ("48", "Thành phố Đà Nẵng", ["Đà Nẵng", "Quảng Nam"]),
    ("51", "Tỉnh Quảng Ngãi", ["Quảng Ngãi", "Kon Tum"]),
    ("52", "Tỉnh Gia Lai", ["Gia Lai", "Bình Định"]),
    ("56", "Tỉnh Khánh Hòa", ["Khánh Hòa", "Ninh Thuận"]),
    ("68", "Tỉnh Lâm Đồng", ["Lâm Đồng", "Đắk Nông", "Bình Thuận"]),
    ("66", "Tỉnh Đắk Lắk", ["Đắk Lắk", "Phú Yên"]),
    ("79", "Thành phố Hồ Chí Minh", ["Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"]),
    ("75", "Tỉnh Đồng Nai", ["Đồng Nai", "Bình Phước"]),
    ("80", "Tỉnh Tây Ninh", ["Tây Ninh", "Long An"]),
    ("92", "Thành phố Cần Thơ", ["Cần Thơ", "Sóc Trăng", "Hậu Giang"]),
    ("86", "Tỉnh Vĩnh Long", ["Vĩnh Long", "Bến Tre", "Trà Vinh"]),
    ("82", "Tỉnh Đồng Tháp", ["Đồng Tháp", "Tiền Giang"]),
    ("96", "Tỉnh Cà Mau", ["Cà Mau", "Bạc Liêu"]),
    ("91", "Tỉnh An Giang", ["An Giang", "Kiên Giang"]),
]
CODE_OF = {name: code for code, name in LEGACY.items()}
EXPECTED = {
    CODE_OF[old]: (new_code, new_name)
    for new_code, new_name, olds in RESOLUTION_202
    for old in olds
}


def test_the_resolution_as_written_here_is_whole() -> None:
    assert len(LEGACY) == 63 and len(RESOLUTION_202) == 34
    assert len({name for _, name, _ in RESOLUTION_202}) == 34
    assert sum(name.startswith("Thành phố") for _, name, _ in RESOLUTION_202) == 6
    assert sorted(EXPECTED) == sorted(LEGACY)  # every legacy province exactly once
    assert sum(len(olds) == 1 for _, _, olds in RESOLUTION_202) == 11


def test_bundled_mapping_is_the_resolution() -> None:
    merger = reference.merger_2025()
    bundled = {
        row["old_province_code"]: (row["new_province_code"], row["new_province_name"])
        for row in merger.iter_rows(named=True)
    }
    assert bundled == EXPECTED


def test_legacy_to_2025_is_one_row_per_legacy_province() -> None:
    expected = pl.DataFrame(
        {
            "province_code": sorted(EXPECTED),
            "province_code_2025": [EXPECTED[code][0] for code in sorted(EXPECTED)],
        }
    )
    assert_frame_equal(legacy_to_2025().sort("province_code"), expected)


def test_merged_provinces_are_named_with_their_parts_the_kept_one_first() -> None:
    merged = merged_provinces()
    assert merged.height == 34
    assert merged["province_code"].to_list() == sorted(code for code, _, _ in RESOLUTION_202)
    can_tho = merged.filter(pl.col("province_code") == "92").row(0, named=True)
    assert can_tho == {
        "province_code": "92",
        "province_name": "Thành phố Cần Thơ (gồm Cần Thơ, Hậu Giang, Sóc Trăng cũ)",
        "province_name_en": "Thành phố Cần Thơ (merged from former Cần Thơ, Hậu Giang, Sóc Trăng)",
        "merged_province_codes": "92,93,94",
    }
    # the kept code first even when it is not the lowest: Lào Cai keeps Yên Bái's code 15
    lao_cai = merged.filter(pl.col("province_code") == "15").row(0, named=True)
    assert lao_cai["merged_province_codes"] == "15,10"
    assert lao_cai["province_name"] == "Tỉnh Lào Cai (gồm Yên Bái, Lào Cai cũ)"
    hanoi = merged.filter(pl.col("province_code") == "01").row(0, named=True)
    assert hanoi["province_name"] == hanoi["province_name_en"] == "Thành phố Hà Nội"
    assert hanoi["merged_province_codes"] == "01"


def test_to_2025_sums_persons_and_populations_then_divides_nothing() -> None:
    records = pl.DataFrame(
        {
            "province_code": ["92", "93", "94", "01", "06"],
            "population": [1_235_171, 733_017, 1_199_653, 8_053_663, None],
            "population_source": ["census-2019", "HG", "census-2019", "census-2019", None],
            "persons_counted": [10, 516_394, 5, 7, 3],
        },
        schema_overrides={"population": pl.Int64},
    )
    got = to_2025(records, ["persons_counted"]).select(
        "province_code",
        "merged_province_codes",
        "population",
        "population_source",
        "persons_counted",
        "units_vintage",
    )
    expected = pl.DataFrame(
        {
            "province_code": ["01", "19", "92"],
            "merged_province_codes": ["01", "19,06", "92,93,94"],
            "population": [8_053_663, None, 3_167_841],  # Thái Nguyên lacks Bắc Kạn's figure
            "population_source": ["census-2019", "", "HG+census-2019"],
            "persons_counted": [7, 3, 516_409],
            "units_vintage": [UNITS_VINTAGE] * 3,
        },
        schema_overrides={"population": pl.Int64, "units_vintage": pl.Int64},
    )
    assert UNITS_VINTAGE == 2025
    assert_frame_equal(got, expected)


def test_scope_2025_holds_each_legacy_province_in_scope() -> None:
    assert scope_2025(["93", "06"]) == ["19", "92"]
    assert scope_2025(["92", "93", "94"]) == ["92"]
    assert scope_2025([]) == []


@pytest.mark.parametrize("level", ["district", "ward"])
def test_2025_units_at_another_level_is_a_usage_error(level: str) -> None:
    with pytest.raises(UsageError, match=f"so {level} figures have no 2025 unit"):
        check_level(level)
    check_level("province")  # no error
