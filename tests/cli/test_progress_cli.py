"""`ncovi-stats progress`: messages, formats and the worklist through the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from ncovi_stats.api.progress import progress_report
from ncovi_stats.cli.app import run
from ncovi_stats.errors import ExitCode
from tests.api.test_progress import rows_young
from tests.support import request

BASE = ["--as-of", "2020-04-08 17:00", "--level", "district"]
GOAL = ["--target", "90", "--deadline", "2020-04-17"]


@pytest.fixture
def young(export, tmp_path: Path) -> list[str]:
    population = tmp_path / "population.csv"
    population.write_text("code,population,source\n930,10,test\n931,100,test\n932,50,test\n")
    return [str(export(rows_young())), "--population", str(population)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--deadline", "2020-04-17"], "progress needs --target PCT, the coverage to reach"),
        (["--target", "90"], "progress needs --deadline DATE, the last day to reach the target"),
        ([*GOAL[:2], "--deadline", "17/4"], "--deadline '17/4' is not a date; write it as"),
        (
            [*GOAL, "--chart", "out.pdf"],
            "--chart 'out.pdf': the file name must end in .png or .svg",
        ),
    ],
)
def test_usage_errors(capsys, young: list[str], argv: list[str], message: str) -> None:
    code = run(["progress", *young, *BASE, *argv])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert message in err and "Traceback" not in err


def test_json_equals_the_library(capsys, young: list[str]) -> None:
    assert run(["progress", *young, *BASE, *GOAL, "-f", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    done = progress_report(
        request(Path(young[0]), as_of=datetime(2020, 4, 8, 17), population_file=Path(young[2])),
        level="district",
        target=Decimal(90),
        deadline=date(2020, 4, 17),
    )
    expected = json.loads(json.dumps(done.report.records.to_dicts(), default=str))
    assert document["records"] == expected
    assert document["meta"]["command"] == "progress"
    assert document["meta"]["status_counts"]["met"] == 1
    first = document["records"][0]
    assert list(first)[-7:] == [
        "persons_needed",
        "days_left",
        "pace_7d",
        "required_pace",
        "projected_date",
        "deadline_passed",
        "status",
    ]
    assert first["status"] == "behind"


def test_series_in_csv_and_parquet(capsys, young: list[str], tmp_path: Path) -> None:
    assert run(["progress", *young, *BASE, *GOAL, "--series", "-f", "csv"]) == 0
    csv_text = capsys.readouterr().out
    assert csv_text.splitlines()[0].endswith("day,new_persons,persons_counted,coverage_pct")
    assert "931,Thị xã Ngã Bảy,100,test,2020-04-07,20,20,20.0" in csv_text
    out = tmp_path / "series.parquet"
    assert run(["progress", *young, *BASE, *GOAL, "--series", "-f", "parquet", "-o", str(out)]) == 0
    frame = pl.read_parquet(out)
    assert frame.filter(pl.col("district_code") == "930")["persons_counted"].to_list() == [
        1,
        10,
        10,
    ]


def test_worklist_table_behind_first(capsys, young: list[str]) -> None:
    assert run(["progress", *young, *BASE, *GOAL]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "│" in line]
    statuses = [line.split("│")[-2].strip() for line in lines]
    assert statuses.index("On track") > max(i for i, s in enumerate(statuses) if s == "Behind")
    # no population figure before met: met units need nothing more (SPEC §3.6 worklist)
    assert statuses.index("No population") < statuses.index("Met") and statuses[-1] == "Met"
    row_931 = next(line for line in lines if "931" in line)
    cells = [cell.strip() for cell in row_931.split("│")[1:-1]]
    assert cells == [
        "931",
        "Thị xã Ngã Bảy",
        "40",
        "40.00%",
        "50",
        "6",
        "16.0",
        "2020-04-11",
        "On track",
    ]
    assert "Progress toward 90.00% by 2020-04-17, by district, as of 2020-04-08 17:00" in out
    assert (
        "9 days left until the end of 2020-04-17; pace over 2.5 days since 2020-04-06 05:00." in out
    )


def test_vietnamese_labels_values_stay_canonical(capsys, young: list[str]) -> None:
    assert run(["progress", *young, *BASE, *GOAL, "--lang", "vi"]) == 0
    out = capsys.readouterr().out
    for word in ("Tỷ lệ", "Còn thiếu", "Cần mỗi ngày", "Đúng tiến độ", "Chậm", "Đạt", "11/04/2020"):
        assert word in out
    assert "16,0" in out and "40,00%" in out
    assert run(["progress", *young, *BASE, *GOAL, "--lang", "vi", "-f", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {r["status"] for r in document["records"]} == {"behind", "on-track", "met", "no-data"}
