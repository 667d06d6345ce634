"""Fixtures shared by the tests, and the run's own temporary folder.

Every test run (and each pytest-xdist worker, and every CLI it starts) uses one private temporary
folder (`TMPDIR`), so that the end-of-run check sees only this run's leftovers, never another
run's: a run that leaves an `ncovi-*` folder behind fails (SPEC §5: temporary files are removed).
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.exports import Export, build_hau_giang, build_tricky_export
from tests.support import write_csv

T = TypeVar("T")
RUN_TEMP = "NCOVI_TEST_RUN_TEMP"  # set by the controlling process, inherited by workers
LEFTOVER_PREFIX = "ncovi-"


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    """Tests that must share a worker say so with `xdist_group` (the README's commands run in
    order in one folder), and `-n N` honours it; the controlling process makes the run's
    temporary folder before any worker starts."""
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")
    if getattr(config.option, "dist", None) == "load":  # what `-n N` alone means
        config.option.dist = "loadgroup"
    if _is_worker(config):  # xdist set this from the worker's own options: the controller's wins
        config.option.loadgroup = config.workerinput.get("ncovi_dist") == "loadgroup"
    if _is_worker(config) or RUN_TEMP in os.environ:
        return
    folder = tempfile.mkdtemp(prefix="pytest-run-")
    os.environ[RUN_TEMP] = folder
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = None  # gettempdir() looks at TMPDIR again
    config.stash[_RUN_TEMP_KEY] = folder


_RUN_TEMP_KEY = pytest.StashKey[str]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: tell each worker how the controller distributes the tests."""
    node.workerinput["ncovi_dist"] = node.config.option.dist


def leftovers(folder: Path) -> list[str]:
    """Names of the `ncovi-*` entries in `folder`: what a run must not leave behind."""
    return sorted(
        entry.name for entry in folder.iterdir() if entry.name.startswith(LEFTOVER_PREFIX)
    )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when it left an `ncovi-*` folder in the temporary folder; then remove it."""
    folder = session.config.stash.get(_RUN_TEMP_KEY, None)
    if folder is None:  # a worker, or a run started inside another run
        return
    left = leftovers(Path(folder))
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = f"the test run left {len(left)} temporary folder(s) behind: {', '.join(left)}"
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(f"FAILED (leftovers): {message}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    shutil.rmtree(folder, ignore_errors=True)
    os.environ.pop(RUN_TEMP, None)


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], T]) -> T:
    """`build(folder)` once per run, also under pytest-xdist: the first worker builds it under a
    file lock in the folder all workers share, the others wait and read what it built."""
    base = factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / f"shared-{name}"
    done = shared / f"shared-{name}.pickle"
    with (shared / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                folder.mkdir(exist_ok=True)
                result = build(folder)
                done.write_bytes(pickle.dumps(result))
            value: T = pickle.loads(done.read_bytes())
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return value


@pytest.fixture
def export(tmp_path: Path):
    """`export(rows, name=...)` writes a CSV in the test's folder and returns its path."""

    def make(rows: Sequence[dict[str, Any]], name: str = "export.csv") -> Path:
        return write_csv(tmp_path / name, rows)

    return make


@pytest.fixture(scope="session")
def hau_giang(tmp_path_factory: pytest.TempPathFactory) -> Export:
    """516,394 persons of Hậu Giang by 2020-04-08 17:00, with repeats and later rows."""
    return built_once(tmp_path_factory, "hau_giang", build_hau_giang)


@pytest.fixture(scope="session")
def tricky_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three provinces with every tie-break trap, timestamps stored in UTC."""
    return built_once(tmp_path_factory, "oracle", build_tricky_export)


@pytest.fixture(scope="session")
def tricky_hex_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rows of `tricky_export` with 16-hex person keys: persons get narrow ids."""
    return built_once(
        tmp_path_factory, "oracle_hex", lambda folder: build_tricky_export(folder, hex_keys=True)
    )


@pytest.fixture(params=["tricky_export", "tricky_hex_export"])
def either_tricky_export(request: pytest.FixtureRequest) -> Path:
    """Each of the two: persons grouped by wide ids, then by narrow ids."""
    path: Path = request.getfixturevalue(request.param)
    return path
