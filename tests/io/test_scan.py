"""The reading path end to end: messy exports give the figures of their clean equivalent."""

from __future__ import annotations

import os
import stat
import tempfile
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats.api.coverage import coverage_report
from ncovi_stats.api.read import read
from ncovi_stats.cli.app import run
from ncovi_stats.errors import BadInputError, ExitCode, UsageError
from ncovi_stats.io.keyfile import generate_key_file, load_key
from ncovi_stats.io.read.scan import ReadOptions
from tests.support import request

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLEAN = FIXTURES / "same_export_clean.csv"
MESSY = [
    "same_export_utf8_vietnamese_headers_names.csv",
    "same_export_utf8_bom_semicolon.csv",
    "same_export_utf16_tab.csv",
    "same_export_windows1258_semicolon_two_title_rows.csv",
    "same_export_sheet_per_district.xlsx",
]
AS_OF = datetime(2020, 4, 8, 17, 0)
# Persons per district at 17:00 on 8 April, worked out by hand from SAME_ROWS in make_fixtures:
# P1 first in 930 (7 Apr), P8 in 930 (ward of another district: kept, ward unresolved), P7 first
# in 934 at 16:59, P3 in 937, P2 only at 17:05 (after the cut-off), P4 in 292 (Kinh Môn), P5 in
# 288 (the tie at 07:45 goes to the lower district code), P6 in 148 (Hoà Bình).
EXPECTED_DISTRICTS = {"930": 2, "934": 1, "937": 1, "292": 1, "288": 1, "148": 1}


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("key") / "ncovi.key"
    generate_key_file(path)
    return load_key(path)


def _coverage(path: Path, key: bytes, level: str):
    return coverage_report(request(path, as_of=AS_OF, key=key), level=level)


def test_clean_export_gives_the_hand_counted_figures(key: bytes) -> None:
    result = _coverage(CLEAN, key, "district")
    counted = result.records.filter(pl.col("persons_counted") > 0)
    assert dict(zip(counted["district_code"], counted["persons_counted"], strict=True)) == (
        EXPECTED_DISTRICTS
    )
    rows = result.meta["rows"]
    assert (rows["read"], rows["accepted"], rows["after_cutoff"]) == (12, 11, 2)
    assert rows["rejected_by_reason"]["unparseable-time"] == 1
    assert rows["unresolved_wards"] == 1


@pytest.mark.parametrize("name", MESSY)
@pytest.mark.parametrize("level", ["province", "district"])
def test_messy_export_gives_the_clean_figures(name: str, level: str, key: bytes) -> None:
    clean = _coverage(CLEAN, key, level)
    messy = _coverage(FIXTURES / name, key, level)
    assert_frame_equal(messy.records, clean.records)
    assert messy.meta["rows"] == clean.meta["rows"]
    assert messy.cutoff == clean.cutoff


def test_read_reports_how_each_source_was_read(key: bytes) -> None:
    path = FIXTURES / "same_export_windows1258_semicolon_two_title_rows.csv"
    (source,) = read(request(path, key=key)).sources
    assert (source.encoding, source.delimiter, source.header_line) == ("cp1258", ";", 3)
    assert source.transcoded and source.ignored_headers == ["STT"]
    assert source.columns[:3] == ["declared_at", "province", "district"]
    xlsx = read(request(FIXTURES / MESSY[-1], key=key)).sources
    assert [s.source.rsplit("[", 1)[1] for s in xlsx][:2] == [  # workbook order
        "Thành phố Vị Thanh]",
        "Huyện Châu Thành]",
    ]


def test_sheet_option_reads_one_sheet(key: bytes) -> None:
    path = FIXTURES / MESSY[-1]
    options = ReadOptions(sheet="Thị xã Long Mỹ")
    done = read(request(path, key=key, reading=options))
    assert done.rows.read == 1 and len(done.sources) == 1


def test_config_columns_map_other_headers(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "other_headers.csv"
    path.write_text(
        "Ngày giờ;Mã số định danh;Tỉnh\n08/04/2020 09:00;079200000001;Hậu Giang\n"
        "08/04/2020 10:00;079.200.000.001;Hau Giang\n",
        encoding="utf-8",
    )
    columns = {"Ngày giờ": "declared_at", "Mã số định danh": "person_id", "Tỉnh": "province"}
    result = coverage_report(
        request(path, key=key, reading=ReadOptions(columns=columns)), level="province"
    )
    assert result.records.filter(pl.col("province_code") == "93")["persons_counted"].item() == 1
    with pytest.raises(BadInputError, match="required column 'declared_at' is missing"):
        coverage_report(request(path, key=key), level="province")


def test_mapping_identity_header_elsewhere_is_refused(key: bytes) -> None:
    options = ReadOptions(columns={"Số CCCD/CMND": "declaration_id"})
    with pytest.raises(UsageError, match="holds personal data"):
        read(request(FIXTURES / MESSY[0], key=key, reading=options))


def test_invalid_bytes_rows_are_rejected_with_their_reason(tmp_path: Path, key: bytes) -> None:
    source = FIXTURES / "same_export_windows1258_semicolon_two_title_rows.csv"
    lines = source.read_bytes().split(b"\r\n")
    lines[4] = lines[4].replace(b";", b";\x81", 1)  # line 5: a byte cp1258 does not define
    path = tmp_path / "cp1258_undefined_byte.csv"
    path.write_bytes(b"\r\n".join(lines))
    rejects = tmp_path / "rejects.csv"
    done = read(request(path, key=key, rejects=rejects))
    assert done.rows.rejected_by_reason["invalid-encoding"] == 1
    assert done.rows.read == 12
    listed = pl.read_csv(rejects, infer_schema=False)
    assert listed.select("line", "reason").rows() == [
        ("5", "invalid-encoding"),
        ("15", "unparseable-time"),
    ]
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600


def test_unterminated_quote_in_utf8_stops_with_file_and_line(capsys) -> None:
    path = FIXTURES / "unterminated_quote.csv"
    assert run(["coverage", str(path)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert f"{path}: the quoted field opened on line 3 is never closed" in err


def test_explicit_options_override_detection(key: bytes) -> None:
    path = FIXTURES / "same_export_windows1258_semicolon_two_title_rows.csv"
    options = ReadOptions(encoding="cp1258", delimiter=";", header_row=3)
    done = read(request(path, key=key, reading=options))
    assert done.rows.read == 12
    with pytest.raises(BadInputError):  # header line 1 is a title row: no usable header
        read(request(path, key=key, reading=ReadOptions(header_row=1, delimiter=",")))


def _private_folders(root: Path) -> list[Path]:
    return [p for p in root.iterdir() if p.name.startswith("ncovi-stats-")]


def test_private_folder_is_0700_during_the_read_and_removed_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: bytes
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[tuple[int, list[str]]] = []

    def look(frames):
        (folder,) = _private_folders(tmp_path)
        seen.append((stat.S_IMODE(folder.stat().st_mode), os.listdir(folder)))
        return frames.first.select(pl.len())

    read(request(FIXTURES / MESSY[3], key=key), look)
    assert seen[0][0] == 0o700 and len(seen[0][1]) == 1  # the UTF-8 copy
    assert _private_folders(tmp_path) == []


def test_private_folder_is_removed_on_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: bytes
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def interrupt(frames):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read(request(FIXTURES / MESSY[3], key=key), interrupt)
    assert _private_folders(tmp_path) == []


def test_polars_failure_at_collection_names_the_file_not_the_values(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text(
        "declared_at,person_key,province_code,declaration_id\n"
        "2020-04-08 09:00,a,93,SECRET-VALUE-42\n",
        encoding="utf-8",
    )

    def strict_cast(frames):
        return frames.normalised.select(pl.col("declaration_id").cast(pl.Int64))

    with pytest.raises(BadInputError) as caught:
        read(request(path), strict_cast)
    message = str(caught.value)
    assert message.startswith(f"{path}: could not be read (InvalidOperationError)")
    assert "SECRET" not in message
    assert caught.value.__cause__ is None and caught.value.__context__ is None
