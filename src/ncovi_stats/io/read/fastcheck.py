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
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import numpy as np

BLOCK_BYTES = 16 << 20
THREADS = 2  # the machine kind this runs on has 2 cores; polars starts after the check
_NEWLINE = ord("\n")
_PRINTABLE_LOW, _PRINTABLE_HIGH = 0x21, 0x7E


def lines_if_plain(path: Path, delimiter: str) -> int | None:
    """The physical lines of `path` when it is plain (see the module notes), else None.

    Blocks are checked by `THREADS` threads while the next ones are read (numpy's loops run
    without the GIL); their results are taken in file order.
    """
    separator = delimiter.encode()
    if len(separator) != 1:
        return None
    lines = 0
    header_fields: int | None = None
    with open(path, "rb") as source, ThreadPoolExecutor(THREADS) as pool:
        pending: deque[Future[np.ndarray | None]] = deque()
        blocks = _line_blocks(source)
        while True:
            block = next(blocks, None)
            if block is not None:
                pending.append(pool.submit(_fields_per_line, block, separator))
                if len(pending) <= THREADS:
                    continue
            if not pending:
                break
            counts = pending.popleft().result()
            if counts is None:
                return None
            if header_fields is None:
                header_fields = int(counts[0])
            if int(counts.max()) > header_fields:
                return None
            lines += counts.size
    return lines if lines else None


def _line_blocks(source: BinaryIO) -> Iterator[bytes]:
    """Blocks of about `BLOCK_BYTES` of whole lines, each ending in a line break (one is
    added after the last line when it has none)."""
    carry = b""
    while True:
        chunk = source.read(BLOCK_BYTES)
        if not chunk:
            if carry:
                yield carry + b"\n"  # the last line, without its line break
            return
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            carry += chunk
            continue
        yield b"".join((carry, memoryview(chunk)[:cut]))  # one copy of the block
        carry = chunk[cut:]


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
    # separators before each line's end, less those before the line before it
    before_end = np.searchsorted(np.flatnonzero(data == separator[0]), ends)
    return np.diff(before_end, prepend=0) + 1
