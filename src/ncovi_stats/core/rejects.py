"""The rejects file's rows (SPEC §3.2, §5): where each rejected row came from, why, and its
non-identity values, never an identity value nor the person key.

Values are the normalised ones (a time that could not be read is empty), so a column mapped by
mistake cannot carry raw text into the file; codes that are not GSO codes (digits, at most five)
are left out for the same reason. The exception is the unit as written (`province_text`,
`district_text`, `ward_text`: the code if one was given, else the name) on rows rejected for their
unit: an official must see the spelling that failed to fix it, and unit names are not identity
data (SPEC §5); a text that may be personal data is replaced (`core.unresolved.shown_text`).
"""

from __future__ import annotations

import polars as pl

from ncovi_stats.core.unresolved import WRITTEN_COLUMNS, shown_text
from ncovi_stats.core.values import TIME_UNIT

REJECT_COLUMNS: tuple[str, ...] = (
    "source_file",
    "line",
    "reason",
    "declared_at",
    "province_code",
    "district_code",
    "ward_code",
    "province_text",
    "district_text",
    "ward_text",
    "declared_by",
    "channel",
    "risk_flag",
    "verified_at",
    "declaration_id",
)
CODE_PATTERN = r"^\d{1,5}$"


def _code(name: str) -> pl.Expr:
    return pl.when(pl.col(name).str.contains(CODE_PATTERN)).then(pl.col(name)).alias(name)


def _time(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Datetime(TIME_UNIT)).dt.strftime("%Y-%m-%dT%H:%M:%S").alias(name)


def rejected_rows(normalised: pl.LazyFrame) -> pl.LazyFrame:
    """The rejected rows as the rejects file lists them (sort after collecting)."""
    return normalised.filter(pl.col("reject_reason").is_not_null()).select(
        pl.col("_source_file").alias("source_file"),
        pl.col("_line").alias("line"),
        pl.col("reject_reason").alias("reason"),
        _time("declared_at"),
        _code("province_code"),
        _code("district_code"),
        _code("ward_code"),
        *(shown_text(column).alias(column) for column in WRITTEN_COLUMNS),
        "declared_by",
        "channel",
        "risk_flag",
        _time("verified_at"),
        "declaration_id",
    )
