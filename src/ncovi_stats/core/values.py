"""Cell values to canonical values, as polars expressions (SPEC §2.1).

Times become naive datetimes in Vietnam local wall time (UTC+7, no daylight saving since 1975):
text without an offset is taken as local time; text with an offset, and time-zone-aware Parquet
timestamps, are converted to it. Day-first formats only: `04/08/2020` is 4 August, never 8 April.
A 12-hour clock is read with the suffixes Vietnamese Windows writes, `SA` (sáng, AM) and `CH`
(chiều, PM), or AM/PM; a number such as `43929.7083` is an Excel serial date (1900 date system).

Categorical values (flags, declared_by, channel) are looked up in registries keyed by the
lower-cased text; each registry spelling is entered with and without diacritics (and in NFD), so
"CÓ", "có", "Co" and "co" all match without normalising every cell, which would be slow on tens
of millions of rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Final, TypeVar

import polars as pl

from ncovi_stats.core.lookup import lookup as streaming_lookup
from ncovi_stats.schema import CODE_WIDTH

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


# 12-hour clock suffixes: SA = sáng (morning), CH = chiều (afternoon).
AFTERNOON_SUFFIXES: tuple[str, ...] = ("CH", "PM")
MORNING_SUFFIXES: tuple[str, ...] = ("SA", "AM")

# Excel serial dates, 1900 date system: day 25569 is 1970-01-01 (the 1900 leap-year bug only
# shifts serials before 61, far below the range read). Only five-digit serials from 1970 on are
# read, so that stray small numbers are not taken for dates.
EXCEL_UNIX_EPOCH_SERIAL = 25_569
EXCEL_SERIAL_PATTERN = r"^\d{5}(?:\.\d+)?$"
# A serial written with this many decimals or fewer (1e-4 day = 8.64 s) is rounded to the minute,
# with more to the second: "43929.7083" is 17:00, not 16:59:57.
EXCEL_MINUTE_DECIMALS = 4


def _parse_wall_clock(text: pl.Expr) -> pl.Expr:
    local = [
        text.str.to_datetime(fmt, time_unit=TIME_UNIT, strict=False) for fmt in LOCAL_TIME_FORMATS
    ]
    return pl.coalesce(*local)


def _parse_twelve_hour(text: pl.Expr) -> pl.Expr:
    """Text ending in SA/CH/AM/PM read on a 12-hour clock; null for other text."""
    suffix = text.str.slice(-2).str.to_uppercase()
    clock = _parse_wall_clock(text.str.slice(0, text.str.len_chars() - 2).str.strip_chars_end())
    hour = clock.dt.hour()
    half_day = pl.duration(hours=12)
    return (
        pl.when(~hour.is_between(1, 12))
        .then(None)
        .when(suffix.is_in(AFTERNOON_SUFFIXES) & (hour < 12))
        .then(clock + half_day)
        .when(suffix.is_in(AFTERNOON_SUFFIXES))
        .then(clock)
        .when(suffix.is_in(MORNING_SUFFIXES) & (hour == 12))
        .then(clock - half_day)
        .when(suffix.is_in(MORNING_SUFFIXES))
        .then(clock)
    )


def _parse_excel_serial(text: pl.Expr) -> pl.Expr:
    """An Excel serial date as text to a naive datetime; null for other text."""
    is_serial = text.str.contains(EXCEL_SERIAL_PATTERN)
    days = pl.when(is_serial).then(text).cast(pl.Float64, strict=False) - EXCEL_UNIX_EPOCH_SERIAL
    decimals = (text.str.len_chars() - text.str.find(".", literal=True) - 1).fill_null(0)
    seconds = (
        pl.when(decimals <= EXCEL_MINUTE_DECIMALS)
        .then((days * 1440).round(0) * 60)
        .otherwise((days * 86400).round(0))
        .cast(pl.Int64)
    )
    return pl.when(days >= 0).then(
        pl.from_epoch(seconds, time_unit="s").cast(pl.Datetime(TIME_UNIT))
    )


LEAP_SECOND_PATTERN = r"\d:\d\d:60"
# The time format of nearly every export, read first and alone; other text goes the long way.
FAST_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
FAST_TIME_LENGTH = 19


def _parse_any_time(text: pl.Expr) -> pl.Expr:
    """Every format we read, tried in turn (each row pays for every format: keep it for few)."""
    text = text.str.strip_chars().str.replace("T", " ", literal=True).str.replace(r"Z$", "+00:00")
    offset = [
        text.str.to_datetime(fmt, time_unit=TIME_UNIT, time_zone="UTC", strict=False)
        .dt.convert_time_zone(VIETNAM_TZ)
        .dt.replace_time_zone(None)
        for fmt in OFFSET_TIME_FORMATS
    ]
    return pl.coalesce(
        _parse_wall_clock(text), *offset, _parse_twelve_hour(text), _parse_excel_serial(text)
    )


def _fast_time(expr: pl.Expr) -> pl.Expr:
    """Text of exactly `YYYY-MM-DD HH:MM:SS` parsed with that format; null for other text."""
    return (
        pl.when((expr.str.len_bytes() == FAST_TIME_LENGTH) & (expr.str.slice(17, 2) != "60"))
        .then(expr)
        .str.to_datetime(FAST_TIME_FORMAT, time_unit=TIME_UNIT, strict=False)
    )


def _other_time_text(expr: pl.Expr, fast: pl.Expr) -> pl.Expr:
    """The non-empty text the fast format did not read ("" is no time); null elsewhere."""
    return pl.when(fast.is_null() & (expr.str.len_bytes() > 0)).then(expr)


def parse_time(expr: pl.Expr) -> pl.Expr:
    """Text to a naive local datetime; null where the text is not a time we read.

    Text of exactly `YYYY-MM-DD HH:MM:SS` is parsed once with that format; only the other
    rows reach the slow formats (as non-null text: the rest are null there, which costs
    nothing), so a row is parsed about once instead of once per format; empty text (most of
    `verified_at`) is parsed by none. Over a frame, `parse_time_columns` does the same in steps.
    """
    fast = _fast_time(expr)
    return pl.coalesce(fast, _slow_times(_other_time_text(expr, fast)))


def _slow_times(rest: pl.Expr) -> pl.Expr:
    """The slow formats on the left-over text; the parser reads a 60th second (a leap second)
    as the next minute: not a time we read."""
    impossible = rest.str.contains(LEAP_SECOND_PATTERN)
    return pl.when(~impossible).then(_parse_any_time(rest))


def parse_time_columns(lf: pl.LazyFrame, names: Sequence[str]) -> pl.LazyFrame:
    """`parse_time` of the text columns `names`, in place, in three steps.

    The slow formats read their text about fifteen times; as one expression each read would
    compute the fast parse again (12 s instead of 0.4 s CPU per 10 million rows). Here the fast
    parse and the left-over text are columns of their own, computed once.
    """
    if not names:
        return lf
    fast = {name: f"__{name}_fast" for name in names}
    rest = {name: f"__{name}_rest" for name in names}
    return (
        lf.with_columns(_fast_time(pl.col(name)).alias(fast[name]) for name in names)
        .with_columns(
            _other_time_text(pl.col(name), pl.col(fast[name])).alias(rest[name]) for name in names
        )
        .with_columns(
            pl.coalesce(pl.col(fast[name]), _slow_times(pl.col(rest[name]))).alias(name)
            for name in names
        )
        .drop(*fast.values(), *rest.values())
    )


# The earliest time read: NCOVI opened in March 2020, so an earlier time is a placeholder
# (0001-01-01, 1900-01-00) or a typo, and the row is rejected `unparseable-time`.
EARLIEST_TIME = datetime(2020, 1, 1)


def time_column(name: str, dtype: pl.DataType) -> pl.Expr:
    """The column `name` of a scanned frame as a naive local datetime; null (unparseable)
    before `EARLIEST_TIME`."""
    column = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        time = to_local_naive(column, dtype)
    elif isinstance(dtype, pl.Date):
        time = column.cast(pl.Datetime(TIME_UNIT))
    else:
        time = parse_time(column.cast(pl.String))
    return pl.when(time >= pl.lit(EARLIEST_TIME, pl.Datetime(TIME_UNIT))).then(time)


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    """Stripped text, with empty strings as null."""
    text = expr.cast(pl.String).str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text)


def code_column(expr: pl.Expr, width: int, known: Collection[str] = ()) -> pl.Expr:
    """A GSO code as text: stripped, and zero-padded when it is all digits and shorter.

    Only codes shorter than `width` (null elsewhere, which costs nothing) are checked for digits.
    Cells equal to one of the `known` canonical codes (nearly every cell of an export) are kept
    as they are by one set lookup; only the others are stripped and padded.
    """
    if known:
        raw = expr.cast(pl.String)
        is_known = raw.is_in(sorted(known))
        unknown = pl.when(is_known).then(None).otherwise(raw)  # one set lookup, not two
        return pl.coalesce(pl.when(is_known).then(raw), code_column(unknown, width))
    text = expr.cast(pl.String).str.strip_chars()
    length = text.str.len_bytes()
    short = pl.when(length < width).then(text)
    padded = pl.when(short.str.contains(r"^\d+$")).then(short.str.zfill(width))
    return pl.when(length > 0).then(pl.coalesce(padded, text))


@cache
def padded_codes(width: int) -> pl.Series:
    """Every code of `width` digits, in order, then null (the number `10**width`): a code is
    taken at its number (`gather`), about 10 times cheaper than formatting it."""
    return pl.Series([f"{number:0{width}d}" for number in range(10**width)] + [None])


def code_number(code: pl.Expr, level: str) -> pl.Expr:
    """A canonical code (exactly `CODE_WIDTH[level]` digits) as its number, null for any other
    text. Parsing is about twice as fast as a lookup in an `Enum` of every code."""
    text = code.cast(pl.String)
    canonical = (text.str.len_bytes() == CODE_WIDTH[level]) & ~text.str.starts_with("+")
    return pl.when(canonical).then(text.str.to_integer(strict=False, dtype=pl.UInt32))


V = TypeVar("V")


def _without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def value_spellings(word: str) -> set[str]:
    """The lookup keys of a registry spelling: lower case, NFC, NFD and without diacritics."""
    lower = unicodedata.normalize("NFC", word.strip()).lower()
    return {lower, unicodedata.normalize("NFD", lower), _without_diacritics(lower)}


def expand_registry(registry: Mapping[str, V]) -> dict[str, V]:
    """Registry spelling -> value, to lookup key -> value; spellings must not collide."""
    keys: dict[str, V] = {}
    for word, value in registry.items():
        for key in value_spellings(word):
            if key in keys and keys[key] != value:
                raise AssertionError(f"{word!r} collides with another spelling as {key!r}")
            keys[key] = value
    return keys


# Flags (risk_flag). Empty is null: not stated.
FLAG_SPELLINGS: dict[str, bool] = {
    "true": True,
    "1": True,
    "x": True,
    "có": True,
    "yes": True,
    "y": True,
    "false": False,
    "0": False,
    "không": False,
    "no": False,
    "n": False,
}

# declared_by, also read from the `Khai hộ` column (a flag: marked = filed by someone else).
# Empty is `self`: an export leaves `Khai hộ` blank for a person's own declaration.
DECLARED_BY_SPELLINGS: dict[str, str] = {
    "self": "self",
    "household": "household",
    "bản thân": "self",
    "khai hộ": "household",
    **{word: "household" if flag else "self" for word, flag in FLAG_SPELLINGS.items()},
}

# channel; anything else that is not empty is `other`.
CHANNEL_SPELLINGS: dict[str, str] = {
    "app": "app",
    "ncovi": "app",
    "ứng dụng ncovi": "app",
    "ứng dụng": "app",
    "ứng dụng di động": "app",
    "mobile app": "app",
    "mobile": "app",
    "web": "web",
    "website": "web",
    "trang web": "web",
    "tokhaiyte.vn": "web",
    "www.tokhaiyte.vn": "web",
    "https://tokhaiyte.vn": "web",
    "facility": "facility",
    "cơ sở y tế": "facility",
    "csyt": "facility",
    "bệnh viện": "facility",
    "trạm y tế": "facility",
    "phòng khám": "facility",
    "collaborator": "collaborator",
    "cộng tác viên": "collaborator",
    "cộng tác viên dân số": "collaborator",
    "ctv": "collaborator",
    "ctv dân số": "collaborator",
    "other": "other",
    "khác": "other",
}

FLAG_VALUES: dict[str, bool] = expand_registry(FLAG_SPELLINGS)
DECLARED_BY_VALUES: dict[str, str] = expand_registry(DECLARED_BY_SPELLINGS)
CHANNEL_VALUES: dict[str, str] = expand_registry(CHANNEL_SPELLINGS)
TRUE_VALUES: frozenset[str] = frozenset(key for key, value in FLAG_VALUES.items() if value)
FALSE_VALUES: frozenset[str] = frozenset(key for key, value in FLAG_VALUES.items() if not value)


def _exact(expr: pl.Expr, lookup: Mapping[str, str | bool | None], dtype: pl.DataType) -> pl.Expr:
    """The value of a cell that is a lookup key as it stands (nearly every cell), else null."""
    exact = {key: value for key, value in lookup.items() if value is not None}
    return streaming_lookup(expr, exact, dtype=dtype)


def _registry_column(
    expr: pl.Expr,
    lookup: Mapping[str, str | bool | None],
    *,
    default: str | bool | None,
    dtype: pl.DataType,
) -> pl.Expr:
    """`lookup` of the stripped, lower-cased cell (a missing cell is ""), `default` when not found.

    A cell that is a key as it stands gets its value by one lookup; only the other cells are
    stripped and lower-cased (the keys are stripped and lower case, so both ways agree).
    """
    raw = expr.cast(pl.String)
    exact = _exact(raw, lookup, dtype)
    rest = pl.when(exact.is_null()).then(raw).str.strip_chars().str.to_lowercase()
    value = pl.coalesce(exact, streaming_lookup(rest, lookup, dtype=dtype, default=default))
    return pl.when(raw.is_not_null()).then(value).otherwise(pl.lit(lookup.get(""), dtype))


def declared_by_column(expr: pl.Expr) -> pl.Expr:
    """`self` or `household`; `self` when empty; null when not recognised."""
    lookup = {**DECLARED_BY_VALUES, "": "self"}
    return _registry_column(expr, lookup, default=None, dtype=pl.String())


def channel_column(expr: pl.Expr) -> pl.Expr:
    """One of the canonical channels; anything unknown but present is `other`; null when empty."""
    lookup: dict[str, str | None] = {**CHANNEL_VALUES, "": None}
    return _registry_column(expr, lookup, default="other", dtype=pl.String())


def flag_column(expr: pl.Expr) -> pl.Expr:
    """True/false from the spellings exports use; null when empty or not recognised."""
    return _registry_column(expr, FLAG_VALUES, default=None, dtype=pl.Boolean())
