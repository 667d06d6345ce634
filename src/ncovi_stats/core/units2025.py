"""Province figures re-aggregated to the 34 provinces of the 2025 reform (SPEC §3.9).

Persons and populations of the 63 legacy provinces are summed into the province each became part
of, then divided: a merged coverage is never an average of percentages.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ncovi_stats import reference
from ncovi_stats.errors import UsageError

UNITS_VINTAGE = 2025
# How a merged province is named (SPEC §4.1 values stay Vietnamese; the English twin is a label).
MERGED_NAME: dict[str, str] = {
    "vi": "{name} (gồm {parts} cũ)",
    "en": "{name} (merged from former {parts})",
}


def check_level(level: str) -> None:
    """`--units 2025` exists at province level only: districts no longer exist since July 2025."""
    if level != "province":
        raise UsageError(
            f"--units 2025 works at province level only: since 1 July 2025 Vietnam has no "
            f"districts, so {level} figures have no 2025 unit; drop --units or use --level province."
        )


def merged_provinces() -> pl.DataFrame:
    """The 34 provinces: province_code, province_name (vi), province_name_en, merged_province_codes.

    A province made of several legacy provinces is named with them, in code order:
    "Thành phố Cần Thơ (gồm Cần Thơ, Hậu Giang, Sóc Trăng cũ)"; one that kept its borders keeps
    its plain name.
    """
    merger = reference.merger_2025().sort("new_province_code", "old_province_code")
    rows = []
    for (code, name), group in merger.group_by(
        "new_province_code", "new_province_name", maintain_order=True
    ):
        # the province whose code the new one keeps first, then the others by code
        members = sorted(
            zip(group["old_province_code"], group["old_province_name"], strict=True),
            key=lambda member: (member[0] != code, member[0]),
        )
        olds = [old for old, _ in members]
        parts = ", ".join(reference.short_name(old_name) for _, old_name in members)
        single = len(olds) == 1
        rows.append(
            {
                "province_code": code,
                "province_name": name
                if single
                else MERGED_NAME["vi"].format(name=name, parts=parts),
                "province_name_en": name
                if single
                else MERGED_NAME["en"].format(name=name, parts=parts),
                "merged_province_codes": ",".join(olds),
            }
        )
    return pl.DataFrame(rows).sort("province_code")


def legacy_to_2025() -> pl.DataFrame:
    """old province_code -> province_code_2025, one row per legacy province (63)."""
    return reference.merger_2025().select(
        pl.col("old_province_code").alias("province_code"),
        pl.col("new_province_code").alias("province_code_2025"),
    )


def scope_2025(legacy_scope: Sequence[str]) -> list[str]:
    """The 2025 provinces that hold any of the legacy provinces in scope."""
    mapping = legacy_to_2025()
    return sorted(
        set(mapping.filter(pl.col("province_code").is_in(list(legacy_scope)))["province_code_2025"])
    )


def to_2025(records: pl.DataFrame, sum_columns: Sequence[str]) -> pl.DataFrame:
    """Province records of all 63 legacy provinces summed into the 34 of 2025.

    `records` has `province_code`, `population`, `population_source` and the integer
    `sum_columns`; the population of a 2025 province is empty when one of its parts has none.
    Returns province_code, province_name, province_name_en, merged_province_codes, population,
    population_source, the summed columns and units_vintage; sorted by code.
    """
    summed = (
        records.join(legacy_to_2025(), on="province_code", how="inner")
        .group_by("province_code_2025")
        .agg(
            pl.when(pl.col("population").null_count() == 0)
            .then(pl.col("population").sum())
            .alias("population"),
            pl.col("population_source").drop_nulls().unique().sort().str.join("+"),
            *(pl.col(name).sum() for name in sum_columns),
        )
        .rename({"province_code_2025": "province_code"})
    )
    return (
        merged_provinces()
        .join(summed, on="province_code", how="inner")
        .with_columns(pl.lit(UNITS_VINTAGE, pl.Int64).alias("units_vintage"))
        .sort("province_code")
    )
