"""`--lang vi` on validate, rank and followup: Vietnamese labels, Vietnamese numbers
(516.394; 70,45%), no English left; `validate --province` narrows the listing only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from ncovi_stats.cli.app import run

SAMPLE = str(Path(__file__).resolve().parents[2] / "data" / "samples" / "bac_kan.parquet")
VI_INT = re.compile(r"^\d{1,3}(\.\d{3})*$")
VI_PCT = re.compile(r"^\d{1,3},\d{2}%$")


def markdown_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| ")
    ]


def rows_read() -> int:
    ((count,),) = duckdb.sql(f"SELECT count(*) FROM read_parquet('{SAMPLE}')").fetchall()
    return int(count)


def test_validate_in_vietnamese(capsys) -> None:
    assert run(["validate", SAMPLE, "--lang", "vi", "-f", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "## Chất lượng dữ liệu · mốc 16 giờ 59 ngày 17/4/2020" in out
    read = f"{rows_read():,}".replace(",", ".")
    assert f"| Số dòng đọc | {read} |" in out
    assert "| Bị loại: unparseable-time | 0 |" in out  # the slug stays canonical
    for english in ("Rows read", "Persons", "By district", "By source file", "Coverage"):
        assert english not in out
    districts = [row for row in markdown_rows(out) if row[:2] == ["06", "058"]]
    (district,) = districts
    assert district[2] == "Thành phố Bắc Kạn"
    assert all(VI_INT.match(cell) for cell in district[3:-1])
    assert VI_PCT.match(district[-1])


def test_validate_province_narrows_the_listing_not_the_counts(capsys) -> None:
    assert run(["validate", SAMPLE, "-f", "json"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert run(["validate", SAMPLE, "--province", "Bac Kan", "-f", "json"]) == 0
    narrowed = json.loads(capsys.readouterr().out)
    assert {r["province_code"] for r in whole["by_district"]} > {"06"}  # rows of other provinces
    assert {r["province_code"] for r in narrowed["by_district"]} == {"06"}
    assert narrowed["meta"]["scope"] == ["06"]
    assert narrowed["rows"] == whole["rows"] and narrowed["rows"]["read"] == rows_read()
    assert narrowed["persons"] == whole["persons"]
    assert [r for r in whole["by_district"] if r["province_code"] == "06"] == narrowed[
        "by_district"
    ]


def test_rank_in_vietnamese(capsys) -> None:
    argv = ["rank", SAMPLE, "--province", "06", "--as-of", "2020-04-08 17:00", "--lang", "vi"]
    assert run([*argv, "-f", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## Xếp hạng huyện theo tỷ lệ khai báo tính đến 17 giờ 00 ngày 08/4/2020")
    header, *rows = markdown_rows(out)
    assert header[:6] == ["Hạng", "Mã huyện", "Quận/Huyện", "Dân số", "Số người khai báo", "Tỷ lệ"]
    # 058 Thành phố Bắc Kạn: 27,802 of 45,036 = 61.7328…% at 17:00 on 8 April.
    assert rows[0][:6] == ["1", "058", "Thành phố Bắc Kạn", "45.036", "27.802", "61,73%"]
    assert all(re.match(r"^\+\d+,\d{2} điểm %$", row[6]) for row in rows)
    assert "pp" not in out and "leads" not in out
    assert "dẫn đầu với 61,73%" in out


def test_followup_in_vietnamese(capsys) -> None:
    argv = ["followup", SAMPLE, "--level", "district", "--lang", "vi", "-f", "markdown"]
    assert run(argv) == 0
    out = capsys.readouterr().out
    header, *rows = markdown_rows(out)
    assert header == [
        "Mã huyện",
        "Quận/Huyện",
        "Người nguy cơ",
        "Đã xác minh",
        "Đúng hạn",
        "Đang chờ",
        "Quá hạn",
        "Tỷ lệ xác minh",
    ]
    totals = rows[-1]
    assert totals[1] == "Tổng (8 đơn vị)"
    assert all(VI_INT.match(cell) for cell in totals[2:7])
    assert VI_PCT.match(totals[7])
    flagged = int(totals[2].replace(".", ""))
    assert flagged == sum(int(row[2].replace(".", "")) for row in rows[:-1])
    assert f"{totals[2]} người nguy cơ: {totals[3]} đã xác minh" in out
    for english in ("Flagged", "Verified", "Total", "overdue"):
        assert english not in out
