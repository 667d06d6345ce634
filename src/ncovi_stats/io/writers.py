"""Writers for result tables (SPEC §4.2): every file is written whole or not at all."""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from ncovi_stats.errors import OutputError

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
MARKDOWN_SPECIAL = str.maketrans({char: f"\\{char}" for char in "\\|*_`[]<>#"})


def is_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    try:
        folder = path.parent if str(path.parent) else Path(".")
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise OutputError(
            f"{path}: could not be written ({error.strerror or type(error).__name__}); "
            "check the folder exists, is writable and has space."
        ) from None


def emit(data: bytes, output: Path | None) -> None:
    """Bytes to stdout (`-` or no path) or atomically to a file."""
    if is_stdout(output):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        assert output is not None
        write_bytes_atomic(output, data)


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    starts = "^[" + "".join(FORMULA_PREFIXES).replace("-", r"\-") + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(starts))
        .then("'" + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(records: pl.DataFrame, meta: dict[str, Any]) -> bytes:
    document = {"meta": meta, "records": records.to_dicts()}
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default)
    return (text + "\n").encode()


def to_csv(records: pl.DataFrame, *, bom: bool = False) -> bytes:
    buffer = io.BytesIO()
    neutralise_formulas(records).write_csv(buffer, datetime_format="%Y-%m-%dT%H:%M:%S")
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue()


def to_parquet(records: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    records.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


def markdown_cell(value: str) -> str:
    return value.translate(MARKDOWN_SPECIAL).replace("\n", " ")


def to_markdown(header: list[str], rows: list[list[str]], title: str | None = None) -> bytes:
    """A GitHub-flavoured Markdown table of already formatted cells, every cell escaped."""
    lines = [f"## {markdown_cell(title)}", ""] if title else []
    lines.append("| " + " | ".join(markdown_cell(cell) for cell in header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines.extend("| " + " | ".join(markdown_cell(cell) for cell in row) + " |" for row in rows)
    return ("\n".join(lines) + "\n").encode()


FILE_WRITERS: dict[str, Callable[[pl.DataFrame, dict[str, Any]], bytes]] = {
    "json": to_json,
    "csv": lambda records, meta: to_csv(records),
    "parquet": lambda records, meta: to_parquet(records),
}


def _to_xlsx(records: pl.DataFrame, meta: dict[str, Any]) -> bytes:
    from ncovi_stats.io.xlsx import to_xlsx  # xlsxwriter only when a workbook is written

    return to_xlsx(records, meta)


FILE_WRITERS["xlsx"] = _to_xlsx
