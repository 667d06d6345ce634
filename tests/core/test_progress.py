"""SPEC §3.6 arithmetic on one unit, each figure computed by hand."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from ncovi_stats.core import pace

CUTOFF = datetime(2020, 4, 8, 17, 0)


def test_window_is_seven_days_when_data_are_older() -> None:
    start = pace.window_start(CUTOFF, datetime(2020, 3, 20, 9, 0))
    assert start == datetime(2020, 4, 1, 17, 0)
    assert pace.window_days(start, CUTOFF) == 7


def test_data_younger_than_seven_days_shorten_the_window_to_a_fraction_of_days() -> None:
    start = pace.window_start(CUTOFF, datetime(2020, 4, 6, 5, 0))
    assert start == datetime(2020, 4, 6, 5, 0)
    assert pace.window_days(start, CUTOFF) == Fraction(5, 2)  # 2 days 12 hours
    assert pace.pace_7d(31, 1, Fraction(5, 2)) == 12


def test_a_window_shorter_than_a_day_counts_as_one_day() -> None:
    start = pace.window_start(CUTOFF, datetime(2020, 4, 8, 11, 0))
    assert pace.window_days(start, CUTOFF) == 1
    assert pace.pace_7d(40, 4, pace.window_days(start, CUTOFF)) == 36


def test_no_data_at_all_keeps_the_seven_day_window() -> None:
    assert pace.window_start(CUTOFF, None) == datetime(2020, 4, 1, 17, 0)


@pytest.mark.parametrize(
    ("deadline", "days"),
    [(date(2020, 4, 17), 9), (date(2020, 4, 8), 0), (date(2020, 4, 7), -1)],
)
def test_days_left_counts_calendar_days_from_the_cutoffs_date(deadline: date, days: int) -> None:
    assert pace.days_left(deadline, CUTOFF) == days
    assert pace.days_left(deadline, datetime(2020, 4, 8, 0, 0)) == days


def test_required_pace() -> None:
    assert pace.required_pace(143_322, 9) == 15_925  # ceil(15,924.67)
    assert pace.required_pace(90, 9) == 10  # exact division is not rounded up
    assert pace.required_pace(143_322, 0) == 143_322  # the deadline day itself
    assert pace.required_pace(143_322, -1) is None  # the deadline has passed
    assert pace.required_pace(0, 9) == 0  # met
    assert pace.required_pace(0, -3) == 0  # met, also after the deadline
    assert pace.required_pace(None, 9) is None  # no population figure


def test_projected_date_adds_the_days_to_the_cutoff_instant() -> None:
    # 17:00 is 17/24 of a day; 100 persons at 12 a day take 8 1/3 days: 9 1/24 days -> the 17th
    assert pace.projected_date(CUTOFF, 100, Fraction(12)) == date(2020, 4, 17)
    # 12:00 + 12 persons at 24 a day = exactly midnight, which belongs to the next day
    assert pace.projected_date(datetime(2020, 4, 8, 12), 12, Fraction(24)) == date(2020, 4, 9)
    assert pace.projected_date(datetime(2020, 4, 8, 12), 11, Fraction(24)) == date(2020, 4, 8)


def test_no_projection_when_met_without_pace_or_population() -> None:
    assert pace.projected_date(CUTOFF, 0, Fraction(12)) is None
    assert pace.projected_date(CUTOFF, 100, Fraction(0)) is None
    assert pace.projected_date(CUTOFF, None, Fraction(12)) is None
    assert pace.projected_date(CUTOFF, 10**9, Fraction(1, 7)) is None  # past year 9999


def test_status() -> None:
    target, deadline = Decimal(90), date(2020, 4, 17)
    assert pace.status(10, 10, target, None, deadline) == "met"  # above target
    assert pace.status(9, 10, target, None, deadline) == "met"  # exactly 90%
    assert pace.status(659_715, 733_017, target, None, deadline) != "met"  # 89.99993%
    assert pace.status(5, 10, target, deadline, deadline) == "on-track"  # on the day
    assert pace.status(5, 10, target, date(2020, 4, 18), deadline) == "behind"
    assert pace.status(0, 10, target, None, deadline) == "behind"  # no persons
    assert pace.status(3, None, target, None, deadline) == "no-data"
    assert pace.status(0, 10, target, None, date(2020, 4, 1)) == "behind"  # passed


def test_met_is_decided_exactly_with_a_decimal_target() -> None:
    # 92.5% of 1,001 is 925.925: 926 persons meet it, 925 do not
    assert pace.is_met(926, 1001, Decimal("92.5"))
    assert not pace.is_met(925, 1001, Decimal("92.5"))


def test_counted_at_the_window_start_when_data_are_young() -> None:
    """Window start = the earliest instant of the inputs: a unit counts its persons at that very
    instant; a unit whose own earliest instant is later counts none, however many share it."""
    import polars as pl

    earliest, later = datetime(2020, 4, 6, 5, 0), datetime(2020, 4, 6, 9, 0)
    rows = [
        ("a", earliest, "930"), ("b", earliest, "930"), ("c", later, "930"),
        ("d", earliest, "931"),
        ("e", later, "932"), ("f", later, "932"), ("g", CUTOFF, "932"),
    ]  # fmt: skip
    first = pl.LazyFrame(
        {
            "person_key": [r[0] for r in rows],
            "declared_at": [r[1] for r in rows],
            "province_code": "93",
            "district_code": [r[2] for r in rows],
            "ward_code": pl.Series([None] * len(rows), dtype=pl.String),
        }
    )
    counts = pace.progress_counts(first, CUTOFF).collect()
    start = pace.window_start(CUTOFF, pace.earliest_declaration(counts))
    assert start == earliest
    at_start = pace.at_window_start(counts, start, CUTOFF).sort("district_code")
    assert at_start.select(
        "district_code", "persons_counted", "counted_at_window_start"
    ).rows() == [
        ("930", 3, 2),
        ("931", 1, 1),
        ("932", 3, 0),
    ]
