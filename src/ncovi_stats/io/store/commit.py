"""Durable writes of the store: folders and JSON written then fsync'ed, the lock, the first
initialisation, the transaction that stages new files and commits them with one rename of the
catalogue, and the removal of what an interrupted ingest left (docs/store.md)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ncovi_stats import __version__
from ncovi_stats.errors import BadInputError, LockedError, OutputError
from ncovi_stats.io.store.layout import (
    COMMITS,
    FILE_MODE,
    FOLDER_MODE,
    LOCK,
    PARQUET_COMPRESSION,
    STAGING,
    STORE_FILE,
    STORE_FORMAT,
    STORE_VERSION,
    TABLES,
    StageHook,
    StoreState,
    commit_paths,
    read_json,
)


def _make_folder(path: Path) -> bool:
    """Create `path` (one level) with mode 0700; True when it was created here."""
    try:
        path.mkdir(mode=FOLDER_MODE)
    except FileExistsError:
        return False
    os.chmod(path, FOLDER_MODE)
    return True


def _fsync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_json_atomic(path: Path, data: dict[str, Any], staging: Path) -> None:
    temporary = staging / f".{path.name}.part"
    temporary.unlink(missing_ok=True)  # left by a stopped run
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        json.dump(data, stream, ensure_ascii=False, indent=1)
        stream.write("\n")
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)
    _fsync_folder(path.parent)


@contextlib.contextmanager
def store_lock(root: Path) -> Iterator[None]:
    """Hold the store's write lock, or raise `LockedError` (exit 6) at once if another has it."""
    if not root.exists():
        try:
            root.mkdir(mode=FOLDER_MODE, parents=True)
        except OSError as error:
            raise OutputError(
                f"{root}: cannot create the store folder ({error.strerror})."
            ) from None
    elif not root.is_dir():
        raise BadInputError(f"{root}: is not a folder; give --store a folder.")
    try:
        descriptor = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as error:
        raise OutputError(f"{root}: cannot create the lock file ({error.strerror}).") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"{root}: another ingest is writing to this store; run again when it has finished."
            ) from None
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _init_store(root: Path, key_fingerprint: str | None) -> None:
    """Create store.json in an empty folder, or check the fingerprint of an existing store."""
    info = root / STORE_FILE
    if info.exists():
        stored = read_json(info).get("key_fingerprint")
        if stored != key_fingerprint and commit_paths(root):
            held = (
                f"key fingerprint {stored}" if stored else "no key (person keys from the exports)"
            )
            given = f"fingerprint {key_fingerprint}" if key_fingerprint else "no key"
            raise BadInputError(
                f"{root}: the store was made with {held}, but this ingest has {given}; "
                "use the key file the store was made with, or another --store folder."
            )
        if stored == key_fingerprint:
            return
        # A store without commits holds no rows: it takes the key of its first commit.
    elif not _unfinished_init(root):
        raise BadInputError(
            f"{root}: is not an ncovi-stats store and not empty; give --store a new or empty folder."
        )
    os.chmod(root, FOLDER_MODE)
    created = [root / name for name in (COMMITS, STAGING, *TABLES) if _make_folder(root / name)]
    try:
        _write_json_atomic(
            info,
            {
                "format": STORE_FORMAT,
                "version": STORE_VERSION,
                "key_fingerprint": key_fingerprint,
                "created_by": f"ncovi-stats {__version__}",
            },
            root / STAGING,
        )
    except BaseException:  # a full disk: leave the folder as it was found
        for folder in reversed(created):
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _unfinished_init(root: Path) -> bool:
    """Whether `root` holds at most what `_init_store` creates before store.json (the lock,
    empty folders, a staged temporary file): a first ingest stopped by a full disk or a kill,
    which the next ingest may finish."""
    expected = {LOCK, COMMITS, STAGING, *TABLES}
    for entry in root.iterdir():
        if entry.name not in expected:
            return False
        if entry.name in (COMMITS, *TABLES) and any(
            files for _folder, _subfolders, files in os.walk(entry)
        ):
            return False
    return True


def _remove_uncommitted(state: StoreState) -> None:
    """Delete what a killed ingest left: staged files, and table files no commit lists.

    Every ingest keeps its `.staging/<txn>` folder until it has committed or rolled back, so an
    empty `.staging` means there is nothing to delete and the table folders are not walked.
    """
    root = state.root
    leftovers = list((root / STAGING).iterdir())
    if not leftovers:
        return
    committed = {
        *(entry.path for entry in state.declarations),
        *(entry.path for entry in state.persons),
        *state.flags,
    }
    for table in TABLES:
        for folder, _subfolders, files in os.walk(root / table, topdown=False):
            for name in files:
                path = Path(folder) / name
                if path.relative_to(root).as_posix() not in committed:
                    path.unlink()
            if folder != str(root / table) and not os.listdir(folder):
                os.rmdir(folder)
    for leftover in leftovers:  # last: if this is stopped too, the next ingest looks again
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()


def _write_parquet(frame: pl.DataFrame, path: Path) -> None:
    """Write, restrict to 0600 and fsync, so a commit never lists a file still in flight."""
    frame.write_parquet(path, compression=PARQUET_COMPRESSION)
    os.chmod(path, FILE_MODE)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@dataclass
class _Transaction:
    """Files of one ingest: staged under `.staging/<txn>/`, then renamed into place."""

    root: Path
    txn: str = field(default_factory=lambda: uuid.uuid4().hex)
    staged: list[tuple[Path, str]] = field(default_factory=list)  # (staged file, final rel path)
    published: list[Path] = field(default_factory=list)
    created_folders: list[Path] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.root / STAGING / self.txn

    def stage(self, frame: pl.DataFrame, final: str) -> None:
        path = self.folder / f"{len(self.staged):06d}.parquet"
        _write_parquet(frame, path)
        self.staged.append((path, final))

    def publish(self, on_stage: StageHook) -> None:
        for index, (path, final) in enumerate(self.staged):
            target = self.root / final
            folder = self.root
            for part in Path(final).parent.parts:
                folder = folder / part
                if _make_folder(folder):
                    self.created_folders.append(folder)
            os.rename(path, target)
            self.published.append(target)
            if index == 0:
                on_stage("publishing")
        for folder in {target.parent for target in self.published}:
            _fsync_folder(folder)

    def roll_back(self) -> None:
        for path in self.published:
            path.unlink(missing_ok=True)
        for folder in reversed(self.created_folders):
            with contextlib.suppress(OSError):
                folder.rmdir()

    def clean(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
