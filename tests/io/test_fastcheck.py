"""The block check of a plain UTF-8 CSV agrees with the line walk of `io.transcode`."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from ncovi_stats.errors import BadInputError
from ncovi_stats.io.read import fastcheck
from ncovi_stats.io.read.sniff import sniff_csv
from ncovi_stats.io.read.transcode import _NeedsCopy, _stream, transcode_to_utf8

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEADER = "declared_at,person_key,province_code\n"
ROW = "2020-04-01 08:00:00,k1,93\n"
CASES = {
    "plain": HEADER + ROW * 5,
    "no final line break": HEADER + ROW * 2 + ROW.rstrip("\n"),
    "crlf": (HEADER + ROW * 3).replace("\n", "\r\n"),
    "lone cr": (HEADER + ROW * 3).replace("\n", "\r"),
    "cr inside crlf": HEADER.replace("\n", "\r\n") + ROW.replace("\n", "\r") + ROW,
    "empty first field": HEADER + ",k1,93\n" + ROW,
    "fewer fields": HEADER + "2020-04-01 08:00:00,k1\n" + ROW,
    "more fields": HEADER + ROW + "2020-04-01 08:00:00,k1,93,x\n",
    "blank line": HEADER + ROW + "\n" + ROW,
    "spaces line": HEADER + ROW + "   \n" + ROW,
    "leading space": HEADER + " 2020-04-01 08:00:00,k1,93\n",
    "quoted": HEADER + '2020-04-01 08:00:00,"k,1",93\n',
    "NFD": HEADER + unicodedata.normalize("NFD", "2020-04-01 08:00:00,Hậu,93\n"),
    "NFC accents": HEADER + "2020-04-01 08:00:00,Hậu Giang,93\n" * 3,
    "replacement char": HEADER + "2020-04-01 08:00:00,k\ufffd,93\n",
    "header only": HEADER,
}


def line_walk(path: Path) -> int | str:
    try:
        return _stream(path, sniff_csv(path), None).lines
    except _NeedsCopy:
        return "copy"
    except BadInputError:
        return "error"


@pytest.mark.parametrize("count_limit", [fastcheck._COUNT_LIMIT, 3])  # 16-bit counts or not
@pytest.mark.parametrize("name", sorted(CASES))
def test_block_check_agrees_with_the_line_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, count_limit: int
) -> None:
    monkeypatch.setattr(fastcheck, "_COUNT_LIMIT", count_limit)
    path = tmp_path / "export.csv"
    path.write_bytes(CASES[name].encode())
    fast = fastcheck.lines_if_plain(path, ",")
    slow = line_walk(path)
    if fast is not None:
        assert slow == fast, name
    expected_plain = {"plain", "no final line break", "crlf", "empty first field", "fewer fields"}
    expected_plain |= {"NFC accents", "header only"}
    assert (fast is not None) == (name in expected_plain), name


def test_invalid_bytes_and_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(HEADER.encode() + b"2020-04-01 08:00:00,k\xff,93\n")
    assert fastcheck.lines_if_plain(path, ",") is None
    monkeypatch.setattr(fastcheck, "BLOCK_BYTES", 7)  # lines longer than a block
    many = tmp_path / "many.csv"
    many.write_text(HEADER + ROW * 50 + "2020-04-01 08:00:00,Hậu,93", encoding="utf-8")
    assert fastcheck.lines_if_plain(many, ",") == 52 == line_walk(many)
    bigger = tmp_path / "bigger.csv"
    bigger.write_text(HEADER + ROW * 30 + "2020-04-01 08:00:00,k1,93,x\n" + ROW, encoding="utf-8")
    assert fastcheck.lines_if_plain(bigger, ",") is None


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.csv")), ids=lambda p: p.name)
def test_fixtures_read_the_same(tmp_path: Path, path: Path) -> None:
    """Every fixture: the same result as the line walk alone, or the same error."""
    try:
        dialect = sniff_csv(path)
    except BadInputError:
        return
    try:
        ours = transcode_to_utf8(path, dialect, tmp_path)
    except BadInputError as error:
        ours = str(error)  # type: ignore[assignment]
    if isinstance(ours, str) or ours.copied:
        return  # the line walk decided, as before
    assert ours.lines == line_walk(path)
    assert ours.records == ours.lines - 1 and not ours.invalid_lines
    assert ours == _stream(path, dialect, None)  # every field, the header's names included


@pytest.mark.parametrize("block_bytes", [1, 2, 5, 26, 27, 28, 64])
def test_blocks_cut_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int
) -> None:
    """Blocks end after the first line break from their nominal size on, wherever that falls
    (a line of 26 bytes: cuts at, before and after a break), and give the same answer."""
    monkeypatch.setattr(fastcheck, "BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(fastcheck, "_CUT_PROBE_BYTES", 3)  # a break further than one probe
    for name in ("plain", "no final line break", "more fields", "blank line", "NFC accents"):
        path = tmp_path / f"{name}.csv"
        path.write_bytes(CASES[name].encode())
        monkeypatch.setattr(fastcheck, "BLOCK_BYTES", 16 << 20)
        whole = fastcheck.lines_if_plain(path, ",")
        monkeypatch.setattr(fastcheck, "BLOCK_BYTES", block_bytes)
        assert fastcheck.lines_if_plain(path, ",") == whole, name


def test_a_long_line_and_an_empty_file(tmp_path: Path) -> None:
    """Lines longer than 16-bit counts hold are counted exactly; an empty file is left to the
    line walk."""
    long_value = "x" * (fastcheck._COUNT_LIMIT + 10)
    plain = tmp_path / "long.csv"
    plain.write_text(HEADER + f"2020-04-01 08:00:00,{long_value},93\n" + ROW, encoding="utf-8")
    assert fastcheck.lines_if_plain(plain, ",") == 3 == line_walk(plain)
    wider = tmp_path / "wider.csv"  # 2 + 65,536 separators: 2 again in 16 bits
    wider.write_text(HEADER + "2020-04-01 08:00:00,k1,93" + "," * 65_536 + "\n")
    assert fastcheck.lines_if_plain(wider, ",") is None
    for commas in (fastcheck._COUNT_LIMIT, fastcheck._COUNT_LIMIT + 1):  # either side of 16 bits
        only = tmp_path / f"commas{commas}.csv"
        only.write_text(HEADER + "," * commas + "\n")
        assert fastcheck.lines_if_plain(only, ",") is None, commas
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert fastcheck.lines_if_plain(empty, ",") is None
