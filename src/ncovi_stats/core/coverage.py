"""Coverage per unit (SPEC §3.4, §3.5, §3.6 persons_needed), exact integer arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import polars as pl

from ncovi_stats.core.passes import PersonQuery, summed

# The key columns of each level, outermost first.
LEVEL_KEYS: dict[str, tuple[str, ...]] = {
    "province": ("province_code",),
    "district": ("province_code", "district_code"),
    "ward": ("province_code", "district_code", "ward_code"),
}
NAME_OF: dict[str, str] = {
    "province_code": "province_name",
    "district_code": "district_name",
    "ward_code": "ward_name",
}


def unit_code(level: str) -> str:
    return LEVEL_KEYS[level][-1]


def unit_columns(level: str) -> list[str]:
    """Code and name columns of a level, outermost first (SPEC §4.1 order)."""
    return [name for key in LEVEL_KEYS[level] for name in (key, NAME_OF[key])]


def count_by_unit(first: pl.LazyFrame) -> pl.LazyFrame:
    """Persons per (province, district, ward) of their first row; the base of every level."""
    return first.group_by("province_code", "district_code", "ward_code").agg(
        pl.len().cast(pl.Int64).alias("persons_counted")
    )


# `count_by_unit` as a query of `api.read.read`, which may count it in parts (`core.passes`).
PERSONS_BY_UNIT = PersonQuery(
    lambda frames: count_by_unit(frames.first), summed(*LEVEL_KEYS["ward"])
)


def persons_needed(target: Decimal, population: int, persons: int) -> int:
    """ceil(target × population / 100) − persons, exactly, never below 0."""
    fraction = Fraction(target) * population / 100
    needed = -((-fraction.numerator) // fraction.denominator)
    return max(needed - persons, 0)


def half_up_hundredths(persons: int, population: int) -> int:
    """100 × persons / population in hundredths of a percent, rounded half up."""
    return (20000 * persons + population) // (2 * population)


def hundredths_half_up(value: Fraction) -> int:
    """An exact value in hundredths, rounded half up (away from zero for negatives):
    percentage points, differences of coverage, ratios."""
    scaled = abs(value) * 100
    rounded = int(scaled + Fraction(1, 2))
    return rounded if value >= 0 else -rounded


def scope_provinces(counts: pl.DataFrame, provinces: Sequence[str] | None) -> list[str]:
    """Provinces named by `--province`, else those in which persons are counted."""
    if provinces:
        return sorted(set(provinces))
    return sorted(counts.filter(pl.col("persons_counted") > 0)["province_code"].unique().to_list())


def coverage_records(
    counts: pl.DataFrame,
    *,
    level: str,
    units: pl.DataFrame,
    population: pl.DataFrame,
    scope: Sequence[str],
    target: Decimal | None = None,
) -> pl.DataFrame:
    """One record per unit of `level` in `scope`, sorted by coverage (highest first), then code.

    `counts` comes from `count_by_unit`; `units` lists the known units of the level with their
    names (code and name columns of `unit_columns(level)`); `population` has `level, code,
    population, population_source`.
    """
    keys = list(LEVEL_KEYS[level])
    code = keys[-1]
    counted = (
        counts.filter(pl.col(code).is_not_null())
        .group_by(keys)
        .agg(pl.col("persons_counted").sum())
    )
    figures = population.filter(pl.col("level") == level).select(
        pl.col("code").alias(code), "population", "population_source"
    )
    in_scope = pl.col("province_code").is_in(list(scope))
    with_figure = units.filter(in_scope).join(figures, on=code, how="inner").select(keys)
    listed = pl.concat([with_figure, counted.filter(in_scope).select(keys)]).unique()
    records = (
        listed.join(units, on=keys, how="left")
        .join(figures, on=code, how="left")
        .join(counted, on=keys, how="left")
        .with_columns(pl.col("persons_counted").fill_null(0))
        .with_columns(
            (pl.col("persons_counted") * 100 / pl.col("population")).alias("coverage_pct"),
        )
        .with_columns((pl.col("coverage_pct") > 100).alias("over_100"))
        .select(
            *unit_columns(level),
            "population",
            "population_source",
            "persons_counted",
            "coverage_pct",
            "over_100",
        )
    )
    if target is not None:
        needed = [
            None if population is None else persons_needed(target, population, persons)
            for population, persons in zip(
                records["population"].to_list(), records["persons_counted"].to_list(), strict=True
            )
        ]
        records = records.with_columns(
            pl.lit(float(target)).alias("target_pct"),
            pl.Series("persons_needed", needed, dtype=pl.Int64),
        )
    return records.sort(["coverage_pct", code], descending=[True, False], nulls_last=True)
