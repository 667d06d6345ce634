"""The first places' Int64 key (`core.places`) gives the places of the Int128 key and of the text."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest

from ncovi_stats.core import crosswalk
from ncovi_stats.core.persons import accepted_rows, codes_as_text, first_places
from ncovi_stats.core.places import place_key
from ncovi_stats.core.resolve import UNIT_NUMBERS
from ncovi_stats.core.values import EARLIEST_TIME
from tests.support import normalised_rows

NOW = datetime(2026, 1, 1)
SPRING_2020 = crosswalk.in_force(datetime(2020, 4, 8, 17, 0))


def three_ways(accepted: pl.LazyFrame, until: datetime) -> list[pl.DataFrame]:
    """The first places by the Int64 key, by the Int128 key of the numbers, and by the text."""
    key = place_key(SPRING_2020.mapping, until)
    assert key is not None
    ways = [
        first_places(accepted, places=key),
        first_places(accepted),
        first_places(accepted.drop(*UNIT_NUMBERS.values())),
    ]
    return [codes_as_text(way.collect()).sort("person_key") for way in ways]


def test_each_tie_break_of_the_place() -> None:
    """Same time: a ward before no ward; the lower ward; without a ward, the district in force
    (204 became 193, which comes before 200); a district before none; the lower province."""
    at = "2020-04-08 09:00"
    rows = [
        {"person_key": "a", "declared_at": at, "district_code": "930", "ward_code": None},
        {"person_key": "a", "declared_at": at, "district_code": "930", "ward_code": "31321"},
        {"person_key": "b", "declared_at": at, "district_code": "930", "ward_code": "31321"},
        {"person_key": "b", "declared_at": at, "district_code": "930", "ward_code": "31318"},
        {"person_key": "c", "declared_at": at, "district_code": "200"},
        {"person_key": "c", "declared_at": at, "district_code": "204"},
        {"person_key": "d", "declared_at": at, "province_code": "93"},
        {"person_key": "d", "declared_at": at, "province_code": "93", "district_code": "930"},
        {"person_key": "e", "declared_at": at, "province_code": "93"},
        {"person_key": "e", "declared_at": at, "province_code": "92"},
        {"person_key": "f", "declared_at": "2020-04-08 08:59", "province_code": "93"},
        {"person_key": "f", "declared_at": at, "district_code": "930", "ward_code": "31318"},
    ]
    accepted = accepted_rows(crosswalk.remap_districts(normalised_rows(rows, NOW), SPRING_2020))
    by_int64, by_int128, by_text = three_ways(accepted, NOW)
    assert by_int64.select("person_key", "province_code", "district_code", "ward_code").rows() == [
        ("a", "93", "930", "31321"),
        ("b", "93", "930", "31318"),
        ("c", "22", "193", None),
        ("d", "93", "930", None),
        ("e", "92", None, None),
        ("f", "93", None, None),
    ]
    assert by_int64["declared_at"][-1] == datetime(2020, 4, 8, 8, 59)
    assert by_int64.equals(by_int128)
    assert by_int64.equals(by_text)


def test_a_varied_export_in_the_units_of_today(tricky_export) -> None:
    from ncovi_stats.io.read.scan import open_exports

    today = crosswalk.in_force(NOW)
    with open_exports([tricky_export], now=NOW) as scan:
        accepted = accepted_rows(crosswalk.remap_districts(scan.frame, today))
        key = place_key(today.mapping, NOW)
        assert key is not None
        by_int64 = codes_as_text(first_places(accepted, places=key).collect())
        by_text = first_places(accepted.drop(*UNIT_NUMBERS.values())).collect()
    assert by_int64.height > 20_000
    assert by_int64.sort("person_key").equals(codes_as_text(by_text).sort("person_key"))


def test_the_latest_time_the_key_holds() -> None:
    """49 bits of microseconds since 2020-01-01: a row at the last one comes back exactly, and a
    later bound gives no key (the caller keeps the Int128 key)."""
    key = place_key({}, NOW)
    assert key is not None and key.bits == 14
    last = EARLIEST_TIME + timedelta(microseconds=(1 << 49) - 1)
    assert place_key({}, last) is not None
    assert place_key({}, last + timedelta(microseconds=1)) is None
    frame = pl.LazyFrame(
        {
            "person_key": ["p", "p", "q"],
            "declared_at": [last, last, EARLIEST_TIME],
            "reject_reason": [None, None, None],
            "province_code": ["93", "93", "01"],
            "district_code": ["930", None, "001"],
            "ward_code": [None, None, "00001"],
            "_province_number": [93, 93, 1],
            "_district_number": [930, None, 1],
            "_ward_number": [None, None, 1],
        },
        schema_overrides={"declared_at": pl.Datetime("us"), "reject_reason": pl.String}
        | dict.fromkeys(UNIT_NUMBERS.values(), pl.UInt32),
    )
    places = codes_as_text(first_places(frame, places=place_key({}, last)).collect())
    assert places.sort("person_key").rows() == [
        ("p", last, "93", "930", None, 2),
        ("q", EARLIEST_TIME, "01", "001", "00001", 1),
    ]


@pytest.mark.parametrize(
    ("mapping", "holds"),
    [
        ({"204": "193"}, True),
        ({"204": "930"}, False),  # 930 is in Hậu Giang, 204 in Quảng Ninh
        ({"204": "193", "193": "200"}, False),  # a chain: 193 is no code in force
        ({"204": "999"}, False),  # no such district
    ],
)
def test_no_key_where_the_district_changes_do_not_rank(
    mapping: dict[str, str], holds: bool
) -> None:
    assert (place_key(mapping, NOW) is not None) == holds
