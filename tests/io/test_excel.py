from __future__ import annotations

import datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats.core.values import parse_time
from ncovi_stats.errors import BadInputError, UsageError
from ncovi_stats.io.read.excel import SkippedSheet, read_xlsx

WORKBOOK = Path(__file__).parent.parent / "fixtures" / "districts_per_sheet.xlsx"


def test_sheets_with_the_same_columns_are_one_table() -> None:
    table = read_xlsx(WORKBOOK)
    expected = pl.DataFrame(
        {
            "_sheet": ["Châu Thành", "Châu Thành", "Long Mỹ", "Long Mỹ"],
            "_line": pl.Series([4, 5, 2, 4], dtype=pl.Int64),
            "declared_at": [
                "2020-04-08 17:00:00",
                "08/04/2020 05:10 CH",
                "43929.7083",
                "2020-04-07 09:30:00",
            ],
            "province_code": ["93", "93", "93", "93"],
            "district": [
                "Huyện Châu Thành",
                "Huyện Châu Thành",
                "Thị xã Long Mỹ",
                "Thị xã Long Mỹ",
            ],
            "declared_by": [None, "x", "Không", None],
            "channel": ["Ứng dụng NCOVI", "CTV", "Web", "Cơ sở y tế"],
        }
    )
    assert_frame_equal(table.frame, expected)
    assert table.sheets == ["Châu Thành", "Long Mỹ"]
    assert table.skipped == [
        SkippedSheet("Ghi chú", "its columns differ from the first sheet read")
    ]
    assert table.header_map.ignored == ["STT"]


def test_cell_times_are_read_by_the_time_parser() -> None:
    times = read_xlsx(WORKBOOK).frame.select(parse_time(pl.col("declared_at")))
    assert times.to_series().to_list() == [
        datetime.datetime(2020, 4, 8, 17, 0),
        datetime.datetime(2020, 4, 8, 17, 10),
        datetime.datetime(2020, 4, 8, 17, 0),
        datetime.datetime(2020, 4, 7, 9, 30),
    ]


def test_one_sheet_by_name() -> None:
    table = read_xlsx(WORKBOOK, sheet="Ghi chú")
    assert table.frame.rows() == [("Ghi chú", 2, "93", "x")]
    assert table.frame.columns == ["_sheet", "_line", "province_code", "risk_flag"]
    assert table.header_map.unknown == ["Ghi chú"]


def test_unknown_sheet_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as error:
        read_xlsx(WORKBOOK, sheet="Vị Thanh")
    assert str(error.value) == (
        f"{WORKBOOK}: no sheet 'Vị Thanh'; the sheets are: Châu Thành, Long Mỹ, Ghi chú"
    )


def test_not_a_workbook_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "not_a_workbook.xlsx"
    path.write_text("STT,Mã tỉnh\n1,93\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"not_a_workbook\.xlsx: cannot be read as an \.xlsx"):
        read_xlsx(path)


def test_workbook_without_known_headers_is_bad_input(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "no_headers.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet("A").write_row(0, 0, ["x", "y"])
    workbook.close()
    with pytest.raises(BadInputError, match=r"no sheet has a header row with known column names"):
        read_xlsx(path)
