"""Unit texts that did not resolve are visible (issue 12): `validate` lists them, the rejects
file carries them, more than 1% rejected warns on stderr, the report's headline warns.

The export: Hải Dương written three ways by 100 persons. 70 write "Tỉnh Hải Dương", 20 a
spelling no rule knows ("Tnh Hải Dương"), 6 a district "Gia Lọcc" that is not one, 3 write a
ward "Xã Không Có" (accepted, ward unresolved), and 1 writes a province text only they use.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from ncovi_stats.cli.app import run
from ncovi_stats.core.unresolved import HIDDEN
from ncovi_stats.errors import ExitCode
from tests.support import write_csv

DAY = "2020-04-07 09:00"


def rows_of_export() -> list[dict[str, str]]:
    rows = []
    for number in range(100):
        province, district, ward = "Tỉnh Hải Dương", "Gia Lộc", ""
        if 70 <= number < 90:
            province = "Tnh Hải Dương"
        elif 90 <= number < 96:
            district = "Gia Lọcc"
        elif 96 <= number < 99:
            ward = "Xã Không Có"
        elif number == 99:
            province = "Nhà Ông Tư"
        rows.append(
            {
                "declared_at": DAY,
                "person_key": f"p{number:03d}",
                "province": province,
                "district": district,
                "ward": ward,
            }
        )
    return rows


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("unresolved") / "hai_duong.csv", rows_of_export())


def oracle_rows(path: Path, where: str) -> int:
    """Rows of the raw export matching `where`, counted by DuckDB on the file itself."""
    query = f"select count(*) from read_csv('{path}', all_varchar=true) where {where}"
    (found,) = duckdb.sql(query).fetchall()
    return int(found[0])


EXPECTED = [
    {
        "level": "province",
        "text": "Tnh Hải Dương",
        "within": "",
        "within_code": "",
        "reason": "unknown-unit",
        "rows": 20,
    },
    {
        "level": "district",
        "text": "Gia Lọcc",
        "within": "Tỉnh Hải Dương",
        "within_code": "30",
        "reason": "unknown-unit",
        "rows": 6,
    },
    {
        "level": "ward",
        "text": "Xã Không Có",
        "within": "Huyện Gia Lộc, Tỉnh Hải Dương",
        "within_code": "297",
        "reason": "ward-unresolved",
        "rows": 3,
    },
    {
        "level": "province",
        "text": HIDDEN,
        "within": "",
        "within_code": "",
        "reason": "unknown-unit",
        "rows": 1,
    },
]


def test_validate_json_lists_each_unresolved_text_with_its_rows(capsys, export: Path) -> None:
    code = run(["validate", str(export), "-f", "json"])
    captured = capsys.readouterr()
    assert code == ExitCode.OK
    report = json.loads(captured.out)
    assert report["unresolved_units"] == {"listed": EXPECTED, "more_texts": 0, "more_rows": 0}
    rows = report["rows"]
    assert (rows["read"], rows["accepted"], rows["rejected"]) == (100, 73, 27)
    assert rows["read"] == rows["accepted"] + rows["rejected"]
    assert oracle_rows(export, "province = 'Tnh Hải Dương'") == 20
    assert oracle_rows(export, "district = 'Gia Lọcc'") == 6
    assert oracle_rows(export, "ward = 'Xã Không Có'") == 3


def test_validate_table_names_the_spellings(capsys, export: Path) -> None:
    code = run(["validate", str(export)])
    out = capsys.readouterr().out
    assert code == ExitCode.OK
    assert "Units not recognised, as written" in out
    for text in ("Tnh Hải Dương", "Gia Lọcc", "Xã Không Có"):
        assert text in out
    assert "Nhà Ông Tư" not in out


def test_validate_xlsx_has_the_unresolved_sheet(capsys, export: Path, tmp_path: Path) -> None:
    target = tmp_path / "quality.xlsx"
    assert run(["validate", str(export), "-f", "xlsx", "-o", str(target)]) == ExitCode.OK
    capsys.readouterr()
    sheet = openpyxl.load_workbook(target)["unresolved_units"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    texts = [row for row in values if "Tnh Hải Dương" in row]
    assert len(texts) == 1 and 20 in texts[0]


def test_rejects_file_carries_the_unit_texts(capsys, export: Path, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    assert run(["coverage", str(export), "--rejects", str(rejects)]) == ExitCode.OK
    capsys.readouterr()
    frame = pl.read_csv(rejects, infer_schema=False)
    assert frame.height == 27
    by_text = frame.group_by("province_text", "district_text").len().sort("len", "province_text")
    assert by_text.rows() == [
        (HIDDEN, "Gia Lộc", 1),
        ("Tỉnh Hải Dương", "Gia Lọcc", 6),
        ("Tnh Hải Dương", "Gia Lộc", 20),
    ]
    assert set(frame["reason"]) == {"unknown-unit"}


@pytest.mark.parametrize(
    "command",
    [
        ["coverage"],
        ["rank"],
        ["progress", "--target", "90", "--deadline", "2020-04-17"],
        ["followup"],
        ["validate"],
    ],
)
def test_more_than_one_percent_rejected_warns_and_exits_0(capsys, export, command) -> None:
    code = run([*command, str(export)])
    err = capsys.readouterr().err
    assert code == ExitCode.OK
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "ncovi-stats: warning: 27 of 100 rows (27.00%) were rejected (27 unknown-unit); "
        'units not recognised: "Tnh Hải Dương" (province, unknown-unit, 20 rows); '
        '"Gia Lọcc" (district in Tỉnh Hải Dương, unknown-unit, 6 rows);'
    )
    assert "Nhà Ông Tư" not in err


def test_max_reject_rate_replaces_the_warning(capsys, export: Path) -> None:
    assert run(["coverage", str(export), "--max-reject-rate", "30"]) == ExitCode.OK
    assert capsys.readouterr().err == ""
    assert run(["coverage", str(export), "--max-reject-rate", "20"]) == ExitCode.BAD_INPUT
    assert "27 of 100 rows were rejected" in capsys.readouterr().err


def test_one_percent_or_less_does_not_warn(capsys, tmp_path: Path) -> None:
    # 1 of 100 rows rejected is exactly 1%: not more than 1%, no warning; 2 of 100 warn.
    rows = rows_of_export()
    for row in rows:
        row.update(province="Tỉnh Hải Dương", district="Gia Lộc", ward="")
    rows[0]["province"] = "Atlantis"
    path = write_csv(tmp_path / "one.csv", rows)
    assert run(["coverage", str(path)]) == ExitCode.OK
    assert capsys.readouterr().err == ""
    rows[1]["province"] = "Atlantis"
    path = write_csv(tmp_path / "two.csv", rows)
    assert run(["coverage", str(path)]) == ExitCode.OK
    assert "2 of 100 rows (2.00%) were rejected" in capsys.readouterr().err


def test_listing_stops_at_50_and_counts_the_rest(capsys, tmp_path: Path) -> None:
    rows = []
    for number in range(55):  # 55 district spellings, each by 3 persons, 3 + number rows
        for person in range(3 + number):
            rows.append(
                {
                    "declared_at": DAY,
                    "person_key": f"p{number}-{person % 3}",
                    "province": "Hải Dương",
                    "district": f"Huyện Không Có {chr(0x41 + number // 26)}{chr(0x41 + number % 26)}",
                }
            )
    rows.append({"declared_at": DAY, "person_key": "ok", "province": "Hải Dương"})
    path = write_csv(tmp_path / "many.csv", rows)
    assert run(["validate", str(path), "-f", "json"]) == ExitCode.OK
    listing = json.loads(capsys.readouterr().out)["unresolved_units"]
    assert len(listing["listed"]) == 50
    assert [unit["rows"] for unit in listing["listed"][:2]] == [57, 56]
    assert listing["more_texts"] == 5
    assert listing["more_rows"] == 3 + 4 + 5 + 6 + 7
    assert run(["validate", str(path)]) == ExitCode.OK
    assert "and 5 more (25 rows)" in capsys.readouterr().out


def test_report_headline_and_quality_carry_the_warning(capsys, export, tmp_path) -> None:
    out = tmp_path / "bundle"
    assert run(["report", str(export), "--out", str(out), "-q"]) == ExitCode.OK
    err = capsys.readouterr().err
    assert err.startswith("ncovi-stats: warning: 27 of 100 rows (27.00%) were rejected")
    (folder,) = (path.parent for path in out.glob("*/summary.md"))
    summary = (folder / "summary.md").read_text()
    assert "Warning: 27 of 100 rows (27.00%) were rejected and are not counted" in summary
    assert "Tnh Hải Dương" in summary
    units = pl.read_csv(folder / "tables" / "quality_units.csv", infer_schema=False)
    assert units.filter(pl.col("text") == "Tnh Hải Dương")["rows"].to_list() == ["20"]
