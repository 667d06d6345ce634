"""Export headers to canonical column names (SPEC §2.1).

A header is matched on its *key*: case, diacritics (đ = d), punctuation and spacing ignored, so
"THỜI GIAN KHAI BÁO", "thoi gian khai bao" and "Thời gian khai báo" are one header, and a
canonical snake_case name ("declared_at") matches itself. The user can map other headers in the
config file's `[columns]` table; such a mapping may not send personal data (an identity column,
or a header that looks like one) into a column that is not an identity column.

Plain standard library: this module is on the CLI start-up path.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from ncovi_stats.errors import BadInputError, UsageError
from ncovi_stats.schema import COLUMN_NAMES, HEADER_ALIASES, IDENTITY_COLUMNS

_NOT_WORD = re.compile(r"[\W_]+")

# Words that mark a header as personal data even when no alias names it (matched as whole words
# of the header key): "CCCD", "Số CMND", "SĐT", "Họ tên", "Điện thoại", "Hộ chiếu"...
IDENTITY_HEADER_WORDS: tuple[str, ...] = (
    "cccd",
    "cmnd",
    "cmt",
    "can cuoc",
    "chung minh",
    "ho chieu",
    "passport",
    "so dien thoai",
    "dien thoai",
    "sdt",
    "phone",
    "ho ten",
    "ho va ten",
    "full name",
    "nam sinh",
    "ngay sinh",
    "birth",
    "gioi tinh",
    "sex",
    "gender",
)


def header_key(header: str) -> str:
    """The matching key of a header: no diacritics, lower case, words joined by one space."""
    decomposed = unicodedata.normalize("NFD", header.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", plain.casefold()).split())


def _alias_table() -> dict[str, str | None]:
    table: dict[str, str | None] = {header_key(name): name for name in COLUMN_NAMES}
    for alias, column in HEADER_ALIASES.items():
        key = header_key(alias)
        if key in table and table[key] != column:
            raise AssertionError(f"header alias {alias!r} collides with another alias")
        table[key] = column
    return table


ALIASES_BY_KEY: dict[str, str | None] = _alias_table()
"""Header key -> canonical column, or None for a recognised column that is ignored (STT)."""

_IDENTITY_WORD_PATTERN = re.compile(
    r"(?:^| )(?:" + "|".join(re.escape(word) for word in IDENTITY_HEADER_WORDS) + r")(?: |$)"
)


def looks_like_identity(header: str) -> bool:
    """Whether a header names personal data: an identity alias, or an identity word in it."""
    key = header_key(header)
    if ALIASES_BY_KEY.get(key) in IDENTITY_COLUMNS:
        return True
    return _IDENTITY_WORD_PATTERN.search(key) is not None


def is_known_header(header: str, extra: Mapping[str, str] | None = None) -> bool:
    """Whether a header is a canonical name, an alias (STT included) or mapped in `extra`."""
    key = header_key(header)
    if key in ALIASES_BY_KEY:
        return True
    return extra is not None and key in {header_key(name) for name in extra}


@dataclass(frozen=True)
class HeaderMap:
    """How the headers of one input map to canonical columns.

    `rename` (header -> canonical column) is ready for `LazyFrame.rename` after selecting its
    keys; `ignored` are recognised and dropped (STT); `unknown` are not recognised and kept out.
    """

    rename: dict[str, str]
    ignored: list[str]
    unknown: list[str]

    @property
    def columns(self) -> list[str]:
        """The canonical columns present, in header order."""
        return list(self.rename.values())


# A field holding a run of digits this long is an ID, a phone or a date, never a header.
_LONG_NUMBER = re.compile(r"\d{4,}")
# A line is shown as headers only when this many of its fields are recognised headers.
HEADER_ROW_MIN_KNOWN = 2


def headers_to_show(headers: list[str], header_map: HeaderMap) -> tuple[list[str], int]:
    """What a message may say about a header line: (names to list in header order, fields
    only counted).

    Recognised headers are listed by their canonical name. The others are listed only when
    the line looks like a header row (at least two recognised headers) and they hold no long
    number; otherwise the line may be a data row (a headerless export, a wrong --header-row)
    and its cells, names, IDs and phones included, are only counted (SPEC §5).
    """
    header_row = len(header_map.rename) + len(header_map.ignored) >= HEADER_ROW_MIN_KNOWN
    unknown = set(header_map.unknown)
    names: list[str] = []
    hidden = 0
    for header in headers:
        if header in header_map.rename:
            names.append(header_map.rename[header])
        elif header in unknown:
            if header_row and not _LONG_NUMBER.search(header) and not looks_like_identity(header):
                names.append(header)
            else:
                hidden += 1
    return names, hidden


def _user_aliases(extra: Mapping[str, str]) -> dict[str, str]:
    """The config's `[columns]` table by header key, checked."""
    table: dict[str, str] = {}
    for header, column in extra.items():
        if column not in COLUMN_NAMES:
            raise UsageError(
                f"[columns] maps {header!r} to {column!r}, which is not a column; "
                f"use one of: {', '.join(COLUMN_NAMES)}"
            )
        if looks_like_identity(header) and column not in IDENTITY_COLUMNS:
            raise UsageError(
                f"[columns] maps {header!r}, which holds personal data, to {column!r}; "
                f"personal data may only be mapped to {', '.join(sorted(IDENTITY_COLUMNS))}"
            )
        table[header_key(header)] = column
    return table


def map_headers(
    headers: list[str],
    extra: Mapping[str, str] | None = None,
    *,
    source: str | None = None,
) -> HeaderMap:
    """Map each header to a canonical column, ignored (STT) or unknown.

    `extra` (header -> canonical column, from the config) wins over the built-in aliases.
    Raises UsageError for a mapping that would move personal data into a non-identity column,
    BadInputError when two headers map to the same column (`source` names the input).
    """
    user = _user_aliases(extra or {})
    rename: dict[str, str] = {}
    ignored: list[str] = []
    unknown: list[str] = []
    by_column: dict[str, str] = {}
    for header in headers:
        key = header_key(header)
        column: str | None
        if key in user:
            column = user[key]
        elif key in ALIASES_BY_KEY:
            column = ALIASES_BY_KEY[key]
            if column is None:
                ignored.append(header)
                continue
        else:
            unknown.append(header)
            continue
        if column in by_column:
            where = f"{source}: " if source else ""
            raise BadInputError(
                f"{where}headers {by_column[column]!r} and {header!r} both map to column "
                f"{column!r}; remove one, or map one elsewhere in the config's [columns] table"
            )
        by_column[column] = header
        rename[header] = column
    return HeaderMap(rename=rename, ignored=ignored, unknown=unknown)
