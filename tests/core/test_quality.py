"""`core.quality` on a tiny normalised frame: rows read = accepted + rejected, per reason, after
the cut-off (strictly later), unresolved wards, the latest accepted time. Duplicates are left to
the tests of issue 11, which changes how (and where) they are counted."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from ncovi_stats.core.normalise import NORMALISED_SCHEMA
from ncovi_stats.core.quality import row_count_query, row_counts_from
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
    {"declaration_id": "d1"},
    {"declaration_id": "d2", "declared_at": CUTOFF},  # at the cut-off: used
    {"declared_at": datetime(2020, 4, 8, 17, 0, 0, 1)},  # one microsecond after: not used
    {"ward_unresolved": True, "ward_code": None, "person_key": "p2"},
    {"ward_unresolved": True, "person_key": "p2"},
    {"reject_reason": "missing-time", "declared_at": None},
    {"reject_reason": "unknown-unit", "declared_at": datetime(2020, 4, 9)},  # rejected: not after
    {"reject_reason": "unknown-unit", "declaration_id": "d1"},
]


def test_row_counts_of_a_tiny_frame() -> None:
    counts = row_counts_from(row_count_query(normalised(ROWS), CUTOFF).collect())
    assert (counts.read, counts.accepted, counts.rejected) == (9, 6, 3)
    assert counts.rejected_by_reason == {
        **{reason: 0 for reason in REJECT_REASONS},
        "missing-time": 1,
        "unknown-unit": 2,
    }
    assert list(counts.rejected_by_reason) == list(REJECT_REASONS)  # the documented order
    assert counts.after_cutoff == 1  # strictly later, accepted rows only
    assert counts.unresolved_wards == 2


def test_latest_accepted_ignores_rejected_rows() -> None:
    frame = row_count_query(normalised(ROWS), CUTOFF).collect()
    assert frame["latest_accepted"].item() == datetime(2020, 4, 8, 17, 0, 0, 1)


def test_without_cutoff_nothing_is_after_it() -> None:
    counts = row_counts_from(row_count_query(normalised(ROWS), None).collect())
    assert (counts.read, counts.accepted, counts.after_cutoff) == (9, 6, 0)
