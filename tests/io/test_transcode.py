from __future__ import annotations

import stat
import unicodedata
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats.errors import BadInputError
from ncovi_stats.io.read.sniff import CsvDialect, sniff_csv
from ncovi_stats.io.read.transcode import (
    TranscodeResult,
    scan_transcoded,
    transcode_to_utf8,
)
from ncovi_stats.io.workdir import private_workdir

FIXTURES = Path(__file__).parent.parent / "fixtures"
HEADER = ["STT", "Thời gian khai báo", "Mã tỉnh", "Quận/Huyện", "Khai hộ", "Kênh khai báo"]
ROWS = [
    ["1", "08/04/2020 17:00", "93", "Huyện Châu Thành", None, "Ứng dụng NCOVI"],
    ["2", "08/04/2020 05:10 CH", "93", "Thị xã Long Mỹ", "x", "Cộng tác viên"],
    ["3", "2020-04-07 09:30:00", "93", "Thành phố Vị Thanh", "Không", "Cơ sở y tế"],
]


def expected_frame(
    lines: list[int], invalid: list[bool], rows: list[list[str | None]]
) -> pl.DataFrame:
    columns = {"_line": pl.Series(lines, dtype=pl.Int64), "_invalid_encoding": invalid}
    for index, header in enumerate(HEADER):
        columns[header] = pl.Series([row[index] for row in rows], dtype=pl.String)
    return pl.DataFrame(columns)


def read(path: Path, workdir: Path) -> tuple[TranscodeResult, pl.DataFrame]:
    result = transcode_to_utf8(path, sniff_csv(path), workdir)
    return result, scan_transcoded(result).collect().sort("_line")


@pytest.mark.parametrize(
    ("name", "first_line"),
    [
        ("utf16_tab.csv", 2),
        ("utf16be_no_bom_comma.csv", 2),
        ("utf8_bom_semicolon.csv", 2),
        ("windows1258_semicolon_title_rows.csv", 5),
    ],
)
def test_copies_to_utf8_nfc(tmp_path: Path, name: str, first_line: int) -> None:
    result, frame = read(FIXTURES / name, tmp_path)
    lines = [first_line, first_line + 1, first_line + 2]
    assert result.copied is True
    assert result.path.parent == tmp_path
    assert (result.invalid_lines, result.lines, result.records) == ([], first_line + 2, 3)
    assert result.header_line == first_line - 1
    assert_frame_equal(frame, expected_frame(lines, [False] * 3, ROWS))
    text = result.path.read_bytes().decode("utf-8")  # strict: valid UTF-8
    assert not text.startswith("\ufeff")
    assert unicodedata.is_normalized("NFC", text)
    assert text.splitlines()[0].startswith("_line")
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600


def test_windows1258_combining_tone_marks_become_nfc(tmp_path: Path) -> None:
    raw = (FIXTURES / "windows1258_semicolon_title_rows.csv").read_bytes().decode("cp1258")
    assert not unicodedata.is_normalized("NFC", raw)  # cp1258 writes tone marks apart
    result, frame = read(FIXTURES / "windows1258_semicolon_title_rows.csv", tmp_path)
    assert frame["Quận/Huyện"].to_list() == [
        "Huyện Châu Thành",
        "Thị xã Long Mỹ",
        "Thành phố Vị Thanh",
    ]
    assert "\u0309" not in result.path.read_text(encoding="utf-8")


def test_clean_utf8_is_read_in_place(tmp_path: Path) -> None:
    path = FIXTURES / "pipe_delimited.csv"
    result, frame = read(path, tmp_path)
    assert result == TranscodeResult(
        path=path,
        invalid_lines=[],
        lines=4,
        records=3,
        header_line=1,
        delimiter="|",
        copied=False,
        header=("STT", "Thời gian khai báo", "Mã tỉnh", "Quận/Huyện", "Khai hộ", "Kênh khai báo"),
    )
    rows = [ROWS[0][:3] + ["Huyện Châu Thành | A"] + ROWS[0][4:], *ROWS[1:]]
    assert_frame_equal(frame, expected_frame([2, 3, 4], [False] * 3, rows))
    assert list(tmp_path.iterdir()) == []


def test_invalid_bytes_mark_their_row(tmp_path: Path) -> None:
    result, frame = read(FIXTURES / "invalid_bytes_cp1258.csv", tmp_path)
    assert (result.invalid_lines, result.invalid_count, result.lines, result.records) == (
        [3],
        1,
        4,
        3,
    )
    rows = [ROWS[0], [*ROWS[1][:3], "T\ufffd\ufffdhị xã Long Mỹ", *ROWS[1][4:]], ROWS[2]]
    assert_frame_equal(frame, expected_frame([2, 3, 4], [False, True, False], rows))
    assert frame.height == result.records  # every row read is kept, to be accepted or rejected


def test_quoted_line_break_keeps_the_record_start_line(tmp_path: Path) -> None:
    result, frame = read(FIXTURES / "quoted_line_break.csv", tmp_path)
    assert (result.copied, result.lines, result.records) == (True, 5, 3)
    rows = [ROWS[0], [*ROWS[1][:3], "Thị xã\r\nLong Mỹ", *ROWS[1][4:]], ROWS[2]]
    assert_frame_equal(frame, expected_frame([2, 3, 5], [False] * 3, rows))


def test_unterminated_quote_names_file_and_line(tmp_path: Path) -> None:
    path = FIXTURES / "unterminated_quote.csv"
    with pytest.raises(BadInputError) as error:
        transcode_to_utf8(path, sniff_csv(path), tmp_path)
    assert str(error.value) == (
        f"{path}: the quoted field opened on line 3 is never closed; "
        "the file is cut short or malformed (fix the quoting or re-export it)"
    )
    assert list(tmp_path.iterdir()) == []  # the partial copy is removed


def test_too_many_fields_names_file_and_line(tmp_path: Path) -> None:
    path = FIXTURES / "too_many_fields.csv"
    with pytest.raises(BadInputError) as error:
        transcode_to_utf8(path, sniff_csv(path), tmp_path)
    assert str(error.value) == (
        f"{path}: line 3 has 7 fields but the header has 6; "
        "quote the values holding ',' or re-export"
    )


def test_blank_lines_are_dropped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "blank_lines.csv"
    path.write_text("a,b\n1,2\n\n  \n3,4\n\n", encoding="utf-8")
    result = transcode_to_utf8(path, sniff_csv(path, header_row=1), tmp_path)
    assert result.dropped_blank_lines == [3, 4, 6]
    assert (result.copied, result.dropped_blank_count, result.records) == (True, 3, 2)
    frame = scan_transcoded(result).collect().sort("_line")
    assert frame.rows() == [(2, False, "1", "2"), (5, False, "3", "4")]


def test_fewer_fields_than_header_stay_aligned(tmp_path: Path) -> None:
    path = tmp_path / "short_row.csv"
    path.write_text("\ufeffa;b;c\n1;2\n4;5;6\n", encoding="utf-8")
    result = transcode_to_utf8(path, CsvDialect("utf-8", ";", 1, 0, True), tmp_path)
    frame = scan_transcoded(result).collect().sort("_line")
    assert frame.rows() == [(2, False, "1", "2", None), (3, False, "4", "5", "6")]


def test_nul_characters_are_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"a,b\n1,2\n3,\x004\n")
    with pytest.raises(BadInputError, match=r"nul\.csv: line 3 holds NUL characters"):
        transcode_to_utf8(path, CsvDialect("utf-8", ",", 1, 0, False), tmp_path)


def test_streams_across_read_buffers(tmp_path: Path) -> None:
    """Many more bytes than one read buffer; line numbers stay exact."""
    path = tmp_path / "long.csv"
    row = "Thời gian khai báo;Quận/Huyện\r\n" + "".join(
        f"08/04/2020 17:00;Huyện Châu Thành {index}\r\n" for index in range(60_000)
    )
    path.write_bytes(unicodedata.normalize("NFD", row).encode("utf-8"))  # NFD: must be copied
    result = transcode_to_utf8(path, sniff_csv(path), tmp_path)
    assert (result.copied, result.lines, result.records) == (True, 60_001, 60_000)
    frame = scan_transcoded(result).collect().sort("_line")
    assert frame["_line"].to_list() == list(range(2, 60_002))
    assert frame["Quận/Huyện"][-1] == "Huyện Châu Thành 59999"


def test_private_workdir_is_0700_and_removed(tmp_path: Path) -> None:
    with private_workdir() as folder:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        (folder / "x.csv").write_text("a\n")
    assert not folder.exists()


def test_private_workdir_is_removed_on_interrupt() -> None:
    with pytest.raises(KeyboardInterrupt):
        with private_workdir() as folder:
            (folder / "x.csv").write_text("a\n")
            raise KeyboardInterrupt
    assert not folder.exists()


def test_listed_invalid_lines_are_capped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "all_invalid.csv"
    path.write_bytes(b"a,b\n" + b"1,\x81\n" * 1_500)
    result = transcode_to_utf8(path, CsvDialect("cp1258", ",", 1, 0, False), tmp_path)
    assert (result.invalid_count, result.invalid_lines) == (1_500, list(range(2, 1_002)))
    frame = scan_transcoded(result).collect()
    assert frame["_invalid_encoding"].sum() == 1_500
