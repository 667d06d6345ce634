"""Counts per (province, district, ward) summed to a level and joined to listed units."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ncovi_stats.core.coverage import LEVEL_KEYS, unit_code


def sums_by_level(counts: pl.DataFrame, level: str, columns: Sequence[str]) -> pl.DataFrame:
    """`columns` summed per unit of `level`; rows without a unit of that level are left out."""
    keys = list(LEVEL_KEYS[level])
    return (
        counts.filter(pl.col(unit_code(level)).is_not_null())
        .group_by(keys)
        .agg(pl.col(name).sum() for name in columns)
    )


def add_sums(
    records: pl.DataFrame, counts: pl.DataFrame, level: str, columns: Sequence[str]
) -> pl.DataFrame:
    """`records` (one per listed unit) with `columns` summed from `counts`, zeros where none."""
    if not columns:
        return records
    keys = list(LEVEL_KEYS[level])
    sums = sums_by_level(counts, level, columns)
    return records.join(sums, on=keys, how="left", nulls_equal=True).with_columns(
        pl.col(name).fill_null(0) for name in columns
    )


def with_coverage(records: pl.DataFrame) -> pl.DataFrame:
    """coverage_pct and over_100 from persons_counted and population (SPEC §3.5)."""
    return records.with_columns(
        (pl.col("persons_counted") * 100 / pl.col("population")).alias("coverage_pct")
    ).with_columns((pl.col("coverage_pct") > 100).alias("over_100"))


def unplaced_persons(counts: pl.DataFrame, level: str, scope: Sequence[str]) -> int:
    """Persons counted in scope whose first row has no unit of `level`."""
    in_scope = counts.filter(pl.col("province_code").is_in(list(scope)))
    return int(in_scope.filter(pl.col(unit_code(level)).is_null())["persons_counted"].sum())
