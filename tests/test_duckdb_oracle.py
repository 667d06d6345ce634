"""Province and district counts against an independent DuckDB computation (SPEC §3.3).

The export has exact ties, people who declared from two districts and two provinces, rows
without a ward or district, household rows, and UTC-zoned Parquet timestamps.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from ncovi_stats.analysis import coverage_report
from ncovi_stats.io import reference
from tests.support import request

CUTOFF = datetime(2020, 4, 8, 17, 0)
# Districts of three provinces: Hậu Giang (93), Bắc Kạn (06), Cần Thơ (92).
DISTRICTS = {
    "93": ["930", "931", "932", "936", "937"],
    "06": ["058", "060", "061", "062"],
    "92": ["916", "917", "918"],
}

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


@pytest.fixture(scope="module")
def tricky_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(2020)
    n = 60_000
    provinces = rng.choice(list(DISTRICTS), n)
    districts = np.array([rng.choice(DISTRICTS[p]) for p in provinces], dtype=object)
    districts[rng.random(n) < 0.03] = None  # some rows know only the province
    # Real wards of each district (a few each), so that every ward resolves.
    ward_list = reference.wards().group_by("district_code").agg(pl.col("ward_code").sort().head(3))
    wards_of = dict(ward_list.iter_rows())
    wards = np.array(
        [rng.choice(wards_of[d]) if d in wards_of else None for d in districts], dtype=object
    )
    wards[rng.random(n) < 0.2] = None
    # Few distinct minutes and persons: many exact ties in time between a person's rows.
    minutes = rng.integers(0, 60 * 24 * 10, n)
    local = np.datetime64("2020-03-30T00:00") + minutes.astype("timedelta64[m]")
    ids = np.array([f"d{i:06d}" for i in rng.permutation(n)], dtype=object)
    ids[rng.random(n) < 0.1] = None
    frame = pl.DataFrame(
        {
            "declared_at": local.astype("datetime64[us]"),
            "person_key": np.array([f"k{k:05d}" for k in rng.integers(0, 25_000, n)]),
            "province_code": provinces,
            "district_code": districts,
            "ward_code": wards,
            "declared_by": rng.choice(["self", "household"], n),
            "channel": rng.choice(["app", "web", "facility", "collaborator", "other"], n),
            "declaration_id": ids,
        },
        schema_overrides={
            "district_code": pl.String,
            "ward_code": pl.String,
            "declaration_id": pl.String,
        },
    ).with_columns(
        # stored as UTC instants, as a Parquet export with a time zone would be
        pl.col("declared_at").dt.replace_time_zone("Asia/Ho_Chi_Minh").dt.convert_time_zone("UTC")
    )
    path = tmp_path_factory.mktemp("oracle") / "tricky_utc.parquet"
    frame.write_parquet(path)
    return path


def oracle(path: Path, key: str) -> dict[str, int]:
    rows = duckdb.execute(ORACLE.format(key=key), {"path": str(path), "cutoff": CUTOFF}).fetchall()
    return dict(rows)


@pytest.mark.parametrize(
    ("level", "key"), [("province", "province_code"), ("district", "district_code")]
)
def test_counts_equal_duckdb(tricky_export: Path, level: str, key: str) -> None:
    result = coverage_report(request(tricky_export, as_of=CUTOFF), level=level)
    ours = {
        row[key]: row["persons_counted"]
        for row in result.records.iter_rows(named=True)
        if row["persons_counted"]
    }
    expected = oracle(tricky_export, key)
    assert ours == expected
    assert sum(expected.values()) > 10_000
    assert result.meta["rows"]["unresolved_wards"] == 0


def test_people_in_two_units_are_counted_once(tricky_export: Path) -> None:
    result = coverage_report(request(tricky_export, as_of=CUTOFF), level="province")
    distinct = duckdb.execute(
        "SELECT count(DISTINCT person_key) FROM read_parquet($p) "
        "WHERE (declared_at AT TIME ZONE 'Asia/Ho_Chi_Minh') <= $c",
        {"p": str(tricky_export), "c": CUTOFF},
    ).fetchone()
    assert distinct is not None
    assert result.records["persons_counted"].sum() == distinct[0]
