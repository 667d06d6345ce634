"""`--fail-on` (SPEC §4.5): exit 4 only when asked, only after everything is written, with the
units named; 3 and 5 come first."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ncovi_stats.cli.app import run

SAMPLE = str(Path(__file__).resolve().parents[2] / "data" / "samples" / "bac_kan.parquet")
AS_OF = "2020-04-08 17:00"


def named_units(stderr: str) -> list[str]:
    found = re.search(r"\(([0-9, …]+)\); exit 4 because of --fail-on", stderr)
    assert found, stderr
    return [code for code in found.group(1).split(", ") if code != "…"]


def test_coverage_fails_on_units_below_target_exactly(tmp_path: Path, capsys) -> None:
    output = tmp_path / "coverage.json"
    argv = ["coverage", SAMPLE, "--level", "district", "--as-of", AS_OF, "--target", "60"]
    code = run([*argv, "--fail-on", "behind", "-f", "json", "-o", str(output)])
    err = capsys.readouterr().err
    assert code == 4
    records = json.loads(output.read_text())["records"]  # written whole before exit 4
    assert len(records) == 8
    below = sorted(
        r["district_code"] for r in records if 100 * r["persons_counted"] < 60 * r["population"]
    )
    assert below == ["060", "061", "062", "063", "065", "066"]  # 058 61.73%, 064 60.34% meet it
    assert named_units(err) == below
    assert "6 districts below target" in err
    assert run([*argv, "-f", "csv", "-o", str(tmp_path / "plain.csv")]) == 0  # only when asked
    assert run([*argv.copy()[:-2], "--target", "52", "--fail-on", "behind", "-f", "csv"]) == 0


def test_coverage_fail_on_needs_a_target(capsys) -> None:
    assert run(["coverage", SAMPLE, "--fail-on", "behind"]) == 2
    assert "--fail-on behind needs --target" in capsys.readouterr().err


def test_progress_fails_on_status_behind_and_writes_the_chart_first(tmp_path: Path, capsys) -> None:
    output, chart = tmp_path / "progress.json", tmp_path / "progress.png"
    argv = ["progress", SAMPLE, "--level", "district", "--as-of", "2020-04-12"]
    argv += ["--target", "90", "--deadline", "2020-04-17", "--fail-on", "behind"]
    code = run([*argv, "-f", "json", "-o", str(output), "--chart", str(chart)])
    err = capsys.readouterr().err
    assert code == 4
    assert chart.read_bytes().startswith(b"\x89PNG")
    records = json.loads(output.read_text())["records"]
    deadline = date(2020, 4, 17)
    # SPEC §3.6 from the record's own numbers: not met, and no projected date by the deadline.
    behind = sorted(
        r["district_code"]
        for r in records
        if r["population"] is not None
        and 100 * r["persons_counted"] < 90 * r["population"]
        and (r["projected_date"] is None or date.fromisoformat(r["projected_date"]) > deadline)
    )
    assert behind == sorted(r["district_code"] for r in records if r["status"] == "behind")
    assert 0 < len(behind) < len(records)  # some on track, some behind: the rule decides
    assert named_units(err) == behind


def test_progress_series_is_written_and_the_status_still_decides(tmp_path: Path, capsys) -> None:
    output = tmp_path / "series.csv"
    argv = [
        "progress",
        SAMPLE,
        "--as-of",
        "2020-04-12",
        "--target",
        "90",
        "--deadline",
        "2020-04-17",
    ]
    assert (
        run(
            [
                *argv,
                "--level",
                "district",
                "--series",
                "--fail-on",
                "behind",
                "-f",
                "csv",
                "-o",
                str(output),
            ]
        )
        == 4
    )
    series = pl.read_csv(output, schema_overrides={"province_code": pl.String})
    assert "day" in series.columns and series.height > 0
    assert "060" in named_units(capsys.readouterr().err)


def test_province_narrows_what_can_fail(tmp_path: Path, export, capsys) -> None:
    """Bắc Kạn has met the target, Hậu Giang has not: only a listed unit can fail."""
    rows = [
        {"declared_at": "2020-04-01 08:00", "person_key": key, "province_code": province}
        for key, province in [("a", "06"), ("b", "06"), ("c", "93")]
    ]
    population = tmp_path / "population.csv"
    population.write_text("code,population\n06,2\n93,100\n")
    argv = ["coverage", str(export(rows, name="two_provinces.csv")), "--target", "50"]
    argv += ["--population", str(population), "--fail-on", "behind", "-f", "csv"]
    assert run(argv) == 4
    assert named_units(capsys.readouterr().err) == ["93"]
    assert run([*argv, "--province", "06"]) == 0
    assert run([*argv, "--province", "Hau Giang"]) == 4


def test_followup_fails_on_overdue(tmp_path: Path, capsys) -> None:
    output = tmp_path / "followup.json"
    argv = ["followup", SAMPLE, "--level", "district", "--as-of", AS_OF]
    assert run([*argv, "--fail-on", "overdue", "-f", "json", "-o", str(output)]) == 4
    records = json.loads(output.read_text())["records"]
    overdue = sorted(r["district_code"] for r in records if r["overdue"] > 0)
    assert overdue and named_units(capsys.readouterr().err) == overdue
    # Nobody is overdue when the SLA is longer than the campaign.
    assert run([*argv, "--sla-hours", "10000", "--fail-on", "overdue", "-f", "csv"]) == 0


def test_an_output_not_written_is_5_not_4(tmp_path: Path, capsys) -> None:
    output = tmp_path / "missing-folder" / "out.csv"
    argv = ["followup", SAMPLE, "--as-of", AS_OF, "--fail-on", "overdue", "-f", "csv"]
    assert run([*argv, "-o", str(output)]) == 5
    assert "could not be written" in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize("command", ["coverage", "progress", "followup"])
def test_too_many_rejects_is_3_not_4(command: str, export, capsys) -> None:
    rows = [
        {"declared_at": "2020-04-01 08:00", "person_key": "a", "province_code": "06"},
        {"declared_at": "2020-04-02 08:00", "person_key": "b", "province_code": "06"},
        {"declared_at": "not a time", "person_key": "c", "province_code": "06"},
    ]
    path = str(export(rows, name="one_unparseable_time.csv"))
    extra = {
        "coverage": ["--target", "90", "--fail-on", "behind"],
        "progress": ["--target", "90", "--deadline", "2020-04-17", "--fail-on", "behind"],
        "followup": ["--fail-on", "overdue"],
    }[command]
    assert run([command, path, *extra, "-f", "csv"]) in (0, 4)  # 1 of 3 rejected is fine
    capsys.readouterr()
    assert run([command, path, *extra, "--max-reject-rate", "10", "-f", "csv"]) == 3
    assert "more than --max-reject-rate 10%" in capsys.readouterr().err
