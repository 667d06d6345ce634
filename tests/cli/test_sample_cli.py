"""`ncovi-stats sample` through a local typer app (the real app registers the same function)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
import typer
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from ncovi_stats.api.sample import generate_declarations
from ncovi_stats.cli.sample import parse_until, resolve_provinces, sample
from ncovi_stats.errors import UsageError

app = typer.Typer()
app.command()(sample)
runner = CliRunner()


def test_writes_the_export_and_reports_one_line(tmp_path: Path) -> None:
    output = tmp_path / "bac_kan.parquet"
    result = runner.invoke(
        app, [str(output), "--province", "Bắc Kạn", "--persons", "2000", "--seed", "5"]
    )
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(output)
    assert result.stderr == (
        f"Wrote {frame.height:,} rows for 2,000 persons (0.64% of 313,905) to {output}\n"
    )
    assert result.stdout == ""
    assert_frame_equal(frame, generate_declarations(["06"], persons=2_000, seed=5))


def test_coverage_and_until_reach_the_generator(tmp_path: Path) -> None:
    output = tmp_path / "export.csv"
    result = runner.invoke(
        app, [str(output), "-p", "06", "--coverage", "1", "--until", "2020-04-05", "--seed", "1"]
    )
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(output, infer_schema=False)
    assert frame["person_key"].n_unique() == 3_139  # 1% of 313,905
    assert frame["declared_at"].max() <= "2020-04-05 23:59:59"
    assert frame["declared_at"].max() >= "2020-04-05 00:00:00"


def test_list_provinces_needs_no_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--list-provinces"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 63
    assert lines[3] == "06  Tỉnh Bắc Kạn  313,905"


@pytest.mark.parametrize(
    ("values", "codes"),
    [
        (["06"], ["06"]),
        (["6"], ["06"]),
        (["Bắc Kạn"], ["06"]),
        (["tỉnh  bắc kạn"], ["06"]),
        (["bac kan"], ["06"]),
        (["Ha Noi, 79", "06"], ["01", "06", "79"]),
        (["TP Hồ Chí Minh"], ["79"]),
        (["Thành phố Hà Nội", "01"], ["01"]),
        (["all"], None),
        (["06", "ALL"], None),
    ],
)
def test_provinces_by_code_or_name(values: list[str], codes: list[str] | None) -> None:
    assert resolve_provinces(values) == codes


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (None, "Name the provinces with --province"),
        (["99"], "--province '99' is not a province; give the 2-digit GSO code"),
        (["Bac Can"], "--province 'Bac Can' is not a province; give the 2-digit GSO code"),
    ],
)
def test_unknown_provinces_say_how_to_see_the_codes(values: list[str] | None, message: str) -> None:
    with pytest.raises(UsageError) as error:
        resolve_provinces(values)
    assert str(error.value).startswith(message)


def test_until_accepts_a_time_or_a_date() -> None:
    assert parse_until("2020-04-17 17:00") == datetime(2020, 4, 17, 17, 0)
    assert parse_until("2020-04-17T17:00:30") == datetime(2020, 4, 17, 17, 0, 30)
    assert parse_until("2020-04-17") == datetime(2020, 4, 17, 23, 59, 59, 999999)
    assert parse_until("17/04/2020 08:00") == datetime(2020, 4, 17, 8, 0)  # day first
    with pytest.raises(UsageError, match="--until 'April 17' is not a time"):
        parse_until("April 17")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["out.parquet", "-p", "06", "--persons", "5", "--coverage", "3"], "not both"),
        (["out.xlsx", "-p", "06", "--persons", "5"], "end the file name with .csv or .parquet"),
        (["out.csv", "-p", "06", "--until", "yesterday"], "is not a time"),
        (["out.csv", "-p", "Atlantis"], "is not a province"),
    ],
)
def test_usage_errors_write_nothing(
    arguments: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, arguments)
    assert isinstance(result.exception, UsageError)
    assert message in str(result.exception)
    assert list(tmp_path.iterdir()) == []
