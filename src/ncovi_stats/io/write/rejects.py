"""The rejects file (`--rejects PATH`, SPEC §3.2, §5): CSV, created anew with mode 0600."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from ncovi_stats.core.rejects import REJECT_COLUMNS
from ncovi_stats.io.write.cells import neutralise_formulas
from ncovi_stats.io.write.formats import write_bytes_atomic

REJECTS_FILE_MODE = 0o600


def rejects_csv(rows: pl.DataFrame) -> bytes:
    """UTF-8 CSV of the rejected rows, by file and line, spreadsheet formulas neutralised."""
    ordered = rows.select(REJECT_COLUMNS).sort("source_file", "line")
    buffer = io.BytesIO()
    neutralise_formulas(ordered).write_csv(buffer)
    return buffer.getvalue()


def write_rejects(rows: pl.DataFrame, path: Path) -> None:
    """Write the rejects file whole: a new file (mode 0600) renamed over any old one.

    The temporary file is created by `mkstemp`, which opens it with mode 0600 and O_EXCL, so
    the data is never readable by others, not even for a moment; an existing file at `path`
    is replaced, never written into.
    """
    write_bytes_atomic(path, rejects_csv(rows), mode=REJECTS_FILE_MODE)
