"""Unit resolution (SPEC §2.3, §3.2): name tiers, unit types, codes, and the polars step."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats import reference
from ncovi_stats.core.resolve import UNIT_NUMBERS, resolve_units
from ncovi_stats.core.units import (
    PREFIXES,
    PROVINCE_ALIASES,
    UNIT_COLUMNS,
    NameIndex,
    Resolution,
    UnitResolver,
    normalise_name,
    parse_name,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
TRAPS = FIXTURES / "unit_name_traps.csv"
OUTPUT_COLUMNS = ["province_code", "district_code", "ward_code", "unit_problem", "ward_unresolved"]


def assert_numbers_match_codes(result: pl.DataFrame) -> None:
    """On accepted rows, each code's number column (`UNIT_NUMBERS`) is the code read as a
    number, null where the code is (what `persons.first_places` orders and groups by)."""
    accepted = result.filter(pl.col("unit_problem").is_null())
    for column, number in UNIT_NUMBERS.items():
        expected = [None if code is None else int(code) for code in accepted[column]]
        assert accepted[number].to_list() == expected, column


@pytest.fixture(scope="module")
def resolver() -> UnitResolver:
    return UnitResolver.bundled()


def read_traps() -> pl.DataFrame:
    frame = pl.read_csv(TRAPS, infer_schema=False)
    return frame.with_columns(pl.col("expected_ward_unresolved") == "true")


def expected_of(traps: pl.DataFrame) -> pl.DataFrame:
    return traps.select(
        "case", *(pl.col(f"expected_{column}").alias(column) for column in OUTPUT_COLUMNS)
    )


# Name normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Hoà", "Hòa"),
        ("Thuỷ", "Thủy"),
        ("Hoá", "Hóa"),
        ("Uỷ", "Ủy"),
        ("Khoẻ", "Khỏe"),
        ("Toà", "Tòa"),
    ],
)
def test_tone_placement_differs_exactly_but_not_in_the_tone_tier(old: str, new: str) -> None:
    assert normalise_name(old).exact != normalise_name(new).exact
    assert normalise_name(old).tone == normalise_name(new).tone


def test_tone_tier_keeps_tones_apart() -> None:
    assert normalise_name("Hòa").tone != normalise_name("Hóa").tone
    assert normalise_name("Hòa").plain == normalise_name("Hóa").plain


def test_plain_tier_drops_diacritics_and_d_stroke() -> None:
    assert normalise_name("Đắk Lắk").plain == normalise_name("dak lak").plain == "daklak"


def test_case_spacing_punctuation_and_leading_zeros_are_ignored() -> None:
    assert normalise_name("Bà Rịa - Vũng Tàu") == normalise_name("bà rịa vũng tàu")
    assert normalise_name("Phường 01").exact == normalise_name("phường 1").exact == "phường1"


def test_decomposed_input_is_composed_first() -> None:
    decomposed = "Ho\u0300a Bi\u0300nh"
    assert normalise_name(decomposed) == normalise_name("Hòa Bình")


def test_parse_strips_abbreviated_prefix_glued_to_a_number() -> None:
    readings = {(reading.unit_type, reading.keys.exact) for reading in parse_name("Q1")}
    assert readings == {(None, "q1"), ("Quận", "1")}


def test_parse_does_not_read_an_accented_word_as_an_unaccented_prefix() -> None:
    # "Quán" is not "Quận" written without diacritics, so the name is only read as it is.
    assert [reading.unit_type for reading in parse_name("Quán Thánh")] == [None]
    assert {reading.unit_type for reading in parse_name("Quan 1")} == {None, "Quận"}


def test_prefix_registry_covers_every_official_type() -> None:
    official = {t for types in reference.UNIT_TYPES.values() for t in types}
    assert official <= set(PREFIXES.values())


# Name index: types decide only where the base is shared -----------------------------------------


def test_index_type_ignored_when_base_is_unique_and_decides_otherwise() -> None:
    index = NameIndex(
        [("1", "Huyện", "Long Mỹ"), ("2", "Thị xã", "Long Mỹ"), ("3", "Huyện", "Kinh Môn")]
    )
    assert index.resolve("Thị xã Kinh Môn") == Resolution("3")
    assert index.resolve("Huyện Long Mỹ") == Resolution("1")
    assert index.resolve("Thị xã Long Mỹ") == Resolution("2")
    assert index.resolve("Long Mỹ") == Resolution(None, "ambiguous-unit")
    assert index.resolve("Quận Long Mỹ") == Resolution(None, "ambiguous-unit")
    assert index.resolve("Nowhere") == Resolution(None, "unknown-unit")


def test_index_exact_tier_wins_over_plain_tier() -> None:
    # "Hòa" and "Hóa" only collide without diacritics; the exact spelling picks one.
    index = NameIndex([("1", "Xã", "Hòa"), ("2", "Xã", "Hóa")])
    assert index.resolve("Xã Hóa") == Resolution("2")
    assert index.resolve("Xã Hoà") == Resolution("1")
    assert index.resolve("Xa Hoa") == Resolution(None, "ambiguous-unit")


# Resolver on the bundled tables ------------------------------------------------------------------


def test_every_census_district_name_resolves_to_its_own_code(resolver: UnitResolver) -> None:
    census = reference.districts().filter(pl.col("population").is_not_null())
    assert census.height == 712
    wrong = [
        (code, name)
        for province_code, code, name in census.select(
            "province_code", "district_code", "district_name"
        ).iter_rows()
        if resolver.district(province_code, name) != Resolution(code)
    ]
    assert wrong == []


def test_every_district_name_resolves_without_diacritics(resolver: UnitResolver) -> None:
    plain_names = reference.districts().with_columns(
        pl.col("district_name")
        .str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
        .str.replace_all("đ", "d")
        .str.replace_all("Đ", "D")
    )
    wrong = [
        (code, name)
        for province_code, code, name in plain_names.select(
            "province_code", "district_code", "district_name"
        ).iter_rows()
        if resolver.district(province_code, name) != Resolution(code)
    ]
    assert wrong == []


def test_short_district_names_resolve_except_the_shared_bases(resolver: UnitResolver) -> None:
    ambiguous = set()
    for province_code, code, name in (
        reference.districts().select("province_code", "district_code", "district_name").iter_rows()
    ):
        found = resolver.district(province_code, reference.short_name(name))
        if found != Resolution(code):
            assert found == Resolution(None, "ambiguous-unit")
            ambiguous.add(code)
    # Kỳ Anh, Cai Lậy, Duyên Hải, Cao Lãnh, Hồng Ngự, Long Mỹ: a huyện and a town of one name.
    assert ambiguous == {
        *("447", "449", "817", "820", "850", "851"),
        *("866", "873", "868", "870", "936", "937"),
    }


def test_every_province_resolves_by_official_short_and_plain_name(resolver: UnitResolver) -> None:
    for code, name, _ in reference.provinces().iter_rows():
        short = reference.short_name(name)
        assert resolver.province(name) == Resolution(code), name
        assert resolver.province(short) == Resolution(code), short
        assert resolver.province(short.upper()) == Resolution(code), short


def test_every_ward_resolves_within_its_district(resolver: UnitResolver) -> None:
    wrong = [
        ward_code
        for province_code, district_code, ward_code, name in reference.wards().iter_rows()
        if resolver.ward(province_code, district_code, name) != Resolution(ward_code)
    ]
    assert wrong == []


@pytest.mark.parametrize("alias", sorted(PROVINCE_ALIASES))
def test_province_aliases_resolve_to_their_code(resolver: UnitResolver, alias: str) -> None:
    assert resolver.province(alias) == Resolution(PROVINCE_ALIASES[alias])


@pytest.mark.parametrize(
    "text", ["TP. HCM", "TP.HCM", "Tp HCM", "TPHCM", "Thành phố Hồ Chí Minh", "ho chi minh"]
)
def test_ho_chi_minh_spellings(resolver: UnitResolver, text: str) -> None:
    assert resolver.province(text) == Resolution("79")


@pytest.mark.parametrize("text", ["Quận 1", "Q.1", "Q1", "q 1", "Quận 01", "Quan 1", "1"])
def test_numeric_district_spellings(resolver: UnitResolver, text: str) -> None:
    assert resolver.district("79", text) == Resolution("760")


def test_district_is_resolved_within_its_province_only(resolver: UnitResolver) -> None:
    assert resolver.district("93", "Vị Thanh") == Resolution("930")
    assert resolver.district("92", "Vị Thanh") == Resolution(None, "unknown-unit")


def test_ward_of_a_district_in_another_province_is_unknown(resolver: UnitResolver) -> None:
    assert resolver.ward("92", "930", "Phường I") == Resolution(None, "unknown-unit")


# Row rules: the trap fixture through the polars step -------------------------------------------


def test_trap_fixture_resolves_as_expected() -> None:
    traps = read_traps()
    inputs = traps.select("case", *UNIT_COLUMNS)
    result = resolve_units(inputs.lazy()).collect()
    assert result.height == traps.height
    assert set(result.columns) == {"case", *OUTPUT_COLUMNS, *UNIT_NUMBERS.values()}
    assert_numbers_match_codes(result)
    assert_frame_equal(
        result.select("case", *OUTPUT_COLUMNS).sort("case"),
        expected_of(traps).sort("case"),
    )


def test_trap_fixture_row_by_row_matches_the_step(resolver: UnitResolver) -> None:
    traps = read_traps()
    for row in traps.iter_rows(named=True):
        outcome = resolver.resolve(**{column: row[column] for column in UNIT_COLUMNS})
        expected = tuple(row[f"expected_{column}"] for column in OUTPUT_COLUMNS)
        got = tuple(getattr(outcome, column) for column in OUTPUT_COLUMNS)
        assert got == expected, row["case"]


def test_name_path_keeps_every_row_and_duplicate_combinations() -> None:
    frame = pl.DataFrame(
        {
            "row": list(range(7)),
            "province": [
                "Hậu Giang",
                "Hậu Giang",
                None,
                None,
                "Hau Giang",
                "Atlantis",
                "Hậu Giang",
            ],
            "district": ["Long Mỹ", "Vị Thanh", None, None, "Vi Thanh", None, "Vị Thanh"],
        }
    )
    result = resolve_units(frame.lazy()).collect().sort("row")
    expected = pl.DataFrame(
        {
            "row": list(range(7)),
            "province_code": [None, "93", None, None, "93", None, "93"],
            "district_code": [None, "930", None, None, "930", None, "930"],
            "ward_code": [None] * 7,
            "unit_problem": [
                "ambiguous-unit",
                None,
                "unknown-unit",
                "unknown-unit",
                None,
                "unknown-unit",
                None,
            ],
            "ward_unresolved": [False] * 7,
        },
        schema_overrides={"ward_code": pl.String},
    )
    assert_frame_equal(result.select(expected.columns), expected)


def test_codes_only_path_stays_lazy_and_keeps_row_count() -> None:
    traps = read_traps()
    code_rows = traps.filter(pl.all_horizontal(pl.col("province", "district", "ward").is_null()))
    assert code_rows.height >= 8
    inputs = code_rows.select("case", "province_code", "district_code", "ward_code")
    step = resolve_units(inputs.lazy())
    assert isinstance(step, pl.LazyFrame)
    plan = step.explain()
    assert "JOIN" not in plan  # per-row lookups: no join, no reordering
    result = step.collect()
    assert result.height == inputs.height
    assert_numbers_match_codes(result)
    assert_frame_equal(
        result.select("case", *OUTPUT_COLUMNS).sort("case"),
        expected_of(code_rows).sort("case"),
    )


def test_codes_only_path_agrees_with_row_rules(resolver: UnitResolver) -> None:
    wards = reference.wards()
    candidates = {
        "province_code": [None, "93", "92", "99", "24", "01", "9", "093"],
        "district_code": [None, "930", "936", "224", "999", "018", "762", "93", "0930"],
        "ward_code": [None, "31318", "31484", "00526", "99999", "526", "3131a"],
    }
    grid = (
        pl.DataFrame({"province_code": candidates["province_code"]})
        .join(pl.DataFrame({"district_code": candidates["district_code"]}), how="cross")
        .join(pl.DataFrame({"ward_code": candidates["ward_code"]}), how="cross")
        .with_row_index("row")
    )
    assert wards.filter(pl.col("ward_code") == "00526")["district_code"].item() == "018"
    result = resolve_units(grid.lazy(), resolver).collect().sort("row")
    expected = pl.DataFrame(
        [
            resolver.resolve(province_code=p, district_code=d, ward_code=w).__dict__
            for _, p, d, w in grid.iter_rows()
        ],
        schema={
            "province_code": pl.String,
            "district_code": pl.String,
            "ward_code": pl.String,
            "unit_problem": pl.String,
            "ward_unresolved": pl.Boolean,
        },
    )
    assert_frame_equal(result.select(OUTPUT_COLUMNS), expected)
    assert result.filter(pl.col("unit_problem").is_null()).height > 0
    assert_numbers_match_codes(result)


def test_absent_columns_are_filled_and_names_dropped() -> None:
    frame = pl.LazyFrame({"district_code": ["930", "760"], "declared_by": ["self", "household"]})
    result = resolve_units(frame).collect().sort("district_code")
    assert result.columns.count("ward_code") == 1
    assert result["province_code"].to_list() == ["79", "93"]
    assert result["ward_code"].dtype == pl.String
    assert result["declared_by"].to_list() == ["household", "self"]

    with_names = pl.LazyFrame({"province": ["Hậu Giang"], "ward": ["Phường I"]})
    schema = resolve_units(with_names).collect_schema()
    assert dict(schema) == {
        "province_code": pl.String,
        "district_code": pl.String,
        "ward_code": pl.String,
        "unit_problem": pl.String,
        "ward_unresolved": pl.Boolean,
        **dict.fromkeys(UNIT_NUMBERS.values(), pl.UInt32),
    }


def test_row_count_is_kept_on_a_larger_frame_with_nulls_in_keys() -> None:
    # Many rows over few combinations, nulls in every key column: the join must not add or drop.
    base = pl.DataFrame(
        {
            "province": ["Hậu Giang", None, "TP.HCM", "Hậu Giang"],
            "district_code": [None, "930", None, "999"],
            "district": ["Long Mỹ", None, "Q1", None],
            "ward": [None, "Phường I", "Bến Nghé", None],
        }
    )
    frame = pl.concat([base] * 2_500).with_row_index("row")
    result = resolve_units(frame.lazy()).collect()
    assert result.height == 10_000
    assert result["row"].n_unique() == 10_000
    counts = result.group_by("unit_problem").len().sort("unit_problem", nulls_last=True)
    assert counts.rows() == [("ambiguous-unit", 2_500), ("unknown-unit", 2_500), (None, 5_000)]
