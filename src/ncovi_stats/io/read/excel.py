"""Read an Excel `.xlsx` export into one table of text columns (SPEC §2.1).

Every cell is read as text (fastexcel writes date-time cells as `YYYY-MM-DD HH:MM:SS`, which the
time parser reads; numbers that are Excel serial dates stay numbers as text, also read by it).
In each sheet the header is the first row whose cells are known headers (title rows above it
are skipped, as in CSV). Sheets whose header maps to the same canonical columns as the first
sheet read are stacked into one table; a sheet with other columns, or none, is skipped and
reported in `XlsxTable.skipped`. Columns are renamed to canonical names; `_sheet` and `_line`
(the Excel row number, from 1) say where each row came from, for the rejects file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ncovi_stats.errors import BadInputError, UsageError
from ncovi_stats.io.read.headers import HeaderMap, is_known_header, map_headers

if TYPE_CHECKING:
    import polars as pl

SHEET_COLUMN = "_sheet"
LINE_COLUMN = "_line"
HEADER_SEARCH_ROWS = 50
MIN_KNOWN_HEADERS = 2
DIFFERENT_COLUMNS = "its columns differ from the first sheet read"


@dataclass(frozen=True)
class SkippedSheet:
    name: str
    reason: str


@dataclass(frozen=True)
class XlsxTable:
    frame: pl.DataFrame  # `_sheet`, `_line`, then canonical columns, all text but `_line`
    sheets: list[str]  # the sheets read, in workbook order
    skipped: list[SkippedSheet]
    header_map: HeaderMap  # of the first sheet read


def read_xlsx(
    path: str | Path,
    *,
    sheet: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> XlsxTable:
    """Every sheet sharing the first sheet's columns, or only `sheet`, as one table."""
    import fastexcel
    import polars as pl

    path = Path(path)
    try:
        reader = fastexcel.read_excel(path)
    except (OSError, fastexcel.FastExcelError) as error:
        kind = type(error).__name__  # the library's message is not shown: it may quote cells
        raise BadInputError(f"{path}: cannot be read as an .xlsx workbook ({kind})") from None
    names = list(reader.sheet_names)
    if sheet is not None:
        if sheet not in names:
            raise UsageError(f"{path}: no sheet {sheet!r}; the sheets are: {', '.join(names)}")
        names = [sheet]

    frames: list[pl.DataFrame] = []
    read: list[str] = []
    skipped: list[SkippedSheet] = []
    first_map: HeaderMap | None = None
    for name in names:
        raw = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_polars()
        header_index = _header_row(raw, extra_headers)
        if header_index is None:
            skipped.append(SkippedSheet(name, "no header row with known column names"))
            continue
        headers = ["" if cell is None else str(cell) for cell in raw.row(header_index)]
        header_map = map_headers(headers, extra_headers, source=f"{path} [{name}]")
        if first_map is not None and sorted(header_map.columns) != sorted(first_map.columns):
            skipped.append(SkippedSheet(name, DIFFERENT_COLUMNS))
            continue
        first_map = first_map or header_map
        positions = {header: index for index, header in enumerate(headers)}
        body = raw.slice(header_index + 1).with_row_index(LINE_COLUMN, offset=header_index + 2)
        body = body.filter(pl.any_horizontal(pl.exclude(LINE_COLUMN).is_not_null()))
        frames.append(
            body.select(
                pl.lit(name, dtype=pl.String).alias(SHEET_COLUMN),
                pl.col(LINE_COLUMN).cast(pl.Int64),
                *(
                    pl.col(raw.columns[positions[header]]).alias(column)
                    for header, column in header_map.rename.items()
                ),
            ).select(SHEET_COLUMN, LINE_COLUMN, *first_map.columns)
        )
        read.append(name)
    if first_map is None:
        raise BadInputError(
            f"{path}: no sheet has a header row with known column names; "
            "pick one with --sheet, or map the headers in the config's [columns] table"
        )
    return XlsxTable(
        frame=pl.concat(frames, how="vertical"),
        sheets=read,
        skipped=skipped,
        header_map=first_map,
    )


def _header_row(raw: pl.DataFrame, extra: Mapping[str, str] | None) -> int | None:
    """0-based index of the first row with at least two known headers."""
    for index, row in enumerate(raw.head(HEADER_SEARCH_ROWS).iter_rows()):
        known = sum(1 for cell in row if cell is not None and is_known_header(str(cell), extra))
        if known >= MIN_KNOWN_HEADERS:
            return index
    return None
