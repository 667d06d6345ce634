"""Every command: `--help` exits 0 and gives the exit codes; every reading command writes csv,
json and xlsx on the bundled sample that parse back to the records of the library's result."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats.cli.app import app, run
from ncovi_stats.schema import PERCENT_FIELDS
from tests.support import request

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "bac_kan.parquet"
AS_OF = "2020-04-12 17:00"
AS_OF_TIME = datetime(2020, 4, 12, 17, 0)

# `config` (cli/report.py) shows settings and reads no data; its help gives no exit codes yet.
WITHOUT_EXIT_CODES = {"config"}


def command_names() -> list[str]:
    return sorted(str(info.name) for info in app.registered_commands)


@pytest.mark.parametrize("name", command_names())
def test_help_exits_0_and_gives_the_exit_codes(name: str, capsys) -> None:
    assert run([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Usage: ncovi-stats {name}")
    if name not in WITHOUT_EXIT_CODES:
        assert "Exit codes: 0 " in out
        assert "2 usage error" in out


@pytest.mark.parametrize("name", ["coverage", "progress", "rank", "followup", "validate"])
def test_reading_commands_take_the_same_options(name: str, capsys) -> None:
    assert run([name, "--help"]) == 0
    out = capsys.readouterr().out
    shared = ["--as-of", "--province", "--format", "--output", "--lang", "--key-file"]
    shared += ["--encoding", "--delimiter", "--header-row", "--sheet", "--rejects"]
    shared += ["--max-reject-rate"]
    for option in shared:
        assert option in out, option
    assert ("--population" in out) == (name != "followup")  # follow-up has no denominator
    assert "table|csv|json|parquet|markdown|xlsx" in out
    assert ("--fail-on" in out) == (name in ("coverage", "progress", "followup"))


def _library(name: str) -> pl.DataFrame:
    """The records the library gives for the CLI call of ARGS[name]."""
    if name == "coverage":
        from ncovi_stats.api.coverage import coverage_view

        return coverage_view(
            request(SAMPLE, as_of=AS_OF_TIME), level="district", target=Decimal(90)
        ).records
    if name == "progress":
        from ncovi_stats.api.progress import progress_report

        done = progress_report(
            request(SAMPLE, as_of=AS_OF_TIME),
            level="district",
            target=Decimal(90),
            deadline=date(2020, 4, 17),
        )
        return done.report.records
    if name == "rank":
        from ncovi_stats.api.rank import rank_report

        return rank_report(request(SAMPLE, as_of=AS_OF_TIME, provinces=("06",))).records
    if name == "followup":
        from ncovi_stats.api.followup import followup_report

        return followup_report(request(SAMPLE, as_of=AS_OF_TIME), level="district").result.records
    from ncovi_stats.api.validate import quality_report_of

    return quality_report_of(request(SAMPLE, as_of=AS_OF_TIME)).by_district


ARGS: dict[str, list[str]] = {
    "coverage": ["--level", "district", "--target", "90"],
    "progress": ["--level", "district", "--target", "90", "--deadline", "2020-04-17"],
    "rank": ["--province", "06"],
    "followup": ["--level", "district"],
    "validate": [],
}
LIBRARY: dict[str, pl.DataFrame] = {}


def library(name: str) -> pl.DataFrame:
    if name not in LIBRARY:
        LIBRARY[name] = _library(name)
    return LIBRARY[name]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def read_json(path: Path, expected: pl.DataFrame) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    records = document["records"] if "records" in document else document["by_district"]
    if "by_district" in document:  # validate: the reasons are nested in JSON
        for record in records:
            record.update(record.pop("rejected_by_reason"))
    wanted = [{k: _plain(v) for k, v in row.items()} for row in expected.to_dicts()]
    assert [{k: row[k] for k in expected.columns} for row in records] == wanted
    assert document["meta"]["cutoff"] == "2020-04-12T17:00:00+07:00"


def read_csv(path: Path, expected: pl.DataFrame) -> None:
    assert_frame_equal(pl.read_csv(path, schema=expected.schema), expected)


def read_xlsx(path: Path, expected: pl.DataFrame) -> None:
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book["by_district"] if "by_district" in book.sheetnames else book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    top = 1  # every sheet starts with a title row
    assert list(rows[top][: expected.width + 1]) == ["STT", *expected.columns]
    body = rows[top + 1 : top + expected.height + 1]
    assert [row[0] for row in body] == list(range(1, expected.height + 1))  # STT
    for cells, wanted in zip(body, expected.iter_rows(named=True), strict=True):
        for name, cell in zip(expected.columns, cells[1:], strict=False):
            value = wanted[name]
            if value is None:
                assert cell is None, name
            elif name in PERCENT_FIELDS:
                assert cell == pytest.approx(float(value) / 100, rel=1e-12), name
            elif isinstance(value, float):
                assert cell == pytest.approx(value, rel=1e-12), name
            elif isinstance(value, date):
                assert cell.date() == value, name
            else:
                assert cell == value, name


READERS: dict[str, Callable[[Path, pl.DataFrame], None]] = {
    "json": read_json,
    "csv": read_csv,
    "xlsx": read_xlsx,
}


@pytest.mark.parametrize("fmt", sorted(READERS))
@pytest.mark.parametrize("name", sorted(ARGS))
def test_every_format_carries_the_library_records(name: str, fmt: str, tmp_path: Path) -> None:
    output = tmp_path / f"{name}.{fmt}"
    argv = [name, str(SAMPLE), *ARGS[name], "--as-of", AS_OF, "--format", fmt, "-o", str(output)]
    assert run(argv) == 0
    expected = library(name)
    assert expected.height >= 8  # the 8 districts of Bắc Kạn at least
    READERS[fmt](output, expected)
