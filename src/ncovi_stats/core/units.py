"""Administrative units: the row step that turns unit codes and names into the GSO codes of
2020 (SPEC §2.3, §3.2). How one name is matched is in `core.unit_names`.

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

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property

import polars as pl

from ncovi_stats import reference
from ncovi_stats.core.unit_aliases import UnitAliases
from ncovi_stats.core.unit_names import (
    DISTRICT_ALIASES,
    PREFIXES,
    PROVINCE_ALIASES,
    NameIndex,
    NameKeys,
    ParsedName,
    Resolution,
    later_spellings,
    normalise_name,
    official_entries,
    parse_name,
)
from ncovi_stats.core.values import code_number, padded_codes
from ncovi_stats.errors import RejectReason
from ncovi_stats.schema import CODE_WIDTH

__all__ = [
    "PREFIXES",
    "PROVINCE_ALIASES",
    "NameIndex",
    "NameKeys",
    "ParsedName",
    "Resolution",
    "ResolvedUnits",
    "UnitResolver",
    "normalise_name",
    "parse_name",
    "resolve_units",
]

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


@dataclass(frozen=True)
class ResolvedUnits:
    """The outcome for one combination of a row's unit columns."""

    province_code: str | None
    district_code: str | None
    ward_code: str | None
    unit_problem: str | None
    ward_unresolved: bool


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

        self._names = (provinces, districts, wards, legacy_district_names)
        self._name_aliases = (province_aliases, district_aliases)
        self._ward_index: dict[str, NameIndex] = {}

    @cached_property
    def _province_index(self) -> NameIndex:
        """The provinces' names (built on the first name looked up: code-only reads need none)."""
        provinces = self._names[0]
        province_entries = official_entries(
            provinces.select("province_code", "province_name").iter_rows()
        )
        province_entries += [(code, None, alias) for alias, code in self._name_aliases[0].items()]
        return NameIndex(province_entries)

    @cached_property
    def _district_index(self) -> dict[str, NameIndex]:
        """Each province's districts' names, official then later spellings and aliases."""
        _, districts, _, legacy_district_names = self._names
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
        indexes: dict[str, NameIndex] = {}
        for province_code in self._provinces:
            primary = official_entries(district_rows.get(province_code, []))
            later = later_spellings(primary, official_entries(later_rows.get(province_code, [])))
            aliases: list[tuple[str, str | None, str]] = [
                (code, None, alias)
                for (alias_province, alias), code in self._name_aliases[1].items()
                if alias_province == province_code
            ]
            indexes[province_code] = NameIndex(primary + later + aliases)
        return indexes

    @cached_property
    def _ward_rows(self) -> dict[str, list[tuple[str, str]]]:
        """Each district's wards (code, name); their name indexes are built per district."""
        ward_rows: dict[str, list[tuple[str, str]]] = {}
        for district_code, code, name in (
            self._names[2].select("district_code", "ward_code", "ward_name").iter_rows()
        ):
            ward_rows.setdefault(district_code, []).append((code, name))
        return ward_rows

    @classmethod
    def bundled(cls) -> UnitResolver:
        """The resolver over the package's reference tables (built once per process)."""
        return _bundled_resolver()

    def with_aliases(self, aliases: UnitAliases | None) -> UnitResolver:
        """This resolver, looking names up in the user's `aliases` first (`core.unit_aliases`)."""
        if aliases is None:
            return self
        copied = copy.copy(self)
        copied._aliases = aliases
        return copied

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

    _aliases: UnitAliases | None = None

    def province(self, text: str) -> Resolution:
        if self._aliases is not None and (alias := self._aliases.province(text)):
            return Resolution(alias)
        return self._province_index.resolve(text)

    def district(self, province_code: str, text: str) -> Resolution:
        if self._aliases is not None and (alias := self._aliases.district(province_code, text)):
            return Resolution(alias)
        index = self._district_index.get(province_code)
        if index is None:
            return Resolution(None, UNKNOWN)
        return index.resolve(text)

    def ward(self, province_code: str, district_code: str, text: str) -> Resolution:
        if self.province_of_district(district_code) != province_code:
            return Resolution(None, UNKNOWN)
        if self._aliases is not None and (alias := self._aliases.ward(district_code, text)):
            return Resolution(alias)
        index = self._ward_index.get(district_code)
        if index is None:
            index = NameIndex(official_entries(self._ward_rows.get(district_code, [])))
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
        return _resolve_by_distinct_values(lf, present, resolver).with_columns(unit_numbers())
    return _resolve_codes(lf, resolver)


def _parents(mapping: Mapping[str, str], width: int) -> pl.Series:
    """`mapping` (code -> parent code) as a column indexed by the code's number: the parent's
    number, null for codes not in `mapping`; one more null for a missing code."""
    table: list[int | None] = [None] * (10**width + 1)
    for code, parent in mapping.items():
        table[int(code)] = int(parent)
    return pl.Series(table, dtype=pl.UInt32)


def known_codes(level: str) -> list[str]:
    """The bundled codes of `level` (province, district, ward), in order."""
    resolver = UnitResolver.bundled()
    codes = {
        "province": resolver.province_codes,
        "district": resolver.district_provinces,
        "ward": resolver.ward_districts,
    }[level]
    return sorted(codes)


# The numbers of the resolved codes (`code_number`) beside the codes, for counting persons:
# `core.persons.first_places` orders and groups by them without parsing text. Only the code-only
# path gives them; `unit_numbers` adds them elsewhere.
UNIT_NUMBERS: dict[str, str] = {
    "province_code": "_province_number",
    "district_code": "_district_number",
    "ward_code": "_ward_number",
}


def unit_numbers() -> list[pl.Expr]:
    """`UNIT_NUMBERS` from the code columns."""
    return [
        code_number(pl.col(column), column.removesuffix("_code")).alias(number)
        for column, number in UNIT_NUMBERS.items()
    ]


def _resolve_codes(lf: pl.LazyFrame, resolver: UnitResolver) -> pl.LazyFrame:
    """The code-only rules as per-row lookups in the code tables (no join: rows stay in place).

    Each code is looked up once, as its number (`code_number`); the rules then compare numbers
    (a province's, a district's province, a ward's district, gathered from tables indexed by
    number). Ward codes are unique nationally, so "ward in its district" is the ward's district
    equal to the row's district.
    """
    province_code, district_code, ward_code = (pl.col(column) for column in CODE_COLUMNS)
    province, district, ward = (pl.col(f"__{level}") for level in ("province", "district", "ward"))
    known_provinces = {code: code for code in resolver.province_codes}
    numbers = {
        "__province": pl.lit(_parents(known_provinces, CODE_WIDTH["province"])).gather(
            code_number(province_code, "province").fill_null(10 ** CODE_WIDTH["province"])
        ),
        "__district": code_number(district_code, "district"),
        "__ward": code_number(ward_code, "ward"),
    }
    district_province = pl.lit(
        _parents(resolver.district_provinces, CODE_WIDTH["district"])
    ).gather(district.fill_null(10 ** CODE_WIDTH["district"]))
    ward_district = pl.lit(_parents(resolver.ward_districts, CODE_WIDTH["ward"])).gather(
        ward.fill_null(10 ** CODE_WIDTH["ward"])
    )
    resolved_province = pl.coalesce(province, pl.col("__district_province"))
    problem = (
        pl.when(province_code.is_not_null() & province.is_null())
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
    ward_in_district = (pl.col("__ward_district") == district).fill_null(False)
    accepted = pl.col("unit_problem").is_null()
    province_text = pl.lit(padded_codes(CODE_WIDTH["province"])).gather(
        pl.col("__district_province").fill_null(10 ** CODE_WIDTH["province"])
    )
    return (
        lf.with_columns(**numbers)
        .with_columns(
            district_province.alias("__district_province"),
            ward_district.alias("__ward_district"),
        )
        .with_columns(problem.alias("unit_problem"))
        .with_columns(
            pl.when(accepted)
            .then(pl.coalesce(province_code, province_text))
            .otherwise(province_code)
            .alias("province_code"),
            pl.when(accepted & ~ward_in_district)
            .then(None)
            .otherwise(ward_code)
            .alias("ward_code"),
            (accepted & ward_code.is_not_null() & ~ward_in_district).alias("ward_unresolved"),
            resolved_province.alias(UNIT_NUMBERS["province_code"]),
            district.alias(UNIT_NUMBERS["district_code"]),
            pl.when(ward_in_district).then(ward).alias(UNIT_NUMBERS["ward_code"]),
        )
        .drop("__province", "__district", "__ward", "__district_province", "__ward_district")
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
