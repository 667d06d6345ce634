"""Store targets of issue 8: `python bench/bench_store.py [PERSONS] [RUNS]` (not a test).

1. Ingest of one day's export into a store holding 30 days of history, against ingesting the
   same file into an empty store (target ≤ 1.5×).
2. `coverage --store` (the library call the command makes) on that store, against DuckDB over the
   store's Parquet files (target ≤ 1.2×). Two DuckDB baselines: the per-person table (the same work)
   and the declarations (first row per person by window function, what one writes without it).

Synthetic national export (63 provinces) from `ncovi_stats.api.sample`, cut into daily CSV files
by local day; the history is ingested one day per commit, as a daily cron would. Runs alternate
between the two sides and the median is printed; the machine is shared, so compare ratios.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from ncovi_stats.api.coverage import coverage_report
from ncovi_stats.api.request import Request
from ncovi_stats.api.sample import generate_declarations
from ncovi_stats.io.store.ingest import ingest_exports
from ncovi_stats.io.store.layout import open_store

NOW = datetime(2026, 1, 1, 12, 0)
FIRST_DAY = date(2020, 3, 10)
HISTORY_DAYS = 30
CUTOFF = datetime(2020, 4, 9, 17, 0)


def daily_exports(folder: Path, persons: int) -> list[Path]:
    frame = generate_declarations(None, persons=persons, seed=8)
    paths = []
    for offset in range(HISTORY_DAYS + 1):
        day = FIRST_DAY + timedelta(days=offset)
        rows = frame.filter(pl.col("declared_at").dt.date() == day)
        path = folder / f"ncovi_{day.isoformat()}.csv"
        rows.write_csv(path, datetime_format="%Y-%m-%d %H:%M:%S")
        paths.append(path)
    return paths


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


DUCKDB_PERSONS = """
WITH persons AS (
    SELECT person_key, arg_min(province_code, declared_at) AS province_code,
           arg_min(district_code, declared_at) AS district_code, min(declared_at) AS declared_at
    FROM read_parquet($files) GROUP BY person_key
)
SELECT province_code, district_code, count(*) FROM persons
WHERE declared_at <= $cutoff GROUP BY ALL
"""
DUCKDB_DECLARATIONS = """
WITH ranked AS (
    SELECT province_code, district_code, row_number() OVER (
        PARTITION BY person_key
        ORDER BY declared_at, ward_code NULLS LAST, district_code NULLS LAST,
                 province_code NULLS LAST,
                 CASE declared_by WHEN 'self' THEN 0 WHEN 'household' THEN 1 END NULLS LAST,
                 CASE channel WHEN 'app' THEN 0 WHEN 'web' THEN 1 WHEN 'facility' THEN 2
                      WHEN 'collaborator' THEN 3 WHEN 'other' THEN 4 END NULLS LAST,
                 declaration_id NULLS LAST) AS n
    FROM read_parquet($files, hive_partitioning = true,
                      hive_types = {'province_code': VARCHAR, 'declared_date': VARCHAR})
    WHERE declared_at <= $cutoff
)
SELECT province_code, district_code, count(*) FROM ranked WHERE n = 1 GROUP BY ALL
"""


def main() -> None:
    persons = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory(prefix="bench_store_") as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        *history, today = daily_exports(folder, persons)
        print(f"exports written in {time.perf_counter() - started:.1f} s")
        history_store = folder / "history"
        started = time.perf_counter()
        for path in history:
            ingest_exports(history_store, [path], now=NOW)
        state = open_store(history_store)
        today_rows = pl.scan_csv(today).select(pl.len()).collect().item()
        print(
            f"history: {HISTORY_DAYS} daily commits, {state.rows:,} rows, "
            f"{sum(p.rows for p in state.persons):,} person rows, "
            f"ingested in {time.perf_counter() - started:.1f} s; today: {today_rows:,} rows"
        )

        into_history, into_empty = [], []
        for run in range(runs):
            target = folder / f"run{run}"
            shutil.copytree(history_store, target)
            into_history.append(timed(lambda t=target: ingest_exports(t, [today], now=NOW)))
            empty = folder / f"empty{run}"
            into_empty.append(timed(lambda e=empty: ingest_exports(e, [today], now=NOW)))
            shutil.rmtree(empty)
        h, e = statistics.median(into_history), statistics.median(into_empty)
        print(
            f"ingest one day: into 30 days of history {h:.2f} s, into an empty store {e:.2f} s, "
            f"ratio {h / e:.2f} (target ≤ 1.5); runs {[round(x, 2) for x in into_history]} vs "
            f"{[round(x, 2) for x in into_empty]}"
        )

        store = folder / "run0"
        state = open_store(store)
        person_files = [str(store / entry.path) for entry in state.persons]
        row_files = [str(store / entry.path) for entry in state.declarations]
        ours, by_persons, by_rows = [], [], []
        request = Request(inputs=(), now=NOW, as_of=CUTOFF, store=store)
        for _ in range(runs):
            ours.append(timed(lambda: coverage_report(request, level="district")))
            by_persons.append(
                timed(
                    lambda: duckdb.execute(
                        DUCKDB_PERSONS, {"files": person_files, "cutoff": CUTOFF}
                    ).fetchall()
                )
            )
            by_rows.append(
                timed(
                    lambda: duckdb.execute(
                        DUCKDB_DECLARATIONS, {"files": row_files, "cutoff": CUTOFF}
                    ).fetchall()
                )
            )
        o, p, r = (statistics.median(x) for x in (ours, by_persons, by_rows))
        print(
            f"coverage --store (district, as of {CUTOFF:%Y-%m-%d %H:%M}): {o:.2f} s; "
            f"DuckDB over the persons files {p:.2f} s (ratio {o / p:.2f}, target ≤ 1.2); "
            f"DuckDB over the declarations files {r:.2f} s (ratio {o / r:.2f})"
        )


if __name__ == "__main__":
    main()
