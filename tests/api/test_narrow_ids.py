"""Narrow person ids (`persons.with_narrow_ids`, issue 11): a read whose first keys are 16 hex
digits groups persons by a UInt64, checks every accepted key, and reads again with full ids
when one is not 16 lower-case hex digits. The figures are those of full ids either way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats import stages
from ncovi_stats.api.coverage import coverage_view
from ncovi_stats.api.read import _frames
from ncovi_stats.core import coverage, crosswalk, passes, persons
from ncovi_stats.io.read.scan import open_exports
from tests.api.test_passes import _counting, _coverage
from tests.core.test_person_id import KEYS
from tests.exports import CUTOFF
from tests.oracles.test_duckdb_oracle import distinct_persons, oracle
from tests.support import NOW, request


def _keys(keys: Sequence[str | None], rejected: Sequence[bool] | None = None) -> pl.LazyFrame:
    reasons = ["unknown-unit" if r else None for r in rejected or [False] * len(keys)]
    return pl.LazyFrame(
        {"person_key": keys, "reject_reason": reasons},
        schema={"person_key": pl.String, "reject_reason": pl.String},
    )


def _narrow(keys: Sequence[str | None]) -> list[int | None]:
    frame = persons.with_narrow_ids(_keys(keys)).collect()
    return frame.get_column(persons._PERSON).to_list()


def test_narrow_id_of_a_hex_key_is_its_value_as_the_full_id() -> None:
    keys = ["0000000000000000", "00000000000000ab", "ffffffffffffffff", "9e3779b97f4a7c15"]
    full = _keys(keys).select(persons.person_id(pl.col("person_key"))).collect().to_series()
    assert _narrow(keys) == [int(key, 16) for key in keys] == full.to_list()
    assert persons.with_narrow_ids(_keys(keys)).collect_schema()[persons._PERSON] == pl.UInt64


def test_wide_keys_counts_accepted_keys_the_narrow_id_does_not_hold() -> None:
    """Of `KEYS`, only the first is 16 lower-case hex; the same digits in upper case spell its
    value, a sign some other value, other lengths none. Rejected rows are not counted."""
    assert _narrow(KEYS[:2]) == [0xAB, 0xAB]  # two keys, one value
    assert _narrow(KEYS[3:]) == [None] * 5  # not 16 bytes
    counted = _keys([*KEYS, "00000000000000AB"], [False] * len(KEYS) + [True])
    assert persons.with_key_check(counted).select(persons.wide_keys()).collect().item() == 7


def test_keys_look_narrow_from_the_first_rows() -> None:
    hex_keys = [f"{n:016x}" for n in range(persons.PROBED_ROWS)]
    assert persons.keys_look_narrow(_keys(hex_keys))
    # a guess: a wide key after the probed rows is found by `wide_keys`, not here
    assert persons.keys_look_narrow(_keys([*hex_keys, "k1"]))
    assert not persons.keys_look_narrow(_keys(["k1", *hex_keys]))
    assert not persons.keys_look_narrow(_keys([f"{1:030x}"]))  # a keyed digest
    assert persons.keys_look_narrow(_keys([None, hex_keys[0]]))  # a row without a key
    assert not persons.keys_look_narrow(_keys([None, None]))  # no key to guess from


def test_rows_per_pass_with_narrow_ids() -> None:
    assert passes.rows_per_pass({}, narrow=True) == passes.ROWS_PER_PASS_NARROW == 50_000_000
    assert passes.rows_per_pass({passes.ROWS_PER_PASS_ENV: "1000"}, narrow=True) == 1000


def test_one_part_holds_every_row() -> None:
    rows = _keys(["a", "b", None])
    assert rows.filter(passes.Part(0, 1).holds(pl.col("person_key"))).collect().height == 3


@pytest.fixture(scope="module")
def trapped_export(tricky_hex_export: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`tricky_hex_export` and, after its first rows, four new persons whose keys the narrow
    id does not hold: a key in upper case, whose value is that of a person already there, a
    key with a sign, and two keyed digests (no narrow id: one null id for both)."""
    rows = pl.read_parquet(tricky_hex_export)
    first = rows.sort("declared_at").unique("person_key", keep="first", maintain_order=True)
    lower = first.filter(pl.col("person_key").str.contains("[a-f]")).row(0, named=True)
    zero = first.filter(pl.col("person_key").str.starts_with("0")).row(0, named=True)
    traps = [
        {**lower, "person_key": lower["person_key"].upper()},
        {**zero, "person_key": "+" + zero["person_key"][1:]},
        {**lower, "person_key": f"{7:030x}"},
        {**zero, "person_key": f"{8:030x}"},
    ]
    earlier = pl.DataFrame(traps, schema=rows.schema).with_columns(
        pl.col("declared_at") - timedelta(minutes=1),
        pl.lit(None, pl.String).alias("declaration_id"),
    )
    path = tmp_path_factory.mktemp("trapped") / "trapped.parquet"
    pl.concat([rows, earlier]).write_parquet(path)
    return path


def _counted(path: Path, monkeypatch: pytest.MonkeyPatch, rows_per_pass: int | None = None):
    """`test_passes._coverage` (the district coverage and its passes), with persons per district."""
    result, passes_made = _coverage(monkeypatch, path, rows_per_pass)
    counted = {
        row["district_code"]: row["persons_counted"]
        for row in result.records.iter_rows(named=True)
        if row["persons_counted"]
    }
    return result, counted, passes_made


def _narrow_only_persons(path: Path) -> int:
    """Persons counted with narrow ids and no check: what the read would give without it."""
    with open_exports([str(path)], now=NOW) as scan:
        assert persons.keys_look_narrow(scan.frame)  # the guess the read makes
        frames = _frames(scan.frame, crosswalk.in_force(CUTOFF), CUTOFF, NOW, narrow=True)
        counts = coverage.PERSONS_BY_UNIT(frames).collect()
    return int(counts.select(pl.exclude("^.*_code$")).to_series().sum())


def test_a_read_with_hex_keys_takes_one_pass_with_narrow_ids(
    tricky_hex_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, counted, passes_made = _counted(tricky_hex_export, monkeypatch)
    assert passes_made == 1  # no key to read again for
    assert counted == oracle(tricky_hex_export, "district_code")
    assert _narrow_only_persons(tricky_hex_export) == distinct_persons(tricky_hex_export)
    assert "wide_keys" not in result.meta["rows"]


@pytest.mark.parametrize(("rows_per_pass", "first_read"), [(None, 1), (30_000, 3)])
def test_keys_the_narrow_id_does_not_hold_are_read_again_with_full_ids(
    trapped_export: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows_per_pass: int | None,
    first_read: int,
) -> None:
    result, counted, passes_made = _counted(trapped_export, monkeypatch, rows_per_pass)
    expected = oracle(trapped_export, "district_code")
    assert counted == expected
    assert passes_made == 2 * first_read  # the narrow read, then the full one
    # without the check, the upper-case key would join another person and the two digests
    # would be one (no narrow id): two persons fewer
    assert _narrow_only_persons(trapped_export) == distinct_persons(trapped_export) - 2
    assert (
        result.meta["rows"]["accepted"]
        == pl.scan_parquet(trapped_export).select(pl.len()).collect().item()
    )


def test_a_large_read_with_narrow_ids_in_one_pass(
    tricky_hex_export: Path, tricky_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above `ROWS_PER_PASS` rows and within `ROWS_PER_PASS_NARROW`, narrow ids count in one
    pass (as a part: the row counts beside it, the unit texts apart); full ids count in passes."""
    monkeypatch.setattr(passes, "ROWS_PER_PASS", 25_000)  # 60,000 rows: three passes
    monkeypatch.setattr(passes, "ROWS_PER_PASS_NARROW", 100_000)
    small, small_counted, small_passes = _counted(tricky_hex_export, monkeypatch)
    assert small_passes == 1
    assert small_counted == oracle(tricky_hex_export, "district_code")
    _, wide_counted, wide_passes = _counted(tricky_export, monkeypatch)
    assert wide_passes == 3
    assert wide_counted == oracle(tricky_export, "district_code")
    seen: list[str] = []
    with stages.listening(_counting(seen)):
        ward = coverage_view(request(tricky_hex_export, as_of=CUTOFF), level="ward")
    assert len(seen) == 3  # persons' rows read: passes of ROWS_PER_PASS rows
    ward_persons = ward.records.filter(pl.col("ward_code").is_not_null())["persons_counted"].sum()
    assert ward_persons == sum(oracle(tricky_hex_export, "ward_code").values())
    monkeypatch.setattr(passes, "ROWS_PER_PASS", 1_000_000)  # one pass with everything beside
    one, one_counted, one_passes = _counted(tricky_hex_export, monkeypatch)
    assert one_passes == 1 and one_counted == small_counted
    assert_frame_equal(small.records, one.records)
    assert small.meta == one.meta
