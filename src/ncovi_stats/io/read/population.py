"""Population denominators (SPEC §2.2): the bundled 2019 census, optionally replaced per unit."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from ncovi_stats import reference
from ncovi_stats.errors import BadInputError
from ncovi_stats.limits import POPULATION_MAX
from ncovi_stats.reference import CENSUS_SOURCE
from ncovi_stats.safe_text import strip_controls
from ncovi_stats.schema import LEVEL_BY_CODE_WIDTH

POPULATION_SCHEMA: dict[str, pl.DataType] = {
    "level": pl.String(),
    "code": pl.String(),
    "population": pl.Int64(),
    "population_source": pl.String(),
}


def census_population() -> pl.DataFrame:
    """Province and district figures of the 2019 census, one row per unit."""
    provinces = reference.provinces().select(
        pl.lit("province").alias("level"),
        pl.col("province_code").alias("code"),
        "population",
    )
    districts = (
        reference.districts()
        .filter(pl.col("population").is_not_null())
        .select(
            pl.lit("district").alias("level"), pl.col("district_code").alias("code"), "population"
        )
    )
    return (
        pl.concat([provinces, districts])
        .with_columns(pl.lit(CENSUS_SOURCE).alias("population_source"))
        .cast(POPULATION_SCHEMA)  # type: ignore[arg-type]
    )


def _known_codes() -> dict[str, set[str]]:
    return {
        "province": set(reference.provinces()["province_code"]),
        "district": set(reference.districts()["district_code"]),
        "ward": set(reference.wards()["ward_code"]),
    }


def _records_with_line_numbers(handle: Iterable[str]) -> list[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on (a quoted field may hold a line break)."""
    reader = csv.reader(handle)
    records = []
    start = 1
    for fields in reader:
        records.append((start, fields))
        start = reader.line_num + 1
    return records


def read_population_file(path: Path) -> pl.DataFrame:
    """A `code,population[,source]` CSV, checked line by line (exit 3 with the line number)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = _records_with_line_numbers(handle)
    except FileNotFoundError:
        raise BadInputError(f"{path}: population file not found; check --population.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadInputError(
            f"{path}: cannot read the population file ({type(error).__name__}); "
            "save it as UTF-8 CSV with columns code,population[,source]."
        ) from None
    if not lines:
        raise BadInputError(f"{path}: the population file is empty; add a header code,population.")
    header = [name.strip().lower() for name in lines[0][1]]
    if "code" not in header or "population" not in header:
        raise BadInputError(
            f"{path}:1: the population file needs columns 'code' and 'population' "
            f"(found: {', '.join(header)})."
        )
    code_at, population_at = header.index("code"), header.index("population")
    source_at = header.index("source") if "source" in header else None
    known = _known_codes()
    seen: dict[str, int] = {}
    rows = []
    for number, fields in lines[1:]:
        if not any(field.strip() for field in fields):
            continue
        where = f"{path}:{number}"
        code = fields[code_at].strip() if code_at < len(fields) else ""
        level = LEVEL_BY_CODE_WIDTH.get(len(code))
        if not code.isdigit() or level is None:
            raise BadInputError(
                f"{where}: code '{code}' is not a zero-padded GSO code "
                "(2 digits for a province, 3 for a district, 5 for a ward, e.g. 01, 001, 00001)."
            )
        if code not in known[level]:
            raise BadInputError(f"{where}: unknown {level} code '{code}'; check the GSO code.")
        if code in seen:
            raise BadInputError(
                f"{where}: code '{code}' is listed twice (first on line {seen[code]})."
            )
        seen[code] = number
        text = fields[population_at].strip() if population_at < len(fields) else ""
        if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= POPULATION_MAX:
            raise BadInputError(
                f"{where}: population '{text}' is not a whole number from 1 to "
                f"{POPULATION_MAX:,}; write it without separators, e.g. 733017."
            )
        source = (
            fields[source_at].strip() if source_at is not None and source_at < len(fields) else ""
        )
        rows.append((level, code, int(text), strip_controls(source or path.stem)))
    return pl.DataFrame(rows, schema=POPULATION_SCHEMA, orient="row")


def load_population(override: Path | None = None) -> pl.DataFrame:
    """Census figures, each unit listed in `override` replaced by the file's figure."""
    census = census_population()
    if override is None:
        return census
    replacement = read_population_file(override)
    kept = census.join(replacement.select("code"), on="code", how="anti")
    return pl.concat([kept, replacement]).sort("level", "code")
