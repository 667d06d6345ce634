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
from tests.fixtures.make_fixtures import encode_cp1258
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


# Aliases ----------------------------------------------------------------------------------------


def test_suggest_aliases_then_aliases_resolve_every_row(capsys, export, tmp_path) -> None:
    template = tmp_path / "aliases.csv"
    assert run(["validate", str(export), "--suggest-aliases", str(template)]) == ExitCode.OK
    capsys.readouterr()
    suggested = pl.read_csv(template, infer_schema=False)
    assert suggested.select(
        "text", "level", "rows", "candidate_1_code", "candidate_1_name"
    ).rows() == [
        ("Tnh Hải Dương", "province", "20", "30", "Tỉnh Hải Dương"),
        ("Gia Lọcc", "district", "6", "297", "Huyện Gia Lộc"),
        (
            "Xã Không Có",
            "ward",
            "3",
            suggested["candidate_1_code"][2],
            suggested["candidate_1_name"][2],
        ),
    ]
    assert suggested["code"].null_count() == 3  # nothing is guessed into `code`
    # a person confirms the first two; the ward stays unconfirmed and is skipped
    confirmed = suggested.with_columns(
        pl.when(pl.col("level") != "ward").then(pl.col("candidate_1_code")).alias("code")
    )
    confirmed.write_csv(template)
    assert run(["validate", str(export), "-f", "json", "--aliases", str(template)]) == ExitCode.OK
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    rows = report["rows"]
    assert (rows["read"], rows["accepted"], rows["rejected"]) == (100, 99, 1)
    assert [unit["text"] for unit in report["unresolved_units"]["listed"]] == [
        "Xã Không Có",
        HIDDEN,
    ]
    assert captured.err == ""  # 1 of 100 rejected: no warning


def test_aliases_count_the_rows_in_their_unit(capsys, export, tmp_path) -> None:
    aliases = write_csv(
        tmp_path / "aliases.csv",
        [
            {"text": "tnh hai duong", "code": "30"},  # diacritics count: matches nothing
            {"text": "TNH  HẢI-DƯƠNG", "code": "30"},  # case, spacing, punctuation do not
            {"text": "GIA LỌCC", "code": "297"},
        ],
    )
    argv = ["coverage", str(export), "--level", "district", "-f", "json"]
    assert run([*argv, "--aliases", str(aliases)]) == ExitCode.OK
    records = json.loads(capsys.readouterr().out)["records"]
    gia_loc = next(r for r in records if r["district_code"] == "297")
    # 70 + 20 (province alias) + 6 (district alias) + 3 (ward unresolved, district counted)
    assert gia_loc["persons_counted"] == 99


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [{"text": "Gia Lọcc", "code": "999"}],
            "line 2: '999' is not a GSO province (2 digits), district (3) or ward (5) code",
        ),
        (
            [{"text": "Gia Lọcc", "code": "297"}, {"text": "gia  lọcc", "code": "298"}],
            "line 3: alias 'gia  lọcc' is ambiguous: --aliases",
        ),
    ],
)
def test_bad_aliases_exit_3(capsys, export, tmp_path, rows, message) -> None:
    aliases = write_csv(tmp_path / "aliases.csv", rows)
    assert run(["coverage", str(export), "--aliases", str(aliases)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"ncovi-stats: --aliases {aliases} ")
    assert message in err


def test_same_alias_in_two_provinces_is_not_ambiguous(capsys, export, tmp_path) -> None:
    # "Châu Thành" names a district in several provinces: one alias each is fine
    aliases = write_csv(
        tmp_path / "aliases.csv",
        [{"text": "Gia Lọcc", "code": "297"}, {"text": "Gia Lọcc", "code": "930"}],
    )
    assert run(["coverage", str(export), "--aliases", str(aliases)]) == ExitCode.OK
    capsys.readouterr()


def test_report_reads_unit_aliases_from_the_config(capsys, export, tmp_path) -> None:
    config = tmp_path / "ncovi-stats.toml"
    config.write_text('[unit_aliases]\n"Tnh Hải Dương" = "30"\n', encoding="utf-8")
    config.chmod(0o600)
    out = tmp_path / "bundle"
    argv = ["report", str(export), "--out", str(out), "-q", "--config", str(config)]
    assert run(argv) == ExitCode.OK
    err = capsys.readouterr().err
    assert err.startswith("ncovi-stats: warning: 7 of 100 rows (7.00%) were rejected")
    (folder,) = (path.parent for path in out.glob("*/summary.md"))
    units = pl.read_csv(folder / "tables" / "quality_units.csv", infer_schema=False)
    assert units.select("text", "rows").rows() == [
        ("Gia Lọcc", "6"),
        ("Xã Không Có", "3"),
        (HIDDEN, "1"),
    ]
    # the same text given another code by --aliases is ambiguous across the two
    other = write_csv(tmp_path / "aliases.csv", [{"text": "Tnh Hải Dương", "code": "31"}])
    assert run([*argv, "--aliases", str(other), "--force"]) == ExitCode.BAD_INPUT
    assert "alias 'Tnh Hải Dương' is ambiguous" in capsys.readouterr().err


def test_windows1258_export_with_t_dot_province_loses_no_row(capsys, tmp_path) -> None:
    # The export: one spelling of the province in five is "T. Hải Dương".
    lines = ["Thời gian khai báo;person_key;Tỉnh/Thành phố;Quận/Huyện"]
    for number in range(500):
        province = "T. Hải Dương" if number % 5 == 0 else "Tỉnh Hải Dương"
        lines.append(f"07/04/2020 09:{number % 60:02d};p{number};{province};H. Gia Lộc")
    path = tmp_path / "hai_duong_cp1258.csv"
    path.write_bytes(encode_cp1258("\r\n".join(lines) + "\r\n"))
    argv = ["coverage", str(path), "--level", "district", "-f", "json"]
    assert run(argv) == ExitCode.OK
    captured = capsys.readouterr()
    assert captured.err == ""
    document = json.loads(captured.out)
    assert document["meta"]["rows"]["rejected"] == 0
    (gia_loc,) = [r for r in document["records"] if r["district_code"] == "297"]
    assert gia_loc["persons_counted"] == 500


def test_ingest_warns_too(capsys, export, tmp_path) -> None:
    assert run(["ingest", str(export), "--store", str(tmp_path / "store")]) == ExitCode.OK
    err = capsys.readouterr().err
    assert err == (
        "ncovi-stats: warning: 27 of 100 rows were rejected and not stored (27 unknown-unit); "
        "run `ncovi-stats validate` on the exports to see which unit spellings failed.\n"
    )
