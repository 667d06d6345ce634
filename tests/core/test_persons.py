"""The first row of a person decides their unit (SPEC §3.3), with every tie-break."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from ncovi_stats.core.persons import accepted_rows, first_rows

T = datetime(2020, 4, 8, 9, 0)
BASE = {
    "person_key": "p1",
    "declared_at": T,
    "province_code": "93",
    "district_code": "930",
    "ward_code": "31471",
    "declared_by": "self",
    "channel": "app",
    "declaration_id": "d1",
    "reject_reason": None,
}


def first_of(*changes: dict) -> dict:
    rows = [{**BASE, **change} for change in changes]
    frame = pl.DataFrame(rows, schema_overrides={"reject_reason": pl.String}).lazy()
    result = first_rows(accepted_rows(frame)).collect()
    assert result.height == 1
    return result.row(0, named=True)


@pytest.mark.parametrize(
    ("winner", "loser"),
    [
        ({"declared_at": T}, {"declared_at": datetime(2020, 4, 8, 8, 59), "district_code": "931"}),
        ({"ward_code": "31471", "district_code": "931"}, {"ward_code": "31470"}),
        ({"ward_code": None, "district_code": "931"}, {"ward_code": "31471"}),
        ({"ward_code": None, "district_code": "931"}, {"ward_code": None, "district_code": "930"}),
        ({"ward_code": None, "district_code": None}, {"ward_code": None, "district_code": "931"}),
        ({"declared_by": "household", "district_code": "931"}, {"declared_by": "self"}),
        ({"channel": "web", "district_code": "931"}, {"channel": "app"}),
        ({"channel": None, "district_code": "931"}, {"channel": "other"}),
        ({"declaration_id": "d2", "district_code": "931"}, {"declaration_id": "d1"}),
        ({"declaration_id": None, "district_code": "931"}, {"declaration_id": "d9"}),
    ],
)
def test_first_row_tie_order(winner: dict, loser: dict) -> None:
    """`loser` is the row that must come first; `winner` would win if the order were wrong."""
    first = first_of(winner, loser)
    assert first["district_code"] == loser.get("district_code", BASE["district_code"])
    assert first["declared_at"] == loser.get("declared_at", BASE["declared_at"])


def test_household_row_counts_the_person_it_is_about() -> None:
    frame = pl.DataFrame(
        [
            {**BASE, "person_key": "child", "declared_by": "household", "declaration_id": "d1"},
            {**BASE, "person_key": "parent", "declared_by": "self", "declaration_id": "d2"},
        ],
        schema_overrides={"reject_reason": pl.String},
    ).lazy()
    keys = sorted(first_rows(accepted_rows(frame)).collect()["person_key"].to_list())
    assert keys == ["child", "parent"]


def test_cutoff_and_rejects_are_left_out() -> None:
    frame = pl.DataFrame(
        [
            {**BASE, "person_key": "early"},
            {**BASE, "person_key": "late", "declared_at": datetime(2020, 4, 8, 17, 0, 1)},
            {**BASE, "person_key": "bad", "reject_reason": "unknown-unit"},
        ],
        schema_overrides={"reject_reason": pl.String},
    ).lazy()
    cutoff = datetime(2020, 4, 8, 17, 0)
    keys = first_rows(accepted_rows(frame, cutoff)).collect()["person_key"].to_list()
    assert keys == ["early"]
