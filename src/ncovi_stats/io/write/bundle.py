"""Publishing a report bundle: exclusive, atomic, idempotent (issue 5, SPEC §4.5).

Layout of the output folder `OUT`:

    OUT/.lock                                  flock'ed by the run that writes (exit 6 for others)
    OUT/.versions/2020-04-08_1700-<digest>/    a complete bundle, never changed once published
    OUT/2020-04-08_1700 -> .versions/2020-04-08_1700-<digest>    what readers open

A bundle is written into `OUT/.tmp-<name>-<pid>/`, every file and folder fsync'ed, renamed into
`.versions/` and then made visible by atomically replacing the symlink `OUT/<name>` (a symlink
made beside it, then `os.replace`). A run killed at any moment leaves either the previous link
or the new one: never a partial bundle under the final name. Leftovers of killed runs (temporary
folders, versions no link points to) are removed by the next run, under the lock.

The same files give the same digest: a second run with the same content says "unchanged" and
writes nothing. Other content under an existing name needs `force`.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ncovi_stats.errors import LockedError, OutputError

LOCK_NAME = ".lock"
VERSIONS = ".versions"
TEMP_PREFIX = ".tmp-"
FILE_MODE = 0o644
FOLDER_MODE = 0o755


def _output_error(path: Path, error: OSError) -> OutputError:
    reason = error.strerror or type(error).__name__
    hint = (
        "free some space and run again"
        if error.errno == errno.ENOSPC
        else "check the folder exists and is writable"
    )
    return OutputError(
        f"{path}: could not be written ({reason}); {hint}. The previous bundle is unchanged."
    )


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking flock on `out/.lock` (created with the folder)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as error:
        raise _output_error(out, error) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"another ncovi-stats run is writing to {out} (it holds {out / LOCK_NAME}); "
                "wait for it to finish, or write to another --out folder."
            ) from None
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def digest_of(files: Mapping[str, bytes]) -> str:
    """A short hash of the bundle's names and contents: the version folder's suffix."""
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:16]


def read_tree(folder: Path) -> dict[str, bytes] | None:
    """Every file under `folder` (following the bundle's link) by relative path; None if absent."""
    if not folder.exists():
        return None
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_tree(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write every file under a new `folder`, fsync files then folders (deepest first)."""
    folder.mkdir(mode=FOLDER_MODE)
    folders = {folder}
    for name, data in sorted(files.items()):
        path = folder / name
        if path.parent not in folders:
            path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            folders.add(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    for path in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        fsync_folder(path)


def _linked_versions(out: Path) -> set[str]:
    linked = set()
    for entry in out.iterdir():
        if entry.is_symlink():
            target = Path(os.readlink(entry))
            if target.parent.name == VERSIONS:
                linked.add(target.name)
    return linked


def clean_leftovers(out: Path) -> list[str]:
    """Remove temporary folders and links of killed runs, and versions no link points to."""
    removed = []
    for entry in sorted(out.iterdir()):
        if entry.name.startswith(TEMP_PREFIX):
            if entry.is_symlink() or entry.is_file():
                entry.unlink()
            else:
                shutil.rmtree(entry)
            removed.append(entry.name)
    versions = out / VERSIONS
    if versions.is_dir():
        linked = _linked_versions(out)
        for entry in sorted(versions.iterdir()):
            if entry.name not in linked:
                shutil.rmtree(entry)
                removed.append(f"{VERSIONS}/{entry.name}")
    return removed


def swap_link(link: Path, target: str) -> None:
    """Point `link` at `target` atomically: a new symlink beside it renamed over it."""
    temporary = link.with_name(f"{TEMP_PREFIX}link-{link.name}-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, link)


Figures = Callable[[Mapping[str, bytes]], Mapping[str, bytes]]


def _everything(files: Mapping[str, bytes]) -> Mapping[str, bytes]:
    return files


def publish(
    out: Path,
    name: str,
    files: Mapping[str, bytes],
    *,
    force: bool = False,
    figures_of: Figures = _everything,
) -> str:
    """Publish `files` as `out/name`; returns 'created', 'replaced', 'unchanged' or 'replaced
    (the same figures from other inputs)'.

    The caller holds `locked(out)`. `figures_of` picks the files that hold figures: a bundle
    whose figures are those of the existing one, and only its provenance differs (the inputs'
    paths and formats, e.g. the same export as CSV instead of Parquet), replaces it without
    `force`. Raises OutputError (exit 5) when the bundle exists with other figures and `force`
    is off, or when writing fails (disk full...): the previous bundle, if any, is left as it was.
    """
    final = out / name
    try:
        clean_leftovers(out)  # first: also when this run ends as unchanged or refused
    except OSError as error:
        raise _output_error(out, error) from None
    if final.exists() and not final.is_symlink():
        raise OutputError(
            f"{final} exists and is not a bundle published by ncovi-stats; "
            "move it away or choose another --out folder."
        )
    existing = read_tree(final)
    if existing == dict(files):
        return "unchanged"
    same_figures = existing is not None and figures_of(existing) == figures_of(files)
    if existing is not None and not force and not same_figures:
        old, new = figures_of(existing), figures_of(files)
        differ = sorted(n for n in set(old) | set(new) if old.get(n) != new.get(n))
        shown = ", ".join(differ[:3]) + (f" and {len(differ) - 3} more" if len(differ) > 3 else "")
        raise OutputError(
            f"{final} already exists with other figures ({shown} differ); pass --force to "
            "replace it (the previous bundle stays until the new one is complete)."
        )
    version = f"{name}-{digest_of(files)}"
    temporary = out / f"{TEMP_PREFIX}{name}-{os.getpid()}"
    try:
        clean_leftovers(out)
        write_tree(temporary, files)
        versions = out / VERSIONS
        versions.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.rename(temporary, versions / version)
        fsync_folder(versions)
        swap_link(final, f"{VERSIONS}/{version}")
        fsync_folder(out)
    except OSError as error:
        shutil.rmtree(temporary, ignore_errors=True)
        raise _output_error(final, error) from None
    try:
        clean_leftovers(out)  # the replaced version, now unlinked
    except OSError:
        pass  # the next run removes it
    if existing is None:
        return "created"
    return "replaced (the same figures from other inputs)" if same_figures else "replaced"


BUNDLE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{4}(\d{2})?$")
COMPARED_FILES = ("tables/provinces.json", "tables/districts.json")


def previous_bundle(out: Path, name: str) -> tuple[str, dict[str, bytes]] | None:
    """The latest bundle published in `out` before the one named `name` (names sort as their
    cut-offs), with its province and district tables; None when there is none."""
    if not out.is_dir():
        return None
    earlier = sorted(
        entry.name
        for entry in out.iterdir()
        if entry.is_symlink() and BUNDLE_NAME.match(entry.name) and entry.name < name
    )
    if not earlier:
        return None
    folder = out / earlier[-1]
    files = {
        part: (folder / part).read_bytes() for part in COMPARED_FILES if (folder / part).is_file()
    }
    return (earlier[-1], files) if files else None
