"""Synthetic declaration exports drawn from the 2019 census, for demos, tests and benchmarks.

`generate_declarations()` returns a frame of canonical columns (SPEC §2.1) that looks like an NCOVI
export of spring 2020: persons spread over the districts in proportion to their census population,
first declarations following the campaign (slow from 10 March, a strong push in early April, office
hours), about one person in five declaring again (sometimes in another district or province),
household and collaborator rows, and a few at-risk persons with their verification times. Every
value comes from a seeded random generator: the same arguments give the same frame, and no value is
derived from anything real about a person. `write_export()` writes such a frame as CSV or Parquet.

The shares and shapes live in `Profile` (`NCOVI_2020` is the default). Everything is vectorised:
on the 2-core reference machine a million rows take about 2 s, ten million about 16 s.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import polars as pl

from ncovi_stats import reference
from ncovi_stats.errors import OutputError, UsageError
from ncovi_stats.schema import CHANNEL_ORDER, DECLARED_BY_ORDER

CAMPAIGN_START = datetime(2020, 3, 10, 0, 0)
CAMPAIGN_UNTIL = datetime(2020, 4, 17, 17, 0)
DEFAULT_COVERAGE_PCT = 72.0

# Share of rows per channel and per filer; both sum to 1.
CHANNEL_SHARES: dict[str, float] = {
    "app": 0.55,
    "web": 0.10,
    "facility": 0.15,
    "collaborator": 0.18,
    "other": 0.02,
}
DECLARED_BY_SHARES: dict[str, float] = {"self": 0.70, "household": 0.30}

# Relative number of declarations per hour of the local day: office hours, a lunch dip, evenings.
HOURLY_WEIGHTS: tuple[float, ...] = (
    0.10, 0.05, 0.05, 0.05, 0.10, 0.30,  # 00-05
    0.80, 2.00, 3.20, 3.60, 3.40, 2.80,  # 06-11
    1.60, 2.00, 3.00, 3.40, 3.20, 2.60,  # 12-17
    1.80, 2.00, 2.20, 1.60, 0.80, 0.30,  # 18-23
)  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """Shares and shapes of a synthetic export."""

    channel_shares: dict[str, float] = field(default_factory=lambda: dict(CHANNEL_SHARES))
    declared_by_shares: dict[str, float] = field(default_factory=lambda: dict(DECLARED_BY_SHARES))
    hourly_weights: tuple[float, ...] = HOURLY_WEIGHTS
    # Campaign curve: daily intensity = base_level + a bell around push_center (relative units).
    push_center: datetime = datetime(2020, 4, 6, 12, 0)
    push_width_days: float = 3.0
    base_level: float = 0.06
    weekend_factor: float = 0.85
    # Districts differ in uptake: a person's district is drawn with weight
    # population × exp(N(0, district_uptake_sigma)).
    district_uptake_sigma: float = 0.08
    # Persons who declare more than once, and how many extra rows they file (mean, at least 1).
    repeat_person_share: float = 0.20
    repeat_rows_mean: float = 1.5
    # Of the extra rows: filed in another district of the same province / another province.
    other_district_share: float = 0.08
    other_province_share: float = 0.015
    missing_ward_share: float = 0.05
    # At-risk persons: one of their rows is flagged; most are verified some hours later.
    flagged_person_share: float = 0.015
    verified_share: float = 0.85
    verify_median_hours: float = 20.0
    verify_sigma: float = 1.0


NCOVI_2020 = Profile()

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

_US = 1_000_000
_EPOCH = datetime(1970, 1, 1)


# --- census ------------------------------------------------------------------------------------


class Census(NamedTuple):
    provinces: pl.DataFrame  # province_code, province_name, population
    districts: pl.DataFrame  # province_code, district_code, district_name, population
    wards: pl.DataFrame  # province_code, district_code, ward_code, ward_name


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
    start_us, until_us = _to_local_us(start), _to_local_us(until)
    if not _US <= until_us - start_us < MAX_SPAN_S * _US:
        raise UsageError(
            f"The end of the export must be after its start ({start:%Y-%m-%d %H:%M}) "
            "and within 60 years of it."
        )
    if seed < 0:
        raise UsageError(f"The seed must be a whole number ≥ 0, not {seed}.")

    rng = np.random.Generator(np.random.PCG64(seed))
    places = _Places.build(load_census(), codes, rng)
    clock = _Clock.build(start_us, until_us, profile)
    rows = _draw_rows(n, places, clock, rng, profile)
    flag_row, verified_s = _draw_follow_up(rows, clock, rng, profile)
    m = rows.person.size
    risk_flag = np.zeros(m, dtype=bool)
    risk_flag[flag_row] = True
    verified_us = np.full(m, -1, dtype=np.int64)
    verified_us[flag_row] = np.where(verified_s >= 0, start_us + verified_s * _US, -1)

    # Order by time, ties in a scrambled row order; ids follow that order.
    order, offset_s = _time_order(rows.offset_s, rng)
    ward = pl.Series(rows.ward[order])
    verified = pl.Series(verified_us[order])
    ids = pl.int_range(1, m + 1, eager=True).cast(pl.String).str.zfill(max(9, len(str(m))))
    district = rows.district[order]
    return pl.DataFrame(
        {
            "declaration_id": "D" + ids,
            "declared_at": pl.Series(start_us + offset_s * _US).cast(pl.Datetime("us")),
            "person_key": _person_keys(n, rng).gather(rows.person[order]),
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


class _Rows(NamedTuple):
    """Rows before ordering: the n first rows (row i is person i's first), then extra rows."""

    person: np.ndarray
    offset_s: np.ndarray  # seconds after start
    district: np.ndarray  # district number
    ward: np.ndarray  # ward number, -1 for none
    declared_by: np.ndarray  # index into DECLARED_BY_ORDER
    channel: np.ndarray  # index into CHANNEL_ORDER
    repeats: np.ndarray  # per person: number of extra rows


def _draw_rows(
    n: int, places: _Places, clock: _Clock, rng: np.random.Generator, profile: Profile
) -> _Rows:
    # Persons: home district (by population and uptake), home ward, first declaration.
    home = places.allocate(n, rng, profile.district_uptake_sigma)
    home_ward = places.pick_wards(home, rng)
    first_s = clock.sample(rng.random(n), rng.random(n))

    # Extra rows: after the first, mostly at home, some in another district or province.
    repeats = np.where(
        rng.random(n) < profile.repeat_person_share,
        rng.geometric(1.0 / profile.repeat_rows_mean, size=n),
        0,
    ).astype(np.int64)
    extra_person = np.repeat(np.arange(n, dtype=np.int64), repeats)
    k = extra_person.size
    extra_s = clock.sample_after(first_s[extra_person], rng.random(k), rng.random(k))
    move = rng.random(k)
    to_province = move < profile.other_province_share
    moved = move < profile.other_province_share + profile.other_district_share
    to_district = moved & ~to_province
    extra_district = home[extra_person]
    extra_district[to_district] = places.other_district(extra_district[to_district], rng)
    extra_district[to_province] = places.other_province(extra_district[to_province], rng)
    extra_ward = home_ward[extra_person]
    extra_ward[moved] = places.pick_wards(extra_district[moved], rng)

    m = n + k
    ward = np.concatenate([home_ward, extra_ward])
    ward[rng.random(m) < profile.missing_ward_share] = -1
    return _Rows(
        person=np.concatenate([np.arange(n, dtype=np.int64), extra_person]),
        offset_s=np.concatenate([first_s, extra_s]),
        district=np.concatenate([home, extra_district]),
        ward=ward,
        declared_by=_draw_categories(rng, m, profile.declared_by_shares, DECLARED_BY_ORDER),
        channel=_draw_categories(rng, m, profile.channel_shares, CHANNEL_ORDER),
        repeats=repeats,
    )


def _draw_follow_up(
    rows: _Rows, clock: _Clock, rng: np.random.Generator, profile: Profile
) -> tuple[np.ndarray, np.ndarray]:
    """The flagged row of each at-risk person, and its verification (seconds after start).

    One row of each at-risk person is flagged; most are verified a lognormal delay later, the
    rest never; a verification after the end of the export is not in it yet (-1).
    """
    repeats = rows.repeats
    n = repeats.size
    flagged = np.flatnonzero(rng.random(n) < profile.flagged_person_share)
    extra_start = n + np.concatenate([[0], np.cumsum(repeats)[:-1]]).astype(np.int64)
    pick = np.floor(rng.random(flagged.size) * (1 + repeats[flagged])).astype(np.int64)
    flag_row = np.where(pick == 0, flagged, extra_start[flagged] + pick - 1)
    median_s = profile.verify_median_hours * 3600
    delay_s = np.maximum(60, rng.lognormal(np.log(median_s), profile.verify_sigma, flagged.size))
    verified_s = rows.offset_s[flag_row] + delay_s.astype(np.int64)
    verified = (rng.random(flagged.size) < profile.verified_share) & (verified_s <= clock.span)
    return flag_row, np.where(verified, verified_s, -1)


def _time_order(offset_s: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The row order by time, and the sorted times; rows in the same second in a scrambled order.

    One sort of (seconds << 32 | row × odd mod 2³²) instead of an argsort: several times faster.
    """
    mask = np.uint64(0xFFFFFFFF)
    spread = 2 * int(rng.integers(0, 1 << 31)) + 1
    low = (np.arange(offset_s.size, dtype=np.uint64) * np.uint64(spread)) & mask
    key = np.sort((offset_s.astype(np.uint64) << np.uint64(32)) | low)
    row = ((key & mask) * np.uint64(pow(spread, -1, 1 << 32))) & mask
    return row.astype(np.int64), (key >> np.uint64(32)).astype(np.int64)


def _to_local_us(moment: datetime) -> int:
    """Microseconds since 1970-01-01 of a naive Vietnam local time (aware times converted)."""
    if moment.tzinfo is not None:
        from zoneinfo import ZoneInfo

        moment = moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _draw_categories(
    rng: np.random.Generator, size: int, shares: dict[str, float], order: Sequence[str]
) -> np.ndarray:
    """Indices into `order`, drawn with the given shares (missing values get share 0)."""
    weights = np.array([shares.get(value, 0.0) for value in order], dtype=np.float64)
    cumulative = np.cumsum(weights / weights.sum())
    index = np.searchsorted(cumulative, rng.random(size), side="right")
    return np.minimum(index, len(order) - 1).astype(np.int8)


@dataclass(frozen=True)
class _Places:
    """Districts of the whole country with their wards, as arrays indexed by district number."""

    district_codes: pl.Series
    province_of_district: pl.Series
    population: np.ndarray  # per district
    province_index: np.ndarray  # per district: number of its province
    province_first: np.ndarray  # per district: first district number of its province
    province_size: np.ndarray  # per district: number of districts in its province
    chosen: np.ndarray  # district numbers in the chosen provinces
    ward_codes: pl.Series
    ward_key: np.ndarray  # per ward: district number + cumulative weight within the district
    has_wards: np.ndarray  # per district

    @classmethod
    def build(cls, census: Census, codes: list[str], rng: np.random.Generator) -> _Places:
        """The places of the census; each ward gets a random weight within its district."""
        districts = census.districts.with_row_index("d")
        province_index = (
            districts["province_code"].rank("dense").cast(pl.Int64).to_numpy() - 1
        ).astype(np.int64)
        first = districts.group_by("province_code").agg(
            pl.col("d").min().alias("first"), pl.len().alias("size")
        )
        spans = districts.join(first, on="province_code", how="left", maintain_order="left")
        wards = census.wards.join(
            districts.select("province_code", "district_code", "d"),
            on=["province_code", "district_code"],
            how="inner",
        ).sort("d", "ward_code")
        return cls(
            district_codes=districts["district_code"],
            province_of_district=districts["province_code"],
            population=districts["population"].to_numpy().astype(np.float64),
            province_index=province_index,
            province_first=spans["first"].to_numpy().astype(np.int64),
            province_size=spans["size"].to_numpy().astype(np.int64),
            chosen=districts.filter(pl.col("province_code").is_in(codes))["d"]
            .to_numpy()
            .astype(np.int64),
            ward_codes=wards["ward_code"],
            ward_key=_ward_keys(wards["d"].to_numpy().astype(np.int64), rng),
            has_wards=np.isin(
                np.arange(districts.height), wards["d"].unique().to_numpy().astype(np.int64)
            ),
        )

    def allocate(self, n: int, rng: np.random.Generator, sigma: float) -> np.ndarray:
        """Home district of each of n persons: largest remainder over population × uptake."""
        weights = self.population[self.chosen] * np.exp(
            sigma * rng.standard_normal(self.chosen.size)
        )
        quota = n * weights / weights.sum()
        counts = np.floor(quota).astype(np.int64)
        short = n - int(counts.sum())
        if short:
            counts[np.argsort(-(quota - counts), kind="stable")[:short]] += 1
        return np.repeat(self.chosen, counts)

    def pick_wards(self, district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A ward of each district (by the draw's ward weights); -1 where it has no ward list."""
        u = rng.random(district.size)
        index = np.searchsorted(self.ward_key, district + u, side="right")
        index = np.minimum(index, self.ward_key.size - 1)
        return np.where(self.has_wards[district], index, -1).astype(np.int64)

    def other_district(self, district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Another district of the same province (the same one where it is the only one)."""
        first, size = self.province_first[district], self.province_size[district]
        pick = np.floor(rng.random(district.size) * np.maximum(size - 1, 1)).astype(np.int64)
        local = district - first
        pick = np.where((size > 1) & (pick >= local), pick + 1, pick)
        return first + np.minimum(pick, size - 1)

    def other_province(self, district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A district of another province, drawn by population."""
        cumulative = np.cumsum(self.population)
        result = district.copy()
        todo = np.ones(district.size, dtype=bool)
        for _ in range(8):  # redraw the few that land in their own province
            draw = rng.random(int(todo.sum())) * cumulative[-1]
            pick = np.searchsorted(cumulative, draw, side="right")
            result[todo] = np.minimum(pick, cumulative.size - 1)
            todo = self.province_index[result] == self.province_index[district]
            if not todo.any():
                break
        return result


def _ward_keys(district_of_ward: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per ward (sorted by district): district number + cumulative weight share in it, in (0, 1].

    A ward of district d is then drawn as the first key above d + u, u uniform in [0, 1).
    """
    weights = rng.gamma(2.0, size=district_of_ward.size)
    running = np.cumsum(weights)
    first = np.searchsorted(district_of_ward, district_of_ward, side="left")
    within = running - (running[first] - weights[first])
    totals = np.bincount(district_of_ward, weights)
    share = within / totals[district_of_ward]
    last = np.append(district_of_ward[1:] != district_of_ward[:-1], True)
    share[last] = 1.0
    return district_of_ward + share


@dataclass(frozen=True)
class _Clock:
    """Hourly bins over [start, until] with the campaign's weights, for drawing times."""

    edges: np.ndarray  # bin edges in whole seconds after start; last = span
    cumulative: np.ndarray  # cumulative weight at the end of each bin

    @classmethod
    def build(cls, start_us: int, until_us: int, profile: Profile) -> _Clock:
        span = (until_us - start_us) // _US
        start_s = start_us // _US
        first_hour = 3600 - start_s % 3600
        edges = np.unique(np.concatenate([[0], np.arange(first_hour, span, 3600), [span]]))
        begin, width = edges[:-1], np.diff(edges)
        absolute = start_s + begin
        hour = (absolute // 3600) % 24
        weekday = (absolute // 86400 + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        days_from_push = (absolute + width / 2 - _to_local_us(profile.push_center) / _US) / 86400
        campaign = profile.base_level + np.exp(
            -0.5 * (days_from_push / profile.push_width_days) ** 2
        )
        weight = (
            campaign
            * np.asarray(profile.hourly_weights)[hour]
            * np.where(weekday >= 5, profile.weekend_factor, 1.0)
            * width
        )
        return cls(edges=edges.astype(np.int64), cumulative=np.cumsum(weight))

    @property
    def span(self) -> int:
        """Whole seconds from start to until."""
        return int(self.edges[-1])

    def _bin(self, u: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.cumulative, u * self.cumulative[-1], side="right")
        return np.minimum(index, self.cumulative.size - 1)

    def sample(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Seconds after start, drawn by the campaign weights."""
        b = self._bin(u)
        width = self.edges[b + 1] - self.edges[b]
        return self.edges[b] + np.floor(v * width).astype(np.int64)

    def sample_after(self, after: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Seconds after start, at or after `after`, drawn by the campaign weights from there."""
        b0 = np.minimum(
            np.searchsorted(self.edges, after, side="right") - 1, self.cumulative.size - 1
        )
        total = self.cumulative[-1]
        before = np.concatenate([[0.0], self.cumulative[:-1]])[b0]
        b = self._bin((before + u * (total - before)) / total)
        b = np.maximum(b, b0)
        low = np.where(b == b0, after, self.edges[b])
        return low + np.floor(v * (self.edges[b + 1] - low)).astype(np.int64)


def _person_keys(n: int, rng: np.random.Generator) -> pl.Series:
    """n distinct 16-hex keys: a bijective scramble of 0..n-1 under constants from the RNG."""
    k = rng.integers(0, np.iinfo(np.uint64).max, size=4, dtype=np.uint64, endpoint=True)
    x = np.arange(n, dtype=np.uint64) ^ k[0]
    x *= k[1] | np.uint64(1)
    x ^= x >> np.uint64(31)
    x *= k[2] | np.uint64(1)
    x ^= x >> np.uint64(29)
    x += k[3]
    x ^= x >> np.uint64(32)
    digits = pl.Series([f"{i:04x}" for i in range(1 << 16)])
    chunks = {
        f"c{j}": ((x >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.uint32)
        for j, shift in enumerate((48, 32, 16, 0))
    }
    return (
        pl.DataFrame(chunks)
        .select(pl.concat_str([pl.lit(digits).gather(pl.col(c)) for c in chunks]))
        .to_series()
        .rename("person_key")
    )


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
