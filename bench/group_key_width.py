"""The first-row group-by by key width: UInt64 against UInt128 (not a test).

    python bench/group_key_width.py UInt64|UInt128 [PERSONS]

50M rows of PERSONS distinct keys (35M by default, the NCOVI profile of a 50M-row export) and a
value, grouped by key with the value's minimum, as `persons.first_places` does. Prints wall
seconds and the process' peak memory. Run each width in its own process.
"""

from __future__ import annotations

import resource
import sys
import time

import polars as pl

ROWS = 50_000_000


def main() -> None:
    dtype = getattr(pl, sys.argv[1])
    persons = int(sys.argv[2]) if len(sys.argv) > 2 else 35_000_000
    numbers = pl.LazyFrame({"i": pl.int_range(0, persons, eager=True)})
    keys = numbers.select(
        key=(pl.col("i").cast(pl.UInt64) * 0x9E3779B97F4A7C15).cast(dtype),
        value=pl.col("i") % 1000,
    )
    rows = pl.concat([keys, keys.head(ROWS - persons)])
    wall = time.perf_counter()
    firsts = rows.group_by("key").agg(pl.col("value").min())
    total, groups = firsts.select(pl.col("value").sum(), pl.len()).collect().row(0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"{sys.argv[1]}: {groups} persons, {time.perf_counter() - wall:.2f} s, {peak:.2f} GiB")
    assert groups == persons and total > 0


if __name__ == "__main__":
    main()
