"""9. The smaller ones: configs others can replace, leftovers of killed runs, impossible times,
sheets skipped without a word."""

from __future__ import annotations

import json
import os
import subprocess

import polars as pl
import pytest

from tests.hostile.conftest import Hostile

ROWS = "declared_at,person_key,province_code\n2020-04-08 09:00,a,93\n"


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


@pytest.mark.parametrize(
    ("mode", "refused"), [(0o777, True), (0o775, True), (0o1777, False), (0o755, False)]
)
def test_config_in_a_folder_others_can_change(hostile: Hostile, mode: int, refused: bool) -> None:
    folder = hostile.inputs / "shared"
    folder.mkdir()
    config = folder / "ncovi-stats.toml"
    config.write_text("sla_hours = 24\n")
    config.chmod(0o600)
    folder.chmod(mode)
    done = hostile.cli("config", "--show", "--config", config)
    folder.chmod(0o700)
    if refused:
        assert done.code == 2
        assert done.err.strip() == (
            f"ncovi-stats: config {config}: its folder can be changed by other users "
            f"(mode {mode:04o}), who could replace the file; move it to a folder of your own "
            f"or restrict the folder with `chmod go-w {folder}`."
        )
    else:
        assert done.code == 0, done.err
        assert "sla_hours" in done.out and "24" in done.out


def test_part_files_of_killed_runs_are_swept(hostile: Hostile) -> None:
    export = hostile.export("export.csv", ROWS + "soon,b,93\n")
    rejects = hostile.out / "rejects.csv"
    stale = hostile.out / f".rejects.csv.{dead_pid()}.k1ll3d.part"
    live = hostile.out / f".rejects.csv.{os.getpid()}.wr1t1ng.part"
    other = hostile.out / ".other.csv.1.x.part"
    for path in (stale, live, other):
        path.write_text("line,reason\n")
    done = hostile.cli("coverage", export, "--rejects", rejects)
    assert done.code == 0, done.err
    assert sorted(path.name for path in hostile.out.iterdir()) == sorted(
        [rejects.name, live.name, other.name]
    )


def test_bundle_temporary_folders_are_swept_by_an_unchanged_run(hostile: Hostile) -> None:
    export = hostile.export("export.csv", ROWS)
    out = hostile.out / "reports"
    argv = ["report", export, "--out", out, "--as-of", "2020-04-08", "-q"]
    assert hostile.cli(*argv).code == 0
    left = out / f".tmp-2020-04-08_2359-{dead_pid()}"
    left.mkdir()
    (left / "summary.md").write_text("half\n")
    done = hostile.cli(*argv)
    assert done.code == 0, done.err
    assert not left.exists()


@pytest.mark.parametrize(
    "time",
    [
        "0001-01-01 00:00:00",
        "2019-12-31 23:59:59",
        "2020-04-08 10:00:60",
        "08/04/2020 10:00:60",
        "2020-04-08T10:00:60+07:00",
    ],
)
def test_times_before_2020_or_impossible_are_unparseable(hostile: Hostile, time: str) -> None:
    export = hostile.export("export.csv", ROWS + f"{time},b,93\n")
    rejects = hostile.out / "rejects.csv"
    done = hostile.cli("coverage", export, "-f", "json", "--rejects", rejects)
    assert done.code == 0, done.err
    rows = json.loads(done.out)["meta"]["rows"]
    assert (rows["read"], rows["accepted"], rows["rejected"]) == (2, 1, 1)
    assert rows["rejected_by_reason"]["unparseable-time"] == 1
    assert pl.read_csv(rejects, infer_schema=False)["line"].to_list() == ["3"]


def test_first_second_of_2020_and_second_59_are_read(hostile: Hostile) -> None:
    export = hostile.export(
        "export.csv", ROWS + "2020-01-01 00:00:00,b,93\n2020-04-08 10:00:59,c,93\n"
    )
    done = hostile.cli("coverage", export, "-f", "json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["meta"]["rows"]["accepted"] == 3


def test_sheet_skipped_for_other_columns_is_announced(hostile: Hostile) -> None:
    import xlsxwriter

    path = hostile.inputs / "two_sheets.xlsx"
    with xlsxwriter.Workbook(path) as workbook:
        pl.DataFrame(
            {"declared_at": ["2020-04-08 09:00"], "person_key": ["a"], "province_code": ["93"]}
        ).write_excel(workbook, worksheet="A")
        pl.DataFrame(
            {"declared_at": ["2020-04-08 09:00"], "person_key": ["b"], "province": ["Hậu Giang"]}
        ).write_excel(workbook, worksheet="B")
        pl.DataFrame({"ghi chú": ["x"]}).write_excel(workbook, worksheet="Notes")
    done = hostile.cli("coverage", path, "-f", "json")
    assert done.code == 0, done.err
    assert done.err == (
        f"ncovi-stats: warning: {path}: sheet 'B' skipped (its columns differ from the first "
        "sheet read); read it alone with --sheet 'B'.\n"
    )
    assert json.loads(done.out)["meta"]["rows"]["read"] == 1
