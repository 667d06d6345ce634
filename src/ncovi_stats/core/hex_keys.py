"""A person key of 16 lower-case hex digits read as the UInt64 it spells, by integer arithmetic
on its bytes: no text is parsed, and one comparison tells whether the key is such (issue 11).

The key's 16 bytes are read as two big-endian UInt64 words of 8 characters each. Each word's
low nibbles, plus 9 where bit 6 is set (the letters), are the digits' values when the
characters are hex digits; packing them gives 32 bits. Writing those bits back as lower-case
hex gives the key's characters exactly when the key was 16 lower-case hex digits: any other
byte (upper case, a sign, a space, a multi-byte character) reads back as another byte. So the
value is exact where `ok`, and the comparison is the check. About 0.15 s for 10 million keys,
against 0.36 s for a regular expression and a parse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

_BYTES = 0x0101010101010101  # 1 in each byte
_NIBBLES = 0x0F0F0F0F0F0F0F0F  # the low nibble of each byte


def _u64(value: int) -> pl.Expr:
    return pl.lit(value, pl.UInt64)


Step = Callable[[pl.Expr], pl.Expr]

# From 8 ASCII hex digits (one a byte, the first highest) to their 32-bit value: each byte's
# digit (its low nibble, 9 more for a letter: bit 6), then pairs, quads and halves packed.
_PACK: tuple[Step, ...] = (
    lambda w: ((w & _u64(_NIBBLES)) + (w // 64 & _u64(_BYTES)) * 9) & _u64(_NIBBLES),
    lambda w: (w | w // 16) & _u64(0x00FF00FF00FF00FF),
    lambda w: (w | w // 256) & _u64(0x0000FFFF0000FFFF),
    lambda w: (w | w // 65536) & _u64(0x00000000FFFFFFFF),
)
# From a 32-bit value back to its 8 lower-case hex digits as ASCII bytes (the first highest):
# spread a nibble to a byte, then a digit d is 0x30 + d, and 0x27 more when d > 9 (then
# 0x76 + d carries into bit 7).
_SPELL: tuple[Step, ...] = (
    lambda v: (v | v * 65536) & _u64(0x0000FFFF0000FFFF),
    lambda v: (v | v * 256) & _u64(0x00FF00FF00FF00FF),
    lambda v: (v | v * 16) & _u64(_NIBBLES),
    lambda v: v + _u64(0x30 * _BYTES) + ((v + _u64(0x76 * _BYTES)) // 128 & _u64(_BYTES)) * 0x27,
)


def _stepped(rows: pl.LazyFrame, steps: Sequence[Step], columns: Sequence[str]) -> pl.LazyFrame:
    """Each step applied to each column in place, one projection a step: an expression that
    used the step before twice would double in size at each step."""
    for step in steps:
        rows = rows.with_columns(step(pl.col(name)).alias(name) for name in columns)
    return rows


def with_hex_value(rows: pl.LazyFrame, key: str, value: str, ok: str) -> pl.LazyFrame:
    """`rows` with `value`, the UInt64 the text column `key` spells as 16 hex digits, and `ok`,
    whether `key` is 16 lower-case hex digits (False for any other key or none: its `value`
    then means nothing)."""
    words = (
        pl.col(key)
        .cast(pl.String)
        .cast(pl.Binary)
        .bin.reinterpret(dtype=pl.Array(pl.UInt64, 2), endianness="big")
    )
    halves = ("__hex_high", "__hex_low")
    values = [f"{half}_value" for half in halves]
    spelled = [f"{half}_spelled" for half in halves]
    rows = rows.with_columns(words.alias("__hex_words")).with_columns(
        pl.col("__hex_words").arr.get(index).alias(name) for index, name in enumerate(halves)
    )
    rows = _stepped(rows.with_columns(pl.col(halves).name.suffix("_value")), _PACK, values)
    rows = rows.with_columns(
        pl.col(values).name.map(lambda name: name.replace("_value", "_spelled"))
    )
    rows = _stepped(rows, _SPELL, spelled)
    same = [pl.col(s) == pl.col(half) for s, half in zip(spelled, halves, strict=True)]
    return rows.with_columns(
        (pl.col(values[0]) * (1 << 32) + pl.col(values[1])).alias(value),
        (same[0] & same[1]).fill_null(False).alias(ok),
    ).drop("__hex_words", *halves, *values, *spelled)
