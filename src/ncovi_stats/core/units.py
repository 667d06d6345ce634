"""Administrative units: names and codes to the GSO codes of 2020 (SPEC §2.3, §3.2).

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

A leading unit type or its abbreviation is recognised through `PREFIXES` (Tỉnh, Thành phố, TP.,
Quận, Q., Huyện, H., Thị xã, TX., Phường, P., Xã, X., Thị trấn, TT.); abbreviations glued to a
number also count ("Q1", "P.12"). Because a real name may begin like a prefix without its
diacritics ("Quan Hóa" vs "Quận"), the text is also tried as it is, without stripping. The unit
type is ignored where the base name is unique within the parent (Huyện Kinh Môn = Thị xã Kinh
Môn) and decides otherwise (in Hậu Giang "Huyện Long Mỹ" is 936, "Thị xã Long Mỹ" 937, and a bare
"Long Mỹ" is ambiguous). Well-known short forms live in `PROVINCE_ALIASES` and
`DISTRICT_ALIASES`. District names of the legacy list (later names and types of the same code,
e.g. "Thành phố Hồng Ngự" for 868) are extra spellings unless they would take a name away from
another 2019 district ("Huyện Đạ Huoai" is 681, never 682).

Rules of the row step `resolve_units` (the codes win over names):
- a province code must be one of the 63; a province name must resolve; without either, the
  province is the one of a known district code; otherwise the row has `unknown-unit`;
- a district code must be a known district of that province; a district name must resolve within
  it; a district that cannot be resolved is `unknown-unit` (or `ambiguous-unit`);
- a ward (code or name) that is not a ward of that district in the legacy list, or given without a
  district, is `ward_unresolved`: the row is kept for province and district figures and its
  ward_code is null. A district is never derived from a ward code;
- when a code and a name are both given, the name is not read at all (an inconsistent name is
  not reported; a bad code is not rescued by a good name).
On a row with a `unit_problem`, the code columns hold the codes as given (null where only a name
was given), for the rejects file, and `ward_unresolved` is false.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from functools import cache

import polars as pl

from ncovi_stats.errors import RejectReason
from ncovi_stats.io import reference

UNKNOWN = RejectReason.UNKNOWN_UNIT.value
AMBIGUOUS = RejectReason.AMBIGUOUS_UNIT.value

CODE_COLUMNS: tuple[str, ...] = ("province_code", "district_code", "ward_code")
NAME_COLUMNS: tuple[str, ...] = ("province", "district", "ward")
UNIT_COLUMNS: tuple[str, ...] = (
    "province_code",
    "province",
    "district_code",
    "district",
    "ward_code",
    "ward",
)

# Spellings of a unit type at the start of a name -> the official type they stand for.
PREFIXES: dict[str, str] = {
    "Tỉnh": "Tỉnh",
    "Thành phố": "Thành phố",
    "TP": "Thành phố",
    "Quận": "Quận",
    "Q": "Quận",
    "Huyện": "Huyện",
    "H": "Huyện",
    "Thị xã": "Thị xã",
    "TX": "Thị xã",
    "Phường": "Phường",
    "P": "Phường",
    "Xã": "Xã",
    "X": "Xã",
    "Thị trấn": "Thị trấn",
    "TT": "Thị trấn",
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


@dataclass(frozen=True)
class ResolvedUnits:
    """The outcome for one combination of a row's unit columns."""

    province_code: str | None
    district_code: str | None
    ward_code: str | None
    unit_problem: str | None
    ward_unresolved: bool


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


def _official_entries(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str | None, str]]:
    entries: list[tuple[str, str | None, str]] = []
    for code, name in rows:
        unit_type, base = reference.split_official(name)
        entries.append((code, unit_type, base))
    return entries


def _later_spellings(
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


class UnitResolver:
    """Resolves unit codes and names against reference tables (see the module docstring)."""

    def __init__(
        self,
        provinces: pl.DataFrame,
        districts: pl.DataFrame,
        wards: pl.DataFrame,
        legacy_district_names: pl.DataFrame | None = None,
        province_aliases: Mapping[str, str] = PROVINCE_ALIASES,
        district_aliases: Mapping[tuple[str, str], str] = DISTRICT_ALIASES,
    ) -> None:
        self._provinces = frozenset(provinces["province_code"].to_list())
        self._district_province: dict[str, str] = dict(
            zip(districts["district_code"], districts["province_code"], strict=True)
        )
        self._ward_district: dict[str, str] = dict(
            zip(wards["ward_code"], wards["district_code"], strict=True)
        )

        province_entries = _official_entries(
            provinces.select("province_code", "province_name").iter_rows()
        )
        province_entries += [(code, None, alias) for alias, code in province_aliases.items()]
        self._province_index = NameIndex(province_entries)

        district_rows: dict[str, list[tuple[str, str]]] = {}
        for province_code, code, name in districts.select(
            "province_code", "district_code", "district_name"
        ).iter_rows():
            district_rows.setdefault(province_code, []).append((code, name))
        later_rows: dict[str, list[tuple[str, str]]] = {}
        if legacy_district_names is not None:
            for province_code, code, name in legacy_district_names.select(
                "province_code", "district_code", "district_name"
            ).iter_rows():
                if self._district_province.get(code) == province_code:
                    later_rows.setdefault(province_code, []).append((code, name))
        self._district_index: dict[str, NameIndex] = {}
        for province_code in self._provinces:
            primary = _official_entries(district_rows.get(province_code, []))
            later = _later_spellings(primary, _official_entries(later_rows.get(province_code, [])))
            aliases: list[tuple[str, str | None, str]] = [
                (code, None, alias)
                for (alias_province, alias), code in district_aliases.items()
                if alias_province == province_code
            ]
            self._district_index[province_code] = NameIndex(primary + later + aliases)

        ward_rows: dict[str, list[tuple[str, str]]] = {}
        for district_code, code, name in wards.select(
            "district_code", "ward_code", "ward_name"
        ).iter_rows():
            ward_rows.setdefault(district_code, []).append((code, name))
        self._ward_rows = ward_rows
        self._ward_index: dict[str, NameIndex] = {}

    @classmethod
    def bundled(cls) -> UnitResolver:
        """The resolver over the package's reference tables (built once per process)."""
        return _bundled_resolver()

    # Codes -----------------------------------------------------------------------------------

    @property
    def province_codes(self) -> frozenset[str]:
        """The 63 province codes."""
        return self._provinces

    @property
    def district_provinces(self) -> Mapping[str, str]:
        """Every known district code -> its province code."""
        return self._district_province

    @property
    def ward_districts(self) -> Mapping[str, str]:
        """Every ward code of the legacy list -> its district code."""
        return self._ward_district

    def is_province(self, code: str) -> bool:
        return code in self._provinces

    def province_of_district(self, district_code: str) -> str | None:
        return self._district_province.get(district_code)

    def district_of_ward(self, ward_code: str) -> str | None:
        return self._ward_district.get(ward_code)

    # Names -----------------------------------------------------------------------------------

    def province(self, text: str) -> Resolution:
        return self._province_index.resolve(text)

    def district(self, province_code: str, text: str) -> Resolution:
        index = self._district_index.get(province_code)
        if index is None:
            return Resolution(None, UNKNOWN)
        return index.resolve(text)

    def ward(self, province_code: str, district_code: str, text: str) -> Resolution:
        if self.province_of_district(district_code) != province_code:
            return Resolution(None, UNKNOWN)
        index = self._ward_index.get(district_code)
        if index is None:
            index = NameIndex(_official_entries(self._ward_rows.get(district_code, [])))
            self._ward_index[district_code] = index
        return index.resolve(text)

    # A row -----------------------------------------------------------------------------------

    def resolve(
        self,
        province_code: str | None = None,
        province: str | None = None,
        district_code: str | None = None,
        district: str | None = None,
        ward_code: str | None = None,
        ward: str | None = None,
    ) -> ResolvedUnits:
        """Apply the row rules of the module docstring to one combination of unit columns."""

        def rejected(problem: str) -> ResolvedUnits:
            return ResolvedUnits(province_code, district_code, ward_code, problem, False)

        if province_code is not None:
            if not self.is_province(province_code):
                return rejected(UNKNOWN)
            resolved_province = province_code
        elif province is not None:
            found = self.province(province)
            if found.code is None:
                return rejected(found.problem or UNKNOWN)
            resolved_province = found.code
        else:
            from_district = None
            if district_code is not None:
                from_district = self.province_of_district(district_code)
            if from_district is None:
                return rejected(UNKNOWN)
            resolved_province = from_district

        resolved_district: str | None = None
        if district_code is not None:
            if self.province_of_district(district_code) != resolved_province:
                return rejected(UNKNOWN)
            resolved_district = district_code
        elif district is not None:
            found = self.district(resolved_province, district)
            if found.code is None:
                return rejected(found.problem or UNKNOWN)
            resolved_district = found.code

        resolved_ward: str | None = None
        if resolved_district is not None:
            if ward_code is not None:
                if self.district_of_ward(ward_code) == resolved_district:
                    resolved_ward = ward_code
            elif ward is not None:
                resolved_ward = self.ward(resolved_province, resolved_district, ward).code
        ward_given = ward_code is not None or ward is not None
        return ResolvedUnits(
            resolved_province,
            resolved_district,
            resolved_ward,
            None,
            ward_given and resolved_ward is None,
        )


@cache
def _bundled_resolver() -> UnitResolver:
    return UnitResolver(
        reference.provinces(),
        reference.districts(),
        reference.wards(),
        reference.legacy_district_names(),
    )


# The polars step ------------------------------------------------------------------------------

RESOLVED_SCHEMA: dict[str, pl.DataType] = {
    "province_code": pl.String(),
    "district_code": pl.String(),
    "ward_code": pl.String(),
    "unit_problem": pl.String(),
    "ward_unresolved": pl.Boolean(),
}


def resolve_units(lf: pl.LazyFrame, resolver: UnitResolver | None = None) -> pl.LazyFrame:
    """Unit columns to canonical codes, with `unit_problem` and `ward_unresolved` (SPEC §2.3).

    Input: any of province_code, province, district_code, district, ward_code, ward (text, stripped,
    codes zero-padded). Output: the same rows (order not kept) with the three code columns
    resolved, the name columns dropped, and `unit_problem` (null, "unknown-unit" or
    "ambiguous-unit") and `ward_unresolved` (Boolean) added.

    With code columns only this stays lazy (left joins against the code tables). With name columns,
    the distinct combinations of the unit columns are collected once, resolved once each, and
    joined back on all of them (null-safe, one match per row).
    """
    resolver = resolver or UnitResolver.bundled()
    present = [column for column in UNIT_COLUMNS if column in lf.collect_schema()]
    missing_codes = [column for column in CODE_COLUMNS if column not in present]
    lf = lf.with_columns(
        pl.col(present).cast(pl.String),
        *(pl.lit(None, dtype=pl.String).alias(column) for column in missing_codes),
    )
    if any(column in present for column in NAME_COLUMNS):
        return _resolve_by_distinct_values(lf, present, resolver)
    return _resolve_codes(lf, resolver)


def _resolve_codes(lf: pl.LazyFrame, resolver: UnitResolver) -> pl.LazyFrame:
    """The code-only rules as per-row lookups in the code tables (no join: rows stay in place).

    Ward codes are unique nationally, so "ward in its district" is the ward's district equal to
    the row's district.
    """
    province_code, district_code, ward_code = (pl.col(column) for column in CODE_COLUMNS)
    province_known = province_code.is_in(sorted(resolver.province_codes))
    district_province = district_code.replace_strict(
        dict(resolver.district_provinces), default=None, return_dtype=pl.String
    )
    ward_district = ward_code.replace_strict(
        dict(resolver.ward_districts), default=None, return_dtype=pl.String
    )
    resolved_province = pl.coalesce(province_code, pl.col("__district_province"))
    problem = (
        pl.when(province_code.is_not_null() & ~province_known)
        .then(pl.lit(UNKNOWN))
        .when(resolved_province.is_null())
        .then(pl.lit(UNKNOWN))
        .when(
            district_code.is_not_null()
            & (
                pl.col("__district_province").is_null()
                | (pl.col("__district_province") != resolved_province)
            )
        )
        .then(pl.lit(UNKNOWN))
    )
    ward_in_district = (pl.col("__ward_district") == district_code).fill_null(False)
    accepted = pl.col("unit_problem").is_null()
    return (
        lf.with_columns(
            district_province.alias("__district_province"),
            ward_district.alias("__ward_district"),
        )
        .with_columns(problem.alias("unit_problem"))
        .with_columns(
            pl.when(accepted).then(resolved_province).otherwise(province_code),
            pl.when(accepted & ~ward_in_district)
            .then(None)
            .otherwise(ward_code)
            .alias("ward_code"),
            (accepted & ward_code.is_not_null() & ~ward_in_district).alias("ward_unresolved"),
        )
        .drop("__district_province", "__ward_district")
    )


def _resolve_by_distinct_values(
    lf: pl.LazyFrame, present: list[str], resolver: UnitResolver
) -> pl.LazyFrame:
    combinations = lf.select(present).unique().collect()
    outcomes = [
        resolver.resolve(**dict(zip(present, values, strict=True)))
        for values in combinations.iter_rows()
    ]
    resolved = pl.DataFrame(
        {
            f"__{column}": [getattr(outcome, column) for outcome in outcomes]
            for column in RESOLVED_SCHEMA
        },
        schema={f"__{column}": dtype for column, dtype in RESOLVED_SCHEMA.items()},
    )
    mapping = pl.concat([combinations, resolved], how="horizontal")
    return (
        lf.join(mapping.lazy(), on=present, how="left", nulls_equal=True, validate="m:1")
        .drop(*CODE_COLUMNS, *(column for column in NAME_COLUMNS if column in present))
        .rename({f"__{column}": column for column in RESOLVED_SCHEMA})
    )
