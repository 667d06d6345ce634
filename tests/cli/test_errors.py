"""User mistakes: one line on stderr that says what to fix, the documented exit code, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ncovi_stats.cli.app import run
from ncovi_stats.errors import ExitCode

GOOD = [{"declared_at": "2020-04-08 09:00", "person_key": "a", "province_code": "93"}]


def errors_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    code = run(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip()


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = errors_of(capsys, ["coverage", str(tmp_path / "nope.csv")])
    assert code == ExitCode.BAD_INPUT
    assert err == f"ncovi-stats: {tmp_path / 'nope.csv'}: file not found; check the path."


def test_missing_required_column_is_named_with_columns_found(capsys, export) -> None:
    path = export([{"time": "2020-04-08 09:00", "person_key": "a", "province_code": "93"}])
    code, err = errors_of(capsys, ["coverage", str(path)])
    assert code == ExitCode.BAD_INPUT
    assert "required column 'declared_at' is missing" in err
    assert "(columns found: time, person_key, province_code)" in err


def test_bad_as_of(capsys, export) -> None:
    code, err = errors_of(capsys, ["coverage", str(export(GOOD)), "--as-of", "08/04"])
    assert code == ExitCode.USAGE
    assert "--as-of '08/04' is not a time; write 'YYYY-MM-DD HH:MM'" in err


def test_unknown_province(capsys, export) -> None:
    code, err = errors_of(capsys, ["coverage", str(export(GOOD)), "--province", "Atlantis"])
    assert code == ExitCode.USAGE
    assert "--province 'Atlantis' is not a province; give the 2-digit GSO code" in err


def test_bad_target(capsys, export) -> None:
    code, err = errors_of(capsys, ["coverage", str(export(GOOD)), "--target", "ninety"])
    assert code == ExitCode.USAGE
    assert "--target 'ninety' is not a number" in err


def test_all_rows_rejected(capsys, export) -> None:
    path = export([{"declared_at": "soon", "person_key": "a", "province_code": "93"}])
    code, err = errors_of(capsys, ["coverage", str(path)])
    assert code == ExitCode.BAD_INPUT
    assert "all 1 rows were rejected (1 unparseable-time)" in err


def test_unwritable_output(capsys, export, tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "out.csv"
    code, err = errors_of(capsys, ["coverage", str(export(GOOD)), "-f", "csv", "-o", str(target)])
    assert code == ExitCode.OUTPUT
    assert "could not be written" in err and not target.exists()


def test_unknown_option_is_usage_error(capsys, export) -> None:
    code, err = errors_of(capsys, ["coverage", str(export(GOOD)), "--levle", "district"])
    assert code == ExitCode.USAGE
    assert "No such option: --levle" in err


def test_debug_shows_the_traceback(capsys, tmp_path: Path) -> None:
    run(["--debug", "coverage", str(tmp_path / "nope.csv")])
    assert "Traceback" in capsys.readouterr().err


def test_console_script_exit_code_and_no_ansi(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "NO_COLOR": "1"}
    if "PYTHONPATH" in os.environ:  # a source checkout run without installing the package
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    done = subprocess.run(
        [sys.executable, "-m", "ncovi_stats", "coverage", str(tmp_path / "nope.csv")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 3
    assert "\x1b[" not in done.stderr and done.stderr.startswith("ncovi-stats: ")


@pytest.mark.parametrize("value", ["93", "Hậu Giang", "hau giang", "TỈNH HẬU GIANG"])
def test_province_by_code_or_name(capsys, export, value: str) -> None:
    rows = [*GOOD, {"declared_at": "2020-04-08 09:00", "person_key": "b", "province_code": "06"}]
    code = run(["coverage", str(export(rows)), "--province", value, "-f", "csv"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert [line.split(",")[0] for line in out[1:]] == ["93"]
