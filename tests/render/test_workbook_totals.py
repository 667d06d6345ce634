"""The totals row of a `--format xlsx` sheet (render/workbook.py)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from ncovi_stats.render.workbook import localise_values, totals_of


def test_sums_units_with_a_population_figure() -> None:
    records = pl.DataFrame(
        {
            "population": [100, None, 300],
            "persons_counted": [10, 7, 30],
            "coverage_pct": [10.0, None, 10.0],
            "persons_needed": [80, None, 240],
        }
    )
    totals = totals_of(records, {})
    # the 7 persons of the unit without a figure are in no percentage (SPEC §3.4)
    assert totals == {
        "population": 400,
        "persons_counted": 40,
        "persons_needed": 320,
        "coverage_pct": pytest.approx(10.0),
    }


def test_province_figure_wins_and_its_needs_follow() -> None:
    records = pl.DataFrame(
        {"population": [100, 300], "persons_counted": [10, 30], "coverage_pct": [10.0, 10.0]}
    ).with_columns(persons_needed=pl.Series([80, 240]))
    meta = {
        "target_pct": 90.0,
        "totals": {"population": 1000, "persons_counted": 45, "population_from": "province"},
    }
    totals = totals_of(records, meta)
    assert totals is not None
    assert (totals["population"], totals["persons_counted"]) == (1000, 45)
    assert totals["persons_needed"] == 900 - 45  # ceil(90% × 1,000) − 45, not 80 + 240
    assert totals["coverage_pct"] == pytest.approx(4.5)


def test_no_totals_for_a_series_or_without_figures() -> None:
    series = pl.DataFrame({"day": [date(2020, 4, 8)], "persons_counted": [3], "population": [9]})
    assert totals_of(series, {}) is None  # cumulative persons are never summed over days
    wards = pl.DataFrame({"population": [None, None], "persons_counted": [1, 2]})
    assert totals_of(wards, {}) == {"persons_counted": 3}


def test_followup_totals_and_verified_share() -> None:
    records = pl.DataFrame(
        {"flagged_persons": [4, 6], "verified": [1, 2], "verified_pct": [25.0, 33.3]}
    )
    meta = {"totals": {"flagged_persons": 10, "verified": 3}}
    assert totals_of(records, meta) == {
        "flagged_persons": 10,
        "verified": 3,
        "verified_pct": pytest.approx(30.0),
    }


def test_values_in_vietnamese_and_canonical_in_english() -> None:
    records = pl.DataFrame(
        {"level": ["province", "district"], "status": ["behind", "on-track"], "n": [1, 2]}
    )
    vi = localise_values(records, "vi")
    assert vi["level"].to_list() == ["Tỉnh", "Huyện"]
    assert vi["status"].to_list() == ["Chậm", "Đúng tiến độ"]
    assert localise_values(records, "en").equals(records)
