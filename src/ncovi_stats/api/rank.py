"""`rank`: units in scope ordered by coverage or persons, with the change over 24 hours (§3.8)."""

from __future__ import annotations

from typing import Any

import polars as pl

from ncovi_stats.api.listing import check_units, list_units, units_meta, ward_meta
from ncovi_stats.api.read import describe, read
from ncovi_stats.api.request import Query, Read, Request, Result
from ncovi_stats.core import breakdown, coverage, ranking
from ncovi_stats.core.cutoff import ONE_DAY, iso_with_offset
from ncovi_stats.io.read.population import load_population


def default_level(request: Request) -> str:
    """Provinces, or the districts of the provinces named by --province."""
    return "district" if request.provinces else "province"


def rank_report(
    request: Request,
    *,
    level: str | None = None,
    order_by: str = "coverage",
    units: int | None = None,
) -> Result:
    """Ranked units with rank, population, persons_counted, coverage_pct, change_pp, rank_change."""
    level = level or default_level(request)
    check_units(level, units)
    if order_by not in ranking.ORDERS:
        raise ValueError(f"unknown order {order_by!r}")
    population = load_population(request.population_file)
    done = read(request, *rank_queries(level), needs_cutoff=True)
    return rank_assemble(
        done, request, level=level, order_by=order_by, units=units, population=population
    )


def rank_queries(level: str) -> list[Query]:
    """The queries `rank_assemble` needs, to collect with others in one `api.read.read`."""
    queries: list[Query] = [ranking.COUNTS_WITH_DAY_BEFORE]
    if level == "ward":
        queries.append(breakdown.UNRESOLVED_WARDS_BY_DISTRICT)
    return queries


def rank_assemble(
    done: Read,
    request: Request,
    *,
    level: str,
    order_by: str = "coverage",
    units: int | None = None,
    population: pl.DataFrame,
) -> Result:
    """`rank_report` from the frames of `rank_queries(level)` (read with needs_cutoff=True)."""
    counts, cutoff = done.frames[0], done.cutoff
    listing = list_units(
        counts,
        level=level,
        population=population,
        provinces=request.provinces,
        sum_columns=[ranking.DAY_BEFORE_COLUMN],
        units=units,
        units_in_force=done.units_in_force,
    )
    records = ranking.rank_records(
        listing.records, code=coverage.unit_code(level), order_by=order_by
    )
    extra = ward_meta(level, done.frames, 1, listing.scope)
    meta = describe(
        "rank",
        request,
        level=level,
        cutoff=cutoff,
        scope=listing.scope,
        records=records,
        rows=done.rows,
        order_by=order_by,
        compared_with=iso_with_offset(cutoff - ONE_DAY),
        ranked_units=int(records["rank"].count()),
        persons_without_unit_of_level=listing.unplaced,
        **units_meta(listing, units),
        **extra,
    )
    return Result(records=records, cutoff=cutoff, meta=meta)


def leader(records: pl.DataFrame) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """The first ranked unit and the runner-up (None when only one is ranked)."""
    ranked = records.filter(pl.col("rank").is_not_null()).sort("rank")
    if ranked.height == 0:
        return None
    rows = ranked.head(2).to_dicts()
    return rows[0], (rows[1] if len(rows) > 1 else None)
