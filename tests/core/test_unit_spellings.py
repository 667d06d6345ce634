"""Unit names as officials write them (SPEC §2.3): every abbreviation form against every unit.

The spellings are listed here, independently of `core.unit_names.PREFIXES`, so that dropping an
abbreviation from the registry fails these tests.
"""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest

from ncovi_stats import reference
from ncovi_stats.core.units import Resolution, UnitResolver

# The abbreviations officials write for each type, as they appear in exports.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "Tỉnh": ("T",),
    "Thành phố": ("TP", "Tp", "tp", "T.P"),
    "Quận": ("Q", "q"),
    "Huyện": ("H", "h"),
    "Thị xã": ("TX", "Tx", "tx", "T.X"),
    "Phường": ("P", "p"),
    "Xã": ("X", "x"),
    "Thị trấn": ("TT", "Tt", "T.T"),
}
# Between an abbreviation and the name: "Q. 1", "Q.1", "Q 1", and glued "Q1" (numbers only).
SEPARATORS = (". ", ".", " ")

SHARED_BASES = {
    # district code -> the code of the other unit of the same base name in its province
    "447": "449",
    "449": "447",
    "817": "820",
    "820": "817",
    "850": "851",
    "851": "850",
    "866": "873",
    "873": "866",
    "868": "870",
    "870": "868",
    "936": "937",
    "937": "936",
}


def without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return letters.replace("đ", "d").replace("Đ", "D")


def spellings(unit_type: str, base: str) -> set[str]:
    """Every form of one official name: full type in four cases, each abbreviation with and
    without dot and space, and for numbered units the zero-padded number and a glued form."""
    full = f"{unit_type} {base}"
    forms = {full, full.lower(), full.upper(), full.title(), without_diacritics(full)}
    for abbreviation in ABBREVIATIONS[unit_type]:
        for separator in SEPARATORS:
            forms.add(f"{abbreviation}{separator}{base}")
            forms.add(f"{abbreviation}{separator}{without_diacritics(base)}")
            forms.add(f"{abbreviation}{separator}{base}".upper())
        if base.isdigit():
            forms.add(f"{abbreviation}{base}")
            forms.add(f"{abbreviation}.{base.zfill(2)}")
    if base.isdigit():
        forms.add(f"{unit_type} {base.zfill(2)}")
    return forms


@pytest.fixture(scope="module")
def resolver() -> UnitResolver:
    return UnitResolver.bundled()


@pytest.fixture(scope="module")
def census_districts() -> pl.DataFrame:
    districts = reference.districts().filter(pl.col("population").is_not_null())
    assert districts.height == 712
    return districts


def test_every_spelling_form_of_every_census_district_resolves_to_its_code(
    resolver: UnitResolver, census_districts: pl.DataFrame
) -> None:
    tried = 0
    wrong = []
    for province_code, code, name in census_districts.select(
        "province_code", "district_code", "district_name"
    ).iter_rows():
        unit_type, base = reference.split_official(name)
        assert unit_type is not None, name
        for text in sorted(spellings(unit_type, base)):
            tried += 1
            found = resolver.district(province_code, text)
            if found != Resolution(code):
                wrong.append((code, text, found))
    assert wrong == []
    assert tried > 712 * 15  # every district in at least 15 forms


def test_shared_base_names_are_decided_by_the_abbreviated_type(
    resolver: UnitResolver, census_districts: pl.DataFrame
) -> None:
    """Two units of one base name in a province (a huyện and a thị xã/thành phố): the
    abbreviation of the type decides as the full type does; a bare name, or the abbreviation
    of a third type, stays ambiguous; never the other unit's code."""
    rows = census_districts.filter(pl.col("district_code").is_in(list(SHARED_BASES)))
    assert rows.height == 12
    for province_code, code, name in rows.select(
        "province_code", "district_code", "district_name"
    ).iter_rows():
        unit_type, base = reference.split_official(name)
        assert unit_type is not None
        for abbreviation in ABBREVIATIONS[unit_type]:
            assert resolver.district(province_code, f"{abbreviation}. {base}") == Resolution(code)
        ambiguous = Resolution(None, "ambiguous-unit")
        assert resolver.district(province_code, base) == ambiguous
        assert resolver.district(province_code, f"Q. {base}") == ambiguous
        assert resolver.district(province_code, f"Q.{without_diacritics(base)}") == ambiguous


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H. Long Mỹ", "936"),
        ("H.Long My", "936"),
        ("TX. Long Mỹ", "937"),
        ("T.X. Long Mỹ", "937"),
        ("Tx Long Mỹ", "937"),
        ("tx.long my", "937"),
        ("Long Mỹ", None),
        ("TP. Long Mỹ", None),
        ("TP. Vị Thanh", "930"),
        ("Tp Vị Thanh", "930"),
        ("Vị Thanh", "930"),
        ("H. Vị Thanh", "930"),  # the type is ignored where the base name is unique
    ],
)
def test_long_my_huyen_and_thi_xa(resolver: UnitResolver, text: str, expected: str | None) -> None:
    found = resolver.district("93", text)
    assert found == (Resolution(expected) if expected else Resolution(None, "ambiguous-unit"))


@pytest.mark.parametrize(
    "text",
    ["T. Hải Dương", "T.Hải Dương", "T Hải Dương", "t. hai duong", "T.HẢI DƯƠNG", "Tỉnh Hải Dương"],
)
def test_province_with_abbreviated_tinh(resolver: UnitResolver, text: str) -> None:
    assert resolver.province(text) == Resolution("30")


def test_every_province_in_every_abbreviated_form(resolver: UnitResolver) -> None:
    wrong = []
    for code, name, _ in reference.provinces().iter_rows():
        unit_type, base = reference.split_official(name)
        assert unit_type in {"Tỉnh", "Thành phố"}
        for text in spellings(unit_type, base):
            if resolver.province(text) != Resolution(code):
                wrong.append((code, text))
    assert wrong == []


@pytest.mark.parametrize(
    "text",
    ["Q.1", "Q1", "Q 1", "Q. 1", "q.01", "Quận 01", "QUẬN 1", "Quan 01", "Q.01", "q1"],
)
def test_ordinal_district_forms(resolver: UnitResolver, text: str) -> None:
    assert resolver.district("79", text) == Resolution("760")


@pytest.mark.parametrize(("text", "expected"), [("Q.10", "771"), ("Q 12", "761"), ("Q.2", "769")])
def test_ordinal_districts_are_not_confused(
    resolver: UnitResolver, text: str, expected: str
) -> None:
    assert resolver.district("79", text) == Resolution(expected)
    names = dict(reference.districts().select("district_code", "district_name").iter_rows())
    assert names[expected] == f"Quận {int(text.split()[-1].split('.')[-1])}"


@pytest.mark.parametrize("text", ["P.1", "P1", "P. 01", "Phường 01", "phuong 1", "P.I", "Phường I"])
def test_ordinal_ward_forms(resolver: UnitResolver, text: str) -> None:
    # Vị Thanh's Phường I (GSO code 31318) is written as a Roman numeral and as a number.
    assert resolver.ward("93", "930", text) == Resolution("31318")
