"""A citizen ID read as a number (Parquet int64) and as text is one person (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ncovi_stats.cli.app import run
from ncovi_stats.errors import ExitCode
from tests.support import write_csv


def test_text_csv_and_int64_parquet_ids_count_one_person(capsys, tmp_path: Path) -> None:
    key = tmp_path / "k.key"
    assert run(["keygen", str(key)]) == ExitCode.OK
    text = write_csv(
        tmp_path / "text.csv",
        [
            {"declared_at": "2020-04-07 09:00", "person_id": "001289225416", "province_code": "30"},
            {"declared_at": "2020-04-07 09:05", "person_id": "079200000001", "province_code": "30"},
        ],
    )
    numeric = tmp_path / "numbers.parquet"
    pl.DataFrame(
        {
            "declared_at": ["2020-04-07 10:00", "2020-04-07 10:00"],
            "person_id": [1289225416, 79200000002],
            "province_code": ["30", "30"],
        },
        schema_overrides={"person_id": pl.Int64},
    ).write_parquet(numeric)
    capsys.readouterr()
    argv = ["coverage", str(text), str(numeric), "--key-file", str(key), "-f", "json"]
    assert run(argv) == ExitCode.OK
    (record,) = json.loads(capsys.readouterr().out)["records"]
    # 001289225416 in both files is one person; 079200000001 and 079200000002 are two more
    assert record["persons_counted"] == 3
