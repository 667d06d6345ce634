"""Find how a CSV export is written: its encoding, delimiter and header line (SPEC §2.1).

Exports come as UTF-8 (with or without BOM), UTF-16 (LE or BE, with or without BOM) or
Windows-1258, the Vietnamese Windows code page and the only legacy code page we read. Some start
with title rows ("BÁO CÁO KHAI BÁO Y TẾ", an empty line) above the header. Only a sample of the
first bytes is read.

Encoding, in order: a BOM; UTF-16 by its NUL bytes; UTF-8 when the sample decodes as UTF-8 (a
few invalid sequences among many valid ones still count as UTF-8: those lines are rejected later
as `invalid-encoding`); otherwise charset-normalizer's guesses are looked up in
`DETECTED_ENCODINGS`, an explicit table that reads every Latin single-byte guess as cp1258
(the detector often says cp1252 for Vietnamese legacy text) and refuses the rest.

Header: the first line whose fields are known headers (aliases, canonical names, or the config's
`[columns]`); the delimiter is the candidate that splits it into the most known headers. When no
line has known headers, the delimiter whose count outside quotes is the same on every sampled
record is chosen, and the header is the first line with that many fields.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ncovi_stats.errors import BadInputError, UsageError
from ncovi_stats.io.read.headers import is_known_header

SAMPLE_BYTES = 64 * 1024
SAMPLE_LINES = 200
LINE_BREAK = re.compile(r"\r\n|\r|\n")
CANDIDATE_DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
SUPPORTED_ENCODINGS: tuple[str, ...] = ("utf-8", "utf-16-le", "utf-16-be", "cp1258")
LEGACY_ENCODING = "cp1258"

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# charset-normalizer's guess for a sample that is neither UTF-8 nor UTF-16 -> how we read it.
# Every Latin single-byte code page it may confuse with Windows-1258 reads as cp1258; a guess not
# listed here (Cyrillic, CJK, ...) is refused with a hint to pass --encoding.
DETECTED_ENCODINGS: dict[str, str] = {
    "cp1258": LEGACY_ENCODING,
    "cp1252": LEGACY_ENCODING,
    "cp1250": LEGACY_ENCODING,
    "cp1254": LEGACY_ENCODING,
    "cp1257": LEGACY_ENCODING,
    "latin_1": LEGACY_ENCODING,
    "iso8859_2": LEGACY_ENCODING,
    "iso8859_3": LEGACY_ENCODING,
    "iso8859_4": LEGACY_ENCODING,
    "iso8859_9": LEGACY_ENCODING,
    "iso8859_10": LEGACY_ENCODING,
    "iso8859_13": LEGACY_ENCODING,
    "iso8859_14": LEGACY_ENCODING,
    "iso8859_15": LEGACY_ENCODING,
    "iso8859_16": LEGACY_ENCODING,
    "mac_roman": LEGACY_ENCODING,
    "mac_latin2": LEGACY_ENCODING,
    "mac_iceland": LEGACY_ENCODING,
    "hp_roman8": LEGACY_ENCODING,
    "cp850": LEGACY_ENCODING,
    "cp858": LEGACY_ENCODING,
}

# Spellings a user may pass with --encoding -> the encoding we read.
ENCODING_NAMES: dict[str, str] = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "utf-16-le": "utf-16-le",
    "utf-16-be": "utf-16-be",
    "cp1258": "cp1258",
}

# A sample with invalid UTF-8 sequences still reads as UTF-8 when valid multi-byte characters
# outnumber them this many times.
UTF8_VALID_PER_INVALID = 10


@dataclass(frozen=True)
class CsvDialect:
    encoding: str  # one of SUPPORTED_ENCODINGS
    delimiter: str
    header_line: int  # 1-based physical line of the header
    skip_lines: int  # physical lines above the header (title rows)
    has_bom: bool


def sniff_csv(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> CsvDialect:
    """The dialect of a CSV export; each keyword given overrides its detection.

    `header_row` is the 1-based line of the header; `extra_headers` is the config's `[columns]`
    table, whose headers count as known when looking for the header line.
    """
    path = Path(path)
    if delimiter is not None and delimiter not in CANDIDATE_DELIMITERS:
        shown = ", ".join(repr(candidate) for candidate in CANDIDATE_DELIMITERS)
        raise UsageError(f"delimiter {delimiter!r} is not supported; use one of {shown}")
    if header_row is not None and header_row < 1:
        raise UsageError(f"--header-row {header_row}: lines count from 1")
    try:
        with path.open("rb") as file:
            sample = file.read(SAMPLE_BYTES)
            whole = len(file.read(1)) == 0
    except OSError as error:
        raise BadInputError(f"{path}: cannot be read ({error.strerror})") from None
    bom_encoding = next((name for bom, name in BOMS if sample.startswith(bom)), None)
    if encoding is None:
        chosen = bom_encoding or _detect_encoding(sample, path)
    else:
        chosen = _supported_encoding(encoding, bom_encoding)
    has_bom = bom_encoding == chosen

    text = _decode_sample(sample, chosen, whole)
    if has_bom:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        raise BadInputError(f"{path}: the file is empty")
    lines = LINE_BREAK.split(text)  # LF, CRLF or a lone CR, as the transcoder reads them
    if not whole:
        lines = lines[:-1]  # the last line of a sample may be cut short
    lines = lines[:SAMPLE_LINES]

    candidates = (delimiter,) if delimiter else CANDIDATE_DELIMITERS
    found = _find_header(lines, candidates, header_row, extra_headers)
    if found is None:
        found = _find_by_consistency(lines, candidates, header_row)
    if found is None:
        raise BadInputError(
            f"{path}: cannot find the header line; pass --header-row N (1-based) "
            "and --delimiter, or map the headers in the config's [columns] table"
        )
    header_line, chosen_delimiter = found
    return CsvDialect(
        encoding=chosen,
        delimiter=chosen_delimiter,
        header_line=header_line,
        skip_lines=header_line - 1,
        has_bom=has_bom,
    )


def _supported_encoding(name: str, bom_encoding: str | None) -> str:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        canonical = ""
    if canonical == "utf-16":
        return bom_encoding if bom_encoding in ("utf-16-le", "utf-16-be") else "utf-16-le"
    if canonical not in ENCODING_NAMES:
        raise UsageError(
            f"encoding {name!r} is not supported; use one of {', '.join(SUPPORTED_ENCODINGS)}"
        )
    return ENCODING_NAMES[canonical]


def _detect_encoding(sample: bytes, path: Path) -> str:
    utf16 = _utf16_by_nul_bytes(sample)
    if utf16:
        return utf16
    if _reads_as_utf8(sample):
        return "utf-8"
    from charset_normalizer import from_bytes  # only needed for legacy files

    guesses = [match.encoding for match in from_bytes(sample)]
    for guess in guesses:
        if guess in DETECTED_ENCODINGS:
            return DETECTED_ENCODINGS[guess]
    looks_like = f" (it looks like {guesses[0]})" if guesses else ""
    raise BadInputError(
        f"{path}: the encoding is not UTF-8, UTF-16 or Windows-1258{looks_like}; "
        "re-export it as UTF-8, or pass --encoding cp1258 if it is Vietnamese Windows text"
    )


def _utf16_by_nul_bytes(sample: bytes) -> str | None:
    """UTF-16 without BOM: ASCII characters leave NUL bytes at every other position."""
    even, odd = sample[0::2], sample[1::2]
    if not even or not odd:
        return None
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul >= 0.2 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul >= 0.2 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _reads_as_utf8(sample: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = decoder.decode(sample, final=False)  # a character cut at the end is not an error
    invalid = text.count("\ufffd")
    if invalid == 0:
        return True
    valid_multibyte = sum(1 for char in text if char > "\x7f") - invalid
    return valid_multibyte >= UTF8_VALID_PER_INVALID * invalid


def _decode_sample(sample: bytes, encoding: str, whole: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(sample, final=whole)


def _fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _find_header(
    lines: list[str],
    candidates: tuple[str, ...],
    header_row: int | None,
    extra: Mapping[str, str] | None,
) -> tuple[int, str] | None:
    """(line, delimiter) of the first line splitting into at least two known headers."""
    if header_row and header_row > len(lines):
        return None
    numbered = [(header_row, lines[header_row - 1])] if header_row else enumerate(lines, start=1)
    for number, line in numbered:
        best: tuple[int, str] | None = None
        for delimiter in candidates:
            known = sum(is_known_header(field, extra) for field in _fields(line, delimiter))
            if known >= 2 and (best is None or known > best[0]):
                best = (known, delimiter)
        if best is not None:
            return number, best[1]
    return None


def _find_by_consistency(
    lines: list[str], candidates: tuple[str, ...], header_row: int | None
) -> tuple[int, str] | None:
    """(line, delimiter) from field counts: the delimiter giving the same count (≥ 2) on every
    record from the header down, the header being the first line with that count."""
    best: tuple[int, int, str] | None = None  # (fields, -header line, delimiter)
    for delimiter in candidates:
        records = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        counts = [len(record) for record in records if any(field.strip() for field in record)]
        if not counts:
            continue
        width = counts[-1]
        if width < 2:
            continue
        if header_row is not None:
            first = header_row
        else:
            first = next(
                number
                for number, line in enumerate(lines, start=1)
                if len(_fields(line, delimiter)) == width
            )
        below = [len(_fields(line, delimiter)) for line in lines[first - 1 :] if line.strip()]
        if len(set(below)) == 1 and below[0] == width:
            candidate = (width, -first, delimiter)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is None:
        return None
    return -best[1], best[2]
