from __future__ import annotations

import unicodedata
from datetime import datetime

import polars as pl
import pytest

from ncovi_stats.core.values import (
    CHANNEL_SPELLINGS,
    CHANNEL_VALUES,
    DECLARED_BY_SPELLINGS,
    FLAG_SPELLINGS,
    channel_column,
    declared_by_column,
    expand_registry,
    flag_column,
    parse_time,
    value_spellings,
)
from ncovi_stats.schema import CHANNEL_ORDER


def apply(function, values: list[str | None], dtype=pl.String) -> list:
    frame = pl.DataFrame({"v": pl.Series(values, dtype=dtype)})
    return frame.select(function(pl.col("v"))).to_series().to_list()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08/04/2020 05:00 CH", datetime(2020, 4, 8, 17, 0)),
        ("08/04/2020 05:00:30 ch", datetime(2020, 4, 8, 17, 0, 30)),
        ("08/04/2020 12:00 SA", datetime(2020, 4, 8, 0, 0)),
        ("08/04/2020 12:15 CH", datetime(2020, 4, 8, 12, 15)),
        ("08/04/2020 11:59 SA", datetime(2020, 4, 8, 11, 59)),
        ("08/04/2020 5:00PM", datetime(2020, 4, 8, 17, 0)),
        ("08/04/2020 13:00 CH", None),
        ("08/04/2020 00:30 SA", None),
        ("43929.7083", datetime(2020, 4, 8, 17, 0)),
        ("43929.708333333", datetime(2020, 4, 8, 17, 0)),
        ("43929.70903935", datetime(2020, 4, 8, 17, 1, 1)),
        ("43929", datetime(2020, 4, 8, 0, 0)),
        ("25569", datetime(1970, 1, 1, 0, 0)),
        ("12345", None),
        ("2020", None),
        ("1e5", None),
        ("04/08/2020 10:00", datetime(2020, 8, 4, 10, 0)),
        ("13/04/2020 10:00", datetime(2020, 4, 13, 10, 0)),
        ("04/13/2020 10:00", None),
        ("2020-04-08T10:00:00Z", datetime(2020, 4, 8, 17, 0)),
        ("2020-04-08 17:00:00", datetime(2020, 4, 8, 17, 0)),
        ("", None),
        (None, None),
    ],
)
def test_parse_time(text: str | None, expected: datetime | None) -> None:
    assert apply(parse_time, [text]) == [expected]


def test_flag_spellings() -> None:
    values = [
        "Có",
        "CÓ",
        "co",
        "x",
        "X",
        "1",
        "TRUE",
        "Không",
        "KHONG",
        "0",
        "false",
        "",
        None,
        "?",
    ]
    assert apply(flag_column, values) == [
        True, True, True, True, True, True, True, False, False, False, False, None, None, None,
    ]  # fmt: skip


def test_declared_by_from_khai_ho_and_words() -> None:
    values = ["Có", "x", "1", "true", "Không", "", None, "0", "Khai hộ", "KHAI HO", "bản thân",
              "self", "household", "?"]  # fmt: skip
    assert apply(declared_by_column, values) == [
        "household", "household", "household", "household", "self", "self", "self", "self",
        "household", "household", "self", "self", "household", None,
    ]  # fmt: skip


def test_channel_names() -> None:
    values = ["NCOVI", "Ứng dụng NCOVI", "UNG DUNG NCOVI", "App", "Website", "Web", "tokhaiyte.vn",
              "Cơ sở y tế", "co so y te", "Cộng tác viên", "CTV", "Zalo", "", None]  # fmt: skip
    assert apply(channel_column, values) == [
        "app", "app", "app", "app", "web", "web", "web", "facility", "facility", "collaborator",
        "collaborator", "other", None, None,
    ]  # fmt: skip


def test_decomposed_text_matches_too() -> None:
    decomposed = unicodedata.normalize("NFD", "Cộng tác viên")
    assert apply(channel_column, [decomposed]) == ["collaborator"]


def test_every_registry_spelling_matches_in_upper_case_and_without_diacritics() -> None:
    for registry, function in (
        (CHANNEL_SPELLINGS, channel_column),
        (DECLARED_BY_SPELLINGS, declared_by_column),
        (FLAG_SPELLINGS, flag_column),
    ):
        words = list(registry)
        keys = [key for word in words for key in sorted(value_spellings(word))]
        expected = [registry[word] for word in words for _ in value_spellings(word)]
        assert apply(function, [key.upper() for key in keys]) == expected


def test_registries_only_give_canonical_values() -> None:
    assert set(CHANNEL_VALUES.values()) == set(CHANNEL_ORDER)
    assert set(expand_registry(DECLARED_BY_SPELLINGS).values()) == {"self", "household"}


def test_colliding_spellings_are_refused() -> None:
    with pytest.raises(AssertionError, match="collides"):
        expand_registry({"có": True, "co": False})


def test_code_fast_path_for_known_codes_changes_nothing() -> None:
    """Cells equal to a known code skip the text work; every other cell is read as before."""
    from ncovi_stats.core.values import code_column

    cells = ["93", " 93", "93 ", "9", "6", "06", "930", "0930", "93a", "", "  ", None, "１", "7 "]
    cells += ["001", "1", "31471", "3147", " 31471", "abc", "99999", "0"]
    frame = pl.DataFrame({"c": cells}, schema={"c": pl.String})
    for width, known in ((2, {"93", "06"}), (3, {"930", "001"}), (5, {"31471", "03147"})):
        slow = frame.select(code_column(pl.col("c"), width)).to_series().to_list()
        fast = frame.select(code_column(pl.col("c"), width, known)).to_series().to_list()
        assert fast == slow, width
    padded = frame.select(code_column(pl.col("c"), 2, {"93"})).to_series().to_list()
    assert padded[:5] == ["93", "93", "93", "09", "06"]


def test_registry_fast_path_agrees_with_the_text_work() -> None:
    """Cells that are a registry key as they stand skip strip and lower-casing; the values are
    those of the stripped, lower-cased lookup for every cell, odd spellings and nulls included."""
    from ncovi_stats.core.values import (
        CHANNEL_VALUES,
        DECLARED_BY_VALUES,
        FLAG_VALUES,
        channel_column,
        declared_by_column,
        flag_column,
    )

    cells = ["app", " App ", "APP", "web", "Khai hộ", "khai ho", "x", " X", "có", "CÓ", "không"]
    cells += ["", "  ", None, "ctv", "CTV dân số", "zzz", "self", "household", "1", "0", "n"]
    frame = pl.DataFrame({"c": cells}, schema={"c": pl.String})

    def by_text(lookup, default, empty):
        out = []
        for cell in cells:
            key = "" if cell is None else cell.strip().lower()
            if cell is None:
                out.append(empty)
            else:
                out.append(lookup.get(key, default))
        return out

    got = frame.select(
        channel_column(pl.col("c")).alias("channel"),
        declared_by_column(pl.col("c")).alias("declared_by"),
        flag_column(pl.col("c")).alias("flag"),
    )
    channel = {**CHANNEL_VALUES, "": None}
    assert got["channel"].to_list() == by_text(channel, "other", None)
    assert got["declared_by"].to_list() == by_text({**DECLARED_BY_VALUES, "": "self"}, None, "self")
    assert got["flag"].to_list() == by_text(FLAG_VALUES, None, None)
    assert got["channel"].to_list()[:4] == ["app", "app", "app", "web"]
    assert got["flag"].to_list()[6:11] == [True, True, True, True, False]


def test_streaming_lookup_equals_replace_strict() -> None:
    """`core.lookup` gives replace_strict's values (unknown and missing text: the default)."""
    from ncovi_stats.core.lookup import lookup, rank_value

    cells = ["a", "b", None, "zz", "", "a", " a"]
    frame = pl.DataFrame({"x": cells}, schema={"x": pl.String})
    mapping = {"a": 1, "b": 2, "": None}
    for default in (None, 9):
        ours = frame.select(lookup(pl.col("x"), mapping, dtype=pl.Int64(), default=default))
        theirs = frame.select(
            pl.col("x").replace_strict(mapping, default=default, return_dtype=pl.Int64)
        )
        assert ours.to_series().to_list() == theirs.to_series().to_list()
    assert frame.select(
        lookup(pl.col("x"), mapping, dtype=pl.Int64(), default=9)
    ).to_series().to_list() == [1, 2, 9, 9, None, 1, 9]
    ranks = pl.DataFrame({"r": [0, 1, 2, None, -1]}).select(rank_value(pl.col("r"), ["x", "y"]))
    assert ranks.to_series().to_list() == ["x", "y", None, None, None]
