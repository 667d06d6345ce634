"""About how many rows the inputs hold, before reading them: enough to choose the number of
passes of a read (`core.passes`). An estimate never changes a figure, only the memory and time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from ncovi_stats.errors import BadInputError
from ncovi_stats.io.read.scan import expand_paths, file_format

# Bytes read from the start of a text file to count its lines (rows are alike in an export).
SAMPLE_BYTES = 4 << 20
# Bytes of one row of a workbook, whose bytes are compressed (a sheet holds ~1M rows at most).
XLSX_BYTES_PER_ROW = 20


def estimated_rows(patterns: Sequence[str | Path]) -> int:
    """Rows of Parquet files from their metadata; of text files, their size times the lines in
    their first `SAMPLE_BYTES` over those bytes; of workbooks, their size over
    `XLSX_BYTES_PER_ROW`. A file that cannot be read here is left to the read to report."""
    try:
        paths = expand_paths(patterns)
    except BadInputError:
        return 0
    rows = 0
    for path in paths:
        try:
            kind = file_format(path)
            if kind == "parquet":
                rows += pl.scan_parquet(path).select(pl.len()).collect().item()
            elif kind == "csv":
                rows += _text_rows(path)
            else:
                rows += path.stat().st_size // XLSX_BYTES_PER_ROW
        except (BadInputError, OSError, pl.exceptions.PolarsError):
            continue
    return rows


def _text_rows(path: Path) -> int:
    with open(path, "rb") as source:
        sample = source.read(SAMPLE_BYTES)
        size = source.seek(0, 2)
    if not sample:
        return 0
    return max(1, sample.count(b"\n")) * size // len(sample)
