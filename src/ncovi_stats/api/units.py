"""The units a request can name: provinces resolved from codes or names (`--province`), and the
names of every unit of a level with their parents, as they were at a cut-off."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ncovi_stats import reference
from ncovi_stats.core import coverage, crosswalk
from ncovi_stats.core.units import UnitResolver
from ncovi_stats.errors import UsageError


def resolve_provinces(texts: Sequence[str]) -> tuple[str, ...]:
    """`--province` values (codes or names, with or without diacritics) to GSO codes."""
    resolver = UnitResolver.bundled()
    codes = []
    for text in texts:
        stripped = text.strip()
        if stripped.isdigit() and resolver.is_province(stripped.zfill(2)):
            codes.append(stripped.zfill(2))
            continue
        resolution = resolver.province(stripped)
        if resolution.code is None:
            problem = (
                "matches several provinces"
                if resolution.problem == "ambiguous-unit"
                else "is not a province"
            )
            raise UsageError(
                f"--province '{text}' {problem}; give the 2-digit GSO code (e.g. 93) "
                "or the name (e.g. 'Hậu Giang')."
            )
        codes.append(resolution.code)
    return tuple(dict.fromkeys(codes))


def unit_names(level: str, units_in_force: crosswalk.Crosswalk | None = None) -> pl.DataFrame:
    """Every known unit of `level` with its name and the names of its parents; with
    `units_in_force`, districts as they were then (`core.crosswalk.district_units`)."""
    provinces = reference.provinces().select("province_code", "province_name")
    if level == "province":
        return provinces
    districts = reference.districts().select("province_code", "district_code", "district_name")
    if level == "ward":
        wards = reference.wards().select("district_code", "ward_code", "ward_name")
        districts = wards.join(districts, on="district_code", how="left")
    named = districts.join(provinces, on="province_code", how="left").select(
        coverage.unit_columns(level)
    )
    return crosswalk.district_units(named, units_in_force or crosswalk.Crosswalk())
