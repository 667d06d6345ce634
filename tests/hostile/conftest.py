"""The hostile suite: every run goes through `Hostile`, which gives it a private TMPDIR, and at
the end of every test everything it printed, wrote or left behind is scanned for the personal
data of the exports (SPEC §5; the scan is `pii.assert_clean`)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ncovi_stats.cli.app import run
from ncovi_stats.io.keyfile import generate_key_file
from tests.hostile import pii

SRC = str(Path(__file__).resolve().parents[2] / "src")


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


@dataclass
class Hostile:
    """Folders of one hostile test: `inputs` (exports, never scanned), `out` (outputs) and
    `tmp` (the TMPDIR of every run, whose leftovers are scanned)."""

    root: Path
    capture: pytest.CaptureFixture[bytes]
    messages: list[str] = field(default_factory=list)

    @property
    def inputs(self) -> Path:
        return self.root / "in"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def key(self) -> Path:
        return self.inputs / "key"

    def export(self, name: str, data: bytes | str) -> Path:
        path = self.inputs / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def cli(self, *argv: str | Path) -> Outcome:
        """Run in this process; stdout and stderr are kept for the scan."""
        self.capture.readouterr()
        code = run([str(arg) for arg in argv])
        captured = self.capture.readouterr()
        outcome = Outcome(
            code,
            captured.out.decode("utf-8", errors="replace"),
            captured.err.decode("utf-8", errors="replace"),
        )
        self.messages += [outcome.out, outcome.err]
        return outcome

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": SRC, "TMPDIR": str(self.tmp), **extra}

    def spawn(self, *argv: str | Path, **popen: object) -> subprocess.Popen[bytes]:
        """Start the CLI in a process of its own (signals, full disks, closed stdout)."""
        popen.setdefault("stdout", subprocess.PIPE)
        popen.setdefault("stderr", subprocess.PIPE)
        return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
            [sys.executable, "-m", "ncovi_stats", *map(str, argv)],
            env=popen.pop("env", self.env()),
            **popen,
        )

    def subprocess(self, *argv: str | Path, **popen: object) -> Outcome:
        process = self.spawn(*argv, **popen)
        out, err = process.communicate(timeout=120)
        outcome = Outcome(
            process.returncode,
            (out or b"").decode("utf-8", errors="replace"),
            (err or b"").decode("utf-8", errors="replace"),
        )
        self.messages += [outcome.out, outcome.err]
        return outcome

    def scan(self) -> None:
        """Every message, every file outside `inputs`: no personal data."""
        for number, message in enumerate(self.messages):
            pii.assert_clean(message, f"message {number}")
        exports = [path.stat() for path in self.inputs.iterdir() if path.is_file()]
        for path in sorted(self.root.rglob("*")):
            if self.inputs in path.parents or not path.is_file() or path.is_symlink():
                continue
            if any(os.path.samestat(path.stat(), export) for export in exports):
                continue  # a link to an export (a test of outputs naming inputs)
            pii.assert_clean(pii.decoded(path), str(path.relative_to(self.root)))


@pytest.fixture
def hostile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> Iterator[Hostile]:
    """A hostile test's folders, a key, a private TMPDIR; the PII scan when it ends."""
    setup = Hostile(tmp_path, capsysbinary)
    for folder in (setup.inputs, setup.out, setup.tmp):
        folder.mkdir()
    generate_key_file(setup.key)
    monkeypatch.setattr(tempfile, "tempdir", str(setup.tmp))
    monkeypatch.setenv("TMPDIR", str(setup.tmp))
    yield setup
    setup.scan()
