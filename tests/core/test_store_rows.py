"""`core.store_rows` on tiny frames: what a store adds, and how first rows and first flags merge
(SPEC §3.2 duplicates are not stored twice; §3.3 first rows only move earlier)."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats.core.normalise import NORMALISED_SCHEMA
from ncovi_stats.core.store_rows import (
    DECLARATION_SCHEMA,
    FLAG_SCHEMA,
    PERSON_SCHEMA,
    current_flags,
    current_persons,
    merge_flags,
    merge_persons,
    not_stored,
    rows_to_store,
    unique_rows,
)

T1, T2, T3 = datetime(2020, 4, 1, 8), datetime(2020, 4, 2, 8), datetime(2020, 4, 3, 8)


def declarations(rows: list[dict[str, object]]) -> pl.DataFrame:
    base = {"declared_at": T1, "person_key": "p1", "district_code": "930", "channel": "app"}
    schema = {"province_code": pl.String(), **DECLARATION_SCHEMA}
    return pl.DataFrame(
        [{name: {**base, **row}.get(name) for name in schema} for row in rows],
        schema=schema,
        orient="row",
    )


def persons(rows: list[dict[str, object]]) -> pl.DataFrame:
    base = {"province_code": "93", "district_code": "930", "declared_by": "self"}
    return pl.DataFrame(
        [{name: {**base, **row}.get(name) for name in PERSON_SCHEMA} for row in rows],
        schema=PERSON_SCHEMA,
        orient="row",
    )


def test_rows_to_store_keeps_accepted_rows_with_partition_values() -> None:
    normalised = pl.DataFrame(
        [
            {"_line": 2, "declared_at": datetime(2020, 4, 1, 23, 59), "province_code": "93"},
            {"_line": 3, "declared_at": T2, "reject_reason": "no-identity"},
        ],
        schema=NORMALISED_SCHEMA,
    ).with_columns(pl.lit("k").alias("person_key"))
    got = rows_to_store(normalised.lazy(), source_file="a.csv").collect()
    assert got.select("province_code", "declared_date", "source_file", "_line").rows() == [
        ("93", "2020-04-01", "a.csv", 2)
    ]
    assert got.columns == [
        "province_code",
        "declared_date",
        *(name for name in DECLARATION_SCHEMA if name != "source_file"),
        "source_file",
        "_line",
    ]


def test_unique_rows_keeps_the_first_of_each_id_and_of_each_values_without_id() -> None:
    rows = declarations(
        [
            {"declaration_id": "d1", "source_file": "a"},
            {"declaration_id": "d1", "source_file": "b", "channel": "web"},  # same id
            {"source_file": "a"},
            {"source_file": "b"},  # same values, no id (the source file is not a value)
            {"source_file": "c", "channel": "web"},
        ]
    )
    got = unique_rows(rows)
    assert got.select("declaration_id", "channel", "source_file").rows() == [
        ("d1", "app", "a"),
        (None, "app", "a"),
        (None, "web", "c"),
    ]


def test_not_stored_matches_ids_and_values_null_safely() -> None:
    stored = declarations([{"declaration_id": "d1"}, {"ward_code": None, "channel": None}])
    rows = declarations(
        [
            {"declaration_id": "d1", "channel": "web"},  # stored by its id
            {"declaration_id": "d2"},
            {"ward_code": None, "channel": None},  # stored: nulls equal
            {"channel": "web"},
        ]
    )
    got = not_stored(rows, stored)
    assert got.select("declaration_id", "channel").rows() == [("d2", "app"), (None, "web")]


def test_merge_persons_keeps_new_persons_and_earlier_first_rows_only() -> None:
    stored = persons(
        [
            {"person_key": "a", "declared_at": T2},
            {"person_key": "b", "declared_at": T1},
            {"person_key": "c", "declared_at": T1, "channel": "web"},
            {"person_key": "z", "declared_at": T1},  # not in the new rows
        ]
    )
    new = persons(
        [
            {"person_key": "a", "declared_at": T1},  # earlier: supersedes
            {"person_key": "b", "declared_at": T2},  # later: stored row stays
            {"person_key": "c", "declared_at": T1, "channel": "web"},  # exact tie: stored stays
            {"person_key": "n", "declared_at": T3},  # new person
        ]
    )
    got = merge_persons(stored.lazy(), new.lazy()).collect().sort("person_key")
    expected = persons(
        [{"person_key": "a", "declared_at": T1}, {"person_key": "n", "declared_at": T3}]
    ).with_columns(pl.Series("superseding", [True, False]))
    assert_frame_equal(got, expected)


def test_merge_persons_on_a_tie_in_time_follows_the_tie_break() -> None:
    stored = persons([{"person_key": "a", "declared_at": T1, "district_code": "931"}])
    new = persons([{"person_key": "a", "declared_at": T1, "district_code": "930"}])
    got = merge_persons(stored.lazy(), new.lazy()).collect()
    assert got.select("district_code", "superseding").rows() == [("930", True)]


@pytest.mark.parametrize(
    ("stored_id", "new_id", "changed"),
    [("d2", "d1", True), ("d1", "d2", False), (None, "d9", True), ("d9", None, False)],
)
def test_merge_persons_on_a_tie_but_the_id_the_lower_id_wins_empty_last(
    stored_id: str | None, new_id: str | None, changed: bool
) -> None:
    stored = persons([{"person_key": "a", "declared_at": T1, "declaration_id": stored_id}])
    new = persons([{"person_key": "a", "declared_at": T1, "declaration_id": new_id}])
    got = merge_persons(stored.lazy(), new.lazy()).collect()
    expected = [(new_id, True)] if changed else []
    assert got.select("declaration_id", "superseding").rows() == expected


def test_merge_flags_only_new_or_earlier_flags() -> None:
    stored = pl.DataFrame(
        {"person_key": ["a", "a", "b"], "first_flag_at": [T3, T2, T1]}, schema=FLAG_SCHEMA
    )
    new = pl.DataFrame(
        {"person_key": ["a", "b", "c"], "first_flag_at": [T1, T1, T3]}, schema=FLAG_SCHEMA
    )
    got = merge_flags(stored.lazy(), new.lazy()).collect().sort("person_key")
    assert got.rows() == [("a", T1), ("c", T3)]  # b's flag is not earlier than stored


def test_current_persons_takes_the_latest_state_of_each_person() -> None:
    states = persons(
        [
            {"person_key": "a", "declared_at": T2},
            {"person_key": "b", "declared_at": T2},
            {"person_key": "a", "declared_at": T1},  # a later commit: earlier first row
        ]
    )
    got = current_persons(states.lazy(), superseded=True).collect().sort("person_key")
    assert got.select("person_key", "declared_at").rows() == [("a", T1), ("b", T2)]
    unchanged = current_persons(states.lazy(), superseded=False).collect()
    assert_frame_equal(unchanged, states)


def test_current_flags_is_the_earliest_per_person() -> None:
    flags = pl.DataFrame(
        {"person_key": ["a", "a", "b"], "first_flag_at": [T2, T1, T3]}, schema=FLAG_SCHEMA
    )
    got = current_flags(flags.lazy()).collect().sort("person_key")
    assert got.rows() == [("a", T1), ("b", T3)]
