"""Ranking, change over 24 hours, follow-up and 2025 provinces against DuckDB (SPEC §3.8–§3.10).

The export covers all 63 provinces (synthetic, seeded), with extra rows that carry a verified_at
before the first flag (ignored), after the cut-off (not yet), or on a row that is not flagged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib.resources import files
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ncovi_stats.api.coverage import coverage_view
from ncovi_stats.api.followup import followup_report
from ncovi_stats.api.rank import rank_report
from ncovi_stats.api.sample import generate_declarations
from tests.support import request

CUTOFF = datetime(2020, 4, 7, 12, 0)
DATA = files("ncovi_stats.reference.data")


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = generate_declarations(None, persons=20_000, seed=7)
    flagged = rows.filter(pl.col("risk_flag")).head(60)
    # verified_at on a later, unflagged row of the person: earlier than the first flag (ignored),
    # after the cut-off (not yet), or a valid one on a row that is not flagged.
    shifts = [timedelta(hours=-5), timedelta(days=30), timedelta(hours=3)]
    extra = flagged.with_columns(
        (pl.col("declaration_id") + "x").alias("declaration_id"),
        (pl.col("declared_at") + timedelta(minutes=1)).alias("declared_at"),
        pl.lit(False).alias("risk_flag"),
        pl.Series(
            "verified_at",
            [row + shifts[i % 3] for i, row in enumerate(flagged["declared_at"].to_list())],
        ),
    )
    path = tmp_path_factory.mktemp("national") / "national.parquet"
    pl.concat([rows, extra]).write_parquet(path)
    return path


FIRST = """
CREATE TEMP TABLE rows AS
    SELECT * FROM read_parquet($path) WHERE declared_at <= $cutoff;
CREATE TEMP TABLE first AS
SELECT * FROM (
    SELECT *, row_number() OVER (
        PARTITION BY person_key
        ORDER BY declared_at,
                 ward_code NULLS LAST, district_code NULLS LAST, province_code NULLS LAST,
                 CASE declared_by WHEN 'self' THEN 0 WHEN 'household' THEN 1 END NULLS LAST,
                 CASE channel WHEN 'app' THEN 0 WHEN 'web' THEN 1 WHEN 'facility' THEN 2
                              WHEN 'collaborator' THEN 3 WHEN 'other' THEN 4 END NULLS LAST,
                 declaration_id NULLS LAST) AS n
    FROM rows) WHERE n = 1;
CREATE TEMP TABLE population AS
    SELECT province_code, population::BIGINT AS population
    FROM read_csv($population, all_varchar = true);
"""

RANKING = """
WITH counts AS (
    SELECT p.province_code, p.population,
           count(f.person_key) AS now,
           count(f.person_key) FILTER (WHERE f.declared_at <= $cutoff - INTERVAL 24 HOUR) AS before
    FROM population p LEFT JOIN first f USING (province_code)
    GROUP BY ALL
)
SELECT province_code, now, before,
       100.0 * (now - before) / population AS change_pp,
       row_number() OVER (ORDER BY now::DOUBLE / population DESC, province_code) AS rank,
       row_number() OVER (ORDER BY before::DOUBLE / population DESC, province_code) AS previous
FROM counts ORDER BY rank
"""

FOLLOWUP = """
WITH flags AS (
    SELECT person_key, min(declared_at) AS first_flag FROM rows WHERE risk_flag GROUP BY 1
),
checks AS (
    SELECT fl.person_key, fl.first_flag,
           min(r.verified_at) FILTER (
               WHERE r.verified_at >= fl.first_flag AND r.verified_at <= $cutoff) AS verification
    FROM flags fl JOIN rows r USING (person_key) GROUP BY ALL
)
SELECT f.province_code,
       count(*) AS flagged,
       count(verification) AS verified,
       count(*) FILTER (WHERE verification - first_flag <= INTERVAL 48 HOUR) AS within,
       count(*) FILTER (WHERE verification IS NULL AND $cutoff - first_flag > INTERVAL 48 HOUR)
           AS overdue,
       count(*) FILTER (WHERE verification IS NULL AND $cutoff - first_flag <= INTERVAL 48 HOUR)
           AS pending
FROM checks JOIN first f USING (person_key) GROUP BY 1 ORDER BY 1
"""

MERGED = """
WITH counts AS (
    SELECT province_code, count(*) AS persons FROM first GROUP BY 1
)
SELECT m.new_province_code AS code, sum(coalesce(c.persons, 0)) AS persons,
       sum(p.population) AS population
FROM read_csv($merger, all_varchar = true) m
JOIN population p ON p.province_code = m.old_province_code
LEFT JOIN counts c ON c.province_code = m.old_province_code
GROUP BY 1 ORDER BY 1
"""


@pytest.fixture(scope="module")
def db(national: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    rows, first, population = (part for part in FIRST.split(";") if part.strip())
    connection.execute(rows, {"path": str(national), "cutoff": CUTOFF})
    connection.execute(first)
    population_csv = str(DATA.joinpath("population_2019_province.csv"))
    connection.execute(population, {"population": population_csv})
    return connection


def frame(db: duckdb.DuckDBPyConnection, sql: str, **params: object) -> pl.DataFrame:
    cursor = db.execute(sql, params)
    names = [column[0] for column in cursor.description or []]
    return pl.DataFrame(cursor.fetchall(), schema=names, orient="row")


def test_ranking_and_change_equal_duckdb(national: Path, db: duckdb.DuckDBPyConnection) -> None:
    expected = frame(db, RANKING, cutoff=CUTOFF)
    result = rank_report(request(national, as_of=CUTOFF))
    ours = result.records
    assert ours["province_code"].to_list() == expected["province_code"].to_list()
    assert ours["rank"].to_list() == list(range(1, 64))
    assert ours["persons_counted"].to_list() == expected["now"].to_list()
    assert ours["persons_counted_day_before"].to_list() == expected["before"].to_list()
    assert ours["change_pp"].to_list() == pytest.approx(expected["change_pp"].to_list(), abs=1e-12)
    rank_change = [
        None if before == 0 else previous - rank
        for before, previous, rank in expected.select("before", "previous", "rank").iter_rows()
    ]
    assert ours["rank_change"].to_list() == rank_change
    assert any(change not in (None, 0) for change in rank_change)  # the day moved ranks
    assert result.meta["compared_with"] == "2020-04-06T12:00:00+07:00"


def test_ranking_by_persons(national: Path, db: duckdb.DuckDBPyConnection) -> None:
    expected = db.execute(
        "SELECT province_code FROM first GROUP BY 1 ORDER BY count(*) DESC, province_code"
    ).fetchall()
    ours = rank_report(request(national, as_of=CUTOFF), order_by="persons").records
    assert ours["province_code"].to_list() == [code for (code,) in expected]


def test_followup_counts_equal_duckdb(national: Path, db: duckdb.DuckDBPyConnection) -> None:
    expected = frame(db, FOLLOWUP, cutoff=CUTOFF)
    report = followup_report(request(national, as_of=CUTOFF))
    ours = (
        report.result.records.filter(pl.col("flagged_persons") > 0)
        .sort("province_code")
        .select(
            "province_code",
            pl.col("flagged_persons").alias("flagged"),
            "verified",
            pl.col("verified_within_sla").alias("within"),
            "overdue",
            "pending",
        )
    )
    assert ours.to_dicts() == expected.to_dicts()
    assert expected["flagged"].sum() > 100
    assert expected["overdue"].sum() > 0 and expected["pending"].sum() > 0
    assert report.overdue.height == expected["overdue"].sum()
    assert report.result.meta["warnings"]["verified_at_before_first_flag"] > 0


def test_2025_provinces_equal_duckdb(national: Path, db: duckdb.DuckDBPyConnection) -> None:
    expected = db.execute(
        MERGED, {"merger": str(DATA.joinpath("provinces_2025_merger.csv"))}
    ).fetchall()
    result = coverage_view(request(national, as_of=CUTOFF), level="province", units=2025)
    ours = result.records.sort("province_code")
    assert ours.height == 34
    assert list(ours.select("province_code", "persons_counted", "population").iter_rows()) == [
        (code, persons, population) for code, persons, population in expected
    ]
    assert ours["coverage_pct"].to_list() == [100 * p / pop for _, p, pop in expected]
    assert set(ours["units_vintage"]) == {2025}
    can_tho = ours.filter(pl.col("province_code") == "92").row(0, named=True)
    assert can_tho["province_name"] == "Thành phố Cần Thơ (gồm Cần Thơ, Hậu Giang, Sóc Trăng cũ)"
    assert can_tho["merged_province_codes"] == "92,93,94"
    ranked = rank_report(request(national, as_of=CUTOFF), units=2025).records
    assert ranked.height == 34
    assert ranked["rank"].to_list() == list(range(1, 35))
