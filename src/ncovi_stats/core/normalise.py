"""Raw export columns to typed canonical columns, with a reject reason per row (SPEC §2.1, §3.2).

Every row read comes out of `normalise_declarations`: accepted rows have `reject_reason` null,
rejected rows keep their non-identity values and the first reason that applies, in the order of
`RejectReason`. Nothing is dropped here, so rows read = accepted + rejected by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import polars as pl

from ncovi_stats.core import values
from ncovi_stats.core.identity import derive_person_key
from ncovi_stats.core.resolve import UNIT_NUMBERS, resolve_units
from ncovi_stats.core.units import UnitResolver
from ncovi_stats.errors import BadInputError, RejectReason
from ncovi_stats.schema import CODE_WIDTH, IDENTITY_COLUMNS

# The typed frame every reader produces, in this column order.
NORMALISED_SCHEMA: dict[str, pl.DataType] = {
    "_source_file": pl.String(),
    "_line": pl.UInt64(),
    "declared_at": pl.Datetime(values.TIME_UNIT),
    "person_key": pl.String(),
    "province_code": pl.String(),
    "district_code": pl.String(),
    "ward_code": pl.String(),
    "declared_by": pl.String(),
    "channel": pl.String(),
    "risk_flag": pl.Boolean(),
    "verified_at": pl.Datetime(values.TIME_UNIT),
    "declaration_id": pl.String(),
    "ward_unresolved": pl.Boolean(),
    "reject_reason": pl.String(),
    # The unit as written (its code if one was given, else its name), kept only on rows whose
    # unit could not be resolved and, for the ward, on rows with an unresolved ward; null
    # elsewhere. Unit names are not identity data (SPEC §5); they let `validate`, the rejects
    # file and the warnings name the spelling that failed (`core.unresolved`).
    "province_text": pl.String(),
    "district_text": pl.String(),
    "ward_text": pl.String(),
}

UNIT_TEXT_COLUMNS = ("province", "district", "ward")
TIME_COLUMNS = ("declared_at", "verified_at")
WRITTEN_UNIT_COLUMNS = {level: f"{level}_text" for level in UNIT_TEXT_COLUMNS}
CODE_COLUMNS = {f"{level}_code": width for level, width in CODE_WIDTH.items()}


def check_required_columns(source: str, names: list[str], *, hidden: int = 0) -> None:
    """Stop with a message naming the missing column and the columns found; `hidden` fields
    (that may be cell values, not headers) are only counted."""
    found = ", ".join(name for name in names if not name.startswith("_")) or "none"
    if hidden:
        found += f"; {hidden} field{'s' if hidden > 1 else ''} not recognised as "
        found += "headers" if hidden > 1 else "a header"
    if "declared_at" not in names:
        raise BadInputError(
            f"{source}: required column 'declared_at' is missing (columns found: {found})."
        )
    if "person_key" not in names and not IDENTITY_COLUMNS.intersection(names):
        raise BadInputError(
            f"{source}: no identity column: need 'person_key' or 'person_id' "
            f"(or phone, full_name and birth_year) (columns found: {found})."
        )
    if not {"province_code", "province", "district_code"}.intersection(names):
        raise BadInputError(
            f"{source}: no place column: need 'province_code' or 'province' "
            f"(columns found: {found})."
        )


def _known_codes() -> dict[str, frozenset[str]]:
    """The canonical codes of each level: cells equal to one skip the text work."""
    resolver = UnitResolver.bundled()
    return {
        "province_code": resolver.province_codes,
        "district_code": frozenset(resolver.district_provinces),
        "ward_code": frozenset(resolver.ward_districts),
    }


def _typed_columns(schema: Mapping[str, pl.DataType]) -> list[pl.Expr]:
    """Expressions for the canonical columns present in `schema`; missing ones are null."""

    def present(name: str) -> bool:
        return name in schema

    def text(name: str) -> pl.Expr:
        return values.blank_to_null(pl.col(name)) if present(name) else pl.lit(None, pl.String)

    def parsed(name: str, parse: Callable[[pl.Expr], pl.Expr], dtype: pl.DataType) -> pl.Expr:
        expr = parse(pl.col(name)) if present(name) else pl.lit(None, dtype)
        return expr.alias(name)

    def time(name: str) -> pl.Expr:
        if not present(name):
            return pl.lit(None, pl.Datetime(values.TIME_UNIT))
        return values.time_column(name, schema[name])

    exprs = [
        time("declared_at").alias("declared_at"),
        text("person_key").alias("person_key"),
        parsed("declared_by", values.declared_by_column, pl.String()),
        parsed("channel", values.channel_column, pl.String()),
        parsed("risk_flag", values.flag_column, pl.Boolean()),
        time("verified_at").alias("verified_at"),
        text("declaration_id").alias("declaration_id"),
    ]
    known = _known_codes()
    for name, width in CODE_COLUMNS.items():
        if present(name):
            exprs.append(values.code_column(pl.col(name), width, known[name]).alias(name))
    exprs.extend(text(name).alias(name) for name in UNIT_TEXT_COLUMNS if present(name))
    return exprs


def reject_reason_expr(now: datetime) -> pl.Expr:
    """The first reason that applies to a row, or null (order of `RejectReason`)."""
    time = pl.col("declared_at")
    return (
        pl.when(pl.col("_invalid_encoding"))
        .then(pl.lit(RejectReason.INVALID_ENCODING.value))
        .when(pl.col("_declared_at_missing"))
        .then(pl.lit(RejectReason.MISSING_TIME.value))
        .when(time.is_null())
        .then(pl.lit(RejectReason.UNPARSEABLE_TIME.value))
        .when(time > pl.lit(now, pl.Datetime(values.TIME_UNIT)))
        .then(pl.lit(RejectReason.FUTURE_TIME.value))
        .when(pl.col("unit_problem").is_not_null())
        .then(pl.col("unit_problem"))
        .when(pl.col("person_key").is_null())
        .then(pl.lit(RejectReason.NO_IDENTITY.value))
    )


def normalise_declarations(
    raw: pl.LazyFrame,
    *,
    source: str,
    schema: Mapping[str, pl.DataType],
    now: datetime,
    key: bytes | None = None,
    resolver: UnitResolver | None = None,
    keep: Callable[[pl.Expr], pl.Expr] | None = None,
) -> pl.LazyFrame:
    """One raw export (canonical column names, `_line`) to the normalised frame.

    `schema` is the raw frame's schema; `now` is naive Vietnam local time; `key` hashes
    identity columns into `person_key`, which are dropped right there (SPEC §5); `resolver`
    resolves unit names (default: the bundled units, without user aliases). `keep`, given the
    person key as normalised, selects the rows to normalise at all (a part of the persons,
    `core.passes`): polars would not move that filter below the unit lookups by itself.

    The frame holds the columns of `NORMALISED_SCHEMA`, then the numbers of the resolved codes
    (`resolve.UNIT_NUMBERS`), by which `persons.first_places` counts persons without parsing
    text; they are internal: no output, no store and no staged file holds them.
    """
    names = list(schema)
    check_required_columns(source, names)
    if IDENTITY_COLUMNS.intersection(names):
        try:
            raw = derive_person_key(raw, key)
        except BadInputError as error:
            raise BadInputError(f"{source}: {error}") from None
        schema = {
            **{name: dtype for name, dtype in schema.items() if name not in IDENTITY_COLUMNS},
            "person_key": pl.String(),
        }
    if keep is not None:
        raw = raw.filter(keep(values.blank_to_null(pl.col("person_key"))))
    invalid = (
        pl.col("_invalid_encoding").cast(pl.Boolean)
        if "_invalid_encoding" in schema
        else pl.lit(False)
    )
    declared_missing = (
        pl.col("declared_at").is_null()
        if schema["declared_at"] != pl.String
        else values.blank_to_null(pl.col("declared_at")).is_null()
    )
    # Times as text are parsed in steps of their own (`values.parse_time_columns`), once the
    # missing ones are known.
    text_times = [name for name in TIME_COLUMNS if name in schema and schema[name] == pl.String]
    raw = values.parse_time_columns(
        raw.with_columns(declared_missing.alias("_declared_at_missing")), text_times
    )
    schema = {**schema, **{name: pl.Datetime(values.TIME_UNIT) for name in text_times}}
    typed = raw.select(
        pl.lit(source).alias("_source_file"),
        pl.col("_line").cast(pl.UInt64),
        invalid.alias("_invalid_encoding"),
        pl.col("_declared_at_missing"),
        *_typed_columns(schema),
    )
    return (
        typed.with_columns(_written_units(schema))
        .pipe(resolve_units, resolver)
        .with_columns(reject_reason_expr(now).alias("reject_reason"))
        .with_columns(_unresolved_only())
        .select(
            *(pl.col(name).cast(dtype) for name, dtype in NORMALISED_SCHEMA.items()),
            *(pl.col(number) for number in UNIT_NUMBERS.values()),
        )
    )


def _written_units(schema: Mapping[str, pl.DataType]) -> list[pl.Expr]:
    """Each level's unit as written, before resolution: the code if given, else the name."""
    exprs = []
    for level, column in WRITTEN_UNIT_COLUMNS.items():
        given = [pl.col(name) for name in (f"{level}_code", level) if name in schema]
        written = pl.coalesce(given) if given else pl.lit(None, pl.String)
        exprs.append(written.cast(pl.String).alias(column))
    return exprs


def _unresolved_only() -> list[pl.Expr]:
    """Keep the units as written only where they failed (province and district: rows rejected
    for their unit; ward: those rows and rows whose ward did not resolve)."""
    unit_rejected = pl.col("unit_problem").is_not_null() & (
        pl.col("reject_reason") == pl.col("unit_problem")
    )
    ward_failed = unit_rejected | pl.col("ward_unresolved")
    return [
        pl.when(ward_failed if level == "ward" else unit_rejected)
        .then(pl.col(column))
        .alias(column)
        for level, column in WRITTEN_UNIT_COLUMNS.items()
    ]
