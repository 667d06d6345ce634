"""Coverage arithmetic and listing (SPEC §3.4–§3.6), on tiny frames."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from ncovi_stats.core.coverage import coverage_records, half_up_hundredths, persons_needed


def test_target_55_of_100_needs_55_not_56() -> None:
    assert persons_needed(Decimal("55"), 100, 0) == 55


@pytest.mark.parametrize(
    ("target", "population", "persons", "needed"),
    [
        (Decimal("90"), 733_017, 516_394, 143_322),  # Hậu Giang, SPEC §1
        (Decimal("90"), 733_017, 700_000, 0),  # never below 0
        (Decimal("33.3"), 1000, 0, 333),
        (Decimal("33.31"), 1000, 0, 334),  # 333.1 rounds up
        (Decimal("0.1"), 3, 0, 1),
    ],
)
def test_persons_needed_exact(target: Decimal, population: int, persons: int, needed: int) -> None:
    assert persons_needed(target, population, persons) == needed


@pytest.mark.parametrize(
    ("persons", "population", "hundredths"),
    [
        (516_394, 733_017, 7045),
        (1, 8, 1250),  # 12.5 exactly
        (1, 80000, 0),  # 0.00125 -> 0.00
        (1, 40000, 0),  # 0.0025 -> 0.00
        (1, 20000, 1),  # 0.005 -> 0.01: half up
        (3, 2, 15000),  # above 100 is not capped
    ],
)
def test_half_up_hundredths(persons: int, population: int, hundredths: int) -> None:
    assert half_up_hundredths(persons, population) == hundredths


UNITS = pl.DataFrame(
    {
        "province_code": ["93", "93", "93"],
        "district_code": ["930", "931", "998"],
        "district_name": ["A", "B", "No figure"],
        "province_name": ["P", "P", "P"],
    }
).select("province_code", "province_name", "district_code", "district_name")
POPULATION = pl.DataFrame(
    {
        "level": ["district", "district", "province"],
        "code": ["930", "931", "93"],
        "population": [100, 50, 150],
        "population_source": ["census-2019"] * 3,
    }
)


def test_district_listing_zeros_no_population_and_over_100() -> None:
    counts = pl.DataFrame(
        {
            "province_code": ["93", "93", "93", "93"],
            "district_code": ["930", "998", None, "930"],
            "ward_code": [None, None, None, "31471"],
            "persons_counted": [40, 3, 7, 80],
        }
    )
    records = coverage_records(
        counts,
        level="district",
        units=UNITS,
        population=POPULATION,
        scope=["93"],
        target=Decimal("90"),
    )
    assert records["district_code"].to_list() == ["930", "931", "998"]
    assert records["persons_counted"].to_list() == [120, 0, 3]
    assert records["coverage_pct"].to_list() == [120.0, 0.0, None]
    assert records["over_100"].to_list() == [True, False, None]
    assert records["persons_needed"].to_list() == [0, 45, None]
