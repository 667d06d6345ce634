"""SPEC §3.3 tie-breaks where two tie-break fields disagree, on both paths that pick a first row:
the one-pass packed key of a read (`core.persons.first_rows`) and the sort of the store
(`core.store_rows.person_firsts`). Each case has two rows of one person at the same instant; the
row that must win is better on the earlier field and worse on the later one, so a swapped or
reversed field, or an empty value ranked first, picks the other row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats.core.persons import FIRST_ROW_COLUMNS, first_rows
from ncovi_stats.core.store_rows import person_firsts

AT = datetime(2020, 4, 1, 9, 30)
COLUMNS = ("person_key", *FIRST_ROW_COLUMNS)
SCHEMA = {
    "person_key": pl.String,
    "declared_at": pl.Datetime("us"),
    **{name: pl.String for name in FIRST_ROW_COLUMNS if name != "declared_at"},
}


def row(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "person_key": "p",
        "declared_at": AT,
        "province_code": "93",
        "district_code": "930",
        "ward_code": None,
        "declared_by": "self",
        "channel": "app",
        "declaration_id": None,
    }
    return {**base, **values}


# (case, winner, loser): the winner must be the first row whichever order the rows come in.
CASES = [
    (
        "ward before district",  # the lower ward wins although its district is higher
        row(province_code="93", district_code="932", ward_code="31200"),
        row(province_code="93", district_code="930", ward_code="31300"),
    ),
    (
        "an empty ward is last, whatever the district",
        row(province_code="93", district_code="932", ward_code="31300"),
        row(province_code="93", district_code="930", ward_code=None),
    ),
    (
        "district before province",  # the lower district wins although its province is higher
        row(province_code="02", district_code="024", ward_code=None),
        row(province_code="01", district_code="250", ward_code=None),
    ),
    (
        "an empty district is last, whatever the province",
        row(province_code="02", district_code="024"),
        row(province_code="01", district_code=None),
    ),
    (
        "province before declared_by",
        row(province_code="92", district_code=None, declared_by="household"),
        row(province_code="93", district_code=None, declared_by="self"),
    ),
    (
        "an empty province is last",
        row(province_code="93", district_code=None, declared_by="household"),
        row(province_code=None, district_code=None, declared_by="self"),
    ),
    (
        "declared_by before channel",  # self wins although its channel comes later
        row(declared_by="self", channel="other"),
        row(declared_by="household", channel="app"),
    ),
    (
        "an empty declared_by is last, whatever the channel",
        row(declared_by="household", channel="other"),
        row(declared_by=None, channel="app"),
    ),
    (
        "channel in the order of §2.1, not by name",  # web before collaborator
        row(channel="web", declaration_id="z9"),
        row(channel="collaborator", declaration_id="a1"),
    ),
    (
        "an empty channel is last, after other",
        row(channel="other", declaration_id="z9"),
        row(channel=None, declaration_id="a1"),
    ),
    (
        "channel before declaration id",
        row(channel="app", declaration_id="z9"),
        row(channel="web", declaration_id="a1"),
    ),
    (
        "the lowest declaration id",
        row(declaration_id="d10"),
        row(declaration_id="d2"),
    ),
    (
        "an empty declaration id is last",
        row(declaration_id="zz"),
        row(declaration_id=None),
    ),
    (
        "time before everything",  # one microsecond earlier beats better places and values
        row(
            declared_at=AT - timedelta(microseconds=1),
            province_code=None,
            district_code=None,
            declared_by=None,
            channel=None,
        ),
        row(ward_code="31200", district_code="932", declaration_id="a"),
    ),
]


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row").select(COLUMNS)


def _first_read(rows: list[dict[str, object]]) -> pl.DataFrame:
    return first_rows(_frame(rows).lazy()).collect().select(COLUMNS)


def _first_store(rows: list[dict[str, object]]) -> pl.DataFrame:
    return person_firsts(_frame(rows).lazy()).collect().select(COLUMNS)


@pytest.mark.parametrize("pick", [_first_read, _first_store], ids=["read", "store"])
@pytest.mark.parametrize(("case", "winner", "loser"), CASES, ids=[c[0] for c in CASES])
def test_the_earlier_field_decides(pick, case: str, winner: dict, loser: dict) -> None:
    expected = _frame([winner])
    assert_frame_equal(pick([winner, loser]), expected)
    assert_frame_equal(pick([loser, winner]), expected)


@pytest.mark.parametrize("pick", [_first_read, _first_store], ids=["read", "store"])
def test_persons_are_picked_apart(pick) -> None:
    """Two persons, each with a tie: every person keeps their own first row."""
    a_first = row(person_key="a", declared_by="self", channel="other")
    a_later = row(person_key="a", declared_by="household", channel="app")
    b_first = row(person_key="b", ward_code="31200", district_code="932")
    b_later = row(person_key="b", ward_code=None, district_code="930")
    got = pick([b_later, a_later, a_first, b_first]).sort("person_key")
    assert_frame_equal(got, _frame([a_first, b_first]))
