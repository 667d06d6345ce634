"""Fixtures shared by the tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.exports import Export, build_hau_giang, build_tricky_export
from tests.support import write_csv


@pytest.fixture
def export(tmp_path: Path):
    """`export(rows, name=...)` writes a CSV in the test's folder and returns its path."""

    def make(rows: Sequence[dict[str, Any]], name: str = "export.csv") -> Path:
        return write_csv(tmp_path / name, rows)

    return make


@pytest.fixture(scope="session")
def hau_giang(tmp_path_factory: pytest.TempPathFactory) -> Export:
    """516,394 persons of Hậu Giang by 2020-04-08 17:00, with repeats and later rows."""
    return build_hau_giang(tmp_path_factory.mktemp("hau_giang"))


@pytest.fixture(scope="session")
def tricky_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three provinces with every tie-break trap, timestamps stored in UTC."""
    return build_tricky_export(tmp_path_factory.mktemp("oracle"))
