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

from ncovi_stats.core.persons import FIRST_ROW_ORDER, first_rows
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


def flagged_persons(accepted: pl.LazyFrame, cutoff: datetime) -> pl.LazyFrame:
    """One row per person with a flagged row or a `verified_at`: unit of their first row,
    first flag (null when never flagged), verification, and the warnings' counts.

    One pass over the flagged or verified rows (a small share of an export): `declaration_id` is
    the id of the first flagged row (SPEC §3.3 order among flagged rows); `verified_before_flag`
    counts `verified_at` values earlier than the first flag; `verified_rows` counts rows with a
    `verified_at` (of persons never flagged: a warning).
    """
    at_cutoff = pl.lit(cutoff, pl.Datetime(TIME_UNIT))
    flag = pl.col("risk_flag").fill_null(False)
    verified_at = pl.col("verified_at")
    first_flag = pl.col("declared_at").filter(flag).min()
    per_person = (
        accepted.filter(flag | verified_at.is_not_null())
        .group_by("person_key")
        .agg(
            first_flag.alias("first_flag_at"),
            pl.col("declaration_id")
            .sort_by(FIRST_ROW_ORDER, nulls_last=True)
            .filter(flag.sort_by(FIRST_ROW_ORDER, nulls_last=True))
            .first(),
            verified_at.filter((verified_at >= first_flag) & (verified_at <= at_cutoff)).min(),
            (verified_at < first_flag).sum().cast(pl.Int64).alias("verified_before_flag"),
            verified_at.is_not_null().sum().cast(pl.Int64).alias("verified_rows"),
        )
    )
    # The first rows of these persons only: far cheaper than every person's first row.
    keys = per_person.select("person_key")
    units = first_rows(accepted.join(keys, on="person_key", how="semi")).select(
        "person_key", "province_code", "district_code", "ward_code"
    )
    return per_person.join(units, on="person_key", how="inner").select(
        *PERSON_COLUMNS, "verified_rows"
    )


def verified_without_flag(persons: pl.DataFrame) -> int:
    """Rows with a `verified_at` of persons never flagged (a warning)."""
    return int(persons.filter(pl.col("first_flag_at").is_null())["verified_rows"].sum())


def only_flagged(persons: pl.DataFrame) -> pl.DataFrame:
    return persons.filter(pl.col("first_flag_at").is_not_null())


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
