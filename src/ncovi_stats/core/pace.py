"""Progress toward a target by a deadline (SPEC §3.6) and the daily series (SPEC §3.7).

Every figure is exact: counts are integers, rates are `Fraction`s, the target a `Decimal`.
Floats appear only in the output columns `pace_7d` and `coverage_pct`, made last.

A person is counted at an instant t when their first accepted row is at or before t, so the
counts at the window start come from the same first rows as the counts at the cut-off.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import polars as pl

from ncovi_stats.core.coverage import LEVEL_KEYS, unit_code, unit_columns
from ncovi_stats.core.passes import PersonQuery, summed
from ncovi_stats.core.values import TIME_UNIT

WINDOW = timedelta(days=7)
MICROSECONDS_PER_DAY = 86_400 * 1_000_000
BASE_KEYS: tuple[str, ...] = LEVEL_KEYS["ward"]

# Statuses in worklist order, who needs attention first (SPEC §3.6): behind, on track, without a
# population figure (the denominator is missing), met. The progress command and the bundle's
# progress table both sort by it.
STATUSES: tuple[str, ...] = ("behind", "on-track", "no-data", "met")


# --- pure arithmetic on one unit -------------------------------------------------------------


def window_start(cutoff: datetime, earliest: datetime | None) -> datetime:
    """max(cut-off − 7 days, earliest accepted declaration in the inputs)."""
    start = cutoff - WINDOW
    return start if earliest is None else max(start, earliest)


def window_days(start: datetime, cutoff: datetime) -> Fraction:
    """max(length of the window in days, 1), exactly (the length may be a fraction of a day)."""
    length = cutoff - start
    microseconds = (length.days * 86_400 + length.seconds) * 1_000_000 + length.microseconds
    return max(Fraction(microseconds, MICROSECONDS_PER_DAY), Fraction(1))


def pace_7d(counted_at_cutoff: int, counted_at_start: int, days: Fraction) -> Fraction:
    """New persons per day over the window."""
    return Fraction(counted_at_cutoff - counted_at_start) / days


def days_left(deadline: date, cutoff: datetime) -> int:
    """Deadline date − the cut-off's date: 0 on the deadline day, negative once it has passed."""
    return (deadline - cutoff.date()).days


def required_pace(needed: int | None, days: int) -> int | None:
    """Persons a day still needed to meet the target by the end of the deadline day.

    0 when met (also after the deadline); persons_needed on the deadline day itself;
    empty once the deadline has passed; ceil(needed / days_left) otherwise.
    """
    if needed is None:
        return None
    if needed == 0:
        return 0
    if days < 0:
        return None
    if days == 0:
        return needed
    return -(-needed // days)


def projected_date(cutoff: datetime, needed: int | None, pace: Fraction) -> date | None:
    """Local date of cut-off + needed / pace days; empty when met, pace 0, or past year 9999."""
    if needed is None or needed == 0 or pace <= 0:
        return None
    since_midnight = cutoff - datetime.combine(cutoff.date(), datetime.min.time())
    offset = Fraction(since_midnight // timedelta(microseconds=1), MICROSECONDS_PER_DAY)
    whole_days = int((offset + Fraction(needed) / pace) // 1)
    if whole_days > (date.max - cutoff.date()).days:
        return None
    return cutoff.date() + timedelta(days=whole_days)


def is_met(persons: int, population: int, target: Decimal) -> bool:
    """coverage ≥ target, exactly: 100 × persons ≥ target × population."""
    return 100 * persons >= Fraction(target) * population


def status(
    persons: int,
    population: int | None,
    target: Decimal,
    projected: date | None,
    deadline: date,
) -> str:
    """`no-data`, `met`, `on-track` (projected date ≤ deadline) or `behind`."""
    if population is None:
        return "no-data"
    if is_met(persons, population, target):
        return "met"
    if projected is not None and projected <= deadline:
        return "on-track"
    return "behind"


# --- queries over the first rows (one scan, collected by analysis.read) ------------------------


def progress_counts(first: pl.LazyFrame, cutoff: datetime) -> pl.LazyFrame:
    """Per base unit: persons at the cut-off, at cut-off − 7 days, and at the earliest row.

    `counted_at_earliest` (persons whose first row is the earliest instant of all the inputs,
    hence their unit's earliest) gives the count at the window start when the data are younger
    than 7 days (see `at_window_start`, which reads it only for units whose earliest row is that
    instant). It is counted by a semi-join on that one instant: a per-group "count at the
    minimum" is no streaming aggregation, and held every first row in memory (+1.6 GiB at 50M).
    """
    week_ago = pl.lit(cutoff - WINDOW, pl.Datetime(TIME_UNIT))
    at = pl.col("declared_at")
    counts = first.group_by(*BASE_KEYS).agg(
        pl.len().cast(pl.Int64).alias("persons_counted"),
        (at <= week_ago).sum().cast(pl.Int64).alias("counted_week_ago"),
        at.min().alias("earliest"),
    )
    at_earliest = (
        first.join(first.select(at.min()), on="declared_at", how="semi")
        .group_by(*BASE_KEYS)
        .agg(pl.len().cast(pl.Int64).alias("counted_at_earliest"))
    )
    return counts.join(at_earliest, on=list(BASE_KEYS), how="left", nulls_equal=True).with_columns(
        pl.col("counted_at_earliest").fill_null(0)
    )


def combine_progress_counts(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """`progress_counts` over all persons from its results over disjoint parts of them.

    Counts are summed and `earliest` is the minimum; `counted_at_earliest` of a part counts
    persons at that part's earliest instant, so only parts whose earliest instant is the
    earliest of all add theirs.
    """
    earliest = [part["earliest"].min() for part in parts]
    overall = min((when for when in earliest if when is not None), default=None)
    rows = pl.concat(
        [
            part.with_columns(pl.col("counted_at_earliest") * int(when == overall))
            for part, when in zip(parts, earliest, strict=True)
        ],
        how="vertical",
    )
    return (
        rows.group_by(*BASE_KEYS)
        .agg(
            pl.col("persons_counted", "counted_week_ago", "counted_at_earliest").sum(),
            pl.col("earliest").min(),
        )
        .select(rows.columns)
    )


def daily_new_persons(first: pl.LazyFrame) -> pl.LazyFrame:
    """Per base unit and local day: persons whose first row falls on that day."""
    return first.group_by(*BASE_KEYS, pl.col("declared_at").dt.date().alias("day")).agg(
        pl.len().cast(pl.Int64).alias("new_persons")
    )


def progress_queries(now: datetime) -> list[PersonQuery]:
    """`progress_counts` (at the cut-off, else at `now`: with no accepted row there is none)
    and `daily_new_persons`, as queries of `api.read.read` (`core.passes`)."""
    return [
        PersonQuery(
            lambda frames: progress_counts(frames.first, frames.cutoff or now),
            combine_progress_counts,
        ),
        PersonQuery(lambda frames: daily_new_persons(frames.first), summed(*BASE_KEYS, "day")),
    ]


def earliest_declaration(counts: pl.DataFrame) -> datetime | None:
    """The earliest accepted declaration at or before the cut-off, from `progress_counts`."""
    value = counts["earliest"].min() if counts.height else None
    return value if isinstance(value, datetime) else None


def at_window_start(counts: pl.DataFrame, start: datetime, cutoff: datetime) -> pl.DataFrame:
    """`counts` with `counted_at_window_start`: persons whose first row is at or before `start`.

    `start` is either cut-off − 7 days (counted then is `counted_week_ago`) or the earliest
    declaration in the inputs (only persons whose first row is that very instant are counted).
    """
    if start == cutoff - WINDOW:
        at_start = pl.col("counted_week_ago")
    else:
        at_start = (
            pl.when(pl.col("earliest") == start).then(pl.col("counted_at_earliest")).otherwise(0)
        )
    return counts.with_columns(at_start.cast(pl.Int64).alias("counted_at_window_start"))


# --- records -----------------------------------------------------------------------------------


def progress_records(
    coverage: pl.DataFrame,
    at_start: pl.DataFrame,
    *,
    level: str,
    cutoff: datetime,
    start: datetime,
    target: Decimal,
    deadline: date,
) -> pl.DataFrame:
    """Coverage records (with target_pct, persons_needed) extended by the fields of §3.6.

    `at_start` is `at_window_start(...)` per base unit; it is summed to `level` here. Records
    come in worklist order (`STATUSES`); lowest coverage first within each status.
    """
    keys = list(LEVEL_KEYS[level])
    started = (
        at_start.filter(pl.col(unit_code(level)).is_not_null())
        .group_by(keys)
        .agg(pl.col("counted_at_window_start").sum())
    )
    joined = coverage.join(started, on=keys, how="left").with_columns(
        pl.col("counted_at_window_start").fill_null(0)
    )
    days = window_days(start, cutoff)
    left = days_left(deadline, cutoff)
    paces, required, projected, statuses = [], [], [], []
    for row in joined.iter_rows(named=True):
        pace = pace_7d(row["persons_counted"], row["counted_at_window_start"], days)
        needed = row["persons_needed"]
        when = projected_date(cutoff, needed, pace)
        paces.append(float(pace))
        required.append(required_pace(needed, left))
        projected.append(when)
        statuses.append(status(row["persons_counted"], row["population"], target, when, deadline))
    records = joined.drop("counted_at_window_start").with_columns(
        pl.lit(left, pl.Int64).alias("days_left"),
        pl.Series("pace_7d", paces, dtype=pl.Float64),
        pl.Series("required_pace", required, dtype=pl.Int64),
        pl.Series("projected_date", projected, dtype=pl.Date),
        pl.lit(left < 0).alias("deadline_passed"),
        pl.Series("status", statuses, dtype=pl.String),
    )
    order = pl.col("status").replace_strict(
        {name: rank for rank, name in enumerate(STATUSES)}, return_dtype=pl.UInt8
    )
    return (
        records.with_columns(order.alias("_order"))
        .sort(["_order", "coverage_pct", unit_code(level)], nulls_last=True)
        .drop("_order")
    )


def series_records(
    daily: pl.DataFrame,
    units: pl.DataFrame,
    *,
    level: str,
    first_day: date,
    last_day: date,
) -> pl.DataFrame:
    """One row per unit of `units` and local day from `first_day` to `last_day`, zeros included.

    `daily` comes from `daily_new_persons`; `units` holds the listed units of `level` with their
    code and name columns, `population` and `population_source` (e.g. the progress records).
    Sorted by unit code, then day.
    """
    keys = list(LEVEL_KEYS[level])
    code = unit_code(level)
    new = (
        daily.filter(pl.col(code).is_not_null())
        .group_by(*keys, "day")
        .agg(pl.col("new_persons").sum())
    )
    days = pl.DataFrame(
        {"day": pl.date_range(first_day, last_day, "1d", eager=True)}, schema={"day": pl.Date}
    )
    unit_fields = [c for c in units.columns if c not in ("population", "population_source")]
    grid = units.select(*unit_fields, "population", "population_source").join(days, how="cross")
    return (
        grid.join(new, on=[*keys, "day"], how="left")
        .with_columns(pl.col("new_persons").fill_null(0))
        .sort(code, "day")
        .with_columns(pl.col("new_persons").cum_sum().over(code).alias("persons_counted"))
        .with_columns(
            (pl.col("persons_counted") * 100 / pl.col("population")).alias("coverage_pct")
        )
        .select(
            *unit_fields,
            "population",
            "population_source",
            "day",
            "new_persons",
            "persons_counted",
            "coverage_pct",
        )
    )


def listed_units(records: pl.DataFrame, level: str) -> pl.DataFrame:
    """The unit columns of `records` with population figures, for `series_records`."""
    return records.select(*unit_columns(level), "population", "population_source")
