"""Province and district counts against an independent DuckDB computation (SPEC §3.3).

The export has exact ties, people who declared from two districts and two provinces, rows
without a ward or district, household rows, and UTC-zoned Parquet timestamps.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ncovi_stats.api.coverage import coverage_report
from tests.exports import CUTOFF
from tests.support import request

# §3.3 order written independently, in SQL: time, ward, district, province (empty last),
# self before household, channel order, declaration id (empty last).
ORACLE = """
WITH rows AS (
    SELECT * FROM read_parquet($path)
    WHERE (declared_at AT TIME ZONE 'Asia/Ho_Chi_Minh') <= $cutoff
),
ranked AS (
    SELECT *, row_number() OVER (
        PARTITION BY person_key
        ORDER BY declared_at,
                 ward_code NULLS LAST, district_code NULLS LAST, province_code NULLS LAST,
                 CASE declared_by WHEN 'self' THEN 0 WHEN 'household' THEN 1 END NULLS LAST,
                 CASE channel WHEN 'app' THEN 0 WHEN 'web' THEN 1 WHEN 'facility' THEN 2
                              WHEN 'collaborator' THEN 3 WHEN 'other' THEN 4 END NULLS LAST,
                 declaration_id NULLS LAST
    ) AS n
    FROM rows
)
SELECT {key} AS code, count(*) AS persons FROM ranked
WHERE n = 1 AND {key} IS NOT NULL GROUP BY 1 ORDER BY 1
"""


def oracle(path: Path, key: str) -> dict[str, int]:
    rows = duckdb.execute(ORACLE.format(key=key), {"path": str(path), "cutoff": CUTOFF}).fetchall()
    return dict(rows)


@pytest.mark.parametrize(
    ("level", "key"), [("province", "province_code"), ("district", "district_code")]
)
def test_counts_equal_duckdb(either_tricky_export: Path, level: str, key: str) -> None:
    export = either_tricky_export
    result = coverage_report(request(export, as_of=CUTOFF), level=level)
    ours = {
        row[key]: row["persons_counted"]
        for row in result.records.iter_rows(named=True)
        if row["persons_counted"]
    }
    expected = oracle(export, key)
    assert ours == expected
    assert sum(expected.values()) > 10_000
    assert result.meta["rows"]["unresolved_wards"] == 0


def distinct_persons(path: Path) -> int:
    """Distinct person keys of the rows up to the cut-off, by DuckDB."""
    distinct = duckdb.execute(
        "SELECT count(DISTINCT person_key) FROM read_parquet($p) "
        "WHERE (declared_at AT TIME ZONE 'Asia/Ho_Chi_Minh') <= $c",
        {"p": str(path), "c": CUTOFF},
    ).fetchone()
    assert distinct is not None
    return int(distinct[0])


def test_people_in_two_units_are_counted_once(tricky_export: Path) -> None:
    result = coverage_report(request(tricky_export, as_of=CUTOFF), level="province")
    assert result.records["persons_counted"].sum() == distinct_persons(tricky_export)
