"""The private work folder of a run (0700, removed on exit and on SIGINT/SIGTERM) for copies of
exports, and the sweep of those that killed runs left behind (named `ncovi-stats-PID-…`)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ncovi_stats.io.write.formats import stale_leftovers

WORKDIR_PREFIX = "ncovi-stats-"
_WORKDIR_NAME = re.compile(re.escape(WORKDIR_PREFIX) + r"(\d+)-.*")


def sweep_stale_workdirs(folder: Path | None = None) -> list[Path]:
    """Remove the work folders left in the temporary folder by runs that were killed (SIGKILL,
    a power cut): ours (same user), named `ncovi-stats-PID-…` for a PID no longer running.
    Returns the folders removed."""
    removed = stale_leftovers(Path(folder or tempfile.gettempdir()), _WORKDIR_NAME, is_folder=True)
    for leftover in removed:
        shutil.rmtree(leftover, ignore_errors=True)
    return removed


@contextmanager
def private_workdir(prefix: str = WORKDIR_PREFIX) -> Iterator[Path]:
    """A temporary folder only the user can enter (0700), removed on exit and on interrupt
    (SIGINT, SIGTERM); those of killed runs are swept first (`sweep_stale_workdirs`)."""
    sweep_stale_workdirs()
    # mkdtemp creates it with mode 0700; the PID in the name lets a later run sweep it
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
    try:
        os.chmod(folder, 0o700)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
