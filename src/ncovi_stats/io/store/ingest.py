"""Ingest into the store: stage, publish, commit (SPEC §3.2, §5); layout in `io.store.layout`,
durable writes and the transaction in `io.store.commit`.

An ingest writes its files under `.staging`, renames them into the table folders, and then writes
its commit record atomically (temporary file, fsync, rename). Only one ingest runs at a time
(`store_lock`); a killed one leaves the store as it was, and the next one removes its files.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from ncovi_stats import __version__
from ncovi_stats.core import quality, store_rows
from ncovi_stats.core.normalise import NORMALISED_SCHEMA
from ncovi_stats.errors import BadInputError, OutputError
from ncovi_stats.io.digest import file_sha256
from ncovi_stats.io.keyfile import fingerprint
from ncovi_stats.io.read.scan import expand_paths, open_exports
from ncovi_stats.io.store.commit import (
    _init_store,
    _make_folder,
    _remove_uncommitted,
    _Transaction,
    _write_json_atomic,
    store_lock,
)
from ncovi_stats.io.store.layout import (
    COMMITS,
    DECLARATIONS,
    FILE_MODE,
    FLAGS,
    PERSONS,
    StageHook,
    StoreState,
    open_store,
    scan_files,
    scan_stored_declarations,
)
from ncovi_stats.io.write.formats import no_space_reason


@dataclass(frozen=True)
class SourceReport:
    """What one ingest did with one export."""

    name: str
    sha256: str
    skipped: bool = False  # already ingested (same SHA-256)
    read: int = 0
    accepted: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    added: int = 0

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    @property
    def not_added(self) -> int:
        """Accepted rows already in the store or repeated in the inputs."""
        return self.accepted - self.added

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "read": self.read,
            "accepted": self.accepted,
            "rejected_by_reason": dict(self.rejected_by_reason),
            "added": self.added,
        }


@dataclass(frozen=True)
class IngestReport:
    commit: int | None  # None: nothing new, no commit written
    sources: list[SourceReport]
    rows_added: int
    persons_changed: int


# ---------------------------------------------------------------------------------------------
# Writing: lock, staging, publishing, commit


def _no_stage(stage: str) -> None:
    return None


def _stage_inputs(
    txn: _Transaction, paths: Sequence[Path], state: StoreState, *, now: datetime, key: bytes | None
) -> tuple[list[SourceReport], list[Path]]:
    """Read each new export once into a staged Parquet file of its rows, and count them."""
    reports: list[SourceReport] = []
    staged: list[Path] = []
    seen = set(state.sources)
    for path in paths:
        digest = file_sha256(path)
        if digest in seen:
            reports.append(SourceReport(name=path.name, sha256=digest, skipped=True))
            continue
        seen.add(digest)
        target = txn.folder / f"input-{len(staged):04d}.parquet"
        try:
            with open_exports([path], now=now, key=key) as scan:
                scan.frame.select(list(NORMALISED_SCHEMA)).sink_parquet(target)
        except (OSError, pl.exceptions.PolarsError) as error:
            if no_space_reason(error) is not None:
                raise
            raise BadInputError(
                f"{path}: cannot be read ({type(error).__name__}); is it an export file?"
            ) from None
        os.chmod(target, FILE_MODE)
        counts = quality.row_counts_from(
            quality.row_count_query(pl.scan_parquet(target), None).collect()
        )
        if counts.read == 0:
            raise BadInputError(f"{path}: holds no rows; nothing was stored.")
        if counts.accepted == 0:
            reasons = ", ".join(
                f"{n} {reason}" for reason, n in counts.rejected_by_reason.items() if n
            )
            raise BadInputError(
                f"{path}: all {counts.read} rows were rejected ({reasons}); nothing was stored. "
                "Check the export's columns and values."
            )
        reports.append(
            SourceReport(
                name=path.name,
                sha256=digest,
                read=counts.read,
                accepted=counts.accepted,
                rejected_by_reason={k: v for k, v in counts.rejected_by_reason.items() if v},
            )
        )
        staged.append(target)
    return reports, staged


def _new_rows(state: StoreState, inputs: Sequence[Path], names: Sequence[str]) -> pl.DataFrame:
    """Accepted rows of the staged inputs that the store does not hold yet, each once."""
    frames = [
        store_rows.rows_to_store(pl.scan_parquet(path), source_file=name).with_columns(
            pl.lit(index, pl.UInt32).alias("_input")
        )
        for index, (path, name) in enumerate(zip(inputs, names, strict=True))
    ]
    rows = pl.concat(frames).collect().sort("_input", "_line")
    rows = store_rows.unique_rows(rows)
    touched = set(rows.select(store_rows.PARTITION_COLUMNS).unique().iter_rows())
    overlapping = [entry for entry in state.declarations if entry.partition in touched]
    if overlapping:
        stored = (
            scan_stored_declarations(state, overlapping)
            .select(store_rows.ROW_KEY_COLUMNS)
            .collect()
        )
        rows = store_rows.not_stored(rows, stored)
    return rows


def _stage_declarations(txn: _Transaction, rows: pl.DataFrame) -> list[dict[str, Any]]:
    entries = []
    columns = list(store_rows.DECLARATION_SCHEMA)
    groups = rows.sort("declared_at", "_input", "_line").partition_by(
        list(store_rows.PARTITION_COLUMNS), as_dict=True, maintain_order=True
    )
    for (province, day), group in sorted(groups.items(), key=lambda item: str(item[0])):
        final = (
            f"{DECLARATIONS}/province_code={province}/declared_date={day}/"
            f"part-{uuid.uuid4().hex}.parquet"
        )
        data = group.select(
            pl.col(name).cast(dtype) for name, dtype in store_rows.DECLARATION_SCHEMA.items()
        ).select(columns)
        txn.stage(data, final)
        entries.append(
            {
                "path": final,
                "rows": data.height,
                "min_declared_at": data["declared_at"].min().isoformat(),  # type: ignore[union-attr]
                "max_declared_at": data["declared_at"].max().isoformat(),  # type: ignore[union-attr]
                "unresolved_wards": int(data["ward_unresolved"].sum()),
            }
        )
    return entries


def _stage_persons(
    txn: _Transaction, state: StoreState, rows: pl.DataFrame
) -> list[dict[str, Any]]:
    if rows.is_empty():
        return []
    new = store_rows.person_firsts(rows.lazy())
    if state.persons:
        stored = scan_files(state.root, [entry.path for entry in state.persons], hive=False)
        merged = store_rows.merge_persons(stored, new)
    else:  # the first ingest: every person is new
        merged = new.with_columns(pl.lit(False).alias("superseding"))
    changed = merged.collect().sort("person_key")
    if changed.is_empty():
        return []
    final = f"{PERSONS}/part-{uuid.uuid4().hex}.parquet"
    txn.stage(changed.select(list(store_rows.PERSON_SCHEMA)), final)
    return [
        {"path": final, "rows": changed.height, "superseding": int(changed["superseding"].sum())}
    ]


def _stage_flags(txn: _Transaction, state: StoreState, rows: pl.DataFrame) -> list[dict[str, Any]]:
    new = store_rows.person_flags(rows.lazy())
    if state.flags:
        stored = scan_files(state.root, state.flags, hive=False)
    else:
        stored = pl.LazyFrame(schema=store_rows.FLAG_SCHEMA)
    changed = store_rows.merge_flags(stored, new).collect().sort("person_key")
    if changed.is_empty():
        return []
    final = f"{FLAGS}/part-{uuid.uuid4().hex}.parquet"
    txn.stage(changed, final)
    return [{"path": final, "rows": changed.height}]


def ingest_exports(
    root: Path | str,
    exports: Sequence[str | Path],
    *,
    now: datetime,
    key: bytes | None = None,
    on_stage: StageHook = _no_stage,
) -> IngestReport:
    """Add the accepted rows of `exports` that the store lacks, as one commit (SPEC §6).

    `now` is naive Vietnam local time (later rows are `future-time`); `key` pseudonymises the
    identity columns and must be the store's key. Exports already ingested (same SHA-256) are
    skipped. All or nothing: on any error, or when killed, the store stays as it was.
    """
    root = Path(root)
    paths = expand_paths(exports)
    try:
        return _ingest(root, paths, now=now, key=key, on_stage=on_stage)
    except (OSError, pl.exceptions.PolarsError) as error:
        reason = no_space_reason(error)
        if reason is None:
            raise
        raise OutputError(
            f"{root}: could not be written ({reason}); free space on its disk and run again "
            "(the store is as it was before this ingest)."
        ) from None


def _ingest(
    root: Path, paths: Sequence[Path], *, now: datetime, key: bytes | None, on_stage: StageHook
) -> IngestReport:
    with store_lock(root):
        _init_store(root, fingerprint(key) if key is not None else None)
        state = open_store(root)
        _remove_uncommitted(state)
        txn = _Transaction(root)
        _make_folder(txn.folder)
        committed = False
        try:
            sources, inputs = _stage_inputs(txn, paths, state, now=now, key=key)
            on_stage("read")
            if not inputs:
                return IngestReport(commit=None, sources=sources, rows_added=0, persons_changed=0)
            names = [source.name for source in sources if not source.skipped]
            rows = _new_rows(state, inputs, names)
            added = dict(rows.group_by("_input").len().iter_rows())
            fresh = iter(range(len(inputs)))
            sources = [
                source if source.skipped else _with_added(source, added.get(next(fresh), 0))
                for source in sources
            ]
            declarations = _stage_declarations(txn, rows)
            persons = _stage_persons(txn, state, rows)
            flags = _stage_flags(txn, state, rows)
            on_stage("staged")
            txn.publish(on_stage)
            on_stage("published")
            number = state.commits + 1
            record = {
                "commit": number,
                "transaction": txn.txn,
                "created_at": now.isoformat(),
                "tool": f"ncovi-stats {__version__}",
                "key_fingerprint": state.key_fingerprint,
                "sources": [source.as_dict() for source in sources if not source.skipped],
                "declarations": declarations,
                "persons": persons,
                "flags": flags,
            }
            _write_json_atomic(root / COMMITS / f"{number:08d}.json", record, txn.folder)
            committed = True
            on_stage("committed")
        except BaseException:
            if not committed:
                txn.roll_back()
            raise
        finally:
            txn.clean()
    return IngestReport(
        commit=number,
        sources=sources,
        rows_added=rows.height,
        persons_changed=sum(entry["rows"] for entry in persons),
    )


def _with_added(source: SourceReport, added: int) -> SourceReport:
    return SourceReport(
        name=source.name,
        sha256=source.sha256,
        read=source.read,
        accepted=source.accepted,
        rejected_by_reason=source.rejected_by_reason,
        added=added,
    )
