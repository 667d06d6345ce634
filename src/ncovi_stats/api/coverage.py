"""Coverage per unit (SPEC §3.1–§3.5): `coverage_report`, the plain province and district table,
and `coverage_view`, what the `coverage` command calls: that table, or the views beyond it (ward
level with rows, `--split-by`, `--units 2025`).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from ncovi_stats.api.listing import check_units, list_units, units_meta, ward_meta
from ncovi_stats.api.read import describe, read
from ncovi_stats.api.request import Request, Result
from ncovi_stats.core import breakdown, coverage
from ncovi_stats.core.passes import PersonQuery, summed
from ncovi_stats.core.totals import listing_totals
from ncovi_stats.errors import UsageError
from ncovi_stats.io.read.population import load_population


def coverage_report(request: Request, *, level: str, target: Decimal | None = None) -> Result:
    """Coverage per unit of `level` at the cut-off (SPEC §3.1–§3.5)."""
    population = load_population(request.population_file)  # a bad file fails before the read
    done = read(request, coverage.PERSONS_BY_UNIT)
    (counts,), rows, cutoff = done.frames, done.rows, done.cutoff
    scope = coverage.scope_provinces(counts, request.provinces)
    records = coverage.coverage_records(
        counts,
        level=level,
        units=done.units(level),
        population=done.population(population),
        scope=scope,
        target=target,
    )
    in_scope = counts.filter(pl.col("province_code").is_in(scope))
    unplaced = in_scope.filter(pl.col(coverage.unit_code(level)).is_null())["persons_counted"].sum()
    meta = describe(
        "coverage",
        request,
        level=level,
        cutoff=cutoff,
        scope=scope,
        records=records,
        rows=rows,
        persons_counted_in_scope=int(in_scope["persons_counted"].sum()),
        persons_without_unit_of_level=int(unplaced),
        totals=listing_totals(
            records,
            level=level,
            population=population,
            scope=scope,
            persons_in_scope=int(in_scope["persons_counted"].sum()),
        ),
        target_pct=None if target is None else float(target),
    )
    return Result(records=records, cutoff=cutoff, meta=meta)


def check_split(split_by: str | None) -> None:
    if split_by is not None and split_by not in breakdown.SPLITS:
        raise UsageError(
            f"--split-by '{split_by}' is not known; use one of {', '.join(breakdown.SPLITS)}."
        )


def coverage_view(
    request: Request,
    *,
    level: str,
    target: Decimal | None = None,
    split_by: str | None = None,
    units: int | None = None,
) -> Result:
    """Coverage per unit; ward level, a split or 2025 units add rows vs persons (SPEC §3.11)."""
    check_units(level, units)
    check_split(split_by)
    units = None if units == 2020 else units
    if level != "ward" and split_by is None and units is None:
        return coverage_report(request, level=level, target=target)
    population = load_population(request.population_file)
    queries = [
        PersonQuery(
            lambda frames: breakdown.counts_with_rows(
                breakdown.first_rows_with_row_counts(frames, split_by), split_by
            ),
            summed(*coverage.LEVEL_KEYS["ward"]),
            reads_rows=True,
        )
    ]
    if level == "ward":
        queries.append(breakdown.UNRESOLVED_WARDS_BY_DISTRICT)
    done = read(request, *queries)
    counts = done.frames[0]
    sum_columns = [breakdown.ROWS_COLUMN]
    if split_by is not None:
        sum_columns += breakdown.split_columns(split_by)
    listing = list_units(
        counts,
        level=level,
        population=population,
        provinces=request.provinces,
        sum_columns=sum_columns,
        units=units,
        target=target,
    )
    records = breakdown.with_rows_per_person(listing.records)
    extra = ward_meta(level, done.frames, 1, listing.scope)
    in_scope = int(
        counts.filter(counts["province_code"].is_in(listing.legacy_scope))["persons_counted"].sum()
    )
    meta = describe(
        "coverage",
        request,
        level=level,
        cutoff=done.cutoff,
        scope=listing.scope,
        records=records,
        rows=done.rows,
        persons_counted_in_scope=in_scope,
        persons_without_unit_of_level=listing.unplaced,
        totals=listing_totals(
            records,
            level=level,
            population=population,
            scope=listing.legacy_scope,
            persons_in_scope=in_scope,
        ),
        target_pct=None if target is None else float(target),
        split_by=split_by,
        **units_meta(listing, units),
        **extra,
    )
    return Result(records=records, cutoff=done.cutoff, meta=meta)
