"""Workbooks officials can use as they are (issue 14): a title row (what, unit, cut-off in
Vietnam time, population source), a totals row, Vietnamese headers and values with --lang vi,
and columns as wide as their largest figure. Read back with openpyxl."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from ncovi_stats.cli.app import run

ROWS = [
    {"declared_at": "2020-04-06 08:00", "person_key": "a", "province_code": "30", "district_code": "288"},
    {"declared_at": "2020-04-06 09:00", "person_key": "b", "province_code": "30", "district_code": "288"},
    {"declared_at": "2020-04-07 10:00", "person_key": "c", "province_code": "30", "district_code": "290"},
    {"declared_at": "2020-04-07 12:00", "person_key": "d", "province_code": "30"},
]  # fmt: skip
PROGRESS = ["--as-of", "2020-04-08 17:00", "--target", "90", "--deadline", "2020-04-17"]


def shown(value: Any, number_format: str) -> str:
    """The text Excel shows for a cell, for the formats the workbooks use."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if number_format == "0.00%":
        return f"{value * 100:,.2f}%"
    if number_format == "#,##0":
        return f"{value:,.0f}"
    if number_format == "#,##0.00":
        return f"{value:,.2f}"
    if isinstance(value, datetime | date):
        return "dd/mm/yyyy"
    return str(value)


def assert_widths_fit(sheet: Any, first_row: int) -> None:
    """Every column is at least as wide as the widest value below the header."""
    widest: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is not None and not (cell.column == 1 and isinstance(cell.value, str)):
                text = shown(cell.value, cell.number_format)
                widest[cell.column] = max(widest.get(cell.column, 0), len(text))
    widths: dict[int, float] = {}
    for dimension in sheet.column_dimensions.values():
        for column in range(dimension.min, dimension.max + 1):
            widths[column] = dimension.width
    for column, needed in widest.items():
        assert widths.get(column, 0) >= needed, (sheet.title, get_column_letter(column), needed)


def test_progress_xlsx_in_vietnamese(tmp_path: Path, export) -> None:
    path = export(ROWS)
    figures = tmp_path / "population.csv"
    figures.write_text("code,population,source\n30,1900368,hai-duong-2020\n")
    target = tmp_path / "progress.xlsx"
    args = ["progress", str(path), *PROGRESS, "--level", "district", "--lang", "vi"]
    assert run([*args, "--population", str(figures), "-o", str(target)]) == 0
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A1"].value == (
        "Tiến độ đạt chỉ tiêu 90,00% trước 17/04/2020 theo huyện, tính đến 17 giờ 00 ngày "
        "08/4/2020 · dân số: census-2019, hai-duong-2020"
    )
    header = [cell.value for cell in sheet[2]]
    assert header[:6] == ["STT", "Mã tỉnh", "Tỉnh/Thành phố", "Mã huyện", "Quận/Huyện", "Dân số"]
    assert "Tình trạng" in header and "Còn thiếu" in header
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3, max_row=14)]
    assert [row[0] for row in rows] == list(range(1, 13))  # the 12 districts of Hải Dương
    statuses = {row[header.index("Tình trạng")] for row in rows}
    assert statuses == {"Chậm"}  # canonical "behind" in the CSV, Vietnamese for people
    totals = [cell.value for cell in sheet[15]]
    assert totals[2] == "Toàn tỉnh (12 huyện)"
    assert totals[header.index("Dân số")] == 1_900_368  # the province's own figure
    assert totals[header.index("Số người khai báo")] == 4  # d has no district
    assert totals[header.index("Tỷ lệ")] == pytest.approx(4 / 1_900_368)
    assert totals[header.index("Còn thiếu")] == 1_710_328  # ceil(0.9 × 1,900,368) − 4
    assert sheet.cell(15, header.index("Dân số") + 1).number_format == "#,##0"
    assert sheet.freeze_panes == "A3"
    assert_widths_fit(sheet, 3)


def test_coverage_xlsx_in_english_keeps_field_names_and_values(tmp_path: Path, export) -> None:
    target = tmp_path / "coverage.xlsx"
    args = ["coverage", str(export(ROWS)), "--as-of", "2020-04-08 17:00", "--level", "district"]
    assert run([*args, "-o", str(target)]) == 0
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A1"].value == (
        "Coverage by district as of 2020-04-08 17:00 (Vietnam time) · population: census-2019"
    )
    header = [cell.value for cell in sheet[2]]
    assert header[:5] == ["STT", "province_code", "province_name", "district_code", "district_name"]
    totals = [cell.value for cell in sheet[15]]
    assert totals[2] == "Whole province (12 districts)"
    assert totals[header.index("population")] == 1_892_254
    assert totals[header.index("persons_counted")] == 4
    assert_widths_fit(sheet, 3)


def test_bundle_workbook_in_vietnamese(tmp_path: Path, export) -> None:
    out = tmp_path / "reports"
    args = ["report", str(export(ROWS)), "--as-of", "2020-04-08", "--cutoff-time", "17:00"]
    args += ["--target", "90", "--deadline", "2020-04-17", "--lang", "vi", "--out", str(out)]
    assert run([*args, "-q"]) == 0
    book = openpyxl.load_workbook(out / "2020-04-08_1700" / "coverage.xlsx")
    cutoff = "tính đến 17 giờ 00 ngày 08/4/2020"
    for sheet in book.worksheets:
        title = sheet["A1"].value
        assert cutoff in title, sheet.title
        assert sheet["A2"].value == "STT", sheet.title
        assert_widths_fit(sheet, 3)
    assert book["Tỉnh"]["A1"].value == (
        f"Tỉnh, thành phố · theo tỉnh · {cutoff} · dân số: census-2019"
    )
    progress = book["Tiến độ"]
    header = [cell.value for cell in progress[2]]
    values = [[cell.value for cell in row] for row in progress.iter_rows(min_row=3)]
    levels = {row[header.index("Cấp")] for row in values if row[0] is not None}
    assert levels == {"Tỉnh", "Huyện"}
    assert {row[header.index("Tình trạng")] for row in values if row[0]} == {"Chậm"}
    quality = book["Chất lượng"]
    measures = [row[1].value for row in quality.iter_rows(min_row=3) if row[0].value]
    assert measures[:2] == ["Số dòng đọc", "Số dòng hợp lệ"]
    districts = book["Huyện"]
    last = [cell.value for cell in districts[districts.max_row]]
    assert "Toàn tỉnh" in last


def test_validate_xlsx_in_vietnamese(tmp_path: Path, export) -> None:
    target = tmp_path / "quality.xlsx"
    args = ["validate", str(export(ROWS)), "--as-of", "2020-04-08 17:00", "--lang", "vi"]
    assert run([*args, "-o", str(target)]) == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [
        "summary",
        "by_source_file",
        "by_district",
        "units_over_100",
        "unresolved_units",
    ]
    assert book["unresolved_units"]["A1"].value == (
        "Đơn vị không xác định được · tính đến 17 giờ 00 ngày 08/4/2020"
    )
    summary = book["summary"]
    assert summary["A1"].value == "Chất lượng dữ liệu · tính đến 17 giờ 00 ngày 08/4/2020"
    assert [cell.value for cell in summary[2]] == ["STT", "Chỉ số", "Giá trị"]
    measures = {row[1].value: row[2].value for row in summary.iter_rows(min_row=3)}
    assert measures["Số dòng đọc"] == 4
    assert measures["bị loại: no-identity"] == 0
    assert measures["Số dòng trùng lặp"] == 0
    assert measures["Số người khai báo"] == 4
    assert not [name for name in measures if name.startswith(("rows_", "persons_"))]
    for sheet in book.worksheets:
        assert_widths_fit(sheet, 3)


def test_coverage_cells_follow_the_status(tmp_path: Path, export) -> None:
    """In the progress sheet a unit's coverage cell is coloured by its status (met, on-track,
    behind), in the workbook and in the HTML summary, also in Vietnamese."""
    rows = [
        {"declared_at": f"2020-04-0{1 + i % 8} 08:00", "person_key": f"p{i}",
         "province_code": "06", "district_code": "058"}
        for i in range(40)
    ]  # fmt: skip
    out = tmp_path / "reports"
    args = ["report", str(export(rows)), "--as-of", "2020-04-08 17:00", "--lang", "vi"]
    args += ["--target", "0.01", "--deadline", "2020-04-17", "--out", str(out), "-q"]
    assert run(args) == 0
    folder = out / "2020-04-08_1700"
    sheet = openpyxl.load_workbook(folder / "coverage.xlsx")["Tiến độ"]
    header = [cell.value for cell in sheet[2]]
    status_at, coverage_at = header.index("Tình trạng"), header.index("Tỷ lệ")
    fills = {}
    for row in sheet.iter_rows(min_row=3):
        if row[0].value is not None and row[status_at].value is not None:
            fills[row[status_at].value] = row[coverage_at].fill.fgColor.rgb
    # 058 (Thành phố Bắc Kạn) met 0.01%; its 7 sister districts have nobody: behind
    assert fills == {"Đạt": "FFC6EFCE", "Chậm": "FFFFC7CE"}
    html = (folder / "summary.html").read_text()
    assert '<td class="n green">' in html and '<td class="n red">' in html
