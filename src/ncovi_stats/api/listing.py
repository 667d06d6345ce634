"""Listed units of a level (SPEC §3.4) with any count columns, in 2020 or 2025 units.

Shared by the coverage views, the ranking and the follow-up: counts come per (province,
district, ward) of the persons' first rows; this module lists the units, names them, sums the
counts to the level and, with `units=2025`, re-aggregates provinces to the 2025 map (§3.9).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from ncovi_stats import reference
from ncovi_stats.api.units import unit_names
from ncovi_stats.core import coverage, tabulate, units2025
from ncovi_stats.core.crosswalk import Crosswalk, district_population

VINTAGES: tuple[int, ...] = (2020, 2025)


@dataclass(frozen=True)
class Listing:
    """Records per listed unit and the scope they cover (2025 codes with units=2025)."""

    records: pl.DataFrame
    scope: list[str]
    legacy_scope: list[str]
    unplaced: int  # persons in scope without a unit of the level


def check_units(level: str, units: int | None) -> None:
    """A clear usage error before any reading: 2025 units exist at province level only."""
    if units == 2025:
        units2025.check_level(level)


def list_units(
    counts: pl.DataFrame,
    *,
    level: str,
    population: pl.DataFrame,
    provinces: Sequence[str],
    sum_columns: Sequence[str] = (),
    units: int | None = None,
    target: Decimal | None = None,
    units_in_force: Crosswalk | None = None,
) -> Listing:
    """The units of `level` in scope with population, persons_counted, coverage and `sum_columns`.

    `counts` has province_code, district_code, ward_code, persons_counted and `sum_columns`.
    """
    legacy_scope = coverage.scope_provinces(counts, provinces)
    unplaced = tabulate.unplaced_persons(counts, level, legacy_scope)
    if units != 2025:
        records = coverage.coverage_records(
            counts,
            level=level,
            units=unit_names(level, units_in_force),
            population=district_population(population, units_in_force or Crosswalk()),
            scope=legacy_scope,
            target=target,
        )
        records = tabulate.add_sums(records, counts, level, sum_columns)
        return Listing(records, legacy_scope, legacy_scope, unplaced)

    units2025.check_level(level)
    every_province = reference.provinces()["province_code"].to_list()
    legacy = coverage.coverage_records(
        counts,
        level="province",
        units=unit_names("province"),
        population=population,
        scope=every_province,
    )
    legacy = tabulate.add_sums(legacy, counts, "province", sum_columns)
    scope = units2025.scope_2025(legacy_scope)
    merged = tabulate.with_coverage(
        units2025.to_2025(legacy, ["persons_counted", *sum_columns]).filter(
            pl.col("province_code").is_in(scope)
        )
    )
    if target is not None:
        needed = [
            None if pop is None else coverage.persons_needed(target, pop, persons)
            for pop, persons in zip(
                merged["population"].to_list(), merged["persons_counted"].to_list(), strict=True
            )
        ]
        merged = merged.with_columns(
            pl.lit(float(target)).alias("target_pct"),
            pl.Series("persons_needed", needed, dtype=pl.Int64),
        )
    merged = merged.sort(["coverage_pct", "province_code"], descending=[True, False])
    return Listing(merged, scope, legacy_scope, unplaced)


def units_meta(listing: Listing, units: int | None) -> dict[str, Any]:
    """What the meta says about the unit map used."""
    if units != 2025:
        return {"units_vintage": 2020}
    return {
        "units_vintage": 2025,
        "legacy_scope": listing.legacy_scope,
        "units_note": "2020 persons and populations of the 63 legacy provinces summed into "
        "the 34 provinces of the 2025 reform, then divided.",
    }


def unresolved_meta(unresolved: pl.DataFrame, scope: Sequence[str]) -> list[dict[str, Any]]:
    """Unresolved wards per district in scope (legacy codes), for collaborators to fix."""
    names = unit_names("district").select("district_code", "district_name")
    listed = (
        unresolved.filter(pl.col("province_code").is_in(list(scope)))
        .join(names, on="district_code", how="left")
        .select("province_code", "district_code", "district_name", "rows")
        .sort("province_code", "district_code", nulls_last=True)
    )
    return listed.to_dicts()


def ward_meta(
    level: str, frames: Sequence[pl.DataFrame], position: int, scope: Sequence[str]
) -> dict[str, Any]:
    """At ward level, the unresolved wards per district (`unresolved_meta` of
    `frames[position]`, a query only ward-level reads add); nothing otherwise."""
    if level != "ward":
        return {}
    return {"unresolved_wards_by_district": unresolved_meta(frames[position], scope)}
