"""Progress toward a target by a deadline, per unit, and the daily series (SPEC §3.6, §3.7).

One scan of the inputs: the counts at the cut-off, at the window start and per day all come
from each person's first accepted row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from ncovi_stats.api.read import describe, read
from ncovi_stats.api.request import Query, Read, Request, Result
from ncovi_stats.core import coverage, pace
from ncovi_stats.core.cutoff import iso_with_offset
from ncovi_stats.core.totals import listing_totals
from ncovi_stats.io.read.population import load_population


@dataclass(frozen=True)
class Progress:
    """One record per unit (`report`) and one per unit and day (`series`), same cut-off."""

    report: Result
    series: Result


def progress_queries(request: Request) -> list[Query]:
    """The queries `progress_assemble` needs, to collect with others in one `api.read.read`.
    With no accepted row the cut-off is unknown; read() then fails with a clear message."""
    return list(pace.progress_queries(request.now))


def progress_report(request: Request, *, level: str, target: Decimal, deadline: date) -> Progress:
    """Coverage, persons needed, pace and projection per unit of `level`, and the series."""
    population = load_population(request.population_file)  # a bad file fails before the read
    done = read(request, *progress_queries(request), needs_cutoff=True)
    return progress_assemble(
        done, request, level=level, target=target, deadline=deadline, population=population
    )


def progress_assemble(
    done: Read,
    request: Request,
    *,
    level: str,
    target: Decimal,
    deadline: date,
    population: pl.DataFrame,
) -> Progress:
    """`progress_report` from the frames of `progress_queries` (read with needs_cutoff=True).

    `request.provinces` sets the scope, so one read serves several scopes (e.g. provinces with
    their own targets in a report bundle).
    """
    (counts, daily), rows, cutoff = done.frames, done.rows, done.cutoff
    earliest = pace.earliest_declaration(counts)
    start = pace.window_start(cutoff, earliest)
    scope = coverage.scope_provinces(counts, request.provinces)
    covered = coverage.coverage_records(
        counts,
        level=level,
        units=done.units(level),
        population=done.population(population),
        scope=scope,
        target=target,
    )
    records = pace.progress_records(
        covered,
        pace.at_window_start(counts, start, cutoff),
        level=level,
        cutoff=cutoff,
        start=start,
        target=target,
        deadline=deadline,
    )
    series = pace.series_records(
        daily,
        pace.listed_units(records, level),
        level=level,
        first_day=(earliest or cutoff).date(),
        last_day=cutoff.date(),
    )
    in_scope = counts.filter(pl.col("province_code").is_in(scope))
    unplaced = in_scope.filter(pl.col(coverage.unit_code(level)).is_null())["persons_counted"].sum()
    facts: dict[str, Any] = {
        "target_pct": float(target),
        "deadline": deadline.isoformat(),
        "days_left": pace.days_left(deadline, cutoff),
        "deadline_passed": pace.days_left(deadline, cutoff) < 0,
        "earliest_declaration": None if earliest is None else iso_with_offset(earliest),
        "window_start": iso_with_offset(start),
        "window_days": float(pace.window_days(start, cutoff)),
        "persons_counted_in_scope": int(in_scope["persons_counted"].sum()),
        "persons_without_unit_of_level": int(unplaced),
        "status_counts": {name: int((records["status"] == name).sum()) for name in pace.STATUSES},
        "totals": listing_totals(
            records,
            level=level,
            population=population,
            scope=scope,
            persons_in_scope=int(in_scope["persons_counted"].sum()),
        ),
    }
    report_meta = describe(
        "progress",
        request,
        level=level,
        cutoff=cutoff,
        scope=scope,
        records=records,
        rows=rows,
        **facts,
    )
    series_meta = {**report_meta, "command": "progress-series"}
    return Progress(
        report=Result(records=records, cutoff=cutoff, meta=report_meta),
        series=Result(records=series, cutoff=cutoff, meta=series_meta),
    )
