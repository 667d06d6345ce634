"""The row step that turns unit codes and names into the GSO codes of 2020 (SPEC §2.3, §3.2),
over a frame; one name is resolved by `core.units.UnitResolver`.

Rules of the row step `resolve_units` (the codes win over names):
- a province code must be one of the 63; a province name must resolve; without either, the
  province is the one of a known district code; otherwise the row has `unknown-unit`;
- a district code must be a known district of that province; a district name must resolve within
  it; a district that cannot be resolved is `unknown-unit` (or `ambiguous-unit`);
- a ward (code or name) that is not a ward of that district in the legacy list, or given without a
  district, is `ward_unresolved`: the row is kept for province and district figures and its
  ward_code is null. A district is never derived from a ward code;
- when a code and a name are both given, the name is not read at all (an inconsistent name is
  not reported; a bad code is not rescued by a good name).
On a row with a `unit_problem`, the code columns hold the codes as given (null where only a name
was given), for the rejects file, and `ward_unresolved` is false.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from ncovi_stats.core.units import (
    CODE_COLUMNS,
    NAME_COLUMNS,
    UNIT_COLUMNS,
    UNKNOWN,
    UnitResolver,
)
from ncovi_stats.core.values import code_number, padded_codes
from ncovi_stats.schema import CODE_WIDTH

RESOLVED_SCHEMA: dict[str, pl.DataType] = {
    "province_code": pl.String(),
    "district_code": pl.String(),
    "ward_code": pl.String(),
    "unit_problem": pl.String(),
    "ward_unresolved": pl.Boolean(),
}


def resolve_units(lf: pl.LazyFrame, resolver: UnitResolver | None = None) -> pl.LazyFrame:
    """Unit columns to canonical codes, with `unit_problem` and `ward_unresolved` (SPEC §2.3).

    Input: any of province_code, province, district_code, district, ward_code, ward (text, stripped,
    codes zero-padded). Output: the same rows (order not kept) with the three code columns
    resolved, the name columns dropped, and `unit_problem` (null, "unknown-unit" or
    "ambiguous-unit") and `ward_unresolved` (Boolean) added.

    With code columns only this stays lazy (per-row lookups of the codes' numbers). With name columns,
    the distinct combinations of the unit columns are collected once, resolved once each, and
    joined back on all of them (null-safe, one match per row).
    """
    resolver = resolver or UnitResolver.bundled()
    present = [column for column in UNIT_COLUMNS if column in lf.collect_schema()]
    missing_codes = [column for column in CODE_COLUMNS if column not in present]
    lf = lf.with_columns(
        pl.col(present).cast(pl.String),
        *(pl.lit(None, dtype=pl.String).alias(column) for column in missing_codes),
    )
    if any(column in present for column in NAME_COLUMNS):
        return _resolve_by_distinct_values(lf, present, resolver).with_columns(unit_numbers())
    return _resolve_codes(lf, resolver)


def _parents(mapping: Mapping[str, str], width: int) -> pl.Series:
    """`mapping` (code -> parent code) as a column indexed by the code's number: the parent's
    number, null for codes not in `mapping`; one more null for a missing code."""
    table: list[int | None] = [None] * (10**width + 1)
    for code, parent in mapping.items():
        table[int(code)] = int(parent)
    return pl.Series(table, dtype=pl.UInt32)


def known_codes(level: str) -> list[str]:
    """The bundled codes of `level` (province, district, ward), in order."""
    resolver = UnitResolver.bundled()
    codes = {
        "province": resolver.province_codes,
        "district": resolver.district_provinces,
        "ward": resolver.ward_districts,
    }[level]
    return sorted(codes)


# The numbers of the resolved codes (`code_number`) beside the codes, for counting persons:
# `core.persons.first_places` orders and groups by them without parsing text. Only the code-only
# path gives them; `unit_numbers` adds them elsewhere.
UNIT_NUMBERS: dict[str, str] = {
    "province_code": "_province_number",
    "district_code": "_district_number",
    "ward_code": "_ward_number",
}


def unit_numbers() -> list[pl.Expr]:
    """`UNIT_NUMBERS` from the code columns."""
    return [
        code_number(pl.col(column), column.removesuffix("_code")).alias(number)
        for column, number in UNIT_NUMBERS.items()
    ]


def _resolve_codes(lf: pl.LazyFrame, resolver: UnitResolver) -> pl.LazyFrame:
    """The code-only rules as per-row lookups in the code tables (no join: rows stay in place).

    Each code is looked up once, as its number (`code_number`); the rules then compare numbers
    (a province's, a district's province, a ward's district, gathered from tables indexed by
    number). Ward codes are unique nationally, so "ward in its district" is the ward's district
    equal to the row's district.
    """
    province_code, district_code, ward_code = (pl.col(column) for column in CODE_COLUMNS)
    province, district, ward = (pl.col(f"__{level}") for level in ("province", "district", "ward"))
    known_provinces = {code: code for code in resolver.province_codes}  # a known one: itself
    numbers = {
        "__province": pl.lit(_parents(known_provinces, CODE_WIDTH["province"])).gather(
            code_number(province_code, "province").fill_null(10 ** CODE_WIDTH["province"])
        ),
        "__district": code_number(district_code, "district"),
        "__ward": code_number(ward_code, "ward"),
    }
    district_province = pl.lit(
        _parents(resolver.district_provinces, CODE_WIDTH["district"])
    ).gather(district.fill_null(10 ** CODE_WIDTH["district"]))
    ward_district = pl.lit(_parents(resolver.ward_districts, CODE_WIDTH["ward"])).gather(
        ward.fill_null(10 ** CODE_WIDTH["ward"])
    )
    resolved_province = pl.coalesce(province, pl.col("__district_province"))
    problem = (
        pl.when(province_code.is_not_null() & province.is_null())
        .then(pl.lit(UNKNOWN))
        .when(resolved_province.is_null())
        .then(pl.lit(UNKNOWN))
        .when(
            district_code.is_not_null()
            & (
                pl.col("__district_province").is_null()
                | (pl.col("__district_province") != resolved_province)
            )
        )
        .then(pl.lit(UNKNOWN))
    )
    ward_in_district = (pl.col("__ward_district") == district).fill_null(False)
    accepted = pl.col("unit_problem").is_null()
    province_text = pl.lit(padded_codes(CODE_WIDTH["province"])).gather(
        pl.col("__district_province").fill_null(10 ** CODE_WIDTH["province"])
    )
    return (
        lf.with_columns(**numbers)
        .with_columns(
            district_province.alias("__district_province"),
            ward_district.alias("__ward_district"),
        )
        .with_columns(problem.alias("unit_problem"))
        .with_columns(
            pl.when(accepted)
            .then(pl.coalesce(province_code, province_text))
            .otherwise(province_code)
            .alias("province_code"),
            pl.when(accepted & ~ward_in_district)
            .then(None)
            .otherwise(ward_code)
            .alias("ward_code"),
            (accepted & ward_code.is_not_null() & ~ward_in_district).alias("ward_unresolved"),
            resolved_province.alias(UNIT_NUMBERS["province_code"]),
            district.alias(UNIT_NUMBERS["district_code"]),
            pl.when(ward_in_district).then(ward).alias(UNIT_NUMBERS["ward_code"]),
        )
        .drop("__province", "__district", "__ward", "__district_province", "__ward_district")
    )


def _resolve_by_distinct_values(
    lf: pl.LazyFrame, present: list[str], resolver: UnitResolver
) -> pl.LazyFrame:
    combinations = lf.select(present).unique().collect()
    outcomes = [
        resolver.resolve(**dict(zip(present, values, strict=True)))
        for values in combinations.iter_rows()
    ]
    resolved = pl.DataFrame(
        {
            f"__{column}": [getattr(outcome, column) for outcome in outcomes]
            for column in RESOLVED_SCHEMA
        },
        schema={f"__{column}": dtype for column, dtype in RESOLVED_SCHEMA.items()},
    )
    mapping = pl.concat([combinations, resolved], how="horizontal")
    return (
        lf.join(mapping.lazy(), on=present, how="left", nulls_equal=True, validate="m:1")
        .drop(*CODE_COLUMNS, *(column for column in NAME_COLUMNS if column in present))
        .rename({f"__{column}": column for column in RESOLVED_SCHEMA})
    )
