"""The profile of a synthetic export and the vectorised draws behind
`api.sample.generate_declarations`: rows per person and their times, places (district, ward,
sometimes another province), categories, follow-up of at-risk persons, and person keys. Every draw
takes the seeded generator it is given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

import numpy as np
import polars as pl

from ncovi_stats.schema import CHANNEL_ORDER, DECLARED_BY_ORDER

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


MICROSECONDS = 1_000_000


EPOCH = datetime(1970, 1, 1)


class Census(NamedTuple):
    provinces: pl.DataFrame  # province_code, province_name, population
    districts: pl.DataFrame  # province_code, district_code, district_name, population
    wards: pl.DataFrame  # province_code, district_code, ward_code, ward_name


class Rows(NamedTuple):
    """Rows before ordering: the n first rows (row i is person i's first), then extra rows."""

    person: np.ndarray
    offset_s: np.ndarray  # seconds after start
    district: np.ndarray  # district number
    ward: np.ndarray  # ward number, -1 for none
    declared_by: np.ndarray  # index into DECLARED_BY_ORDER
    channel: np.ndarray  # index into CHANNEL_ORDER
    repeats: np.ndarray  # per person: number of extra rows


def draw_rows(
    n: int, places: Places, clock: Clock, rng: np.random.Generator, profile: Profile
) -> Rows:
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
    return Rows(
        person=np.concatenate([np.arange(n, dtype=np.int64), extra_person]),
        offset_s=np.concatenate([first_s, extra_s]),
        district=np.concatenate([home, extra_district]),
        ward=ward,
        declared_by=draw_categories(rng, m, profile.declared_by_shares, DECLARED_BY_ORDER),
        channel=draw_categories(rng, m, profile.channel_shares, CHANNEL_ORDER),
        repeats=repeats,
    )


def draw_follow_up(
    rows: Rows, clock: Clock, rng: np.random.Generator, profile: Profile
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


def time_order(offset_s: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The row order by time, and the sorted times; rows in the same second in a scrambled order.

    One sort of (seconds << 32 | row × odd mod 2³²) instead of an argsort: several times faster.
    """
    mask = np.uint64(0xFFFFFFFF)
    spread = 2 * int(rng.integers(0, 1 << 31)) + 1
    low = (np.arange(offset_s.size, dtype=np.uint64) * np.uint64(spread)) & mask
    key = np.sort((offset_s.astype(np.uint64) << np.uint64(32)) | low)
    row = ((key & mask) * np.uint64(pow(spread, -1, 1 << 32))) & mask
    return row.astype(np.int64), (key >> np.uint64(32)).astype(np.int64)


def to_local_us(moment: datetime) -> int:
    """Microseconds since 1970-01-01 of a naive Vietnam local time (aware times converted)."""
    if moment.tzinfo is not None:
        from zoneinfo import ZoneInfo

        moment = moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None)
    return (moment - EPOCH) // timedelta(microseconds=1)


def draw_categories(
    rng: np.random.Generator, size: int, shares: dict[str, float], order: Sequence[str]
) -> np.ndarray:
    """Indices into `order`, drawn with the given shares (missing values get share 0)."""
    weights = np.array([shares.get(value, 0.0) for value in order], dtype=np.float64)
    cumulative = np.cumsum(weights / weights.sum())
    index = np.searchsorted(cumulative, rng.random(size), side="right")
    return np.minimum(index, len(order) - 1).astype(np.int8)


@dataclass(frozen=True)
class Places:
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
    def build(cls, census: Census, codes: list[str], rng: np.random.Generator) -> Places:
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
            ward_key=ward_keys(wards["d"].to_numpy().astype(np.int64), rng),
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


def ward_keys(district_of_ward: np.ndarray, rng: np.random.Generator) -> np.ndarray:
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
class Clock:
    """Hourly bins over [start, until] with the campaign's weights, for drawing times."""

    edges: np.ndarray  # bin edges in whole seconds after start; last = span
    cumulative: np.ndarray  # cumulative weight at the end of each bin

    @classmethod
    def build(cls, start_us: int, until_us: int, profile: Profile) -> Clock:
        span = (until_us - start_us) // MICROSECONDS
        start_s = start_us // MICROSECONDS
        first_hour = 3600 - start_s % 3600
        edges = np.unique(np.concatenate([[0], np.arange(first_hour, span, 3600), [span]]))
        begin, width = edges[:-1], np.diff(edges)
        absolute = start_s + begin
        hour = (absolute // 3600) % 24
        weekday = (absolute // 86400 + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        days_from_push = (
            absolute + width / 2 - to_local_us(profile.push_center) / MICROSECONDS
        ) / 86400
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


def person_keys(n: int, rng: np.random.Generator) -> pl.Series:
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
