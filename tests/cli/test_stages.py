"""Stages of a long read on stderr when it is a terminal (issue 14): reading, transcoding with
bytes done of all, counting; nothing off a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from ncovi_stats import stages
from ncovi_stats.api.coverage import coverage_report
from ncovi_stats.cli.app import run
from ncovi_stats.io.read import transcode
from tests import terminal
from tests.support import request


@pytest.fixture
def cp1258(tmp_path: Path) -> Path:
    """A Windows-1258 export (a Vietnamese header): read through a UTF-8 copy."""
    lines = ["declared_at;person_key;province_code;Kênh khai báo"]
    lines += [f"2020-04-0{1 + i % 8} 08:00;p{i};93;app" for i in range(50)]
    path = tmp_path / "windows1258.csv"
    path.write_bytes("\n".join(lines).encode("cp1258"))
    return path


def test_the_library_reports_its_stages(monkeypatch, cp1258: Path) -> None:
    monkeypatch.setattr(transcode, "WRITE_BATCH_LINES", 2)  # a tiny file says how far it is
    monkeypatch.setattr(transcode, "PROGRESS_BATCHES", 1)
    seen: list[stages.Stage] = []
    with stages.listening(seen.append):
        coverage_report(request(cp1258), level="province")
    size = cp1258.stat().st_size
    names = [stage.name for stage in seen]
    assert names[0] == "reading" and seen[0].source == str(cp1258.resolve())
    assert names[-1] == "counting"
    transcoding = [stage for stage in seen if stage.name == "transcoding"]
    assert len(transcoding) >= 2 and all(stage.total == size for stage in transcoding)
    done = [stage.done or 0 for stage in transcoding]
    assert done == sorted(done) and done[-1] == size  # bytes only grow, up to the whole file
    assert not stages._listeners  # nobody listens once the read is over


def on_terminal_stderr(args: list[str]) -> str:
    code, shown = terminal.on_terminal(args, stream="stderr", colour=True)
    assert code == 0
    return shown


def test_stages_on_a_terminal(tmp_path: Path, cp1258: Path) -> None:
    shown = on_terminal_stderr(
        ["coverage", str(cp1258), "-f", "csv", "-o", str(tmp_path / "out.csv")]
    )
    assert f"Reading {cp1258.name}" in shown
    assert f"Transcoding {cp1258.name} to UTF-8" in shown
    assert "Counting persons" in shown


def test_no_stages_off_a_terminal(tmp_path: Path, capsys, cp1258: Path) -> None:
    assert run(["coverage", str(cp1258), "-f", "csv", "-o", str(tmp_path / "out.csv")]) == 0
    assert capsys.readouterr().err == ""
