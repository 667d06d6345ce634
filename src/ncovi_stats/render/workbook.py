"""Workbooks for people (issue 14): a title row, people's headers and values, a totals row.

`--format xlsx` of a table command, and the sheets of the bundle's `coverage.xlsx`, start with a
title row (what, unit, cut-off in Vietnam time, population source). With `--lang vi` headers
and the values people read (statuses, levels, quality measures) are Vietnamese; figures stay
numbers. In English the header of `--format xlsx` keeps the canonical field names, as the CSV.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from ncovi_stats.render import labels

if TYPE_CHECKING:
    from ncovi_stats.render.tables import Display

# Columns whose text values people read, localised with --lang vi.
LEVEL_LABELS: dict[str, dict[str, str]] = {
    "province": {"en": "province", "vi": "Tỉnh"},
    "district": {"en": "district", "vi": "Huyện"},
    "ward": {"en": "ward", "vi": "Xã"},
}
LOCALISED_COLUMNS = ("status", "level", "measure")
# Fields a totals row sums (with the coverage and verified shares recomputed from the sums);
# a daily series is never summed (its persons are cumulative).
SUMMED_FIELDS = (
    "population",
    "persons_counted",
    "persons_needed",
    "flagged_persons",
    "verified",
    "verified_within_sla",
    "pending",
    "overdue",
)


# `QualityReport.summary()` measure names -> the name the labels know.
MEASURE_ALIASES = {"rows_duplicate": "duplicates", "rows_unresolved_ward": "unresolved_wards"}
REJECTED_MEASURE = "rows_rejected_"


def value_label(name: str, value: str, lang: str) -> str:
    """A status, level or quality measure as people read it in `lang`."""
    from ncovi_stats.render.cells import format_cell

    if name == "level":
        return LEVEL_LABELS.get(value, {}).get(lang, value)
    if name == "measure" and value.startswith(REJECTED_MEASURE):
        value = "rejected:" + value.removeprefix(REJECTED_MEASURE)
    return format_cell(name, MEASURE_ALIASES.get(value, value), {}, lang)


def localise_values(records: pl.DataFrame, lang: str) -> pl.DataFrame:
    """`records` with the values of LOCALISED_COLUMNS in `lang` (English keeps them canonical)."""
    if lang == "en":
        return records
    columns = [n for n in LOCALISED_COLUMNS if n in records.columns]
    return records.with_columns(
        pl.col(name).replace_strict(
            {value: value_label(name, value, lang) for value in records[name].unique().to_list()},
            return_dtype=pl.String,
        )
        for name in columns
        if records.schema[name] == pl.String
    )


def headers(records: pl.DataFrame, lang: str) -> list[str]:
    if lang == "en":
        return list(records.columns)
    return [labels.label(name, lang) for name in records.columns]


def totals_of(records: pl.DataFrame, meta: dict[str, Any]) -> dict[str, Any] | None:
    """The totals row: the library's (`meta["totals"]`, e.g. the province's own figures of a
    district listing) where it gave one, else the sums of SUMMED_FIELDS; None for a series or
    a table with nothing to sum."""
    if "day" in records.columns or records.height == 0:
        return None
    given = meta.get("totals")
    totals: dict[str, Any] = {}
    for name in SUMMED_FIELDS:
        if name not in records.columns:
            continue
        if isinstance(given, dict) and isinstance(given.get(name), int):
            totals[name] = given[name]
        elif name == "population":
            known = records[name].drop_nulls()
            if known.len():  # no figure at all (wards without --population): no total
                totals[name] = int(known.sum())
        else:
            totals[name] = int(records[name].fill_null(0).sum())
    if not totals:
        return None
    population, persons = totals.get("population"), totals.get("persons_counted")
    if "coverage_pct" in records.columns and population and persons is not None:
        if "population" in records.columns and not isinstance(given, dict):
            listed = records.filter(pl.col("population").is_not_null())
            persons = int(listed["persons_counted"].sum())
            totals["persons_counted"] = persons
        totals["coverage_pct"] = persons * 100 / population
    target = meta.get("target_pct")
    from_province = isinstance(given, dict) and given.get("population_from") == "province"
    if from_province and "persons_needed" in totals and population and target is not None:
        from decimal import Decimal

        from ncovi_stats.core.coverage import persons_needed

        totals["persons_needed"] = persons_needed(Decimal(str(target)), population, persons or 0)
    flagged, verified = totals.get("flagged_persons"), totals.get("verified")
    if "verified_pct" in records.columns and flagged:
        totals["verified_pct"] = (verified or 0) * 100 / flagged
    return totals


def table_workbook(
    records: pl.DataFrame, meta: dict[str, Any], display: Display, lang: str
) -> bytes:
    """`--format xlsx` of a table command: one sheet, titled as the table, with its totals."""
    from ncovi_stats.io.write.workbook import FIXED_CREATED, Sheet, write_workbook

    totals = totals_of(records, meta)
    label = display.totals[1] if display.totals is not None and len(display.totals) > 1 else ""
    if not label and "level" in meta and "province_code" in records.columns:
        from ncovi_stats.render.tables import total_label

        label = total_label(records, meta["level"], lang, meta.get("totals"))
    sheet = Sheet(
        name=str(meta.get("command", "table")),
        records=localise_values(records, lang),
        header=headers(records, lang),
        totals=totals,
        totals_label=label or labels.text("total", lang, n=records.height),
        notes=list(display.notes),
        title=display.title,
        statuses=records["status"].to_list() if "status" in records.columns else None,
    )
    cutoff = meta.get("cutoff")
    created = FIXED_CREATED
    if isinstance(cutoff, str):
        created = datetime.fromisoformat(cutoff).replace(tzinfo=None)
    return write_workbook([sheet], created=created, title=display.title)


QUALITY_SHEETS: dict[str, dict[str, str]] = {
    "summary": {"en": "Data quality", "vi": "Chất lượng dữ liệu"},
    "by_source_file": {"en": "Data quality by source file", "vi": "Chất lượng dữ liệu theo tệp"},
    "by_district": {"en": "Data quality by district", "vi": "Chất lượng dữ liệu theo huyện"},
    "units_over_100": {"en": "Units above 100%", "vi": "Đơn vị trên 100%"},
    "unresolved_units": {"en": "Unresolved units", "vi": "Đơn vị không xác định được"},
}
CUTOFF_PART = {"en": "as of {cutoff} (Vietnam time)", "vi": "tính đến {cutoff}"}


def quality_workbook(tables: dict[str, pl.DataFrame], cutoff: datetime | None, lang: str) -> bytes:
    """`validate --format xlsx`: one sheet per section (sheet names stay canonical), each
    titled with what it is and the cut-off; Vietnamese headers and measures with --lang vi."""
    from ncovi_stats.io.write.workbook import FIXED_CREATED, Sheet, write_workbook

    when = CUTOFF_PART[lang].format(cutoff=labels.format_instant(cutoff, lang)) if cutoff else ""
    sheets = [
        Sheet(
            name=name,
            records=localise_values(table, lang),
            header=headers(table, lang),
            title=" · ".join(
                part for part in (QUALITY_SHEETS.get(name, {}).get(lang, name), when) if part
            ),
        )
        for name, table in tables.items()
    ]
    return write_workbook(sheets, created=cutoff or FIXED_CREATED, title="ncovi-stats validate")
