"""Administrative unit names matched to GSO codes, in tiers (SPEC §2.3).

Codes are the keys: provinces and districts of the 2019 census (plus the district codes that only
the legacy list has), wards of the legacy ward list. Names are resolved province first, then
district within that province, then ward within that district, in tiers; the first tier with any
candidate decides:

1. exact: the same letters, ignoring case, spacing and punctuation ("Bà Rịa - Vũng Tàu" =
   "bà rịa vũng tàu"); numbers without leading zeros ("Phường 01" = "Phường 1"), and a name that
   is a Roman numeral alone as its number ("Phường III" = "Phường 3");
2. tone-mark placement normalised: a syllable's tone mark counts wherever it sits, so the old and
   new placements on oa/oe/uy agree ("Hoà" = "Hòa", "Thuỷ" = "Thủy", "Uỷ" = "Ủy");
3. without diacritics, đ as d ("Hau Giang" = "Hậu Giang").

A leading unit type or its abbreviation is recognised through `PREFIXES` (Tỉnh, T., Thành phố,
TP., Quận, Q., Huyện, H., Thị xã, TX., Phường, P., Xã, X., Thị trấn, TT.), with or without the
dot and space, in any case; abbreviations glued to a name or number also count ("Q1", "P.12"). Because a real name may begin like a prefix without its
diacritics ("Quan Hóa" vs "Quận"), the text is also tried as it is, without stripping. The unit
type is ignored where the base name is unique within the parent (Huyện Kinh Môn = Thị xã Kinh
Môn) and decides otherwise (in Hậu Giang "Huyện Long Mỹ" is 936, "Thị xã Long Mỹ" 937, and a bare
"Long Mỹ" is ambiguous). Well-known short forms live in `PROVINCE_ALIASES` and
`DISTRICT_ALIASES`. District names of the legacy list (later names and types of the same code,
e.g. "Thành phố Hồng Ngự" for 868) are extra spellings unless they would take a name away from
another 2019 district ("Huyện Đạ Huoai" is 681, never 682).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import cache

from ncovi_stats import reference
from ncovi_stats.errors import RejectReason

UNKNOWN = RejectReason.UNKNOWN_UNIT.value
AMBIGUOUS = RejectReason.AMBIGUOUS_UNIT.value

# Spellings of a unit type at the start of a name -> the official type they stand for. Case,
# dots and spaces are ignored ("TX." = "Tx" = "T.X." = "tx"), and an abbreviation may be glued to
# the name ("Q.1", "P12", "H.Củ Chi"). Each abbreviation names one type, so where a province has
# two units of one base name the abbreviation decides as the full type does ("TX. Long Mỹ" is the
# thị xã, "H. Long Mỹ" the huyện, a bare "Long Mỹ" stays ambiguous, SPEC §2.3).
PREFIXES: dict[str, str] = {
    "Tỉnh": "Tỉnh",
    "T": "Tỉnh",
    "Thành phố": "Thành phố",
    "TP": "Thành phố",
    "T.P": "Thành phố",
    "Quận": "Quận",
    "Q": "Quận",
    "Huyện": "Huyện",
    "H": "Huyện",
    "Thị xã": "Thị xã",
    "TX": "Thị xã",
    "T.X": "Thị xã",
    "Phường": "Phường",
    "P": "Phường",
    "Xã": "Xã",
    "X": "Xã",
    "Thị trấn": "Thị trấn",
    "TT": "Thị trấn",
    "T.T": "Thị trấn",
}

# Short forms of province names in common use -> province code. Spacing, punctuation, case and
# diacritics are ignored as for any name, so "TP.HCM", "TP HCM" and "Tp. Hcm" are all covered.
PROVINCE_ALIASES: dict[str, str] = {
    "HCM": "79",
    "TPHCM": "79",
    "Sài Gòn": "79",
    "Huế": "46",
    "Thừa Thiên": "46",
    "TT Huế": "46",
    "TTH": "46",
    "BRVT": "77",
    "BR VT": "77",
    "Vũng Tàu": "77",
    "HN": "01",
    "Đắc Lắc": "66",
    "Đắc Lắk": "66",
    "Đắc Nông": "67",
}

# Other spellings of district names, per province: (province code, spelling) -> district code.
DISTRICT_ALIASES: dict[tuple[str, str], str] = {
    ("60", "Phú Quý"): "602",
    ("74", "TDM"): "718",
}

# Tone marks (combining, after NFD) and the placement-free marker each becomes in the tone key.
TONE_MARKS: dict[str, str] = {
    "\u0300": "`",  # huyền
    "\u0301": "'",  # sắc
    "\u0303": "~",  # ngã
    "\u0309": "?",  # hỏi
    "\u0323": ".",  # nặng
}
LETTERS_WITHOUT_DECOMPOSITION: dict[str, str] = {"đ": "d"}

# A name that is a Roman numeral alone ("Phường III" in Vị Thanh) is compared as its number.
ROMAN_NUMERALS: dict[str, str] = {
    numeral.casefold(): str(value)
    for value, numeral in enumerate(
        "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX".split(), start=1
    )
}

_TOKEN = re.compile(r"\d+|[^\W\d_]+")


class Tier(IntEnum):
    EXACT = 0
    TONE = 1
    PLAIN = 2


@dataclass(frozen=True)
class NameKeys:
    """A name's comparison keys, one per tier (SPEC §2.3)."""

    exact: str
    tone: str
    plain: str

    def key(self, tier: Tier) -> str:
        return (self.exact, self.tone, self.plain)[tier]


@dataclass(frozen=True)
class ParsedName:
    """One reading of a name: the unit type its prefix names (or None) and the rest's keys."""

    unit_type: str | None
    keys: NameKeys


@dataclass(frozen=True)
class Resolution:
    """A resolved code, or the reason (a RejectReason value) why there is none."""

    code: str | None
    problem: str | None = None


def _tokens(text: str) -> list[str]:
    tokens = _TOKEN.findall(unicodedata.normalize("NFC", text).casefold())
    return [str(int(token)) if token.isdigit() else token for token in tokens]


def _tone_token(token: str) -> str:
    decomposed = unicodedata.normalize("NFD", token)
    marks = sorted(TONE_MARKS[char] for char in decomposed if char in TONE_MARKS)
    letters = "".join(char for char in decomposed if char not in TONE_MARKS)
    return unicodedata.normalize("NFC", letters) + "".join(marks)


def _plain_token(token: str) -> str:
    decomposed = unicodedata.normalize("NFD", token)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(LETTERS_WITHOUT_DECOMPOSITION.get(char, char) for char in letters)


def _keys(tokens: list[str]) -> NameKeys:
    if len(tokens) == 1:
        tokens = [ROMAN_NUMERALS.get(tokens[0], tokens[0])]
    return NameKeys(
        exact="".join(tokens),
        tone="".join(_tone_token(token) for token in tokens),
        plain="".join(_plain_token(token) for token in tokens),
    )


def normalise_name(text: str) -> NameKeys:
    """The tier keys of a whole name (no prefix removed).

    >>> normalise_name("Hoà  Bình").tone == normalise_name("hòa-bình").tone
    True
    """
    return _keys(_tokens(text))


@cache
def _prefix_tokens() -> tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...]:
    """Each prefix spelling as (tone-keyed tokens, plain tokens, official type)."""
    rows = []
    for spelling, unit_type in PREFIXES.items():
        tokens = _tokens(spelling)
        rows.append(
            (
                tuple(_tone_token(token) for token in tokens),
                tuple(_plain_token(token) for token in tokens),
                unit_type,
            )
        )
    return tuple(rows)


def parse_name(text: str) -> tuple[ParsedName, ...]:
    """The readings of a name: as it is, and without each unit-type prefix it may start with.

    A prefix matches with its diacritics (tone placement free), or without any when the text's
    own words have none: "Quan 1" may be "Quận 1", but "Quán Thánh" never starts with "Quận".
    """
    tokens = _tokens(text)
    if not tokens:
        return ()
    readings = [ParsedName(None, _keys(tokens))]
    for tone_tokens, plain_tokens, unit_type in _prefix_tokens():
        size = len(tone_tokens)
        if len(tokens) <= size:
            continue
        head = tokens[:size]
        with_marks = tuple(_tone_token(token) for token in head) == tone_tokens
        without_marks = all(token.isascii() for token in head) and tuple(head) == plain_tokens
        if with_marks or without_marks:
            readings.append(ParsedName(unit_type, _keys(tokens[size:])))
    return tuple(readings)


@dataclass(frozen=True)
class _Entry:
    code: str
    unit_type: str | None


class NameIndex:
    """The names of the units within one parent, looked up tier by tier."""

    def __init__(self, entries: Iterable[tuple[str, str | None, str]]) -> None:
        """`entries`: (code, unit type or None, base name without type)."""
        self._by_key: tuple[dict[str, list[_Entry]], ...] = ({}, {}, {})
        for code, unit_type, base in entries:
            keys = normalise_name(base)
            entry = _Entry(code, unit_type)
            for tier in Tier:
                bucket = self._by_key[tier].setdefault(keys.key(tier), [])
                if entry not in bucket:
                    bucket.append(entry)

    def resolve(self, text: str) -> Resolution:
        readings = parse_name(text)
        for tier in Tier:
            codes: set[str] = set()
            ambiguous = False
            for reading in readings:
                entries = self._by_key[tier].get(reading.keys.key(tier))
                if not entries:
                    continue
                candidates = {entry.code for entry in entries}
                if len(candidates) > 1 and reading.unit_type is not None:
                    candidates = {e.code for e in entries if e.unit_type == reading.unit_type}
                if len(candidates) == 1:
                    codes |= candidates
                else:
                    ambiguous = True
            if len(codes) == 1:
                return Resolution(codes.pop())
            if codes or ambiguous:
                return Resolution(None, AMBIGUOUS)
        return Resolution(None, UNKNOWN)


def official_entries(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str | None, str]]:
    entries: list[tuple[str, str | None, str]] = []
    for code, name in rows:
        unit_type, base = reference.split_official(name)
        entries.append((code, unit_type, base))
    return entries


def later_spellings(
    primary: list[tuple[str, str | None, str]], later: list[tuple[str, str | None, str]]
) -> list[tuple[str, str | None, str]]:
    """Later names of the same codes, except those that would take a name from another unit."""
    own_bases: dict[str, set[str]] = {}
    typed: dict[tuple[str | None, str], set[str]] = {}
    for code, unit_type, base in primary:
        plain = normalise_name(base).plain
        own_bases.setdefault(plain, set()).add(code)
        typed.setdefault((unit_type, plain), set()).add(code)
    kept = []
    for code, unit_type, base in later:
        plain = normalise_name(base).plain
        holders = own_bases.get(plain, set())
        takes_base = bool(holders - {code}) and code not in holders
        takes_typed_name = bool(typed.get((unit_type, plain), set()) - {code})
        if not takes_base and not takes_typed_name:
            kept.append((code, unit_type, base))
    return kept
