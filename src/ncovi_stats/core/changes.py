"""What changed since the previous bundle in the same --out (issue 14): persons +N, coverage
+x percentage points per unit, and the units that crossed their target.

The previous bundle's `tables/provinces.json` and `tables/districts.json` are the "before"; the
tables of this bundle the "now". Coverage changes are computed from the integer counts, exactly,
then rounded half-up to hundredths of a point for people.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from ncovi_stats.core.coverage import hundredths_half_up

LEVEL_TABLES = {"province": "provinces", "district": "districts"}
Previous = tuple[str, Mapping[str, bytes]]  # the previous bundle's name and its table files
PreviousLookup = Callable[[str], Previous | None]  # this bundle's name -> the one before it


@dataclass(frozen=True)
class Changes:
    previous: str  # the previous bundle's folder name, e.g. 2020-04-07_1700
    previous_cutoff: str  # its cut-off, ISO 8601 with offset
    # per unit: level, code, name, persons_before, persons_counted, persons_added,
    # coverage_before_pct, coverage_pct, change_hundredths (pp × 100), crossed_target
    units: pl.DataFrame
    # Re-issued exports: when the previous cut-off is 24 hours before this one, the rank table
    # counts each unit then (`persons_counted_day_before`) from today's inputs; a unit whose
    # count differs from the previous bundle's was revised: code, name, published, now.
    revisions: pl.DataFrame | None = None


def revisions_of(
    previous_tables: Mapping[str, list[dict[str, Any]]],
    rank: pl.DataFrame | None,
    *,
    previous_cutoff: datetime | None,
    cutoff: datetime,
) -> pl.DataFrame | None:
    """Units whose figures at the previous cut-off changed since they were published (the export
    was re-issued); None when the previous cut-off is not 24 hours before (nothing to compare)."""
    if rank is None or previous_cutoff is None or cutoff - previous_cutoff != timedelta(days=1):
        return None
    level = "district" if "district_code" in rank.columns else "province"
    code = f"{level}_code"
    published = {r[code]: r["persons_counted"] for r in previous_tables.get(level, [])}
    rows = [
        {
            "code": row[code],
            "name": row[f"{level}_name"],
            "published": published[row[code]],
            "now": row["persons_counted_day_before"],
        }
        for row in rank.iter_rows(named=True)
        if row[code] in published and published[row[code]] != row["persons_counted_day_before"]
    ]
    schema = {"code": pl.String, "name": pl.String, "published": pl.Int64, "now": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _coverage(persons: int, population: int | None) -> Fraction | None:
    return Fraction(persons * 100, population) if population else None


def changes_since(
    previous: Previous,
    tables: Mapping[str, pl.DataFrame],
    target_of: Callable[[str], Decimal | None],
    cutoff: datetime | None = None,
) -> Changes:
    """Per unit listed now and in the previous bundle: persons and coverage then and now, and
    whether the unit crossed its target (below it then, at or above it now)."""
    name, files = previous
    rows: list[dict[str, Any]] = []
    previous_cutoff = ""
    previous_tables: dict[str, list[dict[str, Any]]] = {}
    for level, table in LEVEL_TABLES.items():
        data = files.get(f"tables/{table}.json")
        if data is None or table not in tables:
            continue
        document = json.loads(data)
        previous_cutoff = previous_cutoff or str(document.get("meta", {}).get("cutoff", ""))
        previous_tables[level] = document.get("records", [])
        code = f"{level}_code"
        before = {record[code]: record for record in previous_tables[level]}
        for now in tables[table].iter_rows(named=True):
            then = before.get(now[code])
            if then is None:
                continue
            coverage_now = _coverage(now["persons_counted"], now["population"])
            coverage_then = _coverage(then["persons_counted"], then["population"])
            target = target_of(now["province_code"])
            crossed = (
                target is not None
                and coverage_now is not None
                and coverage_then is not None
                and coverage_then < Fraction(target) <= coverage_now
            )
            change = (
                None
                if coverage_now is None or coverage_then is None
                else hundredths_half_up(coverage_now - coverage_then)
            )
            rows.append(
                {
                    "level": level,
                    "code": now[code],
                    "name": now[f"{level}_name"],
                    "persons_before": then["persons_counted"],
                    "persons_counted": now["persons_counted"],
                    "persons_added": now["persons_counted"] - then["persons_counted"],
                    "population": now["population"],
                    "population_before": then["population"],
                    "change_hundredths": change,
                    "crossed_target": crossed,
                }
            )
    schema = {
        "level": pl.String,
        "code": pl.String,
        "name": pl.String,
        "persons_before": pl.Int64,
        "persons_counted": pl.Int64,
        "persons_added": pl.Int64,
        "population": pl.Int64,
        "population_before": pl.Int64,
        "change_hundredths": pl.Int64,
        "crossed_target": pl.Boolean,
    }
    published_at = (
        datetime.fromisoformat(previous_cutoff).replace(tzinfo=None) if previous_cutoff else None
    )
    revisions = None
    if cutoff is not None:
        revisions = revisions_of(
            previous_tables, tables.get("rank"), previous_cutoff=published_at, cutoff=cutoff
        )
    units = pl.DataFrame(rows, schema=schema, orient="row")
    return Changes(name, previous_cutoff, units, revisions)
