from __future__ import annotations

import pytest

from ncovi_stats.errors import BadInputError, UsageError
from ncovi_stats.io.read.headers import HeaderMap, header_key, looks_like_identity, map_headers
from ncovi_stats.schema import COLUMN_NAMES, HEADER_ALIASES


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("THỜI GIAN KHAI BÁO", "thoi gian khai bao"),
        ("  Tỉnh / Thành phố ", "tinh thanh pho"),
        ("Đường-phố_1", "duong pho 1"),
        ("declared_at", "declared at"),
        ("Mã tỉnh", "ma tinh"),
    ],
)
def test_header_key(header: str, key: str) -> None:
    assert header_key(header) == key


def test_official_headers_in_any_spelling() -> None:
    headers = [
        "STT",
        "THỜI GIAN KHAI BÁO",
        "tinh/thanh pho",
        "Mã  tỉnh",
        "Mã huyện",
        "Quận - Huyện",
        "Số CCCD/CMND",
        "ho va ten",
        "Khai hộ",
        "Kênh khai báo",
        "Ghi chú",
    ]
    assert map_headers(headers) == HeaderMap(
        rename={
            "THỜI GIAN KHAI BÁO": "declared_at",
            "tinh/thanh pho": "province",
            "Mã  tỉnh": "province_code",
            "Mã huyện": "district_code",
            "Quận - Huyện": "district",
            "Số CCCD/CMND": "person_id",
            "ho va ten": "full_name",
            "Khai hộ": "declared_by",
            "Kênh khai báo": "channel",
        },
        ignored=["STT"],
        unknown=["Ghi chú"],
    )


def test_every_alias_and_canonical_name_maps() -> None:
    headers = [alias for alias, column in HEADER_ALIASES.items() if column is not None]
    assert map_headers(headers).rename == {
        alias: column for alias, column in HEADER_ALIASES.items() if column is not None
    }
    assert map_headers(list(COLUMN_NAMES)).rename == {name: name for name in COLUMN_NAMES}


def test_config_columns_map_other_headers_and_win() -> None:
    extra = {
        "Ngày giờ": "declared_at",
        "Mã ĐVHC xã": "ward_code",
        "Kênh khai báo": "declaration_id",
    }
    header_map = map_headers(["ngay gio", "MÃ ĐVHC XÃ", "Kênh khai báo"], extra)
    assert header_map.rename == {
        "ngay gio": "declared_at",
        "MÃ ĐVHC XÃ": "ward_code",
        "Kênh khai báo": "declaration_id",
    }
    assert header_map.columns == ["declared_at", "ward_code", "declaration_id"]


def test_identity_header_may_map_to_another_identity_column() -> None:
    assert map_headers(["CCCD"], {"CCCD": "person_id"}).rename == {"CCCD": "person_id"}
    assert map_headers(["SĐT"], {"SĐT": "phone"}).rename == {"SĐT": "phone"}


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Số điện thoại", "declaration_id"),
        ("CCCD", "person_key"),
        ("Số CMND", "declaration_id"),
        ("Họ tên", "ward"),
        ("Năm sinh", "risk_flag"),
    ],
)
def test_identity_header_into_other_column_is_refused(header: str, column: str) -> None:
    with pytest.raises(UsageError) as error:
        map_headers([header], {header: column})
    assert str(error.value) == (
        f"[columns] maps {header!r}, which holds personal data, to {column!r}; "
        "personal data may only be mapped to birth_year, full_name, person_id, phone, sex"
    )


def test_mapping_to_an_unknown_column_is_refused() -> None:
    with pytest.raises(UsageError, match=r"^\[columns\] maps 'Ngày' to 'date', which is not a"):
        map_headers(["Ngày"], {"Ngày": "date"})


def test_two_headers_for_one_column_name_both() -> None:
    with pytest.raises(BadInputError) as error:
        map_headers(["Mã tỉnh", "STT", "province_code"], source="a.csv")
    assert str(error.value) == (
        "a.csv: headers 'Mã tỉnh' and 'province_code' both map to column 'province_code'; "
        "remove one, or map one elsewhere in the config's [columns] table"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("CCCD", True),
        ("Số CMND", True),
        ("Số điện thoại liên hệ", True),
        ("Họ tên", True),
        ("Giới tính", True),
        ("Tên tỉnh", False),
        ("Mã xã", False),
        ("Kênh khai báo", False),
    ],
)
def test_looks_like_identity(header: str, expected: bool) -> None:
    assert looks_like_identity(header) is expected
