"""SPEC §1: "by 17:00 on 8 April, 516,394 residents of Hậu Giang had declared, 70.45%"."""

from __future__ import annotations

import json

import pytest

from ncovi_stats.api.coverage import coverage_report
from ncovi_stats.cli.app import run
from tests.exports import CUTOFF, DECLARED, Export
from tests.support import request


def test_library_reproduces_published_figure(hau_giang: Export) -> None:
    result = coverage_report(request(hau_giang.path, as_of=CUTOFF), level="province")
    row = result.records.row(0, named=True)
    assert result.records.height == 1
    assert (row["province_code"], row["persons_counted"], row["population"]) == (
        "93",
        DECLARED,
        733_017,
    )
    assert round(row["coverage_pct"], 6) == round(100 * DECLARED / 733_017, 6)
    assert result.meta["rows"]["after_cutoff"] == hau_giang.rows_after_cutoff > 25_000


def test_cli_table_shows_70_45_percent(
    hau_giang: Export, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        ["coverage", str(hau_giang.path), "--level", "province", "--as-of", "2020-04-08 17:00"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "516,394" in out and "733,017" in out and "70.45%" in out
    assert "2020-04-08 17:00" in out


def test_cli_vietnamese_numbers(hau_giang: Export, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "coverage",
            str(hau_giang.path),
            "--as-of",
            "2020-04-08 17:00",
            "--lang",
            "vi",
            "--target",
            "90",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "516.394" in out and "70,45%" in out and "143.322" in out
    assert "17 giờ 00 ngày 08/4/2020" in out


def test_json_envelope(hau_giang: Export, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "coverage",
            str(hau_giang.path),
            "--as-of",
            "2020-04-08 17:00",
            "-f",
            "json",
            "--target",
            "90",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["meta"]["cutoff"] == "2020-04-08T17:00:00+07:00"
    assert document["meta"]["population_sources"] == ["census-2019"]
    assert document["meta"]["rows"]["read"] == DECLARED + 150_000 + 25_000
    record = document["records"][0]
    assert record["persons_counted"] == DECLARED
    assert record["coverage_pct"] == 100 * DECLARED / 733_017  # unrounded
    assert record["persons_needed"] == 143_322
