"""Duplicates of SPEC §3.2: per person, counted by validate, the report bundle and ingest only.

A duplicate is an accepted row that repeats an earlier accepted row of the same person: the same
`declaration_id`, or the same canonical values where there is none. An id used by two or more
persons is no duplicate; it is counted apart (`declaration_ids_shared`). Exact counts are pinned
by hand and against DuckDB queries that read the export files themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from ncovi_stats.api.coverage import coverage_report
from ncovi_stats.api.validate import quality_report_of
from ncovi_stats.cli.app import run
from ncovi_stats.errors import ExitCode
from ncovi_stats.io.store.ingest import ingest_exports
from tests.support import NOW, request, write_csv

T1, T2 = "2020-04-01 08:00:00", "2020-04-02 09:30:00"


def row(person: str, at: str = T1, id_: str | None = None, **values: str) -> dict[str, str]:
    cells = {"declared_at": at, "person_key": person, "province_code": "93"}
    cells |= {"district_code": "930", "declared_by": "self", "channel": "app"}
    if id_ is not None:
        cells["declaration_id"] = id_
    return cells | values


HAND_ROWS = [
    row("p1", T1, "A"),
    row("p1", T2, "A"),  # duplicate: same id, same person (other values differ)
    row("p2", T1, "A"),  # not a duplicate: same id, another person -> A is shared
    row("p3"),
    row("p3"),  # duplicate: no id, same canonical values, same person
    row("p4"),
    row("p5"),  # not a duplicate: p4's values but another person
    row("p6", T1, "B"),
    row("p6"),  # not a duplicate: no id, while the earlier row had one
    row("p7", T1, "C"),
    row("p8", T1, "C"),
    row("p9", T1, "C"),  # C: one shared id, whatever the number of persons
    row("p3", province_code="99"),  # rejected (unknown unit): never a duplicate
    row("p10", T1, "D", channel="web"),
    row("p10", T1, "D", channel="web"),  # duplicate
    row("p10", T1, "D", channel="web"),  # duplicate: three rows, two repeats
    row("p11", T1, risk_flag="true"),
    row("p11", T1, risk_flag="false"),  # not a duplicate: a canonical value differs
]
HAND_DUPLICATES = 4  # p1 once, p3 once, p10 twice, and nothing else
HAND_SHARED = 2  # A (p1, p2) and C (p7, p8, p9)


def test_hand_counted_duplicates_in_validate(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hand.csv", HAND_ROWS)
    report = quality_report_of(request(path))
    assert report.rows.read == 18 and report.rows.accepted == 17
    assert report.rows.duplicates == HAND_DUPLICATES
    assert report.rows.declaration_ids_shared == HAND_SHARED
    summary = dict(report.summary().iter_rows())
    assert summary["rows_duplicate"] == HAND_DUPLICATES
    assert summary["declaration_ids_shared"] == HAND_SHARED
    (by_file,) = report.by_source_file.to_dicts()
    assert by_file["duplicates"] == HAND_DUPLICATES


def test_coverage_and_progress_do_not_count_duplicates(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "hand.csv", HAND_ROWS)
    rows = coverage_report(request(path), level="province").meta["rows"]
    assert "duplicates" not in rows and "declaration_ids_shared" not in rows
    assert (rows["read"], rows["accepted"], rows["rejected"]) == (18, 17, 1)
    commands = (
        ["coverage", "--level", "district"],
        ["progress", "--target", "90", "--deadline", "2020-04-30", "--series"],
        ["rank"],
        ["followup"],
    )
    for command in commands:
        code = run([command[0], str(path), *command[1:], "-f", "json"])
        assert code == ExitCode.OK, command
        meta_rows = json.loads(capsys.readouterr().out)["meta"]["rows"]
        assert "duplicates" not in meta_rows, command
        assert meta_rows["read"] == 18, command


def test_validate_json_shows_both_counts(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "hand.csv", HAND_ROWS)
    assert run(["validate", str(path), "-f", "json"]) == ExitCode.OK
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert (rows["duplicates"], rows["declaration_ids_shared"]) == (HAND_DUPLICATES, HAND_SHARED)


def test_ingest_keeps_a_shared_id_once_per_person(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hand.csv", HAND_ROWS)
    report = ingest_exports(tmp_path / "store", [path], now=NOW)
    (source,) = report.sources
    assert (source.read, source.accepted) == (18, 17)
    assert source.accepted - source.added == HAND_DUPLICATES  # not stored
    stored = pl.read_parquet(tmp_path / "store" / "declarations" / "**" / "*.parquet")
    shared = stored.filter(pl.col("declaration_id") == "A")["person_key"].sort().to_list()
    assert shared == ["p1", "p2"]  # the same id stays for each person who used it
    repeat = write_csv(tmp_path / "again.csv", [HAND_ROWS[0], HAND_ROWS[2], row("p12", T1, "A")])
    again = ingest_exports(tmp_path / "store", [repeat], now=NOW)
    assert again.rows_added == 1  # p1's and p2's (person, id) are stored already; p12's is new


# --- against DuckDB, reading the export itself ---------------------------------------------------

ORACLE = """
WITH rows AS (SELECT * FROM read_csv($path, all_varchar = true)),
with_id AS (SELECT * FROM rows WHERE declaration_id IS NOT NULL),
without_id AS (SELECT * FROM rows WHERE declaration_id IS NULL)
SELECT
    (SELECT count(*) FROM with_id)
  - (SELECT count(*) FROM (SELECT DISTINCT person_key, declaration_id FROM with_id))
  + (SELECT count(*) FROM without_id)
  - (SELECT count(*) FROM (SELECT DISTINCT declared_at, person_key, province_code, district_code,
        ward_code, declared_by, channel, risk_flag, verified_at FROM without_id)) AS duplicates,
    (SELECT count(*) FROM (SELECT declaration_id FROM with_id GROUP BY 1
        HAVING count(DISTINCT person_key) >= 2)) AS shared
"""


def random_export(path: Path, seed: int, *, ids: float) -> Path:
    """Canonical rows (so raw = canonical): few persons, times, units and ids, many repeats;
    a share `ids` of the rows carries a declaration id drawn from a small pool."""
    rng = np.random.default_rng(seed)
    n = 4000
    persons = rng.integers(0, 300, n)
    minutes = rng.integers(0, 6, n)
    districts = rng.choice(["930", "931"], n)
    with_ward = (districts == "930") & (rng.random(n) < 0.5)  # 31318 is a ward of 930
    frame = pl.DataFrame(
        {
            "declared_at": [f"2020-04-0{1 + m // 3} 0{m % 3}:00:00" for m in minutes],
            "person_key": [f"k{p:04d}" for p in persons],
            "province_code": "93",
            "district_code": districts,
            "ward_code": np.where(with_ward, "31318", ""),
            "declared_by": rng.choice(["self", "household"], n),
            "channel": rng.choice(["app", "web"], n, p=[0.9, 0.1]),
            "risk_flag": rng.choice(["true", "false"], n, p=[0.05, 0.95]),
            "verified_at": rng.choice(["", "2020-04-03 10:00:00"], n, p=[0.9, 0.1]),
            "declaration_id": [
                # each person draws from 4 ids, the last of which the next person also uses
                f"id{i:03d}" if keep else ""
                for i, keep in zip(
                    persons * 3 + rng.integers(0, 4, n), rng.random(n) < ids, strict=True
                )
            ],
        }
    )
    frame.write_csv(path)
    return path


def oracle(path: Path) -> tuple[int, int]:
    found = duckdb.execute(ORACLE, {"path": str(path)}).fetchone()
    assert found is not None
    return int(found[0]), int(found[1])


@pytest.mark.parametrize(("seed", "ids"), [(1, 0.0), (2, 1.0), (3, 0.5)])
def test_duplicates_equal_duckdb(tmp_path: Path, seed: int, ids: float) -> None:
    path = random_export(tmp_path / "random.csv", seed, ids=ids)
    duplicates, shared = oracle(path)
    report = quality_report_of(request(path))
    assert report.rows.read == report.rows.accepted == 4000
    assert (report.rows.duplicates, report.rows.declaration_ids_shared) == (duplicates, shared)
    assert duplicates > 100  # the export does repeat rows
    assert (shared > 100) == (ids > 0)


def test_by_file_counts_repeats_within_each_file(tmp_path: Path) -> None:
    """A row repeated in a second file is a duplicate in all, not within either file (the
    by-file table counts within the file, docs/reading.md); by district, within the district."""
    first = write_csv(tmp_path / "a.csv", [row("p1", T1, "A"), row("p2"), row("p2")])
    second = write_csv(tmp_path / "b.csv", [row("p1", T2, "A", district_code="931")])
    report = quality_report_of(request(first, second))
    assert report.rows.duplicates == 2  # p2's repeat, and p1's id again in b.csv
    files = {Path(r["source_file"]).name: r["duplicates"] for r in report.by_source_file.to_dicts()}
    assert files == {"a.csv": 1, "b.csv": 0}
    districts = dict(report.by_district.select("district_code", "duplicates").iter_rows())
    assert districts == {"930": 1, "931": 0}
