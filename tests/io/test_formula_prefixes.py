"""SPEC §4.2: every text cell that starts with `=`, `+`, `-`, `@` or a tab is neutralised in CSV
and Excel outputs, each prefix on its own (a mutation that drops one prefix must fail here), and
text that only contains them later, numbers and empty cells are left as they are."""

from __future__ import annotations

import io

import openpyxl
import polars as pl
import pytest

from ncovi_stats.io.write.formats import to_csv
from ncovi_stats.io.write.workbook import to_xlsx

PREFIXED = ["=1+1", "+84 912", "-2", "@SUM(A1)", "\tx"]
PLAIN = ["Hậu Giang", "a-b", "1=1", "x@y", "", None]


def _records(text: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"population_source": text, "persons_counted": list(range(-1, len(text) - 1))},
        schema={"population_source": pl.String, "persons_counted": pl.Int64},
    )


@pytest.mark.parametrize("value", PREFIXED, ids=repr)
def test_csv_neutralises_each_prefix(value: str) -> None:
    got = pl.read_csv(io.BytesIO(to_csv(_records([value]))), infer_schema=False)
    assert got["population_source"].to_list() == ["'" + value]


def test_csv_leaves_other_text_and_numbers() -> None:
    got = pl.read_csv(io.BytesIO(to_csv(_records(PLAIN))), infer_schema=False)
    assert got["population_source"].to_list() == ["Hậu Giang", "a-b", "1=1", "x@y", "", None]
    assert got["persons_counted"].to_list() == ["-1", "0", "1", "2", "3", "4"]  # -1 stays a number


def _sheet_values(data: bytes) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=2, max_col=3)]


@pytest.mark.parametrize("value", PREFIXED, ids=repr)
def test_xlsx_neutralises_each_prefix(value: str) -> None:
    data = to_xlsx(_records([value]), {"command": "coverage"})
    book = openpyxl.load_workbook(io.BytesIO(data))
    cell = book.worksheets[0].cell(row=2, column=2)  # after the STT column
    assert cell.data_type == "s" and cell.value == "'" + value


def test_xlsx_leaves_other_text_and_numbers() -> None:
    data = to_xlsx(_records(PLAIN), {"command": "coverage"})
    assert _sheet_values(data) == [
        (1, "Hậu Giang", -1),
        (2, "a-b", 0),
        (3, "1=1", 1),
        (4, "x@y", 2),
        (5, "", 3),
        (6, None, 4),
    ]
