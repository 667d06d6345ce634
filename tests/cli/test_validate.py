"""`ncovi-stats validate`: the quality report, checked against hand counts and DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ncovi_stats.cli.app import run
from ncovi_stats.errors import ExitCode
from ncovi_stats.io.keyfile import generate_key_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLEAN = FIXTURES / "same_export_clean.csv"
XLSX = FIXTURES / "same_export_sheet_per_district.xlsx"


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "key"
    generate_key_file(path)
    return path


def _report(capsys, argv: list[str]) -> tuple[int, dict]:
    code = run(argv)
    return code, json.loads(capsys.readouterr().out)


def test_json_report_by_file_and_district(capsys, key: Path) -> None:
    argv = ["validate", str(CLEAN), str(XLSX), "--key-file", str(key), "-f", "json"]
    code, report = _report(capsys, [*argv, "--as-of", "2020-04-08 17:00"])
    assert code == ExitCode.OK
    assert set(report) == {
        "meta",
        "rows",
        "persons",
        "by_source_file",
        "by_district",
        "units_over_100",
        "unresolved_units",
    }
    # two rows of Vị Thanh name a ward not in it: a code of another district, and a text
    # written for one person only, which is not shown (it might be personal data)
    vi_thanh = "Thành phố Vị Thanh, Tỉnh Hậu Giang"
    assert report["unresolved_units"] == {
        "listed": [
            {
                "level": "ward",
                "text": "(not shown: written for fewer than 3 persons)",
                "within": vi_thanh,
                "within_code": "930",
                "reason": "ward-unresolved",
                "rows": 1,
            },
            {
                "level": "ward",
                "text": "31484",
                "within": vi_thanh,
                "within_code": "930",
                "reason": "ward-unresolved",
                "rows": 1,
            },
        ],
        "more_texts": 0,
        "more_rows": 0,
    }
    rows = report["rows"]
    assert (rows["read"], rows["accepted"], rows["after_cutoff"]) == (24, 22, 4)
    assert rows["rejected_by_reason"]["unparseable-time"] == 2
    # P1 (Vị Thanh, Châu Thành) and P5 (TP Hải Dương, Kinh Môn); P7's second district is later
    assert report["persons"] == {
        "counted": 7,
        "in_several_districts": 2,
        "in_provinces_without_population": 0,
        "in_districts_without_population": 0,
    }
    files = {r["source_file"].rsplit("/", 1)[1]: r for r in report["by_source_file"]}
    assert files["same_export_clean.csv"]["read"] == 12
    assert files["same_export_sheet_per_district.xlsx [Thành phố Vị Thanh]"]["read"] == 4
    assert sum(r["read"] for r in files.values()) == 24
    districts = {r["district_code"]: r for r in report["by_district"]}
    oracle = duckdb.sql(
        f"select lpad(district_code::varchar, 3, '0'), count(*) from read_csv('{CLEAN}', "
        "all_varchar=true) group by 1"
    ).fetchall()
    for district, rows_in_clean in oracle:
        assert districts[district]["read"] == 2 * rows_in_clean
    assert districts["930"]["persons_in_several_districts"] == 1
    assert districts["288"]["persons_in_several_districts"] == 1
    assert report["meta"]["key_fingerprint"]


def test_units_above_100_percent_are_listed(tmp_path: Path, capsys) -> None:
    population = tmp_path / "population.csv"
    population.write_text("code,population,source\n930,1,test\n", encoding="utf-8")
    export = tmp_path / "two_persons_one_resident.csv"
    export.write_text(
        "declared_at,person_key,province_code,district_code\n"
        "2020-04-08 09:00,a,93,930\n2020-04-08 09:00,b,93,930\n2020-04-08 09:00,c,93,\n",
        encoding="utf-8",
    )
    argv = ["validate", str(export), "-f", "json", "--population", str(population)]
    code, report = _report(capsys, argv)
    assert code == ExitCode.OK
    (unit,) = report["units_over_100"]
    assert (unit["level"], unit["code"], unit["persons_counted"], unit["coverage_pct"]) == (
        "district",
        "930",
        2,
        200.0,
    )


def test_too_many_rejects_exit_3_after_the_report(tmp_path: Path, capsys, key: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    argv = ["validate", str(CLEAN), "--key-file", str(key), "--rejects", str(rejects)]
    code = run([*argv, "--max-reject-rate", "5"])
    captured = capsys.readouterr()
    assert code == ExitCode.BAD_INPUT
    assert "Data quality" in captured.out  # the report came first
    assert "1 of 12 rows were rejected (1 unparseable-time), more than --max-reject-rate 5%" in (
        captured.err
    )
    assert rejects.read_text(encoding="utf-8").count("\n") == 2
    assert run([*argv, "--max-reject-rate", "10"]) == ExitCode.OK


def test_bad_options_are_usage_errors(capsys) -> None:
    assert run(["validate", str(CLEAN), "--delimiter", "x"]) == ExitCode.USAGE
    assert "--delimiter 'x' is not supported" in capsys.readouterr().err
    assert run(["validate", str(CLEAN), "--max-reject-rate", "lots"]) == ExitCode.USAGE
