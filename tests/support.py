"""Helpers for tests: tiny exports written from rows, and requests over them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from ncovi_stats.api.request import Request

# A clock far after the 2020 data, so no test row is "future" unless it means to be.
NOW = datetime(2026, 1, 1, 12, 0)


def write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """Rows of text cells as a canonical UTF-8 CSV (missing cells empty)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    frame = pl.DataFrame(
        [{column: row.get(column) for column in columns} for row in rows],
        schema={column: pl.String for column in columns},
        orient="row",
    )
    frame.write_csv(path)
    return path


def request(*paths: Path, as_of: datetime | None = None, **kwargs: Any) -> Request:
    return Request(inputs=tuple(str(p) for p in paths), now=NOW, as_of=as_of, **kwargs)


def normalised_rows(rows: Sequence[dict[str, Any]], now: datetime = NOW) -> pl.LazyFrame:
    """Rows of text cells (person_key, declared_at and unit codes) through `core.normalise`,
    which gives each code's number (`resolve.UNIT_NUMBERS`) beside it."""
    from ncovi_stats.core.normalise import normalise_declarations

    raw = pl.DataFrame(
        [{"_line": line, **row} for line, row in enumerate(rows, start=2)],
        schema={
            "_line": pl.Int64,
            "person_key": pl.String,
            "declared_at": pl.String,
            "province_code": pl.String,
            "district_code": pl.String,
            "ward_code": pl.String,
        },
    )
    return normalise_declarations(raw.lazy(), source="a.csv", schema=raw.schema, now=now)
