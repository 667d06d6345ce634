"""A row's time and place in one Int64, for finding each person's first place (SPEC §3.3).

`persons.first_places` keeps, per person, the minimum of a key that orders rows by time, then
ward, district and province (each empty last). Packed as the time and each code's number, that
key takes 98 bits (an Int128). An accepted row's place is fixed by its most precise unit: a
ward fixes its district and province, a district its province (`core.units` rejects rows whose
units disagree and drops a ward not in the row's district). So the places can be ranked in one
list, in the order of the key: every known ward (by code), then every district without a ward,
then every province without either; about 10,800 places, 14 bits. The time, in microseconds
since `values.EARLIEST_TIME` (no accepted row is earlier), takes the 49 bits above: until late
2037. The key is then an Int64, and the group-by over persons holds 24 bytes a person, not 32
(about 10% less time at 10 million rows).

The districts are those in force (`core.crosswalk`): a ward's district is its legacy district
remapped. `place_key` gives no key (None: the caller keeps the Int128 key) when its ranking
would not hold: times that may pass the 49 bits, a district change across provinces (a
district without a ward would then have two provinces), or one to a code not in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import polars as pl

from ncovi_stats.core.resolve import UNIT_NUMBERS, known_codes
from ncovi_stats.core.units import UnitResolver
from ncovi_stats.core.values import EARLIEST_TIME, TIME_UNIT
from ncovi_stats.schema import CODE_WIDTH

_LEVELS = ("ward", "district", "province")  # the order of the place list


@dataclass(frozen=True)
class PlaceKey:
    """The Int64 key of `place_key`: `order()` per row, `decoded(key)` per person."""

    ranks: dict[str, pl.Series]  # per level: a code's number -> its place's rank (else null)
    codes: dict[str, tuple[pl.Series, pl.Series]]  # per level: Enum of codes, code per rank
    bits: int

    def order(self) -> pl.Expr:
        """The key of a row as `core.normalise` gives it (with `resolve.UNIT_NUMBERS`)."""
        place = pl.coalesce(
            pl.lit(self.ranks[level]).gather(
                pl.col(UNIT_NUMBERS[f"{level}_code"]).fill_null(10 ** CODE_WIDTH[level])
            )
            for level in _LEVELS
        )
        since = pl.col("declared_at").cast(pl.Int64) - _EARLIEST
        return since * (1 << self.bits) + place.fill_null((1 << self.bits) - 1)

    def decoded(self, key: pl.Expr, time_dtype: pl.DataType) -> list[pl.Expr]:
        """`declared_at` and the unit codes (Enums of the bundled codes) of a key."""
        since = key // (1 << self.bits)
        place = key - since * (1 << self.bits)
        time = (since + _EARLIEST).cast(pl.Datetime(TIME_UNIT)).cast(time_dtype)
        exprs = [time.alias("declared_at")]
        for level in reversed(_LEVELS):
            enum, positions = self.codes[level]
            exprs.append(
                pl.lit(enum).gather(pl.lit(positions).gather(place)).alias(f"{level}_code")
            )
        return exprs


_EARLIEST = int((EARLIEST_TIME - datetime(1970, 1, 1)).total_seconds()) * 10**6


def place_key(districts: Mapping[str, str], until: datetime) -> PlaceKey | None:
    """The key for accepted rows no later than `until`, with `districts` (old code -> code in
    force) remapped; None where it would not hold (see the module notes)."""
    key = _place_key(frozenset(districts.items()))
    if key is None:
        return None
    latest = (until - EARLIEST_TIME) // _ONE_MICROSECOND
    return key if latest < 1 << (63 - key.bits) else None


_ONE_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1) - datetime(1970, 1, 1)


@cache
def _place_key(districts: frozenset[tuple[str, str]]) -> PlaceKey | None:
    resolver = UnitResolver.bundled()
    mapping = dict(districts)
    province_of = resolver.district_provinces
    if any(province_of.get(old) != province_of.get(new) for old, new in mapping.items()):
        return None
    known = {level: known_codes(level) for level in _LEVELS}
    known["district"] = sorted(set(known["district"]) - set(mapping))
    if not set(mapping.values()) <= set(known["district"]):  # a chain, or an unknown new code
        return None
    # each place: (ward, district, province), ranked in the order of the list
    places: list[tuple[str | None, str | None, str | None]] = []
    for ward in known["ward"]:
        district = resolver.ward_districts[ward]
        places.append((ward, mapping.get(district, district), province_of.get(district)))
    places += [(None, district, province_of.get(district)) for district in known["district"]]
    places += [(None, None, province) for province in known["province"]]
    bits = len(places).bit_length()  # the last rank, all ones, is no place
    if any(province is None for _, _, province in places):  # a code the tables do not hold
        return None
    ranks = {}
    start = 0
    for level in _LEVELS:
        table: list[int | None] = [None] * (10 ** CODE_WIDTH[level] + 1)
        for offset, code in enumerate(known[level]):
            table[int(code)] = start + offset
        ranks[level] = pl.Series(table, dtype=pl.Int64)
        start += len(known[level])
    for old, new in mapping.items():  # an old district is read as the one it became
        ranks["district"][int(old)] = ranks["district"][int(new)]
    codes = {}
    for index, level in enumerate(_LEVELS):
        at_rank = [place[index] for place in places]
        values = sorted({given for given in at_rank if given is not None})
        position = {given: at for at, given in enumerate(values)}
        of_rank = [None if given is None else position[given] for given in at_rank]
        of_rank += [None] * ((1 << bits) - len(of_rank))
        enum = pl.Series([*values, None], dtype=pl.Enum(values))
        codes[level] = (enum, pl.Series(of_rank, dtype=pl.UInt32).fill_null(len(values)))
    return PlaceKey(ranks, codes, bits)
