"""Lazy readers for declaration exports (SPEC §2.1).

`scan_exports` turns one file, several files or glob patterns into one LazyFrame of the
canonical columns, typed and checked row by row (`core.normalise`), with `_source_file` and
`_line` kept so every rejected row can be traced back, and a `SourceInfo` per input saying how
it was read. Every format goes through the same recipe:

- CSV: `sniff_csv` (encoding, delimiter, header line) → `transcode_to_utf8` (a UTF-8, NFC copy in
  the private work folder, only when the file cannot be read as it is) → `scan_transcoded`
  (`_line` = physical line of the original, `_invalid_encoding`);
- Parquet: scanned as it is, `_line` = row number from 1;
- `.xlsx`: `read_xlsx`, every sheet with the same columns (or `--sheet`); each sheet is a source
  of its own, labelled `file.xlsx [sheet]`, `_line` = the Excel row number;

then headers mapped to canonical names (`map_headers`: Vietnamese headers, `STT` ignored,
unknown headers dropped, the config's `[columns]` table first) → `normalise_declarations`, which
hashes the identity columns with the key and drops them.

The work folder must outlive the lazy frame: collect inside `open_exports` (or pass a folder you
remove yourself to `scan_exports`).
"""

from __future__ import annotations

import glob
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

import polars as pl

from ncovi_stats import stages
from ncovi_stats.core.identity import PERSON_KEY, derive_person_key
from ncovi_stats.core.normalise import check_required_columns, normalise_declarations
from ncovi_stats.core.unit_aliases import UnitAliases
from ncovi_stats.core.units import UnitResolver
from ncovi_stats.errors import BadInputError, NcoviWarning
from ncovi_stats.io.read.excel import DIFFERENT_COLUMNS, SHEET_COLUMN, read_xlsx
from ncovi_stats.io.read.headers import HeaderMap, headers_to_show, looks_like_identity, map_headers
from ncovi_stats.io.read.sniff import sniff_csv
from ncovi_stats.io.read.transcode import (
    INVALID_COLUMN,
    LINE_COLUMN,
    scan_transcoded,
    transcode_to_utf8,
)
from ncovi_stats.io.workdir import private_workdir
from ncovi_stats.safe_text import strip_controls
from ncovi_stats.schema import IDENTITY_COLUMNS

SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".xlsx": "xlsx",
}
PROVENANCE_COLUMNS: tuple[str, ...] = (LINE_COLUMN, INVALID_COLUMN)


@dataclass(frozen=True)
class ReadOptions:
    """How to read the exports; each field given overrides detection (CLI flags, config)."""

    encoding: str | None = None  # --encoding: utf-8, utf-16-le, utf-16-be, cp1258
    delimiter: str | None = None  # --delimiter: one of , ; tab |
    header_row: int | None = None  # --header-row: 1-based line of the header (CSV)
    sheet: str | None = None  # --sheet: the one .xlsx sheet to read
    columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # the config's [columns] table: export header -> canonical column
    aliases: UnitAliases | None = None  # --aliases FILE, [unit_aliases]: looked up first


@dataclass(frozen=True)
class SourceInfo:
    """How one source was read. Header names are listed, never cell values."""

    source: str  # the `_source_file` label of its rows
    format: str  # csv, parquet, xlsx
    columns: list[str]  # canonical columns read, in header order
    ignored_headers: list[str] = field(default_factory=list)  # recognised and dropped (STT)
    unknown_headers: list[str] = field(default_factory=list)  # not recognised, dropped
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    transcoded: bool = False  # a UTF-8 copy was read
    invalid_encoding_lines: int = 0
    dropped_blank_lines: int = 0
    skipped_sheets: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        """File, header and sheet names come from outside: kept without control characters
        (the source label is also the `_source_file` of the rows and the rejects file)."""
        object.__setattr__(self, "source", strip_controls(self.source))
        for name in ("ignored_headers", "unknown_headers", "skipped_sheets"):
            object.__setattr__(self, name, [strip_controls(text) for text in getattr(self, name)])

    def as_dict(self) -> dict[str, object]:
        return {
            "source_file": self.source,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_line": self.header_line,
            "transcoded": self.transcoded,
            "columns": list(self.columns),
            "ignored_headers": list(self.ignored_headers),
            "unknown_headers": list(self.unknown_headers),
            "invalid_encoding_lines": self.invalid_encoding_lines,
            "dropped_blank_lines": self.dropped_blank_lines,
            "skipped_sheets": list(self.skipped_sheets),
        }


@dataclass(frozen=True)
class Scan:
    frame: pl.LazyFrame  # every row read, normalised (`core.normalise.NORMALISED_SCHEMA`)
    sources: list[SourceInfo]
    # the rows whose normalised person key passes a test, normalised alone (`core.passes`)
    rows_of_persons: Callable[[Callable[[pl.Expr], pl.Expr]], pl.LazyFrame]


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
            try:
                path.stat()
            except FileNotFoundError:
                raise BadInputError(f"{text}: file not found; check the path.") from None
            except OSError as error:  # a name too long, a loop of links, no permission
                raise BadInputError(
                    f"{text}: cannot be read ({error.strerror}); check the path."
                ) from None
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


def _mapped(raw: pl.LazyFrame, header_map: HeaderMap, source: str) -> pl.LazyFrame:
    """The provenance columns present, then the mapped columns under their canonical names.

    A missing required column is reported with the headers found (`headers_to_show`: never a
    cell value of a line that is not a header row).
    """
    names = raw.collect_schema().names()
    shown, hidden = headers_to_show(_headers(raw), header_map)
    check_required_columns(source, shown, hidden=hidden)
    keep = [name for name in PROVENANCE_COLUMNS if name in names]
    return raw.select(
        *keep, *(pl.col(header).alias(column) for header, column in header_map.rename.items())
    )


def _headers(raw: pl.LazyFrame) -> list[str]:
    return [name for name in raw.collect_schema().names() if name not in PROVENANCE_COLUMNS]


@dataclass(frozen=True)
class _IdentityGuard:
    """Hashes the identity columns of each batch a CSV copy is made of, before it is written
    (SPEC §5: no raw identity value in a temporary file); `transcode.IdentityGuard`."""

    extra: Mapping[str, str]
    key: bytes | None
    source: str

    def check_header(self, header: list[str]) -> None:
        map_headers(header, self.extra, source=self.source)  # repeated headers: exit 3

    def __call__(self, frame: pl.DataFrame) -> pl.DataFrame:
        headers = [name for name in frame.columns if name not in PROVENANCE_COLUMNS]
        header_map = map_headers(headers, self.extra, source=self.source)
        hashed = {
            header: column
            for header, column in header_map.rename.items()
            if column in IDENTITY_COLUMNS or column == PERSON_KEY
        }
        # headers that look like personal data but map nowhere are left out of the copy too
        dropped = [*hashed, *(name for name in header_map.unknown if looks_like_identity(name))]
        if not IDENTITY_COLUMNS.intersection(hashed.values()):
            return frame.drop(dropped[len(hashed) :])
        identity = frame.lazy().select(
            pl.col(header).alias(column) for header, column in hashed.items()
        )
        try:
            keys = derive_person_key(identity, self.key).select(PERSON_KEY).collect()
        except BadInputError as error:
            raise BadInputError(f"{self.source}: {error}") from None
        return frame.drop(dropped).with_columns(keys.get_column(PERSON_KEY))


def _read_csv(
    path: Path, options: ReadOptions, workdir: Path, key: bytes | None = None
) -> tuple[pl.LazyFrame, SourceInfo]:
    dialect = sniff_csv(
        path,
        encoding=options.encoding,
        delimiter=options.delimiter,
        header_row=options.header_row,
        extra_headers=options.columns,
    )
    guard = _IdentityGuard(options.columns, key, str(path))
    result = transcode_to_utf8(path, dialect, workdir, guard)
    written = map_headers(list(result.header), options.columns, source=str(path))
    raw = scan_transcoded(result)
    # the columns read: in a copy the identity columns are already `person_key`
    header_map = map_headers(_headers(raw), options.columns, source=str(path))
    info = SourceInfo(
        source=str(path),
        format="csv",
        columns=written.columns,
        ignored_headers=written.ignored,
        unknown_headers=written.unknown,
        encoding=dialect.encoding
        + ("-sig" if dialect.has_bom and dialect.encoding == "utf-8" else ""),
        delimiter=dialect.delimiter,
        header_line=dialect.header_line,
        transcoded=result.copied,
        invalid_encoding_lines=result.invalid_count,
        dropped_blank_lines=result.dropped_blank_count,
    )
    return _mapped(raw, header_map, str(path)), info


def _read_parquet(path: Path, options: ReadOptions) -> tuple[pl.LazyFrame, SourceInfo]:
    raw = pl.scan_parquet(path, row_index_name=LINE_COLUMN, row_index_offset=1)
    header_map = map_headers(_headers(raw), options.columns, source=str(path))
    info = SourceInfo(
        source=str(path),
        format="parquet",
        columns=header_map.columns,
        ignored_headers=header_map.ignored,
        unknown_headers=header_map.unknown,
    )
    return _mapped(raw, header_map, str(path)), info


def _read_xlsx(path: Path, options: ReadOptions) -> list[tuple[pl.LazyFrame, SourceInfo]]:
    table = read_xlsx(path, sheet=options.sheet, extra_headers=options.columns)
    header_map = table.header_map
    skipped = [f"{sheet.name}: {sheet.reason}" for sheet in table.skipped]
    for passed in table.skipped:
        if passed.reason == DIFFERENT_COLUMNS:  # declarations, most likely: say so at once
            warnings.warn(
                NcoviWarning(
                    f"{path}: sheet {passed.name!r} skipped ({passed.reason}); "
                    f"read it alone with --sheet {passed.name!r}."
                ),
                stacklevel=2,
            )
    parts = []
    for sheet in table.sheets:
        frame = table.frame.filter(pl.col(SHEET_COLUMN) == sheet).drop(SHEET_COLUMN)
        info = SourceInfo(
            source=f"{path} [{sheet}]",
            format="xlsx",
            columns=header_map.columns,
            ignored_headers=header_map.ignored,
            unknown_headers=header_map.unknown,
            skipped_sheets=skipped,
        )
        parts.append((frame.lazy(), info))
    return parts


def _read_one(
    path: Path, options: ReadOptions, workdir: Path, key: bytes | None = None
) -> list[tuple[pl.LazyFrame, SourceInfo]]:
    kind = file_format(path)
    if kind == "csv":
        return [_read_csv(path, options, workdir, key)]
    if kind == "parquet":
        return [_read_parquet(path, options)]
    return _read_xlsx(path, options)


def scan_exports(
    patterns: Sequence[str | Path],
    *,
    now: datetime,
    workdir: Path,
    key: bytes | None = None,
    options: ReadOptions | None = None,
) -> Scan:
    """All exports as one LazyFrame of typed canonical columns with `reject_reason`.

    `now` is the machine's clock as naive Vietnam local time: later rows are `future-time`.
    `workdir` is a private folder (see `io.workdir.private_workdir`) for UTF-8 copies of CSV
    files; it must exist until the frame is collected. `key` is the secret that turns identity
    columns into `person_key` (SPEC §5).
    """
    options = options or ReadOptions()
    resolver = UnitResolver.bundled().with_aliases(options.aliases)
    frames = []
    sources = []
    raws: list[tuple[pl.LazyFrame, str, dict[str, pl.DataType]]] = []
    for path in expand_paths(patterns):
        stages.report("reading", str(path))
        try:
            parts = _read_one(path, options, workdir, key)
            for raw, info in parts:
                schema = dict(raw.collect_schema())
                frames.append(
                    normalise_declarations(
                        raw, source=info.source, schema=schema, now=now, key=key, resolver=resolver
                    )
                )
                sources.append(info)
                raws.append((raw, info.source, schema))
        except (OSError, pl.exceptions.PolarsError) as error:
            kind = type(error).__name__  # the message may quote cells: never shown
        else:
            continue
        raise BadInputError(
            f"{path}: cannot be read as {file_format(path)} ({kind}); is it an export file?"
        )

    def rows_of_persons(keep: Callable[[pl.Expr], pl.Expr]) -> pl.LazyFrame:
        return pl.concat(
            [
                normalise_declarations(
                    raw,
                    source=source,
                    schema=schema,
                    now=now,
                    key=key,
                    resolver=resolver,
                    keep=keep,
                )
                for raw, source, schema in raws
            ],
            how="vertical",
        )

    return Scan(pl.concat(frames, how="vertical"), sources, rows_of_persons)


@contextmanager
def open_exports(
    patterns: Sequence[str | Path],
    *,
    now: datetime,
    key: bytes | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Scan]:
    """`scan_exports` with its own private work folder, removed on exit and on interrupt."""
    with private_workdir() as workdir:
        yield scan_exports(patterns, now=now, workdir=workdir, key=key, options=options)


def scan_declarations(
    patterns: Sequence[str | Path],
    *,
    now: datetime,
    workdir: Path,
    key: bytes | None = None,
    options: ReadOptions | None = None,
) -> pl.LazyFrame:
    """The frame of `scan_exports` alone."""
    return scan_exports(patterns, now=now, workdir=workdir, key=key, options=options).frame
