"""Persons counted once, in the unit of their first row (SPEC §3.3)."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from ncovi_stats.core.values import TIME_UNIT
from ncovi_stats.schema import CHANNEL_ORDER, DECLARED_BY_ORDER

FIRST_ROW_COLUMNS: tuple[str, ...] = (
    "declared_at",
    "province_code",
    "district_code",
    "ward_code",
    "declared_by",
    "channel",
    "declaration_id",
)


def _rank(name: str, order: tuple[str, ...]) -> pl.Expr:
    return pl.col(name).replace_strict(
        {value: rank for rank, value in enumerate(order)}, default=None, return_dtype=pl.UInt8
    )


# "First" per SPEC §3.3: time, then ward, district, province (lowest first, empty last),
# then self before household, channel in the order of §2.1, declaration id (empty last).
FIRST_ROW_ORDER: tuple[pl.Expr, ...] = (
    pl.col("declared_at"),
    pl.col("ward_code"),
    pl.col("district_code"),
    pl.col("province_code"),
    _rank("declared_by", DECLARED_BY_ORDER),
    _rank("channel", CHANNEL_ORDER),
    pl.col("declaration_id"),
)


def accepted_rows(normalised: pl.LazyFrame, cutoff: datetime | None = None) -> pl.LazyFrame:
    """Accepted rows, and only those at or before the cut-off when one is given."""
    rows = normalised.filter(pl.col("reject_reason").is_null())
    if cutoff is not None:
        rows = rows.filter(pl.col("declared_at") <= pl.lit(cutoff, pl.Datetime(TIME_UNIT)))
    return rows


def first_rows(rows: pl.LazyFrame) -> pl.LazyFrame:
    """One row per person: their first accepted row, with the columns of `FIRST_ROW_COLUMNS`."""
    return rows.group_by("person_key").agg(
        pl.col(name).sort_by(FIRST_ROW_ORDER, nulls_last=True).first() for name in FIRST_ROW_COLUMNS
    )
