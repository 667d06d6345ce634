"""A rerun whose figures are those of the published bundle, read from other files (CSV instead of
Parquet), is not refused: figures are compared, not paths (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ncovi_stats.cli.app import run
from ncovi_stats.errors import ExitCode

ROWS = [
    {"declared_at": "2020-04-06 08:00", "person_key": "a", "province_code": "06", "district_code": "058"},
    {"declared_at": "2020-04-07 09:00", "person_key": "b", "province_code": "06", "district_code": "060"},
    {"declared_at": "2020-04-08 10:00", "person_key": "a", "province_code": "06", "district_code": "060"},
]  # fmt: skip


def report(export: Path, out: Path, *extra: str) -> int:
    args = ["report", str(export), "--out", str(out), "--as-of", "2020-04-08 17:00"]
    return run([*args, "--target", "90", "--deadline", "2020-04-17", *extra])


def test_the_same_figures_from_csv_replace_the_parquet_bundle(tmp_path: Path, export, capsys):
    csv = export(ROWS)
    parquet = tmp_path / "export.parquet"
    pl.read_csv(csv, infer_schema=False).write_parquet(parquet)
    out = tmp_path / "reports"
    assert report(parquet, out) == 0
    capsys.readouterr()
    assert report(csv, out) == 0
    err = capsys.readouterr().err
    assert "replaced (the same figures from other inputs): " in err
    manifest = json.loads((out / "2020-04-08_1700" / "manifest.json").read_text())
    assert [entry["path"] for entry in manifest["inputs"]] == [str(csv)]
    assert report(csv, out) == 0  # and once more: nothing changed at all
    assert "unchanged: " in capsys.readouterr().err


def test_other_figures_are_still_refused(tmp_path: Path, export, capsys) -> None:
    out = tmp_path / "reports"
    assert report(export(ROWS, name="first.csv"), out) == 0
    more = [*ROWS, {**ROWS[0], "person_key": "c", "declared_at": "2020-04-08 11:00"}]
    capsys.readouterr()
    assert report(export(more, name="second.csv"), out) == ExitCode.OUTPUT
    err = capsys.readouterr().err
    folder = out / "2020-04-08_1700"
    assert err.endswith(
        f"ncovi-stats: {folder} already exists with other figures (tables/districts.csv, "
        "tables/progress.csv, tables/provinces.csv and 3 more differ); pass --force to replace "
        "it (the previous bundle stays until the new one is complete).\n"
    )
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["inputs"][0]["path"].endswith("first.csv")  # left as it was
