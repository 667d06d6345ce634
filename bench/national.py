"""Generate (and cache) a synthetic national export: `python bench/national.py ROWS [csv|parquet]`.

All 63 provinces with real district and ward codes, drawn by `ncovi_stats.api.sample` in chunks of
at most ten million rows (each chunk its own seed and declaration-id prefix, so keys and ids stay
distinct), written to `bench/out/national_<ROWS>.<fmt>` (git-ignored). Prints the path. Not a test.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import polars as pl  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from ncovi_stats.api.sample import CSV_TIME_FORMAT, generate_declarations  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
CHUNK_ROWS = 10_000_000
# Rows per person of the NCOVI_2020 profile: 1 + 20% repeaters × 1.5 extra rows.
ROWS_PER_PERSON = 1.3


def chunks(rows: int) -> Iterator[pl.DataFrame]:
    left, seed = rows, 0
    while left > 0:
        want = min(left, CHUNK_ROWS)
        frame = generate_declarations(
            None, persons=max(1, round(want / ROWS_PER_PERSON)), seed=seed
        )
        frame = frame.head(want).with_columns(
            pl.format("{}{}", pl.lit(f"C{seed}"), "declaration_id").alias("declaration_id")
        )
        yield frame
        left -= frame.height
        seed += 1


def export_path(rows: int, fmt: str) -> Path:
    """The cached export of `rows` rows in `fmt`, generated when missing."""
    path = OUT / f"national_{rows}.{fmt}"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    other = OUT / f"national_{rows}.{'csv' if fmt == 'parquet' else 'parquet'}"
    started = time.perf_counter()
    temp = path.with_suffix(".tmp")
    if other.exists():  # same rows in the other format
        lf = pl.scan_parquet(other) if fmt == "csv" else pl.scan_csv(other, try_parse_dates=True)
        if fmt == "csv":
            lf.sink_csv(temp, datetime_format=CSV_TIME_FORMAT)
        else:
            lf.sink_parquet(temp, compression="zstd")
    else:
        if fmt == "csv":
            with temp.open("wb") as stream:
                for i, frame in enumerate(chunks(rows)):
                    frame.write_csv(stream, include_header=i == 0, datetime_format=CSV_TIME_FORMAT)
        else:
            writer = None
            for frame in chunks(rows):
                table = frame.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(temp, table.schema, compression="zstd")
                writer.write_table(table, row_group_size=1_000_000)
            assert writer is not None
            writer.close()
    temp.rename(path)
    print(f"generated {path} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def main() -> None:
    rows = int(sys.argv[1])
    for fmt in sys.argv[2:] or ["parquet"]:
        print(export_path(rows, fmt))


if __name__ == "__main__":
    main()
