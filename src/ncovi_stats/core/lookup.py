"""Value lookups that stream (polars and the standard library only).

`Expr.replace_strict` runs as a whole-column function in polars' streaming engine: the engine
collects every row of the query in memory before applying it, so one lookup in the row step made
a 50-million-row read hold all its rows (7 GiB). `lookup` gives the same values element-wise: the
text is cast to an `Enum` of the keys (an unknown or missing text becomes null), and the value is
taken at that position in a literal column of the values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl


def lookup(
    expr: pl.Expr,
    mapping: Mapping[str, Any],
    *,
    dtype: pl.DataType,
    default: Any = None,
) -> pl.Expr:
    """`expr.replace_strict(mapping, default=default, return_dtype=dtype)`, streaming.

    As `replace_strict`: a text that is not a key, and a missing one, give `default`.
    """
    keys = list(mapping)
    values = pl.Series([*mapping.values(), default], dtype=dtype)
    position = expr.cast(pl.String).cast(pl.Enum(keys), strict=False).to_physical()
    return pl.lit(values).gather(position.fill_null(len(keys)))


def rank_value(rank: pl.Expr, values: list[str]) -> pl.Expr:
    """`values[rank]`, null where `rank` is not a position of `values` (streaming)."""
    last = len(values) - 1
    inside = (rank >= 0) & (rank <= last)
    picked = pl.lit(pl.Series(values, dtype=pl.String)).gather(rank.clip(0, last).cast(pl.UInt32))
    return pl.when(inside).then(picked)
