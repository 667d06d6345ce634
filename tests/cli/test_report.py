"""`ncovi-stats report`: a dated bundle, byte-identical on reruns, atomic, locked, cron exit codes."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ncovi_stats.cli.app import run
from ncovi_stats.errors import ExitCode
from ncovi_stats.io.write import bundle as bundle_io
from ncovi_stats.io.write.bundle import read_tree

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "bac_kan.parquet"
FIXTURES = ROOT / "tests" / "fixtures"
SRC = str(ROOT / "src")
ARGS = [
    "--as-of",
    "2020-04-08",
    "--cutoff-time",
    "17:00",
    "--target",
    "90",
    "--deadline",
    "2020-04-17",
]
ROWS = [
    {
        "declared_at": "2020-04-01 08:00",
        "person_key": "a",
        "province_code": "93",
        "district_code": "930",
    },
    {
        "declared_at": "2020-04-02 09:00",
        "person_key": "b",
        "province_code": "93",
        "district_code": "931",
    },
    {
        "declared_at": "2020-04-03 10:00",
        "person_key": "a",
        "province_code": "93",
        "district_code": "931",
    },
    {
        "declared_at": "2020-04-08 16:59",
        "person_key": "c",
        "province_code": "93",
        "district_code": "930",
    },
    {
        "declared_at": "2020-04-08 17:01",
        "person_key": "d",
        "province_code": "93",
        "district_code": "930",
    },
]


def cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The console entry point in a minimal environment: no TERM, no HOME, no config."""
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": SRC, "TZ": os.environ.get("TZ", "UTC")}
    return subprocess.run(
        [sys.executable, "-m", "ncovi_stats", *argv],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=ROOT / "tests",
        check=False,
    )


def report(export: Path, out: Path, *extra: str) -> int:
    return run(["report", str(export), "--out", str(out), *ARGS, *extra])


def test_two_runs_on_the_sample_are_byte_identical(tmp_path: Path, capsys) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert report(SAMPLE, first) == 0
    assert report(SAMPLE, second) == 0
    one, two = read_tree(first / "2020-04-08_1700"), read_tree(second / "2020-04-08_1700")
    assert one is not None and two is not None
    assert sorted(one) == sorted(two) and all(one[name] == two[name] for name in one)
    assert {"summary.md", "summary.html", "coverage.xlsx", "manifest.json"} <= set(one)
    assert {"tables/provinces.csv", "tables/districts.json", "tables/quality.csv"} <= set(one)
    capsys.readouterr()
    assert report(SAMPLE, first) == 0
    assert "unchanged: " in capsys.readouterr().err
    manifest = json.loads(one["manifest.json"])
    rows = duckdb.sql(f"select count(*) from '{SAMPLE}'").fetchall()[0][0]
    assert manifest["inputs"][0]["rows_read"] == rows == manifest["rows"]["read"]
    assert manifest["cutoff"] == "2020-04-08T17:00:00+07:00"
    import hashlib

    assert (
        manifest["files"]["coverage.xlsx"]["sha256"]
        == hashlib.sha256(one["coverage.xlsx"]).hexdigest()
    )
    assert manifest["inputs"][0]["sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()


def test_figures_equal_duckdb_and_the_workbook_carries_the_json(tmp_path: Path) -> None:
    assert report(SAMPLE, tmp_path, "--lang", "vi") == 0
    folder = tmp_path / "2020-04-08_1700"
    persons = duckdb.sql(
        f"select count(distinct person_key) from '{SAMPLE}' "
        "where declared_at <= timestamp '2020-04-08 17:00:00'"
    ).fetchall()[0]
    provinces = json.loads((folder / "tables" / "provinces.json").read_text())["records"]
    assert provinces[0]["persons_counted"] == persons[0]
    districts = json.loads((folder / "tables" / "districts.json").read_text())["records"]
    book = openpyxl.load_workbook(folder / "coverage.xlsx")
    assert book.sheetnames == [
        "Tỉnh",
        "Huyện",
        "Tiến độ",
        "Xếp hạng",
        "Xác minh",
        "Chất lượng",
        "Chất lượng theo tệp",
        "Chất lượng theo huyện",
    ]
    sheet = book["Huyện"]
    assert sheet["A1"].value == (
        "Quận, huyện · theo huyện · tính đến 17 giờ 00 ngày 08/4/2020 · dân số: census-2019"
    )
    header = [cell.value for cell in sheet[2]]
    assert header[0] == "STT"
    persons_at = header.index("Số người khai báo")
    coverage_at = header.index("Tỷ lệ")
    for index, record in enumerate(districts, start=3):  # title, header, then the rows
        row = [cell for cell in sheet[index]]
        assert row[0].value == index - 2
        assert row[persons_at].value == record["persons_counted"]
        assert row[coverage_at].value == pytest.approx(record["coverage_pct"] / 100)
        assert row[coverage_at].number_format == "0.00%"
        assert row[persons_at].number_format == "#,##0"
    totals = [cell.value for cell in sheet[len(districts) + 3]]
    assert "Toàn tỉnh" in totals
    assert totals[persons_at] == sum(r["persons_counted"] for r in districts)
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    summary = (folder / "summary.md").read_text()
    assert "Tính đến 17 giờ 00 ngày 08/4/2020, toàn tỉnh Bắc Kạn có 174.861 người dân" in summary


def test_formula_injection_yields_no_formula_and_no_markup(tmp_path: Path, export) -> None:
    path = export(ROWS)
    population = FIXTURES / "formula_injection.csv"
    code = report(
        path, tmp_path / "out", "--population", str(population), "--population-label", "<b>x</b>"
    )
    assert code == 0
    folder = tmp_path / "out" / "2020-04-08_1700"
    book = openpyxl.load_workbook(folder / "coverage.xlsx")
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@"))
    assert '\'=HYPERLINK("http://evil.example","click")' in texts
    html = (folder / "summary.html").read_text()
    assert "<img src=x" not in html and "<b>x</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html
    csv = (folder / "tables" / "provinces.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf") and b",\"'=HYPERLINK(" in csv
    markdown = (folder / "summary.md").read_text()
    assert re.search(r"(?<!\\)[<>]", markdown) is None  # every angle bracket escaped
    assert "\\<img src=x onerror=alert(1)\\>" in markdown


def test_killed_run_leaves_no_bundle_and_a_later_run_completes(tmp_path: Path, export) -> None:
    path, out = export(ROWS), tmp_path / "out"
    script = (
        "import os, signal, sys\n"
        "import ncovi_stats.io.write.bundle as b\n"
        "b.swap_link = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from ncovi_stats.cli.app import run\n"
        f"sys.exit(run(['report', {str(path)!r}, '--out', {str(out)!r}, *{ARGS!r}]))\n"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, "-c", script], env=env, check=False, capture_output=True)
    assert done.returncode == -9
    assert not (out / "2020-04-08_1700").exists() and not (out / "2020-04-08_1700").is_symlink()
    assert list((out / ".versions").iterdir())  # the complete version was never linked
    assert report(path, out) == 0
    assert (out / "2020-04-08_1700" / "summary.html").is_file()
    assert [p.name for p in out.iterdir() if p.name.startswith(".tmp-")] == []
    assert len(list((out / ".versions").iterdir())) == 1


def test_killed_forced_run_keeps_the_previous_bundle(tmp_path: Path, export) -> None:
    out = tmp_path / "out"
    assert report(export(ROWS), out) == 0
    before = read_tree(out / "2020-04-08_1700")
    newer = export(ROWS + [{**ROWS[0], "person_key": "e"}], name="newer.csv")
    script = (
        "import os, signal, sys\n"
        "import ncovi_stats.io.write.bundle as b\n"
        "b.swap_link = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from ncovi_stats.cli.app import run\n"
        f"sys.exit(run(['report', {str(newer)!r}, '--out', {str(out)!r}, '--force', *{ARGS!r}]))\n"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": SRC}
    assert subprocess.run([sys.executable, "-c", script], env=env, check=False).returncode == -9
    assert read_tree(out / "2020-04-08_1700") == before
    assert report(newer, out) == ExitCode.OUTPUT  # other figures need --force
    assert report(newer, out, "--force") == 0
    assert read_tree(out / "2020-04-08_1700") != before
    assert len(list((out / ".versions").iterdir())) == 1


def test_disk_full_leaves_the_previous_bundle_intact(tmp_path: Path, export, monkeypatch) -> None:
    out = tmp_path / "out"
    assert report(export(ROWS), out) == 0
    before = read_tree(out / "2020-04-08_1700")
    writes = {"n": 0}
    real_write = os.write

    def full_disk(descriptor: int, data) -> int:
        writes["n"] += 1
        if writes["n"] > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(descriptor, data)

    monkeypatch.setattr(bundle_io.os, "write", full_disk)
    newer = export(ROWS + [{**ROWS[0], "person_key": "e"}], name="newer.csv")
    assert report(newer, out, "--force") == ExitCode.OUTPUT
    assert read_tree(out / "2020-04-08_1700") == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".tmp-")] == []


def test_a_concurrent_run_exits_6(tmp_path: Path, export) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with (out / ".lock").open("w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = cli("report", str(export(ROWS)), "--out", str(out), *ARGS)
    assert done.returncode == ExitCode.LOCKED
    assert "another ncovi-stats run is writing to" in done.stderr
    assert not (out / "2020-04-08_1700").exists()


def test_exit_codes_as_subprocess_without_terminal(tmp_path: Path, export) -> None:
    good = str(export(ROWS))
    empty = tmp_path / "empty.csv"
    empty.write_text("declared_at,person_key,province_code\n")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cases = [
        (ExitCode.OK, ["report", good, "--out", str(tmp_path / "ok"), *ARGS]),
        (ExitCode.USAGE, ["report", good, "--out", str(tmp_path / "u"), "--lang", "fr"]),
        (ExitCode.BAD_INPUT, ["report", str(empty), "--out", str(tmp_path / "e")]),
        (
            ExitCode.BEHIND,
            ["report", good, "--out", str(tmp_path / "b"), *ARGS, "--fail-on", "behind"],
        ),
        (ExitCode.OUTPUT, ["report", good, "--out", str(blocker / "sub"), *ARGS]),
    ]
    for code, argv in cases:
        done = cli(*argv)
        assert done.returncode == code, (argv, done.stderr)
        assert "\x1b[" not in done.stderr and "Traceback" not in done.stderr
        assert all(line.startswith("ncovi-stats: ") for line in done.stderr.splitlines()), (
            done.stderr
        )
    rerun = cli("report", good, "--out", str(tmp_path / "b"), *ARGS, "--fail-on", "behind")
    assert rerun.returncode == ExitCode.BEHIND and "unchanged: " in rerun.stderr
    quiet = cli("report", good, "--out", str(tmp_path / "ok"), *ARGS, "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_report_help_documents_exit_codes() -> None:
    done = cli("report", "--help")
    assert done.returncode == 0
    for text in ("4 written, but a unit is behind", "6 another run holds the lock", "3 bad input"):
        assert text in " ".join(done.stdout.split())


def test_format_xlsx_on_coverage(tmp_path: Path, export) -> None:
    target = tmp_path / "coverage.xlsx"
    assert (
        run(
            [
                "coverage",
                str(export(ROWS)),
                "--as-of",
                "2020-04-08 17:00",
                "-f",
                "xlsx",
                "-o",
                str(target),
            ]
        )
        == 0
    )
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A1"].value.startswith("Coverage by province as of 2020-04-08 17:00")
    header = [cell.value for cell in sheet[2]]
    assert header[:3] == ["STT", "province_code", "province_name"]
    row = [cell.value for cell in sheet[3]]
    assert row[header.index("persons_counted")] == 3
    assert row[header.index("coverage_pct")] == pytest.approx(3 / 733_017)
