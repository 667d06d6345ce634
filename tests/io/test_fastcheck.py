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


@pytest.mark.parametrize("name", sorted(CASES))
def test_block_check_agrees_with_the_line_walk(tmp_path: Path, name: str) -> None:
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
