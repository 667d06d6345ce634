"""`over_100` (SPEC §3.5: "above 100%") at exactly 100%, one person under and one over, in each of
the three places that compute it: coverage records, re-tabulated records, the quality report."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_series_equal

from ncovi_stats.core.coverage import coverage_records
from ncovi_stats.core.quality_report import ROW_COUNT_COLUMNS, district_table, units_over_100
from ncovi_stats.core.tabulate import with_coverage

# Hậu Giang's districts with their 2019 census figures; the national total for a large figure.
POPULATIONS = {"930": 73_322, "931": 64_730, "932": 77_983}
NATIONAL = 96_208_984
# district -> persons: exactly the population, one under, one over.
PERSONS = {"930": 73_322, "931": 64_729, "932": 77_984}
OVER = pl.Series("over_100", [False, False, True])


def _population() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "level": ["district"] * 3,
            "code": list(POPULATIONS),
            "population": list(POPULATIONS.values()),
            "population_source": ["census-2019"] * 3,
        }
    )


def _coverage() -> pl.DataFrame:
    counts = pl.DataFrame(
        {
            "province_code": ["93"] * 3,
            "district_code": list(PERSONS),
            "ward_code": [None, None, None],
            "persons_counted": list(PERSONS.values()),
        },
        schema_overrides={"ward_code": pl.String},
    )
    units = pl.DataFrame(
        {
            "province_code": ["93"] * 3,
            "province_name": ["Tỉnh Hậu Giang"] * 3,
            "district_code": list(POPULATIONS),
            "district_name": ["Thành phố Vị Thanh", "Thành phố Ngã Bảy", "Huyện Châu Thành A"],
        }
    )
    return coverage_records(
        counts, level="district", units=units, population=_population(), scope=["93"]
    ).sort("district_code")


def test_coverage_records_flag_only_above_100() -> None:
    records = _coverage()
    assert records["coverage_pct"][0] == 100.0
    assert 99.99 < records["coverage_pct"][1] < 100 < records["coverage_pct"][2] < 100.01
    assert_series_equal(records["over_100"], OVER)


def test_units_over_100_lists_only_the_unit_above() -> None:
    listed = units_over_100({"district": _coverage()})
    assert listed.select("level", "code", "persons_counted", "population").rows() == [
        ("district", "932", 77_984, 77_983)
    ]


def test_retabulated_records_flag_only_above_100() -> None:
    records = pl.DataFrame(
        {
            "persons_counted": [NATIONAL, NATIONAL - 1, NATIONAL + 1, 0],
            "population": [NATIONAL, NATIONAL, NATIONAL, NATIONAL],
        }
    )
    got = with_coverage(records)
    assert_series_equal(got["over_100"], pl.Series("over_100", [False, False, True, False]))
    assert got["coverage_pct"][0] == 100.0


def test_quality_report_district_table_flags_only_above_100() -> None:
    rows = pl.DataFrame(
        {
            "province_code": ["93"] * 3,
            "district_code": list(PERSONS),
            **{name: [0, 0, 0] for name in ROW_COUNT_COLUMNS},
        }
    )
    persons = pl.DataFrame(
        {
            "province_code": ["93"] * 3,
            "district_code": list(PERSONS),
            "persons_counted": list(PERSONS.values()),
            "persons_in_several_districts": [0, 0, 0],
        }
    )
    names = pl.DataFrame(
        {
            "province_code": ["93"] * 3,
            "province_name": ["Tỉnh Hậu Giang"] * 3,
            "district_code": list(PERSONS),
            "district_name": ["a", "b", "c"],
        }
    )
    table = district_table(rows, persons, names=names, population=_population())
    assert table["district_code"].to_list() == ["930", "931", "932"]
    assert_series_equal(table["over_100"], OVER)
