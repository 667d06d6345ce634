"""The summary lists the worst 20 units behind per level, then how many more (issue 14)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest

from ncovi_stats.cli.app import run
from ncovi_stats.render.behind import worst_behind


def records(rows: list[tuple[str, str, int, int, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["level", "unit_code", "persons_counted", "population", "status"],
        orient="row",
    )


def test_worst_first_compared_exactly_then_by_code() -> None:
    frame = records(
        [
            ("district", "002", 1, 3, "behind"),  # 1/3
            ("district", "001", 333_333_333, 1_000_000_000, "behind"),  # just below 1/3
            ("district", "003", 2, 6, "behind"),  # 1/3 again: the lower code first
            ("district", "004", 0, 10, "met"),  # not behind
            ("province", "01", 5, 10, "behind"),
        ]
    )
    groups = worst_behind(frame, limit=2)
    assert [(g.level, [r["unit_code"] for r in g.rows], g.more) for g in groups] == [
        ("province", ["01"], -1),
        ("district", ["001", "002"], 1),
    ]


@pytest.fixture(scope="module")
def national_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("national")
    export = folder / "national.parquet"
    assert run(["sample", str(export), "--province", "all", "--persons", "20000"]) == 0
    out = folder / "reports"
    args = ["report", str(export), "--out", str(out), "--as-of", "2020-04-10 17:00"]
    assert run([*args, "--target", "90", "--deadline", "2020-04-17", "-q"]) == 0
    return out / "2020-04-10_1700"


def test_national_summary_lists_the_worst_20_per_level(national_bundle: Path) -> None:
    summary = (national_bundle / "summary.md").read_text()
    section = summary.split("## Who is behind\n\n")[1].split("\n\n")[0].splitlines()
    progress = json.loads((national_bundle / "tables" / "progress.json").read_text())["records"]
    behind = [r for r in progress if r["status"] == "behind"]
    by_level = {
        level: sorted(
            (r for r in behind if r["level"] == level),
            key=lambda r: (Fraction(r["persons_counted"], r["population"]), r["unit_code"]),
        )
        for level in ("province", "district")
    }
    assert len(by_level["province"]) == 63 and len(by_level["district"]) > 600
    expected = []
    for level, plural in (("province", "provinces"), ("district", "districts")):
        expected += [f"- {r['unit_name']}: " for r in by_level[level][:20]]
        more = len(by_level[level]) - 20
        expected.append(f"- and {more} more {plural} behind (see coverage.xlsx, sheet progress)")
    assert len(section) == 42
    for line, start in zip(section, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert len(summary.splitlines()) < 600  # was 2,500 lines for this export
    districts = json.loads((national_bundle / "tables" / "districts.json").read_text())
    total = len(districts["records"])
    assert total > 600
    note = f"The first 63 of {total} rows shown; every row is in tables/districts.csv and "
    assert note + "coverage.xlsx." in summary
