"""`core.normalise` on tiny raw frames: typed columns, and which reject reason wins when a row has
two problems (the order of `RejectReason`, SPEC §3.2), with nothing dropped."""

from __future__ import annotations

from datetime import datetime
from itertools import combinations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats.core.normalise import NORMALISED_SCHEMA, normalise_declarations
from ncovi_stats.errors import REJECT_REASONS, BadInputError, RejectReason

NOW = datetime(2026, 1, 1, 12, 0)
GOOD = {
    "_invalid_encoding": False,
    "declared_at": "2020-04-01 08:00",
    "person_key": "k1",
    "province": "Hậu Giang",
    "district": "Vị Thanh",
}
# One problem per reason, as the raw columns of a row show it.
BREAKS: dict[str, dict[str, object]] = {
    "invalid-encoding": {"_invalid_encoding": True},
    "missing-time": {"declared_at": "  "},
    "unparseable-time": {"declared_at": "2020-13-01 08:00"},
    "future-time": {"declared_at": "2030-01-01 00:00"},
    "unknown-unit": {"province": "Atlantis"},
    "ambiguous-unit": {"district": "Long Mỹ"},  # Huyện Long Mỹ and Thị xã Long Mỹ
    "no-identity": {"person_key": " "},
}
RAW_SCHEMA = {
    "_line": pl.Int64,
    "_invalid_encoding": pl.Boolean,
    "declared_at": pl.String,
    "person_key": pl.String,
    "province": pl.String,
    "district": pl.String,
}


def normalise(rows: list[dict[str, object]]) -> pl.DataFrame:
    raw = pl.DataFrame(
        [{"_line": line, **row} for line, row in enumerate(rows, start=2)],
        schema=RAW_SCHEMA,
        orient="row",
    )
    done = normalise_declarations(raw.lazy(), source="a.csv", schema=raw.schema, now=NOW)
    return done.collect().sort("_line")


def test_the_documented_order_of_reasons() -> None:
    assert REJECT_REASONS == (
        "invalid-encoding",
        "missing-time",
        "unparseable-time",
        "future-time",
        "unknown-unit",
        "ambiguous-unit",
        "no-identity",
    )
    assert set(BREAKS) == {reason.value for reason in RejectReason}


def test_each_problem_alone_gives_its_reason() -> None:
    rows = [GOOD, *({**GOOD, **BREAKS[reason]} for reason in REJECT_REASONS)]
    assert normalise(rows)["reject_reason"].to_list() == [None, *REJECT_REASONS]


PAIRS = [
    (first, second)
    for first, second in combinations(REJECT_REASONS, 2)
    if not set(BREAKS[first]) & set(BREAKS[second])  # both problems fit in one row
]


def test_pairs_cover_each_reason_against_a_later_one() -> None:
    assert len(PAIRS) == 18  # 21 pairs less the 3 that are both problems of the time column
    assert {first for first, _ in PAIRS} == set(REJECT_REASONS[:-1])


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_the_earlier_reason_wins_when_a_row_has_two_problems(first: str, second: str) -> None:
    row = {**GOOD, **BREAKS[second], **BREAKS[first]}
    got = normalise([row, GOOD])
    assert got["reject_reason"].to_list() == [first, None]
    assert got.height == 2  # rows read = accepted + rejected


def test_missing_time_and_unknown_unit_is_missing_time() -> None:
    """The case the seeded-mutation pass missed, spelled out."""
    got = normalise([{**GOOD, "declared_at": "", "province": "Atlantis"}])
    assert got["reject_reason"].to_list() == ["missing-time"]


def test_typed_columns_of_accepted_rows() -> None:
    raw = pl.DataFrame(
        {
            "_line": [2, 3],
            "declared_at": ["08/04/2020 17:00", "2020-04-01T01:00:00+00:00"],
            "person_key": [" k1 ", "k2"],
            "province_code": ["93", "6"],
            "district_code": ["930", "58"],
            "declared_by": ["Khai hộ", "self"],
            "channel": ["App", "web"],
            "risk_flag": ["có", "0"],
            "declaration_id": ["d1", ""],
        }
    )
    got = normalise_declarations(raw.lazy(), source="b.csv", schema=raw.schema, now=NOW)
    expected = pl.DataFrame(
        {
            "_source_file": ["b.csv", "b.csv"],
            "_line": [2, 3],
            "declared_at": [datetime(2020, 4, 8, 17, 0), datetime(2020, 4, 1, 8, 0)],
            "person_key": ["k1", "k2"],
            "province_code": ["93", "06"],
            "district_code": ["930", "058"],
            "ward_code": [None, None],
            "declared_by": ["household", "self"],
            "channel": ["app", "web"],
            "risk_flag": [True, False],
            "verified_at": [None, None],
            "declaration_id": ["d1", None],
            "ward_unresolved": [False, False],
            "reject_reason": [None, None],
        },
        schema_overrides=NORMALISED_SCHEMA,
    )
    assert list(NORMALISED_SCHEMA)[: expected.width] == expected.columns
    assert_frame_equal(got.collect().sort("_line").select(expected.columns), expected)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            ["person_key", "province_code"],
            "a.csv: required column 'declared_at' is missing (columns found: "
            "person_key, province_code).",
        ),
        (
            ["declared_at", "province_code"],
            "a.csv: no identity column: need 'person_key' or 'person_id' (or phone, full_name "
            "and birth_year) (columns found: declared_at, province_code).",
        ),
        (
            ["declared_at", "person_key", "ward_code"],
            "a.csv: no place column: need 'province_code' or 'province' (columns found: "
            "declared_at, person_key, ward_code).",
        ),
    ],
)
def test_a_missing_column_is_named(columns: list[str], message: str) -> None:
    raw = pl.DataFrame({"_line": [2], **{name: ["x"] for name in columns}})
    with pytest.raises(BadInputError) as raised:
        normalise_declarations(raw.lazy(), source="a.csv", schema=raw.schema, now=NOW)
    assert str(raised.value) == message
