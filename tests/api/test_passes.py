"""Counting in several passes over parts of the persons (`core.passes`, issue 11) gives the
figures of one pass: parts split persons, each query's parts combine exactly, and a read
forced into several passes equals one pass and an independent DuckDB computation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats import stages
from ncovi_stats.api.coverage import coverage_report, coverage_view
from ncovi_stats.api.followup import followup_report
from ncovi_stats.api.progress import progress_report
from ncovi_stats.api.rank import rank_report
from ncovi_stats.api.request import Result
from ncovi_stats.cli.app import run
from ncovi_stats.core import coverage, pace, passes, quality, ranking, unresolved
from ncovi_stats.core.persons import accepted_rows, first_places
from ncovi_stats.errors import REJECT_REASONS, ExitCode, UsageError
from ncovi_stats.io.read import size
from ncovi_stats.io.read.scan import open_exports
from ncovi_stats.io.read.size import estimated_rows
from tests.cli.test_unresolved_units import rows_of_export
from tests.exports import CUTOFF
from tests.oracles.test_duckdb_oracle import oracle
from tests.oracles.test_progress_oracle import DAILY
from tests.support import NOW, request, write_csv

T = datetime(2020, 4, 8, 9, 0)


def _row(key: str, minute: int, district: str = "930", ward: str | None = None) -> dict:
    return {
        "person_key": key,
        "declared_at": datetime(2020, 4, 8, 9, minute),
        "province_code": "93",
        "district_code": district,
        "ward_code": ward,
        "reject_reason": None,
    }


def _rows() -> pl.LazyFrame:
    """Persons of every key kind (16 hex, 30 hex, free text), some with two rows."""
    keys = (
        [f"{n:016x}" for n in range(0, 400, 7)]
        + [f"{n:030x}" for n in range(3, 900, 11)]
        + [f"person {n}" for n in range(60)]
    )
    rows = [_row(key, n % 50, "930" if n % 3 else "931") for n, key in enumerate(keys)]
    rows += [_row(key, 55, "932") for key in keys[::4]]  # later rows: not their first
    rows += [_row(key, 0, "933") for key in keys[1::5]]  # earlier rows: their first
    return pl.DataFrame(rows, schema_overrides={"ward_code": pl.String}).lazy()


@pytest.mark.parametrize("count", [2, 3, 7])
def test_parts_hold_each_person_once(count: int) -> None:
    rows = accepted_rows(_rows())
    whole = first_places(rows).collect().sort("person_key")
    parts = [first_places(rows, passes.Part(i, count)).collect() for i in range(count)]
    assert all(part.height for part in parts)  # the keys spread over every part
    assert sum(part.height for part in parts) == whole.height == 58 + 82 + 60
    assert_frame_equal(pl.concat(parts).sort("person_key"), whole)


def test_part_of_a_hex_key_is_its_value_modulo_the_count() -> None:
    """The part is a function of the person id, not of a hash: a 16-hex key is its value."""
    rows = accepted_rows(pl.DataFrame([_row("000000000000000b", 1)]).lazy())
    assert [first_places(rows, passes.Part(i, 4)).collect().height for i in range(4)] == [
        0,
        0,
        0,
        1,
    ]  # 11 % 4 == 3


def test_part_index_within_count() -> None:
    with pytest.raises(ValueError, match="part 3 of 3"):
        passes.Part(3, 3)


def _in_parts(query: passes.PersonQuery, rows: pl.LazyFrame, count: int) -> pl.DataFrame:
    frames = []
    for index in range(count):
        first = first_places(rows, passes.Part(index, count))
        frames.append(query(_Frames(first, CUTOFF)).collect())
    return query.combine(frames)


class _Frames:
    def __init__(self, first: pl.LazyFrame, cutoff: datetime | None) -> None:
        self.first, self.cutoff = first, cutoff


QUERIES = {
    "persons by unit": coverage.PERSONS_BY_UNIT,
    "with the day before": ranking.COUNTS_WITH_DAY_BEFORE,
    "progress counts": pace.progress_queries(CUTOFF)[0],
    "daily new persons": pace.progress_queries(CUTOFF)[1],
}


@pytest.mark.parametrize("name", QUERIES)
@pytest.mark.parametrize("count", [2, 5])
def test_parts_combine_to_one_pass(name: str, count: int) -> None:
    query = QUERIES[name]
    rows = accepted_rows(_rows())
    one = query(_Frames(first_places(rows), CUTOFF)).collect()
    keys = [c for c in one.columns if one.schema[c] != pl.Int64]
    combined = _in_parts(query, rows, count)
    assert_frame_equal(combined.sort(keys), one.sort(keys))
    assert one.height >= 3  # 930, 931, 933 (932 only ever a later row)


def test_progress_counts_at_earliest_only_from_the_part_that_holds_it() -> None:
    """Each part counts persons at its own earliest instant; only the overall one counts."""
    rows = pl.DataFrame(
        [
            _row("0000000000000000", 1),  # part 0 of 2: the earliest instant of all
            _row("0000000000000002", 1, "931"),  # part 0, same instant
            _row("0000000000000001", 2),  # part 1: its own earliest, later
            _row("0000000000000003", 2, "931"),
            _row("0000000000000005", 9),
        ],
        schema_overrides={"ward_code": pl.String},
    ).lazy()
    query = pace.progress_queries(CUTOFF)[0]
    combined = _in_parts(query, accepted_rows(rows), 2).sort("district_code")
    one = query(_Frames(first_places(accepted_rows(rows)), CUTOFF)).collect()
    assert_frame_equal(combined, one.sort("district_code"))
    assert combined.select("district_code", "persons_counted", "counted_at_earliest").rows() == [
        ("930", 3, 1),
        ("931", 2, 1),
    ]
    assert combined["earliest"].to_list() == [datetime(2020, 4, 8, 9, 1)] * 2


def test_rows_per_pass_from_the_environment() -> None:
    assert passes.rows_per_pass({}) == passes.ROWS_PER_PASS == 25_000_000
    assert passes.rows_per_pass({passes.ROWS_PER_PASS_ENV: " 1000 "}) == 1000
    for bad in ("0", "-5", "1e6", "many"):
        with pytest.raises(UsageError, match="NCOVI_STATS_ROWS_PER_PASS must be a positive"):
            passes.rows_per_pass({passes.ROWS_PER_PASS_ENV: bad})


def test_pass_count() -> None:
    assert [passes.pass_count(rows, 10) for rows in (0, 1, 10, 11, 30, 31)] == [1, 1, 1, 2, 3, 4]


def test_estimated_rows(
    tricky_export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = write_csv(tmp_path / "a.csv", [{"person_key": "x" * 99}] * 30)  # a header, 30 rows
    assert csv.stat().st_size == 11 + 30 * 100
    assert estimated_rows([str(tricky_export)]) == 60_000  # Parquet: its metadata
    assert estimated_rows([str(csv)]) == 31  # a text file read whole: its lines
    monkeypatch.setattr(size, "SAMPLE_BYTES", 250)  # 3 line breaks in the first 250 bytes
    assert estimated_rows([str(csv)]) == 3 * 3_011 // 250 == 36
    assert estimated_rows([str(tricky_export), str(csv)]) == 60_036
    assert estimated_rows([str(tmp_path / "missing.csv")]) == 0  # the read reports it
    (tmp_path / "empty.csv").write_bytes(b"")
    assert estimated_rows([str(tmp_path / "empty.csv")]) == 0


def _set_rows_per_pass(monkeypatch: pytest.MonkeyPatch, rows_per_pass: int | None) -> None:
    if rows_per_pass is None:
        monkeypatch.delenv(passes.ROWS_PER_PASS_ENV, raising=False)
    else:
        monkeypatch.setenv(passes.ROWS_PER_PASS_ENV, str(rows_per_pass))


def _counting(seen: list[str]) -> stages.Listener:
    """A listener that notes each pass (each collection reports the stage `counting`)."""
    return lambda stage: seen.append(stage.name) if stage.name == "counting" else None


def _coverage(
    monkeypatch: pytest.MonkeyPatch, path: Path, rows_per_pass: int | None
) -> tuple[Result, int]:
    _set_rows_per_pass(monkeypatch, rows_per_pass)
    seen: list[str] = []
    with stages.listening(_counting(seen)):
        result = coverage_report(request(path, as_of=CUTOFF), level="district")
    return result, len(seen)


def test_coverage_in_passes_equals_one_pass_and_duckdb(
    either_tricky_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tricky_export = either_tricky_export  # persons grouped by wide ids, then by narrow ids
    one, one_passes = _coverage(monkeypatch, tricky_export, None)
    four, four_passes = _coverage(monkeypatch, tricky_export, 15_000)  # 60,000 rows
    assert (one_passes, four_passes) == (1, 4)  # no unit text to list: no pass for them
    assert_frame_equal(four.records, one.records)
    assert four.meta == one.meta
    ours = {
        row["district_code"]: row["persons_counted"]
        for row in four.records.iter_rows(named=True)
        if row["persons_counted"]
    }
    assert ours == oracle(tricky_export, "district_code")
    assert sum(ours.values()) > 10_000


def test_progress_and_rank_in_passes_equal_one_pass_and_duckdb(
    either_tricky_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tricky_export = either_tricky_export

    def both(rows_per_pass: int | None) -> tuple[Sequence[pl.DataFrame], int]:
        _set_rows_per_pass(monkeypatch, rows_per_pass)
        seen: list[str] = []
        with stages.listening(_counting(seen)):
            done = progress_report(
                request(tricky_export, as_of=CUTOFF),
                level="district",
                target=Decimal(90),
                deadline=date(2020, 4, 17),
            )
            ranked = rank_report(request(tricky_export, as_of=CUTOFF), level="district")
        return [done.report.records, done.series.records, ranked.records], len(seen)

    one, one_passes = both(None)
    three, three_passes = both(20_000)
    assert (one_passes, three_passes) == (2, 6)  # each: 3 parts, the row counts with the first
    for ours, expected in zip(three, one, strict=True):
        assert_frame_equal(ours, expected)
    params = {"path": str(tricky_export), "cutoff": CUTOFF}
    daily = {(d, day): n for d, day, n in duckdb.execute(DAILY, params).fetchall()}
    series = three[1].select("district_code", "day", "new_persons").rows()
    assert {(d, day): n for d, day, n in series if n} == daily
    assert sum(daily.values()) > 10_000


@pytest.mark.parametrize(
    ("level", "split_by"), [("ward", None), ("district", "channel"), ("province", "declared_by")]
)
def test_ward_level_and_splits_in_passes_equal_one_pass(
    tricky_export: Path, monkeypatch: pytest.MonkeyPatch, level: str, split_by: str | None
) -> None:
    """Persons, their rows and their first row's declared_by or channel per unit, and the rows
    whose ward did not resolve: sums over persons, counted in parts above the pass size."""

    def view(rows_per_pass: int | None) -> tuple[Result, int]:
        _set_rows_per_pass(monkeypatch, rows_per_pass)
        seen: list[str] = []
        with stages.listening(_counting(seen)):
            done = coverage_view(
                request(tricky_export, as_of=CUTOFF), level=level, split_by=split_by
            )
        return done, len(seen)

    one, one_passes = view(None)
    three, three_passes = view(20_000)  # 60,000 rows
    assert one_passes == 1 and three_passes >= 3
    assert_frame_equal(three.records, one.records)
    assert three.meta == one.meta
    assert one.records["persons_counted"].sum() > 10_000


def test_rank_at_ward_level_in_passes_equals_one_pass(
    tricky_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rank --level ward also counts the rows whose ward did not resolve: each row is in the
    part of its person, so these counts are sums over the parts too."""

    def ranked(rows_per_pass: int | None) -> tuple[Result, int]:
        _set_rows_per_pass(monkeypatch, rows_per_pass)
        seen: list[str] = []
        with stages.listening(_counting(seen)):
            done = rank_report(request(tricky_export, as_of=CUTOFF), level="ward")
        return done, len(seen)

    (one, one_passes), (three, three_passes) = ranked(None), ranked(20_000)
    assert one_passes == 1 and three_passes >= 3
    assert_frame_equal(three.records, one.records)
    assert three.meta == one.meta


def test_commands_with_row_queries_stay_on_one_pass(
    tricky_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """followup reads each flagged person's rows (no `PersonQuery`): one pass, however large."""
    _set_rows_per_pass(monkeypatch, 1)
    seen: list[str] = []
    with stages.listening(_counting(seen)):
        followup_report(request(tricky_export, as_of=CUTOFF), level="district")
    assert seen == ["counting"]


@pytest.mark.parametrize("with_rejects", [True, False])
def test_cli_in_passes_writes_what_one_pass_writes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    with_rejects: bool,
) -> None:
    """Rejected rows, unit texts that did not resolve and the warning come from the pass of the
    row counts: the same JSON, stderr and rejects file in one pass and in several."""
    export = write_csv(tmp_path / "hai_duong.csv", rows_of_export())
    assert passes.pass_count(estimated_rows([str(export)]), 10) >= 5
    rejects = tmp_path / "rejects.csv"  # the same name each time: the warning names it

    def coverage_cli(rows_per_pass: int | None) -> tuple[str, str, bytes]:
        _set_rows_per_pass(monkeypatch, rows_per_pass)
        argv = ["coverage", str(export), "--format", "json", "--as-of", "2020-04-08 17:00"]
        assert run([*argv, *(["--rejects", str(rejects)] if with_rejects else [])]) == ExitCode.OK
        out, err = capsys.readouterr()
        return out, err, rejects.read_bytes() if with_rejects else b""

    one, several = coverage_cli(None), coverage_cli(10)
    assert several == one
    meta = json.loads(one[0])["meta"]
    assert meta["rows"]["read"] == 100 and meta["rows"]["rejected"] == 27
    assert meta["persons_counted_in_scope"] == 73
    assert '"Tnh Hải Dương" (province, unknown-unit, 20 rows)' in one[1]
    assert one[2].count(b"\n") == (28 if with_rejects else 0)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, False),
        ({"unknown-unit": 1}, True),
        ({"ambiguous-unit": 2}, True),
        ({"unresolved_wards": 1}, True),
        ({"future-time": 5, "no-identity": 1}, False),  # rejected, but not for their unit
    ],
)
def test_unresolved_texts_are_looked_for_only_where_counted(counts: dict, expected: bool) -> None:
    row = {reason: 0 for reason in REJECT_REASONS} | {"read": 9, "unresolved_wards": 0} | counts
    assert unresolved.finds_rows(pl.DataFrame([row])) is expected


def test_rows_of_persons_split_every_row_once(tmp_path: Path) -> None:
    """Each part normalises the rows of its persons (rows without a key in part 0); together
    they are the normalised rows, and their row counts sum to those of all rows."""
    rows = [
        {"declared_at": "2020-04-08 09:00:00", "person_key": key, "province_code": code}
        for key, code in [
            ("000000000000000a", "93"),
            (" 000000000000000a ", "93"),  # the same person once stripped
            ("000000000000000b", "99"),  # unknown unit: rejected, still in its person's part
            ("person 7", "93"),
            ("", "93"),  # no identity: rejected, part 0
            ("0000000000000003", "93"),
        ]
    ] + [{"declared_at": "yesterday", "person_key": "0000000000000004", "province_code": "93"}]
    export = write_csv(tmp_path / "mixed.csv", rows)
    order = ["_source_file", "_line"]
    with open_exports([str(export)], now=NOW) as scan:
        whole = scan.frame.collect().sort(order)
        parts = [scan.rows_of_persons(passes.Part(i, 3).holds).collect() for i in range(3)]
        counts = [
            quality.row_count_query(scan.rows_of_persons(passes.Part(i, 3).holds), CUTOFF)
            for i in range(3)
        ]
        combined = quality.combine_row_counts(pl.collect_all(counts))
        expected = quality.row_count_query(scan.frame, CUTOFF).collect()
    # last hex digit mod 3: "" and 3 in part 0; a (10), a, "person 7" and 4 in 1; b (11) in 2
    assert [part.height for part in parts] == [2, 4, 1]
    assert_frame_equal(pl.concat(parts).sort(order), whole)
    assert_frame_equal(combined, expected, check_dtypes=False)
    assert combined.row(0, named=True)["read"] == 7
