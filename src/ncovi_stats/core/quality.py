"""Row counts of SPEC §3.2: read = accepted + rejected, always.

Duplicates are a quality measure (SPEC §3.2), counted only where a command asks for them
(`validate`, the report bundle, `ingest`) and per person: an accepted row that repeats an
earlier accepted row of the same person — the same `declaration_id`, or, for rows without one,
the same canonical values (`DUPLICATE_KEY_COLUMNS`, which include `person_key`). A declaration
id used by two or more persons is a separate count (`declaration_ids_shared`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from ncovi_stats.core import persons
from ncovi_stats.core.values import TIME_UNIT
from ncovi_stats.errors import REJECT_REASONS

# Canonical values that make two rows without a declaration id the same row (person included).
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
    duplicates: int | None = None  # None: not computed by this command (SPEC §3.2)
    unresolved_wards: int = 0
    latest_accepted: datetime | None = None  # over every accepted row, also after the cut-off
    declaration_ids_shared: int | None = None  # None: not computed by this command

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    def as_dict(self) -> dict[str, object]:
        """The counts; `duplicates` and `declaration_ids_shared` only where computed."""
        counts: dict[str, object] = {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rejected_by_reason": dict(self.rejected_by_reason),
            "after_cutoff": self.after_cutoff,
        }
        if self.duplicates is not None:
            counts["duplicates"] = self.duplicates
        counts["unresolved_wards"] = self.unresolved_wards
        if self.declaration_ids_shared is not None:
            counts["declaration_ids_shared"] = self.declaration_ids_shared
        return counts


def row_count_exprs(cutoff: datetime | None) -> list[pl.Expr]:
    """The counts of SPEC §3.2 but duplicates, as aggregations: over a whole frame or per group."""
    accepted = pl.col("reject_reason").is_null()
    after = (
        pl.col("declared_at") > pl.lit(cutoff, pl.Datetime(TIME_UNIT))
        if cutoff is not None
        else pl.lit(False)
    )
    return [
        pl.len().alias("read"),
        accepted.sum().alias("accepted"),
        *((pl.col("reject_reason") == reason).sum().alias(reason) for reason in REJECT_REASONS),
        (accepted & after).sum().alias("after_cutoff"),
        (accepted & pl.col("ward_unresolved")).sum().alias("unresolved_wards"),
    ]


def duplicates_expr() -> pl.Expr:
    """Accepted rows repeating an earlier accepted row of the same person (SPEC §3.2).

    With an id: accepted rows with one, less the distinct (person, id) pairs among them; without:
    accepted rows without one, less their distinct canonical values (the person among them).
    An id shared by two persons makes no duplicate here (see `declaration_ids_shared_query`).
    """
    accepted = pl.col("reject_reason").is_null()
    has_id = pl.col("declaration_id").is_not_null()
    with_id = accepted & has_id
    without_id = accepted & ~has_id
    person_and_id = pl.struct("person_key", "declaration_id")
    row_key = pl.struct(DUPLICATE_KEY_COLUMNS)
    return (
        with_id.sum()
        - person_and_id.filter(with_id).n_unique()
        + without_id.sum()
        - row_key.filter(without_id).n_unique()
    ).alias("duplicates")


def declaration_ids_shared_query(normalised: pl.LazyFrame) -> pl.LazyFrame:
    """One row: the declaration ids that accepted rows of two or more persons carry."""
    return (
        normalised.filter(
            pl.col("reject_reason").is_null() & pl.col("declaration_id").is_not_null()
        )
        .group_by("declaration_id")
        .agg(pl.col("person_key").n_unique().alias("persons"))
        .select((pl.col("persons") >= 2).sum().cast(pl.Int64).alias("declaration_ids_shared"))
    )


def row_count_query(
    normalised: pl.LazyFrame,
    cutoff: datetime | None,
    *,
    duplicates: bool = False,
    narrow_ids: bool = False,
) -> pl.LazyFrame:
    """One row: counts per reason, accepted rows after the cut-off, latest time; with
    `duplicates`, the duplicates and the declaration ids shared by persons as well; with
    `narrow_ids`, the accepted rows whose key `persons.with_narrow_ids` does not hold exactly
    (`persons.WIDE_KEYS`, not a count of SPEC §3.2: `row_counts_from` leaves it out)."""
    accepted = pl.col("reject_reason").is_null()
    if narrow_ids:
        normalised = persons.with_key_check(normalised)
    counts = normalised.select(
        *row_count_exprs(cutoff),
        *([duplicates_expr()] if duplicates else []),
        *([persons.wide_keys()] if narrow_ids else []),
        pl.col("declared_at").filter(accepted).max().alias("latest_accepted"),
    )
    if not duplicates:
        return counts
    return counts.join(declaration_ids_shared_query(normalised), how="cross")


def combine_row_counts(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """`row_count_query` (no duplicates) over all rows from its results over disjoint parts of
    them: every count summed, the latest accepted time the latest of all."""
    rows = pl.concat(parts, how="vertical")
    return rows.select(pl.exclude("latest_accepted").sum(), pl.col("latest_accepted").max()).select(
        rows.columns
    )


def row_counts_from(frame: pl.DataFrame) -> RowCounts:
    row = frame.row(0, named=True)
    return RowCounts(
        read=row["read"],
        accepted=row["accepted"],
        rejected_by_reason={reason: row[reason] for reason in REJECT_REASONS},
        after_cutoff=row["after_cutoff"],
        duplicates=row.get("duplicates"),
        unresolved_wards=row["unresolved_wards"],
        latest_accepted=row.get("latest_accepted"),
        declaration_ids_shared=row.get("declaration_ids_shared"),
    )
