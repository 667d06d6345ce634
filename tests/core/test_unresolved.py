"""Unit texts not recognised (core.unresolved): the level that failed, and what may be shown."""

from __future__ import annotations

import polars as pl

from ncovi_stats import reference
from ncovi_stats.core.unresolved import HIDDEN, describe_text, unresolved_query, unresolved_table


def normalised(rows: list[dict]) -> pl.LazyFrame:
    columns = {
        "person_key": pl.String,
        "reject_reason": pl.String,
        "ward_unresolved": pl.Boolean,
        "province_code": pl.String,
        "district_code": pl.String,
        "province_text": pl.String,
        "district_text": pl.String,
        "ward_text": pl.String,
    }
    full = [{name: row.get(name) for name in columns} for row in rows]
    return (
        pl.DataFrame(full, schema=columns, orient="row")
        .with_columns(pl.col("ward_unresolved").fill_null(False))
        .lazy()
    )


def names() -> dict[str, str]:
    found = dict(reference.provinces().select("province_code", "province_name").iter_rows())
    return found | dict(reference.districts().select("district_code", "district_name").iter_rows())


def rejected(person: str, province: str | None, district: str | None = None) -> dict:
    return {
        "person_key": person,
        "reject_reason": "unknown-unit",
        "province_text": province,
        "district_text": district,
    }


def table(rows: list[dict]) -> list[tuple]:
    counts = unresolved_query(normalised(rows)).collect()
    return unresolved_table(counts, names()).rows()


def test_three_persons_show_a_text_two_do_not() -> None:
    rows = [rejected(p, "Tnh Hải Dương") for p in ("a", "b", "c", "a")]
    rows += [rejected(p, "Nguyễn Văn An") for p in ("d", "e")]
    assert table(rows) == [
        ("province", "Tnh Hải Dương", "", "", "unknown-unit", 4),
        ("province", HIDDEN, "", "", "unknown-unit", 2),
    ]


def test_digit_runs_are_hidden_whatever_the_persons_and_codes_are_shown() -> None:
    rows = [rejected(p, "0912 345 678") for p in "abcdef"]  # a phone mapped to the province
    rows += [rejected(p, "99") for p in "a"]  # a code: shown even for one person
    assert table(rows) == [
        ("province", HIDDEN, "", "", "unknown-unit", 6),
        ("province", "99", "", "", "unknown-unit", 1),
    ]


def test_only_the_failed_level_is_judged() -> None:
    # the province resolves although written by two persons only; the district failed
    rows = [rejected(p, "Hải Dương", "Gia Lọcc") for p in "abc"]
    rows += [rejected(p, "Hải Dương", "Gia Lọcc") for p in "ab"]
    assert table(rows) == [("district", "Gia Lọcc", "Tỉnh Hải Dương", "30", "unknown-unit", 5)]


def test_an_unresolved_ward_is_listed_within_its_district() -> None:
    rows = [
        {
            "person_key": p,
            "ward_unresolved": True,
            "province_code": "30",
            "district_code": "297",
            "ward_text": "Xã Không Có",
        }
        for p in "abc"
    ]
    assert table(rows) == [
        ("ward", "Xã Không Có", "Huyện Gia Lộc, Tỉnh Hải Dương", "297", "ward-unresolved", 3)
    ]


def test_a_text_is_described_with_its_row_count_in_words() -> None:
    one = {
        "text": "Tnh Hải Dương",
        "level": "province",
        "within": "",
        "reason": "unknown-unit",
        "rows": 1,
    }
    assert describe_text(one) == '"Tnh Hải Dương" (province, unknown-unit, 1 row)'
    many = {**one, "text": "", "level": "district", "within": "Tỉnh Bắc Kạn", "rows": 2}
    assert describe_text(many) == '"(empty)" (district in Tỉnh Bắc Kạn, unknown-unit, 2 rows)'
