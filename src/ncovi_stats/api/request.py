"""What a reading command asks for and gets back: the `Request`, the lazy `Frames` its queries
are built on (a `Query`), what the read returned (`Read`) and one table with its meta (`Result`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from ncovi_stats.api.units import unit_names
from ncovi_stats.core import crosswalk, quality, unresolved
from ncovi_stats.io.read.scan import ReadOptions, SourceInfo


@dataclass(frozen=True)
class Request:
    """What to read and at which instant; shared by every reading command."""

    inputs: tuple[str, ...]
    now: datetime
    as_of: datetime | None = None
    provinces: tuple[str, ...] = ()
    population_file: Path | None = None
    key: bytes | None = field(default=None, repr=False)  # never printed or logged
    reading: ReadOptions = field(default_factory=ReadOptions)  # --encoding, --delimiter, ...
    rejects: Path | None = None  # --rejects: write the rejected rows there
    max_reject_rate: Decimal | None = None  # --max-reject-rate: percent of rows read
    store: Path | None = None  # read this store (docs/store.md) instead of `inputs`


@dataclass(frozen=True)
class Result:
    """Records of one table and the facts that describe them (the JSON `meta`)."""

    records: pl.DataFrame
    cutoff: datetime
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Frames:
    """The lazy frames a command builds its queries on, all from one scan of the inputs."""

    normalised: pl.LazyFrame  # every row read, typed, with `reject_reason`
    accepted: pl.LazyFrame  # accepted rows at or before the cut-off
    # one row per person: person_key, and the time and unit codes of their first accepted row
    # (SPEC §3.3, `persons.first_places`; a store gives every column of `FIRST_ROW_COLUMNS`)
    first: pl.LazyFrame
    cutoff: datetime | None  # None: the latest accepted declaration, known after collection


@dataclass(frozen=True)
class Read:
    """What a command's queries returned, with the row counts and the cut-off used."""

    frames: list[pl.DataFrame]
    rows: quality.RowCounts
    cutoff: datetime
    sources: list[SourceInfo] = field(default_factory=list)  # how each input was read
    # unit values that did not resolve, as written (core.unresolved.unresolved_table)
    unresolved: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=unresolved.TABLE_SCHEMA)
    )
    # the district changes in force at the cut-off, applied to the rows (core.crosswalk)
    units_in_force: crosswalk.Crosswalk = field(default_factory=crosswalk.Crosswalk)

    def units(self, level: str) -> pl.DataFrame:
        """`unit_names(level)` as the units were at the cut-off."""
        return unit_names(level, self.units_in_force)

    def population(self, population: pl.DataFrame) -> pl.DataFrame:
        """Denominators of the units in force (merged districts' census figures summed)."""
        return crosswalk.district_population(population, self.units_in_force)


Query = Callable[[Frames], pl.LazyFrame]
