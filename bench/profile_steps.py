"""Where the time of a reading command goes, step by step, in one process (not a test).

    python bench/profile_steps.py ROWS parquet|csv

Each step is a query over the same scan, collected on its own (each pays its own scan), with
its wall and CPU seconds (this process, all threads) and the load average before it. Exports
come from `bench/national.py` (cached in bench/out/).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl  # noqa: E402
from national import export_path  # noqa: E402

from ncovi_stats.core import coverage, persons, quality  # noqa: E402
from ncovi_stats.core.cutoff import parse_as_of  # noqa: E402
from ncovi_stats.io.read.scan import open_exports  # noqa: E402

AS_OF = parse_as_of("2020-04-10 17:00")


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def step(name: str, build: Callable[[], pl.LazyFrame]) -> None:
    load = Path("/proc/loadavg").read_text().split()[0]
    wall0, cpu0 = time.perf_counter(), cpu()
    build().collect()
    print(
        f"{name:55} {time.perf_counter() - wall0:6.2f} s wall {cpu() - cpu0:6.2f} s CPU"
        f"  (load {load})",
        flush=True,
    )


def main() -> None:
    rows, fmt = int(sys.argv[1]), sys.argv[2]
    path = export_path(rows, fmt)
    print(f"{path.name}, POLARS_MAX_THREADS={os.environ.get('POLARS_MAX_THREADS', '-')}")
    with open_exports([path], now=datetime(2025, 1, 1)) as scan:
        normalised = scan.frame
        accepted = persons.accepted_rows(normalised, AS_OF)
        step(
            "scan only (declared_at, person_key: count)",
            lambda: (
                pl.scan_parquet(path).select(
                    pl.col("declared_at").max(), pl.col("person_key").n_unique()
                )
                if fmt == "parquet"
                else pl.scan_csv(path).select(pl.len())
            ),
        )
        step("normalise: accepted rows (count)", lambda: accepted.select(pl.len()))
        step(
            "row counts of §3.2 (no duplicates)", lambda: quality.row_count_query(normalised, AS_OF)
        )
        step(
            "first rows (every column) -> persons per unit",
            lambda: coverage.count_by_unit(persons.first_rows(accepted)),
        )
        step(
            "first places (what coverage uses) -> persons per unit",
            lambda: coverage.count_by_unit(persons.first_places(accepted)),
        )
        step(
            "coverage: both queries together",
            lambda: pl.concat(
                [
                    coverage.count_by_unit(persons.first_places(accepted)).select(pl.len()),
                    quality.row_count_query(normalised, AS_OF).select(pl.len()),
                ]
            ),
        )
        step(
            "duplicates (validate only)",
            lambda: quality.row_count_query(normalised, AS_OF, duplicates=True),
        )


if __name__ == "__main__":
    main()
