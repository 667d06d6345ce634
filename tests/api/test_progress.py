"""progress_report on tiny exports whose every figure is computed by hand (SPEC §3.6, §3.7).

`young_export`: the first declaration is 2020-04-06 05:00, 2.5 days before the cut-off, so the
pace window is 2.5 days. Denominators from a population file: 930 → 10, 931 → 100, 932 → 50.
- 930 Vị Thanh: 10 persons (one at the earliest instant, counted at the window start): met.
- 931 Ngã Bảy: 40 persons in the window: 16 a day, 50 still needed.
- 932 Châu Thành A: no persons.
- 475 Phú Xuân (Huế): 3 persons, no population figure.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from ncovi_stats.api.progress import progress_report
from tests.support import request

CUTOFF = datetime(2020, 4, 8, 17, 0)
TARGET = Decimal(90)


def rows_young() -> list[dict[str, str]]:
    rows = [{"declared_at": "2020-04-06 05:00", "person_key": "v0", "district_code": "930"}]
    rows += [
        {"declared_at": "2020-04-07 10:00", "person_key": f"v{i}", "district_code": "930"}
        for i in range(1, 10)
    ]
    rows += [
        {
            "declared_at": f"2020-04-0{7 + i % 2} 08:00",
            "person_key": f"n{i}",
            "district_code": "931",
        }
        for i in range(40)
    ]
    rows += [
        # a repeat from another district and a row after the cut-off change nothing
        {"declared_at": "2020-04-08 09:00", "person_key": "v0", "district_code": "931"},
        {"declared_at": "2020-04-09 09:00", "person_key": "late", "district_code": "931"},
    ]
    rows += [
        {"declared_at": "2020-04-08 10:00", "person_key": f"h{i}", "district_code": "475"}
        for i in range(3)
    ]
    province_of = {"930": "93", "931": "93", "475": "46"}
    return [{**row, "province_code": province_of[row["district_code"]]} for row in rows]


@pytest.fixture
def young_export(export, tmp_path: Path) -> tuple[Path, Path]:
    population = tmp_path / "population.csv"
    population.write_text("code,population,source\n930,10,test\n931,100,test\n932,50,test\n")
    return export(rows_young()), population


def records_by_code(path: Path, population: Path, deadline: date) -> dict[str, dict]:
    done = progress_report(
        request(path, as_of=CUTOFF, population_file=population),
        level="district",
        target=TARGET,
        deadline=deadline,
    )
    return {row["district_code"]: row for row in done.report.records.iter_rows(named=True)}


def test_before_the_deadline(young_export: tuple[Path, Path]) -> None:
    records = records_by_code(*young_export, date(2020, 4, 17))
    met, working, empty, unknown = (records[c] for c in ("930", "931", "932", "475"))
    assert met["persons_counted"] == 10
    assert (met["persons_needed"], met["required_pace"], met["status"]) == (0, 0, "met")
    assert met["pace_7d"] == 3.6  # (10 − 1 at the window start) / 2.5 days
    assert met["projected_date"] is None
    assert (working["persons_counted"], working["persons_needed"]) == (40, 50)
    assert (working["days_left"], working["pace_7d"], working["required_pace"]) == (9, 16.0, 6)
    # 17:00 + 50 / 16 days = 3 5/6 days after midnight of the 8th
    assert working["projected_date"] == date(2020, 4, 11)
    assert (working["status"], working["deadline_passed"]) == ("on-track", False)
    assert (empty["persons_counted"], empty["persons_needed"], empty["required_pace"]) == (0, 45, 5)
    assert (empty["pace_7d"], empty["projected_date"], empty["status"]) == (0.0, None, "behind")
    assert (unknown["population"], unknown["persons_needed"], unknown["required_pace"]) == (
        None,
        None,
        None,
    )
    assert (unknown["pace_7d"], unknown["status"]) == (1.2, "no-data")


def test_on_the_deadline_day(young_export: tuple[Path, Path]) -> None:
    records = records_by_code(*young_export, date(2020, 4, 8))
    working = records["931"]
    assert (working["days_left"], working["required_pace"], working["deadline_passed"]) == (
        0,
        50,
        False,
    )
    assert working["status"] == "behind"  # projected 11 April, after the deadline
    assert records["930"]["status"] == "met"


def test_after_the_deadline(young_export: tuple[Path, Path]) -> None:
    records = records_by_code(*young_export, date(2020, 4, 7))
    working, empty = records["931"], records["932"]
    assert (working["days_left"], working["deadline_passed"], working["required_pace"]) == (
        -1,
        True,
        None,
    )
    assert working["projected_date"] == date(2020, 4, 11)
    assert (working["status"], empty["status"], empty["required_pace"]) == (
        "behind",
        "behind",
        None,
    )
    assert (records["930"]["status"], records["930"]["required_pace"]) == ("met", 0)


def test_worklist_order_and_meta(young_export: tuple[Path, Path]) -> None:
    path, population = young_export
    done = progress_report(
        request(path, as_of=CUTOFF, population_file=population),
        level="district",
        target=TARGET,
        deadline=date(2020, 4, 17),
    )
    statuses = done.report.records["status"].to_list()
    # the worklist: who needs attention first; met last (one order for the command and the bundle)
    assert statuses == sorted(statuses, key=["behind", "on-track", "no-data", "met"].index)
    behind = done.report.records.filter(pl.col("status") == "behind")
    assert behind["coverage_pct"].to_list() == sorted(behind["coverage_pct"].to_list())
    meta = done.report.meta
    assert meta["window_start"] == "2020-04-06T05:00:00+07:00"
    assert meta["earliest_declaration"] == "2020-04-06T05:00:00+07:00"
    assert (meta["window_days"], meta["days_left"], meta["deadline"]) == (2.5, 9, "2020-04-17")
    assert meta["rows"]["after_cutoff"] == 1


def test_series_lists_every_day_with_zeros(young_export: tuple[Path, Path]) -> None:
    path, population = young_export
    done = progress_report(
        request(path, as_of=CUTOFF, population_file=population),
        level="district",
        target=TARGET,
        deadline=date(2020, 4, 17),
    )
    series = done.series.records
    days = [date(2020, 4, 6), date(2020, 4, 7), date(2020, 4, 8)]

    def unit(code: str) -> list[tuple]:
        rows = series.filter(pl.col("district_code") == code).sort("day")
        return rows.select("day", "new_persons", "persons_counted", "coverage_pct").rows()

    assert unit("930") == list(zip(days, [1, 9, 0], [1, 10, 10], [10.0, 100.0, 100.0], strict=True))
    assert unit("931") == list(zip(days, [0, 20, 20], [0, 20, 40], [0.0, 20.0, 40.0], strict=True))
    assert unit("932") == list(zip(days, [0, 0, 0], [0, 0, 0], [0.0, 0.0, 0.0], strict=True))
    assert unit("475") == list(zip(days, [0, 0, 3], [0, 0, 3], [None, None, None], strict=True))
    listed = set(done.report.records["district_code"])
    assert set(series["district_code"]) == listed
    assert series.height == 3 * len(listed)


def test_window_of_seven_days_counts_persons_at_its_start_instant(export) -> None:
    """Window start 2020-04-01 17:00: a first row exactly then is counted at the start."""
    times = [
        "2020-03-20 09:00",
        "2020-04-01 17:00:00",
        "2020-04-01 17:00:01",
        "2020-04-08 17:00:00",  # exactly the cut-off: counted
        "2020-04-08 17:00:01",  # after: not counted
    ]
    path = export(
        [
            {"declared_at": t, "person_key": f"p{i}", "province_code": "93"}
            for i, t in enumerate(times)
        ]
    )
    done = progress_report(
        request(path, as_of=CUTOFF), level="province", target=TARGET, deadline=date(2020, 4, 17)
    )
    row = done.report.records.row(0, named=True)
    assert row["persons_counted"] == 4
    assert row["pace_7d"] == 2 / 7
    assert done.report.meta["window_start"] == "2020-04-01T17:00:00+07:00"
    assert done.series.records.height == (date(2020, 4, 8) - date(2020, 3, 20)).days + 1
