"""Exports that several test modules share, built once per session (see conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from ncovi_stats import reference

CUTOFF = datetime(2020, 4, 8, 17, 0)
DECLARED = 516_394
HAU_GIANG_DISTRICTS = ["930", "931", "932", "933", "934", "935", "936", "937"]
# Districts of three provinces: Hậu Giang (93), Bắc Kạn (06), Cần Thơ (92).
DISTRICTS = {
    "93": ["930", "931", "932", "936", "937"],
    "06": ["058", "060", "061", "062"],
    "92": ["916", "917", "918"],
}


@dataclass(frozen=True)
class Export:
    path: Path
    rows_after_cutoff: int


CUTOFF = datetime(2020, 4, 8, 17, 0)
DECLARED = 516_394
HAU_GIANG_DISTRICTS = ["930", "931", "932", "933", "934", "935", "936", "937"]


def build_hau_giang(folder: Path) -> Export:
    """516,394 persons by the cut-off, with repeats, household rows and later rows."""
    rng = np.random.default_rng(8)
    start = np.datetime64("2020-03-20T00:00:00")
    span = int((np.datetime64("2020-04-08T17:00:00") - start) / np.timedelta64(1, "s"))
    keys = np.array([f"hg{i:08d}" for i in range(DECLARED + 20_000)])
    first_seconds = rng.integers(0, span + 1, DECLARED)
    first_seconds[0] = span  # one person declares exactly at the cut-off
    repeats = rng.integers(0, DECLARED, 150_000)
    after = np.arange(DECLARED, DECLARED + 20_000)  # new persons, all after the cut-off
    person = np.concatenate([np.arange(DECLARED), repeats, after, repeats[:5000]])
    seconds = np.concatenate(
        [
            first_seconds,
            first_seconds[repeats] + rng.integers(0, 86_400 * 3, repeats.size),
            span + 1 + rng.integers(0, 86_400 * 5, after.size),
            span + 1 + rng.integers(0, 86_400, 5000),
        ]
    )
    frame = pl.DataFrame(
        {
            "declared_at": (start + seconds.astype("timedelta64[s]")).astype("datetime64[us]"),
            "person_key": keys[person],
            "province_code": "93",
            "district_code": rng.choice(HAU_GIANG_DISTRICTS, person.size),
            "declared_by": rng.choice(["self", "household"], person.size, p=[0.7, 0.3]),
            "channel": rng.choice(["app", "web", "facility", "collaborator"], person.size),
        }
    )
    path = folder / "hau_giang.parquet"
    frame.sample(fraction=1.0, shuffle=True, seed=1).write_parquet(path)
    return Export(path, rows_after_cutoff=int((seconds > span).sum()))


def hex_key(number: int) -> str:
    """A person key as an export's own: 16 lower-case hex digits, spread over the 64 bits."""
    return f"{int(number) * 0x9E3779B97F4A7C15 % (1 << 64):016x}"


def build_tricky_export(folder: Path, *, hex_keys: bool = False) -> Path:
    """Exact ties, people in two districts and provinces, rows without ward or district,
    household rows, and UTC-zoned Parquet timestamps (stored as UTC instants). Person keys are
    free text ("k00042"), or with `hex_keys` 16 hex digits (read with narrow person ids)."""
    rng = np.random.default_rng(2020)
    n = 60_000
    provinces = rng.choice(list(DISTRICTS), n)
    districts = np.array([rng.choice(DISTRICTS[p]) for p in provinces], dtype=object)
    districts[rng.random(n) < 0.03] = None  # some rows know only the province
    # Real wards of each district (a few each), so that every ward resolves.
    ward_list = reference.wards().group_by("district_code").agg(pl.col("ward_code").sort().head(3))
    wards_of = dict(ward_list.iter_rows())
    wards = np.array(
        [rng.choice(wards_of[d]) if d in wards_of else None for d in districts], dtype=object
    )
    wards[rng.random(n) < 0.2] = None
    # Few distinct minutes and persons: many exact ties in time between a person's rows.
    minutes = rng.integers(0, 60 * 24 * 10, n)
    local = np.datetime64("2020-03-30T00:00") + minutes.astype("timedelta64[m]")
    ids = np.array([f"d{i:06d}" for i in rng.permutation(n)], dtype=object)
    ids[rng.random(n) < 0.1] = None
    frame = pl.DataFrame(
        {
            "declared_at": local.astype("datetime64[us]"),
            "person_key": np.array(
                [hex_key(k) if hex_keys else f"k{k:05d}" for k in rng.integers(0, 25_000, n)]
            ),
            "province_code": provinces,
            "district_code": districts,
            "ward_code": wards,
            "declared_by": rng.choice(["self", "household"], n),
            "channel": rng.choice(["app", "web", "facility", "collaborator", "other"], n),
            "declaration_id": ids,
        },
        schema_overrides={
            "district_code": pl.String,
            "ward_code": pl.String,
            "declaration_id": pl.String,
        },
    ).with_columns(
        # stored as UTC instants, as a Parquet export with a time zone would be
        pl.col("declared_at").dt.replace_time_zone("Asia/Ho_Chi_Minh").dt.convert_time_zone("UTC")
    )
    path = folder / ("tricky_hex_utc.parquet" if hex_keys else "tricky_utc.parquet")
    frame.write_parquet(path)
    return path
