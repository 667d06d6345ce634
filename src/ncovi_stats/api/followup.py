"""`followup`: at-risk persons flagged by the system, verified or not, per unit (SPEC §3.10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl

from ncovi_stats.api.listing import check_units, list_units, units_meta, ward_meta
from ncovi_stats.api.read import describe, read
from ncovi_stats.api.request import Query, Read, Request, Result
from ncovi_stats.api.units import unit_names
from ncovi_stats.core import breakdown, coverage, followup
from ncovi_stats.core.followup import DEFAULT_SLA_HOURS, STATUS_COLUMNS
from ncovi_stats.errors import UsageError
from ncovi_stats.io.read.population import load_population
from ncovi_stats.limits import SLA_HOURS_MAX

UNIT_KEYS = ["province_code", "district_code", "ward_code"]
OVERDUE_COLUMNS: tuple[str, ...] = (
    "person_key",
    "declaration_id",
    "province_code",
    "province_name",
    "district_code",
    "district_name",
    "ward_code",
    "ward_name",
    "first_flag_at",
    "hours_since_first_flag",
)


@dataclass(frozen=True)
class FollowUp:
    result: Result  # counts per unit
    overdue: pl.DataFrame  # overdue persons for the follow-up teams (OVERDUE_COLUMNS)


def check_sla(hours: float) -> timedelta:
    if not 0 < hours <= SLA_HOURS_MAX:  # NaN fails every comparison
        raise UsageError(
            f"--sla-hours {hours} must be a positive number of hours, at most {SLA_HOURS_MAX}, "
            "e.g. 48."
        )
    return timedelta(hours=hours)


def followup_report(
    request: Request,
    *,
    level: str = "province",
    sla_hours: float = DEFAULT_SLA_HOURS,
    units: int | None = None,
) -> FollowUp:
    """flagged_persons, verified, verified_within_sla, pending, overdue, verified_pct per unit."""
    check_units(level, units)
    check_sla(sla_hours)  # a usage error before any reading
    population = load_population(request.population_file)
    done = read(request, *followup_queries(level), needs_cutoff=True)
    return followup_assemble(
        done, request, level=level, sla_hours=sla_hours, units=units, population=population
    )


def followup_queries(level: str) -> list[Query]:
    """The queries `followup_assemble` needs, to collect with others in one `api.read.read`."""
    queries: list[Query] = [
        lambda frames: coverage.count_by_unit(frames.first),
        # cutoff is None only when no row is accepted: read() then stops with exit 3
        lambda frames: followup.flagged_persons(frames.accepted, frames.cutoff),  # type: ignore[arg-type]
    ]
    if level == "ward":
        queries.append(lambda frames: breakdown.unresolved_wards_by_district(frames.accepted))
    return queries


def followup_assemble(
    done: Read,
    request: Request,
    *,
    level: str = "province",
    sla_hours: float = DEFAULT_SLA_HOURS,
    units: int | None = None,
    population: pl.DataFrame,
) -> FollowUp:
    """`followup_report` from the frames of `followup_queries(level)` (needs_cutoff=True)."""
    check_units(level, units)
    sla = check_sla(sla_hours)
    counts, persons = done.frames[:2]
    cutoff = done.cutoff
    classified = followup.classify(followup.only_flagged(persons), cutoff, sla)
    status = followup.counts_by_unit(classified)
    counts = counts.join(status, on=UNIT_KEYS, how="left", nulls_equal=True).with_columns(
        pl.col(name).fill_null(0) for name in STATUS_COLUMNS
    )
    listing = list_units(
        counts,
        level=level,
        population=population,
        provinces=request.provinces,
        sum_columns=STATUS_COLUMNS,
        units=units,
        units_in_force=done.units_in_force,
    )
    code = coverage.unit_code(level)
    names = [c for c in listing.records.columns if c.endswith(("_code", "_name", "_name_en"))]
    extra_unit_columns = [
        c for c in ("merged_province_codes", "units_vintage") if c in listing.records.columns
    ]
    records = (
        followup.with_verified_pct(listing.records)
        .select(*names, *extra_unit_columns, "population_source", *STATUS_COLUMNS, "verified_pct")
        .sort(["overdue", code], descending=[True, False])
    )
    in_scope = classified.filter(pl.col("province_code").is_in(listing.legacy_scope))
    extra = ward_meta(level, done.frames, 2, listing.scope)
    meta = describe(
        "followup",
        request,
        level=level,
        cutoff=cutoff,
        scope=listing.scope,
        records=records,
        rows=done.rows,
        sla_hours=sla_hours,
        target_pct=100,
        totals={
            "flagged_persons": in_scope.height,
            **{name: int(in_scope[name].sum()) for name in STATUS_COLUMNS[1:]},
        },
        flagged_without_unit_of_level=int(in_scope[code].null_count()),
        warnings={
            "verified_at_before_first_flag": int(in_scope["verified_before_flag"].sum()),
            "verified_at_without_flag": followup.verified_without_flag(
                persons.filter(pl.col("province_code").is_in(listing.legacy_scope))
            ),
        },
        **units_meta(listing, units),
        **extra,
    )
    return FollowUp(
        Result(records=records, cutoff=cutoff, meta=meta),
        overdue_list(in_scope),
    )


def overdue_list(classified: pl.DataFrame) -> pl.DataFrame:
    """Overdue persons with their units down to the ward, by ward then by hours waited."""
    wards = unit_names("ward").select("ward_code", "ward_name")
    districts = unit_names("district").select("district_code", "district_name")
    provinces = unit_names("province")
    return (
        classified.filter(pl.col("overdue"))
        .join(provinces, on="province_code", how="left")
        .join(districts, on="district_code", how="left")
        .join(wards, on="ward_code", how="left")
        .with_columns(pl.col("hours_since_first_flag").round(2))
        .sort(
            ["province_code", "district_code", "ward_code", "hours_since_first_flag", "person_key"],
            descending=[False, False, False, True, False],
            nulls_last=True,
        )
        .select(OVERDUE_COLUMNS)
    )


OVERDUE_SUFFIXES: dict[str, str] = {".csv": "csv", ".json": "json", ".parquet": "parquet"}


def write_overdue(overdue: pl.DataFrame, meta: dict[str, Any], path: Path) -> None:
    """The overdue list, atomically, in the format of the file's suffix."""
    from ncovi_stats.io.write import formats

    fmt = OVERDUE_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"--list-overdue {path}: write it as .csv, .json or .parquet (e.g. overdue.csv)."
        )
    data = formats.FILE_WRITERS[fmt](overdue, {**meta, "list": "overdue-persons"})
    formats.write_bytes_atomic(path, data)
