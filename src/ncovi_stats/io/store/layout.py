"""An incremental pseudonymous store of accepted rows (SPEC §3.2, §5, §6); docs/store.md.

Layout of a store folder (folders 0700, files 0600):

    store.json                       format, version and the key fingerprint
    _commits/00000001.json ...       one record per ingest: sources, files added, row counts
    declarations/province_code=XX/declared_date=YYYY-MM-DD/part-<uuid>.parquet
    persons/part-<uuid>.parquet      first row (§3.3) of persons new or changed in that commit
    flags/part-<uuid>.parquet        first flagged row's time of persons new or changed in it
    .staging/<txn>/                  files of an ingest in progress
    .lock                            held (flock) by the one ingest that may write

Only files listed in a commit record are part of the store. An ingest writes its files under
`.staging`, renames them into the table folders, and then writes its commit record atomically
(temporary file, fsync, rename): until that record exists the new files are ignored by every
reader here, and the next ingest deletes them. A killed ingest therefore leaves the store as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import polars as pl

from ncovi_stats.core import quality, store_rows
from ncovi_stats.core.normalise import NORMALISED_SCHEMA, WRITTEN_UNIT_COLUMNS
from ncovi_stats.core.persons import FIRST_ROW_COLUMNS
from ncovi_stats.core.values import TIME_UNIT
from ncovi_stats.errors import REJECT_REASONS, BadInputError
from ncovi_stats.io.keyfile import fingerprint

STORE_FORMAT = "ncovi-stats store"
STORE_VERSION = 1
STORE_FILE = "store.json"
COMMITS = "_commits"
STAGING = ".staging"
LOCK = ".lock"
DECLARATIONS = "declarations"
PERSONS = "persons"
FLAGS = "flags"
TABLES: tuple[str, ...] = (DECLARATIONS, PERSONS, FLAGS)
FOLDER_MODE = 0o700
FILE_MODE = 0o600
PARQUET_COMPRESSION: Final = "zstd"

# Stages an ingest passes, in order; `on_stage` hears each one (progress, tests).
STAGES: tuple[str, ...] = ("read", "staged", "publishing", "published", "committed")

StageHook = Callable[[str], None]


@dataclass(frozen=True)
class DeclarationFile:
    """One committed declarations file and the facts readers need without opening it."""

    path: str  # relative to the store folder
    rows: int
    min_declared_at: datetime
    max_declared_at: datetime
    unresolved_wards: int

    @property
    def partition(self) -> tuple[str, str]:
        province, day = (part.split("=", 1)[1] for part in self.path.split("/")[1:3])
        return province, day


@dataclass(frozen=True)
class PersonFile:
    path: str
    rows: int
    superseding: int  # rows for persons already stored before this file


@dataclass
class StoreState:
    """What the committed records of a store say; read without opening any Parquet file."""

    root: Path
    key_fingerprint: str | None
    commits: int = 0
    declarations: list[DeclarationFile] = field(default_factory=list)
    persons: list[PersonFile] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # sha256 -> file name
    rejected_by_reason: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(REJECT_REASONS, 0)
    )
    ingested_rows_read: int = 0
    ingested_duplicates: int = 0

    @property
    def rows(self) -> int:
        return sum(entry.rows for entry in self.declarations)

    @property
    def latest_declared_at(self) -> datetime | None:
        return max((entry.max_declared_at for entry in self.declarations), default=None)

    def summary(self) -> dict[str, Any]:
        """The `store` object of a command's meta (docs/store.md)."""
        return {
            "commits": self.commits,
            "key_fingerprint": self.key_fingerprint,
            "files_ingested": len(self.sources),
            "rows_stored": self.rows,
            "ingested_rows_read": self.ingested_rows_read,
            "ingested_duplicates_not_stored": self.ingested_duplicates,
        }


# ---------------------------------------------------------------------------------------------
# Reading the committed state


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BadInputError(
            f"{path}: cannot be read as a store record ({type(error).__name__}); "
            "is the store folder damaged?"
        ) from None
    if not isinstance(data, dict):
        raise BadInputError(f"{path}: is not a store record; is the store folder damaged?")
    return data


def commit_paths(root: Path) -> list[Path]:
    folder = root / COMMITS
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.iterdir() if path.suffix == ".json" and path.stem.isdigit()
    )


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _check_key(root: Path, stored: str | None, key: bytes | None) -> None:
    if key is None:
        return
    given = fingerprint(key)
    if given != stored:
        held = f"key fingerprint {stored}" if stored else "no key (person keys from the exports)"
        raise BadInputError(
            f"{root}: the store was made with {held}, not with the given key (fingerprint "
            f"{given}); use the key file the store was made with, or another --store folder."
        )


def open_store(root: Path | str, *, key: bytes | None = None) -> StoreState:
    """The committed state of the store at `root`; with `key`, refuse a store of another key."""
    root = Path(root)
    info = root / STORE_FILE
    if not info.is_file():
        raise BadInputError(
            f"{root}: is not an ncovi-stats store (no {STORE_FILE}); "
            "create one with `ncovi-stats ingest EXPORT... --store DIR`."
        )
    meta = read_json(info)
    if meta.get("format") != STORE_FORMAT or meta.get("version") != STORE_VERSION:
        raise BadInputError(
            f"{root}: is not a version {STORE_VERSION} ncovi-stats store; "
            "ingest the exports into a new --store folder."
        )
    state = StoreState(root=root, key_fingerprint=meta.get("key_fingerprint"))
    _check_key(root, state.key_fingerprint, key)
    for path in commit_paths(root):
        record = read_json(path)
        state.commits += 1
        for entry in record["declarations"]:
            state.declarations.append(
                DeclarationFile(
                    path=entry["path"],
                    rows=entry["rows"],
                    min_declared_at=_time(entry["min_declared_at"]),
                    max_declared_at=_time(entry["max_declared_at"]),
                    unresolved_wards=entry["unresolved_wards"],
                )
            )
        state.persons.extend(PersonFile(**entry) for entry in record["persons"])
        state.flags.extend(entry["path"] for entry in record["flags"])
        for source in record["sources"]:
            state.sources[source["sha256"]] = source["name"]
            state.ingested_rows_read += source["read"]
            state.ingested_duplicates += source["accepted"] - source["added"]
            for reason, count in source["rejected_by_reason"].items():
                state.rejected_by_reason[reason] = state.rejected_by_reason.get(reason, 0) + count
    return state


def scan_files(root: Path, paths: Sequence[str], *, hive: bool) -> pl.LazyFrame:
    """Files in the order given (commit order), as one frame."""
    base = str(root)
    files = [f"{base}/{path}" for path in paths]
    if hive:
        return pl.scan_parquet(
            files,
            hive_partitioning=True,
            hive_schema=store_rows.PARTITION_SCHEMA,
            try_parse_hive_dates=False,
        )
    return pl.scan_parquet(files)


def scan_stored_declarations(
    state: StoreState, files: Sequence[DeclarationFile] | None = None
) -> pl.LazyFrame:
    """Stored rows with their partition columns (every committed file, or `files`)."""
    chosen = state.declarations if files is None else files
    if not chosen:
        schema = {**store_rows.PARTITION_SCHEMA, **store_rows.DECLARATION_SCHEMA}
        return pl.LazyFrame(schema=schema)
    return scan_files(state.root, [entry.path for entry in chosen], hive=True)


def scan_normalised(state: StoreState) -> pl.LazyFrame:
    """The stored rows in the shape of `scan_declarations` (all accepted; no line numbers)."""
    rows = scan_stored_declarations(state)
    return rows.select(
        pl.col("source_file").alias("_source_file"),
        pl.lit(None, pl.UInt64).alias("_line"),
        *(
            pl.col(name).cast(dtype)
            for name, dtype in NORMALISED_SCHEMA.items()
            if name
            not in {"_source_file", "_line", "reject_reason", *WRITTEN_UNIT_COLUMNS.values()}
        ),
        pl.lit(None, pl.String).alias("reject_reason"),
        *(pl.lit(None, pl.String).alias(name) for name in WRITTEN_UNIT_COLUMNS.values()),
    )


def scan_first_rows(state: StoreState, cutoff: datetime | None) -> pl.LazyFrame:
    """One row per person with a row at or before `cutoff`: their first row (SPEC §3.3)."""
    if not state.persons:
        states = pl.LazyFrame(schema=store_rows.PERSON_SCHEMA)
    else:
        states = scan_files(state.root, [entry.path for entry in state.persons], hive=False)
    superseded = any(entry.superseding for entry in state.persons)
    first = store_rows.current_persons(states, superseded=superseded)
    if cutoff is not None:
        first = first.filter(pl.col("declared_at") <= pl.lit(cutoff, pl.Datetime(TIME_UNIT)))
    return first.select("person_key", *FIRST_ROW_COLUMNS)


def scan_first_flags(state: StoreState, cutoff: datetime | None) -> pl.LazyFrame:
    """Per person flagged at or before `cutoff`: the time of their first flagged row (§3.10).

    Exact for any cut-off, as first rows are. Verification times are not kept per person (the
    earliest one at or after the flag and at or before the cut-off depends on the cut-off); read
    them from the declarations of the flagged persons.
    """
    if not state.flags:
        flags = pl.LazyFrame(schema=store_rows.FLAG_SCHEMA)
    else:
        flags = store_rows.current_flags(scan_files(state.root, state.flags, hive=False))
    if cutoff is not None:
        flags = flags.filter(pl.col("first_flag_at") <= pl.lit(cutoff, pl.Datetime(TIME_UNIT)))
    return flags


def scan_store(
    root: Path | str,
    *,
    key: bytes | None,
    as_of: datetime | None,
    needs_cutoff: bool,
    duplicates: bool = False,
) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame, datetime | None]:
    """What `api.read.read` needs from a store: the rows, the first rows, the row
    counts query and the cut-off (`as_of`, else the latest stored row when `needs_cutoff`)."""
    state = open_store(root, key=key)
    cutoff = as_of if as_of is not None or not needs_cutoff else state.latest_declared_at
    return (
        scan_normalised(state),
        scan_first_rows(state, cutoff),
        row_count_query(state, cutoff, duplicates=duplicates),
        cutoff,
    )


def row_count_query(
    state: StoreState, cutoff: datetime | None, *, duplicates: bool = False
) -> pl.LazyFrame:
    """The one-row frame of `quality.row_count_query` for a store (docs/store.md, "Row counts").

    read = rows stored + rows rejected at ingest; accepted = rows stored. Only the files of the
    cut-off's day are opened. With `duplicates`: duplicates = 0 (a store holds each row of a
    person once) and the declaration ids shared by persons, over the stored rows.
    """
    rejected = sum(state.rejected_by_reason.values())
    constants = pl.LazyFrame(
        {
            "read": [state.rows + rejected],
            "accepted": [state.rows],
            **{reason: [state.rejected_by_reason.get(reason, 0)] for reason in REJECT_REASONS},
            "unresolved_wards": [sum(entry.unresolved_wards for entry in state.declarations)],
            "latest_accepted": [state.latest_declared_at],
        },
        schema_overrides={"latest_accepted": pl.Datetime(TIME_UNIT)},
    )
    if cutoff is None:
        after = pl.LazyFrame({"after_cutoff": [0]})
    else:
        later = sum(entry.rows for entry in state.declarations if entry.min_declared_at > cutoff)
        straddling = [
            entry
            for entry in state.declarations
            if entry.min_declared_at <= cutoff < entry.max_declared_at
        ]
        after = (
            scan_stored_declarations(state, straddling).select(
                (
                    (pl.col("declared_at") > pl.lit(cutoff, pl.Datetime(TIME_UNIT))).sum() + later
                ).alias("after_cutoff")
            )
            if straddling
            else pl.LazyFrame({"after_cutoff": [later]})
        )
    counts = constants.join(after.select(pl.col("after_cutoff").cast(pl.Int64)), how="cross")
    if not duplicates:
        return counts
    shared = quality.declaration_ids_shared_query(scan_normalised(state))
    return counts.with_columns(pl.lit(0, pl.Int64).alias("duplicates")).join(shared, how="cross")
