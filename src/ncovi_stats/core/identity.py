"""The person a row is about, as a pseudonymous `person_key` (SPEC §2.1, §5).

Per row, the first of these that can be formed:

1. `person_key` as given by the export (any text, surrounding spaces stripped, blank = absent);
2. a keyed hash of the normalised `person_id`;
3. a keyed hash of the normalised phone + full name + birth year: all three must be present, since
   a phone is shared within a household and a name + year alone is common;
4. otherwise null: the caller rejects the row as `no-identity`.

A hash is HMAC-SHA-256 under the secret key of `kind + "\\x1f" + value(s)`, where the kind names the
identity source (`person_id`, or `phone+full_name+birth_year` with the three values joined by
`\\x1f`), so an ID and a phone with the same digits never share a key. The key kept is the first 16
bytes of the HMAC as 30 lower-case hex characters (120 bits: wide enough that two persons never
share a key in practice, and narrow enough that `core.persons.person_id` holds it exactly in a
fixed-width integer with room for a tag).

Normalisation (applied before hashing; numbers read as floats from spreadsheets are read as
whole numbers first):
- `person_id`: spaces, dots and dashes removed, upper case. An all-digit ID gets back the leading
  zeros a spreadsheet, a Parquet int64 or an Excel number dropped: CMND have 9 digits, CCCD 12
  starting with a province code 001–096, so 8 digits get one zero, 11 digits one and 10 digits
  (not starting with 0) two: "001289225416", 1289225416 and "1289225416" are one person.
- `phone`: digits only. A leading `84` country code (after `+` or `00`) becomes `0` when 9 or 10
  digits follow it (a mobile or landline number); a number of 9 or 10 digits not starting with 0
  gets back the leading zero a spreadsheet dropped. `+84 912 345 678`, `0912.345.678` and
  `912345678` are one phone.
- `full_name`: NFC, case-folded (`str.casefold`), NFC again, runs of whitespace made one space.
- `birth_year`: digits only (the year of a date-typed column).

Then every identity column (`schema.IDENTITY_COLUMNS`, `sex` included) is dropped. Any failure
while hashing is re-raised as a `BadInputError` naming the column and the kind of failure only,
with no cause or context attached, so no raw value can surface in a message.

polars and the standard library only.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from ncovi_stats.errors import BadInputError
from ncovi_stats.schema import IDENTITY_COLUMNS

PERSON_KEY = "person_key"
# Joins kind and values. Phones and years are digits and folded names have no control
# characters (str.split treats \x1f as space), so a message reads back one way only.
SEPARATOR = "\x1f"
KEY_HEX_CHARS = 30  # first 15 bytes of the HMAC

Normaliser = Callable[[pl.Expr, pl.DataType], pl.Expr]


@dataclass(frozen=True)
class IdentitySource:
    """One way to form a person's identity: all its columns must hold a value."""

    kind: str  # hashed as part of the message
    columns: tuple[str, ...]


# In order of preference (SPEC §2.1).
IDENTITY_SOURCES: tuple[IdentitySource, ...] = (
    IdentitySource("person_id", ("person_id",)),
    IdentitySource("phone+full_name+birth_year", ("phone", "full_name", "birth_year")),
)
HASHED_COLUMNS: frozenset[str] = frozenset(
    column for source in IDENTITY_SOURCES for column in source.columns
)


# --- normalisation -------------------------------------------------------------------------


def _is_text(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.String | pl.Categorical | pl.Enum | pl.Null)


def _is_temporal(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.Date | pl.Datetime)


# Each normaliser is one chain of expressions: a `when/then` that repeats its input makes polars
# evaluate that input once per mention, which made phones five times slower.


def _blank_to_null(text: pl.Expr) -> pl.Expr:
    return text.replace("", None)


def _text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A text or numeric column as stripped text, blank as null; floats as whole numbers."""
    if dtype.is_float():
        expr = expr.cast(pl.Int64, strict=False)
    return _blank_to_null(expr.cast(pl.String, strict=False).str.strip_chars())


def normalise_person_id(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    return _blank_to_null(
        _text(expr, dtype)
        .str.replace_all(r"[\s.\p{Pd}]", "")
        .str.to_uppercase()
        .str.replace(r"^([1-9][0-9]{9})$", "00$1")  # two leading zeros lost (CCCD 001...)
        .str.replace(r"^([0-9]{8}|[0-9]{11})$", "0$1")  # a leading zero lost in a spreadsheet
    )


def normalise_phone(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    return _blank_to_null(
        _text(expr, dtype)
        .str.replace(r"\.0+$", "")
        .str.replace_all(r"[^0-9]", "")
        .str.replace(r"^(?:00)?84([0-9]{9,10})$", "0$1")  # country code
        .str.replace(r"^([1-9][0-9]{8,9})$", "0$1")  # a leading zero lost in a spreadsheet
    )


def normalise_name_text(name: str) -> str:
    """NFC, case-folded, NFC again, whitespace collapsed (Python, on unique values)."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return " ".join(folded.split())


def normalise_full_name(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    return _text(expr, dtype).map_batches(
        _guarded("full_name", _fold_names), return_dtype=pl.String, is_elementwise=True
    )


def normalise_birth_year(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if _is_temporal(dtype):
        return expr.dt.year().cast(pl.String)
    return _blank_to_null(
        _text(expr, dtype).str.replace(r"\.0+$", "").str.replace_all(r"[^0-9]", "")
    )


NORMALISERS: dict[str, Normaliser] = {
    "person_id": normalise_person_id,
    "phone": normalise_phone,
    "full_name": normalise_full_name,
    "birth_year": normalise_birth_year,
}


# --- hashing on unique values --------------------------------------------------------------


def _map_unique(series: pl.Series, function: Callable[[str], str]) -> pl.Series:
    """`function` applied once per distinct non-null value of a String series; nulls stay null."""
    unique = series.drop_nulls().unique()
    results = pl.Series([function(value) for value in unique.to_list()], dtype=pl.String)
    mapping = pl.DataFrame({"value": unique, "result": results})
    joined = series.to_frame("value").join(mapping, on="value", how="left", maintain_order="left")
    return joined.get_column("result").alias(series.name)


def _guarded(
    column: str, function: Callable[[pl.Series], pl.Series]
) -> Callable[[pl.Series], pl.Series]:
    """`function`, with any failure turned into a BadInputError that carries no value.

    The error is raised after the `except` block, so it has neither `__cause__` nor
    `__context__`: the original exception, whose message may quote a cell, is gone.
    """

    def run(series: pl.Series) -> pl.Series:
        try:
            return function(series)
        except Exception as error:  # any failure: rewritten without values below
            reason = type(error).__name__
        raise BadInputError(
            f"could not form person keys from column {column} ({reason}); "
            "check that it holds text or numbers"
        )

    return run


def keyed_digest(key: bytes) -> Callable[[str], str]:
    """HMAC-SHA-256 under `key` of a text (UTF-8), first 15 bytes as 30 hex characters.

    Built as RFC 2104 from two SHA-256 states prepared once, then copied per value: the same
    result as `hmac.new(key, message, "sha256")`, about a third faster per value.
    """
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key)).copy
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key)).copy

    def digest(message: str) -> str:
        inner_hash = inner()
        inner_hash.update(message.encode("utf-8"))
        outer_hash = outer()
        outer_hash.update(inner_hash.digest())
        return outer_hash.hexdigest()[:KEY_HEX_CHARS]

    return digest


def _hasher(key: bytes) -> Callable[[pl.Series], pl.Series]:
    digest = keyed_digest(key)

    def hash_series(series: pl.Series) -> pl.Series:
        return _map_unique(series, digest)

    return hash_series


def _fold_names(series: pl.Series) -> pl.Series:
    return _map_unique(series, normalise_name_text)


# --- the step ------------------------------------------------------------------------------


# Columns that may also be dates (their year is used); all accept text and numbers.
DATE_TYPED_COLUMNS: frozenset[str] = frozenset({"birth_year"})


def _check_dtype(column: str, dtype: pl.DataType) -> None:
    allowed = _is_text(dtype) or dtype.is_numeric()
    if not allowed and not (column in DATE_TYPED_COLUMNS and _is_temporal(dtype)):
        raise BadInputError(
            f"column {column} has type {dtype}, which cannot hold identity values; "
            "export it as text or numbers"
        )


def _message(source: IdentitySource, values: list[pl.Expr]) -> pl.Expr:
    """`kind \\x1f value [\\x1f value ...]`; null unless every value is present."""
    parts: list[pl.Expr] = [pl.lit(source.kind)]
    for value in values:
        parts += [pl.lit(SEPARATOR), value]
    return pl.concat_str(parts)


def derive_person_key(lf: pl.LazyFrame, key: bytes | None) -> pl.LazyFrame:
    """`lf` with `person_key` (String) added or overwritten and every identity column dropped.

    `key` is the secret from the key file. It may be None only when no column that feeds a hash
    (`person_id`, `phone`, `full_name`, `birth_year`) is present; a `sex` column alone is just
    dropped. Rows whose identity cannot be formed get a null `person_key`.
    """
    schema = lf.collect_schema()
    present = [name for name in schema.names() if name in HASHED_COLUMNS]
    if present and key is None:
        raise BadInputError(
            f"the input has identity columns ({', '.join(present)}) and no key to hash them; "
            "pass --key-file PATH (create a key once with `ncovi-stats keygen PATH`)"
        )
    for column in present:
        _check_dtype(column, schema[column])

    candidates: list[pl.Expr] = []
    if PERSON_KEY in schema:
        dtype = schema[PERSON_KEY]
        if not (_is_text(dtype) or dtype.is_integer()):
            raise BadInputError(f"column {PERSON_KEY} has type {dtype}; export person keys as text")
        candidates.append(_text(pl.col(PERSON_KEY), dtype))

    if key is not None:
        messages = [
            _message(
                source,
                [NORMALISERS[column](pl.col(column), schema[column]) for column in source.columns],
            )
            for source in IDENTITY_SOURCES
            if all(column in schema for column in source.columns)
        ]
        if messages:
            # The UDF closes over the key: a plan holding it must never be serialised.
            label = "/".join(present)
            hashed = pl.coalesce(messages).map_batches(
                _guarded(label, _hasher(key)), return_dtype=pl.String, is_elementwise=True
            )
            candidates.append(hashed)

    person_key = pl.coalesce(candidates) if candidates else pl.lit(None, dtype=pl.String)
    dropped = [name for name in schema.names() if name in IDENTITY_COLUMNS]
    return lf.with_columns(person_key.cast(pl.String).alias(PERSON_KEY)).drop(dropped)
