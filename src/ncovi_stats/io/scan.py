"""Lazy readers for declaration exports (SPEC §2.1).

`scan_declarations` turns one file, several files or glob patterns into one LazyFrame of the
canonical columns, typed and checked row by row (`core.normalise`), with `_source_file` and
`_line` kept so every rejected row can be traced back. Only the needed columns are read.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import polars as pl

from ncovi_stats.core.normalise import normalise_declarations
from ncovi_stats.errors import BadInputError
from ncovi_stats.schema import COLUMN_NAMES

SUFFIXES: dict[str, str] = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet"}


def expand_paths(patterns: Sequence[str | Path]) -> list[Path]:
    """Files named or matched by glob patterns, in a stable order, each listed once."""
    paths: list[Path] = []
    for pattern in patterns:
        text = str(pattern)
        if glob.has_magic(text):
            matches = sorted(Path(match) for match in glob.glob(text, recursive=True))
            if not matches:
                raise BadInputError(f"{text}: no file matches this pattern; check the path.")
            paths.extend(matches)
        else:
            path = Path(text)
            if not path.exists():
                raise BadInputError(f"{text}: file not found; check the path.")
            if path.is_dir():
                raise BadInputError(f"{text}: is a folder; name the export files or a glob.")
            paths.append(path)
    if not paths:
        raise BadInputError("no input files given; name one or more exports.")
    unique = list(dict.fromkeys(path.resolve() for path in paths))
    return unique


def file_format(path: Path) -> str:
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(SUFFIXES))
        raise BadInputError(
            f"{path}: cannot read files ending in '{path.suffix}'; use one of {known}."
        ) from None


def scan_raw(path: Path) -> pl.LazyFrame:
    """One export as read, with `_line`: the line (CSV) or row (Parquet) number, from 1."""
    kind = file_format(path)
    try:
        if kind == "parquet":
            return pl.scan_parquet(path, row_index_name="_line", row_index_offset=1)
        return pl.scan_csv(
            path,
            infer_schema=False,
            row_index_name="_line",
            row_index_offset=2,  # line 1 is the header
            raise_if_empty=True,
        )
    except (OSError, pl.exceptions.PolarsError) as error:
        raise BadInputError(f"{path}: cannot be read as {kind} ({type(error).__name__}).") from None


def scan_declarations(
    patterns: Sequence[str | Path], *, now: datetime, key: bytes | None = None
) -> pl.LazyFrame:
    """All exports as one LazyFrame of typed canonical columns with `reject_reason`.

    `now` is the machine's clock as naive Vietnam local time: later rows are `future-time`.
    `key` is the secret that turns identity columns into `person_key` (SPEC §5).
    """
    frames = []
    for path in expand_paths(patterns):
        raw = scan_raw(path)
        try:
            schema = raw.collect_schema()
        except (OSError, pl.exceptions.PolarsError) as error:
            raise BadInputError(
                f"{path}: cannot be read ({type(error).__name__}); is it an export file?"
            ) from None
        present = [name for name in schema.names() if name in COLUMN_NAMES]
        raw = raw.select("_line", *present)
        frames.append(
            normalise_declarations(raw, source=str(path), schema=schema, now=now, key=key)
        )
    return pl.concat(frames, how="vertical")
