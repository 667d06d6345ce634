"""Writers for result tables (SPEC §4.2): every file is written whole or not at all."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from ncovi_stats.errors import OutputError, UsageError
from ncovi_stats.io.write.cells import neutralise_formulas
from ncovi_stats.safe_text import escape_json_controls

MARKDOWN_SPECIAL = str.maketrans({char: f"\\{char}" for char in "\\|*_`[]<>#"})


# Paths that mean this process's stdout: written to it, never opened or replaced.
STDOUT_PATHS: frozenset[str] = frozenset({"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})
STDERR_PATHS: frozenset[str] = frozenset({"/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"})
# Symbolic links are refused as outputs, except those of the system's device folder
# (/dev/stdin, /dev/fd/3...) that lead to a character device or a FIFO.
DEVICE_FOLDER = Path("/dev")


# A write that failed for want of space (a full disk or quota, a file size limit): exit 5.
NO_SPACE_ERRNOS: frozenset[int] = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_POLARS_OS_ERROR = re.compile(r"\(os error (\d+)\)")


def no_space_reason(error: BaseException) -> str | None:
    """The system's wording ("No space left on device") when `error` is a write that failed
    for want of space, from Python or from polars (whose message is never shown), else None."""
    if isinstance(error, OSError):
        return (
            (error.strerror or os.strerror(error.errno)) if error.errno in NO_SPACE_ERRNOS else None
        )
    if isinstance(error, pl.exceptions.PolarsError):
        found = _POLARS_OS_ERROR.search(str(error))
        if found and int(found.group(1)) in NO_SPACE_ERRNOS:
            return os.strerror(int(found.group(1)))
    return None


def stdout_error(error: OSError | None = None) -> OutputError:
    why = "closed" if error is None else error.strerror or type(error).__name__
    return OutputError(f"stdout: could not be written ({why}); the output is incomplete.")


class _ClosedStream:
    """Stands for a stdout the process was started without (`>&-`)."""

    def write(self, data: object) -> int:
        raise stdout_error()

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False

    @property
    def buffer(self) -> _ClosedStream:
        return self


class GuardedStdout:
    """`sys.stdout` while a command runs: a write or flush that fails (disk full, pipe closed by
    its reader, no stdout at all) raises `OutputError` (exit 5) instead of an OSError that
    would end as an internal error, or be taken for a closed pipe and ignored."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream if stream is not None else _ClosedStream()

    def write(self, data: Any) -> int:
        try:
            return int(self._stream.write(data) or 0)
        except OSError as error:
            raise stdout_error(error) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            raise stdout_error(error) from None

    @property
    def buffer(self) -> GuardedStdout:
        return GuardedStdout(self._stream.buffer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def is_stdout(output: Path | None) -> bool:
    return output is None or str(output) in STDOUT_PATHS


def _written_in_place(mode: int) -> bool:
    """Character devices (/dev/null, a terminal) and FIFOs are written, never replaced."""
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _cannot_write(path: Path, why: str) -> OutputError:
    return OutputError(
        f"{path}: could not be written ({why}); check the folder exists, is writable and has space."
    )


def _write_in_place(path: Path, data: bytes) -> None:
    """Write to a device or FIFO that exists (no O_CREAT: a vanished device is not created)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def _write_stream(stream: Any, data: bytes) -> None:
    stream.flush()
    stream.buffer.write(data)
    stream.buffer.flush()


def _same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file: the same inode when both exist (hard and symbolic
    links included), else the same absolute path once symbolic links are resolved."""
    try:
        if first.exists() and second.exists():
            return os.path.samefile(first, second)
    except OSError:
        pass
    return os.path.realpath(first) == os.path.realpath(second)


def check_path_length(flag: str, path: Path) -> None:
    """A path longer than the system allows is a usage error (exit 2), not an OSError later."""
    try:
        os.lstat(path)
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise UsageError(
                f"{flag}: the path is too long ({error.strerror}); choose a shorter one."
            ) from None


def check_distinct_outputs(
    inputs: Sequence[Path], outputs: Mapping[str, Path | None], *, inside: Path | None = None
) -> None:
    """Refuse (UsageError, before anything is read) an output that names an input file, lies
    inside the folder `inside` (the store read), names the same file as another output, or
    writes to stdout along with another. `outputs` maps each flag to its path, None when the
    flag is not given (pass `-` for an --output that defaults to stdout). Two outputs may share
    a character device or a FIFO (`/dev/null`), which is written in place, never replaced."""
    on_stdout = [flag for flag, path in outputs.items() if path is not None and is_stdout(path)]
    if len(on_stdout) > 1:
        raise UsageError(
            f"{' and '.join(on_stdout)} would both write to stdout; give one of them a file."
        )
    named = [(flag, path) for flag, path in outputs.items() if not is_stdout(path)]
    for flag, path in named:
        assert path is not None
        check_path_length(flag, path)
    if inside is not None:
        folder = os.path.realpath(inside)
        for flag, path in named:
            assert path is not None
            if os.path.commonpath([folder, os.path.realpath(path)]) == folder:
                raise UsageError(
                    f"{flag} {path} is inside the store {inside}; write outputs elsewhere."
                )
    for index, (flag, path) in enumerate(named):
        assert path is not None
        for source in inputs:
            if _same_file(path, source):
                raise UsageError(
                    f"{flag} names the same file as an input ({path}); "
                    "write the output to another file."
                )
        for other_flag, other in named[index + 1 :]:
            assert other is not None
            if _same_file(path, other) and not _is_written_in_place(path):
                raise UsageError(
                    f"{flag} and {other_flag} name the same file ({path}); "
                    "give each output a file of its own."
                )


def _is_written_in_place(path: Path) -> bool:
    try:
        return _written_in_place(path.stat().st_mode)
    except OSError:
        return False


PART_SUFFIX = ".part"


def process_alive(pid: int) -> bool:
    """Whether a process with this PID runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_leftovers(folder: Path, name: re.Pattern[str], *, is_folder: bool) -> list[Path]:
    """Entries of `folder` that a killed run left: named by `name` (whose first group is the
    PID of the run that made them), ours (same user), of the right kind (folders or files, never
    links), and whose PID no longer runs."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    found = []
    for entry in entries:
        match = name.fullmatch(entry.name)
        if match is None:
            continue
        try:
            kind_ok = (
                entry.is_dir(follow_symlinks=False)
                if is_folder
                else entry.is_file(follow_symlinks=False)
            )
            owned = entry.stat(follow_symlinks=False).st_uid == os.getuid()
        except OSError:
            continue
        if kind_ok and owned and not process_alive(int(match.group(1))):
            found.append(Path(entry.path))
    return found


def sweep_stale_parts(path: Path) -> list[Path]:
    """Remove the temporary files (`.NAME.PID.xxxx.part`) that runs killed while writing
    `path` left beside it. Returns those removed."""
    folder = path.parent if str(path.parent) else Path(".")
    name = re.compile(re.escape(f".{path.name}.") + r"(\d+)\..*" + re.escape(PART_SUFFIX))
    removed = stale_leftovers(folder, name, is_folder=False)
    for leftover in removed:
        leftover.unlink(missing_ok=True)
    return removed


def write_bytes_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write a file whole: to a temporary file beside `path` (created with `mode`), fsync, then
    rename over it. A character device or FIFO (`/dev/null`, a pipe) is written in place, never
    replaced; `/dev/stdout` and `/dev/stderr` are the process's own; a symbolic link, a block
    device or a socket is refused (exit 5)."""
    text = str(path)
    if text in STDOUT_PATHS or text in STDERR_PATHS:
        _write_stream(sys.stdout if text in STDOUT_PATHS else sys.stderr, data)
        return
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as error:
        raise _cannot_write(path, error.strerror or type(error).__name__) from None
    try:
        if found is not None and stat.S_ISLNK(found.st_mode):
            target = path.stat() if DEVICE_FOLDER in path.absolute().parents else None
            if target is None or not _written_in_place(target.st_mode):
                raise OutputError(
                    f"{path}: is a symbolic link; outputs never follow links, name the file itself."
                )
            _write_in_place(path, data)
            return
        if found is not None and _written_in_place(found.st_mode):
            _write_in_place(path, data)
            return
        if found is not None and not (stat.S_ISREG(found.st_mode) or stat.S_ISDIR(found.st_mode)):
            raise OutputError(f"{path}: is not a regular file (a block device or a socket).")
        folder = path.parent if str(path.parent) else Path(".")
        sweep_stale_parts(path)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=PART_SUFFIX, dir=folder
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                os.fchmod(stream.fileno(), mode)
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise _cannot_write(path, error.strerror or type(error).__name__) from None


def emit(data: bytes, output: Path | None) -> None:
    """Bytes to stdout (`-` or no path) or to a file, whole (`write_bytes_atomic`)."""
    if output is None:
        _write_stream(sys.stdout, data)
    else:
        write_bytes_atomic(output, data)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(records: pl.DataFrame, meta: dict[str, Any]) -> bytes:
    document = {"meta": meta, "records": records.to_dicts()}
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default)
    return (escape_json_controls(text) + "\n").encode()


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
    from ncovi_stats.io.write.workbook import to_xlsx  # xlsxwriter only when a workbook is written

    return to_xlsx(records, meta)


FILE_WRITERS["xlsx"] = _to_xlsx
