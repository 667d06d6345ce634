"""Fixtures shared by the tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support import write_csv


@pytest.fixture
def export(tmp_path: Path):
    """`export(rows, name=...)` writes a CSV in the test's folder and returns its path."""

    def make(rows: Sequence[dict[str, Any]], name: str = "export.csv") -> Path:
        return write_csv(tmp_path / name, rows)

    return make
