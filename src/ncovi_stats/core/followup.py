"""Follow-up of at-risk persons (SPEC §3.10).

A person is flagged from their first flagged accepted row at or before the cut-off; their
verification is the earliest `verified_at` (on any of their accepted rows at or before the
cut-off) that is at or after that first flag and at or before the cut-off. An earlier
`verified_at` is ignored and counted as a warning. Persons are attributed to the unit of their
first row (SPEC §3.3), which may differ from the unit of the flagged row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from ncovi_stats.core.persons import FIRST_ROW_ORDER
from ncovi_stats.core.values import TIME_UNIT

DEFAULT_SLA_HOURS = 48
STATUS_COLUMNS: tuple[str, ...] = (
    "flagged_persons",
    "verified",
    "verified_within_sla",
    "pending",
    "overdue",
)
PERSON_COLUMNS: tuple[str, ...] = (
    "person_key",
    "province_code",
    "district_code",
    "ward_code",
    "declaration_id",
    "first_flag_at",
    "verified_at",
    "verified_before_flag",
)


def flagged_persons(accepted: pl.LazyFrame, first: pl.LazyFrame, cutoff: datetime) -> pl.LazyFrame:
    """One row per flagged person: unit of their first row, first flag, verification.

    `declaration_id` is the id of the first flagged row (SPEC §3.3 order among flagged rows);
    `verified_before_flag` counts that person's `verified_at` values earlier than the first flag.
    """
    at_cutoff = pl.lit(cutoff, pl.Datetime(TIME_UNIT))
    flags = (
        accepted.filter(pl.col("risk_flag").fill_null(False))
        .group_by("person_key")
        .agg(
            pl.col("declared_at").min().alias("first_flag_at"),
            pl.col("declaration_id").sort_by(FIRST_ROW_ORDER, nulls_last=True).first(),
        )
    )
    verifications = accepted.filter(pl.col("verified_at").is_not_null()).select(
        "person_key", "verified_at"
    )
    verified_at = pl.col("verified_at")
    checked = (
        flags.join(verifications, on="person_key", how="left")
        .group_by("person_key")
        .agg(
            pl.col("first_flag_at").first(),
            pl.col("declaration_id").first(),
            verified_at.filter(
                (verified_at >= pl.col("first_flag_at")) & (verified_at <= at_cutoff)
            ).min(),
            (verified_at < pl.col("first_flag_at"))
            .sum()
            .cast(pl.Int64)
            .alias("verified_before_flag"),
        )
    )
    units = first.select("person_key", "province_code", "district_code", "ward_code")
    return checked.join(units, on="person_key", how="inner").select(PERSON_COLUMNS)


def verified_without_flag(accepted: pl.LazyFrame) -> pl.LazyFrame:
    """One row: accepted rows with a `verified_at` of persons never flagged (a warning)."""
    flagged = accepted.filter(pl.col("risk_flag").fill_null(False)).select("person_key").unique()
    return (
        accepted.filter(pl.col("verified_at").is_not_null())
        .join(flagged, on="person_key", how="anti")
        .select(pl.len().cast(pl.Int64).alias("rows"))
    )


def classify(persons: pl.DataFrame, cutoff: datetime, sla: timedelta) -> pl.DataFrame:
    """Each flagged person's status: verified (within the SLA or not), pending or overdue."""
    at_cutoff = pl.lit(cutoff, pl.Datetime(TIME_UNIT))
    limit = pl.lit(sla, pl.Duration(TIME_UNIT))
    waited = at_cutoff - pl.col("first_flag_at")
    verified = pl.col("verified_at").is_not_null()
    return persons.with_columns(
        verified.alias("verified"),
        (verified & (pl.col("verified_at") - pl.col("first_flag_at") <= limit)).alias(
            "verified_within_sla"
        ),
        (~verified & (waited > limit)).alias("overdue"),
        (~verified & (waited <= limit)).alias("pending"),
        (waited.dt.total_microseconds() / 3_600_000_000).alias("hours_since_first_flag"),
    )


def counts_by_unit(classified: pl.DataFrame) -> pl.DataFrame:
    """Status counts per (province, district, ward) of the persons' first rows."""
    return classified.group_by("province_code", "district_code", "ward_code").agg(
        pl.len().cast(pl.Int64).alias("flagged_persons"),
        *(pl.col(name).sum().cast(pl.Int64) for name in STATUS_COLUMNS[1:]),
    )


def with_verified_pct(records: pl.DataFrame) -> pl.DataFrame:
    """verified_pct = 100 × verified / flagged, empty when none is flagged."""
    return records.with_columns(
        pl.when(pl.col("flagged_persons") > 0)
        .then(pl.col("verified") * 100 / pl.col("flagged_persons"))
        .alias("verified_pct")
    )
