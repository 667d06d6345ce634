"""Persons are grouped by a fixed-width id inside `first_rows`: distinct keys stay distinct."""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from ncovi_stats.core import values
from ncovi_stats.core.persons import first_rows, person_id

KEYS = [
    "00000000000000ab",  # 16 hex: its value
    "00000000000000AB",  # the same digits in upper case: another person
    "+0000000000000ab",  # a sign to_integer would accept: another person
    "ab",  # short hex, same value: another person
    "0000000000000000000000000000ab",  # 30 hex (a keyed digest), same value: another person
    "000000000000000000000000000000ab",  # 32 hex: free text here, same value: another person
    "Nguyễn Văn A 1980",  # free text
    "nguyen van a 1980",
]


def test_distinct_keys_get_distinct_ids() -> None:
    ids = pl.DataFrame({"k": KEYS}).select(person_id(pl.col("k"))).to_series()
    assert ids.dtype == pl.UInt128
    assert ids.n_unique() == len(KEYS)
    assert ids[0] == 0xAB  # a 16-hex key is its value, exactly
    assert ids[4] == (1 << 126) + 0xAB  # a keyed digest is its value in its own range, exactly


def test_keyed_digests_are_exact_and_apart_from_hashed_keys() -> None:
    digests = [f"{value:030x}" for value in (0, 1, (1 << 120) - 1, 0xDEADBEEF << 64)]
    ids = pl.DataFrame({"k": digests}).select(person_id(pl.col("k"))).to_series().to_list()
    assert ids == [(1 << 126) + int(digest, 16) for digest in digests]
    free = pl.DataFrame({"k": ["x", "Nguyễn"]}).select(person_id(pl.col("k"))).to_series()
    assert all(value >= 1 << 127 for value in free.to_list())


def test_one_person_per_key_whatever_its_form() -> None:
    rows = pl.DataFrame(
        {
            "person_key": KEYS * 2,
            "declared_at": [datetime(2020, 4, 8, 9)] * len(KEYS)
            + [datetime(2020, 4, 8, 8)] * len(KEYS),
            "province_code": "93",
            "district_code": ["930"] * len(KEYS) + ["931"] * len(KEYS),
            "ward_code": None,
            "declared_by": "self",
            "channel": "app",
            "declaration_id": [f"d{i}" for i in range(2 * len(KEYS))],
        }
    )
    first = first_rows(rows.lazy()).collect().sort("person_key")
    assert first["person_key"].to_list() == sorted(KEYS)
    assert set(first["district_code"]) == {"931"}  # each person's earlier row
    expected = duckdb.sql(
        "SELECT person_key, arg_min(declaration_id, declared_at) AS d FROM rows GROUP BY 1 ORDER BY 1"
    ).pl()
    assert first["declaration_id"].to_list() == expected["d"].to_list()


def test_iso_time_fast_path_agrees_with_every_format() -> None:
    """Texts of the fast format's length that it refuses still reach the slow formats."""
    texts = [
        "2020-04-08 17:00:00",
        "2020-04-08T17:00:00",  # 19 characters, read by the slow path after T -> space
        "2020-04-08 17:00Z  ",  # 19 characters with an offset
        "08/04/2020 17:00:00",  # day first, 19 characters
        "2020-04-08 25:00:00",  # not a time
        " 2020-04-08 17:00:00",
    ]
    parsed = pl.DataFrame({"t": texts}).select(values.parse_time(pl.col("t"))).to_series()
    assert parsed.to_list() == [
        datetime(2020, 4, 8, 17),
        datetime(2020, 4, 8, 17),
        datetime(2020, 4, 9, 0),
        datetime(2020, 4, 8, 17),
        None,
        datetime(2020, 4, 8, 17),
    ]
