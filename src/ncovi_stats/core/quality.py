"""Row counts of SPEC §3.2: read = accepted + rejected, always."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from ncovi_stats.core.values import TIME_UNIT
from ncovi_stats.errors import REJECT_REASONS

# Canonical values that make two rows without a declaration id the same row.
DUPLICATE_KEY_COLUMNS: tuple[str, ...] = (
    "declared_at",
    "person_key",
    "province_code",
    "district_code",
    "ward_code",
    "declared_by",
    "channel",
    "risk_flag",
    "verified_at",
)


@dataclass(frozen=True)
class RowCounts:
    read: int
    accepted: int
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    after_cutoff: int = 0
    duplicates: int = 0
    unresolved_wards: int = 0
    latest_accepted: datetime | None = None  # over every accepted row, also after the cut-off

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rejected_by_reason": dict(self.rejected_by_reason),
            "after_cutoff": self.after_cutoff,
            "duplicates": self.duplicates,
            "unresolved_wards": self.unresolved_wards,
        }


def row_count_exprs(cutoff: datetime | None) -> list[pl.Expr]:
    """The counts of SPEC §3.2 as aggregations: over a whole frame or per group."""
    accepted = pl.col("reject_reason").is_null()
    after = (
        pl.col("declared_at") > pl.lit(cutoff, pl.Datetime(TIME_UNIT))
        if cutoff is not None
        else pl.lit(False)
    )
    has_id = pl.col("declaration_id").is_not_null()
    row_key = pl.struct(DUPLICATE_KEY_COLUMNS)
    return [
        pl.len().alias("read"),
        accepted.sum().alias("accepted"),
        *((pl.col("reject_reason") == reason).sum().alias(reason) for reason in REJECT_REASONS),
        (accepted & after).sum().alias("after_cutoff"),
        (accepted & pl.col("ward_unresolved")).sum().alias("unresolved_wards"),
        (
            (accepted & has_id).sum()
            - pl.col("declaration_id").filter(accepted & has_id).n_unique()
            + (accepted & ~has_id).sum()
            - row_key.filter(accepted & ~has_id).n_unique()
        ).alias("duplicates"),
    ]


def row_count_query(normalised: pl.LazyFrame, cutoff: datetime | None) -> pl.LazyFrame:
    """One row: counts per reason, accepted rows after the cut-off, duplicates, latest time."""
    accepted = pl.col("reject_reason").is_null()
    return normalised.select(
        *row_count_exprs(cutoff),
        pl.col("declared_at").filter(accepted).max().alias("latest_accepted"),
    )


def row_counts_from(frame: pl.DataFrame) -> RowCounts:
    row = frame.row(0, named=True)
    return RowCounts(
        read=row["read"],
        accepted=row["accepted"],
        rejected_by_reason={reason: row[reason] for reason in REJECT_REASONS},
        after_cutoff=row["after_cutoff"],
        duplicates=row["duplicates"],
        unresolved_wards=row["unresolved_wards"],
        latest_accepted=row.get("latest_accepted"),
    )
