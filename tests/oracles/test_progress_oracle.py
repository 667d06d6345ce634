"""Progress figures against SPEC §1/§3.6 and an independent DuckDB computation.

Hậu Giang as of 2020-04-08 17:00, target 90% by 17 April: 659,716 persons are 90% of 733,017,
516,394 had declared, so 143,322 are still needed in 9 days: 15,925 a day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from ncovi_stats.api.progress import progress_report
from tests.exports import DECLARED, Export
from tests.oracles.test_duckdb_oracle import ORACLE
from tests.support import request

CUTOFF = datetime(2020, 4, 8, 17, 0)

# The ranked first rows of test_duckdb_oracle, then per district and local day.
FIRST_ROWS = ORACLE.split("SELECT {key}")[0]
DAILY = (
    FIRST_ROWS
    + """
SELECT district_code, CAST(declared_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS DATE) AS day,
       count(*) AS new_persons
FROM ranked WHERE n = 1 AND district_code IS NOT NULL GROUP BY 1, 2
"""
)
AT = (
    FIRST_ROWS
    + """
SELECT district_code, count(*) FROM ranked
WHERE n = 1 AND district_code IS NOT NULL AND (declared_at AT TIME ZONE 'Asia/Ho_Chi_Minh') <= $at
GROUP BY 1
"""
)


def test_hau_giang_published_target(hau_giang: Export) -> None:
    done = progress_report(
        request(hau_giang.path, as_of=CUTOFF),
        level="province",
        target=Decimal(90),
        deadline=date(2020, 4, 17),
    )
    row = done.report.records.row(0, named=True)
    assert (row["persons_counted"], row["population"]) == (DECLARED, 733_017)
    assert (row["persons_needed"], row["days_left"], row["required_pace"]) == (143_322, 9, 15_925)
    assert row["deadline_passed"] is False
    # pace against DuckDB: persons whose first row is after 1 April 17:00, over 7 days
    before = duckdb.execute(
        "SELECT count(*) FROM (SELECT person_key, min(declared_at) AS t "
        "FROM read_parquet($p) GROUP BY 1) WHERE t <= $s",
        {"p": str(hau_giang.path), "s": CUTOFF - timedelta(days=7)},
    ).fetchone()
    assert before is not None
    assert row["pace_7d"] == (DECLARED - before[0]) / 7
    needed_days = 143_322 / row["pace_7d"]
    expected = (CUTOFF + timedelta(days=needed_days)).date()
    assert row["projected_date"] == expected
    assert row["status"] == ("on-track" if expected <= date(2020, 4, 17) else "behind")


def test_series_and_pace_equal_duckdb(tricky_export: Path) -> None:
    done = progress_report(
        request(tricky_export, as_of=CUTOFF),
        level="district",
        target=Decimal(90),
        deadline=date(2020, 4, 17),
    )
    series = done.series.records
    params = {"path": str(tricky_export), "cutoff": CUTOFF}
    expected = {(d, day): n for d, day, n in duckdb.execute(DAILY, params).fetchall()}
    ours = {
        (d, day): n
        for d, day, n in series.select("district_code", "day", "new_persons").rows()
        if n
    }
    assert ours == expected and sum(expected.values()) > 10_000
    # every day from the earliest declaration's day to the cut-off's day, for every unit
    first_day = min(day for _, day in expected)
    days = (CUTOFF.date() - first_day).days + 1
    assert series.height == days * done.report.records.height
    assert series.group_by("district_code").agg(pl.len())["len"].unique().to_list() == [days]
    # the cumulative count on the cut-off's day is the persons counted
    last = series.filter(pl.col("day") == CUTOFF.date()).select("district_code", "persons_counted")
    counted = done.report.records.select("district_code", "persons_counted")
    assert last.sort("district_code").equals(counted.sort("district_code"))
    # pace: persons counted at the cut-off minus those at cut-off − 7 days, per 7 days
    week_ago = dict(duckdb.execute(AT, {**params, "at": CUTOFF - timedelta(days=7)}).fetchall())
    for row in done.report.records.iter_rows(named=True):
        gained = row["persons_counted"] - week_ago.get(row["district_code"], 0)
        assert row["pace_7d"] == gained / 7
