"""Counting persons in several passes over disjoint parts of the person-id space (issue 11).

The memory of a reading command is set by the first-row group-by: one entry per person (about
100 bytes at 35 million persons). Every query over first rows is a sum over persons, so the
persons can be split into parts by their id (`persons.person_id`, taken modulo the number of
parts: the same person is always in the same part), each part counted in its own pass over the
inputs, and the parts' results combined exactly (`PersonQuery.combine`). Each pass reads the
inputs again, so only inputs of more than `rows_per_pass()` rows are split.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import polars as pl

from ncovi_stats.errors import UsageError

# Rows read per pass: a 50M-row national export peaks at 4.5 GiB in one pass, 2.1 GiB in two.
ROWS_PER_PASS = 25_000_000
# The same with narrow person ids (`persons.with_narrow_ids`, when every key is 16 hex digits)
# and queries of first places only: the 50M-row export (35M persons) peaks at 2.5 GiB in one pass.
ROWS_PER_PASS_NARROW = 50_000_000
# A tuning knob, not a setting of the config: where a machine has less memory, or a test
# forces several passes on a tiny input.
ROWS_PER_PASS_ENV = "NCOVI_STATS_ROWS_PER_PASS"


def key_digit(key: pl.Expr) -> pl.Expr:
    """A small number that depends on the person key alone: its last character read as a hex
    digit (the exports' 16-hex keys and the keyed digests of `core.identity` end in one, evenly
    spread), else its length in bytes; 0 for no key. Cheap (no hash), so that a pass filters
    its rows before normalising the other columns."""
    last = key.str.slice(-1).str.to_integer(base=16, strict=False, dtype=pl.UInt32)
    return pl.coalesce(last, key.str.len_bytes(), pl.lit(0, pl.UInt32))


@dataclass(frozen=True)
class Part:
    """Persons whose `key_digit` is `index` modulo `count`.

    A person's rows share one key, hence one part. Persons are grouped by `persons.person_id`,
    a function of the key that tells keys apart (but free-text keys whose 127-bit hashes
    collide, about n²/2**128): the parts hold the persons of one pass, each exactly once.
    """

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"part {self.index} of {self.count}")

    def holds(self, key: pl.Expr) -> pl.Expr:
        """Whether rows with this person key are in this part (all of them in one part)."""
        if self.count == 1:
            return pl.lit(True)
        return (key_digit(key) % self.count) == self.index


def rows_per_pass(environ: Mapping[str, str] | None = None, *, narrow: bool = False) -> int:
    """`ROWS_PER_PASS` (`ROWS_PER_PASS_NARROW` with `narrow` person ids), or the positive whole
    number in NCOVI_STATS_ROWS_PER_PASS (for either)."""
    text = (os.environ if environ is None else environ).get(ROWS_PER_PASS_ENV, "").strip()
    if not text:
        return ROWS_PER_PASS_NARROW if narrow else ROWS_PER_PASS
    if not text.isdigit() or int(text) < 1:
        raise UsageError(
            f"{ROWS_PER_PASS_ENV} must be a positive whole number of rows (e.g. 25000000); "
            "unset it for the default."
        )
    return int(text)


def pass_count(rows: int, per_pass: int) -> int:
    """Passes for `rows` rows read (an estimate is enough: it never changes a figure)."""
    return max(1, math.ceil(rows / per_pass))


class HasFirst(Protocol):
    """What a person query reads of `api.request.Frames`: in a pass, the persons of one part,
    and every accepted row of theirs (a person's rows share the person's key, hence a part)."""

    @property
    def first(self) -> pl.LazyFrame: ...

    @property
    def accepted(self) -> pl.LazyFrame: ...

    @property
    def cutoff(self) -> datetime | None: ...


Combine = Callable[[Sequence[pl.DataFrame]], pl.DataFrame]


@dataclass(frozen=True)
class PersonQuery:
    """A query over persons (`frames.first`, or their accepted rows `frames.accepted`, and
    `frames.cutoff`), with the rule that gives its result over all persons from its results
    over disjoint parts of them."""

    build: Callable[[HasFirst], pl.LazyFrame]
    combine: Combine
    # It reads the persons' rows (`frames.accepted`) or their count (`rows`), not only their
    # first places: more memory a person, so passes of `ROWS_PER_PASS` rows with narrow ids too
    # (50M rows, ward level: 4.9 GiB in one pass, 2.6 GiB in two).
    reads_rows: bool = False

    def __call__(self, frames: HasFirst) -> pl.LazyFrame:
        return self.build(frames)


def summed(*keys: str) -> Combine:
    """Parts combined by summing every column but `keys`, per value of `keys` (null a value)."""

    def combine(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
        rows = pl.concat(parts, how="vertical")
        counts = [name for name in rows.columns if name not in keys]
        return rows.group_by(*keys).agg(pl.col(counts).sum()).select(rows.columns)

    return combine
