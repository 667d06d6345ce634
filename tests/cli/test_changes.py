"""The summary says what changed since the previous bundle in the same --out (issue 14):
persons +N and coverage +x pp for the scope and per unit, and the units that crossed the target."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ncovi_stats.cli.app import run

ROWS = [
    {"declared_at": "2020-04-07 08:00", "person_key": "a", "province_code": "06", "district_code": "058"},
    {"declared_at": "2020-04-07 09:00", "person_key": "b", "province_code": "06", "district_code": "060"},
    {"declared_at": "2020-04-08 08:00", "person_key": "c", "province_code": "06", "district_code": "058"},
    {"declared_at": "2020-04-08 09:00", "person_key": "d", "province_code": "06", "district_code": "058"},
    {"declared_at": "2020-04-08 10:00", "person_key": "a", "province_code": "06", "district_code": "061"},
]  # fmt: skip
BAC_KAN = 313_905
CITY = 45_036  # Thành phố Bắc Kạn (058), census 2019


def report(export: Path, out: Path, as_of: str) -> int:
    args = ["report", str(export), "--out", str(out), "--as-of", as_of, "--cutoff-time", "17:00"]
    return run([*args, "--target", "0.005", "--deadline", "2020-04-17", "-q"])


def persons_by(export: Path, cutoff: str) -> int:
    query = (
        f"select count(distinct person_key) from read_csv('{export}', all_varchar=true) "
        f"where cast(declared_at as timestamp) <= timestamp '{cutoff}'"
    )
    ((count,),) = duckdb.execute(query).fetchall()
    return int(count)


def test_summary_compares_with_the_previous_bundle(tmp_path: Path, export) -> None:
    path = export(ROWS)
    out = tmp_path / "reports"
    assert report(path, out, "2020-04-07") == 0
    first = (out / "2020-04-07_1700" / "summary.md").read_text()
    assert "Since the last bundle" not in first  # nothing to compare with yet
    assert report(path, out, "2020-04-08") == 0
    summary = (out / "2020-04-08_1700" / "summary.md").read_text()
    before, now = persons_by(path, "2020-04-07 17:00"), persons_by(path, "2020-04-08 17:00")
    assert (before, now) == (2, 4)
    assert "## Since the last bundle (2020-04-07 17:00)" in summary
    # 4/313,905 = 0.00127% -> 0.00%; 2/313,905 -> 0.00%: +0.00 pp at this scale
    assert "- Persons counted 4 (+2); coverage 0.00% (+0.00 pp)." in summary
    # 058: 1 then 3 of 45,036: 0.0022% -> 0.0067%, across the 0.005% target
    assert "- Reached the target since then: Thành phố Bắc Kạn (0.01%)." in summary
    assert "| Thành phố Bắc Kạn | 3 | +2 | 0.01% | +0.00 |" in summary
    assert "| Huyện Pác Nặm | 1 | +0 | 0.00% | +0.00 |" in summary  # 060: b, unchanged
    assert "- The figures by 2020-04-07 17:00 are as published: no revision." in summary


def test_a_reissued_export_shows_its_revisions(tmp_path: Path, export) -> None:
    """The next day's export carries a row of the day before that the published one lacked."""
    out = tmp_path / "reports"
    assert report(export(ROWS, name="day1.csv"), out, "2020-04-07") == 0
    late = {"declared_at": "2020-04-07 10:00", "person_key": "e", "province_code": "06"}
    reissued = export([*ROWS, {**late, "district_code": "060"}], name="day2.csv")
    assert report(reissued, out, "2020-04-08") == 0
    summary = (out / "2020-04-08_1700" / "summary.md").read_text()
    assert persons_by(reissued, "2020-04-07 17:00") == 3  # 2 were published for that time
    assert (
        "- Revised since published (the export was re-issued): persons counted by "
        "2020-04-07 17:00: Huyện Pác Nặm 1 → 2." in summary
    )


def test_a_bundle_after_the_next_one_is_not_the_previous(tmp_path: Path, export) -> None:
    """Bundles compare with the latest earlier cut-off, not with a later one."""
    path = export(ROWS)
    out = tmp_path / "reports"
    assert report(path, out, "2020-04-08") == 0
    assert report(path, out, "2020-04-07") == 0
    summary = (out / "2020-04-07_1700" / "summary.md").read_text()
    assert "Since the last bundle" not in summary


def test_coverage_change_of_bac_kan_equals_duckdb(tmp_path: Path) -> None:
    from decimal import ROUND_HALF_UP, Decimal

    sample = Path(__file__).resolve().parents[2] / "data" / "samples" / "bac_kan.parquet"
    out = tmp_path / "reports"
    assert report(sample, out, "2020-04-07") == 0
    assert report(sample, out, "2020-04-08") == 0
    counts = []
    for cutoff in ("2020-04-07 17:00:00", "2020-04-08 17:00:00"):
        query = f"select count(distinct person_key) from '{sample}' "
        query += f"where declared_at <= timestamp '{cutoff}'"
        ((count,),) = duckdb.execute(query).fetchall()
        counts.append(int(count))
    change = (Decimal(counts[1] - counts[0]) * 100 / BAC_KAN).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    coverage = (Decimal(counts[1]) * 100 / BAC_KAN).quantize(Decimal("0.01"), ROUND_HALF_UP)
    summary = (out / "2020-04-08_1700" / "summary.md").read_text()
    added = counts[1] - counts[0]
    assert (
        f"- Persons counted {counts[1]:,} (+{added:,}); coverage {coverage}% (+{change} pp)."
        in summary
    )
    assert change == Decimal("6.77")  # the rank's 24-hour change_pp of Bắc Kạn
