"""Persons counted once, in the unit of their first row (SPEC §3.3)."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import polars as pl

from ncovi_stats.core import hex_keys
from ncovi_stats.core.lookup import lookup, rank_value
from ncovi_stats.core.passes import Part
from ncovi_stats.core.places import PlaceKey
from ncovi_stats.core.resolve import UNIT_NUMBERS, known_codes
from ncovi_stats.core.values import TIME_UNIT, padded_codes
from ncovi_stats.schema import CHANNEL_ORDER, CODE_WIDTH, DECLARED_BY_ORDER

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
    return lookup(pl.col(name), {value: rank for rank, value in enumerate(order)}, dtype=pl.UInt8())


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

_PERSON = "__person"
_ORDER = "__order"
_HEX_KEY_CHARS = 16
_DIGEST_KEY_CHARS = 30  # core.identity.KEY_HEX_CHARS


def person_id(key: pl.Expr) -> pl.Expr:
    """A person key as one fixed-width UInt128, for grouping (SPEC §3.3 counts persons once).

    Exact for the keys this tool meets: a key of 16 lower-case hex digits (the exports' own keys)
    is its value, below 2**64; a key of 30 lower-case hex digits (the keyed digests of
    `core.identity`) is 2**126 plus its value, below 2**127. Any other key (free text an export
    may carry) is a 127-bit hash of it with the top bit set, so it never meets the exact ranges;
    two such keys could share an id with a probability of about n²/2**128 (1e-23 at 50 million
    distinct free-text keys). The id lives only inside one query: it is never stored or output.
    A string key costs about 32 bytes and a string hash table per person; this costs 16.
    """
    hex16 = key.str.to_integer(base=16, dtype=pl.UInt64, strict=False)
    plain16, plain30 = _plain_hex(key, _HEX_KEY_CHARS), _plain_hex(key, _DIGEST_KEY_CHARS)
    high30 = key.str.slice(0, _DIGEST_KEY_CHARS - 16).str.to_integer(
        base=16, dtype=pl.UInt64, strict=False
    )
    low30 = key.str.slice(_DIGEST_KEY_CHARS - 16, 16).str.to_integer(
        base=16, dtype=pl.UInt64, strict=False
    )
    digest = (1 << 126) + high30.cast(pl.UInt128) * (1 << 64) + low30.cast(pl.UInt128)
    high = (key.hash(0x6E636F7669).cast(pl.UInt128) // 2) + (1 << 63)
    hashed = high * (1 << 64) + key.hash(0x7374617473).cast(pl.UInt128)
    return (
        pl.when(plain16).then(hex16.cast(pl.UInt128)).when(plain30).then(digest).otherwise(hashed)
    )


def _plain_hex(key: pl.Expr, chars: int) -> pl.Expr:
    """Whether a key is `chars` lower-case hex digits."""
    return (key.str.len_bytes() == chars) & key.str.contains(r"^[0-9a-f]+$")


_NARROW_OK = "__narrow_key"


def with_narrow_ids(rows: pl.LazyFrame) -> pl.LazyFrame:
    """`rows` with each one's narrow person id, which the per-person steps below then use
    instead of `person_id`: the UInt64 its key spells as 16 hex digits (`core.hex_keys`; null
    for a key of another length in bytes).

    Half the width of `person_id`: the first-row group-by of 35 million persons takes about
    70 bytes a person instead of 115, and three quarters of the time. Exact only when every key
    read is 16 lower-case hex digits: "ABCDEF0123456789" and "+bcdef0123456789" spell the
    values of "abcdef0123456789" and "0bcdef0123456789". A read that uses it counts the
    accepted rows whose key is not such (`with_key_check`, `wide_keys`) and reads again with
    `person_id` when there is one (`api.read`).
    """
    return hex_keys.with_hex_value(rows, "person_key", _PERSON, _NARROW_OK).drop(_NARROW_OK)


WIDE_KEYS = "wide_keys"


def with_key_check(rows: pl.LazyFrame) -> pl.LazyFrame:
    """`rows` with whether each one's key is 16 lower-case hex digits, for `wide_keys`."""
    return hex_keys.with_hex_value(rows, "person_key", "__narrow_value", _NARROW_OK).drop(
        "__narrow_value"
    )


def wide_keys() -> pl.Expr:
    """An aggregation over rows `with_key_check`: the accepted rows whose person key is not 16
    lower-case hex digits, for which the narrow id of `with_narrow_ids` is not exact."""
    return (pl.col("reject_reason").is_null() & ~pl.col(_NARROW_OK)).sum().alias(WIDE_KEYS)


PROBED_ROWS = 1_000


def keys_look_narrow(normalised: pl.LazyFrame) -> bool:
    """Whether the person keys of the first `PROBED_ROWS` rows read are all 16 lower-case hex
    digits (an export's own keys; keyed digests are 30): a guess that chooses
    `with_narrow_ids`, which `wide_keys` then checks over every accepted row. Only the key
    column of those rows is read (rejected rows included: 0.01 s, against 0.15 s for the
    accepted rows of a 10M-row Parquet file)."""
    key = pl.col("person_key").cast(pl.String)
    probe = normalised.select(key).head(PROBED_ROWS).drop_nulls()
    rows, narrow = probe.select(pl.len(), _plain_hex(key, _HEX_KEY_CHARS).all()).collect().row(0)
    return rows > 0 and bool(narrow)


def _code_rank(name: str, numbered: bool = False) -> pl.Expr:
    """A GSO code as its number (canonical codes are all digits of their width), empty last.
    `numbered`: taken from the code's number column (`resolve.UNIT_NUMBERS`), no text parsed."""
    width = CODE_WIDTH[name.removesuffix("_code")]
    if numbered:
        number = pl.col(UNIT_NUMBERS[name]).cast(pl.Int64)
    else:
        code = pl.col(name).cast(pl.String)
        number = pl.when(code.str.len_bytes() == width).then(
            code.str.to_integer(strict=False, dtype=pl.Int64)
        )
    return number.fill_null(10**width)


def _small_rank(name: str, order: tuple[str, ...]) -> pl.Expr:
    ranks = {value: rank for rank, value in enumerate(order)}
    return lookup(pl.col(name), ranks, dtype=pl.Int64(), default=len(order))


# Bits of the tie-break part of the order key, lowest last: (column, bits, how it is ranked).
_TIE_FIELDS: tuple[tuple[str, int], ...] = (
    ("ward_code", 17),
    ("district_code", 10),
    ("province_code", 7),
    ("declared_by", 2),
    ("channel", 3),
)
_SMALL_ORDERS: dict[str, tuple[str, ...]] = {
    "declared_by": DECLARED_BY_ORDER,
    "channel": CHANNEL_ORDER,
}
_TIME_SHIFT = 1 << 64
_UNIT_CODES = frozenset(f"{level}_code" for level in CODE_WIDTH)


def _field_rank(name: str, numbered: bool) -> pl.Expr:
    order = _SMALL_ORDERS.get(name)
    return _small_rank(name, order) if order is not None else _code_rank(name, numbered)


def order_key(
    fields: tuple[tuple[str, int], ...] = _TIE_FIELDS, *, numbered: bool = False
) -> pl.Expr:
    """`FIRST_ROW_ORDER` but the declaration id, packed in one Int128 (lower = first).

    The time in its unit takes the high 64 bits; below it ward (17 bits), district (10),
    province (7), declared_by (2) and channel (3) ranks, each with the empty value last.
    Rows with equal keys agree on every column of `FIRST_ROW_COLUMNS` but the id, and the
    key gives those columns back (`decoded_columns`). `fields` a leading part of `_TIE_FIELDS`
    orders by those columns only (`first_places`). `numbered`: the codes' ranks from their
    number columns (`resolve.UNIT_NUMBERS`, as `core.normalise` gives them), no text parsed.
    """
    tie: pl.Expr = pl.lit(0, pl.Int64)  # 39 bits: 64-bit arithmetic, 128-bit only to combine
    for name, bits in fields:
        tie = tie * (1 << bits) + _field_rank(name, numbered)
    time = pl.col("declared_at").cast(pl.Int64).cast(pl.Int128)
    return time * _TIME_SHIFT + tie.cast(pl.Int128)


@cache
def _known_codes(level: str) -> tuple[pl.Series, pl.Series]:
    """The bundled codes of `level` as an `Enum` column (then null), and each number's position
    in it (`10**width + 1` entries, null for a number that is no known code)."""
    codes = known_codes(level)
    positions: list[int | None] = [None] * (10 ** CODE_WIDTH[level] + 1)
    for position, code in enumerate(codes):
        positions[int(code)] = position
    enum = pl.Series([*codes, None], dtype=pl.Enum(codes))
    return enum, pl.Series(positions, dtype=pl.UInt32)


def _known_code(number: pl.Expr, level: str) -> pl.Expr:
    """A known code's number (below `10**width`; `10**width` for none) as that code, an `Enum`
    of the bundled codes (`_known_codes`): grouped by as an integer."""
    enum, positions = _known_codes(level)
    return pl.lit(enum).gather(pl.lit(positions).gather(number).fill_null(len(enum) - 1))


def codes_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with the unit codes `first_places` gives as `Enum`s cast to text, the type of the
    codes everywhere else."""
    return frame.with_columns(
        pl.col(name).cast(pl.String)
        for name, dtype in frame.schema.items()
        if name in _UNIT_CODES and isinstance(dtype, pl.Enum)
    )


def decoded_columns(
    key: pl.Expr,
    time_dtype: pl.DataType,
    fields: tuple[tuple[str, int], ...] = _TIE_FIELDS,
    *,
    enum: bool = False,
) -> list[pl.Expr]:
    """The columns of `FIRST_ROW_COLUMNS` but the id, from an `order_key(fields)` value; with
    `enum`, the unit codes as `Enum`s of the bundled codes (only known codes: those of accepted
    rows as `core.normalise` gives them)."""
    time = key // _TIME_SHIFT
    tie = (key - time * _TIME_SHIFT).cast(pl.Int64)  # below 2**39: 64-bit arithmetic from here
    exprs = [time.cast(pl.Int64).cast(time_dtype).alias("declared_at")]
    shift = 0
    for name, bits in reversed(fields):
        rank = (tie // (1 << shift)) % (1 << bits)
        order = _SMALL_ORDERS.get(name)
        if order is not None:
            value = rank_value(rank.cast(pl.Int64), list(order))
        else:
            level = name.removesuffix("_code")
            number = rank.clip(0, 10 ** CODE_WIDTH[level])
            if enum:
                value = _known_code(number, level)
            else:
                value = pl.lit(padded_codes(CODE_WIDTH[level])).gather(number)
        exprs.append(value.alias(name))
        shift += bits
    return exprs


def accepted_rows(normalised: pl.LazyFrame, cutoff: datetime | None = None) -> pl.LazyFrame:
    """Accepted rows, and only those at or before the cut-off when one is given."""
    rows = normalised.filter(pl.col("reject_reason").is_null())
    if cutoff is not None:
        rows = rows.filter(pl.col("declared_at") <= pl.lit(cutoff, pl.Datetime(TIME_UNIT)))
    return rows


def _keyed(rows: pl.LazyFrame, order: pl.Expr) -> pl.LazyFrame:
    """`rows` with each one's person id (`person_id`, unless `with_narrow_ids` gave them one)
    and its `order` key."""
    ids = (
        []
        if _PERSON in rows.collect_schema()
        else [person_id(pl.col("person_key").cast(pl.String)).alias(_PERSON)]
    )
    return rows.with_columns(*ids, order.alias(_ORDER))


def _first_counted(rows: pl.LazyFrame, order: pl.Expr) -> pl.LazyFrame:
    """Per person: `person_key`, the minimum of `order` (as `_ORDER`) and `rows`, their rows."""
    return (
        _keyed(rows, order)
        .group_by(_PERSON)
        .agg(
            pl.col("person_key").first(),
            pl.col(_ORDER).min(),
            pl.len().cast(pl.Int64).alias("rows"),
        )
    )


def first_rows(rows: pl.LazyFrame, *, in_memory: bool = False) -> pl.LazyFrame:
    """One row per person: their first accepted row, with the columns of `FIRST_ROW_COLUMNS`.

    Without sorting: rows are grouped by a fixed-width person id (`person_id`) and only the
    minimum of one packed order key (`order_key`) is kept per person, from which the columns
    are decoded; among the rows at that minimum, the lowest declaration id is taken, empty last.
    Expects columns as `core.normalise` gives them (canonical GSO codes, `declared_by` and
    `channel` values, or empty); columns a query does not use are not computed.

    `in_memory` (rows already collected, as an ingest's new rows): the id comes from a second
    group-by over the rows at each minimum, 1.7 s instead of 3.5 s at 2M rows; over a scan
    that second reading costs more than it saves (`followup` at 10M rows: 17 s against 10 s).
    """
    order = pl.col(_ORDER)
    time_dtype = rows.collect_schema()["declared_at"]
    keyed = _keyed(rows, order_key())
    if in_memory:
        firsts = keyed.group_by(_PERSON).agg(pl.col("person_key").first(), order.min())
        ids = (
            keyed.join(firsts.select(_PERSON, _ORDER), on=[_PERSON, _ORDER], how="semi")
            .group_by(_PERSON)
            .agg(pl.col("declaration_id").min())
        )
        firsts = firsts.join(ids, on=_PERSON, how="left")
    else:
        firsts = keyed.group_by(_PERSON).agg(
            pl.col("person_key").first(),
            order.min(),
            pl.col("declaration_id").filter(order == order.min()).min(),
        )
    return firsts.select(
        "person_key", *decoded_columns(order, time_dtype), "declaration_id"
    ).select("person_key", *FIRST_ROW_COLUMNS)


def first_rows_counted(rows: pl.LazyFrame) -> pl.LazyFrame:
    """One row per person: `person_key`, the columns of their first row but the id, and `rows`,
    their rows.

    The id only breaks ties between rows equal on every other column of the order, so the
    minimum of `order_key` gives those columns (as `first_rows`); with a count beside it, the
    group-by streams (a sort per person held every row: 7 GiB and 26 s at 10 million rows).
    Rows as `core.normalise` gives them are ordered by their codes' numbers, and the codes come
    back as `Enum`s (`codes_as_text`), as in `first_places`.
    """
    order = pl.col(_ORDER)
    schema = rows.collect_schema()
    numbered = all(number in schema for number in UNIT_NUMBERS.values())
    return (
        _first_counted(rows, order_key(numbered=numbered))
        .select("person_key", *decoded_columns(order, schema["declared_at"], enum=numbered), "rows")
        .select("person_key", *FIRST_ROW_COLUMNS[:-1], "rows")  # all but the id
    )


# The place columns of the order: time, then ward, district, province decide where and when a
# person is counted; declared_by, channel and the id only break ties between rows of one place.
_PLACE_FIELDS: tuple[tuple[str, int], ...] = _TIE_FIELDS[:3]
PLACE_COLUMNS: tuple[str, ...] = ("declared_at", "province_code", "district_code", "ward_code")


def first_places(
    rows: pl.LazyFrame, part: Part | None = None, places: PlaceKey | None = None
) -> pl.LazyFrame:
    """One row per person: `person_key`, the time and unit codes of their first row, and
    `rows`, their rows (a count polars leaves out when no query reads it).

    The same values as those columns of `first_rows`: the order of SPEC §3.3 starts with the
    time, ward, district and province, and the later keys (declared_by, channel, id) only choose
    among rows that agree on all four. Ordering by those four alone, a query that needs no more
    (coverage, progress, rank) reads and normalises neither declared_by, channel nor the id.
    With `part`, only the persons of that part (`core.passes`); the filter is on the key, so
    polars applies it before normalising the other columns. Rows as `core.normalise` gives them
    carry their codes' numbers (`resolve.UNIT_NUMBERS`): ordered by those, no code is parsed.

    With the numbers, the unit codes are `Enum`s of the bundled codes: decoded and grouped
    as integers, about a fifth of the time of text at 7 million persons. `codes_as_text` casts a
    result back. With the numbers and `places` (`core.places.place_key`, for the districts in
    force the rows were remapped to), the order is one Int64 instead of an Int128.
    """
    order = pl.col(_ORDER)
    schema = rows.collect_schema()
    numbered = all(number in schema for number in UNIT_NUMBERS.values())
    if part is not None:
        rows = rows.filter(part.holds(pl.col("person_key").cast(pl.String)))
    if numbered and places is not None:
        key, decoded = places.order(), places.decoded(order, schema["declared_at"])
    else:
        key = order_key(_PLACE_FIELDS, numbered=numbered)
        decoded = decoded_columns(order, schema["declared_at"], _PLACE_FIELDS, enum=numbered)
    return (
        _first_counted(rows, key)
        .select("person_key", *decoded, "rows")
        .select("person_key", *PLACE_COLUMNS, "rows")
    )
