"""The rows and persons a store keeps, and how new rows are merged into them (SPEC §3.2, §3.3, §6).

Pure steps over polars frames; `io.store` does the files, commits and locking around them.

A store keeps every accepted row once (the duplicates of SPEC §3.2, per person, are not added
again; a declaration id that two persons share keeps both rows) and, per
person, the merged state that counting needs: the first row of SPEC §3.3 and the time of the first
flagged row. Both only ever move earlier as rows arrive, so they merge by taking the first again
(`merge_persons`), and a person's first row at any cut-off is their stored first row when it is at
or before the cut-off: no earlier row can exist, since the order starts with `declared_at`.
"""

from __future__ import annotations

import polars as pl

from ncovi_stats.core.persons import first_rows
from ncovi_stats.core.quality import DUPLICATE_KEY_COLUMNS
from ncovi_stats.core.values import TIME_UNIT

TIME = pl.Datetime(TIME_UNIT)

# Hive partition columns, in folder order; their values are strings (`01` stays `01`).
PARTITION_COLUMNS: tuple[str, ...] = ("province_code", "declared_date")
PARTITION_SCHEMA: dict[str, pl.DataType] = {name: pl.String() for name in PARTITION_COLUMNS}

# Columns inside each declarations file (the partition columns live in the folder names).
DECLARATION_SCHEMA: dict[str, pl.DataType] = {
    "declared_at": TIME,
    "person_key": pl.String(),
    "district_code": pl.String(),
    "ward_code": pl.String(),
    "declared_by": pl.String(),
    "channel": pl.String(),
    "risk_flag": pl.Boolean(),
    "verified_at": TIME,
    "declaration_id": pl.String(),
    "ward_unresolved": pl.Boolean(),
    "source_file": pl.String(),
}

# One row per person and commit that gave them a new first row: that first row (SPEC §3.3).
PERSON_SCHEMA: dict[str, pl.DataType] = {
    "person_key": pl.String(),
    "declared_at": TIME,
    "province_code": pl.String(),
    "district_code": pl.String(),
    "ward_code": pl.String(),
    "declared_by": pl.String(),
    "channel": pl.String(),
    "declaration_id": pl.String(),
}
# One row per flagged person and commit that gave them an earlier first flag (SPEC §3.10).
FLAG_SCHEMA: dict[str, pl.DataType] = {"person_key": pl.String(), "first_flag_at": TIME}

# Columns that say whether a row is already stored: the person and the id, or the canonical
# values (the person among them) without an id.
ROW_KEY_COLUMNS: tuple[str, ...] = ("declaration_id", *DUPLICATE_KEY_COLUMNS)
ID_KEY_COLUMNS: list[str] = ["person_key", "declaration_id"]


def rows_to_store(normalised: pl.LazyFrame, *, source_file: str) -> pl.LazyFrame:
    """Accepted rows as the store keeps them, with their partition values and input line."""
    return normalised.filter(pl.col("reject_reason").is_null()).select(
        pl.col("province_code"),
        pl.col("declared_at").dt.strftime("%Y-%m-%d").alias("declared_date"),
        *(pl.col(name) for name in DECLARATION_SCHEMA if name != "source_file"),
        pl.lit(source_file).alias("source_file"),
        pl.col("_line"),
    )


def unique_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Each row of a person once (SPEC §3.2 duplicates), keeping the first in the frame's order."""
    has_id = pl.col("declaration_id").is_not_null()
    with_id = rows.filter(has_id).unique(ID_KEY_COLUMNS, keep="first", maintain_order=True)
    without_id = rows.filter(~has_id).unique(
        list(DUPLICATE_KEY_COLUMNS), keep="first", maintain_order=True
    )
    return pl.concat([with_id, without_id])


def not_stored(rows: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    """`rows` that `stored` (with `ROW_KEY_COLUMNS` and the partition columns) does not hold."""
    has_id = pl.col("declaration_id").is_not_null()
    keys = list(DUPLICATE_KEY_COLUMNS)
    with_id = rows.filter(has_id).join(
        stored.filter(has_id).select(ID_KEY_COLUMNS), on=ID_KEY_COLUMNS, how="anti"
    )
    without_id = rows.filter(~has_id).join(
        stored.filter(~has_id).select(keys), on=keys, how="anti", nulls_equal=True
    )
    return pl.concat([with_id, without_id])


def person_firsts(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Per person of `rows`: their first row (SPEC §3.3), by the minimum of one packed key
    (`persons.first_rows`), not a sort of each person's rows. `rows` are in memory."""
    return first_rows(rows, in_memory=True)


def person_flags(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Per flagged person of `rows`: the time of their first flagged row."""
    return (
        rows.filter(pl.col("risk_flag"))
        .group_by("person_key")
        .agg(pl.col("declared_at").min().alias("first_flag_at"))
    )


def merge_persons(stored: pl.LazyFrame, new: pl.LazyFrame) -> pl.LazyFrame:
    """Persons of `new` whose first row changes: new persons, or an earlier first row.

    `stored` holds the stored first rows (several per person are fine); `new` comes from
    `person_firsts`. Returns the merged first rows (`PERSON_SCHEMA`) and `superseding`: true for
    persons stored before. On an exact tie the stored first row stays.

    The first of both (`persons.first_rows`, a minimum per person) is new unless a stored row
    equals it on every column: rows tied on the whole order are the same row, so which of them
    wins changes no value, only whether the person needs a new first row.
    """
    columns = list(PERSON_SCHEMA)
    stored = stored.join(new.select("person_key"), on="person_key", how="semi").select(columns)
    firsts = first_rows(pl.concat([stored, new.select(columns)])).select(columns)
    earlier = firsts.join(stored, on=columns, how="anti", nulls_equal=True)
    known = stored.select("person_key").unique().with_columns(pl.lit(True).alias("superseding"))
    return earlier.join(known, on="person_key", how="left").with_columns(
        pl.col("superseding").fill_null(False)
    )


def merge_flags(stored: pl.LazyFrame, new: pl.LazyFrame) -> pl.LazyFrame:
    """Flagged persons of `new` (from `person_flags`) with no stored flag or an earlier one."""
    earliest = (
        stored.join(new.select("person_key"), on="person_key", how="semi")
        .group_by("person_key")
        .agg(pl.col("first_flag_at").min().alias("_stored"))
    )
    return (
        new.join(earliest, on="person_key", how="left")
        .filter(pl.col("_stored").is_null() | (pl.col("first_flag_at") < pl.col("_stored")))
        .select(list(FLAG_SCHEMA))
    )


def current_persons(states: pl.LazyFrame, *, superseded: bool) -> pl.LazyFrame:
    """One first row per person from the stored rows, read in commit order.

    Each stored row is the person's merged first row as of its commit, so the latest one is
    current; with nothing `superseded`, every person has one row and this is a no-op.
    """
    if not superseded:
        return states
    return states.unique(subset="person_key", keep="last", maintain_order=True)


def current_flags(flags: pl.LazyFrame) -> pl.LazyFrame:
    """One first-flag time per flagged person."""
    return flags.group_by("person_key").agg(pl.col("first_flag_at").min())
