"""Every reading command gives the same records from a store as from the exports (issue 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ncovi_stats.api.sample import generate_declarations, write_export
from ncovi_stats.cli.app import run

AS_OF = "2020-04-08 17:00"
COMMANDS: dict[str, list[str]] = {
    "coverage-district": ["coverage", "--level", "district", "--target", "90"],
    "coverage-2025": ["coverage", "--units", "2025"],
    "progress": ["progress", "--level", "district", "--target", "90", "--deadline", "2020-04-17"],
    "progress-series": [
        "progress",
        "--series",
        "--target",
        "90",
        "--deadline",
        "2020-04-17",
    ],
    "rank": ["rank", "--province", "06"],
    "followup": ["followup", "--level", "district"],
}


@pytest.fixture(scope="module")
def export_and_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("store-commands")
    export = write_export(
        generate_declarations(["06", "93"], persons=20_000, seed=11), folder / "two.parquet"
    )
    store = folder / "store"
    assert run(["ingest", str(export), "--store", str(store)]) == 0
    return export, store


def records(argv: list[str], out: Path) -> list[dict[str, object]]:
    assert run([*argv, "--as-of", AS_OF, "-f", "json", "-o", str(out)]) == 0
    return json.loads(out.read_text())["records"]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_store_and_exports_give_the_same_records(
    name: str, export_and_store: tuple[Path, Path], tmp_path: Path
) -> None:
    export, store = export_and_store
    argv = COMMANDS[name]
    from_exports = records([argv[0], str(export), *argv[1:]], tmp_path / "exports.json")
    from_store = records([*argv, "--store", str(store)], tmp_path / "store.json")
    assert from_exports, "the command listed nothing"
    assert from_store == from_exports
    if name == "followup":
        assert sum(int(record["flagged_persons"]) for record in from_store) > 100
