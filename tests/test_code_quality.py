"""One command runs every check: ruff (lint and format) and mypy run as part of the suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "argv",
    [
        ("ruff", "check", "src", "tests", "bench"),
        ("ruff", "format", "--check", "src", "tests", "bench"),
        (sys.executable, "-m", "mypy"),
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_code_checks_pass(argv: tuple[str, ...]) -> None:
    assert shutil.which(argv[0]) or argv[0] == sys.executable, f"{argv[0]} is not installed"
    done = run_tool(*argv)
    assert done.returncode == 0, done.stdout + done.stderr
