"""About how many rows the inputs hold, before reading them: enough to choose the number of
passes of a read (`core.passes`). An estimate never changes a figure, only the memory and time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from ncovi_stats.errors import BadInputError
from ncovi_stats.io.scan import expand_paths, file_format

# Bytes of one row of a national export as UTF-8 CSV (83 in `bench/national.py`'s); fewer bytes
# a row counts more rows, hence more passes, never fewer.
TEXT_BYTES_PER_ROW = 80


def estimated_rows(patterns: Sequence[str | Path]) -> int:
    """Rows of Parquet files from their metadata; of other files, their bytes over
    `TEXT_BYTES_PER_ROW`. A file that cannot be read here is left to the read to report."""
    try:
        paths = expand_paths(patterns)
    except BadInputError:
        return 0
    rows = 0
    for path in paths:
        try:
            if file_format(path) == "parquet":
                rows += pl.scan_parquet(path).select(pl.len()).collect().item()
            else:
                rows += path.stat().st_size // TEXT_BYTES_PER_ROW
        except (BadInputError, OSError, pl.exceptions.PolarsError):
            continue
    return rows
