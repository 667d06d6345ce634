"""Administrative units: the resolver of unit codes and names against the bundled tables
(SPEC §2.3). How one name is matched is in `core.unit_names`; the row step over a frame is
`core.resolve.resolve_units`."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
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
from ncovi_stats.errors import RejectReason

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
        ward_names: Callable[[], pl.DataFrame] | None = None,
    ) -> None:
        """`ward_names` gives the wards with their official names, called when a ward name is
        first looked up (default: `wards`, whose codes are read at once)."""
        self._provinces = frozenset(provinces["province_code"].to_list())
        self._district_province: dict[str, str] = dict(
            zip(districts["district_code"], districts["province_code"], strict=True)
        )
        self._ward_district: dict[str, str] = dict(
            zip(wards["ward_code"], wards["district_code"], strict=True)
        )

        self._names = (provinces, districts, ward_names or (lambda: wards), legacy_district_names)
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
            self._names[2]().select("district_code", "ward_code", "ward_name").iter_rows()
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
        reference.ward_codes(),
        reference.legacy_district_names(),
        ward_names=reference.wards,
    )
