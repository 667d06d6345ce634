"""Every import inside `src/ncovi_stats` (module level, inside functions, and type-only), the layer
of each module, the imports that go against the intended direction, and the import cycles.

    python -m tests.import_layers            # the report that docs/architecture.md quotes

Layers, lowest first (issue 15): leaves (errors, schema, the package's version, package data),
reference (bundled census, units and merger), core, io, api (the library the commands call),
render, cli. A module may import its own layer and the layers its layer lists in `MAY_IMPORT`.
Each layer but the leaves is a folder of the package (`reference/`, `core/`, `io/`, `api/`,
`render/`, `cli/`).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = "ncovi_stats"
SOURCE = Path(__file__).resolve().parents[1] / "src" / PACKAGE

LEAVES = {"ncovi_stats", "ncovi_stats.errors", "ncovi_stats.schema"}
FOLDERS = ("reference", "core", "io", "api", "render", "cli")  # each folder is its layer
MAY_IMPORT: dict[str, frozenset[str]] = {
    "leaves": frozenset({"leaves"}),
    "reference": frozenset({"leaves"}),
    "core": frozenset({"leaves", "reference"}),
    "io": frozenset({"leaves", "reference", "core"}),
    "api": frozenset({"leaves", "reference", "core", "io"}),
    "render": frozenset({"leaves", "reference", "core", "io"}),
    "cli": frozenset({"leaves", "reference", "core", "io", "api", "render"}),
}


def layer(module: str) -> str:
    """The layer of a module of the package, by its dotted name: the folder it is in; at the
    package root, a module that imports nothing of the package but leaves is a leaf too (`config`,
    small helpers), `__main__` is the CLI, and any other module is the library (`api`)."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in FOLDERS:
        return parts[1]
    if module in LEAVES or module in root_leaves():
        return "leaves"
    if module == "ncovi_stats.__main__":
        return "cli"
    return "api"


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module of the package
    path: Path
    line: int
    where: str  # "module", "function" or "type-only"

    @property
    def location(self) -> str:
        return f"{self.path.relative_to(SOURCE.parent)}:{self.line}"


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that `name` names or lies in (a package for its attributes)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, where: str) -> Iterator[tuple[ast.AST, str]]:
    for child in ast.iter_child_nodes(node):
        inner = where
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inner = "function"
        elif isinstance(child, ast.If) and _is_type_checking(child):
            inner = "type-only"
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, where
        yield from _walk(child, inner)


def imports() -> list[Import]:
    known = modules()
    found = []
    for source, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, where in _walk(tree, "module"):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                if not name.startswith(PACKAGE):
                    continue
                target = _resolve(name, known)
                if target is not None and target != source:
                    found.append(Import(source, target, path, node.lineno, where))
    return list(dict.fromkeys(found))  # `from x import a, b` is one import of x


CORE_MAY_USE = frozenset({"polars"})  # besides the standard library and the package


def core_outside_imports() -> list[tuple[str, str]]:
    """(file:line, module) of each import in core/ of neither the standard library, polars,
    nor the package (the brief: core knows polars and the standard library only)."""
    found = []
    for source, path in modules().items():
        if layer(source) != "core":
            continue
        for node, _ in _walk(ast.parse(path.read_text(encoding="utf-8")), "module"):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in CORE_MAY_USE | {PACKAGE}:
                    found.append((f"{path.relative_to(SOURCE.parent)}:{node.lineno}", name))
    return found


@cache
def root_leaves() -> frozenset[str]:
    """Modules at the package root whose imports of the package are all leaves (to a fixpoint)."""
    found = imports()
    root = {
        name
        for name, path in modules().items()
        if name.count(".") == 1 and path.name not in ("__init__.py", "__main__.py")
    }
    leaves = set(LEAVES)
    while True:
        more = {
            name
            for name in root - leaves
            if all(imp.target in leaves for imp in found if imp.source == name)
        }
        if not more:
            return frozenset(leaves - LEAVES)
        leaves |= more


def violations(found: list[Import]) -> list[Import]:
    """Imports of a layer its layer may not import (type-only ones included: they still tie)."""
    return [
        imp
        for imp in found
        if layer(imp.target) != layer(imp.source)
        and layer(imp.target) not in MAY_IMPORT[layer(imp.source)]
    ]


def cycles(found: list[Import], *, runtime_only: bool = True) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan), each sorted, sorted."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        if runtime_only and imp.where == "type-only":
            continue
        # `from ncovi_stats.core import x` names the package only to reach x: not an edge to it
        graph.setdefault(imp.source, set()).add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def report() -> str:
    found = imports()
    lines = [f"{len(found)} imports between modules of the package", ""]
    lines.append("Imports against the direction (file:line  importer -> imported  [where]):")
    for imp in sorted(violations(found), key=lambda i: (i.location.split(":")[0], i.line)):
        lines.append(
            f"- {imp.location}  {imp.source.removeprefix('ncovi_stats.')} ({layer(imp.source)})"
            f" -> {imp.target.removeprefix('ncovi_stats.')} ({layer(imp.target)})  [{imp.where}]"
        )
    lines += ["", "Import cycles (runtime imports, including those inside functions):"]
    for group in cycles(found):
        lines.append("- " + " <-> ".join(name.removeprefix("ncovi_stats.") for name in group))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(report() + "\n")
