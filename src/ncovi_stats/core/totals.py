"""The totals row of a unit listing (SPEC §3.4): one province figure everywhere.

A district listing always holds every district of its provinces (§3.4), so its totals row is the
provinces' own figures: the province's population (never recomputed from its districts, §2.2)
and every person counted in it (those whose first row lacks a district included, §3.3). It then
equals the province row of the province table. Where a province of the scope has no population
figure of its own, the row sums the listed units instead, and says so (`population_from`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

POPULATION_FROM = ("province", "listed-units")


def listing_totals(
    records: pl.DataFrame,
    *,
    level: str,
    population: pl.DataFrame,
    scope: Sequence[str],
    persons_in_scope: int,
) -> dict[str, Any]:
    """`population`, `persons_counted`, `population_from` (and what the listed units sum to)
    of the totals row of `records`, a listing of `level` over the provinces of `scope`."""
    listed = records.filter(pl.col("population").is_not_null())
    units_population = int(listed["population"].sum())
    units_persons = int(listed["persons_counted"].sum())
    provinces = population.filter(
        (pl.col("level") == "province") & pl.col("code").is_in(list(scope))
    )
    if level != "district" or not scope or provinces.height != len(set(scope)):
        return {
            "population": units_population,
            "persons_counted": units_persons,
            "population_from": "listed-units",
        }
    return {
        "population": int(provinces["population"].sum()),
        "persons_counted": persons_in_scope,
        "population_from": "province",
        "provinces": provinces.height,
        "population_sources": sorted(set(provinces["population_source"].to_list())),
        "listed_units_population": units_population,
        "listed_units_persons": units_persons,
    }
