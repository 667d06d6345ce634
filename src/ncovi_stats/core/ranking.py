"""Ranking of units (SPEC §3.8): exact comparisons, change over the last 24 hours."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction

import polars as pl

from ncovi_stats.core.cutoff import ONE_DAY
from ncovi_stats.core.passes import PersonQuery, summed
from ncovi_stats.core.values import TIME_UNIT

DAY_BEFORE_COLUMN = "persons_counted_day_before"
ORDERS: tuple[str, ...] = ("coverage", "persons")


def counts_with_day_before(first: pl.LazyFrame, cutoff: datetime | None) -> pl.LazyFrame:
    """Persons per (province, district, ward) at the cut-off and at the cut-off minus 24 hours.

    A person's first row at or before an earlier instant t is their first row at the cut-off
    whenever that row is at or before t (rows are ordered by time first), so both counts come
    from the same first rows. `cutoff` is None only when no row is accepted (nothing to rank).
    """
    before = pl.lit(None if cutoff is None else cutoff - ONE_DAY, pl.Datetime(TIME_UNIT))
    return first.group_by("province_code", "district_code", "ward_code").agg(
        pl.len().cast(pl.Int64).alias("persons_counted"),
        (pl.col("declared_at") <= before)
        .fill_null(False)
        .sum()
        .cast(pl.Int64)
        .alias(DAY_BEFORE_COLUMN),
    )


# `counts_with_day_before` as a query of `api.read.read`, which may count it in parts.
COUNTS_WITH_DAY_BEFORE = PersonQuery(
    lambda frames: counts_with_day_before(frames.first, frames.cutoff),
    summed("province_code", "district_code", "ward_code"),
)


def _sort_key(
    order_by: str, persons: int, population: int | None, code: str
) -> tuple[object, ...] | None:
    """Smaller ranks first; None when the unit cannot be ranked (no population figure)."""
    if order_by == "persons":
        return (-persons, code)
    if not population:
        return None
    return (-Fraction(persons, population), code)


def ranks(
    persons: Sequence[int], populations: Sequence[int | None], codes: Sequence[str], order_by: str
) -> list[int | None]:
    """1 for the first unit, ties broken by lower code; None for units that cannot be ranked."""
    keys = [
        _sort_key(order_by, p, pop, c)
        for p, pop, c in zip(persons, populations, codes, strict=True)
    ]
    ranked = sorted((key, index) for index, key in enumerate(keys) if key is not None)
    result: list[int | None] = [None] * len(keys)
    for position, (_, index) in enumerate(ranked, start=1):
        result[index] = position
    return result


def rank_records(records: pl.DataFrame, *, code: str, order_by: str) -> pl.DataFrame:
    """`records` with persons_counted, the day-before count and population, ranked.

    Adds rank, change_pp (percentage points over 24 hours) and rank_change (previous rank −
    rank; empty when the unit had no persons a day earlier); sorted by rank, unranked last.
    """
    if order_by not in ORDERS:
        raise ValueError(f"unknown order {order_by!r}")
    now = records["persons_counted"].to_list()
    before = records[DAY_BEFORE_COLUMN].to_list()
    populations = records["population"].to_list()
    codes = records[code].to_list()
    current = ranks(now, populations, codes, order_by)
    previous = ranks(before, populations, codes, order_by)
    rank_change = [
        None if (b == 0 or r is None or p is None) else p - r
        for r, p, b in zip(current, previous, before, strict=True)
    ]
    return (
        records.with_columns(
            pl.Series("rank", current, dtype=pl.Int64),
            pl.Series("rank_change", rank_change, dtype=pl.Int64),
            (
                (pl.col("persons_counted") - pl.col(DAY_BEFORE_COLUMN)) * 100 / pl.col("population")
            ).alias("change_pp"),
        )
        .select(
            "rank",
            pl.exclude("rank", "change_pp", "rank_change", DAY_BEFORE_COLUMN),
            "change_pp",
            "rank_change",
            DAY_BEFORE_COLUMN,
        )
        .sort(["rank", code], nulls_last=True)
    )
