"""Rewrite a CSV export as UTF-8, NFC, header first — streamed, one line at a time (SPEC §2.1).

Design: the copy keeps the input's delimiter and quoting and gets two columns in front of every
record, so nothing is lost and row numbers stay exact:

- `_line`: the 1-based physical line of the original file where the record starts (records with
  a quoted line break span several lines, so this is not always header line + index);
- `_invalid_encoding`: `1` when a line of the record holds bytes invalid in the encoding (they
  are written as U+FFFD), empty otherwise. The caller rejects those rows with reason
  `invalid-encoding`, so rows read = accepted + rejected still holds. (A literal U+FFFD in the
  input is treated the same way: it is where an earlier conversion already lost the text.)

The columns go first so a record with missing trailing fields cannot shift them. Title lines
above the header, the BOM and blank lines are dropped (a blank line is not a declaration).
Windows-1258 writes tone marks as combining characters; every record is normalised to NFC.

A line ends at LF, CRLF or a lone CR (old Mac exports, or a stray CR inside a CRLF file): each
is a physical line, so every record is read or rejected and `_line` counts them all.

A UTF-8 file without BOM whose header is on line 1, with every line valid, NFC, non-blank, a
record of its own and ended by LF or CRLF, is not copied: `TranscodeResult.copied` is False, `path` is the original, and
`scan_transcoded` derives the same two columns from the row index.

A quoted field still open at the end of the file, a record with more fields than the header, or
NUL characters stop with BadInputError naming the file and the line.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from ncovi_stats import stages
from ncovi_stats.errors import BadInputError, OutputError
from ncovi_stats.io.read.sniff import CsvDialect
from ncovi_stats.io.write.formats import no_space_reason

if TYPE_CHECKING:
    import polars as pl

LINE_COLUMN = "_line"
INVALID_COLUMN = "_invalid_encoding"
REPLACEMENT = "\ufffd"
WRITE_BATCH_LINES = 10_000
# Records per Parquet part of a guarded copy (each parsed and hashed in memory: ~15 MB of text).
PARQUET_BATCH_RECORDS = 100_000
# Line numbers kept in the result (the `_invalid_encoding` column marks every row; the counts
# are exact): a wrongly encoded file must not fill the memory with line numbers.
MAX_LISTED_LINES = 1_000
READ_BUFFER_BYTES = 1 << 20
PROGRESS_BATCHES = 10  # a copy says how far it is every 10 batches (100,000 records)

_QUOTED_FIELD = re.compile(r'"(?:[^"]|"")*"')


@dataclass(frozen=True)
class TranscodeResult:
    path: Path  # the UTF-8 copy, or the original when `copied` is False
    invalid_lines: list[int]  # 1-based physical lines with invalid bytes (first 1,000)
    lines: int  # physical lines read from the original
    records: int = 0  # data records (rows) after the header
    header_line: int = 1  # 1-based physical line of the header in the original
    delimiter: str = ","
    copied: bool = True
    dropped_blank_lines: list[int] = field(default_factory=list)  # first 1,000
    invalid_count: int = 0  # physical lines with invalid bytes
    dropped_blank_count: int = 0
    header: tuple[str, ...] = ()  # the header's fields as written (NFC), duplicates kept


class _NeedsCopy(Exception):
    """The file cannot be read as it is (internal signal of the check pass)."""


class IdentityGuard(Protocol):
    """What the transcoder asks of its caller when it copies a file: check the header as written
    (repeated headers), and turn a batch of records with their headers as written into the
    frame to store, its identity columns hashed and dropped (`io.read.scan`)."""

    def check_header(self, header: list[str]) -> None: ...

    def __call__(self, frame: pl.DataFrame) -> pl.DataFrame: ...


class _ParquetSink:
    """Takes the text the transcoder would write to a CSV copy and stores it as Parquet parts,
    each batch of records parsed in memory and passed through the guard first: the raw identity
    values never reach the disk."""

    def __init__(self, folder: Path, guard: IdentityGuard, delimiter: str) -> None:
        self.folder = folder
        self.guard = guard
        self.delimiter = delimiter
        self.header: str | None = None
        self.chunks: list[str] = []
        self.records = 0
        self.parts = 0

    def write(self, text: str) -> None:
        if self.header is None:  # the first write is the header record, alone
            self.header = text
            self.guard.check_header(list(_header_names(text, self.delimiter)[2:]))
            return
        if not text:
            return
        self.chunks.append(text)
        self.records += text.count("\n")  # an upper bound: quoted fields may hold line breaks
        if self.records >= PARQUET_BATCH_RECORDS:
            self.flush()

    def flush(self) -> None:
        if self.header is None or (not self.chunks and self.parts):
            return
        import polars as pl

        data = (self.header + "".join(self.chunks)).encode("utf-8")
        self.chunks, self.records = [], 0
        frame = pl.read_csv(io.BytesIO(data), separator=self.delimiter, infer_schema=False)
        buffer = io.BytesIO()  # polars may not report a failed write to a file: Python does
        self.guard(frame).write_parquet(buffer, compression="lz4", statistics=False)
        part = self.folder / f"part-{self.parts:06d}.parquet"
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(buffer.getbuffer())
        self.parts += 1


def transcode_to_utf8(
    path: str | Path, dialect: CsvDialect, workdir: Path, guard: IdentityGuard | None = None
) -> TranscodeResult:
    """A UTF-8, NFC copy of `path` inside `workdir` (see the module notes for its two columns).

    With a `guard`, the copy is a folder of Parquet parts whose identity columns the guard has
    hashed and dropped, batch by batch in memory: no raw identity value is ever written."""
    path = Path(path)
    if dialect.encoding == "utf-8" and not dialect.has_bom and dialect.header_line == 1:
        from ncovi_stats.io.read.fastcheck import lines_if_plain

        lines = lines_if_plain(path, dialect.delimiter)  # the common case, checked in blocks
        if lines is not None:
            with path.open(encoding="utf-8", newline="\n") as source:
                header = _header_names(source.readline(), dialect.delimiter)
            return TranscodeResult(
                path, [], lines, lines - 1, 1, dialect.delimiter, copied=False, header=header
            )
        try:
            return _stream(path, dialect, None)
        except _NeedsCopy:
            pass
    target = workdir / f"{path.stem}.{os.getpid()}.utf8.csv"
    suffix = 0
    while target.exists() or target.with_suffix(".parts").exists():
        suffix += 1
        target = workdir / f"{path.stem}.{os.getpid()}.{suffix}.utf8.csv"
    try:
        if guard is not None:
            target = target.with_suffix(".parts")
            target.mkdir(mode=0o700)
            sink = _ParquetSink(target, guard, dialect.delimiter)
            result = _stream(path, dialect, sink, target)
            sink.flush()
            return result
        with target.open("x", encoding="utf-8", newline="") as out:
            os.chmod(target, 0o600)
            return _stream(path, dialect, out, target)
    except Exception as error:
        _remove(target)
        reason = no_space_reason(error)
        if reason is None:
            raise
        raise OutputError(
            f"{path}: no space for its UTF-8 copy in the temporary folder ({reason}); "
            "free space there or set TMPDIR to a folder with more space."
        ) from None
    except BaseException:
        _remove(target)
        raise


def _remove(target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target, ignore_errors=True)
    else:
        target.unlink(missing_ok=True)


def _open(path: Path, encoding: str) -> TextIO:
    try:
        return open(  # noqa: SIM115 - closed by the caller's with
            path,
            encoding=encoding,
            errors="replace",
            newline="",  # lines end at LF, CRLF or a lone CR, each kept as written
            buffering=READ_BUFFER_BYTES,
        )
    except OSError as error:
        raise BadInputError(f"{path}: cannot be read ({error.strerror})") from None


def _stream(
    path: Path,
    dialect: CsvDialect,
    out: TextIO | _ParquetSink | None,
    target: Path | None = None,
) -> TranscodeResult:
    """One pass over the file; with `out` None only check that it needs no copy."""
    delimiter = dialect.delimiter
    prefix_header = f"{LINE_COLUMN}{delimiter}{INVALID_COLUMN}{delimiter}"
    invalid_lines: list[int] = []
    blank_lines: list[int] = []
    invalid_count = blank_count = 0
    batch: list[str] = []
    header_fields = 0
    header: tuple[str, ...] = ()
    records = -1  # the header is the first record
    number = 0

    # the record being read: its first line, its lines, whether it holds invalid bytes
    start = 0
    parts: list[str] = []
    invalid = False
    in_quote = False
    fields = 0

    size = path.stat().st_size if out is not None else 0
    written = 0  # batches written
    with _open(path, dialect.encoding) as source:
        for line in source:
            number += 1
            if number < dialect.header_line:
                continue
            if number == dialect.header_line and dialect.has_bom and number == 1:
                line = line.removeprefix("\ufeff")
            if not in_quote and not line.strip():
                if out is None:
                    raise _NeedsCopy
                blank_count += 1
                if blank_count <= MAX_LISTED_LINES:
                    blank_lines.append(number)
                continue
            if "\x00" in line:
                raise BadInputError(
                    f"{path}: line {number} holds NUL characters; the encoding is wrong "
                    "(try --encoding utf-16-le or utf-16-be)"
                )
            if REPLACEMENT in line:
                if out is None:
                    raise _NeedsCopy
                invalid_count += 1
                if invalid_count <= MAX_LISTED_LINES:
                    invalid_lines.append(number)
                invalid = True
            if not in_quote:
                start = number
                fields = 1
            elif out is None:
                raise _NeedsCopy  # a record over several lines
            if out is None and line.endswith("\r"):
                raise _NeedsCopy  # a lone CR ends this line: polars would not see the break
            in_quote, separators = _scan_line(line, in_quote, delimiter)
            fields += separators
            parts.append(line)
            if in_quote:
                continue

            records += 1
            if records == 0:
                header_fields = fields
            elif fields > header_fields:
                raise BadInputError(
                    f"{path}: line {start} has {fields} fields but the header has "
                    f"{header_fields}; quote the values holding {delimiter!r} or re-export"
                )
            text = "".join(parts) if len(parts) > 1 else line
            parts = []
            if records == 0:
                header = _header_names(text, delimiter)
            if out is None:
                if not unicodedata.is_normalized("NFC", text):
                    raise _NeedsCopy
            else:
                text = unicodedata.normalize("NFC", text.rstrip("\r\n"))
                if records == 0:
                    out.write(f"{prefix_header}{text}\n")  # alone: a sink reads it apart
                else:
                    flag = "1" if invalid else ""
                    batch.append(f"{start}{delimiter}{flag}{delimiter}{text}\n")
                if len(batch) >= WRITE_BATCH_LINES:
                    out.write("".join(batch))
                    batch = []
                    written += 1
                    if written % PROGRESS_BATCHES == 0:  # bytes read so far, of all
                        stages.report("transcoding", str(path), source.buffer.tell(), size)
            invalid = False

    if in_quote:
        raise BadInputError(
            f"{path}: the quoted field opened on line {start} is never closed; "
            "the file is cut short or malformed (fix the quoting or re-export it)"
        )
    if records < 0:
        raise BadInputError(f"{path}: no header on line {dialect.header_line}; pass --header-row")
    if out is not None:
        out.write("".join(batch))
        stages.report("transcoding", str(path), size, size)
    return TranscodeResult(
        path=target if target is not None else path,
        invalid_lines=invalid_lines,
        lines=number,
        records=records,
        header_line=dialect.header_line,
        delimiter=delimiter,
        copied=out is not None,
        dropped_blank_lines=blank_lines,
        invalid_count=invalid_count,
        dropped_blank_count=blank_count,
        header=header,
    )


def _header_names(text: str, delimiter: str) -> tuple[str, ...]:
    """The header record's fields, as written (polars renames a repeated header; we must see
    the repetition)."""
    record = unicodedata.normalize("NFC", text.rstrip("\r\n"))
    return tuple(next(csv.reader([record], delimiter=delimiter), []))


def _scan_line(line: str, in_quote: bool, delimiter: str) -> tuple[bool, int]:
    """(inside a quoted field at the end of the line, delimiters outside quotes)."""
    if not in_quote:
        if '"' not in line:
            return False, line.count(delimiter)
        if line.count('"') % 2 == 0:
            # well-formed quoted fields hold an even number of quotes: drop them, then count
            return False, _QUOTED_FIELD.sub("", line).count(delimiter)
    return _scan_quotes(line, in_quote, delimiter)


def _scan_quotes(line: str, in_quote: bool, delimiter: str) -> tuple[bool, int]:
    """The exact RFC 4180 walk: a quote opens a field only at its start; `""` is a quote."""
    separators = 0
    field_start = not in_quote
    index, end = 0, len(line)
    while index < end:
        char = line[index]
        if in_quote:
            if char == '"':
                if index + 1 < end and line[index + 1] == '"':
                    index += 2
                    continue
                in_quote = False
        elif char == '"' and field_start:
            in_quote = True
        elif char == delimiter:
            separators += 1
            field_start = True
            index += 1
            continue
        field_start = False
        index += 1
    return in_quote, separators


def scan_transcoded(result: TranscodeResult) -> pl.LazyFrame:
    """The transcoded file as a LazyFrame: `_line` (Int64), `_invalid_encoding` (Boolean), then
    the file's columns as text, whether or not the file was copied."""
    import polars as pl

    if result.copied and result.path.is_dir():  # a guarded copy: Parquet parts
        frame = pl.scan_parquet(result.path / "part-*.parquet")
        return frame.with_columns(
            pl.col(LINE_COLUMN).cast(pl.Int64),
            pl.col(INVALID_COLUMN).fill_null("").eq("1"),
        )
    if result.copied:
        frame = pl.scan_csv(result.path, separator=result.delimiter, infer_schema=False)
        return frame.with_columns(
            pl.col(LINE_COLUMN).cast(pl.Int64),
            pl.col(INVALID_COLUMN).fill_null("").eq("1"),
        )
    frame = pl.scan_csv(
        result.path,
        separator=result.delimiter,
        infer_schema=False,
        row_index_name=LINE_COLUMN,
        row_index_offset=result.header_line + 1,
    )
    return frame.with_columns(
        pl.col(LINE_COLUMN).cast(pl.Int64), pl.lit(False).alias(INVALID_COLUMN)
    ).select(LINE_COLUMN, INVALID_COLUMN, pl.exclude(LINE_COLUMN, INVALID_COLUMN))
