"""Excel workbooks for officials (SPEC §4.2), byte-identical for the same content.

Numbers are stored as numbers with formats (`#,##0`, `0.00%`; percentages as fractions, so
Excel's % format shows 70.45% for 516,394 / 733,017), tables start with an STT column, a totals
row says what it sums, the header is frozen and repeated on every printed A4 landscape page,
columns are autofitted, and coverage is coloured on a scale against the target.

Safety: xlsxwriter never turns a string into a formula or a link (`strings_to_formulas`,
`strings_to_urls` off) and text starting with `=`, `+`, `-`, `@` or a tab gets a leading
apostrophe, as in CSV. Determinism: the document's created date is fixed by the caller (the
cut-off), never the clock; xlsxwriter writes fixed zip timestamps.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import polars as pl
import xlsxwriter

from ncovi_stats.io.write.cells import neutralise_formulas
from ncovi_stats.schema import PERCENT_FIELDS, UNIT_NAME_FIELDS

INT_FORMAT = "#,##0"
PCT_FORMAT = "0.00%"
DATE_FORMAT = "dd/mm/yyyy"
DECIMAL_FORMAT = "#,##0.00"
A4 = 9
COVERAGE_SCALE = {"low": "#F8696B", "near": "#FFEB84", "met": "#63BE7B"}
# Coverage cells of tables with a status (canonical values: read before localisation).
STATUS_FILLS = {"met": "#C6EFCE", "on-track": "#FFEB9C", "behind": "#FFC7CE"}
NEAR_TARGET_PP = 10
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
FIXED_CREATED = datetime(2020, 1, 1)


@dataclass(frozen=True)
class Sheet:
    """One table: canonical `fields`, the header people read, rows and an optional totals row."""

    name: str
    records: pl.DataFrame
    header: list[str]
    totals: dict[str, Any] | None = None  # field -> value; the label goes in the first text column
    totals_label: str = ""
    target_pct: Decimal | None = None
    stt: str = "STT"
    notes: list[str] = field(default_factory=list)
    title: str = ""  # the first row: what, unit, cut-off (Vietnam time), population source
    statuses: list[str] | None = None  # canonical status per row when `records` shows labels


def sheet_name(text: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if char in "[]:*?/\\" else char for char in text)
    return cleaned[:31] or "Sheet"


def _cell_value(name: str, value: Any) -> Any:
    if value is not None and name in PERCENT_FIELDS:
        return float(value) / 100
    return value


def shown_width(name: str, value: Any) -> int:
    """How many characters Excel shows for `value` in the format `_write_cell` gives it."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return len(str(value).upper())
    if name in PERCENT_FIELDS:
        return len(f"{float(value):,.2f}%")
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, float | Decimal):
        return len(f"{float(value):,.2f}")
    if isinstance(value, datetime):
        return len(value.isoformat(sep=" "))
    if isinstance(value, date):
        return len("dd/mm/yyyy")
    return len(str(value))


def column_widths(sheet: Sheet, records: pl.DataFrame) -> list[float]:
    """Per column (STT first): the widest figure or text, bold totals included, or the
    header's longest word (headers wrap); in Excel's character units, with a margin."""
    widths = [max(len(sheet.stt), len(str(records.height)))]
    for index, name in enumerate(records.columns):
        cells = [shown_width(name, value) for value in records[name].to_list()]
        if sheet.totals is not None and sheet.totals.get(name) is not None:
            cells.append(shown_width(name, sheet.totals[name]) + 1)  # bold is wider
        header = sheet.header[index] if index < len(sheet.header) else name
        words = max((len(word) for word in header.split()), default=0)
        widths.append(max([words, *cells]))
    label_at = next((i for i, n in enumerate(records.columns, start=1) if n in UNIT_NAME_FIELDS), 1)
    if sheet.totals is not None and label_at < len(widths):
        widths[label_at] = max(widths[label_at], len(sheet.totals_label) + 1)
    return [min(width + 2, 255) for width in widths]  # 255: the widest Excel allows


def _write_sheet(book: Any, sheet: Sheet, formats: dict[str, Any]) -> None:
    records = neutralise_formulas(sheet.records)
    worksheet = book.add_worksheet(sheet_name(sheet.name))
    columns = records.columns
    top = 1 if sheet.title else 0  # the row of the header
    if sheet.title:
        worksheet.write_string(0, 0, sheet.title, formats["title"])
    worksheet.write_row(top, 0, [sheet.stt, *sheet.header], formats["header"])
    dtypes = records.schema
    for index, values in enumerate(records.iter_rows(), start=1):
        worksheet.write_number(top + index, 0, index, formats["int"])
        for col, (name, value) in enumerate(zip(columns, values, strict=True), start=1):
            _write_cell(worksheet, top + index, col, name, dtypes[name], value, formats)
    last = top + records.height
    if sheet.totals is not None:
        last += 1
        bold = formats["bold"]
        label_column = next((i for i, n in enumerate(columns, start=1) if n in UNIT_NAME_FIELDS), 1)
        worksheet.write_string(last, label_column, sheet.totals_label, bold)
        for col, name in enumerate(columns, start=1):
            if name in sheet.totals and sheet.totals[name] is not None:
                _write_cell(
                    worksheet, last, col, name, dtypes[name], sheet.totals[name], formats, bold=True
                )
    if "status" in columns and "coverage_pct" in columns:  # the status decides the colour
        col = columns.index("coverage_pct") + 1
        statuses = sheet.statuses or records["status"].to_list()
        for index, (status, value) in enumerate(
            zip(statuses, records["coverage_pct"], strict=True), start=1
        ):
            if status in STATUS_FILLS and value is not None:
                worksheet.write_number(
                    top + index, col, _cell_value("coverage_pct", value), formats[f"pct_{status}"]
                )
    elif sheet.target_pct is not None and "coverage_pct" in columns and records.height:
        col = columns.index("coverage_pct") + 1
        target = float(sheet.target_pct) / 100
        worksheet.conditional_format(
            top + 1,
            col,
            last,
            col,
            {
                "type": "3_color_scale",
                "min_type": "num",
                "min_value": 0,
                "min_color": COVERAGE_SCALE["low"],
                "mid_type": "num",
                "mid_value": max(target - NEAR_TARGET_PP / 100, 0),
                "mid_color": COVERAGE_SCALE["near"],
                "max_type": "num",
                "max_value": target,
                "max_color": COVERAGE_SCALE["met"],
            },
        )
    for offset, note in enumerate(sheet.notes, start=last + 2):
        worksheet.write_string(offset, 0, note)
    worksheet.freeze_panes(top + 1, 0)
    worksheet.set_landscape()
    worksheet.set_paper(A4)
    worksheet.repeat_rows(0, top)
    worksheet.fit_to_pages(1, 0)
    for col, width in enumerate(column_widths(sheet, records)):
        worksheet.set_column(col, col, width)


def _write_cell(
    worksheet: Any,
    row: int,
    col: int,
    name: str,
    dtype: pl.DataType,
    value: Any,
    formats: dict[str, Any],
    *,
    bold: bool = False,
) -> None:
    suffix = "_bold" if bold else ""
    if value is None:
        worksheet.write_blank(row, col, None)
    elif isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
    elif name in PERCENT_FIELDS:
        worksheet.write_number(row, col, _cell_value(name, value), formats["pct" + suffix])
    elif isinstance(value, int):
        worksheet.write_number(row, col, value, formats["int" + suffix])
    elif isinstance(value, float | Decimal):
        worksheet.write_number(row, col, float(value), formats["decimal" + suffix])
    elif isinstance(value, datetime):
        worksheet.write_string(row, col, value.isoformat(sep=" "))
    elif isinstance(value, date):
        worksheet.write_datetime(
            row, col, datetime.combine(value, datetime.min.time()), formats["date"]
        )
    else:
        worksheet.write_string(row, col, str(value))


def write_workbook(
    sheets: Sequence[Sheet], *, created: datetime = FIXED_CREATED, title: str = ""
) -> bytes:
    """The sheets as one .xlsx file; the same sheets and `created` give the same bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    book.set_properties(
        {"title": title, "author": "ncovi-stats", "created": created, "comments": ""}
    )
    base = {"font_name": "Calibri", "font_size": 11}
    formats = {
        "header": book.add_format(
            {**base, "bold": True, "text_wrap": True, "valign": "top", "bottom": 1}
        ),
        "bold": book.add_format({**base, "bold": True}),
        "title": book.add_format({**base, "bold": True, "font_size": 13}),
        "int": book.add_format({**base, "num_format": INT_FORMAT}),
        "int_bold": book.add_format({**base, "num_format": INT_FORMAT, "bold": True}),
        "pct": book.add_format({**base, "num_format": PCT_FORMAT}),
        "pct_bold": book.add_format({**base, "num_format": PCT_FORMAT, "bold": True}),
        "decimal": book.add_format({**base, "num_format": DECIMAL_FORMAT}),
        "decimal_bold": book.add_format({**base, "num_format": DECIMAL_FORMAT, "bold": True}),
        "date": book.add_format({**base, "num_format": DATE_FORMAT}),
    }
    for status, fill in STATUS_FILLS.items():
        formats[f"pct_{status}"] = book.add_format(
            {**base, "num_format": PCT_FORMAT, "bg_color": fill}
        )
    for sheet in sheets:
        _write_sheet(book, sheet, formats)
    book.close()
    return buffer.getvalue()


def to_xlsx(records: pl.DataFrame, meta: dict[str, Any]) -> bytes:
    """`--format xlsx` of a table command: one sheet, canonical field names as the header."""
    sheet = Sheet(
        name=str(meta.get("command", "table")),
        records=records,
        header=list(records.columns),
        notes=[f"cutoff: {meta['cutoff']}"] if "cutoff" in meta else [],
    )
    cutoff = meta.get("cutoff")
    created = FIXED_CREATED
    if isinstance(cutoff, str):
        created = datetime.fromisoformat(cutoff).replace(tzinfo=None)
    return write_workbook([sheet], created=created, title=f"ncovi-stats {sheet.name}")
