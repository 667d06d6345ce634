"""2. No raw transcoded copy survives a signal: SIGTERM and SIGINT clean up and say so, and the
work folders of dead processes are swept by the next run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import polars as pl
import pytest

from tests.fixtures.make_fixtures import encode_cp1258
from tests.hostile import pii
from tests.hostile.conftest import Hostile

ROWS = 150_000


def big_legacy_export(hostile: Hostile) -> Path:
    """A Windows-1258 export large enough to be caught while it is transcoded."""
    lines = [pii.header(";"), *(pii.row(n, delimiter=";") for n in range(ROWS))]
    return hostile.export("legacy.csv", encode_cp1258("\r\n".join(lines) + "\r\n"))


def wait_for_copy(tmp: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the run's work folder holds its copy (a folder of Parquet parts, being written)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(path.name.endswith((".parts", ".csv")) for path in tmp.glob("ncovi-stats-*/*")):
            return
        assert process.poll() is None, "the run ended before its copy was seen"
        time.sleep(0.02)
    raise AssertionError("no transcoded copy appeared")


@pytest.mark.parametrize(
    ("sent", "code", "said"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
)
def test_signal_while_transcoding_removes_the_copy(
    hostile: Hostile, sent: signal.Signals, code: int, said: str
) -> None:
    export = big_legacy_export(hostile)
    process = hostile.spawn("coverage", export, "--key-file", hostile.key)
    wait_for_copy(hostile.tmp, process)
    process.send_signal(sent)
    out, err = process.communicate(timeout=60)
    hostile.messages += [out.decode(), err.decode()]
    assert process.returncode == code
    assert err.decode().strip() == f"ncovi-stats: {said}; temporary files removed."
    assert list(hostile.tmp.iterdir()) == []


def test_work_folders_of_dead_processes_are_swept(hostile: Hostile) -> None:
    export = big_legacy_export(hostile)
    process = hostile.spawn("coverage", export, "--key-file", hostile.key)
    wait_for_copy(hostile.tmp, process)
    process.kill()
    process.wait()
    left = list(hostile.tmp.iterdir())
    assert len(left) == 1 and left[0].name.startswith("ncovi-stats-")
    # a work folder of a live process (this one) is left alone
    mine = hostile.tmp / f"ncovi-stats-{os.getpid()}-live"
    mine.mkdir(mode=0o700)
    small = hostile.export("small.csv", pii.header() + "\n" + pii.row(0) + "\n")
    done = hostile.cli("coverage", small, "--key-file", hostile.key)
    assert done.code == 0
    assert sorted(hostile.tmp.iterdir()) == [mine]
    mine.rmdir()


def test_the_copy_of_a_legacy_export_holds_no_identity_value(
    hostile: Hostile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy is written with its identity columns already hashed: what a SIGKILL leaves
    behind holds no personal data either."""
    from ncovi_stats.io.keyfile import load_key
    from ncovi_stats.io.read import transcode
    from ncovi_stats.io.read.scan import scan_exports
    from tests.support import NOW

    monkeypatch.setattr(transcode, "PARQUET_BATCH_RECORDS", 500)
    monkeypatch.setattr(transcode, "WRITE_BATCH_LINES", 500)
    lines = [
        pii.header(";") + ";Ghi chú",
        *(pii.row(n, delimiter=";") + ";x" for n in range(2_000)),
    ]
    export = hostile.export("legacy.csv", encode_cp1258("\r\n".join(lines) + "\r\n"))
    workdir = hostile.tmp / "work"
    workdir.mkdir(mode=0o700)
    scan = scan_exports([export], now=NOW, workdir=workdir, key=load_key(hostile.key))
    parts = sorted(workdir.rglob("*.parquet"))
    assert len(parts) == 4  # 2,000 records in parts of 500
    for part in parts:
        pii.assert_clean(pii.decoded(part), part.name)
        assert "Số CCCD/CMND" not in pl.read_parquet(part).columns
    counted = scan.frame.select(pl.len(), pl.col("person_key").n_unique()).collect().row(0)
    assert counted == (2_000, 2)
    assert scan.sources[0].columns == [
        "declared_at",
        "province",
        "district",
        "person_id",
        "full_name",
        "birth_year",
        "phone",
    ]
    assert scan.sources[0].unknown_headers == ["Ghi chú"]
    shutil.rmtree(workdir)
