"""Districts as they were on the cut-off date (SPEC §2.2, §2.3, §3.4; issue 12).

The census counted the districts of 1 April 2019; by spring 2020 some had merged (Cao Bằng:
Quảng Uyên + Phục Hòa → Quảng Hòa keeping code 049, Thông Nông into Hà Quảng, Trà Lĩnh into
Trùng Khánh; Quảng Ninh: Hoành Bồ into Hạ Long; ...). The bundled table `district_crosswalk.csv`
(sources and what could not be verified: reference/data/SOURCES.md) lists each change: old code → new code,
effective date, legal reference. At a cut-off, the changes effective on or before its local date
are in force, and then:

- rows: a district code of a merged unit is read as the code of the unit it became
  (`remap_districts`), so persons are counted in the units in force;
- listing: the merged units are not listed; the new unit carries its new name (`district_units`);
- denominators: the census figures of the merged units are summed into the new unit
  (`district_population`); a figure the user gave for the new code (`--population`) is kept
  as given, and the figures of its old codes are then dropped.

Names of either vintage resolve (`core.unit_names`): "Quảng Uyên" is 049 and so is "Quảng Hòa".
A commune that moved with a merger is not split out: the sums are of whole 2019 districts (the
one known case, xã Quốc Toản of Trà Lĩnh going to Quảng Hòa, is in SOURCES.md).

polars and the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from ncovi_stats import reference
from ncovi_stats.core.lookup import lookup
from ncovi_stats.core.resolve import UNIT_NUMBERS
from ncovi_stats.reference import CENSUS_SOURCE
from ncovi_stats.schema import CODE_WIDTH


@dataclass(frozen=True)
class Change:
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    effective_date: date
    legal_reference: str
    verified: str


@dataclass(frozen=True)
class Crosswalk:
    """The changes in force at one date (none before the first effective date)."""

    changes: tuple[Change, ...] = ()

    @property
    def mapping(self) -> dict[str, str]:
        """Old district code -> the code in force (codes that stay are left out)."""
        return {c.old_code: c.new_code for c in self.changes if c.old_code != c.new_code}

    @property
    def new_names(self) -> dict[str, str]:
        return {c.new_code: c.new_name for c in self.changes}

    def meta(self) -> list[dict[str, Any]]:
        """The changes applied, for the JSON `meta` (`units_crosswalk`)."""
        return [
            {
                "old_code": c.old_code,
                "old_name": c.old_name,
                "new_code": c.new_code,
                "new_name": c.new_name,
                "effective_date": c.effective_date.isoformat(),
                "legal_reference": c.legal_reference,
                "verified": c.verified,
            }
            for c in self.changes
        ]


def in_force(cutoff: datetime | date | None) -> Crosswalk:
    """The changes effective on or before the cut-off's (local) date; none without a cut-off."""
    if cutoff is None:
        return Crosswalk()
    day = cutoff.date() if isinstance(cutoff, datetime) else cutoff
    rows = reference.district_crosswalk().filter(pl.col("effective_date") <= day)
    return Crosswalk(
        tuple(Change(**row) for row in rows.sort("new_code", "old_code").iter_rows(named=True))
    )


def remap_districts(frame: pl.LazyFrame, crosswalk: Crosswalk) -> pl.LazyFrame:
    """`district_code` read as the code in force (a per-row lookup: row order is kept), and its
    number (`resolve.UNIT_NUMBERS`) where the frame has it, as an integer gather.

    `core.lookup` rather than `Expr.replace`, which the streaming engine runs on whole columns
    (every row of the read held in memory)."""
    mapping = crosswalk.mapping
    if not mapping:
        return frame
    code = pl.col("district_code")
    remapped = [pl.coalesce(lookup(code, mapping, dtype=pl.String()), code).alias("district_code")]
    number = UNIT_NUMBERS["district_code"]
    if number in frame.collect_schema():
        table = list(range(10 ** CODE_WIDTH["district"] + 1))
        for old, new in mapping.items():
            table[int(old)] = int(new)
        renumbered = pl.lit(pl.Series(table, dtype=pl.UInt32)).gather(pl.col(number))
        remapped.append(renumbered.alias(number))
    return frame.with_columns(remapped)


def district_units(units: pl.DataFrame, crosswalk: Crosswalk) -> pl.DataFrame:
    """A unit listing with `district_code`/`district_name` (districts, or wards with their
    district) in the units in force: merged districts' rows take the new code and name, and
    a district listing holds each new unit once."""
    if not crosswalk.changes:
        return units
    names = crosswalk.new_names
    remapped = units.with_columns(pl.col("district_code").replace(crosswalk.mapping)).with_columns(
        pl.col("district_code")
        .replace_strict(names, default=pl.col("district_name"), return_dtype=pl.String)
        .alias("district_name")
    )
    return remapped.unique(maintain_order=True) if "ward_code" not in units.columns else remapped


def district_population(population: pl.DataFrame, crosswalk: Crosswalk) -> pl.DataFrame:
    """`level, code, population, population_source` with district figures of the units in
    force: census figures of merged units summed into the new code (see the module docstring)."""
    mapping = crosswalk.mapping
    if not mapping:
        return population
    districts = population.filter(pl.col("level") == "district")
    given_new = set(
        districts.filter(
            pl.col("code").is_in(list(crosswalk.new_names))
            & ~pl.col("code").is_in(list(mapping))
            & (pl.col("population_source") != CENSUS_SOURCE)
        )["code"].to_list()
    )
    merged = (
        districts.filter(
            ~(
                pl.col("code").is_in(list(mapping))
                & pl.col("code").replace(mapping).is_in(list(given_new))
            )
        )
        .with_columns(pl.col("code").replace(mapping))
        .group_by("level", "code")
        .agg(
            pl.col("population").sum(),
            pl.col("population_source").unique().sort().str.join(", "),
        )
    )
    return pl.concat(
        [population.filter(pl.col("level") != "district"), merged.select(population.columns)]
    ).sort("level", "code")
