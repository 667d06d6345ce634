"""Synthetic declaration exports drawn from the 2019 census, for demos, tests and benchmarks.

`generate_declarations()` returns a frame of canonical columns (SPEC §2.1) that looks like an NCOVI
export of spring 2020: persons spread over the districts in proportion to their census population,
first declarations following the campaign (slow from 10 March, a strong push in early April, office
hours), about one person in five declaring again (sometimes in another district or province),
household and collaborator rows, and a few at-risk persons with their verification times. Every
value comes from a seeded random generator: the same arguments give the same frame, and no value is
derived from anything real about a person. `write_export()` writes such a frame as CSV or Parquet.

The shares and shapes live in `api.sample_draws.Profile` (`NCOVI_2020` is the default), with the
draws. Everything is vectorised:
on the 2-core reference machine a million rows take about 2 s, ten million about 16 s.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from ncovi_stats import reference
from ncovi_stats.api.sample_draws import (
    MICROSECONDS,
    NCOVI_2020,
    Census,
    Clock,
    Places,
    Profile,
    draw_follow_up,
    draw_rows,
    person_keys,
    time_order,
    to_local_us,
)
from ncovi_stats.errors import OutputError, UsageError
from ncovi_stats.schema import CHANNEL_ORDER, DECLARED_BY_ORDER

CAMPAIGN_START = datetime(2020, 3, 10, 0, 0)
CAMPAIGN_UNTIL = datetime(2020, 4, 17, 17, 0)
DEFAULT_COVERAGE_PCT = 72.0


COLUMN_ORDER: tuple[str, ...] = (
    "declaration_id",
    "declared_at",
    "person_key",
    "province_code",
    "district_code",
    "ward_code",
    "declared_by",
    "channel",
    "risk_flag",
    "verified_at",
)

EXPORT_SUFFIXES: tuple[str, ...] = (".csv", ".parquet")
CSV_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
PARQUET_ZSTD_LEVEL = 3

MAX_PERSONS = 500_000_000
MAX_SPAN_S = 60 * 366 * 86400


# --- census ------------------------------------------------------------------------------------


@cache
def load_census() -> Census:
    """The bundled 2019 census tables and the legacy ward list, codes as text."""
    districts = reference.districts().filter(pl.col("population").is_not_null())
    return Census(
        reference.provinces().sort("province_code"),
        districts.sort("province_code", "district_code"),
        reference.wards().sort("province_code", "district_code", "ward_code"),
    )


def population_of(provinces: Sequence[str] | None) -> int:
    """Census population of the given provinces (all 63 when None)."""
    codes = _province_codes(provinces)
    table = load_census().provinces
    return int(table.filter(pl.col("province_code").is_in(codes))["population"].sum())


def _province_codes(provinces: Sequence[str] | None) -> list[str]:
    known = load_census().provinces["province_code"].to_list()
    if provinces is None:
        return known
    codes = sorted(set(provinces))
    if not codes:
        raise UsageError("No province given; name at least one, or none for all 63.")
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise UsageError(
            f"Unknown province code {', '.join(unknown)}: use the 2-digit GSO codes of the "
            f"2019 census (01 Hà Nội … 96 Cà Mau)."
        )
    return codes


def persons_for_coverage(population: int, coverage_pct: float) -> int:
    """round(coverage_pct × population / 100), half up, computed exactly."""
    exact = Decimal(repr(coverage_pct)) * population / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- generation --------------------------------------------------------------------------------


def generate_declarations(
    provinces: Sequence[str] | None,
    *,
    persons: int | None = None,
    coverage_pct: float | None = None,
    start: datetime = CAMPAIGN_START,
    until: datetime = CAMPAIGN_UNTIL,
    seed: int = 0,
    profile: Profile = NCOVI_2020,
) -> pl.DataFrame:
    """A synthetic export of the given provinces (GSO codes; None = all 63).

    `persons` distinct persons, or `coverage_pct` of the provinces' census population (default
    72%), each with a first row in [start, until] and possibly later rows, all at or before
    `until`. Sorted by `declared_at`, then `declaration_id`; times are naive local times.
    The same arguments give the same frame.
    """
    codes = _province_codes(provinces)
    n = _persons_wanted(codes, persons, coverage_pct)
    start_us, until_us = to_local_us(start), to_local_us(until)
    if not MICROSECONDS <= until_us - start_us < MAX_SPAN_S * MICROSECONDS:
        raise UsageError(
            f"The end of the export must be after its start ({start:%Y-%m-%d %H:%M}) "
            "and within 60 years of it."
        )
    if seed < 0:
        raise UsageError(f"The seed must be a whole number ≥ 0, not {seed}.")

    rng = np.random.Generator(np.random.PCG64(seed))
    places = Places.build(load_census(), codes, rng)
    clock = Clock.build(start_us, until_us, profile)
    rows = draw_rows(n, places, clock, rng, profile)
    flag_row, verified_s = draw_follow_up(rows, clock, rng, profile)
    m = rows.person.size
    risk_flag = np.zeros(m, dtype=bool)
    risk_flag[flag_row] = True
    verified_us = np.full(m, -1, dtype=np.int64)
    verified_us[flag_row] = np.where(verified_s >= 0, start_us + verified_s * MICROSECONDS, -1)

    # Order by time, ties in a scrambled row order; ids follow that order.
    order, offset_s = time_order(rows.offset_s, rng)
    ward = pl.Series(rows.ward[order])
    verified = pl.Series(verified_us[order])
    ids = pl.int_range(1, m + 1, eager=True).cast(pl.String).str.zfill(max(9, len(str(m))))
    district = rows.district[order]
    return pl.DataFrame(
        {
            "declaration_id": "D" + ids,
            "declared_at": pl.Series(start_us + offset_s * MICROSECONDS).cast(pl.Datetime("us")),
            "person_key": person_keys(n, rng).gather(rows.person[order]),
            "province_code": places.province_of_district.gather(district),
            "district_code": places.district_codes.gather(district),
            "ward_code": places.ward_codes.gather(ward.set(ward < 0, None)),
            "declared_by": pl.Series(DECLARED_BY_ORDER).gather(rows.declared_by[order]),
            "channel": pl.Series(CHANNEL_ORDER).gather(rows.channel[order]),
            "risk_flag": pl.Series(risk_flag[order]),
            "verified_at": verified.set(verified < 0, None).cast(pl.Datetime("us")),
        }
    )


def _persons_wanted(codes: list[str], persons: int | None, coverage_pct: float | None) -> int:
    if persons is not None and coverage_pct is not None:
        raise UsageError("Give either a number of persons or a coverage, not both.")
    if persons is None:
        pct = DEFAULT_COVERAGE_PCT if coverage_pct is None else coverage_pct
        if not (math.isfinite(pct) and pct > 0):
            raise UsageError(f"The coverage must be a positive percentage, not {pct}.")
        persons = persons_for_coverage(population_of(codes), pct)
    if persons < 1:
        raise UsageError("The export needs at least one person: raise the persons or coverage.")
    if persons > MAX_PERSONS:
        raise UsageError(f"At most {MAX_PERSONS:,} persons can be generated at once.")
    return persons


# --- writing -----------------------------------------------------------------------------------


def check_export_path(path: Path | str) -> Path:
    """`path` if an export can be written there: a .csv or .parquet name in an existing folder."""
    path = Path(path)
    if path.suffix.lower() not in EXPORT_SUFFIXES:
        raise UsageError(
            f"Cannot tell the format of {path.name!r}: end the file name with .csv or .parquet."
        )
    if not path.parent.is_dir():
        raise OutputError(f"Cannot write {path}: the folder {path.parent} does not exist.")
    return path


def write_export(df: pl.DataFrame, path: Path | str) -> Path:
    """Write `df` as CSV (UTF-8, comma) or Parquet (zstd), chosen by the suffix, atomically.

    The file appears complete or not at all: it is written to a temporary file in the same folder
    and renamed over `path`.
    """
    path = check_export_path(path)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        # Created like any new file (mode 0666 less the umask), never over an existing one.
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise OutputError(f"Cannot write in {path.parent}: {error.strerror}.") from error
    try:
        with os.fdopen(handle, "wb") as stream:
            if path.suffix.lower() == ".csv":
                df.write_csv(stream, datetime_format=CSV_TIME_FORMAT)
            else:
                df.write_parquet(stream, compression="zstd", compression_level=PARQUET_ZSTD_LEVEL)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise OutputError(f"Cannot write {path}: {error.strerror}.") from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path
