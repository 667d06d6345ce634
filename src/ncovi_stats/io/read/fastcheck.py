"""The check of `io.transcode` that a UTF-8 CSV can be read as it is, in blocks (numpy, stdlib).

The line-by-line check walks every line in Python (about 8 s CPU per 10 million lines). Here the
file is read in blocks of whole lines and checked with bytes and numpy operations: valid UTF-8,
NFC, no NUL, no U+FFFD, no lone CR, no quote (quoted fields and records over several lines are left to the
line walk), every line starting with a printable ASCII character (so none is blank), and no line
with more fields than the header. When all of that holds the file needs no copy and the result
is the one the line walk gives; otherwise `lines_if_plain` says None and the line walk decides
(and names the line of any error).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

BLOCK_BYTES = 16 << 20
_NEWLINE = ord("\n")
_PRINTABLE_LOW, _PRINTABLE_HIGH = 0x21, 0x7E


def lines_if_plain(path: Path, delimiter: str) -> int | None:
    """The physical lines of `path` when it is plain (see the module notes), else None."""
    separator = delimiter.encode()
    if len(separator) != 1:
        return None
    lines = 0
    header_fields: int | None = None
    carry = b""
    with open(path, "rb") as source:
        while True:
            chunk = source.read(BLOCK_BYTES)
            data = carry + chunk
            if not chunk:
                if not data:
                    break
                data += b"\n"  # the last line, without its line break
                carry = b""
            else:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            counts = _fields_per_line(data, separator)
            if counts is None:
                return None
            if header_fields is None:
                header_fields = int(counts[0])
            if int(counts.max()) > header_fields:
                return None
            lines += counts.size
            if not chunk:
                break
    return lines if lines else None


def _fields_per_line(block: bytes, separator: bytes) -> np.ndarray | None:
    """Fields of each line of `block` (whole lines, each ending in a line break), or None
    when a line is not plain."""
    if b'"' in block or b"\x00" in block:
        return None
    if b"\r" in block and block.count(b"\r") != block.count(b"\r\n"):
        return None  # a lone CR ends a line too: left to the line walk
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\ufffd" in text or not unicodedata.is_normalized("NFC", text):
        return None
    data = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(data == _NEWLINE)
    starts = np.concatenate(([0], ends[:-1] + 1))
    first = data[starts]
    if starts.size and int(np.count_nonzero((first < _PRINTABLE_LOW) | (first > _PRINTABLE_HIGH))):
        return None
    separators = np.flatnonzero(data == separator[0])
    before_end = np.searchsorted(separators, ends)
    before_start = np.searchsorted(separators, starts)
    return before_end - before_start + 1
