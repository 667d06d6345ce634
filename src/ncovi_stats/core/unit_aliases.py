"""Unit names a user maps to GSO codes: `[unit_aliases]` in the config, `--aliases FILE`.

An alias is a text as it appears in an export and the code it stands for; the code's length says
the level (2 province, 3 district, 5 ward). Aliases are looked up before the matching rules of
`core.unit_names`, with the same comparison as their first tier (case, spacing, punctuation and
leading zeros ignored, tone-mark placement free: `normalise_name(...).tone`), and never strip a
prefix: the text is taken whole. A district alias applies within the district's province, a
ward alias within the ward's district, so "Châu Thành" may be an alias in two provinces.

Refused (a `BadInputError`, exit 3, naming where the alias came from):
- a code that is not a province, district or ward code of the reference tables;
- one text given two different codes in the same parent (an ambiguous alias).

polars and the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ncovi_stats.core.unit_names import normalise_name
from ncovi_stats.errors import BadInputError

CODE_LEVELS: dict[int, str] = {2: "province", 3: "district", 5: "ward"}


@dataclass(frozen=True)
class Alias:
    """One alias and where it was written (for messages): 'aliases.csv line 4'."""

    text: str
    code: str
    where: str


@dataclass(frozen=True)
class UnitAliases:
    """Validated aliases by level and parent: key -> code."""

    provinces: dict[str, str] = field(default_factory=dict)
    districts: dict[tuple[str, str], str] = field(default_factory=dict)  # (province, key)
    wards: dict[tuple[str, str], str] = field(default_factory=dict)  # (district, key)
    count: int = 0

    def province(self, text: str) -> str | None:
        return self.provinces.get(_key(text))

    def district(self, province_code: str, text: str) -> str | None:
        return self.districts.get((province_code, _key(text)))

    def ward(self, district_code: str, text: str) -> str | None:
        return self.wards.get((district_code, _key(text)))


def _key(text: str) -> str:
    return normalise_name(text).tone


def build_aliases(
    aliases: Iterable[Alias],
    *,
    provinces: Iterable[str],
    district_provinces: dict[str, str],
    ward_districts: dict[str, str],
) -> UnitAliases:
    """Check each alias against the unit codes and index it under its parent."""
    known_provinces = set(provinces)
    tables: dict[str, dict[tuple[str, str], tuple[str, Alias]]] = {
        "province": {},
        "district": {},
        "ward": {},
    }
    count = 0
    for alias in aliases:
        code = alias.code.strip()
        text = alias.text.strip()
        if not text or not _key(text):
            raise BadInputError(f"{alias.where}: the alias text is empty; write the name to map.")
        level = CODE_LEVELS.get(len(code)) if code.isdigit() else None
        parent = {
            "province": "" if code in known_provinces else None,
            "district": district_provinces.get(code),
            "ward": ward_districts.get(code),
        }.get(level or "")
        if level is None or parent is None:
            raise BadInputError(
                f"{alias.where}: '{code}' is not a GSO province (2 digits), district (3) or "
                "ward (5) code of the reference tables; write the code of the unit the text means."
            )
        key = (parent, _key(text))
        earlier = tables[level].get(key)
        if earlier is not None and earlier[0] != code:
            raise BadInputError(
                f"{alias.where}: alias '{text}' is ambiguous: {earlier[1].where} maps it to "
                f"{earlier[0]}, this line to {code}; keep one."
            )
        tables[level][key] = (code, alias)
        count += 1
    return UnitAliases(
        provinces={key: code for (_, key), (code, _) in tables["province"].items()},
        districts={key: code for key, (code, _) in tables["district"].items()},
        wards={key: code for key, (code, _) in tables["ward"].items()},
        count=count,
    )
