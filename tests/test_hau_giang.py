"""SPEC §1: "by 17:00 on 8 April, 516,394 residents of Hậu Giang had declared, 70.45%"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ncovi_stats.analysis import coverage_report
from ncovi_stats.cli.app import run
from tests.support import request


@dataclass(frozen=True)
class Export:
    path: Path
    rows_after_cutoff: int


CUTOFF = datetime(2020, 4, 8, 17, 0)
DECLARED = 516_394
HAU_GIANG_DISTRICTS = ["930", "931", "932", "933", "934", "935", "936", "937"]


@pytest.fixture(scope="module")
def hau_giang(tmp_path_factory: pytest.TempPathFactory) -> Export:
    """516,394 persons by the cut-off, with repeats, household rows and later rows."""
    rng = np.random.default_rng(8)
    start = np.datetime64("2020-03-20T00:00:00")
    span = int((np.datetime64("2020-04-08T17:00:00") - start) / np.timedelta64(1, "s"))
    keys = np.array([f"hg{i:08d}" for i in range(DECLARED + 20_000)])
    first_seconds = rng.integers(0, span + 1, DECLARED)
    first_seconds[0] = span  # one person declares exactly at the cut-off
    repeats = rng.integers(0, DECLARED, 150_000)
    after = np.arange(DECLARED, DECLARED + 20_000)  # new persons, all after the cut-off
    person = np.concatenate([np.arange(DECLARED), repeats, after, repeats[:5000]])
    seconds = np.concatenate(
        [
            first_seconds,
            first_seconds[repeats] + rng.integers(0, 86_400 * 3, repeats.size),
            span + 1 + rng.integers(0, 86_400 * 5, after.size),
            span + 1 + rng.integers(0, 86_400, 5000),
        ]
    )
    frame = pl.DataFrame(
        {
            "declared_at": (start + seconds.astype("timedelta64[s]")).astype("datetime64[us]"),
            "person_key": keys[person],
            "province_code": "93",
            "district_code": rng.choice(HAU_GIANG_DISTRICTS, person.size),
            "declared_by": rng.choice(["self", "household"], person.size, p=[0.7, 0.3]),
            "channel": rng.choice(["app", "web", "facility", "collaborator"], person.size),
        }
    )
    path = tmp_path_factory.mktemp("hau_giang") / "hau_giang.parquet"
    frame.sample(fraction=1.0, shuffle=True, seed=1).write_parquet(path)
    return Export(path, rows_after_cutoff=int((seconds > span).sum()))


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
