"""`core.quality` on a tiny normalised frame: rows read = accepted + rejected, per reason, after
the cut-off (strictly later), unresolved wards, the latest accepted time, and duplicates where the
id and no-id rules are plain (a repeated id of one person; repeated canonical values)."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from ncovi_stats.core.normalise import NORMALISED_SCHEMA
from ncovi_stats.core.quality import RowCounts, row_count_query, row_counts_from
from ncovi_stats.errors import REJECT_REASONS

CUTOFF = datetime(2020, 4, 8, 17, 0)


def normalised(rows: list[dict[str, object]]) -> pl.LazyFrame:
    base = {
        "_source_file": "a.csv",
        "declared_at": datetime(2020, 4, 1, 8, 0),
        "person_key": "p1",
        "province_code": "93",
        "district_code": "930",
        "ward_unresolved": False,
    }
    full = [
        {name: {**base, "_line": line, **row}.get(name) for name in NORMALISED_SCHEMA}
        for line, row in enumerate(rows, start=2)
    ]
    return pl.DataFrame(full, schema=NORMALISED_SCHEMA, orient="row").lazy()


ROWS = [
    {"declaration_id": "d1"},
    {"declaration_id": "d1"},  # the same id of the same person: a duplicate
    {"declaration_id": "d2", "declared_at": CUTOFF},  # at the cut-off: used
    {"declared_at": datetime(2020, 4, 8, 17, 0, 0, 1)},  # one microsecond after: not used
    {"ward_unresolved": True, "ward_code": None, "person_key": "p2"},
    {"ward_unresolved": True, "person_key": "p2"},  # same values, no id: a duplicate
    {"reject_reason": "missing-time", "declared_at": None},
    {"reject_reason": "unknown-unit", "declared_at": datetime(2020, 4, 9)},  # rejected: not after
    {"reject_reason": "unknown-unit", "declaration_id": "d1"},  # rejected: no duplicate
]


def test_row_counts_of_a_tiny_frame() -> None:
    counts = row_counts_from(row_count_query(normalised(ROWS), CUTOFF).collect())
    assert counts == RowCounts(
        read=9,
        accepted=6,
        rejected_by_reason={
            **{reason: 0 for reason in REJECT_REASONS},
            "missing-time": 1,
            "unknown-unit": 2,
        },
        after_cutoff=1,
        duplicates=2,
        unresolved_wards=2,
    )
    assert counts.read == counts.accepted + counts.rejected == 9
    assert list(counts.rejected_by_reason) == list(REJECT_REASONS)  # the documented order


def test_latest_accepted_ignores_rejected_rows() -> None:
    frame = row_count_query(normalised(ROWS), CUTOFF).collect()
    assert frame["latest_accepted"].item() == datetime(2020, 4, 8, 17, 0, 0, 1)


def test_without_cutoff_nothing_is_after_it() -> None:
    counts = row_counts_from(row_count_query(normalised(ROWS), None).collect())
    assert (counts.read, counts.accepted, counts.after_cutoff) == (9, 6, 0)


def test_rows_differing_in_one_value_are_not_duplicates() -> None:
    rows = [
        {"channel": "app"},
        {"channel": "web"},
        {"channel": "app", "declared_at": datetime(2020, 4, 1, 8, 0, 0, 1)},
        {"channel": "app", "verified_at": datetime(2020, 4, 2)},
        {"channel": "app"},  # the only repeat
    ]
    counts = row_counts_from(row_count_query(normalised(rows), CUTOFF).collect())
    assert (counts.read, counts.duplicates) == (5, 1)


def test_as_dict_names_every_count() -> None:
    counts = RowCounts(read=3, accepted=1, rejected_by_reason={"no-identity": 2})
    assert counts.as_dict() == {
        "read": 3,
        "accepted": 1,
        "rejected": 2,
        "rejected_by_reason": {"no-identity": 2},
        "after_cutoff": 0,
        "duplicates": 0,
        "unresolved_wards": 0,
    }
