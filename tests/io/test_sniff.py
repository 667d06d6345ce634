from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ncovi_stats.errors import BadInputError, UsageError
from ncovi_stats.io.read.sniff import CsvDialect, sniff_csv

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("utf16_tab.csv", CsvDialect("utf-16-le", "\t", 1, 0, True)),
        ("utf16be_no_bom_comma.csv", CsvDialect("utf-16-be", ",", 1, 0, False)),
        ("utf8_bom_semicolon.csv", CsvDialect("utf-8", ";", 1, 0, True)),
        ("windows1258_semicolon_title_rows.csv", CsvDialect("cp1258", ";", 4, 3, False)),
        ("pipe_delimited.csv", CsvDialect("utf-8", "|", 1, 0, False)),
        ("invalid_bytes_cp1258.csv", CsvDialect("cp1258", ";", 1, 0, False)),
        ("unterminated_quote.csv", CsvDialect("utf-8", ",", 1, 0, False)),
    ],
)
def test_fixture_dialects(name: str, expected: CsvDialect) -> None:
    assert sniff_csv(FIXTURES / name) == expected


def test_overrides_win_over_detection() -> None:
    dialect = sniff_csv(
        FIXTURES / "windows1258_semicolon_title_rows.csv",
        encoding="windows-1258",
        delimiter=";",
        header_row=4,
    )
    assert dialect == CsvDialect("cp1258", ";", 4, 3, False)


def test_utf8_bom_given_as_utf8_sig_keeps_bom_flag() -> None:
    dialect = sniff_csv(FIXTURES / "utf8_bom_semicolon.csv", encoding="utf-8-sig")
    assert dialect == CsvDialect("utf-8", ";", 1, 0, True)


def test_utf16_without_endianness_follows_the_bom() -> None:
    assert sniff_csv(FIXTURES / "utf16_tab.csv", encoding="utf-16").encoding == "utf-16-le"


def test_title_row_with_many_delimiters_is_not_the_header(tmp_path: Path) -> None:
    path = tmp_path / "title.csv"
    path.write_text(
        "BÁO CÁO,,,\nTỉnh Hậu Giang,,,\n"
        "STT,Thời gian khai báo,Mã tỉnh,Ghi chú\n1,08/04/2020 17:00,93,a\n",
        encoding="utf-8",
    )
    assert sniff_csv(path) == CsvDialect("utf-8", ",", 3, 2, False)


def test_header_of_config_columns_is_known(tmp_path: Path) -> None:
    path = tmp_path / "own_headers.csv"
    path.write_text("Tiêu đề\nNgày giờ;Mã\n08/04/2020 17:00;93\n", encoding="utf-8")
    extra = {"Ngày giờ": "declared_at", "Mã": "province_code"}
    assert sniff_csv(path, extra_headers=extra) == CsvDialect("utf-8", ";", 2, 1, False)


def test_unknown_headers_found_by_consistent_field_counts(tmp_path: Path) -> None:
    path = tmp_path / "unknown_headers.csv"
    path.write_text('Danh sách\n\na|b|c\n1|2|3\n4|"5|6"|7\n', encoding="utf-8")
    assert sniff_csv(path) == CsvDialect("utf-8", "|", 3, 2, False)


def test_mostly_utf8_with_one_bad_line_is_utf8(tmp_path: Path) -> None:
    path = tmp_path / "utf8_one_bad_line.csv"
    good = "STT,Thời gian khai báo,Quận/Huyện\n" + "1,08/04/2020 17:00,Huyện Châu Thành\n" * 20
    path.write_bytes(good.encode("utf-8") + b"2,08/04/2020 17:00,Huy\xean Ch\xe2u Th\xe0nh\n")
    assert sniff_csv(path) == CsvDialect("utf-8", ",", 1, 0, False)


def test_cyrillic_code_page_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.csv"
    text = "Дата;Область;Район\n" + "08/04/2020;Москва;Центральный район\n" * 20
    path.write_bytes(text.encode("cp1251"))
    with pytest.raises(BadInputError) as error:
        sniff_csv(path)
    assert str(error.value) == (
        f"{path}: the encoding is not UTF-8, UTF-16 or Windows-1258 (it looks like cp1251); "
        "re-export it as UTF-8, or pass --encoding cp1258 if it is Vietnamese Windows text"
    )


def test_empty_file_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"\r\n")
    with pytest.raises(BadInputError, match=r"empty\.csv: the file is empty$"):
        sniff_csv(path)


def test_missing_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"missing\.csv: cannot be read"):
        sniff_csv(tmp_path / "missing.csv")


def test_single_column_without_known_headers_asks_for_header_row(tmp_path: Path) -> None:
    path = tmp_path / "one_column.csv"
    path.write_text("abc\ndef\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"cannot find the header line; pass --header-row"):
        sniff_csv(path)


def test_unsupported_encoding_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"encoding 'cp1252' is not supported"):
        sniff_csv(FIXTURES / "pipe_delimited.csv", encoding="cp1252")
    with pytest.raises(UsageError, match=r"encoding 'klingon' is not supported"):
        sniff_csv(FIXTURES / "pipe_delimited.csv", encoding="klingon")


def test_unsupported_delimiter_and_header_row_zero_are_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"delimiter ':' is not supported"):
        sniff_csv(FIXTURES / "pipe_delimited.csv", delimiter=":")
    with pytest.raises(UsageError, match=r"--header-row 0: lines count from 1"):
        sniff_csv(FIXTURES / "pipe_delimited.csv", header_row=0)


def test_header_row_below_the_sample_asks_for_help(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("STT;Mã tỉnh\n1;93\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"short\.csv: cannot find the header line"):
        sniff_csv(path, header_row=5)
