"""Breakdowns of counted persons (SPEC §3.11) by the declared_by or channel of their first row,
and rows vs persons: accepted rows at or before the cut-off of the persons counted in a unit."""

from __future__ import annotations

import polars as pl

from ncovi_stats.core.passes import HasFirst, PersonQuery, summed
from ncovi_stats.core.persons import first_rows_counted
from ncovi_stats.schema import CHANNEL_ORDER, DECLARED_BY_ORDER

ROWS_COLUMN = "rows_of_persons_counted"
UNKNOWN = "unknown"
# The values of each split, in the order of SPEC §2.1; an empty value is `unknown`.
SPLITS: dict[str, tuple[str, ...]] = {
    "declared_by": DECLARED_BY_ORDER,
    "channel": CHANNEL_ORDER,
}


def split_columns(by: str) -> list[str]:
    """Column names of a split, e.g. persons_declared_by_self, …, persons_declared_by_unknown."""
    return [f"persons_{by}_{value}" for value in (*SPLITS[by], UNKNOWN)]


def first_rows_with_row_counts(frames: HasFirst, by: str | None = None) -> pl.LazyFrame:
    """One row per person: their first row's time and unit (SPEC §3.3), the value of `by` in
    it, and `rows`, their accepted rows. Without `by`, the first places when they count rows
    (`persons.first_places`, read from exports); else from the accepted rows
    (`persons.first_rows_counted`: a minimum and a count per person, which stream)."""
    if by is None and "rows" in frames.first.collect_schema():
        return frames.first
    return first_rows_counted(frames.accepted)


def counts_with_rows(first: pl.LazyFrame, by: str | None = None) -> pl.LazyFrame:
    """Persons and their rows per (province, district, ward); persons per split value with `by`."""
    splits: list[pl.Expr] = []
    if by is not None:
        values = SPLITS[by]
        names = split_columns(by)
        splits = [
            (pl.col(by) == value).fill_null(False).sum().cast(pl.Int64).alias(name)
            for value, name in zip(values, names, strict=False)
        ]
        splits.append(pl.col(by).is_null().sum().cast(pl.Int64).alias(names[-1]))
    return first.group_by("province_code", "district_code", "ward_code").agg(
        pl.len().cast(pl.Int64).alias("persons_counted"),
        pl.col("rows").sum().cast(pl.Int64).alias(ROWS_COLUMN),
        *splits,
    )


def with_rows_per_person(records: pl.DataFrame) -> pl.DataFrame:
    """rows_per_person = rows of the persons counted / those persons; empty when none."""
    return records.with_columns(
        pl.when(pl.col("persons_counted") > 0)
        .then(pl.col(ROWS_COLUMN) / pl.col("persons_counted"))
        .alias("rows_per_person")
    )


def unresolved_wards_by_district(accepted: pl.LazyFrame) -> pl.LazyFrame:
    """Accepted rows whose ward could not be resolved, per province and district."""
    return (
        accepted.filter(pl.col("ward_unresolved"))
        .group_by("province_code", "district_code")
        .agg(pl.len().cast(pl.Int64).alias("rows"))
    )


# A sum over rows, each in the part of its person: a query that may be counted in parts.
UNRESOLVED_WARDS_BY_DISTRICT = PersonQuery(
    lambda frames: unresolved_wards_by_district(frames.accepted),
    summed("province_code", "district_code"),
    reads_rows=True,
)
