"""Coverage views beyond the plain table: ward level with rows, `--split-by`, `--units 2025`.

`coverage_view` is what the `coverage` command calls; the plain province/district table is
`api.read.coverage_report`, unchanged.
"""

from __future__ import annotations

from decimal import Decimal

from ncovi_stats.api.listing import check_units, list_units, units_meta, ward_meta
from ncovi_stats.api.read import Request, Result, coverage_report, describe, read
from ncovi_stats.core import breakdown
from ncovi_stats.core.totals import listing_totals
from ncovi_stats.errors import UsageError
from ncovi_stats.io.read.population import load_population


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
        lambda frames: breakdown.counts_with_rows(
            breakdown.first_rows_with_row_counts(frames.accepted), split_by
        )
    ]
    if level == "ward":
        queries.append(lambda frames: breakdown.unresolved_wards_by_district(frames.accepted))
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
