"""The format follows the suffix of -o; a contradicting --format and binary bytes on a terminal
are usage errors (exit 2)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from ncovi_stats.cli.app import run
from ncovi_stats.cli.formats import resolve_format
from ncovi_stats.cli.options import OutputFormat
from ncovi_stats.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "bac_kan.parquet"
RANK = ["rank", str(SAMPLE), "--as-of", "2020-04-08 17:00"]


def test_xlsx_suffix_writes_a_workbook(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    assert run([*RANK, "-o", str(target)]) == 0
    sheet = openpyxl.load_workbook(target).worksheets[0]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "Tỉnh Bắc Kạn" in values


def test_csv_json_parquet_md_suffixes(tmp_path: Path) -> None:
    assert run([*RANK, "-o", str(tmp_path / "out.csv")]) == 0
    assert pl.read_csv(tmp_path / "out.csv")["province_code"].to_list() == [6]
    assert run([*RANK, "-o", str(tmp_path / "out.JSON")]) == 0
    assert json.loads((tmp_path / "out.JSON").read_text())["records"][0]["province_code"] == "06"
    assert run([*RANK, "-o", str(tmp_path / "out.parquet")]) == 0
    assert pl.read_parquet(tmp_path / "out.parquet")["province_code"].to_list() == ["06"]
    assert run([*RANK, "-o", str(tmp_path / "out.md")]) == 0
    assert (tmp_path / "out.md").read_text().startswith("## ")


def test_contradicting_format_is_exit_2_and_writes_nothing(tmp_path: Path, capsys) -> None:
    target = tmp_path / "out.csv"
    assert run([*RANK, "--format", "json", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"ncovi-stats: --format json contradicts the suffix of --output {target} (csv); "
        "drop --format or change the file name.\n"
    )
    assert not target.exists()


def test_agreeing_format_and_unknown_suffix_are_accepted(tmp_path: Path) -> None:
    assert run([*RANK, "--format", "csv", "-o", str(tmp_path / "a.csv")]) == 0
    # a table written to a file is Markdown: --format table agrees with .md
    assert run([*RANK, "--format", "table", "-o", str(tmp_path / "a.md")]) == 0
    # an unknown suffix takes what --format says
    assert run([*RANK, "--format", "json", "-o", str(tmp_path / "a.txt")]) == 0
    assert json.loads((tmp_path / "a.txt").read_text())["records"]


@pytest.mark.parametrize(
    ("given", "output", "expected"),
    [
        (None, None, OutputFormat.table),
        (None, "-", OutputFormat.table),
        (None, "x.XLSX", OutputFormat.xlsx),
        (None, "x.markdown", OutputFormat.markdown),
        (None, "x.txt", OutputFormat.table),
        (OutputFormat.csv, "x.txt", OutputFormat.csv),
        (OutputFormat.table, "x.md", OutputFormat.table),
        (OutputFormat.xlsx, None, OutputFormat.xlsx),  # stdout is not a terminal here
    ],
)
def test_resolve_format(given, output, expected) -> None:
    path = None if output is None else Path(output)
    assert resolve_format(given, path, terminal=False) is expected


@pytest.mark.parametrize("fmt", [OutputFormat.xlsx, OutputFormat.parquet])
def test_binary_formats_are_refused_on_a_terminal(fmt: OutputFormat) -> None:
    with pytest.raises(
        UsageError, match=f"--format {fmt.value} is binary and stdout is a terminal"
    ):
        resolve_format(fmt, None, terminal=True)
    # to a file or a pipe they are fine, and text formats are fine on a terminal
    assert resolve_format(fmt, Path(f"x.{fmt.value}"), terminal=True) is fmt
    assert resolve_format(OutputFormat.csv, None, terminal=True) is OutputFormat.csv


def test_binary_on_a_real_terminal_exits_2_without_bytes() -> None:
    """Run the CLI with stdout on a pseudo-terminal: exit 2, a message, no zip bytes."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "ncovi_stats", *RANK, "--format", "xlsx"],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
        timeout=120,
        check=False,
    )
    os.close(follower)
    os.set_blocking(leader, False)
    try:
        shown = os.read(leader, 65536)
    except (BlockingIOError, OSError):
        shown = b""
    os.close(leader)
    assert done.returncode == 2
    assert b"PK" not in shown
    assert done.stderr.decode() == (
        "ncovi-stats: --format xlsx is binary and stdout is a terminal; "
        "write it to a file with -o FILE.xlsx, or redirect stdout.\n"
    )
