"""Time `derive_person_key` on synthetic rows: `python bench/bench_identity.py [ROWS]`.

CPU time is the figure to compare when other work shares the machine.
Rows repeat persons (about 3 rows per person, as exports do); a third of the persons have no
ID and are keyed by phone + name + birth year. Not a test: prints timings only.
"""

from __future__ import annotations

import sys
import time

import polars as pl

from ncovi_stats.core.identity import derive_person_key


def synthetic(rows: int) -> pl.LazyFrame:
    person = pl.int_range(rows, dtype=pl.Int64) * 7919 % max(rows // 3, 1)
    has_id = person % 3 != 0
    return pl.select(
        pl.when(has_id)
        .then(
            pl.format(
                "0{} {}",
                (person // 1000).cast(pl.String).str.zfill(8),
                (person % 1000).cast(pl.String).str.zfill(3),
            )
        )
        .alias("person_id"),
        pl.format("+84 9{}", person.cast(pl.String).str.zfill(8)).alias("phone"),
        pl.format("Nguyễn Văn {}", person % 5000).alias("full_name"),
        (1930 + person % 90).cast(pl.String).alias("birth_year"),
        pl.lit("Nam").alias("sex"),
    ).lazy()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    data = synthetic(rows).collect()
    key = bytes(range(32))
    for engine in ("streaming", "in-memory"):
        wall, cpu = time.perf_counter(), time.process_time()
        out = derive_person_key(data.lazy(), key).collect(engine=engine)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        persons = out["person_key"].n_unique()
        print(f"{engine}: {rows:,} rows, {persons:,} keys, {wall:.2f} s wall, {cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
