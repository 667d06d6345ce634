"""`core.rejects`: the rejects file's rows (SPEC §3.2, §5): file, line, reason and non-identity
values only; codes that are not GSO codes and the person key never reach it."""

from __future__ import annotations

from datetime import datetime

import polars as pl
from polars.testing import assert_frame_equal

from ncovi_stats.core.normalise import NORMALISED_SCHEMA
from ncovi_stats.core.rejects import REJECT_COLUMNS, rejected_rows


def test_only_rejected_rows_with_their_non_identity_values() -> None:
    rows = [
        {
            "_source_file": "a.csv",
            "_line": 2,
            "declared_at": datetime(2020, 4, 1, 8, 0, 0, 999_999),
            "person_key": "secret-key-1",
            "province_code": "93",
            "district_code": "0912345678",  # a phone number mapped as a code by mistake
            "ward_code": "31471",
            "declared_by": "household",
            "channel": "app",
            "risk_flag": True,
            "verified_at": datetime(2020, 4, 2, 9, 30),
            "declaration_id": "d1",
            "reject_reason": "unknown-unit",
        },
        {"_source_file": "a.csv", "_line": 3, "person_key": "p", "reject_reason": None},
        {
            "_source_file": "b.csv",
            "_line": 7,
            "province_code": "Hậu Giang",
            "reject_reason": "no-identity",
        },
    ]
    frame = pl.DataFrame(
        [{name: row.get(name) for name in NORMALISED_SCHEMA} for row in rows],
        schema=NORMALISED_SCHEMA,
        orient="row",
    )
    got = rejected_rows(frame.lazy()).collect().sort("source_file", "line")
    expected = pl.DataFrame(
        {
            "source_file": ["a.csv", "b.csv"],
            "line": [2, 7],
            "reason": ["unknown-unit", "no-identity"],
            "declared_at": ["2020-04-01T08:00:00", None],  # to the second
            "province_code": ["93", None],  # not a code: left out
            "district_code": [None, None],  # ten digits is no GSO code
            "ward_code": ["31471", None],
            "declared_by": ["household", None],
            "channel": ["app", None],
            "risk_flag": [True, None],
            "verified_at": ["2020-04-02T09:30:00", None],
            "declaration_id": ["d1", None],
        },
        schema_overrides={"line": pl.UInt64, "district_code": pl.String},
    )
    assert tuple(got.columns) == REJECT_COLUMNS
    assert "person_key" not in got.columns
    assert_frame_equal(got.select(expected.columns), expected)
