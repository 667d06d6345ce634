"""The data-quality report of SPEC §3.12, as queries over one read and the tables they make.

Rows read, accepted, rejected per reason, after the cut-off, duplicates and unresolved wards, by
source file and by district; persons with rows in two or more districts (a cause of coverage
above 100%), persons in units without a population figure, units above 100%. Only counts, codes
and unit names: never a cell value of an identity column, nor a person key.

Rows whose unit could not be resolved (`unknown-unit`, `ambiguous-unit`) are listed under no
district, whatever codes they held: a code column mapped by mistake must not reach the report.

polars and the standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from ncovi_stats.core import coverage
from ncovi_stats.core.quality import duplicates_expr, row_count_exprs
from ncovi_stats.errors import REJECT_REASONS, RejectReason

UNIT_REASONS: tuple[str, ...] = (RejectReason.UNKNOWN_UNIT.value, RejectReason.AMBIGUOUS_UNIT.value)
DISTRICT_KEYS: tuple[str, ...] = ("province_code", "district_code")
ROW_COUNT_COLUMNS: tuple[str, ...] = (
    "read",
    "accepted",
    "rejected",
    *REJECT_REASONS,
    "after_cutoff",
    "duplicates",
    "unresolved_wards",
)


def _counts(cutoff: datetime | None) -> list[pl.Expr]:
    """The row counts of each group, its duplicates (per person, within the group) included."""
    return [*row_count_exprs(cutoff), duplicates_expr()]


def _with_rejected(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.with_columns(pl.sum_horizontal(REJECT_REASONS).alias("rejected"))


def by_source_query(normalised: pl.LazyFrame, cutoff: datetime | None) -> pl.LazyFrame:
    """Row counts per source file (per sheet for .xlsx)."""
    return _with_rejected(
        normalised.group_by(pl.col("_source_file").alias("source_file")).agg(_counts(cutoff))
    )


def by_district_rows_query(normalised: pl.LazyFrame, cutoff: datetime | None) -> pl.LazyFrame:
    """Row counts per (province, district) of the row; unresolved units under none."""
    resolved = ~pl.col("reject_reason").is_in(UNIT_REASONS).fill_null(False)
    keyed = normalised.with_columns(
        pl.when(resolved).then(pl.col(name)).alias(name) for name in DISTRICT_KEYS
    )
    return _with_rejected(keyed.group_by(*DISTRICT_KEYS).agg(_counts(cutoff)))


def persons_by_district_query(accepted: pl.LazyFrame, first: pl.LazyFrame) -> pl.LazyFrame:
    """Persons counted per (province, district) of their first row, and those among them with
    accepted rows (at or before the cut-off) in two or more districts."""
    spread = accepted.group_by("person_key").agg(
        pl.col("district_code").drop_nulls().n_unique().alias("districts")
    )
    return (
        first.select("person_key", *DISTRICT_KEYS)
        .join(spread, on="person_key", how="left")
        .group_by(*DISTRICT_KEYS)
        .agg(
            pl.len().cast(pl.Int64).alias("persons_counted"),
            (pl.col("districts") >= 2).sum().cast(pl.Int64).alias("persons_in_several_districts"),
        )
    )


def district_table(
    rows: pl.DataFrame,
    persons: pl.DataFrame,
    *,
    names: pl.DataFrame,
    population: pl.DataFrame,
) -> pl.DataFrame:
    """One record per district met in the rows (and per province for rows without a district),
    with its row counts, persons, population and coverage; sorted by code, none last.

    `names` has province_code, province_name, district_code, district_name; `population` has
    level, code, population, population_source (as `io.read.population.load_population`).
    """
    figures = population.filter(pl.col("level") == "district").select(
        pl.col("code").alias("district_code"), "population"
    )
    province_names = names.select("province_code", "province_name").unique()
    district_names = names.select("district_code", "district_name")
    table = (
        rows.join(persons, on=list(DISTRICT_KEYS), how="full", coalesce=True, nulls_equal=True)
        .join(province_names, on="province_code", how="left")
        .join(district_names, on="district_code", how="left")
        .join(figures, on="district_code", how="left")
        .with_columns(
            pl.col(ROW_COUNT_COLUMNS).fill_null(0).cast(pl.Int64),
            pl.col("persons_counted", "persons_in_several_districts").fill_null(0),
        )
        .with_columns(
            pl.when(pl.col("district_code").is_not_null())
            .then(pl.col("persons_counted") * 100 / pl.col("population"))
            .alias("coverage_pct")
        )
        .with_columns((pl.col("coverage_pct") > 100).alias("over_100"))
    )
    return table.select(
        "province_code",
        "province_name",
        "district_code",
        "district_name",
        *ROW_COUNT_COLUMNS,
        "persons_counted",
        "persons_in_several_districts",
        "population",
        "coverage_pct",
        "over_100",
    ).sort("province_code", "district_code", nulls_last=True)


def source_table(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(
        "source_file", *(pl.col(name).cast(pl.Int64) for name in ROW_COUNT_COLUMNS)
    ).sort("source_file")


def unit_records(
    counts: pl.DataFrame,
    *,
    units: dict[str, pl.DataFrame],
    population: pl.DataFrame,
) -> dict[str, pl.DataFrame]:
    """Coverage records of each level over every province with counted persons."""
    scope: Sequence[str] = coverage.scope_provinces(counts, None)
    return {
        level: coverage.coverage_records(
            counts, level=level, units=frame, population=population, scope=scope
        )
        for level, frame in units.items()
    }


def units_over_100(records: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Units whose coverage is above 100%, province level first, highest first."""
    frames = [
        frame.filter(pl.col("over_100")).select(
            pl.lit(level).alias("level"),
            pl.col(coverage.unit_code(level)).alias("code"),
            pl.col(coverage.NAME_OF[coverage.unit_code(level)]).alias("name"),
            "persons_counted",
            "population",
            "coverage_pct",
        )
        for level, frame in records.items()
    ]
    return pl.concat(frames, how="vertical")


def persons_without_population(records: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Persons counted in units of each level that have no population figure."""
    return {
        level: int(frame.filter(pl.col("population").is_null())["persons_counted"].sum())
        for level, frame in records.items()
    }
