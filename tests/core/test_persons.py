"""The first row of a person decides their unit (SPEC §3.3), with every tie-break."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from ncovi_stats.core import crosswalk
from ncovi_stats.core.persons import (
    PLACE_COLUMNS,
    accepted_rows,
    codes_as_text,
    first_places,
    first_rows,
    first_rows_counted,
)
from ncovi_stats.core.resolve import UNIT_NUMBERS
from tests.support import normalised_rows

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
    assert first_rows(accepted_rows(frame), in_memory=True).collect().equals(result)
    counted = first_rows_counted(accepted_rows(frame)).collect()
    same = result.drop("declaration_id")
    assert counted.select(same.columns).equals(same)  # the same first row
    assert counted["rows"].to_list() == [len(rows)]
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


def test_first_places_are_the_places_of_first_rows(tricky_export) -> None:
    """Ordering by time and unit codes alone gives every person the same first time and unit as
    the full order of SPEC §3.3 (declared_by, channel and id only break ties within a place)."""
    from datetime import datetime as clock

    from ncovi_stats.io.read.scan import open_exports

    with open_exports([tricky_export], now=clock(2026, 1, 1)) as scan:
        accepted = accepted_rows(scan.frame)
        full = first_rows(accepted).select("person_key", *PLACE_COLUMNS).collect()
        places = first_places(accepted).collect()
        rows = accepted.group_by("person_key").len("rows").collect()
    assert places.height == full.height > 20_000
    assert places.drop("rows").sort("person_key").equals(full.sort("person_key"))
    counted = places.select("person_key", "rows").join(rows, on="person_key", suffix="_expected")
    assert counted.height == places.height
    assert (counted["rows"] == counted["rows_expected"]).all() and counted["rows"].max() > 1


def test_first_places_on_ties_of_time() -> None:
    """Same time: the lower ward wins whatever declared_by, channel and id say; same place:
    declared_by, channel and id cannot change the place."""
    rows = [
        {**BASE, "ward_code": "31472", "declared_by": "self", "channel": "app", "declaration_id": "a"},
        {**BASE, "ward_code": "31471", "declared_by": "household", "channel": "other",
         "declaration_id": "z"},
        {**BASE, "ward_code": "31471", "declared_by": None, "channel": None, "declaration_id": None},
        {**BASE, "person_key": "p2", "ward_code": None, "district_code": "931"},
        {**BASE, "person_key": "p2", "ward_code": None, "district_code": "930", "channel": "web"},
    ]  # fmt: skip
    frame = accepted_rows(pl.DataFrame(rows, schema_overrides={"reject_reason": pl.String}).lazy())
    places = first_places(frame).collect().sort("person_key")
    assert places["rows"].to_list() == [3, 2]
    places = places.drop("rows")
    assert places.select("person_key", "ward_code", "district_code").rows() == [
        ("p1", "31471", "930"),
        ("p2", None, "930"),
    ]
    full = first_rows(frame).select("person_key", *PLACE_COLUMNS).collect().sort("person_key")
    assert places.equals(full)


def test_a_remapped_district_is_ordered_as_its_new_code() -> None:
    """Hoành Bồ (204) became part of Hạ Long (193) in 2019: at the same time and without a
    ward, a row in 204 comes before a row in Đầm Hà (200), since it is read as 193 (the order of
    the old codes would pick 200). Ordered by numbers and by text alike."""
    rows = [
        {"person_key": "p", "declared_at": "2020-04-08 09:00", "district_code": "200"},
        {"person_key": "p", "declared_at": "2020-04-08 09:00", "district_code": "204"},
        {"person_key": "q", "declared_at": "2020-04-08 09:00", "district_code": "204",
         "ward_code": None},
    ]  # fmt: skip
    in_force = crosswalk.in_force(datetime(2020, 4, 8, 17, 0))
    assert in_force.mapping["204"] == "193"
    accepted = accepted_rows(crosswalk.remap_districts(normalised_rows(rows), in_force))
    assert set(UNIT_NUMBERS.values()) <= set(accepted.collect_schema())
    by_numbers = codes_as_text(first_places(accepted).collect()).sort("person_key")
    by_text = first_places(accepted.drop(*UNIT_NUMBERS.values())).collect()
    assert by_numbers.select("person_key", "province_code", "district_code").rows() == [
        ("p", "22", "193"),
        ("q", "22", "193"),
    ]
    assert by_numbers.equals(codes_as_text(by_text).sort("person_key"))
    assert by_numbers.schema["district_code"] == pl.String


def test_first_places_by_numbers_equal_by_text(tricky_export) -> None:
    """On a varied export (names, padded and unknown codes, ties), with the districts in force
    today, the numbers of the codes give the places their text gives."""
    from ncovi_stats.io.read.scan import open_exports

    with open_exports([tricky_export], now=datetime(2026, 1, 1)) as scan:
        remapped = crosswalk.remap_districts(scan.frame, crosswalk.in_force(datetime(2026, 1, 1)))
        accepted = accepted_rows(remapped)
        by_numbers = codes_as_text(first_places(accepted).collect()).sort("person_key")
        by_text = first_places(accepted.drop(*UNIT_NUMBERS.values())).collect()
    assert by_numbers.height > 20_000
    assert by_numbers.equals(codes_as_text(by_text).sort("person_key"))
    assert [by_numbers.schema[name] for name in PLACE_COLUMNS[1:]] == [pl.String] * 3


def test_persons_of_every_kind_of_key_are_counted_apart() -> None:
    """`person_id` reads 16 lower-case hex digits as their value, other keys otherwise: a key
    in capitals, one digit longer or free text is another person, and each person's first place
    is the one of `first_rows`."""
    hex16 = "0123456789abcdef"
    keys = [hex16, hex16.upper(), hex16 + "0", "0123456789abcdeg", "p1", "a" * 30, "A" * 30]
    rows = []
    for index, key in enumerate(keys):
        early = datetime(2020, 4, 8, 8, index)
        rows.append({**BASE, "person_key": key, "declared_at": early, "district_code": "931"})
        rows.append({**BASE, "person_key": key, "declared_at": datetime(2020, 4, 8, 9, index)})
    frame = accepted_rows(pl.DataFrame(rows, schema_overrides={"reject_reason": pl.String}).lazy())
    places = first_places(frame).collect().sort("person_key").drop("rows")
    full = first_rows(frame).select("person_key", *PLACE_COLUMNS).collect().sort("person_key")
    assert places.height == len(keys)
    assert places.equals(full)
    assert places["district_code"].to_list() == ["931"] * len(keys)


def test_first_rows_counted_are_the_first_rows_by_sorting(tricky_export) -> None:
    """A minimum and a count per person give what sorting each person's rows gives: the first
    row's columns (ties on time and place broken by declared_by, then channel) and the rows."""
    from ncovi_stats.core.persons import FIRST_ROW_COLUMNS, FIRST_ROW_ORDER
    from ncovi_stats.io.read.scan import open_exports

    columns = [name for name in FIRST_ROW_COLUMNS if name != "declaration_id"]
    with open_exports([tricky_export], now=datetime(2026, 1, 1)) as scan:
        accepted = accepted_rows(scan.frame)
        counted = codes_as_text(first_rows_counted(accepted).collect())
        sorted_first = accepted.group_by("person_key").agg(
            *(pl.col(name).sort_by(FIRST_ROW_ORDER, nulls_last=True).first() for name in columns),
            pl.len().cast(pl.Int64).alias("rows"),
        )
        expected = sorted_first.collect()
    assert counted.height == expected.height > 20_000
    assert counted["rows"].sum() > counted.height  # persons with several rows
    assert counted.select(expected.columns).sort("person_key").equals(expected.sort("person_key"))


def test_first_rows_in_memory_are_the_first_rows(tricky_export) -> None:
    """The second group-by for the id (rows in memory) gives the filter's first rows."""
    from ncovi_stats.io.read.scan import open_exports

    with open_exports([tricky_export], now=datetime(2026, 1, 1)) as scan:
        rows = accepted_rows(scan.frame).collect()
    by_filter = first_rows(rows.lazy()).collect().sort("person_key")
    by_join = first_rows(rows.lazy(), in_memory=True).collect().sort("person_key")
    assert by_filter.height > 20_000
    assert by_filter["declaration_id"].null_count() < by_filter.height
    assert by_join.equals(by_filter)
