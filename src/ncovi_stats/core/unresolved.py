"""Unit values that did not resolve, as written, with their row counts (SPEC §2.3, §3.2, §3.12).

An official who sees rows rejected as `unknown-unit` must be told which spelling failed, so it
can be fixed (an alias, `--aliases`) or reported. The normalised frame keeps each level's unit as
written (`province_text`, `district_text`, `ward_text`: the code if one was given, else the
name) on the rows where it failed; `unresolved_query` counts the distinct combinations and
`unresolved_table` names the level that failed in each:

- a row rejected for its unit failed at the province when its province (code or name) is not
  one, or when it has none; otherwise at the district, within its province;
- an accepted row with an unresolved ward failed at the ward, within its district.

Unit names are not identity data (SPEC §5), but a column mapped by mistake can put IDs, phones
or names into a unit column. So a text is shown only when it looks like a GSO code (1–5 digits),
or has no run of three or more digits and is written on the rows of at least `MIN_PERSONS`
persons: a spelling used across a province passes, a person's own ID, phone or name does not
(`shown_text`); the others are replaced by `HIDDEN`. polars and the standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from ncovi_stats.core.units import UnitResolver
from ncovi_stats.errors import RejectReason

UNIT_REASONS: tuple[str, ...] = (RejectReason.UNKNOWN_UNIT.value, RejectReason.AMBIGUOUS_UNIT.value)
WARD_UNRESOLVED = "ward-unresolved"
WRITTEN_COLUMNS: tuple[str, ...] = ("province_text", "district_text", "ward_text")
LEVEL_ORDER: dict[str, int] = {"province": 0, "district": 1, "ward": 2}
MIN_PERSONS = 3  # a text written for fewer persons is not shown (it may be personal data)
HIDDEN = "(not shown: written for fewer than 3 persons)"
CODE_LIKE = r"^\d{1,5}$"
DIGIT_RUN = r"\d{3}"
LISTED = 50  # texts listed by `validate`; the rest are counted ("and N more")
WARNED = 5  # texts named in the warning on stderr
WARN_ABOVE_PCT = 1  # percent of rows read rejected above which a warning is printed

PLACE_COLUMNS: tuple[str, ...] = ("province_code", "district_code")
QUERY_SCHEMA: dict[str, pl.DataType] = {
    "reason": pl.String(),
    **{column: pl.String() for column in WRITTEN_COLUMNS},
    **{f"{column}_persons": pl.UInt32() for column in WRITTEN_COLUMNS},
    **{column: pl.String() for column in PLACE_COLUMNS},
    "rows": pl.Int64(),
}
TABLE_SCHEMA: dict[str, pl.DataType] = {
    "level": pl.String(),
    "text": pl.String(),
    "within": pl.String(),
    "within_code": pl.String(),
    "reason": pl.String(),
    "rows": pl.Int64(),
}


def _persons(column: str) -> pl.Expr:
    """Persons whose rows carry this text (a window over the rows it is applied to)."""
    return pl.col("person_key").drop_nulls().n_unique().over(column)


def _shown(text: pl.Expr, persons: pl.Expr) -> pl.Expr:
    shown = text.str.contains(CODE_LIKE) | (
        ~text.str.contains(DIGIT_RUN) & (persons >= MIN_PERSONS)
    )
    return pl.when(text.is_null()).then(None).when(shown).then(text).otherwise(pl.lit(HIDDEN))


def shown_text(column: str) -> pl.Expr:
    """The unit as written where it may be shown (see the module docstring), else `HIDDEN`.

    A window over the rows it is applied to: use it on the few rows that failed, never on all.
    """
    return _shown(pl.col(column), _persons(column))


def unresolved_query(normalised: pl.LazyFrame) -> pl.LazyFrame:
    """Rows per distinct unresolved combination (reason, province, district, ward as written
    with the persons who wrote each, and the resolved province and district of a row whose
    ward did not resolve): rows rejected for their unit, and accepted rows whose ward did not
    resolve. Texts are not masked yet: only the one that failed is (`unresolved_table`)."""
    unit_rejected = pl.col("reject_reason").is_in(UNIT_REASONS).fill_null(False)
    ward_only = pl.col("reject_reason").is_null() & pl.col("ward_unresolved").fill_null(False)
    reason = pl.when(unit_rejected).then(pl.col("reject_reason")).otherwise(pl.lit(WARD_UNRESOLVED))
    places = (pl.when(ward_only).then(pl.col(column)).alias(column) for column in PLACE_COLUMNS)
    return (
        normalised.filter(unit_rejected | ward_only)
        .with_columns(_persons(column).alias(f"{column}_persons") for column in WRITTEN_COLUMNS)
        .group_by(
            reason.alias("reason"),
            *WRITTEN_COLUMNS,
            *(f"{column}_persons" for column in WRITTEN_COLUMNS),
            *places,
        )
        .agg(pl.len().cast(pl.Int64).alias("rows"))
    )


def finds_rows(row_counts: pl.DataFrame) -> bool:
    """Whether `unresolved_query` finds any row, from the row counts of the same rows
    (`quality.row_count_query`): rows rejected for their unit, accepted rows whose ward did not
    resolve."""
    row = row_counts.row(0, named=True)
    return any(row[reason] for reason in UNIT_REASONS) or bool(row["unresolved_wards"])


def empty_query_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=QUERY_SCHEMA)


@dataclass(frozen=True)
class _Failed:
    level: str
    text: str
    within: str  # the parent's official names, nearest first ("" for a province)
    within_code: str  # the parent's code ("" for a province)


def _failed(
    reason: str,
    written: tuple[str | None, str | None, str | None],
    places: tuple[str | None, str | None],
    resolver: UnitResolver,
    names: dict[str, str],
) -> _Failed:
    province, district, ward = written
    if reason == WARD_UNRESOLVED:
        within = ", ".join(names.get(code, code) for code in reversed(places) if code)
        parent = places[1] or places[0] or ""
        return _Failed("ward", ward or "", within, parent)
    province_code = _province_code(province, resolver)
    if province_code is None:
        return _Failed("province", province or "", "", "")
    within = names.get(province_code, province_code)
    return _Failed("district", district or "", within, province_code)


def _province_code(text: str | None, resolver: UnitResolver) -> str | None:
    if text is None:
        return None
    if resolver.is_province(text):
        return text
    return resolver.province(text).code


def unresolved_table(
    counts: pl.DataFrame, names: dict[str, str], resolver: UnitResolver | None = None
) -> pl.DataFrame:
    """One record per (level, text as written, parent, reason) with its rows; most rows first.

    `counts` is `unresolved_query`'s result; `names` maps province and district codes to their
    official names (for `within`).
    """
    resolver = resolver or UnitResolver.bundled()
    totals: dict[tuple[str, str, str, str, str], int] = {}
    persons_columns = [f"{column}_persons" for column in WRITTEN_COLUMNS]
    for record in counts.select(
        "reason", *WRITTEN_COLUMNS, *persons_columns, *PLACE_COLUMNS, "rows"
    ).iter_rows():
        reason, province, district, ward = record[:4]
        persons = dict(zip(LEVEL_ORDER, record[4:7], strict=True))
        province_code, district_code, rows = record[7:]
        written = (province, district, ward)
        failed = _failed(reason, written, (province_code, district_code), resolver, names)
        text = _masked(failed, persons)
        key = (failed.level, text, failed.within, failed.within_code, reason)
        totals[key] = totals.get(key, 0) + rows
    ordered = sorted(totals.items(), key=lambda item: (-item[1], LEVEL_ORDER[item[0][0]], item[0]))
    return pl.DataFrame([(*key, rows) for key, rows in ordered], schema=TABLE_SCHEMA, orient="row")


def _masked(failed: _Failed, persons: dict[str, int | None]) -> str:
    """The failed text, or `HIDDEN` where it may be personal data (as `_shown`)."""
    text = failed.text
    if not text or re.search(CODE_LIKE, text):
        return text
    if re.search(DIGIT_RUN, text) or (persons[failed.level] or 0) < MIN_PERSONS:
        return HIDDEN
    return text


def listed(table: pl.DataFrame, limit: int = LISTED) -> tuple[pl.DataFrame, int, int]:
    """The first `limit` records, and how many more texts and rows there are."""
    rest = table.slice(limit)
    return table.head(limit), rest.height, int(rest["rows"].sum())


def describe_text(record: dict[str, object]) -> str:
    """'"T. Hải Dương" (province, unknown-unit, 141020 rows)' — one unresolved text for a message."""
    within = f" in {record['within']}" if record["within"] else ""
    text = record["text"] or "(empty)"
    rows = f"{record['rows']} row" + ("" if record["rows"] == 1 else "s")
    return f'"{text}" ({record["level"]}{within}, {record["reason"]}, {rows})'
