"""The import direction of issue 15, enforced: cli -> api, render -> core, io -> reference ->
leaves, over every import of the package (module level, inside functions, type-only), and no
import cycle. `python -m tests.import_layers` prints what these tests check."""

from __future__ import annotations

from pathlib import Path

from tests.import_layers import (
    MAY_IMPORT,
    Import,
    core_outside_imports,
    cycles,
    imports,
    layer,
    modules,
    violations,
)


def _short(name: str) -> str:
    return name.removeprefix("ncovi_stats.")


def test_no_import_against_the_direction() -> None:
    found = [
        f"{i.location} {_short(i.source)} -> {_short(i.target)}" for i in violations(imports())
    ]
    assert found == []


def test_no_import_cycle_not_even_type_only() -> None:
    assert cycles(imports()) == []
    assert cycles(imports(), runtime_only=False) == []


def test_the_checks_see_a_planted_violation_and_cycle() -> None:
    # the api calling a renderer back, and the renderer importing the api: both reported
    planted = [
        Import("ncovi_stats.api.report", "ncovi_stats.render.summary", Path("x"), 1, "function"),
        Import("ncovi_stats.render.summary", "ncovi_stats.api.report", Path("y"), 2, "type-only"),
    ]
    assert [(i.source, i.target) for i in violations(planted)] == [
        ("ncovi_stats.api.report", "ncovi_stats.render.summary"),
        ("ncovi_stats.render.summary", "ncovi_stats.api.report"),
    ]
    assert cycles(planted) == []  # the type-only edge does not run
    assert cycles(planted, runtime_only=False) == [
        ["ncovi_stats.api.report", "ncovi_stats.render.summary"]
    ]


def test_the_direction_table() -> None:
    # each layer may import itself and the layers below it, never one above
    assert "render" not in MAY_IMPORT["api"] and "api" not in MAY_IMPORT["render"]
    assert MAY_IMPORT["core"] == {"leaves", "reference"}
    assert not any("cli" in allowed for allowed in MAY_IMPORT.values())


def test_imports_inside_functions_and_type_only_are_seen() -> None:
    kinds = {(_short(i.source), _short(i.target), i.where) for i in imports()}
    assert ("render.bundle", "render.charts", "function") in kinds  # matplotlib when drawn only
    assert ("cli.report", "api.report", "type-only") in kinds
    assert ("core.units", "reference", "module") in kinds


def test_layers_of_known_modules() -> None:
    assert [
        layer(f"ncovi_stats.{name}")
        for name in (
            "errors",
            "reference",
            "core.units",
            "io.read.scan",
            "api.report",
            "render.labels",
        )
    ] == ["leaves", "reference", "core", "io", "api", "render"]
    assert layer("ncovi_stats.cli.app") == layer("ncovi_stats.__main__") == "cli"


def test_core_knows_polars_and_the_standard_library_only() -> None:
    assert core_outside_imports() == []


def test_every_module_at_the_package_root_is_a_leaf() -> None:
    # the library lives in api/: a module at the root importing more than leaves is a mistake
    root = [name for name, path in modules().items() if path.parent.name == "ncovi_stats"]
    assert {name: layer(name) for name in root if layer(name) != "leaves"} == {
        "ncovi_stats.__main__": "cli"
    }
