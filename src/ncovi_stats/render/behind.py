"""Who is behind, worst first, a few per level (issue 14: a national summary listed 775 units).

The summary lists the `WORST_PER_LEVEL` units with the lowest coverage of each level (compared
exactly, then by code), then says how many more are behind and where to find them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import polars as pl

WORST_PER_LEVEL = 20
LEVEL_ORDER = ("province", "district", "ward")
LEVEL_PLURAL: dict[str, dict[str, str]] = {
    "province": {"en": "provinces", "vi": "tỉnh"},
    "district": {"en": "districts", "vi": "huyện"},
    "ward": {"en": "wards", "vi": "xã"},
}


@dataclass(frozen=True)
class BehindGroup:
    level: str
    rows: list[dict[str, Any]]  # the worst, lowest coverage first
    more: int  # behind, but not in `rows`


def _coverage(row: dict[str, Any]) -> Fraction:
    population = row.get("population")
    return Fraction(row["persons_counted"], population) if population else Fraction(0)


def worst_behind(records: pl.DataFrame, limit: int = WORST_PER_LEVEL) -> list[BehindGroup]:
    """Per level (province, district, ward), the `limit` units behind with the lowest coverage."""
    behind = records.filter(pl.col("status") == "behind").to_dicts()
    groups = []
    for level in LEVEL_ORDER:
        rows = [row for row in behind if row.get("level", level) == level]
        if not rows:
            continue
        rows.sort(key=lambda row: (_coverage(row), str(row.get("unit_code"))))
        groups.append(BehindGroup(level=level, rows=rows[:limit], more=len(rows) - limit))
    return groups
