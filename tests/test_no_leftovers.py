"""The end-of-run check of tests/conftest.py: a test run that leaves an `ncovi-*` folder in its
temporary folder fails, naming it; one that cleans up passes. Each case is a run of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RUN_TEMP

ROOT = Path(__file__).resolve().parents[1]
LEAK = "import tempfile\n\n\ndef test_leak():\n    tempfile.mkdtemp(prefix='ncovi-leak-')\n"
CLEAN = (
    "import tempfile\n\n\ndef test_clean():\n"
    "    with tempfile.TemporaryDirectory(prefix='ncovi-clean-'):\n        pass\n"
)


def _run(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    test = tmp_path / "test_case.py"
    test.write_text(body)
    env = {name: value for name, value in os.environ.items() if name != RUN_TEMP}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest"]
        + ["--rootdir", str(tmp_path), str(test)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("body", "code"), [(LEAK, 1), (CLEAN, 0)], ids=["leak", "clean"])
def test_a_run_fails_only_when_it_leaves_an_ncovi_folder(
    tmp_path: Path, body: str, code: int
) -> None:
    done = _run(tmp_path, body)
    assert done.returncode == code, done.stdout + done.stderr
    named = "the test run left 1 temporary folder(s) behind: ncovi-leak-" in done.stdout
    assert named == (code == 1)
    assert "1 passed" in done.stdout  # the test itself passed: only the leftover fails the run
