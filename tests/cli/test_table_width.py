"""At 80 and 120 columns a terminal table never cuts a number, code or name: whole columns are
left out, least needed first, and a footnote names them (issue 14)."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from ncovi_stats.cli.app import run
from ncovi_stats.render.fit import build_table, fit_display
from ncovi_stats.render.tables import Display
from tests import terminal

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "bac_kan.parquet"
AS_OF = ["--as-of", "2020-04-08 17:00"]


def on_terminal(args: list[str], columns: int) -> str:
    """stdout of the CLI run on a pseudo-terminal COLUMNS wide, without colour codes."""
    code, shown = terminal.on_terminal(args, columns=columns)
    assert code == 0
    return shown


def markdown_rows(capsys, args: list[str]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the command's Markdown twin: every cell as the table shows it."""
    assert run([*args, "--format", "markdown"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    table = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]
    return table[0], table[1:]


def left_out(shown: str) -> list[str]:
    """Headers the footnote names, from its run of lines."""
    text = " ".join(shown.split("\n"))
    found = re.search(
        r"(?:Left out to fit \d+ characters|Đã bỏ bớt cột để vừa \d+ ký tự): (.*?)\. ", text
    )
    if found is None:
        return []
    return [name.strip() for name in found.group(1).split(",")]


def assert_every_cell_whole(shown: str, header: list[str], rows: list[list[str]]) -> None:
    dropped = left_out(shown)
    kept = [index for index, name in enumerate(header) if name not in dropped]
    lines = shown.splitlines()
    assert "…" not in shown
    for row in rows:
        cells = [row[index] for index in kept if row[index]]
        pattern = r"│\s*" + r"\s*│[\s│]*".join(re.escape(cell) for cell in cells)
        assert any(re.search(pattern, line) for line in lines), (row, dropped)


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("national") / "national.parquet"
    assert run(["sample", str(path), "--province", "all", "--persons", "20000"]) == 0
    return path


@pytest.mark.parametrize("columns", [80, 120])
def test_rank_vi_districts_keeps_every_number_whole(capsys, columns: int) -> None:
    args = ["rank", str(SAMPLE), "--lang", "vi", "--level", "district", *AS_OF]
    header, rows = markdown_rows(capsys, args)
    shown = on_terminal(args, columns)
    assert max(cell_len(line) for line in shown.splitlines()) <= columns
    assert_every_cell_whole(shown, header, rows)
    assert "│    1 │ 058 " in shown  # the rank column is never empty
    if columns == 80:
        assert "Đã bỏ bớt cột để vừa 80 ký tự: Thay đổi hạng." in " ".join(shown.split("\n"))
    else:
        assert left_out(shown) == []


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize(
    "command",
    [
        ["rank", "--lang", "vi"],
        ["coverage", "--level", "district", "--target", "90"],
        ["progress", "--target", "90", "--deadline", "2020-04-17", "--lang", "vi"],
    ],
    ids=["rank-vi", "coverage-district", "progress-vi"],
)
def test_national_tables_keep_every_number_whole(capsys, national, command, columns) -> None:
    args = [command[0], str(national), *command[1:]]
    header, rows = markdown_rows(capsys, args)
    shown = on_terminal(args, columns)
    assert max(cell_len(line) for line in shown.splitlines()) <= columns
    assert_every_cell_whole(shown, header, rows)
    if columns == 80:
        assert left_out(shown)  # at 80 characters some column had to go, and is named


def wide_display() -> Display:
    fields = ["district_code", "district_name", "population", "persons_counted"]
    fields += ["coverage_pct", "target_pct", "persons_needed", "rank_change"]
    header = ["Code", "District", "Population", "Persons", "Coverage", "Target", "Needed"]
    header += ["Rank change"]
    rows = [["058", "Thành phố Bắc Kạn", "1,234,567", "987,654", "80.00%", "90.00%"]]
    rows[0] += ["123,457", "+1"]
    return Display(title="t", fields=fields, header=header, rows=rows, totals=None)


def test_fit_drops_the_least_needed_columns_and_says_so() -> None:
    display = fit_display(wide_display(), 60, "en")
    assert display.fields == [
        "district_code",
        "district_name",
        "persons_counted",
        "coverage_pct",
        "persons_needed",
    ]
    assert display.notes[-1] == (
        "Left out to fit 60 characters: Population, Target, Rank change. Widen the terminal, "
        "or write --format csv, xlsx or markdown, for every column."
    )
    console = Console(file=StringIO(), width=60, color_system=None)
    console.print(build_table(display, 60))
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "│ 058  │ Thành phố Bắc Kạn │ 987,654 │   80.00% │ 123,457 │" in shown
    assert max(cell_len(line) for line in shown.splitlines()) <= 60


def test_fit_keeps_a_table_that_fits() -> None:
    assert fit_display(wide_display(), 120, "vi") == wide_display()
