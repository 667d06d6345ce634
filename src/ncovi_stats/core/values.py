"""Cell values to canonical values, as polars expressions (SPEC §2.1).

Times become naive datetimes in Vietnam local wall time (UTC+7, no daylight saving since 1975):
text without an offset is taken as local time; text with an offset, and time-zone-aware Parquet
timestamps, are converted to it. Day-first formats only: `04/08/2020` is 4 August, never 8 April.
"""

from __future__ import annotations

from typing import Final

import polars as pl

VIETNAM_TZ = "Asia/Ho_Chi_Minh"
TIME_UNIT: Final = "us"

# Formats tried in turn on the text after `T` became a space and `Z` became `+00:00`.
LOCAL_TIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
OFFSET_TIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M%#z",
)


def to_local_naive(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A datetime column as naive Vietnam local time, whatever its time zone."""
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        expr = expr.dt.convert_time_zone(VIETNAM_TZ).dt.replace_time_zone(None)
    return expr.cast(pl.Datetime(TIME_UNIT))


def parse_time(expr: pl.Expr) -> pl.Expr:
    """Text to a naive local datetime; null where the text is not a time we read."""
    text = expr.str.strip_chars().str.replace("T", " ", literal=True).str.replace(r"Z$", "+00:00")
    local = [
        text.str.to_datetime(fmt, time_unit=TIME_UNIT, strict=False) for fmt in LOCAL_TIME_FORMATS
    ]
    offset = [
        text.str.to_datetime(fmt, time_unit=TIME_UNIT, time_zone="UTC", strict=False)
        .dt.convert_time_zone(VIETNAM_TZ)
        .dt.replace_time_zone(None)
        for fmt in OFFSET_TIME_FORMATS
    ]
    return pl.coalesce(*local, *offset)


def time_column(name: str, dtype: pl.DataType) -> pl.Expr:
    """The column `name` of a scanned frame as a naive local datetime."""
    column = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        return to_local_naive(column, dtype)
    if isinstance(dtype, pl.Date):
        return column.cast(pl.Datetime(TIME_UNIT))
    return parse_time(column.cast(pl.String))


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    """Stripped text, with empty strings as null."""
    text = expr.cast(pl.String).str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text)


def code_column(expr: pl.Expr, width: int) -> pl.Expr:
    """A GSO code as text: stripped, and zero-padded when it is all digits and shorter."""
    text = blank_to_null(expr)
    return (
        pl.when(text.str.contains(r"^\d+$") & (text.str.len_chars() < width))
        .then(text.str.zfill(width))
        .otherwise(text)
    )


DECLARED_BY_VALUES: dict[str, str] = {
    "self": "self",
    "household": "household",
}
CHANNEL_VALUES: dict[str, str] = {
    "app": "app",
    "web": "web",
    "facility": "facility",
    "collaborator": "collaborator",
    "other": "other",
}
TRUE_VALUES: frozenset[str] = frozenset({"true", "1", "x", "có", "co", "yes", "y"})
FALSE_VALUES: frozenset[str] = frozenset({"false", "0", "không", "khong", "no", "n"})


def _lookup(expr: pl.Expr, mapping: dict[str, str], default: str | None) -> pl.Expr:
    key = blank_to_null(expr).str.to_lowercase()
    return key.replace_strict(mapping, default=default, return_dtype=pl.String)


def declared_by_column(expr: pl.Expr) -> pl.Expr:
    """`self` or `household`; null when empty or not recognised."""
    return _lookup(expr, DECLARED_BY_VALUES, None)


def channel_column(expr: pl.Expr) -> pl.Expr:
    """One of the canonical channels; anything unknown but present is `other`."""
    key = blank_to_null(expr)
    return pl.when(key.is_not_null()).then(_lookup(expr, CHANNEL_VALUES, "other"))


def flag_column(expr: pl.Expr) -> pl.Expr:
    """True/false from the spellings exports use; null when empty or not recognised."""
    key = blank_to_null(expr).str.to_lowercase()
    return (
        pl.when(key.is_in(list(TRUE_VALUES)))
        .then(True)
        .when(key.is_in(list(FALSE_VALUES)))
        .then(False)
    )
